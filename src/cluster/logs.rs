//! A container's log stream that keeps going: across a restart (a new instance means a new
//! request, announced with a boundary), across a dropped connection (reconnect with
//! `sinceTime` and drop the lines already seen), and while the container waits to start.
//!
//! Every request asks for timestamps (the reconnect needs them); callers show or strip them.
//! Lines travel in batches over a bounded channel, so a fast writer cannot flood the UI.

use std::time::Duration;

use futures_util::{AsyncBufReadExt, FutureExt};
use k8s_openapi::api::core::v1::Pod as ApiPod;
use k8s_openapi::jiff::Timestamp;
use kube::api::LogParams;
use kube::{Api, Client};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::errors::ApiFailure;
use crate::model::convert::pod_from_api;
use crate::model::log_line::{LogLine, restart_boundary};

mod instances;

use instances::{Next, next_instance};

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSpec {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub follow: bool,
    /// The previous (terminated) instance instead of the current one.
    pub previous: bool,
    /// The previous instance's lines first, then a boundary, then the current ones (when the
    /// container has restarted).
    pub stitch_previous: bool,
    pub tail: Option<i64>,
    pub since_seconds: Option<i64>,
}

/// What a stream reports; `source` is the index of its spec in [`spawn`]'s list.
#[derive(Debug, Clone, PartialEq)]
pub struct LogMsg {
    pub source: usize,
    pub event: LogEvent,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LogEvent {
    Lines(Vec<LogLine>),
    /// A new instance of the container: the boundary text to show before its lines.
    Restarted(String),
    /// Not a log line: waiting for the container, reconnecting.
    Note(String),
    /// The stream is over for good, and why.
    Ended(String),
    /// The first request failed (not found, forbidden, bad container, not started yet).
    Failed(ApiFailure),
}

/// Running streams; dropping this stops them.
pub struct LogStreams {
    tasks: Vec<JoinHandle<()>>,
    pub rx: mpsc::Receiver<LogMsg>,
}

impl Drop for LogStreams {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// Start one stream per spec, all reporting on one channel.
pub fn spawn(client: &Client, specs: Vec<LogSpec>) -> LogStreams {
    let (tx, rx) = mpsc::channel(64);
    let tasks = specs
        .into_iter()
        .enumerate()
        .map(|(source, spec)| {
            let out = Sender {
                source,
                tx: tx.clone(),
            };
            tokio::spawn(stream(client.clone(), spec, out))
        })
        .collect();
    LogStreams { tasks, rx }
}

const BATCH: usize = 1024;
const POLL: Duration = Duration::from_secs(1);

struct Sender {
    source: usize,
    tx: mpsc::Sender<LogMsg>,
}

impl Sender {
    /// `false` once nobody listens.
    async fn send(&self, event: LogEvent) -> bool {
        let msg = LogMsg {
            source: self.source,
            event,
        };
        self.tx.send(msg).await.is_ok()
    }
}

/// The last line delivered: its timestamp and how many delivered lines carry exactly that
/// timestamp (a runtime stamps several lines read at once alike). A reconnect asks for
/// `sinceTime` (whole seconds) and skips what was delivered: everything before `at`, and the
/// first `count` lines at `at`, so a line sharing its stamp with the last one is not lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    at: Timestamp,
    count: usize,
}

impl Seen {
    fn after(seen: Option<Seen>, t: Timestamp) -> Seen {
        match seen {
            Some(s) if s.at == t => Seen {
                at: t,
                count: s.count + 1,
            },
            _ => Seen { at: t, count: 1 },
        }
    }
}

#[derive(Clone, Copy)]
enum Start {
    First,
    NewInstance,
    Resume,
}

/// How a request's body ended.
enum BodyEnd {
    Eof,
    Broken(String),
    Closed,
}

async fn stream(client: Client, spec: LogSpec, out: Sender) {
    let api: Api<ApiPod> = Api::namespaced(client, &spec.namespace);
    let mut restarts = None;
    if (spec.follow || spec.stitch_previous)
        && let Ok(pod) = api.get(&spec.pod).await
    {
        let pod = pod_from_api(&pod, None);
        let status = pod
            .container(&spec.container)
            .and_then(|c| c.status.clone());
        restarts = status.as_ref().map(|s| s.restart_count);
        // A container that has restarted: its previous instance first, then a boundary.
        if let Some(status) = status.filter(|s| s.restart_count > 0)
            && spec.stitch_previous
            && !spec.previous
        {
            if !stitch(&api, &spec, &out).await {
                return;
            }
            let text = restart_boundary(status.last_state.as_ref(), status.restart_count);
            if !out.send(LogEvent::Restarted(text)).await {
                return;
            }
        }
    }
    let mut last_seen: Option<Seen> = None;
    // The first request honours --tail and --since; a new instance is read from its first
    // line; a reconnect resumes after the last line seen.
    let mut start = Start::First;
    let mut waiting_said = String::new();
    loop {
        let mut params = LogParams {
            container: Some(spec.container.clone()),
            follow: spec.follow,
            previous: spec.previous,
            timestamps: true,
            ..LogParams::default()
        };
        match start {
            Start::First => {
                params.tail_lines = spec.tail;
                params.since_seconds = spec.since_seconds;
            }
            Start::NewInstance => {}
            // kube rounds sinceTime to the nearest second, which can skip past unseen
            // lines: ask from the whole second the last line was in.
            Start::Resume => {
                params.since_time =
                    last_seen.and_then(|s| Timestamp::from_second(s.at.as_second()).ok())
            }
        }
        let reader = match api.log_stream(&spec.pod, &params).await {
            Ok(reader) => reader,
            Err(e) => {
                let failure = ApiFailure::from_kube(&e);
                let waiting =
                    failure.code == Some(400) && failure.message.contains("waiting to start");
                if spec.follow && (waiting || failure.code.is_none()) {
                    if failure.message != waiting_said {
                        waiting_said = failure.message.clone();
                        let note = if waiting {
                            failure.message.clone()
                        } else {
                            format!(
                                "cannot reach the log stream ({}); retrying",
                                failure.message
                            )
                        };
                        if !out.send(LogEvent::Note(note)).await {
                            return;
                        }
                    }
                    tokio::time::sleep(POLL).await;
                    continue;
                }
                let _ = out.send(LogEvent::Failed(failure)).await;
                return;
            }
        };
        waiting_said.clear();
        let dedupe = match start {
            Start::Resume => last_seen,
            Start::First | Start::NewInstance => None,
        };
        start = Start::Resume;
        match read_body(reader, dedupe, &mut last_seen, &out).await {
            BodyEnd::Closed => return,
            BodyEnd::Eof if !spec.follow => {
                let _ = out.send(LogEvent::Ended(String::new())).await;
                return;
            }
            BodyEnd::Broken(reason) if !spec.follow => {
                let _ = out
                    .send(LogEvent::Ended(format!("the stream broke: {reason}")))
                    .await;
                return;
            }
            BodyEnd::Broken(reason) => {
                if !out
                    .send(LogEvent::Note(format!(
                        "connection lost ({reason}); reconnecting"
                    )))
                    .await
                {
                    return;
                }
                tokio::time::sleep(POLL).await;
                continue;
            }
            BodyEnd::Eof => {}
        }
        // The instance we followed has ended: restarted, waiting to restart, or done.
        match next_instance(&api, &spec, &mut restarts, &out).await {
            Next::Same => {}
            Next::New(boundary) => {
                if !out.send(LogEvent::Restarted(boundary)).await {
                    return;
                }
                start = Start::NewInstance;
            }
            Next::Done(reason) => {
                let _ = out.send(LogEvent::Ended(reason)).await;
                return;
            }
        }
    }
}

/// The previous instance's lines (the first part of a stitched view). `false` when nobody
/// listens any more.
async fn stitch(api: &Api<ApiPod>, spec: &LogSpec, out: &Sender) -> bool {
    let params = LogParams {
        container: Some(spec.container.clone()),
        previous: true,
        timestamps: true,
        tail_lines: spec.tail,
        since_seconds: spec.since_seconds,
        ..LogParams::default()
    };
    match api.log_stream(&spec.pod, &params).await {
        Ok(reader) => !matches!(
            read_body(reader, None, &mut None, out).await,
            BodyEnd::Closed
        ),
        Err(e) => {
            let note = format!("no previous logs: {}", ApiFailure::from_kube(&e).message);
            out.send(LogEvent::Note(note)).await
        }
    }
}

async fn read_body(
    reader: impl futures_util::AsyncBufRead + Unpin,
    dedupe: Option<Seen>,
    last_seen: &mut Option<Seen>,
    out: &Sender,
) -> BodyEnd {
    let mut reader = reader;
    // Lines at the last delivered stamp still to skip.
    let mut skip_at_seen = dedupe.map_or(0, |s| s.count);
    let mut batch: Vec<LogLine> = Vec::new();
    let mut buf = Vec::with_capacity(256);
    loop {
        // Send what we have whenever the next line is not already buffered.
        let read = match reader.read_until(b'\n', &mut buf).now_or_never() {
            Some(r) => r,
            None => {
                if !batch.is_empty() && !out.send(LogEvent::Lines(std::mem::take(&mut batch))).await
                {
                    return BodyEnd::Closed;
                }
                reader.read_until(b'\n', &mut buf).await
            }
        };
        match read {
            Ok(0) => break,
            Ok(_) => {
                let line = LogLine::parse(std::mem::replace(&mut buf, Vec::with_capacity(256)));
                if line.time.is_none() && line.raw.starts_with(b"unable to retrieve container logs")
                {
                    // The kubelet's answer when the runtime has already removed the instance.
                    let note = String::from_utf8_lossy(&line.raw).into_owned();
                    if !out.send(LogEvent::Note(note)).await {
                        return BodyEnd::Closed;
                    }
                    continue;
                }
                if let (Some(seen), Some(t)) = (dedupe, line.time) {
                    if t < seen.at {
                        continue;
                    }
                    if t == seen.at && skip_at_seen > 0 {
                        skip_at_seen -= 1;
                        continue;
                    }
                }
                if let Some(t) = line.time {
                    *last_seen = Some(Seen::after(*last_seen, t));
                }
                batch.push(line);
                if batch.len() >= BATCH
                    && !out.send(LogEvent::Lines(std::mem::take(&mut batch))).await
                {
                    return BodyEnd::Closed;
                }
            }
            Err(e) => {
                if !batch.is_empty() && !out.send(LogEvent::Lines(batch)).await {
                    return BodyEnd::Closed;
                }
                return BodyEnd::Broken(e.to_string());
            }
        }
    }
    if !batch.is_empty() && !out.send(LogEvent::Lines(batch)).await {
        return BodyEnd::Closed;
    }
    BodyEnd::Eof
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(body: &'static [u8], dedupe: Option<Seen>) -> (Vec<LogEvent>, Option<Seen>) {
        let (tx, mut rx) = mpsc::channel(16);
        let out = Sender { source: 0, tx };
        let mut last = None;
        let end = read_body(futures_util::io::Cursor::new(body), dedupe, &mut last, &out).await;
        assert!(matches!(end, BodyEnd::Eof));
        drop(out);
        let mut events = Vec::new();
        while let Some(m) = rx.recv().await {
            events.push(m.event);
        }
        (events, last)
    }

    fn texts(events: &[LogEvent]) -> Vec<String> {
        events
            .iter()
            .flat_map(|e| match e {
                LogEvent::Lines(lines) => lines
                    .iter()
                    .map(|l| String::from_utf8_lossy(l.body()).into_owned())
                    .collect(),
                LogEvent::Note(n) => vec![format!("note: {n}")],
                _ => Vec::new(),
            })
            .collect()
    }

    #[tokio::test]
    async fn a_reconnect_drops_the_lines_already_seen() {
        let body = b"2026-11-21T10:00:01.100000000Z a\n2026-11-21T10:00:01.200000000Z b\n2026-11-21T10:00:01.300000000Z c\n\xffraw\n";
        let (events, last) = read(body, None).await;
        assert_eq!(texts(&events), ["a", "b", "c", "\u{fffd}raw"]);
        let last = last.unwrap();
        assert_eq!(
            (last.at.to_string().as_str(), last.count),
            ("2026-11-21T10:00:01.3Z", 1)
        );
        // Resuming with sinceTime=10:00:01 (whole seconds) sends a and b again: dropped.
        let at: Timestamp = "2026-11-21T10:00:01.200000000Z".parse().unwrap();
        let (events, _) = read(body, Some(Seen { at, count: 1 })).await;
        assert_eq!(texts(&events), ["c", "\u{fffd}raw"]);
    }

    #[tokio::test]
    async fn lines_sharing_a_stamp_are_neither_lost_nor_doubled_on_a_reconnect() {
        // Three lines read at once carry one stamp; the first connection ended after two.
        let first = b"2026-11-21T10:00:01.500000000Z 1\n2026-11-21T10:00:01.500000000Z 2\n";
        let (_, seen) = read(first, None).await;
        assert_eq!(seen.unwrap().count, 2);
        let again = b"2026-11-21T10:00:01.500000000Z 1\n2026-11-21T10:00:01.500000000Z 2\n2026-11-21T10:00:01.500000000Z 3\n2026-11-21T10:00:02.000000000Z 4\n";
        let (events, last) = read(again, seen).await;
        assert_eq!(texts(&events), ["3", "4"]);
        assert_eq!(last.unwrap().count, 1);
    }

    #[tokio::test]
    async fn the_kubelets_missing_log_answer_is_a_note() {
        let body = b"unable to retrieve container logs for containerd://abc\n";
        let (events, _) = read(body, None).await;
        assert_eq!(
            texts(&events),
            ["note: unable to retrieve container logs for containerd://abc"]
        );
    }
}
