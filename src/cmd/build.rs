//! `studybook build`: run the pipeline and print a one-line summary.

use std::process::ExitCode;

use crate::cli::BuildArgs;
use crate::{build, BuildOptions, BuildReport};

pub fn run(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let options = BuildOptions {
        root: args.root.root,
        output_dir: args.out,
        drafts: args.drafts,
        progress: true,
    };
    let report = build(&options)?;
    super::print_warnings(&report.warnings);
    eprintln!("{}", summary(&report));
    Ok(ExitCode::SUCCESS)
}

/// `built 63 pages (24 sessions) in 9 sections, 12 tags, 3 files, 1 warning in 0.84 s → public`
pub fn summary(report: &BuildReport) -> String {
    let warnings = match report.warnings.len() {
        0 => String::new(),
        1 => ", 1 warning".to_string(),
        n => format!(", {n} warnings"),
    };
    format!(
        "built {} pages ({} sessions) in {} sections, {} tags, {} attachments{warnings} in {:.2} s → {}",
        report.pages,
        report.sessions,
        report.sections,
        report.tags,
        report.attachments,
        report.elapsed.as_secs_f64(),
        report.output_dir.display()
    )
}
