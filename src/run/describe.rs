//! `podscope describe` on the kubeconfig's cluster: like `kubectl describe pod`, with roles,
//! volumes, findings and events. One snapshot of the scope (see `cluster::snapshot`), then
//! the same analysis and output as for manifests.

use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;

use crate::cli::DescribeArgs;
use crate::cluster::snapshot::{self, Snapshot};
use crate::launch::Failure;
use crate::model::convert::pod_from_api;
use crate::model::event::{PodEvent, event_from_api, newest_first};
use crate::model::findings::{NextKey, Observed};
use crate::model::service::{ServiceIndex, service_from_api};
use crate::model::{PodInsight, RoleRule};

/// Up to this many pods, the last log lines a finding points at are fetched too.
const LOGS_FOR_AT_MOST: usize = 20;
const LOG_LINES: i64 = 3;

pub async fn run(args: &DescribeArgs, rules: &[RoleRule]) -> Result<Vec<PodInsight>, Failure> {
    let connection = super::connect(args.kubeconfig.clone(), args.context.clone()).await?;
    let namespace = if args.all_namespaces {
        None
    } else {
        Some(
            args.namespace
                .clone()
                .unwrap_or_else(|| connection.namespace.clone()),
        )
    };
    let names: Vec<String> = args
        .pods
        .iter()
        .map(|p| super::pod_name(p).map(str::to_string))
        .collect::<Result<_, _>>()?;
    if args.all_namespaces && !names.is_empty() {
        return Err(Failure::usage(
            "a pod name is looked up in one namespace: use -n NS instead of -A",
        ));
    }
    let client = connection.client.clone();
    let progress = Progress::new();
    let report = |loaded: usize, expected: Option<usize>| progress.report(loaded, expected);
    let snapshot = snapshot::fetch(&client, namespace.as_deref(), &names, Some(&report))
        .await
        .map_err(|f| super::kubectl_failure(&f))?;
    progress.done();
    let now = Timestamp::now();
    let mut insights = analyse(snapshot, rules, now);
    if insights.len() <= LOGS_FOR_AT_MOST {
        for insight in &mut insights {
            with_log_lines(&client, insight, now).await;
        }
    }
    Ok(insights)
}

/// A progress line on stderr for a list that takes more than a second: only when stderr is a
/// terminal, so never in a file or a pipe, and never in the output itself.
struct Progress {
    started: std::time::Instant,
    terminal: bool,
    shown: std::sync::atomic::AtomicBool,
}

impl Progress {
    fn new() -> Progress {
        use std::io::IsTerminal;
        Progress {
            started: std::time::Instant::now(),
            terminal: std::io::stderr().is_terminal(),
            shown: Default::default(),
        }
    }

    fn report(&self, loaded: usize, expected: Option<usize>) {
        if !self.terminal || self.started.elapsed() < std::time::Duration::from_secs(1) {
            return;
        }
        let of = expected.map_or(String::new(), |n| format!(" of ~{n}"));
        eprint!("\r\x1b[Klisting pods: {loaded}{of}");
        self.shown.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Clear the line, if one was shown.
    fn done(&self) {
        if self.shown.load(std::sync::atomic::Ordering::Relaxed) {
            eprint!("\r\x1b[K");
        }
    }
}

/// Pods with their Services, events and findings, sorted by namespace and name.
fn analyse(snapshot: Snapshot, rules: &[RoleRule], now: Timestamp) -> Vec<PodInsight> {
    let mut services = ServiceIndex::default();
    for s in &snapshot.services {
        services.insert(service_from_api(s));
    }
    let mut events: BTreeMap<(String, String), Vec<PodEvent>> = BTreeMap::new();
    for e in &snapshot.events {
        let o = &e.involved_object;
        let key = (
            o.namespace
                .clone()
                .or(e.metadata.namespace.clone())
                .unwrap_or_default(),
            o.name.clone().unwrap_or_default(),
        );
        events.entry(key).or_default().push(event_from_api(e));
    }
    let mut out: Vec<PodInsight> = snapshot
        .pods
        .iter()
        .map(|p| {
            let pod = pod_from_api(p, None);
            let mut pod_events = events
                .remove(&(pod.namespace.clone(), pod.name.clone()))
                .unwrap_or_default();
            newest_first(&mut pod_events);
            let selecting = services.selecting(&pod);
            let mut insight = PodInsight::with_services(pod, rules, &selecting);
            insight.events = pod_events;
            let seen = Observed {
                events: &insight.events,
                ..Observed::at(now)
            };
            let findings = crate::model::findings::diagnose(&insight, &seen);
            insight.findings = findings;
            insight
        })
        .collect();
    out.sort_by(|a, b| (&a.pod.namespace, &a.pod.name).cmp(&(&b.pod.namespace, &b.pod.name)));
    out
}

/// Fetch the log lines the findings point at (a blocking init container's, a crashed
/// container's previous instance) and diagnose again with them.
async fn with_log_lines(client: &kube::Client, insight: &mut PodInsight, now: Timestamp) {
    let wanted: Vec<(String, bool)> = insight
        .findings
        .iter()
        .filter_map(|f| match (f.key, &f.container) {
            (Some(NextKey::Logs), Some(c)) => Some((c.clone(), false)),
            (Some(NextKey::PreviousLogs), Some(c)) => Some((c.clone(), true)),
            _ => None,
        })
        .collect();
    if wanted.is_empty() {
        return;
    }
    let (logs, previous_logs) = snapshot::last_lines(
        client,
        &insight.pod.namespace,
        &insight.pod.name,
        &wanted,
        LOG_LINES,
    )
    .await;
    let seen = Observed {
        now,
        events: &insight.events,
        logs: &logs,
        previous_logs: &previous_logs,
    };
    let findings = crate::model::findings::diagnose(insight, &seen);
    insight.findings = findings;
}
