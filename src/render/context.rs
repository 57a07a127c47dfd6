//! Typed template contexts: what each template may read, as `#[derive(Serialize)]` structs.
//!
//! Every URL in a context is relative to the output root (`notes/a.html`, percent-encoded
//! where needed); templates prefix it with `root` (`../../`), so pages work from `file://` and
//! under any sub-path.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::content::Date;
use crate::i18n::Labels;
use crate::markdown::TocEntry;

/// What every template gets.
#[derive(Debug, Serialize)]
pub struct Common<'a> {
    pub site: &'a SiteInfo,
    pub t: &'static Labels,
    /// From this page back to the output root: `""`, `"../"`…
    pub root: String,
    /// This page's own URL, relative to the output root.
    pub current_url: String,
    /// Hashed asset URLs by name: `assets["style.css"]`.
    pub assets: &'a std::collections::BTreeMap<String, String>,
}

/// The site-wide facts, computed once per build.
#[derive(Debug, Serialize)]
pub struct SiteInfo {
    pub title: String,
    pub description: String,
    pub language: &'static str,
    pub authors: Vec<String>,
    /// Top-level sections for the main navigation.
    pub nav: Vec<LinkView>,
    pub page_count: usize,
    pub session_count: usize,
    pub base_url: String,
    pub generator: &'static str,
    pub ledger_url: &'static str,
    /// The ledger's name wherever it is linked: the sessions folder's title, which its page
    /// shows, or the theme's word for it.
    pub ledger_title: String,
    pub stats_url: &'static str,
}

/// A title and where it leads.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub title: String,
    pub url: String,
}

/// A page as it appears in lists: sections, tags, recent updates, search.
#[derive(Debug, Clone, Serialize)]
pub struct PageSummary {
    pub title: String,
    pub url: String,
    pub date: Option<Date>,
    pub kind: &'static str,
    pub summary: String,
    pub meeting: Option<String>,
    pub tags: Vec<LinkView>,
}

/// A session that studied a material.
#[derive(Debug, Clone, Serialize)]
pub struct SessionLink {
    pub title: String,
    pub url: String,
    pub date: Option<Date>,
    pub meeting: Option<String>,
}

/// The session header block of a `kind: session` page.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    pub meeting: Option<String>,
    /// The ledger's page of the meeting and of the year (`sessions/years/2024.html`).
    pub meeting_url: Option<String>,
    pub year_url: Option<String>,
    pub topic: Option<String>,
    pub host: Option<String>,
    pub attendees: Option<u32>,
    pub materials: Vec<LinkView>,
}

/// The context of `page.html`.
#[derive(Debug, Serialize)]
pub struct PageView<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub page: PageDetail,
}

#[derive(Debug, Serialize)]
pub struct PageDetail {
    pub title: String,
    pub url: String,
    pub source: String,
    pub date: Option<Date>,
    pub kind: &'static str,
    pub summary: String,
    pub tags: Vec<LinkView>,
    pub content: String,
    pub toc: Vec<TocEntry>,
    pub breadcrumbs: Vec<LinkView>,
    pub previous: Option<LinkView>,
    pub next: Option<LinkView>,
    pub session: Option<SessionView>,
    /// Sessions that list this page among their materials.
    pub studied_in: Vec<SessionLink>,
    /// Pages that link here.
    pub backlinks: Vec<LinkView>,
    /// Pages sharing the most tags.
    pub related: Vec<LinkView>,
    pub extra: Map<String, Value>,
}

/// The context of `section.html` and `index.html`.
#[derive(Debug, Serialize)]
pub struct SectionView<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub section: SectionDetail,
    /// Newest pages of the whole site (used by the home page).
    pub recent: Vec<PageSummary>,
}

#[derive(Debug, Serialize)]
pub struct SectionDetail {
    pub title: String,
    pub url: String,
    pub description: Option<String>,
    pub content: String,
    pub breadcrumbs: Vec<LinkView>,
    pub pages: Vec<PageSummary>,
    pub subsections: Vec<SubsectionView>,
}

#[derive(Debug, Serialize)]
pub struct SubsectionView {
    pub title: String,
    pub url: String,
    pub description: Option<String>,
    /// Pages in it and below it.
    pub page_count: usize,
}

/// The context of `tags.html`.
#[derive(Debug, Serialize)]
pub struct TagsView<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub tags: Vec<TagCount>,
}

#[derive(Debug, Serialize)]
pub struct TagCount {
    pub name: String,
    pub url: String,
    pub count: usize,
}

/// The context of `tag.html`.
#[derive(Debug, Serialize)]
pub struct TagView<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub tag: String,
    pub pages: Vec<PageSummary>,
}

/// The context of `search.html` and `404.html`.
#[derive(Debug, Serialize)]
pub struct PlainView<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
}

/// The context of `sitemap.xml`.
#[derive(Debug, Serialize)]
pub struct SitemapView<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub entries: Vec<SitemapEntry>,
}

#[derive(Debug, Serialize)]
pub struct SitemapEntry {
    pub url: String,
    pub date: Option<Date>,
}
