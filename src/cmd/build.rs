//! `studybook build`: run the pipeline and print a one-line summary.

use std::process::ExitCode;

use crate::cli::BuildArgs;
use crate::diagnostics::Text;
use crate::text;
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

/// `built 63 pages (24 sessions) in 9 sections, 12 tags, 3 files, 1 warning in 0.84 s → public`,
/// in the message language.
pub fn summary(report: &BuildReport) -> String {
    let warnings = match report.warnings.len() {
        0 => Text::new("", ""),
        1 => text!(", 1 warning", "，1 条警告"),
        n => text!(", {n} warnings", "，{n} 条警告"),
    };
    Text::new(
        format!(
            "built {} ({}) in {}, {}, {}{} in {:.2} s → {}",
            count(report.pages, "page"),
            count(report.sessions, "session"),
            count(report.sections, "section"),
            count(report.tags, "tag"),
            count(report.attachments, "attachment"),
            warnings.en(),
            report.elapsed.as_secs_f64(),
            report.output_dir.display()
        ),
        format!(
            "已生成 {} 个页面（其中学习记录 {} 条），{} 个栏目，{} 个标签，{} 个附件{}，用时 {:.2} 秒 → {}",
            report.pages,
            report.sessions,
            report.sections,
            report.tags,
            report.attachments,
            warnings.zh(),
            report.elapsed.as_secs_f64(),
            report.output_dir.display()
        ),
    )
    .to_string()
}

/// `1 page`, `3 pages`: English counts.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
