//! Word postings read back from the index's segments and encoded for the pack as they stream
//! by, so memory holds only the encoded bytes, with the statistics BM25 needs. Pack document
//! ids are the documents' `order` (their place in source path order), whichever segment holds
//! them. The term dictionaries of every word field in every segment are walked together, so
//! each word is met once, with all its documents, and encoded at once.

use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::termdict::TermMerger;
use tantivy::{DocSet, SegmentReader, TERMINATED};

use super::bits::push_varint;

/// One word's documents in one field, from every segment, in pack id order.
#[derive(Default)]
struct TermDocs {
    /// Per document: its pack id and its count (term frequency).
    docs: Vec<(u32, u32)>,
}

impl TermDocs {
    /// Appends the word encoding of the pack: the document count, then per document
    /// `(delta << 1) | more`, where `more` says its count follows. A field without the term is
    /// one zero byte.
    fn encode(&self, out: &mut Vec<u8>) {
        push_varint(out, self.docs.len() as u64);
        let mut last_doc = 0;
        for &(doc, count) in &self.docs {
            let more = count > 1;
            push_varint(out, (u64::from(doc - last_doc) << 1) | u64::from(more));
            if more {
                push_varint(out, u64::from(count));
            }
            last_doc = doc;
        }
    }
}

/// Visits every word of `fields` in all segments, in byte order, once: `visit(word, docs)` gets
/// per field the word's documents in pack id order. Segments built in source path order hold
/// ascending ids, but after `serve` replaced pages and merged, the replaced ones come last: a
/// field's documents are sorted when needed.
fn for_each_word(
    segments: &[SegmentReader],
    ids: &[Vec<u32>],
    fields: &[Field],
    mut visit: impl FnMut(&str, &[TermDocs]),
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
    let mut merger = TermMerger::new(streams);
    let mut per_field: Vec<TermDocs> = fields.iter().map(|_| TermDocs::default()).collect();
    while merger.advance() {
        per_field.iter_mut().for_each(|term_docs| term_docs.docs.clear());
        for (stream, info) in merger.current_segment_ords_and_term_infos() {
            let (field, segment) = (stream / segments.len(), stream % segments.len());
            let term_docs = &mut per_field[field];
            let mut postings =
                inverted[stream].read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
            while postings.doc() != TERMINATED {
                let id = ids[segment][postings.doc() as usize];
                term_docs.docs.push((id, postings.term_freq()));
                postings.advance();
            }
        }
        for term_docs in &mut per_field {
            if !term_docs.docs.is_sorted_by_key(|&(id, _)| id) {
                term_docs.docs.sort_unstable_by_key(|&(id, _)| id);
            }
        }
        visit(&String::from_utf8_lossy(merger.key()), &per_field);
    }
    Ok(())
}

/// Everything the pack needs from the index's word postings.
pub(super) struct Words {
    /// Per word, in byte order, its encoded postings in every word field.
    pub words: Vec<(String, Vec<u8>)>,
    /// Per word field, its tokens in all documents (for BM25's average length).
    pub total_tokens: Vec<u64>,
    /// Per word field, each document's field-length code.
    pub fieldnorms: Vec<Vec<u8>>,
}

/// Reads every segment's postings of `word_fields`; `ids` are the pack document id of each
/// segment's documents.
pub(super) fn read_words(
    segments: &[SegmentReader],
    ids: &[Vec<u32>],
    word_fields: &[(Field, f32)],
    num_docs: u32,
) -> anyhow::Result<Words> {
    let fields: Vec<Field> = word_fields.iter().map(|&(field, _)| field).collect();
    // As the server counts them (see `statistics`): from the documents' field-length codes.
    let total_tokens = crate::search::statistics::alive_token_totals(segments, &fields)?;
    let mut fieldnorms: Vec<Vec<u8>> = vec![vec![0; num_docs as usize]; word_fields.len()];
    for (slot, &(field, _)) in word_fields.iter().enumerate() {
        for (segment, ids) in segments.iter().zip(ids) {
            let norms = segment.get_fieldnorms_reader(field)?;
            for (doc, &id) in ids.iter().enumerate() {
                fieldnorms[slot][id as usize] = norms.fieldnorm_id(doc as u32);
            }
        }
    }
    let mut words = Vec::new();
    for_each_word(segments, ids, &fields, |word, per_field| {
        let mut encoded = Vec::new();
        for term_docs in per_field {
            term_docs.encode(&mut encoded);
        }
        words.push((word.to_string(), encoded));
    })?;
    Ok(Words {
        words,
        total_tokens,
        fieldnorms,
    })
}
