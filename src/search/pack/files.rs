//! Writing the pack's data files: binary parts as varints, deflated and base64'd inside
//! self-registering scripts, sharded by a hash of their key, each file hashed for the build id.

use std::path::Path;

use anyhow::Context as _;
use base64::Engine as _;
use rayon::prelude::*;
use serde::Serialize;

/// Target size of one postings shard before compression.
const SHARD_BYTES: usize = 32 * 1024;
/// Most files of one kind, whatever the corpus size (hosting limits).
pub(super) const MAX_SHARDS: usize = 1000;

/// FNV-1a over UTF-8 bytes: the shard function, identical in `search.js`.
pub fn fnv1a(text: &str) -> u32 {
    fnv1a_bytes(text.as_bytes())
}

pub(super) fn fnv1a_bytes(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &byte in bytes {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

pub(super) fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Deflate levels. Postings (varint deltas) barely compress: on 10,000 pages level 1 makes the
/// gram shards 1.3% larger than level 6 and takes a third less time. Text and character lists
/// compress well, so they get level 6 (level 1 would make them 17–20% larger).
pub(super) const POSTINGS_LEVEL: u8 = 1;
pub(super) const TEXT_LEVEL: u8 = 6;

pub(super) fn pack_binary(bytes: &[u8], level: u8) -> String {
    let deflated = miniz_oxide::deflate::compress_to_vec(bytes, level);
    base64::engine::general_purpose::STANDARD.encode(deflated)
}

/// A script that registers `data` under `name`.
pub(super) fn script(name: &str, data: &impl Serialize) -> anyhow::Result<String> {
    let json = serde_json::to_string(data)?;
    // `</` must not appear inside a script element's text.
    let json = json.replace("</", "<\\/");
    Ok(format!(
        "window.__studybookPack&&window.__studybookPack.add({},{json});\n",
        serde_json::to_string(name)?
    ))
}

pub(super) fn shard_count(total_bytes: usize) -> usize {
    total_bytes.div_ceil(SHARD_BYTES).clamp(1, MAX_SHARDS)
}

/// Writes `prefix-N.js` shards: a binary of `[count] ([term length][term][postings length][postings])…`.
pub(super) fn write_shards(
    prefix: &str,
    shards: usize,
    entries: Vec<(String, Vec<u8>)>,
    key: impl Fn(&str) -> String,
    level: u8,
    write: &(impl Fn(&str, String) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<()> {
    let mut buckets: Vec<Vec<(String, Vec<u8>)>> = vec![Vec::new(); shards];
    for (term, postings) in entries {
        let shard = fnv1a(&key(&term)) as usize % shards;
        buckets[shard].push((term, postings));
    }
    buckets
        .into_par_iter()
        .enumerate()
        .try_for_each(|(number, bucket)| {
            let mut out = Vec::new();
            push_varint(&mut out, bucket.len() as u64);
            for (term, postings) in bucket {
                push_varint(&mut out, term.len() as u64);
                out.extend_from_slice(term.as_bytes());
                push_varint(&mut out, postings.len() as u64);
                out.extend_from_slice(&postings);
            }
            let name = format!("{prefix}-{number}");
            write(&name, script(&name, &pack_binary(&out, level))?)
        })
}

/// The pack's data files, written from several threads as they are made.
pub(super) struct PackFiles<'a> {
    dir: &'a Path,
    /// Name, CRC-32 and size of every file written.
    written: std::sync::Mutex<Vec<(String, u32, u64)>>,
}

/// What the data files add up to.
pub(super) struct Written {
    pub files: usize,
    pub bytes: u64,
    /// A hash of every data file, in name order: it changes exactly when the data does, so
    /// browsers never mix files of two builds, and identical data gives an identical id.
    pub build_id: u32,
}

impl<'a> PackFiles<'a> {
    pub(super) fn new(dir: &'a Path) -> Self {
        PackFiles {
            dir,
            written: std::sync::Mutex::new(Vec::new()),
        }
    }

    pub(super) fn write(&self, name: &str, text: &str) -> anyhow::Result<()> {
        let path = self.dir.join(format!("{name}.js"));
        std::fs::write(&path, text).with_context(|| format!("failed to write `{}`", path.display()))?;
        self.written.lock().expect("no panics hold this lock").push((
            name.to_string(),
            crc32fast::hash(text.as_bytes()),
            text.len() as u64,
        ));
        Ok(())
    }

    pub(super) fn finish(self) -> Written {
        let mut written = self.written.into_inner().expect("no panics hold this lock");
        written.sort();
        let mut digest = crc32fast::Hasher::new();
        for (name, crc, _) in &written {
            digest.update(name.as_bytes());
            digest.update(&crc.to_le_bytes());
        }
        Written {
            files: written.len(),
            bytes: written.iter().map(|(_, _, size)| size).sum(),
            build_id: digest.finalize(),
        }
    }
}
