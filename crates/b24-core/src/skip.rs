//! One bad entry does not sink a page.
//!
//! A response first decodes strictly, straight from the bytes (the fast path every well-formed
//! answer takes). Only when that fails is the body read into a `serde_json::Value` and decoded
//! again with path tracking; while the failure lies inside an entry of a list or map that the
//! spec marks as independent entries ([`crate::Method::SKIP`]), that entry is taken out, recorded
//! as [`Skipped`] (its path in the original body and the error), and decoding is repeated. A
//! failure anywhere else is the usual [`DecodeError`], with its path in the original body.

use std::collections::HashMap;

use serde_json::Value;
use serde_path_to_error::{Path, Segment};

use crate::error::{DecodeError, Skipped};
use crate::method::Step;

/// At most this many entries are left out of one response; past that the body is not what the
/// spec describes and decoding fails.
const MAX_SKIPPED: usize = 1000;

/// A path segment in the coordinates of the value being decoded.
enum Seg<'p> {
    Key(&'p str),
    Index(usize),
}

/// Takes bad entries out of a value and remembers what it took.
pub(crate) struct Skipper<'b> {
    patterns: &'static [&'static [Step]],
    /// Steps from the base to where the patterns start (see [`crate::Method::SKIP_BASE`]).
    within: &'static [Step],
    /// Keys leading to the value the patterns are relative to (`["result"]` in a body).
    base: &'b [&'b str],
    /// Original indices taken out of each list, keyed by the list's original path.
    removed: HashMap<String, Vec<usize>>,
    skipped: Vec<Skipped>,
}

impl<'b> Skipper<'b> {
    pub(crate) fn new(
        patterns: &'static [&'static [Step]],
        within: &'static [Step],
        base: &'b [&'b str],
    ) -> Self {
        Self {
            patterns,
            within,
            base,
            removed: HashMap::new(),
            skipped: Vec::new(),
        }
    }

    /// The entries taken out so far.
    pub(crate) fn into_skipped(self) -> Vec<Skipped> {
        self.skipped
    }

    /// Decoding failed at `path` with `message`: takes the innermost skippable entry holding
    /// that place out of `value` and records it. `false` when there is none (a real error).
    pub(crate) fn skip(&mut self, value: &mut Value, path: &Path, message: &str) -> bool {
        if self.skipped.len() >= MAX_SKIPPED {
            return false;
        }
        let Some(mut segs) = segments(path) else {
            return false;
        };
        segs.extend(inner_segments(message));
        let base = self.base.len();
        let in_base = segs.len() > base
            && self
                .base
                .iter()
                .zip(&segs)
                .all(|(b, s)| matches!(s, Seg::Key(k) if k == b));
        if !in_base {
            return false;
        }
        let Some(inner) = segs.get(base..) else {
            return false;
        };
        let within = self.within.len();
        let in_within = inner.len() > within
            && inner
                .get(..within)
                .is_some_and(|prefix| fits(self.within, prefix));
        if !in_within {
            return false;
        }
        let Some(inner) = inner.get(within..) else {
            return false;
        };
        let Some(len) = (1..=inner.len()).rev().find(|&n| {
            inner
                .get(..n)
                .is_some_and(|prefix| self.patterns.iter().any(|p| fits(p, prefix)))
        }) else {
            return false;
        };
        let Some(entry) = segs.get(..base + within + len) else {
            return false;
        };
        let error_path = self.original(&segs, false);
        if !remove(value, entry) {
            return false;
        }
        let entry_path = self.original(entry, true);
        self.skipped.push(Skipped {
            entry: entry_path,
            error: DecodeError::new(error_path, message),
        });
        true
    }

    /// `path` (of the value being decoded) in the coordinates of the original body.
    pub(crate) fn original_path(&mut self, path: &Path) -> String {
        match segments(path) {
            Some(segs) => self.original(&segs, false),
            None => path.to_string(),
        }
    }

    /// Maps indices back over the entries taken out before; `record` notes that the last
    /// segment (a list index) is being taken out now.
    fn original(&mut self, segs: &[Seg<'_>], record: bool) -> String {
        let mut out = String::new();
        for (i, seg) in segs.iter().enumerate() {
            match seg {
                Seg::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Seg::Index(current) => {
                    let removed = self.removed.get(&out).map_or(&[][..], Vec::as_slice);
                    let original = original_index(removed, *current);
                    if record && i + 1 == segs.len() {
                        let list = self.removed.entry(out.clone()).or_default();
                        list.push(original);
                        list.sort_unstable();
                    }
                    out.push_str(&format!("[{original}]"));
                }
            }
        }
        out
    }
}

/// The original index of the `current`-th entry left in a list from which the (sorted)
/// original indices `removed` were taken.
fn original_index(removed: &[usize], current: usize) -> usize {
    let mut index = current;
    for &r in removed {
        if r <= index {
            index += 1;
        } else {
            break;
        }
    }
    index
}

fn segments(path: &Path) -> Option<Vec<Seg<'_>>> {
    path.iter()
        .map(|s| match s {
            Segment::Seq { index } => Some(Seg::Index(*index)),
            Segment::Map { key } => Some(Seg::Key(key.as_str())),
            Segment::Enum { variant } => Some(Seg::Key(variant.as_str())),
            Segment::Unknown => None,
        })
        .collect()
}

/// The path inside a value that was read whole and then decoded on its own (an object shape of
/// a `one_of` told apart by a key): that decoder names it in front of its message, as
/// "at `mute_list.503`: ...", once per level. Empty when the message names none or the path
/// does not read back (a key with a `.` or `[` in it): the entry then ends where the outer
/// path does.
fn inner_segments(mut message: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    while let Some((inner, rest)) = message
        .strip_prefix("at `")
        .and_then(|m| m.split_once("`: "))
    {
        for part in inner.split('.') {
            let mut pieces = part.split('[');
            if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
                out.push(Seg::Key(key));
            }
            for piece in pieces {
                match piece.strip_suffix(']').and_then(|n| n.parse().ok()) {
                    Some(index) => out.push(Seg::Index(index)),
                    None => return Vec::new(),
                }
            }
        }
        message = rest;
    }
    out
}

/// Whether a path (relative to the base) is exactly an entry the pattern describes.
fn fits(pattern: &[Step], segs: &[Seg<'_>]) -> bool {
    pattern.len() == segs.len()
        && pattern
            .iter()
            .zip(segs)
            .all(|(step, seg)| match (step, seg) {
                (Step::Entry, _) => true,
                (Step::Key(k), Seg::Key(s)) => k == s,
                (Step::Key(_), Seg::Index(_)) => false,
            })
}

/// Takes the value at `segs` out of its list or object.
fn remove(value: &mut Value, segs: &[Seg<'_>]) -> bool {
    let Some((last, parents)) = segs.split_last() else {
        return false;
    };
    let mut here = value;
    for seg in parents {
        let next = match (seg, here) {
            (Seg::Key(k), Value::Object(map)) => map.get_mut(*k),
            (Seg::Index(i), Value::Array(items)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(v) => here = v,
            None => return false,
        }
    }
    match (last, here) {
        (Seg::Key(k), Value::Object(map)) => map.remove(*k).is_some(),
        (Seg::Index(i), Value::Array(items)) if *i < items.len() => {
            items.remove(*i);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_indices_skip_over_removed_ones() {
        assert_eq!(original_index(&[], 3), 3);
        assert_eq!(original_index(&[1], 0), 0);
        assert_eq!(original_index(&[1], 1), 2);
        assert_eq!(original_index(&[1, 2], 1), 3);
        assert_eq!(original_index(&[0, 5], 3), 4);
    }

    #[test]
    fn inner_paths_are_read_from_the_message() {
        let shown = |message: &str| -> Vec<String> {
            inner_segments(message)
                .iter()
                .map(|s| match s {
                    Seg::Key(k) => (*k).to_owned(),
                    Seg::Index(i) => format!("#{i}"),
                })
                .collect()
        };
        assert_eq!(
            shown("at `mute_list.503`: invalid type: null"),
            ["mute_list", "503"]
        );
        assert_eq!(
            shown("at `readed_list[2][0].date`: at `x`: bad"),
            ["readed_list", "#2", "#0", "date", "x"]
        );
        assert!(shown("invalid type: null").is_empty());
        assert!(shown("at `a[b]`: bad").is_empty(), "not a path");
    }
}
