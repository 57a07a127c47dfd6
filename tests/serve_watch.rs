//! The editors' preview: `studybook serve` watches the sources, rebuilds after a change, and
//! tells open pages over server-sent events (`reload`, `css`, `errors`). Every test runs the real
//! binary on a loopback port against a temporary site, changes real files, and waits (bounded,
//! never timed) for what an editor would see.

mod common;
use common::*;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// The longest wait for something that should happen.
const WAIT: Duration = Duration::from_secs(20);
/// How long nothing must happen when nothing should.
const QUIET: Duration = Duration::from_millis(1500);

// ---------------------------------------------------------------------------------------------
// Server-sent events over a raw socket.

#[derive(Debug, Clone)]
struct SseEvent {
    name: String,
    data: String,
}

impl SseEvent {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("event `{}` carries no JSON ({e}): {}", self.name, self.data))
    }

    /// The `errors` of an `errors` event, joined with new lines.
    fn error_text(&self) -> String {
        let json = self.json();
        let errors = json["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no `errors` array: {json}"));
        errors
            .iter()
            .map(|e| {
                e.as_str()
                    .unwrap_or_else(|| panic!("an error is not a string: {json}"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// One connection to `/__studybook/events`; a thread reads it into a channel.
struct Sse {
    events: Receiver<SseEvent>,
    stream: TcpStream,
    /// Every event taken from the channel so far, for failure messages.
    seen: Vec<SseEvent>,
}

impl Sse {
    /// Connects and waits for the response head, so the server has subscribed this connection
    /// before the caller changes any file.
    fn connect(server: &Server) -> Sse {
        let host = server
            .base
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let mut stream = TcpStream::connect(&host).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            stream,
            "GET /__studybook/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(
            status.starts_with("HTTP/1.1 200"),
            "the events stream answered: {status:?}"
        );
        let mut chunked = false;
        let mut content_type = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
            if let Some(value) = lower.strip_prefix("content-type:") {
                content_type = value.trim().to_string();
            }
        }
        assert!(
            content_type.starts_with("text/event-stream"),
            "the events stream has content type {content_type:?}"
        );
        // The stream stays open for the whole test; only the server's exit ends it.
        stream.set_read_timeout(None).unwrap();
        let (sender, events) = mpsc::channel();
        std::thread::spawn(move || {
            let mut parser = SseParser::default();
            let mut feed = |bytes: &[u8]| -> bool {
                for event in parser.feed(bytes) {
                    if sender.send(event).is_err() {
                        return false;
                    }
                }
                true
            };
            if chunked {
                loop {
                    let mut size_line = String::new();
                    if reader.read_line(&mut size_line).unwrap_or(0) == 0 {
                        return;
                    }
                    let size_text = size_line.trim().split(';').next().unwrap_or("");
                    if size_text.is_empty() {
                        continue;
                    }
                    let Ok(size) = usize::from_str_radix(size_text, 16) else {
                        return;
                    };
                    if size == 0 {
                        return;
                    }
                    let mut chunk = vec![0; size + 2];
                    if reader.read_exact(&mut chunk).is_err() {
                        return;
                    }
                    if !feed(&chunk[..size]) {
                        return;
                    }
                }
            } else {
                let mut buffer = [0u8; 4096];
                loop {
                    match reader.read(&mut buffer) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if !feed(&buffer[..n]) {
                                return;
                            }
                        }
                    }
                }
            }
        });
        Sse {
            events,
            stream,
            seen: Vec::new(),
        }
    }

    /// The next event within `timeout`, if any.
    fn next(&mut self, timeout: Duration) -> Option<SseEvent> {
        let event = self.events.recv_timeout(timeout).ok()?;
        self.seen.push(event.clone());
        Some(event)
    }

    /// Waits for an event named `name`, skipping no other kind: any other event first fails the
    /// test (a `reload` must not come as `errors`, nor the other way round).
    fn expect(&mut self, name: &str) -> SseEvent {
        let event = self.next(WAIT).unwrap_or_else(|| {
            panic!(
                "no `{name}` event within {WAIT:?}; events so far: {:?}",
                self.seen
            )
        });
        assert_eq!(
            event.name, name,
            "expected a `{name}` event, got {event:?}; events so far: {:?}",
            self.seen
        );
        event
    }

    /// Every event that arrives within `period`.
    fn collect_for(&mut self, period: Duration) -> Vec<SseEvent> {
        let until = Instant::now() + period;
        let mut events = Vec::new();
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match self.next(left) {
                Some(event) => events.push(event),
                None => break,
            }
        }
        events
    }
}

impl Drop for Sse {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

/// The `text/event-stream` format: `event:` and `data:` lines, a blank line ends an event,
/// lines starting with `:` are comments (keep-alives).
#[derive(Default)]
struct SseParser {
    pending: Vec<u8>,
    name: String,
    data: Vec<String>,
}

impl SseParser {
    fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        self.pending.extend_from_slice(bytes);
        let mut events = Vec::new();
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                // `hello` opens every stream (the build generation); the tests watch the rest.
                if self.name == "hello" {
                    self.name.clear();
                    self.data.clear();
                } else if !self.data.is_empty() || !self.name.is_empty() {
                    events.push(SseEvent {
                        name: if self.name.is_empty() {
                            "message".to_string()
                        } else {
                            std::mem::take(&mut self.name)
                        },
                        data: std::mem::take(&mut self.data).join("\n"),
                    });
                }
            } else if line.starts_with(':') {
                // A comment.
            } else {
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "event" => self.name = value.to_string(),
                    "data" => self.data.push(value.to_string()),
                    _ => {}
                }
            }
        }
        events
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// The README's way: `studybook serve` in the site's folder (the root is `.`).
#[test]
fn serving_from_the_site_folder_sees_edits() {
    let site = TestSite::fixture("basic");
    let server = Server::start_in_site_folder(&site);
    let mut sse = Sse::connect(&server);
    site.write(
        "content/about.md",
        "---\ntitle: 关于本站\n---\n\n从站点文件夹启动也能看到的修改 zqfolderword。\n",
    );
    sse.expect("reload");
    assert!(get_ok(&server, "/about.html").contains("zqfolderword"));
    let lines = wait_for_rebuilds(&server, 1);
    assert!(lines[0].contains("content/about.md"), "{lines:?}");
}

fn serve_basic() -> (TestSite, Server) {
    let site = TestSite::fixture("basic");
    let server = Server::start(&site, &[]);
    (site, server)
}

fn log(server: &Server) -> String {
    server.log.lock().unwrap().clone()
}

/// The `rebuilt after a change to …` lines printed so far.
fn rebuilt_lines(server: &Server) -> Vec<String> {
    log(server)
        .lines()
        .filter(|l| l.starts_with("rebuilt after a change to "))
        .map(str::to_string)
        .collect()
}

/// The page count of a `built N pages` or `rebuilt …: N pages in` line.
fn pages_of(line: &str) -> Option<usize> {
    let before = line.find(" pages")?;
    line[..before].rsplit([' ', ':']).next()?.parse().ok()
}

/// Waits until the log shows `count` `rebuilt` lines (the line follows the event).
fn wait_for_rebuilds(server: &Server, count: usize) -> Vec<String> {
    wait_for(WAIT, &format!("{count} `rebuilt` lines in the log"), || {
        let lines = rebuilt_lines(server);
        (lines.len() >= count).then_some(lines)
    })
}

/// GET a path: status and body as text.
fn get(server: &Server, path: &str) -> (u16, String) {
    let (status, _, body) = http_get(&server.base, path, &[]);
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// GET a page that must be there.
fn get_ok(server: &Server, path: &str) -> String {
    let (status, body) = get(server, path);
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

fn h1(body: &str) -> String {
    select_texts(&scraper::Html::parse_document(body), "h1")
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// The page links of a section page, as site-relative URLs.
fn section_links(server: &Server, path: &str) -> Vec<String> {
    let body = get_ok(server, path);
    select_attrs(&scraper::Html::parse_document(&body), "a.page-link", "href")
        .into_iter()
        .map(|href| href.trim_start_matches("../").to_string())
        .collect()
}

/// The source paths `/api/search` finds for `query`.
fn search_paths(server: &Server, query: &str) -> Vec<String> {
    let (status, body) = get(
        server,
        &format!("/api/search?q={}&limit=100", percent_encode(query)),
    );
    assert_eq!(status, 200, "search for {query}: {body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    json["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results array: {json}"))
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect()
}

/// A page with front matter.
fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2024-02-02\n---\n\n{body}\n")
}

fn assert_no_litter_in(line: &str) {
    for litter in [".swp", "~", "4913", ".#"] {
        assert!(!line.contains(litter), "a rebuild names editor litter: {line}");
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Edits.

#[test]
fn editing_a_page_sends_reload_and_serves_the_new_text() {
    let (site, server) = serve_basic();
    let old = get_ok(&server, "/notes/2024/guide.html");
    assert!(old.contains("学习的基本方法"), "{old}");
    let mut sse = Sse::connect(&server);

    site.write(
        "content/notes/2024/guide.md",
        "+++\ntitle = \"修订后的学习指南\"\ndate = 2024-06-01\nweight = 2\ntags = [\"第一议题\"]\n+++\n\n## 第一部分\n\n修订后的正文 zqeditedword。\n",
    );
    sse.expect("reload");
    let body = get_ok(&server, "/notes/2024/guide.html");
    assert!(
        body.contains("zqeditedword"),
        "the new text is not served: {body}"
    );
    assert!(
        !body.contains("学习的基本方法"),
        "the old text is still served: {body}"
    );
    assert_eq!(h1(&body), "修订后的学习指南");
    // Pages that list it follow: its section and the search index.
    let section = get_ok(&server, "/notes/2024/index.html");
    assert!(section.contains("修订后的学习指南"), "{section}");
    assert_eq!(search_paths(&server, "zqeditedword"), ["notes/2024/guide.md"]);
    let lines = wait_for_rebuilds(&server, 1);
    assert!(
        lines[0].contains("content/notes/2024/guide.md"),
        "the rebuild line names the file: {lines:?}"
    );
}

#[test]
fn an_edit_is_incremental_and_the_static_pack_follows_once_edits_pause() {
    let (site, server) = serve_basic();
    let meta_before = get_ok(&server, "/search/pack/meta.js");
    let mut sse = Sse::connect(&server);
    site.write(
        "content/notes/2024/guide.md",
        "+++\ntitle = \"学习指南\"\ndate = 2024-06-01\nweight = 2\ntags = [\"第一议题\"]\n+++\n\n## 第一部分\n\n静态包跟随的正文 zqpackword。\n",
    );
    sse.expect("reload");
    let lines = wait_for_rebuilds(&server, 1);
    assert!(
        lines[0].contains("files rewritten") && !lines[0].contains("full build"),
        "an edit of an existing page rewrites only what shows it: {lines:?}"
    );
    assert_eq!(search_paths(&server, "zqpackword"), ["notes/2024/guide.md"]);
    // The pack is exported again in the background once edits pause.
    let meta_after = wait_for(WAIT, "the static pack to be exported again", || {
        let meta = get_ok(&server, "/search/pack/meta.js");
        (meta != meta_before).then_some(meta)
    });
    assert!(meta_after.contains("__studybookPack"), "{meta_after}");
    assert!(
        pack_contains(&site.path("public/search/pack"), "zqpackword"),
        "the edited words are in the exported pack"
    );
    assert!(
        !log(&server).contains("was not updated"),
        "the export succeeded: {}",
        log(&server)
    );
}

/// A page added is a full build that leaves the static pack to the same background export:
/// the server finds the page at once, and the pack follows once edits pause.
#[test]
fn a_page_added_is_found_at_once_and_the_static_pack_follows() {
    let (site, server) = serve_basic();
    let meta_before = get_ok(&server, "/search/pack/meta.js");
    let mut sse = Sse::connect(&server);
    site.write(
        "content/notes/2024/added.md",
        "+++\ntitle = \"新增笔记\"\ndate = 2024-06-02\n+++\n\n新增页面的正文 zqaddedword。\n",
    );
    sse.expect("reload");
    let lines = wait_for_rebuilds(&server, 1);
    assert!(lines[0].contains("full build"), "{lines:?}");
    assert_eq!(search_paths(&server, "zqaddedword"), ["notes/2024/added.md"]);
    // Read through the server, which never answers mid-swap.
    wait_for(WAIT, "the static pack to be exported again", || {
        (get_ok(&server, "/search/pack/meta.js") != meta_before).then_some(())
    });
    assert!(
        pack_contains(&site.path("public/search/pack"), "zqaddedword"),
        "the new page is in the exported pack"
    );
    assert!(
        !log(&server).contains("was not updated") && !log(&server).contains("missing until"),
        "the export succeeded: {}",
        log(&server)
    );
}

/// The `generation` a served page was built from (the live-reload script carries it).
fn page_generation(body: &str) -> u64 {
    let start = body.find("var generation = ").expect("the live-reload script") + "var generation = ".len();
    body[start..].split(';').next().unwrap().trim().parse().unwrap()
}

#[test]
fn a_page_knows_its_build_generation_so_a_background_tab_can_catch_up() {
    // Hidden tabs close their event stream (browsers allow six connections per host); when they
    // come back, the stream's opening `hello` tells them whether a build happened meanwhile.
    let (site, server) = serve_basic();
    let before = page_generation(&get_ok(&server, "/about.html"));
    let mut sse = Sse::connect(&server);
    site.write("content/about.md", &page("关于本站（新）", "新的正文。"));
    sse.expect("reload");
    let after = page_generation(&get_ok(&server, "/about.html"));
    assert_eq!(after, before + 1, "a good build moves the generation on");
    // A new stream opens with `hello` and the current generation.
    let host = server
        .base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut stream = std::net::TcpStream::connect(&host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    use std::io::{Read, Write};
    write!(
        stream,
        "GET /__studybook/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut seen = String::new();
    let mut buffer = [0u8; 1024];
    while !seen.contains("\n\n") || !seen.contains("event: hello") {
        let read = stream.read(&mut buffer).unwrap();
        assert!(read > 0, "the stream closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buffer[..read]));
    }
    assert!(
        seen.contains(&format!("data: {{\"generation\":{after}}}")),
        "{seen}"
    );
}

#[test]
fn saving_by_rename_over_the_page_is_seen() {
    // vim (backupcopy=no) and VS Code write a temporary file and rename it over the page.
    let (site, server) = serve_basic();
    let mut sse = Sse::connect(&server);
    site.write(
        "content/notes/2024/.old.md.tmp",
        &page("早期学习笔记", "原子保存的正文 zqrenamesaveword。"),
    );
    std::fs::rename(
        site.path("content/notes/2024/.old.md.tmp"),
        site.path("content/notes/2024/old.md"),
    )
    .unwrap();
    sse.expect("reload");
    let body = get_ok(&server, "/notes/2024/old.html");
    assert!(body.contains("zqrenamesaveword"), "{body}");
}

// ---------------------------------------------------------------------------------------------
// 2. Errors.

/// A full rebuild that fails is reported, however long it read its sources: the build's own
/// reads of them are events too, and were taken for more changes on the way, so a failure
/// (a bad words file line, a page deleted that others link to) was never shown.
#[test]
fn a_failed_full_rebuild_is_reported_though_the_build_read_its_sources() {
    let site = TestSite::demo();
    let server = Server::start(&site, &[]);
    let mut sse = Sse::connect(&server);
    let words = std::fs::read_to_string(site.path("dictionary.txt")).unwrap();
    site.write("dictionary.txt", &format!("{words}测试词 很多 n\n"));
    let event = sse.expect("errors");
    let line = words.lines().count() + 1;
    let text = event.error_text();
    assert!(
        text.contains(&format!("dictionary.txt:{line}:")),
        "the words file's line: {text}"
    );
    // Still a full rebuild, still reported: a page the others link to, deleted.
    site.write("dictionary.txt", &words);
    sse.expect("reload");
    std::fs::remove_file(site.path("content/party-building/三会一课制度要点.md")).unwrap();
    let text = sse.expect("errors").error_text();
    assert!(text.contains("三会一课制度要点"), "{text}");
}

/// `studybook build` run while `serve` runs replaces the output (and the index `serve` was
/// updating): the next save is a full build, not an error about index files that are gone.
#[test]
fn a_build_run_beside_serve_does_not_break_the_next_save() {
    let (site, server) = serve_basic();
    let mut sse = Sse::connect(&server);
    site.build().success();
    site.write(
        "content/about.md",
        &page("关于本站", "在另一次生成之后的修改 zqafterbuild。"),
    );
    sse.expect("reload");
    assert_eq!(search_paths(&server, "zqafterbuild"), ["about.md"]);
    wait_for(WAIT, "a full build in the terminal", || {
        log(&server).contains("(full build)").then_some(())
    });
}

/// A page left open while `serve` is restarted reloads: the new server's builds are counted
/// from another number than the old one's (both counted from 0 looked alike).
#[test]
fn a_restarted_server_counts_its_builds_apart_from_the_last_one() {
    let site = TestSite::fixture("basic");
    let first = Server::start(&site, &[]);
    let before = page_generation(&get_ok(&first, "/about.html"));
    drop(first);
    std::thread::sleep(Duration::from_millis(5));
    let second = Server::start(&site, &[]);
    let after = page_generation(&get_ok(&second, "/about.html"));
    assert_ne!(before, after);
}

/// book.toml naming another content folder while serving: its pages are built and their edits
/// seen (the watch stayed on the old folder); another output folder, which this server does
/// not serve, is said to need a restart, in the terminal and in the page.
#[test]
fn book_toml_naming_other_folders_is_followed_or_said() {
    let (site, server) = serve_basic();
    let mut sse = Sse::connect(&server);
    common::copy_tree(&site.path("content"), &site.path("pages"));
    site.write(
        "pages/about.md",
        &page("关于本站", "另一个内容文件夹 zqpagesdir。"),
    );
    let book = std::fs::read_to_string(site.path("book.toml")).unwrap();
    site.write(
        "book.toml",
        &format!("{book}\n[build]\ncontent-dir = \"pages\"\n"),
    );
    sse.expect("reload");
    assert!(get_ok(&server, "/about.html").contains("zqpagesdir"));
    site.write("pages/about.md", &page("关于本站", "再改一次 zqpagesedit。"));
    sse.expect("reload");
    assert!(get_ok(&server, "/about.html").contains("zqpagesedit"));

    site.write(
        "book.toml",
        &format!("{book}\n[build]\ncontent-dir = \"pages\"\noutput-dir = \"site\"\n"),
    );
    sse.expect("reload");
    let text = sse.expect("errors").error_text();
    assert!(text.contains("run `studybook serve` again"), "{text}");
    assert!(
        log(&server).contains("run `studybook serve` again"),
        "{}",
        log(&server)
    );
    // Said again after the next save, which is not "fixed" by it.
    site.write("pages/about.md", &page("关于本站", "之后的修改。"));
    sse.expect("reload");
    let text = sse.expect("errors").error_text();
    assert!(text.contains("run `studybook serve` again"), "{text}");
    assert!(!log(&server).contains("the errors are fixed"), "{}", log(&server));
}

/// A rebuild prints the warnings the last one did not give, not every warning of the site
/// again: a save on a site with thousands of them scrolled its errors out of sight.
#[test]
fn a_save_prints_only_the_warnings_it_brings() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/warned.md",
        &page("有警告的页面", "见[下文](#没有这个标题)。"),
    );
    let server = Server::start(&site, &[]);
    let mut sse = Sse::connect(&server);
    let warned = |log: &str| log.matches("warning: content/warned.md:").count();
    assert_eq!(warned(&log(&server)), 1, "{}", log(&server));
    site.write("content/about.md", &page("关于本站", "第一次修改。"));
    sse.expect("reload");
    site.write(
        "content/about.md",
        &page("关于本站", "第二次修改，见[别处](#也没有这个标题)。"),
    );
    sse.expect("reload");
    // The terminal's lines follow the reload message.
    wait_for(WAIT, "the rebuild's warnings", || {
        log(&server).contains("(1 more warnings, as before").then_some(())
    });
    let printed = log(&server);
    assert_eq!(warned(&printed), 1, "the old warning once: {printed}");
    assert_eq!(
        printed.matches("warning: content/about.md:").count(),
        1,
        "{printed}"
    );
    assert!(
        printed.contains("(1 more warnings, as before: `studybook check` lists them all)"),
        "{printed}"
    );
    // A failed build prints its errors, not the warnings shown already.
    site.write("content/about.md", "---\ntitle: [坏\n---\n\n正文\n");
    sse.expect("errors");
    wait_for(WAIT, "the errors in the terminal", || {
        log(&server).contains("content/about.md:").then_some(())
    });
    assert_eq!(warned(&log(&server)), 1, "{}", log(&server));
}

/// Ctrl-C stops the server at once, with a page open (its live-reload connection never ends
/// on its own, and kept the server running until the page was closed), says so, and leaves
/// the site whole.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_with_a_page_open() {
    let (site, mut server) = serve_basic();
    let mut sse = Sse::connect(&server);
    // An edit whose static pack is not exported yet (edits settle 1.5 s after the last).
    site.write("content/about.md", &page("关于本站", "停止前的修改。"));
    sse.expect("reload");
    let status = server
        .interrupt(Duration::from_secs(3))
        .unwrap_or_else(|| panic!("still serving 3 s after Ctrl-C:\n{}", log(&server)));
    assert!(status.success(), "{status:?}");
    wait_for(WAIT, "the last line", || {
        log(&server).contains("stopped serving").then_some(())
    });
    assert!(site.path("public/index.html").is_file());
    wait_for(WAIT, "the note on the static pack", || {
        log(&server)
            .contains("note: its offline search data (search/pack) lags the last edits")
            .then_some(())
    });
}

#[test]
fn broken_front_matter_reports_errors_keeps_the_old_page_and_recovers() {
    let (site, server) = serve_basic();
    let before = get_ok(&server, "/about.html");
    assert_eq!(h1(&before), "关于本站");
    let mut sse = Sse::connect(&server);

    site.write(
        "content/about.md",
        "---\ntitle: [unclosed\ndate: 2023-12-01\n---\n\n改坏了的正文 zqbrokenword。\n",
    );
    let event = sse.expect("errors");
    let text = event.error_text();
    // file:line, in the front matter (lines 2 to 4), and the reason in plain words.
    let at = text
        .find("content/about.md:")
        .unwrap_or_else(|| panic!("no `content/about.md:LINE` in {text}"));
    let line: String = text[at + "content/about.md:".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let line: usize = line
        .parse()
        .unwrap_or_else(|_| panic!("no line number after the file name: {text}"));
    assert!(
        (2..=4).contains(&line),
        "line {line} is not in the front matter: {text}"
    );
    assert!(
        text.contains("the list `[` that opens `title`'s value is never closed"),
        "the reason names the open list: {text}"
    );

    // The last good page is still served.
    let (status, body) = get(&server, "/about.html");
    assert_eq!(status, 200, "{body}");
    assert_eq!(h1(&body), "关于本站");
    assert!(!body.contains("zqbrokenword"), "{body}");
    assert_eq!(get(&server, "/index.html").0, 200);

    // The terminal prints the same error.
    let first_line = text.lines().next().unwrap().to_string();
    wait_for(WAIT, "the error in the server log", || {
        log(&server).contains(&first_line).then_some(())
    });
    assert!(
        rebuilt_lines(&server).is_empty(),
        "a failed build printed `rebuilt`: {}",
        log(&server)
    );

    // A page opened now gets the errors at once.
    let mut late = Sse::connect(&server);
    let late_event = late.expect("errors");
    assert_eq!(late_event.error_text(), text);

    // Fixed: both connections are told to reload, and the new text is served.
    site.write(
        "content/about.md",
        &page("关于本站（修订）", "修好了的正文 zqfixedword。"),
    );
    sse.expect("reload");
    late.expect("reload");
    let body = get_ok(&server, "/about.html");
    assert_eq!(h1(&body), "关于本站（修订）");
    assert!(body.contains("zqfixedword"), "{body}");
    let lines = wait_for_rebuilds(&server, 1);
    assert!(lines[0].contains("content/about.md"), "{lines:?}");
    assert!(
        log(&server).contains("the errors are fixed: the site is built again"),
        "the terminal says the errors are gone: {}",
        log(&server)
    );

    // The errors are forgotten: a page opened now gets nothing.
    let mut fresh = Sse::connect(&server);
    let events = fresh.collect_for(QUIET);
    assert!(events.is_empty(), "a new page after the fix got {events:?}");
}

#[test]
fn a_failed_first_build_still_serves_the_old_site_and_reports_errors() {
    let site = TestSite::fixture("basic");
    site.build().success();
    site.write(
        "content/about.md",
        "---\ntitle: [unclosed\ndate: 2023-12-01\n---\n\n坏的正文 zqbrokenfirst。\n",
    );
    let server = Server::start(&site, &[]);
    assert!(
        log(&server).contains("content/about.md:"),
        "the first build's error is not printed: {}",
        log(&server)
    );

    let mut sse = Sse::connect(&server);
    let event = sse.expect("errors");
    assert!(event.error_text().contains("content/about.md:"), "{event:?}");
    assert_eq!(
        event.json()["heading"],
        "studybook: the last change could not be built; this page shows the last good version.",
        "{event:?}"
    );

    let body = get_ok(&server, "/about.html");
    assert_eq!(h1(&body), "关于本站");
    assert!(!body.contains("zqbrokenfirst"), "{body}");
    assert!(
        body.contains("/__studybook/events"),
        "the served page lacks the live script"
    );
    get_ok(&server, "/notes/2024/safety.html");

    site.write("content/about.md", &page("关于本站（修好）", "zqfixedfirst"));
    sse.expect("reload");
    let body = get_ok(&server, "/about.html");
    assert_eq!(h1(&body), "关于本站（修好）");
}

/// A first build that fails with no site built before: every address answers with a page that
/// says so and carries the live script, which shows the errors and reloads once they are fixed
/// (before: an empty 404, and nothing to reload).
#[test]
fn a_failed_first_build_without_a_site_shows_why_and_reloads_when_fixed() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/about.md",
        "---\ntitle: [unclosed\ndate: 2023-12-01\n---\n\n坏的正文。\n",
    );
    assert!(!site.path("public").exists());
    let server = Server::start(&site, &[]);
    let mut sse = Sse::connect(&server);
    let event = sse.expect("errors");
    assert!(event.error_text().contains("content/about.md:"), "{event:?}");
    // The overlay does not speak of a last good version: there is none.
    assert_eq!(
        event.json()["heading"],
        "studybook: the site could not be built yet. Fix what is listed below and save:",
        "{event:?}"
    );
    for path in ["/", "/about.html", "/notes/"] {
        let (status, body) = get(&server, path);
        assert_eq!(status, 404, "{path}");
        assert_eq!(h1(&body), "The site is not built yet", "{path}: {body}");
        assert!(body.contains("Fix them and save"), "{body}");
        assert!(body.contains("/__studybook/events"), "{path}: the live script");
    }
    site.write("content/about.md", &page("关于本站（修好）", "zqfixed"));
    sse.expect("reload");
    assert_eq!(h1(&get_ok(&server, "/about.html")), "关于本站（修好）");
}

// ---------------------------------------------------------------------------------------------
// 3. Templates, styles and book.toml.

/// The basic site with a theme folder holding a stylesheet override, so changes to it are
/// changes to watched files.
fn site_with_theme() -> TestSite {
    let site = TestSite::fixture("basic");
    let builtin = std::fs::read_to_string(repo_root().join("themes/default/static/style.css")).unwrap();
    site.write(
        "themes/default/static/style.css",
        &format!("{builtin}\n/* zqstyleone */\n"),
    );
    std::fs::create_dir_all(site.path("themes/default/templates")).unwrap();
    site
}

const PAGE_TEMPLATE: &str = "{% extends \"base.html\" %}\n{% block title %}{{ page.title }}{% endblock title %}\n{% block main %}<p id=\"zq-marker\">zqtemplatemarker</p><h1>{{ page.title }}</h1>{{ page.content | safe }}{% endblock main %}\n";

#[test]
fn a_template_change_reloads_pages_with_the_new_template() {
    let site = site_with_theme();
    let server = Server::start(&site, &[]);
    assert!(!get_ok(&server, "/about.html").contains("zqtemplatemarker"));
    let mut sse = Sse::connect(&server);

    site.write("themes/default/templates/page.html", PAGE_TEMPLATE);
    sse.expect("reload");
    for path in [
        "/about.html",
        "/notes/2024/guide.html",
        "/sessions/2024-03-12.html",
    ] {
        let body = get_ok(&server, path);
        assert!(
            body.contains("zqtemplatemarker"),
            "{path} lacks the marker: {body}"
        );
    }
    let lines = wait_for_rebuilds(&server, 1);
    assert!(
        lines[0].contains("themes/default/templates/page.html"),
        "{lines:?}"
    );
}

#[test]
fn a_first_template_override_written_while_serving_is_picked_up() {
    // The site has no themes/ folder when serving starts; the editor creates the override.
    let (site, server) = serve_basic();
    assert!(!site.path("themes").exists());
    let mut sse = Sse::connect(&server);

    site.write("themes/default/templates/page.html", PAGE_TEMPLATE);
    sse.expect("reload");
    let body = get_ok(&server, "/about.html");
    assert!(body.contains("zqtemplatemarker"), "{body}");
}

#[test]
fn a_stylesheet_change_sends_css_with_a_new_hashed_url() {
    let site = site_with_theme();
    let server = Server::start(&site, &[]);
    let before = get_ok(&server, "/about.html");
    let old_href = select_attrs(
        &scraper::Html::parse_document(&before),
        "link[rel=stylesheet]",
        "href",
    )
    .remove(0);
    assert!(old_href.contains("assets/style."), "{old_href}");
    let mut sse = Sse::connect(&server);

    let builtin = std::fs::read_to_string(repo_root().join("themes/default/static/style.css")).unwrap();
    site.write(
        "themes/default/static/style.css",
        &format!("{builtin}\n/* zqstyletwo */\nbody {{ outline: 1px solid red; }}\n"),
    );
    let event = sse.expect("css");
    let json = event.json();
    let href = json["href"].as_str().unwrap_or_else(|| panic!("no href: {json}"));
    let hash = href
        .strip_prefix("assets/style.")
        .and_then(|h| h.strip_suffix(".css"))
        .unwrap_or_else(|| panic!("not assets/style.<hex>.css: {href}"));
    assert!(
        !hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "not a hex hash: {href}"
    );
    assert!(!old_href.ends_with(href), "the href did not change: {href}");

    let (status, headers, css) = http_get(&server.base, &format!("/{href}"), &[]);
    assert_eq!(status, 200, "GET /{href}");
    assert!(
        headers
            .get("content-type")
            .is_some_and(|t| t.starts_with("text/css")),
        "{headers:?}"
    );
    let css = String::from_utf8_lossy(&css);
    assert!(
        css.contains("zqstyletwo"),
        "the new stylesheet is not the edited one"
    );
    // Pages loaded from now on link the new stylesheet.
    let after = get_ok(&server, "/about.html");
    let new_links = select_attrs(
        &scraper::Html::parse_document(&after),
        "link[rel=stylesheet]",
        "href",
    );
    assert!(
        new_links.iter().any(|l| l.ends_with(href)),
        "the page does not link {href}: {new_links:?}"
    );
    let lines = wait_for_rebuilds(&server, 1);
    assert!(lines[0].contains("themes/default/static/style.css"), "{lines:?}");
}

#[test]
fn a_book_toml_change_rebuilds_everything() {
    let (site, server) = serve_basic();
    let mut sse = Sse::connect(&server);
    let text = std::fs::read_to_string(site.path("book.toml")).unwrap();
    site.write("book.toml", &text.replace("测试学习库", "改名后的学习库"));
    sse.expect("reload");
    for path in ["/index.html", "/about.html", "/notes/2024/old.html"] {
        let body = get_ok(&server, path);
        assert!(body.contains("改名后的学习库"), "{path} keeps the old site title");
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Pages added, removed, renamed and moved.

#[test]
fn added_deleted_and_renamed_pages_follow_in_listings_and_search() {
    let (site, server) = serve_basic();
    let mut sse = Sse::connect(&server);
    assert_eq!(get(&server, "/notes/2024/added.html").0, 404);

    // Added.
    site.write(
        "content/notes/2024/added.md",
        &page("新增的学习材料", "新增页面的正文 zqaddedword。"),
    );
    sse.expect("reload");
    let body = get_ok(&server, "/notes/2024/added.html");
    assert_eq!(h1(&body), "新增的学习材料");
    let links = section_links(&server, "/notes/2024/index.html");
    assert!(links.contains(&"notes/2024/added.html".to_string()), "{links:?}");
    assert_eq!(search_paths(&server, "zqaddedword"), ["notes/2024/added.md"]);

    // Deleted.
    site.remove("content/notes/2024/added.md");
    sse.expect("reload");
    let (status, body) = get(&server, "/notes/2024/added.html");
    assert_eq!(status, 404, "a deleted page is still served: {body}");
    let links = section_links(&server, "/notes/2024/index.html");
    assert!(!links.contains(&"notes/2024/added.html".to_string()), "{links:?}");
    assert!(links.contains(&"notes/2024/gfm.html".to_string()), "{links:?}");
    assert!(search_paths(&server, "zqaddedword").is_empty());

    // Renamed.
    site.write(
        "content/notes/2024/gfm.md",
        &page("格式示例", "改名前的页面 zqrenamedword。"),
    );
    sse.expect("reload");
    assert_eq!(search_paths(&server, "zqrenamedword"), ["notes/2024/gfm.md"]);
    std::fs::rename(
        site.path("content/notes/2024/gfm.md"),
        site.path("content/notes/2024/formats.md"),
    )
    .unwrap();
    sse.expect("reload");
    let body = get_ok(&server, "/notes/2024/formats.html");
    assert!(body.contains("zqrenamedword"), "{body}");
    let (status, _) = get(&server, "/notes/2024/gfm.html");
    assert_eq!(status, 404, "the old URL of a renamed page is still served");
    let links = section_links(&server, "/notes/2024/index.html");
    assert!(
        links.contains(&"notes/2024/formats.html".to_string()),
        "{links:?}"
    );
    assert!(!links.contains(&"notes/2024/gfm.html".to_string()), "{links:?}");
    assert_eq!(search_paths(&server, "zqrenamedword"), ["notes/2024/formats.md"]);
}

#[test]
fn a_moved_folder_moves_its_pages() {
    let site = TestSite::fixture("basic");
    site.write("content/extra/_index.md", "---\ntitle: 附加栏目\n---\n");
    site.write("content/extra/one.md", &page("附加页面", "zqfoldermoveword"));
    let server = Server::start(&site, &[]);
    get_ok(&server, "/extra/one.html");
    let mut sse = Sse::connect(&server);

    std::fs::rename(site.path("content/extra"), site.path("content/moved")).unwrap();
    sse.expect("reload");
    let body = get_ok(&server, "/moved/one.html");
    assert!(body.contains("zqfoldermoveword"), "{body}");
    assert_eq!(get(&server, "/extra/one.html").0, 404);
    assert_eq!(get(&server, "/extra/index.html").0, 404);
    assert_eq!(search_paths(&server, "zqfoldermoveword"), ["moved/one.md"]);

    // The moved folder is still watched.
    site.write("content/moved/one.md", &page("附加页面", "zqafterfoldermove"));
    sse.expect("reload");
    assert!(get_ok(&server, "/moved/one.html").contains("zqafterfoldermove"));
}

#[test]
fn a_content_folder_replaced_while_serving_is_watched_at_its_path() {
    let (site, server) = serve_basic();
    let mut sse = Sse::connect(&server);
    // Moved away and copied back: the old watch followed the folder that moved.
    std::fs::rename(site.path("content"), site.path("content.old")).unwrap();
    // As Explorer copies it back from a share.
    copy_tree(&site.path("content.old"), &site.path("content"));
    sse.expect("reload");
    wait_for_rebuilds(&server, 1);

    site.write(
        "content/about.md",
        &page("关于本站", "替换文件夹之后的修改 zqreplacedfolder"),
    );
    sse.expect("reload");
    assert!(get_ok(&server, "/about.html").contains("zqreplacedfolder"));
    site.write(
        "content/notes/added.md",
        &page("替换之后新增的页面", "zqaddedafterreplace"),
    );
    sse.expect("reload");
    assert!(get_ok(&server, "/notes/added.html").contains("zqaddedafterreplace"));
    assert_eq!(search_paths(&server, "zqaddedafterreplace"), ["notes/added.md"]);
    // The folder that moved away is not a source any more.
    std::fs::write(site.path("content.old/about.md"), page("旧文件夹", "zqoldfolder")).unwrap();
    site.write("content/about.md", &page("关于本站", "最后一次修改 zqlastedit"));
    sse.expect("reload");
    let body = get_ok(&server, "/about.html");
    assert!(
        body.contains("zqlastedit") && !body.contains("zqoldfolder"),
        "{body}"
    );
}

#[test]
fn a_deleted_themes_folder_brings_back_the_built_in_theme_and_a_new_one_is_watched() {
    let site = site_with_theme();
    let server = Server::start(&site, &[]);
    let stylesheet = |server: &Server| {
        let body = get_ok(server, "/about.html");
        let href = select_attrs(
            &scraper::Html::parse_document(&body),
            "link[rel=stylesheet]",
            "href",
        )
        .remove(0);
        String::from_utf8(http_get(&server.base, &format!("/{}", href.trim_start_matches("../")), &[]).2)
            .unwrap()
    };
    assert!(stylesheet(&server).contains("zqstyleone"));
    let mut sse = Sse::connect(&server);

    // The whole theme went: pages reload (templates may have gone too).
    std::fs::remove_dir_all(site.path("themes")).unwrap();
    sse.expect("reload");
    let builtin = std::fs::read_to_string(repo_root().join("themes/default/static/style.css")).unwrap();
    assert_eq!(stylesheet(&server), builtin);

    site.write(
        "themes/default/static/style.css",
        &format!("{builtin}\n/* zqstyleagain */\n"),
    );
    sse.expect("reload");
    assert!(stylesheet(&server).contains("zqstyleagain"));
    // And the new folder is watched from now on.
    site.write(
        "themes/default/static/style.css",
        &format!("{builtin}\n/* zqstylethird */\n"),
    );
    sse.expect("css");
    assert!(stylesheet(&server).contains("zqstylethird"));
}

// ---------------------------------------------------------------------------------------------
// 5. Editor litter.

#[test]
fn editor_litter_causes_no_rebuild_but_a_real_change_does() {
    let (site, server) = serve_basic();
    let mut sse = Sse::connect(&server);
    // A known-good quiet period first: nothing happens on its own.
    let events = sse.collect_for(QUIET);
    assert!(events.is_empty(), "events with no change: {events:?}");
    assert!(rebuilt_lines(&server).is_empty(), "{}", log(&server));

    site.write("content/.x.md.swp", "vim swap");
    site.write("content/x.md~", "---\ntitle: [backup\n---\n");
    site.write("content/4913", "vim probe");
    site.write("content/notes/.#guide.md", "emacs lock");
    site.write("content/about.md___jb_tmp___", "---\ntitle: [half\n---\n");
    site.write("content/about.md___jb_old___", "---\ntitle: 旧\n---\n");
    site.remove("content/4913");
    let events = sse.collect_for(QUIET);
    assert!(events.is_empty(), "editor litter caused {events:?}");
    assert!(
        rebuilt_lines(&server).is_empty(),
        "editor litter caused a rebuild: {}",
        log(&server)
    );

    // Not vacuous: a real change in the same folder is seen.
    site.write("content/about.md", &page("关于本站", "真正的修改 zqrealchange。"));
    sse.expect("reload");
    let lines = wait_for_rebuilds(&server, 1);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("content/about.md"), "{lines:?}");
    assert_no_litter_in(&lines[0]);
    assert!(get_ok(&server, "/about.html").contains("zqrealchange"));
    // The litter is not published either.
    assert_eq!(get(&server, "/x.md~").0, 404);
}

// ---------------------------------------------------------------------------------------------
// 6. Bursts.

#[test]
fn a_burst_of_200_new_pages_coalesces_into_few_rebuilds() {
    let (site, server) = serve_basic();
    let base_pages = log(&server)
        .lines()
        .find(|l| l.starts_with("built "))
        .and_then(pages_of)
        .unwrap_or_else(|| panic!("no `built N pages` line: {}", log(&server)));
    let mut sse = Sse::connect(&server);

    for i in 0..200 {
        let word = if i == 199 { " zqlastburstword" } else { "" };
        site.write(
            &format!("content/notes/burst-{i:03}.md"),
            &page(&format!("批量页面{i:03}"), &format!("批量写入的页面。{word}")),
        );
    }
    let expected = base_pages + 200;
    wait_for(
        Duration::from_secs(60),
        &format!("a rebuild with {expected} pages"),
        || {
            let lines = rebuilt_lines(&server);
            (lines.last().and_then(|l| pages_of(l)) == Some(expected)).then_some(())
        },
    );
    // Let any trailing rebuild finish: the log stays the same for a while.
    let mut last = log(&server);
    wait_for(WAIT, "the log to settle", || {
        std::thread::sleep(QUIET);
        let now = log(&server);
        let settled = now == last;
        last = now;
        settled.then_some(())
    });
    let lines = rebuilt_lines(&server);
    assert!(
        !lines.is_empty() && lines.len() <= 5,
        "{} rebuilds for one burst:\n{}",
        lines.len(),
        lines.join("\n")
    );
    assert_eq!(pages_of(lines.last().unwrap()), Some(expected), "{lines:?}");

    sse.collect_for(Duration::from_millis(200));
    assert!(
        sse.seen.iter().all(|e| e.name == "reload"),
        "events other than reload during a burst: {:?}",
        sse.seen
    );
    assert!(!sse.seen.is_empty(), "no reload after the burst");
    // Each rebuild, good or failed, sends one event: this counts failed rebuilds too.
    assert!(
        sse.seen.len() <= 5,
        "{} rebuilds for one burst: {:?}",
        sse.seen.len(),
        sse.seen
    );
    assert!(!log(&server).contains("error"), "{}", log(&server));

    for i in 0..200 {
        let body = get_ok(&server, &format!("/notes/burst-{i:03}.html"));
        assert_eq!(h1(&body), format!("批量页面{i:03}"));
    }
    assert_eq!(search_paths(&server, "zqlastburstword"), ["notes/burst-199.md"]);
}

// ---------------------------------------------------------------------------------------------
// 7. Serving during rebuilds.

#[test]
fn a_file_caught_empty_while_saved_in_place_is_not_an_error() {
    let (site, server) = serve_basic();
    let mut sse = Sse::connect(&server);
    let path = site.path("content/about.md");
    // An editor saving in place: the file is truncated, then written a moment later.
    std::fs::write(&path, "").unwrap();
    std::thread::sleep(Duration::from_millis(60));
    std::fs::write(
        &path,
        "---\ntitle: 关于本站新版\ndate: 2023-12-01\n---\n\n新版正文。\n",
    )
    .unwrap();
    let events = sse.collect_for(Duration::from_millis(1500));
    assert!(events.iter().all(|e| e.name == "reload"), "{events:?}");
    assert!(!events.is_empty(), "the save is built");
    assert!(get_ok(&server, "/about.html").contains("新版正文"));
}

/// A new file, still empty (an editor's "new file"), is not an error that turns every open
/// page red: it is left out until written, then it shows.
#[test]
fn a_new_empty_file_is_no_error_and_shows_once_written() {
    let (site, server) = serve_basic();
    let mut sse = Sse::connect(&server);
    site.write("content/new-page.md", "");
    sse.expect("reload");
    // The terminal's lines follow the reload message.
    wait_for(WAIT, "the warning in the terminal", || {
        log(&server).contains("the file is empty").then_some(())
    });
    site.write("content/new-page.md", &page("新页面", "新写的正文 zqnewpage。"));
    sse.expect("reload");
    assert!(get_ok(&server, "/new-page.html").contains("zqnewpage"));
}

#[test]
fn pages_and_search_keep_being_served_whole_during_rebuilds() {
    let (site, server) = serve_basic();
    let mut sse = Sse::connect(&server);
    let writer_site = site.path("content/about.md");
    let writer = std::thread::spawn(move || {
        for i in 0..20 {
            let text = format!("---\ntitle: 关于本站第{i}版\ndate: 2023-12-01\n---\n\n第{i}版正文。\n");
            std::fs::write(&writer_site, text).unwrap();
            std::thread::sleep(Duration::from_millis(150));
        }
    });

    let mut requests = 0;
    let mut rebuilds_seen_while_reading = 0;
    let started_with = rebuilt_lines(&server).len();
    while requests < 4000 && (requests < 200 || !writer.is_finished() || rebuilds_seen_while_reading < 2) {
        let (status, headers, body) = http_get(&server.base, "/index.html", &[]);
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "request {requests} during rebuilds: {body}");
        if let Some(length) = headers.get("content-length") {
            assert_eq!(
                length.parse::<usize>().ok(),
                Some(body.len()),
                "request {requests}"
            );
        }
        assert!(body.starts_with("<!DOCTYPE html>"), "request {requests}: {body}");
        assert!(
            body.contains("</html>"),
            "request {requests}: a partial page: {body}"
        );
        let html = scraper::Html::parse_document(&body);
        assert_eq!(
            select_texts(&html, "a.site-title"),
            ["测试学习库"],
            "request {requests}: {body}"
        );
        assert!(body.contains("/__studybook/events"), "request {requests}");
        if requests % 10 == 0 {
            let hits = search_paths(&server, "安全生产");
            assert!(
                hits.contains(&"notes/2024/safety.md".to_string()),
                "request {requests}: search during a rebuild found {hits:?}"
            );
        }
        requests += 1;
        rebuilds_seen_while_reading = rebuilt_lines(&server).len() - started_with;
    }
    writer.join().unwrap();
    assert!(
        rebuilds_seen_while_reading >= 2,
        "only {rebuilds_seen_while_reading} rebuilds ran during {requests} requests"
    );
    sse.collect_for(Duration::from_millis(100));
    assert!(sse.seen.iter().all(|e| e.name == "reload"), "{:?}", sse.seen);
    // The last edit wins.
    wait_for(WAIT, "the last edit to be served", || {
        get_ok(&server, "/about.html")
            .contains("第19版正文")
            .then_some(())
    });
}

// ---------------------------------------------------------------------------------------------
// 8. The script is for `serve` only.

#[test]
fn build_output_has_no_live_reload_script_but_served_pages_do() {
    let site = TestSite::fixture("basic");
    site.build().success();
    let check_disk = |when: &str| {
        let mut pages = 0;
        for entry in walkdir::WalkDir::new(site.path("public")) {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "html") {
                pages += 1;
                let text = std::fs::read_to_string(entry.path()).unwrap();
                assert!(
                    !text.contains("__studybook"),
                    "{when}: {} has the live reload script",
                    entry.path().display()
                );
            }
        }
        assert!(pages >= 10, "{when}: only {pages} HTML files");
    };
    check_disk("after `studybook build`");

    let server = Server::start(&site, &[]);
    for path in ["/index.html", "/about.html", "/notes/2024/", "/no-such-page.html"] {
        let (_, body) = get(&server, path);
        assert!(
            body.contains("/__studybook/events"),
            "served {path} lacks the script"
        );
        assert!(body.contains("</html>"), "{path}");
    }
    let about = scraper::Html::parse_document(&get_ok(&server, "/about.html"));
    let href = select_attrs(&about, "link[rel=stylesheet]", "href").remove(0);
    let css = get_ok(&server, &format!("/{}", href.trim_start_matches("./")));
    assert!(!css.contains("__studybook"), "the stylesheet got the script");
    // What serve wrote to disk is still clean: the script is added on the way out.
    check_disk("after `studybook serve` built");
}

// ---------------------------------------------------------------------------------------------
// 9. Port in use.

#[test]
fn a_port_in_use_is_a_clear_error_suggesting_port() {
    let site = TestSite::fixture("basic");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    // The next port taken too (when it can be): the suggestion must be one that is free.
    let next_port = taken.local_addr().unwrap().port() + 1;
    let next_taken = std::net::TcpListener::bind(("127.0.0.1", next_port)).ok();
    for (language, in_use) in [("en", "in use"), ("zh-CN", "已被占用")] {
        let mut child = studybook_command()
            .env("STUDYBOOK_LANG", language)
            .args(["serve", "--root"])
            .arg(site.root())
            .args(["--port", &port])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let status = wait_for(Duration::from_secs(30), "serve to exit", || {
            child.try_wait().unwrap()
        });
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        if status.code().is_none() {
            let _ = child.kill();
        }
        assert_eq!(status.code(), Some(1), "stderr: {stderr}");
        assert!(stderr.contains(&port), "{stderr}");
        assert!(stderr.contains(in_use), "{stderr}");
        let suggested: u16 = stderr
            .split("--port ")
            .nth(1)
            .and_then(|rest| rest.split('`').next())
            .and_then(|number| number.parse().ok())
            .unwrap_or_else(|| panic!("no suggested port in {stderr}"));
        assert_ne!(suggested.to_string(), port, "{stderr}");
        if next_taken.is_some() {
            assert_ne!(suggested, next_port, "the next port is taken too: {stderr}");
        }
        assert!(
            std::net::TcpListener::bind(("127.0.0.1", suggested)).is_ok(),
            "the suggested port {suggested} is free: {stderr}"
        );
    }
    drop(taken);
    drop(next_taken);
}

// ---------------------------------------------------------------------------------------------
// 11. A real browser.

#[test]
fn an_open_page_reloads_keeps_its_scroll_and_shows_errors() {
    let site = TestSite::fixture("basic");
    let long: String = (0..150)
        .map(|i| format!("第{i}段：关于本站的说明文字，足够长以便滚动。\n\n"))
        .collect();
    site.write("content/about.md", &page("关于本站", &long));
    let server = Server::start(&site, &[]);
    let browser = Browser::launch();
    let mut tab = browser.open(&server.url("about.html"));
    tab.wait_until(
        "document.readyState === 'complete' && document.title.includes('关于本站')",
        WAIT,
    );
    // The page's own stream opens as soon as the script runs; make sure the server takes
    // event streams from this page before changing anything.
    tab.eval(
        "new Promise(r => { const s = new EventSource('/__studybook/events'); s.onopen = () => { s.close(); r(true); }; })",
    );
    tab.eval("window.scrollTo(0, 400); window.__marker = 1; window.scrollY");
    assert_eq!(tab.eval("window.scrollY").as_f64(), Some(400.0));

    site.write("content/about.md", &page("关于本站已修改", &long));
    tab.wait_until(
        "window.__marker === undefined && document.title.includes('关于本站已修改')",
        WAIT,
    );
    tab.wait_until("document.readyState === 'complete'", WAIT);
    tab.wait_until("Math.abs(window.scrollY - 400) < 40", WAIT);

    // A broken save: the overlay names the file; the page is not reloaded.
    tab.eval("window.__marker = 2");
    site.write(
        "content/about.md",
        &format!("---\ntitle: [unclosed\ndate: 2023-12-01\n---\n\n{long}"),
    );
    let overlay = tab.wait_until(
        "(document.getElementById('studybook-errors') || {}).textContent",
        WAIT,
    );
    let overlay = overlay.as_str().unwrap().to_string();
    assert!(overlay.contains("content/about.md:2"), "{overlay}");
    assert!(overlay.contains("is never closed"), "{overlay}");
    assert!(
        overlay.starts_with("studybook: the last change could not be built"),
        "the overlay's heading speaks the errors' language, the editor's (English here): {overlay}"
    );
    assert_eq!(
        tab.eval("window.__marker"),
        2,
        "the page reloaded on a failed build"
    );
    assert!(
        tab.eval("document.title")
            .as_str()
            .unwrap()
            .contains("关于本站已修改"),
        "the last good page is gone"
    );

    // Fixed: the page reloads and the overlay is gone.
    site.write("content/about.md", &page("关于本站又修好了", &long));
    tab.wait_until(
        "window.__marker === undefined && document.title.includes('关于本站又修好了')",
        WAIT,
    );
    assert_eq!(
        tab.eval("document.getElementById('studybook-errors') === null"),
        true
    );
}

/// The API's scores during and after edits: a word in every page still answers while the
/// replaced page's old document lingers (BM25 needs no more documents in a word's list than
/// in the index), and once the edits settle and merge, the server ranks as a fresh build of
/// the same sources.
#[test]
fn the_api_answers_during_edits_and_ranks_as_a_fresh_build_after_they_settle() {
    let site = TestSite::new();
    for (file, title) in [
        ("a.md", "共同学习甲"),
        ("b.md", "共同学习乙"),
        ("c.md", "共同学习丙"),
    ] {
        site.write(
            &format!("content/{file}"),
            &page(title, "每一页都有的共同学习词语。"),
        );
    }
    let server = Server::start(&site, &[]);
    let mut sse = Sse::connect(&server);
    site.write(
        "content/a.md",
        &page("共同学习甲", "每一页都有的共同学习词语，改过一次。"),
    );
    sse.expect("reload");
    // Scores at a thousandth, as results are ranked (JSON carries an f32's shortest digits).
    let thousandths = |score: f64| (score * 1000.0).round() as i64;
    let scores = |server: &Server| -> Vec<(String, i64)> {
        let (status, body) = get(
            server,
            &format!("/api/search?q={}&limit=10", percent_encode("共同学习")),
        );
        assert_eq!(status, 200, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["path"].as_str().unwrap().to_string(),
                    thousandths(r["score"].as_f64().unwrap()),
                )
            })
            .collect()
    };
    assert_eq!(scores(&server).len(), 3, "every page, at once after the edit");
    // Settled: merged, and the server searches the merged index.
    let fresh = tempfile::tempdir().unwrap();
    let mut options = studybook::BuildOptions::new(site.root());
    options.output_dir = Some(fresh.path().join("public"));
    studybook::build(&options).unwrap();
    let built = studybook::search::Searcher::open(&fresh.path().join("public")).unwrap();
    let request = studybook::search::SearchRequest {
        query: "共同学习".into(),
        limit: 10,
        ..Default::default()
    };
    let expected: Vec<(String, i64)> = built
        .search(&request)
        .unwrap()
        .results
        .into_iter()
        .map(|hit| (hit.path, thousandths(f64::from(hit.score))))
        .collect();
    wait_for(WAIT, "the server to rank as a fresh build", || {
        (scores(&server) == expected).then_some(())
    });
}

/// An export that fails in the background (here its folder's name is taken by a file) is
/// tried again after a wait that doubles each time: 1.5, 3, 6 s…, not every 1.5 s.
#[test]
fn a_failing_background_export_is_retried_less_and_less_often() {
    let (site, server) = serve_basic();
    let mut sse = Sse::connect(&server);
    site.write(&format!("public/search/.pack-new-{}", server.pid()), "in the way");
    site.write(
        "content/about.md",
        &page("关于本站", "导出会失败的修改 zqexportfails。"),
    );
    sse.expect("reload");
    let failures = || {
        log(&server)
            .matches("the static search pack was not updated")
            .count()
    };
    wait_for(WAIT, "the first failed export", || {
        (failures() >= 1).then_some(())
    });
    let first = Instant::now();
    std::thread::sleep(Duration::from_secs(8));
    // Tries at about 3 and 9 s after the first (each after its wait plus the export's own
    // time): at most one more failure in 8 s, where a fixed 1.5 s would give five.
    let more = failures() - 1;
    assert!(
        more <= 2,
        "{more} more failures in {:?}:\n{}",
        first.elapsed(),
        log(&server)
    );
    assert!(more >= 1, "the export is tried again:\n{}", log(&server));
}
