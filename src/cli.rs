//! The command line, as clap derive structs only; [`crate::cmd`] does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::content::Date;

#[derive(Debug, Parser)]
#[command(
    name = "studybook",
    version,
    about = "Build a searchable static site from a folder of study materials and session records"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (public/ by default)
    Build(BuildArgs),
    /// Check the content, links and templates without writing anything
    Check(CheckArgs),
    /// Create a new site: book.toml, a sample note, a sample session record, .gitignore
    Init(InitArgs),
    /// Search the built site's index from the terminal
    Search(SearchArgs),
    /// Build, then serve the site with search on http://127.0.0.1:3000
    Serve(ServeArgs),
    /// Count first-topic study sessions per year and meeting (reads content/, no build needed)
    Stats(StatsArgs),
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Only this year, e.g. 2024
    #[arg(long, value_parser = parse_year, value_name = "YYYY")]
    pub year: Option<u16>,
    /// Print JSON: {"sessions": [{"year", "meeting", "count", "attendees"}]}
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV (UTF-8 with a BOM, for Excel)
    #[arg(long)]
    pub csv: bool,
}

/// Parses a four-digit year.
pub fn parse_year(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u16>() {
        Ok(year) if (1000..=9999).contains(&year) && text.trim().len() == 4 => Ok(year),
        _ => Err(format!("`{text}` is not a year written YYYY, e.g. 2024")),
    }
}

#[derive(Debug, Args)]
pub struct RootArg {
    /// The site folder, holding book.toml
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Output folder (default: book.toml's output-dir, public)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Include pages marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Check drafts too
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in (relative to --root)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub root: RootArg,
    /// Labels of the new site: zh-CN or en
    #[arg(long, default_value = "zh-CN")]
    pub language: String,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Most results to show
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub limit: u16,
    /// Only pages of this kind
    #[arg(long, value_parser = ["note", "session"])]
    pub kind: Option<String>,
    /// Only session records of this meeting, e.g. 区委常委会
    #[arg(long)]
    pub meeting: Option<String>,
    /// Only pages with this tag
    #[arg(long)]
    pub tag: Option<String>,
    /// Only pages of this year
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=9999))]
    pub year: Option<u16>,
    /// Only pages dated on or after this day (YYYY-MM-DD)
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub from: Option<Date>,
    /// Only pages dated on or before this day (YYYY-MM-DD)
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub to: Option<Date>,
    /// One JSON object per result and line
    #[arg(long)]
    pub json: bool,
    /// The words to search for
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Address to listen on; the default serves this machine only
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// Include pages marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
    /// Open the site in the default browser
    #[arg(long)]
    pub open: bool,
}

/// Parses a `YYYY-MM-DD` argument.
/// The command line with `search`'s excluded words (`-生产`) moved behind a `--`, so they are
/// query words rather than unknown options: options are ASCII, so a `-` followed by anything
/// else is an exclusion. (`-word` in Latin letters still needs `--` before it.)
pub fn with_exclusions_as_words(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let is_search = args
        .iter()
        .skip(1)
        .find(|a| !a.to_string_lossy().starts_with('-'));
    if is_search.is_none_or(|command| command != "search") || args.iter().any(|a| a == "--") {
        return args;
    }
    let is_exclusion = |arg: &std::ffi::OsString| {
        let text = arg.to_string_lossy();
        text.strip_prefix('-')
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| !c.is_ascii())
    };
    let (exclusions, mut rest): (Vec<_>, Vec<_>) = args.into_iter().partition(is_exclusion);
    if !exclusions.is_empty() {
        rest.push("--".into());
        rest.extend(exclusions);
    }
    rest
}

pub fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date written YYYY-MM-DD"))
}
