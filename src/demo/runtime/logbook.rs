//! Container output as the kubelet keeps it: every line with the time it was written, one book
//! per container instance, read back with `PodLogOptions` the kubelet's way (tail first, then
//! since, then the byte limit; `reference/k8s-protocol.md` §5.2) and followed while the
//! instance runs.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{BufMut, Bytes, BytesMut};
use tokio::sync::watch;

/// Lines kept per instance; older lines are dropped as a rotated log file would be.
const KEEP: usize = 20_000;

#[derive(Debug, Clone)]
pub struct LogLine {
    pub at: SystemTime,
    /// The line's bytes with its `\n` (the last line of a run may lack it). Not necessarily UTF-8.
    pub bytes: Bytes,
}

/// How far a book has been written: lines ever pushed, and whether the instance has ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub written: u64,
    pub finished: bool,
}

#[derive(Debug)]
pub struct Logbook {
    lines: Mutex<VecDeque<LogLine>>,
    progress: watch::Sender<Progress>,
}

impl Default for Logbook {
    fn default() -> Self {
        Logbook {
            lines: Mutex::new(VecDeque::new()),
            progress: watch::channel(Progress::default()).0,
        }
    }
}

/// `PodLogOptions` as the kubelet applies them.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub tail: Option<usize>,
    /// Lines written before this are dropped (max of sinceSeconds and sinceTime).
    pub since: Option<SystemTime>,
    pub timestamps: bool,
    pub limit_bytes: Option<usize>,
}

impl Logbook {
    pub fn push(&self, at: SystemTime, bytes: Bytes) {
        let Ok(mut lines) = self.lines.lock() else {
            return;
        };
        if lines.len() == KEEP {
            lines.pop_front();
        }
        lines.push_back(LogLine { at, bytes });
        drop(lines);
        self.progress.send_modify(|p| p.written += 1);
    }

    /// The instance has ended: followers finish once they have read everything.
    pub fn finish(&self) {
        self.progress.send_modify(|p| p.finished = true);
    }

    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    /// The lines a request reads now, and the count written so far (where following resumes).
    pub fn select(&self, query: &LogQuery) -> (Vec<LogLine>, u64) {
        let Ok(lines) = self.lines.lock() else {
            return (Vec::new(), 0);
        };
        let written = self.progress.borrow().written;
        let skip = query
            .tail
            .map_or(0, |tail| lines.len().saturating_sub(tail));
        let chosen = lines
            .iter()
            .skip(skip)
            .filter(|l| query.since.is_none_or(|since| l.at >= since))
            .cloned()
            .collect();
        (chosen, written)
    }

    /// Lines pushed after the first `seen` ever written (those already dropped are skipped).
    pub fn after(&self, seen: u64) -> (Vec<LogLine>, u64) {
        let Ok(lines) = self.lines.lock() else {
            return (Vec::new(), seen);
        };
        let written = self.progress.borrow().written;
        let new = (written.saturating_sub(seen) as usize).min(lines.len());
        let start = lines.len() - new;
        (lines.iter().skip(start).cloned().collect(), written)
    }
}

/// Formats lines for the response and enforces `limitBytes` across the whole stream.
#[derive(Debug)]
pub struct LogWriter {
    timestamps: bool,
    remaining: Option<usize>,
}

impl LogWriter {
    pub fn new(query: &LogQuery) -> LogWriter {
        LogWriter {
            timestamps: query.timestamps,
            remaining: query.limit_bytes,
        }
    }

    /// True once the byte limit is used up: the response ends there.
    pub fn exhausted(&self) -> bool {
        self.remaining == Some(0)
    }

    pub fn write(&mut self, lines: &[LogLine]) -> Bytes {
        let mut out = BytesMut::new();
        for line in lines {
            if self.timestamps {
                out.put_slice(rfc3339_nano_fixed(line.at).as_bytes());
                out.put_u8(b' ');
            }
            out.put_slice(&line.bytes);
        }
        if let Some(remaining) = self.remaining.as_mut() {
            out.truncate(*remaining);
            *remaining -= out.len();
        }
        out.freeze()
    }
}

/// Go's `RFC3339NanoFixed` in UTC: always nine fractional digits and `Z`.
pub fn rfc3339_nano_fixed(at: SystemTime) -> String {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:09}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_nanos()
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(lines: &[(u64, &str)]) -> Logbook {
        let book = Logbook::default();
        for (secs, text) in lines {
            book.push(
                UNIX_EPOCH + Duration::from_secs(*secs),
                Bytes::from(format!("{text}\n")),
            );
        }
        book
    }

    fn text(lines: &[LogLine], query: &LogQuery) -> String {
        String::from_utf8_lossy(&LogWriter::new(query).write(lines)).into_owned()
    }

    #[test]
    fn tail_is_applied_before_since() {
        let book = book(&[(10, "a"), (20, "b"), (30, "c"), (40, "d")]);
        let query = LogQuery {
            tail: Some(3),
            since: Some(UNIX_EPOCH + Duration::from_secs(25)),
            ..Default::default()
        };
        let (lines, written) = book.select(&query);
        assert_eq!(text(&lines, &query), "c\nd\n");
        assert_eq!(written, 4);
        let none = LogQuery {
            tail: Some(0),
            ..Default::default()
        };
        assert!(book.select(&none).0.is_empty());
    }

    #[test]
    fn timestamps_have_nine_digits_and_limit_bytes_cuts_mid_line() {
        let at = UNIX_EPOCH + Duration::new(1_795_263_818, 5_000);
        assert_eq!(rfc3339_nano_fixed(at), "2026-11-21T12:23:38.000005000Z");
        assert_eq!(
            rfc3339_nano_fixed(UNIX_EPOCH),
            "1970-01-01T00:00:00.000000000Z"
        );
        let book = book(&[(1, "main previous line 0"), (2, "main previous line 1")]);
        let query = LogQuery {
            limit_bytes: Some(30),
            ..Default::default()
        };
        let mut writer = LogWriter::new(&query);
        let first = writer.write(&book.select(&query).0);
        assert_eq!(&first[..], b"main previous line 0\nmain prev");
        assert!(writer.exhausted());
        assert!(writer.write(&book.select(&query).0).is_empty());
    }

    #[test]
    fn followers_read_only_what_is_new() {
        let book = book(&[(1, "a"), (2, "b")]);
        let (_, seen) = book.select(&LogQuery::default());
        book.push(UNIX_EPOCH, Bytes::from_static(b"c\n"));
        let (new, seen) = book.after(seen);
        assert_eq!(new.len(), 1);
        assert_eq!(&new[0].bytes[..], b"c\n");
        assert!(book.after(seen).0.is_empty());
    }
}
