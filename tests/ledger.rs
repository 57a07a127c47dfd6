//! The 第一议题 ledger through the real binary, on `tests/fixtures/ledger`, a site with known
//! counts: `studybook stats` (table, JSON, CSV, `--year`), the ledger pages, the exports, the
//! statistics page and its SVG charts, materials backlinks, wikilinks, related pages, and the
//! bad input of the ledger (unresolved materials, broken or ambiguous wikilinks, duplicates).

mod common;
use common::*;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// What the fixture holds
// ---------------------------------------------------------------------------------------------

/// One published session record of the fixture.
struct Session {
    /// File stem under content/sessions/.
    stem: &'static str,
    title: &'static str,
    date: &'static str,
    meeting: &'static str,
    topic: &'static str,
    host: &'static str,
    attendees: u32,
    /// Material sources, relative to content/.
    materials: &'static [&'static str],
}

const STANDING: &str = "区委常委会";
const GOVERNMENT: &str = "区政府党组会";
const OFFICE: &str = "室务会";

/// The twelve published sessions: 2023 has 区委常委会 ×3 and 室务会 ×2 (no 区政府党组会);
/// 2024 has 区委常委会 ×3, 区政府党组会 ×2 and 室务会 ×2.
const SESSIONS: &[Session] = &[
    Session {
        stem: "2023-02-14-standing",
        title: "区委常委会第一议题学习（2023年第1次）",
        date: "2023-02-14",
        meeting: STANDING,
        topic: "学习关于安全生产的重要论述",
        host: "区委书记",
        attendees: 13,
        materials: &["notes/safety.md"],
    },
    Session {
        stem: "2023-05-09-standing",
        title: "区委常委会第一议题学习（2023年第2次）",
        date: "2023-05-09",
        meeting: STANDING,
        topic: "学习防汛救灾工作要求",
        host: "区委书记",
        attendees: 14,
        materials: &["notes/flood.md"],
    },
    Session {
        stem: "2023-09-12-standing",
        title: "区委常委会第一议题学习（2023年第3次）",
        date: "2023-09-12",
        meeting: STANDING,
        topic: "学习法治建设有关论述",
        host: "区委副书记",
        attendees: 15,
        materials: &["notes/rule-of-law.md"],
    },
    Session {
        stem: "2023-03-20-office",
        title: "室务会第一议题学习（2023年第1次）",
        date: "2023-03-20",
        meeting: OFFICE,
        topic: "学习机关保密工作规定",
        host: "办公室主任",
        attendees: 8,
        materials: &[],
    },
    Session {
        stem: "2023-10-16-office",
        title: "室务会第一议题学习（2023年第2次）",
        date: "2023-10-16",
        meeting: OFFICE,
        topic: "学习公文处理办法",
        host: "办公室主任",
        attendees: 9,
        materials: &[],
    },
    Session {
        stem: "2024-01-16-standing",
        title: "区委常委会第一议题学习（2024年第1次）",
        date: "2024-01-16",
        meeting: STANDING,
        topic: "学习关于发展新质生产力的重要论述",
        host: "区委书记",
        attendees: 13,
        materials: &["notes/productivity.md"],
    },
    Session {
        stem: "2024-03-12-standing",
        title: "区委常委会第一议题学习（2024年第2次）",
        date: "2024-03-12",
        meeting: STANDING,
        topic: "再次学习关于安全生产的重要论述",
        host: "区委书记",
        attendees: 12,
        materials: &["notes/safety.md"],
    },
    Session {
        stem: "2024-11-05-standing",
        title: "区委常委会第一议题学习（2024年第3次）",
        date: "2024-11-05",
        meeting: STANDING,
        topic: "学习全会精神, 研究\"十五五\"规划",
        host: "区委书记",
        attendees: 16,
        materials: &[],
    },
    Session {
        stem: "2024-02-27-government",
        title: "区政府党组会第一议题学习（2024年第1次）",
        date: "2024-02-27",
        meeting: GOVERNMENT,
        topic: "学习政府工作报告",
        host: "区长",
        attendees: 11,
        materials: &[],
    },
    Session {
        stem: "2024-08-20-government",
        title: "区政府党组会第一议题学习（2024年第2次）",
        date: "2024-08-20",
        meeting: GOVERNMENT,
        topic: "学习防汛抗旱有关指示",
        host: "区长",
        attendees: 10,
        materials: &[],
    },
    Session {
        stem: "2024-04-08-office",
        title: "室务会第一议题学习（2024年第1次）",
        date: "2024-04-08",
        meeting: OFFICE,
        topic: "学习档案工作条例",
        host: "办公室主任",
        attendees: 7,
        materials: &[],
    },
    Session {
        stem: "2024-12-02-office",
        title: "室务会第一议题学习（2024年第2次）",
        date: "2024-12-02",
        meeting: OFFICE,
        topic: "学习年度工作总结要求",
        host: "办公室主任",
        attendees: 6,
        materials: &[],
    },
];

/// `year, meeting, count, attendees`, sorted by year then meeting: the figures `stats` prints.
const COUNTS: &[(u16, &str, usize, u64)] = &[
    (2023, STANDING, 3, 42),
    (2023, OFFICE, 2, 17),
    (2024, STANDING, 3, 41),
    (2024, GOVERNMENT, 2, 21),
    (2024, OFFICE, 2, 13),
];

/// The draft session (区委常委会, 2024, 99 attendees, studies notes/safety.md): never counted.
const DRAFT_STEM: &str = "2024-06-18-draft";
const DRAFT_TITLE: &str = "区委常委会第一议题学习（草稿）";
const DRAFT_TOPIC: &str = "草稿会议记录";
const DRAFT_DATE: &str = "2024-06-18";

/// Material sources and their titles.
const MATERIALS: &[(&str, &str)] = &[
    ("notes/safety.md", "关于安全生产的重要论述"),
    ("notes/flood.md", "防汛救灾工作要求"),
    ("notes/productivity.md", "发展新质生产力"),
    ("notes/rule-of-law.md", "法治建设要点"),
];

const SAFETY: &str = "关于安全生产的重要论述";
const FLOOD: &str = "防汛救灾工作要求";
const PRODUCTIVITY: &str = "发展新质生产力";
const RULE_OF_LAW: &str = "法治建设要点";
const METHODS: &str = "学习方法汇总";

fn material_title(source: &str) -> &'static str {
    MATERIALS
        .iter()
        .find(|(s, _)| *s == source)
        .unwrap_or_else(|| panic!("unknown material {source}"))
        .1
}

fn session_url(session: &Session) -> String {
    format!("sessions/{}.html", session.stem)
}

fn year_of(date: &str) -> u16 {
    date[..4].parse().unwrap()
}

/// The published sessions matching `keep`, newest first.
fn sessions_where(keep: impl Fn(&Session) -> bool) -> Vec<&'static Session> {
    let mut list: Vec<&Session> = SESSIONS.iter().filter(|s| keep(s)).collect();
    list.sort_by(|a, b| b.date.cmp(a.date));
    list
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The ledger fixture, built successfully.
fn built() -> TestSite {
    let site = TestSite::fixture("ledger");
    site.build().success();
    site
}

fn selector(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).unwrap()
}

fn text_of(element: scraper::ElementRef) -> String {
    element.text().collect::<String>().trim().to_string()
}

/// The output path a relative `href` written in the output file `from` leads to.
fn resolve(from: &str, href: &str) -> String {
    assert!(
        !href.starts_with('/') && !href.contains("://"),
        "{from}: expected a relative link, found `{href}`"
    );
    let path = href.split(['#', '?']).next().unwrap();
    let mut parts: Vec<String> = from.split('/').map(str::to_string).collect();
    parts.pop();
    for segment in percent_decode(path).split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                assert!(parts.pop().is_some(), "{from}: `{href}` climbs out of the output");
            }
            other => parts.push(other.to_string()),
        }
    }
    parts.join("/")
}

/// Asserts `href` (written in `from`) leads to an existing output file; returns that path.
fn resolve_existing(site: &TestSite, from: &str, href: &str) -> String {
    let target = resolve(from, href);
    assert!(
        site.output_exists(&target),
        "{from}: `{href}` leads to `{target}`, which is not in the output"
    );
    target
}

/// The `<h1>` of an output page.
fn h1_of(site: &TestSite, path: &str) -> String {
    let texts = select_texts(&site.html(path), "h1");
    assert_eq!(texts.len(), 1, "{path} has one h1: {texts:?}");
    texts[0].clone()
}

/// `(text, href)` of the links matching `css`.
fn links(html: &scraper::Html, css: &str) -> Vec<(String, String)> {
    html.select(&selector(css))
        .map(|a| (text_of(a), a.value().attr("href").unwrap_or("").to_string()))
        .collect()
}

/// One row of a ledger table, with its links resolved to output paths.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LedgerRow {
    date: String,
    meeting: String,
    topic: String,
    host: String,
    attendees: String,
    /// `(title, output path)` of each material link.
    materials: Vec<(String, String)>,
    /// Where the date and the topic link (they must agree).
    session: String,
    meeting_page: String,
}

/// The year groups of a ledger page: `(heading, rows)`, in page order.
fn ledger_groups(site: &TestSite, path: &str) -> Vec<(String, Vec<LedgerRow>)> {
    let html = site.html(path);
    let mut groups = Vec::new();
    for section in html.select(&selector("section.ledger-year")) {
        let heading = section
            .select(&selector("h2"))
            .next()
            .map(text_of)
            .unwrap_or_default();
        let mut rows = Vec::new();
        for tr in section.select(&selector("table.ledger-table tbody tr")) {
            let cells: Vec<scraper::ElementRef> = tr.select(&selector("td")).collect();
            assert_eq!(cells.len(), 6, "{path}: six cells per row: {}", tr.html());
            let href = |cell: scraper::ElementRef| -> String {
                let hrefs: Vec<String> = cell
                    .select(&selector("a"))
                    .filter_map(|a| a.value().attr("href").map(str::to_string))
                    .collect();
                assert_eq!(hrefs.len(), 1, "{path}: one link in {}", cell.html());
                resolve_existing(site, path, &hrefs[0])
            };
            let session = href(cells[0]);
            assert_eq!(
                href(cells[2]),
                session,
                "{path}: the date and the topic link to the same session"
            );
            rows.push(LedgerRow {
                date: text_of(cells[0]),
                meeting: text_of(cells[1]),
                meeting_page: href(cells[1]),
                topic: text_of(cells[2]),
                host: text_of(cells[3]),
                attendees: text_of(cells[4]),
                materials: cells[5]
                    .select(&selector("a"))
                    .map(|a| {
                        (
                            text_of(a),
                            resolve_existing(site, path, a.value().attr("href").unwrap()),
                        )
                    })
                    .collect(),
                session,
            });
        }
        groups.push((heading, rows));
    }
    groups
}

/// The row a ledger table should show for `session`.
fn expected_row(session: &Session) -> LedgerRow {
    LedgerRow {
        date: session.date.to_string(),
        meeting: session.meeting.to_string(),
        topic: session.topic.to_string(),
        host: session.host.to_string(),
        attendees: session.attendees.to_string(),
        materials: session
            .materials
            .iter()
            .map(|m| (material_title(m).to_string(), m.replace(".md", ".html")))
            .collect(),
        session: session_url(session),
        meeting_page: format!("sessions/meetings/{}.html", session.meeting),
    }
}

/// The groups a ledger page listing `sessions` (newest first) should show.
fn expected_groups(sessions: &[&Session]) -> Vec<(u16, Vec<LedgerRow>)> {
    let mut groups: Vec<(u16, Vec<LedgerRow>)> = Vec::new();
    for session in sessions {
        let year = year_of(session.date);
        match groups.last_mut() {
            Some((y, rows)) if *y == year => rows.push(expected_row(session)),
            _ => groups.push((year, vec![expected_row(session)])),
        }
    }
    groups
}

/// Checks that the ledger page at `path` lists exactly `sessions`, grouped by year, newest
/// first, each once.
fn assert_ledger_lists(site: &TestSite, path: &str, sessions: &[&Session]) {
    let groups = ledger_groups(site, path);
    let expected = expected_groups(sessions);
    let headings: Vec<String> = groups.iter().map(|(h, _)| h.clone()).collect();
    assert_eq!(
        groups.len(),
        expected.len(),
        "{path}: one group per year, found {headings:?}"
    );
    for ((heading, rows), (year, expected_rows)) in groups.iter().zip(&expected) {
        assert!(
            heading.starts_with(&format!("{year}年")),
            "{path}: group heading `{heading}` names {year}; headings in order: {headings:?}"
        );
        assert!(
            heading.contains(&format!("{}次", expected_rows.len())),
            "{path}: group heading `{heading}` gives the count {}",
            expected_rows.len()
        );
        assert_eq!(rows, expected_rows, "{path}: the rows of {year}");
    }
    let all: Vec<&String> = groups
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|r| &r.session))
        .collect();
    let unique: BTreeSet<&String> = all.iter().copied().collect();
    assert_eq!(all.len(), unique.len(), "{path}: each session once: {all:?}");
}

/// The numbered entries under `error: found N errors, nothing was written:`.
fn error_entries(run: &Run) -> Vec<String> {
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("error: found ") && l.ends_with("nothing was written:")),
        "no error header on stderr:\n{}",
        run.stderr
    );
    run.stderr
        .lines()
        .filter_map(|line| {
            let (number, rest) = line.trim_start().split_once(". ")?;
            (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit())).then(|| rest.to_string())
        })
        .collect()
}

/// Builds the fixture, adds `files`, rebuilds: the build must fail with exit code 1 and leave
/// the previous output byte-for-byte as it was. Returns the failed run.
fn break_and_build(files: &[(&str, &str)]) -> Run {
    let site = built();
    let before: BTreeMap<PathBuf, Vec<u8>> = site.snapshot_output();
    assert!(before.len() > 20, "the first build wrote the site");
    for (path, text) in files {
        site.write(path, text);
    }
    let run = site.build();
    assert_failed_and_untouched(&site, &before, &run);
    run
}

fn stats_json(site: &TestSite, extra: &[&str]) -> Value {
    let mut args = vec!["stats", "--json"];
    args.extend_from_slice(extra);
    let run = site.run(&args).success();
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stats --json prints JSON ({e}):\n{}", run.stdout))
}

fn counts_json(rows: &[(u16, &str, usize, u64)]) -> Value {
    json!({
        "sessions": rows
            .iter()
            .map(|(year, meeting, count, attendees)| json!({
                "year": year,
                "meeting": meeting,
                "count": count,
                "attendees": attendees,
                "attendees_unrecorded": 0,
            }))
            .collect::<Vec<_>>()
    })
}

/// Data rows of the plain-text `stats` table: `(year, meeting, count, attendees)`, with the
/// per-year total rows (合计) apart.
#[allow(clippy::type_complexity)]
fn table_rows(
    stdout: &str,
) -> (
    Vec<(String, String, String, String)>,
    Vec<(String, String, String)>,
) {
    let mut rows = Vec::new();
    let mut totals = Vec::new();
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() != 4 || !fields[0].chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if fields[1] == "合计" {
            totals.push((fields[0].into(), fields[2].into(), fields[3].into()));
        } else {
            rows.push((
                fields[0].into(),
                fields[1].into(),
                fields[2].into(),
                fields[3].into(),
            ));
        }
    }
    (rows, totals)
}

/// Parses CSV with CRLF record ends and `"`-quoted fields (RFC 4180). Panics on a bare LF
/// outside quotes or an unterminated quote.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF in:\n{text}");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            '\n' => panic!("a bare LF line end (expected CRLF) in:\n{text:?}"),
            c => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted field in:\n{text}");
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record ends with CRLF:\n{text:?}"
    );
    records
}

const BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Problems of well-formedness of an XML fragment: balanced, properly nested tags, quoted and
/// unique attributes, valid entity references, one root element. A tiny checker, enough for
/// the bar charts.
fn xml_well_formedness(xml: &str) -> Result<(), String> {
    fn check_entities(text: &str) -> Result<(), String> {
        for (at, _) in text.match_indices('&') {
            let rest = &text[at + 1..];
            let end = rest
                .find(';')
                .ok_or_else(|| format!("`&` without `;` in `{text}`"))?;
            let name = &rest[..end];
            let valid = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name
                    .strip_prefix("#x")
                    .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                || name
                    .strip_prefix('#')
                    .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
            if !valid {
                return Err(format!("invalid entity `&{name};` in `{text}`"));
            }
        }
        Ok(())
    }
    fn valid_name(name: &str) -> bool {
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
            && name.chars().all(|c| c.is_alphanumeric() || "-_.:".contains(c))
    }
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = xml;
    loop {
        let (text, tail) = match rest.find('<') {
            Some(at) => (&rest[..at], Some(&rest[at..])),
            None => (rest, None),
        };
        check_entities(text)?;
        if stack.is_empty() && !text.trim().is_empty() {
            return Err(format!("text outside the root element: `{text}`"));
        }
        if text.contains('<') {
            return Err(format!("raw `<` in text `{text}`"));
        }
        let Some(tail) = tail else { break };
        if let Some(after) = tail.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unclosed comment")?;
            rest = &after[end + 3..];
            continue;
        }
        if let Some(after) = tail.strip_prefix("</") {
            let end = after.find('>').ok_or("unclosed end tag")?;
            let name = after[..end].trim();
            match stack.pop() {
                Some(open) if open == name => {}
                Some(open) => return Err(format!("`</{name}>` closes `<{open}>`")),
                None => return Err(format!("`</{name}>` closes nothing")),
            }
            rest = &after[end + 1..];
            continue;
        }
        let after = &tail[1..];
        let name_end = after
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .ok_or("unclosed start tag")?;
        let name = &after[..name_end];
        if !valid_name(name) {
            return Err(format!("invalid element name `{name}`"));
        }
        if stack.is_empty() {
            roots += 1;
        }
        let mut attrs = &after[name_end..];
        let mut seen = BTreeSet::new();
        loop {
            let trimmed = attrs.trim_start();
            if let Some(r) = trimmed.strip_prefix("/>") {
                rest = r;
                break;
            }
            if let Some(r) = trimmed.strip_prefix('>') {
                stack.push(name);
                rest = r;
                break;
            }
            if trimmed.len() == attrs.len() {
                return Err(format!("no space before an attribute in `<{name}`"));
            }
            let eq = trimmed
                .find('=')
                .ok_or_else(|| format!("attribute without a value in `<{name}`"))?;
            let attr = &trimmed[..eq];
            if !valid_name(attr) {
                return Err(format!("invalid attribute name `{attr}` in `<{name}`"));
            }
            if !seen.insert(attr) {
                return Err(format!("attribute `{attr}` twice in `<{name}`"));
            }
            let value_part = &trimmed[eq + 1..];
            let quote = value_part
                .chars()
                .next()
                .filter(|q| *q == '"' || *q == '\'')
                .ok_or_else(|| format!("unquoted value of `{attr}` in `<{name}`"))?;
            let close = value_part[1..]
                .find(quote)
                .ok_or_else(|| format!("unclosed value of `{attr}` in `<{name}`"))?;
            let value = &value_part[1..1 + close];
            if value.contains('<') {
                return Err(format!("`<` in the value of `{attr}`"));
            }
            check_entities(value)?;
            attrs = &value_part[close + 2..];
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("`<{open}>` is never closed"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

/// The raw text of every `<svg …>…</svg>` in `html`.
fn raw_svgs(html: &str) -> Vec<&str> {
    let mut svgs = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..]
            .find("</svg>")
            .unwrap_or_else(|| panic!("an `<svg` without `</svg>`: {}", &rest[start..]));
        svgs.push(&rest[start..start + end + "</svg>".len()]);
        rest = &rest[start + end + "</svg>".len()..];
    }
    svgs
}

// ---------------------------------------------------------------------------------------------
// studybook stats
// ---------------------------------------------------------------------------------------------

#[test]
fn stats_table_lists_each_year_meeting_count_and_attendance() {
    let site = TestSite::fixture("ledger");
    let run = site.run(&["stats"]).success();
    let (rows, totals) = table_rows(&run.stdout);
    let expected: Vec<(String, String, String, String)> = COUNTS
        .iter()
        .map(|(y, m, c, a)| (y.to_string(), m.to_string(), c.to_string(), a.to_string()))
        .collect();
    assert_eq!(rows, expected, "table:\n{}", run.stdout);
    assert_eq!(
        totals,
        [
            ("2023".to_string(), "5".to_string(), "59".to_string()),
            ("2024".to_string(), "7".to_string(), "75".to_string()),
        ],
        "the per-year totals:\n{}",
        run.stdout
    );
    let header = run.stdout.lines().next().unwrap_or("");
    for label in ["年份", "会议", "学习次数", "参会人次"] {
        assert!(header.contains(label), "header `{header}` has {label}");
    }
}

#[test]
fn stats_json_is_exactly_the_counts_by_year_then_meeting() {
    let site = TestSite::fixture("ledger");
    let value = stats_json(&site, &[]);
    assert_eq!(
        value,
        json!({"sessions": [
            {"year": 2023, "meeting": "区委常委会", "count": 3, "attendees": 42, "attendees_unrecorded": 0},
            {"year": 2023, "meeting": "室务会", "count": 2, "attendees": 17, "attendees_unrecorded": 0},
            {"year": 2024, "meeting": "区委常委会", "count": 3, "attendees": 41, "attendees_unrecorded": 0},
            {"year": 2024, "meeting": "区政府党组会", "count": 2, "attendees": 21, "attendees_unrecorded": 0},
            {"year": 2024, "meeting": "室务会", "count": 2, "attendees": 13, "attendees_unrecorded": 0},
        ]})
    );
    // The constant the other tests use says the same.
    assert_eq!(value, counts_json(COUNTS));
}

/// A record without `attendees` counts as none in the attendance: the stats page, the table
/// and the JSON say how many such sessions the total leaves out.
#[test]
fn sessions_without_attendees_are_counted_apart() {
    let site = TestSite::fixture("ledger");
    site.write(
        "content/sessions/2024-12-30.md",
        "---\ntitle: 年末学习\ndate: 2024-12-30\nkind: session\nmeeting: 室务会\ntopic: 年终总结\n---\n\n正文。\n",
    );
    let value = stats_json(&site, &["--year", "2024"]);
    let office = value["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["meeting"] == "室务会")
        .unwrap()
        .clone();
    assert_eq!(
        office,
        json!({"year": 2024, "meeting": "室务会", "count": 3, "attendees": 13, "attendees_unrecorded": 1})
    );
    let table = site.run(&["stats", "--year", "2024"]).success();
    assert_eq!(
        table.stdout.lines().last(),
        Some("（其中 1 次学习未记录参会人数，未计入参会人次）"),
        "{}",
        table.stdout
    );
    site.build().success();
    let lead = select_texts(&site.html("sessions/stats.html"), "p.lead").join("");
    assert!(
        lead.contains("（其中 1 次学习未记录参会人数，未计入参会人次）"),
        "{lead}"
    );
    // In English, one session in the singular (it said "1 sessions record").
    let config = std::fs::read_to_string(site.path("book.toml")).unwrap();
    site.write(
        "book.toml",
        &config.replace("[book]", "[book]\nlanguage = \"en\""),
    );
    let table = site.run(&["stats", "--year", "2024"]).success();
    assert_eq!(
        table.stdout.lines().last(),
        Some("(1 session records no attendees, left out of the attendance)"),
        "{}",
        table.stdout
    );
    site.build().success();
    let lead = select_texts(&site.html("sessions/stats.html"), "p.lead").join("");
    assert!(
        lead.contains(" (1 session records no attendees, left out of the attendance)"),
        "{lead}"
    );
}

#[test]
fn stats_csv_starts_with_bom_and_header_then_the_rows() {
    let site = TestSite::fixture("ledger");
    let run = site.run(&["stats", "--csv"]).success();
    let bytes = run.stdout.as_bytes();
    assert!(
        bytes.starts_with(BOM),
        "starts with the UTF-8 BOM: {:?}",
        &bytes[..bytes.len().min(8)]
    );
    let text = &run.stdout["\u{feff}".len()..];
    // Headed in the site's language, as the table (Excel's readers are the office's).
    assert!(
        text.starts_with("年份,会议,学习次数,参会人次,未记录参会人数的次数\r\n"),
        "the header follows the BOM:\n{text}"
    );
    let records = parse_csv(text);
    let expected: Vec<Vec<String>> = std::iter::once(
        ["年份", "会议", "学习次数", "参会人次", "未记录参会人数的次数"]
            .map(String::from)
            .to_vec(),
    )
    .chain(COUNTS.iter().map(|(y, m, c, a)| {
        vec![
            y.to_string(),
            m.to_string(),
            c.to_string(),
            a.to_string(),
            "0".to_string(),
        ]
    }))
    .collect();
    assert_eq!(records, expected);
}

#[test]
fn stats_year_limits_the_rows() {
    let site = TestSite::fixture("ledger");
    let only_2024: Vec<(u16, &str, usize, u64)> = COUNTS.iter().copied().filter(|c| c.0 == 2024).collect();
    assert_eq!(stats_json(&site, &["--year", "2024"]), counts_json(&only_2024));

    let run = site.run(&["stats", "--csv", "--year", "2024"]).success();
    let records = parse_csv(run.stdout.trim_start_matches('\u{feff}'));
    assert_eq!(records.len(), 1 + only_2024.len(), "{}", run.stdout);
    assert!(records[1..].iter().all(|r| r[0] == "2024"), "{records:?}");

    let run = site.run(&["stats", "--year", "2023"]).success();
    let (rows, totals) = table_rows(&run.stdout);
    let years: BTreeSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(years, BTreeSet::from(["2023"]), "{}", run.stdout);
    assert_eq!(rows.len(), 2, "{}", run.stdout);
    assert_eq!(totals, [("2023".to_string(), "5".to_string(), "59".to_string())]);
}

#[test]
fn stats_year_without_sessions_is_empty_with_a_message_not_an_error() {
    let site = TestSite::fixture("ledger");
    assert_eq!(stats_json(&site, &["--year", "2019"]), json!({"sessions": []}));

    let run = site.run(&["stats", "--year", "2019"]);
    assert_eq!(run.code, 0, "not an error:\n{}", run.stderr);
    // No table of headers alone: the message says it.
    assert_eq!(run.stdout, "", "no table");
    let message = format!("{}{}", run.stdout, run.stderr);
    assert!(
        message.contains("2019: 暂无学习记录"),
        "a message says there are no sessions:\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    assert!(!run.stderr.contains("error"), "{}", run.stderr);

    let run = site.run(&["stats", "--csv", "--year", "2019"]).success();
    assert_eq!(
        parse_csv(run.stdout.trim_start_matches('\u{feff}')),
        [vec![
            "年份",
            "会议",
            "学习次数",
            "参会人次",
            "未记录参会人数的次数"
        ]],
        "the header only"
    );
    // An English site's are English.
    let config = std::fs::read_to_string(site.path("book.toml")).unwrap();
    site.write(
        "book.toml",
        &config.replace("[book]", "[book]\nlanguage = \"en\""),
    );
    let run = site.run(&["stats", "--csv", "--year", "2019"]).success();
    assert_eq!(
        run.stdout,
        "\u{feff}Year,Meeting,Sessions,Attendance,Sessions without attendees\r\n"
    );
}

#[test]
fn stats_year_that_is_not_a_year_is_a_usage_error() {
    let site = TestSite::fixture("ledger");
    for bad in ["20x4", "123", "12345", "二〇二四", ""] {
        let run = site.run(&["stats", "--year", bad]);
        assert_eq!(
            run.code, 2,
            "--year `{bad}` is a usage error\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        assert!(run.stderr.contains("--year"), "names the option:\n{}", run.stderr);
        assert!(run.stdout.is_empty(), "prints no table: {}", run.stdout);
    }
    let run = site.run(&["stats", "--json", "--csv"]);
    assert_eq!(run.code, 2, "--json and --csv together:\n{}", run.stderr);
}

/// The figures `stats` prints come with the warnings that say they may be off: a record
/// entered twice, a record outside the ledger because its folder makes it a study material.
#[test]
fn stats_and_build_warn_of_records_the_figures_miscount() {
    let site = TestSite::fixture("ledger");
    let original = std::fs::read_to_string(site.path("content/sessions/2024-03-12-standing.md")).unwrap();
    site.write("content/sessions/2024-03-12-standing - 副本.md", &original);
    site.write(
        "content/notes/record.md",
        "---\ntitle: 支部委员会第一议题学习（2024年第9次）\ndate: 2024-09-01\nmeeting: 支部委员会\nattendees: 8\n---\n\n正文。\n",
    );
    // A warning about another page does not concern the figures.
    site.write(
        "content/notes/heading.md",
        "---\ntitle: 小标题\n---\n\n#一、总体要求\n",
    );
    let outside = "warning: content/notes/record.md:4: `meeting` belongs to a session record, but this page is a study material \
                   (its folder holds no `kind: session`): the ledger and `stats` leave it out";
    let run = site.run(&["stats"]).success();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(warnings.len(), 2, "{}", run.stderr);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("2024-03-12-standing - 副本.md")),
        "the copy is named: {}",
        run.stderr
    );
    assert!(warnings.contains(&outside), "{}", run.stderr);
    assert!(run
        .stderr
        .contains("help: if it records a study session, add the line `kind: session`"));
    assert!(!run.stderr.contains("heading.md"), "{}", run.stderr);
    let build = site.build().success();
    assert!(build.stderr.contains(outside), "{}", build.stderr);
    assert!(build.stderr.contains("heading.md"), "{}", build.stderr);
    // Written `kind: note` on purpose: no warning.
    site.write(
        "content/notes/record.md",
        "---\ntitle: 会议纪要学习\nkind: note\nmeeting: 支部委员会\n---\n\n正文。\n",
    );
    let run = site.run(&["stats"]).success();
    assert!(!run.stderr.contains("record.md"), "{}", run.stderr);
}

/// A meeting named `index` keeps its page: the folder's own `index.html` leads to the ledger.
#[test]
fn a_meeting_named_index_keeps_its_page() {
    let site = TestSite::fixture("ledger");
    site.write(
        "content/sessions/2024-05-05-index.md",
        "---\ntitle: 记录\ndate: 2024-05-05\nmeeting: index\n---\n\n正文。\n",
    );
    site.build().success();
    let page = site.html("sessions/meetings/index_.html");
    assert_eq!(select_texts(&page, "table.ledger-table tbody tr").len(), 1);
    let record = site.html("sessions/2024-05-05-index.html");
    let links = select_attrs(&record, "dl.session-info dd a", "href");
    assert!(links[0].ends_with("meetings/index_.html"), "{links:?}");
    assert!(site
        .output("sessions/meetings/index.html")
        .contains("http-equiv=\"refresh\""));
}

#[test]
fn stats_reads_the_content_without_a_build() {
    let site = TestSite::fixture("ledger");
    assert!(!site.path("public").exists());
    for args in [&["stats"][..], &["stats", "--json"], &["stats", "--csv"]] {
        site.run(args).success();
    }
    assert!(!site.path("public").exists(), "stats wrote no output folder");
    assert_eq!(stats_json(&site, &[]), counts_json(COUNTS));
}

#[test]
fn stats_does_not_count_drafts() {
    let site = TestSite::fixture("ledger");
    let run = site.run(&["stats"]).success();
    assert!(
        !run.stdout.contains("99"),
        "the draft's 99 attendees:\n{}",
        run.stdout
    );
    assert_eq!(stats_json(&site, &[]), counts_json(COUNTS));

    // The same record published is counted: 2024 区委常委会 becomes 4 sessions, 41 + 99.
    let path = format!("content/sessions/{DRAFT_STEM}.md");
    let text = std::fs::read_to_string(site.path(&path)).unwrap();
    assert!(text.contains("draft: true\n"));
    site.write(&path, &text.replace("draft: true\n", ""));
    let published: Vec<(u16, &str, usize, u64)> = COUNTS
        .iter()
        .map(|&(y, m, c, a)| {
            if (y, m) == (2024, STANDING) {
                (y, m, c + 1, a + 99)
            } else {
                (y, m, c, a)
            }
        })
        .collect();
    assert_eq!(stats_json(&site, &[]), counts_json(&published));
}

// ---------------------------------------------------------------------------------------------
// Ledger pages
// ---------------------------------------------------------------------------------------------

#[test]
fn ledger_lists_every_published_session_once_by_year_newest_first() {
    let site = built();
    let all = sessions_where(|_| true);
    assert_eq!(all.len(), 12);
    assert_ledger_lists(&site, "sessions/index.html", &all);

    // Material links lead to the material pages.
    for (_, rows) in ledger_groups(&site, "sessions/index.html") {
        for row in rows {
            let session = SESSIONS.iter().find(|s| s.date == row.date).unwrap();
            assert_eq!(
                h1_of(&site, &row.session),
                session.title,
                "the date link of {}",
                row.date
            );
            for (title, path) in &row.materials {
                assert_eq!(&h1_of(&site, path), title, "the material link of {}", row.date);
            }
        }
    }
}

#[test]
fn ledger_takes_the_place_of_the_sessions_folder_page() {
    let site = built();
    let html = site.html("sessions/index.html");
    assert_eq!(
        select_texts(&html, "h1"),
        ["第一议题学习记录"],
        "the folder's title"
    );
    assert_eq!(select_texts(&html, "p.lead"), ["各会议第一议题学习情况。"]);
    assert!(
        select_texts(&html, ".intro")
            .concat()
            .contains("本栏目记录各会议第一议题学习情况。"),
        "the folder's introduction"
    );
    assert_eq!(select_texts(&html, "table.ledger-table").len(), 2, "two years");
}

#[test]
fn ledger_pages_leave_the_draft_out() {
    let site = built();
    assert!(!site.output_exists(&format!("sessions/{DRAFT_STEM}.html")));
    let mut pages = vec![
        "sessions/index.html".to_string(),
        "sessions/stats.html".to_string(),
        "sessions.csv".to_string(),
        "sessions.json".to_string(),
        "notes/safety.html".to_string(),
    ];
    pages.extend(["2023", "2024"].map(|y| format!("sessions/years/{y}.html")));
    pages.extend([STANDING, GOVERNMENT, OFFICE].map(|m| format!("sessions/meetings/{m}.html")));
    for page in &pages {
        let text = site.output(page);
        for marker in [DRAFT_TITLE, DRAFT_TOPIC, DRAFT_DATE, DRAFT_STEM] {
            assert!(!text.contains(marker), "{page} mentions the draft ({marker})");
        }
    }
}

#[test]
fn year_pages_list_exactly_that_years_sessions() {
    let site = built();
    for year in [2023u16, 2024] {
        let path = format!("sessions/years/{year}.html");
        let expected = sessions_where(|s| year_of(s.date) == year);
        assert_ledger_lists(&site, &path, &expected);
        assert_eq!(
            select_texts(&site.html(&path), "section.ledger-year").len(),
            1,
            "{path}: one year"
        );
    }
    assert!(!site.output_exists("sessions/years/2019.html"));
}

#[test]
fn meeting_pages_list_exactly_that_meetings_sessions() {
    let site = built();
    for meeting in [STANDING, GOVERNMENT, OFFICE] {
        let path = format!("sessions/meetings/{meeting}.html");
        let expected = sessions_where(|s| s.meeting == meeting);
        assert_ledger_lists(&site, &path, &expected);
        let html = site.html(&path);
        assert!(
            select_texts(&html, "h1")[0].contains(meeting),
            "{path}: the heading names the meeting"
        );
    }
}

#[test]
fn filter_links_connect_the_ledger_pages() {
    let site = built();
    let mut pages = vec!["sessions/index.html".to_string()];
    pages.extend(["2024", "2023"].map(|y| format!("sessions/years/{y}.html")));
    pages.extend([STANDING, OFFICE, GOVERNMENT].map(|m| format!("sessions/meetings/{m}.html")));
    let mut expected: BTreeSet<String> = pages.iter().cloned().collect();
    expected.extend([
        "sessions/stats.html".to_string(),
        "sessions.csv".to_string(),
        "sessions.json".to_string(),
    ]);
    for page in &pages {
        let html = site.html(page);
        let targets: BTreeSet<String> = select_attrs(&html, "nav.ledger-filters a", "href")
            .iter()
            .map(|href| resolve_existing(&site, page, href))
            .collect();
        assert_eq!(targets, expected, "{page}: links to every ledger page");
        let current: Vec<String> = select_attrs(&html, "nav.ledger-filters a[aria-current=page]", "href")
            .iter()
            .map(|href| resolve(page, href))
            .collect();
        assert_eq!(
            current,
            std::slice::from_ref(page),
            "{page}: marks itself as current"
        );
    }
    // The statistics page links back to the ledger and to each year.
    let html = site.html("sessions/stats.html");
    let targets: BTreeSet<String> = select_attrs(&html, "main a", "href")
        .iter()
        .map(|href| resolve_existing(&site, "sessions/stats.html", href))
        .collect();
    for page in [
        "sessions/index.html",
        "sessions/years/2023.html",
        "sessions/years/2024.html",
    ] {
        assert!(targets.contains(page), "stats links to {page}: {targets:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------------------------

#[test]
fn sessions_csv_has_a_bom_and_one_row_per_session() {
    let site = built();
    let bytes = std::fs::read(site.path("public/sessions.csv")).unwrap();
    assert!(
        bytes.starts_with(BOM),
        "UTF-8 BOM: {:?}",
        &bytes[..bytes.len().min(8)]
    );
    let text = String::from_utf8(bytes[BOM.len()..].to_vec()).expect("UTF-8");
    let records = parse_csv(&text);
    assert_eq!(
        records[0],
        [
            "日期",
            "会议",
            "学习内容",
            "主持人",
            "参会人数",
            "标题",
            "学习材料",
            "链接"
        ]
    );
    let expected: Vec<Vec<String>> = sessions_where(|_| true)
        .iter()
        .map(|s| {
            vec![
                s.date.to_string(),
                s.meeting.to_string(),
                s.topic.to_string(),
                s.host.to_string(),
                s.attendees.to_string(),
                s.title.to_string(),
                s.materials
                    .iter()
                    .map(|m| material_title(m))
                    .collect::<Vec<_>>()
                    .join("；"),
                session_url(s),
            ]
        })
        .collect();
    assert_eq!(&records[1..], &expected[..], "one row per session, newest first");
    // The topic with a comma and quotes survives the quoting.
    assert!(records.iter().any(|r| r[2] == "学习全会精神, 研究\"十五五\"规划"));
}

/// With the site's address known, a downloaded sessions.csv still leads to each record: its
/// link column holds whole addresses, encoded as browsers send them. sessions.json keeps the
/// site's relative URLs.
#[test]
fn sessions_csv_links_are_whole_addresses_with_a_base_url() {
    let site = TestSite::fixture("ledger");
    let toml = std::fs::read_to_string(site.path("book.toml")).unwrap();
    let toml = if toml.contains("[build]") {
        toml.replace(
            "[build]",
            "[build]\nbase-url = \"http://intranet.example/study/\"",
        )
    } else {
        format!("{toml}\n[build]\nbase-url = \"http://intranet.example/study/\"\n")
    };
    site.write("book.toml", &toml);
    site.build().success();
    let bytes = std::fs::read(site.path("public/sessions.csv")).unwrap();
    let records = parse_csv(std::str::from_utf8(&bytes[BOM.len()..]).unwrap());
    let links: Vec<&String> = records[1..].iter().map(|r| r.last().unwrap()).collect();
    let expected: Vec<String> = sessions_where(|_| true)
        .iter()
        .map(|s| {
            let encoded: Vec<String> = session_url(s).split('/').map(common::percent_encode).collect();
            format!("http://intranet.example/study/{}", encoded.join("/"))
        })
        .collect();
    assert_eq!(links, expected.iter().collect::<Vec<_>>());
    let json: Value = serde_json::from_str(&site.output("sessions.json")).unwrap();
    assert_eq!(
        json["sessions"][0]["url"],
        session_url(sessions_where(|_| true)[0])
    );
}

#[test]
fn sessions_json_agrees_with_the_content() {
    let site = built();
    let value: Value = serde_json::from_str(&site.output("sessions.json")).unwrap();
    let list = value["sessions"]
        .as_array()
        .unwrap_or_else(|| panic!("an array under \"sessions\": {value}"));
    let fields = [
        "date",
        "year",
        "meeting",
        "topic",
        "host",
        "attendees",
        "title",
        "materials",
        "url",
    ];
    let found: Vec<Value> = list
        .iter()
        .map(|entry| {
            json!(fields
                .iter()
                .map(|f| (f.to_string(), entry[f].clone()))
                .collect::<serde_json::Map<String, Value>>())
        })
        .collect();
    let expected: Vec<Value> = sessions_where(|_| true)
        .iter()
        .map(|s| {
            json!({
                "date": s.date,
                "year": year_of(s.date),
                "meeting": s.meeting,
                "topic": s.topic,
                "host": s.host,
                "attendees": s.attendees,
                "title": s.title,
                "materials": s.materials.iter().map(|m| material_title(m)).collect::<Vec<_>>(),
                "url": session_url(s),
            })
        })
        .collect();
    assert_eq!(found, expected);
    for entry in list {
        let url = entry["url"].as_str().unwrap();
        assert!(site.output_exists(url), "the url of {entry} exists");
    }
}

// ---------------------------------------------------------------------------------------------
// Statistics page
// ---------------------------------------------------------------------------------------------

#[test]
fn stats_page_table_has_the_known_counts() {
    let site = built();
    let html = site.html("sessions/stats.html");
    let table = html
        .select(&selector("table.stats-table"))
        .next()
        .expect("a statistics table");
    let header: Vec<String> = table.select(&selector("thead th")).map(text_of).collect();
    assert_eq!(
        header.len(),
        6,
        "year, three meetings, total, attendance: {header:?}"
    );
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("a column {name}: {header:?}"))
    };
    let mut years = Vec::new();
    for tr in table.select(&selector("tbody tr")) {
        let cells: Vec<String> = tr.select(&selector("th, td")).map(text_of).collect();
        assert_eq!(cells.len(), header.len(), "{cells:?}");
        let year: u16 = cells[0].parse().unwrap();
        years.push(year);
        for meeting in [STANDING, GOVERNMENT, OFFICE] {
            let expected = COUNTS
                .iter()
                .find(|c| c.0 == year && c.1 == meeting)
                .map_or(0, |c| c.2);
            assert_eq!(cells[column(meeting)], expected.to_string(), "{year} {meeting}");
        }
        let (total, attendees) = COUNTS
            .iter()
            .filter(|c| c.0 == year)
            .fold((0, 0), |(t, a), c| (t + c.2, a + c.3));
        assert_eq!(cells[column("合计")], total.to_string(), "{year} total");
        assert_eq!(
            cells[column("参会人次")],
            attendees.to_string(),
            "{year} attendance"
        );
    }
    assert_eq!(years, [2024, 2023], "one row per year, newest first");
    let lead = select_texts(&html, "p.lead").concat();
    assert!(lead.contains("12次") && lead.contains("134"), "totals: {lead}");
}

#[test]
fn stats_page_has_one_well_formed_svg_bar_chart_per_year() {
    let site = built();
    let text = site.output("sessions/stats.html");
    let svgs = raw_svgs(&text);
    assert_eq!(svgs.len(), 2, "one chart per year");
    assert_eq!(text.matches("<svg").count(), text.matches("</svg>").count());
    let bars_per_year = [(2024u16, 3usize), (2023, 2)];
    for (svg, (year, bars)) in svgs.iter().zip(bars_per_year) {
        if let Err(problem) = xml_well_formedness(svg) {
            panic!("the {year} chart is not well-formed XML: {problem}\n{svg}");
        }
        assert!(
            svg.contains(&format!("chart-{year}-title")),
            "the {year} chart comes in order: {svg}"
        );
        assert_eq!(
            svg.matches("<rect").count(),
            bars,
            "{year}: one bar per meeting with sessions"
        );
    }

    let html = site.html("sessions/stats.html");
    let charts: Vec<scraper::ElementRef> = html.select(&selector("figure.chart svg")).collect();
    assert_eq!(charts.len(), 2);
    for (chart, (year, bars)) in charts.iter().zip(bars_per_year) {
        assert_eq!(chart.select(&selector("rect")).count(), bars, "{year}");
        let bar_titles: BTreeSet<String> = chart.select(&selector("rect title")).map(text_of).collect();
        let expected: BTreeSet<String> = COUNTS
            .iter()
            .filter(|c| c.0 == year)
            .map(|c| format!("{}: {}", c.1, c.2))
            .collect();
        assert_eq!(bar_titles, expected, "{year}: the bars' meetings and counts");
        assert!(
            chart
                .select(&selector("image, script, use, foreignObject"))
                .next()
                .is_none(),
            "no external asset or script in the chart"
        );
    }
}

#[test]
fn svg_chart_stays_well_formed_with_markup_in_a_meeting_name() {
    let site = TestSite::fixture("ledger");
    site.write(
        "content/sessions/2024-09-09-joint.md",
        "---\ntitle: 联席会议第一议题学习\ndate: 2024-09-09\nmeeting: \"党建&业务<融合>会\"\ntopic: 学习融合发展要求\nhost: 主任\nattendees: 5\n---\n\n正文\n",
    );
    site.build().success();
    let text = site.output("sessions/stats.html");
    let svgs = raw_svgs(&text);
    assert_eq!(svgs.len(), 2);
    for svg in &svgs {
        if let Err(problem) = xml_well_formedness(svg) {
            panic!("not well-formed XML: {problem}\n{svg}");
        }
    }
    assert_eq!(svgs[0].matches("<rect").count(), 4, "2024 now has four meetings");
    let html = site.html("sessions/stats.html");
    let labels = select_texts(&html, "figure.chart svg text.bar-label");
    assert!(labels.iter().any(|l| l == "党建&业务<融合>会"), "{labels:?}");
    let json = stats_json(&site, &["--year", "2024"]);
    assert!(json["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["meeting"] == "党建&业务<融合>会" && r["count"] == 1));
}

#[test]
fn stats_page_lists_the_most_studied_material_with_its_count() {
    let site = built();
    let html = site.html("sessions/stats.html");
    let items: Vec<scraper::ElementRef> = html
        .select(&selector("section[aria-labelledby=most-studied] li"))
        .collect();
    assert!(!items.is_empty(), "a most-studied list");
    let first = items[0];
    let link = first.select(&selector("a")).next().expect("a link");
    assert_eq!(text_of(link), SAFETY);
    assert_eq!(
        resolve_existing(&site, "sessions/stats.html", link.value().attr("href").unwrap()),
        "notes/safety.html"
    );
    assert!(
        text_of(first).contains("2次"),
        "studied twice (the draft does not count): {}",
        text_of(first)
    );
    let rest: BTreeSet<String> = items[1..]
        .iter()
        .map(|li| text_of(li.select(&selector("a")).next().unwrap()))
        .collect();
    assert_eq!(
        rest,
        BTreeSet::from([FLOOD, PRODUCTIVITY, RULE_OF_LAW].map(String::from))
    );
    assert!(items[1..].iter().all(|li| text_of(*li).contains("1次")));
}

// ---------------------------------------------------------------------------------------------
// Materials backlinks
// ---------------------------------------------------------------------------------------------

/// `(date, meeting, title, output path)` of a page's "studied in" entries.
fn studied_in(site: &TestSite, page: &str) -> Vec<(String, String, String, String)> {
    let html = site.html(page);
    html.select(&selector(".studied-in li"))
        .map(|li| {
            let link = li.select(&selector("a")).next().expect("a link to the session");
            (
                li.select(&selector("time"))
                    .next()
                    .map(text_of)
                    .unwrap_or_default(),
                li.select(&selector("span"))
                    .next()
                    .map(text_of)
                    .unwrap_or_default(),
                text_of(link),
                resolve_existing(site, page, link.value().attr("href").unwrap()),
            )
        })
        .collect()
}

#[test]
fn material_page_lists_the_sessions_that_studied_it() {
    let site = built();
    let entry = |s: &Session| {
        (
            s.date.to_string(),
            s.meeting.to_string(),
            s.title.to_string(),
            session_url(s),
        )
    };
    let safety = sessions_where(|s| s.materials.contains(&"notes/safety.md"));
    assert_eq!(safety.len(), 2);
    assert_eq!(
        studied_in(&site, "notes/safety.html"),
        safety.iter().map(|s| entry(s)).collect::<Vec<_>>(),
        "both sessions, newest first, not the draft"
    );
    let flood = sessions_where(|s| s.materials.contains(&"notes/flood.md"));
    assert_eq!(
        studied_in(&site, "notes/flood.html"),
        flood.iter().map(|s| entry(s)).collect::<Vec<_>>()
    );
    assert!(
        select_texts(&site.html("notes/methods.html"), ".studied-in").is_empty(),
        "a page no session studied has no such section"
    );
    // The other way: the session page links to its material.
    let page = format!("sessions/{}.html", safety[0].stem);
    let html = site.html(&page);
    let materials: Vec<(String, String)> = links(&html, ".session-info .materials a")
        .into_iter()
        .map(|(text, href)| (text, resolve_existing(&site, &page, &href)))
        .collect();
    assert_eq!(materials, [(SAFETY.to_string(), "notes/safety.html".to_string())]);
}

#[test]
fn search_results_say_how_many_sessions_studied_a_page() {
    let site = built();
    let studied = |query: &str, path: &str| -> u64 {
        let run = site.run(&["search", "--json", "--limit", "50", query]).success();
        let hits: Vec<Value> = run
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let hit = hits
            .iter()
            .find(|h| h["path"] == path)
            .unwrap_or_else(|| panic!("`{query}` finds {path}:\n{}", run.stdout));
        hit["studied"]
            .as_u64()
            .unwrap_or_else(|| panic!("a number `studied`: {hit}"))
    };
    assert_eq!(studied(SAFETY, "notes/safety.md"), 2);
    assert_eq!(studied(FLOOD, "notes/flood.md"), 1);
    assert_eq!(studied(METHODS, "notes/methods.md"), 0);
}

// ---------------------------------------------------------------------------------------------
// Wikilinks, backlinks, related pages
// ---------------------------------------------------------------------------------------------

#[test]
fn wikilinks_by_title_path_and_with_display_text_link_the_right_pages() {
    let site = built();
    let page = "notes/methods.html";
    let html = site.html(page);
    let found: Vec<(String, String)> = links(&html, "article .content a")
        .into_iter()
        .map(|(text, href)| (text, resolve_existing(&site, page, &href)))
        .collect();
    assert_eq!(found.len(), 3, "{found:?}");
    // [[关于安全生产的重要论述]]: by title, the title shown.
    assert_eq!(found[0], (SAFETY.to_string(), "notes/safety.html".to_string()));
    // [[notes/flood]]: by path.
    assert_eq!(found[1].1, "notes/flood.html");
    // [[发展新质生产力|新质生产力笔记]]: the display text shown, not the title.
    assert_eq!(
        found[2],
        (
            "新质生产力笔记".to_string(),
            "notes/productivity.html".to_string()
        )
    );
    assert!(!site.output(page).contains("[["), "no wikilink left as written");
}

#[test]
fn wikilink_targets_list_the_linking_page_as_a_backlink() {
    let site = built();
    let backlinks = |page: &str| -> Vec<(String, String)> {
        links(&site.html(page), ".backlinks a")
            .into_iter()
            .map(|(text, href)| (text, resolve_existing(&site, page, &href)))
            .collect()
    };
    let methods = (METHODS.to_string(), "notes/methods.html".to_string());
    for target in ["notes/safety.html", "notes/flood.html", "notes/productivity.html"] {
        assert_eq!(backlinks(target), std::slice::from_ref(&methods), "{target}");
    }
    // Both ways: flood links back with [[学习方法汇总|学习方法]].
    assert_eq!(
        backlinks("notes/methods.html"),
        [(FLOOD.to_string(), "notes/flood.html".to_string())]
    );
    assert!(
        backlinks("notes/rule-of-law.html").is_empty(),
        "no page links to it"
    );
}

#[test]
fn related_pages_share_tags() {
    let site = built();
    let related = |page: &str| -> BTreeSet<String> {
        links(&site.html(page), ".related a")
            .into_iter()
            .map(|(_, href)| resolve_existing(&site, page, &href))
            .collect()
    };
    // safety: 安全生产 (flood), 第一议题 (methods, which links to it: listed among the pages
    // that link here, not twice).
    assert_eq!(
        related("notes/safety.html"),
        BTreeSet::from(["notes/flood.html".to_string()])
    );
    let backlinks: Vec<String> = links(&site.html("notes/safety.html"), ".backlinks a")
        .into_iter()
        .map(|(_, href)| resolve_existing(&site, "notes/safety.html", &href))
        .collect();
    assert!(
        backlinks.contains(&"notes/methods.html".to_string()),
        "{backlinks:?}"
    );
    assert_eq!(
        related("notes/flood.html"),
        BTreeSet::from(["notes/safety.html".to_string()])
    );
    assert_eq!(
        related("notes/methods.html"),
        BTreeSet::from(["notes/safety.html".to_string()])
    );
    assert!(related("notes/productivity.html").is_empty(), "no shared tag");
    assert!(select_texts(&site.html("notes/productivity.html"), ".related").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

const BAD_MATERIAL_BLOCK: &str = "---\ntitle: 材料写错的记录\ndate: 2024-07-01\nmeeting: 室务会\nmaterials:\n  - notes/safety.md\n  - notes/missing.md\n---\n\n正文\n";

#[test]
fn material_that_does_not_resolve_is_an_error_at_its_entry() {
    let run = break_and_build(&[("content/sessions/2024-07-01-bad.md", BAD_MATERIAL_BLOCK)]);
    assert_eq!(
        error_entries(&run),
        ["content/sessions/2024-07-01-bad.md:7: material `notes/missing.md` does not resolve to a page"]
    );
}

#[test]
fn material_in_a_flow_list_is_reported_at_the_key() {
    let run = break_and_build(&[(
        "content/sessions/2024-07-01-bad.md",
        "---\ntitle: 材料写错的记录\ndate: 2024-07-01\nmeeting: 室务会\nmaterials: [notes/safety.md, notes/missing.md]\n---\n\n正文\n",
    )]);
    assert_eq!(
        error_entries(&run),
        ["content/sessions/2024-07-01-bad.md:5: material `notes/missing.md` does not resolve to a page"]
    );
}

#[test]
fn material_error_points_at_its_own_entry_not_an_earlier_one_containing_it() {
    // `safety.md` (no such page at the top of content/) is a substring of the valid entry on
    // line 6; the error belongs on line 7.
    let run = break_and_build(&[(
        "content/sessions/2024-07-01-bad.md",
        "---\ntitle: 材料写错的记录\ndate: 2024-07-01\nmeeting: 室务会\nmaterials:\n  - notes/safety.md\n  - safety.md\n---\n\n正文\n",
    )]);
    assert_eq!(
        error_entries(&run),
        ["content/sessions/2024-07-01-bad.md:7: material `safety.md` does not resolve to a page"]
    );
}

#[test]
fn wikilink_to_a_missing_page_is_an_error_with_file_and_line() {
    let run = break_and_build(&[(
        "content/notes/bad.md",
        "---\ntitle: 链接写错的笔记\ndate: 2024-07-01\n---\n\n第一段第一行，\n第一段第二行参见[[不存在的页面]]。\n\n- 条目一\n- 条目二参见[[notes/nowhere]]。\n\n> 引用中[[另一个不存在的|文字]]\n",
    )]);
    assert_eq!(
        error_entries(&run),
        [
            "content/notes/bad.md:7: wikilink `[[不存在的页面]]` matches no page title or path",
            "content/notes/bad.md:10: wikilink `[[notes/nowhere]]` matches no page title or path",
            "content/notes/bad.md:12: wikilink `[[另一个不存在的]]` matches no page title or path",
        ]
    );
}

#[test]
fn ambiguous_wikilink_title_names_both_candidates() {
    let run = break_and_build(&[
        (
            "content/notes/flood-copy.md",
            "---\ntitle: 防汛救灾工作要求\ndate: 2024-07-01\n---\n\n同名的另一页。\n",
        ),
        (
            "content/notes/ask.md",
            "---\ntitle: 引用同名页面\ndate: 2024-07-02\n---\n\n参见[[防汛救灾工作要求]]。\n",
        ),
    ]);
    let entries = error_entries(&run);
    assert_eq!(entries.len(), 1, "{}", run.stderr);
    assert!(
        entries[0].starts_with("content/notes/ask.md:6: wikilink `[[防汛救灾工作要求]]`"),
        "file:line of the link: {entries:?}"
    );
    assert!(entries[0].contains("ambiguous"), "{entries:?}");
    for candidate in ["notes/flood.md", "notes/flood-copy.md"] {
        assert!(
            run.stderr.contains(candidate),
            "names the candidate {candidate}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn same_meeting_date_and_topic_twice_is_a_warning_naming_both_files() {
    let site = built();
    let original = "content/sessions/2024-04-08-office.md";
    let copy = "content/sessions/2024-04-08-office-copy.md";
    let text = std::fs::read_to_string(site.path(original)).unwrap();
    site.write(copy, &text.replace("（2024年第1次）", "（重复录入）"));
    let run = site.build().success();
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "one warning:\n{}", run.stderr);
    for file in [original, copy] {
        assert!(
            warnings[0].contains(file),
            "the warning names {file}: {}",
            warnings[0]
        );
    }
    assert!(run.stderr.contains("1 warning"), "{}", run.stderr);
    // What they share, without a blank where a field is missing.
    let topic = text
        .lines()
        .find_map(|line| line.strip_prefix("topic: "))
        .expect("the record has a topic");
    assert!(
        warnings[0].contains(&format!("(室务会 2024-04-08 {topic})")),
        "{}",
        warnings[0]
    );
    let without_topic: String = text
        .lines()
        .filter(|line| !line.starts_with("topic: "))
        .map(|line| format!("{line}\n"))
        .collect();
    site.write(original, &without_topic);
    site.write(copy, &without_topic.replace("（2024年第1次）", "（重复录入）"));
    let run = site.build().success();
    assert!(run.stderr.contains("(室务会 2024-04-08)"), "{}", run.stderr);
    assert!(
        site.output_exists("sessions/2024-04-08-office-copy.html"),
        "the build went on"
    );
    // A warning, not a silent merge: both records are in the ledger.
    let dates: Vec<String> = select_texts(&site.html("sessions/index.html"), "tbody tr td:first-child")
        .into_iter()
        .filter(|d| d == "2024-04-08")
        .collect();
    assert_eq!(dates.len(), 2);
}

#[test]
fn a_sessions_folder_without_index_is_named_as_the_ledger_in_the_sites_language() {
    for (language, name) in [("zh-CN", "第一议题学习台账"), ("en", "Study session ledger")] {
        let site = TestSite::new();
        site.write(
            "book.toml",
            &format!("[book]\ntitle = \"台账测试\"\nlanguage = \"{language}\"\n"),
        );
        site.write(
            "content/sessions/2024-03-12.md",
            "---\ntitle: 学习记录\ndate: 2024-03-12\nkind: session\nmeeting: 区委常委会\n---\n\n正文。\n",
        );
        site.build().success();
        let ledger = site.html("sessions/index.html");
        assert_eq!(select_texts(&ledger, "h1"), [name], "{language}");
        let nav = select_texts(&site.html("index.html"), "nav.main-nav a");
        assert!(nav.contains(&name.to_string()), "{language}: {nav:?}");
        assert!(!nav.contains(&"sessions".to_string()), "{language}: {nav:?}");
    }
}

/// The plain-text table lines up on screen: a Chinese character takes two columns, so every
/// line, header included, ends at the same column.
#[test]
fn the_stats_table_lines_up_on_screen() {
    let site = TestSite::fixture("ledger");
    let run = site.run(&["stats"]).success();
    let width = |line: &str| -> usize {
        line.chars()
            .map(|c| {
                if ('\u{2E80}'..='\u{9FFF}').contains(&c) || ('\u{FF00}'..='\u{FFEF}').contains(&c) {
                    2
                } else {
                    1
                }
            })
            .sum()
    };
    let widths: BTreeSet<usize> = run.stdout.lines().map(width).collect();
    assert_eq!(widths.len(), 1, "{}", run.stdout);
}

/// The ledger has one name everywhere: the sessions folder's title, which the ledger page and
/// the navigation show, in the breadcrumbs and headings of the stats, year and meeting pages.
#[test]
fn the_ledger_is_named_alike_on_every_page_that_links_it() {
    let site = TestSite::demo();
    site.build().success();
    let name = "第一议题学习记录";
    assert_eq!(select_texts(&site.html("sessions/index.html"), "h1"), [name]);
    for page in [
        "sessions/stats.html",
        "sessions/years/2024.html",
        "sessions/meetings/区委常委会.html",
    ] {
        let html = site.html(page);
        let crumbs = select_texts(&html, "nav.breadcrumbs a");
        assert!(crumbs.contains(&name.to_string()), "{page}: {crumbs:?}");
        assert!(
            !html.root_element().html().contains("学习台账"),
            "{page} names the ledger otherwise"
        );
    }
}
