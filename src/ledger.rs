//! The 第一议题 ledger: session records counted by year and meeting, the figures an annual work
//! summary quotes ("全年共组织区委常委会第一议题学习12次"), with exports and a bar chart.
//!
//! Everything here is computed from the site's session records (drafts are never in the site
//! unless built with `--drafts`); rendering and writing happen elsewhere.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::compile::{Compiled, Material};
use crate::content::{Page, Site};
use crate::diagnostics::{Diagnostic, Text};
use crate::text;

/// Sessions and attendees of one meeting in one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearMeetingCount {
    pub year: u16,
    pub meeting: String,
    pub count: usize,
    pub attendees: u64,
    /// Sessions whose record gives no `attendees`: `attendees` counts them as none.
    pub attendees_unrecorded: usize,
}

/// Session page indices, newest first, optionally of one year only.
pub fn sessions(site: &Site, year: Option<u16>) -> Vec<usize> {
    let mut sessions: Vec<usize> = (0..site.pages.len())
        .filter(|&i| site.pages[i].is_session())
        .filter(|&i| year.is_none() || site.pages[i].front.date.map(|d| d.year) == year)
        .collect();
    sessions.sort_by(|&a, &b| site.newest_first(a, b));
    sessions
}

/// Counts per (year, meeting), sorted by year then meeting, only pairs that have sessions.
pub fn counts(site: &Site, year: Option<u16>) -> Vec<YearMeetingCount> {
    let mut table: BTreeMap<(u16, String), (usize, u64, usize)> = BTreeMap::new();
    for index in sessions(site, year) {
        let page = &site.pages[index];
        let (Some(date), Some(meeting)) = (page.front.date, &page.front.meeting) else {
            continue;
        };
        let entry = table.entry((date.year, meeting.clone())).or_default();
        entry.0 += 1;
        entry.1 += u64::from(page.front.attendees.unwrap_or(0));
        entry.2 += usize::from(page.front.attendees.is_none());
    }
    table
        .into_iter()
        .map(
            |((year, meeting), (count, attendees, attendees_unrecorded))| YearMeetingCount {
                year,
                meeting,
                count,
                attendees,
                attendees_unrecorded,
            },
        )
        .collect()
}

/// Years with sessions, newest first.
pub fn years(site: &Site) -> Vec<u16> {
    let years: BTreeSet<u16> = sessions(site, None)
        .into_iter()
        .filter_map(|i| site.pages[i].front.date.map(|d| d.year))
        .collect();
    years.into_iter().rev().collect()
}

/// Meetings, the busiest first, then by name.
pub fn meetings(site: &Site) -> Vec<String> {
    let mut totals: HashMap<String, usize> = HashMap::new();
    for index in sessions(site, None) {
        if let Some(meeting) = &site.pages[index].front.meeting {
            *totals.entry(meeting.clone()).or_default() += 1;
        }
    }
    let mut meetings: Vec<(String, usize)> = totals.into_iter().collect();
    meetings.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    meetings.into_iter().map(|(meeting, _)| meeting).collect()
}

/// Warnings for records that share meeting, date and topic (usually one session entered
/// twice), or their title (a record copied to start the next one, its number left as it was:
/// the ledger, lists and search then show two sessions alike), and for notes of one folder
/// that share a title (its list shows two entries alike).
pub fn duplicate_warnings(site: &Site) -> Vec<Diagnostic> {
    let mut warnings = duplicate_records(site);
    warnings.extend(notes_sharing_a_title(site));
    warnings
}

/// Notes of one folder with the same title, each after the first in path order.
fn notes_sharing_a_title(site: &Site) -> Vec<Diagnostic> {
    let mut notes: Vec<usize> = (0..site.pages.len())
        .filter(|&i| !site.pages[i].is_session())
        .collect();
    notes.sort_by(|&a, &b| site.pages[a].source.cmp(&site.pages[b].source));
    let mut first_of: HashMap<(usize, &str), usize> = HashMap::new();
    let mut warnings = Vec::new();
    for index in notes {
        let page = &site.pages[index];
        let title = page.front.title.as_str();
        let Some(&first) = first_of.get(&(page.section, title)) else {
            first_of.insert((page.section, title), index);
            continue;
        };
        let folder = match site.sections[page.section].dir.as_str() {
            "" => "content/".to_string(),
            dir => format!("content/{dir}/"),
        };
        warnings.push(at_title(
            page,
            text!(
                "two pages of `{folder}` have the same title: `{}` and `{}` are both “{title}”",
                "`{folder}` 里有两个页面标题相同：`{}` 和 `{}` 都是“{title}”",
                site.pages[first].file,
                page.file
            ),
            text!(
                "give each its own title, so that the list and search results tell them apart (e.g. with the date or the speaker)",
                "请给每个页面起不同的标题，让列表和搜索结果能区分它们（例如写上日期或讲话人）"
            ),
        ));
    }
    warnings
}

/// A warning at the title line of `page`, which another page repeats.
fn at_title(page: &Page, message: Text, help: Text) -> Diagnostic {
    Diagnostic::warning(&page.file, message)
        .at(page.front.lines.title)
        .help(help)
}

/// Records entered twice, or sharing a title.
fn duplicate_records(site: &Site) -> Vec<Diagnostic> {
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    let mut titles: HashMap<&str, usize> = HashMap::new();
    let mut warnings = Vec::new();
    for index in sessions(site, None).into_iter().rev() {
        let page = &site.pages[index];
        let key = (
            page.front.meeting.clone().unwrap_or_default(),
            page.front.date.map(|d| d.to_string()).unwrap_or_default(),
            page.front.topic.clone().unwrap_or_default(),
        );
        if let Some(&first) = seen.get(&key) {
            let first = &site.pages[first];
            // What they share, without the blanks of fields neither has.
            let shared = [key.0.as_str(), key.1.as_str(), key.2.as_str()]
                .into_iter()
                .filter(|field| !field.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            warnings.push(at_title(
                page,
                text!(
                    "the same session is recorded twice: `{}` and `{}` have the same meeting, date and topic ({})",
                    "同一次学习记录了两遍：`{}` 和 `{}` 的会议、日期和议题都相同（{}）",
                    first.file, page.file, shared
                ),
                text!(
                    "delete one of the records, or correct its date or topic",
                    "请删掉其中一条记录，或改正它的日期或议题"
                ),
            ));
            continue;
        }
        seen.insert(key, index);
        let title = page.front.title.as_str();
        match titles.get(title) {
            Some(&first) => warnings.push(at_title(
                page,
                text!(
                    "two records have the same title: `{}` and `{}` are both “{title}”",
                    "两条学习记录的标题相同：`{}` 和 `{}` 都是“{title}”",
                    site.pages[first].file,
                    page.file
                ),
                text!(
                    "give each record its own title, e.g. with the session's number in the year (`…（2024年第4次）`)",
                    "请给每条记录起不同的标题，例如写上这是当年的第几次（`…（2024年第4次）`）"
                ),
            )),
            None => {
                titles.insert(title, index);
            }
        }
    }
    warnings
}

/// Materials by how many sessions studied them, most first (at most `limit`).
pub fn most_studied(site: &Site, compiled: &Compiled, limit: usize) -> Vec<(usize, usize)> {
    let mut studied: Vec<(usize, usize)> = compiled
        .studied_in
        .iter()
        .enumerate()
        .filter(|(_, sessions)| !sessions.is_empty())
        .map(|(page, sessions)| (page, sessions.len()))
        .collect();
    studied.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| site.newest_first(a.0, b.0)));
    studied.truncate(limit);
    studied
}

/// Tags of session records with how many sessions carry each, most first.
pub fn session_topics(site: &Site) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for index in sessions(site, None) {
        for tag in &site.pages[index].front.tags {
            *counts.entry(tag.as_str()).or_default() += 1;
        }
    }
    let mut list: Vec<(String, usize)> = counts.into_iter().map(|(t, c)| (t.to_string(), c)).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list
}

/// One session as exported to sessions.csv and sessions.json.
#[derive(Debug, Clone, Serialize)]
pub struct SessionExport {
    pub date: String,
    pub year: Option<u16>,
    pub meeting: String,
    pub topic: String,
    pub host: String,
    pub attendees: Option<u32>,
    pub title: String,
    pub materials: Vec<String>,
    pub url: String,
    pub source: String,
}

pub fn exports(site: &Site, compiled: &Compiled) -> Vec<SessionExport> {
    sessions(site, None)
        .into_iter()
        .map(|index| {
            let page = &site.pages[index];
            SessionExport {
                date: page.front.date.map(|d| d.to_string()).unwrap_or_default(),
                year: page.front.date.map(|d| d.year),
                meeting: page.front.meeting.clone().unwrap_or_default(),
                topic: page.front.topic.clone().unwrap_or_default(),
                host: page.front.host.clone().unwrap_or_default(),
                attendees: page.front.attendees,
                title: page.front.title.clone(),
                materials: compiled.materials[index]
                    .iter()
                    .map(|m| match m {
                        Material::Page(p) => site.pages[*p].front.title.clone(),
                        Material::External(url) => url.clone(),
                    })
                    .collect(),
                url: page.url.clone(),
                source: page.source.clone(),
            }
        })
        .collect()
}

/// The byte-order mark that makes Excel read a CSV file as UTF-8.
pub const UTF8_BOM: &str = "\u{feff}";

/// A CSV field, quoted when it needs to be.
pub fn csv_field(text: &str) -> String {
    // A cell Excel would run as a formula (`=SUM(…)`, `+`, `-`, `@`) is kept as text by a
    // leading apostrophe (CSV injection).
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// sessions.csv: one row per session, UTF-8 with a BOM, CRLF line ends (as Excel writes them).
/// `link` makes the last column of a row's URL: the whole address once the site's is known, so
/// the cell still leads to the record in a downloaded copy.
pub fn sessions_csv(
    rows: &[SessionExport],
    labels: &crate::i18n::Labels,
    link: impl Fn(&str) -> String,
) -> String {
    let mut csv = String::from(UTF8_BOM);
    let header = [
        labels.date,
        labels.meeting,
        labels.topic,
        labels.host,
        labels.attendees,
        labels.title_column,
        labels.materials,
        labels.link,
    ];
    csv.push_str(&header.map(csv_field).join(","));
    csv.push_str("\r\n");
    for row in rows {
        let fields = [
            row.date.clone(),
            row.meeting.clone(),
            row.topic.clone(),
            row.host.clone(),
            row.attendees.map(|a| a.to_string()).unwrap_or_default(),
            row.title.clone(),
            row.materials.join(labels.list_separator),
            link(&row.url),
        ];
        csv.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        csv.push_str("\r\n");
    }
    csv
}

/// The counts as CSV, UTF-8 with a BOM, for Excel: headed in the site's language like `stats`'s
/// table (年份,会议,学习次数,参会人次,未记录参会人数的次数); the JSON keeps its English keys for
/// programs.
pub fn counts_csv(counts: &[YearMeetingCount], labels: &crate::i18n::Labels) -> String {
    let header = [
        labels.year,
        labels.meeting,
        labels.session_count,
        labels.attendance,
        labels.unrecorded_column,
    ]
    .map(csv_field)
    .join(",");
    let mut csv = format!("{UTF8_BOM}{header}\r\n");
    for row in counts {
        csv.push_str(&format!(
            "{},{},{},{},{}\r\n",
            row.year,
            csv_field(&row.meeting),
            row.count,
            row.attendees,
            row.attendees_unrecorded
        ));
    }
    csv
}

/// An inline SVG bar chart of one year's sessions per meeting: one bar per meeting, drawn at
/// build time, no script, no external asset. `scale` is the count a full bar stands for: the
/// same for every year's chart, so that years compare at a glance.
pub fn bar_chart_svg(year: u16, counts: &[(String, usize)], scale: usize) -> String {
    const BAR_HEIGHT: usize = 26;
    const GAP: usize = 10;
    const LABEL_WIDTH: usize = 150;
    const CHART_WIDTH: usize = 360;
    let max = counts.iter().map(|c| c.1).max().unwrap_or(1).max(scale).max(1);
    let height = counts.len() * (BAR_HEIGHT + GAP) + GAP;
    let width = LABEL_WIDTH + CHART_WIDTH + 60;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar-chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" aria-labelledby=\"chart-{year}-title\"><title id=\"chart-{year}-title\">{year}</title>"
    );
    for (row, (meeting, count)) in counts.iter().enumerate() {
        let y = GAP + row * (BAR_HEIGHT + GAP);
        let bar = (count * CHART_WIDTH).div_ceil(max).max(2);
        let meeting = crate::search::snippet::escape_html(meeting);
        svg.push_str(&format!(
            "<g class=\"bar\"><text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"bar-label\">{meeting}</text><rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{bar}\" height=\"{BAR_HEIGHT}\" class=\"bar-rect\"><title>{meeting}: {count}</title></rect><text x=\"{}\" y=\"{}\" class=\"bar-value\">{count}</text></g>",
            LABEL_WIDTH - 8,
            y + BAR_HEIGHT * 2 / 3,
            LABEL_WIDTH + bar + 6,
            y + BAR_HEIGHT * 2 / 3,
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("区委常委会"), "区委常委会");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(1+1)"), "'=SUM(1+1)");
        assert_eq!(csv_field("@cmd"), "'@cmd");
        assert_eq!(csv_field("-2,3"), "\"'-2,3\"");
    }

    #[test]
    fn chart_has_one_bar_per_meeting() {
        let svg = bar_chart_svg(2024, &[("区委常委会".into(), 5), ("室务会".into(), 2)], 10);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn every_year_is_drawn_to_one_scale() {
        let quiet = bar_chart_svg(2025, &[("室务会".into(), 1)], 5);
        let busy = bar_chart_svg(2024, &[("室务会".into(), 5)], 5);
        assert!(
            quiet.contains("class=\"bar-rect\"") && quiet.contains("width=\"72\" height"),
            "{quiet}"
        );
        assert!(busy.contains("width=\"360\" height"), "{busy}");
    }
}
