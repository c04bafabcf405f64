//! Not part of woothee: the pattern type its parser uses in this copy.
//!
//! `regex-lite` has none of `regex`'s literal optimisations, so a plain unanchored search walks the whole
//! user agent with the matching engine for every pattern — about 15× slower than woothee on `regex`.
//! Each pattern therefore carries a hint written by hand from its source: the literals every match starts
//! with (the search then begins at the first one, or is skipped when none occurs), or a literal every match
//! contains. A hint only ever skips haystacks and positions where the pattern cannot match, so the answers
//! are exactly `regex-lite`'s; the `hints_change_no_answer` test checks that over woothee's test sets.
//!
//! Most of woothee's patterns read a version: a literal, then a run of one character class, sometimes closed
//! by one character (`Chrome/([.0-9]+)`, `MSIE ([.0-9]+);`). Even started at the right place, `regex-lite`'s
//! engine spends about a microsecond on each; the ordinary browser's parse ran three or four of them, over
//! half of its time. Those patterns are declared as a [`Run`] and matched by a plain scan, which gives the
//! same match and group as the regex (the same test checks that too).

use crate::lit;
use regex_lite::{Captures, Regex};
use std::ops::Range;

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

/// The shape `(?:L1|L2|…)(C+)E?`: one of `literals`, a greedy run of bytes of class `C` (group 1), then,
/// when `ends` is not empty, one of those bytes. It matches exactly where the regex does when no literal is a
/// prefix of another (so at most one can match at a position), no byte of `ends` is in the class (so the
/// greedy run never gives anything back), and the class takes either every byte of a multi-byte character or
/// none (so the run ends on a character boundary). `Rx::run` checks all three in debug builds (the tests).
pub(crate) struct Run {
    literals: &'static [&'static str],
    class: fn(u8) -> bool,
    ends: &'static [u8],
}

enum Matcher {
    Regex { re: Regex, hint: Hint },
    Run(Run),
}

/// `[.0-9]`, the version class of most patterns (`\d` is ASCII digits in `regex-lite`).
pub(crate) fn version(b: u8) -> bool {
    b == b'.' || b.is_ascii_digit()
}

pub(crate) struct Rx {
    /// The pattern as woothee wrote it: what a `Run` is held to in the tests.
    #[cfg_attr(not(test), allow(dead_code))]
    pattern: &'static str,
    matcher: Matcher,
}

/// A match: the whole of it, and its groups where the pattern has them.
pub(crate) enum Caps<'h> {
    Regex(Captures<'h>),
    Run { haystack: &'h str, whole: Range<usize>, group: Range<usize> },
}

/// One group of a match.
pub(crate) struct Found<'h> {
    haystack: &'h str,
    range: Range<usize>,
}

impl<'h> Found<'h> {
    pub(crate) fn as_str(&self) -> &'h str {
        &self.haystack[self.range.clone()]
    }
}

impl<'h> Caps<'h> {
    /// The number of groups, the whole match included, as `Captures::len`.
    pub(crate) fn len(&self) -> usize {
        match self {
            Caps::Regex(c) => c.len(),
            Caps::Run { .. } => 2,
        }
    }

    pub(crate) fn get(&self, i: usize) -> Option<Found<'h>> {
        match self {
            Caps::Regex(c) => c.get(i).map(|m| Found { haystack: m.as_str(), range: 0..m.len() }),
            Caps::Run { haystack, whole, group } => match i {
                0 => Some(Found { haystack, range: whole.clone() }),
                1 => Some(Found { haystack, range: group.clone() }),
                _ => None,
            },
        }
    }

    #[cfg(test)]
    pub(crate) fn spans(&self) -> Vec<Option<Range<usize>>> {
        match self {
            Caps::Regex(c) => c.iter().map(|m| m.map(|m| m.range())).collect(),
            Caps::Run { whole, group, .. } => vec![Some(whole.clone()), Some(group.clone())],
        }
    }
}

impl Rx {
    /// The patterns are woothee's constants, so a failure here is a bug caught by every test (as upstream).
    pub(crate) fn new(pattern: &'static str, hint: Hint) -> Rx {
        Rx { pattern, matcher: Matcher::Regex { re: Regex::new(pattern).unwrap(), hint } }
    }

    /// A pattern of the [`Run`] shape, matched by a scan. Its regex is never compiled outside the tests:
    /// each engine request is a fresh instance, where compiling a pattern costs more than the parse.
    pub(crate) fn run(pattern: &'static str, literals: &'static [&'static str], class: fn(u8) -> bool, ends: &'static [u8]) -> Rx {
        // ASCII literals also keep every search start on a character boundary.
        debug_assert!(
            literals.iter().all(|l| !l.is_empty() && l.is_ascii())
                && !literals.iter().any(|a| literals.iter().any(|b| a != b && b.starts_with(a)))
                && !ends.iter().any(|&b| class(b))
                && (0x80..=0xff).all(|b| class(b) == class(0x80)),
            "{} does not have the run shape",
            pattern
        );
        Rx { pattern, matcher: Matcher::Run(Run { literals, class, ends }) }
    }

    pub(crate) fn is_match(&self, haystack: &str) -> bool {
        match &self.matcher {
            Matcher::Run(run) => scan(run, haystack).is_some(),
            // `_at` keeps `^` meaning the start of the haystack, not of the search.
            Matcher::Regex { re, hint } => earliest(hint, haystack).is_some_and(|at| re.is_match_at(haystack, at)),
        }
    }

    pub(crate) fn captures<'h>(&self, haystack: &'h str) -> Option<Caps<'h>> {
        match &self.matcher {
            Matcher::Run(run) => scan(run, haystack),
            Matcher::Regex { re, hint } => earliest(hint, haystack).and_then(|at| re.captures_at(haystack, at)).map(Caps::Regex),
        }
    }

    /// The plain regex, without hint or scan.
    #[cfg(test)]
    pub(crate) fn unhinted(&self) -> Regex {
        Regex::new(self.pattern).unwrap()
    }
}

/// Where a match can begin at the earliest, or None when it cannot occur at all.
fn earliest(hint: &Hint, haystack: &str) -> Option<usize> {
    match *hint {
        Hint::Starts(literals) => literals.iter().filter_map(|l| lit::find(haystack, l)).min(),
        Hint::StartsAsciiCi(literals) => literals.iter().filter_map(|l| find_ascii_ci(haystack, l)).min(),
        Hint::Needs(literal) => lit::has(haystack, literal).then_some(0),
        Hint::NeedsAsciiCi(literal) => find_ascii_ci(haystack, literal).map(|_| 0),
    }
}

/// The leftmost match of a [`Run`]: each literal occurrence in turn, left to right, until one is followed
/// by a non-empty run and, if the shape has one, its closing byte.
fn scan<'h>(run: &Run, haystack: &'h str) -> Option<Caps<'h>> {
    let bytes = haystack.as_bytes();
    let mut from = 0;
    loop {
        let (at, literal) = run
            .literals
            .iter()
            .filter_map(|l| lit::find(&haystack[from..], l).map(|i| (from + i, l.len())))
            .min_by_key(|&(at, _)| at)?;
        let start = at + literal;
        let end = start + bytes[start..].iter().take_while(|&&b| (run.class)(b)).count();
        let closed = run.ends.is_empty() || bytes.get(end).is_some_and(|b| run.ends.contains(b));
        if end > start && closed {
            let whole_end = if run.ends.is_empty() { end } else { end + 1 };
            return Some(Caps::Run { haystack, whole: at..whole_end, group: start..end });
        }
        from = at + 1;
    }
}

/// Byte offset of the first ASCII-case-insensitive occurrence of `needle`, a non-empty ASCII literal.
fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}
