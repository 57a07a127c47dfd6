//! The search page in a real headless Chromium, against `studybook serve` on a loopback port:
//! typing, highlights, the result count, facets, following a result, `?q=` links, keyboard
//! navigation and HTML injection.

mod common;

use std::time::Duration;

use common::{http_get, percent_encode, Browser, Server, Tab, TestSite};

const WAIT: Duration = Duration::from_secs(30);

const RESULTS: &str = "#search-results li.search-result";

/// A JavaScript string literal.
fn js(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

fn serve() -> (TestSite, Server) {
    let site = TestSite::fixture("search");
    let server = Server::start(&site, &[]);
    (site, server)
}

/// What the API says for a query string, to compare the page with.
fn api(server: &Server, query: &str) -> serde_json::Value {
    let (status, _, body) = http_get(&server.base, &format!("/api/search?{query}"), &[]);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

/// A tab on `url` that records any `alert()` instead of blocking on it.
fn open(browser: &Browser, url: &str) -> Tab {
    let mut tab = browser.open("about:blank");
    tab.call("Page.enable", serde_json::json!({}));
    tab.call(
        "Page.addScriptToEvaluateOnNewDocument",
        serde_json::json!({ "source": "window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };" }),
    );
    tab.navigate(url);
    tab.wait_until(
        "document.readyState === 'complete' && location.href !== 'about:blank' && !!document.getElementById('search-input')",
        WAIT,
    );
    tab
}

fn count(tab: &mut Tab) -> u64 {
    tab.eval(&format!("document.querySelectorAll('{RESULTS}').length"))
        .as_u64()
        .unwrap()
}

fn wait_for_results(tab: &mut Tab) -> u64 {
    tab.wait_until(&format!("document.querySelectorAll('{RESULTS}').length"), WAIT)
        .as_u64()
        .unwrap()
}

fn status_text(tab: &mut Tab) -> String {
    tab.eval("document.getElementById('search-status').textContent")
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn no_alerts(tab: &mut Tab) {
    assert_eq!(
        tab.eval("Array.isArray(window.__alerts)"),
        true,
        "the alert recorder is installed"
    );
    let alerts = tab.eval("JSON.stringify(window.__alerts || [])");
    assert_eq!(alerts, "[]", "a script ran an alert");
}

#[test]
fn typing_a_query_shows_highlighted_results_filters_and_follows_one() {
    let (_site, server) = serve();
    let browser = Browser::launch();
    let mut tab = open(&browser, &server.url("search.html"));

    tab.eval("document.getElementById('search-input').focus()");
    tab.type_text("防汛");
    let shown = wait_for_results(&mut tab);

    // The page shows what the API finds, with the count in the status line.
    let expected = api(&server, &format!("q={}&limit=20", percent_encode("防汛")));
    let total = expected["total"].as_u64().unwrap();
    assert!(total >= 2, "{expected}");
    let shown = if shown == total.min(20) {
        shown
    } else {
        tab.wait_until(
            &format!(
                "document.querySelectorAll('{RESULTS}').length === {}",
                total.min(20)
            ),
            WAIT,
        );
        count(&mut tab)
    };
    assert_eq!(shown, total.min(20));
    tab.wait_until(
        &format!("document.getElementById('search-status').textContent.includes('{total}')"),
        WAIT,
    );
    let status = status_text(&mut tab);
    assert!(status.contains(&total.to_string()), "{status}");

    let titles = tab.eval(&format!(
        "Array.from(document.querySelectorAll('{RESULTS} a')).map(a => a.innerHTML)"
    ));
    let first = titles[0].as_str().unwrap();
    assert!(
        first.contains("<mark>防汛</mark>"),
        "the first title is highlighted: {titles}"
    );
    assert_eq!(
        titles[0], expected["results"][0]["title_html"],
        "the first result is the API's first"
    );
    let marks = tab.eval(&format!(
        "document.querySelectorAll('{RESULTS} p.snippet mark').length"
    ));
    assert!(marks.as_u64().unwrap() > 0, "snippets are highlighted");
    let marked = tab.eval(&format!(
        "Array.from(document.querySelectorAll('{RESULTS} mark')).every(m => m.textContent === '防汛')"
    ));
    assert_eq!(marked, true, "only the query is marked");
    let search = tab.eval("decodeURIComponent(location.search)");
    assert!(
        search.as_str().unwrap().contains("q=防汛"),
        "the query is in the address: {search}"
    );

    // A facet narrows the results to sessions.
    let sessions = api(
        &server,
        &format!("q={}&kind=session&limit=20", percent_encode("防汛")),
    );
    let session_total = sessions["total"].as_u64().unwrap();
    assert!(
        session_total >= 1 && session_total < total,
        "the fixture needs both kinds: {sessions}"
    );
    let clicked = tab.eval(
        "(() => { const r = document.querySelector('#search-facets input[name=\"facet-kind\"][value=\"session\"]'); \
         if (!r) { return false; } r.click(); return true; })()",
    );
    assert_eq!(clicked, true, "a kind=session facet exists");
    tab.wait_until(
        &format!(
            "(() => {{ const items = document.querySelectorAll('{RESULTS}'); \
             return items.length === {session_total} && Array.from(items).every(li => li.classList.contains('kind-session')); }})()"
        ),
        WAIT,
    );
    tab.wait_until(
        &format!("document.getElementById('search-status').textContent.includes('{session_total}')"),
        WAIT,
    );
    let search = tab.eval("location.search").as_str().unwrap().to_string();
    assert!(
        search.contains("kind=session"),
        "the filter is in the address: {search}"
    );

    // Following the first result lands on its page.
    let title = sessions["results"][0]["title"].as_str().unwrap().to_string();
    let href = tab
        .eval(&format!("document.querySelector('{RESULTS} a').href"))
        .as_str()
        .unwrap()
        .to_string();
    assert!(href.starts_with(&server.base), "{href}");
    tab.eval(&format!("document.querySelector('{RESULTS} a').click()"));
    tab.wait_until(
        &format!(
            "location.href === {} && document.readyState === 'complete'",
            js(&href)
        ),
        WAIT,
    );
    let heading = tab.wait_until(
        "(document.querySelector('h1#page-title') || {}).textContent",
        WAIT,
    );
    assert_eq!(heading, title.as_str());
    no_alerts(&mut tab);
}

/// A filter with no words in the address lists the pages it admits, newest first, as the API
/// does; clearing the filter clears the list.
#[test]
fn a_filter_without_words_lists_its_pages() {
    let (_site, server) = serve();
    let browser = Browser::launch();
    let expected = api(&server, "kind=session&limit=20");
    let total = expected["total"].as_u64().unwrap();
    assert!(total >= 2, "{expected}");
    let mut tab = open(&browser, &format!("{}?kind=session", server.url("search.html")));
    tab.wait_until(
        &format!(
            "document.querySelectorAll('{RESULTS}').length === {}",
            total.min(20)
        ),
        WAIT,
    );
    let titles = tab.eval(&format!(
        "Array.from(document.querySelectorAll('{RESULTS} > a')).map(a => a.textContent)"
    ));
    let api_titles: Vec<&serde_json::Value> = expected["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| &hit["title"])
        .collect();
    assert_eq!(titles.as_array().unwrap().iter().collect::<Vec<_>>(), api_titles);
    // A record says who hosted it (a query may have matched that).
    let host = expected["results"][0]["host"]
        .as_str()
        .expect("the fixture's records have hosts");
    let shown = tab.eval(&format!(
        "document.querySelector('{RESULTS} .page-meta .host').textContent"
    ));
    assert_eq!(shown, format!("主持人：{host}").as_str());
    tab.eval("document.querySelector('#search-facets input[name=\"facet-kind\"][value=\"\"]').click()");
    tab.wait_until(
        &format!("document.querySelectorAll('{RESULTS}').length === 0"),
        WAIT,
    );
    no_alerts(&mut tab);
}

/// A filter in force stays in sight, checked, when a new query finds nothing under it: the
/// reader must see what to take off.
#[test]
fn a_filter_that_leaves_no_results_is_still_shown_checked() {
    let (_site, server) = serve();
    let browser = Browser::launch();
    let tagged = api(
        &server,
        &format!("q={}&tag={}", percent_encode("防汛"), percent_encode("网络安全")),
    );
    assert_eq!(
        tagged["total"], 0,
        "the fixture has no 防汛 page tagged 网络安全: {tagged}"
    );
    let url = format!(
        "{}?q={}&tag={}",
        server.url("search.html"),
        percent_encode("防汛"),
        percent_encode("网络安全")
    );
    let mut tab = open(&browser, &url);
    let checked = "(() => { const r = document.querySelector('#search-facets input[name=\"facet-tag\"]:checked'); \
                   return r && !document.getElementById('search-facets').hidden ? r.value + '|' + r.parentNode.textContent.trim() : ''; })()";
    let shown = tab.wait_until(checked, WAIT);
    assert_eq!(
        shown, "网络安全|网络安全 (0)",
        "the tag in force is shown checked"
    );
    // Taking it off brings the results back.
    tab.eval("document.querySelector('#search-facets input[name=\"facet-tag\"][value=\"\"]').click()");
    tab.wait_until(
        &format!("document.querySelectorAll('{RESULTS}').length > 0"),
        WAIT,
    );
    let search = tab.eval("location.search").as_str().unwrap().to_string();
    assert!(!search.contains("tag="), "the filter left the address: {search}");
    no_alerts(&mut tab);
}

#[test]
fn a_query_in_the_address_runs_on_load_and_arrow_down_focuses_the_first_result() {
    let (_site, server) = serve();
    let browser = Browser::launch();
    let query = "党风廉政建设";
    let mut tab = open(
        &browser,
        &format!("{}?q={}", server.url("search.html"), percent_encode(query)),
    );
    wait_for_results(&mut tab);
    assert_eq!(tab.eval("document.getElementById('search-input').value"), query);
    let first = tab.eval(&format!("document.querySelector('{RESULTS} a').textContent"));
    assert_eq!(first, "党风廉政建设责任清单");
    let html = tab.eval(&format!("document.querySelector('{RESULTS} a').innerHTML"));
    assert!(
        html.as_str().unwrap().contains("<mark>党风廉政建设</mark>"),
        "{html}"
    );
    let total = api(&server, &format!("q={}", percent_encode(query)))["total"]
        .as_u64()
        .unwrap();
    tab.wait_until(
        &format!("document.getElementById('search-status').textContent.includes('{total}')"),
        WAIT,
    );

    tab.press_key("ArrowDown");
    tab.wait_until(
        &format!("document.activeElement === document.querySelector('{RESULTS} a')"),
        WAIT,
    );
    let active = tab.eval(&format!(
        "document.querySelector('{RESULTS}').classList.contains('active')"
    ));
    assert_eq!(active, true);
    if count(&mut tab) > 1 {
        tab.press_key("ArrowDown");
        tab.wait_until(
            &format!("document.activeElement === document.querySelectorAll('{RESULTS} a')[1]"),
            WAIT,
        );
        tab.press_key("ArrowUp");
        tab.wait_until(
            &format!("document.activeElement === document.querySelector('{RESULTS} a')"),
            WAIT,
        );
    }
    tab.press_key("ArrowUp");
    tab.wait_until(
        "document.activeElement === document.getElementById('search-input')",
        WAIT,
    );
    no_alerts(&mut tab);
}

#[test]
fn a_query_that_finds_nothing_says_so() {
    let (_site, server) = serve();
    let browser = Browser::launch();
    let mut tab = open(
        &browser,
        &format!("{}?q={}", server.url("search.html"), percent_encode("紫藤萝")),
    );
    let status = tab.wait_until("document.getElementById('search-status').textContent", WAIT);
    assert_eq!(count(&mut tab), 0);
    assert!(
        status.as_str().unwrap().contains("没有找到"),
        "help when nothing is found: {status}"
    );
}

#[test]
fn html_in_queries_and_titles_shows_as_text() {
    let (_site, server) = serve();
    let browser = Browser::launch();
    let query = "<img src=x onerror=alert(1)>";
    let mut tab = open(
        &browser,
        &format!("{}?q={}", server.url("search.html"), percent_encode(query)),
    );
    tab.wait_until("document.getElementById('search-status').textContent", WAIT);
    assert_eq!(
        tab.eval("document.querySelectorAll('#search-results img').length"),
        0
    );
    assert_eq!(
        tab.eval("document.querySelectorAll('#search-results script').length"),
        0
    );
    assert_eq!(tab.eval("document.querySelectorAll('img[src=\"x\"]').length"), 0);
    assert_eq!(tab.eval("document.getElementById('search-input').value"), query);
    // The page whose text shows this code is found, and its title and snippet are plain text.
    assert!(wait_for_results(&mut tab) >= 1);
    let texts = tab.eval(&format!(
        "Array.from(document.querySelectorAll('{RESULTS}')).map(li => [li.querySelector('a').textContent, li.querySelector('p.snippet').textContent])"
    ));
    let row = texts
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row[0] == "<script>alert(1)</script>")
        .unwrap_or_else(|| panic!("the <script> page is not shown as text: {texts}"));
    assert!(
        row[1].as_str().unwrap().contains("<img src=x onerror=alert(1)>"),
        "{row}"
    );

    // Typed, too.
    tab.eval("(() => { const i = document.getElementById('search-input'); i.value = ''; i.focus(); })()");
    tab.type_text("<script>alert(1)</script>");
    tab.wait_until(
        &format!(
            "Array.from(document.querySelectorAll('{RESULTS} a')).some(a => a.textContent === '<script>alert(1)</script>')"
        ),
        WAIT,
    );
    assert_eq!(
        tab.eval("document.querySelectorAll('#search-results script, #search-results img').length"),
        0
    );
    let html = tab.eval(&format!("document.querySelector('{RESULTS} a').innerHTML"));
    assert!(html.as_str().unwrap().starts_with("&lt;"), "{html}");
    no_alerts(&mut tab);
}

/// A tab on one of `site`'s built files, from `file://`, on a screen of `(width, height,
/// mobile)`.
fn open_file_at(
    browser: &Browser,
    site: &TestSite,
    path: &str,
    (width, height, mobile): (u32, u32, bool),
) -> Tab {
    let mut tab = browser.open("about:blank");
    tab.call(
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
    );
    tab.navigate(&format!("file://{}", site.path(path).display()));
    tab
}

/// A pasted address or a long number wraps instead of making the page wider than a phone's
/// screen (and stretching the justified line before it).
#[test]
fn long_addresses_and_numbers_wrap_on_a_narrow_screen() {
    let site = TestSite::new();
    site.write(
        "content/long.md",
        &format!(
            "---\ntitle: 长地址\n---\n\n参考地址 https://www.example.org/very/long/path/that/keeps/going/and/going/without/any/break/points/abcdefghijklmnopqrstuvwxyz0123456789.html 请查阅。\n\n{}\n",
            "1234567890".repeat(20)
        ),
    );
    site.build().success();
    let browser = Browser::launch();
    let mut tab = open_file_at(&browser, &site, "public/long.html", (375, 800, true));
    tab.wait_until("document.readyState === 'complete'", WAIT);
    let width = tab.eval("document.documentElement.scrollWidth").as_f64().unwrap();
    assert!(width <= 375.0, "the page is {width} px wide on a 375 px screen");
}

/// The 404 page is shown at any depth under a `<base>`: its skip link stays on the page and
/// moves the focus to the content, instead of leading to the home page.
#[test]
fn the_404_pages_skip_link_stays_on_the_page() {
    let site = TestSite::fixture("basic");
    let server = Server::start(&site, &[]);
    let browser = Browser::launch();
    let mut tab = browser.open("about:blank");
    tab.navigate(&format!(
        "{}/nope/deeper/page.html",
        server.base.trim_end_matches('/')
    ));
    tab.wait_until(
        "document.readyState === 'complete' && location.href !== 'about:blank' && !!document.querySelector('.skip-link')",
        WAIT,
    );
    tab.eval("document.querySelector('.skip-link').click()");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(tab.eval("location.pathname"), "/nope/deeper/page.html");
    assert_eq!(tab.eval("document.activeElement.id"), "main");
}

/// On an old office PC's 1024 px screen, the ledger keeps each date and meeting on one line.
#[test]
fn ledger_dates_and_meetings_stay_on_one_line_at_1024_px() {
    let site = TestSite::demo();
    site.build().success();
    let browser = Browser::launch();
    let mut tab = open_file_at(&browser, &site, "public/sessions/index.html", (1024, 768, false));
    tab.wait_until(
        "document.readyState === 'complete' && !!document.querySelector('.ledger-table td')",
        WAIT,
    );
    let wrapped = tab.eval(
        "Array.from(document.querySelectorAll('.ledger-table tbody tr')).filter(function (row) { \
           return [0, 1].some(function (i) { var cell = row.cells[i]; var range = document.createRange(); \
             range.selectNodeContents(cell); var lines = new Set(Array.from(range.getClientRects()).map(function (r) { return Math.round(r.top); })); \
             return lines.size > 1; }); }).length",
    );
    assert_eq!(wrapped, 0, "rows with a date or meeting over two lines");
}

/// On a phone each ledger record is a card, its cells one under another after their column's
/// name: six columns in 375 px gave the topic four characters a line.
#[test]
fn ledger_records_are_cards_on_a_phone() {
    let site = TestSite::demo();
    site.build().success();
    let browser = Browser::launch();
    let mut tab = open_file_at(&browser, &site, "public/sessions/index.html", (375, 800, true));
    tab.wait_until(
        "document.readyState === 'complete' && !!document.querySelector('.ledger-table td')",
        WAIT,
    );
    let width = tab.eval("document.documentElement.scrollWidth").as_f64().unwrap();
    assert!(width <= 375.0, "the page is {width} px wide on a 375 px screen");
    // The topic's cell has the card's width.
    let topic = tab
        .eval(
            "document.querySelector('.ledger-table tbody tr td:nth-child(3)').getBoundingClientRect().width",
        )
        .as_f64()
        .unwrap();
    assert!(topic >= 250.0, "the topic's cell is {topic} px wide");
    let label = tab.eval(
        "getComputedStyle(document.querySelector('.ledger-table tbody td:nth-child(3)'), '::before').content",
    );
    // Shown to the eye, with no text for screen readers (they have the column heads).
    assert_eq!(label, "\"学习内容\" / \"\"");
    // The column heads are for screen readers alone.
    let head = tab
        .eval("document.querySelector('.ledger-table thead').getBoundingClientRect().height")
        .as_f64()
        .unwrap();
    assert!(head <= 1.0, "the table head shows, {head} px high");
}

/// On a phone the stats chart keeps labels a reader can read (it scrolls sideways instead).
#[test]
fn the_stats_charts_labels_stay_readable_on_a_phone() {
    let site = TestSite::demo();
    site.build().success();
    let browser = Browser::launch();
    let mut tab = open_file_at(&browser, &site, "public/sessions/stats.html", (375, 800, true));
    tab.wait_until(
        "document.readyState === 'complete' && !!document.querySelector('.bar-label')",
        WAIT,
    );
    let height = tab
        .eval("document.querySelector('.bar-label').getBoundingClientRect().height")
        .as_f64()
        .unwrap();
    assert!(
        height >= 11.0,
        "a bar's label is {height} px high on a 375 px screen"
    );
    let width = tab.eval("document.documentElement.scrollWidth").as_f64().unwrap();
    assert!(
        width <= 375.0,
        "the page is {width} px wide: only the chart scrolls"
    );
}
