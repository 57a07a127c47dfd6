//! The pack's documents, read back from the index's stored fields in source path order: the
//! per-document columns of `docs.js` (date, kind, meeting, tags), the text chunks `t-N.js` that
//! results and snippets show, and each document's gram field texts, which place gram
//! occurrences. Facet names travel in `meta.js`: meetings by first appearance, tags sorted and
//! front-coded.

use std::collections::HashMap;

use anyhow::Context as _;
use rayon::prelude::*;
use tantivy::schema::{Field, Value};
use tantivy::{SegmentReader, TantivyDocument};

use super::bits::push_varint;
use crate::search::index::meta_grams_text;
use crate::search::schema::Fields;

/// Target size of one text chunk before compression.
const CHUNK_BYTES: usize = 16 * 1024;
/// Most text chunks: smaller chunks mean fewer bytes for the snippets of a page of results.
const MAX_TEXT_CHUNKS: usize = 2000;

/// Everything the pack needs of the stored documents.
pub(super) struct Documents {
    /// Per segment, per document there: its pack id (its place in source path order).
    pub ids: Vec<Vec<u32>>,
    /// Per pack id: the JSON row of title, URL, path, kind, date, meeting, tags, times
    /// studied and text, for the text chunks.
    pub rows: Vec<String>,
    /// Per pack id: its text in each gram field (title, body, meta).
    pub gram_texts: Vec<Vec<String>>,
    pub docs_table: DocsTable,
    pub meetings: Vec<String>,
    /// Sorted; the docs table numbers tags in this order.
    pub tags: Vec<String>,
}

/// Reads every stored document of `segments`, in pack id order.
pub(super) fn read_documents(
    segments: &[SegmentReader],
    fields: &Fields,
    num_docs: u32,
) -> anyhow::Result<Documents> {
    // Pack document ids are the documents' place in source path order, so that the pack is
    // the same whichever segments the indexing threads put them in.
    let mut ids: Vec<Vec<u32>> = Vec::with_capacity(segments.len());
    let mut addresses: Vec<Option<tantivy::DocAddress>> = vec![None; num_docs as usize];
    for (ordinal, segment) in segments.iter().enumerate() {
        let order = segment.fast_fields().u64("order")?;
        let mut segment_ids = Vec::with_capacity(segment.max_doc() as usize);
        for doc in 0..segment.max_doc() {
            let id = order.first(doc).unwrap_or(u64::MAX);
            let slot = addresses
                .get_mut(id as usize)
                .filter(|slot| slot.is_none())
                .context("the search index's document order is not a permutation; rebuild")?;
            *slot = Some(tantivy::DocAddress::new(ordinal as u32, doc));
            segment_ids.push(id as u32);
        }
        ids.push(segment_ids);
    }
    // The stored documents, read and made into rows on every core (each of rayon's jobs with
    // store readers of its own: their block caches are not shared), in pack id order.
    let addresses: Vec<tantivy::DocAddress> = addresses.into_iter().flatten().collect();
    let read: Vec<ReadDocument> = addresses
        .par_iter()
        .map_init(
            || {
                segments
                    .iter()
                    .map(|segment| segment.get_store_reader(STORE_CACHE_BLOCKS))
                    .collect::<std::io::Result<Vec<_>>>()
            },
            |stores, address| -> anyhow::Result<ReadDocument> {
                let stores = stores.as_ref().map_err(|err| anyhow::anyhow!("{err}"))?;
                let document: TantivyDocument = stores[address.segment_ord as usize].get(address.doc_id)?;
                Ok(ReadDocument::of(&document, fields))
            },
        )
        .collect::<anyhow::Result<_>>()?;
    // Meetings and tags numbered by first appearance, in pack id order.
    let mut meetings: Vec<String> = Vec::new();
    // Tags by first appearance while reading; renumbered in sorted order below, so that
    // `meta.js` can front-code them.
    let mut tag_ids: HashMap<String, usize> = HashMap::new();
    let mut doc_columns: Vec<(u64, u64, u64, Vec<usize>)> = Vec::with_capacity(num_docs as usize);
    // Text chunks of contiguous documents, sized so that there are at most MAX_SHARDS of them.
    let mut rows: Vec<String> = Vec::with_capacity(num_docs as usize);
    // Each document's gram field texts, in gram_fields order: title, body, meta.
    let mut gram_texts: Vec<Vec<String>> = Vec::with_capacity(num_docs as usize);
    for document in read {
        let meeting_id = if document.meeting.is_empty() {
            0
        } else {
            match meetings.iter().position(|m| *m == document.meeting) {
                Some(i) => i + 1,
                None => {
                    meetings.push(document.meeting);
                    meetings.len()
                }
            }
        };
        let doc_tag_ids: Vec<usize> = document
            .tags
            .into_iter()
            .map(|tag| {
                let next = tag_ids.len();
                *tag_ids.entry(tag).or_insert(next)
            })
            .collect();
        doc_columns.push((document.date, document.kind, meeting_id as u64, doc_tag_ids));
        rows.push(document.row);
        gram_texts.push(document.gram_texts);
    }
    let mut tags: Vec<String> = tag_ids.keys().cloned().collect();
    tags.sort_unstable();
    let sorted_id: Vec<usize> = {
        let mut by_first_seen = vec![0; tags.len()];
        for (sorted, tag) in tags.iter().enumerate() {
            by_first_seen[tag_ids[tag]] = sorted;
        }
        by_first_seen
    };
    let mut docs_table = DocsTable::default();
    for (date, kind, meeting, doc_tag_ids) in doc_columns {
        let ids: Vec<usize> = doc_tag_ids.iter().map(|&id| sorted_id[id]).collect();
        docs_table.push(date, kind, meeting, &ids);
    }
    Ok(Documents {
        ids,
        rows,
        gram_texts,
        docs_table,
        meetings,
        tags,
    })
}

/// Blocks each job's store readers keep decompressed: documents are read in pack id order,
/// which is each segment's order but for the pages `serve` replaced, so a few suffice.
const STORE_CACHE_BLOCKS: usize = 4;

/// What the pack takes of one stored document.
struct ReadDocument {
    date: u64,
    /// 0 for a note, 1 for a session record, 2 for a section's own page.
    kind: u64,
    meeting: String,
    tags: Vec<String>,
    /// The text chunk row: title, URL, path, kind, date, meeting, tags, times studied, text,
    /// host.
    row: String,
    /// Title, body, meta (see [`meta_grams_text`]).
    gram_texts: Vec<String>,
}

impl ReadDocument {
    fn of(document: &TantivyDocument, fields: &Fields) -> ReadDocument {
        let text = |field: Field| {
            document
                .get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let number = |field: Field| document.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        let meeting = text(fields.meeting);
        let tags: Vec<String> = document
            .get_all(fields.tags)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let kind = text(fields.kind);
        let (title, body) = (text(fields.title), text(fields.body));
        let meta = meta_grams_text(
            document.get_first(fields.topic).and_then(|v| v.as_str()),
            document.get_first(fields.meeting).and_then(|v| v.as_str()),
            document.get_first(fields.host).and_then(|v| v.as_str()),
            &tags,
        );
        let row = serde_json::json!([
            &title,
            text(fields.url),
            text(fields.path),
            kind,
            number(fields.date),
            meeting,
            tags,
            number(fields.studied),
            &body,
            text(fields.host),
        ])
        .to_string();
        ReadDocument {
            date: number(fields.date),
            kind: match kind.as_str() {
                "session" => 1,
                crate::search::index::SECTION_KIND => 2,
                _ => 0,
            },
            meeting,
            tags,
            row,
            gram_texts: vec![title, body, meta],
        }
    }
}

/// The rows of contiguous documents joined into JSON arrays of about `CHUNK_BYTES`, at most
/// about `MAX_TEXT_CHUNKS` of them: each chunk with its first document's id.
pub(super) fn text_chunks(rows: Vec<String>) -> Vec<(u32, String)> {
    let total_text: usize = rows.iter().map(String::len).sum();
    let chunk_bytes = CHUNK_BYTES.max(total_text / MAX_TEXT_CHUNKS + 1);
    let mut chunks: Vec<(u32, String)> = Vec::new();
    for (doc, row) in rows.into_iter().enumerate() {
        match chunks.last_mut() {
            Some((_, chunk)) if chunk.len() < chunk_bytes => {
                chunk.push(',');
                chunk.push_str(&row);
            }
            _ => chunks.push((doc as u32, format!("[{row}"))),
        }
    }
    for (_, json) in &mut chunks {
        json.push(']');
    }
    chunks
}

/// Documents per chunk, for `meta.js`: small numbers, where the starts would grow to five
/// digits.
pub(super) fn chunk_sizes(chunks: &[(u32, String)], num_docs: u32) -> Vec<u32> {
    chunks
        .iter()
        .map(|(start, _)| *start)
        .chain(std::iter::once(num_docs))
        .collect::<Vec<u32>>()
        .windows(2)
        .map(|pair| pair[1] - pair[0])
        .collect()
}

/// Per-document columns, as varints: date, kind, meeting, tag count, tag ids.
#[derive(Default)]
pub(super) struct DocsTable {
    pub bytes: Vec<u8>,
}

impl DocsTable {
    fn push(&mut self, date: u64, kind: u64, meeting: u64, tags: &[usize]) {
        push_varint(&mut self.bytes, date);
        push_varint(&mut self.bytes, kind);
        push_varint(&mut self.bytes, meeting);
        push_varint(&mut self.bytes, tags.len() as u64);
        for &tag in tags {
            push_varint(&mut self.bytes, tag as u64);
        }
    }
}

/// Sorted strings front-coded as one flat JSON array: for each, the length in UTF-16 code
/// units (the browser's string unit) of what it shares with the one before, then the rest.
/// Sorted tags share their first character about two times in three: 7,913 tags of the
/// 10,000-page corpus gzip to 24 KB this way, 35 KB as a plain list in first-seen order.
pub(super) fn front_coded(sorted: &[String]) -> Vec<serde_json::Value> {
    let mut out = Vec::with_capacity(sorted.len() * 2);
    let mut previous = "";
    for text in sorted {
        let shared: usize = previous
            .chars()
            .zip(text.chars())
            .take_while(|(a, b)| a == b)
            .map(|(c, _)| c.len_utf8())
            .sum();
        let units = text[..shared].encode_utf16().count();
        out.push(serde_json::json!(units));
        out.push(serde_json::json!(&text[shared..]));
        previous = text;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_coding_counts_the_shared_part_in_utf16_units() {
        // 𠀀 (U+20000) is two UTF-16 units: the browser slices strings by units.
        let tags: Vec<String> = ["安全", "安全生产", "安排", "𠀀甲", "𠀀乙", "b"]
            .map(String::from)
            .to_vec();
        let mut sorted = tags.clone();
        sorted.sort_unstable();
        let coded = front_coded(&sorted);
        let pairs: Vec<(usize, String)> = coded
            .chunks(2)
            .map(|pair| {
                (
                    pair[0].as_u64().unwrap() as usize,
                    pair[1].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(pairs[0], (0, "b".to_string()));
        assert_eq!(pairs[2], (2, "生产".to_string()), "{pairs:?}");
        assert_eq!(pairs[3], (1, "排".to_string()), "{pairs:?}");
        assert_eq!(pairs[5], (2, "甲".to_string()), "{pairs:?}");
        // Decoded as search-engine.js does it, in UTF-16 units.
        let mut previous: Vec<u16> = Vec::new();
        let decoded: Vec<String> = pairs
            .iter()
            .map(|(shared, rest)| {
                previous.truncate(*shared);
                previous.extend(rest.encode_utf16());
                String::from_utf16(&previous).unwrap()
            })
            .collect();
        assert_eq!(decoded, sorted);
    }
}
