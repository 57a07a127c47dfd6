//! Highlighted snippets: the best passage of a text, with every match wrapped in `<mark>`.
//!
//! Matching is done on the normalised text, whose characters line up one to one with the
//! original's, so highlights are exact to the character for Chinese and the reader sees the
//! original characters (Traditional or full-width) that matched.

use super::analyzer::{is_word_char, normalize};

/// Characters of context kept before the first match of a snippet.
const LEAD: usize = 12;

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Character spans `[start, end)` of every occurrence of every needle (already normalised),
/// merged where they overlap. A needle's letters and digits at its ends match only whole, as
/// the index holds them: `24` is not marked inside `2024`.
fn match_spans(haystack: &[char], needles: &[Vec<char>]) -> Vec<(usize, usize, usize)> {
    let mut spans = Vec::new();
    for (which, needle) in needles.iter().enumerate() {
        let (Some(&first), Some(&last)) = (needle.first(), needle.last()) else {
            continue;
        };
        if needle.len() > haystack.len() {
            continue;
        }
        for start in 0..=haystack.len() - needle.len() {
            let end = start + needle.len();
            let cuts_word_before = is_word_char(first) && start > 0 && is_word_char(haystack[start - 1]);
            let cuts_word_after = is_word_char(last) && haystack.get(end).is_some_and(|&c| is_word_char(c));
            if haystack[start..end] == needle[..] && !cuts_word_before && !cuts_word_after {
                spans.push((start, end, which));
            }
        }
    }
    spans.sort();
    spans
}

fn merged(spans: &[(usize, usize, usize)], from: usize, to: usize) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &(start, end, _) in spans {
        let (start, end) = (start.max(from), end.min(to));
        if start >= end {
            continue;
        }
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

fn needles(terms: &[String]) -> Vec<Vec<char>> {
    terms
        .iter()
        .map(|t| normalize(t).chars().collect())
        .filter(|n: &Vec<char>| !n.is_empty())
        .collect()
}

/// The whole of `text`, escaped, with every match of `terms` marked (for titles).
pub fn highlight(text: &str, terms: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let normalized: Vec<char> = normalize(text).chars().collect();
    let spans = match_spans(&normalized, &needles(terms));
    render(&chars, 0, chars.len(), &merged(&spans, 0, chars.len()))
}

/// `start..end` widened so that no match is cut in two: a window moved back from the end of the
/// text could start inside one and show its last character alone marked.
fn around_whole_matches(spans: &[(usize, usize, usize)], mut start: usize, mut end: usize) -> (usize, usize) {
    loop {
        let mut moved = false;
        for &(from, to, _) in spans {
            if from < start && start < to {
                start = from;
                moved = true;
            }
            if from < end && end < to {
                end = to;
                moved = true;
            }
        }
        if !moved {
            return (start, end);
        }
    }
}

/// About `width` characters of `text` around its best passage: the window that holds the most
/// distinct terms, then the most matches. With no match, the start of the text.
pub fn snippet(text: &str, terms: &[String], width: usize) -> String {
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let normalized: Vec<char> = normalize(text).chars().collect();
    let spans = match_spans(&normalized, &needles(terms));
    let best_start = spans
        .iter()
        .map(|&(start, _, _)| {
            let from = start.saturating_sub(LEAD);
            let to = from + width;
            let inside: Vec<&(usize, usize, usize)> =
                spans.iter().filter(|s| s.0 >= from && s.1 <= to).collect();
            let mut distinct: Vec<usize> = inside.iter().map(|s| s.2).collect();
            distinct.sort_unstable();
            distinct.dedup();
            ((distinct.len(), inside.len()), std::cmp::Reverse(from))
        })
        .max()
        .map_or(0, |(_, std::cmp::Reverse(from))| from);
    let end = (best_start + width).min(chars.len());
    let start = end.saturating_sub(width).min(best_start);
    let (start, end) = around_whole_matches(&spans, start, end);
    let mut html = String::new();
    if start > 0 {
        html.push('…');
    }
    html.push_str(render(&chars, start, end, &merged(&spans, start, end)).trim());
    if end < chars.len() {
        html.push('…');
    }
    html
}

fn render(chars: &[char], start: usize, end: usize, marks: &[(usize, usize)]) -> String {
    let mut html = String::new();
    let mut position = start;
    for &(from, to) in marks {
        html.push_str(&escape_html(&chars[position..from].iter().collect::<String>()));
        html.push_str("<mark>");
        html.push_str(&escape_html(&chars[from..to].iter().collect::<String>()));
        html.push_str("</mark>");
        position = to;
    }
    html.push_str(&escape_html(&chars[position..end].iter().collect::<String>()));
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_every_match_and_escapes_the_rest() {
        let html = highlight("<b>学习</b>再學習", &["学习".to_string()]);
        assert_eq!(html, "&lt;b&gt;<mark>学习</mark>&lt;/b&gt;再<mark>學習</mark>");
    }

    #[test]
    fn numbers_and_latin_words_are_marked_only_whole() {
        let terms = ["24".to_string(), "24小时".to_string(), "ab".to_string()];
        assert_eq!(
            highlight("2024年第24次，24小时，2024小时，abc ab", &terms),
            "2024年第<mark>24</mark>次，<mark>24小时</mark>，2024小时，abc <mark>ab</mark>"
        );
        // A Chinese needle is still found inside a longer run of Chinese text.
        assert_eq!(
            highlight("第1次学习", &["学".to_string()]),
            "第1次<mark>学</mark>习"
        );
    }

    /// The best window lies at the end of the text, so it is moved back by `width`, to a
    /// start inside an earlier match: that match is shown whole, not its last character.
    #[test]
    fn a_window_never_cuts_a_match_in_two() {
        let text = format!("{}改革{}改革丙丙改革", "甲".repeat(9), "乙".repeat(73));
        let html = snippet(&text, &["改革".to_string()], 80);
        assert!(html.starts_with("…<mark>改革</mark>乙"), "{html}");
        assert!(html.ends_with("<mark>改革</mark>"), "{html}");
    }

    #[test]
    fn picks_the_window_with_most_distinct_terms() {
        let text = format!(
            "{}安全{}安全生产责任制{}",
            "甲".repeat(50),
            "乙".repeat(100),
            "丙".repeat(100)
        );
        let html = snippet(&text, &["安全".into(), "责任制".into()], 40);
        assert!(html.contains("<mark>责任制</mark>"), "{html}");
    }

    #[test]
    fn falls_back_to_the_start_when_nothing_matches_in_the_text() {
        assert_eq!(snippet("第一句。第二句。", &["标题词".into()], 4), "第一句。…");
    }
}
