//! Writing the index: one Tantivy document per published page, and one per section with a
//! text of its own (its `_index.md`), from the compiled pages (the same Markdown parse as the
//! HTML). Its segments are not merged: Tantivy's BM25 statistics
//! span all segments of a searcher, and the static pack numbers their documents in order.
//! A full build's documents leave the gram fields empty: the pack export writes their grams
//! into the verbatim file (see [`super::verbatim`]).

use std::path::Path;

use anyhow::Context as _;
use tantivy::{doc, Index, IndexWriter, TantivyDocument};

use super::analyzer::Analyzer;
use super::preview_directory::PreviewDirectory;
use super::schema::{build_schema, register_tokenizers, Fields};
use super::DICTIONARY_FILE;
use crate::compile::Compiled;
use crate::config::Config;
use crate::content::Site;

/// Memory the index writer may use before it flushes a segment, shared by its threads: on
/// 10,000 pages 256 MB gives 4 segments (64 MB gave 26); the build's peak memory is in the pack
/// export anyway.
const WRITER_MEMORY: usize = 256_000_000;
/// For `serve`'s edits, a few pages at a time.
const EDIT_WRITER_MEMORY: usize = 32_000_000;

/// Writes the index of `site` into `dir` (created), with the site's words file beside it.
pub fn write_index(
    config: &Config,
    site: &Site,
    compiled: &Compiled,
    analyzer: &Analyzer,
    dir: &Path,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
    if let Some(words) = &config.dictionary {
        std::fs::copy(words, dir.join(DICTIONARY_FILE))
            .with_context(|| format!("failed to copy the search dictionary `{}`", words.display()))?;
    }
    let schema = build_schema();
    let fields = Fields::from_schema(&schema)?;
    let index = Index::create_in_dir(dir, schema)
        .with_context(|| format!("failed to create the search index in `{}`", dir.display()))?;
    register_tokenizers(&index, analyzer);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, WRITER_MEMORY)?;
    // A merge would rewrite every posting once more (3.6 s of a 10,000-page build) for no
    // change in any answer.
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    // In source path order: each segment then holds an ascending run of the pack's ids.
    let order = path_order(site);
    let mut documents: Vec<(u64, Entry)> = (0..site.pages.len())
        .map(|page| (order.pages[page], Entry::Page(page)))
        .chain(
            (0..site.sections.len())
                .filter_map(|section| Some((order.sections[section]?, Entry::Section(section)))),
        )
        .collect();
    documents.sort_by_key(|(order, _)| *order);
    for (order, entry) in documents {
        writer.add_document(match entry {
            Entry::Page(page) => document(&fields, site, compiled, page, order, Grams::InFile),
            Entry::Section(section) => {
                section_document(&fields, site, compiled, section, order, Grams::InFile)
            }
        })?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

/// Opens a writer on the index a build wrote, for `serve`'s incremental updates, writing
/// without `fsync` ([`PreviewDirectory`]). Segments are not merged in the background:
/// [`crate::incremental`] merges them when the edits settle.
pub fn open_writer(dir: &Path, analyzer: &Analyzer) -> anyhow::Result<(Index, IndexWriter, Fields)> {
    let index = PreviewDirectory::open(dir)
        .map_err(anyhow::Error::from)
        .and_then(|directory| Ok(Index::open(directory)?))
        .with_context(|| format!("cannot open the search index `{}`", dir.display()))?;
    register_tokenizers(&index, analyzer);
    let fields = Fields::from_schema(&index.schema())?;
    let writer: IndexWriter = index.writer_with_num_threads(1, EDIT_WRITER_MEMORY)?;
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    Ok((index, writer, fields))
}

/// Replaces the documents of `pages` and `sections` (deleted by path, added again) and commits.
pub fn replace_documents(
    writer: &mut IndexWriter,
    fields: &Fields,
    site: &Site,
    compiled: &Compiled,
    pages: &[usize],
    sections: &[usize],
) -> anyhow::Result<()> {
    let order = path_order(site);
    for &section in sections {
        let (Some(path), Some(place)) = (searched_section(site, section), order.sections[section]) else {
            continue;
        };
        writer.delete_term(tantivy::Term::from_field_text(fields.path, &path));
        writer.add_document(section_document(
            fields,
            site,
            compiled,
            section,
            place,
            Grams::InFields,
        ))?;
    }
    for &page in pages {
        writer.delete_term(tantivy::Term::from_field_text(
            fields.path,
            &site.pages[page].source,
        ));
        writer.add_document(document(
            fields,
            site,
            compiled,
            page,
            order.pages[page],
            Grams::InFields,
        ))?;
    }
    writer.commit()?;
    Ok(())
}

/// The text of the `meta_grams` field: topic, meeting, host and tags, a line each. The pack
/// export rebuilds it from the stored fields, so both must use this.
pub fn meta_grams_text(
    topic: Option<&str>,
    meeting: Option<&str>,
    host: Option<&str>,
    tags: &[String],
) -> String {
    [topic, meeting, host]
        .into_iter()
        .flatten()
        .chain(tags.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a document of the index stands for.
#[derive(Clone, Copy)]
enum Entry {
    Page(usize),
    Section(usize),
}

/// Each document's place among all documents in source path order (see [`Fields::order`]).
struct PathOrder {
    pages: Vec<u64>,
    /// `None`: the section has no document (see [`searched_section`]).
    sections: Vec<Option<u64>>,
}

/// Whether section `index` has a document, and its path: a section with a text of its own
/// (`_index.md`) and a page to find. A folder's generated page (its name and a list) says
/// nothing a search would want, and the home page (the root section) is where every reader
/// starts: its introduction naming every section would come up for any of them.
fn searched_section(site: &Site, index: usize) -> Option<String> {
    let section = &site.sections[index];
    if section.hidden || section.parent.is_none() {
        return None;
    }
    section.source()
}

fn path_order(site: &Site) -> PathOrder {
    let mut by_path: Vec<(String, Entry)> = site
        .pages
        .iter()
        .enumerate()
        .map(|(page, p)| (p.source.clone(), Entry::Page(page)))
        .chain(
            (0..site.sections.len())
                .filter_map(|section| Some((searched_section(site, section)?, Entry::Section(section)))),
        )
        .collect();
    by_path.sort_by(|a, b| a.0.cmp(&b.0));
    let mut order = PathOrder {
        pages: vec![0; site.pages.len()],
        sections: vec![None; site.sections.len()],
    };
    for (place, (_, entry)) in by_path.into_iter().enumerate() {
        match entry {
            Entry::Page(page) => order.pages[page] = place as u64,
            Entry::Section(section) => order.sections[section] = Some(place as u64),
        }
    }
    order
}

/// Where a document's grams go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Grams {
    /// In the verbatim file the build writes with the pack (a full build).
    InFile,
    /// In the gram fields (`serve`'s replacements, which leave the file as it is).
    InFields,
}

/// The document of section `index`: its title, the description its page shows and its text as
/// the body, kind
/// `section`, no date (a year or date filter, and a year in the query, are about the pages),
/// no tags (tag pages list pages). `serve` rebuilds everything when an `_index.md` changes, and
/// replaces the document when its text shows a page title that an edit changed.
fn section_document(
    fields: &Fields,
    site: &Site,
    compiled: &Compiled,
    index: usize,
    order: u64,
    grams: Grams,
) -> TantivyDocument {
    let section = &site.sections[index];
    let rendered = &compiled.sections[index];
    let body = with_lead(section.description(), &rendered.plain_text);
    let mut document = doc!(
        fields.path => searched_section(site, index).unwrap_or_default(),
        fields.url => section.url.clone(),
        fields.title => section.title().to_string(),
        fields.body => body.clone(),
        fields.headings => rendered.headings.join("\n"),
        fields.tags_text => String::new(),
        fields.meta => String::new(),
        fields.kind => SECTION_KIND,
        fields.date => 0u64,
        fields.year => 0u64,
        fields.studied => 0u64,
        fields.order => order,
        fields.verbatim_file => u64::from(grams == Grams::InFile),
    );
    if grams == Grams::InFields {
        add_gram_fields(
            &mut document,
            fields,
            section.title(),
            &body,
            meta_grams_text(None, None, None, &[]),
        );
    }
    document
}

/// The gram fields of a document `serve` replaced (see [`Grams::InFields`]): the texts the
/// pack export reads back from the stored fields for a full build's documents.
fn add_gram_fields(
    document: &mut TantivyDocument,
    fields: &Fields,
    title: &str,
    body: &str,
    meta_grams: String,
) {
    document.add_text(fields.title_grams, title);
    document.add_text(fields.body_grams, body);
    document.add_text(fields.meta_grams, meta_grams);
}

/// A document's text: the summary readers see of it (in lists, or as a section page's lead),
/// so that a search finds it, before its Markdown's text, unless that text holds it already (a
/// summary copied from the first paragraph would count its words twice).
fn with_lead(lead: Option<&str>, text: &str) -> String {
    let text = text.trim();
    match lead.map(str::trim) {
        Some(lead) if !lead.is_empty() && !text.contains(lead) && !text.is_empty() => {
            format!("{lead}\n{text}")
        }
        Some(lead) if text.is_empty() => lead.to_string(),
        _ => text.to_string(),
    }
}

/// The `kind` of a section's document, beside the pages' `note` and `session`.
pub const SECTION_KIND: &str = "section";

fn document(
    fields: &Fields,
    site: &Site,
    compiled: &Compiled,
    index: usize,
    order: u64,
    grams: Grams,
) -> TantivyDocument {
    let page = &site.pages[index];
    let rendered = &compiled.pages[index];
    let front = &page.front;
    // A page's description is for the page's metadata only: a search must not match what
    // no reader can see on the site.
    let body = with_lead(front.summary.as_deref(), &rendered.plain_text);
    let meta = [front.meeting.as_deref(), front.host.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
    let mut document = doc!(
        fields.path => page.source.clone(),
        fields.url => page.url.clone(),
        fields.title => front.title.clone(),
        fields.body => body.clone(),
        fields.headings => rendered.headings.join("\n"),
        fields.tags_text => front.tags.join("\n"),
        fields.meta => meta,
        fields.kind => page.kind.as_str(),
        fields.date => u64::from(front.date.map_or(0, |d| d.ordinal())),
        fields.year => u64::from(front.date.map_or(0, |d| d.year)),
        fields.studied => compiled.studied_in[index].len() as u64,
        fields.order => order,
        fields.verbatim_file => u64::from(grams == Grams::InFile),
    );
    if grams == Grams::InFields {
        let meta_grams = meta_grams_text(
            front.topic.as_deref(),
            front.meeting.as_deref(),
            front.host.as_deref(),
            &front.tags,
        );
        add_gram_fields(&mut document, fields, &front.title, &body, meta_grams);
    }
    if let Some(topic) = &front.topic {
        document.add_text(fields.topic, topic);
    }
    if let Some(meeting) = &front.meeting {
        document.add_text(fields.meeting, meeting);
    }
    if let Some(host) = &front.host {
        document.add_text(fields.host, host);
    }
    for tag in &front.tags {
        document.add_text(fields.tags, tag);
    }
    document
}

#[cfg(test)]
mod tests {
    use super::with_lead;

    #[test]
    fn a_summary_leads_the_text_once() {
        assert_eq!(with_lead(Some("要点。"), "正文。"), "要点。\n正文。");
        // Copied from the text: not again.
        assert_eq!(with_lead(Some("正文"), "正文。"), "正文。");
        assert_eq!(with_lead(Some(" "), ""), "");
        assert_eq!(with_lead(Some("要点"), ""), "要点");
        assert_eq!(with_lead(None, " 正文 "), "正文");
    }
}
