//! The verbatim file's matches as a Tantivy query: pages by their place in source path order
//! (the `order` fast field), among the documents whose grams are in the file (`verbatim_file`
//! is 1: a full build's, not those `serve` replaced since).

use std::sync::Arc;

use tantivy::query::{
    BitSetDocSet, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{BitSet, DocId, DocSet as _, Score, SegmentReader, TantivyError};

/// Documents of one build whose grams are in the verbatim file and whose place in source path
/// order is in `orders` (ascending): each scores `boost`.
#[derive(Clone, Debug)]
pub struct FileMatchQuery {
    pub orders: Arc<Vec<u64>>,
}

impl Query for FileMatchQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(FileMatchWeight {
            orders: self.orders.clone(),
        }))
    }
}

struct FileMatchWeight {
    orders: Arc<Vec<u64>>,
}

impl FileMatchWeight {
    fn matching(&self, reader: &SegmentReader) -> tantivy::Result<Vec<DocId>> {
        if self.orders.is_empty() {
            return Ok(Vec::new());
        }
        let fast = reader.fast_fields();
        let order = fast.u64("order")?;
        let in_file = fast.u64("verbatim_file")?;
        Ok((0..reader.max_doc())
            .filter(|&doc| {
                in_file.first(doc) == Some(1)
                    && order
                        .first(doc)
                        .is_some_and(|order| self.orders.binary_search(&order).is_ok())
            })
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
