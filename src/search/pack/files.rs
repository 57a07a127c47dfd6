//! Writing the pack's data files: binary parts as varints, deflated and carried 16 bits a UTF-16
//! inside self-registering scripts, sharded by a hash of their key, each file hashed for the
//! build id.

use std::path::Path;

use anyhow::Context as _;
use rayon::prelude::*;
use serde::Serialize;

use super::alphabet::Alphabet;
use super::bits::{push_ascending, push_varint, read_varint, BitWriter};

/// Target size of one postings shard before compression.
const SHARD_BYTES: usize = 32 * 1024;
/// Most files of one kind, whatever the corpus size (hosting limits).
pub(super) const MAX_SHARDS: usize = 1000;
/// Gram shards are smaller and may be more: nearly every query reads two or three of them,
/// each mostly other grams' postings, so their size sets most of a query's bytes. At 10,000
/// pages, 2,000 shards of ~21 KB instead of 1,000 of ~42 KB take the median typical query from
/// 180 to about 140 KB, for 1,000 more files (4,340 in all).
const GRAM_SHARD_BYTES: usize = 16 * 1024;
const MAX_GRAM_SHARDS: usize = 2000;

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

/// Deflate levels. Postings (varint deltas) barely compress: on 10,000 pages zlib-rs's level 2
/// makes the gram and word shards 0.4% larger than its level 3, for less time (its level 1,
/// a faster method, makes the word shards 11% larger). Text and character lists compress
/// well, so they get level 6 (level 1 would make them 17–20% larger).
pub(super) const POSTINGS_LEVEL: u8 = 2;
pub(super) const TEXT_LEVEL: u8 = 6;

/// Raw deflate, by zlib-rs (through flate2): at level 6 it takes 0.43× miniz_oxide's time for
/// output 0.8% larger (40 MB of the generated corpus's Markdown in 64 KiB pieces).
pub(super) fn deflate(bytes: &[u8], level: u8) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(bytes.len() / 2),
        flate2::Compression::new(u32::from(level)),
    );
    // Writing into a vector cannot fail.
    encoder.write_all(bytes).expect("deflate into memory");
    encoder.finish().expect("deflate into memory")
}

/// The inverse of `deflate` and then [`to_text`], for tests and tools that read a pack.
pub fn unpack_binary(text: &str) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let mut inflated = Vec::new();
    flate2::read::DeflateDecoder::new(from_text(text)?.as_slice())
        .read_to_end(&mut inflated)
        .ok()?;
    Some(inflated)
}

/// 16-bit values that cannot stand as one UTF-16 code unit inside a double-quoted JavaScript
/// string of a UTF-16 file: surrogates (a lone one decodes as U+FFFD), the characters that end
/// or escape the string or the line, and those a careless tool might mangle (NUL, the byte
/// order mark, non-characters).
fn is_unsafe_unit(value: u32) -> bool {
    matches!(
        value,
        0xd800..=0xdfff | 0 | 0x0a | 0x0d | 0x22 | 0x5c | 0x2028 | 0x2029 | 0xfeff | 0xfffe | 0xffff
    )
}

/// Binary as text for a JavaScript string literal in a UTF-16 file: 16 bits in two bytes, where
/// base64 carries 6 bits a byte (a quarter smaller than base64), and 10% smaller than 7 bits a
/// UTF-8 byte (base-122's idea, which the pack used before). The first character says whether the last byte is padding
/// (`1`) or not (`0`); then each big-endian pair of bytes is the code unit of that value,
/// except an unsafe value (see `is_unsafe_unit`, 3% of random pairs), which is the
/// character `U+10000 + value`: a surrogate pair whose payload is the value.
pub fn to_text(bytes: &[u8]) -> String {
    let odd = bytes.len() % 2 == 1;
    let mut out = String::with_capacity(bytes.len() / 2 * 3 + 4);
    out.push(if odd { '1' } else { '0' });
    for pair in bytes.chunks(2) {
        let value = u32::from(pair[0]) << 8 | u32::from(pair.get(1).copied().unwrap_or(0));
        let code = if is_unsafe_unit(value) {
            0x1_0000 + value
        } else {
            value
        };
        out.push(char::from_u32(code).expect("a scalar value: surrogates are moved above U+FFFF"));
    }
    out
}

/// The inverse of [`to_text`]; `None` for a text it never writes.
pub fn from_text(text: &str) -> Option<Vec<u8>> {
    let mut chars = text.chars();
    let odd = match chars.next()? {
        '0' => false,
        '1' => true,
        _ => return None,
    };
    let mut out = Vec::with_capacity(text.len());
    for c in chars {
        let value = match c as u32 {
            code if code <= 0xffff && is_unsafe_unit(code) => return None,
            code if code > 0xffff => code - 0x1_0000,
            code => code,
        };
        out.extend_from_slice(&u16::try_from(value).ok()?.to_be_bytes());
    }
    if odd {
        out.pop()?;
    }
    Some(out)
}

/// A pack script as the bytes of its file, with a byte order mark, which browsers obey
/// whatever charset a web server names (an office IIS may say GBK): UTF-16 (little-endian) when
/// that is smaller, as it is for binary carried by [`to_text`] and for Chinese text; otherwise
/// UTF-8.
pub(super) fn script_bytes(script: &str) -> Vec<u8> {
    file_bytes(&script.encode_utf16().collect::<Vec<u16>>())
}

/// The file of a script given as UTF-16 code units (see [`script_bytes`]): UTF-16 with its
/// mark, or UTF-8 with its mark where that is no larger (tiny files and plain ASCII).
fn file_bytes(units: &[u16]) -> Vec<u8> {
    let utf8_len: usize = units
        .iter()
        .map(|&unit| match unit {
            0..=0x7f => 1,
            0x80..=0x7ff => 2,
            // Each half of a pair: four bytes for the two.
            0xd800..=0xdfff => 2,
            _ => 3,
        })
        .sum();
    if 2 + units.len() * 2 >= utf8_len + 3 {
        let text = String::from_utf16(units).expect("a script's pairs are whole");
        return [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat();
    }
    let mut bytes = Vec::with_capacity(2 + units.len() * 2);
    bytes.extend_from_slice(&[0xff, 0xfe]);
    for &unit in units {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

/// The text of a pack script file, UTF-8 or UTF-16 by its byte order mark (see
/// `script_bytes`); `None` if it is neither.
pub fn script_text(bytes: &[u8]) -> Option<String> {
    match bytes {
        [0xff, 0xfe, rest @ ..] if rest.len() % 2 == 0 => {
            let units = rest.chunks(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
            char::decode_utf16(units).collect::<Result<String, _>>().ok()
        }
        _ => String::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes).to_vec()).ok(),
    }
}

/// Reads a pack script file (see [`script_text`]).
pub fn read_script(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    script_text(&bytes).with_context(|| format!("`{}` is neither UTF-8 nor UTF-16", path.display()))
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
    let (head, tail) = script_around(name, build);
    format!("{head}{data}{tail}")
}

/// What a script has before and after its data (see [`script`]).
fn script_around(name: &str, build: &str) -> (String, String) {
    (
        format!("window.__studybookPack&&window.__studybookPack.add(\"{name}\","),
        format!(",\"{build}\");\n"),
    )
}

/// What a pack script registers.
pub(super) enum Data {
    /// A JavaScript expression (JSON, see [`json`]).
    Json(String),
    /// Binary as one string (see [`to_text`]).
    Binary(Vec<u8>),
    /// Binaries as an array of such strings.
    Binaries(Vec<Vec<u8>>),
}

/// The file of the script registering binary `data` (see [`script`], [`script_bytes`]), made
/// as UTF-16 code units directly: the same bytes as through [`to_text`] and `script_bytes`,
/// without three copies of the text in UTF-8 (a third of a second of processor time at
/// 10,000 pages, for 70 MB of binary). Strings are quoted by hand: JSON would escape their
/// control characters into six bytes each.
fn binary_script_bytes(name: &str, data: &[&[u8]], array: bool, build: &str) -> Vec<u8> {
    let (head, tail) = script_around(name, build);
    let binary_units: usize = data.iter().map(|bytes| bytes.len().div_ceil(2) + 3).sum();
    let mut units: Vec<u16> =
        Vec::with_capacity(binary_units + binary_units / 16 + head.len() + tail.len() + 2);
    units.extend(head.encode_utf16());
    if array {
        units.push(u16::from(b'['));
    }
    for (number, bytes) in data.iter().enumerate() {
        if number > 0 {
            units.push(u16::from(b','));
        }
        units.push(u16::from(b'"'));
        push_text_units(&mut units, bytes);
        units.push(u16::from(b'"'));
    }
    if array {
        units.push(u16::from(b']'));
    }
    units.extend(tail.encode_utf16());
    file_bytes(&units)
}

/// [`to_text`] of `bytes`, as UTF-16 code units.
fn push_text_units(units: &mut Vec<u16>, bytes: &[u8]) {
    units.push(u16::from(if bytes.len() % 2 == 1 { b'1' } else { b'0' }));
    for pair in bytes.chunks(2) {
        let value = u16::from(pair[0]) << 8 | u16::from(pair.get(1).copied().unwrap_or(0));
        if is_unsafe_unit(u32::from(value)) {
            // U+10000 + value as a surrogate pair: its payload is the value's 16 bits.
            units.push(0xd800 | value >> 10);
            units.push(0xdc00 | (value & 0x3ff));
        } else {
            units.push(value);
        }
    }
}

/// How many postings shards `total_bytes` of words or characters get.
pub(super) fn shard_count(total_bytes: usize) -> usize {
    total_bytes.div_ceil(SHARD_BYTES).clamp(1, MAX_SHARDS)
}

/// How many shards `total_bytes` of gram postings get.
pub(super) fn gram_shard_count(total_bytes: usize) -> usize {
    total_bytes.div_ceil(GRAM_SHARD_BYTES).clamp(1, MAX_GRAM_SHARDS)
}

/// `entries` in `shards` buckets by the FNV-1a hash of their term, as the browser looks them up.
fn buckets(entries: Vec<(String, Vec<u8>)>, shards: usize) -> Vec<Vec<(String, Vec<u8>)>> {
    let mut buckets: Vec<Vec<(String, Vec<u8>)>> = vec![Vec::new(); shards];
    for (term, bytes) in entries {
        buckets[fnv1a(&term) as usize % shards].push((term, bytes));
    }
    buckets
}

/// Writes `prefix-N.js` shards, each registering what `data` makes of its bucket of `entries`
/// (a JavaScript expression), by the FNV-1a hash of their term.
fn write_buckets(
    prefix: &str,
    shards: usize,
    entries: Vec<(String, Vec<u8>)>,
    data: impl Fn(&[(String, Vec<u8>)]) -> Data + Sync,
    write: &(impl Fn(&str, Data) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<()> {
    buckets(entries, shards)
        .into_par_iter()
        .enumerate()
        .try_for_each(|(number, bucket)| write(&format!("{prefix}-{number}"), data(&bucket)))
}

/// Writes `prefix-N.js` shards: a binary of `[count] ([term length][term][postings length][postings])…`.
pub(super) fn write_shards(
    prefix: &str,
    shards: usize,
    entries: Vec<(String, Vec<u8>)>,
    level: u8,
    write: &(impl Fn(&str, Data) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<()> {
    let data = |bucket: &[(String, Vec<u8>)]| {
        let mut out = Vec::new();
        push_varint(&mut out, bucket.len() as u64);
        for (term, postings) in bucket {
            push_varint(&mut out, term.len() as u64);
            out.extend_from_slice(term.as_bytes());
            push_varint(&mut out, postings.len() as u64);
            out.extend_from_slice(postings);
        }
        Data::Binary(deflate(&out, level))
    };
    write_buckets(prefix, shards, entries, data, write)
}

/// Writes word shards (`w-N.js`) of `entries`, each a word and its row (per field its
/// document count, then per document `(delta << 1) | more` and its count when more; see
/// postings.rs). A shard registers four texts: a header (the term count; per term its byte
/// length shifted left by `fields` bits over a mask of the fields holding it, then their
/// document counts), the terms' bytes, every document's count less one (deflated each), and
/// a bit stream of every list's documents, ascending and Rice-coded over the `num_docs`
/// (see [`push_ascending`]: a fifth smaller than deflated varints); documents in term, field
/// and document order.
pub(super) fn write_postings_shards(
    prefix: &str,
    shards: usize,
    entries: Vec<(String, Vec<u8>)>,
    fields: usize,
    num_docs: u64,
    write: &(impl Fn(&str, Data) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<()> {
    let data = |bucket: &[(String, Vec<u8>)]| {
        let [header, terms, counts, docs] = postings_streams(bucket, fields, num_docs);
        Data::Binaries(vec![
            deflate(&header, POSTINGS_LEVEL),
            deflate(&terms, POSTINGS_LEVEL),
            deflate(&counts, POSTINGS_LEVEL),
            docs,
        ])
    };
    write_buckets(prefix, shards, entries, data, write)
}

/// The four streams of a word shard (see [`write_postings_shards`]).
fn postings_streams(bucket: &[(String, Vec<u8>)], fields: usize, num_docs: u64) -> [Vec<u8>; 4] {
    let [mut header, mut terms, mut counts] = <[Vec<u8>; 3]>::default();
    let mut bits = BitWriter::default();
    push_varint(&mut header, bucket.len() as u64);
    let mut field_docs = vec![0u64; fields];
    let mut docs = Vec::new();
    for (term, row) in bucket {
        let mut at = 0;
        for field_count in field_docs.iter_mut() {
            *field_count = read_varint(row, &mut at);
            docs.clear();
            let mut doc = 0;
            for _ in 0..*field_count {
                let head = read_varint(row, &mut at);
                doc += head >> 1;
                docs.push(doc);
                let count = if head & 1 == 1 {
                    read_varint(row, &mut at)
                } else {
                    1
                };
                push_varint(&mut counts, count - 1);
            }
            push_ascending(&mut bits, &docs, num_docs);
        }
        push_header(&mut header, term, &field_docs);
        terms.extend_from_slice(term.as_bytes());
    }
    [header, terms, counts, bits.finish()]
}

/// A term's header entry: its byte length shifted left by the field count over a mask of the
/// fields holding it, then the nonzero `counts`.
fn push_header(header: &mut Vec<u8>, term: &str, counts: &[u64]) {
    let mask = counts
        .iter()
        .enumerate()
        .filter(|(_, &count)| count > 0)
        .fold(0u64, |mask, (field, _)| mask | 1 << field);
    push_varint(header, ((term.len() as u64) << counts.len()) | mask);
    for &count in counts.iter().filter(|&&count| count > 0) {
        push_varint(header, count);
    }
}

/// Writes gram shards (`g-N.js`) of `entries`, each a gram and its occurrences per field (see
/// [`push_gram_list`]); `totals` are the fields' text lengths, all documents laid end to end.
/// A shard registers three texts: a header and the bytes of the terms that are not two
/// characters of the alphabet, deflated, and a bit stream (see [`gram_streams`]).
pub(super) fn write_gram_shards(
    prefix: &str,
    shards: usize,
    entries: Vec<(String, Vec<u8>)>,
    alphabet: &Alphabet,
    totals: &[u64],
    write: &(impl Fn(&str, Data) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<()> {
    let data = |bucket: &[(String, Vec<u8>)]| {
        let [header, terms, bits] = gram_streams(bucket, alphabet, totals);
        Data::Binaries(vec![
            deflate(&header, POSTINGS_LEVEL),
            deflate(&terms, POSTINGS_LEVEL),
            bits,
        ])
    };
    write_buckets(prefix, shards, entries, data, write)
}

/// A gram of two characters of `alphabet` as one number: the first's rank times the alphabet
/// size plus the second's. Nearly every gram is one, and a shard's sorted numbers code in
/// half the bytes of their deflated UTF-8.
fn bigram_number(term: &str, alphabet: &Alphabet) -> Option<u64> {
    let mut chars = term.chars();
    let (first, second) = (chars.next()?, chars.next()?);
    if chars.next().is_some() {
        return None;
    }
    Some((alphabet.rank(first)? * alphabet.len() + alphabet.rank(second)?) as u64)
}

/// The three streams of a gram shard. Its terms in order: the grams of two alphabet characters
/// by their number ([`bigram_number`]), then the others by their bytes. The header: the term
/// count, the number of such grams; per term its byte length (0 for numbered grams) shifted
/// left by the field count over a mask of the fields holding it, then their occurrence
/// counts. The terms: the bytes of the others. The bits: the numbers as Rice-coded gaps
/// (first number, then each gap less one), then per term and field its occurrences' offset
/// gaps (see [`push_gram_list`]). Every Rice parameter follows from what the reader already
/// knows ([`rice_k`]): a count and the size it is spread over.
fn gram_streams(bucket: &[(String, Vec<u8>)], alphabet: &Alphabet, totals: &[u64]) -> [Vec<u8>; 3] {
    let fields = totals.len();
    let mut order: Vec<(Option<u64>, &str, &[u8])> = bucket
        .iter()
        .map(|(term, row)| (bigram_number(term, alphabet), term.as_str(), row.as_slice()))
        .collect();
    // Numbered grams first (`Some` sorts after `None`, so compare `is_none` first).
    order.sort_unstable_by(|a, b| (a.0.is_none(), a.0, a.1).cmp(&(b.0.is_none(), b.0, b.1)));
    let numbered = order.iter().take_while(|(number, _, _)| number.is_some()).count();
    let (mut header, mut terms, mut bits) = (Vec::new(), Vec::new(), BitWriter::default());
    push_varint(&mut header, order.len() as u64);
    push_varint(&mut header, numbered as u64);
    let numbers: Vec<u64> = order[..numbered]
        .iter()
        .filter_map(|&(number, _, _)| number)
        .collect();
    push_ascending(&mut bits, &numbers, (alphabet.len() * alphabet.len()) as u64);
    let mut counts = vec![0u64; fields];
    let mut lists: Vec<(u64, &[u8])> = vec![(0, &[]); fields];
    for &(number, term, row) in &order {
        let mut at = 0;
        for (count, list) in counts.iter_mut().zip(&mut lists) {
            *count = read_varint(row, &mut at);
            *list = (0, &[]);
            if *count > 0 {
                let bit_count = read_varint(row, &mut at);
                let end = at + bit_count.div_ceil(8) as usize;
                *list = (bit_count, &row[at..end]);
                at = end;
            }
        }
        let spelled = if number.is_some() { "" } else { term };
        push_header(&mut header, spelled, &counts);
        terms.extend_from_slice(spelled.as_bytes());
        for &(bit_count, bytes) in &lists {
            bits.append(bytes, bit_count);
        }
    }
    [header, terms, bits.finish()]
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

    /// Writes `name.js`, the script that registers `data`.
    pub(super) fn write(&self, name: &str, data: Data) -> anyhow::Result<()> {
        let path = self.dir.join(format!("{name}.js"));
        let bytes = match data {
            Data::Json(data) => script_bytes(&script(name, &data, &self.build)),
            Data::Binary(bytes) => binary_script_bytes(name, &[&bytes], false, &self.build),
            Data::Binaries(texts) => {
                let texts: Vec<&[u8]> = texts.iter().map(Vec::as_slice).collect();
                binary_script_bytes(name, &texts, true, &self.build)
            }
        };
        std::fs::write(&path, &bytes).with_context(|| format!("failed to write `{}`", path.display()))?;
        let mut written = self.written.lock().expect("no panics hold this lock");
        written.files += 1;
        written.bytes += bytes.len() as u64;
        Ok(())
    }

    pub(super) fn finish(self) -> Written {
        self.written.into_inner().expect("no panics hold this lock")
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::bits::{push_gram_list, rice_k, BitReader};
    use super::*;

    /// The text `data` made by [`to_text`] as a JavaScript string.
    fn quoted(data: &str) -> String {
        format!("\"{data}\"")
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

    #[test]
    fn binary_scripts_are_the_bytes_of_their_text_in_the_smaller_encoding() {
        // Pseudo-random bytes, with every unsafe pair (a surrogate pair in the file) among them.
        let mut bytes: Vec<u8> = (0..5_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        for unsafe_value in [
            0xd800u16, 0xdbff, 0xdc00, 0xdfff, 0, 0x0a, 0x0d, 0x22, 0x5c, 0x2028, 0x2029, 0xfeff, 0xfffe,
            0xffff,
        ] {
            bytes.extend_from_slice(&unsafe_value.to_be_bytes());
        }
        for len in [0, 1, 2, 3, 7, 40, 41, 120, 121, 1_000, bytes.len()] {
            let data = &bytes[bytes.len() - len..];
            let single = script("t-3", &quoted(&to_text(data)), "b1");
            assert_eq!(
                binary_script_bytes("t-3", &[data], false, "b1"),
                script_bytes(&single),
                "one string of {len} bytes"
            );
            let several = [data, &bytes[..len / 3], &[]];
            let texts: Vec<String> = several.iter().map(|data| to_text(data)).collect();
            let array = script("g-12", &quoted_array(&texts), "b1");
            assert_eq!(
                binary_script_bytes("g-12", &several, true, "b1"),
                script_bytes(&array),
                "an array, {len} bytes first"
            );
        }
        // Tiny files stay UTF-8, larger ones take UTF-16: both kinds were compared above.
        assert_eq!(
            &binary_script_bytes("t-0", &[&[1, 2]], false, "b")[..3],
            b"\xef\xbb\xbf"
        );
        assert_eq!(
            &binary_script_bytes("t-0", &[&bytes], false, "b")[..2],
            [0xff, 0xfe]
        );
    }

    #[test]
    fn deflate_is_the_same_bytes_on_every_machine() {
        // Two builds of the same sources must write the same pack. flate2 takes whichever
        // backend any crate of the build asks for: this fails if it is no longer zlib-rs.
        let text = "学习贯彻党的二十大精神，学习贯彻党的二十大精神。2024年 abc abc abc".repeat(20);
        let deflated = deflate(text.as_bytes(), TEXT_LEVEL);
        assert_eq!(unpack_binary(&to_text(&deflated)).unwrap(), text.as_bytes());
        assert_eq!(
            (deflated.len(), crc32fast::hash(&deflated)),
            (83, 1_219_153_311),
            "deflate's output changed"
        );
    }

    #[test]
    fn a_word_shard_keeps_counts_apart_and_codes_documents_as_bits() {
        // One word: field 0 in documents 4 (count 2) and 9; field 1 in document 0.
        let mut row = Vec::new();
        for value in [2, (4 << 1) | 1, 2, 5 << 1, 1, 0] {
            push_varint(&mut row, value);
        }
        let [header, terms, counts, bits] = postings_streams(&[("学习".to_string(), row)], 2, 12);
        let mut at = 0;
        let header: Vec<u64> = (0..4).map(|_| read_varint(&header, &mut at)).collect();
        assert_eq!(header, [1, (6 << 2) | 0b11, 2, 1]);
        assert_eq!(terms, "学习".as_bytes());
        assert_eq!(counts, [1, 0, 0]);
        let mut reader = BitReader::new(&bits);
        let k = rice_k(12, 2);
        assert_eq!([reader.read_rice(k), reader.read_rice(k)], [Some(4), Some(4)]);
        assert_eq!(reader.read_rice(rice_k(12, 1)), Some(0));
    }

    #[test]
    fn a_gram_shard_numbers_its_bigrams_and_joins_its_lists_into_one_bit_stream() {
        let alphabet = Alphabet::of(["的学习学习习"]);
        let (size, rank) = (alphabet.len() as u64, |c| alphabet.rank(c).unwrap() as u64);
        assert_eq!((size, rank('学'), rank('习'), rank('的')), (3, 1, 0, 2));
        let totals = [100u64, 5000, 40];
        let row = |lists: &[&[u64]]| {
            let mut row = Vec::new();
            for (gaps, &total) in lists.iter().zip(&totals) {
                push_gram_list(&mut row, gaps, total);
            }
            row
        };
        let bucket = vec![
            ("ab".to_string(), row(&[&[], &[], &[9, 9]])),
            ("学习".to_string(), row(&[&[3], &[0, 5, 1200], &[]])),
            ("的学".to_string(), row(&[&[], &[7], &[]])),
            ("学校".to_string(), row(&[&[], &[8], &[]])),
        ];
        let [header, terms, bits] = gram_streams(&bucket, &alphabet, &totals);
        let mut at = 0;
        let mut next = || read_varint(&header, &mut at);
        assert_eq!([next(), next()], [4, 2], "four terms, two numbered");
        // 学习 = 1 * 3 + 0 = 3, 的学 = 2 * 3 + 1 = 7; then ab and 学校 (校 is not in the alphabet).
        assert_eq!([next(), next(), next()], [0b011, 1, 3], "学习: title and text");
        assert_eq!([next(), next()], [0b010, 1], "的学");
        assert_eq!([next(), next()], [(2 << 3) | 0b100, 2], "ab");
        assert_eq!([next(), next()], [(6 << 3) | 0b010, 1], "学校");
        assert_eq!(terms, "ab学校".as_bytes());
        let mut reader = BitReader::new(&bits);
        let k = rice_k(9, 2);
        assert_eq!(
            [reader.read_rice(k), reader.read_rice(k)],
            [Some(3), Some(7 - 3 - 1)]
        );
        for (expected, total) in [
            (&[3u64][..], 100),
            (&[0, 5, 1200], 5000),
            (&[7], 5000),
            (&[9, 9], 40),
            (&[8], 5000),
        ] {
            let k = rice_k(total, expected.len() as u64);
            let decoded: Vec<u64> = expected.iter().map(|_| reader.read_rice(k).unwrap()).collect();
            assert_eq!(decoded, expected);
        }
        assert!(bits.len() * 8 - reader.position() < 8, "no padding between lists");
    }

    /// Bytes whose 16-bit pairs include every unsafe value, at every place, and at the end,
    /// in files of even and odd length.
    pub(crate) fn awkward_bytes() -> Vec<Vec<u8>> {
        let mut cases: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        cases.push((0..=255u8).collect());
        cases.push(vec![0; 64]);
        cases.push(vec![0xff; 65]);
        cases.push(Vec::new());
        let unsafe_pairs: Vec<[u8; 2]> = (0..=0xffffu32)
            .filter(|&v| is_unsafe_unit(v))
            .map(|v| (v as u16).to_be_bytes())
            .collect();
        assert_eq!(unsafe_pairs.len(), 2048 + 10);
        cases.push(unsafe_pairs.concat());
        for pair in &unsafe_pairs {
            cases.push(vec![7, pair[0], pair[1]]);
            cases.push(vec![pair[0], pair[1], 7]);
        }
        for length in 1..40 {
            cases.push((0..length).map(|i| (i * 37 + length) as u8).collect());
        }
        cases
    }

    #[test]
    fn text_round_trips_and_holds_no_unsafe_unit() {
        for bytes in awkward_bytes() {
            let text = to_text(&bytes);
            let units: Vec<u16> = text.encode_utf16().collect();
            for (at, &unit) in units.iter().enumerate() {
                let in_pair = match unit {
                    0xd800..=0xdbff => matches!(units.get(at + 1), Some(0xdc00..=0xdfff)),
                    0xdc00..=0xdfff => at > 0 && matches!(units[at - 1], 0xd800..=0xdbff),
                    _ => false,
                };
                assert!(
                    in_pair || !is_unsafe_unit(u32::from(unit)),
                    "{bytes:?} -> {text:?}"
                );
            }
            assert_eq!(from_text(&text), Some(bytes.clone()), "{text:?}");
        }
        assert_eq!(from_text(""), None);
        assert_eq!(from_text("2ab"), None);
        assert_eq!(from_text("0\n"), None);
        assert_eq!(from_text("1"), None, "a padding byte needs a pair");
    }

    #[test]
    fn a_utf16_file_carries_compressed_data_in_about_its_own_size() {
        let data: Vec<u8> = (0..30_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let file = script_bytes(&script("g-0", &quoted(&to_text(&data)), "0"));
        assert_eq!(&file[..2], [0xff, 0xfe], "UTF-16 with a byte order mark");
        let base64 = data.len().div_ceil(3) * 4;
        let seven_bits = data.len() * 8 / 7;
        assert!(
            file.len() * 100 < data.len() * 105,
            "{} for {}",
            file.len(),
            data.len()
        );
        assert!(
            file.len() * 100 < seven_bits * 92,
            "{} vs {seven_bits}",
            file.len()
        );
        assert!(file.len() * 100 < base64 * 78, "{} vs {base64}", file.len());
        let text = script_text(&file).expect("decodes");
        assert_eq!(
            from_text(&text[text.find(",\"").unwrap() + 2..text.rfind("\",\"").unwrap()]),
            Some(data)
        );
    }

    #[test]
    fn text_scripts_stay_utf8_and_chinese_ones_take_the_smaller_utf16() {
        let ascii = script("meta", "{\"docs\":3}", "0");
        assert_eq!(script_bytes(&ascii), [b"\xef\xbb\xbf", ascii.as_bytes()].concat());
        let chinese = script("v-0", &quoted(&"学习贯彻\\n".repeat(50)), "0");
        let file = script_bytes(&chinese);
        assert!(file.len() < chinese.len(), "{} vs {}", file.len(), chinese.len());
        assert_eq!(script_text(&file).as_deref(), Some(chinese.as_str()));
        assert_eq!(script_text(b"\xef\xbb\xbfab").as_deref(), Some("ab"));
        assert_eq!(script_text(&[0xff, 0xfe, 0x00, 0xd8]), None, "a lone surrogate");
    }
}
