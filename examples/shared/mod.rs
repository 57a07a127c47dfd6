//! What the benchmarks share: their command line and the typical queries of a site. Included
//! with `mod shared;`; a folder without `main.rs` is not an example of its own.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// What a query benchmark is told: `--site DIR [--queries N] [--seed S] [--slowest K]`.
pub struct QueryArgs {
    pub site: PathBuf,
    pub count: usize,
    pub seed: u64,
    /// How many of the slowest queries to list (0: none).
    pub slowest: usize,
}

impl QueryArgs {
    /// Reads the command line; `count` queries unless `--queries` says otherwise.
    pub fn parse(count: usize) -> anyhow::Result<QueryArgs> {
        let mut parsed = QueryArgs {
            site: PathBuf::from("."),
            count,
            seed: 7,
            slowest: 0,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--site" => parsed.site = PathBuf::from(args.next().unwrap_or_default()),
                "--queries" => parsed.count = args.next().unwrap_or_default().parse()?,
                "--seed" => parsed.seed = args.next().unwrap_or_default().parse()?,
                "--slowest" => parsed.slowest = args.next().unwrap_or_default().parse()?,
                other => anyhow::bail!("unknown argument `{other}`"),
            }
        }
        Ok(parsed)
    }
}

/// A small deterministic generator (splitmix64), so every benchmark run asks the same queries.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

fn cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// A query and its kind filter.
pub struct Query {
    pub text: String,
    pub kind: Option<String>,
}

/// `count` typical queries of the site in `site/content`: 2–4 character Chinese substrings of
/// its own pages, one in five of two parts, one in six filtered to session records.
pub fn typical_queries(site: &Path, count: usize, seed: u64) -> Vec<Query> {
    let mut rng = Rng(seed);
    let mut texts = Vec::new();
    for entry in walkdir::WalkDir::new(site.join("content"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "md") {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                texts.push(text.chars().collect::<Vec<char>>());
            }
        }
    }
    let mut out = Vec::new();
    while out.len() < count && !texts.is_empty() {
        let text = &texts[rng.below(texts.len())];
        let piece = |rng: &mut Rng| -> Option<String> {
            let length = 2 + rng.below(3);
            if text.len() <= length {
                return None;
            }
            let start = rng.below(text.len() - length);
            let piece: String = text[start..start + length].iter().collect();
            piece.chars().all(cjk).then_some(piece)
        };
        let Some(first) = piece(&mut rng) else { continue };
        let text = if rng.below(5) == 0 {
            match piece(&mut rng) {
                Some(second) => format!("{first} {second}"),
                None => continue,
            }
        } else {
            first
        };
        let kind = (rng.below(6) == 0).then(|| "session".to_string());
        out.push(Query { text, kind });
    }
    out
}

/// The value at quantile `q` (0 to 1) of sorted values.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}
