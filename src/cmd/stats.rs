//! `studybook stats`: the figures a work summary quotes, straight from the content folder.

use std::process::ExitCode;

use crate::cli::StatsArgs;
use crate::config::Config;
use crate::content::discover::{load, LoadOptions};
use crate::diagnostics::ContentErrors;
use crate::ledger::{self, YearMeetingCount};
use crate::BuildError;

pub fn run(args: StatsArgs) -> anyhow::Result<ExitCode> {
    crate::diagnostics::writes_nothing();
    let config = Config::load(&args.root.root)
        .map_err(|diagnostics| BuildError::Content(ContentErrors { diagnostics }))?;
    let (site, mut diagnostics) = load(&config, LoadOptions { drafts: false })?;
    // The warnings a build gives about the ledger's records (one entered twice, a meeting
    // spelt two ways, a record its folder makes a study material) say the figures below may be
    // off; those about other pages do not concern them.
    diagnostics.extend(ledger::duplicate_warnings(&site));
    let warnings = diagnostics.into_result().map_err(BuildError::Content)?;
    let records: std::collections::HashSet<&str> = site
        .pages
        .iter()
        .filter(|page| {
            page.is_session()
                || page.front.meeting.is_some()
                || page.front.attendees.is_some()
                || !page.front.materials.is_empty()
        })
        .map(|page| page.file.as_str())
        .collect();
    let about_records: Vec<_> = warnings
        .into_iter()
        .filter(|warning| records.contains(warning.file.as_str()))
        .collect();
    super::print_warnings(&about_records);
    let counts = ledger::counts(&site, args.year);
    if args.json {
        #[derive(serde::Serialize)]
        struct Report<'a> {
            sessions: &'a [YearMeetingCount],
        }
        println!("{}", serde_json::to_string_pretty(&Report { sessions: &counts })?);
    } else if args.csv {
        print!("{}", ledger::counts_csv(&counts, config.language.labels()));
    } else {
        // No table of headers alone: the note says there is nothing.
        if counts.is_empty() {
            let labels = config.language.labels();
            match args.year {
                Some(year) => eprintln!("{year}: {}", labels.no_sessions),
                None => eprintln!("{}", labels.no_sessions),
            }
        } else {
            print!("{}", table(&counts, &config));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Width of text in a terminal: CJK characters take two columns.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if crate::markdown::is_cjk(c) { 2 } else { 1 })
        .sum()
}

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(display_width(text))))
}

fn pad_left(text: &str, width: usize) -> String {
    format!("{}{text}", " ".repeat(width.saturating_sub(display_width(text))))
}

/// A plain-text table: year, meeting, sessions, attendance, with a total per year and overall.
fn table(counts: &[YearMeetingCount], config: &Config) -> String {
    let labels = config.language.labels();
    let meeting_width = counts
        .iter()
        .map(|c| display_width(&c.meeting))
        .chain([display_width(labels.meeting), display_width(labels.total)])
        .max()
        .unwrap_or(8);
    // Columns measured on screen: a Chinese label takes two columns a character.
    let count_width = display_width(labels.session_count).max(6);
    let attendance_width = display_width(labels.attendance).max(8);
    let line = |year: &str, meeting: &str, count: &str, attendance: &str| {
        format!(
            "{}  {}  {}  {}\n",
            pad(year, 4),
            pad(meeting, meeting_width),
            pad_left(count, count_width),
            pad_left(attendance, attendance_width)
        )
    };
    let mut out = line(
        labels.year,
        labels.meeting,
        labels.session_count,
        labels.attendance,
    );
    let mut years: Vec<u16> = counts.iter().map(|c| c.year).collect();
    years.dedup();
    for year in years {
        let rows: Vec<&YearMeetingCount> = counts.iter().filter(|c| c.year == year).collect();
        for row in &rows {
            out.push_str(&line(
                &row.year.to_string(),
                &row.meeting,
                &row.count.to_string(),
                &row.attendees.to_string(),
            ));
        }
        let total: usize = rows.iter().map(|r| r.count).sum();
        let attendees: u64 = rows.iter().map(|r| r.attendees).sum();
        out.push_str(&line(
            &year.to_string(),
            labels.total,
            &total.to_string(),
            &attendees.to_string(),
        ));
    }
    let unrecorded: usize = counts.iter().map(|c| c.attendees_unrecorded).sum();
    if unrecorded > 0 {
        out.push_str(&format!(
            "{}{unrecorded}{}\n",
            labels.unrecorded_before.trim_start(),
            if unrecorded == 1 {
                labels.unrecorded_after_one
            } else {
                labels.unrecorded_after
            }
        ));
    }
    out
}
