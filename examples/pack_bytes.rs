//! What the static search downloads: the first load, and the bytes each query needs, gzip-
//! compressed as a web server sends them, for a built site.
//!
//! `cargo run --release --example pack_bytes -- --site DIR [--queries 200] [--seed 7]`
//!
//! It follows the loader of `search-engine.js` file by file: the page, its stylesheet and
//! scripts and `meta.js` first; then per query the fold table and docs table (first query only),
//! the gram shards of the query's grams, the vocabulary shards of its candidate words, the word
//! shards of the words it splits into, and the text
//! chunks of the first ten results (taken from the server's answer).

use std::collections::{BTreeSet, HashMap};

use anyhow::Context as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use studybook::search::analyzer::query_grams;
use studybook::search::pack::fnv1a;
use studybook::search::query::parse_query;
use studybook::search::segment::{candidate_words, segment_query};
use studybook::search::{SearchRequest, Searcher};

mod shared;
use shared::{typical_queries, Query, QueryArgs};

fn gzip_size(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory").len()
}

struct Sizes {
    dir: PathBuf,
    cache: HashMap<String, usize>,
}

impl Sizes {
    fn of(&mut self, name: &str) -> usize {
        if let Some(&size) = self.cache.get(name) {
            return size;
        }
        let size = std::fs::read(self.dir.join(name))
            .map(|b| gzip_size(&b))
            .unwrap_or(0);
        self.cache.insert(name.to_string(), size);
        size
    }
}

fn meta(pack: &Path) -> serde_json::Value {
    let text =
        studybook::search::pack::read_script(&pack.join("meta.js")).expect("a built site with a search pack");
    let (_, json) = studybook::search::pack::registered(&text).expect("meta.js registers its data");
    serde_json::from_str(json).expect("meta.js is JSON")
}

/// Document id of each source path, read back from the text chunks.
fn doc_ids(pack: &Path, chunks: usize) -> HashMap<String, usize> {
    let files = studybook::search::pack::decoded_files(pack).expect("a readable pack");
    let mut ids = HashMap::new();
    let mut doc = 0;
    for chunk in 0..chunks {
        let json = files.get(&format!("t-{chunk}")).expect("text chunk");
        let rows: Vec<serde_json::Value> = serde_json::from_slice(json).expect("rows");
        for row in rows {
            ids.insert(row[2].as_str().unwrap_or_default().to_string(), doc);
            doc += 1;
        }
    }
    ids
}

fn main() -> anyhow::Result<()> {
    let QueryArgs {
        site, count, seed, ..
    } = QueryArgs::parse(200)?;
    let output = site.join("public");
    let pack = output.join("search").join("pack");
    let meta = meta(&pack);
    let gram_shards = meta["gramShards"].as_u64().unwrap_or(1) as u32;
    let word_shards = meta["wordShards"].as_u64().unwrap_or(1) as u32;
    let char_shards = meta["charShards"].as_u64().unwrap_or(1) as u32;
    let vocabulary_shards = meta["vocabularyShards"].as_u64().unwrap_or(1) as u32;
    let mut vocabulary: std::collections::HashSet<String> = std::collections::HashSet::new();
    for shard in 0..vocabulary_shards {
        let text = studybook::search::pack::read_script(&pack.join(format!("v-{shard}.js")))?;
        let (_, json) = studybook::search::pack::registered(&text).context("a vocabulary shard")?;
        let words: String = serde_json::from_str(json)?;
        vocabulary.extend(words.split('\n').filter(|w| !w.is_empty()).map(String::from));
    }
    // meta.js gives documents per chunk; the starts are their running sums.
    let chunk_starts: Vec<usize> = meta["chunkSizes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_u64().map(|v| v as usize))
                .scan(0, |start, size| {
                    let this = *start;
                    *start += size;
                    Some(this)
                })
                .collect()
        })
        .unwrap_or_default();
    let ids = doc_ids(&pack, chunk_starts.len());
    let mut sizes = Sizes {
        dir: output.clone(),
        cache: HashMap::new(),
    };

    // First load: the page and everything it references, plus meta.js.
    // Attribute values as the template escapes them (`assets&#x2F;style.css`).
    let page = std::fs::read_to_string(output.join("search.html"))?.replace("&#x2F;", "/");
    let mut first = sizes.of("search.html") + sizes.of("search/pack/meta.js");
    let assets: BTreeSet<&str> = page.split('"').filter(|s| s.starts_with("assets/")).collect();
    anyhow::ensure!(
        assets.iter().any(|a| a.ends_with(".css")) && assets.iter().any(|a| a.ends_with(".js")),
        "search.html names no stylesheet or script under assets/: {assets:?}"
    );
    for asset in assets {
        first += sizes.of(asset);
    }
    let first_query_extra = sizes.of("search/pack/fold.js") + sizes.of("search/pack/docs.js");

    // Typical queries, as search_latency asks them.
    let searcher = Searcher::open(&output)?;
    let mut per_query = Vec::new();
    let mut by_kind: std::collections::BTreeMap<char, usize> = std::collections::BTreeMap::new();
    for Query { text: query, kind } in typical_queries(&site, count, seed) {
        let mut files: BTreeSet<String> = BTreeSet::new();
        for part in parse_query(&query) {
            for gram in query_grams(&part.text) {
                if gram.prefix {
                    files.insert(format!("search/pack/c-{}.js", fnv1a(&gram.text) % char_shards));
                } else {
                    files.insert(format!("search/pack/g-{}.js", fnv1a(&gram.text) % gram_shards));
                }
            }
            if !part.exclude && !part.exact {
                for word in candidate_words(&part.text) {
                    files.insert(format!("search/pack/v-{}.js", fnv1a(&word) % vocabulary_shards));
                }
                for word in segment_query(&part.text, |w| vocabulary.contains(w)).unwrap_or_default() {
                    files.insert(format!("search/pack/w-{}.js", fnv1a(&word) % word_shards));
                }
            }
        }
        let results = searcher.search(&SearchRequest {
            query: query.clone(),
            kind,
            limit: 10,
            ..Default::default()
        })?;
        for hit in &results.results {
            if let Some(&doc) = ids.get(&hit.path) {
                let chunk = chunk_starts.partition_point(|&s| s <= doc) - 1;
                files.insert(format!("search/pack/t-{chunk}.js"));
            }
        }
        let bytes: usize = files.iter().map(|f| sizes.of(f)).sum();
        for file in &files {
            let kind = file
                .trim_start_matches("search/pack/")
                .chars()
                .next()
                .unwrap_or('?');
            *by_kind.entry(kind).or_insert(0) += sizes.of(file);
        }
        per_query.push((bytes, files.len()));
    }
    per_query.sort();
    let median = per_query[per_query.len() / 2];
    let p90 = per_query[per_query.len() * 9 / 10];
    let pack_bytes: u64 = walkdir::WalkDir::new(&pack)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    let pack_files = walkdir::WalkDir::new(&pack)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .count();
    let markdown: u64 = walkdir::WalkDir::new(site.join("content"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "markdown: {:.1} MB; pack on disk: {:.1} MB ({:.0}% of the Markdown) in {pack_files} files",
        markdown as f64 / 1e6,
        pack_bytes as f64 / 1e6,
        100.0 * pack_bytes as f64 / markdown as f64
    );
    println!(
        "first load (page, css, scripts, meta.js), gzip: {:.1} KB",
        first as f64 / 1000.0
    );
    println!(
        "first query also loads fold.js + docs.js, gzip: {:.1} KB",
        first_query_extra as f64 / 1000.0
    );
    println!(
        "per query ({} queries of 2-4 characters), gzip: median {:.1} KB in {} files, p90 {:.1} KB in {} files",
        per_query.len(),
        median.0 as f64 / 1000.0,
        median.1,
        p90.0 as f64 / 1000.0,
        p90.1
    );
    let average: Vec<String> = by_kind
        .iter()
        .map(|(kind, bytes)| {
            format!(
                "{kind}: {:.1} KB",
                *bytes as f64 / per_query.len() as f64 / 1000.0
            )
        })
        .collect();
    println!(
        "average per query by file kind (c characters, g grams, v vocabulary, w words, t text): {}",
        average.join(", ")
    );
    Ok(())
}
