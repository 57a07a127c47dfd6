//! The verbatim file's matches as a Tantivy query: pages by their place in source path order
//! (the `order` fast field), among the documents whose grams are in the file (`verbatim_file`
//! is 1: a full build's, not those `serve` replaced since).

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

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

/// Documents of one build whose grams are in the verbatim file, by their place in source
/// path order with the score each gets (ascending places).
#[derive(Clone, Debug)]
pub struct FileMatchQuery {
    pub matches: Arc<Vec<(u64, Score)>>,
    pub documents: Arc<FileDocuments>,
}

impl Query for FileMatchQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(FileMatchWeight {
            matches: self.matches.clone(),
            documents: self.documents.clone(),
        }))
    }
}

struct FileMatchWeight {
    matches: Arc<Vec<(u64, Score)>>,
    documents: Arc<FileDocuments>,
}

impl FileMatchWeight {
    /// The segment's matching documents with their scores, ascending.
    fn matching(&self, reader: &SegmentReader) -> tantivy::Result<Vec<(DocId, Score)>> {
        if self.matches.is_empty() {
            return Ok(Vec::new());
        }
        let Some(by_order) = self.documents.0.get(&reader.segment_id()) else {
            // A segment the searcher did not know when it opened: every document is read.
            let fast = reader.fast_fields();
            let (order, in_file) = (fast.u64("order")?, fast.u64("verbatim_file")?);
            return Ok((0..reader.max_doc())
                .filter(|&doc| in_file.first(doc) == Some(1))
                .filter_map(|doc| {
                    let order = order.first(doc)?;
                    let at = self
                        .matches
                        .binary_search_by_key(&order, |&(order, _)| order)
                        .ok()?;
                    Some((doc, self.matches[at].1))
                })
                .collect());
        };
        let mut docs: Vec<(DocId, Score)> = self
            .matches
            .iter()
            .filter_map(|&(order, score)| Some((*by_order.get(usize::try_from(order).ok()?)?, score)))
            .filter(|&(doc, _)| doc != NO_DOC)
            .collect();
        // Places ascend, documents need not: segments are filled by several threads.
        docs.sort_unstable_by_key(|&(doc, _)| doc);
        Ok(docs)
    }
}

impl Weight for FileMatchWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = self.matching(reader)?;
        if docs.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        Ok(Box::new(ListScorer { docs, at: 0, boost }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        // `seek` only goes forward: a document before the first match does not match.
        if scorer.doc() > doc || scorer.seek(doc) != doc {
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

/// Documents in ascending order, each with its own score.
struct ListScorer {
    docs: Vec<(DocId, Score)>,
    at: usize,
    boost: Score,
}

impl DocSet for ListScorer {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).map_or(TERMINATED, |&(doc, _)| doc)
    }

    fn size_hint(&self) -> u32 {
        u32::try_from(self.docs.len() - self.at).unwrap_or(u32::MAX)
    }
}

impl Scorer for ListScorer {
    fn score(&mut self) -> Score {
        self.docs
            .get(self.at)
            .map_or(0.0, |&(_, score)| score * self.boost)
    }
}
