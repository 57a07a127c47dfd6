//! Facets: counts of kind, year, meeting and tag over every match of a query, read from the
//! index's fast columns by ordinal as the matches are collected, with the names read once per
//! segment.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: usize,
}

/// Counts over all matches (not only the page of results shown).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    pub kind: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
    pub meeting: Vec<FacetCount>,
    pub tag: Vec<FacetCount>,
}

impl Facets {
    /// Keeps the first `limit` values of each facet (the most frequent; the newest years).
    pub fn truncate(&mut self, limit: usize) {
        for list in [&mut self.kind, &mut self.year, &mut self.meeting, &mut self.tag] {
            list.truncate(limit);
        }
    }
}

/// Collects every match of a query, with what ranks it, counting facets as the documents
/// stream by (one pass, each segment's columns opened once). Tantivy's top-docs collector
/// with room for every document kept a heap of them all: half the time of a query that
/// matches most pages.
pub(super) struct AllMatches;

/// One match: its score and its tie-breaks.
#[derive(Debug, Clone, Copy)]
pub(super) struct Match {
    pub(super) score: f32,
    pub(super) date: u64,
    pub(super) order: u64,
    pub(super) address: tantivy::DocAddress,
}

/// A segment's matches and facet counts.
pub(super) struct SegmentMatches {
    pub(super) segment_ord: u32,
    columns: FacetColumns,
    pub(super) matches: Vec<Match>,
}

impl tantivy::collector::Collector for AllMatches {
    type Fruit = Vec<SegmentMatches>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment_ord: tantivy::SegmentOrdinal,
        segment: &tantivy::SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            segment_ord,
            columns: FacetColumns::open(segment)?,
            matches: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, segments: Vec<SegmentMatches>) -> tantivy::Result<Vec<SegmentMatches>> {
        Ok(segments)
    }
}

impl tantivy::collector::SegmentCollector for SegmentMatches {
    type Fruit = SegmentMatches;

    fn collect(&mut self, doc: tantivy::DocId, score: tantivy::Score) {
        let columns = &mut self.columns;
        let score = if columns.count(doc) {
            score * super::query::SECTION_SCORE_FACTOR
        } else {
            score
        };
        self.matches.push(Match {
            score,
            date: columns.date.first(doc).unwrap_or(0),
            order: columns.order.first(doc).unwrap_or(u64::MAX),
            address: tantivy::DocAddress::new(self.segment_ord, doc),
        });
    }

    fn harvest(self) -> SegmentMatches {
        self
    }
}

/// Facet counts over every segment of a query, by name (borrowed from the segments' names
/// until the end: a tag met in every segment is not copied each time).
#[derive(Default)]
pub(super) struct FacetTotals<'a> {
    /// Kind, meeting and tag.
    named: [HashMap<&'a str, usize>; 3],
    years: HashMap<u64, usize>,
}

impl<'a> FacetTotals<'a> {
    /// Adds a segment's counts, with its names (see [`FacetNames`]).
    pub(super) fn add(&mut self, segment: &SegmentMatches, names: &'a FacetNames) {
        for ((ords, names), totals) in segment.columns.ords.iter().zip(&names.0).zip(&mut self.named) {
            for (ord, &count) in ords.iter().enumerate().filter(|(_, &count)| count > 0) {
                if let Some(name) = names.get(ord) {
                    *totals.entry(name.as_str()).or_default() += count;
                }
            }
        }
        for (&year, &count) in &segment.columns.years {
            *self.years.entry(year).or_default() += count;
        }
    }

    /// Most frequent first (ties by name); years newest first.
    pub(super) fn into_facets(self) -> Facets {
        let [kind, meeting, tag] = self.named;
        let sorted = |counts: HashMap<&str, usize>| {
            let mut list: Vec<FacetCount> = counts
                .into_iter()
                .map(|(value, count)| FacetCount {
                    value: value.to_string(),
                    count,
                })
                .collect();
            list.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            list
        };
        let years: BTreeMap<String, usize> = self
            .years
            .into_iter()
            .map(|(year, count)| (year.to_string(), count))
            .collect();
        Facets {
            kind: sorted(kind),
            year: years
                .into_iter()
                .rev()
                .map(|(value, count)| FacetCount { value, count })
                .collect(),
            meeting: sorted(meeting),
            tag: sorted(tag),
        }
    }
}

/// The names of a segment's kinds, meetings and tags, by term ordinal: read once per segment
/// and kept (a segment never changes), where reading the dictionaries at every query took a
/// fifth of the time of one that matches most pages (7,913 tags at 10,000 pages).
pub(super) struct FacetNames([Vec<String>; 3]);

impl FacetNames {
    pub(super) fn read(segment: &tantivy::SegmentReader) -> tantivy::Result<FacetNames> {
        let fast = segment.fast_fields();
        let mut names: [Vec<String>; 3] = Default::default();
        for (column, names) in ["kind", "meeting", "tags"].into_iter().zip(&mut names) {
            let Some(column) = fast.str(column)? else { continue };
            // In ordinal order, one pass: looking ordinals up one by one decodes a dictionary
            // block each time.
            names.reserve(column.dictionary().num_terms());
            let mut stream = column.dictionary().stream()?;
            while stream.advance() {
                names.push(String::from_utf8_lossy(stream.key()).into_owned());
            }
        }
        Ok(FacetNames(names))
    }
}

/// The fast columns facets are counted from, for one segment.
struct FacetColumns {
    date: tantivy::columnar::Column<u64>,
    order: tantivy::columnar::Column<u64>,
    year: tantivy::columnar::Column<u64>,
    /// Kind, meeting and tags.
    columns: [Option<tantivy::columnar::StrColumn>; 3],
    /// Matches per term ordinal of kind, meeting and tags.
    ords: [Vec<usize>; 3],
    years: HashMap<u64, usize>,
    /// The kind column's ordinal of sections' own pages, when the segment holds one.
    section_ord: Option<u64>,
}

impl FacetColumns {
    fn open(segment: &tantivy::SegmentReader) -> tantivy::Result<Self> {
        let fast = segment.fast_fields();
        let columns = [fast.str("kind")?, fast.str("meeting")?, fast.str("tags")?];
        let ords = std::array::from_fn(|at| {
            vec![
                0;
                columns[at]
                    .as_ref()
                    .map_or(0, |column| column.dictionary().num_terms())
            ]
        });
        let section_ord = match &columns[0] {
            Some(kind) => kind.dictionary().term_ord(super::index::SECTION_KIND)?,
            None => None,
        };
        Ok(FacetColumns {
            date: fast.u64("date")?,
            order: fast.u64("order")?,
            year: fast.u64("year")?,
            columns,
            ords,
            years: HashMap::new(),
            section_ord,
        })
    }

    /// Counts one matching document by column ordinals (strings are looked up once, at the
    /// end), and says whether it is a section's own page (its kind, read once for both).
    fn count(&mut self, doc: u32) -> bool {
        let mut is_section = false;
        for (at, (column, counts)) in self.columns.iter().zip(&mut self.ords).enumerate() {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    is_section |= at == 0 && Some(ord) == self.section_ord;
                    if let Some(count) = counts.get_mut(ord as usize) {
                        *count += 1;
                    }
                }
            }
        }
        if let Some(year) = self.year.first(doc).filter(|&y| y > 0) {
            *self.years.entry(year).or_default() += 1;
        }
        is_section
    }
}
