//! Markdown of every page and section rendered once, with its links resolved, plus the
//! relations between pages that the links reveal: backlinks and the sessions that studied each
//! material. Both the HTML renderer and the search index read the result.

use std::sync::Mutex;

use rayon::prelude::*;

use crate::content::model::UnparsedPage;
use crate::content::Site;
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::links::{percent_decode, split_fragment, Resolver, Target};
use crate::markdown::{self, LinkKind, Rendered, Rewrite};
use crate::text;

/// A `materials` entry after resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Material {
    Page(usize),
    External(String),
}

/// Everything the later stages need from the Markdown, indexed like `Site::pages`/`sections`.
#[derive(Debug, Default, Clone)]
pub struct Compiled {
    pub pages: Vec<Rendered>,
    pub sections: Vec<Rendered>,
    pub materials: Vec<Vec<Material>>,
    /// For each page, the pages its text links to.
    pub outgoing: Vec<Vec<usize>>,
    /// For each page, the names its wikilinks look up (a title or a path): when a page's title
    /// changes, the pages naming the old or the new title must be compiled again.
    pub wikilinks: Vec<Vec<String>>,
    /// For each page, the pages whose text links to it.
    pub backlinks: Vec<Vec<usize>>,
    /// For each page, the session records that list it in `materials`.
    pub studied_in: Vec<Vec<usize>>,
}

/// One page's Markdown compiled: its HTML and text, where it links, and what was wrong.
pub struct CompiledPage {
    pub rendered: Rendered,
    pub outgoing: Vec<usize>,
    pub wikilinks: Vec<String>,
    /// Its links to a `#fragment` of a page (itself included), checked once every page is
    /// rendered ([`check_anchors`]).
    pub anchor_links: Vec<AnchorLink>,
    pub problems: Vec<Diagnostic>,
}

/// A link to a place in a page: `other.md#一、总体要求`, `#附表`, `[[页面#标题]]`.
#[derive(Debug, Clone)]
pub struct AnchorLink {
    pub target: usize,
    /// The id it names, percent-decoded.
    pub anchor: String,
    pub line: usize,
    /// The link as written.
    pub written: String,
}

/// An address on another site: `http://`, `https://` or `//`.
fn is_elsewhere(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//")
}

/// Renders page `index`'s Markdown, resolving its links.
pub fn compile_page(site: &Site, resolver: &Resolver, index: usize) -> CompiledPage {
    let page = &site.pages[index];
    let mut outgoing = Vec::new();
    let mut wikilinks = Vec::new();
    let mut anchor_links = Vec::new();
    let mut problems = Vec::new();
    let rendered = markdown::render(&page.body, page.body_line, |link| {
        let url = link.url.trim();
        if link.kind == LinkKind::Link && url.len() > 1 && url.starts_with('#') {
            anchor_links.push(AnchorLink {
                target: index,
                anchor: percent_decode(&url[1..]),
                line: link.line,
                written: url.to_string(),
            });
        }
        if link.kind == LinkKind::Wiki {
            wikilinks.push(split_fragment(&link.url).0.to_string());
        }
        problems.extend(remote_image(&page.file, link));
        match resolver.resolve_link(&page.source, &page.url, &page.file, link) {
            Ok(Some(resolved)) => {
                let label = (link.kind == LinkKind::Wiki).then(|| resolver.title(&resolved.target));
                if let Target::Page(target) = resolved.target {
                    if target != index && !outgoing.contains(&target) {
                        outgoing.push(target);
                    }
                    if link.kind != LinkKind::Image {
                        if let Some((_, anchor)) =
                            resolved.href.split_once('#').filter(|(_, a)| !a.is_empty())
                        {
                            anchor_links.push(AnchorLink {
                                target,
                                anchor: percent_decode(anchor),
                                line: link.line,
                                written: url.to_string(),
                            });
                        }
                    }
                }
                Some(Rewrite {
                    url: resolved.href,
                    label: label.flatten(),
                })
            }
            Ok(None) => None,
            Err(diagnostic) => {
                problems.push(diagnostic);
                None
            }
        }
    });
    problems.extend(markdown_warnings(&page.file, &rendered));
    CompiledPage {
        rendered,
        outgoing,
        wikilinks,
        anchor_links,
        problems,
    }
}

/// The warning for an image `link` loads from another site: the site must work with no
/// internet, and such an image may never show.
fn remote_image(file: &str, link: &markdown::LinkRef) -> Option<Diagnostic> {
    (link.kind == LinkKind::Image && is_elsewhere(&link.url)).then(|| {
        Diagnostic::warning(
            file,
            text!(
                "the image `{}` is loaded from another site",
                "图片 `{}` 要从其他网站加载",
                link.url.trim()
            ),
        )
        .at(link.line)
        .help(text!(
            "readers with no access to that site will not see it: save the image beside the page and write its file name",
            "上不了那个网站的读者看不到这张图片：请把图片保存在页面旁边，并在链接里写它的文件名"
        ))
    })
}

/// The warnings of `file`'s rendered Markdown: elements the sanitizer removes, text misread
/// as Word writes it, what looks like a link and is not.
fn markdown_warnings(file: &str, rendered: &Rendered) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (line, element) in &rendered.removed {
        problems.push(
            Diagnostic::warning(
                file,
                text!(
                    "`<{element}>` is removed from the page: the site shows no embedded pages, videos, sounds or forms",
                    "`<{element}>` 会从页面中去掉：站点不显示嵌入的网页、视频、音频或表单"
                ),
            )
            .at(*line)
            .help(text!(
                "link to it instead, e.g. `[观看视频](视频.mp4)` with the file saved beside the page",
                "请改用链接，例如把文件保存在页面旁边，写成 `[观看视频](视频.mp4)`"
            )),
        );
    }
    for misread in &rendered.misread {
        problems.push(
            Diagnostic::warning(file, misread.message.clone())
                .at(misread.line)
                .help(misread.help.clone()),
        );
    }
    for not_link in &rendered.not_links {
        problems.push(
            Diagnostic::warning(
                file,
                text!(
                    "`{}` is not a link: it shows as plain text",
                    "`{}` 不是链接：它会显示为普通文字",
                    not_link.text
                ),
            )
            .at(not_link.line)
            .help(not_link.help.clone()),
        );
    }
    problems
}

/// The problems of the text of pages whose front matter has errors (see
/// [`crate::content::model::UnparsedPage`]): broken links and images, Markdown slips. The
/// build fails on the header anyway; the editor fixes the whole file in one round.
pub fn check_unparsed(pages: &[UnparsedPage], resolver: &Resolver) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for page in pages {
        let stem = page
            .source
            .rsplit_once('.')
            .map_or(page.source.as_str(), |(stem, _)| stem);
        let url = format!("{stem}.html");
        let rendered = markdown::render(&page.body, page.body_line, |link| {
            problems.extend(remote_image(&page.file, link));
            if let Err(diagnostic) = resolver.resolve_link(&page.source, &url, &page.file, link) {
                problems.push(diagnostic);
            }
            None
        });
        problems.extend(markdown_warnings(&page.file, &rendered));
        // Its materials, read from the header despite its errors.
        for material in &page.materials {
            if let Err(diagnostic) = resolver.resolve_material(&page.source, &url, &page.file, material) {
                problems.push(diagnostic);
            }
        }
    }
    problems
}

/// Warnings for the links of page `index` to a place that its target page does not have (a
/// heading renamed or removed): the link still opens the page, at its top. `rendered(page)` is
/// a page's compiled Markdown.
pub fn check_anchors<'a>(
    site: &Site,
    index: usize,
    links: &[AnchorLink],
    rendered: impl Fn(usize) -> &'a Rendered,
) -> Vec<Diagnostic> {
    let page = &site.pages[index];
    let mut problems = Vec::new();
    for link in links {
        let anchors = &rendered(link.target).anchors;
        // `#top` is the top of any page.
        if link.anchor == "top" || anchors.contains(&link.anchor) {
            continue;
        }
        let (place, place_zh) = if link.target == index {
            ("this page".to_string(), "本页面".to_string())
        } else {
            let file = format!("`{}`", site.pages[link.target].file);
            (file.clone(), file)
        };
        let candidates: Vec<&str> = anchors.iter().map(String::as_str).collect();
        let help = match did_you_mean(&link.anchor, &candidates) {
            Some(guess) => text!(
                "did you mean `#{guess}`? A heading's id is its text, as in the table of contents",
                "是不是要写 `#{guess}`？小标题的锚点就是它的文字，和目录里显示的一样"
            ),
            None if candidates.is_empty() => text!(
                "{place} has no headings: link to the page without `#…`",
                "{place_zh}没有小标题：链接这个页面时请去掉 `#…`"
            ),
            None => {
                let places = candidates
                    .iter()
                    .take(8)
                    .map(|a| format!("`#{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                text!("the places there: {places}", "那里可以链接的锚点：{places}")
            }
        };
        problems.push(
            Diagnostic::warning(
                &page.file,
                text!(
                    "the link `{}` names `#{}`, which {place} does not have",
                    "链接 `{}` 指向锚点 `#{}`，但{place_zh}里没有这个锚点",
                    link.written,
                    link.anchor
                ),
            )
            .at(link.line)
            .help(help),
        );
    }
    problems
}

/// Renders section `index`'s `_index.md` body, resolving its links.
pub fn compile_section(site: &Site, resolver: &Resolver, index: usize) -> (Rendered, Vec<Diagnostic>) {
    let section = &site.sections[index];
    let Some(file) = &section.file else {
        return (Rendered::default(), Vec::new());
    };
    let source = format!("{}/_index.md", section.dir);
    let source = source.trim_start_matches('/');
    let mut problems = Vec::new();
    let rendered = markdown::render(&section.body, section.body_line, |link| {
        match resolver.resolve_link(source, &section.url, file, link) {
            Ok(resolved) => resolved.map(|r| Rewrite {
                label: (link.kind == LinkKind::Wiki)
                    .then(|| resolver.title(&r.target))
                    .flatten(),
                url: r.href,
            }),
            Err(diagnostic) => {
                problems.push(diagnostic);
                None
            }
        }
    });
    (rendered, problems)
}

/// Resolves the `materials` of page `index` (empty for pages that list none).
pub fn resolve_materials(site: &Site, resolver: &Resolver, index: usize) -> (Vec<Material>, Vec<Diagnostic>) {
    let page = &site.pages[index];
    let mut materials = Vec::new();
    let mut problems = Vec::new();
    for material in &page.front.materials {
        let found = match resolver.resolve_material(&page.source, &page.url, &page.file, material) {
            Ok(Some(resolved)) => match resolved.target {
                Target::Page(target) => Material::Page(target),
                _ => continue,
            },
            Ok(None) => Material::External(material.target.clone()),
            Err(diagnostic) => {
                problems.push(diagnostic);
                continue;
            }
        };
        let target = &material.target;
        // A copied line or a record's own path: listed once, and never as what it studied.
        let slip = if found == Material::Page(index) {
            Some((
                text!(
                    "material `{target}` is this record itself",
                    "学习材料 `{target}` 就是这份学习记录本身"
                ),
                text!(
                    "list the pages the session studied; remove this line",
                    "请列出会议学习的页面，删掉这一行"
                ),
            ))
        } else if materials.contains(&found) {
            Some((
                text!(
                    "material `{target}` is listed twice",
                    "学习材料 `{target}` 列了两次"
                ),
                text!("remove one of the two", "请删掉其中一个"),
            ))
        } else {
            None
        };
        match slip {
            Some((message, help)) => problems.push(
                Diagnostic::warning(&page.file, message)
                    .at(material.line)
                    .help(help),
            ),
            None => materials.push(found),
        }
    }
    (materials, problems)
}

/// Renders all Markdown in parallel. Broken links and materials come back as diagnostics.
pub fn compile(site: &Site, resolver: &Resolver) -> (Compiled, Vec<Diagnostic>) {
    let problems = Mutex::new(Vec::new());
    let report = |found: Vec<Diagnostic>| {
        if !found.is_empty() {
            problems.lock().expect("no panics hold this lock").extend(found);
        }
    };
    let pages: Vec<CompiledPage> = (0..site.pages.len())
        .into_par_iter()
        .map(|index| {
            let mut compiled = compile_page(site, resolver, index);
            report(std::mem::take(&mut compiled.problems));
            compiled
        })
        .collect();
    let sections: Vec<Rendered> = (0..site.sections.len())
        .into_par_iter()
        .map(|index| {
            let (rendered, found) = compile_section(site, resolver, index);
            report(found);
            rendered
        })
        .collect();

    let mut compiled = Compiled::default();
    for index in 0..site.pages.len() {
        let (materials, found) = resolve_materials(site, resolver, index);
        report(found);
        compiled.materials.push(materials);
    }
    let mut anchor_links = Vec::with_capacity(pages.len());
    for page in pages {
        compiled.pages.push(page.rendered);
        compiled.outgoing.push(page.outgoing);
        compiled.wikilinks.push(page.wikilinks);
        anchor_links.push(page.anchor_links);
    }
    for (index, links) in anchor_links.iter().enumerate() {
        report(check_anchors(site, index, links, |page| &compiled.pages[page]));
    }
    compiled.sections = sections;
    compiled.relate(site);
    (compiled, problems.into_inner().expect("no panics hold this lock"))
}

impl Compiled {
    /// Derives backlinks and `studied_in` from every page's outgoing links and materials,
    /// each list newest first.
    pub fn relate(&mut self, site: &Site) {
        self.backlinks = vec![Vec::new(); site.pages.len()];
        self.studied_in = vec![Vec::new(); site.pages.len()];
        for (index, materials) in self.materials.iter().enumerate() {
            for material in materials {
                if let Material::Page(target) = *material {
                    if !self.studied_in[target].contains(&index) {
                        self.studied_in[target].push(index);
                    }
                }
            }
        }
        for (index, outgoing) in self.outgoing.iter().enumerate() {
            for &target in outgoing {
                if target != index && !self.backlinks[target].contains(&index) {
                    self.backlinks[target].push(index);
                }
            }
        }
        for list in self.backlinks.iter_mut().chain(self.studied_in.iter_mut()) {
            list.sort_by(|&a, &b| site.newest_first(a, b));
        }
    }
}
