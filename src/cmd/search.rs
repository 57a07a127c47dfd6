//! `studybook search`: query the built index from the terminal.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::SearchArgs;
use crate::config::Config;
use crate::diagnostics::ContentErrors;
use crate::search::{SearchRequest, Searcher};

pub fn run(args: SearchArgs) -> anyhow::Result<ExitCode> {
    crate::diagnostics::writes_nothing();
    // As the API answers them: days the wrong way round are a mistake, an empty filter none.
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if from > to {
            eprintln!(
                "{}",
                crate::text!(
                    "error: `--from {from}` is after `--to {to}`\n   help: swap the two days",
                    "错误：`--from {from}` 晚于 `--to {to}`\n   提示：把两个日期对调"
                )
            );
            return Ok(ExitCode::from(2));
        }
    }
    let non_empty = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
    let config = Config::load(&args.root.root)
        .map_err(|diagnostics| crate::BuildError::Content(ContentErrors { diagnostics }))?;
    let searcher = Searcher::open(&config.output_dir)?;
    let request = SearchRequest {
        query: args.query.join(" "),
        limit: usize::from(args.limit),
        offset: 0,
        kind: args.kind,
        meeting: non_empty(args.meeting),
        tag: non_empty(args.tag),
        year: args.year,
        from: args.from,
        to: args.to,
        // The terminal lists results only.
        facet_limit: Some(0),
    };
    let results = searcher.search(&request).context("the search failed")?;
    let stdout = std::io::stdout();
    let color = stdout.is_terminal();
    let mut out = stdout.lock();
    for (rank, hit) in results.results.iter().enumerate() {
        if args.json {
            writeln!(out, "{}", serde_json::to_string(hit)?)?;
            continue;
        }
        let kind = match hit.kind.as_str() {
            "session" => "学习记录",
            crate::search::index::SECTION_KIND => "栏目",
            _ => "学习资料",
        };
        let mut details = vec![kind.to_string()];
        details.extend(hit.date.clone());
        details.extend(hit.meeting.clone());
        details.extend(hit.host.clone());
        writeln!(
            out,
            "{:>2}. {}  [{}]",
            rank + 1,
            terminal_text(&hit.title_html, color),
            details.join(" · ")
        )?;
        writeln!(out, "    {}", hit.url)?;
        writeln!(out, "    {}", terminal_text(&hit.snippet, color))?;
    }
    let (total, shown, took) = (results.total, results.results.len(), results.took_ms);
    let results_en = super::build::count(total, "result");
    eprintln!(
        "{}",
        crate::text!(
            "{results_en} ({shown} shown) in {took:.1} ms",
            "共 {total} 条结果（显示 {shown} 条），用时 {took:.1} 毫秒"
        )
    );
    if let Some(suggestion) = &results.suggestion {
        eprintln!(
            "{}",
            crate::text!("did you mean: {suggestion}", "您是不是要找：{suggestion}")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Snippet HTML for a terminal: marks in bold yellow when it is one, entities decoded.
fn terminal_text(html: &str, color: bool) -> String {
    let (open, close) = if color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("", "")
    };
    html.replace("<mark>", open)
        .replace("</mark>", close)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
