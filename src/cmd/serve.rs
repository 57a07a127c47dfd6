//! `studybook serve`: build, then serve the output folder with `/api/search`.

use std::net::SocketAddr;
use std::process::ExitCode;

use crate::cli::ServeArgs;
use crate::config::Config;
use crate::diagnostics::ContentErrors;
use crate::incremental::{Change, Workspace};
use crate::serve::{bind, router, serve, watch, SiteState};
use crate::text;
use crate::{BuildError, BuildOptions};

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    // Absolute: the watcher reports changed files by absolute path, and a relative root (the
    // default `.`) would match none of them.
    let root = std::path::absolute(&args.root.root).map_err(|err| {
        anyhow::anyhow!(
            "{}",
            text!(
                "cannot resolve the site folder `{}`: {err}",
                "无法确定站点文件夹 `{}` 的位置：{err}",
                args.root.root.display()
            )
        )
    })?;
    let options = BuildOptions {
        root,
        output_dir: None,
        drafts: args.drafts,
        progress: true,
    };
    // book.toml must be readable to know what to serve; content errors are only reported.
    let config = Config::load(&options.root)
        .map_err(|diagnostics| BuildError::Content(ContentErrors { diagnostics }))?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = bind(SocketAddr::new(args.bind, args.port)).await?;
        let state = SiteState::new(config.output_dir.clone());
        let mut workspace = Workspace::new(options);
        // Through the server's lock, which closes the previous output's index (open since
        // `SiteState::new`, for serving it if this build fails) while the output is replaced.
        let first = tokio::task::block_in_place(|| workspace.rebuild(&Change::everything(), &*state));
        let mut warnings = watch::ShownWarnings::default();
        match first {
            Ok(rebuilt) => {
                warnings.print(&rebuilt.warnings);
                if let Some(report) = &rebuilt.report {
                    eprintln!("{}", super::build::summary(report));
                }
                state.set_assets(rebuilt.asset_urls.clone());
            }
            // Keep serving (the previous output, if any) and show the errors in the page
            // until the editor fixes them.
            Err(err) => watch::report_failure(err, &state, &mut warnings),
        }
        workspace.set_progress(false);
        let _watch = watch::spawn(workspace, &config, state.clone(), warnings)?;
        let url = format!("http://{}/", listener.local_addr()?);
        // Tests and scripts find the address after `serving `/`正在预览 ` and ` at `/`，地址 `.
        eprintln!(
            "{}",
            text!(
                "serving {} at {url} (Ctrl-C to stop)",
                "正在预览 {}，地址 {url} （按 Ctrl-C 停止）",
                config.output_dir.display()
            )
        );
        if args.open {
            open_browser(&url);
        }
        serve(listener, router(state.clone(), true)).await?;
        // A rebuild's swap of the output finishes before the process ends, and none starts:
        // the output folder is whole, the last good site or the new one. (Not waiting long
        // for a download still under way, which holds off a swap too.)
        let _no_more_swaps =
            tokio::time::timeout(std::time::Duration::from_secs(2), state.hold_swaps()).await;
        eprintln!(
            "{}",
            text!(
                "stopped serving; {} holds the last good build",
                "已停止预览；{} 中是最后一次生成成功的站点",
                config.output_dir.display()
            )
        );
        if state.pack_behind() {
            eprintln!(
                "{}",
                text!(
                    "note: its offline search data (search/pack) lags the last edits: run `studybook build` before publishing it",
                    "提示：其中的离线搜索数据（search/pack）还没跟上最后的修改：发布前请运行 `studybook build`"
                )
            );
        }
        anyhow::Ok(())
    })?;
    // Searches still running for a closed connection are not waited for.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
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
        eprintln!(
            "{}",
            text!(
                "note: could not open a browser ({err}); open {url} yourself",
                "提示：无法自动打开浏览器（{err}），请手动打开 {url}"
            )
        );
    }
}
