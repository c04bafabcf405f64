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
//! half of its time. Those patterns are declared as a [`Run`] (or, for versions in parts such as `17_5`, as
//! [`Parts`]) and matched by a plain scan, which gives the same match and group as the regex (the same test
//! checks that too).

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

/// The shape `(?:L1|L2|…)(F(?:S\d+){min-1,max-1})(?:E1|E2|…)`: one of `literals`, then group 1: a first
/// part (the literal `first`, or `\d+` when it is empty) and up to `max - 1` more parts, each a byte of
/// `seps` and `\d+`, at least `min` parts in all; then, when `ends` is not empty, one of those literals. A
/// version like `17_5` or `10.15.7` between fixed text. Exact when the literals are as for a [`Run`] and
/// neither a separator nor an end's first byte is a digit or (for an end) a separator, so no greedy step
/// ever has to give anything back; `Rx::parts` checks that in debug builds.
pub(crate) struct Parts {
    pub(crate) literals: &'static [&'static str],
    pub(crate) first: &'static str,
    pub(crate) seps: &'static [u8],
    pub(crate) min: usize,
    pub(crate) max: usize,
    pub(crate) ends: &'static [&'static str],
}

enum Matcher {
    Regex { re: Regex, hint: Hint },
    Run(Run),
    Parts(Parts),
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
    /// From a [`Run`] or [`Parts`] scan: the whole match and group 1.
    Scan { haystack: &'h str, whole: Range<usize>, group: Range<usize> },
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
            Caps::Scan { .. } => 2,
        }
    }

    pub(crate) fn get(&self, i: usize) -> Option<Found<'h>> {
        match self {
            Caps::Regex(c) => c.get(i).map(|m| Found { haystack: m.as_str(), range: 0..m.len() }),
            Caps::Scan { haystack, whole, group } => match i {
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
            Caps::Scan { whole, group, .. } => vec![Some(whole.clone()), Some(group.clone())],
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
        debug_assert!(
            valid_literals(literals)
                && !ends.iter().any(|&b| class(b))
                && (0x80..=0xff).all(|b| class(b) == class(0x80)),
            "{} does not have the run shape",
            pattern
        );
        Rx { pattern, matcher: Matcher::Run(Run { literals, class, ends }) }
    }

    /// A pattern of the [`Parts`] shape, matched by a scan (its regex, as for [`Rx::run`], only in the tests).
    pub(crate) fn parts(pattern: &'static str, shape: Parts) -> Rx {
        debug_assert!(
            valid_literals(shape.literals)
                && !shape.seps.iter().any(u8::is_ascii_digit)
                && shape.ends.iter().all(|e| e.bytes().next().is_some_and(|b| !b.is_ascii_digit() && !shape.seps.contains(&b)))
                && (1..=shape.max).contains(&shape.min),
            "{} does not have the parts shape",
            pattern
        );
        Rx { pattern, matcher: Matcher::Parts(shape) }
    }

    pub(crate) fn is_match(&self, haystack: &str) -> bool {
        match &self.matcher {
            Matcher::Run(run) => scan(run, haystack).is_some(),
            Matcher::Parts(parts) => scan_parts(parts, haystack).is_some(),
            // `_at` keeps `^` meaning the start of the haystack, not of the search.
            Matcher::Regex { re, hint } => earliest(hint, haystack).is_some_and(|at| re.is_match_at(haystack, at)),
        }
    }

    pub(crate) fn captures<'h>(&self, haystack: &'h str) -> Option<Caps<'h>> {
        match &self.matcher {
            Matcher::Run(run) => scan(run, haystack),
            Matcher::Parts(parts) => scan_parts(parts, haystack),
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

/// Non-empty ASCII literals (which keeps every search start on a character boundary), none a prefix of
/// another (so at most one matches at a position).
fn valid_literals(literals: &[&str]) -> bool {
    literals.iter().all(|l| !l.is_empty() && l.is_ascii()) && !literals.iter().any(|a| literals.iter().any(|b| a != b && b.starts_with(a)))
}

/// Each occurrence of one of `literals` in turn, left to right, until `rest` accepts what follows it;
/// `rest` gets the haystack and where the literal ends, and answers the group and the match's end.
fn leftmost<'h>(literals: &[&str], haystack: &'h str, rest: impl Fn(&[u8], usize) -> Option<(usize, usize)>) -> Option<Caps<'h>> {
    let mut from = 0;
    loop {
        let (at, len) = literals
            .iter()
            .filter_map(|l| lit::find(&haystack[from..], l).map(|i| (from + i, l.len())))
            .min_by_key(|&(at, _)| at)?;
        let start = at + len;
        if let Some((end, whole_end)) = rest(haystack.as_bytes(), start) {
            return Some(Caps::Scan { haystack, whole: at..whole_end, group: start..end });
        }
        from = at + 1;
    }
}

/// The end of the run of bytes of `class` that starts at `at`.
fn run_end(bytes: &[u8], at: usize, class: impl Fn(u8) -> bool) -> usize {
    at + bytes[at..].iter().take_while(|&&b| class(b)).count()
}

/// The leftmost match of a [`Run`]: a non-empty run after the literal and, if the shape has one, its
/// closing byte.
fn scan<'h>(run: &Run, haystack: &'h str) -> Option<Caps<'h>> {
    leftmost(run.literals, haystack, |bytes, start| {
        let end = run_end(bytes, start, run.class);
        if end == start {
            return None;
        }
        if run.ends.is_empty() {
            return Some((end, end));
        }
        bytes.get(end).filter(|b| run.ends.contains(b)).map(|_| (end, end + 1))
    })
}

/// The leftmost match of a [`Parts`] shape.
fn scan_parts<'h>(shape: &Parts, haystack: &'h str) -> Option<Caps<'h>> {
    leftmost(shape.literals, haystack, |bytes, start| {
        let mut end = if shape.first.is_empty() {
            run_end(bytes, start, |b| b.is_ascii_digit())
        } else if bytes[start..].starts_with(shape.first.as_bytes()) {
            start + shape.first.len()
        } else {
            start
        };
        if end == start {
            return None;
        }
        let mut parts = 1;
        while parts < shape.max
            && bytes.get(end).is_some_and(|b| shape.seps.contains(b))
            && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
        {
            end = run_end(bytes, end + 1, |b| b.is_ascii_digit());
            parts += 1;
        }
        if parts < shape.min {
            return None;
        }
        if shape.ends.is_empty() {
            return Some((end, end));
        }
        shape.ends.iter().find(|e| bytes[end..].starts_with(e.as_bytes())).map(|e| (end, end + e.len()))
    })
}

/// Byte offset of the first ASCII-case-insensitive occurrence of `needle`, a non-empty ASCII literal.
fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}
