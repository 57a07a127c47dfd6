//! Gram occurrences for the pack, counted straight from the documents' gram field texts with
//! the gram tokenizer's own spans ([`for_each_gram_span`] on the normalised text), so they are
//! the terms and positions the index holds. Decoding them back from the index's positions took
//! twice as long (at 10,000 pages, 2.0 s against 1.1 s, beside the words on the other core).
//!
//! Each occurrence becomes one integer, its gram's key above its offset, and one sort groups
//! them: a gram's occurrences end up together and in ascending order. A hash map from gram to
//! list was slower still: there is a gram at nearly every character, 1.7 million different
//! ones, and the lookups miss the cache.

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
    pub by_char: BTreeMap<char, Vec<u64>>,
}

/// Numbers for what the grams are made of: CJK characters by rank and runs of letters and
/// digits by number, each in order of first appearance, and the documents of each character.
struct Numbering {
    /// Per code point, its character's rank plus one (0: not seen).
    ranks: Vec<u32>,
    chars: Vec<char>,
    /// Per rank, the documents holding the character: ascending in each field, so sorted
    /// once all fields are counted.
    docs: Vec<Vec<u64>>,
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
    fn rank(&mut self, c: char, doc: u64) -> u64 {
        let slot = &mut self.ranks[c as usize];
        if *slot == 0 {
            self.chars.push(c);
            self.docs.push(Vec::new());
            *slot = self.chars.len() as u32;
        }
        let rank = *slot as usize - 1;
        let docs = &mut self.docs[rank];
        if docs.last() != Some(&doc) {
            docs.push(doc);
        }
        rank as u64
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
        (second >> self.rank_bits == 0)
            .then(|| (((first << self.rank_bits) | second) << self.offset_bits) | u64::from(offset))
    }

    fn word(self, number: u64, offset: u32) -> Option<u64> {
        (number >> (63 - self.offset_bits) == 0)
            .then(|| WORD_BIT | (number << self.offset_bits) | u64::from(offset))
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
/// `totals[field]` is the length in characters of that field's texts laid end to end.
pub(super) fn count_grams(texts: &[Vec<String>], totals: &[u64]) -> anyhow::Result<Grams> {
    let packing = Packing::for_total(totals.iter().copied().max().unwrap_or(0));
    let too_many = || {
        anyhow::anyhow!(
            "the pages hold too much text, in too many different characters, for the static search pack"
        )
    };
    let mut numbering = Numbering::new();
    let mut fields: Vec<Vec<u64>> = Vec::with_capacity(totals.len());
    let mut chars: Vec<char> = Vec::new();
    let mut word = String::new();
    for (field, &total) in totals.iter().enumerate() {
        // At most one gram starts at each character.
        let mut occurrences: Vec<u64> = Vec::with_capacity(total as usize);
        let mut begin = 0u32;
        for (doc, texts) in texts.iter().enumerate() {
            let doc = doc as u64;
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
                    Some(packed) => occurrences.push(packed),
                    None => failed = true,
                }
            });
            if failed {
                return Err(too_many());
            }
            begin += chars.len() as u32;
        }
        fields.push(occurrences);
    }
    fields
        .par_iter_mut()
        .for_each(|occurrences| occurrences.par_sort_unstable());
    // Every gram, with its range of occurrences in each field.
    let mut grams: Vec<(u64, Vec<std::ops::Range<usize>>)> = Vec::new();
    let mut at = vec![0usize; fields.len()];
    loop {
        let next = fields
            .iter()
            .zip(&at)
            .filter_map(|(occurrences, &at)| occurrences.get(at).map(|&o| packing.key(o)))
            .min();
        let Some(key) = next else { break };
        let ranges = fields
            .iter()
            .zip(at.iter_mut())
            .map(|(occurrences, at)| {
                let start = *at;
                while occurrences.get(*at).is_some_and(|&o| packing.key(o) == key) {
                    *at += 1;
                }
                start..*at
            })
            .collect();
        grams.push((key, ranges));
    }
    let grams = grams
        .into_par_iter()
        .map_init(Vec::new, |gaps, (key, ranges)| {
            let mut encoded = Vec::new();
            for ((occurrences, range), &total) in fields.iter().zip(ranges).zip(totals) {
                gaps.clear();
                let mut next = 0u64;
                for &occurrence in &occurrences[range] {
                    let offset = packing.offset(occurrence);
                    gaps.push(offset - next);
                    next = offset + 1;
                }
                push_gram_list(&mut encoded, gaps, total);
            }
            (packing.text(key, &numbering), encoded)
        })
        .collect();
    // A character met again in a later field has its documents listed again from the start.
    let mut by_char = BTreeMap::new();
    for (c, mut docs) in numbering.chars.into_iter().zip(numbering.docs) {
        docs.sort_unstable();
        docs.dedup();
        by_char.insert(c, docs);
    }
    Ok(Grams { grams, by_char })
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

    #[test]
    fn every_gram_of_the_tokenizer_is_counted_at_its_offset() {
        let texts: Vec<Vec<String>> = [
            ["學習教育", "党史学习教育，ＡＢＣ 2024年学习", "学习"],
            ["", "abc 学", "会议 abc"],
            ["教育", "习近平 2024 abc", ""],
        ]
        .iter()
        .map(|fields| fields.iter().map(|text| text.to_string()).collect())
        .collect();
        let totals: Vec<u64> = (0..3)
            .map(|field| texts.iter().map(|doc| doc[field].chars().count() as u64).sum())
            .collect();
        let counted = count_grams(&texts, &totals).unwrap();
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
    fn a_run_too_long_for_the_index_is_left_out_as_tantivy_leaves_it() {
        let long = "a".repeat(tantivy::tokenizer::MAX_TOKEN_LEN + 1);
        let texts = vec![vec![format!("{long} 学习 ok")]];
        let total = texts[0][0].chars().count() as u64;
        let counted = count_grams(&texts, &[total]).unwrap();
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
