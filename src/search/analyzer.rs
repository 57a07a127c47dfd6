//! The analyzer: how text becomes search terms, identically when indexing and when querying.
//!
//! Text is first normalised character by character (full-width forms to half-width, Latin to
//! lower case, Traditional to Simplified), so character offsets stay those of the original text
//! and highlights land on the right characters. Then two token streams are made from it:
//!
//! - **words**: jieba with its dictionary, the built-in political and administrative terms
//!   (`terms.txt`) and the site's own words file, so 第一议题 or 两个确立 stay whole. Indexing
//!   uses jieba's search mode (a compound also yields its parts), queries its default mode.
//! - **grams**: overlapping character bigrams of each run of CJK characters (a lone last
//!   character stands as a unigram) plus whole Latin words and numbers. A query's grams matched
//!   as a phrase find every verbatim occurrence, whatever the word boundaries: substring
//!   semantics without a dictionary, and the same in Rust and in a browser.
//!
//! Positions are character offsets in both streams, so phrase matching works across streams
//! and inside compounds.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

use jieba_rs::{Jieba, TokenizeMode};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::diagnostics::{display_path, Diagnostic, Text};
use crate::text;

/// The built-in dictionary of political and administrative terms.
pub const BUILTIN_TERMS: &str = include_str!("terms.txt");

/// Words too common to search on their own.
pub const STOP_WORDS: &[&str] = &[
    "的", "了", "和", "是", "在", "与", "及", "等", "之", "或", "a", "an", "the", "of", "and", "or", "to",
    "in", "is",
];

pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// What normalisation makes of every character of the Basic Multilingual Plane, by code point
/// (characters above it stay as they are): full-width forms to half-width, the ideographic
/// space to a space, letters to lower case (when that is one character), Traditional to
/// Simplified. Built once; an array, as every character of every indexed text is looked up
/// (a hash map took 2% of a build). The static search pack ships the changed entries, so the
/// browser normalises exactly as the index did.
static FOLD: LazyLock<Box<[char]>> = LazyLock::new(|| {
    (0..=0xFFFFu32)
        .map(|code| char::from_u32(code).map_or(char::REPLACEMENT_CHARACTER, fold_char))
        .collect()
});

fn fold_char(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    let c = match (lower.next(), lower.next()) {
        (Some(single), None) => single,
        _ => c,
    };
    if c.len_utf8() == 3 {
        let mut buffer = [0u8; 4];
        // One character alone: fast2s's context rules see no neighbours, as in the browser.
        let simplified = fast2s::convert(c.encode_utf8(&mut buffer));
        let mut chars = simplified.chars();
        match (chars.next(), chars.next()) {
            (Some(single), None) => single,
            _ => c,
        }
    } else {
        c
    }
}

/// The normalisation table, sorted, for the static search pack.
pub fn fold_table() -> Vec<(char, char)> {
    (0x80..=0xFFFFu32)
        .filter_map(char::from_u32)
        .map(|c| (c, normalize_char(c)))
        .filter(|&(c, folded)| folded != c)
        .collect()
}

/// One character normalised; always exactly one character out.
pub fn normalize_char(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        FOLD.get(c as usize).copied().unwrap_or(c)
    }
}

/// The normalised text: same number of characters as the input.
pub fn normalize(text: &str) -> String {
    text.chars().map(normalize_char).collect()
}

/// A character that belongs in the grams stream as part of a CJK run.
pub fn is_cjk_char(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x30000..=0x3347F)
}

/// A letter or digit outside CJK runs: part of a Latin word (or any other script's).
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // CJK characters and the punctuation of Chinese text, the commonest characters here, are
    // answered without `is_alphanumeric`'s slow Unicode table (which cost 1.6% of a large
    // build, and 1% more where the pack looks at every CJK character's neighbours).
    if is_cjk_char(c)
        || matches!(c as u32, 0x2000..=0x206F | 0x3000..=0x3004 | 0x3008..=0x3020 | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20)
    {
        return false;
    }
    c.is_alphanumeric()
}

/// Whether a jieba token is a word for the word fields: it has a letter or digit of any script
/// (`is_word_char` answers CJK characters and Chinese punctuation, a token of its own each,
/// without the slow Unicode table), and is not one CJK character alone. Queries look words up
/// only from two characters on ([`segment_query`]; a lone character matches through its
/// grams), so such tokens, over a quarter of all, were postings no query read: they only made
/// indexing and the pack's word export longer.
fn is_index_word(word: &str) -> bool {
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if is_cjk_char(c) {
            return false;
        }
    }
    word.chars().any(|c| is_cjk_char(c) || is_word_char(c))
}

/// A term and its character position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gram {
    pub text: String,
    pub position: usize,
}

/// A maximal run of CJK characters, or of Latin letters and digits, as a character range;
/// everything else (spaces, punctuation) separates runs. Every stream of the analyzer is built
/// on these runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    Cjk(std::ops::Range<usize>),
    Word(std::ops::Range<usize>),
}

/// The runs of `chars`, in order.
pub fn runs(chars: &[char]) -> Vec<Run> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let same_kind: fn(char) -> bool = if is_cjk_char(chars[i]) {
            is_cjk_char
        } else if is_word_char(chars[i]) {
            is_word_char
        } else {
            i += 1;
            continue;
        };
        while i < chars.len() && same_kind(chars[i]) {
            i += 1;
        }
        out.push(if is_cjk_char(chars[start]) {
            Run::Cjk(start..i)
        } else {
            Run::Word(start..i)
        });
    }
    out
}

pub(crate) fn text_of(chars: &[char], range: std::ops::Range<usize>) -> String {
    chars[range].iter().collect()
}

/// The grams of already normalised text: CJK bigrams (a run's last character as a unigram)
/// and whole Latin words.
pub fn grams(normalized: &str) -> Vec<Gram> {
    let chars: Vec<char> = normalized.chars().collect();
    gram_spans(&chars)
        .into_iter()
        .map(|span| Gram {
            text: text_of(&chars, span.clone()),
            position: span.start,
        })
        .collect()
}

/// The character ranges of the grams of normalised `chars` (see [`grams`]).
fn gram_spans(chars: &[char]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    for_each_gram_span(chars, |span| out.push(span));
    out
}

/// Calls `visit` with the character range of each gram of normalised `chars`, in order: the
/// gram tokenizer's tokens, which the static search pack also counts straight from the text.
pub fn for_each_gram_span(chars: &[char], mut visit: impl FnMut(std::ops::Range<usize>)) {
    for run in runs(chars) {
        match run {
            Run::Cjk(range) => {
                for position in range.clone() {
                    visit(position..(position + 2).min(range.end));
                }
            }
            Run::Word(range) => visit(range),
        }
    }
}

/// A gram of a query, matched at its position: exactly, or (`prefix`) as any term that starts
/// with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryGram {
    pub text: String,
    pub position: usize,
    pub prefix: bool,
}

/// The grams a query part is matched with. A CJK run of two or more characters gives its
/// bigrams only: the index has a lone last character only where the text's run ends, so the
/// query's last character must not be looked up alone. A CJK run of one character matches any
/// term starting with it (a bigram, or the character ending a run). Latin words match whole.
pub fn query_grams(normalized: &str) -> Vec<QueryGram> {
    let chars: Vec<char> = normalized.chars().collect();
    let mut out = Vec::new();
    for run in runs(&chars) {
        match run {
            Run::Cjk(range) if range.len() == 1 => out.push(QueryGram {
                position: range.start,
                text: text_of(&chars, range),
                prefix: true,
            }),
            Run::Cjk(range) => {
                for position in range.start..range.end - 1 {
                    out.push(QueryGram {
                        text: text_of(&chars, position..position + 2),
                        position,
                        prefix: false,
                    });
                }
            }
            Run::Word(range) => out.push(QueryGram {
                position: range.start,
                text: text_of(&chars, range),
                prefix: false,
            }),
        }
    }
    out
}

/// The segmenter of one site: jieba with the built-in terms and the site's words.
#[derive(Clone)]
pub struct Analyzer {
    jieba: Arc<Jieba>,
}

static BASE: LazyLock<Arc<Jieba>> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    for (word, freq) in parse_words(BUILTIN_TERMS).into_iter().filter_map(Result::ok) {
        jieba.add_word(&word, freq, Some("n"));
    }
    Arc::new(jieba)
});

/// Site analyzers by the text of their words file, so the jieba dictionary is loaded once
/// per process and once per distinct words file.
static WITH_SITE_WORDS: LazyLock<Mutex<HashMap<String, Arc<Jieba>>>> = LazyLock::new(Default::default);

impl Analyzer {
    /// The analyzer with only the built-in dictionary.
    pub fn builtin() -> Analyzer {
        Analyzer { jieba: BASE.clone() }
    }

    /// The analyzer of a site whose words file is `dictionary` (when it has one).
    pub fn for_site(root: &Path, dictionary: Option<&Path>) -> Result<Analyzer, Vec<Diagnostic>> {
        let Some(path) = dictionary else {
            return Ok(Analyzer::builtin());
        };
        let file = display_path(path, root);
        let bytes = std::fs::read(path).map_err(|err| {
            vec![Diagnostic::error(
                &file,
                text!(
                    "cannot read the search dictionary: {err}",
                    "无法读取搜索词典：{err}"
                ),
            )
            .help(text!(
                "fix the path of `dictionary` under [search] in book.toml, or remove it",
                "请改正 book.toml 中 [search] 下 `dictionary` 的路径，或删掉这一行"
            ))]
        })?;
        let text = crate::content::discover::normalize_text(bytes).map_err(|line| {
            vec![Diagnostic::error(
                &file,
                text!(
                    "the file is not valid UTF-8 text",
                    "这个文件不是 UTF-8 编码的文本"
                ),
            )
            .at(line)
            .help(text!("save it as UTF-8", "请另存为 UTF-8 编码"))]
        })?;
        let mut cache = WITH_SITE_WORDS.lock().expect("no panics hold this lock");
        if let Some(jieba) = cache.get(&text) {
            return Ok(Analyzer { jieba: jieba.clone() });
        }
        let mut problems = Vec::new();
        let mut jieba = (**BASE).clone();
        for (index, entry) in parse_words(&text).into_iter().enumerate() {
            match entry {
                Ok((word, freq)) => {
                    jieba.add_word(&word, freq, Some("n"));
                }
                Err((line, message)) => {
                    problems.push(Diagnostic::error(&file, message).at(line).help(text!(
                        "write one word per line, optionally followed by a frequency: `第一议题 20000`",
                        "每行写一个词，后面可以跟一个词频：`第一议题 20000`"
                    )))
                }
            }
            let _ = index;
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let jieba = Arc::new(jieba);
        cache.insert(text, jieba.clone());
        Ok(Analyzer { jieba })
    }

    /// Words of a text for the index: jieba's search mode over the normalised text.
    pub fn index_words(&self, text: &str) -> Vec<Gram> {
        self.words(text, TokenizeMode::Search)
    }

    /// Words of a query: jieba's default mode, stop words dropped.
    pub fn query_words(&self, text: &str) -> Vec<Gram> {
        let mut words = self.words(text, TokenizeMode::Default);
        words.retain(|w| !is_stop_word(&w.text));
        words
    }

    fn words(&self, text: &str, mode: TokenizeMode) -> Vec<Gram> {
        let chars: Vec<char> = normalize(text).chars().collect();
        self.word_spans(&chars, mode)
            .into_iter()
            .map(|span| Gram {
                text: text_of(&chars, span.clone()),
                position: span.start,
            })
            .collect()
    }

    /// The character ranges of the words of normalised `chars`.
    fn word_spans(&self, chars: &[char], mode: TokenizeMode) -> Vec<std::ops::Range<usize>> {
        let normalized: String = chars.iter().collect();
        // No HMM guessing of unknown words: it costs most of the indexing time, queries are
        // split by the index's own vocabulary anyway, and verbatim matching does not need words.
        self.jieba
            .tokenize(&normalized, mode, false)
            .into_iter()
            .filter(|token| is_index_word(token.word))
            .map(|token| token.start..token.end)
            .collect()
    }

    /// The tantivy tokenizer for word fields.
    pub fn word_tokenizer(&self) -> WordTokenizer {
        WordTokenizer {
            analyzer: self.clone(),
            token: Token::default(),
        }
    }
}

/// A words-file line: a word and its frequency, or the line number and what is wrong.
type WordEntry = Result<(String, Option<usize>), (usize, Text)>;

/// Parses a jieba words file: `word [freq] [tag]` per line, `#` comments. Bad lines come back
/// as `(line, message)`.
fn parse_words(text: &str) -> Vec<WordEntry> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map(|(index, line)| {
            let mut parts = line.split_whitespace();
            let word = normalize(parts.next().unwrap_or_default());
            let freq = match parts.next() {
                None => None,
                Some(freq) => match freq.parse::<usize>() {
                    Ok(freq) => Some(freq),
                    Err(_) => {
                        return Err((
                            index + 1,
                            text!(
                                "`{freq}` is not a word frequency (a whole number)",
                                "`{freq}` 不是词频（词频要写整数）"
                            ),
                        ))
                    }
                },
            };
            Ok((word, freq))
        })
        .collect()
}

/// Maps character positions of `text` to byte offsets (with one past the end).
fn char_byte_offsets(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect()
}

/// Tantivy tokenizer for the word fields (search mode).
#[derive(Clone)]
pub struct WordTokenizer {
    analyzer: Analyzer,
    token: Token,
}

/// Tantivy tokenizer for the gram fields.
#[derive(Clone, Default)]
pub struct GramTokenizer {
    token: Token,
}

/// A token stream over character ranges of the normalised text: each token's text is written
/// into the one reused token, so indexing allocates nothing per token.
pub struct SpanStream<'a> {
    chars: Vec<char>,
    spans: std::vec::IntoIter<std::ops::Range<usize>>,
    offsets: Vec<usize>,
    token: &'a mut Token,
}

impl<'a> SpanStream<'a> {
    fn new(
        text: &str,
        token: &'a mut Token,
        spans: impl FnOnce(&[char]) -> Vec<std::ops::Range<usize>>,
    ) -> Self {
        let chars: Vec<char> = text.chars().map(normalize_char).collect();
        SpanStream {
            spans: spans(&chars).into_iter(),
            chars,
            offsets: char_byte_offsets(text),
            token,
        }
    }
}

impl TokenStream for SpanStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(span) = self.spans.next() else {
            return false;
        };
        self.token.text.clear();
        self.token.text.extend(&self.chars[span.clone()]);
        self.token.position = span.start;
        self.token.position_length = 1;
        self.token.offset_from = self.offsets[span.start];
        self.token.offset_to = self.offsets[span.end.min(self.offsets.len() - 1)];
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = SpanStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SpanStream<'a> {
        let analyzer = &self.analyzer;
        SpanStream::new(text, &mut self.token, |chars| {
            analyzer.word_spans(chars, TokenizeMode::Search)
        })
    }
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = SpanStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SpanStream<'a> {
        SpanStream::new(text, &mut self.token, gram_spans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token a tokenizer streams: text, position and byte offsets.
    fn streamed(stream: &mut impl TokenStream) -> Vec<(String, usize, usize, usize)> {
        let mut tokens = Vec::new();
        while stream.advance() {
            let token = stream.token();
            tokens.push((
                token.text.clone(),
                token.position,
                token.offset_from,
                token.offset_to,
            ));
        }
        tokens
    }

    #[test]
    fn tokenizers_stream_the_grams_and_words_of_the_normalised_text() {
        let text = "黨史學習教育，ＡＢＣ公文处理 2024年 x";
        let offsets = char_byte_offsets(text);
        let expected = |terms: Vec<Gram>| -> Vec<(String, usize, usize, usize)> {
            terms
                .into_iter()
                .map(|gram| {
                    let end = (gram.position + gram.text.chars().count()).min(offsets.len() - 1);
                    (gram.text, gram.position, offsets[gram.position], offsets[end])
                })
                .collect()
        };
        let mut grams_tokenizer = GramTokenizer::default();
        assert_eq!(
            streamed(&mut grams_tokenizer.token_stream(text)),
            expected(grams(&normalize(text)))
        );
        let analyzer = Analyzer::builtin();
        let mut words_tokenizer = analyzer.word_tokenizer();
        let words = streamed(&mut words_tokenizer.token_stream(text));
        assert_eq!(words, expected(analyzer.index_words(text)));
        assert!(words.iter().any(|(word, ..)| word == "党史"), "{words:?}");
        assert!(words.iter().any(|(word, ..)| word == "abc"), "{words:?}");
    }

    #[test]
    fn word_characters_are_the_letters_and_digits_outside_cjk_runs() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            assert_eq!(
                is_word_char(c),
                c.is_alphanumeric() && !is_cjk_char(c),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn normalisation_keeps_the_character_count() {
        assert_eq!(normalize("ＡＢＣ１２３"), "abc123");
        assert_eq!(normalize("黨史學習教育"), "党史学习教育");
        assert_eq!(normalize("İ学").chars().count(), 2);
        assert_eq!(normalize("學習，ＡＢＣ"), "学习,abc");
    }

    #[test]
    fn grams_are_bigrams_with_char_positions() {
        let texts: Vec<(String, usize)> = grams("学习ab2024年，好")
            .into_iter()
            .map(|g| (g.text, g.position))
            .collect();
        assert_eq!(
            texts,
            [
                ("学习".into(), 0),
                ("习".into(), 1),
                ("ab2024".into(), 2),
                ("年".into(), 8),
                ("好".into(), 10)
            ]
        );
    }

    #[test]
    fn newer_cjk_extensions_are_cjk_runs() {
        // Extension G (U+30000…) and H (U+31350…) between common characters: one run of grams.
        let texts: Vec<String> = grams("中\u{30000}\u{31350}国")
            .into_iter()
            .map(|g| g.text)
            .collect();
        assert_eq!(texts, ["中\u{30000}", "\u{30000}\u{31350}", "\u{31350}国", "国"]);
    }

    #[test]
    fn query_grams_never_end_on_a_lone_character_of_a_longer_run() {
        let shown: Vec<(String, usize, bool)> = query_grams("会议指 2024年")
            .into_iter()
            .map(|g| (g.text, g.position, g.prefix))
            .collect();
        assert_eq!(
            shown,
            [
                ("会议".into(), 0, false),
                ("议指".into(), 1, false),
                ("2024".into(), 4, false),
                ("年".into(), 8, true)
            ]
        );
    }

    #[test]
    fn lone_cjk_characters_are_not_index_words_but_lone_letters_and_digits_are() {
        let words: Vec<String> = Analyzer::builtin()
            .index_words("我们在会上学习了文件 a 5 号")
            .into_iter()
            .map(|word| word.text)
            .collect();
        assert!(words.contains(&"我们".to_string()), "{words:?}");
        assert!(words.contains(&"学习".to_string()), "{words:?}");
        assert!(
            words.contains(&"a".to_string()) && words.contains(&"5".to_string()),
            "{words:?}"
        );
        for lone in ["在", "了", "号", "上"] {
            assert!(!words.contains(&lone.to_string()), "{lone}: {words:?}");
        }
        // What queries look up never includes a lone CJK character.
        assert!(crate::search::segment::candidate_words("在会上")
            .iter()
            .all(|word| word.chars().count() >= 2));
    }

    #[test]
    fn builtin_terms_stay_whole() {
        let analyzer = Analyzer::builtin();
        let words: Vec<String> = analyzer
            .query_words("认真开展第一议题学习")
            .into_iter()
            .map(|g| g.text)
            .collect();
        assert!(words.contains(&"第一议题".to_string()), "{words:?}");
    }
}
