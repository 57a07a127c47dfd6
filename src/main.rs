//! The `studybook` binary: parse the command line, run the command, report, set the exit code
//! (0 success, 1 content, config or runtime errors, 2 usage errors).

use std::process::ExitCode;

// Builds allocate and free much from many threads (parsing, indexing, the pack export);
// mimalloc hands freed memory back to later stages and the system better than glibc's
// allocator, which kept the index stage's memory for the rest of the build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = studybook::cli::with_exclusions_as_words(std::env::args_os().collect());
    let cli = match studybook::cli::parse_from(args.clone()) {
        Ok(cli) => cli,
        Err(err) => match studybook::cli::usage_error_text(&err, &args) {
            Some(text) => {
                eprintln!("{text}");
                return ExitCode::from(2);
            }
            None => err.exit(),
        },
    };
    match studybook::cmd::run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{}", studybook::cmd::format_error(&err));
            ExitCode::from(1)
        }
    }
}
