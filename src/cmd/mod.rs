//! One module per subcommand; each is thin glue between the command line and the library.

pub mod build;
pub mod check;
pub mod init;
pub mod search;
pub mod serve;
pub mod stats;

use std::process::ExitCode;

use crate::cli::Command;
use crate::diagnostics::{error_label, message_language, warning_label, Diagnostic};
use crate::i18n::Language;
use crate::BuildError;

/// Runs a command; errors are printed by the caller.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(args),
        Command::Init(args) => init::run(args),
        Command::Search(args) => search::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Stats(args) => stats::run(args),
    }
}

/// `error: …` with the chain of causes, or the numbered list of content errors.
pub fn format_error(err: &anyhow::Error) -> String {
    let label = error_label();
    if let Some(BuildError::Content(errors)) = err.downcast_ref::<BuildError>() {
        return format!("{label}{errors}").trim_end().to_string();
    }
    let mut text = format!("{label}{err}");
    let caused_by = match message_language() {
        Language::ZhCn => "原因：",
        Language::En => "caused by: ",
    };
    for cause in err.chain().skip(1) {
        text.push_str(&format!("\n  {caused_by}{cause}"));
    }
    text
}

/// Prints warnings to stderr, each on its own line.
pub fn print_warnings(warnings: &[Diagnostic]) {
    for warning in warnings {
        eprintln!("{}{warning}", warning_label());
    }
}
