//! Postings read back from the index's segments and encoded for the pack as they stream by,
//! so memory holds only the encoded bytes. Pack document ids are the documents' `order` (their
//! place in source path order), whichever segment holds them. The term dictionaries of every
//! field of a kind (grams, words) in every segment are walked together, so each term is met
//! once, with all its documents, and encoded at once.

use std::collections::BTreeMap;

use anyhow::Context as _;
use rayon::prelude::*;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::termdict::TermMerger;
use tantivy::{DocSet, SegmentReader, TERMINATED};

use super::files::{fnv1a_bytes, push_gram_list, push_varint};
use crate::search::analyzer::is_cjk_char;

/// One term's documents in one field, from every segment, in pack id order.
#[derive(Default)]
struct TermDocs {
    /// Per document: its pack id, its count (term frequency), and where its positions start.
    docs: Vec<(u32, u32, usize)>,
    /// Positions of all documents (grams only), each document's in ascending order.
    positions: Vec<u32>,
}

impl TermDocs {
    fn clear(&mut self) {
        self.docs.clear();
        self.positions.clear();
    }

    /// Appends the word encoding of the pack: the document count, then per document
    /// `(delta << 1) | more`, where `more` says its count follows. A field without the term is
    /// one zero byte.
    fn encode(&self, out: &mut Vec<u8>) {
        push_varint(out, self.docs.len() as u64);
        let mut last_doc = 0;
        for &(doc, count, _) in &self.docs {
            let more = count > 1;
            push_varint(out, (u64::from(doc - last_doc) << 1) | u64::from(more));
            if more {
                push_varint(out, u64::from(count));
            }
            last_doc = doc;
        }
    }
}

impl TermDocs {
    /// Appends the gram encoding of the pack (see [`push_gram_list`]): each occurrence as its
    /// offset in the field's text of all documents laid end to end (`starts[doc]` is where a
    /// document's text begins), the first offset, then each gap less one. One ascending list
    /// replaces documents, counts and positions, and its gaps Rice-code compactly. `None` if a
    /// position lies past its document's text.
    fn encode_offsets(&self, out: &mut Vec<u8>, starts: &[u64], gaps: &mut Vec<u64>) -> Option<()> {
        gaps.clear();
        let mut next = 0;
        for &(doc, count, start) in &self.docs {
            let (begin, end) = (*starts.get(doc as usize)?, *starts.get(doc as usize + 1)?);
            for &position in &self.positions[start..start + count as usize] {
                let offset = begin + u64::from(position);
                if offset >= end || offset < next {
                    return None;
                }
                gaps.push(offset - next);
                next = offset + 1;
            }
        }
        push_gram_list(out, gaps, *starts.last()?);
        Some(())
    }
}

/// Visits every term of `fields` in all segments, in byte order, once: `visit(term, docs)` gets
/// per field the term's documents in pack id order. Segments built in source path order hold
/// ascending ids, but after `serve` replaced pages and merged, the replaced ones come last: a
/// field's documents are sorted when needed.
fn for_each_term(
    segments: &[SegmentReader],
    ids: &[Vec<u32>],
    fields: &[Field],
    option: IndexRecordOption,
    wanted: impl Fn(&[u8]) -> bool,
    mut visit: impl FnMut(&str, &[TermDocs]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    // One stream per field and segment: stream `field * segments + segment`.
    let mut inverted = Vec::with_capacity(fields.len() * segments.len());
    for &field in fields {
        for segment in segments {
            inverted.push(segment.inverted_index(field)?);
        }
    }
    let streams = inverted
        .iter()
        .map(|index| index.terms().stream())
        .collect::<std::io::Result<Vec<_>>>()?;
    let with_positions = option.has_positions();
    let mut merger = TermMerger::new(streams);
    let mut per_field: Vec<TermDocs> = fields.iter().map(|_| TermDocs::default()).collect();
    let mut scratch = Vec::new();
    while merger.advance() {
        if !wanted(merger.key()) {
            continue;
        }
        per_field.iter_mut().for_each(TermDocs::clear);
        for (stream, info) in merger.current_segment_ords_and_term_infos() {
            let (field, segment) = (stream / segments.len(), stream % segments.len());
            let term_docs = &mut per_field[field];
            let mut postings = inverted[stream].read_postings_from_terminfo(&info, option)?;
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
        for term_docs in &mut per_field {
            if !term_docs.docs.is_sorted_by_key(|&(id, _, _)| id) {
                term_docs.docs.sort_unstable_by_key(|&(id, _, _)| id);
            }
        }
        visit(&String::from_utf8_lossy(merger.key()), &per_field)?;
    }
    Ok(())
}

/// Threads reading gram postings, each the terms of one hash remainder.
const GRAM_READERS: u32 = 2;

/// Everything the pack needs from the index's postings.
pub(super) struct ReadBack {
    /// Per gram, its encoded occurrences in every gram field (see
    /// [`TermDocs::encode_offsets`]): the grams of each reader thread in byte order, one
    /// thread's after the other's.
    pub grams: Vec<(String, Vec<u8>)>,
    /// Per CJK character, one bit per document holding a gram that starts with it.
    pub by_char: BTreeMap<char, Vec<u64>>,
    /// Per word, in byte order, its encoded postings in every word field.
    pub words: Vec<(String, Vec<u8>)>,
    /// Per word field, its tokens in all documents (for BM25's average length).
    pub total_tokens: Vec<u64>,
    /// Per word field, each document's field-length code.
    pub fieldnorms: Vec<Vec<u8>>,
}

/// Reads every segment's postings of `gram_fields` and `word_fields`; `ids` are the pack
/// document id of each segment's documents, `gram_starts[field][doc]` where each document's
/// text of a gram field begins when all are laid end to end (one more: the total).
pub(super) fn read_back(
    segments: &[SegmentReader],
    ids: &[Vec<u32>],
    gram_fields: &[Field],
    gram_starts: &[Vec<u64>],
    word_fields: &[(Field, f32)],
    num_docs: u32,
) -> anyhow::Result<ReadBack> {
    // Documents holding each CJK character at the start of a gram (that is, anywhere in a run)
    // are what a one-character query matches: one bit per document, as a character starts
    // grams in many documents, many times each.
    let bitset_words = (num_docs as usize).div_ceil(64);
    // Gram terms are read in two halves by their hash, one thread each, beside the words.
    type GramsPart = (Vec<(String, Vec<u8>)>, BTreeMap<char, Vec<u64>>);
    let read_grams = |part: u32| -> anyhow::Result<GramsPart> {
        let mut grams = Vec::new();
        let mut by_char: BTreeMap<char, Vec<u64>> = BTreeMap::new();
        let mut gaps = Vec::new();
        for_each_term(
            segments,
            ids,
            gram_fields,
            IndexRecordOption::WithFreqsAndPositions,
            |term| fnv1a_bytes(term) % GRAM_READERS == part,
            |term, per_field| {
                let mut encoded = Vec::new();
                for (term_docs, starts) in per_field.iter().zip(gram_starts) {
                    term_docs
                        .encode_offsets(&mut encoded, starts, &mut gaps)
                        .with_context(|| {
                            format!("the gram `{term}` stands past the end of its page's text in the index")
                        })?;
                }
                if let Some(first) = term.chars().next().filter(|&c| is_cjk_char(c)) {
                    let bits = by_char.entry(first).or_insert_with(|| vec![0; bitset_words]);
                    for &(doc, _, _) in per_field.iter().flat_map(|t| &t.docs) {
                        bits[doc as usize / 64] |= 1 << (doc % 64);
                    }
                }
                grams.push((term.to_string(), encoded));
                Ok(())
            },
        )?;
        Ok((grams, by_char))
    };
    // Words, token totals and field lengths.
    type WordsRead = (Vec<(String, Vec<u8>)>, Vec<u64>, Vec<Vec<u8>>);
    let read_words = || -> anyhow::Result<WordsRead> {
        let mut total_tokens = vec![0u64; word_fields.len()];
        let mut fieldnorms: Vec<Vec<u8>> = vec![vec![0; num_docs as usize]; word_fields.len()];
        for (slot, &(field, _)) in word_fields.iter().enumerate() {
            for (segment, ids) in segments.iter().zip(ids) {
                total_tokens[slot] += segment.inverted_index(field)?.total_num_tokens();
                let norms = segment.get_fieldnorms_reader(field)?;
                for (doc, &id) in ids.iter().enumerate() {
                    fieldnorms[slot][id as usize] = norms.fieldnorm_id(doc as u32);
                }
            }
        }
        let fields: Vec<Field> = word_fields.iter().map(|&(field, _)| field).collect();
        let mut words = Vec::new();
        for_each_term(
            segments,
            ids,
            &fields,
            IndexRecordOption::WithFreqs,
            |_| true,
            |term, per_field| {
                let mut encoded = Vec::new();
                for term_docs in per_field {
                    term_docs.encode(&mut encoded);
                }
                words.push((term.to_string(), encoded));
                Ok(())
            },
        )?;
        Ok((words, total_tokens, fieldnorms))
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
    let (words, total_tokens, fieldnorms) = words_read?;
    let mut grams = Vec::new();
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
