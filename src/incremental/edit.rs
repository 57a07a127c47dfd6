//! An edit of existing pages: read them, put them into the kept site, compile what they
//! affect, and work out from the relations before and after which outputs show what changed.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::compile::{
    check_anchors, check_unparsed, compile_page, compile_section, resolve_materials, Compiled, Material,
};
use crate::content::discover::{
    check_name_clashes, check_session, meeting_spellings, read_text, session_fields_on_a_note,
    sort_section_pages,
};
use crate::content::front_matter::{body_after_front_matter, materials_despite_errors, parse_document};
use crate::content::model::UnparsedPage;
use crate::content::{Date, Page, Site};
use crate::diagnostics::{display_path, Diagnostic, Diagnostics};
use crate::links::Resolver;
use crate::markdown::Rendered;
use crate::render::{self, related_pages, relating_tags, summary_of, tag_file, Subset, Theme};
use crate::{generated_files, BuildError, Loaded};

/// The page a changed content path is, when it is an existing page's file.
fn page_of(loaded: &Loaded, path: &Path) -> Option<usize> {
    let relative = path.strip_prefix(&loaded.config.content_dir).ok()?;
    let source = display_path(relative, Path::new(""));
    loaded.site.page_by_source.get(&source).copied()
}

/// Reads and parses the edited pages. `None` when a change is not a plain edit of existing
/// pages (a file added, removed or renamed, a section file, an attachment, a page turned draft
/// or changing kind).
pub(super) fn read_edits(
    loaded: &Loaded,
    paths: &BTreeSet<PathBuf>,
    drafts: bool,
) -> Result<Option<Edits>, BuildError> {
    let mut diagnostics = Diagnostics::default();
    let mut edits = Vec::new();
    for path in paths {
        let Some(index) = page_of(loaded, path) else {
            return Ok(None);
        };
        if !path.is_file() {
            return Ok(None);
        }
        let file = display_path(path, &loaded.config.root);
        let text = match read_text(path, &file) {
            Ok(text) => text,
            Err(errors) => {
                diagnostics.extend(errors);
                continue;
            }
        };
        // An emptied page is left out of the site, as a full build does.
        if text.trim().is_empty() {
            return Ok(None);
        }
        let (document, warnings) = match parse_document(&file, &text) {
            Ok(parsed) => parsed,
            Err(errors) => {
                diagnostics.extend(errors);
                // As a full build does: the text is checked too, the whole file in one round.
                if let Some((body, body_line)) = body_after_front_matter(&file, &text) {
                    let unparsed = UnparsedPage {
                        source: loaded.site.pages[index].source.clone(),
                        file: file.clone(),
                        body,
                        body_line,
                        materials: materials_despite_errors(&file, &text),
                    };
                    let resolver = Resolver::new(&loaded.site, &generated_files(&loaded.config));
                    diagnostics.extend(check_unparsed(std::slice::from_ref(&unparsed), &resolver));
                }
                continue;
            }
        };
        diagnostics.extend(warnings);
        let old = &loaded.site.pages[index];
        if document.front.draft && !drafts {
            return Ok(None);
        }
        let kind = document
            .front
            .kind
            .unwrap_or(loaded.site.sections[old.section].default_kind);
        if kind != old.kind {
            return Ok(None);
        }
        let page = Page {
            source: old.source.clone(),
            file: old.file.clone(),
            url: old.url.clone(),
            section: old.section,
            kind,
            front: document.front,
            body: document.body,
            body_line: document.body_line,
        };
        if page.is_session() {
            check_session(&page, &mut diagnostics);
        } else {
            diagnostics.extend(session_fields_on_a_note(&page));
        }
        edits.push((index, page));
    }
    let warnings = diagnostics.into_result()?;
    Ok(Some(Edits {
        pages: edits,
        warnings,
    }))
}

/// Edited pages, parsed, with the warnings their files gave.
pub(super) struct Edits {
    pages: Vec<(usize, Page)>,
    warnings: Vec<Diagnostic>,
}

/// What a page shows of itself in lists and links elsewhere.
#[derive(Debug, Clone, PartialEq)]
struct Card {
    title: String,
    date: Option<Date>,
    weight: Option<i64>,
    meeting: Option<String>,
    tags: Vec<String>,
    summary: String,
    /// What the ledger shows of a session.
    session: Option<SessionCard>,
}

/// A session's topic, host, attendance and materials.
#[derive(Debug, Clone, PartialEq)]
struct SessionCard {
    topic: Option<String>,
    host: Option<String>,
    attendees: Option<u32>,
    materials: Vec<Material>,
}

fn card(site: &Site, compiled: &Compiled, index: usize) -> Card {
    let page = &site.pages[index];
    Card {
        title: page.front.title.clone(),
        date: page.front.date,
        weight: page.front.weight,
        meeting: page.front.meeting.clone(),
        tags: page.front.tags.clone(),
        summary: summary_of(page, &compiled.pages[index]),
        session: page.is_session().then(|| SessionCard {
            topic: page.front.topic.clone(),
            host: page.front.host.clone(),
            attendees: page.front.attendees,
            materials: compiled.materials[index].clone(),
        }),
    }
}

/// An applied edit: what to render and index, and how to take it back.
pub(super) struct Plan {
    pub subset: Subset,
    /// Output files that no longer exist (a tag nobody carries, a ledger year gone).
    pub stale_files: Vec<String>,
    /// Pages whose search document changed.
    pub reindex: Vec<usize>,
    /// Sections whose search document changed (their text shows a changed title).
    pub reindex_sections: Vec<usize>,
    pub warnings: Vec<Diagnostic>,
    undo: Undo,
}

/// The state an edit replaced.
struct Undo {
    pages: Vec<(usize, Page)>,
    orders: Vec<(usize, Vec<usize>)>,
    compiled: Vec<(usize, Rendered, Vec<usize>, Vec<String>)>,
    materials: Vec<(usize, Vec<Material>)>,
    sections: Option<Vec<Rendered>>,
    backlinks: Vec<Vec<usize>>,
    studied_in: Vec<Vec<usize>>,
    warnings: Vec<Diagnostic>,
}

pub(super) fn undo(loaded: &mut Loaded, plan: Plan, previous_theme: Option<Theme>) {
    let undo = plan.undo;
    put_back(&mut loaded.site, undo.pages, undo.orders);
    let compiled = &mut loaded.compiled;
    for (index, rendered, outgoing, wikilinks) in undo.compiled {
        compiled.pages[index] = rendered;
        compiled.outgoing[index] = outgoing;
        compiled.wikilinks[index] = wikilinks;
    }
    for (index, materials) in undo.materials {
        compiled.materials[index] = materials;
    }
    if let Some(sections) = undo.sections {
        compiled.sections = sections;
    }
    compiled.backlinks = undo.backlinks;
    compiled.studied_in = undo.studied_in;
    loaded.warnings = undo.warnings;
    if let Some(theme) = previous_theme {
        loaded.theme = theme;
    }
}

/// Puts replaced pages and section orders back into the site.
fn put_back(site: &mut Site, pages: Vec<(usize, Page)>, orders: Vec<(usize, Vec<usize>)>) {
    for (index, page) in pages {
        site.pages[index] = page;
    }
    for (section, order) in orders {
        site.sections[section].pages = order;
    }
}

/// Puts the edited pages into the site, compiles what they affect, and works out which
/// outputs show them. On a content error the site is left as it was.
pub(super) fn apply(loaded: &mut Loaded, edits: Edits) -> Result<Plan, BuildError> {
    let Edits {
        pages: edits,
        warnings: parse_warnings,
    } = edits;
    let site = &mut loaded.site;
    let compiled = &mut loaded.compiled;
    let edited: BTreeSet<usize> = edits.iter().map(|(index, _)| *index).collect();

    // Titles that changed: wikilinks naming the old or the new one resolve differently.
    let mut titles: BTreeSet<&str> = BTreeSet::new();
    let mut label_changed: BTreeSet<usize> = BTreeSet::new();
    for (index, page) in &edits {
        let old = &site.pages[*index].front.title;
        if *old != page.front.title {
            titles.insert(old.as_str());
            titles.insert(page.front.title.as_str());
            label_changed.insert(*index);
        }
    }
    let recompile: BTreeSet<usize> = edited
        .iter()
        .copied()
        .chain((0..site.pages.len()).filter(|&q| {
            compiled.wikilinks[q]
                .iter()
                .any(|name| titles.contains(name.as_str()))
        }))
        .collect();
    let titles_changed = !titles.is_empty();

    let sessions_edited = edits.iter().any(|(_, page)| page.is_session());
    // Tag and meeting pages can only clash anew if an edit changed the names (the last good
    // build had no clash); the check reads every page (6 ms at 10,000 pages).
    let names_changed = edits.iter().any(|(index, page)| {
        let old = &site.pages[*index];
        old.front.tags != page.front.tags
            || old.front.meeting != page.front.meeting
            || old.is_session() != page.is_session()
    });
    // Warnings that compare pages with each other (records, notes of a folder): said anew
    // when an edit may change what they compare (a record, a title, a kind) or touches a file
    // that had a warning, which may be one of them (the check reads every page: ~4 ms at
    // 10,000 pages, each way); the spellings of meetings after an edit of a record.
    let compare_again = sessions_edited
        || titles_changed
        || names_changed
        || loaded
            .warnings
            .iter()
            .any(|w| edits.iter().any(|(index, _)| site.pages[*index].file == w.file));
    let mut duplicates_before = Vec::new();
    if compare_again {
        duplicates_before.extend(crate::ledger::duplicate_warnings(site));
    }
    if sessions_edited {
        duplicates_before.extend(meeting_spellings(&site.pages));
    }
    let sections_touched: BTreeSet<usize> = edits.iter().map(|(_, page)| page.section).collect();
    let before = Before::capture(site, compiled, &edits, &recompile, &sections_touched);

    // Put the pages in.
    let mut undo = Undo {
        pages: Vec::new(),
        orders: Vec::new(),
        compiled: Vec::new(),
        materials: Vec::new(),
        sections: None,
        backlinks: Vec::new(),
        studied_in: Vec::new(),
        warnings: loaded.warnings.clone(),
    };
    for (index, page) in edits {
        undo.pages
            .push((index, std::mem::replace(&mut site.pages[index], page)));
    }
    for &section in &sections_touched {
        let mut order = site.sections[section].pages.clone();
        sort_section_pages(&mut order, &site.pages);
        undo.orders.push((
            section,
            std::mem::replace(&mut site.sections[section].pages, order),
        ));
    }

    // Compile what changed; any broken link undoes the edit.
    let resolver = Resolver::new(site, &generated_files(&loaded.config));
    let mut pages: Vec<(usize, crate::compile::CompiledPage)> = recompile
        .par_iter()
        .map(|&index| (index, compile_page(site, &resolver, index)))
        .collect();
    let mut problems: Vec<Diagnostic> = pages
        .iter_mut()
        .flat_map(|(_, page)| std::mem::take(&mut page.problems))
        .collect();
    let materials: Vec<(usize, Vec<Material>)> = edited
        .iter()
        .map(|&index| {
            let (materials, found) = resolve_materials(site, &resolver, index);
            problems.extend(found);
            (index, materials)
        })
        .collect();
    let sections: Option<Vec<Rendered>> = titles_changed.then(|| {
        (0..site.sections.len())
            .map(|index| {
                let (rendered, found) = compile_section(site, &resolver, index);
                problems.extend(found);
                rendered
            })
            .collect()
    });
    drop(resolver);
    // Links to a place in a page, from the edited pages (the others' warnings stay as they were).
    for (index, page) in pages.iter().filter(|(index, _)| edited.contains(index)) {
        let rendered = |target: usize| {
            pages
                .iter()
                .find(|(other, _)| *other == target)
                .map_or(&compiled.pages[target], |(_, other)| &other.rendered)
        };
        problems.extend(check_anchors(site, *index, &page.anchor_links, rendered));
    }
    let mut diagnostics = Diagnostics::default();
    diagnostics.extend(problems);
    if names_changed {
        check_name_clashes(&site.pages, &mut diagnostics);
    }
    let compile_warnings = match diagnostics.into_result() {
        Ok(warnings) => warnings,
        Err(errors) => {
            put_back(site, undo.pages, undo.orders);
            return Err(errors.into());
        }
    };
    // The warnings of the files not read again stay; the edited files and the duplicate
    // check speak anew.
    let edited_files: BTreeSet<&str> = edited.iter().map(|&e| site.pages[e].file.as_str()).collect();
    let mut warnings: Vec<Diagnostic> = undo
        .warnings
        .iter()
        .filter(|w| !edited_files.contains(w.file.as_str()) && !duplicates_before.contains(w))
        .cloned()
        .collect();
    warnings.extend(parse_warnings);
    // A page compiled again but not edited says its warnings anew too: keep one of each.
    for warning in compile_warnings {
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }
    if compare_again {
        warnings.extend(crate::ledger::duplicate_warnings(site));
    }
    if sessions_edited {
        warnings.extend(meeting_spellings(&site.pages));
    }

    // Store the new compilation, keeping the old for undo.
    undo.backlinks = compiled.backlinks.clone();
    undo.studied_in = compiled.studied_in.clone();
    for (index, page) in pages {
        undo.compiled.push((
            index,
            std::mem::replace(&mut compiled.pages[index], page.rendered),
            std::mem::replace(&mut compiled.outgoing[index], page.outgoing),
            std::mem::replace(&mut compiled.wikilinks[index], page.wikilinks),
        ));
    }
    for (index, list) in materials {
        undo.materials
            .push((index, std::mem::replace(&mut compiled.materials[index], list)));
    }
    let sections_before = sections.map(|new| std::mem::replace(&mut compiled.sections, new));
    compiled.relate(site);

    let sections_recompiled = sections_before.as_deref();
    let outputs = outputs_showing_changes(
        site,
        compiled,
        &before,
        &undo,
        sections_recompiled,
        &recompile,
        label_changed,
        &sections_touched,
    );
    undo.sections = sections_before;
    Ok(Plan {
        subset: outputs.subset,
        stale_files: outputs.stale_files,
        reindex: outputs.reindex.into_iter().collect(),
        reindex_sections: outputs.reindex_sections.into_iter().collect(),
        warnings,
        undo,
    })
}

/// What the site showed before an edit, to compare with after it.
struct Before {
    /// Related pages of every page that may list an edited page differently.
    related: HashMap<usize, Vec<usize>>,
    /// The card of every page compiled again.
    cards: HashMap<usize, Card>,
    /// Every tag, when tags were edited (tag pages come and go only then).
    tags: Option<BTreeSet<String>>,
    /// The ledger's year and meeting pages, when sessions were edited.
    ledger_files: Option<BTreeSet<String>>,
    /// Previous and next page of every page in the edited pages' sections.
    neighbours: HashMap<usize, (Option<usize>, Option<usize>)>,
}

impl Before {
    fn capture(
        site: &Site,
        compiled: &Compiled,
        edits: &[(usize, Page)],
        recompile: &BTreeSet<usize>,
        sections_touched: &BTreeSet<usize>,
    ) -> Before {
        // A page sharing a tag with a page whose tags, date or title changed may list it
        // differently among its related pages.
        let reorders = edits.iter().any(|(index, page)| {
            let old = &site.pages[*index].front;
            old.tags != page.front.tags || old.date != page.front.date || old.title != page.front.title
        });
        let related = if reorders {
            let tag_pages = render::tag_pages(site);
            let mut candidates: BTreeSet<usize> = BTreeSet::new();
            for (index, page) in edits {
                let tags: Vec<String> = site.pages[*index]
                    .front
                    .tags
                    .iter()
                    .chain(&page.front.tags)
                    .cloned()
                    .collect();
                for tag in relating_tags(&tag_pages, &tags) {
                    candidates.extend(tag_pages[tag].iter().copied());
                }
                candidates.insert(*index);
            }
            candidates
                .into_iter()
                .map(|q| (q, related_pages(site, &tag_pages, q)))
                .collect()
        } else {
            HashMap::new()
        };
        let tags_edited = edits
            .iter()
            .any(|(index, page)| site.pages[*index].front.tags != page.front.tags);
        let sessions_edited = edits.iter().any(|(_, page)| page.is_session());
        Before {
            related,
            cards: recompile.iter().map(|&q| (q, card(site, compiled, q))).collect(),
            tags: tags_edited.then(|| tag_names(site)),
            ledger_files: sessions_edited.then(|| ledger_files(site)),
            neighbours: neighbours(site, sections_touched),
        }
    }
}

/// The outputs to render and the documents to index again after an edit, and the files that
/// no longer exist.
struct Outputs {
    subset: Subset,
    reindex: BTreeSet<usize>,
    reindex_sections: BTreeSet<usize>,
    /// Output files that no longer exist (a tag nobody carries, a ledger year gone).
    stale_files: Vec<String>,
}

/// Compares the site before and after an edit: the pages compiled again, and every output
/// that shows one of them (in a list, a link label, neighbours, related pages, the ledger).
#[allow(clippy::too_many_arguments)]
fn outputs_showing_changes(
    site: &Site,
    compiled: &Compiled,
    before: &Before,
    undo: &Undo,
    sections_before: Option<&[Rendered]>,
    recompile: &BTreeSet<usize>,
    mut label_changed: BTreeSet<usize>,
    sections_touched: &BTreeSet<usize>,
) -> Outputs {
    let mut subset = Subset::default();
    let mut reindex: BTreeSet<usize> = recompile.clone();
    let mut reindex_sections: BTreeSet<usize> = BTreeSet::new();
    subset.pages.extend(recompile);
    let mut card_changed: BTreeSet<usize> = BTreeSet::new();
    let mut ledger = false;
    for &q in recompile {
        let card_before = &before.cards[&q];
        let card_after = card(site, compiled, q);
        if *card_before != card_after {
            card_changed.insert(q);
            ledger |= card_before.session.is_some();
            subset.tags_index |= card_before.tags != card_after.tags;
            subset.sitemap |= card_before.date != card_after.date;
            subset
                .tags
                .extend(card_before.tags.iter().chain(&card_after.tags).cloned());
        }
        if card_before.title != card_after.title {
            label_changed.insert(q);
        }
    }
    for &q in &card_changed {
        subset.sections.insert(site.pages[q].section);
        subset.sections.insert(0);
    }
    // Neighbours: the previous/next links of the touched sections.
    for (&page, pair) in &neighbours(site, sections_touched) {
        let shows_changed = [pair.0, pair.1]
            .iter()
            .flatten()
            .any(|p| label_changed.contains(p));
        if before.neighbours.get(&page) != Some(pair) || shows_changed {
            subset.pages.insert(page);
        }
    }
    // Links, backlinks, materials and the sessions that studied a page.
    let shows_session_change = |q: &usize| card_changed.contains(q) || label_changed.contains(q);
    for q in 0..site.pages.len() {
        let backlinks_changed = undo.backlinks[q] != compiled.backlinks[q]
            || compiled.backlinks[q].iter().any(|p| label_changed.contains(p));
        let studied_changed = undo.studied_in[q] != compiled.studied_in[q]
            || compiled.studied_in[q].iter().any(shows_session_change);
        let materials_changed = compiled.materials[q]
            .iter()
            .any(|m| matches!(m, Material::Page(p) if label_changed.contains(p)));
        if backlinks_changed || studied_changed || materials_changed {
            subset.pages.insert(q);
        }
        if undo.studied_in[q].len() != compiled.studied_in[q].len() {
            reindex.insert(q);
            ledger = true;
        }
        ledger |= materials_changed;
    }
    // Related pages.
    if !before.related.is_empty() {
        let tag_pages = render::tag_pages(site);
        for (&q, related_before) in &before.related {
            let after = related_pages(site, &tag_pages, q);
            if *related_before != after || after.iter().any(|p| label_changed.contains(p)) {
                subset.pages.insert(q);
            }
        }
    }
    // Sections whose own text names a changed title.
    if let Some(sections_before) = sections_before {
        for (index, (old, new)) in sections_before.iter().zip(&compiled.sections).enumerate() {
            if old.html != new.html {
                subset.sections.insert(index);
                // Its search document holds that text too.
                reindex_sections.insert(index);
            }
        }
    }
    subset.ledger = ledger;
    let mut stale_files = Vec::new();
    if let Some(tags_before) = &before.tags {
        let tags_after = tag_names(site);
        if *tags_before != tags_after {
            // The sitemap and the tags index list every tag page.
            subset.sitemap = true;
            subset.tags_index = true;
        }
        stale_files.extend(tags_before.difference(&tags_after).map(|t| tag_file(t)));
    }
    if let Some(ledger_before) = &before.ledger_files {
        let ledger_after = ledger_files(site);
        stale_files.extend(ledger_before.difference(&ledger_after).cloned());
        // The sitemap lists the ledger's year and meeting pages too.
        subset.sitemap |= *ledger_before != ledger_after;
    }
    Outputs {
        subset,
        reindex,
        reindex_sections,
        stale_files,
    }
}

/// Each page of `sections` with the pages before and after it.
fn neighbours(site: &Site, sections: &BTreeSet<usize>) -> HashMap<usize, (Option<usize>, Option<usize>)> {
    let mut pairs = HashMap::new();
    for &section in sections {
        let order = &site.sections[section].pages;
        for (position, &page) in order.iter().enumerate() {
            let previous = position.checked_sub(1).map(|p| order[p]);
            pairs.insert(page, (previous, order.get(position + 1).copied()));
        }
    }
    pairs
}

/// Every tag some page carries.
fn tag_names(site: &Site) -> BTreeSet<String> {
    site.pages
        .iter()
        .flat_map(|page| page.front.tags.iter().cloned())
        .collect()
}

/// The ledger's year and meeting pages the site has.
fn ledger_files(site: &Site) -> BTreeSet<String> {
    crate::ledger::years(site)
        .into_iter()
        .map(render::ledger::year_url)
        .chain(
            crate::ledger::meetings(site)
                .iter()
                .map(|m| render::ledger::meeting_url(m)),
        )
        .collect()
}
