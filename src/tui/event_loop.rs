//! The one select loop: terminal events, pod reports and a one-second clock come in as
//! messages; the pure `update` turns them into state and effects; the screen is drawn only
//! when something changed, at most about 60 times a second.

use std::io;
use std::time::Duration;

use crossterm::event::Event;
use futures_util::FutureExt;
use k8s_openapi::jiff::Timestamp;
use tokio::time::Instant;

use super::feed::{ClusterFeed, DebugFeed, Feed, LogFeed, PodFeed};
use super::input::{self, TermInput};
use super::render::draw_with_hits;
use super::session;
use super::terminal::{TerminalGuard, copy_to_clipboard};
use crate::logging::log;
use crate::signals::StopSignals;
use crate::state::{App, Effect, ExecOutcome, ExecRequest, Msg, Outcome, update};
use crate::theme::Theme;

const FRAME: Duration = Duration::from_millis(16);

/// Run the TUI until the user quits.
pub async fn run(mut app: App, theme: &Theme, mut feed: Feed) -> io::Result<()> {
    let mut guard = TerminalGuard::enter(app.mouse)?;
    // Where the last frame drew what a click can mean, and the last click (for doubles).
    let mut hits: Vec<crate::state::mouse::Hit> = Vec::new();
    let mut clicks = input::Clicks::default();
    let size = guard.terminal.size()?;
    update(&mut app, Msg::Resize(size.width, size.height));
    if let Feed::Cluster(cluster) = &mut feed {
        cluster.watch(&app.table.scope);
    }
    let mut events = Some(TermInput::start());
    // The terminal closing (SIGHUP), a polite kill (SIGTERM) or an interrupt sent to the
    // process (SIGINT) ends the session like `q`, so the terminal is given back and the
    // caller's cleanup (the demo cluster's processes) still runs.
    let mut stops = StopSignals::new()?;
    let panic_key = debug_panic_key();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut logs = LogFeed::default();
    let mut debug = DebugFeed::default();
    let mut pod = PodFeed::default();
    // One-off requests (a delete) answer here.
    let (answers_tx, mut answers) = tokio::sync::mpsc::channel::<Msg>(16);
    // Port-forwards started with `F`; all of them stop when the loop ends.
    let mut forwards = Forwards::default();
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    loop {
        if dirty && last_draw.elapsed() >= FRAME {
            guard
                .terminal
                .draw(|f| hits = draw_with_hits(f, &app, theme))?;
            dirty = false;
            last_draw = Instant::now();
        }
        let mut msgs: Vec<Msg> = Vec::new();
        tokio::select! {
            event = next_event(&mut events) => {
                match event {
                    Some(Ok(e)) => {
                        panic_if_asked(&e, panic_key);
                        msgs.extend(message(e, &hits, &mut clicks));
                    }
                    Some(Err(e)) => return Err(e),
                    None => return Ok(()),
                }
                // Drain whatever else is already queued (a paste, key repeat) before drawing.
                while let Some(Ok(Ok(e))) = events.as_mut().map(|i| i.rx.try_recv()) {
                    msgs.extend(message(e, &hits, &mut clicks));
                }
            }
            news = cluster_news(&mut feed) => {
                if let Feed::Cluster(cluster) = &mut feed {
                    match news {
                        ClusterNews::Pods(true) => msgs.extend(cluster.read_report()),
                        ClusterNews::Pods(false) => cluster.ended(),
                        ClusterNews::Usage(msg) => msgs.push(msg),
                    }
                }
            }
            msg = logs.next() => {
                msgs.push(msg);
                // Take what else has arrived (a bounded amount) before drawing.
                for _ in 0..64 {
                    match logs.next().now_or_never() {
                        Some(msg) => msgs.push(msg),
                        None => break,
                    }
                }
            }
            (request, result) = debug.ready() => {
                if let Feed::Cluster(cluster) = &mut feed {
                    let kubectl = request.kubectl(app.kubectl.context.as_deref());
                    let msg = match result {
                        Ok(name) => {
                            let exec = ExecRequest {
                                namespace: request.namespace.clone(),
                                pod: request.pod.clone(),
                                container: name,
                                command: None,
                                kubectl,
                                notice: None,
                            };
                            match hand_over(&mut guard, &mut events, &mut stops, cluster, &exec).await? {
                                Some(msg) => msg,
                                None => return Ok(()),
                            }
                        }
                        Err(message) => Msg::ExecEnded {
                            container: request.target.clone(),
                            kubectl,
                            notice: None,
                            outcome: ExecOutcome::Failed(message),
                        },
                    };
                    msgs.push(msg);
                }
            }
            msg = pod.next() => msgs.push(msg),
            Some(msg) = answers.recv() => msgs.push(msg),
            _ = clock.tick() => msgs.push(Msg::Tick(Timestamp::now())),
            stop = stops.recv() => {
                log(&format!("{}: quitting", stop.describe()));
                return Ok(());
            }
            _ = tokio::time::sleep_until(last_draw + FRAME), if dirty => {}
        }
        for msg in msgs {
            let Outcome { redraw, effects } = update(&mut app, msg);
            dirty |= redraw;
            for effect in effects {
                match effect {
                    Effect::Quit => return Ok(()),
                    Effect::Suspend => {
                        if let Some(input) = events.take() {
                            input.stop();
                        }
                        guard.suspend()?;
                        events = Some(TermInput::start());
                        dirty = true;
                    }
                    Effect::Exec(request) => {
                        if let Feed::Cluster(cluster) = &mut feed {
                            match hand_over(&mut guard, &mut events, &mut stops, cluster, &request)
                                .await?
                            {
                                Some(msg) => dirty |= update(&mut app, msg).redraw,
                                None => return Ok(()),
                            }
                        }
                    }
                    Effect::Debug(request) => {
                        if let Feed::Cluster(cluster) = &mut feed {
                            debug.start(cluster.client(), request);
                        }
                    }
                    Effect::Logs(request) => {
                        if let Feed::Cluster(cluster) = &mut feed {
                            logs.start(cluster.client(), &request);
                        }
                    }
                    Effect::StopLogs => logs.stop(),
                    Effect::WatchPod { namespace, name } => {
                        if let Feed::Cluster(cluster) = &mut feed {
                            pod.start(cluster.client(), &namespace, &name);
                            cluster.watch_usage(&namespace);
                        }
                    }
                    Effect::StopWatchingPod => {
                        pod.stop();
                        if let Feed::Cluster(cluster) = &mut feed {
                            cluster.stop_usage();
                        }
                    }
                    Effect::DeletePod(request) => {
                        if let Feed::Cluster(cluster) = &mut feed {
                            let (client, tx) = (cluster.client().clone(), answers_tx.clone());
                            tokio::spawn(async move {
                                let result = crate::cluster::delete::delete_pod(
                                    client,
                                    &request.namespace,
                                    &request.name,
                                )
                                .await;
                                let _ = tx.send(Msg::Deleted { request, result }).await;
                            });
                        }
                    }
                    Effect::PortForward(request) => {
                        if let Feed::Cluster(cluster) = &mut feed {
                            let (client, tx) = (cluster.client().clone(), answers_tx.clone());
                            let key = request.clone();
                            let task = tokio::spawn(crate::cluster::portforward::serve(
                                client, request, tx,
                            ));
                            forwards.0.push((key, task));
                        }
                    }
                    Effect::StopForward(request) => {
                        forwards.0.retain(|(r, task)| {
                            let stop = *r == request;
                            if stop {
                                task.abort();
                            }
                            !stop
                        });
                    }
                    Effect::FetchYaml { namespace, name } => {
                        if let Feed::Cluster(cluster) = &mut feed {
                            pod.fetch_pod(cluster.client(), &namespace, &name);
                        }
                    }
                    Effect::LogTail {
                        container,
                        previous,
                    } => pod.tail(&container, previous),
                    Effect::Save { name, text } => {
                        let msg = Msg::Saved(save(&name, &text));
                        dirty |= update(&mut app, msg).redraw;
                    }
                    Effect::Copy(text) => {
                        if let Err(e) = copy_to_clipboard(&text) {
                            log(&format!("clipboard: {e}"));
                        }
                    }
                    Effect::Rewatch(scope) => {
                        if let Feed::Cluster(cluster) = &mut feed {
                            cluster.watch(&scope);
                        }
                    }
                    Effect::SwitchContext(name) => {
                        if let Feed::Cluster(cluster) = &mut feed {
                            let msg = match cluster.switch_context(&name).await {
                                Ok(source) => Msg::ContextSwitched(source),
                                Err(reason) => Msg::ContextFailed {
                                    context: name.clone(),
                                    reason,
                                },
                            };
                            let switched = matches!(msg, Msg::ContextSwitched(_));
                            dirty |= update(&mut app, msg).redraw;
                            if switched {
                                cluster.watch(&app.table.scope);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Give the terminal to an exec session; the message says how it ended (`None`: the
/// terminal hung up meanwhile, time to quit).
async fn hand_over(
    guard: &mut TerminalGuard,
    events: &mut Option<TermInput>,
    stops: &mut StopSignals,
    cluster: &mut ClusterFeed,
    request: &ExecRequest,
) -> io::Result<Option<Msg>> {
    // Nothing may read the terminal but the session's stdin pump.
    if let Some(input) = events.take() {
        input.stop();
    }
    let spec = session::spec(request);
    let Some(outcome) = session::run(
        guard,
        stops,
        cluster.client(),
        &spec,
        request.notice.as_deref(),
    )
    .await?
    else {
        return Ok(None);
    };
    *events = Some(TermInput::start());
    Ok(Some(Msg::ExecEnded {
        container: request.container.clone(),
        kubectl: request.kubectl.clone(),
        notice: request.notice.clone(),
        outcome,
    }))
}

/// Write saved log lines to a new file in podscope's state directory; its path.
fn save(name: &str, text: &str) -> Result<String, String> {
    let dir = crate::logging::log_path()
        .and_then(|p| Some(p.parent()?.join("logs")))
        .ok_or("no home directory to save into ($HOME and $XDG_STATE_HOME are unset)")?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let stamp = Timestamp::now().strftime("%Y%m%d-%H%M%S");
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("{stamp}_{safe}"));
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

async fn next_event(events: &mut Option<TermInput>) -> Option<io::Result<Event>> {
    match events {
        Some(input) => input.rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Resolves when the watch has a new report (`true`) or has ended (`false`).
/// What the cluster's watches have to say: a new pod report (false: the watch ended) or
/// the metrics API's usage.
enum ClusterNews {
    Pods(bool),
    Usage(Msg),
}

async fn cluster_news(feed: &mut Feed) -> ClusterNews {
    let Feed::Cluster(cluster) = feed else {
        return std::future::pending().await;
    };
    let (reports, metrics) = cluster.channels();
    tokio::select! {
        changed = async {
            match reports {
                Some(rx) => rx.changed().await.is_ok(),
                None => std::future::pending().await,
            }
        } => ClusterNews::Pods(changed),
        msg = async {
            match metrics {
                Some(m) => ClusterFeed::usage(m).await,
                None => std::future::pending().await,
            }
        } => ClusterNews::Usage(msg),
    }
}

fn message(
    event: Event,
    hits: &[crate::state::mouse::Hit],
    clicks: &mut input::Clicks,
) -> Option<Msg> {
    match event {
        Event::Key(k) => input::key(k).map(Msg::Key),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Mouse(m) => clicks.mouse(m, hits),
        _ => None,
    }
}

/// A hidden trigger for the tests that the terminal is given back after a panic: with
/// `PODSCOPE_DEBUG_PANIC_KEY=%` in the environment, typing `%` panics.
fn debug_panic_key() -> Option<char> {
    std::env::var("PODSCOPE_DEBUG_PANIC_KEY")
        .ok()?
        .chars()
        .next()
}

fn panic_if_asked(event: &Event, key: Option<char>) {
    if let (Some(key), Event::Key(k)) = (key, event)
        && k.code == crossterm::event::KeyCode::Char(key)
    {
        panic!("debug panic: {key:?} typed with PODSCOPE_DEBUG_PANIC_KEY set");
    }
}

/// The TUI's port-forward tasks, aborted when it quits (or leaves its loop any other way).
#[derive(Default)]
struct Forwards(
    Vec<(
        crate::state::forward::ForwardRequest,
        tokio::task::JoinHandle<()>,
    )>,
);

impl Drop for Forwards {
    fn drop(&mut self) {
        for (_, task) in &self.0 {
            task.abort();
        }
    }
}
