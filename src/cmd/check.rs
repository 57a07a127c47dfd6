//! `studybook check`: everything a build validates, without writing anything.

use std::process::ExitCode;

use crate::cli::CheckArgs;
use crate::text;
use crate::{load, BuildOptions};

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let mut options = BuildOptions::new(args.root.root);
    options.drafts = args.drafts;
    let loaded = load(&options)?;
    super::print_warnings(&loaded.warnings);
    eprintln!(
        "{}",
        text!(
            "ok: {} pages ({} sessions) in {} sections, {} warnings",
            "检查通过：{0} 个页面（其中学习记录 {1} 条），{2} 个栏目，{3} 条警告",
            loaded.site.pages.len(),
            loaded.site.session_count(),
            loaded.site.sections.iter().filter(|s| !s.hidden).count(),
            loaded.warnings.len()
        )
    );
    Ok(ExitCode::SUCCESS)
}
