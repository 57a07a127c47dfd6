//! `studybook serve`: build, then serve the output folder with `/api/search`.

use std::net::SocketAddr;
use std::process::ExitCode;

use crate::cli::ServeArgs;
use crate::serve::{bind, router, serve, SiteState};
use crate::{build, BuildOptions};

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let options = BuildOptions {
        root: args.root.root,
        output_dir: None,
        drafts: args.drafts,
        progress: true,
    };
    let report = build(&options)?;
    super::print_warnings(&report.warnings);
    eprintln!("{}", super::build::summary(&report));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let address = SocketAddr::new(args.bind, args.port);
        let listener = bind(address).await?;
        let state = SiteState::new(report.output_dir.clone());
        let url = format!("http://{}/", listener.local_addr()?);
        eprintln!(
            "serving {} at {url} (Ctrl-C to stop)",
            report.output_dir.display()
        );
        if args.open {
            open_browser(&url);
        }
        serve(listener, router(state)).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Opens `url` in the default browser; failure only prints a note.
fn open_browser(url: &str) {
    let result = if cfg!(windows) {
        std::process::Command::new("cmd")
            .args(["/C", "start", "", url])
            .spawn()
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if let Err(err) = result {
        eprintln!("note: could not open a browser ({err}); open {url} yourself");
    }
}
