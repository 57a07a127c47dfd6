//! Walk `content/`, read every file, and assemble the [`Site`] with its URLs decided.
//!
//! Problems are collected into [`Diagnostics`] rather than returned early, so that one run
//! reports every bad file. Pages are parsed in parallel; the walk itself is sorted, so the
//! result does not depend on the file system's order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;
use walkdir::WalkDir;

use super::front_matter::{parse_document, Document, FrontMatter, Kind, MaterialRef};
use super::model::{safe_file_name, Attachment, Page, Section, Site, UnparsedPage};
use crate::config::Config;
use crate::diagnostics::{display_path, Diagnostic, Diagnostics};
use crate::text;

/// A parsed page with its warnings, or its errors.
/// A Markdown file's parse: `Ok(None)` for an empty file.
type Parsed = Result<Option<(Document, Vec<Diagnostic>)>, Vec<Diagnostic>>;
/// A Markdown file read: its path, its parse, and for a front matter with errors the text
/// after it (with its first line and the materials the front matter lists) and the title it
/// seems to give.
type ReadFile = (
    PathBuf,
    Parsed,
    Option<(String, usize, Vec<MaterialRef>)>,
    Option<String>,
);

/// What the loader should include.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Include pages marked `draft: true`.
    pub drafts: bool,
}

/// Output paths studybook generates itself; content may not map onto them.
pub const RESERVED_FILES: &[&str] = &[
    "404.html",
    "search.html",
    "sitemap.xml",
    "index.html",
    "sessions.csv",
    "sessions.json",
    "sessions/stats.html",
];
pub const RESERVED_DIRS: &[&str] = &["tags", "assets", "search", "sessions/years", "sessions/meetings"];

/// True for files editors' tools leave behind: swap files, backups, lock files.
pub fn is_editor_litter(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.starts_with("~$")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        // Backups (`安全生产.md.bak`) hold old text that must not be published.
        || name.to_ascii_lowercase().ends_with(".bak")
        || name == "4913"
        // JetBrains IDEs save through `a.md___jb_tmp___` and keep `a.md___jb_old___` a moment.
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name.eq_ignore_ascii_case("thumbs.db")
        || name.eq_ignore_ascii_case("desktop.ini")
}

/// Reads the content folder into a [`Site`]. Content problems go into the returned
/// diagnostics; only failures of the machine (an unreadable folder) are errors here.
pub fn load(config: &Config, options: LoadOptions) -> anyhow::Result<(Site, Diagnostics)> {
    let mut diagnostics = Diagnostics::default();
    let content_dir = &config.content_dir;
    if !content_dir.is_dir() {
        diagnostics.push(
            Diagnostic::error(
                display_path(content_dir, &config.root),
                text!("the content folder does not exist", "内容文件夹不存在"),
            )
            .help(text!(
                "create it and put Markdown pages in it, or set `content-dir` under [build] in book.toml",
                "请新建这个文件夹并把 Markdown 页面放进去，或在 book.toml 的 [build] 下用 `content-dir` 指定内容文件夹"
            )),
        );
        return Ok((Site::default(), diagnostics));
    }

    let walk = walk_content(content_dir)?;
    let display = |path: &Path| display_path(path, &config.root);
    if walk.markdown.is_empty() {
        // An emptied or moved folder would otherwise replace the whole site with an empty one.
        diagnostics.push(
            Diagnostic::error(
                display(content_dir),
                text!("the content folder holds no Markdown pages", "内容文件夹里没有 Markdown 页面"),
            )
            .help(text!(
                "put the pages (`.md` files) back under it, or set `content-dir` under [build] in book.toml to the folder that holds them; the site stays as it was",
                "请把页面（`.md` 文件）放回这个文件夹，或在 book.toml 的 [build] 下把 `content-dir` 设为存放页面的文件夹；站点保持原样，没有改动"
            )),
        );
        return Ok((Site::default(), diagnostics));
    }

    // Read and parse every Markdown file in parallel; order is restored by the sorted walk.
    let parsed: Vec<ReadFile> = walk
        .markdown
        .par_iter()
        .map(|path| {
            let file = display(path);
            let (result, body, title) = match read_text(path, &file) {
                // A file just created, not written yet: left out, with a warning, instead of
                // failing the build (and turning every open page red) for it.
                Ok(text) if text.trim().is_empty() => (Ok(None), None, None),
                Ok(text) => {
                    let result = parse_document(&file, &text).map(Some);
                    let failed = result.is_err();
                    let body = failed
                        .then(|| super::front_matter::body_after_front_matter(&file, &text))
                        .flatten()
                        .map(|(body, line)| {
                            (
                                body,
                                line,
                                super::front_matter::materials_despite_errors(&file, &text),
                            )
                        });
                    let title = failed
                        .then(|| super::front_matter::guessed_title(&file, &text))
                        .flatten();
                    (result, body, title)
                }
                Err(errors) => (Err(errors), None, None),
            };
            (path.clone(), result, body, title)
        })
        .collect::<Vec<_>>();

    let mut site = Site::default();
    let mut sections = build_sections(config, &walk.dirs);
    let mut section_files: HashMap<String, String> = HashMap::new();
    let mut pages = Vec::new();

    for (path, result, body, title) in parsed {
        let (document, warnings) = match result {
            Ok(Some(ok)) => ok,
            Ok(None) => {
                diagnostics.push(
                    Diagnostic::warning(
                        display(&path),
                        text!(
                            "the file is empty: it is left out of the site",
                            "文件是空的，没有放进站点"
                        ),
                    )
                    .help(text!(
                        "write its front matter and text, e.g.\n\n         ---\n         title: 页面标题\n         date: 2024-03-12\n         ---\n\n         正文",
                        "请写上文件头和正文，例如：\n\n         ---\n         title: 页面标题\n         date: 2024-03-12\n         ---\n\n         正文"
                    )),
                );
                continue;
            }
            Err(errors) => {
                diagnostics.extend(errors);
                let source = display_path(path.strip_prefix(content_dir).unwrap_or(&path), Path::new(""));
                if let Some((body, body_line, materials)) = body {
                    site.unparsed.push(UnparsedPage {
                        source: source.clone(),
                        file: display(&path),
                        body,
                        body_line,
                        materials,
                    });
                }
                site.unreadable.push(source);
                site.unreadable_titles.extend(title);
                continue;
            }
        };
        diagnostics.extend(warnings);
        let source = display_path(path.strip_prefix(content_dir).unwrap_or(&path), Path::new(""));
        let file = display(&path);
        let (dir, name) = match source.rsplit_once('/') {
            Some((dir, name)) => (dir.to_string(), name.to_string()),
            None => (String::new(), source.clone()),
        };
        if matches!(page_stem(&name), Some("_index" | "index")) {
            if let Some(previous) = section_files.insert(dir.clone(), file.clone()) {
                diagnostics.push(
                    Diagnostic::error(file.clone(), text!("`{previous}` and `{file}` both describe the section `{}`, so both map to the same URL", "`{previous}` 和 `{file}` 都是栏目 `{}` 的首页文件，会对应同一个 URL", if dir.is_empty() { "/" } else { &dir }))
                        .help(text!(
                            "keep one of them (studybook reads `_index.md` and `index.md` alike)",
                            "只保留其中一个（studybook 对 `_index.md` 和 `index.md` 一视同仁）"
                        )),
                );
                continue;
            }
            let section = &mut sections[site_section_index(&walk.dirs, &dir)];
            section.file = Some(file);
            section.default_kind = document.front.kind.unwrap_or(Kind::Note);
            section.body = document.body;
            section.body_line = document.body_line;
            section.front = document.front;
            continue;
        }
        if document.front.draft && !options.drafts {
            site.drafts.push(source);
            site.draft_titles.push(document.front.title.clone());
            continue;
        }
        let url = format!("{}.html", page_stem(&source).unwrap_or(&source));
        pages.push(Page {
            section: site_section_index(&walk.dirs, &dir),
            kind: document.front.kind.unwrap_or(Kind::Note),
            source,
            file,
            url,
            front: document.front,
            body: document.body,
            body_line: document.body_line,
        });
    }

    // A section without its own `kind` inherits its parent's default (parents come first in
    // the sorted walk); a page without its own kind takes its section's default.
    for index in 0..sections.len() {
        if sections[index].front.kind.is_none() {
            if let Some(parent) = sections[index].parent {
                sections[index].default_kind = sections[parent].default_kind;
            }
        }
    }
    for page in &mut pages {
        if page.front.kind.is_none() {
            page.kind = sections[page.section].default_kind;
        }
        if page.is_session() {
            check_session(page, &mut diagnostics);
        } else {
            diagnostics.extend(session_fields_on_a_note(page));
        }
    }

    site.attachments = walk
        .attachments
        .iter()
        .map(|path| Attachment {
            source: display_path(path.strip_prefix(content_dir).unwrap_or(path), Path::new("")),
            path: path.clone(),
        })
        .collect();
    diagnostics.extend(
        site.attachments
            .iter()
            .filter_map(|a| page_saved_as_text(a, config)),
    );
    // Names in GBK bytes (a Windows zip unpacked on Linux) are published garbled.
    for path in &walk.not_unicode {
        let shown = display_path(path, &config.root);
        diagnostics.push(
            Diagnostic::warning(
                &shown,
                text!(
                    "this name is not Unicode text (a zip made on Chinese Windows gives such names), so the site shows it garbled",
                    "这个名称不是 Unicode 文本（在中文 Windows 上打包的 zip 解压后常会这样），站点上会显示成乱码"
                ),
            )
            .help(text!(
                "rename it, or unpack the zip again with a tool that keeps Chinese names (7-Zip, Bandizip, or `unzip -O GBK`)",
                "请重新命名它，或用能保留中文名称的工具重新解压（7-Zip、Bandizip，或 `unzip -O GBK`）"
            )),
        );
    }
    check_url_clashes(&pages, &site.attachments, &walk.dirs, config, &mut diagnostics);
    check_name_clashes(&pages, &mut diagnostics);
    diagnostics.extend(meeting_spellings(&pages));

    order_sections(&mut sections, &pages);
    site.page_by_source = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.source.clone(), i))
        .collect();
    site.section_by_dir = sections
        .iter()
        .enumerate()
        .map(|(i, s)| (s.dir.clone(), i))
        .collect();
    site.pages = pages;
    site.sections = sections;
    site.drafts.sort();
    Ok((site, diagnostics))
}

struct Walk {
    /// Folders relative to content/, `""` first, sorted.
    dirs: Vec<String>,
    markdown: Vec<PathBuf>,
    attachments: Vec<PathBuf>,
    /// Files and folders whose names are not Unicode (GBK names unpacked from a Windows zip).
    not_unicode: Vec<PathBuf>,
}

fn walk_content(content_dir: &Path) -> anyhow::Result<Walk> {
    let mut walk = Walk {
        dirs: Vec::new(),
        markdown: Vec::new(),
        attachments: Vec::new(),
        not_unicode: Vec::new(),
    };
    let entries = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_editor_litter(&entry.file_name().to_string_lossy()));
    for entry in entries {
        let entry =
            entry.with_context(|| format!("failed to read the folder `{}`", content_dir.display()))?;
        let relative = display_path(
            entry.path().strip_prefix(content_dir).unwrap_or(entry.path()),
            Path::new(""),
        );
        if entry.depth() > 0 && entry.file_name().to_str().is_none() {
            walk.not_unicode.push(entry.path().to_path_buf());
        }
        if entry.file_type().is_dir() {
            walk.dirs.push(relative);
        } else if page_stem(&relative).is_some() {
            walk.markdown.push(entry.into_path());
        } else {
            walk.attachments.push(entry.into_path());
        }
    }
    Ok(walk)
}

/// A page saved as a text file: Notepad adds `.txt` to `学习心得.md`, and Windows hides it, so
/// the editor sees a page that the site publishes as a download. Also a `.txt` file that opens
/// with a header (`---`).
fn page_saved_as_text(attachment: &Attachment, config: &Config) -> Option<Diagnostic> {
    let lower = attachment.source.to_lowercase();
    let stem = attachment
        .source
        .get(..attachment.source.len().checked_sub(".txt".len())?)?;
    if !lower.ends_with(".txt") {
        return None;
    }
    let named_as_page = page_stem(stem).is_some();
    // Its first bytes only: an attachment may be large, and the check runs at every load.
    let starts_with_header = || {
        use std::io::Read as _;
        let mut start = Vec::with_capacity(8);
        std::fs::File::open(&attachment.path)
            .and_then(|file| file.take(8).read_to_end(&mut start))
            .is_ok_and(|_| {
                let bytes = start.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&start);
                bytes.starts_with(b"---\n") || bytes.starts_with(b"---\r\n")
            })
    };
    if !named_as_page && !starts_with_header() {
        return None;
    }
    let name = attachment.source.rsplit('/').next().unwrap_or(&attachment.source);
    let page_name = match page_stem(stem) {
        Some(_) => stem.rsplit('/').next().unwrap_or(stem).to_string(),
        None => format!("{}.md", &name[..name.len() - ".txt".len()]),
    };
    Some(
        Diagnostic::warning(
            display_path(&config.content_dir.join(&attachment.source), &config.root),
            text!(
                "this is a text file (`.txt`), so it is published as a download, not as a page",
                "这是文本文件（`.txt`），会作为附件发布，不会成为页面"
            ),
        )
        .help(text!(
            "if it is a page, rename it to `{page_name}` (Windows hides the `.txt`: in File Explorer, View, tick File name extensions)",
            "如果它是页面，请改名为 `{page_name}`（Windows 默认隐藏 `.txt`：在文件资源管理器的“查看”中勾选“文件扩展名”即可看到）"
        )),
    )
}

/// Reads a file as UTF-8 text without BOM, with `\n` line endings.
pub fn read_text(path: &Path, file: &str) -> Result<String, Vec<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|err| {
        vec![Diagnostic::error(
            file,
            text!("cannot read the file: {err}", "无法读取这个文件：{err}"),
        )]
    })?;
    // Notepad's "Unicode" is UTF-16, which has a byte order mark of its own.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(vec![Diagnostic::error(
            file,
            text!(
                "the file is saved as UTF-16 (\"Unicode\"), not UTF-8",
                "这个文件保存成了 UTF-16（记事本里叫“Unicode”），不是 UTF-8"
            ),
        )
        .at(1)
        .help(text!(
            "save it as UTF-8 (in Notepad or WPS: Save As, Encoding: UTF-8)",
            "请把它保存为 UTF-8 编码（在记事本或 WPS 中：另存为，编码选 UTF-8）"
        ))]);
    }
    normalize_text(bytes).map_err(|line| {
        vec![Diagnostic::error(file, text!("the file is not valid UTF-8 text", "这个文件不是有效的 UTF-8 文本"))
            .at(line)
            .help(text!(
                "save it as UTF-8 (in Notepad or WPS: Save As, Encoding: UTF-8); files saved as GBK/ANSI give this error",
                "请把它保存为 UTF-8 编码（在记事本或 WPS 中：另存为，编码选 UTF-8）；保存为 GBK/ANSI 编码的文件会出现这个错误"
            ))]
    })
}

/// Decodes UTF-8, drops a BOM and turns CRLF and CR into LF. On failure, the 1-based line of
/// the first bad byte.
pub fn normalize_text(bytes: Vec<u8>) -> Result<String, usize> {
    let text = String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        err.as_bytes()[..valid].iter().filter(|&&b| b == b'\n').count() + 1
    })?;
    let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    })
}

fn site_section_index(dirs: &[String], dir: &str) -> usize {
    dirs.iter().position(|d| d == dir).unwrap_or(0)
}

/// The path of a page file without its extension: `.md`, or `.markdown` as other tools write
/// it, in any letter case (`通知.MD` saved on Windows). `None` for any other file.
pub fn page_stem(source: &str) -> Option<&str> {
    [".md", ".markdown"].iter().find_map(|ext| {
        let cut = source.len().checked_sub(ext.len())?;
        (source.is_char_boundary(cut) && source[cut..].eq_ignore_ascii_case(ext)).then(|| &source[..cut])
    })
}

/// One section per folder, titled by its folder name (`sessions/`: the ledger's name) until an
/// `_index.md` says otherwise.
fn build_sections(config: &Config, dirs: &[String]) -> Vec<Section> {
    dirs.iter()
        .map(|dir| {
            let (parent, name) = match dir.rsplit_once('/') {
                Some((parent, name)) => (Some(parent), name),
                None if dir.is_empty() => (None, ""),
                None => (Some(""), dir.as_str()),
            };
            let title = if dir.is_empty() {
                config.title.clone()
            } else if dir == "sessions" {
                // The ledger's folder: named as the ledger, in the site's language.
                config.language.labels().ledger.to_string()
            } else {
                name.to_string()
            };
            Section {
                dir: dir.clone(),
                file: None,
                url: if dir.is_empty() {
                    "index.html".into()
                } else {
                    format!("{dir}/index.html")
                },
                front: FrontMatter {
                    title,
                    ..FrontMatter::default()
                },
                default_kind: Kind::Note,
                body: String::new(),
                body_line: 1,
                parent: parent.map(|p| site_section_index(dirs, p)),
                hidden: false,
                children: Vec::new(),
                pages: Vec::new(),
            }
        })
        .collect()
}

/// A page that records a session (a meeting, attendees, materials) but is a note by its
/// folder: the ledger and `stats` would leave it out without a word. One written `kind: note`
/// says so on purpose.
pub fn session_fields_on_a_note(page: &Page) -> Option<Diagnostic> {
    if page.front.kind.is_some() {
        return None;
    }
    let front = &page.front;
    let (field, line) = if front.meeting.is_some() {
        ("meeting", front.lines.meeting)
    } else if let Some(first) = front.materials.first() {
        ("materials", first.line)
    } else if front.attendees.is_some() {
        ("attendees", front.lines.attendees)
    } else {
        return None;
    };
    Some(
        Diagnostic::warning(
            &page.file,
            text!(
                "`{field}` belongs to a session record, but this page is a study material (its folder holds no `kind: session`): the ledger and `stats` leave it out",
                "`{field}` 是学习记录的字段，但这个页面按所在文件夹算作学习资料（文件夹没有设 `kind: session`）：学习台账和统计都不会计入它"
            ),
        )
        .at(line)
        .help(text!(
            "if it records a study session, add the line `kind: session` to its header (or move it into the sessions folder); if it is a study material, delete the line, or write `kind: note` to keep it",
            "如果它是一次学习的记录，请在文件头加一行 `kind: session`（或把它移到学习记录文件夹里）；如果它是学习资料，请删掉这一行，或加一行 `kind: note` 保留它"
        )),
    )
}

pub fn check_session(page: &Page, diagnostics: &mut Diagnostics) {
    let line = if page.front.kind.is_some() {
        page.front.lines.kind
    } else {
        1
    };
    if page.front.meeting.is_none() {
        diagnostics.push(
            Diagnostic::error(
                &page.file,
                text!("session record has no `meeting`", "学习记录缺少 `meeting`"),
            )
            .at(line)
            .help(text!(
                "add the meeting at which the study happened, e.g. `meeting: 区委常委会`",
                "请填写在哪个会议上学习，例如 `meeting: 区委常委会`"
            )),
        );
    }
    if page.front.date.is_none() {
        diagnostics.push(
            Diagnostic::error(
                &page.file,
                text!("session record has no `date`", "学习记录缺少 `date`"),
            )
            .at(line)
            .help(text!(
                "add the day of the session, e.g. `date: 2024-03-12`",
                "请填写学习的日期，例如 `date: 2024-03-12`"
            )),
        );
    }
}

/// Two sources that would write the same output file (compared without case, as Windows does),
/// or a source that would overwrite a file studybook generates.
fn check_url_clashes(
    pages: &[Page],
    attachments: &[Attachment],
    dirs: &[String],
    config: &Config,
    diagnostics: &mut Diagnostics,
) {
    let mut claimed: HashMap<String, String> = HashMap::new();
    let content_file = |source: &str| display_path(&config.content_dir.join(source), &config.root);
    let outputs = pages
        .iter()
        .map(|p| (p.url.clone(), p.file.clone()))
        .chain(
            attachments
                .iter()
                .map(|a| (a.source.clone(), content_file(&a.source))),
        )
        .chain(
            dirs.iter()
                .filter(|d| !d.is_empty())
                .map(|d| (format!("{d}/index.html"), content_file(d) + "/")),
        );
    for (url, file) in outputs {
        // In any case: on Windows (and macOS) `Search.html` is the file `search.html`.
        let lower = url.to_lowercase();
        let reserved = RESERVED_FILES.contains(&lower.as_str())
            || RESERVED_DIRS
                .iter()
                .any(|dir| lower.starts_with(&format!("{dir}/")));
        if reserved {
            diagnostics.push(
                Diagnostic::error(
                    &file,
                    text!(
                        "maps to `{url}`, which studybook generates itself",
                        "对应的输出文件是 `{url}`，而这个文件由 studybook 自己生成"
                    ),
                )
                .help(text!(
                    "rename the file or folder (reserved names: {}, and the folders {})",
                    "请给这个文件或文件夹改名（保留的名称：{}，以及文件夹 {}）",
                    RESERVED_FILES.join(", "),
                    RESERVED_DIRS.join("/, ") + "/"
                )),
            );
            continue;
        }
        if let Some(previous) = claimed.insert(url.to_lowercase(), file.clone()) {
            let (first, second) = if previous <= file {
                (previous, file)
            } else {
                (file, previous)
            };
            diagnostics.push(
                Diagnostic::error(
                    &second,
                    text!(
                        "`{first}` and `{second}` map to the same URL `{url}`",
                        "`{first}` 和 `{second}` 对应同一个 URL `{url}`"
                    ),
                )
                .help(text!(
                    "rename one of them (URLs are compared without case, as on Windows servers)",
                    "请给其中一个改名（比较 URL 时不区分大小写，和 Windows 服务器一样）"
                )),
            );
        }
    }
}

/// Warnings for a meeting written with spaces or full-width letters where another record
/// has none (`区委 常委会` beside `区委常委会`): the ledger counts each spelling apart, which
/// an editor counting sessions would miss.
pub fn meeting_spellings(pages: &[Page]) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    // A meeting without its spaces, folded -> as first written, and where.
    let mut meetings: HashMap<String, (&str, &str)> = HashMap::new();
    for page in pages.iter().filter(|page| page.is_session()) {
        let Some(meeting) = page.front.meeting.as_deref() else {
            continue;
        };
        let key: String = crate::search::analyzer::normalize(meeting)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        match meetings.get(&key) {
            Some((first, file)) if *first != meeting => warnings.push(
                Diagnostic::warning(
                    &page.file,
                    text!(
                        "the meeting `{meeting}` is written `{first}` in `{file}`: the ledger counts them as two meetings",
                        "会议 `{meeting}` 在 `{file}` 中写作 `{first}`：学习台账会把它们算成两个会议"
                    ),
                )
                .at(page.front.lines.meeting)
                .help(text!(
                    "write the meeting's name the same way in every record",
                    "请在每条学习记录里把会议名称写得完全一样"
                )),
            ),
            Some(_) => {}
            None => {
                meetings.insert(key, (meeting, &page.file));
            }
        }
    }
    warnings
}

/// Two tags, or two meetings, written differently but with one page file (`tags/安全_生产.html`
/// for `安全/生产` and `安全_生产`; `Safety` and `safety` on Windows servers): one page would
/// silently replace the other.
pub fn check_name_clashes(pages: &[Page], diagnostics: &mut Diagnostics) {
    // (tag or meeting, its page name) -> the name as first written, and where.
    let mut seen: HashMap<(&str, String), (String, String)> = HashMap::new();
    for page in pages {
        let tags = page
            .front
            .tags
            .iter()
            .map(|tag| (tag, "tag", page.front.lines.tags));
        let meeting = page
            .front
            .meeting
            .iter()
            .filter(|_| page.is_session())
            .map(|meeting| (meeting, "meeting", page.front.lines.meeting));
        for (name, what, line) in tags.chain(meeting) {
            let what_zh = if what == "tag" { "标签" } else { "会议" };
            let key = (what, safe_file_name(name).to_lowercase());
            // `tags/index.html` lists every tag: a tag of that name would replace it.
            if what == "tag" && key.1 == "index" {
                diagnostics.push(
                    Diagnostic::error(
                        &page.file,
                        text!(
                            "the tag `{name}` would replace the page that lists all tags (`tags/index.html`)",
                            "标签 `{name}` 会顶替列出全部标签的页面（`tags/index.html`）"
                        ),
                    )
                    .at(line)
                    .help(text!(
                        "choose another word for the tag, e.g. `索引`",
                        "请给这个标签换个名称，例如 `索引`"
                    )),
                );
                continue;
            }
            match seen.get(&key) {
                Some((first, file)) if first != name => diagnostics.push(
                    Diagnostic::error(&page.file, text!("the {what} `{name}` and the {what} `{first}` (in `{file}`) would share one page", "{what_zh} `{name}` 和{what_zh} `{first}`（在 `{file}` 中）会共用同一个页面"))
                        .at(line)
                        .help(text!(
                            "write the {what} the same way in both files; {what} pages are named with / \\ : * ? \" < > | as _ and compared without case, as on Windows servers",
                            "请在两个文件中把{what_zh}写成一样的；{what_zh}页面的文件名会把 / \\ : * ? \" < > | 换成 _，并且不区分大小写，和 Windows 服务器一样"
                        )),
                ),
                Some(_) => {}
                None => {
                    seen.insert(key, (name.clone(), page.file.clone()));
                }
            }
        }
    }
}

/// Sorts each section's pages (weight, newest first, title) and child sections (weight, title).
fn order_sections(sections: &mut [Section], pages: &[Page]) {
    for (index, page) in pages.iter().enumerate() {
        sections[page.section].pages.push(index);
    }
    for section in sections.iter_mut() {
        sort_section_pages(&mut section.pages, pages);
    }
    // A folder that only holds attachments (images/, docs/) is not a section: no page of its
    // own, not listed. Children come after parents in the sorted walk, so walk backwards.
    for index in (1..sections.len()).rev() {
        let has_content = sections[index].file.is_some()
            || !sections[index].pages.is_empty()
            || sections.iter().any(|s| s.parent == Some(index) && !s.hidden);
        sections[index].hidden = !has_content;
    }
    let parents: Vec<(usize, usize)> = sections
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.hidden)
        .filter_map(|(i, s)| s.parent.map(|p| (p, i)))
        .collect();
    for (parent, child) in parents {
        sections[parent].children.push(child);
    }
    let keys: Vec<(i64, String)> = sections
        .iter()
        .map(|s| (weight_key(s.front.weight), s.front.title.clone()))
        .collect();
    for section in sections.iter_mut() {
        section.children.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    }
}

/// Orders a section's pages: weight, then newest first, then title.
pub fn sort_section_pages(section_pages: &mut [usize], pages: &[Page]) {
    section_pages.sort_by(|&a, &b| {
        let (a, b) = (&pages[a], &pages[b]);
        weight_key(a.front.weight)
            .cmp(&weight_key(b.front.weight))
            .then_with(|| b.front.date.cmp(&a.front.date))
            .then_with(|| a.front.title.cmp(&b.front.title))
    });
}

fn weight_key(weight: Option<i64>) -> i64 {
    weight.unwrap_or(i64::MAX)
}
