//! `serve`'s incremental rebuilds, through the library on a copy of the demo site: after every
//! kind of edit, the output must equal, file for file, what a full `studybook build` of the
//! same sources writes, and the live index must answer as a freshly built one. A failed edit
//! changes nothing; the next good one catches up.

mod common;
use common::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use studybook::incremental::{Change, NotServing, Scope, Workspace};
use studybook::search::{SearchRequest, Searcher};
use studybook::{BuildError, BuildOptions};

/// The output's files, without the search folder (index segments and pack ids depend on how
/// the index was written; its answers are compared instead).
fn pages_of(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot(dir)
        .into_iter()
        .filter(|(path, _)| !path.starts_with("search"))
        .collect()
}

/// A workspace over a copy of the demo site, with its first (full) build done.
fn start() -> (TestSite, Workspace) {
    let site = TestSite::demo();
    let mut workspace = Workspace::new(BuildOptions::new(site.root()));
    let first = workspace
        .rebuild(&Change::everything(), &NotServing)
        .unwrap_or_else(|e| panic!("the demo builds: {e}"));
    assert_eq!(first.scope, Scope::Full);
    (site, workspace)
}

fn edit(site: &TestSite, relative: &str, change: impl FnOnce(&str) -> String) -> PathBuf {
    let path = site.path(relative);
    let before = std::fs::read_to_string(&path).unwrap();
    let after = change(&before);
    assert_ne!(before, after, "the edit of {relative} changes the file");
    std::fs::write(&path, after).unwrap();
    path
}

fn content_change(paths: &[PathBuf]) -> Change {
    Change {
        content: paths.iter().cloned().collect(),
        ..Change::default()
    }
}

/// The same sources built from scratch into a folder of their own (`public` inside it).
fn full_build(site: &TestSite) -> tempfile::TempDir {
    let fresh = tempfile::tempdir().unwrap();
    let mut options = BuildOptions::new(site.root());
    options.output_dir = Some(fresh.path().join("public"));
    studybook::build(&options).unwrap_or_else(|e| panic!("the full build succeeds: {e}"));
    fresh
}

/// Builds the same sources from scratch into another folder and compares every file, then the
/// answers of both indexes to `queries`.
fn assert_same_as_full_build(site: &TestSite, queries: &[&str]) {
    let fresh = full_build(site);
    let incremental = pages_of(&site.path("public"));
    let full = pages_of(&fresh.path().join("public"));
    let names = |files: &BTreeMap<PathBuf, Vec<u8>>| files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&incremental), names(&full), "the same files exist");
    for (path, bytes) in &full {
        if incremental[path] != *bytes {
            let ours = String::from_utf8_lossy(&incremental[path]).into_owned();
            let theirs = String::from_utf8_lossy(bytes).into_owned();
            let (line, (a, b)) = ours
                .lines()
                .zip(theirs.lines())
                .enumerate()
                .find(|(_, (a, b))| a != b)
                .unwrap_or((0, ("(length)", "(length)")));
            panic!(
                "{} differs from a full build at line {}:\n  incremental: {a}\n  full build:  {b}",
                path.display(),
                line + 1
            );
        }
    }
    let live = Searcher::open(&site.path("public")).unwrap();
    let built = Searcher::open(&fresh.path().join("public")).unwrap();
    for query in queries {
        assert_eq!(
            found_paths(&live, query),
            found_paths(&built, query),
            "`{query}` finds the same pages"
        );
    }
}

/// The source paths `searcher` finds for `query` (up to 50), sorted.
fn found_paths(searcher: &Searcher, query: &str) -> Vec<String> {
    let request = SearchRequest {
        query: query.to_string(),
        limit: 50,
        ..SearchRequest::default()
    };
    let mut paths: Vec<String> = searcher
        .search(&request)
        .unwrap()
        .results
        .into_iter()
        .map(|hit| hit.path)
        .collect();
    paths.sort();
    paths
}

fn rebuild_pages(workspace: &mut Workspace, paths: &[PathBuf]) -> studybook::incremental::Rebuilt {
    let rebuilt = workspace
        .rebuild(&content_change(paths), &NotServing)
        .unwrap_or_else(|e| panic!("the edit rebuilds: {e}"));
    assert_eq!(
        rebuilt.scope,
        Scope::Pages,
        "an edit of existing pages is incremental"
    );
    rebuilt
}

#[test]
fn a_body_edit_rewrites_few_files_and_equals_a_full_build() {
    let (site, mut workspace) = start();
    let path = edit(&site, "content/documents/eight-point-rules.md", |text| {
        text.replace(
            "## 一、基本情况\n",
            "## 一、基本情况\n\n增量构建专用词汇甲乙丙。\n",
        )
    });
    let rebuilt = rebuild_pages(&mut workspace, &[path]);
    assert!(
        rebuilt.written < 10,
        "a body edit rewrites the page and the few lists showing its summary, not {} files",
        rebuilt.written
    );
    assert!(site
        .output("documents/eight-point-rules.html")
        .contains("增量构建专用词汇甲乙丙"));
    assert_same_as_full_build(&site, &["增量构建专用词汇甲乙丙", "八项规定", "作风建设"]);
}

/// The pages `searcher` finds for `query` (up to 50), with their scores.
fn scored_paths(searcher: &Searcher, query: &str) -> BTreeMap<String, f32> {
    let request = SearchRequest {
        query: query.to_string(),
        limit: 50,
        ..SearchRequest::default()
    };
    searcher
        .search(&request)
        .unwrap()
        .results
        .into_iter()
        .map(|hit| (hit.path, hit.score))
        .collect()
}

/// An edited page is matched verbatim from the gram fields, the others from the verbatim
/// file: both give the same score, with the same bonus for each field that holds the text.
/// (Parts that are no words of the index, so BM25 statistics, which count replaced documents
/// until a merge, play no part.)
#[test]
fn a_replaced_page_scores_its_verbatim_matches_as_a_full_build_does() {
    let (site, mut workspace) = start();
    let path = edit(&site, "content/documents/eight-point-rules.md", |text| {
        text.replace("## 一、基本情况\n", "## 一、基本情况\n\n正文里也有细则学习。\n")
    });
    rebuild_pages(&mut workspace, &[path]);
    let fresh = full_build(&site);
    let live = Searcher::open(&site.path("public")).unwrap();
    let built = Searcher::open(&fresh.path().join("public")).unwrap();
    // In the title and now the text; in the tags (廉政建设).
    for (query, expected) in [("则学", 1090.0), ("政建", 1030.0)] {
        let scores = scored_paths(&live, query);
        assert_eq!(scores, scored_paths(&built, query), "`{query}`");
        assert_eq!(
            scores.get("documents/eight-point-rules.md"),
            Some(&expected),
            "`{query}`: {scores:?}"
        );
    }
}

/// The source paths a search finds in the live output.
fn verbatim_paths(site: &TestSite, query: &str) -> Vec<String> {
    found_paths(&Searcher::open(&site.path("public")).unwrap(), query)
}

#[test]
fn an_edited_page_matches_its_new_text_verbatim_and_no_longer_its_old_text() {
    // A full build keeps the grams in the verbatim file; an edit puts the page's new grams in
    // the index's gram fields and must hide what the file still holds of its old text.
    let (site, mut workspace) = start();
    let page = "documents/eight-point-rules.md".to_string();
    let old_text = ["\"金色名片\"", "片", "\"金色\" \"八项\""];
    for query in old_text {
        assert!(
            verbatim_paths(&site, query).contains(&page),
            "before the edit, `{query}`"
        );
    }
    let path = edit(&site, &format!("content/{page}"), |text| {
        text.replace("金色名片", "鲜亮标识")
    });
    rebuild_pages(&mut workspace, &[path]);
    for query in old_text {
        assert!(
            !verbatim_paths(&site, query).contains(&page),
            "after the edit, `{query}` no longer finds the page"
        );
    }
    assert!(
        !verbatim_paths(&site, "片").is_empty(),
        "other pages still hold 片"
    );
    // 鲜 is in other pages too.
    assert!(verbatim_paths(&site, "鲜").contains(&page));
    for query in ["\"鲜亮标识\"", "\"亮标\" \"八项\""] {
        assert_eq!(
            verbatim_paths(&site, query),
            std::slice::from_ref(&page),
            "after the edit, `{query}`"
        );
    }
    assert!(verbatim_paths(&site, "\"中央八项规定\"").contains(&page));
    assert_same_as_full_build(
        &site,
        &[
            "\"金色名片\"",
            "金",
            "\"鲜亮标识\"",
            "鲜",
            "\"中央八项规定\"",
            "八项规定",
        ],
    );
}

/// A section whose text links a page by `[[…]]` shows that page's title: when an edit changes
/// the title, the section's search document changes with its page (it kept the old title).
#[test]
fn a_section_showing_a_changed_title_is_searched_with_the_new_one() {
    let site = TestSite::demo();
    let section = site.path("content/policies/_index.md");
    let text = std::fs::read_to_string(&section).unwrap();
    std::fs::write(
        &section,
        format!("{text}\n重点参阅[[policies/letters-and-visits.md]]。\n"),
    )
    .unwrap();
    let mut workspace = Workspace::new(BuildOptions::new(site.root()));
    workspace
        .rebuild(&Change::everything(), &NotServing)
        .unwrap_or_else(|e| panic!("the demo builds: {e}"));
    assert!(verbatim_paths(&site, "\"重点参阅《信访工作条例》学习要点\"")
        .contains(&"policies/_index.md".to_string()));
    let path = edit(&site, "content/policies/letters-and-visits.md", |text| {
        text.replace(
            "title = \"《信访工作条例》学习要点\"",
            "title = \"信访条例要点解读\"",
        )
    });
    rebuild_pages(&mut workspace, &[path]);
    assert_eq!(
        verbatim_paths(&site, "\"重点参阅信访条例要点解读\""),
        ["policies/_index.md"]
    );
    assert!(verbatim_paths(&site, "\"重点参阅《信访工作条例》\"").is_empty());
    assert_same_as_full_build(
        &site,
        &["\"重点参阅信访条例要点解读\"", "信访条例要点解读", "重点参阅"],
    );
}

/// An edit that breaks a page's front matter reports the problems of its text in the same
/// rebuild, as a full build does, and writes nothing.
#[test]
fn an_edit_with_a_header_error_reports_the_text_too() {
    let (site, mut workspace) = start();
    let before = site.snapshot_output();
    let path = edit(&site, "content/documents/eight-point-rules.md", |text| {
        format!(
            "{}\n\n[坏链接](no-such-page.md)\n",
            text.replacen("date: 2023-09-04", "date: 2023-13-04", 1)
        )
    });
    let err = workspace
        .rebuild(&content_change(&[path]), &NotServing)
        .expect_err("a bad date fails the rebuild");
    let BuildError::Content(errors) = &err else {
        panic!("a content error, not {err}");
    };
    let messages: Vec<String> = errors.errors().map(ToString::to_string).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("content/documents/eight-point-rules.md:3")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("broken link") && m.contains("no-such-page.md")),
        "{messages:?}"
    );
    assert_eq!(site.snapshot_output(), before, "a failed rebuild writes nothing");
}

/// A page's summary, which readers see in lists, is searched; after an edit in `serve` as after
/// a full build.
#[test]
fn an_edited_summary_is_searched_as_a_full_build_searches_it() {
    let (site, mut workspace) = start();
    let page = "documents/eight-point-rules.md".to_string();
    // The text also opens the 政策法规 section's introduction.
    let old_summary = "\"日常工作中的注意事项\"";
    assert!(verbatim_paths(&site, old_summary).contains(&page));
    let path = edit(&site, &format!("content/{page}"), |text| {
        text.replace("列出机关日常工作中的注意事项", "归纳机关干部的行为清单")
    });
    rebuild_pages(&mut workspace, &[path]);
    assert!(!verbatim_paths(&site, old_summary).contains(&page));
    assert_eq!(verbatim_paths(&site, "\"行为清单\""), std::slice::from_ref(&page));
    assert_same_as_full_build(&site, &[old_summary, "\"行为清单\"", "行为清单", "归纳"]);
}

#[test]
fn a_searcher_reopened_after_an_edit_keeps_the_mapped_verbatim_file_and_sees_the_edit() {
    // `serve` reopens its searcher after each edit, reusing the build's verbatim file, which
    // an edit leaves as it is; what it finds must be what a searcher opened afresh finds.
    let (site, mut workspace) = start();
    let page = "documents/eight-point-rules.md".to_string();
    let before = Searcher::open(&site.path("public")).unwrap();
    assert!(found_paths(&before, "\"金色名片\"").contains(&page));
    let path = edit(&site, &format!("content/{page}"), |text| {
        text.replace("金色名片", "鲜亮标识")
    });
    rebuild_pages(&mut workspace, &[path]);
    let reopened = Searcher::reopen(&site.path("public"), Some(&before)).unwrap();
    let fresh = Searcher::open(&site.path("public")).unwrap();
    assert!(!found_paths(&reopened, "\"金色名片\"").contains(&page));
    assert_eq!(
        found_paths(&reopened, "\"鲜亮标识\""),
        std::slice::from_ref(&page)
    );
    for query in ["\"金色名片\"", "\"鲜亮标识\"", "\"八项规定\"", "学习", "片", "鲜"] {
        assert_eq!(
            found_paths(&reopened, query),
            found_paths(&fresh, query),
            "`{query}`: the reopened searcher finds what a fresh one finds"
        );
    }
}

#[test]
fn title_tag_date_and_summary_edits_follow_everywhere_they_show() {
    let (site, mut workspace) = start();
    // The title is the target of a wikilink elsewhere: the wikilink follows the new title
    // only by path, so rename it there too, in the same save.
    let renamed = edit(
        &site,
        "content/party-building/三会一课制度要点.md",
        |text| {
            text.replace("title: 三会一课制度要点", "title: 三会一课制度要点（修订）")
                .replace(
                    "tags: [三会一课, 组织生活, 支部建设]",
                    "tags: [三会一课, 增量新标签]",
                )
                .replace("date: 2023-03-14", "date: 2025-12-30")
                .replace("weight: 1\n", "")
        },
    );
    let linking = edit(
        &site,
        "content/party-building/organizational-life-meeting.md",
        |text| text.replace("[[三会一课制度要点]]", "[[三会一课制度要点（修订）]]"),
    );
    let rebuilt = rebuild_pages(&mut workspace, &[renamed, linking]);
    assert!(
        rebuilt.written > 2,
        "lists, tags and neighbours follow: {rebuilt:?}"
    );
    assert!(site.output_exists("tags/增量新标签.html"));
    assert_same_as_full_build(&site, &["三会一课", "增量新标签", "组织生活"]);

    // Take the new tag away again: its page disappears.
    let path = edit(
        &site,
        "content/party-building/三会一课制度要点.md",
        |text| text.replace("tags: [三会一课, 增量新标签]", "tags: [三会一课]"),
    );
    let rebuilt = rebuild_pages(&mut workspace, &[path]);
    assert!(rebuilt.removed >= 1, "the tag page nobody carries is removed");
    assert!(!site.output_exists("tags/增量新标签.html"));
    assert_same_as_full_build(&site, &["增量新标签"]);
}

#[test]
fn session_edits_update_the_ledger_materials_and_studied_counts() {
    let (site, mut workspace) = start();
    let path = edit(
        &site,
        "content/sessions/2024/branch-committee-2024-01.md",
        |text| {
            text.replace("meeting: 支部委员会", "meeting: 增量测试会议")
                .replace("date: 2024-04-23", "date: 2022-06-01")
                .replace(
                    ", party-building/theme-party-day.md]",
                    ", policies/letters-and-visits.md]",
                )
                .replace("attendees: 7", "attendees: 9")
        },
    );
    rebuild_pages(&mut workspace, &[path]);
    assert!(site.output("sessions.csv").contains("增量测试会议"));
    assert_same_as_full_build(&site, &["增量测试会议", "党纪学习教育"]);
}

#[test]
fn a_new_link_adds_a_backlink_and_a_removed_one_drops_it() {
    let (site, mut workspace) = start();
    let path = edit(&site, "content/documents/eight-point-rules.md", |text| {
        format!("{text}\n另见[信访工作条例](../policies/letters-and-visits.md)。\n")
    });
    rebuild_pages(&mut workspace, &[path]);
    assert_same_as_full_build(&site, &["信访"]);
    let path = edit(&site, "content/documents/eight-point-rules.md", |text| {
        text.replace("\n另见[信访工作条例](../policies/letters-and-visits.md)。\n", "")
    });
    rebuild_pages(&mut workspace, &[path]);
    assert_same_as_full_build(&site, &["信访"]);
}

#[test]
fn a_failed_edit_changes_nothing_and_the_next_good_one_catches_up() {
    let (site, mut workspace) = start();
    let before = site.snapshot_output();
    let first = edit(&site, "content/documents/common-prosperity.md", |text| {
        text.replacen("\ndate: 20", "\nold-date: 20", 1)
            .replacen("---\n", "---\ndate: 2024-13-45\n", 1)
    });
    // Two files in one save: one good, one broken. Neither may reach the output.
    let second = edit(&site, "content/documents/eight-point-rules.md", |text| {
        format!("{text}\n失败后追上的词汇丁戊己。\n")
    });
    let err = workspace
        .rebuild(&content_change(&[first.clone(), second]), &NotServing)
        .expect_err("a bad date fails the rebuild");
    let BuildError::Content(errors) = &err else {
        panic!("a content error, not {err}");
    };
    let message = errors
        .errors()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        message.contains("content/documents/common-prosperity.md:2"),
        "the error names the file and line: {message}"
    );
    assert_eq!(site.snapshot_output(), before, "a failed rebuild writes nothing");

    // Fixing the broken file alone: the good file of the failed save is read again too.
    edit(&site, "content/documents/common-prosperity.md", |text| {
        text.replace("date: 2024-13-45\n", "")
            .replace("\nold-date: 20", "\ndate: 20")
    });
    rebuild_pages(&mut workspace, &[first]);
    assert!(site
        .output("documents/eight-point-rules.html")
        .contains("失败后追上的词汇丁戊己"));
    assert_same_as_full_build(&site, &["失败后追上的词汇丁戊己", "共同富裕"]);
}

#[test]
fn a_broken_link_fails_the_edit_and_keeps_the_output() {
    let (site, mut workspace) = start();
    let before = site.snapshot_output();
    let path = edit(&site, "content/documents/eight-point-rules.md", |text| {
        format!("{text}\n见[不存在的页面](missing-page.md)。\n")
    });
    let err = workspace
        .rebuild(&content_change(&[path]), &NotServing)
        .expect_err("a broken link fails the rebuild");
    let text = err.to_string();
    assert!(
        text.contains("content/documents/eight-point-rules.md:") && text.contains("missing-page.md"),
        "the error names the file, line and link: {text}"
    );
    assert_eq!(site.snapshot_output(), before, "a failed rebuild writes nothing");
}

#[test]
fn a_tag_that_would_replace_another_tags_page_fails_the_edit() {
    let (site, mut workspace) = start();
    let before = site.snapshot_output();
    // 安全/生产 and 安全_生产 would be written to the same page file.
    let path = edit(&site, "content/documents/eight-point-rules.md", |text| {
        text.replacen("tags: [", "tags: [安全/生产, 安全_生产, ", 1)
    });
    let err = workspace
        .rebuild(&content_change(&[path]), &NotServing)
        .expect_err("the clash fails the rebuild");
    let text = err.to_string();
    assert!(
        text.contains("content/documents/eight-point-rules.md:") && text.contains("would share one page"),
        "the error names the file, line and both tags: {text}"
    );
    assert_eq!(site.snapshot_output(), before, "a failed rebuild writes nothing");
}

#[test]
fn adding_removing_and_theme_changes_take_the_right_path() {
    let (site, mut workspace) = start();
    site.write(
        "content/documents/incremental-new.md",
        "---\ntitle: 新增的增量页面\ndate: 2025-01-02\ntags: [作风建设]\n---\n\n新页面正文庚辛壬。\n",
    );
    let added = workspace
        .rebuild(
            &content_change(&[site.path("content/documents/incremental-new.md")]),
            &NotServing,
        )
        .unwrap();
    assert_eq!(added.scope, Scope::Full, "a new page is a full build");
    assert_same_as_full_build(&site, &["庚辛壬"]);
    // The full build's previous output is removed in the background, soon.
    let leftovers = || -> Vec<String> {
        std::fs::read_dir(site.root())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".public."))
            .collect()
    };
    let waited = std::time::Instant::now();
    while !leftovers().is_empty() && waited.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        leftovers(),
        Vec::<String>::new(),
        "the previous output is removed"
    );

    site.write(
        "themes/default/templates/page.html",
        &std::fs::read_to_string(repo_root().join("themes/default/templates/page.html"))
            .unwrap()
            .replace("</article>", "<p class=\"theme-mark\">主题已改</p></article>"),
    );
    let themed = workspace
        .rebuild(
            &Change {
                theme: true,
                ..Change::default()
            },
            &NotServing,
        )
        .unwrap();
    assert_eq!(
        themed.scope,
        Scope::Theme,
        "a template change renders without re-reading"
    );
    assert!(site.output("documents/incremental-new.html").contains("主题已改"));
    assert_same_as_full_build(&site, &["庚辛壬"]);
}

/// Serializes the pack swap like the server does, counting swaps.
struct CountingLock(std::sync::Mutex<usize>);

impl studybook::incremental::OutputLock for CountingLock {
    fn exclusive<T>(&self, write: impl FnOnce() -> T) -> T {
        let mut count = self.0.lock().unwrap();
        *count += 1;
        write()
    }
}

#[test]
fn settling_exports_the_pack_again_from_the_merged_index() {
    let (site, mut workspace) = start();
    let meta_before = studybook::search::pack::read_script(&site.path("public/search/pack/meta.js")).unwrap();
    let path = edit(&site, "content/documents/eight-point-rules.md", |text| {
        format!("{text}\n静态包更新词汇癸子丑。\n")
    });
    rebuild_pages(&mut workspace, &[path]);
    assert!(workspace.pack_stale());
    let lock = Arc::new(CountingLock(std::sync::Mutex::new(0)));
    workspace.settle(lock.clone()).unwrap();
    // The export runs in the background; wait (bounded) for its swap.
    let meta_after = wait_for(Duration::from_secs(60), "the pack to be exported again", || {
        let meta = studybook::search::pack::read_script(&site.path("public/search/pack/meta.js")).ok()?;
        (meta != meta_before).then_some(meta)
    });
    assert!(meta_after.contains("__studybookPack"));
    let index = tantivy::Index::open_in_dir(site.path("public/search/index")).unwrap();
    assert_eq!(
        index.searchable_segment_ids().unwrap().len(),
        1,
        "the index is merged into one segment"
    );
    let found = pack_contains(&site.path("public/search/pack"), "静态包更新词汇癸子丑");
    assert!(found, "the new words are in the pack's text");
    assert!(!workspace.pack_stale());
    // Documents are numbered in source path order, not in the order the edits put them in the
    // merged segment: the settled pack is the one a fresh build writes, byte for byte.
    let fresh = full_build(&site);
    // The merged segment holds both kinds of documents (the edited page's grams in the gram
    // fields, the others' in the build's verbatim file, found through the `order` field):
    // the server's verbatim search still finds what a fresh build finds.
    let live = Searcher::open(&site.path("public")).unwrap();
    let built = Searcher::open(&fresh.path().join("public")).unwrap();
    assert_eq!(
        found_paths(&live, "\"静态包更新词汇癸子丑\""),
        ["documents/eight-point-rules.md"]
    );
    assert!(
        found_paths(&live, "\"八项规定\"").len() > 1,
        "several pages, of both kinds"
    );
    for query in [
        "\"静态包更新词汇癸子丑\"",
        "\"金色名片\"",
        "\"八项规定\"",
        "学习",
        "片",
        "癸",
        "\"第一议题\"",
    ] {
        assert_eq!(
            found_paths(&live, query),
            found_paths(&built, query),
            "`{query}` after the merge finds what a fresh build finds"
        );
    }
    let settled = snapshot(&site.path("public/search/pack"));
    let built = snapshot(&fresh.path().join("public/search/pack"));
    assert_eq!(
        settled.keys().collect::<Vec<_>>(),
        built.keys().collect::<Vec<_>>()
    );
    // Except one statistic: merging a segment with deleted documents, Tantivy recounts a
    // field's tokens from the one-byte field lengths, which round long fields, so the preview's
    // BM25 average lengths may be a little off a fresh build's (the pack keeps the index's own
    // numbers, so the preview's two engines still agree).
    let without_token_totals = |bytes: &[u8]| -> Vec<u8> {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let mut out = String::new();
        for (i, part) in text.split("\"totalTokens\":").enumerate() {
            out.push_str(if i == 0 {
                part
            } else {
                part.trim_start_matches(|c: char| c.is_ascii_digit())
            });
        }
        out.into_bytes()
    };
    for (name, bytes) in &built {
        let (ours, bytes) = if name == Path::new("meta.js") {
            (without_token_totals(&settled[name]), without_token_totals(bytes))
        } else {
            (settled[name].clone(), bytes.clone())
        };
        let (ours, bytes) = (&ours, &bytes);
        if let Some(at) = (0..ours.len().max(bytes.len())).find(|&i| ours.get(i) != bytes.get(i)) {
            let around = |b: &[u8]| {
                String::from_utf8_lossy(&b[at.saturating_sub(80)..(at + 80).min(b.len())]).into_owned()
            };
            panic!(
                "{} differs from a fresh build's at byte {at}:\n  settled: {}\n  fresh:   {}",
                name.display(),
                around(ours),
                around(bytes)
            );
        }
    }
}

/// A full build that fails (here: a new page with broken front matter) stops the pack export
/// it would have replaced, and writes nothing: the live output, edits included, stays, and so
/// must the work of bringing its static pack up to date with those edits.
#[test]
fn a_failed_full_build_leaves_the_pack_to_catch_up_with_the_edits_before_it() {
    let (site, mut workspace) = start();
    let lock = Arc::new(CountingLock(std::sync::Mutex::new(0)));
    let broken = "content/documents/broken-new-page.md";
    for (round, words) in ["失败之前编辑甲乙丙", "导出途中失败丁戊己"]
        .into_iter()
        .enumerate()
    {
        let path = edit(&site, "content/documents/eight-point-rules.md", |text| {
            format!("{text}\n{words}。\n")
        });
        rebuild_pages(&mut workspace, &[path]);
        assert!(workspace.pack_stale());
        if round == 1 {
            // The export starts, and the failing build comes at once: stopped or finished,
            // the pack must end up with the edit.
            workspace.settle(lock.clone()).unwrap();
        }
        site.write(broken, "---\ntitle: [没有闭合\n---\n正文\n");
        // Only before any export: one running writes and removes its folder meanwhile.
        let before = (round == 0).then(|| site.snapshot_output());
        let err = workspace
            .rebuild(&content_change(&[site.path(broken)]), &NotServing)
            .expect_err("broken front matter fails the build");
        assert!(err.to_string().contains("broken-new-page.md:"), "{err}");
        let pack_dir = site.path("public/search/pack");
        if round == 0 {
            assert_eq!(
                Some(site.snapshot_output()),
                before,
                "the failed build wrote nothing"
            );
            assert!(
                !pack_contains(&pack_dir, words),
                "no export has run yet: the pack lags the edit"
            );
        }
        if workspace.pack_stale() {
            workspace.settle(lock.clone()).unwrap();
        }
        wait_for(Duration::from_secs(60), "the pack to hold the edit", || {
            // Not while the export swaps the folders.
            let _swapping = lock.0.lock().unwrap();
            pack_contains(&pack_dir, words).then_some(())
        });
        assert_eq!(
            found_paths(
                &Searcher::open(&site.path("public")).unwrap(),
                &format!("\"{words}\"")
            ),
            ["documents/eight-point-rules.md"]
        );
        // Still broken: the next rebuild is a full one and fails again; fixed, it succeeds.
        let path = edit(&site, "content/documents/eight-point-rules.md", |text| {
            format!("{text}\n失败期间的编辑{round}。\n")
        });
        assert!(workspace
            .rebuild(&content_change(std::slice::from_ref(&path)), &NotServing)
            .is_err());
        site.remove(broken);
        let fixed = workspace
            .rebuild(&content_change(&[path, site.path(broken)]), &NotServing)
            .expect("fixed");
        assert_eq!(fixed.scope, Scope::Full);
        // A full build after the first leaves its pack to settling, as edits do.
        assert!(workspace.pack_stale());
        workspace.settle(lock.clone()).unwrap();
        let edited = format!("失败期间的编辑{round}");
        wait_for(Duration::from_secs(60), "the rebuilt pack", || {
            let _swapping = lock.0.lock().unwrap();
            pack_contains(&pack_dir, &edited).then_some(())
        });
    }
}

/// A page added in `serve` is a full build that leaves the static pack to the background, as
/// edits do: the previous pack keeps answering meanwhile, the server's search finds the new
/// page at once (the verbatim file is written with the build), and once settled the pack is
/// the one a fresh build writes, byte for byte (a full build's segments are not merged).
#[test]
fn a_full_rebuild_keeps_the_previous_pack_until_edits_settle() {
    let (site, mut workspace) = start();
    let pack_dir = site.path("public/search/pack");
    let pack_before = snapshot(&pack_dir);
    let added = "content/documents/added-in-serve.md";
    site.write(
        added,
        "---\ntitle: 服务中新增的页面\ndate: 2024-05-06\n---\n\n新增页面的独特词汇寅卯辰。\n",
    );
    let rebuilt = workspace
        .rebuild(&content_change(&[site.path(added)]), &NotServing)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rebuilt.scope, Scope::Full);
    assert!(
        rebuilt.report.as_ref().unwrap().pack.is_none(),
        "the pack is left for later"
    );
    assert_eq!(
        snapshot(&pack_dir),
        pack_before,
        "the previous pack, in the new output"
    );
    assert!(workspace.pack_stale());
    let live = Searcher::open(&site.path("public")).unwrap();
    assert_eq!(
        found_paths(&live, "\"独特词汇寅卯辰\""),
        ["documents/added-in-serve.md"]
    );
    let segments_before = tantivy::Index::open_in_dir(site.path("public/search/index"))
        .unwrap()
        .searchable_segment_ids()
        .unwrap();
    let lock = Arc::new(CountingLock(std::sync::Mutex::new(0)));
    workspace.settle(lock.clone()).unwrap();
    wait_for(Duration::from_secs(60), "the pack to be exported", || {
        let _swapping = lock.0.lock().unwrap();
        pack_contains(&pack_dir, "独特词汇寅卯辰").then_some(())
    });
    let segments_after = tantivy::Index::open_in_dir(site.path("public/search/index"))
        .unwrap()
        .searchable_segment_ids()
        .unwrap();
    assert_eq!(
        segments_after, segments_before,
        "nothing to merge after a full build"
    );
    let fresh = full_build(&site);
    assert_eq!(
        snapshot(&pack_dir),
        snapshot(&fresh.path().join("public/search/pack")),
        "the settled pack is a fresh build's"
    );
    assert!(!workspace.pack_stale());
}

#[test]
fn a_broken_book_toml_is_not_forgotten_by_the_next_edit() {
    let (site, mut workspace) = start();
    let before = site.snapshot_output();
    let config = std::fs::read_to_string(site.path("book.toml")).unwrap();
    site.write(
        "book.toml",
        &config.replace("[build]", "[build]\noutput-dri = \"x\""),
    );
    let err = workspace
        .rebuild(
            &Change {
                config: true,
                ..Change::default()
            },
            &NotServing,
        )
        .expect_err("an unknown key fails the build");
    assert!(
        err.to_string().contains("book.toml:"),
        "the error names book.toml: {err}"
    );
    // An edit after it must not build past the broken book.toml.
    let path = edit(&site, "content/documents/eight-point-rules.md", |text| {
        format!("{text}\n配置损坏后的编辑。\n")
    });
    let err = workspace
        .rebuild(&content_change(std::slice::from_ref(&path)), &NotServing)
        .expect_err("book.toml is still broken");
    assert!(err.to_string().contains("output-dri"), "{err}");
    assert_eq!(site.snapshot_output(), before, "failed rebuilds write nothing");
    site.write("book.toml", &config);
    let fixed = workspace
        .rebuild(&content_change(&[path]), &NotServing)
        .expect("fixed");
    assert_eq!(fixed.scope, Scope::Full);
    assert!(site
        .output("documents/eight-point-rules.html")
        .contains("配置损坏后的编辑"));
}

/// An edit's warnings (an image from another site, a link to a place its page does not have)
/// are shown for the edited file, and go once it is fixed.
#[test]
fn an_edit_reports_the_warnings_of_what_it_compiled() {
    let (site, mut workspace) = start();
    let file = "content/documents/eight-point-rules.md";
    let original = std::fs::read_to_string(site.path(file)).unwrap();
    let path = edit(&site, file, |text| {
        format!("{text}\n[看附表](#不存在的附表)\n\n![远程图](https://example.com/x.png)\n")
    });
    let rebuilt = rebuild_pages(&mut workspace, std::slice::from_ref(&path));
    let lines = original.lines().count();
    let mine: Vec<(Option<usize>, String)> = rebuilt
        .warnings
        .iter()
        .filter(|w| w.file == file)
        .map(|w| (w.line, w.message.en().to_string()))
        .collect();
    assert_eq!(
        mine,
        [
            (
                Some(lines + 2),
                "the link `#不存在的附表` names `#不存在的附表`, which this page does not have".to_string()
            ),
            (
                Some(lines + 4),
                "the image `https://example.com/x.png` is loaded from another site".to_string()
            ),
        ],
        "{:?}",
        rebuilt.warnings
    );
    std::fs::write(&path, &original).unwrap();
    let rebuilt = rebuild_pages(&mut workspace, &[path]);
    assert!(
        rebuilt.warnings.iter().all(|w| w.file != file),
        "{:?}",
        rebuilt.warnings
    );
}

/// A full rebuild with no live pack to keep (it was removed, or book.toml named another
/// folder) commits an output without one: the background export must then create the pack
/// rather than fail to move the missing one aside, again at every pause.
#[test]
fn the_background_export_creates_a_pack_the_output_does_not_have() {
    let (site, mut workspace) = start();
    let pack_dir = site.path("public/search/pack");
    std::fs::remove_dir_all(&pack_dir).unwrap();
    let added = "content/documents/added-without-pack.md";
    site.write(
        added,
        "---\ntitle: 没有静态包时新增的页面\ndate: 2024-05-07\n---\n\n无包新增词汇巳午未。\n",
    );
    let rebuilt = workspace
        .rebuild(&content_change(&[site.path(added)]), &NotServing)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rebuilt.scope, Scope::Full);
    assert!(!pack_dir.exists(), "no pack to keep, none written yet");
    assert!(workspace.pack_stale());
    let lock = Arc::new(CountingLock(std::sync::Mutex::new(0)));
    workspace.settle(lock.clone()).unwrap();
    wait_for(Duration::from_secs(60), "the pack to be created", || {
        let _swapping = lock.0.lock().unwrap();
        (pack_dir.join("meta.js").is_file() && pack_contains(&pack_dir, "无包新增词汇巳午未")).then_some(())
    });
    // The export reported success: nothing is left to settle.
    wait_for(Duration::from_secs(60), "the export to finish", || {
        (!workspace.pack_stale()).then_some(())
    });
}

/// The meeting-spelling warning compares session records with each other: an edit of one says
/// it anew, neither stale nor lost.
#[test]
fn a_meeting_spelling_warning_follows_edits() {
    let (site, mut workspace) = start();
    let file = "content/sessions/2024/standing-committee-2024-02.md";
    let spelling = |rebuilt: &studybook::incremental::Rebuilt| -> Vec<String> {
        rebuilt
            .warnings
            .iter()
            .filter(|w| w.message.en().contains("the ledger counts them as two meetings"))
            .map(|w| format!("{}:{}", w.file, w.message.en()))
            .collect()
    };
    let path = edit(&site, file, |text| {
        text.replace("meeting: 区委常委会", "meeting: 区委 常委会")
    });
    let rebuilt = rebuild_pages(&mut workspace, std::slice::from_ref(&path));
    let warned = spelling(&rebuilt);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].starts_with(&format!(
            "{file}:the meeting `区委 常委会` is written `区委常委会`"
        )),
        "{warned:?}"
    );
    // Another edit of its text only: the warning is still there.
    let path = edit(&site, file, |text| format!("{text}\n补充一句。\n"));
    assert_eq!(
        spelling(&rebuild_pages(&mut workspace, std::slice::from_ref(&path))),
        warned
    );
    // Written as the others again: gone.
    let path = edit(&site, file, |text| {
        text.replace("meeting: 区委 常委会", "meeting: 区委常委会")
    });
    assert_eq!(
        spelling(&rebuild_pages(&mut workspace, std::slice::from_ref(&path))),
        Vec::<String>::new()
    );
}

/// Two notes of one folder with the same title are warned (its list shows two entries alike):
/// an edit that makes them so says it, a later edit keeps it, and one that tells them apart
/// again clears it.
#[test]
fn a_note_titled_as_another_of_its_folder_is_warned_until_it_is_not() {
    let (site, mut workspace) = start();
    let file = "content/speeches/2024/safety-production.md";
    let same_title = |rebuilt: &studybook::incremental::Rebuilt| -> Vec<String> {
        rebuilt
            .warnings
            .iter()
            .filter(|w| w.message.en().contains("have the same title"))
            .map(|w| format!("{}:{}: {}", w.file, w.line.unwrap_or(0), w.message.en()))
            .collect()
    };
    let path = edit(&site, file, |text| {
        text.replace(
            "title: 安全生产重要论述学习笔记",
            "title: 基层治理重要论述学习笔记",
        )
    });
    let warned = same_title(&rebuild_pages(&mut workspace, std::slice::from_ref(&path)));
    assert_eq!(
        warned,
        ["content/speeches/2024/safety-production.md:2: two pages of `content/speeches/2024/` have the same title: `content/speeches/2024/grassroots-governance.md` and `content/speeches/2024/safety-production.md` are both “基层治理重要论述学习笔记”"]
    );
    // Another edit of its text only: the warning is still there.
    let path = edit(&site, file, |text| format!("{text}\n补充一句。\n"));
    assert_eq!(
        same_title(&rebuild_pages(&mut workspace, std::slice::from_ref(&path))),
        warned
    );
    let path = edit(&site, file, |text| {
        text.replace(
            "title: 基层治理重要论述学习笔记",
            "title: 安全生产重要论述学习笔记",
        )
    });
    assert_eq!(
        same_title(&rebuild_pages(&mut workspace, std::slice::from_ref(&path))),
        Vec::<String>::new()
    );
}

/// After an edit and its undo have settled (merged), the server ranks exactly as a full build
/// of the same sources: BM25's statistics count the documents alive, not the merger's
/// estimate of the replaced ones' tokens (scores differed in the fourth decimal before).
#[test]
fn after_an_edit_and_its_undo_settle_the_ranking_is_a_full_builds() {
    let (site, mut workspace) = start();
    let file = "content/speeches/2024/safety-production.md";
    let original = std::fs::read_to_string(site.path(file)).unwrap();
    let path = edit(&site, file, |text| format!("{text}\n补充学习一句。\n"));
    rebuild_pages(&mut workspace, std::slice::from_ref(&path));
    let path = edit(&site, file, |_| original.clone());
    rebuild_pages(&mut workspace, std::slice::from_ref(&path));
    workspace.settle(Arc::new(NotServing)).unwrap();
    // The merge runs in the background: wait (bounded) for its one segment.
    wait_for(Duration::from_secs(60), "the index to be merged", || {
        let index = tantivy::Index::open_in_dir(site.path("public/search/index")).ok()?;
        (index.searchable_segment_ids().ok()?.len() == 1).then_some(())
    });
    let fresh = full_build(&site);
    let live = Searcher::open(&site.path("public")).unwrap();
    let built = Searcher::open(&fresh.path().join("public")).unwrap();
    for query in ["学习", "安全生产", "第一议题"] {
        assert_eq!(
            scored_paths(&live, query),
            scored_paths(&built, query),
            "`{query}`"
        );
    }
}
