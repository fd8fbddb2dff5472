//! One task per demo pod, doing what the kubelet does: set up the volumes, run the init
//! containers one by one (native sidecars start and keep running), then start the regular
//! containers together, restart them per `restartPolicy` with CrashLoopBackOff back-off, and
//! write every change into the pod's status and events.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

use super::instance::run_instance;
use super::plan::{self, ContainerPlan};
use super::status::{self, Ended};
use super::volumes;
use crate::demo::events::EventType;
use crate::demo::{Shared, now};

/// Which list a container is in, for statuses and event field paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    Init,
    Regular,
    Ephemeral,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Restart {
    Always,
    OnFailure,
    Never,
}

impl Restart {
    fn from_policy(policy: Option<&str>) -> Restart {
        match policy {
            Some("OnFailure") => Restart::OnFailure,
            Some("Never") => Restart::Never,
            _ => Restart::Always,
        }
    }

    fn again(self, exit_code: i32) -> bool {
        match self {
            Restart::Always => true,
            Restart::OnFailure => exit_code != 0,
            Restart::Never => false,
        }
    }
}

pub(super) struct PodRun {
    pub(super) shared: Arc<Shared>,
    pub(super) namespace: String,
    pub(super) name: String,
    pub(super) volumes: BTreeMap<String, PathBuf>,
    pub(super) read_only: BTreeSet<String>,
    pub(super) stop: watch::Receiver<bool>,
    /// The grace period once the pod is being deleted.
    pub(super) terminating: watch::Receiver<Option<Duration>>,
}

pub(super) struct Outcome {
    /// The pod's spec changed the container (its image): start it again at once, anew.
    pub(super) definition_changed: bool,
    pub(super) exit_code: i32,
    pub(super) reason: &'static str,
    pub(super) message: Option<String>,
    pub(super) started: Timestamp,
    pub(super) ran: Duration,
}

impl PodRun {
    pub(super) fn pod(&self) -> Option<Arc<Pod>> {
        self.shared.pod(&self.namespace, &self.name)
    }

    /// Change the pod and recompute its phase and conditions.
    pub(super) fn update(&self, change: impl FnOnce(&mut Pod)) {
        if let Ok(mut store) = self.shared.store.lock() {
            store.update(&self.namespace, &self.name, |pod| {
                change(pod);
                status::recompute(pod, true, now());
            });
        }
    }

    pub(super) fn event(
        &self,
        kind: EventType,
        reason: &str,
        message: &str,
        container: Option<(Section, &str)>,
    ) {
        let Some(pod) = self.pod() else { return };
        let field_path = container.map(|(section, name)| match section {
            Section::Init => format!("spec.initContainers{{{name}}}"),
            Section::Regular => format!("spec.containers{{{name}}}"),
            Section::Ephemeral => format!("spec.ephemeralContainers{{{name}}}"),
        });
        let log = (&self.shared.events, &self.shared.event_order);
        crate::demo::events::record(log, &pod, kind, reason, message, field_path);
    }

    /// Resolves when the demo stops or the pod is being deleted.
    pub(super) async fn stopped(&self) {
        let (mut stop, mut terminating) = (self.stop.clone(), self.terminating.clone());
        tokio::select! {
            _ = stop.wait_for(|s| *s) => {}
            _ = terminating.wait_for(|t| t.is_some()) => {}
        }
    }

    /// The grace period of a deletion under way (none when the demo itself stops).
    pub(super) fn grace(&self) -> Option<Duration> {
        if *self.stop.borrow() {
            return None;
        }
        *self.terminating.borrow()
    }
}

pub async fn run_pod(
    shared: Arc<Shared>,
    namespace: String,
    name: String,
    stop: watch::Receiver<bool>,
    terminating: watch::Receiver<Option<Duration>>,
) {
    let Some(pod) = shared.pod(&namespace, &name) else {
        return;
    };
    let runtime = &shared.runtime;
    let config = shared.pod_config_now();
    let prepared = volumes::prepare(&pod, &runtime.pod_dir(&namespace, &name), &config);
    let mut run = PodRun {
        shared: shared.clone(),
        namespace,
        name,
        volumes: BTreeMap::new(),
        read_only: BTreeSet::new(),
        stop,
        terminating,
    };
    run.event(
        EventType::Normal,
        "Scheduled",
        &format!(
            "Successfully assigned {}/{} to {}",
            run.namespace,
            run.name,
            crate::demo::pods::NODE
        ),
        None,
    );
    if let Some(notice) = runtime.isolation_notice() {
        run.event(EventType::Warning, "NoMountNamespaces", &notice, None);
    }
    let prepared = match prepared {
        Ok(p) => p,
        Err(e) => {
            let message = format!(
                "MountVolume.SetUp failed: cannot create the pod's volume directories: {e}"
            );
            run.event(EventType::Warning, "FailedMount", &message, None);
            return;
        }
    };
    if !prepared.failed.is_empty() {
        // The kubelet starts nothing until every volume mounts: the pod stays ContainerCreating.
        for message in prepared.failed.values() {
            run.event(EventType::Warning, "FailedMount", message, None);
        }
        return;
    }
    run.volumes = prepared.dirs;
    run.read_only = prepared.read_only;
    let spec = pod.spec.clone().unwrap_or_default();
    // The sandbox's network, and the pod IP the kubelet reports once it is up.
    let ip = if spec.host_network == Some(true) {
        None
    } else {
        runtime
            .network(&run.namespace, &run.name)
            .map(|n| n.ip.to_string())
    };
    let ip = ip.unwrap_or_else(|| "127.0.0.1".to_string());
    run.update(|pod| {
        let status = pod.status.get_or_insert_with(Default::default);
        status.pod_ip = Some(ip.clone());
        status.pod_ips = Some(vec![k8s_openapi::api::core::v1::PodIP { ip: ip.clone() }]);
    });
    let config = &config;
    let inits = spec.init_containers.clone().unwrap_or_default();
    let run = Arc::new(run);
    let policy = Restart::from_policy(spec.restart_policy.as_deref());
    let mut containers = JoinSet::new();
    for init in &inits {
        let plan = plan::plan(&pod, init.into(), config);
        if init.restart_policy.as_deref() == Some("Always") {
            let (started, on_start) = oneshot::channel();
            containers.spawn(keep_running(
                run.clone(),
                plan,
                Section::Init,
                Restart::Always,
                Some(started),
            ));
            tokio::select! {
                _ = on_start => {}
                _ = run.stopped() => return,
            }
            continue;
        }
        let rule = if policy == Restart::Never {
            Restart::Never
        } else {
            Restart::OnFailure
        };
        let Some(code) = keep_running(run.clone(), plan, Section::Init, rule, None).await else {
            return;
        };
        if code != 0 {
            return; // restartPolicy Never: the pod has failed, and its status says so.
        }
    }
    if !inits.is_empty() {
        run.update(|p| {
            for c in &spec.containers {
                status::waiting(p, &c.name, "ContainerCreating", None);
            }
        });
    }
    for c in &spec.containers {
        let plan = plan::plan(&pod, c.into(), config);
        containers.spawn(keep_running(
            run.clone(),
            plan,
            Section::Regular,
            policy,
            None,
        ));
    }
    // Ephemeral containers already in the spec (added before this run) start beside them.
    for e in spec.ephemeral_containers.iter().flatten() {
        let plan = plan::plan(&pod, e.into(), config);
        containers.spawn(keep_running(
            run.clone(),
            plan,
            Section::Ephemeral,
            Restart::Never,
            None,
        ));
    }
    while containers.join_next().await.is_some() {}
}

pub async fn run_ephemeral(
    shared: Arc<Shared>,
    namespace: String,
    name: String,
    container: String,
    stop: watch::Receiver<bool>,
) {
    let Some(pod) = shared.pod(&namespace, &name) else {
        return;
    };
    let runtime = &shared.runtime;
    let config = shared.pod_config_now();
    let Ok(prepared) = volumes::prepare(&pod, &runtime.pod_dir(&namespace, &name), &config) else {
        return;
    };
    let Some(spec) = pod.spec.as_ref().and_then(|s| {
        s.ephemeral_containers
            .as_ref()?
            .iter()
            .find(|c| c.name == container)
            .cloned()
    }) else {
        return;
    };
    let plan = plan::plan(&pod, (&spec).into(), &config);
    let terminating = runtime.terminating(&namespace, &name);
    let run = Arc::new(PodRun {
        shared: shared.clone(),
        namespace,
        name,
        volumes: prepared.dirs,
        read_only: prepared.read_only,
        stop,
        terminating,
    });
    keep_running(run, plan, Section::Ephemeral, Restart::Never, None).await;
}

/// Run a container until its restart rule says stop; the last exit code, or `None` if the
/// demo is stopping.
/// The plan for container `name` as the pod's spec is now.
fn fresh_plan(run: &PodRun, name: &str) -> Option<ContainerPlan> {
    let pod = run.pod()?;
    let spec = pod.spec.as_ref()?;
    let config = run.shared.pod_config_now();
    let container = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .find(|c| c.name == name)?;
    Some(plan::plan(&pod, container.into(), &config))
}

async fn keep_running(
    run: Arc<PodRun>,
    mut plan: ContainerPlan,
    section: Section,
    rule: Restart,
    mut started: Option<oneshot::Sender<()>>,
) -> Option<i32> {
    let timing = run.shared.runtime.timing;
    let mut delay = Duration::ZERO;
    loop {
        let outcome = run_instance(&run, &plan, section, &mut started).await?;
        let finished = now();
        run.update(|p| {
            let ended = Ended {
                exit_code: outcome.exit_code,
                reason: outcome.reason,
                message: outcome.message.clone(),
                started: outcome.started,
                finished,
            };
            status::terminated(p, &plan.name, ended);
        });
        if outcome.definition_changed {
            if let Some(fresh) = fresh_plan(&run, &plan.name) {
                plan = fresh;
            }
            continue;
        }
        if !rule.again(outcome.exit_code) {
            return Some(outcome.exit_code);
        }
        if outcome.ran >= timing.reset_after {
            delay = Duration::ZERO;
        }
        if !delay.is_zero() {
            let pod = run.pod();
            let uid = pod
                .as_ref()
                .and_then(|p| p.metadata.uid.clone())
                .unwrap_or_default();
            let message = format!(
                "back-off {}s restarting failed container={} pod={}_{}({uid})",
                delay.as_secs(),
                plan.name,
                run.name,
                run.namespace
            );
            run.update(|p| status::waiting(p, &plan.name, "CrashLoopBackOff", Some(message)));
            let text = format!(
                "Back-off restarting failed container {} in pod {}_{}({uid})",
                plan.name, run.name, run.namespace
            );
            run.event(
                EventType::Warning,
                "BackOff",
                &text,
                Some((section, &plan.name)),
            );
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = run.stopped() => return None,
            }
        }
        delay = if delay.is_zero() {
            timing.backoff_initial
        } else {
            (delay * 2).min(timing.backoff_max)
        };
    }
}
