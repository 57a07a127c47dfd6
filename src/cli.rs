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

/// Parses a four-digit year (`2024`, or `2024年` as a Chinese editor types it).
pub fn parse_year(text: &str) -> Result<u16, String> {
    let year = text.trim().trim_end_matches('年');
    match year.parse::<u16>() {
        Ok(number) if (1000..=9999).contains(&number) && year.len() == 4 => Ok(number),
        _ => Err(crate::text!(
            "`{text}` is not a year written YYYY, e.g. 2024",
            "`{text}` 不是四位数的年份，例如 2024"
        )
        .to_string()),
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
    #[arg(long, value_parser = parse_year, value_name = "YYYY")]
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
    #[arg(
        required_unless_present_any = ["kind", "meeting", "tag", "year", "from", "to"],
        value_name = "QUERY"
    )]
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
    Date::parse(text).ok_or_else(|| {
        crate::text!(
            "`{text}` is not a date written YYYY-MM-DD, e.g. 2024-03-05",
            "`{text}` 不是按 YYYY-MM-DD 写的日期，例如 2024-03-05"
        )
        .to_string()
    })
}

/// A usage error in the editor's language: clap words them in English only, so the common
/// kinds are said again in Chinese (help and version text stay clap's).
pub fn usage_error_text(err: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    use std::error::Error as _;
    if crate::diagnostics::message_language() != crate::i18n::Language::ZhCn {
        return None;
    }
    let value = |kind| match err.get(kind) {
        Some(ContextValue::String(text)) => Some(text.clone()),
        Some(ContextValue::Strings(texts)) => Some(texts.join("、")),
        _ => None,
    };
    let suggested = value(ContextKind::SuggestedSubcommand)
        .or_else(|| value(ContextKind::SuggestedArg))
        .map(|s| format!("\n   提示：是不是要写 `{s}`？"))
        .unwrap_or_default();
    let more = "\n   运行 `studybook --help` 查看全部命令和参数";
    let message = match err.kind() {
        ErrorKind::InvalidSubcommand => format!("没有 `{}` 这个命令", value(ContextKind::InvalidSubcommand)?),
        ErrorKind::UnknownArgument => format!("不认识的参数 `{}`", value(ContextKind::InvalidArg)?),
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{}", value(ContextKind::InvalidArg)?),
        ErrorKind::MissingSubcommand => {
            "请写出要运行的命令，例如 `studybook build`、`studybook serve`".to_string()
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let arg = value(ContextKind::InvalidArg)?;
            let given = value(ContextKind::InvalidValue).unwrap_or_default();
            let why = err
                .source()
                .map(|source| format!("：{source}"))
                .or_else(|| value(ContextKind::ValidValue).map(|valid| format!("，可选的值：{valid}")))
                .unwrap_or_default();
            format!("参数 `{arg}` 的值 `{given}` 不对{why}")
        }
        ErrorKind::ArgumentConflict => format!(
            "参数 `{}` 不能和 `{}` 一起用",
            value(ContextKind::InvalidArg)?,
            value(ContextKind::PriorArg).unwrap_or_default()
        ),
        _ => return None,
    };
    Some(format!("错误：{message}{suggested}{more}"))
}
