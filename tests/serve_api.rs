//! `studybook serve` on a loopback port: the `/api/search` JSON API, its errors, and the static
//! files (path escapes, content types, cache headers, gzip, the 404 page).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{http_get, percent_encode, Server, TestSite};
use studybook::search::{SearchRequest, Searcher};

fn serve() -> (TestSite, Server) {
    let site = TestSite::fixture("search");
    let server = Server::start(&site, &[]);
    (site, server)
}

type Headers = BTreeMap<String, String>;

/// GET `/api/search?<query>`: status, headers and the parsed JSON body.
fn api(server: &Server, query: &str) -> (u16, Headers, serde_json::Value) {
    let (status, headers, body) = http_get(&server.base, &format!("/api/search?{query}"), &[]);
    let json = serde_json::from_slice(&body).unwrap_or_else(|e| {
        panic!(
            "/api/search?{query}: not JSON ({e}), status {status}: {}",
            String::from_utf8_lossy(&body)
        )
    });
    (status, headers, json)
}

fn result_paths(json: &serde_json::Value) -> Vec<String> {
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect()
}

fn content_type(headers: &Headers) -> &str {
    headers.get("content-type").map(String::as_str).unwrap_or("")
}

#[test]
fn serves_on_loopback_by_default() {
    let (_site, server) = serve();
    assert!(server.base.starts_with("http://127.0.0.1:"), "{}", server.base);
}

#[test]
fn api_returns_results_facets_total_and_time() {
    let (_site, server) = serve();
    let (status, headers, json) = api(&server, &format!("q={}", percent_encode("防汛")));
    assert_eq!(status, 200, "{json}");
    assert!(
        content_type(&headers).starts_with("application/json"),
        "{headers:?}"
    );
    assert_eq!(json["query"], "防汛");
    let paths = result_paths(&json);
    assert!(paths.contains(&"notes/flood-control.md".to_string()), "{paths:?}");
    assert!(
        paths.contains(&"sessions/2024/government-2024-03.md".to_string()),
        "{paths:?}"
    );
    assert_eq!(json["total"].as_u64(), Some(paths.len() as u64));
    assert!(json["took_ms"].as_f64().is_some_and(|t| t >= 0.0), "{json}");
    for result in json["results"].as_array().unwrap() {
        for key in ["path", "url", "title", "title_html", "kind", "snippet"] {
            assert!(result[key].is_string(), "{key} in {result}");
        }
        assert!(result["score"].is_number(), "{result}");
        assert!(result["snippet"].as_str().unwrap().contains("<mark>"), "{result}");
    }
    let session = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "session")
        .unwrap();
    assert_eq!(session["meeting"], "区政府党组会");
    assert_eq!(session["date"], "2024-03-21");
    let facets = &json["facets"];
    let count = |group: &str, value: &str| {
        facets[group]
            .as_array()
            .unwrap_or_else(|| panic!("no {group} facet: {facets}"))
            .iter()
            .find(|f| f["value"] == value)
            .and_then(|f| f["count"].as_u64())
    };
    assert_eq!(
        count("kind", "note"),
        Some(paths.iter().filter(|p| p.starts_with("notes/")).count() as u64)
    );
    assert_eq!(count("kind", "session"), Some(1));
    assert_eq!(count("meeting", "区政府党组会"), Some(1));
    assert_eq!(count("tag", "应急管理"), Some(2));
    assert_eq!(count("year", "2023"), Some(1));
    assert_eq!(count("year", "2024"), Some(1));
}

#[test]
fn api_filters_and_pages() {
    let (_site, server) = serve();
    let q = percent_encode("第一议题");
    let (status, _, json) = api(
        &server,
        &format!("q={q}&kind=session&meeting={}", percent_encode("区委常委会")),
    );
    assert_eq!(status, 200, "{json}");
    let paths: BTreeSet<String> = result_paths(&json).into_iter().collect();
    let expected: BTreeSet<String> = [
        "sessions/2023/standing-2023-01.md",
        "sessions/2024/standing-2024-01.md",
        "sessions/2024/standing-2024-10.md",
    ]
    .map(String::from)
    .into();
    assert_eq!(paths, expected);
    assert_eq!(json["total"], 3);

    let (_, _, json) = api(&server, &format!("q={q}&year=2024"));
    assert_eq!(json["total"], 4, "{json}");
    for result in json["results"].as_array().unwrap() {
        assert!(result["date"].as_str().unwrap().starts_with("2024"), "{result}");
    }
    let (_, _, json) = api(&server, &format!("q={q}&tag={}", percent_encode("营商环境")));
    assert_eq!(result_paths(&json), ["sessions/2025/government-2025-02.md"]);
    let (_, _, json) = api(&server, &format!("q={q}&from=2023-04-07&to=2024-03-21"));
    assert_eq!(json["total"], 4, "{json}");

    // Paging: the same ranking, a window of it; the total counts every match.
    let (_, _, all) = api(&server, &format!("q={q}&limit=100"));
    let all = result_paths(&all);
    let (_, _, page) = api(&server, &format!("q={q}&limit=2&offset=3"));
    assert_eq!(result_paths(&page), all[3..5].to_vec());
    assert_eq!(page["total"].as_u64(), Some(all.len() as u64));

    // `facets=N`: the first N values of each facet, from the same counts over all matches.
    let (_, _, full) = api(&server, &format!("q={q}"));
    let (_, _, two) = api(&server, &format!("q={q}&facets=2"));
    let (_, _, none) = api(&server, &format!("q={q}&facets=0&limit=3"));
    for facet in ["kind", "year", "meeting", "tag"] {
        let listed = full["facets"][facet].as_array().unwrap();
        let first: Vec<_> = listed.iter().take(2).cloned().collect();
        assert_eq!(two["facets"][facet].as_array().unwrap(), &first, "{facet}");
        assert_eq!(none["facets"][facet].as_array().unwrap().len(), 0, "{facet}");
    }
    assert!(full["facets"]["tag"].as_array().unwrap().len() > 2, "{full}");
    assert_eq!(
        none["total"], full["total"],
        "the total does not depend on facets"
    );
    assert_eq!(result_paths(&none), result_paths(&full)[..3].to_vec());

    // Empty filter values mean no filter, as the search page sends them.
    let (status, _, json) = api(&server, &format!("q={q}&kind=&meeting=&tag=&year=&from=&to="));
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["total"].as_u64(), Some(all.len() as u64));
}

#[test]
fn api_agrees_with_the_library() {
    let (site, server) = serve();
    let searcher = Searcher::open(&site.path("public")).unwrap_or_else(|e| panic!("{e}"));
    for query in [
        "党史教育",
        "安全 -隐患",
        "Excel",
        "檔案數字化",
        "会议要求",
        "\"两个确立\"",
    ] {
        let library = searcher
            .search(&SearchRequest {
                query: query.to_string(),
                limit: 10,
                ..SearchRequest::default()
            })
            .unwrap();
        let (status, _, json) = api(&server, &format!("q={}", percent_encode(query)));
        assert_eq!(status, 200, "{query}: {json}");
        let expected: Vec<String> = library.results.iter().map(|h| h.path.clone()).collect();
        assert_eq!(result_paths(&json), expected, "{query}");
        assert_eq!(json["total"].as_u64(), Some(library.total as u64), "{query}");
    }
}

#[test]
fn empty_and_odd_queries_are_200_with_no_results() {
    let (_site, server) = serve();
    for query in [
        "",
        "q=",
        "q=%20%20",
        "q=%E7%9A%84",
        "q=-",
        "q=%22",
        "q=%EF%BC%8C%E3%80%82",
        "q=%00%01%02",
        "_=123",
    ] {
        let (status, _, json) = api(&server, query);
        assert_eq!(status, 200, "{query}: {json}");
        assert_eq!(json["total"], 0, "{query}: {json}");
        assert_eq!(json["results"], serde_json::json!([]), "{query}");
    }
}

#[test]
fn bad_parameters_are_400_with_a_json_error() {
    let (_site, server) = serve();
    let q = format!("q={}", percent_encode("防汛"));
    let cases = [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("limit=1e3", "limit"),
        ("offset=-1", "offset"),
        ("offset=abc", "offset"),
        ("offset=100001", "offset"),
        ("facets=-1", "facets"),
        ("facets=many", "facets"),
        ("facets=100001", "facets"),
        ("kind=bogus", "kind"),
        ("kind=%3Cscript%3E", "kind"),
        ("year=abc", "year"),
        ("year=0", "year"),
        ("year=10000", "year"),
        ("year=2024.5", "year"),
        ("from=2024-13-01", "from"),
        ("from=2023-02-29", "from"),
        ("from=2024%2F01%2F01", "from"),
        ("to=yesterday", "to"),
        ("to=20240101", "to"),
        ("to=2024-1-1", "to"),
        ("foo=1", "foo"),
        ("Q=x", "Q"),
        ("page=2", "page"),
        ("callback=alert", "callback"),
        ("foo=1", "facets"),
        ("limit=5&limit=6", "given twice"),
        ("from=2024-05-01&to=2024-01-01", "after"),
        ("meeting=%ZZ", "hex digits"),
        ("meeting=%E5%AD", "UTF-8"),
        ("meeting=%FF%FE", "UTF-8"),
        ("meeting=%+1", "hex digits"),
    ];
    for (param, name) in cases {
        for raw in [format!("{q}&{param}"), param.to_string()] {
            let (status, headers, body) = http_get(&server.base, &format!("/api/search?{raw}"), &[]);
            let text = String::from_utf8_lossy(&body);
            assert_eq!(status, 400, "{raw}: {text}");
            assert!(
                content_type(&headers).starts_with("application/json"),
                "{raw}: {headers:?}"
            );
            let json: serde_json::Value =
                serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{raw}: not JSON ({e}): {text}"));
            let error = json["error"]
                .as_str()
                .unwrap_or_else(|| panic!("{raw}: no error message: {json}"));
            assert!(
                error.contains(name),
                "{raw}: the error should name `{name}`: {error}"
            );
        }
    }
}

#[test]
fn queries_longer_than_200_characters_are_400() {
    let (_site, server) = serve();
    let (status, _, json) = api(&server, &format!("q={}", percent_encode(&"防".repeat(200))));
    assert_eq!(status, 200, "200 characters are allowed: {json}");
    let (status, _, json) = api(&server, &format!("q={}", percent_encode(&"防".repeat(201))));
    assert_eq!(status, 400, "{json}");
    assert!(
        json["error"].as_str().is_some_and(|e| e.contains("200")),
        "{json}"
    );
    let (status, _, json) = api(&server, &format!("q={}", "a".repeat(201)));
    assert_eq!(status, 400, "{json}");
    let (status, _, json) = api(&server, &format!("q={}", percent_encode(&"ab ".repeat(3334))));
    assert_eq!(status, 400, "a 10,000-character query: {json}");
}

#[test]
fn injection_queries_come_back_escaped() {
    let (_site, server) = serve();
    for query in [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "\"><img src=x>",
        "' OR 1=1; --",
    ] {
        let (status, headers, json) = api(&server, &format!("q={}", percent_encode(query)));
        assert_eq!(status, 200, "{query}: {json}");
        assert!(content_type(&headers).starts_with("application/json"));
        for result in json["results"].as_array().unwrap() {
            for key in ["snippet", "title_html"] {
                let html = result[key].as_str().unwrap();
                let rest = html.replace("<mark>", "").replace("</mark>", "");
                assert!(!rest.contains('<'), "{query}: unescaped markup in {key}: {html}");
                assert!(
                    !html.contains("<img") && !html.contains("<script"),
                    "{query}: {html}"
                );
            }
        }
    }
    // The page that shows this code is found, and shows it escaped.
    let (_, _, json) = api(
        &server,
        &format!("q={}", percent_encode("<img src=x onerror=alert(1)>")),
    );
    let hit = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "notes/script-title.md");
    let hit = hit.unwrap_or_else(|| panic!("the script page is not found: {json}"));
    assert!(hit["snippet"].as_str().unwrap().contains("&lt;img"), "{hit}");
    let title = hit["title_html"]
        .as_str()
        .unwrap()
        .replace("<mark>", "")
        .replace("</mark>", "");
    assert_eq!(title, "&lt;script&gt;alert(1)&lt;/script&gt;", "{hit}");
}

// ---------------------------------------------------------------------------------------------
// Static files.

const SECRET: &str = "TOP-SECRET-7f3a9c outside the output folder";

fn assert_refused(server: &Server, path: &str) {
    let (status, _, body) = http_get(&server.base, path, &[]);
    let text = String::from_utf8_lossy(&body);
    for leaked in [SECRET, "root:x:0:0", "[book]", "name = \"studybook\""] {
        assert!(
            !text.contains(leaked),
            "{path} leaked a file outside the output folder (status {status})"
        );
    }
    assert!(matches!(status, 400 | 403 | 404), "{path}: status {status}");
}

#[test]
fn paths_cannot_escape_the_output_folder() {
    let site = TestSite::fixture("search");
    site.write("secret.txt", SECRET);
    let server = Server::start(&site, &[]);
    let up = "../".repeat(30);
    let up_encoded = "%2e%2e/".repeat(30);
    let up_slash_encoded = "..%2f".repeat(30);
    let cargo = common::repo_root().join("Cargo.toml").display().to_string();
    let cargo = cargo.trim_start_matches('/');
    let paths = [
        "/../secret.txt".to_string(),
        "/../../secret.txt".to_string(),
        "/../book.toml".to_string(),
        "/../Cargo.toml".to_string(),
        "/%2e%2e/secret.txt".to_string(),
        "/%2E%2E/secret.txt".to_string(),
        "/%2e%2e/%2e%2e/etc/passwd".to_string(),
        "/..%2fsecret.txt".to_string(),
        "/..%2F..%2Fetc/passwd".to_string(),
        "/..%2f..%2fetc/passwd".to_string(),
        "/%2e%2e%2fsecret.txt".to_string(),
        "/notes/../../secret.txt".to_string(),
        "/notes/%2e%2e/%2e%2e/secret.txt".to_string(),
        "/./../secret.txt".to_string(),
        "/.%2e/secret.txt".to_string(),
        "/..%5csecret.txt".to_string(),
        "/%2e%2e%5csecret.txt".to_string(),
        "/..%00/secret.txt".to_string(),
        "/secret.txt%00.html".to_string(),
        "//etc/passwd".to_string(),
        "/%2fetc/passwd".to_string(),
        "/%2Fetc%2Fpasswd".to_string(),
        "///etc/passwd".to_string(),
        "/C:/Windows/win.ini".to_string(),
        "/api/../secret.txt".to_string(),
        "/api/%2e%2e/secret.txt".to_string(),
        "/api/..%2f..%2fsecret.txt".to_string(),
        format!("/{up}etc/passwd"),
        format!("/{up_encoded}etc/passwd"),
        format!("/{up_slash_encoded}etc/passwd"),
        format!("/{up}{cargo}"),
        format!("/{up_encoded}{cargo}"),
        format!("/{up_slash_encoded}{}", cargo.replace('/', "%2f")),
        format!("/{cargo}"),
    ];
    for path in &paths {
        assert_refused(&server, path);
    }
    // Still serving normally.
    let (status, _, _) = http_get(&server.base, "/notes/flood-control.html", &[]);
    assert_eq!(status, 200);
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_output_folder_are_refused() {
    let site = TestSite::fixture("search");
    site.write("secret.txt", SECRET);
    let server = Server::start(&site, &[]);
    std::os::unix::fs::symlink(site.path("secret.txt"), site.path("public/leak.txt")).unwrap();
    std::os::unix::fs::symlink(site.path("secret.txt"), site.path("public/notes/leak.html")).unwrap();
    std::os::unix::fs::symlink(site.root(), site.path("public/leakdir")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", site.path("public/passwd.txt")).unwrap();
    for path in [
        "/leak.txt",
        "/notes/leak.html",
        "/leakdir/secret.txt",
        "/leakdir/book.toml",
        "/passwd.txt",
        "/leakdir/",
    ] {
        let (status, _, body) = http_get(&server.base, path, &[]);
        let text = String::from_utf8_lossy(&body);
        assert!(
            !(status == 200
                && (text.contains(SECRET) || text.contains("root:x:0") || text.contains("[book]"))),
            "{path} served a file outside the output folder"
        );
        assert!(
            !text.contains(SECRET) && !text.contains("root:x:0"),
            "{path} leaked (status {status})"
        );
        assert_ne!(status, 200, "{path}");
    }
}

fn asset(site: &TestSite, prefix: &str, suffix: &str) -> String {
    let name = std::fs::read_dir(site.path("public/assets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .find(|n| n.starts_with(prefix) && n.ends_with(suffix))
        .unwrap_or_else(|| panic!("no asset {prefix}*{suffix}"));
    format!("/assets/{name}")
}

#[test]
fn content_types_match_the_files() {
    let (site, server) = serve();
    let cases = [
        ("/".to_string(), "text/html"),
        ("/index.html".to_string(), "text/html"),
        ("/search.html".to_string(), "text/html"),
        ("/notes/flood-control.html".to_string(), "text/html"),
        (asset(&site, "style.", ".css"), "text/css"),
        (asset(&site, "search.", ".js"), "javascript"),
        (asset(&site, "favicon.", ".svg"), "image/svg+xml"),
        ("/sessions.json".to_string(), "application/json"),
        (
            format!("/api/search?q={}", percent_encode("防汛")),
            "application/json",
        ),
    ];
    for (path, expected) in cases {
        let (status, headers, _) = http_get(&server.base, &path, &[]);
        assert_eq!(status, 200, "{path}");
        let kind = content_type(&headers);
        assert!(
            kind.contains(expected),
            "{path}: content-type {kind:?}, expected {expected}"
        );
    }
}

#[test]
fn hashed_assets_are_cached_forever_and_pages_are_revalidated() {
    let (site, server) = serve();
    for path in [
        asset(&site, "style.", ".css"),
        asset(&site, "search.", ".js"),
        asset(&site, "favicon.", ".svg"),
    ] {
        let (status, headers, _) = http_get(&server.base, &path, &[]);
        assert_eq!(status, 200, "{path}");
        let cache = headers.get("cache-control").map(String::as_str).unwrap_or("");
        assert!(
            cache.contains("immutable") && cache.contains("max-age=31536000"),
            "{path}: {cache:?}"
        );
    }
    let pages = [
        "/".to_string(),
        "/search.html".to_string(),
        "/notes/flood-control.html".to_string(),
    ];
    for path in pages.iter().map(String::as_str).chain([
        "/sessions.json",
        "/no-such-page.html",
        "/api/search?q=x",
        "/api/search?limit=0",
    ]) {
        let (_, headers, _) = http_get(&server.base, path, &[]);
        let cache = headers
            .get("cache-control")
            .unwrap_or_else(|| panic!("{path}: no cache-control"));
        assert!(!cache.contains("immutable"), "{path}: {cache}");
        assert!(
            cache.contains("no-cache") || cache.contains("no-store") || cache.contains("max-age=0"),
            "{path} must be revalidated: {cache}"
        );
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = std::process::Command::new("gzip")
        .arg("-dc")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip is installed");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "the body is not valid gzip");
    output.stdout
}

#[test]
fn responses_are_gzipped_when_asked() {
    let (site, server) = serve();
    let gzip = [("Accept-Encoding", "gzip")];
    for path in [
        asset(&site, "search.", ".js"),
        asset(&site, "style.", ".css"),
        "/notes/flood-control.html".into(),
    ] {
        let (status, plain_headers, plain) = http_get(&server.base, &path, &[]);
        assert_eq!(status, 200);
        assert!(
            !plain_headers.contains_key("content-encoding"),
            "{path}: compressed without asking"
        );
        let (status, headers, compressed) = http_get(&server.base, &path, &gzip);
        assert_eq!(status, 200);
        assert_eq!(
            headers.get("content-encoding").map(String::as_str),
            Some("gzip"),
            "{path}: {headers:?}"
        );
        assert!(compressed.starts_with(&[0x1f, 0x8b]), "{path}: not gzip data");
        assert!(
            compressed.len() < plain.len(),
            "{path}: {} ≥ {}",
            compressed.len(),
            plain.len()
        );
        assert_eq!(gunzip(&compressed), plain, "{path}: decompresses to the file");
    }
    let (status, headers, compressed) = http_get(
        &server.base,
        &format!("/api/search?q={}&limit=50", percent_encode("第一议题")),
        &gzip,
    );
    assert_eq!(status, 200);
    assert_eq!(
        headers.get("content-encoding").map(String::as_str),
        Some("gzip"),
        "{headers:?}"
    );
    let json: serde_json::Value = serde_json::from_slice(&gunzip(&compressed)).unwrap();
    assert!(json["total"].as_u64().unwrap() >= 8, "{json}");
}

#[test]
fn missing_paths_get_the_404_page() {
    let (site, server) = serve();
    // The served page may carry the live reload script; it is the site's 404.html otherwise.
    let title = common::select_texts(&site.html("404.html"), "title").remove(0);
    let heading = common::select_texts(&site.html("404.html"), "h1").remove(0);
    for path in [
        "/no-such-page.html",
        "/notes/missing.html",
        "/deep/er/still/missing/",
        "/%E4%B8%8D%E5%AD%98%E5%9C%A8.html",
    ] {
        let (status, headers, body) = http_get(&server.base, path, &[]);
        assert_eq!(status, 404, "{path}");
        assert!(
            content_type(&headers).contains("text/html"),
            "{path}: {headers:?}"
        );
        let page = scraper::Html::parse_document(&String::from_utf8_lossy(&body));
        assert_eq!(
            common::select_texts(&page, "title"),
            std::slice::from_ref(&title),
            "{path}: the site's 404.html"
        );
        assert_eq!(
            common::select_texts(&page, "h1"),
            std::slice::from_ref(&heading),
            "{path}: the site's 404.html"
        );
        // Its relative links are to the site root, wherever the missing address is.
        assert_eq!(common::select_attrs(&page, "head base", "href"), ["/"], "{path}");
        let stylesheet = common::select_attrs(&page, "link[rel=stylesheet]", "href").remove(0);
        let (status, _, _) = http_get(&server.base, &format!("/{stylesheet}"), &[]);
        assert_eq!(status, 200, "{path}: the stylesheet {stylesheet}");
    }
    let (status, _, _) = http_get(&server.base, "/api/nothing", &[]);
    assert_eq!(status, 404);
}

/// With `base-url` (the published address), the preview's 404 page still leads back into the
/// preview: its base is the server's root, not the published site.
#[test]
fn the_404_page_of_a_site_with_a_base_url_leads_into_the_preview() {
    let site = TestSite::fixture("search");
    let toml = std::fs::read_to_string(site.path("book.toml")).unwrap();
    site.write(
        "book.toml",
        &format!("{toml}\n[build]\nbase-url = \"http://intranet.invalid/study\"\n"),
    );
    let server = Server::start(&site, &[]);
    // The build keeps the published base for the file on disk.
    assert_eq!(
        common::select_attrs(&site.html("404.html"), "head base", "href"),
        ["http://intranet.invalid/study/"]
    );
    let (status, _, body) = http_get(&server.base, "/deep/er/missing.html", &[]);
    assert_eq!(status, 404);
    let text = String::from_utf8_lossy(&body);
    let page = scraper::Html::parse_document(&text);
    assert_eq!(common::select_attrs(&page, "base", "href"), ["/"], "{text}");
    assert!(!text.contains("intranet.invalid"), "{text}");
    let stylesheet = common::select_attrs(&page, "link[rel=stylesheet]", "href").remove(0);
    let (status, _, _) = http_get(&server.base, &format!("/{stylesheet}"), &[]);
    assert_eq!(status, 200, "the stylesheet {stylesheet}");
}

#[test]
fn chinese_file_names_are_served() {
    let (site, server) = serve();
    let path = format!("/notes/{}", percent_encode("三会一课制度.html"));
    let (status, headers, body) = http_get(&server.base, &path, &[]);
    assert_eq!(status, 200, "{path}");
    assert!(content_type(&headers).contains("text/html"));
    let page = scraper::Html::parse_document(&String::from_utf8_lossy(&body));
    assert_eq!(common::select_texts(&page, "h1#page-title"), ["三会一课制度要点"]);
    let expected = common::select_texts(&site.html("notes/三会一课制度.html"), "title");
    assert_eq!(common::select_texts(&page, "title"), expected);
    // The URL the API gives, encoded segment by segment as the search page does.
    let (_, _, json) = api(&server, &format!("q={}", percent_encode("三会一课制度要点")));
    let url = json["results"][0]["url"].as_str().unwrap().to_string();
    assert_eq!(url, "notes/三会一课制度.html");
    let encoded: Vec<String> = url.split('/').map(percent_encode).collect();
    let (status, _, body) = http_get(&server.base, &format!("/{}", encoded.join("/")), &[]);
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("三会一课制度要点"));
}

#[test]
fn a_missing_index_is_503_with_a_json_error() {
    // `serve` always builds first, so the index is removed from a built site and the server's
    // router is started on it directly, on a loopback port.
    let site = TestSite::fixture("search");
    site.build().success();
    std::fs::remove_dir_all(site.path("public/search/index")).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(studybook::serve::bind("127.0.0.1:0".parse().unwrap()))
        .unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let app = studybook::serve::router(studybook::serve::SiteState::new(site.path("public")), false);
    runtime.spawn(async move { axum::serve(listener, app.into_make_service()).await });

    let (status, headers, body) = http_get(&base, &format!("/api/search?q={}", percent_encode("防汛")), &[]);
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    assert!(
        content_type(&headers).starts_with("application/json"),
        "{headers:?}"
    );
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let error = json["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error: {json}"));
    assert!(error.contains("studybook build"), "{error}");
    // Bad parameters are still reported as such, and the pages are still served.
    let (status, _, _) = http_get(&base, "/api/search?limit=0", &[]);
    assert_eq!(status, 400);
    let (status, _, _) = http_get(&base, "/notes/flood-control.html", &[]);
    assert_eq!(status, 200);
    drop(runtime);
}

/// While a full rebuild replaces the output folder, the server holds none of its files open
/// (Windows refuses to rename a folder that does: the index is memory-mapped from it), and
/// searches again once the new folder is in place. Checked in the process's memory maps.
#[cfg(target_os = "linux")]
#[test]
fn the_server_maps_no_file_of_the_output_while_it_is_replaced() {
    use studybook::incremental::OutputLock as _;
    let site = TestSite::fixture("search");
    site.build().success();
    let output = site.path("public").canonicalize().unwrap();
    let mapped = || {
        std::fs::read_to_string("/proc/self/maps")
            .unwrap()
            .lines()
            .filter(|line| line.contains(&*output.to_string_lossy()))
            .count()
    };
    let state = studybook::serve::SiteState::new(site.path("public"));
    assert!(mapped() > 0, "serving, the index is mapped");
    assert_eq!(state.replacing_output(mapped), 0, "files mapped during the swap");
    assert!(mapped() > 0, "the index is mapped again after it");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(studybook::serve::bind("127.0.0.1:0".parse().unwrap()))
        .unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let app = studybook::serve::router(state, false);
    runtime.spawn(async move { axum::serve(listener, app.into_make_service()).await });
    let (status, _, body) = http_get(&base, &format!("/api/search?q={}", percent_encode("防汛")), &[]);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    drop(runtime);
}

/// A page's HEAD and Range answers describe the page GET sends, live-reload script included;
/// other files keep their byte ranges.
#[test]
fn head_and_range_of_a_page_describe_the_page_as_sent() {
    let site = TestSite::fixture("basic");
    let server = Server::start(&site, &[]);
    for path in ["/index.html", "/notes/2024/", "/no/such/page.html"] {
        let (status, _, body) = http_get(&server.base, path, &[]);
        let (head_status, headers, head_body) = common::http_request("HEAD", &server.base, path, &[]);
        assert_eq!(head_status, status, "HEAD {path}");
        assert!(head_body.is_empty(), "HEAD {path} sends no body");
        assert_eq!(
            headers.get("content-length"),
            Some(&body.len().to_string()),
            "HEAD {path}"
        );
        let (range_status, _, range_body) = http_get(&server.base, path, &[("Range", "bytes=0-9")]);
        assert_eq!(
            (range_status, range_body),
            (status, body),
            "Range on {path}: the whole page"
        );
    }
    let file = "/notes/2024/docs/%E5%8E%9F%E4%BB%B6.pdf";
    let (status, headers, body) = http_get(&server.base, file, &[("Range", "bytes=0-3")]);
    assert_eq!(status, 206, "{headers:?}");
    assert_eq!(body.len(), 4);
}
