//! Verbatim matching from a file of gram occurrences beside the index (`verbatim.bin`), so a
//! full build gives Tantivy no gram tokens at all.
//!
//! Grams are a token at nearly every character; as Tantivy fields with positions they were
//! two thirds of a 10,000-page build's indexing time (8.7 s of the index stage against 2.5 s
//! without) and 86 of the index's 144 MB. The static pack counts them anyway, straight from
//! the stored texts with the gram tokenizer's own spans (`pack/grams.rs`), so the build writes
//! the same counts here too, and queries intersect them as the browser does.
//!
//! `serve` replaces an edited page's document without rewriting this file: such documents
//! carry their grams in the Tantivy gram fields as before, and [`Fields::verbatim_file`](super::schema::Fields::verbatim_file) says
//! which kind a document is. A query asks both ([`crate::search::query`], with
//! [`super::file_match::FileMatchQuery`] for the file's matches).
//!
//! The file, little-endian: a magic, the document and field counts; per field the offset where
//! each document's text starts in the field's texts laid end to end (and the total); the gram
//! table (sorted by the gram's UTF-8) and the character table (sorted), as offsets into the
//! entries that follow. A gram's entry is its text and, per field, its occurrences as the pack
//! codes them ([`push_gram_list`](super::pack)): a count, a bit count and Rice-coded gaps. A
//! character's entry is the documents holding it in any field, as varint gaps.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use rayon::prelude::*;
use tantivy::directory::{Directory as _, MmapDirectory, OwnedBytes};

use super::analyzer::{query_grams, QueryGram};
use super::pack::{push_varint, read_varint, rice_k, BitReader};

/// The file's name inside the index folder.
pub const VERBATIM_FILE: &str = "verbatim.bin";
const MAGIC: &[u8; 8] = b"SBVERB01";

/// The gram occurrences of one build, memory-mapped as Tantivy maps its own files: opening
/// costs nothing, and only the pages of the grams a query needs are read.
pub struct VerbatimFile {
    /// The file's size and modification time when it was opened.
    identity: Option<(u64, std::time::SystemTime)>,
    bytes: OwnedBytes,
    num_docs: u64,
    /// Per field, where each document's text starts in the field's texts laid end to end, and
    /// the total at the end (`num_docs + 1` values).
    starts: Vec<Vec<u64>>,
    /// Where the gram table, the character table and the entries begin in `bytes`.
    gram_table: usize,
    gram_count: usize,
    char_table: usize,
    char_count: usize,
    entries: usize,
}

/// Writes the file: `grams` as the pack counted them (text, each field's list), `by_char` the
/// documents of each CJK character, `lengths` per field each document's text length in
/// characters.
/// `grams` in the byte order of their terms: first by their first eight bytes, kept beside
/// each entry, then by the rest; a comparison of the strings themselves reads two far-apart
/// heap blocks (1.7 million terms at 10,000 pages).
fn by_term(grams: &[(String, Vec<u8>)]) -> Vec<&(String, Vec<u8>)> {
    let mut keyed: Vec<(u64, &(String, Vec<u8>))> = grams
        .par_iter()
        .map(|gram| {
            let mut head = [0u8; 8];
            let bytes = gram.0.as_bytes();
            let len = bytes.len().min(8);
            head[..len].copy_from_slice(&bytes[..len]);
            (u64::from_be_bytes(head), gram)
        })
        .collect();
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1 .0.cmp(&b.1 .0)));
    keyed.into_iter().map(|(_, gram)| gram).collect()
}

pub(crate) fn write_file(
    path: &Path,
    grams: &[(String, Vec<u8>)],
    by_char: &BTreeMap<char, Vec<u32>>,
    lengths: &[Vec<u64>],
) -> anyhow::Result<()> {
    let num_docs = lengths.first().map_or(0, Vec::len);
    let order = by_term(grams);
    let char_entries: Vec<(u32, Vec<u8>)> = by_char
        .iter()
        .map(|(&c, docs)| {
            let mut entry = Vec::new();
            push_varint(&mut entry, docs.len() as u64);
            let mut next = 0;
            for &doc in docs {
                let doc = u64::from(doc);
                push_varint(&mut entry, doc - next);
                next = doc + 1;
            }
            (c as u32, entry)
        })
        .collect();

    // The tables first, from the entries' sizes; then the entries, streamed.
    let too_large =
        || anyhow::anyhow!("the pages hold too much text for the verbatim search file (over 4 GB)");
    let mut head: Vec<u8> = Vec::with_capacity(16 * num_docs + 4 * order.len() + 8 * char_entries.len() + 64);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&(num_docs as u64).to_le_bytes());
    head.extend_from_slice(&(lengths.len() as u64).to_le_bytes());
    for field in lengths {
        let mut start = 0u64;
        for &length in field {
            head.extend_from_slice(&start.to_le_bytes());
            start += length;
        }
        head.extend_from_slice(&start.to_le_bytes());
    }
    let mut entries_size = 0usize;
    head.extend_from_slice(&(order.len() as u64).to_le_bytes());
    let mut text_length = Vec::new();
    for (text, lists) in &order {
        head.extend_from_slice(
            &u32::try_from(entries_size)
                .map_err(|_| too_large())?
                .to_le_bytes(),
        );
        text_length.clear();
        push_varint(&mut text_length, text.len() as u64);
        entries_size += text_length.len() + text.len() + lists.len();
    }
    head.extend_from_slice(&(char_entries.len() as u64).to_le_bytes());
    for (c, entry) in &char_entries {
        head.extend_from_slice(&c.to_le_bytes());
        head.extend_from_slice(
            &u32::try_from(entries_size)
                .map_err(|_| too_large())?
                .to_le_bytes(),
        );
        entries_size += entry.len();
    }
    let written = || format!("failed to write `{}`", path.display());
    let file =
        std::fs::File::create(path).with_context(|| format!("failed to create `{}`", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    out.write_all(&head).with_context(written)?;
    for (text, lists) in order {
        text_length.clear();
        push_varint(&mut text_length, text.len() as u64);
        out.write_all(&text_length).with_context(written)?;
        out.write_all(text.as_bytes()).with_context(written)?;
        out.write_all(lists).with_context(written)?;
    }
    for (_, entry) in &char_entries {
        out.write_all(entry).with_context(written)?;
    }
    out.flush().with_context(written)?;
    Ok(())
}

fn identity(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.len(), metadata.modified().ok()?))
}

impl VerbatimFile {
    /// Reads the file in `index_dir`. An error says what is wrong with it.
    pub fn open(index_dir: &Path) -> anyhow::Result<VerbatimFile> {
        let path = index_dir.join(VERBATIM_FILE);
        let identity = identity(&path);
        let bytes = MmapDirectory::open(index_dir)
            .map_err(anyhow::Error::from)
            .and_then(|directory| Ok(directory.open_read(Path::new(VERBATIM_FILE))?.read_bytes()?))
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        let mut file = Self::from_bytes(bytes).with_context(|| format!("`{}` is damaged", path.display()))?;
        file.identity = identity;
        Ok(file)
    }

    /// Whether the file in `index_dir` is still the one this was read from (same size and
    /// modification time: every build writes it anew).
    pub fn is_current(&self, index_dir: &Path) -> bool {
        self.identity.is_some() && identity(&index_dir.join(VERBATIM_FILE)) == self.identity
    }

    fn from_bytes(bytes: OwnedBytes) -> anyhow::Result<VerbatimFile> {
        anyhow::ensure!(
            bytes.get(..8) == Some(MAGIC.as_slice()),
            "it does not start as one"
        );
        let mut at = 8;
        let u64_at = |at: &mut usize| -> anyhow::Result<u64> {
            let value = bytes
                .get(*at..*at + 8)
                .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
                .context("it ends too early")?;
            *at += 8;
            Ok(value)
        };
        let num_docs = u64_at(&mut at)?;
        let fields = u64_at(&mut at)?;
        anyhow::ensure!(
            fields <= 16 && num_docs < u64::from(u32::MAX),
            "its counts are impossible"
        );
        let mut starts = Vec::with_capacity(fields as usize);
        for _ in 0..fields {
            let field = (0..=num_docs)
                .map(|_| u64_at(&mut at))
                .collect::<anyhow::Result<Vec<u64>>>()?;
            anyhow::ensure!(
                field.windows(2).all(|w| w[0] <= w[1]),
                "its text lengths are damaged"
            );
            starts.push(field);
        }
        let gram_count = u64_at(&mut at)? as usize;
        let gram_table = at;
        at = gram_count
            .checked_mul(4)
            .and_then(|size| at.checked_add(size))
            .context("its gram table is damaged")?;
        let char_count = u64_at(&mut at)? as usize;
        let char_table = at;
        let entries = char_count
            .checked_mul(8)
            .and_then(|size| at.checked_add(size))
            .filter(|&end| end <= bytes.len())
            .context("it ends too early")?;
        let file = VerbatimFile {
            identity: None,
            num_docs,
            starts,
            gram_table,
            gram_count,
            char_table,
            char_count,
            entries,
            bytes,
        };
        let last_entry = (0..file.gram_count)
            .map(|i| file.gram_offset(i))
            .chain((0..file.char_count).map(|i| file.char_at(i).1))
            .max()
            .unwrap_or(0);
        anyhow::ensure!(file.entries + last_entry <= file.bytes.len(), "it ends too early");
        Ok(file)
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.bytes[at..at + 4].try_into().expect("4 bytes"))
    }

    fn gram_offset(&self, i: usize) -> usize {
        self.u32_at(self.gram_table + 4 * i) as usize
    }

    fn char_at(&self, i: usize) -> (u32, usize) {
        let at = self.char_table + 8 * i;
        (self.u32_at(at), self.u32_at(at + 4) as usize)
    }

    /// The gram at place `i` of the table: its text and where its lists start.
    fn gram(&self, i: usize) -> (&[u8], usize) {
        let mut at = self.entries + self.gram_offset(i);
        let length = read_varint(&self.bytes, &mut at) as usize;
        let end = at.saturating_add(length).min(self.bytes.len());
        (&self.bytes[at.min(end)..end], end)
    }

    /// The first place in the gram table whose text is not below `text`.
    fn lower_bound(&self, text: &[u8]) -> usize {
        let (mut low, mut high) = (0, self.gram_count);
        while low < high {
            let middle = (low + high) / 2;
            if self.gram(middle).0 < text {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        low
    }

    /// A gram's occurrences per field, as offsets into the field's texts laid end to end.
    fn occurrences(&self, text: &str) -> Option<Vec<Vec<u64>>> {
        let place = self.lower_bound(text.as_bytes());
        (place < self.gram_count && self.gram(place).0 == text.as_bytes()).then(|| self.lists(place))
    }

    fn lists(&self, place: usize) -> Vec<Vec<u64>> {
        let mut at = self.gram(place).1;
        self.starts
            .iter()
            .map(|starts| {
                let total = starts.last().copied().unwrap_or(0);
                read_gram_list(&self.bytes, &mut at, total)
            })
            .collect()
    }

    /// Every occurrence of a gram starting with `c` (a bigram, or `c` ending a run), per field,
    /// ascending: where a lone character of a query may stand.
    fn prefix_occurrences(&self, c: char) -> Vec<Vec<u64>> {
        let mut own = [0u8; 4];
        let own = c.encode_utf8(&mut own).as_bytes();
        let mut merged = vec![Vec::new(); self.starts.len()];
        let mut place = self.lower_bound(own);
        while place < self.gram_count && self.gram(place).0.starts_with(own) {
            for (into, list) in merged.iter_mut().zip(self.lists(place)) {
                into.extend(list);
            }
            place += 1;
        }
        for list in &mut merged {
            list.sort_unstable();
        }
        merged
    }

    /// The documents holding CJK character `c` in any field.
    fn char_documents(&self, c: char) -> Vec<u64> {
        let (mut low, mut high) = (0, self.char_count);
        while low < high {
            let middle = (low + high) / 2;
            if self.char_at(middle).0 < c as u32 {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        if low == self.char_count || self.char_at(low).0 != c as u32 {
            return Vec::new();
        }
        let mut at = self.entries + self.char_at(low).1;
        let count = read_varint(&self.bytes, &mut at);
        let mut next = 0u64;
        // A damaged count must not reserve more than the bytes left could hold.
        let room = self.bytes.len().saturating_sub(at) as u64;
        let mut docs = Vec::with_capacity(count.min(self.num_docs).min(room) as usize);
        for _ in 0..count {
            let doc = next.saturating_add(read_varint(&self.bytes, &mut at));
            if doc >= self.num_docs {
                break;
            }
            docs.push(doc);
            next = doc + 1;
        }
        docs
    }

    /// The documents (pack ids: places in source path order, ascending) that contain the
    /// normalised `text` verbatim in any field: its query grams at their relative positions,
    /// in one text, as a Tantivy phrase of them would match.
    pub fn documents(&self, text: &str) -> Vec<u64> {
        self.matches(text).into_iter().map(|(doc, _)| doc).collect()
    }

    /// [`Self::documents`], each with the gram fields that hold `text` as bits (bit `f` for
    /// the `f`-th of [`gram_fields`](super::schema::gram_fields)); 0 for a lone character,
    /// whose entry lists documents only.
    pub fn matches(&self, text: &str) -> Vec<(u64, u8)> {
        let grams = query_grams(text);
        match grams.as_slice() {
            [] => Vec::new(),
            [single] if single.prefix => self
                .char_documents(single.text.chars().next().expect("a lone character"))
                .into_iter()
                .map(|doc| (doc, 0))
                .collect(),
            grams => self.phrase_matches(grams),
        }
    }

    fn phrase_matches(&self, grams: &[QueryGram]) -> Vec<(u64, u8)> {
        let mut lists = Vec::with_capacity(grams.len());
        for gram in grams {
            let occurrences = if gram.prefix {
                self.prefix_occurrences(gram.text.chars().next().expect("a lone character"))
            } else {
                match self.occurrences(&gram.text) {
                    Some(lists) => lists,
                    None => return Vec::new(),
                }
            };
            lists.push(occurrences);
        }
        let first = grams[0].position as u64;
        let last = grams.last().expect("at least one gram").position as u64 - first;
        let mut found = Vec::new();
        for (field, starts) in self.starts.iter().enumerate() {
            // Anchored on the gram with the fewest occurrences in this field.
            let Some(anchor) = (0..grams.len()).min_by_key(|&g| lists[g][field].len()) else {
                continue;
            };
            let anchor_shift = grams[anchor].position as u64 - first;
            for &at in &lists[anchor][field] {
                let Some(start) = at.checked_sub(anchor_shift) else {
                    continue;
                };
                let all_there = grams
                    .iter()
                    .zip(&lists)
                    .enumerate()
                    .all(|(g, (gram, per_field))| {
                        g == anchor
                            || per_field[field]
                                .binary_search(&(start + gram.position as u64 - first))
                                .is_ok()
                    });
                if !all_there {
                    continue;
                }
                // One text holds the whole phrase: its first and last gram in the same one.
                let doc = starts.partition_point(|&s| s <= start).saturating_sub(1);
                if doc < self.num_docs as usize && start + last < starts[doc + 1] {
                    found.push((doc as u64, 1u8 << field.min(7)));
                }
            }
        }
        found.sort_unstable();
        // One entry per document, with the bits of all its fields.
        let mut merged: Vec<(u64, u8)> = Vec::with_capacity(found.len());
        for (doc, bit) in found {
            match merged.last_mut() {
                Some((last, bits)) if *last == doc => *bits |= bit,
                _ => merged.push((doc, bit)),
            }
        }
        merged
    }
}

/// Reads one field's list of a gram entry (see `push_gram_list` in the pack): ascending
/// offsets below `total`. Damaged bits end the list early rather than fail.
fn read_gram_list(bytes: &[u8], at: &mut usize, total: u64) -> Vec<u64> {
    let count = read_varint(bytes, at);
    if count == 0 {
        return Vec::new();
    }
    let bit_count = read_varint(bytes, at);
    let end = (*at as u64)
        .saturating_add(bit_count.div_ceil(8))
        .min(bytes.len() as u64) as usize;
    let mut bits = BitReader::new(&bytes[(*at).min(end)..end]);
    *at = end;
    let k = rice_k(total, count);
    // Each value takes at least k + 1 bits: a damaged count reserves no more than that allows.
    let room = bits.bit_len() / (u64::from(k) + 1);
    let mut out = Vec::with_capacity(count.min(total).min(room) as usize);
    let mut next = 0u64;
    for _ in 0..count {
        let Some(gap) = bits.read_rice(k) else { break };
        let offset = next.saturating_add(gap);
        if offset >= total {
            break;
        }
        out.push(offset);
        next = offset + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_ordered_by_their_bytes_whatever_their_first_eight() {
        let terms = [
            "学习贯彻",
            "学习贯",
            "学习",
            "学",
            "",
            "a",
            "a\0",
            "a\0b",
            "abcdefgh",
            "abcdefghi",
            "abcdefgh\0",
            "abcdefga",
            "abcdefgz",
            "2024",
            "20240",
            "学习贯彻落实",
            "学习贯彻党的",
            "学习贯彻党",
            "\u{20000}",
            "\u{ffff}",
            "zz",
        ];
        let grams: Vec<(String, Vec<u8>)> = terms.iter().map(|t| (t.to_string(), Vec::new())).collect();
        let ordered: Vec<&str> = by_term(&grams).iter().map(|(t, _)| t.as_str()).collect();
        let mut expected = terms.to_vec();
        expected.sort_unstable();
        assert_eq!(ordered, expected);
    }
    use crate::search::analyzer::{grams, normalize};
    use crate::search::pack::count_grams_for_tests;

    /// What a Tantivy phrase of the query grams over each field finds, document by document.
    fn phrase_oracle(texts: &[Vec<String>], query: &str) -> Vec<u64> {
        let query = query_grams(query);
        let mut found = Vec::new();
        for (doc, fields) in texts.iter().enumerate() {
            let hit = fields.iter().any(|text| {
                let terms = grams(&normalize(text));
                let at = |position: usize, gram: &QueryGram| {
                    terms.iter().any(|t| {
                        t.position == position
                            && if gram.prefix {
                                t.text.starts_with(&gram.text)
                            } else {
                                t.text == gram.text
                            }
                    })
                };
                terms.iter().any(|start| {
                    query.iter().all(|gram| {
                        (start.position + gram.position)
                            .checked_sub(query[0].position)
                            .is_some_and(|position| at(position, gram))
                    })
                })
            });
            if hit && !query.is_empty() {
                found.push(doc as u64);
            }
        }
        found
    }

    fn file_of(texts: &[Vec<String>]) -> VerbatimFile {
        let lengths = crate::search::pack::gram_lengths_for_tests(texts);
        let counted = count_grams_for_tests(texts);
        let dir = tempfile::tempdir().unwrap();
        write_file(
            &dir.path().join(VERBATIM_FILE),
            &counted.grams,
            &counted.by_char,
            &lengths,
        )
        .unwrap();
        VerbatimFile::open(dir.path()).unwrap()
    }

    fn texts(docs: &[[&str; 3]]) -> Vec<Vec<String>> {
        docs.iter()
            .map(|fields| fields.iter().map(|t| t.to_string()).collect())
            .collect()
    }

    #[test]
    fn finds_what_a_phrase_of_the_grams_finds() {
        let texts = texts(&[
            ["学习教育", "党史学习教育，ABC 2024年学习", "学习"],
            ["", "abc 学", "会议 abc"],
            ["教育", "习近平 2024 abc 年终", "第1次"],
            ["学习", "习近平新时代中国特色社会主义思想", "2024年"],
            ["党史", "学", "习"],
        ]);
        let file = file_of(&texts);
        for query in [
            "学习",
            "学习教育",
            "习",
            "学",
            "年",
            "2024年",
            "2024",
            "abc",
            "ab",
            "第1",
            "1次",
            "史学",
            "习近平新时代",
            "党史学",
            "教育党史",
            "年学习",
            "abc学",
            "会议",
            "近平新时代中国特色社会主义思想",
            "学，abc",
            "2024年学",
            "中国特色社会主义",
            "无此",
            "z",
        ] {
            let query = normalize(query);
            assert_eq!(
                file.documents(&query),
                phrase_oracle(&texts, &query),
                "query {query}"
            );
        }
        // Spot checks of the oracle itself.
        assert_eq!(file.documents("学习"), [0, 3]);
        assert_eq!(file.documents("2024年"), [0, 3]);
        assert_eq!(file.documents("ab"), Vec::<u64>::new());
        assert_eq!(file.documents("学"), [0, 1, 3, 4]);
    }

    #[test]
    fn a_phrase_never_spans_two_documents() {
        // "学" ends document 0's text and "习" starts document 1's: laid end to end they are
        // the bigram's characters, but no text holds "学习".
        let texts = texts(&[["", "教学", ""], ["", "习惯 2024", ""], ["", "年", ""]]);
        let file = file_of(&texts);
        assert!(file.documents("学习").is_empty());
        assert!(file.documents("2024年").is_empty());
        assert_eq!(file.documents("教学"), [0]);
    }

    #[test]
    fn a_damaged_file_is_refused_and_damaged_lists_end_early() {
        let texts = texts(&[["学习", "学习教育", ""]]);
        let dir = tempfile::tempdir().unwrap();
        let file = file_of(&texts);
        std::fs::write(
            dir.path().join(VERBATIM_FILE),
            &file.bytes[..file.bytes.len() / 2],
        )
        .unwrap();
        let error = VerbatimFile::open(dir.path()).err().unwrap();
        assert!(format!("{error:#}").contains("is damaged"), "{error:#}");
        std::fs::write(dir.path().join(VERBATIM_FILE), b"not a verbatim file").unwrap();
        assert!(VerbatimFile::open(dir.path()).is_err());
        // Garbage bits inside the entries never panic (what they decode to is garbage too).
        let mut bytes = file.bytes.to_vec();
        for byte in &mut bytes[file.entries..] {
            *byte = 0xff;
        }
        let damaged = VerbatimFile::from_bytes(OwnedBytes::new(bytes)).unwrap();
        for query in ["学习", "学", "习教", "学习教育"] {
            let _ = damaged.documents(query);
        }
    }
}
