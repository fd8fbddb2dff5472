//! One task per demo pod, doing what the kubelet does: set up the volumes, run the init
//! containers one by one (native sidecars start and keep running), then start the regular
//! containers together, restart them per `restartPolicy` with CrashLoopBackOff back-off, and
//! write every change into the pod's status and events.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

use super::plan::{self, ContainerPlan};
use super::sandbox::{self, Bind, ProcessSpec};
use super::status::{self, Ended};
use super::{Instance, Logbook, volumes};
use crate::demo::events::EventType;
use crate::demo::{Shared, kubeconfig, now};

/// Which list a container is in, for statuses and event field paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
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

struct PodRun {
    shared: Arc<Shared>,
    namespace: String,
    name: String,
    volumes: BTreeMap<String, PathBuf>,
    read_only: BTreeSet<String>,
    stop: watch::Receiver<bool>,
}

struct Outcome {
    exit_code: i32,
    reason: &'static str,
    message: Option<String>,
    started: Timestamp,
    ran: Duration,
}

impl PodRun {
    fn pod(&self) -> Option<Arc<Pod>> {
        self.shared
            .store
            .lock()
            .ok()?
            .get(&self.namespace, &self.name)
    }

    /// Change the pod and recompute its phase and conditions.
    fn update(&self, change: impl FnOnce(&mut Pod)) {
        if let Ok(mut store) = self.shared.store.lock() {
            store.update(&self.namespace, &self.name, |pod| {
                change(pod);
                status::recompute(pod, true, now());
            });
        }
    }

    fn event(
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
        if let Ok(mut events) = self.shared.events.lock() {
            events.record(&pod, kind, reason, message, field_path);
        }
    }

    async fn stopped(&self) {
        let mut stop = self.stop.clone();
        let _ = stop.wait_for(|s| *s).await;
    }
}

pub async fn run_pod(
    shared: Arc<Shared>,
    namespace: String,
    name: String,
    stop: watch::Receiver<bool>,
) {
    let Some(pod) = shared
        .store
        .lock()
        .ok()
        .and_then(|s| s.get(&namespace, &name))
    else {
        return;
    };
    let runtime = &shared.runtime;
    let prepared = volumes::prepare(
        &pod,
        &runtime.pod_dir(&namespace, &name),
        &runtime.config_maps,
    );
    let mut run = PodRun {
        shared: shared.clone(),
        namespace,
        name,
        volumes: BTreeMap::new(),
        read_only: BTreeSet::new(),
        stop,
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
    let config_maps = &shared.runtime.config_maps;
    let inits = spec.init_containers.clone().unwrap_or_default();
    let run = Arc::new(run);
    let policy = Restart::from_policy(spec.restart_policy.as_deref());
    let mut containers = JoinSet::new();
    for init in &inits {
        let plan = plan::plan(&pod, init.into(), config_maps);
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
        let plan = plan::plan(&pod, c.into(), config_maps);
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
        let plan = plan::plan(&pod, e.into(), config_maps);
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
    let Some(pod) = shared
        .store
        .lock()
        .ok()
        .and_then(|s| s.get(&namespace, &name))
    else {
        return;
    };
    let runtime = &shared.runtime;
    let Ok(prepared) = volumes::prepare(
        &pod,
        &runtime.pod_dir(&namespace, &name),
        &runtime.config_maps,
    ) else {
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
    let plan = plan::plan(&pod, (&spec).into(), &runtime.config_maps);
    let run = Arc::new(PodRun {
        shared: shared.clone(),
        namespace,
        name,
        volumes: prepared.dirs,
        read_only: prepared.read_only,
        stop,
    });
    keep_running(run, plan, Section::Ephemeral, Restart::Never, None).await;
}

/// Run a container until its restart rule says stop; the last exit code, or `None` if the
/// demo is stopping.
async fn keep_running(
    run: Arc<PodRun>,
    plan: ContainerPlan,
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

/// Start one instance, collect its output, and wait for it to end.
async fn run_instance(
    run: &PodRun,
    plan: &ContainerPlan,
    section: Section,
    started: &mut Option<oneshot::Sender<()>>,
) -> Option<Outcome> {
    let runtime = &run.shared.runtime;
    let key = (run.namespace.clone(), run.name.clone(), plan.name.clone());
    let container_id = format!(
        "containerd://{}",
        kubeconfig::random_hex(32).unwrap_or_default()
    );
    let book = runtime.new_log(&key, &container_id);
    let dirs = runtime.root_dirs(&run.namespace, &run.name, &plan.name);
    let binds: Vec<Bind> = plan
        .mounts
        .iter()
        .filter_map(|m| {
            let dir = run.volumes.get(&m.volume)?;
            let source = m
                .sub_path
                .as_ref()
                .map_or_else(|| dir.clone(), |sub| dir.join(sub.trim_start_matches('/')));
            if m.sub_path.is_some() && !source.exists() {
                std::fs::create_dir_all(&source).ok()?;
            }
            Some(Bind {
                source,
                target: m.mount_path.clone(),
                read_only: m.read_only || run.read_only.contains(&m.volume),
            })
        })
        .collect();
    let mut binds = binds;
    if let Some(tool) = runtime.nslookup.as_ref().filter(|_| plan.busybox) {
        binds.push(Bind {
            source: tool.clone(),
            target: "/usr/local/bin/nslookup".into(),
            read_only: true,
        });
    }
    let argv = runtime.argv_for(plan);
    let spec = ProcessSpec {
        argv: &argv,
        env: &plan.env,
        working_dir: &plan.working_dir,
        hostname: &run.name,
        dirs: &dirs,
        binds: &binds,
    };
    let at = now();
    let clock = Instant::now();
    let spawned = sandbox::container_command(&spec, &runtime.isolation).and_then(|mut command| {
        let stdin = if plan.stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        };
        command
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
    });
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            let message = format!(
                "failed to create containerd task: failed to create shim task: OCI runtime create failed: unable to start container process: exec: {:?}: {e}",
                plan.program.argv().first().cloned().unwrap_or_default()
            );
            book.push(SystemTime::now(), Bytes::from(format!("{message}\n")));
            run.update(|p| status::created(p, &plan.name, &container_id));
            book.finish();
            run.event(
                EventType::Warning,
                "Failed",
                &format!("Error: {message}"),
                Some((section, &plan.name)),
            );
            return Some(Outcome {
                exit_code: 128,
                reason: "StartError",
                message: Some(message),
                started: at,
                ran: Duration::ZERO,
            });
        }
    };
    // Held open (never written) so a container with `stdin: true` waits for input as it would.
    let _stdin = child.stdin.take();
    let pumps = [
        child
            .stdout
            .take()
            .map(|out| tokio::spawn(pump(out, book.clone()))),
        child
            .stderr
            .take()
            .map(|err| tokio::spawn(pump(err, book.clone()))),
    ];
    run.update(|p| status::running(p, &plan.name, &container_id, at));
    let image = run
        .pod()
        .and_then(|p| image_of(&p, &plan.name))
        .unwrap_or_default();
    run.event(
        EventType::Normal,
        "Pulled",
        &format!("Container image \"{image}\" already present on machine"),
        Some((section, &plan.name)),
    );
    run.event(
        EventType::Normal,
        "Created",
        &format!("Created container: {}", plan.name),
        Some((section, &plan.name)),
    );
    run.event(
        EventType::Normal,
        "Started",
        &format!("Started container {}", plan.name),
        Some((section, &plan.name)),
    );
    let group = child.id();
    if let Some(pid) = group {
        runtime.track_group(pid, true);
        let instance = Instance {
            pid,
            container_id: container_id.clone(),
            dirs: dirs.clone(),
            plan: plan.clone(),
        };
        runtime.set_running(key.clone(), Some(Arc::new(instance)));
    }
    if let Some(tx) = started.take() {
        let _ = tx.send(());
    }
    let exit = tokio::select! {
        exit = child.wait() => exit.ok(),
        _ = run.stopped() => None,
    };
    // Everything the container started goes with it, as when a container's PID 1 exits.
    sandbox::kill_group(&child);
    let _ = child.wait().await;
    if let Some(pid) = group {
        runtime.track_group(pid, false);
    }
    runtime.set_running(key, None);
    for pump in pumps.into_iter().flatten() {
        let _ = tokio::time::timeout(Duration::from_secs(2), pump).await;
    }
    book.finish();
    let exit = exit?;
    let exit_code = super::exit_code(exit);
    Some(Outcome {
        exit_code,
        reason: if exit_code == 0 { "Completed" } else { "Error" },
        message: None,
        started: at,
        ran: clock.elapsed(),
    })
}

fn image_of(pod: &Pod, name: &str) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    let regular = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .find(|c| c.name == name)
        .and_then(|c| c.image.clone());
    regular.or_else(|| {
        spec.ephemeral_containers
            .as_ref()?
            .iter()
            .find(|c| c.name == name)?
            .image
            .clone()
    })
}

/// Copy a process's output into its log book, line by line, stamped as it arrives.
async fn pump(stream: impl AsyncRead + Unpin, book: Arc<Logbook>) {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => book.push(SystemTime::now(), Bytes::copy_from_slice(&line)),
        }
    }
}
