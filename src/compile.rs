//! Markdown of every page and section rendered once, with its links resolved, plus the
//! relations between pages that the links reveal: backlinks and the sessions that studied each
//! material. Both the HTML renderer and the search index read the result.

use std::sync::Mutex;

use rayon::prelude::*;

use crate::content::Site;
use crate::diagnostics::Diagnostic;
use crate::links::{Resolver, Target};
use crate::markdown::{self, LinkKind, Rendered, Rewrite};

/// A `materials` entry after resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Material {
    Page(usize),
    External(String),
}

/// Everything the later stages need from the Markdown, indexed like `Site::pages`/`sections`.
#[derive(Debug, Default)]
pub struct Compiled {
    pub pages: Vec<Rendered>,
    pub sections: Vec<Rendered>,
    pub materials: Vec<Vec<Material>>,
    /// For each page, the pages whose text links to it.
    pub backlinks: Vec<Vec<usize>>,
    /// For each page, the session records that list it in `materials`.
    pub studied_in: Vec<Vec<usize>>,
}

/// Renders all Markdown in parallel. Broken links and materials come back as diagnostics.
pub fn compile(site: &Site, resolver: &Resolver) -> (Compiled, Vec<Diagnostic>) {
    let problems = Mutex::new(Vec::new());
    let report = |diagnostic: Diagnostic| {
        problems
            .lock()
            .expect("no panics hold this lock")
            .push(diagnostic)
    };

    let pages: Vec<(Rendered, Vec<usize>)> = site
        .pages
        .par_iter()
        .map(|page| {
            let mut outgoing = Vec::new();
            let rendered = markdown::render(&page.body, page.body_line, |link| {
                match resolver.resolve_link(&page.source, &page.url, &page.file, link) {
                    Ok(Some(resolved)) => {
                        let label = (link.kind == LinkKind::Wiki).then(|| resolver.title(&resolved.target));
                        if let Target::Page(target) = resolved.target {
                            outgoing.push(target);
                        }
                        Some(Rewrite {
                            url: resolved.href,
                            label: label.flatten(),
                        })
                    }
                    Ok(None) => None,
                    Err(diagnostic) => {
                        report(diagnostic);
                        None
                    }
                }
            });
            (rendered, outgoing)
        })
        .collect();

    let sections: Vec<Rendered> = site
        .sections
        .par_iter()
        .map(|section| {
            let (Some(file), source) = (&section.file, format!("{}/_index.md", section.dir)) else {
                return Rendered::default();
            };
            let source = source.trim_start_matches('/').to_string();
            markdown::render(&section.body, section.body_line, |link| {
                match resolver.resolve_link(&source, &section.url, file, link) {
                    Ok(resolved) => resolved.map(|r| Rewrite {
                        label: (link.kind == LinkKind::Wiki)
                            .then(|| resolver.title(&r.target))
                            .flatten(),
                        url: r.href,
                    }),
                    Err(diagnostic) => {
                        report(diagnostic);
                        None
                    }
                }
            })
        })
        .collect();

    let mut compiled = Compiled {
        backlinks: vec![Vec::new(); site.pages.len()],
        studied_in: vec![Vec::new(); site.pages.len()],
        ..Compiled::default()
    };
    for (index, page) in site.pages.iter().enumerate() {
        let mut materials = Vec::new();
        for material in &page.front.materials {
            match resolver.resolve_material(page, material) {
                Ok(Some(resolved)) => {
                    if let Target::Page(target) = resolved.target {
                        if !compiled.studied_in[target].contains(&index) {
                            compiled.studied_in[target].push(index);
                        }
                        materials.push(Material::Page(target));
                    }
                }
                Ok(None) => materials.push(Material::External(material.target.clone())),
                Err(diagnostic) => report(diagnostic),
            }
        }
        compiled.materials.push(materials);
    }
    for (index, (_, outgoing)) in pages.iter().enumerate() {
        for &target in outgoing {
            if target != index && !compiled.backlinks[target].contains(&index) {
                compiled.backlinks[target].push(index);
            }
        }
    }
    for list in compiled
        .backlinks
        .iter_mut()
        .chain(compiled.studied_in.iter_mut())
    {
        list.sort_by(|&a, &b| site.newest_first(a, b));
    }
    compiled.pages = pages.into_iter().map(|(rendered, _)| rendered).collect();
    compiled.sections = sections;
    (compiled, problems.into_inner().expect("no panics hold this lock"))
}
