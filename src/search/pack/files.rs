//! Writing the pack's data files: binary parts as varints, deflated and carried as 7-bit text
//! inside self-registering scripts, sharded by a hash of their key, each file hashed for the
//! build id.

use std::path::Path;

use anyhow::Context as _;
use rayon::prelude::*;
use serde::Serialize;

/// Target size of one postings shard before compression.
const SHARD_BYTES: usize = 32 * 1024;
/// Most files of one kind, whatever the corpus size (hosting limits).
pub(super) const MAX_SHARDS: usize = 1000;

/// FNV-1a over UTF-8 bytes: the shard function, identical in `search.js`.
pub fn fnv1a(text: &str) -> u32 {
    fnv1a_bytes(text.as_bytes())
}

pub(super) fn fnv1a_bytes(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &byte in bytes {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

pub(super) fn read_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let (mut value, mut shift) = (0u64, 0);
    while let Some(&byte) = bytes.get(*at) {
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            break;
        }
        shift += 7;
    }
    value
}

pub(super) fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Deflate levels. Postings (varint deltas) barely compress: on 10,000 pages level 1 makes the
/// gram shards 1.3% larger than level 6 and takes a third less time. Text and character lists
/// compress well, so they get level 6 (level 1 would make them 17–20% larger).
pub(super) const POSTINGS_LEVEL: u8 = 1;
pub(super) const TEXT_LEVEL: u8 = 6;

/// Deflates `bytes` and carries them as text (see [`to_text`]).
pub(super) fn pack_binary(bytes: &[u8], level: u8) -> String {
    to_text(&miniz_oxide::deflate::compress_to_vec(bytes, level))
}

/// The inverse of [`pack_binary`], for tests and tools that read a pack.
pub fn unpack_binary(text: &str) -> Option<Vec<u8>> {
    miniz_oxide::inflate::decompress_to_vec(&from_text(text)?).ok()
}

/// 7-bit values that cannot stand raw inside a double-quoted JavaScript string (or that a
/// careless tool might mangle): NUL, line feed, carriage return, `"` and `\`.
const SPECIAL: [u8; 5] = [0, b'\n', b'\r', b'"', b'\\'];
/// First code point of the two-byte characters that carry a special value.
const ESCAPE_BASE: u32 = 0x80;

/// Binary as text for a JavaScript string literal, 7 bits a character (base64 carries 6, so
/// files are a seventh smaller; the idea is base-122's). The bits are cut into 7-bit groups;
/// a group is its ASCII character, except a special one, which becomes one two-byte UTF-8
/// character `U+0080 + special index × 128 + the next group`, or `U+0080 + 5 × 128 + special
/// index` when it is the last group. The decoder stops at whole bytes, so padding is dropped.
pub fn to_text(bytes: &[u8]) -> String {
    let mut groups = Vec::with_capacity(bytes.len() * 8 / 7 + 1);
    let (mut bits, mut count) = (0u32, 0u32);
    for &byte in bytes {
        bits = (bits << 8) | u32::from(byte);
        count += 8;
        while count >= 7 {
            count -= 7;
            groups.push(((bits >> count) & 0x7f) as u8);
        }
        bits &= (1 << count) - 1;
    }
    if count > 0 {
        groups.push(((bits << (7 - count)) & 0x7f) as u8);
    }
    let mut out = String::with_capacity(groups.len() + groups.len() / 16);
    let mut groups = groups.into_iter().peekable();
    while let Some(group) = groups.next() {
        let Some(special) = SPECIAL.iter().position(|&s| s == group) else {
            out.push(char::from(group));
            continue;
        };
        let code = match groups.next() {
            Some(next) => ESCAPE_BASE + special as u32 * 128 + u32::from(next),
            None => ESCAPE_BASE + SPECIAL.len() as u32 * 128 + special as u32,
        };
        out.push(char::from_u32(code).expect("below U+0305"));
    }
    out
}

/// The inverse of [`to_text`]; `None` for a character it never writes.
pub fn from_text(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 7 / 8 + 2);
    let (mut bits, mut count) = (0u32, 0u32);
    let mut push = |group: u8| {
        bits = (bits << 7) | u32::from(group);
        count += 7;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    };
    for c in text.chars() {
        let code = c as u32;
        if code < ESCAPE_BASE {
            push(code as u8);
            continue;
        }
        let value = code.checked_sub(ESCAPE_BASE)?;
        let (group, next) = (value / 128, (value % 128) as u8);
        if (group as usize) < SPECIAL.len() {
            push(SPECIAL[group as usize]);
            push(next);
        } else if group as usize == SPECIAL.len() {
            push(*SPECIAL.get(next as usize)?);
        } else {
            return None;
        }
    }
    Some(out)
}

/// The text `data` made by [`to_text`] as a JavaScript string: written by hand, as JSON would
/// escape its control characters into six bytes each.
pub(super) fn quoted(data: &str) -> String {
    format!("\"{data}\"")
}

/// `data` as JSON, safe inside a script element.
pub(super) fn json(data: &impl Serialize) -> anyhow::Result<String> {
    // `</` must not appear inside a script element's text.
    Ok(serde_json::to_string(data)?.replace("</", "<\\/"))
}

/// The script that registers `data` (a JavaScript expression) under `name` for the pack of
/// build `build`. The browser checks the build of every file against `meta.js`'s, so a page
/// opened before the site was rebuilt notices new files instead of misreading them.
pub(super) fn script(name: &str, data: &str, build: &str) -> String {
    format!("window.__studybookPack&&window.__studybookPack.add(\"{name}\",{data},\"{build}\");\n")
}

pub(super) fn shard_count(total_bytes: usize) -> usize {
    total_bytes.div_ceil(SHARD_BYTES).clamp(1, MAX_SHARDS)
}

/// `entries` in `shards` buckets by the FNV-1a hash of their term, as the browser looks them up.
fn buckets(entries: Vec<(String, Vec<u8>)>, shards: usize) -> Vec<Vec<(String, Vec<u8>)>> {
    let mut buckets: Vec<Vec<(String, Vec<u8>)>> = vec![Vec::new(); shards];
    for (term, bytes) in entries {
        buckets[fnv1a(&term) as usize % shards].push((term, bytes));
    }
    buckets
}

/// Writes `prefix-N.js` shards: a binary of `[count] ([term length][term][postings length][postings])…`.
pub(super) fn write_shards(
    prefix: &str,
    shards: usize,
    entries: Vec<(String, Vec<u8>)>,
    level: u8,
    write: &(impl Fn(&str, String) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<()> {
    buckets(entries, shards)
        .into_par_iter()
        .enumerate()
        .try_for_each(|(number, bucket)| {
            let mut out = Vec::new();
            push_varint(&mut out, bucket.len() as u64);
            for (term, postings) in bucket {
                push_varint(&mut out, term.len() as u64);
                out.extend_from_slice(term.as_bytes());
                push_varint(&mut out, postings.len() as u64);
                out.extend_from_slice(&postings);
            }
            write(&format!("{prefix}-{number}"), quoted(&pack_binary(&out, level)))
        })
}

/// Writes postings shards (`g-N.js`, `w-N.js`) of `entries`, each a term and its row (per
/// field its document count, then per document `(delta << 1) | more`, its count when more,
/// and, `with_positions`, its position deltas; see postings.rs). Like values compress better
/// together (13% on 10,000 pages), so a shard splits its rows into five streams, deflated each
/// on its own, and registers the array of their texts: a header (the term count; per term its
/// byte length shifted left by `fields` bits over a mask of the fields holding it, then their
/// document counts), the terms' bytes, every document's count less one, every document's
/// delta, every position delta; documents in term, field and document order.
pub(super) fn write_postings_shards(
    prefix: &str,
    shards: usize,
    entries: Vec<(String, Vec<u8>)>,
    fields: usize,
    with_positions: bool,
    write: &(impl Fn(&str, String) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<()> {
    buckets(entries, shards)
        .into_par_iter()
        .enumerate()
        .try_for_each(|(number, bucket)| {
            let streams = postings_streams(&bucket, fields, with_positions);
            let texts: Vec<String> = streams
                .iter()
                .map(|stream| pack_binary(stream, POSTINGS_LEVEL))
                .collect();
            write(&format!("{prefix}-{number}"), quoted_array(&texts))
        })
}

/// The five streams of a postings shard (see [`write_postings_shards`]).
fn postings_streams(bucket: &[(String, Vec<u8>)], fields: usize, with_positions: bool) -> [Vec<u8>; 5] {
    let [mut header, mut terms, mut counts, mut deltas, mut positions] = <[Vec<u8>; 5]>::default();
    push_varint(&mut header, bucket.len() as u64);
    let mut field_docs = vec![0u64; fields];
    for (term, row) in bucket {
        let mut at = 0;
        for docs in field_docs.iter_mut() {
            *docs = read_varint(row, &mut at);
            for _ in 0..*docs {
                let head = read_varint(row, &mut at);
                push_varint(&mut deltas, head >> 1);
                let count = if head & 1 == 1 {
                    read_varint(row, &mut at)
                } else {
                    1
                };
                push_varint(&mut counts, count - 1);
                if with_positions {
                    for _ in 0..count {
                        push_varint(&mut positions, read_varint(row, &mut at));
                    }
                }
            }
        }
        let mask = field_docs
            .iter()
            .enumerate()
            .filter(|(_, &docs)| docs > 0)
            .fold(0u64, |mask, (field, _)| mask | 1 << field);
        push_varint(&mut header, ((term.len() as u64) << fields) | mask);
        for &docs in field_docs.iter().filter(|&&docs| docs > 0) {
            push_varint(&mut header, docs);
        }
        terms.extend_from_slice(term.as_bytes());
    }
    [header, terms, counts, deltas, positions]
}

/// An array of texts made by [`to_text`] as JavaScript.
fn quoted_array(texts: &[String]) -> String {
    format!(
        "[{}]",
        texts
            .iter()
            .map(|text| quoted(text))
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// The pack's data files, written from several threads as they are made.
pub(super) struct PackFiles<'a> {
    dir: &'a Path,
    /// The build id every file carries.
    build: String,
    written: std::sync::Mutex<Written>,
}

/// What the data files add up to.
pub(super) struct Written {
    pub files: usize,
    pub bytes: u64,
}

impl<'a> PackFiles<'a> {
    /// Files of build `build` (see [`script`]) in `dir`.
    pub(super) fn new(dir: &'a Path, build: String) -> Self {
        PackFiles {
            dir,
            build,
            written: std::sync::Mutex::new(Written { files: 0, bytes: 0 }),
        }
    }

    /// Writes `name.js`, the script that registers `data` (a JavaScript expression).
    pub(super) fn write(&self, name: &str, data: &str) -> anyhow::Result<()> {
        let path = self.dir.join(format!("{name}.js"));
        let text = script(name, data, &self.build);
        std::fs::write(&path, &text).with_context(|| format!("failed to write `{}`", path.display()))?;
        let mut written = self.written.lock().expect("no panics hold this lock");
        written.files += 1;
        written.bytes += text.len() as u64;
        Ok(())
    }

    pub(super) fn finish(self) -> Written {
        self.written.into_inner().expect("no panics hold this lock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes whose 7-bit groups include every special value, at every place, and at the end.
    pub(crate) fn awkward_bytes() -> Vec<Vec<u8>> {
        let mut cases: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        cases.push((0..=255u8).collect());
        cases.push(vec![0; 64]);
        cases.push(vec![0xff; 64]);
        cases.push(Vec::new());
        for length in 1..40 {
            cases.push((0..length).map(|i| (i * 37 + length) as u8).collect());
            // Groups that are all `"` (0x22) or `\` (0x5c): 7-bit patterns repeated.
            cases.push((0..length).map(|i| [0x44, 0x89, 0x12][i % 3]).collect());
            cases.push((0..length).map(|i| [0xb9, 0x72, 0xe5][i % 3]).collect());
        }
        cases
    }

    #[test]
    fn text_round_trips_and_holds_no_special_character() {
        for bytes in awkward_bytes() {
            let text = to_text(&bytes);
            assert!(
                text.chars()
                    .all(|c| c.len_utf8() <= 2 && !['\0', '\n', '\r', '"', '\\'].contains(&c)),
                "{bytes:?} -> {text:?}"
            );
            assert_eq!(from_text(&text), Some(bytes.clone()), "{text:?}");
            assert!(
                text.len() <= bytes.len() * 8 / 7 + 2 + text.chars().filter(|&c| (c as u32) >= 0x80).count()
            );
        }
        assert_eq!(from_text("\u{400}"), None);
    }

    #[test]
    fn text_is_a_seventh_smaller_than_base64_on_compressed_data() {
        let data: Vec<u8> = (0..30_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let text = to_text(&data);
        let base64_len = data.len().div_ceil(3) * 4;
        assert!(
            text.len() * 100 < base64_len * 88,
            "{} vs {base64_len}",
            text.len()
        );
    }
}
