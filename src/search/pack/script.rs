//! The pack's file format: each data file is a script that registers itself
//! (`window.__studybookPack.add(name, data, build)`), as browsers refuse `fetch` of local
//! files; binary parts are deflated and carried 16 bits a UTF-16 code unit in its strings.

use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;

/// Deflate levels. Postings (varint deltas) barely compress: on 10,000 pages zlib-rs's level 2
/// makes the gram and word shards 0.4% larger than its level 3, for less time (its level 1,
/// a faster method, makes the word shards 11% larger). Text and character lists compress
/// well, so they get level 6 (level 1 would make them 17–20% larger).
pub(super) const POSTINGS_LEVEL: u8 = 2;
pub(super) const TEXT_LEVEL: u8 = 6;

/// Raw deflate, by zlib-rs (through flate2): at level 6 it takes 0.43× miniz_oxide's time for
/// output 0.8% larger (40 MB of the generated corpus's Markdown in 64 KiB pieces).
pub(super) fn deflate(bytes: &[u8], level: u8) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(bytes.len() / 2),
        flate2::Compression::new(u32::from(level)),
    );
    // Writing into a vector cannot fail.
    encoder.write_all(bytes).expect("deflate into memory");
    encoder.finish().expect("deflate into memory")
}

/// The inverse of `deflate` and then [`to_text`], for tests and tools that read a pack.
pub fn unpack_binary(text: &str) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let mut inflated = Vec::new();
    flate2::read::DeflateDecoder::new(from_text(text)?.as_slice())
        .read_to_end(&mut inflated)
        .ok()?;
    Some(inflated)
}

/// 16-bit values that cannot stand as one UTF-16 code unit inside a double-quoted JavaScript
/// string of a UTF-16 file: surrogates (a lone one decodes as U+FFFD), the characters that end
/// or escape the string or the line, and those a careless tool might mangle (NUL, the byte
/// order mark, non-characters).
fn is_unsafe_unit(value: u32) -> bool {
    matches!(
        value,
        0xd800..=0xdfff | 0 | 0x0a | 0x0d | 0x22 | 0x5c | 0x2028 | 0x2029 | 0xfeff | 0xfffe | 0xffff
    )
}

/// Binary as text for a JavaScript string literal in a UTF-16 file: 16 bits in two bytes, where
/// base64 carries 6 bits a byte (a quarter smaller than base64), and 10% smaller than 7 bits a
/// UTF-8 byte (base-122's idea, which the pack used before). The first character says whether the last byte is padding
/// (`1`) or not (`0`); then each big-endian pair of bytes is the code unit of that value,
/// except an unsafe value (see `is_unsafe_unit`, 3% of random pairs), which is the
/// character `U+10000 + value`: a surrogate pair whose payload is the value.
pub fn to_text(bytes: &[u8]) -> String {
    let odd = bytes.len() % 2 == 1;
    let mut out = String::with_capacity(bytes.len() / 2 * 3 + 4);
    out.push(if odd { '1' } else { '0' });
    for pair in bytes.chunks(2) {
        let value = u32::from(pair[0]) << 8 | u32::from(pair.get(1).copied().unwrap_or(0));
        let code = if is_unsafe_unit(value) {
            0x1_0000 + value
        } else {
            value
        };
        out.push(char::from_u32(code).expect("a scalar value: surrogates are moved above U+FFFF"));
    }
    out
}

/// The inverse of [`to_text`]; `None` for a text it never writes.
pub fn from_text(text: &str) -> Option<Vec<u8>> {
    let mut chars = text.chars();
    let odd = match chars.next()? {
        '0' => false,
        '1' => true,
        _ => return None,
    };
    let mut out = Vec::with_capacity(text.len());
    for c in chars {
        let value = match c as u32 {
            code if code <= 0xffff && is_unsafe_unit(code) => return None,
            code if code > 0xffff => code - 0x1_0000,
            code => code,
        };
        out.extend_from_slice(&u16::try_from(value).ok()?.to_be_bytes());
    }
    if odd {
        out.pop()?;
    }
    Some(out)
}

/// A pack script as the bytes of its file, with a byte order mark, which browsers obey
/// whatever charset a web server names (an office IIS may say GBK): UTF-16 (little-endian) when
/// that is smaller, as it is for binary carried by [`to_text`] and for Chinese text; otherwise
/// UTF-8.
pub(super) fn script_bytes(script: &str) -> Vec<u8> {
    file_bytes(&script.encode_utf16().collect::<Vec<u16>>())
}

/// The file of a script given as UTF-16 code units (see [`script_bytes`]): UTF-16 with its
/// mark, or UTF-8 with its mark where that is no larger (tiny files and plain ASCII).
fn file_bytes(units: &[u16]) -> Vec<u8> {
    let utf8_len: usize = units
        .iter()
        .map(|&unit| match unit {
            0..=0x7f => 1,
            0x80..=0x7ff => 2,
            // Each half of a pair: four bytes for the two.
            0xd800..=0xdfff => 2,
            _ => 3,
        })
        .sum();
    if 2 + units.len() * 2 >= utf8_len + 3 {
        let text = String::from_utf16(units).expect("a script's pairs are whole");
        return [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat();
    }
    let mut bytes = Vec::with_capacity(2 + units.len() * 2);
    bytes.extend_from_slice(&[0xff, 0xfe]);
    for &unit in units {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

/// The text of a pack script file, UTF-8 or UTF-16 by its byte order mark (see
/// `script_bytes`); `None` if it is neither.
pub fn script_text(bytes: &[u8]) -> Option<String> {
    match bytes {
        [0xff, 0xfe, rest @ ..] if rest.len() % 2 == 0 => {
            let units = rest.chunks(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
            char::decode_utf16(units).collect::<Result<String, _>>().ok()
        }
        _ => String::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes).to_vec()).ok(),
    }
}

/// Reads a pack script file (see [`script_text`]).
pub fn read_script(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    script_text(&bytes).with_context(|| format!("`{}` is neither UTF-8 nor UTF-16", path.display()))
}

/// `data` as JSON, safe inside a script element.
pub(super) fn json(data: &impl Serialize) -> anyhow::Result<String> {
    // `</` must not appear inside a script element's text.
    Ok(serde_json::to_string(data)?.replace("</", "<\\/"))
}

/// The script that registers `data` (a JavaScript expression) under `name` for the pack of
/// build `build`. The browser checks the build of every file against `meta.js`'s, so a page
/// opened before the site was rebuilt notices new files instead of misreading them.
pub(super) fn script(name: &str, data: &str, build: &str) -> String {
    let (head, tail) = script_around(name, build);
    format!("{head}{data}{tail}")
}

/// What a script has before and after its data (see [`script`]).
fn script_around(name: &str, build: &str) -> (String, String) {
    (
        format!("window.__studybookPack&&window.__studybookPack.add(\"{name}\","),
        format!(",\"{build}\");\n"),
    )
}

/// What a pack script registers.
pub(super) enum Data {
    /// A JavaScript expression (JSON, see [`json`]).
    Json(String),
    /// Binary as one string (see [`to_text`]).
    Binary(Vec<u8>),
    /// Binaries as an array of such strings.
    Binaries(Vec<Vec<u8>>),
}

impl Data {
    /// The file of the script that registers this data as `name` for the pack of `build`.
    pub(super) fn script_file(self, name: &str, build: &str) -> Vec<u8> {
        match self {
            Data::Json(data) => script_bytes(&script(name, &data, build)),
            Data::Binary(bytes) => binary_script_bytes(name, &[&bytes], false, build),
            Data::Binaries(texts) => {
                let texts: Vec<&[u8]> = texts.iter().map(Vec::as_slice).collect();
                binary_script_bytes(name, &texts, true, build)
            }
        }
    }
}

/// The file of the script registering binary `data` (see [`script`], [`script_bytes`]), made
/// as UTF-16 code units directly: the same bytes as through [`to_text`] and `script_bytes`,
/// without three copies of the text in UTF-8 (a third of a second of processor time at
/// 10,000 pages, for 70 MB of binary). Strings are quoted by hand: JSON would escape their
/// control characters into six bytes each.
fn binary_script_bytes(name: &str, data: &[&[u8]], array: bool, build: &str) -> Vec<u8> {
    let (head, tail) = script_around(name, build);
    let binary_units: usize = data.iter().map(|bytes| bytes.len().div_ceil(2) + 3).sum();
    let mut units: Vec<u16> =
        Vec::with_capacity(binary_units + binary_units / 16 + head.len() + tail.len() + 2);
    units.extend(head.encode_utf16());
    if array {
        units.push(u16::from(b'['));
    }
    for (number, bytes) in data.iter().enumerate() {
        if number > 0 {
            units.push(u16::from(b','));
        }
        units.push(u16::from(b'"'));
        push_text_units(&mut units, bytes);
        units.push(u16::from(b'"'));
    }
    if array {
        units.push(u16::from(b']'));
    }
    units.extend(tail.encode_utf16());
    file_bytes(&units)
}

/// [`to_text`] of `bytes`, as UTF-16 code units.
fn push_text_units(units: &mut Vec<u16>, bytes: &[u8]) {
    units.push(u16::from(if bytes.len() % 2 == 1 { b'1' } else { b'0' }));
    for pair in bytes.chunks(2) {
        let value = u16::from(pair[0]) << 8 | u16::from(pair.get(1).copied().unwrap_or(0));
        if is_unsafe_unit(u32::from(value)) {
            // U+10000 + value as a surrogate pair: its payload is the value's 16 bits.
            units.push(0xd800 | value >> 10);
            units.push(0xdc00 | (value & 0x3ff));
        } else {
            units.push(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text `data` made by [`to_text`] as a JavaScript string.
    fn quoted(data: &str) -> String {
        format!("\"{data}\"")
    }

    /// An array of texts made by [`to_text`] as JavaScript.
    fn quoted_array(texts: &[String]) -> String {
        format!(
            "[{}]",
            texts
                .iter()
                .map(|text| quoted(text))
                .collect::<Vec<_>>()
                .join(",")
        )
    }

    #[test]
    fn binary_scripts_are_the_bytes_of_their_text_in_the_smaller_encoding() {
        // Pseudo-random bytes, with every unsafe pair (a surrogate pair in the file) among them.
        let mut bytes: Vec<u8> = (0..5_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        for unsafe_value in [
            0xd800u16, 0xdbff, 0xdc00, 0xdfff, 0, 0x0a, 0x0d, 0x22, 0x5c, 0x2028, 0x2029, 0xfeff, 0xfffe,
            0xffff,
        ] {
            bytes.extend_from_slice(&unsafe_value.to_be_bytes());
        }
        for len in [0, 1, 2, 3, 7, 40, 41, 120, 121, 1_000, bytes.len()] {
            let data = &bytes[bytes.len() - len..];
            let single = script("t-3", &quoted(&to_text(data)), "b1");
            assert_eq!(
                binary_script_bytes("t-3", &[data], false, "b1"),
                script_bytes(&single),
                "one string of {len} bytes"
            );
            let several = [data, &bytes[..len / 3], &[]];
            let texts: Vec<String> = several.iter().map(|data| to_text(data)).collect();
            let array = script("g-12", &quoted_array(&texts), "b1");
            assert_eq!(
                binary_script_bytes("g-12", &several, true, "b1"),
                script_bytes(&array),
                "an array, {len} bytes first"
            );
        }
        // Tiny files stay UTF-8, larger ones take UTF-16: both kinds were compared above.
        assert_eq!(
            &binary_script_bytes("t-0", &[&[1, 2]], false, "b")[..3],
            b"\xef\xbb\xbf"
        );
        assert_eq!(
            &binary_script_bytes("t-0", &[&bytes], false, "b")[..2],
            [0xff, 0xfe]
        );
    }

    #[test]
    fn deflate_is_the_same_bytes_on_every_machine() {
        // Two builds of the same sources must write the same pack. flate2 takes whichever
        // backend any crate of the build asks for: this fails if it is no longer zlib-rs.
        let text = "学习贯彻党的二十大精神，学习贯彻党的二十大精神。2024年 abc abc abc".repeat(20);
        let deflated = deflate(text.as_bytes(), TEXT_LEVEL);
        assert_eq!(unpack_binary(&to_text(&deflated)).unwrap(), text.as_bytes());
        assert_eq!(
            (deflated.len(), crc32fast::hash(&deflated)),
            (83, 1_219_153_311),
            "deflate's output changed"
        );
    }

    #[test]
    fn text_round_trips_and_holds_no_unsafe_unit() {
        for bytes in awkward_bytes() {
            let text = to_text(&bytes);
            let units: Vec<u16> = text.encode_utf16().collect();
            for (at, &unit) in units.iter().enumerate() {
                let in_pair = match unit {
                    0xd800..=0xdbff => matches!(units.get(at + 1), Some(0xdc00..=0xdfff)),
                    0xdc00..=0xdfff => at > 0 && matches!(units[at - 1], 0xd800..=0xdbff),
                    _ => false,
                };
                assert!(
                    in_pair || !is_unsafe_unit(u32::from(unit)),
                    "{bytes:?} -> {text:?}"
                );
            }
            assert_eq!(from_text(&text), Some(bytes.clone()), "{text:?}");
        }
        assert_eq!(from_text(""), None);
        assert_eq!(from_text("2ab"), None);
        assert_eq!(from_text("0\n"), None);
        assert_eq!(from_text("1"), None, "a padding byte needs a pair");
    }

    #[test]
    fn a_utf16_file_carries_compressed_data_in_about_its_own_size() {
        let data: Vec<u8> = (0..30_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let file = script_bytes(&script("g-0", &quoted(&to_text(&data)), "0"));
        assert_eq!(&file[..2], [0xff, 0xfe], "UTF-16 with a byte order mark");
        let base64 = data.len().div_ceil(3) * 4;
        let seven_bits = data.len() * 8 / 7;
        assert!(
            file.len() * 100 < data.len() * 105,
            "{} for {}",
            file.len(),
            data.len()
        );
        assert!(
            file.len() * 100 < seven_bits * 92,
            "{} vs {seven_bits}",
            file.len()
        );
        assert!(file.len() * 100 < base64 * 78, "{} vs {base64}", file.len());
        let text = script_text(&file).expect("decodes");
        assert_eq!(
            from_text(&text[text.find(",\"").unwrap() + 2..text.rfind("\",\"").unwrap()]),
            Some(data)
        );
    }

    #[test]
    fn text_scripts_stay_utf8_and_chinese_ones_take_the_smaller_utf16() {
        let ascii = script("meta", "{\"docs\":3}", "0");
        assert_eq!(script_bytes(&ascii), [b"\xef\xbb\xbf", ascii.as_bytes()].concat());
        let chinese = script("v-0", &quoted(&"学习贯彻\\n".repeat(50)), "0");
        let file = script_bytes(&chinese);
        assert!(file.len() < chinese.len(), "{} vs {}", file.len(), chinese.len());
        assert_eq!(script_text(&file).as_deref(), Some(chinese.as_str()));
        assert_eq!(script_text(b"\xef\xbb\xbfab").as_deref(), Some("ab"));
        assert_eq!(script_text(&[0xff, 0xfe, 0x00, 0xd8]), None, "a lone surrogate");
    }

    /// Bytes whose 16-bit pairs include every unsafe value, at every place, and at the end,
    /// in files of even and odd length.
    fn awkward_bytes() -> Vec<Vec<u8>> {
        let mut cases: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        cases.push((0..=255u8).collect());
        cases.push(vec![0; 64]);
        cases.push(vec![0xff; 65]);
        cases.push(Vec::new());
        let unsafe_pairs: Vec<[u8; 2]> = (0..=0xffffu32)
            .filter(|&v| is_unsafe_unit(v))
            .map(|v| (v as u16).to_be_bytes())
            .collect();
        assert_eq!(unsafe_pairs.len(), 2048 + 10);
        cases.push(unsafe_pairs.concat());
        for pair in &unsafe_pairs {
            cases.push(vec![7, pair[0], pair[1]]);
            cases.push(vec![pair[0], pair[1], 7]);
        }
        for length in 1..40 {
            cases.push((0..length).map(|i| (i * 37 + length) as u8).collect());
        }
        cases
    }
}
