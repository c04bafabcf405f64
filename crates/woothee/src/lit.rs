//! Not part of woothee: substring search for its parser in this copy.
//!
//! woothee asks "does the user agent contain this literal?" about 130 times for an ordinary browser, and
//! almost every answer is no. `str`'s searcher builds a Two-Way table for the needle on every call and then
//! walks the user agent (~120 bytes); in the engine's WebAssembly build, without SIMD, that was about a
//! seventh of a login verdict. [`Pairs`] notes once which adjacent byte pairs the user agent has, so a needle
//! with a pair it lacks is answered without a scan; the others get [`find`], a scan for the needle's first
//! byte checked against its last before the rest is compared. Answers are `str::find`'s: on valid UTF-8 a
//! byte-wise match of a UTF-8 needle always starts and ends on character boundaries.

use std::cell::Cell;

/// A 512-bit summary of the adjacent byte pairs of one haystack: a pair that is not set does not occur.
/// Kept in cells so that the parser, which woothee shares by `&self`, can note the agent it is parsing.
#[derive(Default)]
pub(crate) struct Pairs {
    /// Address and length of the haystack the bits describe; any other haystack is searched in full.
    of: Cell<(usize, usize)>,
    bits: [Cell<u64>; 8],
}

fn slot(a: u8, b: u8) -> usize {
    // Multiplicative hashing of the pair into 9 bits.
    ((u32::from(a) << 8 | u32::from(b)).wrapping_mul(0x9E37_79B1) >> 23) as usize
}

impl Pairs {
    pub(crate) fn note(&self, haystack: &str) {
        let mut bits = [0u64; 8];
        for w in haystack.as_bytes().windows(2) {
            let s = slot(w[0], w[1]);
            bits[s / 64] |= 1 << (s % 64);
        }
        for (cell, word) in self.bits.iter().zip(bits) {
            cell.set(word);
        }
        self.of.set((haystack.as_ptr() as usize, haystack.len()));
    }

    /// `haystack.contains(needle)`.
    pub(crate) fn has(&self, haystack: &str, needle: &str) -> bool {
        if self.of.get() == (haystack.as_ptr() as usize, haystack.len()) {
            let absent = needle.as_bytes().windows(2).any(|w| {
                let s = slot(w[0], w[1]);
                self.bits[s / 64].get() & (1 << (s % 64)) == 0
            });
            if absent {
                return false;
            }
        }
        find(haystack, needle).is_some()
    }
}

/// Byte offset of the first occurrence of `needle` in `haystack`, as `haystack.find(needle)`.
pub(crate) fn find(haystack: &str, needle: &str) -> Option<usize> {
    find_bytes(haystack.as_bytes(), needle.as_bytes())
}

/// `haystack.contains(needle)`, without a summary.
pub(crate) fn has(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else { return Some(0) };
    let last_start = haystack.len().checked_sub(needle.len())?;
    let last = needle[needle.len() - 1];
    let mut at = 0;
    while at <= last_start {
        at += position(&haystack[at..=last_start], first)?;
        if haystack[at + needle.len() - 1] == last && haystack[at + 1..at + needle.len()] == *rest {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// The first index of `byte`, eight bytes at a time: the WebAssembly build has 64-bit integers but no SIMD,
/// and most needles' first byte is absent or late in a user agent.
fn position(haystack: &[u8], byte: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let pattern = ONES * u64::from(byte);
    let mut words = haystack.chunks_exact(8);
    for (i, chunk) in words.by_ref().enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ pattern;
        // A byte of `x` is zero where `byte` is; the lowest flagged byte is always a true zero (a borrow
        // can only flag bytes above one), so it is the first occurrence.
        let zeros = x.wrapping_sub(ONES) & !x & HIGHS;
        if zeros != 0 {
            return Some(i * 8 + (zeros.trailing_zeros() / 8) as usize);
        }
    }
    let tail = haystack.len() - words.remainder().len();
    words.remainder().iter().position(|&b| b == byte).map(|k| tail + k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_is_the_first_occurrence() {
        // Every byte value at every offset of haystacks around the 8-byte word size, with copies after it
        // and the bytes around it one above and below (where a borrow could flag a false match).
        for len in 0..=24 {
            for at in 0..len {
                for byte in [0u8, 1, 0x7f, 0x80, 0xfe, 0xff, b'a'] {
                    let mut h: Vec<u8> = (0..len).map(|i| if i % 2 == 0 { byte.wrapping_add(1) } else { byte.wrapping_sub(1) }).collect();
                    h[at] = byte;
                    for later in (at + 1..len).step_by(3) {
                        h[later] = byte;
                    }
                    assert_eq!(position(&h, byte), Some(at), "{:?} in {:?}", byte, h);
                    h.iter_mut().for_each(|b| {
                        if *b == byte {
                            *b = byte ^ 0x80
                        }
                    });
                    assert_eq!(position(&h, byte), None, "{:?} in {:?}", byte, h);
                }
            }
        }
    }

    #[test]
    fn answers_as_str_find() {
        let haystacks = ["", "a", "ab", "aab", "abab", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0", "ééa€b€", "€€€"];
        let needles = ["", "a", "b", "ab", "ba", "aab", "abab", "ababa", "Chrome/", "Win", "x64)", "0", "€", "€b", "é", "a€", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0!"];
        for h in haystacks {
            for n in needles {
                assert_eq!(find(h, n), h.find(n), "{n:?} in {h:?}");
                assert_eq!(has(h, n), h.contains(n), "{n:?} in {h:?}");
                let pairs = Pairs::default();
                assert_eq!(pairs.has(h, n), h.contains(n), "{n:?} in {h:?}, nothing noted");
                pairs.note(h);
                assert_eq!(pairs.has(h, n), h.contains(n), "{n:?} in {h:?}, noted");
                // Another string at another address is searched in full, not judged by these pairs.
                let other = format!("{n}!");
                assert!(pairs.has(&other, n), "{:?} in {:?} with {:?} noted", n, other, h);
            }
            // Every substring of the haystack is found where str finds it.
            for i in (0..=h.len()).filter(|&i| h.is_char_boundary(i)) {
                for j in (i..=h.len()).filter(|&j| h.is_char_boundary(j)) {
                    assert_eq!(find(h, &h[i..j]), h.find(&h[i..j]), "{:?} in {h:?}", &h[i..j]);
                }
            }
        }
    }
}
