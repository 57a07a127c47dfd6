//! Markdown to HTML, once per page: the HTML, the table of contents, the plain text and the
//! headings for the search index all come from the same parse.
//!
//! Links are handed to the caller while the tree is walked, so the caller can check them and
//! rewrite `.md` targets to page URLs before the HTML is written. Raw HTML is allowed (offices
//! paste tables with merged cells) and a page that holds some is sanitized: no scripts, no event
//! handlers, no `javascript:` URLs. Other pages need no sanitizer: comrak's safe mode leaves
//! out dangerous URLs, and nothing else in them can carry markup.

use crate::diagnostics::Text;
use crate::text;
use std::collections::HashSet;
use std::sync::LazyLock;

use comrak::nodes::{NodeLink, NodeValue};
use comrak::{format_html, parse_document, Anchorizer, Arena, Options};
use serde::Serialize;

/// An entry of a page's table of contents.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// What a link in the Markdown is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Link,
    Image,
    /// `[[target]]` or `[[target|text]]`: the target is a page title or a content path.
    Wiki,
}

/// A link found in the Markdown, with its file line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub url: String,
    pub line: usize,
    pub kind: LinkKind,
}

/// What to write instead of a link's URL; for a wikilink without display text, the target's
/// title to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    pub url: String,
    pub label: Option<String>,
}

/// The result of rendering one page's Markdown.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// The text as a reader sees it, without markup: no spaces are added between inline
    /// pieces, since a space inside a Chinese sentence would break phrase matching.
    pub plain_text: String,
    pub headings: Vec<String>,
    /// The `id`s of the HTML (headings, footnotes, raw HTML): what a `#fragment` may name.
    pub anchors: Vec<String>,
    /// Text that looks like a link but is not one (`[文字](my note.md)`, full-width brackets),
    /// by line: it shows as plain text, so the editor should hear of it.
    pub not_links: Vec<NotALink>,
    /// Raw HTML elements the sanitizer removes with what they show (`<iframe>`, `<video>`…),
    /// by line and tag name: the editor sees them in the Markdown, readers never will.
    pub removed: Vec<(usize, String)>,
    /// Text Markdown shows other than a Word user means it: a paragraph indented as Word
    /// indents (a code box), `#一、标题` without its space (a plain line with `#`).
    pub misread: Vec<Misread>,
}

/// Text Markdown reads other than it was meant, at its line, with the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misread {
    pub line: usize,
    pub message: Text,
    pub help: Text,
}

/// Link-like text that Markdown did not read as a link, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotALink {
    pub line: usize,
    pub text: String,
    pub help: Text,
}

fn options() -> Options<'static> {
    let mut options = Options::default();
    let ext = &mut options.extension;
    ext.strikethrough = true;
    ext.table = true;
    ext.autolink = true;
    ext.tasklist = true;
    ext.footnotes = true;
    ext.description_lists = true;
    ext.header_id_prefix = Some(String::new());
    ext.wikilinks_title_after_pipe = true;
    options.parse.smart = false;
    options.extension.cjk_friendly_emphasis = true;
    options.render.r#unsafe = true;
    options
}

static OPTIONS: LazyLock<Options<'static>> = LazyLock::new(options);

/// For pages without raw HTML (nor links of schemes outside the sanitizer's list): comrak's own
/// safe rendering, which leaves out `javascript:` and other dangerous link URLs, needs no
/// sanitizer. The sanitizer's parse and serialization took
/// 0.85 s of processor time at 10,000 pages (the load stage 1.07 → 0.60 s) and changed no byte
/// of their HTML.
static SAFE_OPTIONS: LazyLock<Options<'static>> = LazyLock::new(|| {
    let mut options = options();
    options.render.r#unsafe = false;
    options
});

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags([
            "input",
            "section",
            "figure",
            "figcaption",
            "details",
            "summary",
            "mark",
            "caption",
            "colgroup",
            "col",
        ])
        .add_generic_attributes([
            "id",
            "class",
            "title",
            "lang",
            "aria-hidden",
            "aria-label",
            "data-footnotes",
            "data-footnote-ref",
            "data-footnote-backref",
            "data-footnote-backref-idx",
            "data-heading-content",
        ])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("td", ["rowspan", "colspan", "align"])
        .add_tag_attributes("th", ["rowspan", "colspan", "align", "scope"])
        .add_tag_attributes("col", ["span"])
        .add_tag_attributes("colgroup", ["span"])
        .add_tag_attributes("img", ["width", "height", "loading"])
        .add_tag_attributes("ol", ["start"])
        .link_rel(None);
    builder
});

/// Sanitizes HTML from an untrusted source (raw HTML in Markdown).
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// Renders `markdown` (which starts on file line `first_line`), calling `resolve` for every
/// link, image and wikilink; a `Some(url)` answer replaces the link's URL.
pub fn render(
    markdown: &str,
    first_line: usize,
    mut resolve: impl FnMut(&LinkRef) -> Option<Rewrite>,
) -> Rendered {
    let arena = Arena::new();
    let root = parse_document(&arena, markdown, &OPTIONS);
    let mut rendered = Rendered::default();
    let mut anchorizer = Anchorizer::new();
    // Raw HTML, or a link the sanitizer's list of URL schemes would drop.
    let mut needs_sanitizer = false;

    for node in root.descendants() {
        let line = first_line + node.data().sourcepos.start.line.saturating_sub(1);
        let mut data = node.data_mut();
        match &mut data.value {
            NodeValue::Link(link) => {
                resolve_into(link, line, LinkKind::Link, &mut resolve);
                needs_sanitizer |= has_unlisted_scheme(&link.url);
            }
            NodeValue::Image(link) => {
                resolve_into(link, line, LinkKind::Image, &mut resolve);
                needs_sanitizer |= has_unlisted_scheme(&link.url);
            }
            NodeValue::WikiLink(wiki) => {
                let found = LinkRef {
                    url: wiki.url.trim().to_string(),
                    line,
                    kind: LinkKind::Wiki,
                };
                let rewrite = resolve(&found);
                let raw = wiki.url.clone();
                let url = rewrite.as_ref().map_or_else(|| raw.clone(), |r| r.url.clone());
                needs_sanitizer |= has_unlisted_scheme(&url);
                data.value = NodeValue::Link(Box::new(NodeLink {
                    url,
                    title: String::new(),
                }));
                drop(data);
                // `[[path/to/page]]` shows the page's title, not the path, and so does
                // `[[page|]]`, whose text is empty.
                if let Some(label) = rewrite.and_then(|r| r.label) {
                    let shown = node.collect_text();
                    if node.first_child().is_none() {
                        node.append(arena.alloc(comrak::nodes::AstNode::from(NodeValue::Text(label.into()))));
                    } else if shown.trim().is_empty() || shown.trim() == raw.trim() {
                        // The first child becomes the label and the others go: the walk has
                        // already queued the first, so it must stay in the tree.
                        let children: Vec<_> = node.children().collect();
                        for (index, child) in children.into_iter().enumerate() {
                            if index == 0 {
                                child.data_mut().value = NodeValue::Text(label.clone().into());
                            } else {
                                child.detach();
                            }
                        }
                    }
                }
            }
            // Raw HTML (tables with merged cells…): its links and images are checked and
            // rewritten like Markdown's.
            NodeValue::HtmlBlock(block) => {
                needs_sanitizer = true;
                rendered.removed.extend(removed_elements(&block.literal, line));
                block.literal = rewrite_html_links(&block.literal, line, &mut resolve);
            }
            NodeValue::HtmlInline(raw) => {
                needs_sanitizer = true;
                rendered.removed.extend(removed_elements(raw, line));
                *raw = rewrite_html_links(raw, line, &mut resolve);
            }
            NodeValue::Paragraph => {
                drop(data);
                rendered.not_links.extend(not_links(node, line));
                rendered
                    .misread
                    .extend(headings_without_space(node, line, markdown));
            }
            // Lines indented by a tab or four spaces are code: a Chinese paragraph so indented
            // was indented as Word indents a first line.
            NodeValue::CodeBlock(block)
                if !block.fenced && block.literal.trim_start().chars().next().is_some_and(is_cjk) =>
            {
                rendered.misread.push(Misread {
                    line,
                    message: text!(
                        "this paragraph is indented, so it shows as a box of code",
                        "这一段开头有缩进，会显示成代码框"
                    ),
                    help: text!(
                        "remove the tab or spaces at the start of its lines: Markdown reads lines indented by a tab or 4 spaces as code",
                        "请删掉这几行开头的 Tab 或空格：Markdown 把用 Tab 或 4 个空格缩进的行当作代码"
                    ),
                });
            }
            // A line break inside a Chinese paragraph (text pasted from a PDF or typed line by
            // line) joins the lines: as a space it shows a gap between two characters.
            NodeValue::SoftBreak => {
                drop(data);
                let before = node.previous_sibling().and_then(|n| edge_char(n, Edge::Last));
                let after = node.next_sibling().and_then(|n| edge_char(n, Edge::First));
                if before.is_some_and(is_wide) && after.is_some_and(is_wide) {
                    node.data_mut().value = NodeValue::Text(String::new().into());
                }
            }
            NodeValue::Heading(heading) => {
                let level = heading.level;
                drop(data);
                let title = node.collect_text();
                let id = anchorizer.anchorize(&title);
                rendered.headings.push(title.clone());
                if (2..=3).contains(&level) {
                    rendered.toc.push(TocEntry { level, id, title });
                }
            }
            _ => {}
        }
    }

    let options = if needs_sanitizer { &OPTIONS } else { &SAFE_OPTIONS };
    let mut html = String::new();
    format_html(root, options, &mut html).expect("writing to a String cannot fail");
    if needs_sanitizer {
        html = sanitize(&html);
    } else {
        // Kept until the page is rendered: without the room the writing left.
        html.shrink_to_fit();
    }
    rendered.html = html;
    rendered.anchors = element_ids(&rendered.html);
    avoid_theme_ids(&mut rendered);
    rendered.plain_text = plain_text(root);
    rendered
}

/// Lines of `paragraph` (which starts on `line`) that begin with `#` or `＃` and a character
/// other than a space: meant as headings (`#一、总体要求`), shown as text. Not when the `#` is
/// escaped (`\#`), inside code or a link, or a topic tag (`#话题#`).
fn headings_without_space<'a>(
    paragraph: &'a comrak::nodes::AstNode<'a>,
    line: usize,
    markdown: &str,
) -> Vec<Misread> {
    // Each line's text, and whether it starts with plain text.
    let mut lines: Vec<(String, Option<bool>)> = vec![(String::new(), None)];
    for child in paragraph.children() {
        let (text, starts_with_text) = lines.last_mut().expect("one line at least");
        match &child.data().value {
            NodeValue::Text(t) => {
                starts_with_text.get_or_insert(true);
                text.push_str(t);
            }
            NodeValue::SoftBreak | NodeValue::LineBreak => lines.push((String::new(), None)),
            _ => {
                starts_with_text.get_or_insert(false);
                text.push_str(&child.collect_text());
            }
        }
    }
    let first_source_line = paragraph.data().sourcepos.start.line;
    lines
        .iter()
        .enumerate()
        .filter_map(|(offset, (text, starts_with_text))| {
            let marks = text.chars().take_while(|&c| c == '#' || c == '＃').count();
            let rest: String = text.chars().skip(marks).collect();
            let first = rest.chars().next()?;
            let written = || {
                markdown
                    .lines()
                    .nth((first_source_line + offset).saturating_sub(1))
                    .is_some_and(|source| source.trim_start().starts_with(['#', '＃']))
            };
            let topic_tag = rest.contains(['#', '＃']);
            let meant = (1..=6).contains(&marks)
                && !first.is_whitespace()
                && *starts_with_text == Some(true)
                && !topic_tag
                && written();
            meant.then(|| {
                let fixed = format!("{} {}", "#".repeat(marks), rest.trim_end());
                Misread {
                    line: line + offset,
                    message: text!(
                        "`{text}` shows as text, not as a heading",
                        "`{text}` 会显示为普通文字，而不是小标题"
                    ),
                    help: text!(
                        "a heading needs a half-width `#` and a space after it: `{fixed}`",
                        "小标题要用半角 `#`，后面加一个空格：`{fixed}`"
                    ),
                }
            })
        })
        .collect()
}

/// Link-like text among the direct text of `paragraph` (which starts on `line`).
fn not_links<'a>(paragraph: &'a comrak::nodes::AstNode<'a>, line: usize) -> Vec<NotALink> {
    // The paragraph's own text, with its line breaks; links and code are left out.
    let mut text = String::new();
    for child in paragraph.children() {
        match &child.data().value {
            NodeValue::Text(t) => text.push_str(t),
            NodeValue::SoftBreak | NodeValue::LineBreak => text.push('\n'),
            _ => text.push('\u{0}'),
        }
    }
    let mut found = Vec::new();
    // `！[图](a.png)`: a full-width exclamation mark makes a link, not an image.
    for child in paragraph.children() {
        let ends_with_bang = matches!(&child.data().value, NodeValue::Text(t) if t.ends_with('！'));
        let Some(next) = child.next_sibling().filter(|_| ends_with_bang) else {
            continue;
        };
        if let NodeValue::Link(link) = &next.data().value {
            found.push(NotALink {
                line: line
                    + next
                        .data()
                        .sourcepos
                        .start
                        .line
                        .saturating_sub(paragraph.data().sourcepos.start.line),
                text: format!("！[{}]({})", next.collect_text(), link.url),
                help: text!(
                    "type a half-width `!` before `[` to show an image: `![说明](图片.png)`",
                    "要显示图片，`[` 前面要用半角的 `!`：`![说明](图片.png)`"
                ),
            });
        }
    }
    // `[[问答 [一]]]`: brackets inside a wikilink end it, and it stays text.
    let mut from = 0;
    while let Some(at) = text[from..].find("[[").map(|i| from + i) {
        // To the last of the closing brackets: `[[问答 [一]]]`; `[[` never closed is text.
        let Some(close) = text[at..].find("]]").map(|i| at + i + 2) else {
            break;
        };
        let end = close + text[close..].len() - text[close..].trim_start_matches(']').len();
        let snippet = &text[at..end];
        if !snippet.contains(['\n', '\u{0}']) {
            found.push(NotALink {
                line: line + text[..at].matches('\n').count(),
                text: snippet.to_string(),
                help: text!(
                    "a wikilink cannot hold `[`, `]` or a line break: link the page by its path, `[[notes/问答一]]`, or as `[文字](路径)`",
                    "页面链接里不能有 `[`、`]` 或换行：请用页面的路径链接，例如 `[[notes/问答一]]`，或写成 `[文字](路径)`"
                ),
            });
        }
        from = end.max(at + 2);
    }
    for pattern in ["](", "]（", "】(", "】（"] {
        let mut from = 0;
        while let Some(at) = text[from..].find(pattern).map(|i| from + i) {
            let start = text[..at].rfind(['[', '【']).unwrap_or(at);
            let end = text[at..].find([')', '）']).map_or(text.len(), |i| {
                at + i + text[at + i..].chars().next().map_or(1, char::len_utf8)
            });
            let snippet = &text[start..end];
            if !snippet.contains(['\n', '\u{0}']) {
                let help = match pattern {
                    "](" if text[at..end].contains(' ') => text!(
                        "a link's path cannot hold spaces: write it in angle brackets, `[文字](<my note.md>)`, or rename the file without spaces",
                        "链接的路径里不能有空格：请把路径放在尖括号里，写成 `[文字](<my note.md>)`，或者把文件名里的空格去掉"
                    ),
                    "](" => text!(
                        "write a link as `[文字](路径)`, the path without spaces or unmatched brackets",
                        "链接的写法是 `[文字](路径)`，路径里不能有空格，括号要成对"
                    ),
                    _ => text!(
                        "type the brackets half-width: `[文字](路径)`",
                        "括号要用半角的：`[文字](路径)`"
                    ),
                };
                found.push(NotALink {
                    line: line + text[..at].matches('\n').count(),
                    text: snippet.to_string(),
                    help,
                });
            }
            from = at + pattern.len();
        }
    }
    found.sort_by_key(|n| n.line);
    found
}

/// The `id`s the default theme gives the parts of a page around its text (`<main id="main">`,
/// the title, the headings of the table of contents and of the link lists).
const THEME_IDS: [&str; 10] = [
    "main",
    "page-title",
    "site-search",
    "toc-heading",
    "studied-heading",
    "backlinks-heading",
    "related-heading",
    "subsections-heading",
    "pages-heading",
    "root-pages",
];

/// A heading named like a part of the theme ("Main", "Related heading") would repeat its id in
/// the page: it gets the next free number instead (`main-1`), in its HTML, its table of
/// contents entry and the page's own links to it.
fn avoid_theme_ids(rendered: &mut Rendered) {
    for taken in THEME_IDS {
        if !rendered.anchors.iter().any(|a| a == taken) {
            continue;
        }
        let free = (1..)
            .map(|n| format!("{taken}-{n}"))
            .find(|id| !rendered.anchors.contains(id))
            .expect("some number is free");
        rendered.html = rendered
            .html
            .replace(&format!(" id=\"{taken}\""), &format!(" id=\"{free}\""))
            .replace(&format!(" href=\"#{taken}\""), &format!(" href=\"#{free}\""));
        for entry in rendered.toc.iter_mut().filter(|e| e.id == taken) {
            entry.id = free.clone();
        }
        for anchor in rendered.anchors.iter_mut().filter(|a| *a == taken) {
            *anchor = free.clone();
        }
    }
}

/// The values of the `id` attributes in `html` (as the sanitizer writes them: double-quoted).
fn element_ids(html: &str) -> Vec<String> {
    html.match_indices(" id=\"")
        .filter_map(|(at, found)| {
            let value = &html[at + found.len()..];
            let value = &value[..value.find('"')?];
            Some(
                value
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

/// `html` with the value of each `href` and `src` attribute passed to `resolve` (as a link or
/// an image, at its line: `first_line` plus the line breaks before it) and replaced by its
/// rewrite, if any.
fn rewrite_html_links(
    html: &str,
    first_line: usize,
    resolve: &mut impl FnMut(&LinkRef) -> Option<Rewrite>,
) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut line = first_line;
    while let Some((before, name, value, quote, after)) = next_url_attribute(rest) {
        out.push_str(before);
        line += before.matches('\n').count();
        // Only an `<img>`'s `src` is an image; another element's (`<iframe>`, `<video>`) is
        // checked as a link.
        let element = out.rfind('<').map(|at| tag_name(&out[at + 1..]).0);
        let kind = if name == "src" && element.as_deref() == Some("img") {
            LinkKind::Image
        } else {
            LinkKind::Link
        };
        let found = LinkRef {
            url: value.replace("&amp;", "&"),
            line,
            kind,
        };
        let url = resolve(&found).map_or_else(
            || value.to_string(),
            |r| r.url.replace('&', "&amp;").replace('"', "&quot;"),
        );
        out.push_str(&format!("{name}={quote}{url}{quote}"));
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The next `href="…"` or `src="…"` (or single-quoted) attribute of `html`: the text before
/// it, the attribute's name, its value, its quote, and the text after it.
fn next_url_attribute(html: &str) -> Option<(&str, &str, &str, char, &str)> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while from < html.len() {
        let found = ["href", "src"]
            .iter()
            .filter_map(|name| lower[from..].find(name).map(|at| (from + at, *name)))
            .min_by_key(|&(at, _)| at)?;
        let (at, name) = found;
        let preceded = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after_name = lower[at + name.len()..].trim_start();
        let value_start = html.len() - after_name.len();
        if preceded && after_name.starts_with('=') {
            let after_equals = html[value_start + 1..].trim_start();
            if let Some(quote) = after_equals.chars().next().filter(|c| *c == '"' || *c == '\'') {
                if let Some(end) = after_equals[1..].find(quote) {
                    let value = &after_equals[1..1 + end];
                    let after = &after_equals[end + 2..];
                    return Some((&html[..at], &html[at..at + name.len()], value, quote, after));
                }
            } else {
                // Unquoted (`<a href=other.md>`): the value ends at a space or the tag's end;
                // it is written back quoted.
                let end = after_equals
                    .find(|c: char| c.is_ascii_whitespace() || c == '>')
                    .unwrap_or(after_equals.len());
                if end > 0 {
                    let value = &after_equals[..end];
                    let after = &after_equals[end..];
                    return Some((&html[..at], &html[at..at + name.len()], value, '"', after));
                }
            }
        }
        from = at + name.len();
    }
    None
}

fn resolve_into(
    link: &mut NodeLink,
    line: usize,
    kind: LinkKind,
    resolve: &mut impl FnMut(&LinkRef) -> Option<Rewrite>,
) {
    let found = LinkRef {
        url: link.url.clone(),
        line,
        kind,
    };
    if let Some(rewrite) = resolve(&found) {
        link.url = rewrite.url;
    }
}

/// URL schemes the sanitizer keeps (its default list). comrak's safe mode only drops
/// `javascript:`, `vbscript:`, `file:` and `data:`; a page with a link of any other scheme
/// (`ms-msdt:`, `search-ms:`…, which hand the link to a program on the reader's PC) goes
/// through the sanitizer, which drops it.
static LISTED_SCHEMES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| SANITIZER.clone_url_schemes());

/// Whether `url` starts with a scheme (`name:` before any `/`, `?` or `#`) not in
/// [`LISTED_SCHEMES`].
fn has_unlisted_scheme(url: &str) -> bool {
    let url = url.trim_start();
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme && !LISTED_SCHEMES.contains(scheme.to_ascii_lowercase().as_str())
}

/// The text of the document: inline pieces joined as they are, blocks separated by newlines.
/// Only what readers see: the sanitiser drops `<script>`, `<style>` and `<template>` with
/// their content and HTML comments (Word's pasted `<style>` and `<!--[if gte mso 9]>` blocks),
/// so summaries and the search index leave them out too.
fn plain_text<'a>(root: &'a comrak::nodes::AstNode<'a>) -> String {
    let mut text = String::new();
    // Inside an inline `<style>…</style>` of a paragraph: the closing tag to wait for.
    let mut hidden_until: Option<String> = None;
    for edge in root.traverse() {
        let comrak::arena_tree::NodeEdge::Start(node) = edge else {
            if let comrak::arena_tree::NodeEdge::End(node) = edge {
                if node.data().value.block() && !text.ends_with('\n') && !text.is_empty() {
                    text.push('\n');
                }
            }
            continue;
        };
        if let Some(close) = &hidden_until {
            if let NodeValue::HtmlInline(raw) = &node.data().value {
                if raw.to_ascii_lowercase().starts_with(close.as_str()) {
                    hidden_until = None;
                }
            }
            continue;
        }
        match &node.data().value {
            NodeValue::Text(t) => text.push_str(t),
            NodeValue::Code(code) => text.push_str(&code.literal),
            NodeValue::CodeBlock(block) => text.push_str(&block.literal),
            // Blocks are already a line apart; a block of styles alone adds nothing.
            NodeValue::HtmlBlock(block) => text.push_str(html_text(&block.literal).trim()),
            NodeValue::HtmlInline(raw) => {
                // `<script … />` opens one all the same: HTML ignores the slash there.
                let (name, closing) = tag_name(raw.strip_prefix('<').unwrap_or(raw));
                if is_hidden_element(&name) && !closing {
                    hidden_until = Some(format!("</{name}"));
                }
            }
            // The line breaks left are not between two Chinese characters (those were
            // dropped while rendering): a space, as the page shows them.
            NodeValue::SoftBreak => text.push(' '),
            NodeValue::LineBreak => text.push('\n'),
            _ => {}
        }
    }
    text.trim().to_string()
}

/// Elements with something to show that the sanitiser removes (it keeps text and images).
const REMOVED_ELEMENTS: &[&str] = &["iframe", "video", "audio", "embed", "object", "form", "canvas"];

/// The removed elements that `html` (starting on `first_line`) opens, with their lines.
fn removed_elements(html: &str, first_line: usize) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (at, _) in html.match_indices('<') {
        let (name, closing) = tag_name(&html[at + 1..]);
        if !closing && REMOVED_ELEMENTS.contains(&name.as_str()) {
            found.push((first_line + html[..at].matches('\n').count(), name));
        }
    }
    found
}

/// Elements whose content is never shown: the sanitiser removes them whole.
fn is_hidden_element(name: &str) -> bool {
    matches!(name, "script" | "style" | "template")
}

/// The lowercase name of the tag whose text (after `<`, up to and without `>`) is `tag`, and
/// whether it is a closing tag (`</p`).
fn tag_name(tag: &str) -> (String, bool) {
    let closing = tag.starts_with('/');
    let name = tag
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    (name, closing)
}

/// The text inside raw HTML as a reader sees it: tags dropped, with the content of
/// `<script>`, `<style>` and `<template>` and comments, common entities decoded, cells
/// separated. A `<` that starts no tag (`a < b`) is text, as in HTML.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        if !after.starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?')) {
            out.push('<');
            rest = after;
            continue;
        }
        // A tag never closed hides the rest, as an HTML parser drops it.
        let Some(end) = after.find('>') else {
            rest = "";
            break;
        };
        let (name, closing) = tag_name(&after[..end]);
        rest = &after[end + 1..];
        if !out.ends_with([' ', '\n']) && !out.is_empty() {
            out.push(' ');
        }
        // `<script … />` opens one all the same: HTML ignores the slash there.
        if is_hidden_element(&name) && !closing {
            // Up to the end of the matching closing tag (ASCII case-insensitive: lowering
            // ASCII keeps every byte offset).
            let close = format!("</{name}");
            rest = match rest.to_ascii_lowercase().find(&close) {
                Some(start) => rest[start..].find('>').map_or("", |end| &rest[start + end + 1..]),
                None => "",
            };
        }
    }
    out.push_str(rest);
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// True for characters of the CJK scripts, which are written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x30000..=0x3347F | 0x3000..=0x303F | 0xFF00..=0xFFEF)
}

#[derive(Clone, Copy)]
enum Edge {
    First,
    Last,
}

/// The first or last character an inline node shows: a text's own (most often, read in
/// place), or that of everything inside it (emphasis, a link).
fn edge_char<'a>(node: &'a comrak::nodes::AstNode<'a>, edge: Edge) -> Option<char> {
    let pick = |text: &str| match edge {
        Edge::First => text.chars().next(),
        Edge::Last => text.chars().last(),
    };
    match &node.data().value {
        NodeValue::Text(text) => pick(text),
        _ => pick(&node.collect_text()),
    }
}

/// Characters written without spaces around them in Chinese text: CJK characters and
/// punctuation, and the quotation marks, ellipsis and dash Chinese shares with other scripts.
fn is_wide(c: char) -> bool {
    is_cjk(c) || matches!(c, '“' | '”' | '‘' | '’' | '…' | '—' | '·')
}

/// The first `limit` characters of `text` on one line, cut at a sentence end when one is near.
pub fn summarize(text: &str, limit: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= limit {
        return flat;
    }
    let cut: String = flat.chars().take(limit).collect();
    match cut.rfind(['。', '！', '？', '.']) {
        Some(end) if end > cut.len() / 2 => {
            cut[..end + cut[end..].chars().next().map_or(0, char::len_utf8)].to_string()
        }
        _ => format!("{cut}…"),
    }
}

/// Every distinct URL the HTML links to, for tests and checks.
pub fn unique_urls(links: &[LinkRef]) -> HashSet<&str> {
    links.iter().map(|l| l.url.as_str()).collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn markdown_without_raw_html_renders_as_the_sanitizer_would_leave_it() {
        let markdown =
            "## 学习要点 <重点>\n\n| 左 | 中 | 右 |\n|:--|:-:|--:|\n| `a<b` | **粗** | ~~删~~ |\n\n\
            - [x] 已学\n- [ ] 未学\n\n1. 第一\n2. 第二\n\n正文[^1]，见 <https://example.org/a?b=1&c=2> 与 \
            [本站](/notes/a.html \"标题 \\\"引\\\"\")。\n\n![图](images/a.png)\n\n术语\n: 解释\n\n\
            ```rust\nfn main() { let s = \"<script>\"; }\n```\n\n> 引用 & 说明\n\n[^1]: 脚注。\n";
        let rendered = render(markdown, 1, |_| None);
        // The same document: the sanitizer writes it in its own way (`<br>` for `<br />`,
        // `"` in text for `&quot;`), so both are read and written back the same way.
        let reserialized = |html: &str| scraper::Html::parse_fragment(html).root_element().html();
        assert_eq!(
            reserialized(&rendered.html),
            reserialized(&sanitize(&rendered.html))
        );
        for expected in [
            "<table>",
            "checked=\"\"",
            "footnote",
            "<del>",
            "language-rust",
            "<dl>",
        ] {
            assert!(
                rendered.html.contains(expected),
                "{expected} in {}",
                rendered.html
            );
        }
    }

    #[test]
    fn only_a_scheme_outside_the_sanitizers_list_needs_the_sanitizer() {
        for url in [
            "https://a.cn/x",
            "HTTP://a",
            "mailto:a@b.cn",
            "/notes/a.html",
            "a.md",
            "#top",
            "学习:笔记.md",
            "?q=a:b",
        ] {
            assert!(!has_unlisted_scheme(url), "{url}");
        }
        for url in [
            "ms-msdt:/id",
            "Search-MS:query=a",
            "javascript:x",
            " intent://a",
            "a:b",
        ] {
            assert!(has_unlisted_scheme(url), "{url}");
        }
    }

    #[test]
    fn dangerous_link_urls_are_left_out_with_or_without_raw_html() {
        for raw in ["", "<span>原文</span>\n\n"] {
            let markdown = format!(
                "{raw}[点我](javascript:alert(1)) <javascript:alert(2)> ![图](vbscript:x) [好](https://a.cn/)\n"
            );
            let html = render(&markdown, 1, |_| None).html;
            for attribute in ["href=\"javascript", "src=\"vbscript"] {
                assert!(!html.contains(attribute), "{html}");
            }
            // Schemes outside the sanitizer's list, which comrak alone would keep.
            let other = render(
                &format!("{raw}[诊断](ms-msdt:/id x) [搜](Search-MS:query=a)\n"),
                1,
                |_| None,
            )
            .html;
            assert!(!other.contains("href=\"ms-msdt"), "{other}");
            assert!(!other.to_lowercase().contains("href=\"search-ms"), "{other}");
            assert!(
                other.contains("诊断") && other.contains("搜"),
                "the link texts stay: {other}"
            );
            assert!(html.contains("href=\"https://a.cn/\""), "{html}");
        }
    }

    #[test]
    fn raw_html_links_and_images_are_resolved_and_rewritten() {
        let html = "<table>\n<tr><td><a HREF=\"b.md\" class=\"x\">b</a></td>\n<td><img data-src=\"no.png\" src='c.png'></td></tr>\n</table>";
        let mut seen = Vec::new();
        let out = rewrite_html_links(html, 10, &mut |link: &LinkRef| {
            seen.push((link.url.clone(), link.line, link.kind));
            Some(Rewrite {
                url: link.url.replace(".md", ".html"),
                label: None,
            })
        });
        assert_eq!(
            seen,
            [
                ("b.md".to_string(), 11, LinkKind::Link),
                ("c.png".to_string(), 12, LinkKind::Image)
            ]
        );
        assert_eq!(
            out,
            "<table>\n<tr><td><a HREF=\"b.html\" class=\"x\">b</a></td>\n<td><img data-src=\"no.png\" src='c.png'></td></tr>\n</table>"
        );
    }
    use super::*;

    #[test]
    fn plain_text_has_no_spaces_between_inline_pieces() {
        let rendered = render("坚持**两个确立**，做到`两个维护`。\n第二行", 1, |_| None);
        assert_eq!(rendered.plain_text, "坚持两个确立，做到两个维护。第二行");
    }

    #[test]
    fn pasted_styles_scripts_and_comments_are_not_text() {
        let word_paste = "<style>\np.MsoNormal { font-family:仿宋_GB2312; }\n</style>\n\n<!--[if gte mso 9]><xml><w:WordDocument>Normal 0 false</w:WordDocument></xml><![endif]-->\n\n<p class=\"MsoNormal\">这是从Word粘贴过来的正文。</p>\n\n<SCRIPT type=\"text/javascript\">var 统计代码 = 1;</SCRIPT>\n\n段落里 <style>.x{color:red}</style>也有样式，<template>模板</template>和 <b>加粗</b>。\n";
        let rendered = render(word_paste, 1, |_| None);
        assert_eq!(
            rendered.plain_text,
            "这是从Word粘贴过来的正文。\n段落里 也有样式，和 加粗。"
        );
        for hidden in ["仿宋", "MsoNormal", "WordDocument", "统计代码", "模板", "color"] {
            assert!(
                !rendered.html.contains(hidden) || hidden == "MsoNormal",
                "{hidden} shown: {}",
                rendered.html
            );
        }
    }

    #[test]
    fn html_text_keeps_what_a_reader_sees() {
        assert_eq!(html_text("<td>甲</td><td>乙</td>"), "甲 乙 ");
        assert_eq!(html_text("a < b &amp; c"), "a < b & c");
        assert_eq!(html_text("前<!-- 注释 -->后"), "前后");
        assert_eq!(html_text("前<style>p{}</Style >后"), "前 后");
        assert_eq!(html_text("前<script src=\"x.js\"/>后"), "前 ");
        assert_eq!(html_text("前<script src=\"x.js\"/>藏</script>后"), "前 后");
        assert_eq!(html_text("前<style>没有结束"), "前 ");
        assert_eq!(html_text("前<!-- 没有结束"), "前");
        assert_eq!(html_text("前<div 没有结束"), "前");
    }

    #[test]
    fn a_line_break_between_chinese_characters_joins_the_lines() {
        let rendered = render("粮食安全和\n不发生规模性返贫，文化、\n**生态**、组织振兴：\n“乡村”。\nEnglish\nwords 中文\n文字\n", 1, |_| None);
        assert!(
            rendered.html.contains("粮食安全和不发生规模性返贫，文化、<strong>生态</strong>、组织振兴：“乡村”。\nEnglish\nwords 中文文字"),
            "{}",
            rendered.html
        );
        // The search text and snippets join the same lines as the page.
        assert_eq!(
            rendered.plain_text,
            "粮食安全和不发生规模性返贫，文化、生态、组织振兴：“乡村”。 English words 中文文字"
        );
    }

    #[test]
    fn cjk_emphasis_renders_bold() {
        let rendered = render("**重要：**坚持", 1, |_| None);
        assert!(
            rendered.html.contains("<strong>重要：</strong>坚持"),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let rendered = render(
            "<table><tr><td rowspan=\"2\" onclick=\"x()\">合并</td></tr></table>\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))",
            1,
            |_| None,
        );
        assert!(rendered.html.contains("rowspan=\"2\""));
        assert!(!rendered.html.contains("onclick"));
        assert!(!rendered.html.contains("<script"));
        assert!(!rendered.html.contains("javascript:"));
    }

    #[test]
    fn links_report_file_lines_and_can_be_rewritten() {
        let mut seen = Vec::new();
        let rendered = render("第一段\n\n[甲](a.md)\n", 10, |link| {
            seen.push(link.clone());
            Some(Rewrite {
                url: "a.html".into(),
                label: None,
            })
        });
        assert_eq!(seen[0].line, 12);
        assert!(rendered.html.contains("href=\"a.html\""));
    }

    #[test]
    fn anchors_are_the_ids_of_headings_footnotes_and_raw_html() {
        let rendered = render(
            "## 学习要点\n\n## 学习要点\n\n正文[^1]。\n\n<p id=\"附表\">表</p>\n\n[^1]: 注释。\n",
            1,
            |_| None,
        );
        for id in ["学习要点", "学习要点-1", "附表", "fn-1", "fnref-1"] {
            assert!(
                rendered.anchors.iter().any(|a| a == id),
                "{id}: {:?}",
                rendered.anchors
            );
        }
    }

    #[test]
    fn headings_named_like_parts_of_the_theme_get_other_ids() {
        let rendered = render(
            "## Main\n\n[back](#main)\n\n## Main 1\n\n## Page title\n",
            1,
            |_| None,
        );
        let ids: Vec<&str> = rendered.toc.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["main-2", "main-1", "page-title-1"]);
        assert!(!rendered.html.contains("id=\"main\""), "{}", rendered.html);
        assert!(rendered.html.contains("id=\"main-2\""), "{}", rendered.html);
        assert!(rendered.html.contains("href=\"#main-2\""), "{}", rendered.html);
        assert!(!rendered.anchors.iter().any(|a| a == "main" || a == "page-title"));
    }

    #[test]
    fn link_like_text_that_is_not_a_link_is_found() {
        let rendered = render(
            "见[空格](my note.md)。\n\n见[安全]（安全生产.md）和【安全】(安全生产.md)。\n\n[好](a.md) 和 `[代码](x y.md)`\n\n图：！[示意](a.png)\n",
            1,
            |_| None,
        );
        let found: Vec<(usize, &str)> = rendered
            .not_links
            .iter()
            .map(|n| (n.line, n.text.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (1, "[空格](my note.md)"),
                (3, "[安全]（安全生产.md）"),
                (3, "【安全】(安全生产.md)"),
                (7, "！[示意](a.png)")
            ]
        );
    }

    #[test]
    fn toc_ids_match_heading_ids() {
        let rendered = render("## 学习要点\n\n## 学习要点\n", 1, |_| None);
        assert_eq!(rendered.toc[1].id, "学习要点-1");
        assert!(rendered.html.contains("id=\"学习要点-1\""));
    }
}
