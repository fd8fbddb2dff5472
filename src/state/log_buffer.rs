//! The log view's lines: a bounded ring (the oldest lines go first), each line numbered for
//! good so a paused view keeps its place while lines arrive and leave, and the numbers of the
//! lines a filter keeps, maintained as lines arrive.

use std::collections::VecDeque;

use k8s_openapi::jiff::Timestamp;
use regex::Regex;

use crate::model::log_line::{LogLine, printable};

/// One row of the log: a container's line, or a boundary podscope inserts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Which of the view's containers wrote it.
    pub source: usize,
    pub boundary: bool,
    /// The timestamp as the server sent it (empty when none), ready to draw.
    pub stamp: String,
    /// The line, ready to draw (see [`printable`]).
    pub text: String,
    pub time: Option<Timestamp>,
}

impl Entry {
    pub fn line(source: usize, line: &LogLine) -> Entry {
        Entry {
            source,
            boundary: false,
            stamp: String::from_utf8_lossy(line.stamp()).into_owned(),
            text: printable(line.body()),
            time: line.time,
        }
    }

    pub fn boundary(source: usize, text: String, time: Option<Timestamp>) -> Entry {
        Entry {
            source,
            boundary: true,
            stamp: String::new(),
            text,
            time,
        }
    }
}

/// A search or filter pattern: a regex, or the literal text when it is not one; lower-case
/// patterns ignore case ("smart case", as in less and ripgrep).
#[derive(Debug, Clone)]
pub struct Pattern {
    pub text: String,
    pub regex: Regex,
    /// Set when the text was not a valid regex and is matched literally.
    pub literal: bool,
}

impl Pattern {
    pub fn new(text: &str) -> Option<Pattern> {
        if text.is_empty() {
            return None;
        }
        let insensitive = !text.chars().any(char::is_uppercase);
        let build = |source: &str| {
            regex::RegexBuilder::new(source)
                .case_insensitive(insensitive)
                .size_limit(1 << 20)
                .build()
        };
        let (regex, literal) = match build(text) {
            Ok(r) => (r, false),
            Err(_) => (build(&regex::escape(text)).ok()?, true),
        };
        Some(Pattern {
            text: text.to_string(),
            regex,
            literal,
        })
    }

    pub fn matches(&self, entry: &Entry) -> bool {
        self.regex.is_match(&entry.text)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.text == other.text
    }
}

/// Keep only lines that match (or, inverted, that do not). Boundaries always stay.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub pattern: Pattern,
    pub inverse: bool,
}

impl Filter {
    pub fn keeps(&self, entry: &Entry) -> bool {
        entry.boundary || self.pattern.matches(entry) != self.inverse
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogBuffer {
    entries: VecDeque<Entry>,
    /// The number of `entries[0]`; numbers only grow.
    first: u64,
    capacity: usize,
    filter: Option<Filter>,
    /// Numbers of the entries the filter keeps, oldest first (all entries when no filter).
    kept: VecDeque<u64>,
}

impl LogBuffer {
    pub fn new(capacity: usize) -> LogBuffer {
        LogBuffer {
            entries: VecDeque::new(),
            first: 0,
            capacity: capacity.max(1),
            filter: None,
            kept: VecDeque::new(),
        }
    }

    pub fn clear(&mut self) {
        self.first += self.entries.len() as u64;
        self.entries.clear();
        self.kept.clear();
    }

    /// All lines held (before filtering).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many lines the filter keeps.
    pub fn shown(&self) -> usize {
        self.kept.len()
    }

    pub fn filter(&self) -> Option<&Filter> {
        self.filter.as_ref()
    }

    /// The entry with this number, if still held.
    pub fn get(&self, number: u64) -> Option<&Entry> {
        let i = number.checked_sub(self.first)?;
        self.entries.get(usize::try_from(i).ok()?)
    }

    /// The number of the `i`-th kept line.
    pub fn kept_number(&self, i: usize) -> Option<u64> {
        self.kept.get(i).copied()
    }

    /// Where a line number sits among the kept lines: its index, or where it would go.
    pub fn kept_index(&self, number: u64) -> Result<usize, usize> {
        self.kept.binary_search(&number)
    }

    /// Add lines at the end; older lines go when the capacity is reached.
    pub fn extend(&mut self, entries: impl IntoIterator<Item = Entry>) {
        for entry in entries {
            let number = self.first + self.entries.len() as u64;
            if self.filter.as_ref().is_none_or(|f| f.keeps(&entry)) {
                self.kept.push_back(number);
            }
            self.entries.push_back(entry);
        }
        self.evict();
    }

    /// Add lines from another stream that may be older than the newest held line (the
    /// backfill of a merged view): they are placed by time, and the numbering restarts from
    /// the current first number (a paused view may move by the lines inserted above it).
    pub fn merge(&mut self, entries: Vec<Entry>) {
        let newest = self.entries.back().and_then(|e| e.time);
        let in_order = match (newest, entries.first().and_then(|e| e.time)) {
            (Some(newest), Some(first)) => first >= newest,
            _ => true,
        };
        if in_order {
            self.extend(entries);
            return;
        }
        let mut all: Vec<Entry> = self.entries.drain(..).collect();
        all.extend(entries);
        // Stable: lines of one container keep their order; untimed lines stay put after
        // the line before them.
        let mut last = None;
        let mut keyed: Vec<(Option<Timestamp>, usize, Entry)> = all
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                last = e.time.or(last);
                (last, i, e)
            })
            .collect();
        keyed.sort_by_key(|k| (k.0, k.1));
        self.entries = keyed.into_iter().map(|(_, _, e)| e).collect();
        self.rebuild_kept();
        self.evict();
    }

    pub fn set_filter(&mut self, filter: Option<Filter>) {
        self.filter = filter;
        self.rebuild_kept();
    }

    /// The kept entries, oldest first, with their numbers.
    pub fn kept(&self) -> impl DoubleEndedIterator<Item = (u64, &Entry)> {
        self.kept.iter().filter_map(|&n| Some((n, self.get(n)?)))
    }

    fn rebuild_kept(&mut self) {
        let first = self.first;
        let filter = self.filter.as_ref();
        self.kept = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| filter.is_none_or(|f| f.keeps(e)))
            .map(|(i, _)| first + i as u64)
            .collect();
    }

    fn evict(&mut self) {
        while self.entries.len() > self.capacity {
            self.entries.pop_front();
            self.first += 1;
        }
        while self.kept.front().is_some_and(|&n| n < self.first) {
            self.kept.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str, secs: Option<i64>) -> Entry {
        Entry {
            source: 0,
            boundary: false,
            stamp: String::new(),
            text: text.into(),
            time: secs.map(|s| Timestamp::from_second(s).unwrap()),
        }
    }

    #[test]
    fn ring_keeps_the_newest_and_numbers_stay() {
        let mut b = LogBuffer::new(3);
        b.extend((0..5).map(|i| entry(&i.to_string(), None)));
        assert_eq!(b.len(), 3);
        assert_eq!(b.get(2).unwrap().text, "2");
        assert!(b.get(1).is_none());
        assert_eq!(b.kept_number(0), Some(2));
    }

    #[test]
    fn filter_and_inverse() {
        let mut b = LogBuffer::new(10);
        b.extend(["GET /", "POST /x", "get /y"].map(|t| entry(t, None)));
        let pattern = Pattern::new("get").unwrap();
        b.set_filter(Some(Filter {
            pattern: pattern.clone(),
            inverse: false,
        }));
        assert_eq!(b.shown(), 2);
        b.extend([entry("GET /z", None), entry("PUT", None)]);
        assert_eq!(b.shown(), 3);
        b.set_filter(Some(Filter {
            pattern,
            inverse: true,
        }));
        let texts: Vec<&str> = b.kept().map(|(_, e)| e.text.as_str()).collect();
        assert_eq!(texts, ["POST /x", "PUT"]);
    }

    #[test]
    fn patterns_fall_back_to_literal_and_use_smart_case() {
        let p = Pattern::new("a(b").unwrap();
        assert!(p.literal && p.matches(&entry("xa(by", None)));
        assert!(
            !Pattern::new("Error")
                .unwrap()
                .matches(&entry("error", None))
        );
        assert!(
            Pattern::new("error")
                .unwrap()
                .matches(&entry("ERROR", None))
        );
    }

    #[test]
    fn merge_places_a_backfill_by_time() {
        let mut b = LogBuffer::new(10);
        b.extend([entry("a1", Some(1)), entry("a3", Some(3))]);
        b.merge(vec![entry("b2", Some(2)), entry("b4", Some(4))]);
        let texts: Vec<&str> = b.kept().map(|(_, e)| e.text.as_str()).collect();
        assert_eq!(texts, ["a1", "b2", "a3", "b4"]);
    }
}
