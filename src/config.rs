//! `book.toml`: read the raw file, check every key, resolve it into a [`Config`].
//!
//! Raw structs mirror the file (kebab-case keys, unknown keys rejected); [`Config`] is what the
//! rest of the pipeline uses, with paths resolved against the site root and defaults filled in.
//! Every default lives in the raw structs' `Default` impls and nowhere else.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{did_you_mean, line_column, Diagnostic, Text};
use crate::i18n::Language;
use crate::text;

pub const CONFIG_FILE: &str = "book.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    book: RawBook,
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    search: RawSearch,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBook {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default)]
    authors: Vec<String>,
}

fn default_language() -> String {
    "zh-CN".to_string()
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct RawBuild {
    output_dir: PathBuf,
    theme: String,
    content_dir: PathBuf,
    base_url: String,
}

impl Default for RawBuild {
    fn default() -> Self {
        RawBuild {
            output_dir: PathBuf::from("public"),
            theme: "default".to_string(),
            content_dir: PathBuf::from("content"),
            base_url: String::new(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
struct RawSearch {
    dictionary: Option<PathBuf>,
}

/// Keys each table accepts, for "did you mean" hints.
const KNOWN_KEYS: &[&str] = &[
    "book",
    "build",
    "search",
    "title",
    "description",
    "language",
    "authors",
    "output-dir",
    "theme",
    "content-dir",
    "base-url",
    "dictionary",
];

/// The resolved configuration of one site.
#[derive(Debug, Clone)]
pub struct Config {
    /// The site root: the folder holding book.toml.
    pub root: PathBuf,
    pub title: String,
    pub description: String,
    pub language: Language,
    pub authors: Vec<String>,
    pub content_dir: PathBuf,
    pub output_dir: PathBuf,
    /// The line of `output-dir` in book.toml, when it is set there (for messages about it).
    pub output_dir_line: Option<usize>,
    pub theme: String,
    /// `<root>/themes/<theme>`: files here replace the built-in theme's files of the same name.
    pub theme_dir: PathBuf,
    /// The site's public address, without a trailing `/`: the prefix of sitemap.xml's
    /// addresses and the base of 404.html; empty: no sitemap, every URL relative.
    pub base_url: String,
    /// The site's own words for the search segmenter, if any.
    pub dictionary: Option<PathBuf>,
}

impl Config {
    /// Reads `<root>/book.toml`. Problems with its content come back as diagnostics.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(vec![Diagnostic::error(
                    CONFIG_FILE,
                    text!("no {CONFIG_FILE} in `{}`", "`{}` 里没有 {CONFIG_FILE}", root.display()),
                )
                .help(text!(
                    "run `studybook init DIR` to start a new site, or pass --root with the folder that holds book.toml",
                    "新建站点请运行 `studybook init 文件夹`；已有站点请用 --root 指明 book.toml 所在的文件夹"
                ))]);
            }
            Err(err) => {
                return Err(vec![Diagnostic::error(
                    CONFIG_FILE,
                    text!("cannot read the file: {err}", "无法读取这个文件：{err}"),
                )])
            }
        };
        let text = match String::from_utf8(text) {
            Ok(text) => text,
            Err(_) => {
                return Err(vec![Diagnostic::error(
                    CONFIG_FILE,
                    text!("the file is not valid UTF-8", "这个文件不是 UTF-8 编码的文本"),
                )
                .help(text!(
                    "save it as UTF-8 (in Notepad: File > Save As > Encoding: UTF-8)",
                    "请另存为 UTF-8 编码（记事本：文件 > 另存为 > 编码选 UTF-8）"
                ))])
            }
        };
        Config::parse(root, &text)
    }

    /// Parses the text of a book.toml found in `root`.
    pub fn parse(root: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let raw: RawConfig = toml::from_str(text).map_err(|err| vec![toml_diagnostic(text, &err)])?;
        let language = Language::from_tag(&raw.book.language).ok_or_else(|| {
            let line = key_line(text, "language");
            vec![Diagnostic::error(
                CONFIG_FILE,
                text!(
                    "unsupported language `{}`",
                    "不支持的语言 `{}`",
                    raw.book.language
                ),
            )
            .at(line.unwrap_or(1))
            .help(text!(
                "use one of: {}",
                "请从这几种中选一种：{}",
                Language::TAGS.join(", ")
            ))]
        })?;
        let mut problems = Vec::new();
        if raw.book.title.trim().is_empty() {
            problems.push(
                Diagnostic::error(CONFIG_FILE, text!("`title` is empty", "`title` 是空的"))
                    .at(key_line(text, "title").unwrap_or(1))
                    .help(text!(
                        "give the site a name, e.g. title = \"机关党支部学习资料库\"",
                        "请给站点起个名字，例如 title = \"机关党支部学习资料库\""
                    )),
            );
        }
        if raw.build.theme.is_empty() || raw.build.theme.contains(['/', '\\']) {
            problems.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    text!("invalid theme name `{}`", "主题名 `{}` 无效", raw.build.theme),
                )
                .at(key_line(text, "theme").unwrap_or(1))
                .help(text!(
                    "a theme is a folder name under themes/, e.g. theme = \"default\"",
                    "主题名是 themes/ 下的一个文件夹名，例如 theme = \"default\""
                )),
            );
        }
        let base_url = raw.build.base_url.trim();
        if !base_url.is_empty() && !base_url.starts_with("http://") && !base_url.starts_with("https://") {
            // The sitemap needs whole addresses, and the 404 page's `<base>` a root that does
            // not depend on where it is shown.
            problems.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    text!(
                        "`base-url` must be a whole address starting with http:// or https://, not `{base_url}`",
                        "`base-url` 要写以 http:// 或 https:// 开头的完整网址，不能是 `{base_url}`"
                    ),
                )
                .at(key_line(text, "base-url").unwrap_or(1))
                .help(text!(
                    "write where readers open the site, e.g. base-url = \"http://intranet.example.gov.cn/study\", or remove the line",
                    "写读者打开站点的网址，例如 base-url = \"http://intranet.example.gov.cn/study\"；也可以删掉这一行"
                )),
            );
        }
        let theme_dir = root.join("themes").join(&raw.build.theme);
        if problems.is_empty() && raw.build.theme != "default" && !theme_dir.is_dir() {
            // Only the default theme is built in; a misspelt name must not quietly fall back.
            problems.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    text!(
                        "theme `{0}` not found: there is no folder `themes/{0}`",
                        "找不到主题 `{0}`：没有 `themes/{0}` 这个文件夹",
                        raw.build.theme
                    ),
                )
                .at(key_line(text, "theme").unwrap_or(1))
                .help(text!(
                    "check the name, or remove the `theme` line to use the built-in theme",
                    "请核对主题名，或删掉 `theme` 这一行，使用内置主题"
                )),
            );
        }
        // `"C:\temp\new"`: in double quotes `\t` and `\n` are a tab and a line break, so the
        // path parses, but is not the folder meant.
        let paths = [
            ("output-dir", Some(raw.build.output_dir.as_path())),
            ("content-dir", Some(raw.build.content_dir.as_path())),
            ("dictionary", raw.search.dictionary.as_deref()),
        ];
        for (key, path) in paths {
            if path.is_some_and(|p| p.to_string_lossy().chars().any(char::is_control)) {
                let line = key_line(text, key).unwrap_or(1);
                let written = text.lines().nth(line - 1).unwrap_or("").trim();
                let value = written
                    .split_once('=')
                    .map_or("", |(_, v)| v.trim().trim_matches('"'));
                problems.push(
                    Diagnostic::error(
                        CONFIG_FILE,
                        text!(
                            "`{key}` holds a tab or a line break: in double quotes `\\t` and `\\n` are read as such",
                            "`{key}` 的路径里有制表符或换行：在双引号里 `\\t`、`\\n` 会被当成这些字符"
                        ),
                    )
                    .at(line)
                    .help(windows_path_hint(key, value)),
                );
            }
        }
        let dictionary = raw.search.dictionary.as_deref().map(|p| root.join(portable(p)));
        if let Some(path) = dictionary.as_deref().filter(|path| !path.is_file()) {
            problems.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    text!(
                        "the search dictionary `{0}` does not exist",
                        "搜索词典 `{0}` 不存在",
                        crate::diagnostics::display_path(path, root)
                    ),
                )
                .at(key_line(text, "dictionary").unwrap_or(1))
                .help(text!(
                    "check the file name (the path is from the folder of book.toml), or remove the line",
                    "请核对文件名（路径从 book.toml 所在的文件夹算起），或删掉这一行"
                )),
            );
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let root = root.to_path_buf();
        Ok(Config {
            title: raw.book.title.trim().to_string(),
            description: raw.book.description,
            language,
            authors: raw.book.authors,
            // `out\site` written on Windows means the same folder everywhere.
            content_dir: root.join(portable(&raw.build.content_dir)),
            output_dir: root.join(portable(&raw.build.output_dir)),
            output_dir_line: key_line(text, "output-dir"),
            theme_dir,
            theme: raw.build.theme,
            base_url: base_url.trim_end_matches('/').to_string(),
            dictionary,
            root,
        })
    }
}

/// A folder path from book.toml with `\` read as a separator, as Windows editors write it
/// (Windows itself reads it so already).
fn portable(path: &Path) -> PathBuf {
    if cfg!(windows) {
        path.to_path_buf()
    } else {
        PathBuf::from(path.to_string_lossy().replace('\\', "/"))
    }
}

/// Turns a TOML error into `book.toml:LINE:COL`, with a hint for unknown keys.
fn toml_diagnostic(text: &str, err: &toml::de::Error) -> Diagnostic {
    let message = err.message().trim().to_string();
    // The TOML parser's own words are English; the Chinese says what kind of problem it is.
    let clause = first_clause(&message);
    let mut diagnostic =
        Diagnostic::error(CONFIG_FILE, text!("{clause}", "book.toml 的写法有误（{clause}）"));
    if let Some(span) = err.span() {
        let (line, column) = line_column(text, span.start);
        diagnostic = diagnostic.at_column(line, column);
    }
    if let Some(key) = unknown_field_name(&message) {
        diagnostic.message = text!("unknown key `{key}`", "未知设置项 `{key}`");
        diagnostic = match did_you_mean(key, KNOWN_KEYS) {
            // A known key in the wrong table (`title` above `[book]`): name its table.
            Some(guess) if guess == key => match table_of(key) {
                Some(table) => diagnostic.help(text!(
                    "`{key}` belongs in the `[{table}]` table: move the line below `[{table}]`",
                    "`{key}` 属于 `[{table}]` 部分：请把这一行移到 `[{table}]` 下面"
                )),
                None => diagnostic.help(text!(
                    "`[{key}]` is a table of its own: start a line with `[{key}]`",
                    "`[{key}]` 是单独的一部分：请另起一行写 `[{key}]`"
                )),
            },
            Some(guess) => diagnostic.help(text!("did you mean `{guess}`?", "是不是要写 `{guess}`？")),
            None => diagnostic.help(text!(
                "known keys: {}",
                "可用的设置项：{}",
                KNOWN_KEYS[3..].join(", ")
            )),
        };
    } else if let Some(hint) = line_hint(text, err) {
        diagnostic = diagnostic.help(hint);
    } else if message.contains("invalid basic string") || message.contains("invalid literal string") {
        // A quote opened and never closed on its line.
        diagnostic.message = text!(
            "the text in quotes is never closed",
            "book.toml 里的文字只有开头的引号，没有结尾的引号"
        );
        diagnostic = diagnostic.help(text!(
            "end the text with a half-width `\"` on the same line, e.g. title = \"学习资料库\"",
            "请在同一行文字的末尾补上半角引号 `\"`，例如 title = \"学习资料库\""
        ));
    } else if message.contains("must be quoted") || message.contains("invalid string") {
        diagnostic = diagnostic.help(text!(
            "write text in half-width double quotes: title = \"学习资料库\" (Chinese quotes “ ” do not count)",
            "文字要放在半角双引号里：title = \"学习资料库\"（中文引号 “ ” 不算）"
        ));
    } else if message.contains("expected `=`") || message.contains("expected an equals") {
        diagnostic = diagnostic.help(text!(
            "book.toml writes `key = value`, with `=` (not `:` as in front matter), e.g. title = \"学习资料库\"",
            "book.toml 的写法是 `设置项 = 值`，用 `=`（不是文件头里的 `:`），例如 title = \"学习资料库\""
        ));
    } else if message.starts_with("invalid type") {
        diagnostic.message = text!("{clause}", "book.toml 里这个值的类型不对（{clause}）");
        // `authors = "张三"`, `title = 123`: show the key's value as book.toml wants it.
        let key = err.span().and_then(|span| {
            let start = text[..span.start.min(text.len())]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            text[start..].split_once('=').map(|(key, _)| key.trim())
        });
        if let Some(example) = key.and_then(value_example) {
            diagnostic = diagnostic.help(text!("write it as `{example}`", "请写成 `{example}`"));
        }
    } else if message.starts_with("missing field") {
        diagnostic = diagnostic.help(text!(
            "book.toml needs at least:\n\n         [book]\n         title = \"学习资料库\"",
            "book.toml 至少要有：\n\n         [book]\n         title = \"学习资料库\""
        ));
    }
    diagnostic
}

/// Help for the slips of a book.toml line the TOML parser names in its own words: a full-width
/// `＝`, a Windows path in double quotes (`\` starts an escape there), a setting named in
/// Chinese, a `[table` never closed.
fn line_hint(text: &str, err: &toml::de::Error) -> Option<Text> {
    let start = err.span()?.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    if line.contains('＝') {
        let fixed = line.replacen('＝', "=", 1);
        return Some(text!(
            "type a half-width `=`: `{fixed}`",
            "请改成半角的 `=`：`{fixed}`"
        ));
    }
    if line.starts_with('[') && !line.contains(']') {
        return Some(text!("end it with `]`: `{line}]`", "请在末尾补上 `]`：`{line}]`"));
    }
    let (key, value) = line.split_once('=').map(|(k, v)| (k.trim(), v.trim()))?;
    // `"D:\资料"` (a bad escape), `"C:\Users\…"` (`\U` wants hex digits).
    if value.starts_with('"') && value.contains('\\') {
        return Some(windows_path_hint(key, value.trim_matches('"')));
    }
    if !key.is_ascii() {
        let setting = match key {
            "标题" | "名称" | "站点名称" => "title",
            "描述" | "简介" | "说明" => "description",
            "语言" => "language",
            "作者" => "authors",
            "输出目录" | "输出文件夹" => "output-dir",
            "内容目录" | "内容文件夹" => "content-dir",
            "主题" => "theme",
            "网址" | "地址" => "base-url",
            "词典" | "搜索词典" => "dictionary",
            _ => {
                return Some(text!(
                    "settings are named in English: see the table of book.toml keys in README.md",
                    "设置项的名称要用英文：见 README.md 里 book.toml 设置项的表格"
                ))
            }
        };
        // `语言 = zh-CN`: text needs its quotes too.
        let value = if value.starts_with(['"', '\'', '['])
            || value.parse::<f64>().is_ok()
            || value == "true"
            || value == "false"
        {
            value.to_string()
        } else {
            format!("\"{value}\"")
        };
        return Some(text!(
            "settings are named in English: `{setting} = {value}`",
            "设置项的名称要用英文：`{setting} = {value}`"
        ));
    }
    None
}

/// How to write the Windows path `path` of `key` in book.toml.
fn windows_path_hint(key: &str, path: &str) -> Text {
    text!(
        "in double quotes `\\` starts an escape: put a Windows path in single quotes, `{key} = '{path}'`, or write `/` for `\\`",
        "在双引号里 `\\` 有特殊含义：Windows 路径请放在单引号里，写成 `{key} = '{path}'`，或把 `\\` 改成 `/`"
    )
}

/// A key's line as book.toml wants it, for a value of the wrong type.
fn value_example(key: &str) -> Option<&'static str> {
    Some(match key {
        "title" => "title = \"机关党支部学习资料库\"",
        "description" => "description = \"第一议题学习和日常学习资料\"",
        "language" => "language = \"zh-CN\"",
        "authors" => "authors = [\"张三\", \"李四\"]",
        "output-dir" => "output-dir = \"public\"",
        "content-dir" => "content-dir = \"content\"",
        "theme" => "theme = \"default\"",
        "base-url" => "base-url = \"http://intranet.example.gov.cn/study\"",
        "dictionary" => "dictionary = \"dictionary.txt\"",
        _ => return None,
    })
}

/// The table a known key belongs in; `None` for the tables themselves.
fn table_of(key: &str) -> Option<&'static str> {
    match key {
        "title" | "description" | "language" | "authors" => Some("book"),
        "output-dir" | "theme" | "content-dir" | "base-url" => Some("build"),
        "dictionary" => Some("search"),
        _ => None,
    }
}

/// Serde's "unknown field `x`, expected one of ..." names the key between the first backticks.
pub(crate) fn unknown_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

fn first_clause(message: &str) -> String {
    message.lines().next().unwrap_or(message).to_string()
}

/// The 1-based line on which `key` is set at the start of a line, if any.
fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|index| index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_everything_but_the_title() {
        let config = Config::parse(Path::new("/site"), "[book]\ntitle = \"学习\"\n").unwrap();
        assert_eq!(config.language, Language::ZhCn);
        assert_eq!(config.output_dir, Path::new("/site/public"));
        assert_eq!(config.theme, "default");
        assert!(config.dictionary.is_none());
    }

    #[test]
    fn unknown_key_names_line_and_guess() {
        let err = Config::parse(
            Path::new("/s"),
            "[book]\ntitle = \"x\"\n\n[build]\noutput-dri = \"out\"\n",
        )
        .unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "book.toml:5:1: unknown key `output-dri`\n   help: did you mean `output-dir`?"
        );
    }
}
