//! Preview latency benchmark: from saving a page to the `reload` message of `studybook serve`.
//!
//! `cargo build --release && cargo run --release --example serve_latency -- --site DIR
//! [--edits 30] [--pause-ms 600] [--port 4999] [--add-after-ms MS] [--binary PATH]`
//!
//! Starts the release binary's `serve` on DIR, waits for its first build, listens to the
//! live-reload events like an open page does, then appends a line to one page `--edits` times,
//! `--pause-ms` apart, timing each save until its `reload` arrives. The page is restored at the
//! end. Prints p50, p95 and the worst time.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// A page of the site to edit: the first Markdown file that is not a section's.
fn some_page(content: &Path) -> PathBuf {
    walkdir::WalkDir::new(content)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "md")
                && !p.file_name().is_some_and(|n| n == "_index.md" || n == "index.md")
        })
        .expect("the site has a page")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let site = PathBuf::from(arg(&args, "--site").expect("--site DIR"));
    let edits: usize = arg(&args, "--edits").map_or(30, |v| v.parse().unwrap());
    let pause = Duration::from_millis(arg(&args, "--pause-ms").map_or(600, |v| v.parse().unwrap()));
    let port: u16 = arg(&args, "--port").map_or(4999, |v| v.parse().unwrap());
    // With `--add-after-ms`, a new page saved that long after the last edit: a full rebuild,
    // which may find the background pack export of the edits running.
    let add_after = arg(&args, "--add-after-ms").map(|v| Duration::from_millis(v.parse().unwrap()));
    let binary = arg(&args, "--binary").map_or_else(
        || {
            std::env::current_exe()
                .unwrap()
                .parent()
                .unwrap()
                .parent()
                .unwrap()
                .join(format!("studybook{}", std::env::consts::EXE_SUFFIX))
        },
        PathBuf::from,
    );
    let started = Instant::now();
    let _serve = Serve(
        Command::new(&binary)
            .args(["serve", "--root"])
            .arg(&site)
            .args(["--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display())),
    );
    // The server listens once its first build is done.
    let mut stream = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => break stream,
            Err(_) if started.elapsed() < Duration::from_secs(600) => {
                std::thread::sleep(Duration::from_millis(100))
            }
            Err(e) => panic!("the server did not start: {e}"),
        }
    };
    write!(
        stream,
        "GET /__studybook/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut events = BufReader::new(stream);
    let mut next_event = || -> String {
        let mut line = String::new();
        loop {
            line.clear();
            if events.read_line(&mut line).unwrap() == 0 {
                panic!("the event stream ended");
            }
            if let Some(name) = line.trim().strip_prefix("event:") {
                return name.trim().to_string();
            }
        }
    };
    while next_event() != "hello" {}
    let mut wait_for_reload = || loop {
        match next_event().as_str() {
            "reload" => break,
            "errors" => panic!("the rebuild failed"),
            _ => {}
        }
    };
    eprintln!("serving after {:.1} s", started.elapsed().as_secs_f64());

    let page = some_page(&site.join("content"));
    let original = std::fs::read(&page).unwrap();
    let mut times = Vec::new();
    for edit in 0..edits {
        std::thread::sleep(pause);
        let mut text = original.clone();
        text.extend_from_slice(format!("\n延迟测试第{edit}次保存。\n").as_bytes());
        let saved = Instant::now();
        std::fs::write(&page, &text).unwrap();
        wait_for_reload();
        times.push(saved.elapsed().as_secs_f64() * 1000.0);
    }
    if let Some(after) = add_after {
        std::thread::sleep(after);
        let added = page.with_file_name("serve-latency-added.md");
        let saved = Instant::now();
        std::fs::write(&added, "---\ntitle: 新增页面\n---\n\n延迟测试新增的页面。\n").unwrap();
        wait_for_reload();
        println!(
            "a page added {} ms after the last edit: reload message after {:.0} ms",
            after.as_millis(),
            saved.elapsed().as_secs_f64() * 1000.0
        );
        std::fs::remove_file(&added).unwrap();
        wait_for_reload();
    }
    std::fs::write(&page, &original).unwrap();
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "save to reload message over {} edits of {}: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        times.len(),
        page.display(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
}
