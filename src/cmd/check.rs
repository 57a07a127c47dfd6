//! `studybook check`: everything a build validates, without writing anything.

use std::process::ExitCode;

use crate::cli::CheckArgs;
use crate::{load, BuildOptions};

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    crate::diagnostics::writes_nothing();
    let mut options = BuildOptions::new(args.root.root);
    options.drafts = args.drafts;
    let loaded = load(&options)?;
    super::print_warnings(&loaded.warnings);
    let (pages, sessions) = (loaded.site.pages.len(), loaded.site.session_count());
    let sections = loaded.site.sections.iter().filter(|s| !s.hidden).count();
    let warnings = loaded.warnings.len();
    let count = super::build::count;
    eprintln!(
        "{}",
        crate::diagnostics::Text::new(
            format!(
                "ok: {} ({}) in {}, {}",
                count(pages, "page"),
                count(sessions, "session"),
                count(sections, "section"),
                count(warnings, "warning")
            ),
            format!("检查通过：{pages} 个页面（其中学习记录 {sessions} 条），{sections} 个栏目，{warnings} 条警告"),
        )
    );
    Ok(ExitCode::SUCCESS)
}
