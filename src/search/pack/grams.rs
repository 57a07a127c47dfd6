//! Gram occurrences for the pack, counted straight from the documents' gram field texts with
//! the gram tokenizer's own spans ([`for_each_gram_span`] on the normalised text), so they are
//! the terms and positions the index holds. Decoding them back from the index's positions took
//! twice as long (at 10,000 pages, 2.0 s against 1.1 s, beside the words on the other core).
//!
//! Each occurrence becomes one integer, its gram's key above its offset, and one sort groups
//! them: a gram's occurrences end up together and in ascending order. A hash map from gram to
//! list was slower still: there is a gram at nearly every character, 1.7 million different
//! ones, and the lookups miss the cache.
//!
//! Runs of documents are tokenized in parallel, each numbering what it meets on its own, and
//! renumbered in the order one pass would have met them: the pack stays byte-identical.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::bits::push_gram_list;
use crate::search::analyzer::{for_each_gram_span, is_cjk_char, normalize_char};

/// Every gram of the gram fields, ready for the pack.
pub(crate) struct Grams {
    /// Per gram, its occurrences in each gram field, encoded by [`push_gram_list`]: each
    /// occurrence is its offset in the field's texts of all documents laid end to end, so one
    /// ascending list replaces documents, counts and positions. The order is fixed by the
    /// sources: CJK grams by their characters' first appearance, then the runs of letters and
    /// digits by theirs.
    pub grams: Vec<(String, Vec<u8>)>,
    /// Per CJK character, the documents (ascending) holding a gram that starts with it, which
    /// is any document with the character in a gram field: for one-character queries.
    pub by_char: BTreeMap<char, Vec<u32>>,
}

/// Numbers for what the grams are made of: CJK characters by rank and runs of letters and
/// digits by number, each in order of first appearance, and the documents of each character.
struct Numbering {
    /// Per code point, its character's rank plus one (0: not seen).
    ranks: Vec<u32>,
    chars: Vec<char>,
    /// Per rank, the documents holding the character: ascending in each field, so sorted
    /// once all fields are counted.
    /// (`u32`: a document number fits, and these lists hold a number per distinct character of
    /// every document.)
    docs: Vec<Vec<u32>>,
    words: HashMap<String, u64>,
    word_texts: Vec<String>,
}

impl Numbering {
    fn new() -> Self {
        Numbering {
            ranks: vec![0; 0x11_0000],
            chars: Vec::new(),
            docs: Vec::new(),
            words: HashMap::new(),
            word_texts: Vec::new(),
        }
    }

    /// The rank of CJK character `c`, counting it in document `doc`.
    fn rank(&mut self, c: char, doc: u32) -> u64 {
        let rank = self.rank_of(c) as usize;
        if rank == self.docs.len() {
            self.docs.push(Vec::new());
        }
        let docs = &mut self.docs[rank];
        if docs.last() != Some(&doc) {
            docs.push(doc);
        }
        rank as u64
    }

    /// The rank of CJK character `c`, numbering it if it is new.
    fn rank_of(&mut self, c: char) -> u64 {
        let slot = &mut self.ranks[c as usize];
        if *slot == 0 {
            self.chars.push(c);
            *slot = self.chars.len() as u32;
        }
        u64::from(*slot - 1)
    }

    fn word(&mut self, word: &str) -> u64 {
        if let Some(&number) = self.words.get(word) {
            return number;
        }
        self.word_texts.push(word.to_string());
        self.words
            .insert(word.to_string(), self.word_texts.len() as u64 - 1);
        self.word_texts.len() as u64 - 1
    }
}

/// How occurrences are packed into one `u64` each, its gram's key above its offset, so that
/// one sort groups them: a gram's occurrences end up together and in ascending order. A CJK
/// gram's key is its characters' ranks (the second one more, 0 for a lone last character);
/// a run of letters and digits has the top bit set and its number.
#[derive(Clone, Copy)]
struct Packing {
    offset_bits: u32,
    rank_bits: u32,
}

const WORD_BIT: u64 = 1 << 63;

impl Packing {
    /// The packing for fields of up to `total` characters.
    fn for_total(total: u64) -> Packing {
        let offset_bits = 64 - total.leading_zeros();
        Packing {
            offset_bits,
            rank_bits: (63 - offset_bits) / 2,
        }
    }

    fn cjk(self, first: u64, second: Option<u64>, offset: u32) -> Option<u64> {
        let second = second.map_or(0, |rank| rank + 1);
        (first >> self.rank_bits == 0 && second >> self.rank_bits == 0)
            .then(|| (((first << self.rank_bits) | second) << self.offset_bits) | u64::from(offset))
    }

    fn word(self, number: u64, offset: u32) -> Option<u64> {
        (number >> (63 - self.offset_bits) == 0)
            .then(|| WORD_BIT | (number << self.offset_bits) | u64::from(offset))
    }

    /// `occurrence`, counted in a chunk with its own numbers, in the common numbers
    /// (`ranks` and `words` map the chunk's).
    fn renumber(self, occurrence: u64, ranks: &[u64], words: &[u64]) -> Option<u64> {
        let key = self.key(occurrence);
        let offset = self.offset(occurrence) as u32;
        let word_flag = WORD_BIT >> self.offset_bits;
        if key & word_flag != 0 {
            return self.word(words[(key & !word_flag) as usize], offset);
        }
        let first = ranks[(key >> self.rank_bits) as usize];
        let second = match key & ((1 << self.rank_bits) - 1) {
            0 => None,
            rank => Some(ranks[rank as usize - 1]),
        };
        self.cjk(first, second, offset)
    }

    fn key(self, occurrence: u64) -> u64 {
        occurrence >> self.offset_bits
    }

    fn offset(self, occurrence: u64) -> u64 {
        occurrence & ((1 << self.offset_bits) - 1)
    }

    fn text(self, key: u64, numbering: &Numbering) -> String {
        if key & (WORD_BIT >> self.offset_bits) != 0 {
            let number = key & !(WORD_BIT >> self.offset_bits);
            return numbering.word_texts[number as usize].clone();
        }
        let first = numbering.chars[(key >> self.rank_bits) as usize];
        let second = match key & ((1 << self.rank_bits) - 1) {
            0 => None,
            rank => Some(numbering.chars[rank as usize - 1]),
        };
        std::iter::once(first).chain(second).collect()
    }
}

/// Counts the grams of `texts` (per document in pack id order, its text in each gram field);
/// `lengths[field][doc]` is the length in characters of that text.
pub(super) fn count_grams(texts: &[Vec<String>], lengths: &[Vec<u64>]) -> anyhow::Result<Grams> {
    // A few chunks a thread, so that one with longer pages does not leave the other core idle;
    // at most 64, each holding its numbering until the merge.
    let chunks = (rayon::current_num_threads() * 4).min(64);
    count_grams_in_chunks(texts, lengths, texts.len().div_ceil(chunks).max(1))
}

/// [`count_grams`], tokenizing `chunk_len` documents at a time in parallel. Each chunk numbers
/// its characters and runs on its own; they are then renumbered in the order a single pass
/// over all fields and documents would have met them, so the result never depends on the
/// chunks.
fn count_grams_in_chunks(
    texts: &[Vec<String>],
    lengths: &[Vec<u64>],
    chunk_len: usize,
) -> anyhow::Result<Grams> {
    let totals: Vec<u64> = lengths.iter().map(|lengths| lengths.iter().sum()).collect();
    let packing = Packing::for_total(totals.iter().copied().max().unwrap_or(0));
    let too_many = || {
        anyhow::anyhow!(
            "the pages hold too much text, in too many different characters, for the static search pack"
        )
    };
    // Offsets and occurrence counts are `u32`.
    if totals.iter().any(|&total| total > u64::from(u32::MAX)) {
        return Err(too_many());
    }
    // Where each chunk's texts begin in each field's texts laid end to end.
    let chunk_count = texts.len().div_ceil(chunk_len);
    let mut bases = vec![vec![0u64; totals.len()]; chunk_count];
    for (field, lengths) in lengths.iter().enumerate() {
        let mut begin = 0;
        for (doc, length) in lengths.iter().enumerate() {
            if doc % chunk_len == 0 {
                bases[doc / chunk_len][field] = begin;
            }
            begin += length;
        }
    }
    // Per field, room for a gram at every character (at most one starts at each): each
    // chunk fills its texts' part from its start, and the gaps are closed at the end.
    let mut fields: Vec<Vec<u64>> = totals.iter().map(|&total| vec![0; total as usize]).collect();
    let chunks: Vec<ChunkGrams> = texts
        .par_chunks(chunk_len)
        .zip(chunk_parts(&mut fields, &bases))
        .zip(&bases)
        .enumerate()
        .map(|(number, ((texts, parts), bases))| {
            count_chunk(texts, number * chunk_len, bases, parts, packing)
        })
        .collect::<Option<_>>()
        .ok_or_else(too_many)?;

    let (numbering, rank_maps, word_maps) = common_numbering(&chunks, totals.len());

    // The occurrences in the common numbering, in place; then each field's parts moved together.
    chunks
        .par_iter()
        .zip(chunk_parts(&mut fields, &bases))
        .zip(rank_maps.par_iter().zip(&word_maps))
        .try_for_each(|((chunk, parts), (ranks, words))| {
            for (part, &filled) in parts.into_iter().zip(&chunk.filled) {
                for occurrence in &mut part[..filled] {
                    *occurrence = packing.renumber(*occurrence, ranks, words)?;
                }
            }
            Some(())
        })
        .ok_or_else(too_many)?;
    close_gaps(&mut fields, &chunks, &bases);
    drop(chunks);
    fields
        .par_iter_mut()
        .for_each(|occurrences| occurrences.par_sort_unstable());
    // Every gram's key, and where its occurrences start in each field: `starts[gram * fields
    // + field]`, the next gram's start (or a last row of the lengths) ending them. Flat: a list
    // of ranges per gram was 1.7 million small allocations at 10,000 pages, ~80 bytes each.
    let field_count = fields.len();
    let mut keys: Vec<u64> = Vec::new();
    let mut starts: Vec<u32> = Vec::new();
    let mut at = vec![0usize; field_count];
    loop {
        let next = fields
            .iter()
            .zip(&at)
            .filter_map(|(occurrences, &at)| occurrences.get(at).map(|&o| packing.key(o)))
            .min();
        let Some(key) = next else { break };
        keys.push(key);
        for (occurrences, at) in fields.iter().zip(at.iter_mut()) {
            // Offsets are `u32` (see `count_chunk`), so a field holds fewer occurrences.
            starts.push(*at as u32);
            while occurrences.get(*at).is_some_and(|&o| packing.key(o) == key) {
                *at += 1;
            }
        }
    }
    starts.extend(at.iter().map(|&at| at as u32));
    let grams = keys
        .into_par_iter()
        .enumerate()
        .map_init(Vec::new, |gaps, (gram, key)| {
            let mut encoded = Vec::new();
            for (field, (occurrences, &total)) in fields.iter().zip(&totals).enumerate() {
                let start = starts[gram * field_count + field] as usize;
                let end = starts[(gram + 1) * field_count + field] as usize;
                gaps.clear();
                let mut next = 0u64;
                for &occurrence in &occurrences[start..end] {
                    let offset = packing.offset(occurrence);
                    gaps.push(offset - next);
                    next = offset + 1;
                }
                push_gram_list(&mut encoded, gaps, total);
            }
            (packing.text(key, &numbering), encoded)
        })
        .collect();
    let by_char = numbering.chars.into_iter().zip(numbering.docs).collect();
    Ok(Grams { grams, by_char })
}

/// The length in characters of each document's text in each field: `lengths[field][doc]`.
#[cfg(test)]
pub(crate) fn lengths_of(texts: &[Vec<String>]) -> Vec<Vec<u64>> {
    let fields = texts.first().map_or(0, Vec::len);
    (0..fields)
        .map(|field| {
            texts
                .iter()
                .map(|doc| doc[field].chars().count() as u64)
                .collect()
        })
        .collect()
}

/// The chunks' characters and runs numbered in order of first appearance over all of them
/// (field by field, chunk by chunk, as one pass meets them), each character with its
/// documents; and per chunk, its numbers' common ones (characters, then runs).
fn common_numbering(chunks: &[ChunkGrams], field_count: usize) -> (Numbering, Vec<Vec<u64>>, Vec<Vec<u64>>) {
    let mut numbering = Numbering::new();
    let mut rank_maps: Vec<Vec<u64>> = chunks
        .iter()
        .map(|chunk| vec![0; chunk.numbering.chars.len()])
        .collect();
    let mut word_maps: Vec<Vec<u64>> = chunks
        .iter()
        .map(|chunk| vec![0; chunk.numbering.word_texts.len()])
        .collect();
    for field in 0..field_count {
        for ((chunk, ranks), words) in chunks.iter().zip(&mut rank_maps).zip(&mut word_maps) {
            let new_chars = chunk.char_marks[field]..chunk.char_marks[field + 1];
            for (rank, &c) in ranks[new_chars.clone()]
                .iter_mut()
                .zip(&chunk.numbering.chars[new_chars])
            {
                *rank = numbering.rank_of(c);
            }
            let new_words = chunk.word_marks[field]..chunk.word_marks[field + 1];
            for (number, word) in words[new_words.clone()]
                .iter_mut()
                .zip(&chunk.numbering.word_texts[new_words])
            {
                *number = numbering.word(word);
            }
        }
    }
    // Each character's documents: each chunk's are ascending, and the chunks in order.
    let mut locals: Vec<Vec<Option<u32>>> = vec![Vec::new(); numbering.chars.len()];
    for (number, ranks) in rank_maps.iter().enumerate() {
        for (local, &rank) in ranks.iter().enumerate() {
            let slots = &mut locals[rank as usize];
            slots.resize(chunks.len(), None);
            slots[number] = Some(local as u32);
        }
    }
    numbering.docs = locals
        .into_par_iter()
        .map(|slots| {
            let mut docs = Vec::new();
            for (chunk, local) in chunks.iter().zip(slots) {
                if let Some(local) = local {
                    docs.extend_from_slice(&chunk.numbering.docs[local as usize]);
                }
            }
            docs
        })
        .collect();
    (numbering, rank_maps, word_maps)
}

/// Moves each chunk's occurrences (at the start of its part of each field, see [`chunk_parts`])
/// together, dropping the room left unused.
fn close_gaps(fields: &mut [Vec<u64>], chunks: &[ChunkGrams], bases: &[Vec<u64>]) {
    for (field, occurrences) in fields.iter_mut().enumerate() {
        let mut end = 0;
        for (chunk, bases) in chunks.iter().zip(bases) {
            let start = bases[field] as usize;
            occurrences.copy_within(start..start + chunk.filled[field], end);
            end += chunk.filled[field];
        }
        occurrences.truncate(end);
    }
}

/// The grams of a run of documents, numbered on their own (see [`count_grams_in_chunks`]).
struct ChunkGrams {
    numbering: Numbering,
    /// The characters first met in field `f` have the numbers `char_marks[f]..char_marks[f + 1]`.
    char_marks: Vec<usize>,
    /// The same for the runs of letters and digits.
    word_marks: Vec<usize>,
    /// Per field, how many occurrences the chunk wrote at the start of its part.
    filled: Vec<usize>,
}

/// Each chunk's part of each field's list: `parts[chunk][field]`, from `bases[chunk][field]`
/// to the next chunk's base.
fn chunk_parts<'a>(fields: &'a mut [Vec<u64>], bases: &[Vec<u64>]) -> Vec<Vec<&'a mut [u64]>> {
    let mut parts: Vec<Vec<&mut [u64]>> = bases.iter().map(|_| Vec::with_capacity(fields.len())).collect();
    for (field, occurrences) in fields.iter_mut().enumerate() {
        let mut rest = occurrences.as_mut_slice();
        for (chunk, chunk_parts) in parts.iter_mut().enumerate() {
            let len = match bases.get(chunk + 1) {
                Some(next) => (next[field] - bases[chunk][field]) as usize,
                None => rest.len(),
            };
            let (part, after) = std::mem::take(&mut rest).split_at_mut(len);
            chunk_parts.push(part);
            rest = after;
        }
    }
    parts
}

/// Counts the grams of `texts`, the documents from `first_doc` on, which begin at `bases` in
/// each field, into `parts`, with numbers of the chunk's own; `None` where a number does not
/// fit `packing`.
fn count_chunk(
    texts: &[Vec<String>],
    first_doc: usize,
    bases: &[u64],
    parts: Vec<&mut [u64]>,
    packing: Packing,
) -> Option<ChunkGrams> {
    let mut numbering = Numbering::new();
    let mut char_marks = vec![0];
    let mut word_marks = vec![0];
    let mut filled = Vec::with_capacity(parts.len());
    let mut chars: Vec<char> = Vec::new();
    let mut word = String::new();
    for (field, (part, &base)) in parts.into_iter().zip(bases).enumerate() {
        let mut written = 0;
        let mut begin = u32::try_from(base).ok()?;
        for (doc, texts) in texts.iter().enumerate() {
            let doc = u32::try_from(first_doc + doc).ok()?;
            let text = texts.get(field).map_or("", String::as_str);
            chars.clear();
            chars.extend(text.chars().map(normalize_char));
            let mut failed = false;
            for_each_gram_span(&chars, |span| {
                let offset = begin + span.start as u32;
                let packed = match chars[span.clone()] {
                    [first] if is_cjk_char(first) => packing.cjk(numbering.rank(first, doc), None, offset),
                    [first, second] if is_cjk_char(first) => {
                        let first = numbering.rank(first, doc);
                        let second = numbering.rank(second, doc);
                        packing.cjk(first, Some(second), offset)
                    }
                    ref run => {
                        word.clear();
                        word.extend(run);
                        // Tantivy drops longer tokens; so must the pack, to find what the
                        // index finds.
                        if word.len() > tantivy::tokenizer::MAX_TOKEN_LEN {
                            return;
                        }
                        packing.word(numbering.word(&word), offset)
                    }
                };
                match packed {
                    Some(packed) => {
                        part[written] = packed;
                        written += 1;
                    }
                    None => failed = true,
                }
            });
            if failed {
                return None;
            }
            begin += chars.len() as u32;
        }
        filled.push(written);
        char_marks.push(numbering.chars.len());
        word_marks.push(numbering.word_texts.len());
    }
    // The code point table and the runs' map are only for counting (4.4 MB a chunk).
    numbering.ranks = Vec::new();
    numbering.words = HashMap::new();
    // Ascending once: the fields list the documents of a character one after the other.
    for docs in &mut numbering.docs {
        docs.sort_unstable();
        docs.dedup();
    }
    Some(ChunkGrams {
        numbering,
        char_marks,
        word_marks,
        filled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analyzer::{grams, normalize};
    use crate::search::pack::bits::BitReader;
    use crate::search::pack::bits::{read_varint, rice_k};

    /// The offsets of one field's list of an encoded gram, and where the next list starts.
    fn decode_list(encoded: &[u8], at: &mut usize, total: u64) -> Vec<u64> {
        let count = read_varint(encoded, at);
        if count == 0 {
            return Vec::new();
        }
        let bits = read_varint(encoded, at) as usize;
        let bytes = &encoded[*at..*at + bits.div_ceil(8)];
        *at += bytes.len();
        let mut reader = BitReader::new(bytes);
        let k = rice_k(total, count);
        let mut next = 0;
        (0..count)
            .map(|_| {
                let offset = next + reader.read_rice(k).unwrap();
                next = offset + 1;
                offset
            })
            .collect()
    }

    /// Documents of three gram fields each.
    fn documents(texts: &[[&str; 3]]) -> Vec<Vec<String>> {
        texts
            .iter()
            .map(|fields| fields.iter().map(|text| text.to_string()).collect())
            .collect()
    }

    #[test]
    fn every_gram_of_the_tokenizer_is_counted_at_its_offset() {
        let texts = documents(&[
            ["學習教育", "党史学习教育，ＡＢＣ 2024年学习", "学习"],
            ["", "abc 学", "会议 abc"],
            ["教育", "习近平 2024 abc", ""],
        ]);
        let lengths = lengths_of(&texts);
        let totals: Vec<u64> = lengths.iter().map(|lengths| lengths.iter().sum()).collect();
        let counted = count_grams(&texts, &lengths).unwrap();
        // What the gram tokenizer makes of each text, placed at its document's offset.
        let mut expected: BTreeMap<String, Vec<Vec<u64>>> = BTreeMap::new();
        for (field, &total) in totals.iter().enumerate() {
            let mut begin = 0;
            for doc in &texts {
                for gram in grams(&normalize(&doc[field])) {
                    let lists = expected.entry(gram.text).or_insert_with(|| vec![Vec::new(); 3]);
                    lists[field].push(begin + gram.position as u64);
                }
                begin += doc[field].chars().count() as u64;
            }
            assert_eq!(begin, total);
        }
        let mut found: BTreeMap<String, Vec<Vec<u64>>> = BTreeMap::new();
        for (term, encoded) in &counted.grams {
            let mut at = 0;
            let lists = totals
                .iter()
                .map(|&total| decode_list(encoded, &mut at, total))
                .collect();
            assert_eq!(at, encoded.len(), "{term}: nothing after the lists");
            assert!(found.insert(term.clone(), lists).is_none(), "{term} twice");
        }
        assert_eq!(found, expected);
        assert!(found.contains_key("学习") && found.contains_key("abc") && found.contains_key("年学"));
        // Documents per character, in any field: 学 in the first two, 习 and 教 in the first and
        // the last.
        assert_eq!(counted.by_char[&'学'], [0, 1]);
        assert_eq!(counted.by_char[&'习'], [0, 2]);
        assert_eq!(counted.by_char[&'教'], [0, 2]);
        assert!(
            !counted.by_char.contains_key(&'a'),
            "letters are not characters of CJK runs"
        );
    }

    #[test]
    fn the_counts_do_not_depend_on_how_the_documents_are_chunked() {
        // Characters and runs met first in a later chunk, or first in a later field of an
        // earlier chunk, and documents without text, in every way of cutting them.
        let texts = documents(&[
            ["", "会议 abc 学习", "学"],
            ["学习", "", "xyz 2024年"],
            ["教育", "学习教育 xyz", "会"],
            ["", "", ""],
            ["议题", "第一议题 abc 2024", "议"],
            ["xyz", "学", "题目"],
        ]);
        let lengths = lengths_of(&texts);
        let whole = count_grams_in_chunks(&texts, &lengths, texts.len()).unwrap();
        let whole_terms: Vec<&str> = whole.grams.iter().map(|(term, _)| term.as_str()).collect();
        for chunk_len in 1..texts.len() {
            let chunked = count_grams_in_chunks(&texts, &lengths, chunk_len).unwrap();
            assert_eq!(chunked.grams, whole.grams, "chunks of {chunk_len}");
            assert_eq!(chunked.by_char, whole.by_char, "chunks of {chunk_len}");
        }
        // CJK grams by their characters' first appearance, field by field: the titles' 议 and
        // 题 (the fifth document) before the bodies' 会 (the first); then the runs.
        assert_eq!(
            whole_terms,
            [
                "学", "学习", "习", "习教", "教育", "育", "议", "议题", "题", "题目", "会", "会议", "第一",
                "一议", "年", "目", "xyz", "abc", "2024"
            ]
        );
    }

    #[test]
    fn a_run_too_long_for_the_index_is_left_out_as_tantivy_leaves_it() {
        let long = "a".repeat(tantivy::tokenizer::MAX_TOKEN_LEN + 1);
        let texts = vec![vec![format!("{long} 学习 ok")]];
        let counted = count_grams(&texts, &lengths_of(&texts)).unwrap();
        let terms: Vec<&str> = counted.grams.iter().map(|(term, _)| term.as_str()).collect();
        assert_eq!(terms, ["学习", "习", "ok"]);
    }

    #[test]
    fn ranks_and_numbers_that_do_not_fit_their_bits_are_refused() {
        // Offsets of 32 bits leave 15 bits a character rank and 31 for a run's number.
        let packing = Packing::for_total(u64::from(u32::MAX) - 1);
        assert_eq!((packing.offset_bits, packing.rank_bits), (32, 15));
        assert!(packing.cjk(1, Some((1 << 15) - 2), 7).is_some());
        assert!(packing.cjk(1, Some((1 << 15) - 1), 7).is_none());
        assert!(packing.word((1 << 31) - 1, 7).is_some());
        assert!(packing.word(1 << 31, 7).is_none());
        let occurrence = packing.cjk(3, Some(5), 7).unwrap();
        assert_eq!(packing.offset(occurrence), 7);
        assert_eq!(packing.key(occurrence), (3 << 15) | 6);
    }
}
