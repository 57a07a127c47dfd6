//! Postings read back from the index's segments and encoded for the pack as they stream by,
//! so memory holds only the encoded bytes. Pack document ids are the documents' `order` (their
//! place in source path order), whichever segment holds them: the segments' term dictionaries
//! are walked together, and each term's documents gathered from all segments in id order.

use std::collections::BTreeMap;

use rayon::prelude::*;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::termdict::TermMerger;
use tantivy::{DocSet, SegmentReader, TERMINATED};

use super::files::{fnv1a_bytes, push_varint};
use crate::search::analyzer::is_cjk_char;

/// One term's postings in one field, encoded as they are read, in pack id order: per document
/// `(delta << 1) | more`, where `more` says a count follows (positions for grams, term
/// frequency for words). The document count goes in front when the term is written.
#[derive(Clone, Default)]
pub(super) struct EncodedPostings {
    docs: u32,
    last: u32,
    bytes: Vec<u8>,
}

impl EncodedPostings {
    /// Adds a document and, when above one, its count; positions follow for grams.
    fn push_doc(&mut self, doc: u32, count: u32) {
        let more = count > 1;
        push_varint(
            &mut self.bytes,
            (u64::from(doc - self.last) << 1) | u64::from(more),
        );
        if more {
            push_varint(&mut self.bytes, u64::from(count));
        }
        self.docs += 1;
        self.last = doc;
    }
}

/// One term's documents in one field, from every segment, in pack id order.
#[derive(Default)]
struct TermDocs {
    /// Per document: its pack id, its term frequency, and where its positions start.
    docs: Vec<(u32, u32, usize)>,
    /// Positions of all documents (grams only), each document's in ascending order.
    positions: Vec<u32>,
}

impl TermDocs {
    fn positions_of(&self, at: usize) -> &[u32] {
        let (_, count, start) = self.docs[at];
        self.positions.get(start..start + count as usize).unwrap_or(&[])
    }
}

/// Visits every term of `field` in all segments, in byte order, with its documents in pack id
/// order. Segments built in source path order hold ascending ids, but after `serve` replaced
/// pages and merged, the replaced ones come last: the documents are sorted when needed.
fn for_each_term(
    segments: &[SegmentReader],
    ids: &[Vec<u32>],
    field: Field,
    option: IndexRecordOption,
    wanted: impl Fn(&[u8]) -> bool,
    mut visit: impl FnMut(&str, &TermDocs) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let inverted = segments
        .iter()
        .map(|segment| segment.inverted_index(field))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let streams = inverted
        .iter()
        .map(|index| index.terms().stream())
        .collect::<std::io::Result<Vec<_>>>()?;
    let with_positions = option.has_positions();
    let mut merger = TermMerger::new(streams);
    let mut term_docs = TermDocs::default();
    let mut scratch = Vec::new();
    while merger.advance() {
        if !wanted(merger.key()) {
            continue;
        }
        term_docs.docs.clear();
        term_docs.positions.clear();
        for (segment, info) in merger.current_segment_ords_and_term_infos() {
            let mut postings = inverted[segment].read_postings_from_terminfo(&info, option)?;
            while postings.doc() != TERMINATED {
                let id = ids[segment][postings.doc() as usize];
                if with_positions {
                    postings.positions(&mut scratch);
                    term_docs
                        .docs
                        .push((id, scratch.len() as u32, term_docs.positions.len()));
                    term_docs.positions.extend_from_slice(&scratch);
                } else {
                    term_docs.docs.push((id, postings.term_freq(), 0));
                }
                postings.advance();
            }
        }
        if !term_docs.docs.is_sorted_by_key(|&(id, _, _)| id) {
            term_docs.docs.sort_unstable_by_key(|&(id, _, _)| id);
        }
        visit(&String::from_utf8_lossy(merger.key()), &term_docs)?;
    }
    Ok(())
}

/// A term's postings per field, added on first sight; the term is copied only then (most terms
/// of a later segment were met in an earlier one).
fn entry<'m>(
    map: &'m mut BTreeMap<String, Vec<EncodedPostings>>,
    term: &str,
    fields: usize,
) -> &'m mut Vec<EncodedPostings> {
    if !map.contains_key(term) {
        map.insert(term.to_string(), vec![EncodedPostings::default(); fields]);
    }
    map.get_mut(term).expect("inserted above")
}

/// Threads reading gram postings, each the terms of one hash remainder.
const GRAM_READERS: u32 = 2;

/// Everything the pack needs from the index's postings.
pub(super) struct ReadBack {
    /// Per gram, its encoded postings in each gram field.
    pub grams: BTreeMap<String, Vec<EncodedPostings>>,
    /// Per CJK character, one bit per document holding a gram that starts with it.
    pub by_char: BTreeMap<char, Vec<u64>>,
    /// Per word, its encoded postings in each word field.
    pub words: BTreeMap<String, Vec<EncodedPostings>>,
    /// Per word field, its tokens in all documents (for BM25's average length).
    pub total_tokens: Vec<u64>,
    /// Per word field, each document's field-length code.
    pub fieldnorms: Vec<Vec<u8>>,
}

/// Reads every segment's postings of `gram_fields` and `word_fields`; `ids` are the pack
/// document id of each segment's documents.
pub(super) fn read_back(
    segments: &[SegmentReader],
    ids: &[Vec<u32>],
    gram_fields: &[Field],
    word_fields: &[(Field, f32)],
    num_docs: u32,
) -> anyhow::Result<ReadBack> {
    // Documents holding each CJK character at the start of a gram (that is, anywhere in a run)
    // are what a one-character query matches: one bit per document, as a character starts
    // grams in many documents, many times each.
    let bitset_words = (num_docs as usize).div_ceil(64);
    let mut words: BTreeMap<String, Vec<EncodedPostings>> = BTreeMap::new();
    let mut total_tokens = vec![0u64; word_fields.len()];
    let mut fieldnorms: Vec<Vec<u8>> = vec![vec![0; num_docs as usize]; word_fields.len()];
    // Gram terms are read in two halves by their hash, one thread each, beside the words.
    type GramsPart = (BTreeMap<String, Vec<EncodedPostings>>, BTreeMap<char, Vec<u64>>);
    let read_grams = |part: u32| -> anyhow::Result<GramsPart> {
        let mut grams: BTreeMap<String, Vec<EncodedPostings>> = BTreeMap::new();
        let mut by_char: BTreeMap<char, Vec<u64>> = BTreeMap::new();
        for (slot, &field) in gram_fields.iter().enumerate() {
            let wanted = |term: &[u8]| fnv1a_bytes(term) % GRAM_READERS == part;
            for_each_term(
                segments,
                ids,
                field,
                IndexRecordOption::WithFreqsAndPositions,
                wanted,
                |term, term_docs| {
                    let mut starts = term
                        .chars()
                        .next()
                        .filter(|&c| is_cjk_char(c))
                        .map(|first| by_char.entry(first).or_insert_with(|| vec![0; bitset_words]));
                    let out = &mut entry(&mut grams, term, gram_fields.len())[slot];
                    for (at, &(doc, count, _)) in term_docs.docs.iter().enumerate() {
                        out.push_doc(doc, count);
                        let mut last = 0;
                        for &position in term_docs.positions_of(at) {
                            push_varint(&mut out.bytes, u64::from(position - last));
                            last = position;
                        }
                        if let Some(bits) = starts.as_mut() {
                            bits[doc as usize / 64] |= 1 << (doc % 64);
                        }
                    }
                    Ok(())
                },
            )?;
        }
        Ok((grams, by_char))
    };
    let read_words = || -> anyhow::Result<()> {
        for (slot, &(field, _)) in word_fields.iter().enumerate() {
            for (segment, ids) in segments.iter().zip(ids) {
                total_tokens[slot] += segment.inverted_index(field)?.total_num_tokens();
                let norms = segment.get_fieldnorms_reader(field)?;
                for (doc, &id) in ids.iter().enumerate() {
                    fieldnorms[slot][id as usize] = norms.fieldnorm_id(doc as u32);
                }
            }
            for_each_term(
                segments,
                ids,
                field,
                IndexRecordOption::WithFreqs,
                |_| true,
                |term, term_docs| {
                    let out = &mut entry(&mut words, term, word_fields.len())[slot];
                    for &(doc, frequency, _) in &term_docs.docs {
                        out.push_doc(doc, frequency);
                    }
                    Ok(())
                },
            )?;
        }
        Ok(())
    };
    let (parts, words_read) = rayon::join(
        || {
            (0..GRAM_READERS)
                .into_par_iter()
                .map(read_grams)
                .collect::<anyhow::Result<Vec<GramsPart>>>()
        },
        read_words,
    );
    words_read?;
    let mut grams: BTreeMap<String, Vec<EncodedPostings>> = BTreeMap::new();
    let mut by_char: BTreeMap<char, Vec<u64>> = BTreeMap::new();
    for (mut part_grams, part_chars) in parts? {
        grams.append(&mut part_grams);
        for (c, bits) in part_chars {
            match by_char.entry(c) {
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(bits);
                }
                std::collections::btree_map::Entry::Occupied(mut slot) => {
                    for (word, more) in slot.get_mut().iter_mut().zip(bits) {
                        *word |= more;
                    }
                }
            }
        }
    }
    Ok(ReadBack {
        grams,
        by_char,
        words,
        total_tokens,
        fieldnorms,
    })
}

/// A term's postings in every field, each led by its document count; a field where the term
/// does not occur is one zero byte (no documents).
pub(super) fn concat(per_field: Vec<EncodedPostings>) -> Vec<u8> {
    let mut bytes = Vec::new();
    for postings in per_field {
        push_varint(&mut bytes, u64::from(postings.docs));
        bytes.extend_from_slice(&postings.bytes);
    }
    bytes
}
