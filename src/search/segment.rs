//! Query segmentation by the index's own vocabulary, the same on the server and in the browser
//! (the static engine ports every function here): a part's fewest words ([`segment_query`]),
//! its pieces when typed run together ([`split_query`]), and the substrings either may look up
//! ([`candidate_words`]), which the browser fetches vocabulary shards for.

use super::analyzer::{is_cjk_char, is_stop_word, runs, text_of, Run};
use super::numerals::{is_chinese_numeral, ordinal_spans};

/// Longest word, in characters, that query segmentation looks up in the vocabulary.
pub const MAX_WORD_CHARS: usize = 8;

/// Splits a normalised query part into the index's own words, the same way on the server and in
/// the browser (the static search pack ports this function): runs of Latin letters and digits
/// are one word each; a run of CJK characters is covered by vocabulary words of 2 to
/// [`MAX_WORD_CHARS`] characters, choosing the cover that leaves the fewest non-stop-word
/// characters alone, then uses the fewest words (ties: the first found, scanning from the left,
/// shorter words first). `None` when a character that is not a stop word is left uncovered or a
/// Latin word is unknown: then the part can only match verbatim.
pub fn segment_query(text: &str, in_vocabulary: impl Fn(&str) -> bool) -> Option<Vec<String>> {
    let chars: Vec<char> = text.chars().collect();
    // A number run together with what it counts (`10年来`, `24小时`, `第十一次`) is matched as
    // typed or by its pieces (see `bind_numbers`): its words apart would admit a 10 and a 年来
    // anywhere, or a 第十 and an 一次.
    if has_decimal(&chars)
        || chars
            .windows(2)
            .any(|pair| pair[0].is_ascii_digit() && is_cjk_char(pair[1]))
        || !ordinal_spans(&chars).is_empty()
    {
        return None;
    }
    let mut words = Vec::new();
    for run in runs(&chars) {
        match run {
            Run::Cjk(range) => {
                let cover = cover_cjk_run(&chars[range], MAX_WORD_CHARS, &in_vocabulary);
                if cover
                    .iter()
                    .any(|segment| segment.alone && !is_stop_word(&segment.text))
                {
                    return None;
                }
                words.extend(cover.into_iter().filter(|s| !s.alone).map(|s| s.text));
            }
            Run::Word(range) => {
                let word = text_of(&chars, range);
                if !is_stop_word(&word) {
                    if !in_vocabulary(&word) {
                        return None;
                    }
                    words.push(word);
                }
            }
        }
    }
    Some(words)
}

/// Longest vocabulary word, in characters, of [`split_query`]: jieba's search mode indexes
/// every 2- and 3-character dictionary word inside a longer word, so a page holding a longer
/// word also holds these.
pub const PIECE_WORD_CHARS: usize = 3;

/// A piece of a query part split by [`split_query`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// A word of the index's vocabulary, matched as a word.
    Word(String),
    /// Characters no vocabulary word covers, matched verbatim (substring semantics).
    Verbatim(String),
}

impl Piece {
    pub fn text(&self) -> &str {
        match self {
            Piece::Word(text) | Piece::Verbatim(text) => text,
        }
    }
}

/// Splits a normalised query part into pieces a page must all hold for the part to match its
/// words apart, when the part is not in the page as typed: `党史教育常态化` in a page that says
/// 党史学习教育常态化, `四风问题` in one that says “四风”问题. CJK runs are covered as
/// [`segment_query`] covers them but with words of at most [`PIECE_WORD_CHARS`] characters,
/// and characters left uncovered stay, consecutive ones together, as verbatim pieces (a stop
/// word alone is dropped); Latin words not in the vocabulary are verbatim pieces. An ordinal
/// in Chinese numerals (`第十一次`) is one verbatim piece, as one in digits is (see
/// [`bind_numbers`]). The browser ports this function.
pub fn split_query(text: &str, in_vocabulary: impl Fn(&str) -> bool) -> Vec<Piece> {
    let chars: Vec<char> = text.chars().collect();
    if has_decimal(&chars) {
        return Vec::new();
    }
    let ordinals = ordinal_spans(&chars);
    let mut pieces = Vec::new();
    for run in runs(&chars) {
        match run {
            Run::Cjk(range) => {
                // The run between the ordinals inside it, each ordinal a piece of its own.
                let mut from = range.start;
                for ordinal in ordinals
                    .iter()
                    .filter(|o| range.start <= o.start && o.end <= range.end)
                {
                    push_covered(&chars[from..ordinal.start], &in_vocabulary, &mut pieces);
                    pieces.push(Piece::Verbatim(text_of(&chars, ordinal.clone())));
                    from = ordinal.end;
                }
                push_covered(&chars[from..range.end], &in_vocabulary, &mut pieces);
            }
            Run::Word(range) => {
                let word = text_of(&chars, range);
                if is_stop_word(&word) {
                    continue;
                }
                pieces.push(if in_vocabulary(&word) {
                    Piece::Word(word)
                } else {
                    Piece::Verbatim(word)
                });
            }
        }
    }
    bind_numbers(pieces, &in_vocabulary)
}

/// The pieces of a stretch of a CJK run (see [`split_query`]).
fn push_covered(run: &[char], in_vocabulary: &impl Fn(&str) -> bool, pieces: &mut Vec<Piece>) {
    if run.is_empty() {
        return;
    }
    let mut pending = String::new();
    for segment in cover_cjk_run(run, PIECE_WORD_CHARS, in_vocabulary) {
        if segment.alone && !is_stop_word(&segment.text) {
            pending.push_str(&segment.text);
            continue;
        }
        if !pending.is_empty() {
            pieces.push(Piece::Verbatim(std::mem::take(&mut pending)));
        }
        if !segment.alone {
            pieces.push(Piece::Word(segment.text));
        }
    }
    if !pending.is_empty() {
        pieces.push(Piece::Verbatim(pending));
    }
}

/// Whether `chars` hold a decimal number (`1.5`, `8.6%`): one number, though the index holds its
/// digits as two, so it is matched as typed only (its halves apart, a 1 and a 5 anywhere, are no
/// match), by words and pieces alike. The browser ports this.
fn has_decimal(chars: &[char]) -> bool {
    chars
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == '.' && w[2].is_ascii_digit())
}

/// A number among `pieces` (a run of digits) goes with what it counts, as typed: the character
/// after it (a measure word: 2次, 10年, 5人) and a 第 before it (第2次), as one verbatim piece.
/// Apart, `党课第2次` admitted a page with 党课, a 2 (安排2次) and the 第 of 第一议题 anywhere,
/// and `10年来` one with a 10 (10月) and 年来. What is left of the piece after it stays a word
/// if it is one (a stop word alone is dropped). The browser ports this.
fn bind_numbers(pieces: Vec<Piece>, in_vocabulary: &impl Fn(&str) -> bool) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    let mut queue: std::collections::VecDeque<Piece> = pieces.into();
    while let Some(piece) = queue.pop_front() {
        let text = piece.text();
        if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
            out.push(piece);
            continue;
        }
        let mut unit = text.to_string();
        if let Some(Piece::Verbatim(before)) = out.last_mut() {
            if before.ends_with('第') {
                before.pop();
                unit.insert(0, '第');
                if before.is_empty() {
                    out.pop();
                }
            }
        }
        let next_first = queue.front().and_then(|next| next.text().chars().next());
        if let Some(first) = next_first.filter(|&c| is_cjk_char(c)) {
            let next = queue.pop_front().expect("looked at");
            unit.push(first);
            let remainder: String = next.text().chars().skip(1).collect();
            if !remainder.is_empty() && !is_stop_word(&remainder) {
                queue.push_front(if remainder.chars().count() > 1 && in_vocabulary(&remainder) {
                    Piece::Word(remainder)
                } else {
                    Piece::Verbatim(remainder)
                });
            }
        }
        out.push(Piece::Verbatim(unit));
    }
    out
}

/// Which characters of a normalised part a correction may replace (see
/// `suggest::corrections`): Chinese characters that no vocabulary word covers (in
/// [`segment_query`]'s cover), as a wrong character leaves its place so, and that are not a
/// stop word, a numeral or inside an ordinal: `云川区委办公室`, all words, is no typo of
/// 云川区府办公室, nor `第十次` of 第三次. The browser ports this.
pub fn typo_positions(text: &str, in_vocabulary: impl Fn(&str) -> bool) -> Vec<bool> {
    let chars: Vec<char> = text.chars().collect();
    let mut replaceable = vec![false; chars.len()];
    for run in runs(&chars) {
        let Run::Cjk(range) = run else { continue };
        let mut at = range.start;
        for segment in cover_cjk_run(&chars[range], MAX_WORD_CHARS, &in_vocabulary) {
            let length = segment.text.chars().count();
            if segment.alone && !is_stop_word(&segment.text) {
                replaceable[at..at + length].fill(true);
            }
            at += length;
        }
    }
    for span in ordinal_spans(&chars) {
        replaceable[span].fill(false);
    }
    for (place, &c) in chars.iter().enumerate() {
        if is_chinese_numeral(c) {
            replaceable[place] = false;
        }
    }
    replaceable
}

/// Every string [`segment_query`] may look up in the vocabulary for `text`: each Latin word,
/// and each 2 to [`MAX_WORD_CHARS`] character substring of each CJK run. The browser fetches the
/// vocabulary shards of these before splitting a query.
pub fn candidate_words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for run in runs(&chars) {
        match run {
            Run::Cjk(range) => {
                for from in range.clone() {
                    for length in 2..=MAX_WORD_CHARS.min(range.end - from) {
                        out.push(text_of(&chars, from..from + length));
                    }
                }
            }
            Run::Word(range) => out.push(text_of(&chars, range)),
        }
    }
    out
}

/// One segment of a covered CJK run: a vocabulary word, or a character left alone.
struct Segment {
    text: String,
    alone: bool,
}

/// The cover of a CJK run by vocabulary words of 2 to `longest` characters that leaves the
/// fewest non-stop-word characters alone, then uses the fewest segments (ties: the first
/// found, scanning from the left, shorter words first).
fn cover_cjk_run(run: &[char], longest: usize, in_vocabulary: &impl Fn(&str) -> bool) -> Vec<Segment> {
    // best[i]: (uncovered characters, segments, where the last segment starts, is it a word)
    let mut best: Vec<Option<(usize, usize, usize, bool)>> = vec![None; run.len() + 1];
    best[0] = Some((0, 0, 0, false));
    let relax = |best: &mut Vec<Option<(usize, usize, usize, bool)>>,
                 to: usize,
                 candidate: (usize, usize, usize, bool)| {
        let better = match best[to] {
            None => true,
            Some(current) => (candidate.0, candidate.1) < (current.0, current.1),
        };
        if better {
            best[to] = Some(candidate);
        }
    };
    for i in 0..run.len() {
        let Some((uncovered, segments, _, _)) = best[i] else {
            continue;
        };
        let alone = run[i].to_string();
        let cost = usize::from(!is_stop_word(&alone));
        relax(&mut best, i + 1, (uncovered + cost, segments + 1, i, false));
        for length in 2..=longest.min(run.len() - i) {
            let word: String = run[i..i + length].iter().collect();
            if in_vocabulary(&word) {
                relax(&mut best, i + length, (uncovered, segments + 1, i, true));
            }
        }
    }
    let mut segments = Vec::new();
    let mut end = run.len();
    while end > 0 {
        let (_, _, start, is_word) = best[end].expect("every prefix is reachable one character at a time");
        segments.push(Segment {
            text: run[start..end].iter().collect(),
            alone: !is_word,
        });
        end = start;
    }
    segments.reverse();
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_words_are_every_substring_segmentation_may_look_up() {
        assert_eq!(
            candidate_words("党史教育 ab"),
            ["党史", "党史教", "党史教育", "史教", "史教育", "教育", "ab"]
        );
        // Everything segment_query asks about is among the candidates.
        let asked = std::cell::RefCell::new(Vec::new());
        segment_query("党史教育 ab", |w| {
            asked.borrow_mut().push(w.to_string());
            true
        });
        let candidates = candidate_words("党史教育 ab");
        assert!(
            asked.borrow().iter().all(|w| candidates.contains(w)),
            "{:?}",
            asked.borrow()
        );
    }

    #[test]
    fn typos_are_looked_for_where_no_word_covers_the_part() {
        let vocabulary = ["营商", "环境", "区委", "办公室", "云川"];
        let marked = |text: &str| -> String {
            typo_positions(text, |w: &str| vocabulary.contains(&w))
                .iter()
                .zip(text.chars())
                .map(|(&replaceable, c)| if replaceable { c } else { '.' })
                .collect()
        };
        assert_eq!(marked("营商环竟"), "..环竟");
        // All words: no typo to look for.
        assert_eq!(marked("云川区委办公室"), ".......");
        // Not a stop word, a numeral or an ordinal, nor a Latin letter.
        assert_eq!(marked("营商的环竟"), "...环竟");
        assert_eq!(marked("第十次会义"), "...会义");
        assert_eq!(marked("三汇一课"), ".汇.课");
        assert_eq!(marked("ab营商x"), ".....");
    }

    #[test]
    fn query_segmentation_uses_the_vocabulary() {
        let vocabulary = ["党史", "学习", "教育", "学习教育", "党史学习教育", "abc"];
        let known = |w: &str| vocabulary.contains(&w);
        assert_eq!(
            segment_query("党史学习教育", known),
            Some(vec!["党史学习教育".to_string()])
        );
        assert_eq!(
            segment_query("党史教育", known),
            Some(vec!["党史".into(), "教育".into()])
        );
        assert_eq!(
            segment_query("党史的教育", known),
            Some(vec!["党史".into(), "教育".into()])
        );
        assert_eq!(segment_query("党史和平", known), None);
        assert_eq!(
            segment_query("abc 学习", known),
            Some(vec!["abc".into(), "学习".into()])
        );
        assert_eq!(segment_query("xyz", known), None);
        // A number before what it counts: no words apart (a 12 and a 学习 anywhere).
        let with_numbers = |w: &str| known(w) || w == "12";
        assert_eq!(segment_query("12学习", with_numbers), None);
        assert_eq!(
            segment_query("学习12", with_numbers),
            Some(vec!["学习".into(), "12".into()])
        );
    }

    #[test]
    fn query_pieces_are_short_words_and_what_no_word_covers() {
        let vocabulary = [
            "党史",
            "学习",
            "教育",
            "常态",
            "问题",
            "四风问题",
            "时代",
            "abc",
            "党史学习教育",
        ];
        let known = |w: &str| vocabulary.contains(&w);
        let word = |w: &str| Piece::Word(w.into());
        let verbatim = |w: &str| Piece::Verbatim(w.into());
        // A character no word covers stays as itself; no word is longer than three characters.
        assert_eq!(
            split_query("党史教育常态化", known),
            [word("党史"), word("教育"), word("常态"), verbatim("化")]
        );
        assert_eq!(
            split_query("党史学习教育", known),
            [word("党史"), word("学习"), word("教育")]
        );
        // Uncovered characters side by side stay together; a stop word alone is dropped.
        assert_eq!(split_query("四风问题", known), [verbatim("四风"), word("问题")]);
        // A number goes with the character after it and a 第 before it, as typed.
        assert_eq!(split_query("党史第2次", known), [word("党史"), verbatim("第2次")]);
        assert_eq!(split_query("2次学习", known), [verbatim("2次"), word("学习")]);
        assert_eq!(split_query("10问题", known), [verbatim("10问"), verbatim("题")]);
        assert_eq!(
            split_query("10时代学习", known),
            [verbatim("10时"), verbatim("代"), word("学习")]
        );
        assert_eq!(split_query("10的", known), [verbatim("10")]);
        // A decimal number is one number: no pieces, no words.
        assert!(split_query("1.5亿元", known).is_empty());
        assert_eq!(segment_query("1.5", |_| true), None);
        assert_eq!(split_query("abc 12", known), [word("abc"), verbatim("12")]);
        assert_eq!(
            split_query("新时代的枫桥", known),
            [verbatim("新"), word("时代"), verbatim("枫桥")]
        );
        // Latin words: known ones are words, others verbatim; separate runs stay apart.
        assert_eq!(
            split_query("abc,xyz问题", known),
            [word("abc"), verbatim("xyz"), word("问题")]
        );
        // Pieces widen the match only when they differ from the words and hold one.
        let words = |ws: &[&str]| ws.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        // A part that is one word of the index is widened only by a specific piece (`四风`),
        // not by common halves; one that is no word at all, or several, is widened.
        let pieces = split_query("四风问题", known);
        assert!(crate::search::query::pieces_widen(&pieces, &words(&["四风问题"])));
        assert!(crate::search::query::pieces_widen(&pieces, &[]));
        let halves = split_query("党史学习教育", known);
        assert!(!crate::search::query::pieces_widen(
            &halves,
            &words(&["党史学习教育"])
        ));
        let several = split_query("党史学习教育问题", known);
        assert!(crate::search::query::pieces_widen(
            &several,
            &words(&["党史学习教育", "问题"])
        ));
        let same = split_query("党史教育", known);
        assert!(!crate::search::query::pieces_widen(
            &same,
            &words(&["党史", "教育"])
        ));
        assert!(!crate::search::query::pieces_widen(&[verbatim("三会")], &[]));
    }
}
