//! One run of a container: start its process in its root with its volumes, copy its output
//! into a log book line by line, report it running, and wait for it to end (or for the demo
//! to stop, when everything it started is killed).

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use k8s_openapi::api::core::v1::Pod;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::oneshot;

use super::plan::ContainerPlan;
use super::sandbox::{self, Bind, ProcessSpec};
use super::status;
use super::supervisor::{Outcome, PodRun, Section};
use super::{Instance, Logbook};
use crate::demo::events::EventType;
use crate::demo::{kubeconfig, now};

/// What a ClusterFirst pod's containers get from the (simulated) cluster DNS: the kubelet's
/// `/etc/resolv.conf`, and in busybox images the stand-in `nslookup` and its zone file.
fn cluster_dns(run: &PodRun, plan: &ContainerPlan) -> Vec<Bind> {
    let runtime = &run.shared.runtime;
    let spec = run.pod().and_then(|p| p.spec.clone()).unwrap_or_default();
    let cluster_first = spec
        .dns_policy
        .as_deref()
        .is_none_or(|p| p == "ClusterFirst")
        && spec.host_network != Some(true);
    if !cluster_first {
        return Vec::new();
    }
    let mut binds = Vec::new();
    let dir = runtime.pod_dir(&run.namespace, &run.name);
    let resolv = dir.join("resolv.conf");
    let written = resolv.exists()
        || (std::fs::create_dir_all(&dir).is_ok()
            && std::fs::write(&resolv, crate::demo::dns::resolv_conf(&run.namespace)).is_ok());
    if written {
        binds.push(Bind {
            source: resolv,
            target: "/etc/resolv.conf".into(),
            read_only: true,
        });
    }
    // The kubelet's /etc/hosts, with the Services' names, for pods with their own network.
    if let Some(network) = runtime.existing_network(&run.namespace, &run.name) {
        let hosts = dir.join("hosts");
        let text = crate::demo::dns::hosts(
            &run.shared,
            &run.namespace,
            &run.name,
            &network.ip.to_string(),
        );
        if hosts.exists() || std::fs::write(&hosts, text).is_ok() {
            binds.push(Bind {
                source: hosts,
                target: "/etc/hosts".into(),
                read_only: true,
            });
        }
    }
    if let Some(tool) = runtime.nslookup.as_ref().filter(|_| plan.busybox) {
        binds.push(Bind {
            source: tool.clone(),
            target: "/usr/local/bin/nslookup".into(),
            read_only: true,
        });
        let zone = runtime.dns_zone();
        if zone.exists() {
            binds.push(Bind {
                source: zone,
                target: super::standin::DNS_ZONE.into(),
                read_only: true,
            });
        }
    }
    binds
}

/// Start one instance, collect its output, and wait for it to end.
pub(super) async fn run_instance(
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
    binds.extend(cluster_dns(run, plan));
    let argv = runtime.argv_for(plan);
    let network = runtime.existing_network(&run.namespace, &run.name);
    let spec = ProcessSpec {
        argv: &argv,
        env: &plan.env,
        working_dir: &plan.working_dir,
        hostname: &run.name,
        dirs: &dirs,
        binds: &binds,
        network: network.as_ref().map(|n| &n.namespace),
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
                definition_changed: false,
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
    // The status names the image this instance runs.
    run.update(|p| {
        if let Some(status) = status::status_mut(p, &plan.name) {
            status.image = image.clone();
        }
    });
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
    let serving = super::serve::start(run, plan, &book);
    let mut changed = false;
    let exit = tokio::select! {
        exit = child.wait() => exit.ok(),
        _ = run.stopped() => None,
        _ = definition_changed(run, &plan.name, &image) => {
            changed = true;
            None
        }
    };
    // A new image (kubectl set image, apply): the kubelet stops the container and starts it
    // again with the new spec, whatever the restart policy.
    if changed {
        run.event(
            EventType::Normal,
            "Killing",
            &format!(
                "Container {} definition changed, will be restarted",
                plan.name
            ),
            Some((section, &plan.name)),
        );
        super::process::term_group(&child);
        let grace = run
            .pod()
            .and_then(|p| p.spec.as_ref()?.termination_grace_period_seconds)
            .unwrap_or(30);
        let _ = tokio::time::timeout(Duration::from_secs(grace.max(0) as u64), child.wait()).await;
    }
    // On deletion the kubelet asks first (SIGTERM) and waits the grace period.
    if exit.is_none()
        && !changed
        && let Some(grace) = run.grace()
    {
        run.event(
            EventType::Normal,
            "Killing",
            &format!("Stopping container {}", plan.name),
            Some((section, &plan.name)),
        );
        let instance = runtime.instance(&run.namespace, &run.name, &plan.name);
        let (grace, failure) =
            super::hooks::run_pre_stop(run, plan, instance.as_deref(), grace).await;
        if let Some(message) = failure {
            run.event(
                EventType::Warning,
                "FailedPreStopHook",
                &message,
                Some((section, &plan.name)),
            );
        }
        if !grace.is_zero() {
            super::process::term_group(&child);
            let _ = tokio::time::timeout(grace, child.wait()).await;
        }
    }
    // Everything the container started goes with it, as when a container's PID 1 exits.
    if let Some(serving) = serving {
        serving.abort();
    }
    super::process::kill_group(&child);
    let waited = child.wait().await.ok();
    let exit = if changed { waited } else { exit };
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
        definition_changed: changed,
    })
}

/// Returns once the pod's spec names another image for the container than `image`.
async fn definition_changed(run: &PodRun, name: &str, image: &str) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let now = run.pod().and_then(|p| image_of(&p, name));
        if now.is_some_and(|now| now != image) {
            return;
        }
    }
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
