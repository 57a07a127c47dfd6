//! The verbatim file's matches as a Tantivy query: pages by their place in source path order
//! (the `order` fast field), among the documents whose grams are in the file (`verbatim_file`
//! is 1: a full build's, not those `serve` replaced since).

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{BitSet, DocId, DocSet as _, Score, SegmentReader, TantivyError};

/// Per segment, its documents whose grams are in the verbatim file, by their place in source
/// path order: a query then looks up each of its matches instead of reading every document's
/// columns (a fifth of the time of a query that matches most pages).
#[derive(Debug, Default)]
pub struct FileDocuments(HashMap<SegmentId, Vec<DocId>>);

/// In [`FileDocuments`]: no document of the segment has this place.
const NO_DOC: DocId = DocId::MAX;

impl FileDocuments {
    /// Reads the `order` and `verbatim_file` columns of every segment.
    pub fn read(segments: &[SegmentReader]) -> tantivy::Result<FileDocuments> {
        // Places are below the number of documents: a damaged column must not make this
        // allocate more.
        let places: usize = segments.iter().map(|segment| segment.max_doc() as usize).sum();
        let mut by_segment = HashMap::new();
        for reader in segments {
            let fast = reader.fast_fields();
            let order = fast.u64("order")?;
            let in_file = fast.u64("verbatim_file")?;
            let mut docs: Vec<DocId> = Vec::new();
            for doc in 0..reader.max_doc() {
                if in_file.first(doc) != Some(1) || reader.is_deleted(doc) {
                    continue;
                }
                let Some(order) = order
                    .first(doc)
                    .and_then(|order| usize::try_from(order).ok())
                    .filter(|&order| order < places)
                else {
                    continue;
                };
                if order >= docs.len() {
                    docs.resize(order + 1, NO_DOC);
                }
                docs[order] = doc;
            }
            by_segment.insert(reader.segment_id(), docs);
        }
        Ok(FileDocuments(by_segment))
    }
}

/// Documents of one build whose grams are in the verbatim file and whose place in source path
/// order is in `orders`: each scores `boost`.
#[derive(Clone, Debug)]
pub struct FileMatchQuery {
    pub orders: Arc<Vec<u64>>,
    pub documents: Arc<FileDocuments>,
}

impl Query for FileMatchQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(FileMatchWeight {
            orders: self.orders.clone(),
            documents: self.documents.clone(),
        }))
    }
}

struct FileMatchWeight {
    orders: Arc<Vec<u64>>,
    documents: Arc<FileDocuments>,
}

impl FileMatchWeight {
    fn matching(&self, reader: &SegmentReader) -> tantivy::Result<Vec<DocId>> {
        if self.orders.is_empty() {
            return Ok(Vec::new());
        }
        let Some(by_order) = self.documents.0.get(&reader.segment_id()) else {
            // A segment the searcher did not know when it opened: every document is read.
            let fast = reader.fast_fields();
            let (order, in_file) = (fast.u64("order")?, fast.u64("verbatim_file")?);
            return Ok((0..reader.max_doc())
                .filter(|&doc| {
                    in_file.first(doc) == Some(1)
                        && order
                            .first(doc)
                            .is_some_and(|order| self.orders.binary_search(&order).is_ok())
                })
                .collect());
        };
        Ok(self
            .orders
            .iter()
            .filter_map(|&order| by_order.get(usize::try_from(order).ok()?).copied())
            .filter(|&doc| doc != NO_DOC)
            .collect())
    }
}

impl Weight for FileMatchWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = self.matching(reader)?;
        if docs.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        let mut set = BitSet::with_max_value(reader.max_doc());
        for doc in docs {
            set.insert(doc);
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(set), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new(
            "verbatim, from the verbatim file",
            scorer.score(),
        ))
    }
}
