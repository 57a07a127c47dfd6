//! Where a CJK character stands beside a letter or digit (`2024年`, `第1条`): per character,
//! its positions there. A query with a lone character next to a number then needs these few
//! positions instead of the postings of every gram the character starts (hundreds of shards
//! for a common character).

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::bits::push_varint;
use crate::search::analyzer::{is_cjk_char, is_word_char, normalize};

/// The two sides: the character follows a letter or digit (`年` in `2024年`), or one follows it
/// (`第` in `第1`).
const SIDES: usize = 2;

/// Documents (ascending), each with the character's positions in one field.
type FieldDocs = Vec<(u32, Vec<u32>)>;

/// Per character, per side, per gram field: the documents with the character's positions
/// there.
#[derive(Default)]
pub(super) struct Boundaries {
    by_char: BTreeMap<char, [Vec<FieldDocs>; SIDES]>,
}

impl Boundaries {
    /// The boundaries of every document's gram fields (`texts[doc][field]`), scanned in
    /// parallel. Positions are character offsets in the normalised text, as the gram
    /// tokenizer's.
    pub(super) fn scan(texts: &[Vec<String>]) -> Boundaries {
        let found: Vec<Vec<(char, usize, usize, u32)>> = texts
            .par_iter()
            .map(|fields| {
                let mut found = Vec::new();
                for (field, text) in fields.iter().enumerate() {
                    let chars: Vec<char> = normalize(text).chars().collect();
                    for (at, &c) in chars.iter().enumerate() {
                        if !is_cjk_char(c) {
                            continue;
                        }
                        let after = at > 0 && is_word_char(chars[at - 1]);
                        let before = chars.get(at + 1).is_some_and(|&next| is_word_char(next));
                        for (side, beside) in [after, before].into_iter().enumerate() {
                            if beside {
                                found.push((c, side, field, at as u32));
                            }
                        }
                    }
                }
                found
            })
            .collect();
        let fields = texts.first().map_or(0, Vec::len);
        let mut boundaries = Boundaries::default();
        for (doc, found) in found.into_iter().enumerate() {
            for (c, side, field, at) in found {
                let sides = boundaries
                    .by_char
                    .entry(c)
                    .or_insert_with(|| std::array::from_fn(|_| vec![Vec::new(); fields]));
                let docs = &mut sides[side][field];
                match docs.last_mut() {
                    Some((last, positions)) if *last == doc as u32 => positions.push(at),
                    _ => docs.push((doc as u32, vec![at])),
                }
            }
        }
        boundaries
    }

    /// Appends `c`'s positions to `out`, both sides, each as gram postings (per field the
    /// document count, then per document `(delta << 1) | more`, its count when more, its
    /// position deltas); nothing when `c` never stands beside a letter or digit.
    pub(super) fn encode(&self, c: char, out: &mut Vec<u8>) {
        let Some(sides) = self.by_char.get(&c) else {
            return;
        };
        for fields in sides {
            for docs in fields {
                push_varint(out, docs.len() as u64);
                let mut last_doc = 0;
                for (doc, positions) in docs {
                    let more = positions.len() > 1;
                    push_varint(out, (u64::from(doc - last_doc) << 1) | u64::from(more));
                    if more {
                        push_varint(out, positions.len() as u64);
                    }
                    let mut last = 0;
                    for &position in positions {
                        push_varint(out, u64::from(position - last));
                        last = position;
                    }
                    last_doc = *doc;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_beside_letters_and_digits_are_recorded_with_their_side() {
        let texts = |body: &str| vec![String::new(), body.to_string(), String::new()];
        let boundaries = Boundaries::scan(&[texts("2024年第1条，年度"), texts(""), texts("A股年")]);
        let sides = &boundaries.by_char[&'年'];
        assert_eq!(
            sides[0][1],
            [(0, vec![4])],
            "年 after 2024; not 年度, nor after 股"
        );
        assert_eq!(sides[1][1], Vec::<(u32, Vec<u32>)>::new());
        assert_eq!(boundaries.by_char[&'第'][1][1], [(0, vec![5])]);
        assert_eq!(boundaries.by_char[&'条'][0][1], [(0, vec![7])]);
        assert_eq!(boundaries.by_char[&'股'][0][1], [(2, vec![1])]);
        assert!(!boundaries.by_char.contains_key(&'度'));
    }
}
