//! Not part of woothee: the pattern type its parser uses in this copy.
//!
//! `regex-lite` has none of `regex`'s literal optimisations, so a plain unanchored search walks the whole
//! user agent with the matching engine for every pattern — about 15× slower than woothee on `regex`.
//! Each pattern therefore carries a hint written by hand from its source: the literals every match starts
//! with (the search then begins at the first one, or is skipped when none occurs), or a literal every match
//! contains. A hint only ever skips haystacks and positions where the pattern cannot match, so the answers
//! are exactly `regex-lite`'s; the `hints_change_no_answer` test checks that over woothee's test sets.

use regex_lite::{Captures, Regex};

pub(crate) enum Hint {
    /// Every match begins with one of these literals (case-sensitive).
    Starts(&'static [&'static str]),
    /// Every match begins with one of these literals, ASCII case-insensitively (patterns under `(?i)`).
    StartsAsciiCi(&'static [&'static str]),
    /// Every match contains this literal.
    Needs(&'static str),
    /// Every match contains this literal, ASCII case-insensitively.
    NeedsAsciiCi(&'static str),
}

pub(crate) struct Rx {
    re: Regex,
    hint: Hint,
}

impl Rx {
    /// The patterns are woothee's constants, so a failure here is a bug caught by every test (as upstream).
    pub(crate) fn new(pattern: &str, hint: Hint) -> Rx {
        Rx { re: Regex::new(pattern).unwrap(), hint }
    }

    /// Where a match can begin at the earliest, or None when it cannot occur at all.
    fn earliest(&self, haystack: &str) -> Option<usize> {
        match self.hint {
            Hint::Starts(literals) => literals.iter().filter_map(|l| haystack.find(l)).min(),
            Hint::StartsAsciiCi(literals) => literals.iter().filter_map(|l| find_ascii_ci(haystack, l)).min(),
            Hint::Needs(literal) => haystack.contains(literal).then_some(0),
            Hint::NeedsAsciiCi(literal) => find_ascii_ci(haystack, literal).map(|_| 0),
        }
    }

    pub(crate) fn is_match(&self, haystack: &str) -> bool {
        // `_at` keeps `^` meaning the start of the haystack, not of the search.
        self.earliest(haystack).is_some_and(|at| self.re.is_match_at(haystack, at))
    }

    pub(crate) fn captures<'h>(&self, haystack: &'h str) -> Option<Captures<'h>> {
        self.earliest(haystack).and_then(|at| self.re.captures_at(haystack, at))
    }

    #[cfg(test)]
    pub(crate) fn unhinted(&self) -> &Regex {
        &self.re
    }
}

/// Byte offset of the first ASCII-case-insensitive occurrence of `needle`, a non-empty ASCII literal.
fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}
