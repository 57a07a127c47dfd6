//! Static search in real headless Chromium: for typical queries, from `file://`, how long
//! `search-engine.js` takes the first time (loading its data files from disk, inflating and
//! searching) and again (the data already there: the time from the data's arrival to the
//! results); then, from a static web server that gzips as nginx does, the bytes the browser
//! actually received (the Performance API's `transferSize`, the browser cache off): the
//! first load of the search page, what the first query adds, and each query from cold.
//!
//! `cargo run --release --example static_latency -- --site DIR [--queries 100] [--seed 7]`
//! where DIR is a built site. Needs Debian's `chromium` (or `CHROMIUM=path`) and `python3`.

#[allow(dead_code)]
#[path = "../tests/common/browser.rs"]
mod browser;
mod shared;

use shared::{percentile, typical_queries, Query, QueryArgs};

fn report(name: &str, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    println!(
        "{name:<34} n={:<4} p50={:>7.1} ms  p90={:>7.1} ms  p99={:>7.1} ms  max={:>7.1} ms",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        percentile(&times, 0.99),
        times[times.len() - 1],
    );
}

fn main() -> anyhow::Result<()> {
    let QueryArgs {
        site, count, seed, ..
    } = QueryArgs::parse(100)?;
    let page = site.join("public").join("search.html").canonicalize()?;
    let queries = typical_queries(&site, count, seed);
    let browser = browser::Browser::launch();
    let mut tab = browser.open(&format!("file://{}", page.display()));
    tab.wait_until(
        "typeof window.StudybookStaticSearch === 'function'",
        std::time::Duration::from_secs(30),
    );
    let (mut first, mut again, mut results) = (Vec::new(), Vec::new(), 0u64);
    for Query { text, kind } in &queries {
        let params = serde_json::json!({ "q": text, "kind": kind, "limit": 10 });
        let answer = tab.eval(&format!(
            "(async () => {{ const engine = window.__engine || (window.__engine = new window.StudybookStaticSearch('search/pack/'));
               const params = {params};
               const t0 = performance.now(); const first = await engine.search(params);
               const t1 = performance.now(); await engine.search(params);
               const t2 = performance.now();
               return JSON.stringify({{ first: t1 - t0, again: t2 - t1, total: first.total }}); }})()"
        ));
        let answer: serde_json::Value = serde_json::from_str(answer.as_str().unwrap_or("null"))?;
        first.push(answer["first"].as_f64().unwrap_or(f64::NAN));
        again.push(answer["again"].as_f64().unwrap_or(f64::NAN));
        results += answer["total"].as_u64().unwrap_or(0);
    }
    println!("{} queries, {results} results in all", queries.len());
    report("first time (load data, search)", first);
    report("data already loaded (search only)", again);
    drop(tab);
    transferred_bytes(&browser, &site.join("public"), &queries)
}

/// A static server that gzips every answer the browser accepts gzip for, as nginx with
/// `gzip on; gzip_types *;` does.
const GZIP_SERVER: &str = r#"
import functools, gzip, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        path = self.translate_path(self.path)
        try:
            raw = open(path, "rb").read()
        except OSError:
            self.send_error(404)
            return
        ctype = self.guess_type(path)
        body = gzip.compress(raw, 6) if "gzip" in self.headers.get("Accept-Encoding", "") else raw
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if body is not raw:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.test(HandlerClass=functools.partial(Handler, directory=sys.argv[1]), port=0, bind="127.0.0.1")
"#;

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Bytes received for the first load, the first query and each query, in KB.
fn transferred_bytes(
    browser: &browser::Browser,
    public: &std::path::Path,
    queries: &[Query],
) -> anyhow::Result<()> {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new("python3")
        .args(["-u", "-c", GZIP_SERVER])
        .arg(public)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
    let _server = Server(child);
    let port = line
        .split_whitespace()
        .find_map(|word| word.parse::<u16>().ok())
        .ok_or_else(|| anyhow::anyhow!("no port in `{line}`"))?;
    let base = format!("http://127.0.0.1:{port}/");
    let mut tab = browser.open("about:blank");
    tab.call("Network.enable", serde_json::json!({}));
    tab.call(
        "Network.setCacheDisabled",
        serde_json::json!({ "cacheDisabled": true }),
    );
    tab.navigate(&format!("{base}search.html"));
    tab.wait_until(
        "document.readyState === 'complete' && typeof window.StudybookStaticSearch === 'function'",
        std::time::Duration::from_secs(30),
    );
    // Everything the page loaded, then what a fresh engine loads first (meta.js), as KB.
    let first_load = tab.eval(
        "(async () => { performance.setResourceTimingBufferSize(100000);
           const size = (entries) => entries.reduce((sum, e) => sum + e.transferSize, 0);
           const page = size(performance.getEntriesByType('navigation')) + size(performance.getEntriesByType('resource'));
           performance.clearResourceTimings();
           return page; })()",
    );
    let measure = |tab: &mut browser::Tab, query: &Query| -> serde_json::Value {
        let params = serde_json::json!({ "q": query.text, "kind": query.kind, "limit": 10 });
        tab.eval(&format!(
            "(async () => {{ performance.clearResourceTimings();
               const engine = new window.StudybookStaticSearch('search/pack/');
               await engine.search({params});
               const entries = performance.getEntriesByType('resource');
               const file = (e) => new URL(e.name).pathname.split('/').pop();
               const sum = (pick) => entries.filter(pick).reduce((s, e) => s + e.transferSize, 0);
               const startup = ['meta.js', 'fold.js', 'docs.js'];
               return {{ meta: sum((e) => file(e) === 'meta.js'), first: sum((e) => startup.slice(1).includes(file(e))),
                         query: sum((e) => !startup.includes(file(e))), files: entries.filter((e) => !startup.includes(file(e))).length }}; }})()"
        ))
    };
    let kb = |bytes: f64| bytes / 1024.0;
    let mut per_query = Vec::new();
    let mut files = Vec::new();
    let mut startup = (0.0, 0.0);
    for query in queries {
        let answer = measure(&mut tab, query);
        startup = (
            answer["meta"].as_f64().unwrap_or(f64::NAN),
            answer["first"].as_f64().unwrap_or(f64::NAN),
        );
        per_query.push(kb(answer["query"].as_f64().unwrap_or(f64::NAN)));
        files.push(answer["files"].as_f64().unwrap_or(f64::NAN));
    }
    per_query.sort_by(f64::total_cmp);
    files.sort_by(f64::total_cmp);
    println!(
        "received by Chromium from a gzip server: first load (page, css, scripts) {:.1} KB + meta.js {:.1} KB; the first query adds fold.js + docs.js {:.1} KB",
        kb(first_load.as_f64().unwrap_or(f64::NAN)),
        kb(startup.0),
        kb(startup.1)
    );
    println!(
        "per query from cold (n={}): median {:.1} KB in {} files, p90 {:.1} KB, max {:.1} KB",
        per_query.len(),
        percentile(&per_query, 0.5),
        percentile(&files, 0.5),
        percentile(&per_query, 0.9),
        per_query.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}
