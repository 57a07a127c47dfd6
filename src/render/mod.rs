//! Render: turn the site and its compiled Markdown into the bytes of every output file.
//!
//! This module computes; it never touches the output folder. Each finished file is handed to a
//! [`Sink`] (the staging folder of [`crate::output`] during a build), so rendering and writing
//! overlap and no more than one page's HTML per thread is held in memory.

pub mod context;
pub mod ledger;
pub mod templates;

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use crate::compile::{Compiled, Material};
use crate::config::Config;
use crate::content::{Page, Site};
use crate::diagnostics::Diagnostic;
use crate::links::{encode_segment, root_prefix};
use crate::markdown::summarize;
use crate::search::snippet::escape_html;
use crate::text;
use context::*;
pub use templates::Theme;

/// Where rendered files go.
pub trait Sink: Sync {
    /// Writes `bytes` at `path` (relative to the output root, `/`-separated).
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()>;
}

/// How many pages the home page lists as recent updates.
const RECENT_COUNT: usize = 10;
/// How many related pages a page shows.
const RELATED_COUNT: usize = 5;
/// Tags on more pages than this are ignored when looking for related pages.
const MAX_RELATED_TAG_PAGES: usize = 1000;
/// Characters of a derived summary.
const SUMMARY_CHARS: usize = 120;

pub use crate::content::model::safe_file_name;

/// The output path of a tag's page: `tags/<name>.html`.
pub fn tag_file(tag: &str) -> String {
    format!("tags/{}.html", safe_file_name(tag))
}

/// A root-relative URL with each segment percent-encoded as needed.
pub fn encode_url(url: &str) -> String {
    url.split('/').map(encode_segment).collect::<Vec<_>>().join("/")
}

/// A root-relative URL as sitemaps want it (RFC 3986): [`encode_url`], then every non-ASCII
/// byte percent-encoded too.
pub(crate) fn encode_url_ascii(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in encode_url(url).chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            crate::links::push_percent_encoded(&mut out, c);
        }
    }
    out
}

struct Renderer<'a> {
    config: &'a Config,
    site: &'a Site,
    compiled: &'a Compiled,
    theme: &'a Theme,
    info: SiteInfo,
    /// Each page's summary, computed when first shown (a partial render shows few).
    summaries: Vec<std::sync::OnceLock<String>>,
    /// Pages of each tag, for related pages.
    tag_pages: std::sync::OnceLock<HashMap<&'a str, Vec<usize>>>,
}

/// Which outputs to render: everything (a build), or the part a change touched (`serve`).
#[derive(Debug, Clone, Default)]
pub enum Selection {
    #[default]
    All,
    Some(Subset),
}

/// A part of the outputs, by what they show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subset {
    pub pages: std::collections::BTreeSet<usize>,
    pub sections: std::collections::BTreeSet<usize>,
    pub tags: std::collections::BTreeSet<String>,
    pub tags_index: bool,
    /// The ledger's pages, the statistics page and the session exports.
    pub ledger: bool,
    pub sitemap: bool,
}

impl Selection {
    /// Whether the outputs `pick` chooses from a subset are rendered.
    fn picks(&self, pick: impl Fn(&Subset) -> bool) -> bool {
        match self {
            Selection::All => true,
            Selection::Some(subset) => pick(subset),
        }
    }
}

/// Renders the selected pages, sections, tag pages, ledger pages, and (for [`Selection::All`])
/// the search page, 404, sitemap and theme assets into `sink`. Template failures come back as
/// diagnostics; write failures as errors.
pub fn render_site(
    config: &Config,
    site: &Site,
    compiled: &Compiled,
    theme: &Theme,
    selection: &Selection,
    sink: &dyn Sink,
) -> anyhow::Result<Vec<Diagnostic>> {
    let renderer = Renderer::new(config, site, compiled, theme);
    let problems = Mutex::new(Vec::new());
    let attempt = |result: Result<(String, String), Diagnostic>| -> anyhow::Result<()> {
        match result {
            Ok((path, html)) => sink.write(&path, html.as_bytes()),
            Err(diagnostic) => {
                problems
                    .lock()
                    .expect("no panics hold this lock")
                    .push(diagnostic);
                Ok(())
            }
        }
    };
    (0..site.pages.len())
        .into_par_iter()
        .filter(|&index| selection.picks(|s| s.pages.contains(&index)))
        .try_for_each(|index| attempt(renderer.page(index)))?;
    // The sessions folder's own page is the ledger, rendered below.
    (0..site.sections.len())
        .into_par_iter()
        .filter(|&index| site.sections[index].url != ledger::LEDGER_URL && !site.sections[index].hidden)
        .filter(|&index| selection.picks(|s| s.sections.contains(&index)))
        .try_for_each(|index| attempt(renderer.section(index)))?;
    if selection.picks(|s| s.ledger) {
        renderer.ledger_pages().into_par_iter().try_for_each(attempt)?;
        attempt(renderer.stats_page())?;
        for (path, bytes) in renderer.exports()? {
            sink.write(&path, &bytes)?;
        }
    }
    // Every tag with its pages, sorted: only when something shows them.
    let tags = match selection {
        Selection::Some(subset) if !subset.tags_index && !subset.sitemap && subset.tags.is_empty() => {
            Vec::new()
        }
        _ => site.tags(),
    };
    if selection.picks(|s| s.tags_index) {
        attempt(renderer.tags_index(&tags))?;
    }
    tags.par_iter()
        .filter(|(tag, _)| selection.picks(|s| s.tags.contains(tag)))
        .try_for_each(|(tag, pages)| attempt(renderer.tag(tag, pages)))?;
    // A sitemap lists whole addresses (the protocol refuses relative ones): only a site that
    // knows its address (`base-url`) has one.
    if selection.picks(|s| s.sitemap) && !config.base_url.is_empty() {
        attempt(renderer.sitemap(&tags))?;
    }
    if selection.picks(|s| s.ledger) {
        // Addresses a reader reaches by trimming a year's or a meeting's: the ledger lists both.
        for folder in ["sessions/years/index.html", "sessions/meetings/index.html"] {
            sink.write(
                folder,
                renderer
                    .forward_page(folder, ledger::LEDGER_URL, &renderer.info.ledger_title)
                    .as_bytes(),
            )?;
        }
    }
    if let Selection::All = selection {
        let search = renderer.config.language.labels().search;
        sink.write(
            "search/index.html",
            renderer
                .forward_page("search/index.html", "search.html", search)
                .as_bytes(),
        )?;
        attempt(renderer.plain("search.html", "search.html"))?;
        attempt(renderer.plain("404.html", "404.html"))?;
        for asset in &theme.assets {
            sink.write(&asset.url, &asset.bytes)?;
        }
    }
    Ok(problems.into_inner().expect("no panics hold this lock"))
}

/// A page's summary as lists show it: its own `summary`, or the start of its text.
pub fn summary_of(page: &Page, rendered: &crate::markdown::Rendered) -> String {
    page.front
        .summary
        .clone()
        .unwrap_or_else(|| summarize(&rendered.plain_text, SUMMARY_CHARS))
}

/// The pages of each tag, in page order.
pub fn tag_pages(site: &Site) -> HashMap<&str, Vec<usize>> {
    let mut tag_pages: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, page) in site.pages.iter().enumerate() {
        for tag in &page.front.tags {
            tag_pages.entry(tag.as_str()).or_default().push(index);
        }
    }
    tag_pages
}

/// A few pages sharing the most tags with `index`, newest first among equals.
pub fn related_pages(site: &Site, tag_pages: &HashMap<&str, Vec<usize>>, index: usize) -> Vec<usize> {
    let mut shared: HashMap<usize, usize> = HashMap::new();
    for tag in &site.pages[index].front.tags {
        let Some(pages) = tag_pages.get(tag.as_str()) else {
            continue;
        };
        // A tag on most pages says little about relatedness, and costs the most.
        if pages.len() > MAX_RELATED_TAG_PAGES {
            continue;
        }
        for &other in pages.iter().filter(|&&other| other != index) {
            *shared.entry(other).or_default() += 1;
        }
    }
    let mut related: Vec<(usize, usize)> = shared.into_iter().collect();
    related.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| site.newest_first(a.0, b.0)));
    related
        .into_iter()
        .take(RELATED_COUNT)
        .map(|(page, _)| page)
        .collect()
}

/// Tags whose pages count for related pages: a page sharing one of them with a changed page
/// may list it.
pub fn relating_tags<'t>(tag_pages: &HashMap<&str, Vec<usize>>, tags: &'t [String]) -> Vec<&'t str> {
    tags.iter()
        .map(String::as_str)
        .filter(|tag| {
            tag_pages
                .get(tag)
                .is_some_and(|pages| pages.len() <= MAX_RELATED_TAG_PAGES)
        })
        .collect()
}

impl<'a> Renderer<'a> {
    /// Page HTML with the screen-reader labels comrak writes in English (heading anchors,
    /// footnote back links) in the site's language.
    fn localized(&self, html: &str) -> String {
        let labels = self.config.language.labels();
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        const HEADING: &str = "aria-label=\"Link to heading '";
        while let Some(at) = rest.find(HEADING) {
            let after = &rest[at + HEADING.len()..];
            let Some(end) = after.find("'\"") else { break };
            out.push_str(&rest[..at]);
            out.push_str(&format!(
                "aria-label=\"{}{}\"",
                labels.link_to_heading,
                &after[..end]
            ));
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        out.replace(
            "aria-label=\"Back to reference ",
            &format!("aria-label=\"{}", labels.back_to_reference),
        )
    }

    fn new(config: &'a Config, site: &'a Site, compiled: &'a Compiled, theme: &'a Theme) -> Self {
        let root = &site.sections[0];
        let nav = root
            .children
            .iter()
            .map(|&s| LinkView {
                title: site.sections[s].title().to_string(),
                url: encode_url(&site.sections[s].url),
            })
            .collect::<Vec<_>>();
        let mut nav = nav;
        if site.session_count() > 0 && !nav.iter().any(|item| item.url == ledger::LEDGER_URL) {
            nav.push(LinkView {
                title: config.language.labels().ledger.to_string(),
                url: ledger::LEDGER_URL.into(),
            });
        }
        let info = SiteInfo {
            title: config.title.clone(),
            description: config.description.clone(),
            language: config.language.html_tag(),
            authors: config.authors.clone(),
            nav,
            page_count: site.pages.len(),
            session_count: site.session_count(),
            base_url: config.base_url.clone(),
            generator: concat!("studybook ", env!("CARGO_PKG_VERSION")),
            ledger_url: ledger::LEDGER_URL,
            ledger_title: site.section_by_dir.get("sessions").map_or_else(
                || config.language.labels().ledger.to_string(),
                |&s| site.sections[s].title().to_string(),
            ),
            stats_url: ledger::STATS_URL,
        };
        let summaries = site.pages.iter().map(|_| std::sync::OnceLock::new()).collect();
        Renderer {
            tag_pages: std::sync::OnceLock::new(),
            config,
            site,
            compiled,
            theme,
            info,
            summaries,
        }
    }

    fn summary_text(&self, index: usize) -> String {
        self.summaries[index]
            .get_or_init(|| summary_of(&self.site.pages[index], &self.compiled.pages[index]))
            .clone()
    }

    fn common(&self, url: &str) -> Common<'_> {
        Common {
            site: &self.info,
            t: self.config.language.labels(),
            root: root_prefix(url),
            current_url: encode_url(url),
            assets: &self.theme.asset_urls,
        }
    }

    fn render<T: Serialize>(
        &self,
        template: &str,
        path: &str,
        view: &T,
    ) -> Result<(String, String), Diagnostic> {
        let context = tera::Context::from_serialize(view).map_err(|err| {
            Diagnostic::error(
                template,
                text!(
                    "cannot build the template context: {err}",
                    "无法准备模板要用的数据：{err}"
                ),
            )
        })?;
        Ok((path.to_string(), self.theme.render(template, &context)?))
    }

    fn link(&self, page: usize) -> LinkView {
        let page = &self.site.pages[page];
        LinkView {
            title: page.front.title.clone(),
            url: encode_url(&page.url),
        }
    }

    fn tag_links(&self, page: &Page) -> Vec<LinkView> {
        page.front
            .tags
            .iter()
            .map(|tag| LinkView {
                title: tag.clone(),
                url: encode_url(&tag_file(tag)),
            })
            .collect()
    }

    fn summary(&self, index: usize) -> PageSummary {
        let page = &self.site.pages[index];
        PageSummary {
            title: page.front.title.clone(),
            url: encode_url(&page.url),
            date: page.front.date,
            kind: page.kind.as_str(),
            summary: self.summary_text(index),
            meeting: page.front.meeting.clone(),
            tags: self.tag_links(page),
        }
    }

    fn breadcrumbs(&self, section: usize) -> Vec<LinkView> {
        self.site
            .ancestors(section)
            .into_iter()
            .map(|s| {
                let section = &self.site.sections[s];
                let title = if s == 0 {
                    self.config.language.labels().home.to_string()
                } else {
                    section.title().to_string()
                };
                LinkView {
                    title,
                    url: encode_url(&section.url),
                }
            })
            .collect()
    }

    fn page(&self, index: usize) -> Result<(String, String), Diagnostic> {
        let page = &self.site.pages[index];
        let rendered = &self.compiled.pages[index];
        let siblings = &self.site.sections[page.section].pages;
        let position = siblings.iter().position(|&p| p == index);
        let previous = position
            .and_then(|p| p.checked_sub(1))
            .map(|p| self.link(siblings[p]));
        let next = position.and_then(|p| siblings.get(p + 1)).map(|&p| self.link(p));
        let session = page.is_session().then(|| SessionView {
            meeting: page.front.meeting.clone(),
            meeting_url: page
                .front
                .meeting
                .as_deref()
                .map(|m| encode_url(&ledger::meeting_url(m))),
            year_url: page.front.date.map(|d| encode_url(&ledger::year_url(d.year))),
            topic: page.front.topic.clone(),
            host: page.front.host.clone(),
            attendees: page.front.attendees,
            materials: self.compiled.materials[index]
                .iter()
                .map(|material| match material {
                    Material::Page(p) => self.link(*p),
                    Material::External(url) => LinkView {
                        title: url.clone(),
                        url: url.clone(),
                    },
                })
                .collect(),
        });
        let studied_in = self.compiled.studied_in[index]
            .iter()
            .map(|&s| {
                let session = &self.site.pages[s];
                SessionLink {
                    title: session.front.title.clone(),
                    url: encode_url(&session.url),
                    date: session.front.date,
                    meeting: session.front.meeting.clone(),
                }
            })
            .collect();
        let view = PageView {
            common: self.common(&page.url),
            page: PageDetail {
                title: page.front.title.clone(),
                url: encode_url(&page.url),
                source: page.source.clone(),
                date: page.front.date,
                kind: page.kind.as_str(),
                summary: self.summary_text(index),
                tags: self.tag_links(page),
                content: self.localized(&rendered.html),
                toc: rendered.toc.clone(),
                breadcrumbs: self.breadcrumbs(page.section),
                previous,
                next,
                session,
                studied_in,
                // Each page once: a session that studied this page is listed as such, not
                // again among the pages that link here or the related ones.
                backlinks: self.compiled.backlinks[index]
                    .iter()
                    .filter(|p| !self.compiled.studied_in[index].contains(p))
                    .map(|&p| self.link(p))
                    .collect(),
                related: self
                    .related(index)
                    .into_iter()
                    .filter(|p| {
                        !self.compiled.studied_in[index].contains(p)
                            && !self.compiled.backlinks[index].contains(p)
                    })
                    .map(|p| self.link(p))
                    .collect(),
                extra: page.front.extra.clone(),
            },
        };
        self.render("page.html", &page.url, &view)
    }

    fn related(&self, index: usize) -> Vec<usize> {
        related_pages(
            self.site,
            self.tag_pages.get_or_init(|| tag_pages(self.site)),
            index,
        )
    }

    fn pages_below(&self, section: usize) -> usize {
        let s = &self.site.sections[section];
        s.pages.len() + s.children.iter().map(|&c| self.pages_below(c)).sum::<usize>()
    }

    fn section(&self, index: usize) -> Result<(String, String), Diagnostic> {
        let section = &self.site.sections[index];
        let is_home = index == 0;
        let mut recent: Vec<usize> = Vec::new();
        if is_home {
            recent = (0..self.site.pages.len()).collect();
            recent.sort_by(|&a, &b| self.site.newest_first(a, b));
            recent.truncate(RECENT_COUNT);
        }
        let view = SectionView {
            common: self.common(&section.url),
            section: SectionDetail {
                title: section.title().to_string(),
                url: encode_url(&section.url),
                description: section.description().map(str::to_string),
                content: self.localized(&self.compiled.sections[index].html),
                breadcrumbs: self.breadcrumbs(index),
                pages: section.pages.iter().map(|&p| self.summary(p)).collect(),
                subsections: section
                    .children
                    .iter()
                    .map(|&c| {
                        let child = &self.site.sections[c];
                        SubsectionView {
                            title: child.title().to_string(),
                            url: encode_url(&child.url),
                            description: child.description().map(str::to_string),
                            page_count: self.pages_below(c),
                        }
                    })
                    .collect(),
            },
            recent: recent.into_iter().map(|p| self.summary(p)).collect(),
        };
        self.render(
            if is_home { "index.html" } else { "section.html" },
            &section.url,
            &view,
        )
    }

    fn tags_index(&self, tags: &[(String, Vec<usize>)]) -> Result<(String, String), Diagnostic> {
        let url = "tags/index.html";
        let view = TagsView {
            common: self.common(url),
            tags: tags
                .iter()
                .map(|(name, pages)| TagCount {
                    name: name.clone(),
                    url: encode_url(&tag_file(name)),
                    count: pages.len(),
                })
                .collect(),
        };
        self.render("tags.html", url, &view)
    }

    fn tag(&self, tag: &str, pages: &[usize]) -> Result<(String, String), Diagnostic> {
        let url = tag_file(tag);
        let view = TagView {
            common: self.common(&url),
            tag: tag.to_string(),
            pages: pages.iter().map(|&p| self.summary(p)).collect(),
        };
        self.render("tag.html", &url, &view)
    }

    fn plain(&self, template: &str, url: &str) -> Result<(String, String), Diagnostic> {
        self.render(
            template,
            url,
            &PlainView {
                common: self.common(url),
            },
        )
    }

    /// A page at `url` that sends the reader on to `target` (both from the output root), for
    /// folders that have no page of their own; without a refresh, its one link does.
    fn forward_page(&self, url: &str, target: &str, title: &str) -> String {
        let href = escape_html(&format!("{}{}", root_prefix(url), encode_url(target)));
        let title = escape_html(title);
        format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"robots\" content=\"noindex\">\n\
             <meta http-equiv=\"refresh\" content=\"0; url={href}\">\n\
             <title>{title}</title>\n</head>\n<body>\n<p><a href=\"{href}\">{title}</a></p>\n</body>\n</html>\n",
            lang = self.config.language.html_tag(),
        )
    }

    fn sitemap(&self, tags: &[(String, Vec<usize>)]) -> Result<(String, String), Diagnostic> {
        let mut entries: Vec<SitemapEntry> = Vec::new();
        entries.extend(
            self.site
                .sections
                .iter()
                .filter(|s| !s.hidden)
                .map(|s| SitemapEntry {
                    url: encode_url_ascii(&s.url),
                    date: None,
                }),
        );
        entries.extend(self.site.pages.iter().map(|p| SitemapEntry {
            url: encode_url_ascii(&p.url),
            date: p.front.date,
        }));
        entries.push(SitemapEntry {
            url: "tags/index.html".into(),
            date: None,
        });
        entries.push(SitemapEntry {
            url: ledger::STATS_URL.into(),
            date: None,
        });
        // The ledger's pages per year and per meeting, as the ledger renders them.
        entries.extend(
            crate::ledger::years(self.site)
                .into_iter()
                .map(ledger::year_url)
                .chain(
                    crate::ledger::meetings(self.site)
                        .iter()
                        .map(|m| ledger::meeting_url(m)),
                )
                .map(|url| SitemapEntry {
                    url: encode_url_ascii(&url),
                    date: None,
                }),
        );
        entries.extend(tags.iter().map(|(t, _)| SitemapEntry {
            url: encode_url_ascii(&tag_file(t)),
            date: None,
        }));
        self.render(
            "sitemap.xml",
            "sitemap.xml",
            &SitemapView {
                common: self.common("sitemap.xml"),
                entries,
            },
        )
    }
}
