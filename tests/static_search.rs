//! The static search pack (`public/search/pack/*.js`) in a real headless Chromium, with no
//! search server: parity with `studybook search` and the library on the fixture site and on a
//! generated site with many shards; the search page opened from `file://`, from a plain static
//! server (`python3 -m http.server`) and from `studybook serve` with `engine=static`; bad input;
//! missing and damaged data files; the pack rebuilt with the site, drafts left out; its size.

mod common;
use common::*;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};
use studybook::content::Date;
use studybook::search::analyzer::query_grams;
use studybook::search::{SearchRequest, SearchResults, Searcher};

const WAIT: Duration = Duration::from_secs(30);
const RESULTS: &str = "#search-results li.search-result";
const UNAVAILABLE: &str = "搜索数据不可用，请重新生成站点（studybook build）。";
const NO_RESULTS: &str = "没有找到相关内容。可以减少关键词、检查错别字，或去掉筛选条件再试。";
const PACK: &str = "public/search/pack";
const PENDING: &str = "__pending__";

// ---------------------------------------------------------------------------------------------
// Small helpers.

/// A JavaScript string literal.
fn js(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

fn file_url(site: &TestSite, relative: &str) -> String {
    format!("file://{}", site.path(&format!("public/{relative}")).display())
}

/// The fixture site, built once for the read-only tests of this file.
fn shared_fixture() -> &'static TestSite {
    static SITE: OnceLock<TestSite> = OnceLock::new();
    SITE.get_or_init(built_fixture)
}

/// A fresh built copy of the fixture, for tests that change it.
fn built_fixture() -> TestSite {
    let site = TestSite::fixture("search");
    site.build().success();
    site
}

fn open_searcher(site: &TestSite) -> Searcher {
    Searcher::open(&site.path("public")).unwrap_or_else(|e| panic!("cannot open the index: {e}"))
}

// ---------------------------------------------------------------------------------------------
// The pack files as a test reads them: `window.__studybookPack.add(name, data)` scripts.

fn pack_meta(site: &TestSite) -> Value {
    let path = site.path(&format!("{PACK}/meta.js"));
    let (_, data) =
        studybook::search::pack::decode_script(&studybook::search::pack::read_script(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
    serde_json::from_slice(&data).expect("meta.js registers JSON")
}

fn pack_files(site: &TestSite) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(site.path(PACK))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Pack files whose raw text or decoded data contain `needle`.
fn pack_files_containing(site: &TestSite, needle: &str) -> Vec<String> {
    let decoded = studybook::search::pack::decoded_files(&site.path(PACK)).unwrap();
    pack_files(site)
        .into_iter()
        .filter(|path| {
            let name = path.file_stem().unwrap().to_string_lossy();
            let raw = std::fs::read(path).unwrap();
            studybook::search::pack::script_text(&raw).is_some_and(|text| text.contains(needle))
                || decoded
                    .get(name.as_ref())
                    .is_some_and(|data| String::from_utf8_lossy(data).contains(needle))
        })
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Queries, and the three ways to run them: the CLI, the library, the static engine.

#[derive(Clone, Debug, Default)]
struct Query {
    q: String,
    kind: Option<&'static str>,
    meeting: Option<&'static str>,
    tag: Option<&'static str>,
    year: Option<u16>,
    from: Option<&'static str>,
    to: Option<&'static str>,
}

fn q(text: &str) -> Query {
    Query {
        q: text.to_string(),
        ..Query::default()
    }
}

impl Query {
    fn kind(mut self, value: &'static str) -> Query {
        self.kind = Some(value);
        self
    }
    fn meeting(mut self, value: &'static str) -> Query {
        self.meeting = Some(value);
        self
    }
    fn tag(mut self, value: &'static str) -> Query {
        self.tag = Some(value);
        self
    }
    fn year(mut self, value: u16) -> Query {
        self.year = Some(value);
        self
    }
    fn from(mut self, value: &'static str) -> Query {
        self.from = Some(value);
        self
    }
    fn to(mut self, value: &'static str) -> Query {
        self.to = Some(value);
        self
    }

    fn filtered(&self) -> bool {
        self.kind.is_some()
            || self.meeting.is_some()
            || self.tag.is_some()
            || self.year.is_some()
            || self.from.is_some()
            || self.to.is_some()
    }

    fn filters(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(v) = self.kind {
            out.push(("kind", v.to_string()));
        }
        if let Some(v) = self.meeting {
            out.push(("meeting", v.to_string()));
        }
        if let Some(v) = self.tag {
            out.push(("tag", v.to_string()));
        }
        if let Some(v) = self.year {
            out.push(("year", v.to_string()));
        }
        if let Some(v) = self.from {
            out.push(("from", v.to_string()));
        }
        if let Some(v) = self.to {
            out.push(("to", v.to_string()));
        }
        out
    }

    fn label(&self) -> String {
        let shown: String = if self.q.chars().count() > 40 {
            format!(
                "{}… ({} chars)",
                self.q.chars().take(20).collect::<String>(),
                self.q.chars().count()
            )
        } else {
            self.q.clone()
        };
        let mut label = format!("{shown:?}");
        for (name, value) in self.filters() {
            label.push_str(&format!(" {name}={value}"));
        }
        label
    }

    fn cli_args(&self, limit: usize) -> Vec<String> {
        let mut args = vec![
            "search".to_string(),
            "--json".to_string(),
            "--limit".to_string(),
            limit.to_string(),
        ];
        for (name, value) in self.filters() {
            args.push(format!("--{name}"));
            args.push(value);
        }
        args.push("--".to_string());
        args.push(self.q.clone());
        args
    }

    fn request(&self, limit: usize) -> SearchRequest {
        let date = |d: Option<&str>| d.map(|d| Date::parse(d).unwrap_or_else(|| panic!("bad date {d}")));
        SearchRequest {
            query: self.q.clone(),
            limit,
            kind: self.kind.map(str::to_string),
            meeting: self.meeting.map(str::to_string),
            tag: self.tag.map(str::to_string),
            year: self.year,
            from: date(self.from),
            to: date(self.to),
            ..SearchRequest::default()
        }
    }

    /// The parameters the search page passes to the engine (strings, as from the address).
    fn js_params(&self) -> Value {
        let mut params = json!({ "q": self.q });
        for (name, value) in self.filters() {
            params[name] = Value::String(value);
        }
        params
    }
}

/// One result, as any of the three sides reports it.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    path: String,
    url: String,
    title_html: String,
    snippet: String,
    score: f64,
    meeting: String,
    host: String,
}

fn row(hit: &Value) -> Row {
    let text = |key: &str| hit[key].as_str().unwrap_or("").to_string();
    Row {
        path: text("path"),
        url: text("url"),
        title_html: text("title_html"),
        snippet: text("snippet"),
        score: hit["score"].as_f64().unwrap_or(f64::NAN),
        meeting: text("meeting"),
        host: text("host"),
    }
}

/// `studybook search --json`: the total (from the summary line on stderr) and the results.
fn cli(site: &TestSite, query: &Query, limit: usize) -> (usize, Vec<Row>) {
    let args = query.cli_args(limit);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = site.run(&args);
    assert_eq!(
        run.code, 0,
        "studybook {args:?} failed\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    let rows = run
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| row(&serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))))
        .collect();
    let total = run
        .stderr
        .lines()
        .find(|l| l.contains(" shown) in "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no result count in the CLI's stderr: {}", run.stderr));
    (total, rows)
}

fn library(searcher: &Searcher, query: &Query, limit: usize) -> SearchResults {
    searcher
        .search(&query.request(limit))
        .unwrap_or_else(|e| panic!("the library search for {} failed: {e}", query.label()))
}

fn library_rows(results: &SearchResults) -> Vec<Row> {
    results
        .results
        .iter()
        .map(|hit| row(&serde_json::to_value(hit).unwrap()))
        .collect()
}

/// What the static engine answered in the page, for `limit` 10 and for every match (asking
/// for the first two values of each facet).
struct StaticAnswer {
    total: usize,
    top: Vec<Row>,
    facets: Value,
    first_facets: Value,
    all: BTreeSet<String>,
    all_total: usize,
    suggestion: Option<String>,
}

/// Calls `new StudybookStaticSearch('search/pack/').search(params)` in the page (one engine per
/// page, as the search page keeps one). A rejected promise is returned as an error string.
fn static_search(tab: &mut Tab, query: &Query) -> Result<StaticAnswer, String> {
    let params = query.js_params().to_string();
    let expression = String::new()
        + "(() => { const engine = window.__engine || (window.__engine = new window.StudybookStaticSearch('search/pack/'));"
        + "const params = "
        + &params
        + ";"
        + "return engine.search(Object.assign({}, params, { limit: 10 }))"
        + ".then(top => engine.search(Object.assign({}, params, { limit: 1000, facets: 2 })).then(all => JSON.stringify({ top: top, all: all.results.map(h => h.path), allTotal: all.total, firstFacets: all.facets })))"
        + ".catch(e => JSON.stringify({ error: String(e && e.stack || e) })); })()";
    let answer = tab.eval(&expression);
    let answer: Value = serde_json::from_str(answer.as_str().unwrap_or("null"))
        .map_err(|e| format!("the engine returned no JSON ({e}): {answer}"))?;
    if let Some(error) = answer.get("error") {
        return Err(format!("the engine failed: {error}"));
    }
    let top = &answer["top"];
    Ok(StaticAnswer {
        total: top["total"].as_u64().unwrap_or(u64::MAX) as usize,
        top: top["results"]
            .as_array()
            .map(|r| r.iter().map(row).collect())
            .unwrap_or_default(),
        facets: top["facets"].clone(),
        first_facets: answer["firstFacets"].clone(),
        all: answer["all"]
            .as_array()
            .map(|a| a.iter().map(|p| p.as_str().unwrap_or("").to_string()).collect())
            .unwrap_or_default(),
        all_total: answer["allTotal"].as_u64().unwrap_or(u64::MAX) as usize,
        suggestion: top["suggestion"].as_str().map(str::to_string),
    })
}

// ---------------------------------------------------------------------------------------------
// The search page in Chromium.

/// Installed before any page script: records uncaught errors, alerts, and every script element
/// the page adds (the engine loads data files with `<script>` tags).
const RECORDER: &str = "window.__errors = []; window.__alerts = []; window.__loaded = [];\
 window.alert = function (m) { window.__alerts.push(String(m)); };\
 window.addEventListener('error', function (e) { window.__errors.push(String(e.message || e)); });\
 window.addEventListener('unhandledrejection', function (e) { window.__errors.push('unhandled rejection: ' + String(e.reason)); });\
 new MutationObserver(function (records) { records.forEach(function (r) { r.addedNodes.forEach(function (n) {\
 if (n.tagName === 'SCRIPT' && n.src) { window.__loaded.push(n.src); } }); }); })\
 .observe(document, { childList: true, subtree: true });";

fn open_page(browser: &Browser, url: &str) -> Tab {
    let mut tab = browser.open("about:blank");
    tab.call("Page.enable", json!({}));
    tab.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": RECORDER }),
    );
    tab.navigate(url);
    tab.wait_until(
        "document.readyState === 'complete' && location.href !== 'about:blank' && !!document.getElementById('search-input') && Array.isArray(window.__errors)",
        WAIT,
    );
    tab
}

#[derive(Debug, Clone, serde::Deserialize)]
struct PageRow {
    href: String,
    title: String,
    #[serde(rename = "titleHtml")]
    title_html: String,
    snippet: String,
}

#[derive(Debug, Clone, serde::Deserialize)]
struct PageState {
    status: String,
    #[serde(rename = "className")]
    class_name: String,
    rows: Vec<PageRow>,
    injected: u64,
    errors: Vec<String>,
    alerts: Vec<String>,
    facets: Vec<String>,
}

impl PageState {
    fn is_error(&self) -> bool {
        self.class_name.split_whitespace().any(|c| c == "error")
    }
    fn hrefs(&self) -> Vec<String> {
        self.rows.iter().map(|r| r.href.clone()).collect()
    }
}

fn page_state(tab: &mut Tab) -> PageState {
    let expression = format!(
        "JSON.stringify({{ status: document.getElementById('search-status').textContent,\
         className: document.getElementById('search-status').className,\
         rows: Array.from(document.querySelectorAll('{RESULTS}')).map(li => {{ const a = li.querySelector('a'); const p = li.querySelector('p.snippet');\
           return {{ href: a ? decodeURIComponent(a.getAttribute('href')) : '', title: a ? a.textContent : '', titleHtml: a ? a.innerHTML : '', snippet: p ? p.innerHTML : '' }}; }}),\
         injected: document.querySelectorAll('#search-results img, #search-results script, #search-results iframe, img[src=\"x\"]').length,\
         errors: window.__errors || ['the error recorder is missing'], alerts: window.__alerts || [],\
         facets: Array.from(document.querySelectorAll('#search-facets label')).map(l => l.textContent.trim() + (l.querySelector('input') && l.querySelector('input').checked ? ' [x]' : '')) }})"
    );
    let text = tab.eval(&expression);
    serde_json::from_str(text.as_str().unwrap()).unwrap()
}

/// Waits for the query in the address to have run (the status line is set), then reads the page.
fn wait_loaded_query(tab: &mut Tab) -> PageState {
    tab.wait_until(
        "document.getElementById('search-status').textContent !== ''",
        WAIT,
    );
    page_state(tab)
}

/// Types `text` into the search box as the page sees it (value, then an input event), and waits
/// for that search to finish.
fn search_in_page(tab: &mut Tab, text: &str) -> PageState {
    tab.eval(&format!(
        "(() => {{ const s = document.getElementById('search-status'); s.textContent = '{PENDING}'; s.className = 'search-status';\
         const i = document.getElementById('search-input'); i.value = {}; i.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()",
        js(text)
    ));
    tab.wait_until(
        &format!("document.getElementById('search-status').textContent !== '{PENDING}'"),
        WAIT,
    );
    page_state(tab)
}

/// The pack files (`g-3`, `meta`…) script elements loaded since `from` (an index into the log).
fn loaded_since(tab: &mut Tab, from: u64) -> Vec<String> {
    let value = tab.eval(&format!(
        "JSON.stringify(window.__loaded.slice({from}).filter(s => s.indexOf('search/pack/') >= 0).map(s => s.split('/').pop().split('?')[0].replace(/\\.js$/, '')))"
    ));
    serde_json::from_str(value.as_str().unwrap()).unwrap()
}

/// Runs `query` with a new engine (so it loads everything it needs) and returns its total and
/// the pack files it loaded.
fn files_needed(tab: &mut Tab, query: &str) -> (usize, BTreeSet<String>) {
    let before = tab.eval("window.__loaded.length").as_u64().unwrap();
    let total = tab.eval(&format!(
        "new window.StudybookStaticSearch('search/pack/').search({{ q: {}, limit: 20 }}).then(r => r.total)",
        js(query)
    ));
    let files = loaded_since(tab, before).into_iter().collect();
    (total.as_u64().unwrap() as usize, files)
}

/// The header's links resolve to files that exist (the rest of the page still works).
fn assert_header_works(tab: &mut Tab, context: &str) {
    let links = tab.eval(
        "JSON.stringify(Array.from(document.querySelectorAll('header.site-header a')).map(a => a.href))",
    );
    let links: Vec<String> = serde_json::from_str(links.as_str().unwrap()).unwrap();
    assert!(links.len() >= 2, "{context}: header links are missing: {links:?}");
    for link in &links {
        if let Some(path) = link.strip_prefix("file://") {
            let path = percent_decode(path.split(['?', '#']).next().unwrap());
            assert!(
                Path::new(&path).exists(),
                "{context}: the header link {link} points to a missing file"
            );
        }
    }
    let form = tab.eval("!!document.querySelector('header form.search-form input#site-search')");
    assert_eq!(form, true, "{context}: the header's search form is missing");
}

// ---------------------------------------------------------------------------------------------
// A plain static file server: `python3 -m http.server`.

struct StaticServer {
    child: Child,
    base: String,
}

/// A server that answers a missing address with the site's `404.html`, as nginx's
/// `error_page 404 /404.html` and IIS's custom errors do.
const SERVER_WITH_404_PAGE: &str = r#"
import functools, http.server, os, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = open(os.path.join(self.directory, "404.html"), "rb").read()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
http.server.test(HandlerClass=functools.partial(Handler, directory=sys.argv[1]), port=0, bind="127.0.0.1")
"#;

/// A server that labels scripts as GBK, as an nginx with `charset gbk;` does: the pack's byte
/// order marks must win.
const SERVER_SAYING_GBK: &str = r#"
import functools, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript; charset=gbk"}
http.server.test(HandlerClass=functools.partial(Handler, directory=sys.argv[1]), port=0, bind="127.0.0.1")
"#;

/// A static server answering a missing path as many intranet servers do: with the home page
/// and a 200 (`try_files $uri /index.html`), or with a 403 (`home` or `403` after the folder).
const SERVER_HIDING_MISSING_PATHS: &str = r#"
import functools, http.server, os, sys
MODE = sys.argv[2]
class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        path = self.translate_path(self.path)
        if os.path.exists(path):
            return super().do_GET()
        if MODE == "home":
            body = open(os.path.join(sys.argv[1], "index.html"), "rb").read()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
        else:
            body = b"Forbidden"
            self.send_response(403)
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.test(HandlerClass=functools.partial(Handler, directory=sys.argv[1]), port=0, bind="127.0.0.1")
"#;

impl StaticServer {
    fn start(dir: &Path) -> StaticServer {
        Self::spawn(
            Command::new("python3")
                .args(["-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"])
                .arg(dir),
        )
    }

    /// A static server that shows the site's `404.html` at missing addresses.
    fn start_with_404_page(dir: &Path) -> StaticServer {
        Self::spawn(
            Command::new("python3")
                .args(["-c", SERVER_WITH_404_PAGE])
                .arg(dir),
        )
    }

    /// A static server answering missing paths with the home page (`home`) or a 403 (`403`).
    fn start_hiding_missing_paths(dir: &Path, mode: &str) -> StaticServer {
        Self::spawn(
            Command::new("python3")
                .args(["-c", SERVER_HIDING_MISSING_PATHS])
                .arg(dir)
                .arg(mode),
        )
    }

    /// A static server that names GBK as the charset of every script.
    fn start_saying_gbk(dir: &Path) -> StaticServer {
        Self::spawn(Command::new("python3").args(["-c", SERVER_SAYING_GBK]).arg(dir))
    }

    fn spawn(command: &mut Command) -> StaticServer {
        let mut child = command
            .env("PYTHONUNBUFFERED", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 is needed for a plain static server");
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("Serving HTTP on 127.0.0.1 port ") {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = sender.send(port);
                }
            }
        });
        let port = match receiver.recv_timeout(Duration::from_secs(30)) {
            Ok(port) => port,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("python3 -m http.server did not say which port it serves");
            }
        };
        StaticServer {
            child,
            base: format!("http://127.0.0.1:{port}/"),
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// A generated site, big enough for several postings shards and text chunks.

const WORDS: &[&str] = &[
    "安全生产",
    "防汛抗旱",
    "乡村振兴",
    "基层治理",
    "党史学习",
    "理论武装",
    "营商环境",
    "数字政府",
    "生态环境",
    "河长制度",
    "网格管理",
    "信访工作",
    "保密纪律",
    "公文处理",
    "档案管理",
    "意识形态",
    "志愿服务",
    "主题党日",
    "组织生活",
    "廉洁自律",
    "作风建设",
    "调查研究",
    "科技创新",
    "产业升级",
    "人才培养",
    "应急管理",
    "社会保障",
    "文化建设",
    "教育培训",
    "医疗卫生",
    "交通运输",
    "水利工程",
    "城市更新",
    "农业农村",
    "对外开放",
    "法治建设",
    "审计监督",
    "统计调查",
    "财政预算",
    "国有资产",
    "民生实事",
    "群众路线",
    "干部队伍",
    "考核评价",
    "督查督办",
    "政务公开",
    "数据共享",
    "网络安全",
    "消防安全",
    "粮食安全",
];
const VERBS: &[&str] = &["加强", "推进", "落实", "完善", "深化", "统筹", "健全", "优化"];
const MEETINGS: &[&str] = &["区委常委会", "区政府党组会", "机关支部委员会"];
const TAGS: &[&str] = &["安全", "发展", "治理", "党建", "民生", "生态"];
const GENERATED_PAGES: usize = 300;

fn generated_site() -> TestSite {
    let site = TestSite::new();
    site.write(
        "book.toml",
        "[book]\ntitle = \"生成的学习资料库\"\nlanguage = \"zh-CN\"\n",
    );
    site.write("content/_index.md", "---\ntitle: 首页\n---\n\n首页。\n");
    site.write(
        "content/notes/_index.md",
        "---\ntitle: 学习资料\n---\n\n学习资料。\n",
    );
    site.write(
        "content/sessions/_index.md",
        "---\ntitle: 学习记录\nkind: session\n---\n\n学习记录。\n",
    );
    let mut state: u64 = 0x5eed_1234;
    let mut next = |n: usize| -> usize {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    };
    for i in 0..GENERATED_PAGES {
        let session = i % 4 == 0;
        let (first, second) = (WORDS[next(WORDS.len())], WORDS[next(WORDS.len())]);
        let date = format!(
            "{}-{:02}-{:02}",
            2020 + i % 6,
            1 + (i / 6) % 12,
            1 + (i / 72) % 28
        );
        let mut tags = vec![TAGS[next(TAGS.len())]];
        let other = TAGS[next(TAGS.len())];
        if other != tags[0] {
            tags.push(other);
        }
        let mut body = String::new();
        for _ in 0..4 {
            for _ in 0..6 {
                body.push_str(VERBS[next(VERBS.len())]);
                body.push_str(WORDS[next(WORDS.len())]);
                body.push('和');
                body.push_str(WORDS[next(WORDS.len())]);
                body.push('，');
                body.push_str(VERBS[next(VERBS.len())]);
                body.push_str(WORDS[next(WORDS.len())]);
                body.push('。');
            }
            body.push_str("\n\n");
        }
        let mut front = format!(
            "---\ntitle: {first}与{second}学习笔记（第{i}篇）\ndate: {date}\ntags: [{}]\n",
            tags.join(", ")
        );
        let path = if session {
            front.push_str(&format!(
                "kind: session\nmeeting: {}\n",
                MEETINGS[(i / 4) % MEETINGS.len()]
            ));
            format!("content/sessions/s{i:03}.md")
        } else {
            format!("content/notes/p{i:03}.md")
        };
        front.push_str("---\n\n");
        site.write(&path, &(front + &body));
    }
    site.build().success();
    site
}

fn shared_generated() -> &'static TestSite {
    static SITE: OnceLock<TestSite> = OnceLock::new();
    SITE.get_or_init(generated_site)
}

// ---------------------------------------------------------------------------------------------
// Parity.

#[derive(Default)]
struct Parity {
    n: usize,
    filtered: usize,
    with_results: usize,
    empty: usize,
    over_ten: usize,
    sets_equal: usize,
    order_equal: usize,
    facets_equal: usize,
    shared_results: usize,
    snippets_identical: usize,
    titles_identical: usize,
    /// Queries that found nothing and came with a corrected query.
    suggested: usize,
    /// Disagreements allowed up to the thresholds (sets, order), printed.
    mismatches: Vec<String>,
    /// Disagreements never allowed (server consistency, facets, snippet marks).
    failures: Vec<String>,
}

fn urls(rows: &[Row]) -> Vec<String> {
    rows.iter().map(|r| r.url.clone()).collect()
}

fn show_rows(rows: &[Row]) -> String {
    rows.iter()
        .map(|r| format!("      {} ({:.3})", r.url, r.score))
        .collect::<Vec<_>>()
        .join("\n")
}

fn run_parity(site: &TestSite, queries: &[Query]) -> Parity {
    let searcher = open_searcher(site);
    let browser = Browser::launch();
    let mut tab = open_page(&browser, &file_url(site, "search.html"));
    tab.wait_until("typeof window.StudybookStaticSearch === 'function'", WAIT);
    let mut p = Parity::default();
    for query in queries {
        let label = query.label();
        p.n += 1;
        p.filtered += usize::from(query.filtered());
        let (cli_total, cli_rows) = cli(site, query, 10);
        let lib_top = library(&searcher, query, 10);
        let lib_all = library(&searcher, query, 1000);
        let lib_rows = library_rows(&lib_top);
        let lib_set: BTreeSet<String> = lib_all.results.iter().map(|h| h.path.clone()).collect();
        let lib_facets = serde_json::to_value(&lib_top.facets).unwrap();

        // The server's two faces agree (the reference itself is consistent).
        if cli_total != lib_top.total || urls(&cli_rows) != urls(&lib_rows) || lib_all.total != lib_set.len()
        {
            p.failures.push(format!(
                "{label}: the CLI and the library disagree: CLI {cli_total} {:?}, library {} {:?}",
                urls(&cli_rows),
                lib_top.total,
                urls(&lib_rows)
            ));
        }
        if cli_total == 0 {
            p.empty += 1;
        } else {
            p.with_results += 1;
        }
        if cli_total > 10 {
            p.over_ten += 1;
        }

        let answer = match static_search(&mut tab, query) {
            Ok(answer) => answer,
            Err(error) => {
                p.mismatches.push(format!("{label}: {error}"));
                p.failures.push(format!("{label}: no facets to compare: {error}"));
                continue;
            }
        };

        // The same correction when nothing is found.
        if answer.suggestion != lib_top.suggestion {
            p.failures.push(format!(
                "{label}: different suggestions: server {:?}, static {:?}",
                lib_top.suggestion, answer.suggestion
            ));
        }
        p.suggested += usize::from(lib_top.suggestion.is_some());
        // Same set of pages.
        if answer.total == cli_total && answer.all_total == lib_all.total && answer.all == lib_set {
            p.sets_equal += 1;
        } else {
            p.mismatches.push(format!(
                "{label}: different pages\n    server: total {cli_total}, only the server: {:?}\n    static: total {}, only static: {:?}",
                lib_set.difference(&answer.all).collect::<Vec<_>>(),
                answer.total,
                answer.all.difference(&lib_set).collect::<Vec<_>>()
            ));
        }
        // Same top 10, in the same order.
        if urls(&answer.top) == urls(&cli_rows) {
            p.order_equal += 1;
        } else {
            p.mismatches.push(format!(
                "{label}: different top 10\n    server (CLI):\n{}\n    static:\n{}",
                show_rows(&cli_rows),
                show_rows(&answer.top)
            ));
        }
        // Same facet counts, always; `facets=2` keeps the same first two of each.
        let mut first_two = lib_top.facets.clone();
        first_two.truncate(2);
        let first_two = serde_json::to_value(&first_two).unwrap();
        if answer.first_facets != first_two {
            p.failures.push(format!(
                "{label}: different first facets\n    server: {first_two}\n    static: {}",
                answer.first_facets
            ));
        }
        if answer.facets == lib_facets {
            p.facets_equal += 1;
        } else {
            p.failures.push(format!(
                "{label}: different facets\n    server: {lib_facets}\n    static: {}",
                answer.facets
            ));
        }
        // Snippets and titles highlight where the server's do.
        for server in &cli_rows {
            let Some(mine) = answer.top.iter().find(|r| r.path == server.path) else {
                continue;
            };
            p.shared_results += 1;
            // The same score, to the bit of the server's `f32` (word scores are rounded to
            // 1/1024, so no order of adding them changes a sum).
            if mine.score as f32 != server.score as f32 {
                p.failures.push(format!(
                    "{label}: {}: scores differ: server {}, static {}",
                    server.path, server.score, mine.score
                ));
            }
            if (&mine.meeting, &mine.host) != (&server.meeting, &server.host) {
                p.failures.push(format!(
                    "{label}: {}: meeting and host differ: server {:?}, static {:?}",
                    server.path,
                    (&server.meeting, &server.host),
                    (&mine.meeting, &mine.host)
                ));
            }
            p.snippets_identical += usize::from(mine.snippet == server.snippet);
            p.titles_identical += usize::from(mine.title_html == server.title_html);
            if server.snippet.contains("<mark>") && !mine.snippet.contains("<mark>") {
                p.failures.push(format!(
                    "{label}: {}: the server's snippet is highlighted, the static one is not\n    server: {}\n    static: {}",
                    server.path, server.snippet, mine.snippet
                ));
            }
            if server.title_html.contains("<mark>") && !mine.title_html.contains("<mark>") {
                p.failures.push(format!(
                    "{label}: {}: the server's title is highlighted, the static one is not\n    server: {}\n    static: {}",
                    server.path, server.title_html, mine.title_html
                ));
            }
        }
    }
    let errors = page_state(&mut tab).errors;
    if !errors.is_empty() {
        p.failures
            .push(format!("uncaught errors in the page: {errors:?}"));
    }
    p
}

fn report_and_assert(name: &str, p: &Parity) {
    for mismatch in &p.mismatches {
        println!("MISMATCH {mismatch}");
    }
    for failure in &p.failures {
        println!("FAILURE {failure}");
    }
    println!(
        "{name} parity: sets equal {}/{}, top-10 order equal {}/{}, facets equal {}/{}, \
         snippets identical {}/{}, titles identical {}/{} ({} queries with results, {} without, {} filtered)",
        p.sets_equal,
        p.n,
        p.order_equal,
        p.n,
        p.facets_equal,
        p.n,
        p.snippets_identical,
        p.shared_results,
        p.titles_identical,
        p.shared_results,
        p.with_results,
        p.empty,
        p.filtered
    );
    assert!(
        p.failures.is_empty(),
        "{name}: {} disagreements that must not happen (see FAILURE lines above); first: {}",
        p.failures.len(),
        p.failures[0]
    );
    assert!(
        p.sets_equal * 100 >= p.n * 99,
        "{name}: the same pages for only {}/{} queries (need 99%); see MISMATCH lines above",
        p.sets_equal,
        p.n
    );
    assert!(
        p.order_equal * 100 >= p.n * 90,
        "{name}: the same top-10 order for only {}/{} queries (need 90%); see MISMATCH lines above",
        p.order_equal,
        p.n
    );
}

fn fixture_queries() -> Vec<Query> {
    let long = "安全生产".repeat(60);
    let mut queries: Vec<Query> = [
        // Words and substrings of two to six characters.
        "防汛",
        "安全生产",
        "党风廉政建设",
        "新质生产力",
        "两个确立",
        "第一议题",
        "会议要求",
        "责任",
        "支部委员会",
        "主题党日",
        "三会一课",
        "网格",
        "智联",
        "生产力发展",
        "意识形态工作",
        "学习",
        "会议",
        "元旦春节",
        "廉洁",
        "河长制",
        "一岗双责",
        "高质量发展",
        "网上办",
        "有关要求",
        "数字政府建设",
        "两个确立的重要论述",
        // A lone character beside a number (its boundary positions), or beside punctuation
        // (every gram it starts).
        "2024年",
        "2023年第",
        "第1",
        "第2次",
        "年第1",
        "2024年第2次",
        "次）",
        "年，学习",
        "学习了关于",
        "中小学",
        // Site words (the words file) and word-level recall.
        "青禾网格通",
        "翠湖智联办",
        "确立两个",
        "安全责任",
        "党史教育",
        "发展新质生产力",
        "生产力新质",
        // Several parts (AND), phrases, exclusions.
        "防汛 应急",
        "党史 学习 教育",
        "安全 隐患",
        "乡村振兴 和美乡村",
        "保密 涉密",
        "营商环境 生产力",
        "\"党史学习教育\"",
        "\"生产力\"",
        "“两个维护”",
        "\"第一议题 学习\"",
        "学习 -党史",
        "第一议题 -区委常委会",
        "节前提醒 -乙",
        "廉洁 -2024",
        // Folding: Traditional characters, full width, Latin case.
        "黨史",
        "黨風廉政",
        "安全生產",
        "國家秘密",
        "ＡＢＣ",
        "abc",
        "ABC123",
        "excel",
        "EXCEL 台账",
        "ＯＡ",
        "wps",
        // Single characters.
        "党",
        "网",
        "汛",
        "会",
        "一",
        "年 会",
        // Nothing to find, punctuation only, markup.
        "紫藤萝",
        "不存在的词语",
        "量子计算",
        "xyzzy",
        "，。！？",
        "...",
        "——",
        "",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "\"unbalanced",
    ]
    .iter()
    .map(|t| q(t))
    .collect();
    queries.push(q(&long));
    // Filters.
    queries.extend([
        q("第一议题").kind("session"),
        q("第一议题").kind("note"),
        q("学习").kind("note"),
        q("学习").meeting("区委常委会"),
        q("会议").meeting("区政府党组会"),
        q("第一议题").tag("安全生产"),
        q("安全生产").tag("安全生产"),
        q("学习").year(2023),
        q("第一议题").year(2024),
        q("党").year(2025),
        q("学习").from("2024-01-01"),
        q("学习").to("2023-06-30"),
        q("会议").from("2024-01-01").to("2024-06-30"),
        q("第一议题").kind("session").meeting("区委常委会").year(2024),
        q("防汛").kind("note").tag("防汛"),
        q("责任").year(2023).kind("note"),
        q("学习").meeting("不存在的会议"),
        q("学习").tag("不存在的标签"),
        q("廉洁").from("2024-01-01"),
        q("党").kind("session").from("2023-06-01").to("2024-12-31"),
        q("安全").tag("应急管理").year(2024),
        q("生产力").year(2024).kind("session"),
        q("党").from("2023-12-20").to("2023-12-28"),
    ]);
    queries
}

/// Words, tags and meetings named like JavaScript's built-in object properties must be plain
/// data to the static engine, never `Object.prototype`'s functions.
#[test]
fn words_named_like_javascript_object_properties_are_plain_words() {
    let site = TestSite::new();
    let names = ["constructor", "toString", "valueOf", "hasOwnProperty"];
    for (i, name) in names.iter().enumerate() {
        site.write(
            &format!("content/p{i}.md"),
            &format!(
                "---\ntitle: {name} 学习笔记\ndate: 2024-0{}-01\ntags: [{name}, 学习]\nkind: session\nmeeting: {name}\n---\n\n\
                 关于 {name} 的学习，还有 constructor 一词。\n",
                i + 1
            ),
        );
    }
    site.build().success();
    let mut queries: Vec<Query> = names.iter().map(|name| q(name)).collect();
    queries.extend([
        q("学习").tag("constructor"),
        q("学习").meeting("valueOf"),
        q("isPrototypeOf"),
        q("__proto__"),
        q("学习"),
    ]);
    let p = run_parity(&site, &queries);
    report_and_assert("object property names", &p);
    assert_eq!(p.sets_equal, p.n, "every query finds the same pages");
    assert_eq!(p.facets_equal, p.n, "every query counts the same facets");
    assert!(p.with_results >= 6, "only {} queries found pages", p.with_results);
}

/// The source paths `studybook search --json` finds for `query`, in its order.
fn cli_paths(site: &TestSite, query: &str) -> Vec<String> {
    cli_paths_of(site, &[query])
}

/// The paths `studybook search --json ARGS…` lists, in order.
fn cli_paths_of(site: &TestSite, args: &[&str]) -> Vec<String> {
    let mut all = vec!["search", "--json"];
    all.extend_from_slice(args);
    let cli = site.run(&all).success();
    cli.stdout
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["path"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// A section's own page (its `_index.md`: title, summary, text) is found like a page (and a
/// page by its summary, which lists show), of kind
/// `section`, alike in the server and in the browser. Not the home page, whose introduction
/// names every section, nor a folder with no `_index.md` (its page is a name and a list); a
/// year or date filter is about pages, so it leaves sections out.
#[test]
fn a_sections_own_page_is_found_in_both_engines() {
    let site = TestSite::new();
    for (file, text) in [
        (
            "_index.md",
            "---\ntitle: 测试学习库\n---\n\n本库收录廉政教育和保密工作的资料。\n",
        ),
        (
            "integrity/_index.md",
            "---\ntitle: 廉政教育\nsummary: 廉洁自律的学习材料。\ndate: 2024-01-01\n---\n\n本栏目汇集警示教育案例和纪律规定。\n",
        ),
        (
            "integrity/case.md",
            "---\ntitle: 警示教育案例选编\ndate: 2024-03-01\nsummary: 以案为鉴的警示材料。\ndescription: 元数据里的口诀速记\n---\n\n廉政教育要常抓不懈。\n",
        ),
        (
            // A snippet moved back from the end of the text must not start inside a match.
            "reform.md",
            &format!(
                "---\ntitle: 改革笔记\ndate: 2024-02-01\n---\n\n{}改革{}改革丙丙改革\n",
                "甲".repeat(9),
                "乙".repeat(73)
            ),
        ),
        (
            "secrets/note.md",
            "---\ntitle: 保密工作要点\ndate: 2023-05-01\n---\n\n保密工作无小事。\n",
        ),
    ] {
        site.write(&format!("content/{file}"), text);
    }
    site.build().success();
    let paths = |query: &str| cli_paths(&site, query);
    // A page holding the query comes before a section's page holding it, even in its title
    // (sections score half: they list what the pages say).
    assert_eq!(paths("廉政教育"), ["integrity/case.md", "integrity/_index.md"]);
    assert_eq!(
        paths("警示教育案例"),
        ["integrity/case.md", "integrity/_index.md"]
    );
    // By its summary, as a page by its own.
    assert_eq!(paths("廉洁自律"), ["integrity/_index.md"]);
    assert_eq!(paths("以案为鉴"), ["integrity/case.md"]);
    // Not by its description, which no page of the site shows.
    assert_eq!(paths("口诀速记"), Vec::<String>::new());
    // Neither the home page nor a folder without `_index.md`.
    assert_eq!(paths("本库收录"), Vec::<String>::new());
    assert_eq!(paths("保密工作"), ["secrets/note.md"]);
    let cli = site.run(&["search", "--json", "廉洁自律"]).success();
    let hit: serde_json::Value = serde_json::from_str(cli.stdout.trim()).unwrap();
    assert_eq!(hit["kind"], "section", "{hit}");
    // Half of a page's: verbatim (1000) in the text (10), and BM25.
    let score = hit["score"].as_f64().unwrap();
    assert!((505.0..600.0).contains(&score), "{hit}");
    assert_eq!(hit["url"], "integrity/index.html", "{hit}");
    assert_eq!(hit["date"], serde_json::Value::Null, "{hit}");
    let cli = site.run(&["search", "--json", "改革"]).success();
    let hit: serde_json::Value = serde_json::from_str(cli.stdout.trim()).unwrap();
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .starts_with("…<mark>改革</mark>乙"),
        "{hit}"
    );
    let human = site.run(&["search", "廉洁自律"]).success();
    assert!(human.stdout.contains("1. 廉政教育  [栏目]"), "{}", human.stdout);
    let filtered = |args: &[&str]| cli_paths_of(&site, args);
    assert_eq!(filtered(&["--kind", "section", "廉政"]), ["integrity/_index.md"]);
    assert_eq!(filtered(&["--kind", "section"]), ["integrity/_index.md"]);
    assert_eq!(filtered(&["--year", "2024", "廉政教育"]), ["integrity/case.md"]);
    let queries: Vec<Query> = [
        q("廉政教育"),
        q("警示教育案例"),
        q("廉洁自律"),
        q("以案为鉴"),
        q("改革"),
        q("本库收录"),
        q("保密工作"),
        q("教育"),
        q("廉政").kind("section"),
        q("廉政").kind("note"),
        q("").kind("section"),
        q("廉政教育").year(2024),
    ]
    .into_iter()
    .collect();
    let p = run_parity(&site, &queries);
    report_and_assert("sections", &p);
    assert_eq!(p.sets_equal, p.n, "every query finds the same pages");
    assert_eq!(p.order_equal, p.n, "every query ranks them alike");
    assert_eq!(p.facets_equal, p.n, "facets count sections alike");
    assert_eq!(p.snippets_identical, p.shared_results, "snippets mark alike");
}

/// A part that is no word of the index (`会一` spans 三会|一课) has no BM25: its pages rank by
/// where they hold it (title, then tags and session fields, then text), then newest first,
/// alike in the server and in the browser.
#[test]
fn verbatim_matches_rank_by_the_fields_that_hold_them_in_both_engines() {
    let site = TestSite::new();
    for (file, title, date, tags, body) in [
        (
            "title.md",
            "三会一课制度要点",
            "2023-01-01",
            "[制度]",
            "支部按要求落实。",
        ),
        (
            "tags.md",
            "支部学习笔记",
            "2024-05-01",
            "[三会一课]",
            "学习体会。",
        ),
        (
            "older.md",
            "组织生活安排",
            "2025-01-01",
            "[组织]",
            "坚持三会一课制度。",
        ),
        (
            "newer.md",
            "其他材料",
            "2025-02-01",
            "[其他]",
            "三会一课要经常开，三会一课。",
        ),
    ] {
        site.write(
            &format!("content/{file}"),
            &format!("---\ntitle: {title}\ndate: {date}\ntags: {tags}\n---\n\n{body}\n"),
        );
    }
    site.build().success();
    assert_eq!(
        cli_paths(&site, "会一"),
        ["title.md", "tags.md", "newer.md", "older.md"]
    );
    let queries: Vec<Query> = ["会一", "三会", "一课制", "三会 支部", "课制度", "课"]
        .iter()
        .map(|t| q(t))
        .collect();
    let p = run_parity(&site, &queries);
    report_and_assert("verbatim ranking", &p);
    assert_eq!(p.sets_equal, p.n, "every query finds the same pages");
    assert_eq!(p.order_equal, p.n, "every query ranks them alike");
    assert!(p.with_results >= 5, "only {} queries found pages", p.with_results);
}

/// A query typed without spaces finds the pages that hold its words apart or with quotation
/// marks between them (`党史教育常态化` in 党史学习教育常态化, `四风问题` in “四风”问题), below
/// the pages that hold it as typed, alike in the server and in the browser.
#[test]
fn a_query_typed_without_spaces_finds_its_words_apart_in_both_engines() {
    let site = TestSite::new();
    for (file, title, date, body) in [
        (
            "history.md",
            "党史学习教育常态化长效化工作要点",
            "2023-03-01",
            "推动党史学习教育常态化长效化，巩固拓展学习成果。",
        ),
        (
            "style.md",
            "作风建设学习记录",
            "2023-09-01",
            "对照检查“四风”问题，逐条整改。",
        ),
        (
            "fengqiao.md",
            "基层治理学习笔记",
            "2024-09-01",
            "坚持和发展新时代“枫桥经验”，把矛盾化解在基层。",
        ),
        (
            "typed.md",
            "调研材料",
            "2022-01-01",
            "四风问题要常抓不懈，新时代枫桥经验要推广。",
        ),
        (
            "other.md",
            "其他材料",
            "2024-01-01",
            "教育培训安排，常态化开展学习，问题清单另附。",
        ),
        (
            "campaign.md",
            "主题教育工作安排",
            "2023-04-01",
            "扎实开展主题教育。",
        ),
        ("halves.md", "主题党日活动", "2023-04-02", "开展理论教育。"),
        (
            "office.md",
            "室务会第一议题学习（2024年第2次）",
            "2024-10-15",
            "室务会学习了有关文件。支部书记讲授党课。",
        ),
        (
            // Holds 室务会, a 2, a 第 and a 次, but not 第2次; 10 and 年来, but not 10年.
            "decoy.md",
            "工作安排",
            "2024-10-20",
            "室务会研究了有关工作，每年开展2次检查。第一议题制度要落实。近年来10月的变化。第1次会议在5月召开。",
        ),
        ("decimal.md", "投资情况", "2024-10-21", "全年投资增长1.5倍。"),
        (
            "numbers.md",
            "2024年第24次学习",
            "2024-06-01",
            "应到24人，实到19人，1人请假，24小时内报送。",
        ),
    ] {
        site.write(
            &format!("content/{file}"),
            &format!("---\ntitle: {title}\ndate: {date}\n---\n\n{body}\n"),
        );
    }
    site.build().success();
    let paths = |query: &str| cli_paths(&site, query);
    assert_eq!(paths("党史教育常态化"), ["history.md"]);
    assert_eq!(paths("党史学习教育长效化"), ["history.md"]);
    // As typed first (verbatim), then with the quotation marks.
    assert_eq!(paths("四风问题"), ["typed.md", "style.md"]);
    assert_eq!(paths("新时代枫桥经验"), ["typed.md", "fengqiao.md"]);
    // What no page holds stays unfound; a word of the index means that word, not its common
    // halves apart (主题党日…教育).
    assert_eq!(paths("量子计算机"), Vec::<String>::new());
    assert_eq!(paths("主题教育"), ["campaign.md"]);
    // One word and a leftover character say too little to match apart: `新教育` is not every
    // page with 教育 and 新 somewhere.
    assert_eq!(paths("新教育"), Vec::<String>::new());
    let queries: Vec<Query> = [
        "党史教育常态化",
        "党史学习教育长效化",
        "四风问题",
        "新时代枫桥经验",
        "常态化教育",
        "风问题",
        "量子计算机",
        "\"四风问题\"",
        "四风问题 -调研",
        "主题教育",
        "主题教育安排",
        "新教育",
        "24",
        "1",
        "24小时",
        "第2次室务会",
        "室务会第2次",
        "书记讲党课",
        "10年来的变化",
        "2次检查",
        "1.5",
        "投资增长1.5",
    ]
    .iter()
    .map(|t| q(t))
    .collect();
    let p = run_parity(&site, &queries);
    report_and_assert("words apart", &p);
    assert_eq!(p.sets_equal, p.n, "every query finds the same pages");
    assert_eq!(p.order_equal, p.n, "every query ranks them alike");
    assert!(
        p.with_results >= 10,
        "only {} queries found pages",
        p.with_results
    );
    assert_eq!(p.snippets_identical, p.shared_results, "snippets mark alike");
    assert_eq!(p.titles_identical, p.shared_results, "titles mark alike");
    // Each run of pieces is marked as the query writes it (`第2次`, `教育常态化`), not only the
    // words among them (室务会; 教育, 常态).
    let title = |query: &str| {
        let cli = site.run(&["search", "--json", query]).success();
        let hit: serde_json::Value = serde_json::from_str(cli.stdout.lines().next().unwrap()).unwrap();
        hit["title_html"].as_str().unwrap().to_string()
    };
    assert_eq!(
        title("第2次室务会"),
        "<mark>室务会</mark>第一议题学习（2024年<mark>第2次</mark>）"
    );
    // A number is matched with what it counts, as typed: not a 2, a 第 and a 次 anywhere.
    assert_eq!(paths("室务会第2次"), ["office.md"]);
    assert_eq!(paths("10年来的变化"), Vec::<String>::new());
    // A decimal number is one number: not a 1 and a 5 anywhere.
    assert_eq!(paths("1.5"), ["decimal.md"]);
    assert_eq!(paths("增长1.5倍"), ["decimal.md"]);
    // The 第 of 第2次 goes with the number, not with the meeting before it (室务会第一议题 was
    // marked 室务会第); a lone 讲 between two words marks with neither (书记讲授 was marked
    // 书记讲).
    assert_eq!(
        title("室务会第2次"),
        "<mark>室务会</mark>第一议题学习（2024年<mark>第2次</mark>）"
    );
    let cli = site.run(&["search", "--json", "书记讲党课"]).success();
    let hit: serde_json::Value = serde_json::from_str(cli.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        hit["snippet"], "室务会学习了有关文件。支部<mark>书记</mark>讲授<mark>党课</mark>。",
        "{hit}"
    );
    assert_eq!(
        title("党史教育常态化"),
        "<mark>党史</mark>学习<mark>教育常态化</mark>长效化工作要点"
    );
    // Numbers are marked only whole, as the index matches them.
    let cli = site.run(&["search", "--json", "24"]).success();
    let hit: serde_json::Value = serde_json::from_str(cli.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(hit["title_html"], "2024年第<mark>24</mark>次学习", "{hit}");
}

/// An ordinal is found whichever way the query and the page spell it: `第三次` finds the records
/// of `第3次` and `第3次` the page that says 第三次, laws' `第十二条` is found by `第12条`; alike in
/// the server and in the browser. Quoted, only the spelling typed.
#[test]
fn an_ordinal_is_found_in_digits_and_in_chinese_numerals_in_both_engines() {
    let site = TestSite::new();
    for (file, title, date, body) in [
        (
            "third.md",
            "区委常委会第一议题学习（2024年第3次）",
            "2024-03-12",
            "会议学习了安全生产的有关论述。",
        ),
        (
            "second.md",
            "区委常委会第一议题学习（2024年第2次）",
            "2024-02-10",
            "会议学习了乡村振兴的有关论述。",
        ),
        (
            "distribution.md",
            "共同富裕学习要点",
            "2023-05-06",
            "构建初次分配、再分配、第三次分配协调配套的制度体系。",
        ),
        (
            "law.md",
            "信访工作条例学习",
            "2022-06-01",
            "条例第十二条规定了信访工作的职责。",
        ),
        (
            // Holds 三, 次, 第 and 12 apart, but no ordinal of them.
            "decoy.md",
            "工作安排",
            "2024-01-20",
            "三项工作每月检查两次，第一议题制度要落实，共12条措施。",
        ),
        (
            // Holds 第十 and 一次 (the words of 第十一次), but no 11th.
            "plenary.md",
            "第一次全体会议",
            "2021-01-10",
            "第一次全体会议审议第十项议程。",
        ),
        (
            "mixed.md",
            "报送办法",
            "2021-02-01",
            "办法第5条第2款规定了报送时限，第十三次会议修订。",
        ),
    ] {
        site.write(
            &format!("content/{file}"),
            &format!("---\ntitle: {title}\ndate: {date}\n---\n\n{body}\n"),
        );
    }
    site.build().success();
    let paths = |query: &str| cli_paths(&site, query);
    assert_eq!(paths("第三次"), ["third.md", "distribution.md"]);
    assert_eq!(paths("第3次"), ["third.md", "distribution.md"]);
    assert_eq!(paths("常委会第三次"), ["third.md"]);
    assert_eq!(paths("2024年第三次"), ["third.md"]);
    assert_eq!(paths("第12条"), ["law.md"]);
    assert_eq!(paths("第十二条"), ["law.md"]);
    assert_eq!(paths("\"第三次\""), ["distribution.md"]);
    // Left out in either spelling.
    assert_eq!(paths("学习 -第三次"), ["second.md", "law.md"]);
    // An ordinal is matched whole: not by the words of its Chinese spelling apart.
    assert_eq!(paths("第11次"), Vec::<String>::new());
    assert_eq!(paths("第十一次"), Vec::<String>::new());
    assert_eq!(paths("第一次"), ["plenary.md"]);
    // Each ordinal of a part in either spelling: the part typed mixed finds the page in
    // digits.
    assert_eq!(paths("第5条第二款"), ["mixed.md"]);
    assert_eq!(paths("第五条第二款"), ["mixed.md"]);
    // Only the ordinal asked for is marked: not 十三次 of 第十三次 for `第3次`.
    let snippet = |query: &str| {
        let cli = site.run(&["search", "--json", query]).success();
        let hit: serde_json::Value = serde_json::from_str(cli.stdout.lines().next().unwrap()).unwrap();
        hit["snippet"].as_str().unwrap().to_string()
    };
    assert_eq!(
        snippet("第13次"),
        "办法第5条第2款规定了报送时限，<mark>第十三次</mark>会议修订。"
    );
    // The title marks the ordinal as the page spells it.
    let cli = site.run(&["search", "--json", "常委会第三次"]).success();
    let hit: serde_json::Value = serde_json::from_str(cli.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        hit["title_html"], "区委<mark>常委会</mark>第一议题学习（2024年<mark>第3次</mark>）",
        "{hit}"
    );
    let queries: Vec<Query> = [
        "第三次",
        "第3次",
        "常委会第三次",
        "常委会第3次",
        "2024年第三次",
        "第三次分配",
        "第3次分配",
        "第十二条",
        "第12条",
        "\"第三次\"",
        "学习 -第三次",
        "第二次 -第3次",
        "第一议题",
        "第11次",
        "第一次",
        "第5条第二款",
        "第13次",
        "第十三次会议",
    ]
    .iter()
    .map(|t| q(t))
    .collect();
    let p = run_parity(&site, &queries);
    report_and_assert("ordinals", &p);
    assert_eq!(p.sets_equal, p.n, "every query finds the same pages");
    assert_eq!(p.order_equal, p.n, "every query ranks them alike");
    assert!(
        p.with_results >= 15,
        "only {} queries found pages",
        p.with_results
    );
    assert_eq!(p.snippets_identical, p.shared_results, "snippets mark alike");
    assert_eq!(p.titles_identical, p.shared_results, "titles mark alike");
}

/// A query that finds nothing because of one wrong character (typed by sound with a pinyin
/// input method: `营商环竟`) is answered with the query corrected by the index's own words,
/// alike in the server and in the browser; the search page offers it as a link that searches it.
#[test]
fn a_misspelt_query_is_answered_with_its_correction_in_both_engines() {
    let site = TestSite::new();
    for (file, title, date, body) in [
        (
            "business.md",
            "优化营商环境学习要点",
            "2024-03-01",
            "持续优化营商环境，推动高质量发展。",
        ),
        (
            "quality.md",
            "高质量发展学习笔记",
            "2023-05-01",
            "高质量发展是首要任务。",
        ),
        (
            "campaign.md",
            "主题教育工作安排",
            "2023-04-01",
            "扎实开展主题教育。",
        ),
        (
            "third.md",
            "常委会第一议题学习（第三次）",
            "2023-06-01",
            "第三次会议学习了有关文件，区委办公室组织。",
        ),
    ] {
        site.write(
            &format!("content/{file}"),
            &format!("---\ntitle: {title}\ndate: {date}\n---\n\n{body}\n"),
        );
    }
    // 营商环境 is a word of the site's dictionary (jieba's own splits it).
    site.write(
        "book.toml",
        "[book]\ntitle = \"测试\"\n\n[search]\ndictionary = \"words.txt\"\n",
    );
    site.write("words.txt", "营商环境 20000 n\n");
    site.build().success();
    let suggestion = |args: &[&str]| -> Option<String> {
        let mut all = vec!["search"];
        all.extend_from_slice(args);
        let run = site.run(&all).success();
        run.stderr
            .lines()
            .find_map(|line| line.strip_prefix("did you mean: ").map(str::to_string))
    };
    assert_eq!(suggestion(&["营商环竟"]).as_deref(), Some("营商环境"));
    assert_eq!(suggestion(&["优化营商环竟"]).as_deref(), Some("优化营商环境"));
    assert_eq!(
        suggestion(&["高质量法展", "2023年"]).as_deref(),
        Some("高质量发展 2023年")
    );
    assert_eq!(
        suggestion(&["营商环竟", "-疫情"]).as_deref(),
        Some("营商环境 -疫情")
    );
    // Only the part that finds nothing alone is corrected.
    assert_eq!(
        suggestion(&["营商环境", "高质量法展"]).as_deref(),
        Some("营商环境 高质量发展")
    );
    assert_eq!(
        suggestion(&["--year", "2024", "营商环竟"]).as_deref(),
        Some("营商环境")
    );
    assert_eq!(suggestion(&["主题教汇"]).as_deref(), Some("主题教育"));
    // Written as typed, the corrected character alone changed: no space after a date run
    // together with the rest, the full-width comma and Traditional characters kept.
    assert_eq!(
        suggestion(&["2023年高质量法展"]).as_deref(),
        Some("2023年高质量发展")
    );
    assert_eq!(suggestion(&["營商環竟，"]).as_deref(), Some("營商環境，"));
    // `--json`: stdout holds results only, the correction is on stderr.
    let json = site.run(&["search", "--json", "营商环竟"]).success();
    assert_eq!(json.stdout, "");
    assert!(json.stderr.contains("did you mean: 营商环境"), "{}", json.stderr);
    // Two parts, each with a typo, each corrected.
    assert_eq!(
        suggestion(&["营商环竟", "高质量法展"]).as_deref(),
        Some("营商环境 高质量发展")
    );
    // Nothing to offer: a query that finds pages, a quoted part, two characters, no word
    // close enough, or a correction that finds nothing under the filters; never another
    // number (`第十次` is not a typo of 第三次), never a character a word of the part already
    // holds (`云川区委办公室`: 区委, 办公室), nor a part of a word for three characters (题教育
    // of 主题教育: four, `主题教汇`, would be).
    for args in [
        &["营商环境"][..],
        &["\"营商环竟\""],
        &["环竟"],
        &["量子计算机"],
        &["--year", "2023", "营商环竟"],
        &["第十次"],
        &["第十次会议"],
        &["云川区委办公室"],
        &["题教汇"],
    ] {
        assert_eq!(suggestion(args), None, "{args:?}");
    }
    let queries: Vec<Query> = [
        "营商环竟",
        "优化营商环竟",
        "高质量法展 2023年",
        "营商环竟 -疫情",
        "营商环境 高质量法展",
        "主题教肓",
        "\"营商环竟\"",
        "环竟",
        "量子计算机",
        "营商环境",
        "营商环竟 高质量法展",
        "第十次",
        "云川区委办公室",
        "题教汇",
        "2023年高质量法展",
        "營商環竟，",
    ]
    .iter()
    .map(|t| q(t))
    .chain([q("营商环竟").year(2023), q("营商环竟").year(2024)])
    .collect();
    let p = run_parity(&site, &queries);
    report_and_assert("suggestions", &p);
    assert_eq!(p.suggested, 10, "queries answered with a correction");

    // The search page: the correction is a link, and following it searches it.
    let browser = Browser::launch();
    let url = format!(
        "{}?q={}",
        file_url(&site, "search.html"),
        percent_encode("营商环竟")
    );
    let mut tab = open_page(&browser, &url);
    let state = wait_loaded_query(&mut tab);
    assert!(state.rows.is_empty(), "{state:?}");
    assert!(
        state.status.starts_with("您是不是要找：营商环境"),
        "the status offers the correction first: {}",
        state.status
    );
    // ↓ from the box reaches the correction, Enter follows it.
    tab.eval("document.getElementById('search-input').focus()");
    tab.press_key("ArrowDown");
    assert_eq!(
        tab.eval("document.activeElement === document.querySelector('#search-status .search-suggestion a')"),
        true
    );
    tab.press_key("Enter");
    tab.wait_until(
        &format!("document.querySelectorAll('{RESULTS}').length > 0"),
        WAIT,
    );
    let state = page_state(&mut tab);
    assert_eq!(state.rows.len(), 1, "{state:?}");
    assert!(state.rows[0].href.ends_with("business.html"), "{state:?}");
    assert_eq!(
        tab.eval("document.getElementById('search-input').value"),
        "营商环境"
    );
    assert!(
        tab.eval("decodeURIComponent(location.search)")
            .as_str()
            .unwrap()
            .contains("q=营商环境"),
        "the address names the corrected query"
    );
    // Back returns to the query as typed, and its suggestion.
    tab.eval("history.back()");
    tab.wait_until(
        "document.getElementById('search-input').value === '营商环竟' && document.querySelectorAll('#search-status .search-suggestion').length === 1",
        WAIT,
    );
    assert!(state.errors.is_empty(), "{:?}", state.errors);
}

/// A year or a month typed as a query part (`2023年`, `2023-05`) finds the pages dated in it
/// as well as those that say it, alike in the server and in the browser; quoted, only what
/// says it.
#[test]
fn a_year_or_month_in_the_query_finds_the_pages_dated_in_it_in_both_engines() {
    let site = TestSite::new();
    for (file, title, date, body) in [
        ("may.md", "安全生产学习要点", "2023-05-04", "落实安全生产责任。"),
        (
            "june.md",
            "防汛工作部署",
            "2023-06-10",
            "汛期值班安排，2023年6月起执行。",
        ),
        (
            "later.md",
            "安全生产年度总结",
            "2024-01-15",
            "回顾2023年的安全生产工作。",
        ),
        ("other.md", "信访工作条例", "2024-03-01", "依法办理群众诉求。"),
    ] {
        site.write(
            &format!("content/{file}"),
            &format!("---\ntitle: {title}\ndate: {date}\n---\n\n{body}\n"),
        );
    }
    site.build().success();
    let sorted = |mut paths: Vec<String>| {
        paths.sort();
        paths
    };
    assert_eq!(
        sorted(cli_paths(&site, "2023年")),
        ["june.md", "later.md", "may.md"]
    );
    assert_eq!(cli_paths(&site, "2023-05"), ["may.md"]);
    assert_eq!(cli_paths(&site, "2023年5月"), ["may.md"]);
    // A year of two digits, as said aloud, is this century's: the pages dated in 2023 (not the
    // one that says 2023年: numbers match whole).
    assert_eq!(sorted(cli_paths(&site, "23年")), ["june.md", "may.md"]);
    assert_eq!(cli_paths(&site, "23年5月"), ["may.md"]);
    assert_eq!(cli_paths(&site, "23年安全生产"), ["may.md"]);
    assert_eq!(cli_paths(&site, "安全生产23年"), ["may.md"]);
    // What they say with all four digits is marked.
    let cli = site.run(&["search", "--json", "23年6月"]).success();
    let hit: serde_json::Value = serde_json::from_str(cli.stdout.trim()).unwrap();
    assert_eq!(
        hit["snippet"], "汛期值班安排，<mark>2023年6月</mark>起执行。",
        "{hit}"
    );
    // Dated in 2023 and about 安全生产, or saying both; run together, the same.
    assert_eq!(
        sorted(cli_paths(&site, "2023年 安全生产")),
        ["later.md", "may.md"]
    );
    assert_eq!(sorted(cli_paths(&site, "2023年安全生产")), ["later.md", "may.md"]);
    assert_eq!(sorted(cli_paths(&site, "安全生产2023年")), ["later.md", "may.md"]);
    // A lone character after the year is no topic: `2023年会` stays one part.
    assert_eq!(cli_paths(&site, "2023年汛"), Vec::<String>::new());
    // Quoted and left out, only the text counts.
    assert_eq!(cli_paths(&site, "安全生产 -\"2023年\""), ["may.md"]);
    // A day.
    assert_eq!(cli_paths(&site, "2023-05-04"), ["may.md"]);
    // Left out by date as well as by text.
    assert_eq!(cli_paths(&site, "安全生产 -2023年"), Vec::<String>::new());
    assert_eq!(cli_paths(&site, "安全生产 -2023年5月"), ["later.md"]);
    assert_eq!(cli_paths(&site, "2023年5月4日"), ["may.md"]);
    // Held verbatim and dated in it counts once: the page that says 2023年 in its text is
    // not above the one dated then whose title holds the rest.
    assert_eq!(cli_paths(&site, "2023年 安全生产学习")[0], "may.md");
    assert_eq!(sorted(cli_paths(&site, "\"2023年\"")), ["june.md", "later.md"]);
    assert_eq!(cli_paths(&site, "2025年"), Vec::<String>::new());
    let queries: Vec<Query> = [
        "2023年",
        "2023",
        "2023-05",
        "2023年5月",
        "2023年 安全生产",
        "2023年安全生产",
        "2023-05-04",
        "2023年5月4日防汛",
        "安全生产 -2023年",
        "安全生产 -\"2023年\"",
        "-2024年",
        "安全生产2023年",
        "2023年汛",
        "防汛2023年6月",
        "\"2023年\"",
        "2024年度",
        "2025",
        "23年",
        "23年5月",
        "23年安全生产",
        "安全生产23年",
        "23年6月",
        "10年来的变化",
    ]
    .iter()
    .map(|t| q(t))
    .collect();
    let p = run_parity(&site, &queries);
    report_and_assert("dates named", &p);
    assert_eq!(p.sets_equal, p.n, "every query finds the same pages");
    assert_eq!(p.order_equal, p.n, "every query ranks them alike");
    assert!(p.with_results >= 7, "only {} queries found pages", p.with_results);
}

/// Filters with no words list every page they admit, newest first, alike in the server, the
/// CLI and the browser; with neither words nor filters nothing is listed.
#[test]
fn filters_alone_list_the_pages_they_admit_in_both_engines() {
    let site = shared_fixture();
    let queries = [
        q("").year(2024),
        q("").kind("session"),
        q("").kind("session").meeting("区委常委会"),
        q("").tag("第一议题"),
        q("的").year(2024),
        q("-防汛").year(2024),
        q("").from("2024-01-01").to("2024-06-30"),
        q(""),
    ];
    let p = run_parity(site, &queries);
    report_and_assert("filters alone", &p);
    assert_eq!(p.sets_equal, p.n, "every query finds the same pages");
    assert_eq!(p.order_equal, p.n, "every query ranks them alike");
    assert_eq!(p.facets_equal, p.n, "every query counts the same facets");
    assert!(p.with_results >= 7, "only {} queries found pages", p.with_results);
    assert_eq!(p.empty, 1, "no words and no filter: nothing");
    // Newest first.
    let run = site.run(&["search", "--json", "--year", "2024"]).success();
    let dates: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["date"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert!(dates.len() > 2 && dates == sorted, "{dates:?}");
    // Neither words nor a filter is a usage error.
    assert_eq!(site.run(&["search"]).code, 2);
}

/// A lone character beside a number (`12篇`, `第12`) needs the number's gram shard and the
/// character's own shard, not the shards of every gram the character starts; an ordinal
/// (`第123篇`) adds only the shards of its other spelling's grams (第一百二十三篇).
#[test]
fn a_lone_character_beside_a_number_loads_few_shards() {
    let site = shared_generated();
    let gram_shards = pack_meta(site)["gramShards"].as_u64().unwrap() as u32;
    assert!(
        gram_shards > 5,
        "the generated site has several gram shards: {gram_shards}"
    );
    let browser = Browser::launch();
    for (query, number) in [("12篇", "12"), ("第12", "12"), ("第123篇", "123")] {
        let url = format!("{}?q={}", file_url(site, "search.html"), percent_encode(query));
        let mut tab = open_page(&browser, &url);
        let state = wait_loaded_query(&mut tab);
        assert_page_matches_cli(site, &state, query, "file://");
        assert!(!state.rows.is_empty(), "{query} finds its page");
        let loaded: Vec<String> = serde_json::from_value(
            tab.eval("window.__loaded.map(function (u) { return u.split('/').pop().split('?')[0]; })"),
        )
        .unwrap();
        let grams: BTreeSet<&String> = loaded.iter().filter(|f| f.starts_with("g-")).collect();
        let shard = |gram: &str| format!("g-{}.js", studybook::search::pack::fnv1a(gram) % gram_shards);
        let mut expected = BTreeSet::from([shard(number)]);
        for other in studybook::search::numerals::respelled(query) {
            assert_eq!(other, "第一百二十三篇");
            expected.extend(query_grams(&other).iter().map(|gram| shard(&gram.text)));
        }
        assert_eq!(
            grams,
            expected.iter().collect(),
            "{query}: only the shard of {number} (and of its other spelling): {loaded:?}"
        );
        tab.call("Page.close", json!({}));
    }
}

/// Parity on the fixture: the CLI, the library and the static engine in Chromium.
#[test]
fn the_static_engine_answers_as_the_server_on_the_fixture() {
    let site = shared_fixture();
    let queries = fixture_queries();
    let p = run_parity(site, &queries);
    report_and_assert("fixture", &p);
    // The set is what the issue asks for, and not degenerate.
    assert!(p.n >= 60, "only {} queries", p.n);
    assert!(p.filtered >= 15, "only {} queries with filters", p.filtered);
    assert!(
        p.with_results >= 45,
        "only {} queries find anything",
        p.with_results
    );
    assert!(p.empty >= 8, "only {} queries find nothing", p.empty);
    assert!(
        p.over_ten >= 4,
        "only {} queries find more than 10 pages",
        p.over_ten
    );
}

fn generated_queries() -> Vec<Query> {
    let mut queries: Vec<Query> = WORDS.iter().take(20).map(|w| q(w)).collect();
    queries.extend(
        [
            "学习笔记",
            "安全",
            "管理",
            "建设",
            "安全生产 防汛抗旱",
            "乡村振兴 数据共享 网络安全",
            "加强安全",
            "推进乡村振兴",
            "\"落实安全生产\"",
            "\"和应急管理\"",
            "安全生产 -防汛抗旱",
            "学习笔记 -安全",
            "網絡安全",
            "第12篇",
            "理",
            "督",
            "不存在词语",
            "zzzz",
        ]
        .iter()
        .map(|t| q(t)),
    );
    queries.extend([
        q("安全生产").kind("session"),
        q("安全生产").kind("note"),
        q("学习笔记").meeting("区委常委会"),
        q("防汛抗旱").meeting("机关支部委员会"),
        q("数据共享").tag("民生"),
        q("学习笔记").tag("生态").year(2022),
        q("营商环境").year(2021),
        q("科技创新").from("2023-03-01").to("2024-09-30"),
        q("学习笔记").from("2025-06-01"),
        q("人才培养").to("2020-12-31").kind("note"),
        q("网络安全").kind("session").meeting("区政府党组会").year(2024),
    ]);
    queries
}

/// Parity on a generated site of 300 pages: several gram and word shards and text chunks, so
/// the engine must pick the right shard for each term and the right chunk for each page.
#[test]
fn the_static_engine_answers_as_the_server_with_many_shards() {
    let site = shared_generated();
    let meta = pack_meta(site);
    let p = run_parity(site, &generated_queries());
    report_and_assert("generated", &p);
    assert!(
        meta["gramShards"].as_u64().unwrap_or(0) >= 2,
        "the generated site should need several gram shards: {meta}"
    );
    assert!(
        p.with_results >= 30,
        "only {} queries find anything",
        p.with_results
    );
    assert!(
        p.over_ten >= 10,
        "only {} queries find more than 10 pages",
        p.over_ten
    );
    let files = pack_files(site).len();
    assert!(files < 1000, "{files} pack files for {GENERATED_PAGES} pages");
}

// ---------------------------------------------------------------------------------------------
// The search page with no search server.

/// The page's results are the CLI's for the same query (the page shows 20).
fn assert_page_matches_cli(site: &TestSite, state: &PageState, query: &str, context: &str) {
    let (total, rows) = cli(site, &q(query), 20);
    assert!(total > 0, "{context}: the CLI finds nothing for {query}");
    assert!(!state.is_error(), "{context}: {state:?}");
    assert_eq!(state.status, format!("{total} 条结果"), "{context}");
    assert_eq!(
        state.hrefs(),
        urls(&rows),
        "{context}: the page and the CLI differ"
    );
    for (shown, expected) in state.rows.iter().zip(&rows) {
        assert_eq!(
            shown.title_html, expected.title_html,
            "{context}: the title of {}",
            expected.url
        );
    }
    assert!(state.errors.is_empty(), "{context}: {:?}", state.errors);
    assert_eq!(state.injected, 0, "{context}");
}

#[test]
fn the_page_opened_from_file_finds_a_known_page() {
    let site = shared_fixture();
    let browser = Browser::launch();
    let query = "党风廉政建设";
    let url = format!("{}?q={}", file_url(site, "search.html"), percent_encode(query));
    let mut tab = open_page(&browser, &url);
    let state = wait_loaded_query(&mut tab);
    assert_page_matches_cli(site, &state, query, "file://");
    let first = &state.rows[0];
    assert_eq!(first.href, "notes/clean-government.html");
    assert_eq!(first.title, "党风廉政建设责任清单");
    assert!(
        first.title_html.contains("<mark>党风廉政建设</mark>"),
        "{first:?}"
    );
    assert!(first.snippet.contains("<mark>"), "{first:?}");
    assert!(
        state.facets.iter().any(|f| f.contains("党风廉政建设")),
        "the tag facet is shown: {:?}",
        state.facets
    );
    assert_eq!(tab.eval("document.getElementById('search-input').value"), query);

    // More results than one, typed.
    let state = search_in_page(&mut tab, "学习");
    assert_page_matches_cli(site, &state, "学习", "file://, typed");

    // Following the first result opens its page.
    let state = search_in_page(&mut tab, query);
    assert_eq!(state.rows[0].href, "notes/clean-government.html");
    tab.eval(&format!("document.querySelector('{RESULTS} a').click()"));
    let heading = tab.wait_until(
        "location.pathname.endsWith('notes/clean-government.html') && document.readyState === 'complete' && (document.querySelector('h1') || {}).textContent",
        WAIT,
    );
    assert_eq!(heading, "党风廉政建设责任清单");
}

#[test]
fn the_page_on_a_plain_static_server_finds_what_the_cli_finds() {
    let site = shared_fixture();
    let server = StaticServer::start(&site.path("public"));
    // A static host has no search API: the page must fall back to the pack.
    let (status, _, _) = http_get(&server.base, "/api/search?q=x", &[]);
    assert_eq!(status, 404, "python's server has no /api/search");
    let browser = Browser::launch();
    for query in ["党风廉政建设", "第一议题", "黨史"] {
        let url = format!("{}search.html?q={}", server.base, percent_encode(query));
        let mut tab = open_page(&browser, &url);
        let state = wait_loaded_query(&mut tab);
        assert_page_matches_cli(site, &state, query, &format!("http.server, {query}"));
        let loaded = loaded_since(&mut tab, 0);
        assert!(
            loaded.iter().any(|f| f == "meta"),
            "the page searched the pack: {loaded:?}"
        );
    }
    let mut tab = open_page(
        &browser,
        &format!("{}search.html?q={}", server.base, percent_encode("党风廉政建设")),
    );
    let state = wait_loaded_query(&mut tab);
    assert_eq!(state.rows[0].title, "党风廉政建设责任清单");
    assert_eq!(state.rows[0].href, "notes/clean-government.html");
}

/// A host that answers `api/search` with its home page (a 200) or a 403 has no search API
/// either: the page searches the pack, and does not say the search data is missing.
#[test]
fn a_host_answering_missing_paths_with_its_home_page_or_403_still_searches_the_pack() {
    let site = shared_fixture();
    let browser = Browser::launch();
    for (mode, status) in [("home", 200), ("403", 403)] {
        let server = StaticServer::start_hiding_missing_paths(&site.path("public"), mode);
        assert_eq!(http_get(&server.base, "/api/search?q=x", &[]).0, status, "{mode}");
        let query = "党风廉政建设";
        let url = format!("{}search.html?q={}", server.base, percent_encode(query));
        let mut tab = open_page(&browser, &url);
        let state = wait_loaded_query(&mut tab);
        assert_page_matches_cli(site, &state, query, &format!("a host answering {mode}"));
        assert_eq!(state.rows[0].title, "党风廉政建设责任清单", "{mode}");
        let loaded = loaded_since(&mut tab, 0);
        assert!(
            loaded.iter().any(|f| f == "meta"),
            "{mode}: the page searched the pack: {loaded:?}"
        );
        tab.call("Page.close", json!({}));
    }
}

/// The data files carry a byte order mark (UTF-16 for binary, UTF-8 for JSON), which a browser
/// obeys over the charset a server names.
#[test]
fn a_server_that_labels_scripts_gbk_still_finds_what_the_cli_finds() {
    let site = shared_fixture();
    let server = StaticServer::start_saying_gbk(&site.path("public"));
    let (status, headers, _) = http_get(&server.base, "/search/pack/meta.js", &[]);
    assert_eq!(status, 200);
    let content_type = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.to_ascii_lowercase());
    assert_eq!(content_type.as_deref(), Some("text/javascript; charset=gbk"));
    let browser = Browser::launch();
    let query = "党风廉政建设";
    let url = format!("{}search.html?q={}", server.base, percent_encode(query));
    let mut tab = open_page(&browser, &url);
    let state = wait_loaded_query(&mut tab);
    assert!(!state.rows.is_empty(), "{query} finds pages: {state:?}");
    assert_page_matches_cli(site, &state, query, &format!("GBK-labelled scripts, {query}"));
    // Tags and meetings come from meta.js (UTF-8).
    assert!(
        state.facets.iter().any(|f| f.contains("党风廉政建设")),
        "GBK-labelled scripts, {query}: the tag facet reads right: {:?}",
        state.facets
    );
}

/// Without base-url, a server showing `404.html` at a deep missing address still gives it its
/// style and links that lead home.
#[test]
fn the_404_page_shown_deep_on_a_static_server_finds_the_site_root() {
    let site = shared_fixture();
    let server = StaticServer::start_with_404_page(&site.path("public"));
    let (status, _, _) = http_get(&server.base, "/notes/2024/gone/missing.html", &[]);
    assert_eq!(status, 404);
    let browser = Browser::launch();
    let mut tab = browser.open(&format!("{}notes/2024/gone/missing.html", server.base));
    tab.wait_until(
        "document.querySelector('main a') && document.querySelector('main a').href.endsWith('/index.html') && document.querySelector('main a').href.split('/').length === 4",
        WAIT,
    );
    assert_eq!(
        tab.eval("document.querySelector('main a').href"),
        format!("{}index.html", server.base)
    );
    // The stylesheet loaded from the root: its rules apply.
    tab.wait_until(
        "Array.prototype.some.call(document.styleSheets, function (s) { try { return s.cssRules.length > 0; } catch (e) { return false; } })",
        WAIT,
    );
    // At the root's own level, nothing changes.
    let mut tab = browser.open(&format!("{}missing.html", server.base));
    tab.wait_until(
        "document.readyState === 'complete' && !!document.querySelector('main a')",
        WAIT,
    );
    assert_eq!(
        tab.eval("document.querySelector('main a').href"),
        format!("{}index.html", server.base)
    );
    assert_eq!(tab.eval("document.querySelectorAll('base').length"), 0);
}

/// Results come twenty at a time; "more" shows the next twenty, in the server's order, until
/// all are shown, from the pack (file://) and from the API alike.
#[test]
fn more_results_are_a_button_away_until_all_are_shown() {
    let site = shared_generated();
    let query = "安全生产";
    let (total, rows) = cli(site, &q(query), 1000);
    assert!(total > 45, "the query needs three pages: {total}");
    let server = Server::start(site, &[]);
    let browser = Browser::launch();
    for url in [file_url(site, "search.html"), server.url("search.html")] {
        let mut tab = open_page(&browser, &format!("{url}?q={}", percent_encode(query)));
        let mut state = wait_loaded_query(&mut tab);
        assert_eq!(state.status, format!("{total} 条结果"), "{url}");
        // Facets come with the first page (at most twelve values each) and stay.
        let facets = state.facets.clone();
        assert!(facets.len() > 2 && facets.len() <= 4 * 12, "{url}: {facets:?}");
        let mut pages = 1;
        loop {
            let expected = (pages * 20).min(total);
            assert_eq!(state.hrefs(), urls(&rows[..expected]), "{url}: page {pages}");
            let more_hidden = tab.eval("document.getElementById('search-more').hidden");
            if expected == total {
                assert_eq!(more_hidden, true, "{url}: no more button once all are shown");
                break;
            }
            assert_eq!(
                more_hidden, false,
                "{url}: a more button after {expected} of {total}"
            );
            tab.eval("document.getElementById('search-more').click()");
            pages += 1;
            let shown = (pages * 20).min(total);
            tab.wait_until(
                &format!("document.querySelectorAll('{RESULTS}').length === {shown}"),
                WAIT,
            );
            state = page_state(&mut tab);
            // The reader goes on from the first new result.
            assert_eq!(
                tab.eval("document.activeElement && decodeURIComponent(document.activeElement.getAttribute('href') || '')"),
                rows[(pages - 1) * 20].url,
                "{url}"
            );
            // One result is marked active: the first new one.
            assert_eq!(
                tab.eval(&format!("document.querySelectorAll('{RESULTS}.active').length")),
                1,
                "{url}: page {pages}"
            );
        }
        assert_eq!(state.facets, facets, "{url}: more results keep the facets");
        assert!(state.errors.is_empty(), "{url}: {:?}", state.errors);
    }
}

/// Arrow keys move through the results from the search box, and keep their usual meaning in a
/// facet's radio buttons; an input method's unfinished pinyin is not searched.
#[test]
fn arrow_keys_in_facets_and_input_methods_behave_as_readers_expect() {
    let site = shared_fixture();
    let browser = Browser::launch();
    let mut tab = open_page(
        &browser,
        &format!("{}?q={}", file_url(site, "search.html"), percent_encode("学习")),
    );
    wait_loaded_query(&mut tab);
    // From the box, ↓ goes to the first result.
    tab.eval("document.getElementById('search-input').focus()");
    tab.press_key("ArrowDown");
    assert_eq!(
        tab.eval("document.activeElement.closest('#search-results') !== null"),
        true
    );
    // In a facet, ↓ picks the next value, as radio buttons do.
    tab.eval("document.querySelector('#search-facets input[type=radio]').focus()");
    tab.eval("document.getElementById('search-status').textContent = ''");
    tab.press_key("ArrowDown");
    // The group's next value is chosen: the search runs again, filtered.
    tab.wait_until("location.search.indexOf('kind=') >= 0", WAIT);
    tab.wait_until(
        "document.getElementById('search-status').textContent !== ''",
        WAIT,
    );
    assert_eq!(
        tab.eval("document.querySelector('#search-facets input[name=\"facet-kind\"]:checked').value !== ''"),
        true
    );

    // Composing pinyin: no search for the letters.
    let mut tab = open_page(&browser, &file_url(site, "search.html"));
    tab.eval("document.getElementById('search-input').focus()");
    tab.call(
        "Input.imeSetComposition",
        json!({ "text": "dangfeng", "selectionStart": 8, "selectionEnd": 8 }),
    );
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        tab.eval("document.getElementById('search-status').textContent"),
        ""
    );
    assert_eq!(tab.eval("location.search"), "");
    tab.call("Input.insertText", json!({ "text": "党风廉政建设" }));
    let state = wait_loaded_query(&mut tab);
    assert_page_matches_cli(site, &state, "党风廉政建设", "after the composition");
}

/// On a phone-sized screen the facets sit compactly above the results: the first result is
/// about one screen down (it was 1,172 px with the facets one per line).
#[test]
fn on_a_narrow_screen_the_first_result_is_near_the_top() {
    let site = shared_generated();
    let browser = Browser::launch();
    let mut tab = browser.open("about:blank");
    tab.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": true }),
    );
    tab.navigate(&format!(
        "{}?q={}",
        file_url(site, "search.html"),
        percent_encode("安全生产")
    ));
    tab.wait_until(
        "document.readyState === 'complete' && document.querySelectorAll('#search-results li').length > 0 && !document.getElementById('search-facets').hidden",
        WAIT,
    );
    let top = tab
        .eval("document.querySelector('#search-results li').getBoundingClientRect().top + window.scrollY")
        .as_f64()
        .unwrap();
    let facets = tab
        .eval("document.querySelectorAll('#search-facets input').length")
        .as_u64()
        .unwrap();
    assert!(facets > 20, "many facet values to lay out: {facets}");
    assert!(
        top < 1000.0,
        "the first result starts {top} px down on a 740 px screen"
    );
    assert_eq!(
        tab.eval("document.documentElement.scrollWidth <= 360"),
        true,
        "nothing wider than the screen"
    );
}

#[test]
fn with_studybook_serve_the_static_engine_shows_what_the_api_shows() {
    let site = TestSite::fixture("search");
    let server = Server::start(&site, &[]);
    let browser = Browser::launch();
    for query in [
        "q=防汛",
        "q=学习",
        "q=第一议题&meeting=区委常委会",
        "q=黨史",
        "q=安全&kind=note",
        "q=<script>alert(1)</script>",
        // Filters edited by hand into values the API refuses: both search unfiltered.
        "q=学习&year=abc&kind=bogus",
        "q=学习&year=2024abc",
    ] {
        let encoded = query
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                format!("{k}={}", percent_encode(v))
            })
            .collect::<Vec<_>>()
            .join("&");
        let mut api_tab = open_page(&browser, &format!("{}?{encoded}", server.url("search.html")));
        let api = wait_loaded_query(&mut api_tab);
        let mut static_tab = open_page(
            &browser,
            &format!("{}?{encoded}&engine=static", server.url("search.html")),
        );
        let mine = wait_loaded_query(&mut static_tab);
        assert!(
            !api.rows.is_empty(),
            "{query}: the API page shows results: {api:?}"
        );
        assert!(!api.is_error() && !mine.is_error(), "{query}: {api:?} {mine:?}");
        assert_eq!(mine.status, api.status, "{query}: the status line");
        assert_eq!(mine.hrefs(), api.hrefs(), "{query}: the result links");
        for (a, b) in mine.rows.iter().zip(&api.rows) {
            assert_eq!(a.title_html, b.title_html, "{query}: the title of {}", b.href);
            assert_eq!(a.snippet, b.snippet, "{query}: the snippet of {}", b.href);
        }
        assert_eq!(mine.facets, api.facets, "{query}: the facets");
        assert!(mine.errors.is_empty() && api.errors.is_empty(), "{query}");
        // Each page really used its own engine.
        let resources = |tab: &mut Tab| -> Vec<String> {
            let value = tab.eval(
                "JSON.stringify(performance.getEntriesByType('resource').map(e => e.name).concat(window.__loaded))",
            );
            serde_json::from_str(value.as_str().unwrap()).unwrap()
        };
        let api_resources = resources(&mut api_tab);
        let static_resources = resources(&mut static_tab);
        assert!(
            api_resources.iter().any(|r| r.contains("api/search"))
                && !api_resources.iter().any(|r| r.contains("search/pack/")),
            "{query}: the served page asks /api/search: {api_resources:?}"
        );
        assert!(
            static_resources.iter().any(|r| r.contains("search/pack/meta.js"))
                && !static_resources.iter().any(|r| r.contains("api/search")),
            "{query}: engine=static searches the pack: {static_resources:?}"
        );
        // Each served page holds a live-reload connection (EventSource), and Chromium opens at
        // most six per host: close the tabs so the next pages can load.
        api_tab.call("Page.close", json!({}));
        static_tab.call("Page.close", json!({}));
    }
}

/// Under `serve`, a query the API refuses (a bad filter in a hand-edited address) shows that
/// search as unavailable but does not switch the page to the pack, whose data lags the
/// editor's saves; a very long query is cut to the length both engines read, not refused.
#[test]
fn under_serve_an_answer_of_the_api_never_switches_the_page_to_the_pack() {
    let site = TestSite::fixture("search");
    let server = Server::start(&site, &[]);
    let browser = Browser::launch();
    let pack_loaded = |tab: &mut Tab| -> Vec<String> {
        let value = tab.eval(
            "JSON.stringify(performance.getEntriesByType('resource').map(e => e.name).concat(window.__loaded))",
        );
        let resources: Vec<String> = serde_json::from_str(value.as_str().unwrap()).unwrap();
        resources
            .into_iter()
            .filter(|r| r.contains("search/pack/"))
            .collect()
    };

    let url = format!(
        "{}?q={}&kind=Session",
        server.url("search.html"),
        percent_encode("学习")
    );
    // The API would refuse kind=Session; the page drops the value and asks the API unfiltered.
    let mut tab = open_page(&browser, &url);
    let unfiltered = wait_loaded_query(&mut tab);
    assert!(
        !unfiltered.is_error() && !unfiltered.rows.is_empty(),
        "{unfiltered:?}"
    );
    let (total, _) = cli(&site, &q("学习"), 20);
    assert_eq!(unfiltered.status, format!("{total} 条结果"));
    assert_eq!(pack_loaded(&mut tab), Vec::<String>::new());
    tab.call("Page.close", json!({}));

    let long: String = "防汛".repeat(150);
    let url = format!("{}?q={}", server.url("search.html"), percent_encode(&long));
    let mut tab = open_page(&browser, &url);
    let state = wait_loaded_query(&mut tab);
    assert!(!state.is_error() && !state.rows.is_empty(), "{state:?}");
    let state = search_in_page(&mut tab, "学习");
    assert!(!state.is_error() && !state.rows.is_empty(), "{state:?}");
    assert_eq!(
        pack_loaded(&mut tab),
        Vec::<String>::new(),
        "the page stayed on /api/search"
    );
    tab.call("Page.close", json!({}));
}

// ---------------------------------------------------------------------------------------------
// Bad input.

#[test]
fn bad_input_in_the_page_gives_no_error_and_no_markup() {
    let site = shared_fixture();
    let searcher = open_searcher(site);
    let browser = Browser::launch();
    let mut tab = open_page(&browser, &file_url(site, "search.html"));
    let inputs: Vec<String> = [
        "",
        "   ",
        "，。！？、；：",
        "...!!!???",
        "-",
        "\"\"",
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "\"unbalanced",
        "\"防汛",
        "' OR 1=1; --",
        "%3Cimg%20src%3Dx%3E",
        "\u{0}\u{7}防汛\u{1b}",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        "防汛".repeat(5000),
        "a".repeat(10_000),
        "<img src=x onerror=alert(1)>".repeat(400),
    ])
    .collect();
    let mut found_something = 0;
    for input in &inputs {
        let label = if input.chars().count() > 40 {
            format!(
                "{}… ({} chars)",
                input.chars().take(20).collect::<String>(),
                input.chars().count()
            )
        } else {
            format!("{input:?}")
        };
        let state = search_in_page(&mut tab, input);
        assert!(!state.is_error(), "{label}: the status is an error: {state:?}");
        assert_eq!(state.injected, 0, "{label}: markup was injected");
        assert!(
            state.errors.is_empty(),
            "{label}: uncaught errors {:?}",
            state.errors
        );
        assert!(
            state.alerts.is_empty(),
            "{label}: a script ran: {:?}",
            state.alerts
        );
        let trimmed = input.trim();
        if trimmed.is_empty() {
            assert_eq!(state.status, "", "{label}");
            assert!(state.rows.is_empty(), "{label}");
            continue;
        }
        let expected = library(&searcher, &q(trimmed), 20);
        if expected.total == 0 {
            assert_eq!(state.status, NO_RESULTS, "{label}");
        } else {
            found_something += 1;
            assert_eq!(state.status, format!("{} 条结果", expected.total), "{label}");
        }
        let expected_urls: Vec<String> = expected.results.iter().map(|h| h.url.clone()).collect();
        assert_eq!(
            state.hrefs(),
            expected_urls,
            "{label}: the results differ from the server's"
        );
    }
    assert!(found_something >= 3, "some of the odd queries find pages");

    // The page whose title is a script tag, found by a query that is an img tag: both as text.
    let url = format!(
        "{}?q={}",
        file_url(site, "search.html"),
        percent_encode("<img src=x onerror=alert(1)>")
    );
    let mut tab = open_page(&browser, &url);
    let state = wait_loaded_query(&mut tab);
    let row = state
        .rows
        .iter()
        .find(|r| r.title == "<script>alert(1)</script>")
        .unwrap_or_else(|| panic!("the <script> page is not shown as text: {state:?}"));
    assert!(row.title_html.starts_with("&lt;"), "{row:?}");
    let text = tab.eval(&format!(
        "Array.from(document.querySelectorAll('{RESULTS} p.snippet')).map(p => p.textContent).join('\\n')"
    ));
    assert!(
        text.as_str().unwrap().contains("<img src=x onerror=alert(1)>"),
        "{text}"
    );
    assert_eq!(state.injected, 0);
    assert!(state.alerts.is_empty() && state.errors.is_empty(), "{state:?}");
}

// ---------------------------------------------------------------------------------------------
// Missing and damaged data files.

fn assert_unavailable(state: &PageState, context: &str) {
    assert_eq!(state.status, UNAVAILABLE, "{context}: {state:?}");
    assert!(
        state.is_error(),
        "{context}: the status has no error class: {state:?}"
    );
    assert!(
        state.rows.is_empty(),
        "{context}: stale results are shown: {state:?}"
    );
    assert_eq!(state.injected, 0, "{context}");
}

#[test]
fn a_missing_meta_file_says_unavailable_and_the_page_recovers_after_a_rebuild() {
    let site = built_fixture();
    let meta = site.path(&format!("{PACK}/meta.js"));
    let saved = std::fs::read(&meta).unwrap();
    std::fs::remove_file(&meta).unwrap();
    let browser = Browser::launch();
    let url = format!("{}?q={}", file_url(&site, "search.html"), percent_encode("防汛"));
    let mut tab = open_page(&browser, &url);
    let state = wait_loaded_query(&mut tab);
    assert_unavailable(&state, "meta.js missing, query in the address");
    assert!(state.errors.is_empty(), "uncaught errors: {:?}", state.errors);
    assert_header_works(&mut tab, "meta.js missing");

    let state = search_in_page(&mut tab, "党风廉政建设");
    assert_unavailable(&state, "meta.js missing, typed");
    assert!(state.errors.is_empty(), "uncaught errors: {:?}", state.errors);
    let state = search_in_page(&mut tab, "");
    assert!(
        !state.is_error() && state.status.is_empty(),
        "clearing the box clears the error: {state:?}"
    );

    // The file is back (the site was rebuilt): the open page searches again.
    std::fs::write(&meta, saved).unwrap();
    let state = search_in_page(&mut tab, "党风廉政建设");
    assert!(!state.is_error(), "{state:?}");
    assert_eq!(
        state.rows.first().map(|r| r.title.as_str()),
        Some("党风廉政建设责任清单")
    );
}

/// A page opened before the site was rebuilt (IT copied a new build over the old one) must not
/// read the new files with the old `meta.js`: document numbers, shard counts and text chunks
/// all moved. The build is in every file's address, so what a browser keeps stays consistent;
/// the first file of the new build the page meets makes it start again from the new `meta.js`.
#[test]
fn a_page_open_across_a_rebuild_answers_from_the_new_build() {
    let site = generated_site();
    let server = StaticServer::start(&site.path("public"));
    let browser = Browser::launch();
    let query = "安全生产";
    let mut tabs = Vec::new();
    for url in [
        format!("{}search.html", server.base),
        file_url(&site, "search.html"),
    ] {
        let mut tab = open_page(&browser, &format!("{url}?q={}", percent_encode(query)));
        let state = wait_loaded_query(&mut tab);
        assert_page_matches_cli(&site, &state, query, &format!("before the rebuild, {url}"));
        tabs.push((tab, url));
    }
    let build_before = pack_meta(&site)["build"].clone();
    let (_, rows_before) = cli(&site, &q(query), 20);

    // New pages sort first, so every document number after them moves.
    for (file, title) in [
        ("aa-pilot.md", "试验田改革示范要点"),
        ("ab-pilot.md", "安全生产试验田"),
    ] {
        site.write(
            &format!("content/notes/{file}"),
            &format!("---\ntitle: {title}\ndate: 2026-05-06\ntags: [试验田]\n---\n\n{title}：试验田改革示范的做法。\n"),
        );
    }
    site.build().success();
    assert_ne!(pack_meta(&site)["build"], build_before, "a new build id");
    let (_, rows_after) = cli(&site, &q(query), 20);
    assert_ne!(urls(&rows_before), urls(&rows_after));

    for (tab, url) in &mut tabs {
        let state = search_in_page(tab, "试验田改革示范");
        assert_page_matches_cli(
            &site,
            &state,
            "试验田改革示范",
            &format!("after the rebuild, {url}"),
        );
        assert_eq!(state.rows.len(), 2, "{url}: {state:?}");
        assert!(
            state.facets.iter().any(|f| f.starts_with("试验田")),
            "{url}: the new build's tags: {:?}",
            state.facets
        );
        let state = search_in_page(tab, query);
        assert_page_matches_cli(&site, &state, query, &format!("after the rebuild, {url}, again"));
    }
}

#[test]
fn a_missing_text_chunk_says_unavailable_and_other_queries_still_work() {
    let site = generated_site();
    let browser = Browser::launch();
    let mut probe = open_page(&browser, &file_url(&site, "search.html"));
    let failing = "防汛抗旱";
    let (total, files) = files_needed(&mut probe, failing);
    assert!(total > 0, "{failing} finds pages");
    let chunk = files
        .iter()
        .find(|f| f.starts_with("t-"))
        .unwrap_or_else(|| panic!("{failing} loaded no text chunk: {files:?}"))
        .clone();
    let working = WORDS
        .iter()
        .chain(["学习笔记"].iter())
        .find(|w| {
            let (total, files) = files_needed(&mut probe, w);
            total > 0 && !files.contains(&chunk) && files.iter().any(|f| f.starts_with("t-"))
        })
        .unwrap_or_else(|| panic!("every query needs {chunk}: the text is not split in chunks"));
    drop(probe);
    site.remove(&format!("{PACK}/{chunk}.js"));

    let url = format!("{}?q={}", file_url(&site, "search.html"), percent_encode(failing));
    let mut tab = open_page(&browser, &url);
    let state = wait_loaded_query(&mut tab);
    assert_unavailable(&state, &format!("{chunk}.js missing"));
    assert!(state.errors.is_empty(), "uncaught errors: {:?}", state.errors);
    assert_header_works(&mut tab, "a text chunk missing");
    let state = search_in_page(&mut tab, working);
    assert!(!state.is_error(), "{working} needs only intact files: {state:?}");
    assert!(!state.rows.is_empty(), "{working}: {state:?}");
    assert_page_matches_cli(&site, &state, working, &format!("{chunk}.js missing, {working}"));
}

#[test]
fn a_damaged_gram_shard_says_unavailable_and_other_queries_still_work() {
    let site = generated_site();
    let browser = Browser::launch();
    let mut probe = open_page(&browser, &file_url(&site, "search.html"));
    // A query, a gram shard it needs, and another query that does not need that shard.
    let mut needs = Vec::new();
    for word in WORDS {
        let (total, files) = files_needed(&mut probe, word);
        assert!(total > 0, "{word} finds pages");
        needs.push((*word, files));
    }
    drop(probe);
    let (failing, shard, working) = needs
        .iter()
        .find_map(|(failing, files)| {
            files.iter().filter(|f| f.starts_with("g-")).find_map(|shard| {
                needs
                    .iter()
                    .find(|(_, other)| !other.contains(shard))
                    .map(|(working, _)| (*failing, shard.clone(), *working))
            })
        })
        .expect("every query needs every gram shard: the postings are not sharded");
    let path = site.path(&format!("{PACK}/{shard}.js"));
    let original_bytes = std::fs::read(&path).unwrap();
    let original = studybook::search::pack::script_text(&original_bytes).expect("a pack script's text");
    let (_, data) = studybook::search::pack::registered(&original).expect("a pack script");
    let data: String = data.trim_matches('"').to_string();

    let damages: Vec<(&str, String, bool)> = vec![
        (
            "garbage instead of data",
            format!("window.__studybookPack.add(\"{shard}\", \"\u{4e00}!!!not data\");\n"),
            true,
        ),
        (
            "the script cut in half",
            original.chars().take(original.chars().count() / 2).collect(),
            false,
        ),
        (
            "the compressed data cut in half",
            format!(
                "window.__studybookPack.add(\"{shard}\", {});\n",
                js(&data.chars().take(data.chars().count() / 2).collect::<String>())
            ),
            true,
        ),
        ("an empty file", String::new(), true),
    ];
    for (what, damaged, no_uncaught_errors) in damages {
        std::fs::write(&path, damaged).unwrap();
        let url = format!("{}?q={}", file_url(&site, "search.html"), percent_encode(failing));
        let mut tab = open_page(&browser, &url);
        let state = wait_loaded_query(&mut tab);
        let context = format!("{shard}.js damaged ({what}), query {failing}");
        assert_unavailable(&state, &context);
        if no_uncaught_errors {
            assert!(
                state.errors.is_empty(),
                "{context}: uncaught errors {:?}",
                state.errors
            );
        } else {
            // The broken script's own syntax error; what follows must add none.
            tab.eval("window.__errors = []");
        }
        assert_header_works(&mut tab, &context);
        let state = search_in_page(&mut tab, working);
        assert!(
            !state.rows.is_empty(),
            "{context}: {working} needs only intact files: {state:?}"
        );
        assert_page_matches_cli(&site, &state, working, &format!("{context}, then {working}"));
        // And the failing query fails again, rather than showing a silent empty list.
        let state = search_in_page(&mut tab, failing);
        assert_unavailable(&state, &format!("{context}, again"));
    }
    std::fs::write(&path, original_bytes).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Rebuilds and drafts.

/// Total and paths the static engine finds for `query`, in a fresh browser (no cached files).
fn static_paths(site: &TestSite, query: &str) -> (usize, Vec<String>) {
    let browser = Browser::launch();
    let mut tab = open_page(&browser, &file_url(site, "search.html"));
    let answer = static_search(&mut tab, &q(query))
        .unwrap_or_else(|e| panic!("the static search for {query} failed: {e}"));
    (answer.total, answer.top.iter().map(|r| r.path.clone()).collect())
}

#[test]
fn the_pack_is_rebuilt_with_the_site_and_leaves_drafts_out() {
    let site = built_fixture();
    let word = "翡翠蜂鸟";
    assert_eq!(static_paths(&site, word).0, 0, "{word} is not in the fixture yet");
    site.write(
        "content/notes/hummingbird.md",
        "---\ntitle: 湿地观察记录\ndate: 2024-05-20\ntags: [生态环境]\n---\n\n湿地公园的志愿者记录到翡翠蜂鸟在芦苇丛中筑巢。\n",
    );
    site.build().success();
    assert_eq!(
        static_paths(&site, word),
        (1, vec!["notes/hummingbird.md".to_string()]),
        "the rebuilt pack has the new page"
    );
    assert_eq!(cli(&site, &q(word), 10).0, 1);

    // The draft: in neither the results nor any file of the pack.
    let draft = "紫藤萝";
    assert_eq!(static_paths(&site, draft), (0, vec![]), "the draft is found");
    assert_eq!(pack_files_containing(&site, draft), Vec::<String>::new());
    assert!(
        !studybook::search::pack::read_script(&site.path(&format!("{PACK}/meta.js")))
            .unwrap()
            .contains("草稿"),
        "the draft's tag is in meta.js"
    );

    // With --drafts it is there: the checks above can see it.
    site.run(&["build", "--drafts"]).success();
    assert_eq!(
        static_paths(&site, draft),
        (1, vec!["notes/draft-plan.md".to_string()]),
        "with --drafts the static engine finds the draft"
    );
    assert!(
        !pack_files_containing(&site, draft).is_empty(),
        "with --drafts the pack holds the draft's text"
    );

    // And a normal build after it removes it again (no stale files).
    site.build().success();
    assert_eq!(static_paths(&site, draft).0, 0);
    assert_eq!(pack_files_containing(&site, draft), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// Size and files.

#[test]
fn an_export_told_to_stop_gives_up_at_its_next_step_without_a_meta_file() {
    // `serve` stops its background export when a full rebuild replaces the index.
    let site = shared_fixture();
    let index = site.path("public/search/index");
    let scratch = tempfile::tempdir().unwrap();
    let mut steps = 0;
    loop {
        let out = scratch.path().join(format!("stopped-{steps}"));
        let asked = std::sync::atomic::AtomicUsize::new(0);
        let stop = || asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == steps;
        let written = studybook::search::pack::write_pack_unless(&index, &out, None, &stop).unwrap();
        if let Some(stats) = written {
            // Never told to stop: the whole pack, as the build wrote it.
            assert!(steps >= 5, "only {steps} steps before the pack was done");
            assert!(stats.files > 5);
            assert_eq!(
                studybook::search::pack::decoded_files(&out).unwrap(),
                studybook::search::pack::decoded_files(&site.path(PACK)).unwrap()
            );
            break;
        }
        assert_eq!(
            asked.into_inner(),
            steps + 1,
            "it stops at the first step told to"
        );
        assert!(
            !out.join("meta.js").exists(),
            "a stopped export wrote meta.js (step {steps})"
        );
        steps += 1;
    }
}

#[test]
fn the_pack_is_the_same_byte_for_byte_in_every_build_of_the_same_sources() {
    // Two indexing threads fill segments in whatever order they are scheduled; the pack must
    // not show it.
    let site = built_fixture();
    let read_pack = || -> Vec<(String, Vec<u8>)> {
        pack_files(&site)
            .into_iter()
            .map(|path| {
                (
                    path.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&path).unwrap(),
                )
            })
            .collect()
    };
    let first = read_pack();
    assert!(first.len() > 5);
    for _ in 0..3 {
        site.build().success();
        let again = read_pack();
        assert_eq!(
            first.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            again.iter().map(|(name, _)| name).collect::<Vec<_>>()
        );
        for ((name, before), (_, after)) in first.iter().zip(&again) {
            assert!(
                before == after,
                "{name} differs between two builds of the same sources"
            );
        }
    }
}

#[test]
fn the_browser_decodes_what_the_build_encodes() {
    let site = shared_fixture();
    let browser = Browser::launch();
    let mut tab = open_page(&browser, &file_url(site, "search.html"));
    // Bytes whose 16-bit pairs hit every unsafe code unit, also as the very last pair.
    let mut cases: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
    cases.push((0..=255u8).collect());
    let unsafe_units = [
        0u16, 0x0a, 0x0d, 0x22, 0x5c, 0x2028, 0x2029, 0xd800, 0xd9ab, 0xdbff, 0xdc00, 0xdfff, 0xfeff, 0xfffe,
        0xffff,
    ];
    cases.push((0xd800..=0xdfffu16).flat_map(u16::to_be_bytes).collect());
    for unit in unsafe_units {
        let [high, low] = unit.to_be_bytes();
        cases.push(vec![high, low]);
        cases.push(vec![high, low, 7]);
        cases.push(vec![9, high, low]);
    }
    for length in 1..24usize {
        cases.push((0..length).map(|i| (i * 37 + length) as u8).collect());
    }
    let texts: Vec<String> = cases
        .iter()
        .map(|bytes| studybook::search::pack::to_text(bytes))
        .collect();
    let decoded = tab.eval(&format!(
        "{}.map(function (t) {{ return Array.from(StudybookSearchInternals.fromText(t)); }})",
        serde_json::to_string(&texts).unwrap()
    ));
    let decoded: Vec<Vec<u8>> = serde_json::from_value(decoded).unwrap();
    assert_eq!(decoded, cases);
}

#[test]
fn the_pack_is_a_few_small_self_registering_scripts() {
    let site = shared_fixture();
    let files = pack_files(site);
    assert!(
        files.len() < 200,
        "{} files in the pack for the fixture",
        files.len()
    );
    let meta = site.path(&format!("{PACK}/meta.js"));
    let meta_bytes = std::fs::metadata(&meta).unwrap().len();
    assert!(meta_bytes < 20 * 1024, "meta.js is {meta_bytes} bytes");
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for required in ["meta.js", "docs.js", "fold.js", "g-0.js", "w-0.js", "t-0.js"] {
        assert!(
            names.iter().any(|n| n == required),
            "{required} is missing: {names:?}"
        );
    }
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.ends_with(".js"), "{name} is not a script");
        let text = studybook::search::pack::read_script(path).unwrap();
        let (registered, _) = studybook::search::pack::decode_script(&text)
            .unwrap_or_else(|e| panic!("{name} does not decode: {e:#}"));
        assert_eq!(format!("{registered}.js"), name, "{name} registers another name");
        assert!(
            text.starts_with("window.__studybookPack"),
            "{name} does not register itself: {}",
            &text[..text.len().min(80)]
        );
    }
    let meta = pack_meta(site);
    assert_eq!(meta["docs"].as_u64(), Some(open_searcher(site).num_docs()));
}
