//! Micro-benchmarks of the pipeline's hot stages on the demo knowledge base (content/):
//! front matter, Markdown, segmentation, rendering, indexing and the static pack export.
//!
//! `cargo bench --bench stages` (divan). Whole-build and peer comparisons live in
//! `benches/peers.sh`; search latency in `examples/search_latency.rs`.

use std::path::{Path, PathBuf};

use studybook::render::Sink;
use studybook::search::analyzer::Analyzer;
use studybook::{load, BuildOptions};

fn main() {
    divan::main();
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every Markdown file of the demo, as (display name, text).
fn demo_files() -> Vec<(String, String)> {
    walkdir::WalkDir::new(repo().join("content"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

#[divan::bench]
fn front_matter(bencher: divan::Bencher) {
    let files = demo_files();
    bencher.bench(|| {
        for (name, text) in &files {
            let _ = divan::black_box(studybook::content::front_matter::parse_document(name, text));
        }
    });
}

#[divan::bench]
fn markdown(bencher: divan::Bencher) {
    let bodies: Vec<String> = demo_files()
        .into_iter()
        .filter_map(|(name, text)| studybook::content::front_matter::parse_document(&name, &text).ok())
        .map(|(document, _)| document.body)
        .collect();
    bencher.bench(|| {
        for body in &bodies {
            divan::black_box(studybook::markdown::render(body, 1, |_| None));
        }
    });
}

#[divan::bench]
fn segmentation(bencher: divan::Bencher) {
    let analyzer = Analyzer::builtin();
    let texts: Vec<String> = demo_files().into_iter().map(|(_, text)| text).collect();
    bencher.bench(|| {
        for text in &texts {
            divan::black_box(analyzer.index_words(text));
        }
    });
}

struct NullSink;

impl Sink for NullSink {
    fn write(&self, _path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        divan::black_box(bytes);
        Ok(())
    }
}

#[divan::bench(sample_count = 20)]
fn render_site(bencher: divan::Bencher) {
    let loaded = load(&BuildOptions::new(repo())).unwrap();
    bencher.bench(|| {
        studybook::render::render_site(
            &loaded.config,
            &loaded.site,
            &loaded.compiled,
            &loaded.theme,
            &studybook::render::Selection::All,
            &NullSink,
        )
        .unwrap()
    });
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("studybook-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[divan::bench(sample_count = 10)]
fn search_index(bencher: divan::Bencher) {
    let loaded = load(&BuildOptions::new(repo())).unwrap();
    let dir = temp_dir("index");
    bencher.bench(|| {
        let _ = std::fs::remove_dir_all(&dir);
        studybook::search::index::write_index(
            &loaded.config,
            &loaded.site,
            &loaded.compiled,
            &loaded.analyzer,
            &dir,
        )
        .unwrap();
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[divan::bench(sample_count = 10)]
fn static_pack(bencher: divan::Bencher) {
    let loaded = load(&BuildOptions::new(repo())).unwrap();
    let index = temp_dir("pack-index");
    studybook::search::index::write_index(
        &loaded.config,
        &loaded.site,
        &loaded.compiled,
        &loaded.analyzer,
        &index,
    )
    .unwrap();
    let pack = temp_dir("pack");
    bencher.bench(|| {
        let _ = std::fs::remove_dir_all(&pack);
        studybook::search::pack::write_pack(&index, Path::new(&pack), None).unwrap()
    });
    let _ = std::fs::remove_dir_all(&index);
    let _ = std::fs::remove_dir_all(&pack);
}
