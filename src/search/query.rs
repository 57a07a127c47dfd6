//! Queries: parse what the reader typed, run it against the index, count facets and build
//! highlighted snippets.
//!
//! The query language: whitespace-separated parts are ANDed; `"a phrase"` must appear exactly;
//! `-word` excludes pages that contain it. A part matches a page that contains it verbatim
//! (its character grams as a phrase: substring semantics) or that contains all its words
//! (jieba), and verbatim matches always rank above word-only matches; within each tier BM25
//! with field boosts decides, and ties go to the newer page, then in source path order. A part
//! that names a year or a month (`2023`, `2023年`, `2023-05`, `2023年5月`) also matches the
//! pages dated in it, as if they held it verbatim. Filters with no query list the pages they
//! admit, newest first.

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use serde::Serialize;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, Occur, PhraseQuery,
    Query, RangeQuery, RegexPhraseQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use super::analyzer::{grams, is_cjk_char, is_stop_word, normalize, query_grams, Analyzer, QueryGram};
use super::dates::{dates_named, leading_date, trailing_date, with_full_year};
use super::facets::{AllMatches, FacetNames, FacetTotals, Match};
pub use super::facets::{FacetCount, Facets};
use super::file_match::{FileDocuments, FileMatchQuery};
use super::numerals::respelled;
use super::quantized::QuantizedQuery;
use super::schema::{gram_fields, register_tokenizers, word_field_boosts, Fields};
use super::segment::{segment_query, split_query, Piece};
use super::snippet::{highlight, snippet};
use super::statistics::AliveStatistics;
use super::suggest::Vocabulary;
use super::verbatim::VerbatimFile;
use super::{DICTIONARY_FILE, INDEX_DIR};
use crate::content::Date;

/// Longest query, in characters, that is run; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;
/// Score added to pages that contain a part verbatim: larger than any BM25 sum, so verbatim
/// matches form the top tier.
pub const VERBATIM_SCORE: f32 = 1000.0;
/// Added to a verbatim match for each gram field that holds it (title, text, session fields
/// and tags, as [`gram_fields`]): the title counts most, then tags and topic, as for words.
/// A part that is no word of the index (`三会`, `新质`) has no BM25 to rank its pages by.
pub const VERBATIM_FIELD_BONUS: [f32; 3] = [80.0, 10.0, 30.0];
/// A section's own page scores this much of what a page would: below the pages that hold the
/// query as it does (in the same tier, half of it puts it under them all), above those that
/// only hold its words apart; found by its title alone (`党建知识`), it still comes first. A
/// power of two, so both engines scale their `f32` sums exactly.
pub const SECTION_SCORE_FACTOR: f32 = 0.5;
/// Characters in a snippet.
pub const SNIPPET_CHARS: usize = 80;
/// Most terms a lone character inside a phrase may stand for, per segment: more than any
/// character starts (tantivy's default, 16,384, is reached by common characters of large
/// sites, and exceeding it is an error, not a shorter list).
const MAX_PHRASE_EXPANSIONS: u32 = 1 << 20;

/// One whitespace-separated part of a query, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub text: String,
    /// `-part`: pages containing it are left out.
    pub exclude: bool,
    /// `"part"`: only verbatim matches count.
    pub exact: bool,
    /// The part with its ordinals spelled the other ways (`第三次` for `第3次`, see
    /// [`respelled`]), matched as well unless the part is quoted.
    pub respelled: Vec<String>,
}

impl Part {
    pub(super) fn new(text: String, exclude: bool, exact: bool) -> Part {
        let respelled = if exact { Vec::new() } else { respelled(&text) };
        Part {
            text,
            exclude,
            exact,
            respelled,
        }
    }

    /// The part spelled the other ways, to be matched as well.
    fn other_spellings(&self) -> impl Iterator<Item = Part> + '_ {
        self.respelled.iter().map(|text| Part {
            text: text.clone(),
            exclude: self.exclude,
            exact: self.exact,
            respelled: Vec::new(),
        })
    }
}

/// Splits a query into parts. Never fails: unbalanced quotes close at the end, a lone `-` is
/// ignored, control characters are spaces.
pub fn parse_query(query: &str) -> Vec<Part> {
    let query: String = query
        .chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| match c {
            '“' | '”' | '＂' => '"',
            '－' => '-',
            c if c.is_control() || c == '\u{3000}' => ' ',
            c => c,
        })
        .collect();
    let mut parts = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut exclude = false;
        if c == '-' {
            chars.next();
            exclude = true;
        }
        let exact = chars.peek() == Some(&'"');
        let mut text = String::new();
        if exact {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                text.push(c);
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                text.push(c);
                chars.next();
            }
        }
        let text = normalize(text.trim());
        // `2024年安全生产`, `安全生产2024年`: the date and the rest are two parts, as if a space
        // stood between.
        if !exact && !exclude {
            let split = leading_date(&text).or_else(|| trailing_date(&text));
            if let Some((first, second)) = split {
                parts.push(Part::new(first, exclude, exact));
                parts.push(Part::new(second, exclude, exact));
                continue;
            }
        }
        if !grams(&text).is_empty() {
            parts.push(Part::new(text, exclude, exact));
        }
    }
    parts
}

/// A search with its filters and page of results.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    pub kind: Option<String>,
    pub meeting: Option<String>,
    pub tag: Option<String>,
    pub year: Option<u16>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Most values listed per facet, the most frequent (all when `None`): a query matching
    /// most pages of a large site has thousands of tags, and the search page shows twelve.
    pub facet_limit: Option<usize>,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Source path relative to content/, with `/`.
    pub path: String,
    /// Output path relative to the output root.
    pub url: String,
    pub title: String,
    /// The title, escaped, with matches in `<mark>`.
    pub title_html: String,
    pub kind: String,
    pub date: Option<String>,
    pub meeting: Option<String>,
    /// Who hosted the session, for records: a query may match it.
    pub host: Option<String>,
    pub tags: Vec<String>,
    pub score: f32,
    /// About 80 characters of the best passage, escaped, with matches in `<mark>`.
    pub snippet: String,
    /// How many session records list this page among their materials.
    pub studied: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchResults {
    pub query: String,
    pub total: usize,
    pub results: Vec<Hit>,
    pub facets: Facets,
    /// Milliseconds spent searching.
    pub took_ms: f64,
    /// When nothing is found: the query with a misspelt character corrected, which finds
    /// pages (see [`super::suggest`]).
    pub suggestion: Option<String>,
}

/// Why an index could not be opened.
#[derive(Debug)]
pub enum OpenError {
    NotBuilt(PathBuf),
    Damaged(PathBuf, String),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message = match self {
            OpenError::NotBuilt(dir) => {
                let dir = dir.display();
                crate::text!(
                    "no search index in `{dir}`\n   help: run `studybook build` first",
                    "`{dir}` 里没有搜索索引\n   提示：请先运行 `studybook build` 生成站点"
                )
            }
            OpenError::Damaged(dir, why) => {
                let dir = dir.display();
                crate::text!(
                    "the search index in `{dir}` is damaged or from another version of studybook ({why})\n   help: run `studybook build` to rebuild it",
                    "`{dir}` 里的搜索索引已损坏，或来自别的 studybook 版本（{why}）\n   提示：请运行 `studybook build` 重新生成"
                )
            }
        };
        write!(f, "{message}")
    }
}

impl std::error::Error for OpenError {}

/// An open index, ready for any number of concurrent searches.
pub struct Searcher {
    pub(super) reader: IndexReader,
    pub(super) fields: Fields,
    verbatim: Arc<VerbatimFile>,
    /// Per segment, its facet names, read at its first query: the reader is never reloaded
    /// (a rebuild opens a new searcher), so segment ordinals stay what they were.
    facet_names: Vec<OnceLock<Arc<FacetNames>>>,
    /// The documents the verbatim file's matches stand for, by segment.
    file_documents: Arc<FileDocuments>,
    /// BM25's statistics, counted from the documents alive.
    statistics: AliveStatistics,
    /// The words corrections come from, read at the first search that finds nothing.
    pub(super) vocabulary: OnceLock<Vocabulary>,
}

/// Scores are compared at a thousandth: the static engine recomputes them in the browser,
/// where the last bits of a float may differ.
fn score_key(score: f32) -> i64 {
    (f64::from(score) * 1000.0).round() as i64
}

/// The order of results: by score (see [`score_key`]), ties to the newer page, then in source
/// path order (the same in every build, and the static pack's id order).
fn rank_order(a: &(i64, Match), b: &(i64, Match)) -> std::cmp::Ordering {
    b.0.cmp(&a.0)
        .then(b.1.date.cmp(&a.1.date))
        .then(a.1.order.cmp(&b.1.order))
        .then(a.1.address.cmp(&b.1.address))
}

impl Searcher {
    /// Opens the index inside an output folder, with the words file the build used.
    pub fn open(output_dir: &Path) -> Result<Searcher, OpenError> {
        Self::reopen(output_dir, None)
    }

    /// Opens the index again after a rebuild, keeping `previous`'s verbatim file if the
    /// rebuild left it as it was (`serve`'s page edits do): it is tens of megabytes on a large
    /// site, and reading it again would delay every edit's reload.
    pub fn reopen(output_dir: &Path, previous: Option<&Searcher>) -> Result<Searcher, OpenError> {
        let dir = output_dir.join(INDEX_DIR);
        if !dir.join("meta.json").is_file() {
            return Err(OpenError::NotBuilt(dir));
        }
        let damaged = |err: &dyn std::fmt::Display| OpenError::Damaged(dir.clone(), err.to_string());
        let dictionary = dir.join(DICTIONARY_FILE);
        let analyzer = Analyzer::for_site(&dir, dictionary.is_file().then_some(dictionary.as_path()))
            .map_err(|problems| damaged(&problems[0]))?;
        let index = Index::open_in_dir(&dir).map_err(|e| damaged(&e))?;
        register_tokenizers(&index, &analyzer);
        let fields = Fields::from_schema(&index.schema()).map_err(|e| damaged(&e))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| damaged(&e))?;
        // Touch every segment's store now, so damage shows here rather than mid-search.
        let searcher = reader.searcher();
        for segment in searcher.segment_readers() {
            segment.get_store_reader(0).map_err(|e| damaged(&e))?;
            segment.fast_fields().u64("date").map_err(|e| damaged(&e))?;
        }
        let verbatim = match previous.filter(|p| p.verbatim.is_current(&dir)) {
            Some(previous) => previous.verbatim.clone(),
            None => Arc::new(VerbatimFile::open(&dir).map_err(|e| damaged(&format!("{e:#}")))?),
        };
        let facet_names = (0..searcher.segment_readers().len())
            .map(|_| OnceLock::new())
            .collect();
        let file_documents =
            Arc::new(FileDocuments::read(searcher.segment_readers()).map_err(|e| damaged(&e))?);
        let word_fields: Vec<Field> = word_field_boosts(&fields)
            .iter()
            .map(|&(field, _)| field)
            .collect();
        let statistics = AliveStatistics::read(&searcher, &word_fields).map_err(|e| damaged(&e))?;
        Ok(Searcher {
            reader,
            fields,
            verbatim,
            facet_names,
            file_documents,
            statistics,
            vocabulary: OnceLock::new(),
        })
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs a search. An empty or punctuation-only query finds nothing, without error; a query
    /// that finds nothing may come with a corrected one that does ([`SearchResults::suggestion`]).
    pub fn search(&self, request: &SearchRequest) -> tantivy::Result<SearchResults> {
        let started = Instant::now();
        let parts = parse_query(&request.query);
        let mut results = self.search_parts(&parts, request)?;
        if results.total == 0 {
            // A correction only helps: if working it out fails, the answer stands without one.
            results.suggestion = self.suggestion(&parts, request).unwrap_or(None);
            results.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        }
        Ok(results)
    }

    pub(super) fn search_parts(
        &self,
        parts: &[Part],
        request: &SearchRequest,
    ) -> tantivy::Result<SearchResults> {
        let started = Instant::now();
        let searcher = self.reader.searcher();
        let mut results = SearchResults {
            query: request.query.chars().take(MAX_QUERY_CHARS).collect(),
            ..Default::default()
        };
        let matched_by: Vec<MatchedBy> = parts
            .iter()
            .map(|part| self.matched_by(&searcher, part))
            .collect();
        let Some(query) = self.build_query(parts, &matched_by, request)? else {
            results.took_ms = started.elapsed().as_secs_f64() * 1000.0;
            return Ok(results);
        };
        // Every match, with the facets counted over all of them.
        let statistics = self.statistics.with(&searcher);
        let segments = searcher.search_with_statistics_provider(&*query, &AllMatches, &statistics)?;
        let names = segments
            .iter()
            .map(|segment| self.facet_names_of(&searcher, segment.segment_ord))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut totals = FacetTotals::default();
        for (segment, names) in segments.iter().zip(&names) {
            totals.add(segment, names);
        }
        results.facets = totals.into_facets();
        if let Some(limit) = request.facet_limit {
            results.facets.truncate(limit);
        }
        let mut ranked: Vec<(i64, Match)> = segments
            .into_iter()
            .flat_map(|segment| segment.matches)
            .map(|found| (score_key(found.score), found))
            .collect();
        results.total = ranked.len();
        // Only the page of results shown is put in order.
        let shown = request.offset.saturating_add(request.limit).min(ranked.len());
        if shown < ranked.len() {
            ranked.select_nth_unstable_by(shown, rank_order);
        }
        ranked[..shown].sort_unstable_by(rank_order);

        let terms = highlight_terms(parts, &matched_by);
        for (_, found) in ranked[..shown].iter().skip(request.offset) {
            let document: TantivyDocument = searcher.doc(found.address)?;
            results.results.push(self.hit(&document, found.score, &terms));
        }
        results.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(results)
    }

    /// The facet names of segment `ord`, read at its first query.
    fn facet_names_of(&self, searcher: &tantivy::Searcher, ord: u32) -> tantivy::Result<Arc<FacetNames>> {
        let read = || FacetNames::read(searcher.segment_reader(ord)).map(Arc::new);
        let Some(slot) = self.facet_names.get(ord as usize) else {
            return read();
        };
        if let Some(names) = slot.get() {
            return Ok(names.clone());
        }
        let names = read()?;
        Ok(slot.get_or_init(|| names).clone())
    }

    fn hit(&self, document: &TantivyDocument, score: f32, terms: &[String]) -> Hit {
        let f = &self.fields;
        let text = |field: Field| {
            document
                .get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
        };
        let title = text(f.title).unwrap_or_default();
        let body = text(f.body).unwrap_or_default();
        let date = document
            .get_first(f.date)
            .and_then(|v| v.as_u64())
            .filter(|&d| d > 0)
            .map(|d| format!("{:04}-{:02}-{:02}", d / 10_000, d / 100 % 100, d % 100));
        Hit {
            path: text(f.path).unwrap_or_default(),
            url: text(f.url).unwrap_or_default(),
            title_html: highlight(&title, terms),
            title,
            kind: text(f.kind).unwrap_or_default(),
            date,
            meeting: text(f.meeting),
            host: text(f.host),
            tags: document
                .get_all(f.tags)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            score,
            snippet: snippet(&body, terms, SNIPPET_CHARS),
            studied: document
                .get_first(f.studied)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
        }
    }

    /// What `part` is matched by besides its text verbatim: its words in the index's vocabulary
    /// ([`segment_query`]) and, when they widen it, its pieces ([`split_query`]). Worked out
    /// once per search, for the query and the highlights alike.
    fn matched_by(&self, searcher: &tantivy::Searcher, part: &Part) -> MatchedBy {
        if part.exclude {
            return MatchedBy::default();
        }
        let in_vocabulary = |word: &str| self.in_vocabulary(searcher, word);
        let words = segment_query(&part.text, in_vocabulary).unwrap_or_default();
        let pieces = if part.exact {
            Vec::new()
        } else {
            Some(split_query(&part.text, in_vocabulary))
                .filter(|pieces| pieces_widen(pieces, &words))
                .unwrap_or_default()
        };
        let respelled = part
            .other_spellings()
            .map(|other| (self.matched_by(searcher, &other), other))
            .collect();
        MatchedBy {
            words,
            pieces,
            respelled,
        }
    }

    /// Whether `word` is a term of a word field.
    pub(super) fn in_vocabulary(&self, searcher: &tantivy::Searcher, word: &str) -> bool {
        word_field_boosts(&self.fields).iter().any(|&(field, _)| {
            searcher.segment_readers().iter().any(|segment| {
                segment
                    .inverted_index(field)
                    .ok()
                    .and_then(|inverted| inverted.terms().get(word.as_bytes()).ok().flatten())
                    .is_some()
            })
        })
    }

    fn build_query(
        &self,
        parts: &[Part],
        matched_by: &[MatchedBy],
        request: &SearchRequest,
    ) -> tantivy::Result<Option<Box<dyn Query>>> {
        let positive: Vec<(&Part, &MatchedBy)> = parts
            .iter()
            .zip(matched_by)
            .filter(|(p, _)| !p.exclude && !is_stop_word(&p.text))
            .collect();
        let filtered = request.kind.is_some()
            || request.meeting.is_some()
            || request.tag.is_some()
            || request.year.is_some()
            || request.from.is_some()
            || request.to.is_some();
        if positive.is_empty() && !filtered {
            return Ok(None);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Filters alone list every page they admit, newest first.
        if positive.is_empty() {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
            ));
        }
        for (part, by) in positive {
            clauses.push((Occur::Must, self.spelled_either_way(part, by)?));
        }
        for part in parts.iter().filter(|p| p.exclude) {
            clauses.push((Occur::MustNot, self.verbatim_query(&part.text)?));
            for other in &part.respelled {
                clauses.push((Occur::MustNot, self.verbatim_query(other)?));
            }
            // `-2023年` leaves out the pages dated then too, as `2023年` finds them; quoted,
            // only the text counts.
            if let Some(range) = dates_named(&part.text).filter(|_| !part.exact) {
                clauses.push((Occur::MustNot, self.dated_query(range)));
            }
        }
        let f = &self.fields;
        // Filters must not change scores: only the parts score.
        let filter = |query: Box<dyn Query>| -> Box<dyn Query> { Box::new(ConstScoreQuery::new(query, 0.0)) };
        let raw = |field: Field, value: &str| -> Box<dyn Query> {
            filter(Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            )))
        };
        if let Some(kind) = &request.kind {
            clauses.push((Occur::Must, raw(f.kind, kind)));
        }
        if let Some(meeting) = &request.meeting {
            clauses.push((Occur::Must, raw(f.meeting, meeting)));
        }
        if let Some(tag) = &request.tag {
            clauses.push((Occur::Must, raw(f.tags, tag)));
        }
        if let Some(year) = request.year {
            clauses.push((
                Occur::Must,
                filter(Box::new(TermQuery::new(
                    Term::from_field_u64(f.year, u64::from(year)),
                    IndexRecordOption::Basic,
                ))),
            ));
        }
        if request.from.is_some() || request.to.is_some() {
            let bound = |date: Option<Date>| {
                date.map_or(Bound::Unbounded, |d| {
                    Bound::Included(Term::from_field_u64(f.date, u64::from(d.ordinal())))
                })
            };
            let lower = match request.from {
                Some(_) => bound(request.from),
                // Undated pages (date 0) never match a date range.
                None => Bound::Included(Term::from_field_u64(f.date, 1)),
            };
            clauses.push((
                Occur::Must,
                filter(Box::new(RangeQuery::new(lower, bound(request.to)))),
            ));
        }
        Ok(Some(Box::new(BooleanQuery::new(clauses))))
    }

    /// A part, and its other spellings when it has some: a page scores the highest of them (as
    /// if it were one part, whichever way the page spells it).
    fn spelled_either_way(&self, part: &Part, by: &MatchedBy) -> tantivy::Result<Box<dyn Query>> {
        let query = self.part_query(part, by)?;
        if by.respelled.is_empty() {
            return Ok(query);
        }
        let mut spellings = vec![query];
        for (other_by, other) in &by.respelled {
            spellings.push(self.part_query(other, other_by)?);
        }
        Ok(Box::new(DisjunctionMaxQuery::new(spellings)))
    }

    /// A part: verbatim (top tier) or, unless exact, all of its words; BM25 of its words ranks
    /// within each tier.
    fn part_query(&self, part: &Part, by: &MatchedBy) -> tantivy::Result<Box<dyn Query>> {
        let verbatim = self.verbatim_query(&part.text)?;
        let words = &by.words;
        // BM25 of the part's words: one word, or all of them.
        let scoring: Box<dyn Query> = if words.len() < 2 {
            self.words_query(words)
        } else {
            Box::new(BooleanQuery::new(
                words
                    .iter()
                    .map(|word| (Occur::Must, self.words_query(std::slice::from_ref(word))))
                    .collect(),
            ))
        };
        // Exact: only verbatim matches, ranked by their words. Otherwise verbatim matches or
        // pages with all the words (one word: verbatim covers every page that has it), or
        // with all its pieces.
        let verbatim_occur = if part.exact { Occur::Must } else { Occur::Should };
        // A year, month or day: the pages dated in it, in the verbatim tier; a page that also
        // holds it verbatim counts it once (the higher of the two), or every record, whose
        // title says its year, would outrank the page about the rest of the query.
        let verbatim = match (!part.exact).then(|| dates_named(&part.text)).flatten() {
            Some(range) => Box::new(DisjunctionMaxQuery::new(vec![verbatim, self.dated_query(range)])),
            None => verbatim,
        };
        let mut clauses = vec![(verbatim_occur, verbatim), (Occur::Should, scoring)];
        if !by.pieces.is_empty() {
            let mut all = Vec::new();
            for piece in &by.pieces {
                all.push((
                    Occur::Must,
                    match piece {
                        Piece::Word(word) => self.words_query(std::slice::from_ref(word)),
                        // Holding a piece verbatim only admits a page: the tier of verbatim
                        // matches is the whole part's.
                        Piece::Verbatim(text) => {
                            Box::new(ConstScoreQuery::new(self.verbatim_query(text)?, 0.0))
                        }
                    },
                ));
            }
            clauses.push((Occur::Should, Box::new(BooleanQuery::new(all))));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// The pages dated from `from` to `to` (`YYYYMMDD`, both included), scoring
    /// [`VERBATIM_SCORE`].
    fn dated_query(&self, (from, to): (u32, u32)) -> Box<dyn Query> {
        let day = |ordinal: u32| Bound::Included(Term::from_field_u64(self.fields.date, u64::from(ordinal)));
        Box::new(ConstScoreQuery::new(
            Box::new(RangeQuery::new(day(from), day(to))),
            VERBATIM_SCORE,
        ))
    }

    /// BM25 over the word fields, with their boosts, for any of `words`.
    fn words_query(&self, words: &[String]) -> Box<dyn Query> {
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in words {
            for (field, boost) in word_field_boosts(&self.fields) {
                let term = TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs);
                // Rounded, so the engines' sums agree whatever order they add in.
                let boosted = BoostQuery::new(Box::new(term), boost);
                should.push((Occur::Should, Box::new(QuantizedQuery(Box::new(boosted)))));
            }
        }
        if should.is_empty() {
            return Box::new(EmptyQuery);
        }
        Box::new(BooleanQuery::new(should))
    }

    /// Pages that contain `text` verbatim in their title, text or session fields: from the
    /// verbatim file for the build's pages, from the gram fields for pages `serve` replaced.
    /// Each scores [`verbatim_score`] of the fields that hold it, alike from both.
    fn verbatim_query(&self, text: &str) -> tantivy::Result<Box<dyn Query>> {
        let grams = query_grams(text);
        let matches = self
            .verbatim
            .matches(text)
            .into_iter()
            .map(|(order, fields)| (order, verbatim_score(fields)))
            .collect();
        let mut should: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Should,
            Box::new(FileMatchQuery {
                matches: Arc::new(matches),
                documents: self.file_documents.clone(),
            }),
        )];
        let mut per_field = Vec::new();
        for field in gram_fields(&self.fields) {
            per_field.extend(gram_field_query(field, &grams)?);
        }
        if per_field.is_empty() {
            return Ok(Box::new(BooleanQuery::new(should)));
        }
        // VERBATIM_SCORE once, whichever fields match, then each field's bonus; a lone
        // character gets none, as its entry in the file names no fields.
        let any_field = BooleanQuery::new(
            per_field
                .iter()
                .map(|query| (Occur::Should, query.box_clone()))
                .collect(),
        );
        let mut in_fields: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(any_field), VERBATIM_SCORE)),
        )];
        let lone_character = matches!(grams.as_slice(), [single] if single.prefix);
        if !lone_character {
            for (query, bonus) in per_field.into_iter().zip(VERBATIM_FIELD_BONUS) {
                in_fields.push((Occur::Should, Box::new(ConstScoreQuery::new(query, bonus))));
            }
        }
        should.push((Occur::Should, Box::new(BooleanQuery::new(in_fields))));
        Ok(Box::new(BooleanQuery::new(should)))
    }
}

/// Whether a part is also matched by its `pieces`: when they differ from its `words` (empty:
/// it is no words of the index), hold a word, and say enough: a piece of two or more characters
/// no word covers (`四风问题` in “四风”问题: `四风`), or two words or more (`党史教育常态化`).
/// A part that is one word of the index (`主题教育`) means that word, and pages holding only
/// its common halves apart (主题党日…教育) are not what was asked.
pub fn pieces_widen(pieces: &[Piece], words: &[String]) -> bool {
    let same_as_words = pieces.len() == words.len()
        && pieces
            .iter()
            .zip(words)
            .all(|(piece, word)| *piece == Piece::Word(word.clone()));
    let specific = || {
        pieces
            .iter()
            .any(|piece| matches!(piece, Piece::Verbatim(text) if text.chars().count() > 1))
    };
    let word_pieces = pieces
        .iter()
        .filter(|piece| matches!(piece, Piece::Word(_)))
        .count();
    // One word and a lone character (`总书记` as 总 + 书记, `大学地`) would admit every page with
    // that word and that character anywhere: no.
    !same_as_words && word_pieces > 0 && (specific() || (word_pieces > 1 && words.len() != 1))
}

/// What a part is matched by besides its text verbatim (see [`Searcher::matched_by`]).
#[derive(Default)]
struct MatchedBy {
    /// Its words: all of them match it, and their BM25 ranks it.
    words: Vec<String>,
    /// Its pieces, when they widen it (empty otherwise): all of them match it too.
    pieces: Vec<Piece>,
    /// What its other spellings are matched by, and each spelling (see [`Part::respelled`]).
    respelled: Vec<(MatchedBy, Part)>,
}

/// What snippets mark: each part that is not excluded, its words unless it is an exact phrase,
/// and its pieces when they widen it.
fn highlight_terms(parts: &[Part], matched_by: &[MatchedBy]) -> Vec<String> {
    let mut terms = Vec::new();
    for (part, by) in parts.iter().zip(matched_by).filter(|(p, _)| !p.exclude) {
        push_highlight_terms(part, by, &mut terms);
        // Its other spellings, after: the engines list terms in the same order.
        for (other_by, other) in &by.respelled {
            push_highlight_terms(other, other_by, &mut terms);
        }
    }
    terms.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
    terms.dedup();
    terms
}

fn push_highlight_terms(part: &Part, by: &MatchedBy, terms: &mut Vec<String>) {
    terms.push(part.text.clone());
    if !part.exact {
        terms.extend(with_full_year(&part.text));
        terms.extend(highlighted_pieces(&part.text, &by.pieces));
        terms.extend(by.words.iter().cloned());
    }
}

/// What snippets mark of a part's pieces: each run of consecutive pieces as the part writes it,
/// of two characters or more: `第2次` and 室务会 of `室务会第2次` (a number and what it counts are
/// one piece already, see `segment::bind_numbers`), 常态化 of `党史教育常态化` (… 常态 · 化) as
/// well as 常态. A lone CJK character between two pieces may belong to either, so a run neither
/// starts nor ends with it (`书记讲党课` marks neither 书记讲 nor 讲党课) unless it is the part's
/// own first or last (常态化). A lone character alone would be marked all over the text. The
/// browser ports this.
fn highlighted_pieces(part: &str, pieces: &[Piece]) -> Vec<String> {
    let lone = |piece: &Piece| {
        let mut chars = piece.text().chars();
        matches!((chars.next(), chars.next()), (Some(c), None) if is_cjk_char(c))
    };
    let mut runs = Vec::new();
    for from in 0..pieces.len() {
        let mut run = String::new();
        for to in from + 1..=pieces.len() {
            run.push_str(pieces[to - 1].text());
            let ambiguous = (from > 0 && lone(&pieces[from])) || (to < pieces.len() && lone(&pieces[to - 1]));
            if !ambiguous && run.chars().count() > 1 && part.contains(run.as_str()) {
                runs.push(run.clone());
            }
        }
    }
    runs
}

/// The score of a verbatim match: [`VERBATIM_SCORE`], and the bonus of each gram field that
/// holds it (bit `f` for the `f`-th of [`gram_fields`]). Whole numbers, so both engines add
/// them exactly.
pub fn verbatim_score(fields: u8) -> f32 {
    VERBATIM_FIELD_BONUS
        .iter()
        .enumerate()
        .filter(|(field, _)| fields & (1 << field) != 0)
        .map(|(_, bonus)| bonus)
        .sum::<f32>()
        + VERBATIM_SCORE
}

/// The query of one gram field for a verbatim match of `grams`; `None` for no grams.
fn gram_field_query(field: Field, grams: &[QueryGram]) -> tantivy::Result<Option<Box<dyn Query>>> {
    let exact = |text: &str| Term::from_field_text(field, text);
    Ok(match grams {
        [] => None,
        [single] if single.prefix => {
            // Every term starting with the character: it stands at the start of a bigram, or
            // alone at the end of a run. An automaton over the terms, so there is no limit to
            // how many (a common character starts thousands).
            let pattern = format!("{}.*", regex_escape(&single.text));
            Some(Box::new(RegexQuery::from_pattern(&pattern, field)?))
        }
        [single] => Some(Box::new(TermQuery::new(
            exact(&single.text),
            IndexRecordOption::Basic,
        ))),
        many if many.iter().all(|g| !g.prefix) => {
            let first = many[0].position;
            let terms = many
                .iter()
                .map(|g| (g.position - first, exact(&g.text)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
        many => {
            // A lone CJK character among other grams ("2024年"): any term starting with it may
            // stand at its position.
            let first = many[0].position;
            let patterns = many
                .iter()
                .map(|g| {
                    let literal = regex_escape(&g.text);
                    (
                        g.position - first,
                        if g.prefix { format!("{literal}.*") } else { literal },
                    )
                })
                .collect();
            let mut query = RegexPhraseQuery::new_with_offset(field, patterns);
            query.set_max_expansions(MAX_PHRASE_EXPANSIONS);
            Some(Box::new(query))
        }
    })
}

/// Escapes the characters regular expressions treat specially.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~\"".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts_phrases_and_exclusions() {
        let parts = parse_query("安全生产  \"两个 确立\" -疫情 - ＡＢＣ");
        let shown: Vec<(&str, bool, bool)> = parts
            .iter()
            .map(|p| (p.text.as_str(), p.exclude, p.exact))
            .collect();
        assert_eq!(
            shown,
            [
                ("安全生产", false, false),
                ("两个 确立", false, true),
                ("疫情", true, false),
                ("abc", false, false)
            ]
        );
    }

    #[test]
    fn ordinals_are_respelled_unless_quoted() {
        let parts = parse_query("2024年第三次 -第2次 \"第4次\" 第一议题");
        let shown: Vec<(&str, Option<&str>)> = parts
            .iter()
            .map(|p| (p.text.as_str(), p.respelled.first().map(String::as_str)))
            .collect();
        assert_eq!(
            shown,
            [
                ("2024年", None),
                ("第三次", Some("第3次")),
                ("第2次", Some("第二次")),
                ("第4次", None),
                ("第一议题", None)
            ]
        );
    }

    #[test]
    fn odd_queries_never_fail() {
        assert!(parse_query("").is_empty());
        assert!(parse_query("，。！？ ...").is_empty());
        assert_eq!(parse_query("\"未闭合 引号").len(), 1);
        assert_eq!(
            parse_query(&"长".repeat(10_000))[0].text.chars().count(),
            MAX_QUERY_CHARS
        );
    }
}
