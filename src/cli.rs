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
    /// Print JSON: {"sessions": [{"year", "meeting", "count", "attendees", "attendees_unrecorded"}]}
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
    /// Only pages of this kind: note, session, or section (a section's own page)
    #[arg(long, value_parser = ["note", "session", "section"])]
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
    /// The words to search for; -word leaves out the pages with it, "quotes" find it exactly
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

/// The command line as the editor reads it: clap's, with every about, help, heading and usage
/// line in Chinese under a Chinese locale (clap words its own parts in English only).
pub fn command() -> clap::Command {
    let command = <Cli as clap::CommandFactory>::command();
    if crate::diagnostics::message_language() == crate::i18n::Language::ZhCn {
        in_chinese(command)
    } else {
        command
    }
}

/// Parses the command line with [`command`].
pub fn parse_from(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
    let mut command = command();
    let matches = command.try_get_matches_from_mut(args)?;
    <Cli as clap::FromArgMatches>::from_arg_matches(&matches).map_err(|err| err.format(&mut command))
}

/// Chinese about and help of each command and argument: `(command, argument, text)`, with ""
/// for the whole program or the command itself. Defaults and possible values are part of the
/// text, as clap's own notes of them are English (a unit test checks each is named).
const CHINESE_HELP: &[(&str, &str, &str)] = &[
    ("", "", "把装着学习资料和学习记录的文件夹生成可搜索的静态网站"),
    ("build", "", "生成网站，写入输出文件夹（默认 public/）"),
    (
        "build",
        "out",
        "输出文件夹（默认用 book.toml 的 output-dir，即 public）",
    ),
    ("build", "drafts", "把标了 `draft: true` 的草稿也生成出来"),
    ("check", "", "检查内容、链接和模板，不写出任何文件"),
    ("check", "drafts", "草稿也一起检查"),
    (
        "init",
        "",
        "新建网站：book.toml、一篇示例学习资料、一条示例学习记录、.gitignore",
    ),
    ("init", "dir", "在哪个文件夹里新建网站（相对于 --root）"),
    ("init", "language", "新网站的界面语言：zh-CN 或 en（默认：zh-CN）"),
    ("search", "", "在终端里搜索已生成网站的索引"),
    ("search", "limit", "最多显示多少条结果（默认：10）"),
    (
        "search",
        "kind",
        "只要这一类页面：note（学习资料）、session（学习记录）或 section（栏目自身的页面）",
    ),
    ("search", "meeting", "只要这个会议的学习记录，例如 区委常委会"),
    ("search", "tag", "只要带这个标签的页面"),
    ("search", "year", "只要这一年的页面，例如 2024"),
    ("search", "from", "只要这一天及以后的页面（YYYY-MM-DD）"),
    ("search", "to", "只要这一天及以前的页面（YYYY-MM-DD）"),
    ("search", "json", "每条结果输出一行 JSON"),
    (
        "search",
        "query",
        "要搜索的词；词前加 - 表示不要含它的页面，加引号表示原样查找",
    ),
    (
        "serve",
        "",
        "生成网站，然后在 http://127.0.0.1:3000 上提供带搜索的预览，保存即刷新",
    ),
    (
        "serve",
        "bind",
        "监听的地址；默认只有本机能打开（默认：127.0.0.1）",
    ),
    ("serve", "port", "监听的端口（默认：3000）"),
    ("serve", "drafts", "把标了 `draft: true` 的草稿也一起预览"),
    ("serve", "open", "在默认浏览器里打开网站"),
    (
        "stats",
        "",
        "按年度和会议统计第一议题学习次数（直接读 content/，不用先生成网站）",
    ),
    ("stats", "year", "只统计这一年，例如 2024"),
    (
        "stats",
        "json",
        "输出 JSON：{\"sessions\": [{\"year\", \"meeting\", \"count\", \"attendees\", \"attendees_unrecorded\"}]}",
    ),
    (
        "stats",
        "csv",
        "输出 CSV（带 BOM 的 UTF-8，可以直接用 Excel 打开）",
    ),
    (
        "*",
        "root",
        "网站文件夹，即放 book.toml 的文件夹（默认：.，当前文件夹）",
    ),
];

/// The Chinese text of `argument` of `command` (see [`CHINESE_HELP`]).
fn chinese_help(command: &str, argument: &str) -> Option<&'static str> {
    CHINESE_HELP
        .iter()
        .find(|(c, a, _)| (*c == command || *c == "*") && *a == argument)
        .map(|(_, _, text)| *text)
}

/// The about of clap's `help` command.
const HELP_ABOUT: &str = "显示本帮助，或某个命令的帮助";

/// clap's help template with Chinese words where it has English ones of its own.
const CHINESE_TEMPLATE: &str = "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// [`command`] in Chinese.
fn in_chinese(command: clap::Command) -> clap::Command {
    use clap::{Arg, ArgAction};
    let help_flag = || {
        Arg::new("help")
            .short('h')
            .long("help")
            .action(ArgAction::Help)
            .help("显示帮助")
            .help_heading("选项")
    };
    let mut command = command
        .about(chinese_help("", "").unwrap_or_default())
        .help_template(CHINESE_TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .override_usage("studybook <命令>")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(help_flag())
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号")
                .help_heading("选项"),
        )
        .mut_subcommands(|sub| {
            let name = sub.get_name().to_string();
            let usage = chinese_usage(&sub);
            sub.about(chinese_help(&name, "").unwrap_or_default())
                .help_template(CHINESE_TEMPLATE)
                .override_usage(usage)
                .disable_help_flag(true)
                .arg(help_flag())
                .mut_args(|arg| {
                    if arg.get_id() == "help" {
                        return arg;
                    }
                    let heading = if arg.is_positional() { "参数" } else { "选项" };
                    let text = chinese_help(&name, arg.get_id().as_str()).unwrap_or_default();
                    let arg = arg.help(text).help_heading(heading);
                    // (clap refuses these settings on a flag that takes no value.)
                    if arg.get_action().takes_values() {
                        arg.hide_default_value(true).hide_possible_values(true)
                    } else {
                        arg
                    }
                })
        });
    // clap adds its `help` command when it builds the command: worded in Chinese after that.
    command.build();
    command.mut_subcommand("help", |help| {
        help.about(HELP_ABOUT)
            .help_template(CHINESE_TEMPLATE)
            .subcommand_help_heading("命令")
            .override_usage("studybook help [命令]")
            .mut_subcommands(|sub| {
                let about = chinese_help(sub.get_name(), "").unwrap_or(HELP_ABOUT);
                sub.about(about)
            })
    })
}

/// `studybook NAME [选项] <DIR>`: the usage line of a subcommand, with clap's `[OPTIONS]` in
/// Chinese.
fn chinese_usage(command: &clap::Command) -> String {
    let mut usage = format!("studybook {} [选项]", command.get_name());
    for arg in command.get_positionals() {
        let name = arg
            .get_value_names()
            .and_then(|names| names.first())
            .map_or_else(|| arg.get_id().to_string(), |name| name.to_string());
        let many = matches!(arg.get_action(), clap::ArgAction::Append);
        if arg.is_required_set() {
            usage.push_str(&format!(" <{name}>"));
        } else {
            usage.push_str(&format!(" [{name}]"));
        }
        if many {
            usage.push_str("...");
        }
    }
    usage
}

/// Why a value was refused, in Chinese: the standard library's and clap's reasons for the
/// numbers and addresses of our options are English (studybook's own parsers already speak
/// the editor's language and come back as they are).
fn value_problem_in_chinese(reason: &str) -> String {
    if let Some((_, range)) = reason.split_once(" is not in ") {
        if let Some((low, high)) = range.split_once("..=") {
            return format!("要在 {low} 到 {high} 之间");
        }
    }
    match reason {
        "invalid digit found in string" => "要写一个整数".to_string(),
        "number too large to fit in target type" => "数太大了".to_string(),
        "cannot parse integer from empty string" => "不能为空".to_string(),
        "invalid IP address syntax" => {
            "不是 IP 地址，例如 127.0.0.1（只有本机）或 0.0.0.0（局域网都能访问）".to_string()
        }
        other => other.to_string(),
    }
}

/// A usage error in the editor's language: clap words them in English only, so the common
/// kinds are said again in Chinese, pointing to the help of the command `args` name.
pub fn usage_error_text(err: &clap::Error, args: &[std::ffi::OsString]) -> Option<String> {
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
    // The command's own help when one was named (not `help`), else the whole list.
    let command = args
        .iter()
        .skip(1)
        .map(|arg| arg.to_string_lossy())
        .find(|arg| !arg.starts_with('-'))
        .filter(|name| {
            name != "help"
                && <Cli as clap::CommandFactory>::command()
                    .find_subcommand(name.as_ref())
                    .is_some()
        });
    let more = match &command {
        Some(name) => format!("\n   运行 `studybook {name} --help` 查看这个命令的参数"),
        None => "\n   运行 `studybook --help` 查看全部命令和参数".to_string(),
    };
    let message = match err.kind() {
        ErrorKind::InvalidSubcommand => {
            let name = value(ContextKind::InvalidSubcommand)?;
            // `studybook help search build`: a command, but not where it was written.
            if <Cli as clap::CommandFactory>::command()
                .find_subcommand(&name)
                .is_some()
            {
                format!("`{name}` 不能写在这里：一次查看一个命令的帮助，例如 `studybook help {name}`")
            } else {
                format!("没有 `{name}` 这个命令")
            }
        }
        ErrorKind::UnknownArgument => {
            let invalid = value(ContextKind::InvalidArg)?;
            // `search -word`: a Latin word to leave out reads as options (`-w`); it goes after `--`.
            let excluded = (command.as_deref() == Some("search") && !invalid.starts_with("--"))
                .then(|| {
                    args.iter()
                        .map(|arg| arg.to_string_lossy())
                        .find(|arg| arg.starts_with(invalid.as_str()) && !arg.starts_with("--"))
                })
                .flatten();
            match excluded {
                Some(word) => format!(
                    "不认识的参数 `{word}`\n   提示：要排除英文词 `{word}`，请把它写在 `--` 之后，例如 `studybook search -- 关键词 {word}`"
                ),
                None => format!("不认识的参数 `{invalid}`"),
            }
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{}", value(ContextKind::InvalidArg)?),
        ErrorKind::MissingSubcommand => {
            "请写出要运行的命令，例如 `studybook build`、`studybook serve`".to_string()
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let arg = value(ContextKind::InvalidArg)?;
            let given = value(ContextKind::InvalidValue).unwrap_or_default();
            if given.is_empty() && err.kind() == ErrorKind::InvalidValue {
                let choices = value(ContextKind::ValidValue)
                    .filter(|valid| !valid.is_empty())
                    .map(|valid| format!("，可选的值：{valid}"))
                    .unwrap_or_default();
                return Some(format!("错误：参数 `{arg}` 后面缺少要写的值{choices}{more}"));
            }
            let why = err
                .source()
                .map(|source| format!("：{}", value_problem_in_chinese(&source.to_string())))
                .or_else(|| value(ContextKind::ValidValue).map(|valid| format!("，可选的值：{valid}")))
                .unwrap_or_default();
            format!("参数 `{arg}` 的值 `{given}` 不对{why}")
        }
        ErrorKind::ArgumentConflict => {
            let (arg, prior) = (
                value(ContextKind::InvalidArg)?,
                value(ContextKind::PriorArg).unwrap_or_default(),
            );
            if arg == prior {
                format!("参数 `{arg}` 只能写一次")
            } else {
                format!("参数 `{arg}` 不能和 `{prior}` 一起用")
            }
        }
        _ => return None,
    };
    Some(format!("错误：{message}{suggested}{more}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and argument has its Chinese text, with its default and possible values;
    /// every Chinese text belongs to one.
    #[test]
    fn every_command_and_argument_has_its_chinese_help() {
        let command = <Cli as clap::CommandFactory>::command();
        let mut named = vec![("", "")];
        for sub in command.get_subcommands() {
            let name = sub.get_name();
            assert!(chinese_help(name, "").is_some(), "{name}");
            named.push((name, ""));
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                let text = chinese_help(name, id).unwrap_or_else(|| panic!("{name} --{id}"));
                named.push((name, id));
                if !arg.get_action().takes_values() {
                    continue;
                }
                let defaults = arg
                    .get_default_values()
                    .iter()
                    .map(|v| v.to_string_lossy().to_string());
                let possible = arg
                    .get_possible_values()
                    .into_iter()
                    .map(|v| v.get_name().to_string());
                for value in defaults.chain(possible) {
                    assert!(text.contains(&value), "{name} --{id}: `{value}` not in {text}");
                }
            }
        }
        // clap's own checks of a command, which `in_chinese` must pass too.
        in_chinese(command.clone()).debug_assert();
        for (command, argument, _) in CHINESE_HELP {
            assert!(
                named
                    .iter()
                    .any(|(c, a)| (c == command || *command == "*") && a == argument),
                "{command} {argument}: no such command or argument"
            );
        }
    }
}
