//! Text chunks coded by character frequency before deflate: Chinese text is three UTF-8 bytes
//! a character, which deflate's byte-wise Huffman codes poorly; one byte for each of the 128
//! most frequent characters and two for the next 32,512 make the text chunks a quarter smaller.

/// Characters that get one byte.
const ONE_BYTE: usize = 128;
/// Lead bytes 128..=254 each start 256 two-byte codes.
const TWO_BYTE: usize = 127 * 256;
/// Lead byte of a character outside the alphabet: three bytes of its code point follow.
const LITERAL: u8 = 255;

/// The characters of a text, most frequent first; ties in code point order, so equal texts
/// give equal alphabets.
pub(super) struct Alphabet {
    chars: Vec<char>,
    /// Per code point, its rank plus one (0: not in the alphabet). A table, not a hash map:
    /// every character of the text chunks and every gram is looked up (a hash map's lookups
    /// were 6% of a 10,000-page build's processor time).
    ranks: Vec<u32>,
}

/// Code points: `char::MAX` and below.
const CODE_POINTS: usize = 0x11_0000;

impl Alphabet {
    pub(super) fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> Alphabet {
        let mut counts = vec![0u64; CODE_POINTS];
        for text in texts {
            for c in text.chars() {
                counts[c as usize] += 1;
            }
        }
        let mut chars: Vec<(char, u64)> = counts
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count > 0)
            .filter_map(|(code, &count)| Some((char::from_u32(code as u32)?, count)))
            .collect();
        chars.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        chars.truncate(ONE_BYTE + TWO_BYTE);
        let chars: Vec<char> = chars.into_iter().map(|(c, _)| c).collect();
        let mut ranks = vec![0u32; CODE_POINTS];
        for (rank, &c) in chars.iter().enumerate() {
            ranks[c as usize] = rank as u32 + 1;
        }
        Alphabet { chars, ranks }
    }

    /// A character's place in the alphabet, most frequent first.
    pub(super) fn rank(&self, c: char) -> Option<usize> {
        match self.ranks[c as usize] {
            0 => None,
            rank => Some(rank as usize - 1),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.chars.len()
    }

    /// The alphabet as one string, for the browser.
    pub(super) fn as_string(&self) -> String {
        self.chars.iter().collect()
    }

    pub(super) fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            match self.rank(c) {
                Some(rank) if rank < ONE_BYTE => out.push(rank as u8),
                Some(rank) => {
                    let rank = rank - ONE_BYTE;
                    out.push((ONE_BYTE + rank / 256) as u8);
                    out.push((rank % 256) as u8);
                }
                None => {
                    let code = c as u32;
                    out.extend_from_slice(&[LITERAL, (code >> 16) as u8, (code >> 8) as u8, code as u8]);
                }
            }
        }
        out
    }
}

/// The inverse of [`Alphabet::encode`], given the alphabet's string; `None` for bytes it never
/// writes.
pub fn decode(alphabet: &str, bytes: &[u8]) -> Option<String> {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut out = String::with_capacity(bytes.len() * 2);
    let mut at = 0;
    while at < bytes.len() {
        let lead = bytes[at];
        let c = match lead {
            0..=127 => {
                at += 1;
                *chars.get(usize::from(lead))?
            }
            LITERAL => {
                let code = bytes.get(at + 1..at + 4)?;
                at += 4;
                char::from_u32(u32::from(code[0]) << 16 | u32::from(code[1]) << 8 | u32::from(code[2]))?
            }
            _ => {
                let rank = ONE_BYTE + usize::from(lead - 128) * 256 + usize::from(*bytes.get(at + 1)?);
                at += 2;
                *chars.get(rank)?
            }
        };
        out.push(c);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequent_characters_take_one_byte_and_everything_round_trips() {
        let mut text = "的的的的学习学习，【】 abc\"\\\n\r\0😀".to_string();
        // More than 128 distinct characters, so some take two bytes.
        text.extend((0..300u32).map(|i| char::from_u32(0x4e00 + i).unwrap()));
        let alphabet = Alphabet::of([text.as_str()]);
        assert_eq!(alphabet.chars[0], '的');
        let encoded = alphabet.encode(&text);
        assert_eq!(encoded[0], 0);
        assert!(encoded.len() < text.len());
        assert_eq!(
            decode(&alphabet.as_string(), &encoded).as_deref(),
            Some(text.as_str())
        );
    }

    #[test]
    fn characters_outside_the_alphabet_are_literals() {
        let alphabet = Alphabet::of(["学习"]);
        // Equal counts: code point order, so 习 (U+4E60) before 学 (U+5B66).
        let encoded = alphabet.encode("学x习");
        assert_eq!(encoded, [1, LITERAL, 0, 0, b'x', 0]);
        assert_eq!(decode(&alphabet.as_string(), &encoded).as_deref(), Some("学x习"));
        assert_eq!(decode(&alphabet.as_string(), &[LITERAL, 0]), None);
    }
}
