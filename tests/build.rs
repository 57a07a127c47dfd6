//! Successful builds through the real binary: the output files, links, page content, drafts,
//! Markdown features, languages, theme overrides, `check`, `init`, `--out` and the demo site.

mod common;
use common::*;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The basic fixture, built successfully.
fn built_basic() -> TestSite {
    let site = TestSite::fixture("basic");
    site.build().success();
    site
}

/// Runs the binary with exactly these arguments (no `--root` added).
fn studybook(args: &[&str]) -> Run {
    let output = studybook_command().args(args).output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every file under `dir`, as `/`-separated paths relative to it.
fn files_under(dir: &Path) -> BTreeSet<String> {
    snapshot(dir)
        .into_keys()
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect()
}

fn output_files(site: &TestSite) -> BTreeSet<String> {
    files_under(&site.path("public"))
}

fn selector(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).unwrap()
}

/// `https:`, `mailto:`… : the scheme of a URL that has one.
fn scheme(url: &str) -> Option<String> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let valid = scheme.len() > 1
        && scheme.chars().next().unwrap().is_ascii_alphabetic()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// Splits `path?query#fragment` into the path and the fragment.
fn split_url(url: &str) -> (&str, &str) {
    let (before_fragment, fragment) = url.split_once('#').unwrap_or((url, ""));
    let path = before_fragment.split('?').next().unwrap();
    (path, fragment)
}

/// Resolves a relative URL path written in the output file `from` to an output path.
fn resolve(from: &str, path: &str) -> Option<String> {
    let decoded = percent_decode(path);
    let mut parts: Vec<String> = from.split('/').map(str::to_string).collect();
    parts.pop();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other.to_string()),
        }
    }
    Some(parts.join("/"))
}

/// URL-bearing attributes of an HTML document, with the attribute name.
fn urls_in(html: &scraper::Html) -> Vec<(String, String)> {
    let mut urls = Vec::new();
    for element in html.select(&selector("*")) {
        for (name, value) in element.value().attrs() {
            match name {
                "href" | "src" | "action" | "poster" | "formaction" | "data" => {
                    urls.push((name.to_string(), value.trim().to_string()))
                }
                "srcset" => urls.extend(value.split(',').filter_map(|candidate| {
                    candidate
                        .split_whitespace()
                        .next()
                        .map(|u| ("srcset".to_string(), u.to_string()))
                })),
                _ => {}
            }
        }
    }
    urls
}

/// The `id`s (and `name`s) of the elements of a document.
fn ids_in(html: &scraper::Html) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for element in html.select(&selector("[id], [name]")) {
        for attr in ["id", "name"] {
            if let Some(value) = element.value().attr(attr) {
                ids.insert(value.to_string());
            }
        }
    }
    ids
}

/// Checks every URL of every output HTML file: relative URLs name an existing output file
/// (and an existing id when they carry a fragment); nothing starts with `/`; external http(s)
/// URLs are only those in `allowed_external`. Returns the problems found.
fn link_problems(site: &TestSite, allowed_external: &[&str]) -> Vec<String> {
    let files = output_files(site);
    let mut parsed: HashMap<String, scraper::Html> = HashMap::new();
    let mut problems = Vec::new();
    let mut resolved = 0;
    for file in files.iter().filter(|f| f.ends_with(".html")) {
        let html = site.html(file);
        let own_ids = ids_in(&html);
        for (attr, url) in urls_in(&html) {
            let problem = |why: &str| format!("{file}: {attr}=\"{url}\" {why}");
            if url.starts_with("//") {
                problems.push(problem("is a protocol-relative external URL"));
                continue;
            }
            if let Some(scheme) = scheme(&url) {
                if (scheme == "http" || scheme == "https") && !allowed_external.contains(&url.as_str()) {
                    problems.push(problem("is an external URL no author wrote"));
                }
                if scheme == "javascript" {
                    problems.push(problem("is a javascript: URL"));
                }
                continue;
            }
            if url.starts_with('/') {
                problems.push(problem("starts with `/`, which breaks file:// and sub-paths"));
                continue;
            }
            let (path, fragment) = split_url(&url);
            if path.is_empty() {
                if fragment.is_empty() {
                    problems.push(problem("names no file"));
                } else if !own_ids.contains(&percent_decode(fragment)) {
                    problems.push(problem("points at an id the page does not have"));
                }
                continue;
            }
            let last = path.rsplit('/').next().unwrap();
            if path.ends_with('/') || !last.contains('.') {
                problems.push(problem("does not name a file (breaks file://)"));
                continue;
            }
            let Some(target) = resolve(file, path) else {
                problems.push(problem("climbs out of the output folder"));
                continue;
            };
            if !files.contains(&target) {
                problems.push(problem(&format!(
                    "leads to `{target}`, which is not in the output"
                )));
                continue;
            }
            resolved += 1;
            if !fragment.is_empty() && target.ends_with(".html") {
                let target_html = parsed.entry(target.clone()).or_insert_with(|| site.html(&target));
                if !ids_in(target_html).contains(&percent_decode(fragment)) {
                    problems.push(problem(&format!(
                        "leads to `{target}`, which has no id `{}`",
                        percent_decode(fragment)
                    )));
                }
            }
        }
    }
    if resolved < files.len() {
        problems.push(format!(
            "only {resolved} internal URLs resolved for {} output files",
            files.len()
        ));
    }
    problems
}

/// External URLs in output files: URL attributes and `url()` in HTML, any `http(s)://` in CSS
/// and JS (an SVG `xmlns` namespace is the only exception).
fn external_url_problems(site: &TestSite) -> Vec<String> {
    let mut problems = Vec::new();
    for file in output_files(site) {
        if file.ends_with(".html") {
            let html = site.html(&file);
            for (attr, url) in urls_in(&html) {
                let lower = url.to_ascii_lowercase();
                if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//") {
                    problems.push(format!("{file}: {attr}=\"{url}\""));
                }
            }
            let mut css = Vec::new();
            for element in html.select(&selector("[style]")) {
                css.push(element.value().attr("style").unwrap().to_string());
            }
            for element in html.select(&selector("style")) {
                css.push(element.text().collect());
            }
            for text in css {
                problems.extend(css_url_problems(&file, &text));
            }
        } else if file.ends_with(".css") || file.ends_with(".js") {
            let text = site.output(&file);
            problems.extend(css_url_problems(&file, &text));
            for needle in ["http://", "https://"] {
                for (at, _) in text.match_indices(needle) {
                    let before = &text[..at];
                    let namespace = before.ends_with("xmlns=\"") || before.ends_with("xmlns='");
                    if !namespace {
                        let end = (at + 60).min(text.len());
                        let end = (end..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap();
                        problems.push(format!("{file}: {}", &text[at..end]));
                    }
                }
            }
        }
    }
    problems
}

fn css_url_problems(file: &str, css: &str) -> Vec<String> {
    css.match_indices("url(")
        .filter_map(|(at, _)| {
            let rest = css[at + 4..].trim_start().trim_start_matches(['"', '\'']);
            let lower = rest.to_ascii_lowercase();
            (lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//"))
                .then(|| format!("{file}: url({})", rest.chars().take(60).collect::<String>()))
        })
        .collect()
}

/// Pairs of a `dl`'s `dt` and `dd` texts.
fn definition_pairs(html: &scraper::Html, dl: &str) -> BTreeMap<String, String> {
    let dl = html.select(&selector(dl)).next().expect("the definition list");
    let terms: Vec<String> = dl
        .select(&selector("dt"))
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect();
    let values: Vec<String> = dl
        .select(&selector("dd"))
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect();
    assert_eq!(terms.len(), values.len(), "each dt has its dd");
    terms.into_iter().zip(values).collect()
}

fn resolved_hrefs(html: &scraper::Html, from: &str, css: &str) -> Vec<String> {
    select_attrs(html, css, "href")
        .iter()
        .map(|href| resolve(from, split_url(href).0).unwrap())
        .collect()
}

const PAGES: &[&str] = &[
    "about.html",
    "notes/2024/safety.html",
    "notes/2024/guide.html",
    "notes/2024/gfm.html",
    "notes/2024/old.html",
    "sessions/2024-03-12.html",
];

// ---------------------------------------------------------------------------------------------
// The output folder
// ---------------------------------------------------------------------------------------------

#[test]
fn basic_fixture_builds_and_prints_a_summary() {
    let site = TestSite::fixture("basic");
    let run = site.build().success();
    let last = run.stderr.lines().last().unwrap_or("");
    assert!(last.starts_with("built "), "summary line, got:\n{}", run.stderr);
    assert!(last.contains("6 pages"), "six published pages: {last}");
    assert!(
        !run.stderr.contains("warning:"),
        "the fixture is clean:\n{}",
        run.stderr
    );
}

#[test]
fn expected_output_files_exist() {
    let site = built_basic();
    let files = output_files(&site);
    let expected = [
        "index.html",
        "404.html",
        "search.html",
        "tags/index.html",
        "tags/安全生产.html",
        "tags/第一议题.html",
        "tags/示例.html",
        "tags/说明.html",
        "notes/index.html",
        "notes/2024/index.html",
        "notes/2024/chart.svg",
        "notes/2024/docs/原件.pdf",
    ];
    for file in expected.iter().chain(PAGES) {
        assert!(files.contains(*file), "missing {file}; output has:\n{files:#?}");
    }
    // Without `base-url` there are no whole addresses to list, so no sitemap.
    assert!(!files.contains("sitemap.xml"), "{files:#?}");
    let stylesheets: Vec<&String> = files
        .iter()
        .filter(|f| {
            f.strip_prefix("assets/style.")
                .and_then(|rest| rest.strip_suffix(".css"))
                .is_some_and(|hash| hash.len() == 8 && hash.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .collect();
    assert_eq!(
        stylesheets.len(),
        1,
        "one hashed stylesheet assets/style.<8 hex>.css in {files:#?}"
    );
    let html = site.html("notes/2024/safety.html");
    let linked = select_attrs(&html, "link[rel=stylesheet]", "href");
    assert_eq!(
        linked
            .iter()
            .map(|h| resolve("notes/2024/safety.html", h).unwrap())
            .collect::<Vec<_>>(),
        vec![stylesheets[0].clone()],
        "pages link the hashed stylesheet"
    );
}

#[test]
fn attachments_and_images_are_copied_beside_their_page() {
    let site = built_basic();
    for file in ["notes/2024/chart.svg", "notes/2024/docs/原件.pdf"] {
        let copied = std::fs::read(site.path(&format!("public/{file}"))).unwrap();
        let original = std::fs::read(site.path(&format!("content/{file}"))).unwrap();
        assert_eq!(copied, original, "{file} is copied byte for byte");
    }
    let html = site.html("notes/2024/safety.html");
    let images = select_attrs(&html, ".content img", "src");
    assert_eq!(images, ["chart.svg"]);
    let links = resolved_hrefs(&html, "notes/2024/safety.html", ".content a[href$='.pdf']");
    assert_eq!(links, ["notes/2024/docs/原件.pdf"]);
}

#[test]
fn sitemap_lists_every_page_once() {
    let site = TestSite::fixture("basic");
    let base = "http://intranet.example/study";
    let toml = std::fs::read_to_string(site.path("book.toml")).unwrap();
    site.write("book.toml", &format!("{toml}\n[build]\nbase-url = \"{base}/\"\n"));
    site.build().success();
    let text = site.output("sitemap.xml");
    assert!(text.starts_with("<?xml"), "an XML declaration first:\n{text}");
    assert!(text.contains("<urlset") && text.trim_end().ends_with("</urlset>"));
    assert_eq!(text.matches("<loc>").count(), text.matches("</loc>").count());
    assert_eq!(
        text.matches("<url>").count(),
        text.matches("<loc>").count(),
        "one <loc> per <url>"
    );
    let sitemap = scraper::Html::parse_fragment(&text);
    let whole = select_texts(&sitemap, "loc");
    // Whole addresses under the site's, and the paths below it.
    let locs: Vec<String> = whole
        .iter()
        .map(|loc| {
            loc.strip_prefix(&format!("{base}/"))
                .unwrap_or_else(|| panic!("{loc} is under {base}/"))
                .to_string()
        })
        .collect();
    let files = output_files(&site);
    for page in PAGES {
        let count = locs.iter().filter(|l| percent_decode(l) == *page).count();
        assert_eq!(count, 1, "{page} appears once in the sitemap: {locs:#?}");
    }
    for loc in &locs {
        assert!(
            loc.is_ascii(),
            "sitemaps want RFC 3986 addresses, percent-encoded: {loc}"
        );
        let target = resolve("sitemap.xml", loc).unwrap();
        assert!(files.contains(&target), "sitemap entry {loc} is an output file");
    }
    // The ledger's pages per year and per meeting too.
    let decoded: Vec<String> = locs.iter().map(|l| percent_decode(l)).collect();
    let ledger_pages: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("sessions/years/") || f.starts_with("sessions/meetings/"))
        .filter(|f| !f.ends_with("/index.html"))
        .collect();
    assert!(!ledger_pages.is_empty(), "{files:?}");
    assert!(
        !text.contains("years/index.html"),
        "forwarding pages are not in the sitemap"
    );
    for page in ledger_pages {
        assert!(decoded.contains(page), "{page} is in the sitemap: {decoded:#?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------------------

/// A reader who trims an address to its folder (`sessions/years/`, `search/`) lands on the page
/// that lists what the folder holds, not on "not found" or a server's file listing.
#[test]
fn trimmed_folder_addresses_lead_on_to_their_page() {
    let site = built_basic();
    for (folder, target, title) in [
        (
            "sessions/years/index.html",
            "sessions/index.html",
            "第一议题学习记录",
        ),
        (
            "sessions/meetings/index.html",
            "sessions/index.html",
            "第一议题学习记录",
        ),
        ("search/index.html", "search.html", "搜索"),
    ] {
        let html = site.html(folder);
        let refresh = select_attrs(&html, "meta[http-equiv=refresh]", "content");
        let links = resolved_hrefs(&html, folder, "a");
        assert_eq!(links, [target], "{folder} links on");
        let href = refresh[0].strip_prefix("0; url=").expect("an immediate refresh");
        assert_eq!(
            resolve(folder, href).as_deref(),
            Some(target),
            "{folder}: {refresh:?}"
        );
        assert_eq!(select_texts(&html, "a"), [title], "{folder}");
        assert_eq!(select_attrs(&html, "html", "lang"), ["zh-CN"]);
    }
}

#[test]
fn md_links_are_rewritten_to_relative_html_urls() {
    let site = built_basic();
    let html = site.html("notes/2024/safety.html");
    let hrefs = select_attrs(&html, ".content a", "href");
    assert!(hrefs.contains(&"guide.html".to_string()), "{hrefs:?}");
    let fragment_link = hrefs
        .iter()
        .find(|h| h.starts_with("guide.html#"))
        .unwrap_or_else(|| panic!("a link to guide.html#…: {hrefs:?}"));
    assert_eq!(percent_decode(split_url(fragment_link).1), "第二部分");
    let guide = site.html("notes/2024/guide.html");
    assert!(
        ids_in(&guide).contains("第二部分"),
        "the fragment's target id exists"
    );

    let about = site.html("about.html");
    let hrefs = resolved_hrefs(&about, "about.html", ".content a");
    assert_eq!(hrefs, ["notes/2024/safety.html", "sessions/index.html"]);

    for file in output_files(&site).iter().filter(|f| f.ends_with(".html")) {
        for (_, url) in urls_in(&site.html(file)) {
            if scheme(&url).is_none() {
                assert!(
                    !split_url(&url).0.ends_with(".md"),
                    "{file} still links to a .md file: {url}"
                );
            }
        }
    }
}

#[test]
fn every_internal_url_is_relative_names_a_file_and_resolves() {
    let site = built_basic();
    let problems = link_problems(&site, &["https://www.example.org"]);
    assert!(
        problems.is_empty(),
        "bad URLs in the output:\n{}",
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Page content
// ---------------------------------------------------------------------------------------------

#[test]
fn page_shows_title_date_and_tag_links() {
    let site = built_basic();
    let html = site.html("notes/2024/safety.html");
    assert_eq!(select_texts(&html, "h1"), ["关于安全生产的重要论述"]);
    assert_eq!(
        select_texts(&html, "title"),
        ["关于安全生产的重要论述 - 测试学习库"]
    );
    assert_eq!(
        select_attrs(&html, ".page-header time", "datetime"),
        ["2024-03-01"]
    );
    assert_eq!(
        select_texts(&html, ".page-header a.tag"),
        ["安全生产", "第一议题"]
    );
    assert_eq!(
        resolved_hrefs(&html, "notes/2024/safety.html", ".page-header a.tag"),
        ["tags/安全生产.html", "tags/第一议题.html"]
    );
    let tag = site.html("tags/安全生产.html");
    let listed = resolved_hrefs(&tag, "tags/安全生产.html", "main a.page-link");
    assert_eq!(
        listed,
        ["sessions/2024-03-12.html", "notes/2024/safety.html"],
        "tag page lists its pages, newest first"
    );
    let tags = site.html("tags/index.html");
    let all = resolved_hrefs(&tags, "tags/index.html", "main a.tag");
    for tag in [
        "tags/安全生产.html",
        "tags/第一议题.html",
        "tags/示例.html",
        "tags/说明.html",
    ] {
        assert!(all.contains(&tag.to_string()), "tags index links {tag}: {all:?}");
    }
}

#[test]
fn toc_appears_only_with_more_than_one_heading_and_its_ids_exist() {
    let site = built_basic();
    let html = site.html("notes/2024/safety.html");
    assert_eq!(select_texts(&html, "nav.toc h2"), ["目录"]);
    assert_eq!(
        select_texts(&html, "nav.toc li a"),
        ["学习要点", "工作要求", "具体措施"]
    );
    let ids = ids_in(&html);
    for href in select_attrs(&html, "nav.toc li a", "href") {
        let id = percent_decode(href.strip_prefix('#').expect("an in-page link"));
        assert!(ids.contains(&id), "TOC target #{id} exists in the page");
        let heading = html
            .select(&selector(&format!(".content [id=\"{id}\"]")))
            .next()
            .unwrap_or_else(|| panic!("a heading with id {id}"));
        assert!(matches!(heading.value().name(), "h2" | "h3"));
    }
    let single = site.html("notes/2024/old.html");
    assert_eq!(select_texts(&single, ".content h2"), ["心得"]);
    assert!(
        select_texts(&single, "nav.toc").is_empty(),
        "no TOC for a single heading"
    );
}

#[test]
fn breadcrumbs_lead_from_home_through_nested_sections() {
    let site = built_basic();
    let html = site.html("notes/2024/safety.html");
    assert_eq!(
        select_texts(&html, "nav.breadcrumbs li"),
        ["首页", "学习资料", "2024年学习资料", "关于安全生产的重要论述"]
    );
    assert_eq!(
        resolved_hrefs(&html, "notes/2024/safety.html", "nav.breadcrumbs a"),
        ["index.html", "notes/index.html", "notes/2024/index.html"]
    );
}

#[test]
fn previous_and_next_follow_weight_then_newest_first() {
    let site = built_basic();
    // Order in notes/2024: safety (weight 1), guide (weight 2), gfm (2024-05-10), old (2024-01-15).
    let pager = |page: &str| {
        let html = site.html(page);
        let link = |class: &str| {
            resolved_hrefs(&html, page, &format!("nav.pager a.{class}"))
                .into_iter()
                .next()
        };
        (link("pager-prev"), link("pager-next"))
    };
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        pager("notes/2024/safety.html"),
        (None, some("notes/2024/guide.html"))
    );
    assert_eq!(
        pager("notes/2024/guide.html"),
        (some("notes/2024/safety.html"), some("notes/2024/gfm.html"))
    );
    assert_eq!(
        pager("notes/2024/gfm.html"),
        (some("notes/2024/guide.html"), some("notes/2024/old.html"))
    );
    assert_eq!(pager("notes/2024/old.html"), (some("notes/2024/gfm.html"), None));
    let guide = site.html("notes/2024/guide.html");
    assert_eq!(
        select_texts(&guide, "nav.pager a.pager-prev"),
        ["上一篇关于安全生产的重要论述"]
    );
    assert_eq!(select_texts(&guide, "nav.pager a.pager-next"), ["下一篇格式示例"]);
}

#[test]
fn session_record_shows_its_header_block() {
    let site = built_basic();
    let page = "sessions/2024-03-12.html";
    let html = site.html(page);
    let info = definition_pairs(&html, "dl.session-info");
    assert_eq!(info.get("会议").map(String::as_str), Some("区委常委会"));
    assert_eq!(info.get("日期").map(String::as_str), Some("2024-03-12"));
    assert_eq!(
        info.get("学习内容").map(String::as_str),
        Some("学习贯彻关于安全生产的重要论述")
    );
    assert_eq!(info.get("主持人").map(String::as_str), Some("区委书记"));
    assert_eq!(info.get("参会人数").map(String::as_str), Some("13"));
    assert_eq!(
        select_texts(&html, "dl.session-info .materials dd a"),
        ["关于安全生产的重要论述", "学习指南"]
    );
    assert_eq!(
        resolved_hrefs(&html, page, "dl.session-info .materials dd a"),
        ["notes/2024/safety.html", "notes/2024/guide.html"]
    );
    // The meeting and the date lead to the ledger's pages of that meeting and that year.
    assert_eq!(
        select_texts(&html, "dl.session-info dd a")[..2],
        ["区委常委会", "2024-03-12"]
    );
    assert_eq!(
        resolved_hrefs(&html, page, "dl.session-info dd a")[..2],
        ["sessions/meetings/区委常委会.html", "sessions/years/2024.html"]
    );
}

#[test]
fn material_page_lists_the_sessions_that_studied_it() {
    let site = built_basic();
    for material in ["notes/2024/safety.html", "notes/2024/guide.html"] {
        let html = site.html(material);
        let section = html
            .select(&selector("section.studied-in"))
            .next()
            .unwrap_or_else(|| panic!("{material} has a studied-in section"));
        let heading: String = section.select(&selector("h2")).next().unwrap().text().collect();
        assert_eq!(heading.trim(), "学习记录");
        let links: Vec<String> = section
            .select(&selector("a"))
            .map(|a| resolve(material, a.value().attr("href").unwrap()).unwrap())
            .collect();
        assert_eq!(links, ["sessions/2024-03-12.html"], "in {material}");
    }
    let not_studied = site.html("notes/2024/old.html");
    assert!(select_texts(&not_studied, "section.studied-in").is_empty());
}

/// A session that studied a page links to it and may share its tags: it is listed once, as a
/// session that studied it.
#[test]
fn a_session_that_studied_a_page_is_listed_on_it_once() {
    let site = TestSite::new();
    site.write(
        "content/notes/law.md",
        "---\ntitle: 安全生产法要点\ndate: 2024-03-01\ntags: [安全生产]\n---\n\n要点。\n",
    );
    site.write(
        "content/notes/other.md",
        "---\ntitle: 防汛工作要求\ndate: 2024-03-02\ntags: [安全生产]\n---\n\n要求。\n",
    );
    site.write(
        "content/sessions/s1.md",
        "---\ntitle: 室务会第一议题学习\ndate: 2024-03-12\nkind: session\nmeeting: 室务会\ntags: [安全生产]\nmaterials: [notes/law.md]\n---\n\n学习了[安全生产法要点](../notes/law.md)。\n",
    );
    site.build().success();
    let html = site.html("notes/law.html");
    let all: Vec<String> = select_texts(&html, "article a")
        .into_iter()
        .filter(|text| text == "室务会第一议题学习")
        .collect();
    assert_eq!(all.len(), 1, "{:?}", select_texts(&html, "article a"));
    assert_eq!(
        select_texts(&html, "section.studied-in a"),
        ["室务会第一议题学习"]
    );
    assert_eq!(select_texts(&html, "section.related a"), ["防汛工作要求"]);
}

#[test]
fn section_page_lists_its_pages_in_order() {
    let site = built_basic();
    let page = "notes/2024/index.html";
    let html = site.html(page);
    assert_eq!(select_texts(&html, "h1"), ["2024年学习资料"]);
    assert_eq!(
        select_texts(&html, "main ul.page-list a.page-link"),
        ["关于安全生产的重要论述", "学习指南", "格式示例", "早期学习笔记"]
    );
    let notes = site.html("notes/index.html");
    let subsections = resolved_hrefs(&notes, "notes/index.html", "main .section-cards a");
    assert_eq!(
        subsections,
        ["notes/2024/index.html"],
        "the parent section links its subsection"
    );
    // Its pages are all in the subsection: it does not say it has none.
    assert_eq!(select_texts(&notes, "main p.empty"), Vec::<String>::new());
    assert_eq!(
        select_texts(&notes, "main h2#pages-heading"),
        Vec::<String>::new()
    );
}

#[test]
fn an_empty_section_says_so() {
    let site = TestSite::new();
    site.write("content/empty/_index.md", "---\ntitle: 待补充栏目\n---\n");
    site.write("content/page.md", "---\ntitle: 首页文章\n---\n\n正文。\n");
    site.build().success();
    let html = site.html("empty/index.html");
    assert_eq!(select_texts(&html, "main p.empty"), ["本栏目暂无内容。"]);
}

#[test]
fn home_lists_sections_and_recent_pages() {
    let site = built_basic();
    let html = site.html("index.html");
    assert_eq!(select_texts(&html, "h1"), ["测试学习库"]);
    let sections: Vec<String> = select_texts(&html, "main .section-cards strong");
    assert_eq!(sections, ["学习资料", "第一议题学习记录"], "sections by weight");
    assert_eq!(
        resolved_hrefs(&html, "index.html", "main .section-cards a"),
        ["notes/index.html", "sessions/index.html"]
    );
    let recent = html
        .select(&selector("section[aria-labelledby=recent-heading]"))
        .next()
        .expect("a recent updates list");
    let titles: Vec<String> = recent
        .select(&selector("a.page-link"))
        .map(|a| a.text().collect::<String>().trim().to_string())
        .collect();
    assert_eq!(
        titles,
        [
            "学习指南",
            "格式示例",
            "区委常委会第一议题学习（2024年第3次）",
            "关于安全生产的重要论述",
            "早期学习笔记",
            "关于本站"
        ],
        "recent pages, newest first"
    );
}

// ---------------------------------------------------------------------------------------------
// Drafts
// ---------------------------------------------------------------------------------------------

#[test]
fn drafts_appear_nowhere_in_the_output() {
    let site = built_basic();
    let output = site.snapshot_output();
    assert!(!output.is_empty());
    let needles = ["zqxjdraftmarker", "draft-secret", "未完成的草稿", "草稿专用标签"];
    for (path, bytes) in &output {
        // The search pack's compressed data files are UTF-16: read their text too.
        let utf16 = bytes
            .starts_with(&[0xff, 0xfe])
            .then(|| studybook::search::pack::script_text(bytes).expect("UTF-16 text"));
        for needle in needles {
            let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
                || utf16.as_ref().is_some_and(|text| text.contains(needle));
            assert!(!found, "draft text `{needle}` found in {}", path.display());
        }
    }
    assert!(!site.output_exists("notes/draft-secret.html"));
    assert!(!site.output_exists("tags/草稿专用标签.html"));
    // A positive control: published text does reach the search index files.
    let index_has_published_text = output.iter().any(|(path, bytes)| {
        path.starts_with("search")
            && bytes
                .windows("人民至上".len())
                .any(|w| w == "人民至上".as_bytes())
    });
    assert!(
        index_has_published_text,
        "the grep can see text in the search index"
    );
}

#[test]
fn drafts_are_built_with_the_drafts_flag() {
    let site = TestSite::fixture("basic");
    site.run(&["build", "--drafts"]).success();
    let html = site.html("notes/draft-secret.html");
    assert_eq!(select_texts(&html, "h1"), ["未完成的草稿"]);
    assert!(select_texts(&html, ".content p")
        .concat()
        .contains("zqxjdraftmarker"));
    assert!(site.output_exists("tags/草稿专用标签.html"));
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

#[test]
fn raw_html_is_sanitized_but_keeps_merged_cells() {
    let site = TestSite::new();
    site.write(
        "content/pasted.md",
        "---\ntitle: 粘贴的表格\n---\n\n<script>alert(1)</script>\n\n<a href=\"javascript:alert(1)\">点我</a>\n\n<img src=data:, onerror=\"alert(1)\">\n\n<table><tr><td rowspan=\"2\" onclick=\"alert(1)\">合并单元格</td><td>甲</td></tr><tr><td>乙</td></tr></table>\n\n[链接](javascript:alert(1))\n",
    );
    site.build().success();
    let html = site.html("pasted.html");
    let content = html
        .select(&selector(".content"))
        .next()
        .expect("the page content");
    assert_eq!(
        content.select(&selector("script")).count(),
        0,
        "no script element"
    );
    assert_eq!(
        html.select(&selector("script:not([src])")).count(),
        0,
        "no inline script anywhere"
    );
    for element in content.select(&selector("*")) {
        for (name, value) in element.value().attrs() {
            assert!(
                !name.starts_with("on"),
                "event handler {name} kept on <{}>",
                element.value().name()
            );
            assert!(
                !value.trim().to_ascii_lowercase().starts_with("javascript:"),
                "javascript: URL kept in {name}"
            );
        }
    }
    let merged = content
        .select(&selector("td[rowspan='2']"))
        .next()
        .expect("rowspan kept");
    assert_eq!(merged.text().collect::<String>(), "合并单元格");
    assert!(
        !content.text().collect::<String>().contains("alert(1)"),
        "the script's text is gone"
    );
    assert_eq!(
        select_texts(&html, ".content a"),
        ["点我", "链接"],
        "link texts survive"
    );
}

#[test]
fn gfm_extensions_render() {
    let site = built_basic();
    let html = site.html("notes/2024/gfm.html");
    assert_eq!(select_texts(&html, ".content table thead th"), ["会议", "次数"]);
    assert_eq!(
        select_texts(&html, ".content table tbody tr:first-child td"),
        ["区委常委会", "12", "合并单元格", "第一行"]
    );
    // Footnotes: a reference, and the footnotes section holding the note with its id.
    let refs = select_attrs(&html, ".content sup a[href^='#']", "href");
    assert_eq!(refs.len(), 1, "one footnote reference");
    let note_text = select_texts(&html, ".content section.footnotes li").concat();
    assert!(note_text.contains("脚注的内容。"), "{note_text}");
    let target = refs[0].trim_start_matches('#');
    assert!(
        ids_in(&html).contains(target),
        "the footnote reference leads to #{target}"
    );
    // Task list.
    let boxes = select_attrs(&html, ".content li input[type=checkbox]", "type");
    assert_eq!(boxes.len(), 2, "two task list checkboxes");
    assert_eq!(
        html.select(&selector(".content li input[type=checkbox][checked]"))
            .count(),
        1
    );
    // Strikethrough and autolink.
    assert_eq!(select_texts(&html, ".content del"), ["删除线"]);
    assert_eq!(
        select_attrs(&html, ".content a[href^='https:']", "href"),
        ["https://www.example.org"]
    );
    // CJK-friendly emphasis.
    let safety = site.html("notes/2024/safety.html");
    assert_eq!(select_texts(&safety, ".content strong"), ["重要："]);
}

#[test]
fn crlf_and_bom_files_are_accepted() {
    let site = TestSite::fixture("basic");
    site.write_bytes(
        "content/notes/crlf.md",
        "---\r\ntitle: Windows 记事本文件\r\ndate: 2024-02-02\r\ntags: [换行]\r\n---\r\n\r\n## 第一节\r\n\r\n正文一。\r\n\r\n## 第二节\r\n\r\n正文二。\r\n"
            .as_bytes(),
    );
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice("---\ntitle: 带 BOM 的文件\ndate: 2024-02-03\n---\n\n正文。\n".as_bytes());
    site.write_bytes("content/notes/bom.md", &bom);
    let run = site.build().success();
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);

    let crlf = site.html("notes/crlf.html");
    assert_eq!(select_texts(&crlf, "h1"), ["Windows 记事本文件"]);
    assert_eq!(
        select_attrs(&crlf, ".page-header time", "datetime"),
        ["2024-02-02"]
    );
    assert_eq!(select_texts(&crlf, ".page-header a.tag"), ["换行"]);
    assert_eq!(select_texts(&crlf, "nav.toc li a"), ["第一节", "第二节"]);
    assert!(
        !site.output("notes/crlf.html").contains('\r'),
        "no carriage return leaks into the page"
    );

    let bom = site.html("notes/bom.html");
    assert_eq!(select_texts(&bom, "h1"), ["带 BOM 的文件"]);
    assert_eq!(
        select_attrs(&bom, ".page-header time", "datetime"),
        ["2024-02-03"]
    );
    assert_eq!(select_texts(&bom, ".content p"), ["正文。"]);
}

// ---------------------------------------------------------------------------------------------
// Language and theme
// ---------------------------------------------------------------------------------------------

#[test]
fn default_language_is_chinese() {
    let site = built_basic();
    let html = site.html("notes/2024/guide.html");
    assert_eq!(select_attrs(&html, "html", "lang"), ["zh-CN"]);
    assert_eq!(select_texts(&html, "form.search-form button"), ["搜索"]);
    assert_eq!(select_texts(&html, "nav.toc h2"), ["目录"]);
    assert_eq!(select_texts(&html, "nav.pager a.pager-prev span"), ["上一篇"]);
    assert_eq!(select_texts(&html, "nav.pager a.pager-next span"), ["下一篇"]);
    assert!(select_texts(&html, "nav.main-nav a").contains(&"标签".to_string()));
    assert_eq!(select_texts(&html, "nav.breadcrumbs li")[0], "首页");
}

#[test]
fn english_language_switches_labels() {
    let site = TestSite::fixture("basic");
    site.write(
        "book.toml",
        "[book]\ntitle = \"Test library\"\nlanguage = \"en\"\n",
    );
    site.build().success();
    let html = site.html("notes/2024/guide.html");
    assert_eq!(select_attrs(&html, "html", "lang"), ["en"]);
    assert_eq!(select_texts(&html, "form.search-form button"), ["Search"]);
    assert_eq!(select_texts(&html, "nav.toc h2"), ["Contents"]);
    assert_eq!(select_texts(&html, "nav.pager a.pager-prev span"), ["Previous"]);
    assert_eq!(select_texts(&html, "nav.pager a.pager-next span"), ["Next"]);
    assert!(select_texts(&html, "nav.main-nav a").contains(&"Tags".to_string()));
    assert_eq!(select_texts(&html, "nav.breadcrumbs li")[0], "Home");
    let all_text: String = html.root_element().text().collect();
    for chinese_label in ["上一篇", "下一篇", "目录", "首页", "标签"] {
        assert!(
            !all_text.contains(chinese_label),
            "Chinese label {chinese_label} left in an English site"
        );
    }
    // Labels with values and counts use English punctuation, and one page is one page.
    let tag = site.html("tags/安全生产.html");
    assert_eq!(select_texts(&tag, "h1"), ["Tag: 安全生产"]);
    let tags = site.html("tags/index.html");
    assert_eq!(select_texts(&tags, "nav.breadcrumbs li"), ["Home", "All tags"]);
    let search = site.html("search.html");
    assert_eq!(select_texts(&search, "nav.breadcrumbs li"), ["Home", "Search"]);
    assert_eq!(select_texts(&tag, "p.lead"), ["Pages with this tag (2)"]);
    let ledger = site.html("sessions/index.html");
    assert_eq!(
        select_texts(&ledger, "p strong")[..2],
        ["By year:", "By meeting:"]
    );
    let stats = site.html("sessions/stats.html");
    assert_eq!(select_texts(&stats, "p.lead"), ["Sessions: 1 · Attendance: 13"]);
    assert_eq!(select_texts(&stats, "caption")[0], "Sessions by year and meeting");
    let home = site.html("index.html");
    assert!(
        select_texts(&home, "span.count").contains(&"1 page".to_string()),
        "{:?}",
        select_texts(&home, "span.count")
    );
    let csv = std::fs::read_to_string(site.path("public/sessions.csv")).unwrap();
    assert_eq!(
        csv.trim_start_matches('\u{feff}').lines().next(),
        Some("Date,Meeting,Topic,Host,Attendees,Title,Materials,Link")
    );
}

#[test]
fn theme_template_override_replaces_the_builtin() {
    let site = TestSite::fixture("basic");
    site.write(
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}\n{% block main %}\n<p id=\"override-marker\">自定义模板：{{ page.title }}</p>\n{% endblock main %}\n",
    );
    site.build().success();
    let html = site.html("notes/2024/safety.html");
    assert_eq!(
        select_texts(&html, "#override-marker"),
        ["自定义模板：关于安全生产的重要论述"]
    );
    assert!(
        select_texts(&html, "article.page").is_empty(),
        "the built-in page body is gone"
    );
    assert_eq!(
        select_texts(&html, "header.site-header a.site-title"),
        ["测试学习库"],
        "base.html still applies"
    );
    let section = site.html("notes/index.html");
    assert!(
        select_texts(&section, "#override-marker").is_empty(),
        "other templates are untouched"
    );
}

#[test]
fn theme_static_override_replaces_the_stylesheet() {
    let plain = built_basic();
    let default_css = select_attrs(&plain.html("index.html"), "link[rel=stylesheet]", "href");

    let site = TestSite::fixture("basic");
    let css = "body { color: #123456; }\n";
    site.write("themes/default/static/style.css", css);
    site.build().success();
    let html = site.html("index.html");
    let href = select_attrs(&html, "link[rel=stylesheet]", "href");
    assert_eq!(href.len(), 1);
    assert_ne!(href, default_css, "the hashed name changes with the content");
    assert!(
        href[0].starts_with("assets/style.") && href[0].ends_with(".css"),
        "{href:?}"
    );
    assert_eq!(site.output(&href[0]), css, "the override's bytes are served");
    let stylesheets = output_files(&site)
        .into_iter()
        .filter(|f| f.starts_with("assets/style."))
        .count();
    assert_eq!(stylesheets, 1, "only the override is written");
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

#[test]
fn check_validates_and_writes_nothing() {
    let site = TestSite::fixture("basic");
    let run = site.run(&["check"]).success();
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
    assert!(!site.path("public").exists(), "check wrote an output folder");
    let entries: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !entries
            .iter()
            .any(|e| e.contains("staging") || e.contains("public")),
        "{entries:?}"
    );
}

#[test]
fn init_creates_a_site_that_builds_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    studybook(&["init", "newsite", "--root", root]).success();
    let site = dir.path().join("newsite");
    for file in ["book.toml", ".gitignore"] {
        assert!(site.join(file).is_file(), "init wrote {file}");
    }
    // The output and a build's leftovers (stopped by Ctrl-C) stay out of version control.
    let ignored = std::fs::read_to_string(site.join(".gitignore")).unwrap();
    assert_eq!(ignored.lines().collect::<Vec<_>>(), ["/public/", "/.public.*"]);
    let pages = files_under(&site.join("content"));
    assert!(
        pages.iter().filter(|p| p.ends_with(".md")).count() >= 2,
        "{pages:?}"
    );
    let build = studybook(&["build", "--root", site.to_str().unwrap()]).success();
    assert!(!build.stderr.contains("warning:"), "{}", build.stderr);
    assert!(site.join("public").join("index.html").is_file());
    let output = files_under(&site.join("public"));
    assert!(
        output
            .iter()
            .any(|f| f.starts_with("sessions/") && f.ends_with(".html") && !f.ends_with("index.html")),
        "the sample session record is built: {output:#?}"
    );
}

/// An unknown `--language` is a usage error (exit code 2), as clap's own are; nothing is made.
#[test]
fn init_refuses_an_unknown_language() {
    let dir = tempfile::tempdir().unwrap();
    let run = studybook(&[
        "init",
        "site",
        "--language",
        "fr",
        "--root",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "stderr:\n{}", run.stderr);
    assert_eq!(
        run.stderr.trim_end(),
        "error: unsupported language `fr`; use one of: zh-CN, en"
    );
    assert!(!dir.path().join("site").exists());
}

#[test]
fn init_refuses_a_non_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("full");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep.txt"), "原有文件").unwrap();
    let run = studybook(&["init", "full", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 1, "stderr:\n{}", run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert_eq!(files_under(&target), BTreeSet::from(["keep.txt".to_string()]));
    assert_eq!(
        std::fs::read_to_string(target.join("keep.txt")).unwrap(),
        "原有文件"
    );
}

#[test]
fn out_flag_writes_to_the_given_folder() {
    let site = TestSite::fixture("basic");
    let out = site.path("elsewhere/site");
    site.run(&["build", "--out", out.to_str().unwrap()]).success();
    assert!(out.join("index.html").is_file());
    assert!(out.join("notes").join("2024").join("safety.html").is_file());
    assert!(
        !site.path("public").exists(),
        "the default output folder is not written"
    );
}

#[test]
fn rebuilding_replaces_the_previous_output() {
    let site = built_basic();
    site.remove("content/notes/2024/gfm.md");
    site.write(
        "content/notes/2024/new.md",
        "---\ntitle: 新增笔记\ndate: 2024-08-01\n---\n\n新内容。\n",
    );
    site.build().success();
    assert!(
        !site.output_exists("notes/2024/gfm.html"),
        "a removed page's output is removed"
    );
    assert!(site.output_exists("notes/2024/new.html"));
    let leftovers: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging or old folders left behind: {leftovers:?}"
    );
}

#[test]
fn what_a_stopped_build_left_behind_is_removed_by_the_next_one() {
    let site = built_basic();
    let marked = |name: &str| {
        site.write(&format!("{name}/.studybook-output"), "generated\n");
        site.write(&format!("{name}/notes/index.html"), "<p>half written</p>");
    };
    // A build stopped by Ctrl-C: its staging folder and its lock file, which nobody holds.
    marked(".public.staging-4000000");
    site.write(".public.staging-4000000.lock", "");
    // A previous output moved aside that could not be removed.
    marked(".public.old-4000000-3");
    // A build running right now: its lock file is held.
    marked(".public.staging-4000001");
    site.write(".public.staging-4000001.lock", "");
    let held = std::fs::File::options()
        .write(true)
        .open(site.path(".public.staging-4000001.lock"))
        .unwrap();
    held.lock().unwrap();
    // Not studybook's: no marker.
    site.write(".public.staging-notes/keep.txt", "mine");

    site.build().success();
    let mut left: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public"))
        .collect();
    left.sort();
    assert_eq!(
        left,
        [".public.staging-4000001", ".public.staging-4000001.lock", ".public.staging-notes"],
        "the stopped build's folder, its lock and the old output are gone; the live build's and a folder without the marker stay"
    );
    assert!(site.output_exists("index.html"));
    drop(held);
    site.build().success();
    assert!(
        !site.path(".public.staging-4000001").exists() && !site.path(".public.staging-4000001.lock").exists(),
        "once its builder is gone, the next build removes it"
    );
    assert!(site.path(".public.staging-notes/keep.txt").exists());
}

// ---------------------------------------------------------------------------------------------
// The demo site
// ---------------------------------------------------------------------------------------------

#[test]
fn demo_check_is_clean() {
    let site = TestSite::demo();
    let run = site.run(&["check"]).success();
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("warning:")).collect();
    assert!(
        warnings.is_empty(),
        "warnings on the demo content:\n{}",
        run.stderr
    );
}

#[test]
fn demo_builds_without_external_urls() {
    let site = TestSite::demo();
    let run = site.build().success();
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
    let problems = external_url_problems(&site);
    assert!(
        problems.is_empty(),
        "external URLs in the demo output:\n{}",
        problems.join("\n")
    );
}

#[test]
fn demo_internal_links_resolve() {
    let site = TestSite::demo();
    site.build().success();
    let problems = link_problems(&site, &[]);
    assert!(
        problems.is_empty(),
        "bad URLs in the demo output:\n{}",
        problems.join("\n")
    );
}

#[test]
fn tags_separated_by_full_width_commas_are_separate_tags() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        "---\ntitle: 全角逗号\ndate: 2024-05-01\ntags: [安全，生产, 学习]\n---\n\n正文。\n",
    );
    site.build().success();
    let files = output_files(&site);
    for tag in ["安全", "生产", "学习"] {
        assert!(files.contains(&format!("tags/{tag}.html")), "{tag}: {files:?}");
    }
    assert!(!files.iter().any(|f| f.contains('，')), "{files:?}");
}

/// Chinese list punctuation in tags and materials: the enumeration comma `、` and full-width
/// brackets separate as the editor meant.
#[test]
fn tags_and_materials_typed_with_chinese_punctuation_are_lists() {
    let site = TestSite::new();
    site.write(
        "content/notes/甲.md",
        "---\ntitle: 甲\ndate: 2024-05-01\ntags: 安全、生产\n---\n\n正文。\n",
    );
    site.write(
        "content/notes/乙.md",
        "---\ntitle: 乙\ndate: 2024-05-02\ntags: ［应急，防汛］\n---\n\n正文。\n",
    );
    site.write(
        "content/sessions/2024-05-03.md",
        "---\ntitle: 记录\ndate: 2024-05-03\nkind: session\nmeeting: 室务会\nmaterials: notes/甲.md，notes/乙.md\n---\n\n正文。\n",
    );
    site.build().success();
    let files = output_files(&site);
    for tag in ["安全", "生产", "应急", "防汛"] {
        assert!(files.contains(&format!("tags/{tag}.html")), "{tag}: {files:?}");
    }
    assert!(!files.iter().any(|f| f.contains(['、', '［', '］'])), "{files:?}");
    let record = site.html("sessions/2024-05-03.html");
    let links = select_attrs(&record, "a", "href");
    for page in ["甲.html", "乙.html"] {
        assert!(
            links.iter().any(|l| percent_decode(l).ends_with(page)),
            "{page}: {links:?}"
        );
    }
}

#[test]
fn links_in_raw_html_are_rewritten_like_markdown_links() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/notes/raw-html.md",
        "---\ntitle: 原始网页代码\ndate: 2024-05-01\n---\n\n<table><tr><td rowspan=\"2\"><a href=\"2024/guide.md#第一部分\">指南</a></td><td><img src=\"2024/chart.svg\" alt=\"图\"></td></tr></table>\n\n行内 <a href=\"../about.md\">关于</a>。\n",
    );
    site.build().success();
    let html = site.html("notes/raw-html.html");
    let hrefs = select_attrs(&html, "article a", "href");
    assert!(
        hrefs.iter().any(|h| h.starts_with("2024/guide.html#")),
        "{hrefs:?}"
    );
    assert!(hrefs.contains(&"../about.html".to_string()), "{hrefs:?}");
    assert!(
        !hrefs.iter().any(|h| h.ends_with(".md") || h.contains(".md#")),
        "{hrefs:?}"
    );
    let srcs = select_attrs(&html, "article img", "src");
    assert_eq!(srcs, ["2024/chart.svg"]);
    assert!(site.path("public/notes/2024/chart.svg").is_file());
}

/// Titles may hold a half-width `?` or `#`; a wikilink with an empty text after `|` shows the
/// title, as one without `|` does.
#[test]
fn wikilinks_to_titles_with_question_marks_and_hashes_and_with_empty_text() {
    let site = TestSite::new();
    site.write(
        "content/q.md",
        "---\ntitle: 什么是党建?\n---\n\n## 正文\n\n内容。\n",
    );
    site.write(
        "content/c.md",
        "---\ntitle: \"C#编程与100%完成率\"\n---\n\n内容。\n",
    );
    site.write(
        "content/links.md",
        "---\ntitle: 链接页\n---\n\n- [[什么是党建?]]\n- [[C#编程与100%完成率]]\n- [[什么是党建?#正文]]\n- [[c|]]\n- [[c|　]]\n",
    );
    let run = site.build().success();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let links = site.html("links.html");
    assert_eq!(
        select_attrs(&links, "article a", "href"),
        [
            "q.html",
            "c.html",
            "q.html#%E6%AD%A3%E6%96%87",
            "c.html",
            "c.html"
        ]
    );
    // A text of a full-width space alone (an input method's) is empty too.
    assert_eq!(
        select_texts(&links, "article a"),
        [
            "什么是党建?",
            "C#编程与100%完成率",
            "什么是党建?",
            "C#编程与100%完成率",
            "C#编程与100%完成率"
        ]
    );
}

#[test]
fn a_wikilink_to_a_heading_by_its_text_lands_on_the_heading() {
    let site = TestSite::new();
    site.write(
        "content/target.md",
        "---\ntitle: 实施方案\n---\n\n## 一、总体要求\n\n正文。\n\n## Main Tasks\n\n正文。\n",
    );
    site.write(
        "content/source.md",
        "---\ntitle: 引用页\n---\n\n见[[实施方案#一、总体要求]]与[[实施方案#Main Tasks]]。\n",
    );
    site.build().success();
    let source = site.html("source.html");
    let target = site.html("target.html");
    let ids = ids_in(&target);
    let hrefs = select_attrs(&source, "article a", "href");
    assert_eq!(hrefs.len(), 2, "{hrefs:?}");
    for href in hrefs {
        let (page, fragment) = href.split_once('#').unwrap();
        assert_eq!(page, "target.html");
        // Browsers match the percent-decoded fragment against ids.
        let fragment = percent_decode(fragment);
        assert!(
            ids.contains(&fragment),
            "#{fragment} is a heading id of target.html: {ids:?}"
        );
    }
}

/// The screen-reader labels inside page text (heading anchors, footnote back links) speak the
/// site's language, as the theme's labels do.
#[test]
fn labels_inside_page_text_follow_the_site_language() {
    let page =
        "---\ntitle: 标签语言\ndate: 2024-05-01\n---\n\n## 一、学习要点\n\n正文[^1]。\n\n[^1]: 注释。\n";
    let site = TestSite::fixture("basic");
    site.write("content/notes/labels.md", page);
    site.build().success();
    let html = site.output("notes/labels.html");
    assert!(html.contains("aria-label=\"本节链接：一、学习要点\""), "{html}");
    assert!(html.contains("aria-label=\"返回正文引用处 1\""), "{html}");
    assert!(
        !html.contains("Link to heading") && !html.contains("Back to reference"),
        "{html}"
    );

    site.write(
        "book.toml",
        "[book]\ntitle = \"Test library\"\nlanguage = \"en\"\n",
    );
    site.build().success();
    let html = site.output("notes/labels.html");
    assert!(
        html.contains("aria-label=\"Link to heading: 一、学习要点\""),
        "{html}"
    );
    assert!(html.contains("aria-label=\"Back to reference 1\""), "{html}");
}

/// Pages saved as `.markdown` (as Hugo and many editors write them) are pages: an `.html`
/// address, links to them by file, by path and by address, and a place in search; before, they
/// were copied as attachments.
#[test]
fn markdown_extension_pages_are_pages() {
    let site = TestSite::new();
    site.write(
        "content/notes/防汛预案.markdown",
        "---\ntitle: 防汛应急预案学习\ndate: 2024-05-01\n---\n\n汛期值班要求。\n",
    );
    site.write(
        "content/notes/index-page.md",
        "---\ntitle: 索引\ndate: 2024-05-02\n---\n\n见[预案](防汛预案.markdown)、[[notes/防汛预案]]和[地址](防汛预案.html)。\n",
    );
    site.build().success();
    let files = output_files(&site);
    assert!(files.contains("notes/防汛预案.html"), "{files:?}");
    assert!(!files.iter().any(|f| f.ends_with(".markdown")), "{files:?}");
    let page = site.html("notes/index-page.html");
    let links: Vec<String> = select_attrs(&page, ".content a", "href")
        .iter()
        .map(|l| percent_decode(l))
        .collect();
    assert_eq!(links.len(), 3, "{links:?}");
    assert!(links.iter().all(|l| l.ends_with("防汛预案.html")), "{links:?}");
    // Any letter case, and a folder's `index.markdown` describes the folder.
    site.write(
        "content/plans/index.markdown",
        "---\ntitle: 预案汇编\n---\n\n各类预案。\n",
    );
    site.write(
        "content/plans/地震.Markdown",
        "---\ntitle: 地震预案\n---\n\n正文。\n",
    );
    site.write(
        "content/plans/links.md",
        "---\ntitle: 链接\n---\n\n[地震](地震.html) [[plans/地震]]\n",
    );
    site.build().success();
    let page = site.html("plans/links.html");
    let links: Vec<String> = select_attrs(&page, ".content a", "href")
        .iter()
        .map(|l| percent_decode(l))
        .collect();
    assert_eq!(links, ["地震.html", "地震.html"]);
    assert!(site.output("plans/index.html").contains("预案汇编"));
    let found = site.run(&["search", "汛期值班", "--json"]).success();
    assert!(found.stdout.contains("notes/防汛预案.html"), "{}", found.stdout);
}

/// Windows habits: a page saved as `.MD` is a page like any other, and a backup beside it
/// (`.bak`) is not published.
#[test]
fn upper_case_md_pages_and_backup_files() {
    let site = TestSite::new();
    site.write(
        "content/通知.MD",
        "---\ntitle: 通知\ndate: 2024-05-01\n---\n\n正文。\n",
    );
    site.write(
        "content/安全生产.md",
        "---\ntitle: 安全生产\ndate: 2024-05-02\n---\n\n见[通知](通知.MD)。\n",
    );
    site.write(
        "content/安全生产.md.bak",
        "---\ntitle: 旧稿\n---\n\n不该发布的旧稿。\n",
    );
    site.build().success();
    let files = output_files(&site);
    assert!(files.contains("通知.html"), "{files:?}");
    assert!(
        !files.iter().any(|f| f.ends_with(".bak") || f.contains(".MD")),
        "{files:?}"
    );
    let page = site.html("安全生产.html");
    let links = select_attrs(&page, ".content a", "href");
    assert_eq!(
        links.iter().map(|l| percent_decode(l)).collect::<Vec<_>>(),
        ["通知.html"]
    );
}

/// HTML pasted from Word or a web page brings `<style>`, `<script>` and `<!--[if …]>`
/// blocks: the sanitiser drops them from the page, and the summaries, the description and the
/// search index leave them out too.
#[test]
fn pasted_styles_and_scripts_are_in_no_summary_and_no_search() {
    let site = TestSite::new();
    site.write(
        "content/paste.md",
        "---\ntitle: 从网页粘贴的内容\ndate: 2024-02-03\n---\n\n<style>\np.MsoNormal { mso-style-name:正文样式; font-family:仿宋_GB2312; }\n</style>\n\n<!--[if gte mso 9]><xml><w:WordDocument>兼容模式</w:WordDocument></xml><![endif]-->\n\n<p class=\"MsoNormal\">这是从Word粘贴过来的正文。</p>\n\n<script>var 统计代码 = 1;</script>\n",
    );
    site.build().success();
    let page = site.html("paste.html");
    assert_eq!(
        select_attrs(&page, "meta[name=description]", "content"),
        ["这是从Word粘贴过来的正文。"]
    );
    let home = site.output("index.html");
    assert!(home.contains("这是从Word粘贴过来的正文。"), "{home}");
    for hidden in ["仿宋", "MsoNormal", "兼容模式", "统计代码"] {
        assert!(!home.contains(hidden), "{hidden} on the home page: {home}");
        let found = site.run(&["search", hidden, "--json"]).success();
        assert_eq!(found.stdout, "", "{hidden} is searchable");
    }
    let found = site.run(&["search", "粘贴", "--json"]).success();
    assert!(found.stdout.contains("paste.html"), "{}", found.stdout);
}

/// `<iframe>`, `<video>` and the like are removed by the sanitiser: the editor hears of it at
/// their line, and an `<iframe>`'s address is not called an image.
#[test]
fn embedded_pages_and_videos_are_warned_about_as_removed() {
    let site = TestSite::new();
    site.write("content/clip.mp4", "not really a video");
    site.write(
        "content/embed.md",
        "---\ntitle: 嵌入\n---\n\n<iframe src=\"https://example.com/v\"></iframe>\n\n段落 <video src=\"clip.mp4\"></video> 和 <img src=\"https://example.org/a.png\">\n",
    );
    let run = site.build().success();
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(
        warnings,
        [
            "warning: content/embed.md:5: `<iframe>` is removed from the page: the site shows no embedded pages, videos, sounds or forms",
            "warning: content/embed.md:7: the image `https://example.org/a.png` is loaded from another site",
            "warning: content/embed.md:7: `<video>` is removed from the page: the site shows no embedded pages, videos, sounds or forms",
        ],
        "{}",
        run.stderr
    );
    let page = site.output("embed.html");
    assert!(!page.contains("<iframe") && !page.contains("<video"), "{page}");
}
