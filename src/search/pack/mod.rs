//! The static search pack: an export of the Tantivy index that a browser can search with no
//! server, from any static web host and from `file://`.
//!
//! Browsers refuse `fetch` of local files, so every data file is a small script that registers
//! itself: `window.__studybookPack.add(name, data, build)`. The index stays the single source of
//! truth: words, their postings and BM25 statistics are read back from it, so the browser
//! scores with the same numbers; grams are counted from its stored texts with the gram
//! tokenizer's own spans (grams.rs), so the browser finds the same verbatim matches. Documents are numbered in source
//! path order, the server's last tie-break, so the pack is the same in every build of the same
//! sources, byte for byte.
//!
//! Files (under `search/pack/`):
//! - `meta.js`: counts, field statistics, shard counts, documents per text chunk, facet
//!   dictionaries (tags sorted and front-coded) (the first load);
//! - `fold.js`: the normalisation table (full-width, case, Traditional→Simplified);
//! - `docs.js`: the text chunks' alphabet; per document its date, kind, meeting, tags and field
//!   lengths (for filters, facets, ties and BM25), and the length of its text in each gram
//!   field (to place gram occurrences);
//! - `g-N.js`: gram occurrences, sharded by a hash of the gram: the grams as numbers of two
//!   alphabet characters, and per gram field each occurrence's offset in all documents' texts
//!   laid end to end, as Rice-coded gaps (files.rs, `gram_streams`);
//! - `c-N.js`: per CJK character, the documents holding it, the characters that follow it in
//!   a gram (its successors, by alphabet rank), and its positions beside a letter or digit
//!   (boundaries.rs): a one-character query needs one such shard, and so does `2024年`
//!   (`char_entry`);
//! - `v-N.js`: the word vocabulary alone, by a hash of the word, for splitting queries;
//! - `w-N.js`: word postings with term frequencies, sharded by a hash of the word, split into
//!   streams of like values, documents Rice-coded (files.rs, `write_postings_shards`);
//! - `t-N.js`: titles, URLs and text of a few documents each, for results and snippets.
//!
//! Binary parts are LEB128 varints, raw-deflated, then carried 16 bits a code unit in UTF-16
//! files (script.rs): the browser inflates them. Text chunks are coded by character frequency before deflate
//! (alphabet.rs); the alphabet travels at the start of `docs.js`.

mod alphabet;
mod bits;
mod boundaries;
mod documents;
mod files;
mod grams;
mod postings;
mod script;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use rayon::prelude::*;
use serde::Serialize;
use tantivy::schema::Field;
use tantivy::Index;

use super::analyzer::{fold_table, is_cjk_char};
use super::schema::{gram_fields, word_field_boosts, Fields};
use super::segment::{MAX_WORD_CHARS, PIECE_WORD_CHARS};
use alphabet::Alphabet;
use bits::push_ascending;
pub(crate) use bits::{push_varint, read_varint, rice_k, BitReader, BitWriter};
use boundaries::Boundaries;
use documents::{chunk_sizes, front_coded, read_documents, text_chunks, DocsTable, Documents};
pub use files::fnv1a;
use files::{
    gram_shard_count, shard_count, write_gram_shards, write_postings_shards, write_shards, PackFiles,
    MAX_SHARDS,
};
use grams::count_grams;
#[cfg(test)]
pub(crate) use grams::lengths_of as gram_lengths_for_tests;
pub(crate) use grams::Grams;
use postings::{read_words, Words};
use script::{deflate, json, Data, TEXT_LEVEL};
pub use script::{from_text, read_script, script_text, to_text, unpack_binary};

/// Where the pack lives inside the output folder.
pub const PACK_DIR: &str = "search/pack";
/// Version of the pack format, checked by the browser.
pub const FORMAT: u32 = 13;
/// Target size of one vocabulary shard (plain text, compressed by the web server).
const VOCABULARY_SHARD_BYTES: usize = 8 * 1024;

/// The pack's gram counts of `texts`, for the verbatim file's tests.
#[cfg(test)]
pub(crate) fn count_grams_for_tests(texts: &[Vec<String>]) -> Grams {
    count_grams(texts, &grams::lengths_of(texts)).expect("small texts")
}

/// What was written, for the build report and benchmarks.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PackStats {
    pub files: usize,
    pub bytes: u64,
    pub gram_shards: usize,
    pub word_shards: usize,
    pub text_chunks: usize,
}

/// Reads the index in `index_dir` and writes the pack into `pack_dir`, and, with
/// `verbatim_file`, the gram occurrences the server matches verbatim with
/// ([`super::verbatim`]): a full build's index holds no grams of its own.
pub fn write_pack(
    index_dir: &Path,
    pack_dir: &Path,
    verbatim_file: Option<&Path>,
) -> anyhow::Result<PackStats> {
    let stats = write_pack_unless(index_dir, pack_dir, verbatim_file, &|| false)?;
    Ok(stats.expect("never stopped"))
}

/// [`write_pack`], giving up between its steps once `stop` says so (`None`, leaving an
/// unfinished pack without `meta.js`): `serve`'s background export makes way for a full
/// rebuild without holding it up for the whole export (seconds at 10,000 pages on one core).
pub fn write_pack_unless(
    index_dir: &Path,
    pack_dir: &Path,
    verbatim_file: Option<&Path>,
    stop: &(dyn Fn() -> bool + Sync),
) -> anyhow::Result<Option<PackStats>> {
    let (fields, searcher) = open_for_export(index_dir)?;
    let segments = searcher.segment_readers();
    let num_docs: u32 = segments.iter().map(|s| s.max_doc()).sum();
    // With `STUDYBOOK_TIMINGS` (see lib.rs), the time into the export at each step.
    let started = std::time::Instant::now();
    let timings = std::env::var_os("STUDYBOOK_TIMINGS").is_some();
    let cpu_at_start = crate::process_cpu_ms();
    // Each step ends here: timed, then the export gives up if told to.
    let finished = |step: &str| {
        if timings {
            eprintln!(
                "timing:   pack, {step:<30} at {:>6.0} ms{}",
                started.elapsed().as_secs_f64() * 1000.0,
                crate::cpu_between(cpu_at_start, crate::process_cpu_ms()),
            );
        }
        stop()
    };
    let Documents {
        ids,
        rows,
        gram_texts,
        docs_table,
        meetings,
        tags,
    } = read_documents(segments, &fields, num_docs)?;
    if finished("read documents") {
        return Ok(None);
    }
    let word_fields: Vec<(Field, f32)> = word_field_boosts(&fields).to_vec();
    let gram_lengths = gram_lengths(&gram_texts, gram_fields(&fields).len());
    let gram_totals: Vec<u64> = gram_lengths.iter().map(|lengths| lengths.iter().sum()).collect();
    let (grams, words) = rayon::join(
        || count_grams(&gram_texts, &gram_lengths),
        || read_words(segments, &ids, &word_fields, num_docs),
    );
    let Grams { grams, by_char } = grams?;
    if finished("grams and words") {
        return Ok(None);
    }
    let Words {
        words,
        total_tokens,
        fieldnorms,
    } = words?;

    let build = build_id(&rows, &docs_table, &grams, &words, &fieldnorms);
    std::fs::create_dir_all(pack_dir)
        .with_context(|| format!("failed to create `{}`", pack_dir.display()))?;
    let files = PackFiles::new(pack_dir, build.clone());
    let write = |name: &str, data: Data| files.write(name, data);

    // Characters: per CJK character, the documents that hold it and the grams that start with
    // it (its successors), for one-character queries and a lone character inside a phrase.
    // In the terms' byte order: the character alone (`$`) first, then by the next character.
    // Beside them, on the other core, the vocabulary and the word shards.
    let (text, word_files) = rayon::join(
        || {
            let mut successors: BTreeMap<char, Vec<Option<char>>> = BTreeMap::new();
            for (term, _) in &grams {
                let mut chars = term.chars();
                if let Some(first) = chars.next().filter(|&c| is_cjk_char(c)) {
                    successors.entry(first).or_default().push(chars.next());
                }
            }
            for next in successors.values_mut() {
                next.sort_unstable();
            }
            // Text chunks first: their alphabet also numbers the grams.
            let chunks = text_chunks(rows);
            let chunk_sizes = chunk_sizes(&chunks, num_docs);
            let alphabet = Alphabet::of(chunks.iter().map(|(_, json)| json.as_str()));
            (successors, chunks, chunk_sizes, alphabet)
        },
        || write_words(words, word_fields.len(), num_docs, &write),
    );
    let (successors, chunks, chunk_sizes, alphabet) = text;
    let WordFiles {
        vocabulary_shards,
        word_shards,
    } = word_files?;
    let text_chunks = chunks.len();
    if finished("vocabulary and word shards") {
        return Ok(None);
    }
    // Characters, with their positions beside letters and digits; beside them, on the other
    // core, the verbatim file, which only reads the grams (it is mostly one sort and one write).
    let (verbatim_written, char_shards) = rayon::join(
        || {
            verbatim_file.map_or(Ok(()), |path| {
                super::verbatim::write_file(path, &grams, &by_char, &gram_lengths)
            })
        },
        || -> anyhow::Result<usize> {
            let boundaries = Boundaries::scan(&gram_texts);
            let encoded_chars: Vec<(String, Vec<u8>)> = by_char
                .iter()
                .map(|(&c, docs)| {
                    let follow = successors.get(&c).map_or(&[][..], Vec::as_slice);
                    (
                        c.to_string(),
                        char_entry(follow, docs, &alphabet, u64::from(num_docs), |out| {
                            boundaries.encode(c, out)
                        }),
                    )
                })
                .collect();
            let char_shards = shard_count(encoded_chars.iter().map(|(t, p)| t.len() + p.len()).sum());
            write_shards("c", char_shards, encoded_chars, TEXT_LEVEL, &write)?;
            Ok(char_shards)
        },
    );
    verbatim_written?;
    let char_shards = char_shards?;
    drop(gram_texts);
    drop(by_char);
    if finished("characters and verbatim file") {
        return Ok(None);
    }

    // Gram shards, by the whole gram.
    let encoded_grams = grams;
    let gram_shards = gram_shard_count(encoded_grams.iter().map(|(t, p)| t.len() + p.len()).sum());
    write_gram_shards("g", gram_shards, encoded_grams, &alphabet, &gram_totals, &write)?;
    if finished("gram shards") {
        return Ok(None);
    }

    chunks
        .into_par_iter()
        .enumerate()
        .try_for_each(|(number, (_, json))| {
            let name = format!("t-{number}");
            write(&name, Data::Binary(deflate(&alphabet.encode(&json), TEXT_LEVEL)))
        })?;
    if finished("text chunks") {
        return Ok(None);
    }
    // The alphabet first: the browser needs it for every text chunk.
    let alphabet = alphabet.as_string();
    let mut docs_bytes = Vec::new();
    push_varint(&mut docs_bytes, alphabet.len() as u64);
    docs_bytes.extend_from_slice(alphabet.as_bytes());
    docs_bytes.extend_from_slice(&docs_table.bytes);
    for norms in &fieldnorms {
        docs_bytes.extend_from_slice(norms);
    }
    for lengths in &gram_lengths {
        for &length in lengths {
            push_varint(&mut docs_bytes, length);
        }
    }
    write("docs", Data::Binary(deflate(&docs_bytes, TEXT_LEVEL)))?;

    let fold: String = fold_table()
        .into_iter()
        .flat_map(|(from, to)| [from, to])
        .collect();
    write("fold", Data::Json(json(&fold)?))?;

    let meta = serde_json::json!({
        "format": FORMAT,
        "build": build,
        "docs": num_docs,
        "gramShards": gram_shards,
        "wordShards": word_shards,
        "charShards": char_shards,
        "vocabularyShards": vocabulary_shards,
        "chunkSizes": chunk_sizes,
        "wordFields": word_fields.iter().enumerate().map(|(i, (_, boost))| serde_json::json!({ "boost": boost, "totalTokens": total_tokens.get(i).copied().unwrap_or(0) })).collect::<Vec<_>>(),
        "fieldnormTable": fieldnorm_table(),
        "meetings": meetings,
        "tags": front_coded(&tags),
        "stopWords": super::analyzer::STOP_WORDS,
        "maxWordChars": MAX_WORD_CHARS,
        "minCorrectedWordChars": super::suggest::MIN_CORRECTED_WORD_CHARS,
        "maxCorrectionsTried": super::suggest::MAX_CORRECTIONS_TRIED,
        "maxCorrectedPartChars": super::suggest::MAX_CORRECTED_PART_CHARS,
        "minFragmentChars": super::suggest::MIN_FRAGMENT_CHARS,
        "pieceWordChars": PIECE_WORD_CHARS,
        "maxQueryChars": super::query::MAX_QUERY_CHARS,
        "snippetChars": super::query::SNIPPET_CHARS,
        "verbatimScore": super::query::VERBATIM_SCORE,
        "sectionScoreFactor": super::query::SECTION_SCORE_FACTOR,
        "verbatimFieldBonus": super::query::VERBATIM_FIELD_BONUS,
    });
    // Last: a page that finds `meta.js` finds every file it names.
    write("meta", Data::Json(json(&meta)?))?;
    let written = files.finish();
    Ok(Some(PackStats {
        files: written.files,
        bytes: written.bytes,
        gram_shards,
        word_shards,
        text_chunks,
    }))
}

/// Writes only the verbatim file of the index in `index_dir` (see [`super::verbatim`]), which
/// the server's verbatim search needs at once: `serve`'s full rebuilds after the first export
/// the rest of the pack in the background, as after edits.
pub fn write_verbatim(index_dir: &Path, verbatim_file: &Path) -> anyhow::Result<()> {
    let (fields, searcher) = open_for_export(index_dir)?;
    let segments = searcher.segment_readers();
    let num_docs: u32 = segments.iter().map(|s| s.max_doc()).sum();
    let Documents { gram_texts, .. } = read_documents(segments, &fields, num_docs)?;
    let gram_lengths = gram_lengths(&gram_texts, gram_fields(&fields).len());
    let Grams { grams, by_char } = count_grams(&gram_texts, &gram_lengths)?;
    drop(gram_texts);
    super::verbatim::write_file(verbatim_file, &grams, &by_char, &gram_lengths)
}

/// The index in `index_dir`, opened to be exported: its fields and a searcher over its
/// segments, which hold no deleted documents (pack ids are the documents' places).
fn open_for_export(index_dir: &Path) -> anyhow::Result<(Fields, tantivy::Searcher)> {
    let index = Index::open_in_dir(index_dir).context("cannot reopen the search index to export it")?;
    let fields = Fields::from_schema(&index.schema())?;
    let searcher = index.reader()?.searcher();
    anyhow::ensure!(
        searcher
            .segment_readers()
            .iter()
            .all(|segment| !segment.has_deletes()),
        "the search index has deleted documents; merge it before exporting"
    );
    Ok((fields, searcher))
}

/// Each gram field's text lengths, `lengths[field][doc]`: a gram occurrence is coded as its
/// offset in the field's texts laid end to end. Positions are character offsets of the
/// normalised text, which has as many characters.
fn gram_lengths(gram_texts: &[Vec<String>], fields: usize) -> Vec<Vec<u64>> {
    (0..fields)
        .map(|field| {
            gram_texts
                .par_iter()
                .map(|texts| texts[field].chars().count() as u64)
                .collect()
        })
        .collect()
}

/// How many vocabulary and word shards [`write_words`] wrote.
struct WordFiles {
    vocabulary_shards: usize,
    word_shards: usize,
}

/// Writes the vocabulary, in small shards: a query looks up every substring of itself to
/// split it into words, and only then needs the postings of the few words it chose; and the
/// word shards, by the whole word.
fn write_words(
    words: Vec<(String, Vec<u8>)>,
    fields: usize,
    num_docs: u32,
    write: &(impl Fn(&str, Data) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<WordFiles> {
    let word_shards = shard_count(words.iter().map(|(t, p)| t.len() + p.len()).sum());
    let vocabulary_bytes: usize = words.iter().map(|(t, _)| t.len() + 1).sum();
    let vocabulary_shards = vocabulary_bytes
        .div_ceil(VOCABULARY_SHARD_BYTES)
        .clamp(1, MAX_SHARDS);
    let mut vocabulary: Vec<String> = vec![String::new(); vocabulary_shards];
    for (term, _) in &words {
        let shard = &mut vocabulary[fnv1a(term) as usize % vocabulary_shards];
        if !shard.is_empty() {
            shard.push('\n');
        }
        shard.push_str(term);
    }
    for (number, terms) in vocabulary.iter().enumerate() {
        write(&format!("v-{number}"), Data::Json(json(terms)?))?;
    }
    write_postings_shards("w", word_shards, words, fields, u64::from(num_docs), write)?;
    Ok(WordFiles {
        vocabulary_shards,
        word_shards,
    })
}

/// A character's entry in its `c-` shard: the count of its successors in the alphabet (the
/// character alone, at the end of a run, counts as the alphabet's size), the UTF-8 of the
/// others; its document count; the bits (successor ranks, then documents, each an ascending
/// Rice-coded list: see [`push_ascending`]), after their byte count; then its boundaries.
fn char_entry(
    follow: &[Option<char>],
    docs: &[u32],
    alphabet: &Alphabet,
    num_docs: u64,
    boundaries: impl FnOnce(&mut Vec<u8>),
) -> Vec<u8> {
    let mut ranks: Vec<u64> = Vec::with_capacity(follow.len());
    let mut others = String::new();
    for next in follow {
        match next.map(|c| alphabet.rank(c).ok_or(c)) {
            None => ranks.push(alphabet.len() as u64),
            Some(Ok(rank)) => ranks.push(rank as u64),
            Some(Err(c)) => others.push(c),
        }
    }
    ranks.sort_unstable();
    let mut bits = BitWriter::default();
    push_ascending(&mut bits, &ranks, alphabet.len() as u64 + 1);
    push_ascending(&mut bits, docs, num_docs);
    let bits = bits.finish();
    let mut out = Vec::new();
    push_varint(&mut out, ranks.len() as u64);
    push_varint(&mut out, others.len() as u64);
    out.extend_from_slice(others.as_bytes());
    push_varint(&mut out, docs.len() as u64);
    push_varint(&mut out, bits.len() as u64);
    out.extend_from_slice(&bits);
    boundaries(&mut out);
    out
}

/// The pack's build id: a hash of everything its data files are made from (the documents,
/// their postings and field lengths, the format and this program's version), so it changes
/// whenever a file but `meta.js` may, and two builds of the same sources share it, as they
/// share every byte. The token totals live in `meta.js` alone, and a `serve` that merged
/// edits may count them a little differently from a fresh build (tests/incremental.rs): they
/// are left out, so that such a pack keeps the fresh build's id.
fn build_id(
    rows: &[String],
    docs_table: &DocsTable,
    grams: &[(String, Vec<u8>)],
    words: &[(String, Vec<u8>)],
    fieldnorms: &[Vec<u8>],
) -> String {
    let mut digest = crc32fast::Hasher::new();
    digest.update(&FORMAT.to_le_bytes());
    digest.update(env!("CARGO_PKG_VERSION").as_bytes());
    for row in rows {
        digest.update(row.as_bytes());
    }
    digest.update(&docs_table.bytes);
    for (term, postings) in grams.iter().chain(words) {
        digest.update(term.as_bytes());
        digest.update(postings);
    }
    for norms in fieldnorms {
        digest.update(norms);
    }
    format!("{:08x}", digest.finalize())
}

/// The name a pack script registers and its data, decoded: a binary part inflated (its terms
/// show as UTF-8; a text chunk still in its alphabet's code), other data as its JSON text. For
/// tests and tools that look inside a pack.
pub fn decode_script(script: &str) -> anyhow::Result<(String, Vec<u8>)> {
    let (name, data) = registered(script).context("not a pack script: `…add(\"name\",data);`")?;
    // An array of packed texts (postings shards): their streams one after the other.
    let packed_array = data
        .strip_prefix("[\"")
        .and_then(|d| d.strip_suffix("\"]"))
        .and_then(|d| {
            d.split("\",\"")
                .map(|text| unpack_binary(text).or_else(|| from_text(text)))
                .collect::<Option<Vec<_>>>()
        })
        .map(|streams| streams.concat());
    let packed = data
        .strip_prefix('"')
        .and_then(|d| d.strip_suffix('"'))
        .and_then(unpack_binary);
    let decoded = match packed.or(packed_array) {
        Some(bytes) => bytes,
        None => match serde_json::from_str::<serde_json::Value>(data).context("data that does not decode")? {
            serde_json::Value::String(text) => text.into_bytes(),
            other => other.to_string().into_bytes(),
        },
    };
    Ok((name.to_string(), decoded))
}

/// Every data file of the pack in `pack_dir`, by name (`g-0`, `meta`…), decoded as by
/// [`decode_script`] and text chunks back to their JSON.
pub fn decoded_files(pack_dir: &Path) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(pack_dir)? {
        let path = entry?.path();
        let script = read_script(&path)?;
        let (name, data) = decode_script(&script).with_context(|| format!("`{}`", path.display()))?;
        files.insert(name, data);
    }
    let alphabet = files.get("docs").and_then(|docs| {
        let mut at = 0;
        let length = read_varint(docs, &mut at) as usize;
        String::from_utf8(docs.get(at..at + length)?.to_vec()).ok()
    });
    if let Some(alphabet) = alphabet {
        for (name, bytes) in files.iter_mut().filter(|(name, _)| name.starts_with("t-")) {
            *bytes = alphabet::decode(&alphabet, bytes)
                .with_context(|| format!("text chunk {name} does not decode"))?
                .into_bytes();
        }
    }
    Ok(files)
}

/// The name and the data text of a pack script: `…add("name",DATA,"build");`.
pub fn registered(script: &str) -> Option<(&str, &str)> {
    registered_with_build(script).map(|(name, data, _)| (name, data))
}

/// The name, the data text and the build id of a pack script.
pub fn registered_with_build(script: &str) -> Option<(&str, &str, &str)> {
    let call = &script[script.find(".add(\"")? + 6..];
    let (name, rest) = call.split_once("\",")?;
    let (data, build) = rest.trim_end().strip_suffix("\");")?.rsplit_once(",\"")?;
    Some((name, data, build))
}

/// Tantivy's field-length table (fieldnorm id → length), for BM25 in the browser.
fn fieldnorm_table() -> Vec<u32> {
    (0..=255u8)
        .map(tantivy::fieldnorm::FieldNormReader::id_to_fieldnorm)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_entry_codes_successors_by_rank_and_documents_as_bits() {
        let alphabet = Alphabet::of(["学习学"]);
        let follow = [None, Some('习'), Some('学'), Some('校')];
        let entry = char_entry(&follow, &[2, 7, 9], &alphabet, 10, |out| out.push(0xaa));
        let mut at = 0;
        assert_eq!(read_varint(&entry, &mut at), 3, "alone, 习 and 学 are ranked");
        assert_eq!(read_varint(&entry, &mut at), 3);
        assert_eq!(&entry[at..at + 3], "校".as_bytes());
        at += 3;
        assert_eq!(read_varint(&entry, &mut at), 3, "three documents");
        let bytes = read_varint(&entry, &mut at) as usize;
        let mut bits = BitReader::new(&entry[at..at + bytes]);
        // Ranks 学 0, 习 1, alone 2 (the alphabet's size), over a space of 3.
        let k = rice_k(3, 3);
        let ranks: Vec<u64> = (0..3).map(|_| bits.read_rice(k).unwrap()).collect();
        assert_eq!(ranks, [0, 0, 0], "0, 1, 2 as gaps less one");
        let k = rice_k(10, 3);
        let docs: Vec<u64> = (0..3).map(|_| bits.read_rice(k).unwrap()).collect();
        assert_eq!(docs, [2, 4, 1], "2, 7, 9 as gaps less one");
        assert_eq!(&entry[at + bytes..], [0xaa], "the boundaries follow");
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
    }

    #[test]
    fn varints_are_leb128() {
        let mut out = Vec::new();
        push_varint(&mut out, 300);
        assert_eq!(out, [0xac, 0x02]);
    }
}
