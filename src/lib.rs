//! studybook: a static-site generator for study knowledge bases, with Chinese full-text search.
//!
//! A build is a pipeline; data flows one way, and each step is a module:
//!
//! 1. [`config`]: read `book.toml` into a [`config::Config`];
//! 2. [`content`]: walk `content/`, parse front matter, assemble the [`content::Site`];
//! 3. [`compile`] (with [`markdown`] and [`links`]): render each page's Markdown once,
//!    resolving and checking its links and materials;
//! 4. [`render`]: fill the theme's templates ([`render::Theme`]) for every page, section and tag;
//! 5. [`search`]: index the same compiled pages with Tantivy, segmenting Chinese with jieba;
//! 6. [`output`]: write everything into a staging folder and swap it in atomically.
//!
//! Every problem an editor can fix is a [`diagnostics::Diagnostic`] (file, line, what, how to
//! fix); a build collects them all and fails before writing anything. Serving and watching sit
//! at the edge ([`serve`]): they call [`build`], never the other way round.

pub mod cli;
pub mod cmd;
pub mod compile;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod i18n;
pub mod incremental;
pub mod ledger;
pub mod links;
pub mod markdown;
pub mod output;
pub mod render;
pub mod search;
pub mod serve;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use compile::Compiled;
use config::Config;
use content::discover::LoadOptions;
use content::Site;
use diagnostics::{ContentErrors, Diagnostic, Diagnostics};
use render::{Sink, Theme};

/// What to build and how.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site root: the folder holding book.toml.
    pub root: PathBuf,
    /// Overrides book.toml's `output-dir`.
    pub output_dir: Option<PathBuf>,
    /// Include pages marked `draft: true`.
    pub drafts: bool,
    /// Draw a progress bar on stderr (shown only when stderr is a terminal).
    pub progress: bool,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions {
            root: root.into(),
            output_dir: None,
            drafts: false,
            progress: false,
        }
    }
}

/// What a successful build produced.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub output_dir: PathBuf,
    pub pages: usize,
    pub sections: usize,
    pub sessions: usize,
    pub tags: usize,
    pub attachments: usize,
    pub warnings: Vec<Diagnostic>,
    /// Hashed URLs of the theme's assets, by name (`style.css` → `assets/style.….css`).
    pub asset_urls: std::collections::BTreeMap<String, String>,
    /// What the static search pack holds (`None`: exported later, see [`PackExport`]).
    pub pack: Option<search::pack::PackStats>,
    pub started: Instant,
    pub elapsed: Duration,
}

/// Why a build failed: problems in the content the editor must fix, or a failure of the
/// machine (disk full, permission denied).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Content(#[from] ContentErrors),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// A site loaded, checked and compiled: everything a build writes, before writing it.
pub struct Loaded {
    pub config: Config,
    /// The folder the build writes (book.toml's, or the `--out` override).
    pub output_dir: PathBuf,
    pub analyzer: search::analyzer::Analyzer,
    pub site: Site,
    pub compiled: Compiled,
    pub theme: Theme,
    pub warnings: Vec<Diagnostic>,
}

/// Steps 1 to 3, plus loading the theme: everything `check` validates. Writes nothing.
pub fn load(options: &BuildOptions) -> Result<Loaded, BuildError> {
    let mut diagnostics = Diagnostics::default();
    let config = Config::load(&options.root).map_err(|problems| ContentErrors {
        diagnostics: problems,
    })?;
    // The dictionary loads on a thread of its own while the content is read (125 ms of one
    // core for jieba's built-in dictionary, which the content's reading does not fill).
    let (analyzer, content) = std::thread::scope(|scope| {
        let analyzer =
            scope.spawn(|| search::analyzer::Analyzer::for_site(&config.root, config.dictionary.as_deref()));
        let content = content::discover::load(
            &config,
            LoadOptions {
                drafts: options.drafts,
            },
        );
        (analyzer.join(), content)
    });
    let analyzer = analyzer.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let (site, content_diagnostics) = content?;
    diagnostics.merge(content_diagnostics);
    let theme = match Theme::load(&config) {
        Ok(theme) => Some(theme),
        Err(problems) => {
            diagnostics.extend(problems);
            None
        }
    };
    let output_dir = match &options.output_dir {
        Some(dir) if dir.is_absolute() => dir.clone(),
        Some(dir) => std::env::current_dir()
            .context("cannot read the current folder")?
            .join(dir),
        None => config.output_dir.clone(),
    };
    let chosen_by = if options.output_dir.is_some() {
        "--out"
    } else {
        config::CONFIG_FILE
    };
    if let Err(mut problem) =
        output::check_output_dir(&config.root, &config.content_dir, &output_dir, chosen_by)
    {
        if options.output_dir.is_none() {
            if let Some(line) = config.output_dir_line {
                problem = problem.at(line);
            }
        }
        diagnostics.push(problem);
    }
    let analyzer = match analyzer {
        Ok(analyzer) => Some(analyzer),
        Err(problems) => {
            diagnostics.extend(problems);
            None
        }
    };
    diagnostics.extend(ledger::duplicate_warnings(&site));
    let resolver = links::Resolver::new(&site, &generated_files(&config));
    let (compiled, link_problems) = compile::compile(&site, &resolver);
    diagnostics.extend(link_problems);
    diagnostics.extend(compile::check_unparsed(&site.unparsed, &resolver));
    let warnings = diagnostics.into_result()?;
    let theme = theme.expect("theme errors were reported above");
    let analyzer = analyzer.expect("dictionary errors were reported above");
    Ok(Loaded {
        config,
        output_dir,
        analyzer,
        site,
        compiled,
        theme,
        warnings,
    })
}

/// Files the build generates for a site with `config`, which content may link to
/// (`sitemap.xml` only with `base-url`).
pub fn generated_files(config: &Config) -> Vec<&'static str> {
    let mut files = vec![
        "search.html",
        "404.html",
        "tags/index.html",
        "sessions.csv",
        "sessions.json",
    ];
    if !config.base_url.is_empty() {
        files.push("sitemap.xml");
    }
    files
}

/// Builds the site: steps 1 to 6. On any error the previous output is left untouched.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let prepared = prepare(options)?;
    prepared.commit()
}

/// A build written to its staging folder, not yet swapped in. Dropping it discards it.
pub struct Prepared {
    staging: output::Staging,
    report: BuildReport,
}

impl Prepared {
    /// Step 6: swaps the staging folder in place of the output folder, and removes the
    /// previous one.
    pub fn commit(self) -> Result<BuildReport, BuildError> {
        let timings = Timings::from_env(Start::now());
        let (mut report, previous) = self.commit_leaving_previous()?;
        if let Some(previous) = previous {
            previous.remove();
        }
        timings.mark("swap, remove old output");
        report.elapsed = report.started.elapsed();
        Ok(report)
    }

    /// Step 6 without removing the previous output, which `serve` does once requests may read
    /// the new one. A build that left its pack for later ([`PackExport::Later`]) takes the
    /// live output's pack into the new output first, so that the static search answers as
    /// before until the export, and gives it back if the commit fails; without one (the first
    /// build, or book.toml named another folder) the new output has none until the export.
    pub fn commit_leaving_previous(mut self) -> Result<(BuildReport, Option<output::Previous>), BuildError> {
        let live = self.report.output_dir.join(search::pack::PACK_DIR);
        let staged = self.staging.path().join(search::pack::PACK_DIR);
        let moved = self.report.pack.is_none()
            && live.join("meta.js").is_file()
            && !staged.exists()
            && output::rename(&live, &staged)
                .map_err(|err| {
                    eprintln!(
                        "{}{}",
                        diagnostics::warning_label(),
                        crate::text!(
                            "the static search pack is missing until it is exported again: {err}",
                            "静态搜索数据暂时缺失，要等下次导出后才有：{err}"
                        )
                    );
                })
                .is_ok();
        match self.staging.commit() {
            Ok(previous) => {
                let mut report = self.report;
                report.elapsed = report.started.elapsed();
                Ok((report, previous))
            }
            Err(err) => {
                if moved {
                    let _ = output::rename(&staged, &live);
                }
                Err(err.into())
            }
        }
    }
}

/// Steps 1 to 5: everything is rendered and indexed into a staging folder beside the output.
/// `serve` commits it while no request is reading the output.
pub fn prepare(options: &BuildOptions) -> Result<Prepared, BuildError> {
    let started = Start::now();
    let mut loaded = load(options)?;
    stage(options, &mut loaded, started, Keep::Nothing, PackExport::Now)
}

/// [`prepare`], also handing back what was loaded, with every page's HTML, so that `serve`
/// can redo only what a later change touches (see [`incremental`]).
pub fn prepare_keeping(options: &BuildOptions, pack: PackExport) -> Result<(Prepared, Loaded), BuildError> {
    let started = Start::now();
    let mut loaded = load(options)?;
    let prepared = stage(options, &mut loaded, started, Keep::Everything, pack)?;
    Ok((prepared, loaded))
}

/// When a build writes its static search pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackExport {
    /// With the build: its output is complete when it lands.
    Now,
    /// Later, in the background (`serve`'s full rebuilds after the first, which keep showing
    /// the previous pack meanwhile: [`Prepared::commit_leaving_previous`]); the build writes
    /// only the verbatim file, which the server's search needs at once (its gram counting is
    /// about half of the pack's time). A page added on 10,000 pages shows 1.5 s sooner.
    Later,
}

/// What a build keeps of the loaded site once a stage no longer needs it.
#[derive(PartialEq, Eq)]
enum Keep {
    /// Everything, for `serve`'s incremental rebuilds.
    Everything,
    /// Only what the report counts: each page's HTML goes after rendering, its Markdown and text
    /// after indexing, so the pack export (the peak) runs with a few hundred megabytes less on
    /// 10,000 pages.
    Nothing,
}

/// Steps 4 and 5 for a loaded site, into a new staging folder.
fn stage(
    options: &BuildOptions,
    loaded: &mut Loaded,
    started: Start,
    keep: Keep,
    pack: PackExport,
) -> Result<Prepared, BuildError> {
    let Loaded {
        config,
        output_dir,
        analyzer,
        site,
        compiled,
        theme,
        warnings,
    } = loaded;
    let staging = output::Staging::create(output_dir)?;
    let progress = Progress::new(
        options.progress,
        site.pages.len() + site.sections.len() + site.attachments.len(),
    );
    let sink = ProgressSink {
        inner: &staging,
        progress: &progress,
    };
    let timings = Timings::from_env(started);
    timings.mark("load, parse, compile");
    let template_problems =
        render::render_site(config, site, compiled, theme, &render::Selection::All, &sink)?;
    timings.mark("render");
    if keep == Keep::Nothing {
        for page in &mut compiled.pages {
            page.html = String::new();
        }
    }
    if !template_problems.is_empty() {
        // One broken template fails every page it renders: report each problem once.
        let mut problems = Diagnostics::default();
        problems.extend(template_problems);
        problems.into_result()?;
    }
    for attachment in &site.attachments {
        staging.copy(&attachment.source, &attachment.path)?;
        progress.tick();
    }
    let index_dir = staging.path().join(search::INDEX_DIR);
    search::index::write_index(config, site, compiled, analyzer, &index_dir)?;
    timings.mark("search index");
    if keep == Keep::Nothing {
        *compiled = compile::Compiled::default();
        for page in &mut site.pages {
            page.body = String::new();
        }
    }
    let verbatim_file = index_dir.join(search::verbatim::VERBATIM_FILE);
    let pack = match pack {
        PackExport::Now => Some(search::pack::write_pack(
            &index_dir,
            &staging.path().join(search::pack::PACK_DIR),
            Some(&verbatim_file),
        )?),
        PackExport::Later => {
            search::pack::write_verbatim(&index_dir, &verbatim_file)?;
            None
        }
    };
    timings.mark("static search pack");
    progress.finish();
    let report = BuildReport {
        output_dir: output_dir.clone(),
        pages: site.pages.len(),
        sections: site.sections.iter().filter(|s| !s.hidden).count(),
        sessions: site.session_count(),
        tags: site.tags().len(),
        attachments: site.attachments.len(),
        warnings: warnings.clone(),
        asset_urls: theme.asset_urls.clone(),
        pack,
        started: started.at,
        elapsed: started.at.elapsed(),
    };
    Ok(Prepared { staging, report })
}

/// Per-stage times on stderr when `STUDYBOOK_TIMINGS` is set: a profiling aid for benchmarks.
struct Timings {
    last: Option<std::cell::Cell<Start>>,
}

/// When a build began, by the clock and by the processor time used.
#[derive(Clone, Copy)]
struct Start {
    at: Instant,
    cpu_ms: Option<u64>,
}

impl Start {
    fn now() -> Self {
        Start {
            at: Instant::now(),
            cpu_ms: process_cpu_ms(),
        }
    }
}

impl Timings {
    fn from_env(started: Start) -> Self {
        Timings {
            last: std::env::var_os("STUDYBOOK_TIMINGS").map(|_| std::cell::Cell::new(started)),
        }
    }

    fn mark(&self, stage: &str) {
        if let Some(last) = &self.last {
            let since = last.get();
            let now = Start::now();
            eprintln!(
                "timing: {stage:<22} {:>8.1} ms{}{}",
                since.at.elapsed().as_secs_f64() * 1000.0,
                cpu_between(since.cpu_ms, now.cpu_ms),
                peak_memory().map_or(String::new(), |peak| format!("   peak so far {peak}")),
            );
            last.set(now);
        }
    }
}

/// The process's peak resident memory so far, where the system tells it (Linux).
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{} MB", kilobytes / 1000))
}

/// The processor time (user and system, all threads) the process has used so far, where the
/// system tells it (Linux): beside a stage's wall time it shows how well the stage uses the cores.
pub(crate) fn process_cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces:
    // the 12th and 13th are user and system time in clock ticks, 100 a second on Linux.
    let mut after_name = stat.get(stat.rfind(')')? + 1..)?.split_whitespace().skip(11);
    let user: u64 = after_name.next()?.parse().ok()?;
    let system: u64 = after_name.next()?.parse().ok()?;
    Some((user + system) * 10)
}

/// The processor time from `before` to `now` (see [`process_cpu_ms`]) for a timing line, or
/// nothing where the system does not tell it.
pub(crate) fn cpu_between(before: Option<u64>, now: Option<u64>) -> String {
    before.zip(now).map_or(String::new(), |(before, now)| {
        format!("   cpu {:>6} ms", now - before)
    })
}

/// A progress bar on stderr for long builds; invisible when stderr is not a terminal.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    const MIN_FILES: usize = 300;

    fn new(enabled: bool, total: usize) -> Self {
        let visible =
            enabled && total >= Self::MIN_FILES && std::io::IsTerminal::is_terminal(&std::io::stderr());
        Progress(visible.then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} files  {elapsed}")
                    .expect("the template is valid"),
            );
            bar
        }))
    }

    fn tick(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

struct ProgressSink<'a> {
    inner: &'a output::Staging,
    progress: &'a Progress,
}

impl Sink for ProgressSink<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.progress.tick();
        self.inner.write(path, bytes)
    }
}
