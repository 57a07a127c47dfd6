//! Live reload for `studybook serve`: a small script injected into served HTML pages (never
//! into `studybook build` output) listens to `/__studybook/events` (server-sent events).
//!
//! Events: `reload` (a build succeeded: reload, keeping the scroll position), `css` (only the
//! stylesheet changed: swap it without a reload), `errors` (a build failed: show an overlay
//! with each problem's file and line until the next good build).

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::Response;
use futures_util::stream::{Stream, StreamExt};
use serde::Serialize;
use tokio::sync::broadcast;

use super::SiteState;

pub const EVENTS_PATH: &str = "/__studybook/events";

/// What the browser is told after a rebuild.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum LiveEvent {
    Reload,
    /// Only the stylesheet changed: its new URL, relative to the site root.
    Css {
        href: String,
    },
    /// The build failed; the last good site is still served. `heading` says so in the
    /// language of the errors (the editor's), whatever the page's.
    Errors {
        heading: String,
        errors: Vec<String>,
    },
}

impl LiveEvent {
    fn name(&self) -> &'static str {
        match self {
            LiveEvent::Reload => "reload",
            LiveEvent::Css { .. } => "css",
            LiveEvent::Errors { .. } => "errors",
        }
    }
}

impl LiveEvent {
    /// The errors of a failed build, with the overlay's heading in the message language:
    /// `served` whether a good site is served meanwhile (none when the first build of an
    /// empty output folder failed: the page says the site is not built yet).
    pub fn errors(errors: Vec<String>, served: bool) -> LiveEvent {
        let heading = if served {
            crate::text!(
                "studybook: the last change could not be built; this page shows the last good version.",
                "studybook：最近的修改未能生成，本页显示的是上一次生成成功的版本。请按下面的提示修改："
            )
        } else {
            crate::text!(
                "studybook: the site could not be built yet. Fix what is listed below and save:",
                "studybook：站点还未能生成。请按下面的提示修改并保存："
            )
        };
        LiveEvent::Errors {
            heading: heading.to_string(),
            errors,
        }
    }
}

/// The channel rebuilds publish on; every open page subscribes.
pub fn channel() -> broadcast::Sender<LiveEvent> {
    broadcast::channel(16).0
}

/// `GET /__studybook/events`: the event stream. It opens with `hello` and the current build
/// generation (a page served from an older one reloads); a page that connects while the last
/// build failed then gets the errors at once.
pub async fn events(
    State(state): State<Arc<SiteState>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.subscribe();
    let hello = Event::default()
        .event("hello")
        .data(format!("{{\"generation\":{}}}", state.generation()));
    let initial = state.last_errors();
    let stream =
        futures_util::stream::unfold((receiver, initial), |(mut receiver, mut initial)| async move {
            let event = match initial.take() {
                Some(event) => event,
                None => loop {
                    match receiver.recv().await {
                        Ok(event) => break event,
                        Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                },
            };
            let data = serde_json::to_string(&event).unwrap_or_default();
            Some((
                Ok(Event::default().event(event.name()).data(data)),
                (receiver, initial),
            ))
        });
    let stream = futures_util::stream::once(async move { Ok(hello) }).chain(stream);
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// The script added to every served HTML page.
pub const SCRIPT: &str = r#"<script>
(function () {
  if (!window.EventSource) { return; }
  var generation = __GENERATION__;
  var key = 'studybook-scroll:' + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var restore = function () { window.scrollTo(0, parseFloat(saved)); };
    if (document.readyState === 'complete') { restore(); } else { window.addEventListener('load', restore); }
  }
  function reload() {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  }
  function overlay(errors, given) {
    var box = document.getElementById('studybook-errors');
    if (!box) {
      box = document.createElement('div');
      box.id = 'studybook-errors';
      box.setAttribute('role', 'alert');
      box.style.cssText = 'position:fixed;z-index:99999;left:0;right:0;top:0;max-height:70vh;overflow:auto;background:#fff5f5;color:#7f1414;border-bottom:3px solid #a61b1b;padding:12px 16px;font:14px/1.6 Consolas,monospace;white-space:pre-wrap;box-shadow:0 2px 8px rgba(0,0,0,.2)';
      document.body.appendChild(box);
    }
    /* In the page's language (zh-CN or en), as the theme speaks it. */
    var chinese = /^zh/i.test(document.documentElement.lang || '');
    var heading = typeof given === 'string' ? given : chinese
      ? 'studybook：最近的修改未能生成，本页显示的是上一次生成成功的版本。请按下面的提示修改：'
      : 'studybook: the last change could not be built; this page shows the last good version.';
    box.textContent = heading + '\n\n' + errors.join('\n');
  }
  var source = null;
  /* Only visible pages keep a connection: browsers allow six per host, and a preview may have
   * many tabs open. A page coming back reloads if a build happened meanwhile. */
  function connect() {
    if (source || document.visibilityState === 'hidden') { return; }
    source = new EventSource('/__studybook/events');
    source.addEventListener('hello', function (event) {
      if (JSON.parse(event.data).generation !== generation) { reload(); }
    });
    source.addEventListener('reload', reload);
    source.addEventListener('css', function (event) {
      var data = JSON.parse(event.data);
      generation += 1;
      var links = document.querySelectorAll('link[rel="stylesheet"]');
      for (var i = 0; i < links.length; i++) {
        var href = links[i].getAttribute('href');
        var at = href.indexOf('assets/');
        if (at >= 0 && /style\.[0-9a-f]{8}\.css$/.test(href)) { links[i].setAttribute('href', href.slice(0, at) + data.href); }
      }
      var box = document.getElementById('studybook-errors');
      if (box) { box.parentNode.removeChild(box); }
    });
    source.addEventListener('errors', function (event) {
      var data = JSON.parse(event.data);
      overlay(data.errors, data.heading);
    });
  }
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') {
      if (source) { source.close(); source = null; }
    } else {
      connect();
    }
  });
  connect();
})();
</script>"#;

/// Adds [`SCRIPT`] before `</body>` of HTML responses, with the current build generation.
pub async fn inject(State(state): State<Arc<SiteState>>, request: Request, next: Next) -> Response {
    let mut response = super::edit_html(next.run(request).await, |html| {
        let script = SCRIPT.replace("__GENERATION__", &state.generation().to_string());
        match html.rfind("</body>") {
            Some(at) => format!("{}{script}{}", &html[..at], &html[at..]),
            None => format!("{html}{script}"),
        }
    })
    .await;
    if response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
    {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
