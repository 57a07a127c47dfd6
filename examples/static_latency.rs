//! Static search time to results, in real headless Chromium, from `file://`: for typical
//! queries, how long `search-engine.js` takes the first time (loading its data files from disk,
//! inflating and searching) and again (the data already there: the time from the data's
//! arrival to the results).
//!
//! `cargo run --release --example static_latency -- --site DIR [--queries 100] [--seed 7]`
//! where DIR is a built site. Needs Debian's `chromium` (or `CHROMIUM=path`).

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
    let QueryArgs { site, count, seed } = QueryArgs::parse(100)?;
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
    Ok(())
}
