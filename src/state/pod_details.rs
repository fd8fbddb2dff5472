//! What podscope learns about the pod on screen beyond the watch: its events (watched while
//! the pod is open) and the last log lines its findings point at, and the findings worked out
//! again with them. Pure: the event loop runs the watch the effects ask for and sends back
//! what it reports.

use std::collections::BTreeMap;

use crate::model::PodInsight;
use crate::model::event::PodEvent;
use crate::model::findings::{Finding, NextKey, Observed, diagnose};

use super::{App, Effect, Outcome, Screen, Source};

/// Lines of log a finding quotes.
pub const TAIL_LINES: i64 = 3;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodDetails {
    pub namespace: String,
    pub name: String,
    pub events: Vec<PodEvent>,
    pub logs: BTreeMap<String, Vec<String>>,
    pub previous_logs: BTreeMap<String, Vec<String>>,
    /// Tails asked for: (container, previous instance?, the container's restart count then).
    requested: Vec<(String, bool, i32)>,
    /// The findings with all of the above, worst first.
    pub findings: Vec<Finding>,
}

/// What the pod watch reported.
#[derive(Debug, Clone, PartialEq)]
pub enum PodNews {
    Events(Vec<PodEvent>),
    LogTail {
        container: String,
        previous: bool,
        lines: Vec<String>,
    },
}

/// The pod the screen is about (its view, volumes or logs), on a cluster.
fn open_pod(app: &App) -> Option<(&str, &str)> {
    if !matches!(app.source, Source::Cluster { .. }) {
        return None;
    }
    match &app.screen {
        Screen::List => None,
        Screen::Pod(v) => Some((&v.namespace, &v.name)),
        Screen::Volumes(v) => Some((&v.namespace, &v.name)),
        Screen::Diagram(v) => Some((&v.namespace, &v.name)),
        Screen::Logs(v) => Some((&v.namespace, &v.pod)),
        Screen::Yaml(v) => Some((&v.namespace, &v.name)),
    }
}

/// Start or stop watching as the open pod changes; call after every update.
pub fn follow_screen(app: &mut App, out: &mut Outcome) {
    let open = open_pod(app).map(|(ns, n)| (ns.to_string(), n.to_string()));
    let current = app
        .details
        .as_ref()
        .map(|d| (d.namespace.clone(), d.name.clone()));
    if open == current {
        return;
    }
    if current.is_some() {
        out.effects.push(Effect::StopWatchingPod);
    }
    app.details = open.map(|(namespace, name)| {
        out.effects.push(Effect::WatchPod {
            namespace: namespace.clone(),
            name: name.clone(),
        });
        PodDetails {
            namespace,
            name,
            ..PodDetails::default()
        }
    });
    refresh(app, out);
}

/// Take what the pod watch reported for `namespace`/`name`.
pub fn receive(app: &mut App, namespace: &str, name: &str, news: PodNews, out: &mut Outcome) {
    let Some(d) = app
        .details
        .as_mut()
        .filter(|d| d.namespace == namespace && d.name == name)
    else {
        out.redraw = false;
        return;
    };
    match news {
        PodNews::Events(events) => d.events = events,
        PodNews::LogTail {
            container,
            previous,
            lines,
        } => {
            let into = if previous {
                &mut d.previous_logs
            } else {
                &mut d.logs
            };
            into.insert(container, lines);
        }
    }
    refresh(app, out);
}

/// Diagnose the open pod again with what is known of it, and ask for the log lines its
/// findings point at that were not fetched yet (again after a restart).
pub fn refresh(app: &mut App, out: &mut Outcome) {
    let Some(d) = app.details.as_ref() else {
        return;
    };
    let Some(insight) = app.table.find(&d.namespace, &d.name).cloned() else {
        return;
    };
    let seen = Observed {
        now: app.now,
        events: &d.events,
        logs: &d.logs,
        previous_logs: &d.previous_logs,
    };
    let findings = diagnose(&insight, &seen);
    let wanted = tails_wanted(&insight, &findings);
    let Some(d) = app.details.as_mut() else {
        return;
    };
    if d.findings != findings {
        d.findings = findings;
        out.redraw = true;
    }
    for tail in wanted {
        if !d.requested.contains(&tail) {
            out.effects.push(Effect::LogTail {
                container: tail.0.clone(),
                previous: tail.1,
            });
            d.requested.push(tail);
        }
    }
}

fn tails_wanted(insight: &PodInsight, findings: &[Finding]) -> Vec<(String, bool, i32)> {
    findings
        .iter()
        .filter_map(|f| {
            let c = f.container.as_ref()?;
            let previous = match f.key? {
                NextKey::Logs => false,
                NextKey::PreviousLogs => true,
                NextKey::Yaml => return None,
            };
            let restarts = insight
                .pod
                .container(c)
                .and_then(|c| c.status.as_ref())
                .map_or(0, |s| s.restart_count);
            Some((c.clone(), previous, restarts))
        })
        .collect()
}

/// The findings to show for `insight`: the open pod's, worked out with its events and logs,
/// or those the watch found.
pub fn findings_of<'a>(app: &'a App, insight: &'a PodInsight) -> &'a [Finding] {
    match &app.details {
        Some(d) if d.namespace == insight.pod.namespace && d.name == insight.pod.name => {
            &d.findings
        }
        _ => &insight.findings,
    }
}
