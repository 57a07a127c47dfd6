//! Search through the library and the `studybook search` command, on the fixture site in
//! `tests/fixtures/search` (built once per test binary; these tests only read it).
//!
//! Ground truth for recall, filters and facets is computed here from the fixture Markdown
//! itself, not from the index.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use common::{fixtures_dir, TestSite};
use studybook::content::Date;
use studybook::search::analyzer::Analyzer;
use studybook::search::{Hit, SearchRequest, SearchResults, Searcher};

// ---------------------------------------------------------------------------------------------
// The built fixture and the searcher, shared by every test of this file.

fn site() -> &'static TestSite {
    static SITE: OnceLock<TestSite> = OnceLock::new();
    SITE.get_or_init(|| {
        let site = TestSite::fixture("search");
        site.build().success();
        site
    })
}

fn searcher() -> &'static Searcher {
    static SEARCHER: OnceLock<Searcher> = OnceLock::new();
    SEARCHER.get_or_init(|| {
        Searcher::open(&site().path("public")).unwrap_or_else(|e| panic!("cannot open the index: {e}"))
    })
}

fn request(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.to_string(),
        limit: 100,
        ..SearchRequest::default()
    }
}

fn run(request: &SearchRequest) -> SearchResults {
    searcher()
        .search(request)
        .unwrap_or_else(|e| panic!("search for {:?} failed: {e}", request.query))
}

fn search(query: &str) -> SearchResults {
    run(&request(query))
}

fn paths(results: &SearchResults) -> Vec<String> {
    results.results.iter().map(|h| h.path.clone()).collect()
}

fn path_set(results: &SearchResults) -> BTreeSet<String> {
    results.results.iter().map(|h| h.path.clone()).collect()
}

fn find_hit<'a>(results: &'a SearchResults, path: &str) -> &'a Hit {
    results
        .results
        .iter()
        .find(|h| h.path == path)
        .unwrap_or_else(|| panic!("{path} is not among the results: {:?}", paths(results)))
}

// ---------------------------------------------------------------------------------------------
// The fixture as the test reads it: front matter fields and the raw Markdown.

struct FixturePage {
    /// Relative to content/, with `/`.
    path: String,
    raw: String,
    body: String,
    title: String,
    kind: String,
    date: Option<String>,
    meeting: Option<String>,
    tags: Vec<String>,
    draft: bool,
}

impl FixturePage {
    fn year(&self) -> Option<String> {
        self.date.as_ref().map(|d| d[..4].to_string())
    }
}

/// Every page file of the fixture (sections, `_index.md`, are not pages), drafts included.
fn all_fixture_pages() -> &'static [FixturePage] {
    static PAGES: OnceLock<Vec<FixturePage>> = OnceLock::new();
    PAGES.get_or_init(|| {
        let content = fixtures_dir().join("search").join("content");
        let mut pages = Vec::new();
        for entry in walkdir::WalkDir::new(&content).sort_by_file_name() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().to_string();
            if !entry.file_type().is_file() || !name.ends_with(".md") || name == "_index.md" {
                continue;
            }
            let relative = entry.path().strip_prefix(&content).unwrap();
            let path = relative
                .iter()
                .map(|p| p.to_string_lossy().to_string())
                .collect::<Vec<_>>()
                .join("/");
            let raw = std::fs::read_to_string(entry.path())
                .unwrap()
                .replace("\r\n", "\n");
            pages.push(parse_fixture_page(path, raw));
        }
        assert!(pages.len() >= 25, "the fixture has {} pages", pages.len());
        pages
    })
}

fn parse_fixture_page(path: String, raw: String) -> FixturePage {
    let rest = raw
        .strip_prefix("---\n")
        .unwrap_or_else(|| panic!("{path}: no front matter"));
    let end = rest
        .find("\n---\n")
        .unwrap_or_else(|| panic!("{path}: front matter not closed"));
    let (front, body) = (&rest[..end], rest[end + 5..].to_string());
    let mut page = FixturePage {
        path: path.clone(),
        raw: raw.clone(),
        body,
        title: String::new(),
        kind: "note".to_string(),
        date: None,
        meeting: None,
        tags: Vec::new(),
        draft: false,
    };
    for line in front.lines() {
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{path}: odd line {line}"));
        let value = value.trim().trim_matches('"').to_string();
        match key {
            "title" => page.title = value,
            "kind" => page.kind = value,
            "date" => page.date = Some(value),
            "meeting" => page.meeting = Some(value),
            "draft" => page.draft = value == "true",
            "tags" => {
                page.tags = value
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect()
            }
            _ => {}
        }
    }
    page
}

fn published() -> impl Iterator<Item = &'static FixturePage> {
    all_fixture_pages().iter().filter(|p| !p.draft)
}

fn fixture_page(path: &str) -> &'static FixturePage {
    all_fixture_pages()
        .iter()
        .find(|p| p.path == path)
        .unwrap_or_else(|| panic!("no fixture page {path}"))
}

/// Published pages whose Markdown (front matter fields included) contains `text` verbatim.
fn containing(text: &str) -> BTreeSet<String> {
    published()
        .filter(|p| p.raw.contains(text))
        .map(|p| p.path.clone())
        .collect()
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

/// Runs of CJK characters in the lines of plain Chinese prose (no ASCII at all, so no markup)
/// of the published pages' bodies.
fn prose_runs() -> Vec<Vec<char>> {
    let mut runs = Vec::new();
    for page in published() {
        for line in page.body.lines() {
            if line.trim().is_empty() || line.chars().any(|c| c.is_ascii() && !c.is_whitespace()) {
                continue;
            }
            let mut run = Vec::new();
            for c in line.chars().chain(std::iter::once(' ')) {
                if is_cjk(c) {
                    run.push(c);
                } else if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
        }
    }
    runs
}

/// A small deterministic generator (xorshift64*), so every run samples the same substrings.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

const STOP_CHARS: &[char] = &['的', '了', '和', '是', '在', '与', '及', '等', '之', '或'];

// ---------------------------------------------------------------------------------------------
// Relevance.

/// Queries and the page that must be among the first three results.
const RELEVANCE: &[(&str, &str)] = &[
    ("安全生产责任制", "notes/safety-production.md"),
    ("隐患排查治理", "notes/safety-production.md"),
    ("防汛抗旱", "notes/flood-control.md"),
    ("冲锋舟", "notes/flood-control.md"),
    ("汛期 值班", "notes/flood-control.md"),
    ("党史学习教育", "notes/party-history-education.md"),
    ("烈士纪念馆", "notes/red-resources.md"),
    ("红色资源进校园", "notes/red-resources.md"),
    ("跨站脚本", "notes/script-title.md"),
    ("内容安全策略", "notes/script-title.md"),
    ("Excel 台账", "notes/latin-terms.md"),
    ("ABC 分类法", "notes/latin-terms.md"),
    ("档案数字化", "notes/archives-digitization.md"),
    ("党风廉政建设", "notes/clean-government.md"),
    ("廉政风险排查", "notes/clean-government.md"),
    ("涉密载体", "notes/confidentiality.md"),
    ("脱密期", "notes/confidentiality.md"),
    ("信访事项", "notes/petitions.md"),
    ("领导包案", "notes/petitions.md"),
    ("和美乡村", "notes/rural-revitalization.md"),
    ("人居环境整治", "notes/rural-revitalization.md"),
    ("网格员 派单", "notes/grassroots-governance.md"),
    ("青禾网格通", "notes/grassroots-governance.md"),
    ("河长制", "notes/river-chief.md"),
    ("断面水质", "notes/river-chief.md"),
    ("发文稿纸", "notes/document-handling.md"),
    ("意识形态工作", "notes/ideology.md"),
    ("舆情", "notes/ideology.md"),
    ("新质生产力", "notes/new-productivity.md"),
    ("行政复议", "notes/rule-of-law.md"),
    ("合法性审查", "notes/rule-of-law.md"),
    ("三会一课", "notes/三会一课制度.md"),
    ("党小组会", "notes/三会一课制度.md"),
    ("批评与自我批评", "notes/organizational-life.md"),
    ("电信网络诈骗", "notes/theme-party-day.md"),
    ("志愿服务", "notes/theme-party-day.md"),
    ("两个确立", "sessions/2023/standing-2023-01.md"),
    ("四个自信", "sessions/2023/standing-2023-01.md"),
    ("安全生产大检查", "sessions/2023/government-2023-04.md"),
    ("党史教育", "sessions/2023/branch-2023-09.md"),
    ("防灾减灾", "sessions/2024/government-2024-03.md"),
    ("水库 安全鉴定", "sessions/2024/government-2024-03.md"),
    ("党纪学习教育", "sessions/2024/branch-2024-06.md"),
    ("警示教育片", "sessions/2024/branch-2024-06.md"),
    ("数字政府", "sessions/2024/standing-2024-10.md"),
    ("翠湖智联办", "sessions/2024/standing-2024-10.md"),
    ("营商环境", "sessions/2025/government-2025-02.md"),
    ("帮办代办", "sessions/2025/government-2025-02.md"),
    ("礼品礼金", "notes/holiday-reminder-2024.md"),
];

#[test]
fn relevance_set_puts_the_expected_page_in_the_top_three() {
    assert!(RELEVANCE.len() >= 30);
    let mut failures = Vec::new();
    for &(query, expected) in RELEVANCE {
        fixture_page(expected);
        let top: Vec<String> = paths(&search(query)).into_iter().take(3).collect();
        if !top.iter().any(|p| p == expected) {
            failures.push(format!(
                "{query:?}: expected {expected} in the top 3, got {top:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} relevance queries failed:\n{}",
        failures.len(),
        RELEVANCE.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Recall.

#[test]
fn every_page_containing_a_random_substring_is_found() {
    let runs: Vec<Vec<char>> = prose_runs().into_iter().filter(|r| r.len() >= 2).collect();
    assert!(
        runs.len() > 50,
        "too little prose in the fixture: {} runs",
        runs.len()
    );
    let mut rng = Rng(0x5EED_2024_CAFE_F00D);
    let mut samples = BTreeSet::new();
    while samples.len() < 240 {
        let run = &runs[rng.below(runs.len())];
        let length = 2 + rng.below(run.len().min(6) - 1);
        let start = rng.below(run.len() - length + 1);
        samples.insert(run[start..start + length].iter().collect::<String>());
    }
    let mut failures = Vec::new();
    for sample in &samples {
        let truth = containing(sample);
        assert!(
            !truth.is_empty(),
            "{sample} was drawn from the fixture but no page contains it"
        );
        let found = path_set(&search(sample));
        let missing: Vec<&String> = truth.difference(&found).collect();
        if !missing.is_empty() {
            failures.push(format!("{sample:?}: missing {missing:?} (found {found:?})"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} substrings missed pages that contain them verbatim; first ones:\n{}",
        failures.len(),
        samples.len(),
        failures.iter().take(25).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn every_page_containing_a_single_character_is_found() {
    let runs = prose_runs();
    let mut rng = Rng(0x0DDB_A11C_0FFE_E123);
    let mut samples = BTreeSet::new();
    while samples.len() < 40 {
        let run = &runs[rng.below(runs.len())];
        let c = run[rng.below(run.len())];
        if !STOP_CHARS.contains(&c) {
            samples.insert(c.to_string());
        }
    }
    let mut failures = Vec::new();
    for sample in &samples {
        let truth = containing(sample);
        let found = path_set(&search(sample));
        let missing: Vec<&String> = truth.difference(&found).collect();
        if !missing.is_empty() {
            failures.push(format!("{sample:?}: missing {missing:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "single characters missed pages:\n{}",
        failures.join("\n")
    );
}

#[test]
fn substrings_of_titles_and_session_fields_find_their_page() {
    // Verbatim pieces of titles, topics, meetings, hosts and tags, cut across word boundaries.
    let cases = [
        ("防汛抗旱工", "notes/flood-control.md"),
        ("常态化长", "notes/party-history-education.md"),
        ("数字化管理办", "notes/archives-digitization.md"),
        ("优化营商", "sessions/2025/government-2025-02.md"),
        ("防灾减灾救", "sessions/2024/government-2024-03.md"),
        ("委书", "sessions/2023/standing-2023-01.md"),
        ("政府党组", "sessions/2023/government-2023-04.md"),
        ("廉洁提", "notes/holiday-reminder-2023.md"),
    ];
    let mut failures = Vec::new();
    for (query, expected) in cases {
        assert!(
            fixture_page(expected).raw.contains(query),
            "fixture: {expected} lacks {query}"
        );
        let truth = containing(query);
        let found = path_set(&search(query));
        if !found.contains(expected) || !truth.is_subset(&found) {
            failures.push(format!("{query:?}: expected {truth:?}, found {found:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn word_level_recall_finds_pages_with_the_words_apart() {
    // 党史学习教育 holds 党史 and 教育 with a word between; the red-resources page has them far apart.
    assert!(!fixture_page("notes/party-history-education.md")
        .raw
        .contains("党史教育"));
    assert!(!fixture_page("notes/red-resources.md").raw.contains("党史教育"));
    let found = path_set(&search("党史教育"));
    for expected in [
        "notes/party-history-education.md",
        "notes/red-resources.md",
        "sessions/2023/branch-2023-09.md",
    ] {
        assert!(
            found.contains(expected),
            "党史教育 should find {expected}: {found:?}"
        );
    }
    let found = path_set(&search("生态保护"));
    assert!(
        found.contains("notes/river-chief.md"),
        "生态保护 should find 生态环境保护: {found:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Query language.

#[test]
fn quoted_phrases_match_only_verbatim() {
    for phrase in ["党史教育", "党史学习教育", "两个确立", "会议指出", "网格员"] {
        let truth = containing(phrase);
        assert!(!truth.is_empty());
        let found = path_set(&search(&format!("\"{phrase}\"")));
        assert_eq!(
            found, truth,
            "the phrase \"{phrase}\" should find exactly the pages that contain it"
        );
    }
    // Curly quotes as typed by a Chinese input method work the same.
    let found = path_set(&search("“党史学习教育”"));
    assert_eq!(found, containing("党史学习教育"));
}

#[test]
fn minus_excludes_pages_containing_the_word() {
    let cases = [
        ("防汛 -值班", "防汛", "值班"),
        ("\"会议指出\" -新质生产力", "会议指出", "新质生产力"),
        ("第一议题 -区政府党组会", "第一议题", "区政府党组会"),
        ("安全 -隐患", "安全", "隐患"),
    ];
    for (query, positive, negative) in cases {
        let found = path_set(&search(query));
        // The same from the command line, each word its own argument, options anywhere.
        let mut args = vec!["search"];
        args.extend(query.split(' '));
        args.extend(["--json", "--limit", "1000"]);
        let quoted: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let run = site()
            .run(&quoted.iter().map(String::as_str).collect::<Vec<_>>())
            .success();
        let from_cli: BTreeSet<String> = run
            .stdout
            .lines()
            .map(|line| {
                serde_json::from_str::<serde_json::Value>(line).unwrap()["path"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(from_cli, found, "`studybook {}`", args.join(" "));
        let excluded = containing(negative);
        assert!(
            !excluded.is_empty() && !containing(positive).is_disjoint(&excluded),
            "fixture for {query}"
        );
        let leaked: Vec<&String> = found.intersection(&excluded).collect();
        assert!(
            leaked.is_empty(),
            "{query:?} returned pages containing {negative}: {leaked:?}"
        );
        let kept: BTreeSet<String> = containing(positive).difference(&excluded).cloned().collect();
        assert!(
            kept.is_subset(&found),
            "{query:?} lost pages without {negative}: want {kept:?}, got {found:?}"
        );
    }
}

#[test]
fn several_parts_are_anded() {
    let found = path_set(&search("汛期 值班"));
    assert!(found.contains("notes/flood-control.md"), "{found:?}");
    for path in &found {
        let raw = &fixture_page(path).raw;
        assert!(
            raw.contains("汛") && raw.contains("值班"),
            "{path} lacks one of the parts"
        );
    }
    assert!(
        search("防汛 紫禁城故宫").results.is_empty(),
        "an absent part must empty the results"
    );
}

#[test]
fn traditional_queries_find_simplified_text() {
    let cases = [
        ("檔案數字化", "notes/archives-digitization.md", "档案数字化"),
        ("黨風廉政建設", "notes/clean-government.md", "党风廉政建设"),
        ("國家秘密", "notes/archives-digitization.md", "国家秘密"),
        ("網格員", "notes/grassroots-governance.md", "网格员"),
    ];
    for (query, expected, simplified) in cases {
        let results = search(query);
        assert_eq!(
            path_set(&results),
            path_set(&search(simplified)),
            "{query} should behave exactly like {simplified}"
        );
        let hit = find_hit(&results, expected);
        let html = format!("{}{}", hit.title_html, hit.snippet);
        assert!(
            html.contains(&format!("<mark>{simplified}</mark>")),
            "{query}: the original text is marked: {html}"
        );
    }
}

#[test]
fn full_width_and_half_width_fold() {
    // The page has ABC123 in half-width; the query is full-width.
    let results = search("ＡＢＣ１２３");
    assert_eq!(paths(&results), ["notes/latin-terms.md"]);
    assert_eq!(path_set(&results), path_set(&search("abc123")));
    assert!(
        results.results[0].snippet.contains("<mark>ABC123</mark>"),
        "{}",
        results.results[0].snippet
    );
    // The page has ＷＰＳ and ＯＡ in full-width; the queries are half-width.
    for (query, original) in [("wps", "ＷＰＳ"), ("WPS", "ＷＰＳ"), ("oa", "ＯＡ")] {
        let results = search(query);
        assert_eq!(paths(&results), ["notes/latin-terms.md"], "{query}");
        let snippet = &results.results[0].snippet;
        assert!(
            snippet.contains(&format!("<mark>{original}</mark>")),
            "{query}: {snippet}"
        );
    }
}

#[test]
fn latin_letters_are_case_insensitive() {
    let expected = path_set(&search("excel"));
    assert!(expected.contains("notes/latin-terms.md"), "{expected:?}");
    for query in ["EXCEL", "Excel", "eXcEl", "ｅｘｃｅｌ"] {
        let results = search(query);
        assert_eq!(path_set(&results), expected, "{query}");
        let hit = find_hit(&results, "notes/latin-terms.md");
        assert!(
            hit.title_html.contains("<mark>Excel</mark>"),
            "{query}: {}",
            hit.title_html
        );
    }
    assert_eq!(path_set(&search("ALERT")), path_set(&search("alert")));
}

// ---------------------------------------------------------------------------------------------
// Filters and facets.

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

/// Published pages that contain 第一议题 (every session does) and pass `keep`.
fn first_topic_pages(keep: impl Fn(&FixturePage) -> bool) -> BTreeSet<String> {
    published()
        .filter(|p| p.raw.contains("第一议题") && keep(p))
        .map(|p| p.path.clone())
        .collect()
}

#[test]
fn filters_narrow_the_results() {
    let base = request("第一议题");
    let all = path_set(&run(&base));
    assert_eq!(all, first_topic_pages(|_| true), "第一议题 without filters");

    let cases: Vec<(&str, SearchRequest, BTreeSet<String>)> = vec![
        (
            "kind=session",
            SearchRequest {
                kind: Some("session".into()),
                ..base.clone()
            },
            first_topic_pages(|p| p.kind == "session"),
        ),
        (
            "kind=note",
            SearchRequest {
                kind: Some("note".into()),
                ..base.clone()
            },
            first_topic_pages(|p| p.kind == "note"),
        ),
        (
            "meeting=区委常委会",
            SearchRequest {
                meeting: Some("区委常委会".into()),
                ..base.clone()
            },
            first_topic_pages(|p| p.meeting.as_deref() == Some("区委常委会")),
        ),
        (
            "tag=应急管理",
            SearchRequest {
                tag: Some("应急管理".into()),
                ..base.clone()
            },
            first_topic_pages(|p| p.tags.iter().any(|t| t == "应急管理")),
        ),
        (
            "year=2024",
            SearchRequest {
                year: Some(2024),
                ..base.clone()
            },
            first_topic_pages(|p| p.year().as_deref() == Some("2024")),
        ),
        (
            "from=2023-04-07 to=2024-03-21 (inclusive)",
            SearchRequest {
                from: Some(date("2023-04-07")),
                to: Some(date("2024-03-21")),
                ..base.clone()
            },
            first_topic_pages(|p| {
                p.date
                    .as_deref()
                    .is_some_and(|d| ("2023-04-07".."2024-03-22").contains(&d))
            }),
        ),
        (
            "from=2024-06-18",
            SearchRequest {
                from: Some(date("2024-06-18")),
                ..base.clone()
            },
            first_topic_pages(|p| p.date.as_deref().is_some_and(|d| d >= "2024-06-18")),
        ),
        (
            "to=2023-01-12",
            SearchRequest {
                to: Some(date("2023-01-12")),
                ..base.clone()
            },
            first_topic_pages(|p| p.date.as_deref().is_some_and(|d| d <= "2023-01-12")),
        ),
        (
            "meeting=区政府党组会 year=2024",
            SearchRequest {
                meeting: Some("区政府党组会".into()),
                year: Some(2024),
                ..base.clone()
            },
            first_topic_pages(|p| {
                p.meeting.as_deref() == Some("区政府党组会") && p.year().as_deref() == Some("2024")
            }),
        ),
        (
            "meeting=no such meeting",
            SearchRequest {
                meeting: Some("不存在的会议".into()),
                ..base.clone()
            },
            BTreeSet::new(),
        ),
    ];
    for (name, request, expected) in cases {
        let results = run(&request);
        assert_eq!(path_set(&results), expected, "filter {name}");
        assert_eq!(results.total, expected.len(), "total with filter {name}");
    }
    // Some of these sets must be real subsets, or the test proves nothing.
    assert_eq!(
        first_topic_pages(|p| p.meeting.as_deref() == Some("区委常委会")).len(),
        3
    );
    assert_eq!(
        first_topic_pages(|p| p.year().as_deref() == Some("2024")).len(),
        4
    );
}

#[test]
fn filters_on_a_word_query_keep_only_matching_pages() {
    // 应急管理 is a tag of two pages; a third page mentions 应急管理局 in its text.
    let base = request("应急管理");
    let tagged = run(&SearchRequest {
        tag: Some("应急管理".into()),
        ..base.clone()
    });
    assert_eq!(
        path_set(&tagged),
        BTreeSet::from([
            "notes/flood-control.md".to_string(),
            "sessions/2024/government-2024-03.md".to_string()
        ])
    );
    let notes = run(&SearchRequest {
        kind: Some("note".into()),
        ..base.clone()
    });
    assert!(
        notes.results.iter().all(|h| h.kind == "note"),
        "{:?}",
        paths(&notes)
    );
    assert!(path_set(&notes).contains("notes/flood-control.md"));
    let sessions_2023 = run(&SearchRequest {
        kind: Some("session".into()),
        year: Some(2023),
        ..base
    });
    assert_eq!(paths(&sessions_2023), ["sessions/2023/government-2023-04.md"]);
}

fn counts(list: &[studybook::search::query::FacetCount]) -> BTreeMap<String, usize> {
    list.iter().map(|f| (f.value.clone(), f.count)).collect()
}

#[test]
fn facets_count_every_match_not_only_the_page_shown() {
    let results = run(&SearchRequest {
        limit: 2,
        ..request("第一议题")
    });
    let truth: Vec<&FixturePage> = published().filter(|p| p.raw.contains("第一议题")).collect();
    assert_eq!(results.results.len(), 2);
    assert_eq!(results.total, truth.len());

    let mut kind = BTreeMap::new();
    let mut year = BTreeMap::new();
    let mut meeting = BTreeMap::new();
    let mut tag = BTreeMap::new();
    for page in &truth {
        *kind.entry(page.kind.clone()).or_insert(0) += 1;
        if let Some(y) = page.year() {
            *year.entry(y).or_insert(0) += 1;
        }
        if let Some(m) = &page.meeting {
            *meeting.entry(m.clone()).or_insert(0) += 1;
        }
        for t in &page.tags {
            *tag.entry(t.clone()).or_insert(0) += 1;
        }
    }
    assert_eq!(counts(&results.facets.kind), kind, "kind facet");
    assert_eq!(counts(&results.facets.year), year, "year facet");
    assert_eq!(counts(&results.facets.meeting), meeting, "meeting facet");
    assert_eq!(counts(&results.facets.tag), tag, "tag facet");
    assert_eq!(meeting.len(), 3, "the fixture has three meetings");
    assert_eq!(year.len(), 3, "the fixture spans three years");

    // A filtered search counts facets over the filtered matches.
    let filtered = run(&SearchRequest {
        year: Some(2023),
        ..request("第一议题")
    });
    assert_eq!(
        counts(&filtered.facets.year),
        BTreeMap::from([("2023".to_string(), filtered.total)])
    );
}

#[test]
fn offset_and_limit_page_through_the_same_ranking() {
    let all = paths(&search("第一议题"));
    assert!(all.len() >= 6);
    let page = run(&SearchRequest {
        limit: 3,
        offset: 2,
        ..request("第一议题")
    });
    assert_eq!(paths(&page), all[2..5].to_vec());
    assert_eq!(page.total, all.len());
    let beyond = run(&SearchRequest {
        limit: 3,
        offset: 1000,
        ..request("第一议题")
    });
    assert!(beyond.results.is_empty());
    assert_eq!(beyond.total, all.len());
    // Only the page shown is put in order: every page of every size is the same slice of
    // the whole ranking, for a query with many matches (and ties in score).
    for query in ["学习", "会", "党"] {
        let all = paths(&run(&SearchRequest {
            limit: 10_000,
            ..request(query)
        }));
        assert!(all.len() > 10, "`{query}`: {}", all.len());
        for limit in [1, 2, 7] {
            for offset in 0..all.len() + 1 {
                let page = run(&SearchRequest {
                    limit,
                    offset,
                    ..request(query)
                });
                let end = (offset + limit).min(all.len());
                assert_eq!(paths(&page), all[offset..end], "`{query}` from {offset}, {limit}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ranking.

#[test]
fn verbatim_matches_rank_above_word_only_matches() {
    for query in ["党史教育", "生产责任", "学习体会", "管理制度", "检查材料"] {
        let ranked = paths(&search(query));
        let verbatim = containing(query);
        let first_word_only = ranked.iter().position(|p| !verbatim.contains(p));
        let last_verbatim = ranked.iter().rposition(|p| verbatim.contains(p));
        if let (Some(first_word_only), Some(last_verbatim)) = (first_word_only, last_verbatim) {
            assert!(
                last_verbatim < first_word_only,
                "{query}: a page with only the words ranks above one with {query} verbatim: {ranked:?} (verbatim: {verbatim:?})"
            );
        }
    }
    // The designed case: the verbatim page mentions 党史教育 once in its text, the word-only page
    // has 党史学习教育 in its title and four times in its text.
    let ranked = paths(&search("党史教育"));
    let verbatim = ranked.iter().position(|p| p == "sessions/2023/branch-2023-09.md");
    let word_only = ranked
        .iter()
        .position(|p| p == "notes/party-history-education.md");
    assert!(
        matches!((verbatim, word_only), (Some(v), Some(w)) if v < w),
        "党史教育 verbatim should rank first: {ranked:?}"
    );
}

#[test]
fn ties_go_to_the_newer_page() {
    // Two notes with the same text, dated a year apart.
    let results = search("礼品礼金");
    let ranked = paths(&results);
    assert_eq!(
        ranked,
        ["notes/holiday-reminder-2024.md", "notes/holiday-reminder-2023.md"]
    );
    assert_eq!(
        results.results[0].score, results.results[1].score,
        "the fixture is meant to tie"
    );
}

// ---------------------------------------------------------------------------------------------
// The dictionary.

fn site_analyzer() -> Analyzer {
    let root = fixtures_dir().join("search");
    Analyzer::for_site(&root, Some(&root.join("words.txt"))).unwrap_or_else(|e| panic!("words.txt: {e:?}"))
}

fn texts(grams: Vec<studybook::search::analyzer::Gram>) -> Vec<String> {
    grams.into_iter().map(|g| g.text).collect()
}

#[test]
fn dictionary_terms_and_site_words_are_single_tokens() {
    let analyzer = site_analyzer();
    for word in [
        "第一议题",
        "党史学习教育",
        "三会一课",
        "两个确立",
        "翠湖智联办",
        "青禾网格通",
    ] {
        assert_eq!(texts(analyzer.query_words(word)), [word], "{word} alone");
    }
    let words = texts(analyzer.query_words("会议要求翠湖智联办加快推进第一议题学习"));
    assert!(words.contains(&"翠湖智联办".to_string()), "{words:?}");
    assert!(words.contains(&"第一议题".to_string()), "{words:?}");
    let words = texts(analyzer.query_words("网格员通过青禾网格通上报"));
    assert!(words.contains(&"青禾网格通".to_string()), "{words:?}");
    // Indexing keeps the whole word too.
    assert!(texts(analyzer.index_words("翠湖智联办要加快")).contains(&"翠湖智联办".to_string()));
    // The site's words are whole only thanks to words.txt: without it jieba cuts them.
    for word in ["翠湖智联办", "青禾网格通"] {
        let builtin = texts(Analyzer::builtin().query_words(word));
        assert!(
            !builtin.contains(&word.to_string()),
            "jieba alone keeps {word} whole, so the fixture proves nothing: {builtin:?}"
        );
    }
}

#[test]
fn query_words_drop_stop_words_and_positions_are_characters() {
    let words = site_analyzer().query_words("学习的第一议题");
    let shown: Vec<(String, usize)> = words.into_iter().map(|g| (g.text, g.position)).collect();
    assert_eq!(shown, [("学习".to_string(), 0), ("第一议题".to_string(), 3)]);
}

#[test]
fn the_index_uses_the_site_dictionary() {
    // The searcher reads words.txt from beside the index, so a site word is one query word and
    // its page is the top result.
    let ranked = paths(&search("翠湖智联办"));
    assert_eq!(
        ranked.first().map(String::as_str),
        Some("sessions/2024/standing-2024-10.md"),
        "{ranked:?}"
    );
    assert!(site().output_exists("search/index/dictionary.txt"));
}

// ---------------------------------------------------------------------------------------------
// Snippets and escaping.

/// The marked pieces of some result HTML, entities decoded.
fn marked(html: &str) -> Vec<String> {
    html.split("<mark>")
        .skip(1)
        .map(|piece| decode(piece.split("</mark>").next().unwrap()))
        .collect()
}

fn decode(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// True when the only markup in `html` is `<mark>` and `</mark>`.
fn only_marks(html: &str) -> bool {
    let rest = html.replace("<mark>", "").replace("</mark>", "");
    !rest.contains('<') && !rest.contains('>')
}

#[test]
fn snippets_mark_every_match_exactly() {
    let cases: &[(&str, &[&str])] = &[
        ("防汛", &["防汛"]),
        ("网格员", &["网格员", "网格"]),
        ("党史教育", &["党史教育", "党史", "教育"]),
        ("两个确立", &["两个确立", "两个", "确立"]),
        // Adjacent matches may share one mark.
        ("会议 要求", &["会议", "要求", "会议要求"]),
    ];
    for &(query, allowed) in cases {
        let results = search(query);
        assert!(!results.results.is_empty(), "{query} found nothing");
        for hit in &results.results {
            let html = format!("{}{}", hit.title_html, hit.snippet);
            let marks = marked(&html);
            assert!(!marks.is_empty(), "{query}: no <mark> for {}: {html}", hit.path);
            for mark in &marks {
                assert!(
                    allowed.contains(&mark.as_str()),
                    "{query}: marked {mark:?} in {}: {html}",
                    hit.path
                );
            }
            assert!(
                only_marks(&hit.snippet),
                "{query}: markup in the snippet of {}: {}",
                hit.path,
                hit.snippet
            );
            assert!(
                only_marks(&hit.title_html),
                "{query}: markup in the title of {}",
                hit.path
            );
        }
    }
    // Every occurrence inside the snippet window is marked.
    let results = search("网格");
    let hit = find_hit(&results, "notes/grassroots-governance.md");
    let plain = decode(&hit.snippet.replace("<mark>", "").replace("</mark>", ""));
    assert_eq!(
        marked(&hit.snippet).len(),
        plain.matches("网格").count(),
        "{}",
        hit.snippet
    );
}

#[test]
fn snippets_are_about_eighty_characters_from_the_text() {
    let flat = |text: &str| -> String {
        text.chars()
            .filter(|c| !c.is_whitespace() && !"#`*…".contains(*c))
            .collect()
    };
    for query in ["安全", "会议", "网格"] {
        let results = search(query);
        assert!(!results.results.is_empty(), "{query}");
        for hit in &results.results {
            let plain = decode(&hit.snippet.replace("<mark>", "").replace("</mark>", ""));
            let length = plain.trim_matches('…').chars().count();
            assert!(
                length <= 80,
                "{query}: {length} characters in the snippet of {}: {plain}",
                hit.path
            );
            let start: String = flat(&plain).chars().take(8).collect();
            assert!(
                flat(&fixture_page(&hit.path).body).contains(&start),
                "{query}: the snippet of {} does not come from its text: {plain}",
                hit.path
            );
        }
    }
}

#[test]
fn a_title_only_match_shows_the_start_of_the_text() {
    // 节前提醒 is only in the titles of the two reminder pages.
    let results = search("节前提醒");
    let hit = find_hit(&results, "notes/holiday-reminder-2024.md");
    assert!(
        hit.title_html.contains("<mark>节前提醒</mark>"),
        "{}",
        hit.title_html
    );
    assert!(hit.snippet.starts_with("元旦春节将至"), "{}", hit.snippet);
}

#[test]
fn page_text_and_titles_are_escaped() {
    let results = search("alert");
    let hit = find_hit(&results, "notes/script-title.md");
    assert_eq!(hit.title, "<script>alert(1)</script>");
    assert_eq!(
        hit.title_html,
        "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;"
    );
    assert!(only_marks(&hit.snippet), "{}", hit.snippet);

    // The page's text holds `<img src=x onerror=alert(1)>` in a code span.
    let results = search("onerror");
    let hit = find_hit(&results, "notes/script-title.md");
    assert!(
        hit.snippet
            .contains("&lt;img src=x <mark>onerror</mark>=alert(1)&gt;"),
        "{}",
        hit.snippet
    );
    assert!(only_marks(&hit.snippet), "{}", hit.snippet);

    let results = search("script");
    let hit = find_hit(&results, "notes/script-title.md");
    assert_eq!(
        hit.title_html,
        "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
    );
}

#[test]
fn the_script_title_is_text_on_its_page() {
    let html = site().html("notes/script-title.html");
    assert_eq!(
        common::select_texts(&html, "h1#page-title"),
        ["<script>alert(1)</script>"]
    );
    let scripts = common::select_texts(&html, "script");
    assert!(
        scripts.iter().all(|s| !s.contains("alert(1)")),
        "a script element holds the title: {scripts:?}"
    );
    let raw = site().output("notes/script-title.html");
    assert!(
        !raw.contains("<script>alert(1)"),
        "the title is written unescaped"
    );
    assert!(!raw.contains("<img src=x"), "the code span is written unescaped");
}

// ---------------------------------------------------------------------------------------------
// Bad input.

#[test]
fn bad_queries_return_ok_without_panicking() {
    let long_cjk = "防".repeat(10_000);
    let long_mixed: String = (0..10_000)
        .map(|i| ['防', 'a', ' ', '"', '-', '。', '汛', 'Ｚ'][i % 8])
        .collect();
    let long_latin = "a".repeat(10_000);
    let queries: Vec<(&str, String, bool)> = vec![
        // (what, query, must find nothing)
        ("empty", String::new(), true),
        ("spaces", "   \t ".into(), true),
        ("punctuation", "，。！？……、；：“”（）".into(), true),
        ("ascii punctuation", "!@#$%^&*()_+=[]{}|;:',.<>/?`~".into(), true),
        ("stop word 的", "的".into(), true),
        ("stop words", "的 了 和 是".into(), true),
        ("English stop words", "the of and".into(), true),
        ("lone minus", "-".into(), true),
        ("minuses", "- -- ---".into(), true),
        ("only an exclusion", "-防汛".into(), true),
        ("lone quote", "\"".into(), true),
        ("empty phrase", "\"\"".into(), true),
        ("full-width quote and space", "＂　＂".into(), true),
        ("unbalanced quote", "\"网格员".into(), false),
        (
            "control characters",
            "\u{0}防汛\u{7}\u{8}\r\n\u{1b}".into(),
            false,
        ),
        ("10,000 CJK characters", long_cjk, false),
        ("10,000 mixed characters", long_mixed, false),
        ("10,000 Latin letters", long_latin, false),
        ("SQL injection", "'; DROP TABLE pages; --".into(), false),
        ("SQL tautology", "1' OR '1'='1".into(), false),
        ("HTML injection", "<img src=x onerror=alert(1)>".into(), false),
        ("script tag", "<script>alert(1)</script>".into(), false),
        ("tantivy syntax", "title:防汛 AND body:* OR ~2^3".into(), false),
        ("regex", ".* (a|b)+ [^x]".into(), false),
        ("emoji", "😀📚 学习".into(), false),
        (
            "combining marks and odd letters",
            "e\u{301} İ ß \u{200b}\u{feff}".into(),
            false,
        ),
        (
            "private use and non-characters",
            "\u{e000}\u{fffe}\u{10ffff}".into(),
            false,
        ),
        ("lone surrogate stand-in", "\u{fffd}\u{fffd}".into(), false),
    ];
    for (what, query, must_be_empty) in queries {
        let results = searcher()
            .search(&request(&query))
            .unwrap_or_else(|e| panic!("{what}: the search failed: {e}"));
        if must_be_empty {
            assert_eq!(results.total, 0, "{what}: {query:?} found {:?}", paths(&results));
            assert!(results.results.is_empty(), "{what}");
        }
        assert!(results.results.len() <= results.total, "{what}");
        for hit in &results.results {
            assert!(only_marks(&hit.snippet), "{what}: {}", hit.snippet);
            assert!(only_marks(&hit.title_html), "{what}: {}", hit.title_html);
        }
    }
}

#[test]
fn bad_queries_that_still_mean_something_find_it() {
    let found = path_set(&search("\"网格员"));
    assert_eq!(
        found,
        containing("网格员"),
        "an unbalanced quote closes at the end"
    );
    let found = path_set(&search("\u{0}防汛\u{7}\r\n"));
    assert!(
        found.contains("notes/flood-control.md"),
        "control characters are spaces: {found:?}"
    );
    let found = path_set(&search("- 防汛"));
    assert_eq!(found, path_set(&search("防汛")), "a lone minus is ignored");
    let found = path_set(&search("的 防汛"));
    assert_eq!(found, path_set(&search("防汛")), "a stop word part is ignored");
    // The HTML injection query finds the page that shows that code, escaped.
    let results = search("<img src=x onerror=alert(1)>");
    let hit = find_hit(&results, "notes/script-title.md");
    assert!(!hit.snippet.contains("<img"), "{}", hit.snippet);
    assert!(hit.snippet.contains("&lt;img"), "{}", hit.snippet);
}

#[test]
fn bad_filters_return_ok() {
    for request in [
        SearchRequest {
            kind: Some("bogus".into()),
            ..request("防汛")
        },
        SearchRequest {
            meeting: Some("<script>".into()),
            ..request("防汛")
        },
        SearchRequest {
            year: Some(9999),
            ..request("防汛")
        },
        SearchRequest {
            from: Some(date("2030-01-01")),
            to: Some(date("2020-01-01")),
            ..request("防汛")
        },
        SearchRequest {
            limit: 0,
            ..request("防汛")
        },
        SearchRequest {
            offset: usize::MAX,
            ..request("防汛")
        },
    ] {
        let results = searcher()
            .search(&request)
            .unwrap_or_else(|e| panic!("{request:?}: {e}"));
        assert!(
            results.results.is_empty(),
            "{request:?} returned {:?}",
            paths(&results)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Drafts.

#[test]
fn drafts_are_not_searchable() {
    let draft = fixture_page("notes/draft-plan.md");
    assert!(draft.draft && draft.raw.contains("紫藤萝"));
    assert_eq!(
        containing("紫藤萝"),
        BTreeSet::new(),
        "the word must be unique to the draft"
    );
    assert_eq!(search("紫藤萝").total, 0);
    assert_eq!(search("紫藤萝计划草稿").total, 0);
    assert_eq!(search("尚未公开的工作设想").total, 0);
    let cli = site().run(&["search", "--json", "紫藤萝"]).success();
    assert_eq!(cli.stdout.trim(), "");
    // Nothing at all leads to the draft.
    let all = search("计划");
    assert!(
        all.results.iter().all(|h| h.path != "notes/draft-plan.md"),
        "{:?}",
        paths(&all)
    );
    // Every published page, and each section's own page below the home page (the fixture's
    // notes, sessions, sessions/2023, 2024 and 2025 have an `_index.md`).
    assert_eq!(
        searcher().num_docs(),
        published().count() as u64 + 5,
        "the index holds every published page and section"
    );
}

// ---------------------------------------------------------------------------------------------
// The command line.

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn cli_json_prints_one_object_per_result() {
    let run = site()
        .run(&["search", "--json", "--limit", "5", "防汛"])
        .success();
    let lines = json_lines(&run.stdout);
    assert!(!lines.is_empty() && lines.len() <= 5, "{}", run.stdout);
    let library = paths(&run_limit("防汛", 5));
    let cli_paths: Vec<String> = lines
        .iter()
        .map(|l| l["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(cli_paths, library, "the command and the library rank alike");
    for line in &lines {
        let object = line.as_object().unwrap();
        for key in ["path", "url", "title", "title_html", "kind", "snippet"] {
            assert!(object.get(key).is_some_and(|v| v.is_string()), "{key} in {line}");
        }
        assert!(
            object.get("score").is_some_and(|v| v.is_number()),
            "score in {line}"
        );
        assert!(
            object.get("date").is_some_and(|v| v.is_string() || v.is_null()),
            "date in {line}"
        );
        assert!(
            object
                .get("meeting")
                .is_some_and(|v| v.is_string() || v.is_null()),
            "meeting in {line}"
        );
        assert!(object.get("tags").is_some_and(|v| v.is_array()), "tags in {line}");
        assert!(
            object.get("studied").is_some_and(|v| v.is_u64()),
            "studied in {line}"
        );
        let path = line["path"].as_str().unwrap();
        assert!(!path.contains('\\') && !path.starts_with('/'), "{path}");
        let page = fixture_page(path);
        assert_eq!(line["title"], page.title.as_str());
        assert_eq!(line["kind"], page.kind.as_str());
        assert_eq!(line["date"].as_str(), page.date.as_deref());
        assert_eq!(line["url"], path.replace(".md", ".html").as_str());
        assert!(line["snippet"].as_str().unwrap().contains("<mark>"), "{line}");
    }
    let flood = lines
        .iter()
        .find(|l| l["path"] == "notes/flood-control.md")
        .expect("the flood page");
    assert_eq!(flood["tags"], serde_json::json!(["防汛", "应急管理"]));
    assert_eq!(flood["meeting"], serde_json::Value::Null);
    let session = lines.iter().find(|l| l["kind"] == "session").expect("a session");
    assert_eq!(session["meeting"], "区政府党组会");
}

fn run_limit(query: &str, limit: usize) -> SearchResults {
    run(&SearchRequest {
        limit,
        ..request(query)
    })
}

#[test]
fn cli_json_paths_use_forward_slashes_and_keep_chinese_names() {
    let run = site().run(&["search", "--json", "三会一课制度要点"]).success();
    let lines = json_lines(&run.stdout);
    assert_eq!(
        lines.first().map(|l| l["path"].clone()),
        Some(serde_json::json!("notes/三会一课制度.md"))
    );
    assert_eq!(lines[0]["url"], "notes/三会一课制度.html");
}

#[test]
fn cli_filters_and_limit() {
    let run = site()
        .run(&[
            "search",
            "--json",
            "--kind",
            "session",
            "--meeting",
            "区委常委会",
            "第一议题",
        ])
        .success();
    let lines = json_lines(&run.stdout);
    let got: BTreeSet<String> = lines
        .iter()
        .map(|l| l["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        got,
        first_topic_pages(|p| p.meeting.as_deref() == Some("区委常委会"))
    );

    let run = site()
        .run(&["search", "--json", "--tag", "应急管理", "--year", "2024", "应急"])
        .success();
    let got: Vec<String> = json_lines(&run.stdout)
        .iter()
        .map(|l| l["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, ["sessions/2024/government-2024-03.md"]);

    let run = site()
        .run(&[
            "search",
            "--json",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
            "第一议题",
        ])
        .success();
    for line in json_lines(&run.stdout) {
        assert!(line["date"].as_str().unwrap().starts_with("2024"), "{line}");
    }

    let run = site()
        .run(&["search", "--json", "--limit", "2", "第一议题"])
        .success();
    assert_eq!(json_lines(&run.stdout).len(), 2);

    let bad = site().run(&["search", "--from", "2024-13-01", "第一议题"]);
    assert_ne!(bad.code, 0, "an impossible date is refused");
    let bad = site().run(&["search", "--kind", "bogus", "第一议题"]);
    assert_ne!(bad.code, 0, "an unknown kind is refused");
    // As the API: days the wrong way round are refused, an empty tag or meeting is none.
    let bad = site().run(&["search", "--from", "2024-05-01", "--to", "2024-01-01", "第一议题"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert_eq!(
        bad.stderr,
        "error: `--from 2024-05-01` is after `--to 2024-01-01`\n   help: swap the two days\n"
    );
    let paths = |args: &[&str]| {
        let mut all = vec!["search", "--json"];
        all.extend_from_slice(args);
        json_lines(&site().run(&all).success().stdout)
            .iter()
            .map(|l| l["path"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let unfiltered = paths(&["第一议题"]);
    assert!(!unfiltered.is_empty());
    assert_eq!(paths(&["--tag", "", "第一议题"]), unfiltered);
    assert_eq!(paths(&["--meeting", " ", "第一议题"]), unfiltered);
}

#[test]
fn cli_human_output_lists_titles_urls_and_snippets() {
    let run = site().run(&["search", "防汛抗旱"]).success();
    assert!(run.stdout.contains("汛期防汛抗旱工作部署"), "{}", run.stdout);
    assert!(run.stdout.contains("notes/flood-control.html"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("<mark>"),
        "marks are for HTML, not a pipe: {}",
        run.stdout
    );
    // English counts one result in the singular (it said "1 results").
    assert!(run.stderr.starts_with("1 result (1 shown) in "), "{}", run.stderr);
    let run = site().run(&["search", "--limit", "1", "学习"]).success();
    assert!(run.stderr.contains(" results (1 shown) in "), "{}", run.stderr);
    // Several words on the command line are one query.
    let run = site().run(&["search", "--json", "汛期", "值班"]).success();
    let lines = json_lines(&run.stdout);
    assert!(
        lines.iter().any(|l| l["path"] == "notes/flood-control.md"),
        "{}",
        run.stdout
    );
}

#[test]
fn cli_survives_bad_queries() {
    let long = "防".repeat(10_000);
    for query in [
        "",
        "的",
        "-",
        "\"",
        "<img src=x onerror=alert(1)>",
        "'; DROP TABLE pages; --",
        long.as_str(),
    ] {
        let run = site().run(&["search", "--json", "--", query]);
        assert_eq!(run.code, 0, "{query:.40}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        for line in json_lines(&run.stdout) {
            assert!(!line["snippet"].as_str().unwrap().contains("<img"), "{line}");
            assert!(
                !line["title_html"].as_str().unwrap().contains("<script"),
                "{line}"
            );
        }
    }
}

#[test]
fn an_unbuilt_site_says_to_run_build() {
    let site = TestSite::fixture("search");
    let run = site.run(&["search", "防汛"]);
    assert_eq!(run.code, 1, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert!(run.stderr.contains("studybook build"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "");

    let error = match Searcher::open(&site.path("public")) {
        Ok(_) => panic!("opened an index that does not exist"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("studybook build"), "{error}");
    assert!(
        error.contains(&Path::new("search").join("index").display().to_string()),
        "names the folder: {error}"
    );
}

#[test]
fn a_damaged_index_says_to_rebuild() {
    let site = TestSite::fixture("search");
    site.build().success();
    site.write("public/search/index/meta.json", "{ not json");
    let error = match Searcher::open(&site.path("public")) {
        Ok(_) => panic!("opened a damaged index"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("studybook build"), "{error}");
    let run = site.run(&["search", "防汛"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("studybook build"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn a_missing_or_damaged_verbatim_file_says_to_rebuild() {
    let site = TestSite::fixture("search");
    site.build().success();
    let file = "public/search/index/verbatim.bin";
    let whole = std::fs::read(site.path(file)).unwrap();
    for (what, bytes) in [
        ("cut short", &whole[..whole.len() / 2]),
        ("not one", &b"SBVERB01"[..4]),
    ] {
        std::fs::write(site.path(file), bytes).unwrap();
        let error = match Searcher::open(&site.path("public")) {
            Ok(_) => panic!("opened a verbatim file {what}"),
            Err(error) => error.to_string(),
        };
        assert!(error.contains("verbatim.bin` is damaged"), "{what}: {error}");
        assert!(error.contains("help: run `studybook build`"), "{what}: {error}");
    }
    std::fs::remove_file(site.path(file)).unwrap();
    let run = site.run(&["search", "防汛"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("verbatim.bin"), "{}", run.stderr);
    assert!(run.stderr.contains("studybook build"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    // Rebuilt, it finds again.
    site.build().success();
    let run = site.run(&["search", "防汛"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn ties_go_to_the_newer_page_then_in_source_path_order_in_every_build() {
    // Pages alike but for their path: every query ties on score, and pairs tie on date too.
    let site = TestSite::new();
    let names = ["d", "b", "e", "a", "c", "f"];
    for (i, name) in names.iter().enumerate() {
        let date = if i % 2 == 0 { "2024-03-01" } else { "2024-05-01" };
        site.write(
            &format!("content/{name}.md"),
            &format!("---\ntitle: 同题学习\ndate: {date}\n---\n\n同样的正文内容。\n"),
        );
    }
    let expected = ["a.md", "b.md", "f.md", "c.md", "d.md", "e.md"];
    for _ in 0..3 {
        site.build().success();
        let results = Searcher::open(&site.path("public"))
            .unwrap()
            .search(&request("正文"))
            .unwrap();
        let order: Vec<String> = results.results.iter().map(|h| h.path.clone()).collect();
        assert_eq!(order, expected, "newer first (a, b, f on 05-01), then by path");
    }
}

#[test]
fn a_character_that_starts_thousands_of_grams_still_finds_every_page() {
    // One page where 党 starts 5,000 different grams, and a page where it starts only the last
    // of them all (龥, U+9FA5, after every successor of the first page).
    let site = TestSite::new();
    let many: Vec<String> = (0..5000u32)
        .map(|i| format!("党{}", char::from_u32(0x4E00 + i).unwrap()))
        .collect();
    site.write(
        "content/many.md",
        &format!("---\ntitle: 后继很多\n---\n\n{}\n", many.join("，")),
    );
    site.write(
        "content/target.md",
        "---\ntitle: 目标页\n---\n\n这里写着党龥两个字，另有 a党龥 一处。\n",
    );
    site.build().success();
    let searcher = Searcher::open(&site.path("public")).unwrap();
    let found = |query: &str| -> BTreeSet<String> {
        let results = searcher
            .search(&request(query))
            .unwrap_or_else(|e| panic!("`{query}` fails: {e}"));
        results.results.iter().map(|h| h.path.clone()).collect()
    };
    assert_eq!(
        found("党"),
        BTreeSet::from(["many.md".to_string(), "target.md".to_string()])
    );
    // A lone character after Latin letters stands for every gram it starts, in one phrase.
    assert_eq!(found("a党"), BTreeSet::from(["target.md".to_string()]));
}

#[test]
fn a_quoted_phrase_ranks_its_pages_by_their_words() {
    // Both pages contain 安全生产 verbatim; the one with it in its title ranks first, as it
    // does unquoted.
    let quoted = search("\"安全生产\"");
    assert_eq!(
        paths(&quoted),
        [
            "notes/safety-production.md",
            "sessions/2023/government-2023-04.md"
        ]
    );
    assert!(
        quoted.results[0].score > quoted.results[1].score,
        "scores differ by relevance: {:?}",
        quoted.results.iter().map(|h| h.score).collect::<Vec<_>>()
    );
    let unquoted = search("安全生产");
    assert_eq!(paths(&unquoted)[0], "notes/safety-production.md");
}

/// The verbatim file's matches become documents through each segment's table of places, read
/// when a searcher opens; a segment without one is scanned instead. Both give the documents
/// at exactly the places asked for, each with the score asked for.
#[test]
fn verbatim_file_matches_are_the_documents_at_their_places_with_or_without_the_table() {
    use studybook::search::file_match::{FileDocuments, FileMatchQuery};
    use tantivy::collector::TopDocs;
    let index = tantivy::Index::open_in_dir(site().path("public/search/index")).unwrap();
    let searcher = index.reader().unwrap().searcher();
    let table = std::sync::Arc::new(FileDocuments::read(searcher.segment_readers()).unwrap());
    let total = searcher.num_docs();
    assert!(total > 10);
    let place = |address: tantivy::DocAddress| {
        let segment = searcher.segment_reader(address.segment_ord);
        segment
            .fast_fields()
            .u64("order")
            .unwrap()
            .first(address.doc_id)
            .unwrap()
    };
    for orders in [
        vec![],
        vec![0],
        vec![1, 3, 5],
        (0..total).collect(),
        vec![total - 1, total, total + 9],
    ] {
        // A score of its own for each place, to see it come back with its document.
        let matches: Vec<(u64, f32)> = orders
            .iter()
            .map(|&order| (order, 1000.0 + order as f32))
            .collect();
        let query = |documents: std::sync::Arc<FileDocuments>| FileMatchQuery {
            matches: std::sync::Arc::new(matches.clone()),
            documents,
        };
        let scored = |documents| -> BTreeMap<u64, f32> {
            searcher
                .search(
                    &query(documents),
                    &TopDocs::with_limit(total as usize + 10).order_by_score(),
                )
                .unwrap()
                .into_iter()
                .map(|(score, address)| (place(address), score))
                .collect()
        };
        let with = scored(table.clone());
        assert_eq!(with, scored(Default::default()), "{orders:?}");
        let expected: BTreeMap<u64, f32> = matches
            .iter()
            .copied()
            .filter(|&(order, _)| order < total)
            .collect();
        assert_eq!(with, expected);
    }
}
