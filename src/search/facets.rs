//! Facets: counts of kind, year, meeting and tag over every match of a query, read from the
//! index's fast columns by ordinal, with the names looked up once per query.

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

/// The fast columns facets are counted from, for one segment.
pub(super) struct FacetColumns {
    pub(super) date: tantivy::columnar::Column<u64>,
    pub(super) order: tantivy::columnar::Column<u64>,
    year: tantivy::columnar::Column<u64>,
    kind: Option<tantivy::columnar::StrColumn>,
    meeting: Option<tantivy::columnar::StrColumn>,
    tags: Option<tantivy::columnar::StrColumn>,
    /// Matches per term ordinal of kind, meeting and tags.
    ords: [HashMap<u64, usize>; 3],
    years: HashMap<u64, usize>,
}

impl FacetColumns {
    pub(super) fn open(segment: &tantivy::SegmentReader) -> tantivy::Result<Self> {
        let fast = segment.fast_fields();
        Ok(FacetColumns {
            date: fast.u64("date")?,
            order: fast.u64("order")?,
            year: fast.u64("year")?,
            kind: fast.str("kind")?,
            meeting: fast.str("meeting")?,
            tags: fast.str("tags")?,
            ords: Default::default(),
            years: HashMap::new(),
        })
    }

    /// Counts one matching document by column ordinals; strings are looked up once, at the end.
    pub(super) fn count(&mut self, doc: u32) {
        let [kinds, meetings, tags] = &mut self.ords;
        for (column, counts) in [(&self.kind, kinds), (&self.meeting, meetings), (&self.tags, tags)] {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    *counts.entry(ord).or_default() += 1;
                }
            }
        }
        if let Some(year) = self.year.first(doc).filter(|&y| y > 0) {
            *self.years.entry(year).or_default() += 1;
        }
    }

    /// Adds this segment's counts, as strings, to `counts` (kind, year, meeting, tag).
    pub(super) fn resolve(&self, counts: &mut [BTreeMap<String, usize>; 4]) -> tantivy::Result<()> {
        for (column, ords, slot) in [
            (&self.kind, &self.ords[0], 0),
            (&self.meeting, &self.ords[1], 2),
            (&self.tags, &self.ords[2], 3),
        ] {
            let Some(column) = column else { continue };
            // Read the column's dictionary once, in ordinal order: looking ordinals up one by
            // one decodes a dictionary block each time.
            let mut names = Vec::with_capacity(column.dictionary().num_terms());
            let mut stream = column.dictionary().stream()?;
            while stream.advance() {
                names.push(String::from_utf8_lossy(stream.key()).into_owned());
            }
            for (&ord, &count) in ords {
                if let Some(name) = names.get(ord as usize) {
                    *counts[slot].entry(name.clone()).or_default() += count;
                }
            }
        }
        for (year, count) in &self.years {
            *counts[1].entry(year.to_string()).or_default() += count;
        }
        Ok(())
    }
}

pub(super) fn sorted(counts: BTreeMap<String, usize>) -> Vec<FacetCount> {
    let mut list: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    list
}

pub(super) fn sorted_by_value_desc(counts: BTreeMap<String, usize>) -> Vec<FacetCount> {
    counts
        .into_iter()
        .rev()
        .map(|(value, count)| FacetCount { value, count })
        .collect()
}
