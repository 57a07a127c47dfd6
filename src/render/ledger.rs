//! The ledger pages: every session in a table (`sessions/index.html`), one page per year and
//! per meeting, the statistics page with its bar charts, and the CSV/JSON exports.

use serde::Serialize;

use super::context::{Common, LinkView};
use super::{encode_url, Renderer};
use crate::compile::Material;
use crate::diagnostics::Diagnostic;
use crate::ledger;

pub const LEDGER_URL: &str = "sessions/index.html";
pub const STATS_URL: &str = "sessions/stats.html";

/// `sessions/years/2024.html`
pub fn year_url(year: u16) -> String {
    format!("sessions/years/{year}.html")
}

/// `sessions/meetings/<meeting>.html`; a meeting named `index` gets `index_.html`, since
/// `index.html` is the folder's own page.
pub fn meeting_url(meeting: &str) -> String {
    let name = super::safe_file_name(meeting);
    let name = if name.eq_ignore_ascii_case("index") {
        format!("{name}_")
    } else {
        name
    };
    format!("sessions/meetings/{name}.html")
}

#[derive(Debug, Serialize)]
pub struct SessionRow {
    pub date: String,
    pub meeting: String,
    pub meeting_url: String,
    pub topic: String,
    pub host: String,
    pub attendees: Option<u32>,
    pub title: String,
    pub url: String,
    pub materials: Vec<LinkView>,
}

#[derive(Debug, Serialize)]
pub struct YearGroup {
    pub year: Option<u16>,
    pub rows: Vec<SessionRow>,
}

#[derive(Debug, Serialize)]
pub struct LedgerView<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub ledger: LedgerDetail,
}

#[derive(Debug, Serialize)]
pub struct LedgerDetail {
    pub title: String,
    pub description: Option<String>,
    pub content: String,
    /// The year or meeting this page is limited to, if any.
    pub filter: Option<String>,
    pub groups: Vec<YearGroup>,
    pub count: usize,
    pub years: Vec<LinkView>,
    pub meetings: Vec<LinkView>,
    pub subsections: Vec<LinkView>,
}

#[derive(Debug, Serialize)]
pub struct StatsView<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub stats: StatsDetail,
}

#[derive(Debug, Serialize)]
pub struct StatsDetail {
    pub meetings: Vec<String>,
    /// One row per year, newest first: the count of each meeting in `meetings` order.
    pub matrix: Vec<MatrixRow>,
    pub years: Vec<YearStats>,
    pub total_sessions: usize,
    pub total_attendees: u64,
    /// Sessions that record no attendees, which the total leaves out.
    pub attendees_unrecorded: usize,
    pub most_studied: Vec<CountedLink>,
    pub topics: Vec<CountedLink>,
}

#[derive(Debug, Serialize)]
pub struct MatrixRow {
    pub year: u16,
    pub url: String,
    pub counts: Vec<usize>,
    pub total: usize,
    pub attendees: u64,
}

#[derive(Debug, Serialize)]
pub struct YearStats {
    pub year: u16,
    pub chart: String,
}

#[derive(Debug, Serialize)]
pub struct CountedLink {
    pub title: String,
    pub url: String,
    pub count: usize,
}

impl Renderer<'_> {
    fn session_row(&self, index: usize) -> SessionRow {
        let page = &self.site.pages[index];
        let meeting = page.front.meeting.clone().unwrap_or_default();
        SessionRow {
            date: page.front.date.map(|d| d.to_string()).unwrap_or_default(),
            meeting_url: encode_url(&meeting_url(&meeting)),
            meeting,
            topic: page.front.topic.clone().unwrap_or_default(),
            host: page.front.host.clone().unwrap_or_default(),
            attendees: page.front.attendees,
            title: page.front.title.clone(),
            url: encode_url(&page.url),
            materials: self.compiled.materials[index]
                .iter()
                .filter_map(|m| match m {
                    Material::Page(p) => Some(self.link(*p)),
                    Material::External(_) => None,
                })
                .collect(),
        }
    }

    /// The ledger page at `url`, listing `sessions` grouped by year.
    pub(super) fn ledger_page(
        &self,
        url: &str,
        filter: Option<String>,
        sessions: Vec<usize>,
    ) -> Result<(String, String), Diagnostic> {
        let mut groups: Vec<YearGroup> = Vec::new();
        let count = sessions.len();
        for index in sessions {
            let year = self.site.pages[index].front.date.map(|d| d.year);
            match groups.last_mut() {
                Some(group) if group.year == year => group.rows.push(self.session_row(index)),
                _ => groups.push(YearGroup {
                    year,
                    rows: vec![self.session_row(index)],
                }),
            }
        }
        // The main ledger takes the place of the sessions folder's own page, so it shows that
        // folder's title, description and introduction.
        let folder = self
            .site
            .section_by_dir
            .get("sessions")
            .copied()
            .filter(|_| filter.is_none());
        let section = folder.map(|s| &self.site.sections[s]);
        let detail = LedgerDetail {
            title: section.map_or_else(|| self.info.ledger_title.clone(), |s| s.title().to_string()),
            description: section.and_then(|s| s.description().map(str::to_string)),
            content: folder
                .map(|s| self.localized(&self.compiled.sections[s].html))
                .unwrap_or_default(),
            filter,
            groups,
            count,
            years: ledger::years(self.site)
                .into_iter()
                .map(|y| LinkView {
                    title: y.to_string(),
                    url: encode_url(&year_url(y)),
                })
                .collect(),
            meetings: ledger::meetings(self.site)
                .into_iter()
                .map(|m| LinkView {
                    url: encode_url(&meeting_url(&m)),
                    title: m,
                })
                .collect(),
            subsections: section
                .map(|s| {
                    s.children
                        .iter()
                        .map(|&c| LinkView {
                            title: self.site.sections[c].title().to_string(),
                            url: encode_url(&self.site.sections[c].url),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        };
        self.render(
            "ledger.html",
            url,
            &LedgerView {
                common: self.common(url),
                ledger: detail,
            },
        )
    }

    /// Every ledger page: the main one, one per year, one per meeting.
    pub(super) fn ledger_pages(&self) -> Vec<Result<(String, String), Diagnostic>> {
        let mut pages = vec![self.ledger_page(LEDGER_URL, None, ledger::sessions(self.site, None))];
        for year in ledger::years(self.site) {
            let label = format!("{year}{}", self.config.language.labels().year_suffix);
            pages.push(self.ledger_page(
                &year_url(year),
                Some(label),
                ledger::sessions(self.site, Some(year)),
            ));
        }
        for meeting in ledger::meetings(self.site) {
            let sessions = ledger::sessions(self.site, None)
                .into_iter()
                .filter(|&i| self.site.pages[i].front.meeting.as_deref() == Some(meeting.as_str()))
                .collect();
            pages.push(self.ledger_page(&meeting_url(&meeting), Some(meeting.clone()), sessions));
        }
        pages
    }

    pub(super) fn stats_page(&self) -> Result<(String, String), Diagnostic> {
        let counts = ledger::counts(self.site, None);
        let meetings = ledger::meetings(self.site);
        let years = ledger::years(self.site);
        let cell = |year: u16, meeting: &str| {
            counts
                .iter()
                .find(|c| c.year == year && c.meeting == meeting)
                .map_or((0, 0), |c| (c.count, c.attendees))
        };
        let matrix = years
            .iter()
            .map(|&year| {
                let cells: Vec<(usize, u64)> = meetings.iter().map(|m| cell(year, m)).collect();
                MatrixRow {
                    year,
                    url: encode_url(&year_url(year)),
                    counts: cells.iter().map(|c| c.0).collect(),
                    total: cells.iter().map(|c| c.0).sum(),
                    attendees: cells.iter().map(|c| c.1).sum(),
                }
            })
            .collect();
        // One scale for every year: the largest count of any meeting in any year.
        let scale = years
            .iter()
            .flat_map(|&year| meetings.iter().map(move |m| (year, m)))
            .map(|(year, m)| cell(year, m).0)
            .max()
            .unwrap_or(1);
        let year_stats = years
            .iter()
            .map(|&year| {
                let bars: Vec<(String, usize)> = meetings
                    .iter()
                    .map(|m| (m.clone(), cell(year, m).0))
                    .filter(|b| b.1 > 0)
                    .collect();
                YearStats {
                    year,
                    chart: ledger::bar_chart_svg(year, &bars, scale),
                }
            })
            .collect();
        let detail = StatsDetail {
            meetings,
            matrix,
            years: year_stats,
            total_sessions: counts.iter().map(|c| c.count).sum(),
            total_attendees: counts.iter().map(|c| c.attendees).sum(),
            attendees_unrecorded: counts.iter().map(|c| c.attendees_unrecorded).sum(),
            most_studied: ledger::most_studied(self.site, self.compiled, 10)
                .into_iter()
                .map(|(page, count)| {
                    let link = self.link(page);
                    CountedLink {
                        title: link.title,
                        url: link.url,
                        count,
                    }
                })
                .collect(),
            topics: ledger::session_topics(self.site)
                .into_iter()
                .take(20)
                .map(|(tag, count)| CountedLink {
                    url: encode_url(&super::tag_file(&tag)),
                    title: tag,
                    count,
                })
                .collect(),
        };
        self.render(
            "stats.html",
            STATS_URL,
            &StatsView {
                common: self.common(STATS_URL),
                stats: detail,
            },
        )
    }

    /// sessions.csv and sessions.json for the office's spreadsheets.
    pub(super) fn exports(&self) -> anyhow::Result<[(String, Vec<u8>); 2]> {
        let rows = ledger::exports(self.site, self.compiled);
        let base_url = &self.config.base_url;
        let csv = ledger::sessions_csv(&rows, self.config.language.labels(), |url| {
            if base_url.is_empty() {
                url.to_string()
            } else {
                format!("{base_url}/{}", super::encode_url_ascii(url))
            }
        });
        let json = serde_json::to_vec_pretty(&serde_json::json!({ "sessions": rows }))?;
        Ok([
            ("sessions.csv".to_string(), csv.into_bytes()),
            ("sessions.json".to_string(), json),
        ])
    }
}
