//! Headless Chromium driven through the DevTools protocol: shared by the browser tests and by
//! the `static_latency` benchmark (which includes this file by path), so it depends on nothing
//! else in the test helpers.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Chromium binary; tests that need it fail with a clear message when it is missing.
pub fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "headless Chromium is needed at {} (install Debian's `chromium`, or set CHROMIUM)",
        path.display()
    );
    path
}

/// The flags this machine needs: no sandbox as root, and no network beyond loopback.
pub fn chromium_command(profile: &Path) -> Command {
    let mut command = Command::new(chromium());
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// A headless Chromium driven through the DevTools protocol, killed when dropped.
/// Tabs are opened with `Target.createTarget` over the browser's own WebSocket: Chromium's
/// DevTools HTTP server keeps connections open, so `PUT /json/new` is no simpler.
pub struct Browser {
    child: Child,
    host: String,
    socket: std::sync::Mutex<DevTools>,
    _profile: tempfile::TempDir,
}

/// One DevTools WebSocket and the id of its next command.
struct DevTools {
    socket: tungstenite::WebSocket<std::net::TcpStream>,
    next_id: u64,
}

impl DevTools {
    fn connect(ws_url: &str) -> DevTools {
        let host = ws_url.trim_start_matches("ws://").split('/').next().unwrap();
        let stream = std::net::TcpStream::connect(host).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        DevTools {
            socket: tungstenite::client(ws_url, stream).unwrap().0,
            next_id: 1,
        }
    }

    /// Sends one command and waits for its answer (or the protocol's error), skipping events.
    fn call(&mut self, method: &str, params: serde_json::Value) -> Result<serde_json::Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        let message = serde_json::json!({ "id": id, "method": method, "params": params });
        self.socket
            .send(tungstenite::Message::text(message.to_string()))
            .unwrap();
        loop {
            let tungstenite::Message::Text(text) = self.socket.read().unwrap() else {
                continue;
            };
            let value: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
            if value["id"] == id {
                return match value.get("error") {
                    Some(error) => Err(format!("{method} failed: {error}")),
                    None => Ok(value["result"].clone()),
                };
            }
        }
    }
}

/// One tab of a [`Browser`].
pub struct Tab(DevTools);

impl Browser {
    pub fn launch() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = chromium_command(profile.path())
            .arg("--remote-debugging-port=0")
            .arg("--window-size=1280,900")
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(start) = line.find("ws://") {
                    let _ = sender.send(line[start..].trim().to_string());
                }
            }
        });
        let ws = receiver
            .recv_timeout(Duration::from_secs(60))
            .expect("Chromium printed its DevTools address");
        let host = ws
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        Browser {
            child,
            host,
            socket: std::sync::Mutex::new(DevTools::connect(&ws)),
            _profile: profile,
        }
    }

    /// Opens `url` in a new tab.
    pub fn open(&self, url: &str) -> Tab {
        let target = self
            .socket
            .lock()
            .unwrap()
            .call("Target.createTarget", serde_json::json!({ "url": url }))
            .unwrap_or_else(|e| panic!("{e}"));
        let id = target["targetId"].as_str().unwrap();
        Tab(DevTools::connect(&format!(
            "ws://{}/devtools/page/{id}",
            self.host
        )))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Tab {
    /// Sends a DevTools command and returns its result.
    pub fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.0.call(method, params).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Evaluates JavaScript in the page (awaiting promises): its value, or the protocol's error
    /// (while the page navigates: "Execution context was destroyed" and the like).
    fn try_eval(&mut self, expression: &str) -> Result<serde_json::Value, String> {
        let result = self.0.call(
            "Runtime.evaluate",
            serde_json::json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        )?;
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("JavaScript failed: {exception}\n{expression}");
        }
        Ok(result["result"]["value"].clone())
    }

    /// Evaluates JavaScript in the page (awaiting promises) and returns its value.
    pub fn eval(&mut self, expression: &str) -> serde_json::Value {
        self.try_eval(expression)
            .unwrap_or_else(|e| panic!("{e}\n{expression}"))
    }

    /// Waits until `expression` is truthy; returns its value. Evaluations that the page's
    /// navigation cut short are tried again.
    pub fn wait_until(&mut self, expression: &str, timeout: Duration) -> serde_json::Value {
        let started = Instant::now();
        loop {
            let outcome = self.try_eval(expression);
            if let Ok(value) = &outcome {
                if !(value.is_null() || *value == false || *value == 0 || *value == "") {
                    return value.clone();
                }
            }
            assert!(
                started.elapsed() < timeout,
                "timed out after {timeout:?} waiting for `{expression}` (last: {outcome:?})"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", serde_json::json!({ "url": url }));
    }

    /// Types `text` into the focused element as a user would (key events and input events).
    pub fn type_text(&mut self, text: &str) {
        self.call("Input.insertText", serde_json::json!({ "text": text }));
    }

    pub fn press_key(&mut self, key: &str) {
        for kind in ["keyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                serde_json::json!({ "type": kind, "key": key, "code": key, "windowsVirtualKeyCode": match key { "Enter" => 13, "ArrowDown" => 40, "ArrowUp" => 38, _ => 0 } }),
            );
        }
    }
}
