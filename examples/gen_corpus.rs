//! A deterministic generator of realistic Chinese study-material sites, for benchmarks.
//!
//! `cargo run --release --example gen_corpus -- --pages 10000 --out DIR [--seed N]` writes a
//! studybook site: about 70% notes and 30% session records, ~1,500 Chinese characters a page on
//! average, with headings, lists, tables, cross-links, materials and nested folders. Words are
//! drawn by frequency from jieba's own dictionary (found in the local cargo registry, where
//! building studybook put it) mixed with the political and administrative terms studybook
//! ships, so the vocabulary is varied like real text, not one paragraph repeated.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// SplitMix64: tiny, fast, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Words with cumulative weights, sampled by binary search.
struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<u64>,
}

impl Vocabulary {
    fn sample(&self, rng: &mut Rng) -> &str {
        let total = *self.cumulative.last().unwrap_or(&1);
        let target = rng.next() % total;
        let index = self.cumulative.partition_point(|&c| c <= target);
        &self.words[index.min(self.words.len() - 1)]
    }
}

fn jieba_dictionary() -> Result<String, String> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .or_else(|| std::env::var_os("USERPROFILE").map(|h| PathBuf::from(h).join(".cargo")))
        .ok_or("cannot find the cargo home folder (set CARGO_HOME)")?;
    let registry = home.join("registry").join("src");
    let entries =
        std::fs::read_dir(&registry).map_err(|e| format!("cannot read {}: {e}", registry.display()))?;
    for entry in entries.flatten() {
        let candidate = entry
            .path()
            .join("jieba-rs-0.11.0")
            .join("src")
            .join("data")
            .join("dict.txt");
        if let Ok(text) = std::fs::read_to_string(&candidate) {
            return Ok(text);
        }
    }
    Err(format!(
        "jieba-rs 0.11.0's dict.txt not found under {}; build studybook once first",
        registry.display()
    ))
}

fn vocabulary() -> Result<Vocabulary, String> {
    let dictionary = jieba_dictionary()?;
    let mut words = Vec::new();
    let mut cumulative = Vec::new();
    let mut total = 0u64;
    for line in dictionary.lines() {
        let mut parts = line.split_whitespace();
        let (Some(word), Some(freq), tag) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(freq) = freq.parse::<u64>() else { continue };
        let length = word.chars().count();
        let cjk = word.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        // Common words of everyday prose: nouns, verbs, adjectives, adverbs.
        let useful = matches!(tag.unwrap_or("n").chars().next(), Some('n' | 'v' | 'a' | 'd'));
        if cjk && (1..=4).contains(&length) && freq >= 30 && useful {
            total += freq;
            words.push(word.to_string());
            cumulative.push(total);
        }
    }
    // The domain's own terms, as often as common words.
    let boost = total / 200;
    for line in include_str!("../src/search/terms.txt").lines() {
        if let Some(term) = line.split_whitespace().next().filter(|t| !t.starts_with('#')) {
            total += boost / 20;
            words.push(term.to_string());
            cumulative.push(total);
        }
    }
    Ok(Vocabulary { words, cumulative })
}

const MEETINGS: &[&str] = &[
    "区委常委会",
    "区政府党组会",
    "室务会",
    "支部委员会",
    "理论学习中心组",
];
const HOSTS: &[&str] = &["区委书记", "区长", "办公室主任", "支部书记", "副主任"];
const TOPICS: &[&str] = &[
    "speeches",
    "documents",
    "policies",
    "party-building",
    "economy",
    "governance",
];
const TOPIC_TITLES: &[&str] = &[
    "重要讲话学习",
    "文件精神",
    "政策法规",
    "党建知识",
    "经济工作",
    "基层治理",
];
const NUMERALS: &[&str] = &["一", "二", "三", "四", "五", "六", "七", "八"];

fn sentence(rng: &mut Rng, words: &Vocabulary, out: &mut String) -> usize {
    let count = rng.range(6, 16);
    let mut chars = 0;
    for i in 0..count {
        let word = words.sample(rng);
        chars += word.chars().count();
        out.push_str(word);
        if i + 1 < count && rng.chance(12) {
            out.push(if rng.chance(70) { '，' } else { '、' });
        }
    }
    out.push(if rng.chance(90) { '。' } else { '；' });
    chars + 1
}

fn paragraph(rng: &mut Rng, words: &Vocabulary, out: &mut String) -> usize {
    let mut chars = 0;
    for _ in 0..rng.range(2, 5) {
        chars += sentence(rng, words, out);
    }
    out.push_str("\n\n");
    chars
}

struct PageInfo {
    path: String,
    title: String,
}

fn title(rng: &mut Rng, words: &Vocabulary, suffix: &str) -> String {
    let mut title = String::new();
    for _ in 0..rng.range(2, 4) {
        title.push_str(words.sample(rng));
    }
    title.push_str(suffix);
    title
}

/// A relative link from `from` (a content path) to `to`.
fn relative(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    format!("{}{}", "../".repeat(depth), to)
}

fn body(rng: &mut Rng, words: &Vocabulary, own: &str, earlier: &[PageInfo], target_chars: usize) -> String {
    let mut out = String::new();
    let mut chars = 0;
    let mut section = 0;
    while chars < target_chars {
        if chars > 0 && rng.chance(40) && section < NUMERALS.len() {
            let _ = writeln!(out, "## {}、{}\n", NUMERALS[section], title(rng, words, ""));
            section += 1;
        }
        match rng.below(10) {
            0 => {
                for _ in 0..rng.range(3, 5) {
                    out.push_str("- ");
                    chars += sentence(rng, words, &mut out);
                    out.push('\n');
                }
                out.push('\n');
            }
            1 if rng.chance(40) => {
                out.push_str("| 项目 | 内容 | 责任单位 |\n|---|---|---|\n");
                for _ in 0..rng.range(2, 4) {
                    let (a, b, c) = (
                        words.sample(rng).to_string(),
                        title(rng, words, ""),
                        words.sample(rng).to_string(),
                    );
                    chars += a.chars().count() + b.chars().count() + c.chars().count();
                    let _ = writeln!(out, "| {a} | {b} | {c} |");
                }
                out.push('\n');
            }
            _ => chars += paragraph(rng, words, &mut out),
        }
        if !earlier.is_empty() && rng.chance(15) {
            let target = &earlier[rng.below(earlier.len())];
            let _ = writeln!(out, "参见[{}]({})。\n", target.title, relative(own, &target.path));
        }
    }
    out
}

fn write(out: &Path, relative: &str, text: &str) -> std::io::Result<()> {
    let path = relative
        .split('/')
        .fold(out.to_path_buf(), |p, part| p.join(part));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pages = 1000usize;
    let mut out = PathBuf::from("corpus");
    let mut seed = 2024u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--pages" => pages = args.next().ok_or("--pages needs a number")?.parse()?,
            "--out" => out = PathBuf::from(args.next().ok_or("--out needs a folder")?),
            "--seed" => seed = args.next().ok_or("--seed needs a number")?.parse()?,
            other => {
                return Err(format!(
                    "unknown argument `{other}`; usage: gen_corpus --pages N --out DIR [--seed N]"
                )
                .into())
            }
        }
    }
    let words = vocabulary()?;
    let mut rng = Rng(seed);
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    write(&out, "book.toml", "[book]\ntitle = \"基准测试学习资料库\"\n")?;
    write(
        &out,
        "content/_index.md",
        "---\ntitle: 基准测试学习资料库\n---\n\n自动生成的测试内容。\n",
    )?;
    for (topic, name) in TOPICS.iter().zip(TOPIC_TITLES) {
        write(
            &out,
            &format!("content/{topic}/_index.md"),
            &format!("---\ntitle: {name}\n---\n"),
        )?;
    }
    write(
        &out,
        "content/sessions/_index.md",
        "---\ntitle: 第一议题学习记录\nkind: session\n---\n",
    )?;

    let mut notes: Vec<PageInfo> = Vec::new();
    let mut session_numbers: std::collections::HashMap<(&str, usize), u32> = std::collections::HashMap::new();
    let mut markdown_bytes = 0usize;
    for number in 0..pages {
        let year = 2019 + rng.below(6);
        let month = rng.range(1, 12);
        let day = rng.range(1, 28);
        let date = format!("{year}-{month:02}-{day:02}");
        let tag_list: Vec<String> = (0..rng.range(1, 3))
            .map(|_| words.sample(&mut rng).to_string())
            .collect();
        let target = rng.range(900, 2100);
        let is_session = number >= 10 && rng.chance(30);
        let (path, text) = if is_session {
            let meeting = MEETINGS[rng.below(MEETINGS.len())];
            let path = format!("sessions/{year}/s{number:06}.md");
            let mut materials: Vec<String> = (0..rng.range(1, 3))
                .map(|_| notes[rng.below(notes.len())].path.clone())
                .collect();
            // A material listed twice is a warning.
            let mut listed = std::collections::HashSet::new();
            materials.retain(|material| listed.insert(material.clone()));
            // Numbered within the meeting's year, as offices number them (a title twice is a
            // warning: a record copied and left as it was).
            let count = session_numbers.entry((meeting, year)).or_insert(0u32);
            *count += 1;
            let title = format!("{meeting}第一议题学习（{year}年第{count}次）");
            let topic = title_text(&mut rng, &words);
            let front = format!(
                "---\ntitle: {title}\nkind: session\ndate: {date}\nmeeting: {meeting}\ntopic: {topic}\nhost: {}\nattendees: {}\nmaterials: [{}]\ntags: [{}]\n---\n\n",
                HOSTS[rng.below(HOSTS.len())],
                rng.range(5, 40),
                materials.join(", "),
                tag_list.join(", ")
            );
            (
                path.clone(),
                front + &body(&mut rng, &words, &path, &notes, target),
            )
        } else {
            let topic = rng.below(TOPICS.len());
            let path = format!("{}/{year}/n{number:06}.md", TOPICS[topic]);
            let title = title(&mut rng, &words, "学习笔记");
            let front = format!(
                "---\ntitle: {title}\ndate: {date}\ntags: [{}]\n---\n\n",
                tag_list.join(", ")
            );
            let text = front + &body(&mut rng, &words, &path, &notes, target);
            notes.push(PageInfo {
                path: path.clone(),
                title,
            });
            (path, text)
        };
        markdown_bytes += text.len();
        write(&out, &format!("content/{path}"), &text)?;
    }
    eprintln!(
        "wrote {pages} pages ({} notes), {:.1} MB of Markdown, to {}",
        notes.len(),
        markdown_bytes as f64 / 1e6,
        out.display()
    );
    Ok(())
}

fn title_text(rng: &mut Rng, words: &Vocabulary) -> String {
    format!("学习{}{}", words.sample(rng), words.sample(rng))
}
