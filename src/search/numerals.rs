//! Ordinals spelled two ways: records say `第3次`, readers type `第三次` (or the other way
//! round), and laws number their articles `第十二条` where a reader types `第12条`. A query part
//! holding an ordinal is matched in both spellings (see `Part::respelled`). The browser ports
//! this module (`respelled` in the built-in search engine).

/// What an ordinal counts: `第` + number + one of these is an ordinal (`第3次`, `第十二条`), so
/// that `第一议题` and `第二个百年` keep their one spelling.
const COUNTERS: &str = "次届期批轮号章节条款项季篇课讲集卷";

/// Chinese digits by value.
const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// Largest ordinal respelled: four places (千) are as far as ordinals go.
const LARGEST: u32 = 9999;

/// Where the ordinals of `chars` (normalised) stand: 第, a number written the usual way in
/// digits or Chinese numerals (see [`other_spelling`]), and its counter. A query part is
/// matched with each ordinal whole, as a number goes with what it counts
/// (`segment::bind_numbers`): `第十一次` apart is a 第十 and an 一次 anywhere.
pub fn ordinal_spans(chars: &[char]) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        if chars[at] != '第' {
            at += 1;
            continue;
        }
        let mut end = at + 1;
        while end < chars.len() && is_numeral(chars[end]) {
            end += 1;
        }
        let number: String = chars[at + 1..end].iter().collect();
        if chars.get(end).is_some_and(|c| COUNTERS.contains(*c)) && other_spelling(&number).is_some() {
            spans.push(at..end + 1);
            at = end + 1;
        } else {
            at = end.max(at + 1);
        }
    }
    spans
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || is_chinese_numeral(c)
}

/// A Chinese digit or place (一, 十, 百…), or 两: part of a number, never a typo to correct.
pub fn is_chinese_numeral(c: char) -> bool {
    chinese_digit(c).is_some() || unit(c).is_some() || c == '两' || c == '〇'
}

/// `text` (normalised) with its ordinals spelled the other ways, each matched as well: every
/// ordinal in digits (`第3次`), then every ordinal in Chinese numerals (`第三次`), leaving out
/// the spelling typed; none when it holds no ordinal. A part mixing the two (`第5条第二款`)
/// finds the pages that write both either way.
pub fn respelled(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let spans = ordinal_spans(&chars);
    let mut spellings = Vec::new();
    for in_digits in [true, false] {
        let mut out = String::with_capacity(text.len());
        let mut from = 0;
        for span in &spans {
            out.extend(&chars[from..span.start + 1]);
            let number: String = chars[span.start + 1..span.end - 1].iter().collect();
            let typed_in_digits = number.starts_with(|c: char| c.is_ascii_digit());
            match other_spelling(&number) {
                Some(other) if typed_in_digits != in_digits => out.push_str(&other),
                _ => out.push_str(&number),
            }
            from = span.end - 1;
        }
        out.extend(&chars[from..]);
        if out != text && !spellings.contains(&out) {
            spellings.push(out);
        }
    }
    spellings
}

/// A number in the other spelling: `12` → `十二`, `十二` → `12`; `None` for what is not a
/// number written the usual way (leading zeros, digits without places like `一二`, a
/// Chinese numeral that its value would not be written as).
fn other_spelling(number: &str) -> Option<String> {
    if number.chars().all(|c| c.is_ascii_digit()) {
        if number.starts_with('0') {
            return None;
        }
        let value: u32 = number.parse().ok().filter(|&v| (1..=LARGEST).contains(&v))?;
        return Some(in_chinese(value));
    }
    let value = chinese_value(number)?;
    // Only the usual way of writing it: `一十二` or `二〇` are not ordinals as offices write them.
    (in_chinese(value) == number).then(|| value.to_string())
}

fn chinese_digit(c: char) -> Option<u32> {
    DIGITS.iter().position(|&d| d == c).map(|d| d as u32)
}

fn unit(c: char) -> Option<u32> {
    match c {
        '十' => Some(10),
        '百' => Some(100),
        '千' => Some(1000),
        _ => None,
    }
}

/// The value of a Chinese numeral with places (`十二`, `二十`, `一百零五`); `None` when it is
/// not one.
pub(crate) fn chinese_value(number: &str) -> Option<u32> {
    let mut total = 0;
    let mut digit: Option<u32> = None;
    for c in number.chars() {
        if let Some(d) = chinese_digit(c) {
            if digit.is_some_and(|pending| pending != 0) {
                return None;
            }
            digit = Some(d);
        } else {
            let place = unit(c)?;
            // `十二`: a ten with no digit before it is one ten.
            total += digit.unwrap_or(1) * place;
            digit = None;
        }
    }
    total += digit.unwrap_or(0);
    (1..=LARGEST).contains(&total).then_some(total)
}

/// `value` (1 to 9999) as a Chinese numeral is written: 十二, 二十, 一百零五, 一千零一十.
fn in_chinese(value: u32) -> String {
    let mut out = String::new();
    let mut gap = false;
    for (place, name) in [(1000, Some('千')), (100, Some('百')), (10, Some('十')), (1, None)] {
        let digit = value / place % 10;
        if digit == 0 {
            gap = !out.is_empty();
            continue;
        }
        if gap {
            out.push('零');
            gap = false;
        }
        // 十二, not 一十二, when the tens lead.
        if !(place == 10 && digit == 1 && out.is_empty()) {
            out.push(DIGITS[digit as usize]);
        }
        out.extend(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_in_chinese_as_offices_write_them() {
        for (value, chinese) in [
            (1, "一"),
            (9, "九"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (21, "二十一"),
            (100, "一百"),
            (105, "一百零五"),
            (110, "一百一十"),
            (1010, "一千零一十"),
            (2001, "二千零一"),
            (9999, "九千九百九十九"),
        ] {
            assert_eq!(in_chinese(value), chinese);
            assert_eq!(chinese_value(chinese), Some(value), "{chinese}");
        }
        assert_eq!(chinese_value("一二"), None);
        assert_eq!(chinese_value("零"), None);
    }

    #[test]
    fn ordinals_are_respelled_both_ways() {
        let respell = |text: &str| respelled(text);
        assert_eq!(respell("第3次"), ["第三次"]);
        assert_eq!(respell("第三次"), ["第3次"]);
        assert_eq!(respell("常委会第十二次会议"), ["常委会第12次会议"]);
        assert_eq!(respell("第12条"), ["第十二条"]);
        assert_eq!(respell("第105期"), ["第一百零五期"]);
        assert_eq!(respell("2024年第1季度"), ["2024年第一季度"]);
        // Mixed: all in digits, then all in Chinese numerals.
        assert_eq!(respell("第5条第二款"), ["第5条第2款", "第五条第二款"]);
        assert_eq!(respell("第第3次"), ["第第三次"]);
        // Not ordinals, or not written the usual way: as typed.
        for text in [
            "第一议题",
            "第二个百年",
            "第3",
            "第",
            "第第",
            "第03期",
            "第0次",
            "第一十二次",
            "第一二次",
            "第10000次",
            "3次",
            "三次",
            "学习第",
        ] {
            assert!(respell(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn ordinal_spans_cover_the_number_and_its_counter() {
        let spans = |text: &str| {
            let chars: Vec<char> = text.chars().collect();
            ordinal_spans(&chars)
                .into_iter()
                .map(|span| chars[span].iter().collect::<String>())
                .collect::<Vec<_>>()
        };
        assert_eq!(spans("十四届全国人大第二次会议第十四届"), ["第二次", "第十四届"]);
        assert_eq!(spans("第5条第二款"), ["第5条", "第二款"]);
        assert!(spans("第一议题第03期第一二次").is_empty());
    }
}
