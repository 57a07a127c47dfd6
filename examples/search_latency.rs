//! Search latency benchmark: p50/p99 over generated queries, through the library and through
//! `GET /api/search` on a real loopback server.
//!
//! `cargo run --release --example search_latency -- --site DIR [--queries 1000] [--seed 7]
//! [--slowest 20]` where DIR is a built site (run `studybook build --root DIR` first). Queries
//! are 2–4 character substrings of the site's own pages, some of two parts, some with a filter.
//! `--slowest K` lists the K slowest queries (the best of three runs each), to profile the tail.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use studybook::search::{SearchRequest, Searcher};

mod shared;
use shared::{percentile, typical_queries, Query, QueryArgs};

fn report(name: &str, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!(
        "{name:<12} n={:<5} p50={:>7.3} ms  p90={:>7.3} ms  p99={:>7.3} ms  max={:>7.3} ms  mean={:>7.3} ms",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        percentile(&times, 0.99),
        times[times.len() - 1],
        mean
    );
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn main() -> anyhow::Result<()> {
    let QueryArgs {
        site,
        count,
        seed,
        slowest,
    } = QueryArgs::parse(1000)?;
    let output = site.join("public");
    let queries = typical_queries(&site, count, seed);
    let searcher = Searcher::open(&output)?;
    println!("{} documents, {} queries", searcher.num_docs(), queries.len());

    // Warm up the page cache and the analyzer, as a running server would be.
    for Query { text: query, .. } in queries.iter().take(50) {
        searcher.search(&SearchRequest {
            query: query.clone(),
            limit: 10,
            ..Default::default()
        })?;
    }
    let mut library = Vec::new();
    let mut hits = 0;
    for Query { text: query, kind } in &queries {
        let started = Instant::now();
        let results = searcher.search(&SearchRequest {
            query: query.clone(),
            limit: 10,
            kind: kind.clone(),
            ..Default::default()
        })?;
        library.push(started.elapsed().as_secs_f64() * 1000.0);
        hits += usize::from(results.total > 0);
    }
    report("library", library);
    println!("queries with results: {hits}/{}", queries.len());
    if slowest > 0 {
        let mut timed = Vec::new();
        for Query { text: query, kind } in &queries {
            let request = SearchRequest {
                query: query.clone(),
                limit: 10,
                kind: kind.clone(),
                ..Default::default()
            };
            let mut best = f64::MAX;
            let mut total = 0;
            for _ in 0..3 {
                let started = Instant::now();
                total = searcher.search(&request)?.total;
                best = best.min(started.elapsed().as_secs_f64() * 1000.0);
            }
            timed.push((best, query, kind, total));
        }
        timed.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (ms, query, kind, total) in timed.into_iter().take(slowest) {
            let kind = kind
                .as_deref()
                .map_or(String::new(), |kind| format!(" kind={kind}"));
            println!("  {ms:>7.3} ms  {total:>5} results  `{query}`{kind}");
        }
    }

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let address = listener.local_addr()?;
    let state = studybook::serve::SiteState::new(output.clone());
    runtime.spawn(async move {
        let _ = axum::serve(
            listener,
            studybook::serve::router(state, false).into_make_service(),
        )
        .await;
    });
    let mut stream = TcpStream::connect(address)?;
    stream.set_nodelay(true)?;
    let mut http = Vec::new();
    for Query { text: query, kind } in &queries {
        let mut path = format!("/api/search?q={}&limit=10", encode(query));
        if let Some(kind) = kind {
            path.push_str(&format!("&kind={kind}"));
        }
        let started = Instant::now();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n")?;
        read_response(&mut stream)?;
        http.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    report("/api/search", http);
    Ok(())
}

/// Reads one HTTP/1.1 response with a Content-Length body (keep-alive).
fn read_response(stream: &mut TcpStream) -> anyhow::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte)?;
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    anyhow::ensure!(head.starts_with("http/1.1 200"), "unexpected response: {head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap_or(0))
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)?;
    Ok(())
}
