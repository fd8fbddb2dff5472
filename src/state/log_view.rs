//! The log view: which container(s) and which part of their log is asked for, the lines
//! received, and where the reader is (following the newest line, or paused at a line).

use super::commands::quote;
use super::log_buffer::{Entry, Filter, LogBuffer, Pattern};
use super::pod_view::PodView;
use crate::model::log_line::LogLine;
use crate::model::{ContainerRole, PodInsight};

/// Lines asked for when a log opens (`kubectl logs --tail`).
pub const DEFAULT_TAIL: i64 = 500;
/// Lines kept in memory unless the config says otherwise.
pub const DEFAULT_CAPACITY: usize = 100_000;

/// A container whose lines the view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSource {
    pub name: String,
    pub role: ContainerRole,
    pub native_sidecar: bool,
}

/// Which part of the log is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// The last N lines.
    Tail(i64),
    /// The lines of the last N seconds.
    Since(u32),
}

impl Range {
    pub fn label(self) -> String {
        match self {
            Range::Tail(n) => format!("last {n}"),
            Range::Since(s) if s % 3600 == 0 => format!("since {}h", s / 3600),
            Range::Since(s) if s % 60 == 0 => format!("since {}m", s / 60),
            Range::Since(s) => format!("since {s}s"),
        }
    }

    fn flag(self) -> String {
        match self {
            Range::Tail(n) => format!(" --tail {n}"),
            Range::Since(s) if s % 3600 == 0 => format!(" --since {}h", s / 3600),
            Range::Since(s) if s % 60 == 0 => format!(" --since {}m", s / 60),
            Range::Since(s) => format!(" --since {s}s"),
        }
    }
}

/// For a container whose script writes its output to files on a volume rather than to
/// stdout (the logging-sidecar pattern), where those lines go and who reads them.
fn quiet_hint(insight: &PodInsight, container: &str) -> Option<String> {
    use crate::model::role::{file_access, mount_for_path, program_text};
    let c = insight.pod.container(container)?;
    let writes: Vec<(String, String)> = file_access(&program_text(c))
        .writes
        .into_iter()
        .filter_map(|path| Some((mount_for_path(c, &path)?.volume.clone(), path)))
        .collect();
    let (volume, _) = writes.first()?;
    let paths: Vec<&str> = writes.iter().map(|(_, p)| p.as_str()).collect();
    let readers: Vec<&str> = insight
        .pod
        .containers
        .iter()
        .filter(|o| o.name != container && o.mount_of(volume).is_some())
        .map(|o| o.name.as_str())
        .collect();
    let readers = if readers.is_empty() {
        String::new()
    } else {
        format!("; {} reads them (a: all containers)", readers.join(", "))
    };
    Some(format!(
        "{container} writes its output to {} on volume {volume}, not to stdout{readers}",
        paths.join(", ")
    ))
}

/// What the event loop must stream for the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRequest {
    /// Messages carry it back, so lines of an older request are ignored.
    pub stream: u64,
    pub namespace: String,
    pub pod: String,
    pub containers: Vec<String>,
    pub follow: bool,
    pub previous: bool,
    pub stitch_previous: bool,
    pub tail: Option<i64>,
    pub since_seconds: Option<i64>,
}

/// What a log stream reported, for the view.
#[derive(Debug, Clone, PartialEq)]
pub enum LogUpdate {
    Lines(Vec<LogLine>),
    Restarted(String),
    Note(String),
    Ended(String),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogView {
    pub namespace: String,
    pub pod: String,
    /// The container chosen (shown alone unless `all`).
    pub container: String,
    /// Every container of the pod, in kubectl's order; `all` shows them merged.
    pub containers: Vec<LogSource>,
    pub all: bool,
    pub previous: bool,
    pub range: Range,
    pub timestamps: bool,
    pub wrap: bool,
    pub buffer: LogBuffer,
    /// `None`: following, the newest line at the bottom. `Some(n)`: paused, line `n` on top.
    pub top: Option<u64>,
    pub search: Option<Pattern>,
    /// The latest word from the streams (waiting, reconnecting, ended, failed).
    pub note: Option<(bool, String)>,
    pub stream: u64,
    /// The pod view to return to.
    pub back: Option<PodView>,
    /// Why the chosen container's log may stay empty (it writes to files instead).
    pub quiet_hint: Option<String>,
}

impl LogView {
    pub fn open(insight: &PodInsight, container: &str, all: bool, previous: bool) -> LogView {
        let order = [
            crate::model::Section::Init,
            crate::model::Section::Regular,
            crate::model::Section::Ephemeral,
        ];
        let containers = order
            .iter()
            .flat_map(|s| {
                insight
                    .containers()
                    .filter(move |(c, _)| c.section == *s)
                    .map(|(c, r)| LogSource {
                        name: c.name.clone(),
                        role: r.role,
                        native_sidecar: c.native_sidecar,
                    })
            })
            .collect();
        LogView {
            namespace: insight.pod.namespace.clone(),
            pod: insight.pod.name.clone(),
            container: container.to_string(),
            containers,
            all,
            previous,
            range: Range::Tail(DEFAULT_TAIL),
            timestamps: false,
            wrap: false,
            buffer: LogBuffer::new(DEFAULT_CAPACITY),
            top: None,
            search: None,
            note: None,
            stream: 0,
            back: None,
            quiet_hint: quiet_hint(insight, container),
        }
    }

    /// The containers the current request reads, in the order of `LogRequest::containers`.
    pub fn sources(&self) -> impl Iterator<Item = &LogSource> {
        self.containers
            .iter()
            .filter(|c| self.all || c.name == self.container)
    }

    /// The `i`-th container the current request reads (a line's `source`).
    pub fn source(&self, i: usize) -> Option<&LogSource> {
        self.sources().nth(i)
    }

    /// Start over with a new request (after a change of container, range or instance).
    pub fn request(&mut self, stream: u64) -> LogRequest {
        self.stream = stream;
        self.buffer.clear();
        self.top = None;
        self.note = None;
        let (tail, since_seconds) = match self.range {
            Range::Tail(n) => (Some(n), None),
            Range::Since(s) => (None, Some(i64::from(s))),
        };
        LogRequest {
            stream,
            namespace: self.namespace.clone(),
            pod: self.pod.clone(),
            containers: self.sources().map(|s| s.name.clone()).collect(),
            follow: !self.previous,
            previous: self.previous,
            stitch_previous: !self.previous,
            tail,
            since_seconds,
        }
    }

    /// Take in what stream `source` reported.
    pub fn receive(&mut self, source: usize, update: LogUpdate) {
        let name = self
            .source(source)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let prefix = |text: String| {
            if self.all {
                format!("{name}: {text}")
            } else {
                text
            }
        };
        if matches!(update, LogUpdate::Lines(_) | LogUpdate::Restarted(_))
            && self.note.as_ref().is_some_and(|(error, _)| !error)
        {
            // Lines again: the wait or reconnect the note spoke of is over.
            self.note = None;
        }
        match update {
            LogUpdate::Lines(lines) => {
                let entries: Vec<Entry> = lines.iter().map(|l| Entry::line(source, l)).collect();
                if self.all {
                    self.buffer.merge(entries);
                } else {
                    self.buffer.extend(entries);
                }
            }
            LogUpdate::Restarted(text) => {
                let time = self.buffer_newest_time();
                self.buffer
                    .extend([Entry::boundary(source, prefix(text), time)]);
            }
            LogUpdate::Note(text) => self.note = Some((false, prefix(text))),
            LogUpdate::Ended(text) if text.is_empty() => {
                self.note = Some((false, "end of log".to_string()))
            }
            LogUpdate::Ended(text) => self.note = Some((false, prefix(text))),
            LogUpdate::Failed(text) => self.note = Some((true, prefix(text))),
        }
    }

    fn buffer_newest_time(&self) -> Option<k8s_openapi::jiff::Timestamp> {
        self.buffer.kept().next_back().and_then(|(_, e)| e.time)
    }

    pub fn set_filter(&mut self, text: &str) {
        let (inverse, text) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let filter = Pattern::new(text).map(|pattern| Filter { pattern, inverse });
        self.buffer.set_filter(filter);
        self.top = None;
    }

    /// The filter as typed (`!` in front when inverted).
    pub fn filter_text(&self) -> String {
        self.buffer
            .filter()
            .map(|f| format!("{}{}", if f.inverse { "!" } else { "" }, f.pattern.text))
            .unwrap_or_default()
    }

    /// `kubectl logs` for what the view shows.
    pub fn kubectl(&self, context: Option<&str>) -> String {
        let mut s = format!("kubectl logs {}", quote(&self.pod));
        if self.all {
            s.push_str(" --all-containers --prefix");
        } else {
            s.push_str(&format!(" -c {}", quote(&self.container)));
        }
        s.push_str(&format!(" -n {}", quote(&self.namespace)));
        if let Some(ctx) = context {
            s.push_str(&format!(" --context {}", quote(ctx)));
        }
        if self.previous {
            s.push_str(" --previous");
        } else {
            s.push_str(" -f");
        }
        s.push_str(&self.range.flag());
        if self.timestamps {
            s.push_str(" --timestamps");
        }
        s
    }

    /// The text of one entry as the view shows it (prefix and timestamp when on).
    pub fn entry_text(&self, entry: &Entry) -> String {
        let mut s = String::new();
        if self.all && !entry.boundary {
            let name = self
                .source(entry.source)
                .map(|c| c.name.as_str())
                .unwrap_or("?");
            s.push_str(&format!("[{name}] "));
        }
        if self.timestamps && !entry.stamp.is_empty() {
            s.push_str(&entry.stamp);
            s.push(' ');
        }
        s.push_str(&entry.text);
        s
    }

    /// Screen rows an entry takes at this width.
    pub fn rows(&self, entry: &Entry, width: usize) -> usize {
        if !self.wrap || width == 0 {
            return 1;
        }
        let mut wrap = super::wrap::Wrap::new(width);
        for c in self.entry_text(entry).chars() {
            wrap.place(c);
        }
        wrap.rows
    }

    /// The top line when following: the newest lines that fill `height` rows.
    pub fn follow_top(&self, width: usize, height: usize) -> Option<u64> {
        let mut used = 0;
        let mut top = None;
        for (n, e) in self.buffer.kept().rev() {
            used += self.rows(e, width);
            if used > height && top.is_some() {
                break;
            }
            top = Some(n);
        }
        top
    }

    /// The line on top of the screen now.
    pub fn current_top(&self, width: usize, height: usize) -> Option<u64> {
        self.top.or_else(|| self.follow_top(width, height))
    }

    /// Scroll by `delta` kept lines (negative: up). Scrolling pauses following; reaching the
    /// bottom does not resume it (G or f does).
    pub fn scroll(&mut self, delta: isize, width: usize, height: usize) {
        let Some(top) = self.current_top(width, height) else {
            return;
        };
        let here = match self.buffer.kept_index(top) {
            Ok(i) | Err(i) => i,
        };
        let lowest = self
            .follow_top(width, height)
            .and_then(|n| self.buffer.kept_index(n).ok())
            .unwrap_or(0);
        let target = here.saturating_add_signed(delta).min(lowest);
        self.top = self.buffer.kept_number(target);
    }

    /// Go to the next (`forward`) or previous line matching the search; `false` if none.
    pub fn jump_to_match(&mut self, forward: bool, width: usize, height: usize) -> bool {
        let Some(pattern) = &self.search else {
            return false;
        };
        let top = self.current_top(width, height);
        let found = if forward {
            let from = top.map_or(0, |t| t + 1);
            self.buffer
                .kept()
                .find(|(n, e)| *n >= from && pattern.matches(e))
        } else {
            // Following: the newest match; paused: the one above the top line.
            let before = if self.top.is_none() {
                u64::MAX
            } else {
                top.unwrap_or(0)
            };
            self.buffer
                .kept()
                .rev()
                .find(|(n, e)| *n < before && pattern.matches(e))
        };
        match found {
            Some((n, _)) => {
                self.top = Some(n);
                true
            }
            None => false,
        }
    }

    /// The lines shown, as text, for saving to a file.
    pub fn saved_text(&self) -> String {
        let mut text = String::new();
        for (_, e) in self.buffer.kept() {
            text.push_str(&self.entry_text(e));
            text.push('\n');
        }
        text
    }
}
