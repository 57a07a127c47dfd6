//! “Did you mean”: a query that finds nothing because of a wrong character (`营商环竟`, typed by
//! sound with a pinyin input method) is answered with the query as the index's own words would
//! spell it (`营商环境`). The browser ports this module (`corrections` in the built-in search
//! engine), over the pack's vocabulary, which holds the same words.

use std::collections::BTreeSet;

use tantivy::schema::Field;

use super::analyzer::{is_cjk_char, normalize};
use super::query::{parse_query, Part, SearchRequest, Searcher};
use super::schema::word_field_boosts;
use super::segment::{typo_positions, MAX_WORD_CHARS};

/// Fewest characters of a word a correction is drawn from: two-character words differ from
/// too many others by one character (环境, 环节, 环保) to guess which was meant.
pub const MIN_CORRECTED_WORD_CHARS: usize = 3;
/// Most corrected queries tried, each a whole search, before giving up.
pub const MAX_CORRECTIONS_TRIED: usize = 5;
/// Fewest characters of a stretch that may read as a part of a longer word (`营商环境` of
/// 优化营商环境); a shorter one must be a whole word (`学习汇` is no typo of 学习教育's 学习教).
pub const MIN_FRAGMENT_CHARS: usize = 4;
/// Longest part, in characters, that is corrected: each stretch of it is compared with every
/// word of the vocabulary, and a sentence pasted whole is not a typo.
pub const MAX_CORRECTED_PART_CHARS: usize = 12;

/// The words of the index's vocabulary a correction may come from: Chinese words of
/// [`MIN_CORRECTED_WORD_CHARS`] characters or more, in code point order (as the browser sorts
/// them).
#[derive(Debug, Default)]
pub struct Vocabulary {
    words: Vec<Vec<char>>,
}

impl Vocabulary {
    pub fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Vocabulary {
        let mut words: Vec<Vec<char>> = words
            .into_iter()
            .map(|word| word.chars().collect::<Vec<char>>())
            .filter(|chars| chars.len() >= MIN_CORRECTED_WORD_CHARS && chars.iter().all(|&c| is_cjk_char(c)))
            .collect();
        words.sort_unstable();
        words.dedup();
        Vocabulary { words }
    }
}

/// `part` (normalised) with one character replaced, where `replaceable` allows (see
/// `segment::typo_positions`), so that a stretch of it (of [`MIN_CORRECTED_WORD_CHARS`] to
/// [`MAX_WORD_CHARS`] characters) is written as a word of the vocabulary, or, from
/// [`MIN_FRAGMENT_CHARS`] characters, as a part of one (`营商环境` of 优化营商环境: jieba
/// indexes the long word and its halves, not always what a reader types); best first: the
/// longest stretch first, then the leftmost, then in the words' code point order and where in
/// the word; at most `limit`, none for a part longer than [`MAX_CORRECTED_PART_CHARS`].
pub fn corrections(part: &str, replaceable: &[bool], vocabulary: &Vocabulary, limit: usize) -> Vec<String> {
    let chars: Vec<char> = part.chars().collect();
    let mut found: Vec<String> = Vec::new();
    if limit == 0 || chars.len() > MAX_CORRECTED_PART_CHARS {
        return found;
    }
    for length in (MIN_CORRECTED_WORD_CHARS..=MAX_WORD_CHARS.min(chars.len())).rev() {
        for start in 0..=chars.len() - length {
            let window = &chars[start..start + length];
            if !window.iter().all(|&c| is_cjk_char(c)) {
                continue;
            }
            for word in &vocabulary.words {
                if length < MIN_FRAGMENT_CHARS && word.len() != length {
                    continue;
                }
                for stretch in word.windows(length) {
                    let mut differing = window
                        .iter()
                        .zip(stretch)
                        .enumerate()
                        .filter(|(_, (a, b))| a != b);
                    let (Some((at, _)), None) = (differing.next(), differing.next()) else {
                        continue;
                    };
                    if !replaceable.get(start + at).copied().unwrap_or(false) {
                        continue;
                    }
                    let mut corrected = chars.clone();
                    corrected[start + at] = stretch[at];
                    let corrected: String = corrected.into_iter().collect();
                    if !found.contains(&corrected) {
                        found.push(corrected);
                        if found.len() == limit {
                            return found;
                        }
                    }
                }
            }
        }
    }
    found
}

/// “Did you mean”, driven by the searcher: each correction is a whole search.
impl Searcher {
    /// How many pages `query` finds under `request`'s filters.
    fn count(&self, query: &str, request: &SearchRequest) -> tantivy::Result<usize> {
        let request = SearchRequest {
            query: query.to_string(),
            limit: 0,
            offset: 0,
            facet_limit: Some(0),
            ..request.clone()
        };
        Ok(self.search_parts(&parse_query(query), &request)?.total)
    }

    /// The query of `parts` with misspelt characters corrected, if it then finds pages under
    /// the same filters: each part that finds nothing on its own (not quoted, not left out) is
    /// corrected by the vocabulary's words ([`corrections`], where [`typo_positions`] allows),
    /// the first correction that finds pages on its own, of at most
    /// [`MAX_CORRECTIONS_TRIED`] tries in all. The browser ports this.
    pub(super) fn suggestion(
        &self,
        parts: &[Part],
        request: &SearchRequest,
    ) -> tantivy::Result<Option<String>> {
        let mut tries_left = MAX_CORRECTIONS_TRIED;
        let mut fixed = parts.to_vec();
        let mut corrected_any = false;
        let alone = SearchRequest::default();
        for (at, part) in parts.iter().enumerate() {
            if part.exclude
                || part.exact
                || tries_left == 0
                || part.text.chars().count() > MAX_CORRECTED_PART_CHARS
            {
                continue;
            }
            if self.count(&query_text(std::slice::from_ref(part)), &alone)? > 0 {
                continue;
            }
            // Nowhere a typo may be (Latin, digits, words only): the vocabulary is not read.
            let searcher = self.reader.searcher();
            let replaceable = typo_positions(&part.text, |word| self.in_vocabulary(&searcher, word));
            if !replaceable.contains(&true) {
                continue;
            }
            let vocabulary = match self.vocabulary.get() {
                Some(vocabulary) => vocabulary,
                None => {
                    let searcher = self.reader.searcher();
                    let fields: Vec<Field> =
                        word_field_boosts(&self.fields).iter().map(|&(f, _)| f).collect();
                    let read = vocabulary_of(&searcher, &fields)?;
                    self.vocabulary.get_or_init(|| read)
                }
            };
            let found = corrections(&part.text, &replaceable, vocabulary, tries_left);
            // A scan that finds nothing costs a try too: a long query of odd parts scans at
            // most as many parts as there are tries.
            if found.is_empty() {
                tries_left -= 1;
            }
            for corrected in found {
                tries_left -= 1;
                let corrected = Part::new(corrected, false, false);
                if self.count(&query_text(std::slice::from_ref(&corrected)), &alone)? > 0 {
                    fixed[at] = corrected;
                    corrected_any = true;
                    break;
                }
            }
        }
        let query = query_text(&fixed);
        if !corrected_any || self.count(&query, request)? == 0 {
            return Ok(None);
        }
        Ok(Some(as_typed(&request.query, parts, &fixed).unwrap_or(query)))
    }
}

/// The corrected query as the reader typed it: `typed` with each character the corrections
/// replaced (`fixed` against `parts`), so that what was typed around them stays (no space
/// after a date run together with the rest, full-width punctuation, Traditional characters,
/// capitals). `None` where a part is not found in the typed query's normalised text (parts are
/// normalised, which keeps the character count, and found in their order), or where the
/// corrected text would not parse into the corrected parts: a date run together with what
/// follows may split elsewhere once a character changes (`2024年杜工作总结`: 2024年 · 度工作总结
/// was counted, `2024年度工作总结` splits as 2024年度 · 工作总结).
pub fn as_typed(typed: &str, parts: &[Part], fixed: &[Part]) -> Option<String> {
    let mut chars: Vec<char> = typed.chars().collect();
    let normalized: Vec<char> = normalize(typed).chars().collect();
    if normalized.len() != chars.len() {
        return None;
    }
    let mut from = 0;
    for (part, fixed) in parts.iter().zip(fixed) {
        let text: Vec<char> = part.text.chars().collect();
        let at = from
            + normalized[from..]
                .windows(text.len().max(1))
                .position(|window| window == text.as_slice())?;
        from = at + text.len();
        for (offset, (old, new)) in text.iter().zip(fixed.text.chars()).enumerate() {
            if *old != new {
                chars[at + offset] = new;
            }
        }
    }
    let corrected: String = chars.into_iter().collect();
    let same = |a: &[Part], b: &[Part]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(a, b)| a.text == b.text && a.exclude == b.exclude && a.exact == b.exact)
    };
    same(&parse_query(&corrected), fixed).then_some(corrected)
}

/// `parts` written as a query that parses into them again: `-` before a part left out, quotes
/// around an exact one.
pub fn query_text(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|part| {
            let text = if part.exact {
                format!("\"{}\"", part.text)
            } else {
                part.text.clone()
            };
            if part.exclude {
                format!("-{text}")
            } else {
                text
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The vocabulary of the word fields of an index (the terms the pack's vocabulary lists too).
pub fn vocabulary_of(searcher: &tantivy::Searcher, fields: &[Field]) -> tantivy::Result<Vocabulary> {
    let mut words: BTreeSet<String> = BTreeSet::new();
    for segment in searcher.segment_readers() {
        for &field in fields {
            let inverted = segment.inverted_index(field)?;
            let mut terms = inverted.terms().stream()?;
            while terms.advance() {
                if let Ok(word) = std::str::from_utf8(terms.key()) {
                    words.insert(word.to_string());
                }
            }
        }
    }
    Ok(Vocabulary::new(words.iter().map(String::as_str)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any character may be replaced.
    fn anywhere(part: &str) -> Vec<bool> {
        vec![true; part.chars().count()]
    }

    #[test]
    fn a_wrong_character_is_corrected_by_the_longest_word_first() {
        let vocabulary = Vocabulary::new([
            "营商环境",
            "环境",
            "优化营商环境",
            "高质量发展",
            "环节",
            "营商",
            "x环境y",
        ]);
        assert_eq!(
            corrections("营商环竟", &anywhere("营商环竟"), &vocabulary, 5),
            ["营商环境"]
        );
        assert_eq!(
            corrections("优化营商环竟", &anywhere("优化营商环竟"), &vocabulary, 5),
            ["优化营商环境"]
        );
        assert_eq!(
            corrections("高质量法展要求", &anywhere("高质量法展要求"), &vocabulary, 5),
            ["高质量发展要求"]
        );
        // A part of a longer word: jieba indexes 优化营商环境 whole.
        let vocabulary = Vocabulary::new(["优化营商环境", "营商"]);
        assert_eq!(
            corrections("营商环竟", &anywhere("营商环竟"), &vocabulary, 5),
            ["营商环境"]
        );
        // Two characters say too little; a word already right gets nothing, nor two wrong
        // characters.
        assert!(corrections("环竟", &anywhere("环竟"), &vocabulary, 5).is_empty());
        assert!(corrections("营商环境", &anywhere("营商环境"), &vocabulary, 5).is_empty());
        assert!(corrections("营伤环竟", &anywhere("营伤环竟"), &vocabulary, 5).is_empty());
        // Three characters must be a whole word, not a part of one (营商环 of 优化营商环境).
        assert!(corrections("营商坏", &anywhere("营商坏"), &vocabulary, 5).is_empty());
        // Only where a typo may be: 竟 kept, nothing to correct.
        assert!(corrections("营商环竟", &[true, true, true, false], &vocabulary, 5).is_empty());
        // Latin letters and digits are never replaced.
        assert!(corrections("ab环境", &anywhere("ab环境"), &vocabulary, 5).is_empty());
        assert!(corrections(
            "营商环竟营商环竟营商环竟营",
            &anywhere("营商环竟营商环竟营商环竟营"),
            &vocabulary,
            5
        )
        .is_empty());
    }

    #[test]
    fn a_correction_is_written_into_the_query_as_typed() {
        let typed = "2024年营商环竟， -疫情  高质量法展";
        let parts = parse_query(typed);
        let mut fixed = parts.clone();
        assert_eq!(parts.len(), 4, "{parts:?}");
        fixed[1] = Part::new(parts[1].text.replace('竟', "境"), false, false);
        fixed[3] = Part::new("高质量发展".to_string(), false, false);
        assert_eq!(
            as_typed(typed, &parts, &fixed).as_deref(),
            Some("2024年营商环境， -疫情  高质量发展")
        );
        // Traditional characters and capitals stay as typed, beside the one replaced.
        let typed = "營商環竟 APP";
        let parts = parse_query(typed);
        let mut fixed = parts.clone();
        fixed[0] = Part::new("营商环境".to_string(), false, false);
        assert_eq!(as_typed(typed, &parts, &fixed).as_deref(), Some("營商環境 APP"));
        // Corrected, a date run together with the rest would split elsewhere: not as typed.
        let typed = "2024年杜工作总结";
        let parts = parse_query(typed);
        assert_eq!(parts.len(), 2, "{parts:?}");
        let mut fixed = parts.clone();
        fixed[1] = Part::new("度工作总结".to_string(), false, false);
        assert_eq!(as_typed(typed, &parts, &fixed), None);
    }

    #[test]
    fn corrections_are_listed_in_a_fixed_order_up_to_the_limit() {
        let vocabulary = Vocabulary::new(["甲乙丙", "甲乙丁", "乙丙丁", "甲乙戊", "乙庚丁", "子乙辛丑"]);
        // The window 甲乙己 first, its words by code point (丁 U+4E01 < 丙 U+4E19 < 戊 U+620A);
        // then 乙己丁, whose 乙丙丁 gives 甲乙丙丁 again; 乙辛 of 子乙辛丑 is no stretch of three.
        assert_eq!(
            corrections("甲乙己丁", &anywhere("甲乙己丁"), &vocabulary, 5),
            ["甲乙丁丁", "甲乙丙丁", "甲乙戊丁", "甲乙庚丁"]
        );
        assert_eq!(
            corrections("甲乙己丁", &anywhere("甲乙己丁"), &vocabulary, 2),
            ["甲乙丁丁", "甲乙丙丁"]
        );
        assert!(corrections("甲乙己丁", &anywhere("甲乙己丁"), &vocabulary, 0).is_empty());
    }
}
