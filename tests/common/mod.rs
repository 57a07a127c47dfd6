//! Test helpers shared by the integration tests: fixture sites in temporary folders, the real
//! `studybook` binary, output snapshots, a served site and headless Chromium.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod browser;
pub use browser::*;

/// A site in a temporary folder, removed when dropped.
pub struct TestSite {
    dir: tempfile::TempDir,
}

/// What a run of the binary printed and returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with the output unless the command succeeded.
    pub fn success(self) -> Run {
        assert_eq!(
            self.code, 0,
            "command failed\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the folder `from` to `to`, files and folders alike.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The real binary, with its messages in English whatever this machine's language (tests of
/// the Chinese messages set `STUDYBOOK_LANG` again).
pub fn studybook_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_studybook"));
    command.env("STUDYBOOK_LANG", "en");
    command
}

impl TestSite {
    /// An empty site with a minimal book.toml.
    pub fn new() -> TestSite {
        let site = TestSite {
            dir: tempfile::tempdir().unwrap(),
        };
        site.write("book.toml", "[book]\ntitle = \"测试站点\"\n");
        std::fs::create_dir_all(site.path("content")).unwrap();
        site
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> TestSite {
        let site = TestSite {
            dir: tempfile::tempdir().unwrap(),
        };
        copy_tree(&fixtures_dir().join(name), site.root());
        site
    }

    /// A copy of the repository's demo site (book.toml, dictionary.txt, content/).
    pub fn demo() -> TestSite {
        let site = TestSite {
            dir: tempfile::tempdir().unwrap(),
        };
        let repo = repo_root();
        for file in ["book.toml", "dictionary.txt"] {
            std::fs::copy(repo.join(file), site.path(file)).unwrap();
        }
        copy_tree(&repo.join("content"), &site.path("content"));
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the site, from a `/`-separated relative path.
    pub fn path(&self, relative: &str) -> PathBuf {
        relative
            .split('/')
            .fold(self.root().to_path_buf(), |p, part| p.join(part))
    }

    pub fn write(&self, relative: &str, text: &str) {
        self.write_bytes(relative, text.as_bytes());
    }

    pub fn write_bytes(&self, relative: &str, bytes: &[u8]) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    pub fn remove(&self, relative: &str) {
        std::fs::remove_file(self.path(relative)).unwrap();
    }

    /// Runs the real binary with `--root` set to this site (after the subcommand).
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = studybook_command();
        command
            .arg(args[0])
            .arg("--root")
            .arg(self.root())
            .args(&args[1..]);
        Run::from(command.output().unwrap())
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    /// Reads a file of the output folder (public/): UTF-8, or UTF-16 after its byte order mark
    /// (the search pack's compressed data files).
    pub fn output(&self, relative: &str) -> String {
        let path = self.path(&format!("public/{relative}"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        if bytes.starts_with(&[0xff, 0xfe]) {
            return studybook::search::pack::script_text(&bytes)
                .unwrap_or_else(|| panic!("{} is not UTF-16", path.display()));
        }
        String::from_utf8(bytes).unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", path.display()))
    }

    pub fn output_exists(&self, relative: &str) -> bool {
        self.path(&format!("public/{relative}")).exists()
    }

    pub fn html(&self, relative: &str) -> scraper::Html {
        scraper::Html::parse_document(&self.output(relative))
    }

    /// Every file of the output folder with its bytes, to prove a failed build changed nothing.
    pub fn snapshot_output(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(&self.path("public"))
    }
}

pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Texts of the elements matching a CSS selector.
pub fn select_texts(html: &scraper::Html, selector: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(selector).unwrap();
    html.select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

/// An attribute of the elements matching a CSS selector.
pub fn select_attrs(html: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(selector).unwrap();
    html.select(&selector)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// `studybook serve` on a free loopback port, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    /// The server process's id (it names the server's temporary folders).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends Ctrl-C (SIGINT) and waits up to `limit` for the server to exit: its exit
    /// status, or `None` if it still runs. Unix only: Windows has no signal to send.
    #[cfg(unix)]
    pub fn interrupt(&mut self, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -INT failed");
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }

    pub fn start(site: &TestSite, extra: &[&str]) -> Server {
        let mut command = studybook_command();
        command
            .args(["serve", "--port", "0", "--root"])
            .arg(site.root())
            .args(extra);
        Server::spawn(command)
    }

    /// `studybook serve` run in the site's folder, as the README says: no `--root`.
    pub fn start_in_site_folder(site: &TestSite) -> Server {
        let mut command = studybook_command();
        command.args(["serve", "--port", "0"]).current_dir(site.root());
        Server::spawn(command)
    }

    fn spawn(mut command: Command) -> Server {
        command.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let log_writer = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(start) = line
                    .starts_with("serving ")
                    .then(|| line.find("http://"))
                    .flatten()
                {
                    let url = line[start..].split_whitespace().next().unwrap_or("").to_string();
                    let _ = sender.send(url);
                }
                log_writer.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let base = receiver
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("the server did not start:\n{}", log.lock().unwrap()));
        Server { child, base, log }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 GET over a raw socket, so tests can send paths no client would
/// normalise (`/../`, `%2e%2e`). Returns (status, headers lower-cased, body).
pub fn http_get(
    base: &str,
    raw_path: &str,
    headers: &[(&str, &str)],
) -> (u16, BTreeMap<String, String>, Vec<u8>) {
    http_request("GET", base, raw_path, headers)
}

/// Like [`http_get`], with any method.
pub fn http_request(
    method: &str,
    base: &str,
    raw_path: &str,
    headers: &[(&str, &str)],
) -> (u16, BTreeMap<String, String>, Vec<u8>) {
    use std::io::{Read, Write};
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut request = format!("{method} {raw_path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    // Read the head, then exactly Content-Length bytes when given (Chromium's DevTools server
    // keeps the connection open), else to the end.
    let mut response = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let read = stream.read(&mut buffer).unwrap();
        if read == 0 {
            break;
        }
        response.extend_from_slice(&buffer[..read]);
        if let Some(split) = response.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
            let length = head.lines().find_map(|l| {
                l.strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
            });
            if let Some(length) = length {
                if response.len() >= split + 4 + length {
                    break;
                }
            }
        }
    }
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP response");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let mut body = response[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    (status, headers, body)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(
            std::str::from_utf8(&data[..line_end])
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// The DOM of `url` after its scripts ran for up to `budget_ms` of virtual time.
pub fn dump_dom(url: &str, budget_ms: u32) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = chromium_command(profile.path())
        .arg(format!("--virtual-time-budget={budget_ms}"))
        .arg("--dump-dom")
        .arg(url)
        .stderr(Stdio::null())
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Waits until `check` returns Some, or panics after `timeout`.
pub fn wait_for<T>(timeout: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            started.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Percent-encodes every byte but unreserved ASCII, as a browser does for a URL path or query.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Decodes `%XX` sequences of a URL path (invalid ones stay as written), written here rather
/// than borrowed from the library, so link checks do not trust the code they check.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Asserts the run failed with exit code 1 and the output is exactly as it was.
pub fn assert_failed_and_untouched(site: &TestSite, before: &BTreeMap<PathBuf, Vec<u8>>, run: &Run) {
    assert_eq!(
        run.code, 1,
        "expected exit code 1\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    let after = site.snapshot_output();
    let changed: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|path| before.get(*path) != after.get(*path))
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        changed.is_empty(),
        "a failed build changed the output: {changed:?}"
    );
    assert!(leftovers(site).is_empty(), "left behind: {:?}", leftovers(site));
}

/// Staging or old output folders a build left beside the output (there must be none).
pub fn leftovers(site: &TestSite) -> Vec<String> {
    std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".staging-") || name.contains(".old-"))
        .collect()
}

/// Whether a data file of the static search pack in `pack_dir` holds `needle`, in its raw text
/// or in its decoded data (inflated binary, text chunks as JSON).
pub fn pack_contains(pack_dir: &Path, needle: &str) -> bool {
    let raw = std::fs::read_dir(pack_dir).unwrap().any(|entry| {
        studybook::search::pack::read_script(&entry.unwrap().path())
            .unwrap()
            .contains(needle)
    });
    raw || studybook::search::pack::decoded_files(pack_dir)
        .unwrap()
        .values()
        .any(|data| String::from_utf8_lossy(data).contains(needle))
}
