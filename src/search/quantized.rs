//! Word scores rounded to a multiple of 1/1024, so that any sum of them is exact in `f32` and
//! does not depend on the order it is added in.
//!
//! Tantivy adds the scores of a query's clauses in an order of its own: an intersection by the
//! clauses' costs, a union in an order that changes as its clauses run out. The browser adds
//! them in the query's order. Rounded to 1/1024 (below 2^14, which no score here reaches) every
//! partial sum is exact, so both engines reach the same total, and the same rank. The static
//! engine rounds each word's score the same way (`wordScores` in search-engine.js).

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// Scores are rounded to a multiple of `1 / SCORE_QUANTUM`.
pub const SCORE_QUANTUM: Score = 1024.0;

/// `score` rounded to the nearest multiple of `1 / SCORE_QUANTUM` (halves away from zero).
pub fn quantize(score: Score) -> Score {
    (score * SCORE_QUANTUM).round() / SCORE_QUANTUM
}

/// A query whose scores are those of `0`, rounded by [`quantize`].
#[derive(Debug)]
pub struct QuantizedQuery(pub Box<dyn Query>);

impl Clone for QuantizedQuery {
    fn clone(&self) -> Self {
        QuantizedQuery(self.0.box_clone())
    }
}

impl Query for QuantizedQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(QuantizedWeight(self.0.weight(scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct QuantizedWeight(Box<dyn Weight>);

impl Weight for QuantizedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(QuantizedScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.0.explain(reader, doc)?;
        let mut explanation = Explanation::new("rounded to 1/1024", quantize(inner.value()));
        explanation.add_detail(inner);
        Ok(explanation)
    }
}

struct QuantizedScorer(Box<dyn Scorer>);

impl DocSet for QuantizedScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for QuantizedScorer {
    fn score(&mut self) -> Score {
        quantize(self.0.score())
    }
}

#[cfg(test)]
mod tests {
    use super::quantize;

    #[test]
    fn sums_of_quantized_scores_do_not_depend_on_their_order() {
        let scores: Vec<f32> = [1000.0, 3.718_281_8, 0.333_333_3, 12.345_679, 0.000_976_6, 80.0]
            .into_iter()
            .map(quantize)
            .collect();
        let forward: f32 = scores.iter().sum();
        let backward: f32 = scores.iter().rev().sum();
        let shuffled = scores[2] + scores[5] + scores[0] + scores[4] + scores[1] + scores[3];
        assert_eq!(forward.to_bits(), backward.to_bits());
        assert_eq!(forward.to_bits(), shuffled.to_bits());
        assert_eq!(
            quantize(0.000_488_281_25),
            0.000_976_562_5,
            "halves away from zero"
        );
    }
}
