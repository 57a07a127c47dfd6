//! The theme: built-in templates and assets embedded in the binary, each replaceable by a file
//! of the same name in the site's `themes/<theme>/` folder.
//!
//! Lookup order, for every template and asset: `<root>/themes/<theme>/templates/<name>` (or
//! `static/<name>`), then the built-in default. Asset file names carry a content hash so a
//! browser never keeps a stale stylesheet after a rebuild.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::Tera;

use crate::config::Config;
use crate::diagnostics::{display_path, Diagnostic, Text};
use crate::text;

/// (name, built-in text) of every template the pipeline renders.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "macros.html",
        include_str!("../../themes/default/templates/macros.html"),
    ),
    (
        "index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "page.html",
        include_str!("../../themes/default/templates/page.html"),
    ),
    (
        "section.html",
        include_str!("../../themes/default/templates/section.html"),
    ),
    (
        "tags.html",
        include_str!("../../themes/default/templates/tags.html"),
    ),
    (
        "tag.html",
        include_str!("../../themes/default/templates/tag.html"),
    ),
    (
        "search.html",
        include_str!("../../themes/default/templates/search.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
    (
        "ledger.html",
        include_str!("../../themes/default/templates/ledger.html"),
    ),
    (
        "stats.html",
        include_str!("../../themes/default/templates/stats.html"),
    ),
    (
        "sitemap.xml",
        include_str!("../../themes/default/templates/sitemap.xml"),
    ),
];

/// (name, built-in bytes) of the theme's static assets.
pub const ASSETS: &[(&str, &[u8])] = &[
    (
        "style.css",
        include_bytes!("../../themes/default/static/style.css"),
    ),
    (
        "search.js",
        include_bytes!("../../themes/default/static/search.js"),
    ),
    (
        "search-engine.js",
        include_bytes!("../../themes/default/static/search-engine.js"),
    ),
    (
        "favicon.svg",
        include_bytes!("../../themes/default/static/favicon.svg"),
    ),
];

/// A theme asset ready to write: its hashed output path and its bytes.
#[derive(Debug, Clone)]
pub struct Asset {
    pub name: String,
    /// `assets/style.1a2b3c4d.css`
    pub url: String,
    pub bytes: Vec<u8>,
}

/// The compiled templates and resolved assets of one build.
pub struct Theme {
    pub tera: Tera,
    pub assets: Vec<Asset>,
    /// Asset name → hashed URL relative to the output root (`style.css` → `assets/style.….css`).
    pub asset_urls: BTreeMap<String, String>,
    /// Template name → the file it came from, for error messages.
    pub sources: BTreeMap<String, String>,
    /// Template name → its text, to find the line of an error tera reports without one.
    pub texts: BTreeMap<String, String>,
}

impl Theme {
    /// Compiles the templates and loads the assets. Parse errors in an override name its file
    /// and line.
    pub fn load(config: &Config) -> Result<Theme, Vec<Diagnostic>> {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        let mut sources = BTreeMap::new();
        let mut problems = Vec::new();
        let mut templates: Vec<(String, String)> = Vec::new();
        for (name, builtin) in TEMPLATES {
            let override_path = config.theme_dir.join("templates").join(name);
            let (text, source) = match read_override(&override_path, config) {
                Ok(Some(text)) => (text, display_path(&override_path, &config.root)),
                Ok(None) => (builtin.to_string(), format!("(built-in theme)/templates/{name}")),
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            sources.insert(name.to_string(), source);
            templates.push((name.to_string(), text));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if let Err(err) = tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
            // Tera names the template that failed in the message: report it on that file.
            let message = err.to_string();
            let name = TEMPLATES.iter().map(|(name, _)| *name).find(|name| {
                message.contains(&format!("'{name}'")) || message.contains(&format!("\"{name}\""))
            });
            let file = name.map_or_else(
                || config.theme_dir.display().to_string(),
                |name| sources[name].clone(),
            );
            return Err(vec![template_diagnostic(&file, &err)]);
        }
        let assets = load_assets(config)?;
        let asset_urls = assets.iter().map(|a| (a.name.clone(), a.url.clone())).collect();
        Ok(Theme {
            tera,
            assets,
            asset_urls,
            sources,
            texts: templates.into_iter().collect(),
        })
    }

    /// Renders `template` with `context`, turning a failure into a diagnostic on its file.
    pub fn render(&self, template: &str, context: &tera::Context) -> Result<String, Diagnostic> {
        self.tera.render(template, context).map_err(|err| {
            let file = self.sources.get(template).map_or(template, String::as_str);
            let diagnostic = template_diagnostic(file, &err);
            match self
                .texts
                .get(template)
                .and_then(|text| render_error_line(text, diagnostic.message.en()))
            {
                Some(line) if diagnostic.line.is_none() => diagnostic.at(line),
                _ => diagnostic,
            }
        })
    }
}

fn read_override(path: &Path, config: &Config) -> Result<Option<String>, Diagnostic> {
    match std::fs::read(path) {
        Ok(bytes) => crate::content::discover::normalize_text(bytes)
            .map(Some)
            .map_err(|line| {
                Diagnostic::error(
                    display_path(path, &config.root),
                    text!(
                        "the file is not valid UTF-8 text",
                        "这个文件不是有效的 UTF-8 文本"
                    ),
                )
                .at(line)
                .help(text!("save it as UTF-8", "请把它保存为 UTF-8 编码"))
            }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(Diagnostic::error(
            display_path(path, &config.root),
            text!("cannot read the file: {err}", "无法读取这个文件：{err}"),
        )),
    }
}

/// Built-in assets, replaced or extended by the files in `themes/<theme>/static/`.
fn load_assets(config: &Config) -> Result<Vec<Asset>, Vec<Diagnostic>> {
    let mut files: BTreeMap<String, Vec<u8>> = ASSETS
        .iter()
        .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
        .collect();
    let static_dir = config.theme_dir.join("static");
    if static_dir.is_dir() {
        for entry in walkdir::WalkDir::new(&static_dir).sort_by_file_name() {
            let entry = entry.map_err(|err| {
                vec![Diagnostic::error(
                    display_path(&static_dir, &config.root),
                    text!("cannot read the folder: {err}", "无法读取这个文件夹：{err}"),
                )]
            })?;
            if !entry.file_type().is_file()
                || crate::content::discover::is_editor_litter(&entry.file_name().to_string_lossy())
            {
                continue;
            }
            let name = display_path(entry.path(), &static_dir);
            let bytes = std::fs::read(entry.path()).map_err(|err| {
                vec![Diagnostic::error(
                    display_path(entry.path(), &config.root),
                    text!("cannot read the file: {err}", "无法读取这个文件：{err}"),
                )]
            })?;
            if name == "search-engine.js" {
                check_search_engine(&bytes, entry.path(), config)?;
            }
            files.insert(name, bytes);
        }
    }
    Ok(files
        .into_iter()
        .map(|(name, bytes)| Asset {
            url: hashed_url(&name, &bytes),
            name,
            bytes,
        })
        .collect())
}

/// A theme's own `search-engine.js` must read the search data this version writes: a theme
/// copied from an older studybook would leave every static search saying the data is
/// unavailable, long after the build that caused it.
fn check_search_engine(bytes: &[u8], path: &Path, config: &Config) -> Result<(), Vec<Diagnostic>> {
    let format = crate::search::pack::FORMAT;
    let expected = format!("meta.format !== {format})");
    if String::from_utf8_lossy(bytes).contains(&expected) {
        return Ok(());
    }
    Err(vec![Diagnostic::error(
        display_path(path, &config.root),
        text!(
            "this search-engine.js is from another version of studybook: it cannot read this version's search data (format {format}), so the search page would find nothing",
            "这个 search-engine.js 来自别的 studybook 版本，读不了本版本的搜索数据（格式 {format}），搜索页将搜不到任何内容"
        ),
    )
    .help(text!(
        "delete it to use the built-in one (the theme's other files keep working); to change the search engine, start again from the built-in file of this version",
        "删掉这个文件即可使用内置的搜索引擎（主题的其他文件不受影响）；确实要修改搜索引擎的，请以本版本内置的文件为基础重新修改"
    ))])
}

/// `style.css` → `assets/style.1a2b3c4d.css`.
fn hashed_url(name: &str, bytes: &[u8]) -> String {
    let hash = crc32fast::hash(bytes);
    let path = PathBuf::from(name);
    match (path.file_stem(), path.extension()) {
        (Some(stem), Some(ext)) => {
            let dir = crate::links::parent_dir(name);
            let file = format!("{}.{hash:08x}.{}", stem.to_string_lossy(), ext.to_string_lossy());
            if dir.is_empty() {
                format!("assets/{file}")
            } else {
                format!("assets/{dir}/{file}")
            }
        }
        _ => format!("assets/{name}"),
    }
}

/// Tera reports errors found while rendering (an unknown variable, a bad filter argument)
/// without a position; the line that names the culprit is the best guess.
fn render_error_line(text: &str, message: &str) -> Option<usize> {
    let name = message.split('`').nth(1)?;
    text.lines()
        .position(|line| line.contains(name))
        .map(|index| index + 1)
}

/// A tera error as `file:line:column: reason`: tera puts the position of a syntax error in its
/// message as ` --> LINE:COLUMN`, and the reason in the chain of sources.
fn template_diagnostic(file: &str, err: &tera::Error) -> Diagnostic {
    let mut chain = Vec::new();
    let mut current: Option<&dyn std::error::Error> = Some(err);
    while let Some(error) = current {
        chain.push(error.to_string());
        current = error.source();
    }
    let full = chain.join("\n");
    let position = full.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("--> ")?;
        let (line, column) = rest.split_once(':')?;
        Some((
            line.trim().parse::<usize>().ok()?,
            column.trim().parse::<usize>().ok()?,
        ))
    });
    let reason = chain
        .iter()
        .rev()
        .flat_map(|message| message.lines())
        .map(str::trim)
        .find(|line| {
            !line.is_empty()
                && !line.starts_with("-->")
                && !line.starts_with('|')
                && !line.starts_with('=')
                && !line.chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .unwrap_or("template error")
        .to_string();
    let expected = full
        .lines()
        .find(|l| l.trim_start().starts_with("= "))
        .map(|l| l.trim_start().trim_start_matches("= ").to_string());
    let mut diagnostic = Diagnostic::error(
        file,
        text!("template error: {}", "模板错误：{}", reason.trim_end_matches('.')),
    );
    if let Some((line, column)) = position {
        diagnostic = diagnostic.at_column(line, column);
    }
    if let Some(expected) = expected {
        // Tera's own words, in English only.
        diagnostic = diagnostic.help(Text::new(expected.clone(), expected));
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_scripts_are_ascii() {
        // A server may label scripts with another charset (GBK on Chinese Windows servers):
        // only ASCII reads the same in every one, so other characters are `\u` escapes.
        for (name, bytes) in super::ASSETS.iter().filter(|(name, _)| name.ends_with(".js")) {
            let line = bytes.split(|&b| b == b'\n').position(|line| !line.is_ascii());
            assert_eq!(
                line,
                None,
                "{name}: a non-ASCII character on line {:?}",
                line.map(|l| l + 1)
            );
        }
    }
}
