//! Writing the pack's data files: word, gram and character entries sharded by a hash of their
//! key and coded into streams, each file written as a script of the pack's format (script.rs).

use std::path::Path;

use anyhow::Context as _;
use rayon::prelude::*;

use super::alphabet::Alphabet;
use super::bits::{push_ascending, push_varint, read_varint, BitWriter};
use super::script::{deflate, Data, POSTINGS_LEVEL};

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
        let bytes = data.script_file(name, &self.build);
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
}
