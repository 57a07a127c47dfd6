//! BM25's token totals from the documents alive, alike in every index of the same pages: a
//! fresh build's, and `serve`'s after its edits were merged.
//!
//! Tantivy sums each segment's recorded token count, and its merger only estimates that count
//! (from the lossy field-length codes) for a segment with deleted documents. So after `serve`
//! replaced a page and merged, BM25 differed from a fresh build's in the fourth decimal, enough
//! to swap near ties. Here the totals come from the live documents' field-length codes, as the
//! static pack's do. The number of documents stays Tantivy's (deleted ones included until a
//! merge), as term frequencies count them too: IDF needs no more documents in a term's list
//! than in the index (Tantivy asserts it).

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{SegmentReader, Term};

/// Per field, the decoded field lengths of the documents alive, summed over `segments`.
pub fn alive_token_totals(segments: &[SegmentReader], fields: &[Field]) -> tantivy::Result<Vec<u64>> {
    let mut totals = vec![0u64; fields.len()];
    for segment in segments {
        for (total, &field) in totals.iter_mut().zip(fields) {
            let norms = segment.get_fieldnorms_reader(field)?;
            *total += segment
                .doc_ids_alive()
                .map(|doc| u64::from(FieldNormReader::id_to_fieldnorm(norms.fieldnorm_id(doc))))
                .sum::<u64>();
        }
    }
    Ok(totals)
}

/// The statistics of one searcher: token totals of the word fields counted once when it
/// opens (its segments never change); documents and term frequencies from Tantivy.
#[derive(Debug, Clone, Default)]
pub struct AliveStatistics {
    fields: Vec<Field>,
    tokens: Vec<u64>,
}

impl AliveStatistics {
    pub fn read(searcher: &tantivy::Searcher, fields: &[Field]) -> tantivy::Result<AliveStatistics> {
        Ok(AliveStatistics {
            fields: fields.to_vec(),
            tokens: alive_token_totals(searcher.segment_readers(), fields)?,
        })
    }

    /// These statistics, with `searcher` answering for term frequencies.
    pub fn with<'a>(&'a self, searcher: &'a tantivy::Searcher) -> impl Bm25StatisticsProvider + 'a {
        Provider {
            statistics: self,
            searcher,
        }
    }
}

struct Provider<'a> {
    statistics: &'a AliveStatistics,
    searcher: &'a tantivy::Searcher,
}

impl Bm25StatisticsProvider for Provider<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        match self.statistics.fields.iter().position(|&f| f == field) {
            Some(at) => Ok(self.statistics.tokens[at]),
            None => Bm25StatisticsProvider::total_num_tokens(self.searcher, field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.searcher.doc_freq(term)
    }
}
