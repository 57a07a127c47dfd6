//! Dates in queries: the year, month or day a part names (`2023年`, `2023-05`, `2023年5月8日`),
//! matched against pages' dates as well as their text, and a date run together with words
//! (`2024年安全生产`) split off as a part of its own. The browser ports these functions
//! (`datesNamed`, `leadingDate`, `trailingDate` in the built-in search engine).

use super::analyzer::is_cjk_char;
use crate::content::Date;

/// The days (`YYYYMMDD`, first and last) of the year, month or day a normalised part names:
/// `2023`, `2023年`, `2023年度`; `2023-05`, `2023/5`, `2023.05`, `2023年5月`; `2023-05-08`,
/// `2023年5月8日`. Years 1900 to 2100 only, so other numbers stay numbers. A year of two digits
/// before 年 is read as said aloud (`23年`, `23年度`, `23年5月`: 2023): this century's up to next
/// year, the last century's after (`98年`: 1998); not written with separators (`23-05` is no
/// date). The browser ports this function (three regular expressions there).
pub fn dates_named(text: &str) -> Option<(u32, u32)> {
    let chars: Vec<char> = text.chars().collect();
    if is_short_year(&chars) {
        let short: u32 = text[..2].parse().ok()?;
        let century = if short <= Date::current_year() % 100 + 1 {
            20
        } else {
            19
        };
        return dates_named(&format!("{century}{text}"));
    }
    let digits = |from: usize, most: usize| {
        chars[from..]
            .iter()
            .take(most)
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let number = |from: usize, count: usize| {
        chars[from..from + count]
            .iter()
            .collect::<String>()
            .parse::<u32>()
            .ok()
    };
    if chars.len() < 4 || digits(0, 4) != 4 {
        return None;
    }
    let year = number(0, 4)?;
    if !(1900..=2100).contains(&year) {
        return None;
    }
    let rest: String = chars[4..].iter().collect();
    if matches!(rest.as_str(), "" | "年" | "年度") {
        return Some((year * 10_000 + 101, year * 10_000 + 1231));
    }
    if !matches!(chars[4], '年' | '-' | '/' | '.') {
        return None;
    }
    let month_digits = digits(5, 2);
    if month_digits == 0 {
        return None;
    }
    let month = number(5, month_digits)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let after_month = 5 + month_digits;
    let rest: String = chars[after_month..].iter().collect();
    if matches!(rest.as_str(), "" | "月") {
        return Some((year * 10_000 + month * 100 + 1, year * 10_000 + month * 100 + 31));
    }
    if !matches!(chars[after_month], '月' | '-' | '/' | '.') {
        return None;
    }
    let day_digits = digits(after_month + 1, 2);
    if day_digits == 0 {
        return None;
    }
    let day = number(after_month + 1, day_digits)?;
    let rest: String = chars[after_month + 1 + day_digits..].iter().collect();
    ((1..=31).contains(&day) && matches!(rest.as_str(), "" | "日")).then(|| {
        let ordinal = year * 10_000 + month * 100 + day;
        (ordinal, ordinal)
    })
}

/// A part that starts with a year, month or day run together with more (`2024年安全生产`,
/// `2024-03常委会`): the date, and the rest. The date must end as one does (年, 年度, 月, 日)
/// or be written with separators (`2024-03`): `2023年5次` and `2035远景目标` are not dates and
/// more. The rest must start with a CJK character that does not continue a date (年, 月, 日,
/// 度) and hold two characters at least: `2023年会` split into 2023年 and a lone 会 would admit
/// every 2023 page with 会 anywhere. The longest such date wins. The browser ports this.
pub fn leading_date(text: &str) -> Option<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    // After a year of two digits, these say it counts years: `10年来`, `70年代`, `5年前`.
    let counts_years = |c: char| is_short_year(&chars) && "来代前后间内多左以里".contains(c);
    (3..chars.len().saturating_sub(1)).rev().find_map(|cut| {
        let date: String = chars[..cut].iter().collect();
        (starts_a_rest(chars[cut]) && !counts_years(chars[cut]) && is_whole_date(&date))
            .then(|| (date, chars[cut..].iter().collect()))
    })
}

/// A part naming a date with a year of two digits, written with all four (`23年5月`:
/// `2023年5月`): what snippets mark in the pages that write it so.
pub fn with_full_year(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    if !is_short_year(&chars) {
        return None;
    }
    let (first, _) = dates_named(text)?;
    Some(format!("{}{text}", first / 1_000_000))
}

/// Whether `chars` start with a year of two digits: `23年`.
fn is_short_year(chars: &[char]) -> bool {
    chars.len() >= 3 && chars[..2].iter().all(char::is_ascii_digit) && chars[2] == '年'
}

/// [`leading_date`] at the end of a part (`安全生产2024年`, `区委常委会2024年3月`): the rest (two
/// characters at least, ending with a CJK character) and the date (`安全生产24年` too). The
/// longest date wins. A year of two digits after what counts years stays whole (`工作第23年`,
/// `满10年`).
pub fn trailing_date(text: &str) -> Option<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    (2..chars.len().saturating_sub(2)).find_map(|cut| {
        let date: String = chars[cut..].iter().collect();
        let counted = is_short_year(&chars[cut..]) && "第满近共约整了逾".contains(chars[cut - 1]);
        (is_cjk_char(chars[cut - 1]) && !counted && is_whole_date(&date))
            .then(|| (chars[..cut].iter().collect(), date))
    })
}

/// A date written whole when run together with other words: one [`dates_named`] reads, ending
/// with 年, 度, 月 or 日, or written with separators.
fn is_whole_date(date: &str) -> bool {
    (date.ends_with(['年', '度', '月', '日']) || date.contains(['-', '/', '.']))
        && dates_named(date).is_some()
}

/// Whether `c` can start the words run together after a date.
fn starts_a_rest(c: char) -> bool {
    is_cjk_char(c) && !matches!(c, '年' | '月' | '日' | '度')
}

#[cfg(test)]
mod tests {
    #[test]
    fn years_and_months_are_named_as_date_ranges() {
        for (text, range) in [
            ("2023", Some((20230101, 20231231))),
            ("2023年", Some((20230101, 20231231))),
            ("2023年度", Some((20230101, 20231231))),
            ("2023-05", Some((20230501, 20230531))),
            ("2023/5", Some((20230501, 20230531))),
            ("2023.05", Some((20230501, 20230531))),
            ("2023年5月", Some((20230501, 20230531))),
            ("2023年12月", Some((20231201, 20231231))),
            ("2023年13月", None),
            ("2023-05-04", Some((20230504, 20230504))),
            ("12345", None),
            ("1800", None),
            ("23年", Some((20230101, 20231231))),
            ("23年度", Some((20230101, 20231231))),
            ("23年5月", Some((20230501, 20230531))),
            ("23年5月8日", Some((20230508, 20230508))),
            ("23-05", None),
            ("98年", Some((19980101, 19981231))),
            ("123年", None),
            ("23", None),
            ("2023年5", Some((20230501, 20230531))),
            ("5月", None),
            ("2023年安全", None),
            ("2023-05-08", Some((20230508, 20230508))),
            ("2023年5月8日", Some((20230508, 20230508))),
            ("2023/5/8", Some((20230508, 20230508))),
            ("2023年5月32日", None),
            ("2023年5月8", Some((20230508, 20230508))),
        ] {
            assert_eq!(super::dates_named(text), range, "{text}");
        }
        let split = |text: &str| super::leading_date(text);
        assert_eq!(
            split("2024年安全生产"),
            Some(("2024年".into(), "安全生产".into()))
        );
        assert_eq!(
            split("2024年3月常委会"),
            Some(("2024年3月".into(), "常委会".into()))
        );
        assert_eq!(
            split("2023年度组织生活会"),
            Some(("2023年度".into(), "组织生活会".into()))
        );
        assert_eq!(
            split("2024-03安全生产"),
            Some(("2024-03".into(), "安全生产".into()))
        );
        assert_eq!(
            split("2023年5月8日室务会"),
            Some(("2023年5月8日".into(), "室务会".into()))
        );
        assert_eq!(split("2023年5月8日"), None);
        assert_eq!(split("2023年第1次"), Some(("2023年".into(), "第1次".into())));
        assert_eq!(split("2023abc"), None);
        // Not a date and more: a lone character after it, a month without 月, a bare number.
        for text in ["2023年会", "2024年中", "2023年5次", "2035远景目标", "2000元补贴"] {
            assert_eq!(split(text), None, "{text}");
        }
        let trailing = |text: &str| super::trailing_date(text);
        assert_eq!(
            trailing("安全生产2024年"),
            Some(("安全生产".into(), "2024年".into()))
        );
        assert_eq!(
            trailing("区委常委会2024年3月"),
            Some(("区委常委会".into(), "2024年3月".into()))
        );
        assert_eq!(trailing("会2024年"), None);
        // A year of two digits: split off before the words, not after (a count of years).
        assert_eq!(split("23年安全生产"), Some(("23年".into(), "安全生产".into())));
        assert_eq!(trailing("工作第23年"), None);
        assert_eq!(super::with_full_year("23年5月").as_deref(), Some("2023年5月"));
        assert_eq!(super::with_full_year("2023年"), None);
        for counted in ["10年来的变化", "70年代末", "5年前的笔记", "10年间", "10年以上"] {
            assert_eq!(split(counted), None, "{counted}");
        }
        assert_eq!(trailing("任职满10年"), None);
        assert_eq!(trailing("安全生产24年"), Some(("安全生产".into(), "24年".into())));
        assert_eq!(trailing("目标2035"), None);
        let parts = crate::search::query::parse_query("2024年安全生产 -2023年学习 常委会2024年");
        let texts: Vec<&str> = parts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["2024年", "安全生产", "2023年学习", "常委会", "2024年"]);
    }
}
