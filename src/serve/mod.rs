//! The HTTP edge: serve a built output folder and answer `/api/search` from its index.
//!
//! The core pipeline knows nothing about serving. This module only reads the output folder
//! (which a build swaps atomically, so a request never sees half a site) and holds the open
//! index, which [`SiteState::reload_search`] replaces after each build. Fit for an intranet:
//! loopback by default, no path leaves the output folder (symlinks included), content types,
//! cache headers and gzip.

pub mod live;
pub mod sources;
pub mod watch;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use axum::extract::{RawQuery, Request, State};
use axum::handler::Handler as _;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

use crate::content::Date;
use crate::search::query::MAX_QUERY_CHARS;
use crate::search::{SearchRequest, Searcher};
use crate::text;

/// Most results one API call may ask for.
pub const MAX_LIMIT: usize = 100;

/// What the server shares between requests.
pub struct SiteState {
    output_dir: PathBuf,
    /// The canonical output folder, to check that no request resolves outside it.
    canonical_root: RwLock<PathBuf>,
    searcher: RwLock<Option<Arc<Searcher>>>,
    /// Requests read the output folder under this lock; a rebuild swaps the folder under its
    /// write side, so no request sees the moment between the old and the new folder.
    swap: tokio::sync::RwLock<()>,
    /// Live reload: what rebuilds tell the open pages.
    live: tokio::sync::broadcast::Sender<live::LiveEvent>,
    /// The errors of the last build, if it failed, for pages that connect afterwards.
    last_errors: Mutex<Option<live::LiveEvent>>,
    /// Hashed asset URLs of the last good build.
    assets: Mutex<BTreeMap<String, String>>,
    /// Counts good builds: a page knows the one it was served from, and reloads when it comes
    /// back from the background to find a newer one.
    generation: std::sync::atomic::AtomicU64,
    /// The static pack of the output lags its pages (edits not yet settled): said on exit.
    pack_behind: std::sync::atomic::AtomicBool,
    /// book.toml names another output folder than the one served: said after every rebuild
    /// until it names this one again or the server is restarted.
    restart_notice: Mutex<Option<String>>,
}

impl SiteState {
    pub fn new(output_dir: PathBuf) -> Arc<SiteState> {
        let state = Arc::new(SiteState {
            canonical_root: RwLock::new(output_dir.clone()),
            output_dir,
            searcher: RwLock::new(None),
            swap: tokio::sync::RwLock::new(()),
            live: live::channel(),
            last_errors: Mutex::new(None),
            assets: Mutex::new(BTreeMap::new()),
            pack_behind: std::sync::atomic::AtomicBool::new(false),
            restart_notice: Mutex::new(None),
            // Counted from the time the server started: a page left open while the server
            // was restarted knows it is from another server's build (each counted from 0
            // looked alike, and the page kept showing old content).
            generation: std::sync::atomic::AtomicU64::new(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |since| since.as_millis() as u64),
            ),
        });
        state.reload_search();
        state
    }

    pub fn output_dir(&self) -> &Path {
        &self.output_dir
    }

    /// Reopens the index after a build; until it succeeds, the API says the index is missing.
    pub fn reload_search(&self) {
        self.reopen_search(None);
    }

    /// Reopens the index after an edit of pages or of the theme, which leaves the verbatim
    /// file as it was: the open one is kept (see [`Searcher::reopen`]). After a full build it is
    /// read anew whatever its size and time say, so a new file is never mistaken for the old.
    pub fn reload_search_after_edit(&self) {
        let previous = self.searcher();
        self.reopen_search(previous.as_deref());
    }

    fn reopen_search(&self, previous: Option<&Searcher>) {
        let searcher = Searcher::reopen(&self.output_dir, previous).ok().map(Arc::new);
        *self.searcher.write().expect("no panics hold this lock") = searcher;
        if let Ok(canonical) = self.output_dir.canonicalize() {
            *self.canonical_root.write().expect("no panics hold this lock") = canonical;
        }
    }

    /// Closes the index (and its memory maps of files in the output folder) until the next
    /// reload: see [`crate::incremental::OutputLock::replacing_output`].
    pub fn close_search(&self) {
        *self.searcher.write().expect("no panics hold this lock") = None;
    }

    fn searcher(&self) -> Option<Arc<Searcher>> {
        self.searcher.read().expect("no panics hold this lock").clone()
    }

    /// Waits for a swap of the output under way, and holds off any other while the guard
    /// lives: for stopping the server with the output whole.
    pub async fn hold_swaps(&self) -> tokio::sync::RwLockWriteGuard<'_, ()> {
        self.swap.write().await
    }

    /// Runs `swap` (a build's commit) while no request reads the output folder. Called from
    /// the rebuild thread, never from the async runtime.
    pub fn while_swapping<T>(&self, swap: impl FnOnce() -> T) -> T {
        let _guard = self.swap.blocking_write();
        swap()
    }

    /// Tells every open page about a rebuild, and remembers a failure for late joiners.
    pub fn publish(&self, event: live::LiveEvent) {
        let failed = matches!(event, live::LiveEvent::Errors { .. });
        if !failed {
            self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        *self.last_errors.lock().expect("no panics hold this lock") = failed.then(|| event.clone());
        let _ = self.live.send(event);
    }

    pub fn set_pack_behind(&self, behind: bool) {
        self.pack_behind
            .store(behind, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn pack_behind(&self) -> bool {
        self.pack_behind.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Whether the open pages were last told of errors (a failed build).
    pub fn failing(&self) -> bool {
        self.last_errors().is_some()
    }

    pub fn set_restart_notice(&self, notice: Option<String>) {
        *self.restart_notice.lock().expect("no panics hold this lock") = notice;
    }

    pub fn restart_notice(&self) -> Option<String> {
        self.restart_notice
            .lock()
            .expect("no panics hold this lock")
            .clone()
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<live::LiveEvent> {
        self.live.subscribe()
    }

    fn last_errors(&self) -> Option<live::LiveEvent> {
        self.last_errors.lock().expect("no panics hold this lock").clone()
    }

    pub fn set_assets(&self, assets: BTreeMap<String, String>) {
        *self.assets.lock().expect("no panics hold this lock") = assets;
    }

    pub fn asset_url(&self, name: &str) -> Option<String> {
        self.assets
            .lock()
            .expect("no panics hold this lock")
            .get(name)
            .cloned()
    }
}

/// The routes: `/api/search`, then the output folder's files, with 404.html for the rest.
/// With `live_reload`, HTML pages get the live reload script and `/__studybook/events` exists.
pub fn router(state: Arc<SiteState>, live_reload: bool) -> Router {
    let files = ServeDir::new(&state.output_dir)
        .append_index_html_on_directories(true)
        .not_found_service(not_found_page.with_state(state.clone()));
    let mut router = Router::new().route("/api/search", get(search_api));
    if live_reload {
        router = router.route(live::EVENTS_PATH, get(live::events));
    }
    let mut router = router
        .fallback_service(files)
        .layer(middleware::from_fn(root_the_404_page))
        .layer(middleware::from_fn_with_state(state.clone(), guard_paths));
    if live_reload {
        router = router.layer(middleware::from_fn_with_state(state.clone(), live::inject));
    }
    router
        .layer(middleware::from_fn(whole_pages))
        .layer(middleware::from_fn_with_state(state.clone(), hold_swap_lock))
        .layer(middleware::from_fn(cache_headers))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// The site's 404 page; before any build succeeded (the first one failed), a page that says
/// so, which the live reload script then covers with the errors and reloads once they are
/// fixed: an editor who starts `serve` on broken content sees why, not a blank page.
async fn not_found_page(State(state): State<Arc<SiteState>>) -> Response {
    let html = [(header::CONTENT_TYPE, "text/html; charset=utf-8")];
    match tokio::fs::read(state.output_dir.join("404.html")).await {
        Ok(page) => (StatusCode::NOT_FOUND, html, page).into_response(),
        Err(_) => {
            let (title, body) = (
                text!("The site is not built yet", "站点还没有生成"),
                text!(
                    "The build found errors (listed in the terminal where studybook serve runs). Fix them and save: this page reloads by itself.",
                    "生成时发现错误（列在运行 studybook serve 的命令行窗口里）。改正并保存后，本页会自动刷新。"
                ),
            );
            let lang = crate::diagnostics::message_language().html_tag();
            let page = format!(
                "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n</head>\n\
                 <body>\n<h1>{title}</h1>\n<p>{body}</p>\n</body>\n</html>\n"
            );
            (StatusCode::NOT_FOUND, html, page).into_response()
        }
    }
}

/// An HTML response with its body rewritten by `edit`; any other response as it is. The old
/// body's length and validators are dropped.
pub(crate) async fn edit_html(response: Response, edit: impl FnOnce(&str) -> String) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "could not read the page").into_response();
    };
    let edited = edit(&String::from_utf8_lossy(&bytes));
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::ETAG);
    parts.headers.remove(header::LAST_MODIFIED);
    Response::from_parts(parts, axum::body::Body::from(edited))
}

/// Whether `path` names a page (an `.html` file or a folder), which the edits above may
/// change, rather than a file served as it is.
fn names_a_page(path: &str) -> bool {
    if path.starts_with("/api/") || path.starts_with("/__studybook/") {
        return false;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    last.is_empty() || last.ends_with(".html")
}

/// HEAD and Range requests of pages are answered from the page as GET sends it: the live
/// reload script and the 404 page's base change its length, so the file's length and byte
/// ranges would describe another body.
async fn whole_pages(mut request: Request, next: Next) -> Response {
    if !names_a_page(request.uri().path()) {
        return next.run(request).await;
    }
    request.headers_mut().remove(header::RANGE);
    request.headers_mut().remove(header::IF_RANGE);
    if request.method() != axum::http::Method::HEAD {
        return next.run(request).await;
    }
    *request.method_mut() = axum::http::Method::GET;
    let (mut parts, body) = next.run(request).await.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "could not read the page").into_response();
    };
    // A 304 has no body to measure.
    if parts.status != StatusCode::NOT_MODIFIED {
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    }
    Response::from_parts(parts, axum::body::Body::empty())
}

/// The 404 page is shown at the missing address, at any depth, and its links are relative to
/// the site root: `serve` serves the site at `/`, so it gets `<base href="/">` and its
/// stylesheet and links work from `/a/b/missing.html` too. The base a build gives it from
/// `base-url` (the published site's address) is replaced: the preview must lead back into the
/// preview, not to a site that may not be reachable from the editor's PC.
async fn root_the_404_page(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::NOT_FOUND {
        return response;
    }
    edit_html(response, |html| {
        let base = html
            .find("<base ")
            .and_then(|start| Some(start..start + html[start..].find('>')? + 1));
        match (base, html.find("<head>")) {
            (Some(tag), _) => format!("{}<base href=\"/\">{}", &html[..tag.start], &html[tag.end..]),
            (None, Some(at)) => {
                let (head, rest) = html.split_at(at + "<head>".len());
                format!("{head}<base href=\"/\">{rest}")
            }
            (None, None) => html.to_string(),
        }
    })
    .await
}

/// Holds the read side of the swap lock while a response is produced.
async fn hold_swap_lock(State(state): State<Arc<SiteState>>, request: Request, next: Next) -> Response {
    if request.uri().path() == live::EVENTS_PATH {
        return next.run(request).await;
    }
    let _reading = state.swap.read().await;
    next.run(request).await
}

/// A port that is free now after `port` on `ip`, so that the suggestion works when tried: the
/// ports after it, then from 1024 on (past 65535), a hundred at most.
fn free_port_after(ip: std::net::IpAddr, port: u16) -> u16 {
    (u32::from(port) + 1..=65_535)
        .chain(1024..u32::from(port))
        .filter_map(|candidate| u16::try_from(candidate).ok())
        .filter(|&candidate| candidate >= 1024)
        .take(100)
        .find(|&candidate| std::net::TcpListener::bind(SocketAddr::new(ip, candidate)).is_ok())
        .unwrap_or(3000)
}

/// Binds the listener, with an error that says what to do when the port is taken.
pub async fn bind(address: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|err| bind_error(err, address))
}

/// What a failure to listen on `address` means, and which port to try instead.
fn bind_error(err: std::io::Error, address: SocketAddr) -> anyhow::Error {
    let (port, ip) = (address.port(), address.ip());
    match err.kind() {
        std::io::ErrorKind::AddrInUse => {
            let next = free_port_after(ip, port);
            anyhow::anyhow!(
                "{}",
                text!(
                    "port {port} is already in use on {ip}\n   help: stop the other program or choose another port, e.g. `--port {next}`",
                    "{ip} 上的端口 {port} 已被占用（可能已经开着一个 studybook serve）\n   提示：请关掉占用它的程序，或换一个端口，例如 `--port {next}`"
                )
            )
        }
        // Below 1024 without administrator rights, or a range Windows reserves (Hyper-V,
        // WSL and Docker reserve ranges that may hold 3000).
        std::io::ErrorKind::PermissionDenied => {
            let next = free_port_after(ip, port.max(1023));
            anyhow::anyhow!(
                "{}",
                text!(
                    "port {port} may not be used on {ip} (the system reserves it)\n   help: choose another port, e.g. `--port {next}`",
                    "{ip} 上的端口 {port} 不允许使用（被系统保留）\n   提示：请换一个端口，例如 `--port {next}`"
                )
            )
        }
        _ => anyhow::Error::new(err).context(text!("cannot listen on {address}", "无法在 {address} 上监听")),
    }
}

/// Refuses any request whose file would resolve outside the output folder (through `..`,
/// an encoded `%2e%2e`, a backslash or a symbolic link).
async fn guard_paths(State(state): State<Arc<SiteState>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") {
        return next.run(request).await;
    }
    let decoded = crate::links::percent_decode(path);
    let bad_segment =
        decoded.split(['/', '\\']).any(|s| s == ".." || s.contains(':')) || decoded.contains('\0');
    if bad_segment {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    }
    let relative: PathBuf = decoded.split('/').filter(|s| !s.is_empty()).collect();
    let candidate = state.output_dir.join(&relative);
    if let Ok(real) = candidate.canonicalize() {
        let root = state
            .canonical_root
            .read()
            .expect("no panics hold this lock")
            .clone();
        if !real.starts_with(&root) {
            return (StatusCode::NOT_FOUND, "not found").into_response();
        }
    }
    next.run(request).await
}

/// Hashed assets never change; everything else is revalidated on each visit.
async fn cache_headers(request: Request, next: Next) -> Response {
    let immutable = request.uri().path().starts_with("/assets/");
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let value = if immutable {
        "public, max-age=31536000, immutable"
    } else if is_api {
        "no-store"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// A 400 with a JSON body naming the problem.
fn bad_request(message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message.into() }))).into_response()
}

/// Parses the query string of `/api/search` into a request, or says what is wrong with it.
pub fn parse_search_params(raw: Option<&str>) -> Result<SearchRequest, String> {
    check_percent_encoding(raw.unwrap_or(""))?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|err| format!("malformed query string: {err}"))?;
    let mut request = SearchRequest {
        limit: 10,
        ..SearchRequest::default()
    };
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in pairs {
        // `?q=a&q=b` would answer one of them silently.
        if key != "_" {
            if seen.contains(&key) {
                return Err(format!("`{key}` is given twice"));
            }
            seen.push(key.clone());
        }
        let value = value.trim().to_string();
        let optional = |v: String| if v.is_empty() { None } else { Some(v) };
        match key.as_str() {
            "q" => {
                if value.chars().count() > MAX_QUERY_CHARS {
                    return Err(format!("the query is longer than {MAX_QUERY_CHARS} characters"));
                }
                request.query = value;
            }
            "limit" => {
                request.limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or(format!("`limit` must be a number from 1 to {MAX_LIMIT}"))?
            }
            "facets" => {
                request.facet_limit = Some(
                    value
                        .parse()
                        .ok()
                        .filter(|&n: &usize| n <= 100_000)
                        .ok_or("`facets` must be a number from 0 to 100000")?,
                )
            }
            "offset" => {
                request.offset = value
                    .parse()
                    .ok()
                    .filter(|&n: &usize| n <= 100_000)
                    .ok_or("`offset` must be a number from 0 to 100000")?
            }
            "kind" => {
                if !["", "note", "session", "section"].contains(&value.as_str()) {
                    return Err("`kind` must be `note`, `session` or `section`".into());
                }
                request.kind = optional(value);
            }
            "meeting" => request.meeting = optional(value),
            "tag" => request.tag = optional(value),
            "year" if value.is_empty() => {}
            "year" => {
                request.year = Some(
                    value
                        .parse()
                        .ok()
                        .filter(|y| (1..=9999).contains(y))
                        .ok_or("`year` must be a year, e.g. 2024")?,
                )
            }
            "from" | "to" if value.is_empty() => {}
            "from" | "to" => {
                let date = Date::parse(&value).ok_or(format!("`{key}` must be a date written YYYY-MM-DD"))?;
                if key == "from" {
                    request.from = Some(date)
                } else {
                    request.to = Some(date)
                }
            }
            "_" => {}
            other => {
                return Err(format!(
                "unknown parameter `{other}`; known: q, limit, offset, kind, meeting, tag, year, from, to, facets"
            ))
            }
        }
    }
    if let (Some(from), Some(to)) = (request.from, request.to) {
        if from > to {
            return Err("`from` is after `to`".into());
        }
    }
    Ok(request)
}

/// A query string whose `%` escapes are all two hex digits and decode to UTF-8: a parser
/// would otherwise search `%ZZ` as typed, or `�` for a broken character.
fn check_percent_encoding(raw: &str) -> Result<(), String> {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = bytes
                .get(at + 1..at + 3)
                .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or("malformed query string: `%` must be followed by two hex digits")?;
            decoded.push(hex);
            at += 3;
        } else {
            decoded.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(decoded)
        .map(|_| ())
        .map_err(|_| "malformed query string: the escapes do not decode to UTF-8 text".to_string())
}

async fn search_api(State(state): State<Arc<SiteState>>, RawQuery(raw): RawQuery) -> Response {
    let request = match parse_search_params(raw.as_deref()) {
        Ok(request) => request,
        Err(message) => return bad_request(message),
    };
    let Some(searcher) = state.searcher() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "error": "search data unavailable, please rebuild (studybook build)" })),
        )
            .into_response();
    };
    let result = tokio::task::spawn_blocking(move || searcher.search(&request)).await;
    match result {
        Ok(Ok(results)) => Json(results).into_response(),
        Ok(Err(err)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": format!("search failed: {err}") })),
        )
            .into_response(),
        Err(err) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": format!("search failed: {err}") })),
        )
            .into_response(),
    }
}

/// Serves until Ctrl-C, then stops within [`STOP_GRACE`]: requests under way may finish, but
/// an open page's live-reload connection never ends on its own, and kept the server running
/// until the page was closed.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> anyhow::Result<()> {
    let (stopping, mut stop_asked) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app.into_make_service()).with_graceful_shutdown(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = stopping.send(true);
    });
    tokio::select! {
        served = std::future::IntoFuture::into_future(server) => served?,
        () = async move {
            let _ = stop_asked.wait_for(|asked| *asked).await;
            tokio::time::sleep(STOP_GRACE).await;
        } => {}
    }
    Ok(())
}

/// How long requests under way may take to finish once Ctrl-C is pressed.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

#[cfg(test)]
mod tests {
    use super::{bind_error, free_port_after, SocketAddr};

    #[test]
    fn a_port_the_system_reserves_is_said_so_with_one_to_try() {
        let address: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let err = bind_error(
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            address,
        );
        let message = format!("{err}");
        let (said, help) = message.split_once('\n').unwrap();
        assert!(
            said == "port 80 may not be used on 127.0.0.1 (the system reserves it)"
                || said == "127.0.0.1 上的端口 80 不允许使用（被系统保留）",
            "{message}"
        );
        let port: u16 = help
            .rsplit_once("--port ")
            .and_then(|(_, port)| port.trim_end_matches('`').parse().ok())
            .unwrap_or_else(|| panic!("no port to try: {message}"));
        assert!(port >= 1024, "{message}");
    }

    /// Past the last port, the suggestion starts again from 1024, and is free.
    #[test]
    fn the_port_suggested_after_the_last_one_is_a_free_one() {
        let ip: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        for port in [65_535, 65_534, 80] {
            let next = free_port_after(ip, port);
            assert!(next >= 1024 && next != port, "{port}: {next}");
            assert!(std::net::TcpListener::bind((ip, next)).is_ok(), "{port}: {next}");
        }
    }
}
