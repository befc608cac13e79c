//! Folding text into a name key's words: the one rule shared by `normalise` and by the build
//! script that spells the ISO 20275 legal forms in its tables (`build/legal_forms.rs` includes
//! this file), so that a form in the tables is spelt exactly as a name is normalised.
//!
//! Pure and free of the project's types: it must compile inside the build script too.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// NFKC, lower case, NFKC again (lower-casing may decompose, and the fold must be idempotent),
/// then Traditional → Simplified Chinese one character at a time (`simplified` maps a character
/// to itself when it has no simpler form; its results are NFKC and lower case already). Imports
/// fold every non-ASCII name, so text that is already normal skips the work: the quick check
/// answers for most text, and the second pass is needed only if lower-casing changed something.
pub fn fold(name: &str, simplified: impl Fn(char) -> char) -> String {
    let nfkc = |text: &str| -> String {
        if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
            text.to_string()
        } else {
            text.nfkc().collect()
        }
    };
    let once = nfkc(name);
    let lower = once.to_lowercase();
    let folded = if lower == once { lower } else { nfkc(&lower) };
    // Han characters start at U+2E80 (radicals); everything below keeps its spelling.
    if folded.chars().all(|c| c < '\u{2e80}') {
        return folded;
    }
    folded
        .chars()
        .map(|c| if c < '\u{2e80}' { c } else { simplified(c) })
        .collect()
}

/// The words of folded text: runs of letters, digits and combining marks, ASCII lower-cased
/// (`fold` has lower-cased the rest), one space between them; every other character (`.`, `,`,
/// `(`, `&`, `□`, spaces of every kind) only separates words.
pub fn words(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    let mut gap = false;
    for c in folded.chars() {
        // ASCII answers without the Unicode tables (most names are ASCII).
        let in_word = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            is_word_char(c)
        };
        if in_word {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// A character that belongs to a word: a letter, a digit or a combining mark.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Where a key starts looking in an open-addressed table of `slots` (a power of two): a
/// multiplicative hash of its bytes taken eight at a time (little-endian, the last chunk padded
/// with zeros). The build script places every form by it and the normaliser looks forms up by
/// it, so a lookup is one hash and, mostly, one comparison.
#[inline]
pub fn slot(bytes: impl Iterator<Item = u8>, slots: usize) -> usize {
    let (mut hash, mut chunk, mut len) = (0u64, 0u64, 0u32);
    for byte in bytes {
        chunk |= u64::from(byte) << (8 * (len % 8));
        len += 1;
        if len % 8 == 0 {
            hash = mix(hash, chunk);
            chunk = 0;
        }
    }
    finish(hash, chunk, len, slots)
}

/// `slot` of a whole string, a chunk at a time.
#[inline]
pub fn slot_of(key: &str, slots: usize) -> usize {
    let bytes = key.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let mut hash = 0u64;
    for chunk in &mut chunks {
        hash = mix(hash, u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
    }
    let rest = chunks.remainder();
    let last = if rest.is_empty() {
        0
    } else if bytes.len() >= 8 {
        // The last eight bytes, shifted down to the ones no whole chunk took.
        let tail = u64::from_le_bytes(bytes[bytes.len() - 8..].try_into().expect("eight bytes"));
        tail >> (8 * (8 - rest.len()))
    } else {
        rest.iter()
            .rev()
            .fold(0, |chunk, &byte| chunk << 8 | u64::from(byte))
    };
    finish(hash, last, bytes.len() as u32, slots)
}

/// A 12-bit sketch of a key from its length and its first and last bytes, with no
/// multiplication: the tables keep the bit set of their keys' sketches, so that a word that is no
/// form (most words) is mostly turned away before it is hashed.
#[inline]
pub fn sketch(key: &str) -> usize {
    let bytes = key.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return 0;
    };
    (bytes.len().min(31) << 7) | ((usize::from(first) * 31 + usize::from(last)) & 127)
}

const K: u64 = 0x9e37_79b9_7f4a_7c15;

#[inline]
fn mix(hash: u64, chunk: u64) -> u64 {
    (hash ^ chunk).wrapping_mul(K).rotate_left(29)
}

#[inline]
fn finish(hash: u64, chunk: u64, len: u32, slots: usize) -> usize {
    let hash = (hash ^ chunk ^ u64::from(len)).wrapping_mul(K);
    (hash >> 32) as usize & (slots - 1)
}
