//! How the kubelet reports what runs (pure): container states as instances start, end and
//! back off, and the pod's phase and conditions recomputed from them after every change.

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, Pod, PodCondition, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

/// An init container that must finish (not a native sidecar): ready only once it has.
fn runs_to_completion(pod: &Pod, name: &str) -> bool {
    pod.spec
        .iter()
        .flat_map(|s| s.init_containers.iter().flatten())
        .any(|c| c.name == name && c.restart_policy.as_deref() != Some("Always"))
}

/// The status entry of a container in any section (regular, init, ephemeral).
pub fn status_mut<'a>(pod: &'a mut Pod, name: &str) -> Option<&'a mut ContainerStatus> {
    let status = pod.status.as_mut()?;
    [
        &mut status.container_statuses,
        &mut status.init_container_statuses,
        &mut status.ephemeral_container_statuses,
    ]
    .into_iter()
    .flatten()
    .flatten()
    .find(|s| s.name == name)
}

/// A new instance of `name` runs. A terminated predecessor becomes `lastState` and counts as
/// a restart.
pub fn running(pod: &mut Pod, name: &str, container_id: &str, at: Timestamp) {
    let ready = !runs_to_completion(pod, name);
    let Some(s) = status_mut(pod, name) else {
        return;
    };
    let previous = s
        .state
        .as_ref()
        .and_then(|st| st.terminated.clone())
        .or_else(|| {
            // After a back-off the ended run is already in lastState.
            s.state
                .as_ref()
                .filter(|st| st.waiting.is_some())
                .and(s.last_state.as_ref()?.terminated.clone())
        });
    if let Some(previous) = previous {
        if s.container_id.is_some() {
            s.restart_count += 1;
        }
        s.last_state = Some(ContainerState {
            terminated: Some(previous),
            ..Default::default()
        });
    }
    s.state = Some(ContainerState {
        running: Some(ContainerStateRunning {
            started_at: Some(Time(at)),
        }),
        ..Default::default()
    });
    s.container_id = Some(container_id.to_string());
    s.ready = ready;
    s.started = Some(true);
}

/// The runtime has created an instance (it may still fail to start).
pub fn created(pod: &mut Pod, name: &str, container_id: &str) {
    if let Some(s) = status_mut(pod, name) {
        s.container_id = Some(container_id.to_string());
    }
}

pub struct Ended<'a> {
    pub exit_code: i32,
    /// `Completed`, `Error`, `StartError`...
    pub reason: &'a str,
    pub message: Option<String>,
    pub started: Timestamp,
    pub finished: Timestamp,
}

pub fn terminated(pod: &mut Pod, name: &str, ended: Ended<'_>) {
    let ready = runs_to_completion(pod, name) && ended.exit_code == 0;
    let Some(s) = status_mut(pod, name) else {
        return;
    };
    s.state = Some(ContainerState {
        terminated: Some(ContainerStateTerminated {
            exit_code: ended.exit_code,
            reason: Some(ended.reason.to_string()),
            message: ended.message,
            started_at: Some(Time(ended.started)),
            finished_at: Some(Time(ended.finished)),
            container_id: s.container_id.clone(),
            signal: None,
        }),
        ..Default::default()
    });
    s.ready = ready;
    s.started = Some(false);
}

/// Waiting to start again (`CrashLoopBackOff`) or at all (`ContainerCreating`,
/// `PodInitializing`). A terminated run moves to `lastState`; the restart is counted when
/// the next instance starts, as the kubelet counts it.
pub fn waiting(pod: &mut Pod, name: &str, reason: &str, message: Option<String>) {
    let Some(s) = status_mut(pod, name) else {
        return;
    };
    if let Some(ended) = s.state.as_ref().and_then(|st| st.terminated.clone()) {
        s.last_state = Some(ContainerState {
            terminated: Some(ended),
            ..Default::default()
        });
    }
    s.state = Some(ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some(reason.to_string()),
            message,
        }),
        ..Default::default()
    });
    s.ready = false;
    s.started = Some(false);
}

fn is_running(s: &ContainerStatus) -> bool {
    s.state.as_ref().is_some_and(|st| st.running.is_some())
}

fn exited(s: &ContainerStatus) -> Option<i32> {
    s.state.as_ref()?.terminated.as_ref().map(|t| t.exit_code)
}

/// Phase and conditions from the container statuses, as the kubelet computes them.
/// `sandbox_ready` is false until the pod's volumes are set up.
pub fn recompute(pod: &mut Pod, sandbox_ready: bool, now: Timestamp) {
    let policy = pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.clone())
        .unwrap_or_else(|| "Always".into());
    let native: Vec<String> = pod
        .spec
        .iter()
        .flat_map(|s| s.init_containers.iter().flatten())
        .filter(|c| c.restart_policy.as_deref() == Some("Always"))
        .map(|c| c.name.clone())
        .collect();
    let Some(status) = pod.status.as_mut() else {
        return;
    };
    let inits = status
        .init_container_statuses
        .as_deref()
        .unwrap_or_default();
    let init_failed = policy == "Never"
        && inits
            .iter()
            .any(|s| !native.contains(&s.name) && exited(s).is_some_and(|c| c != 0));
    let initialized = inits.iter().all(|s| {
        if native.contains(&s.name) {
            s.started == Some(true) || s.restart_count > 0
        } else {
            exited(s) == Some(0)
        }
    });
    let regular = status.container_statuses.as_deref().unwrap_or_default();
    let will_restart = |code: i32| policy == "Always" || (policy == "OnFailure" && code != 0);
    let all_done = !regular.is_empty()
        && regular
            .iter()
            .all(|s| exited(s).is_some_and(|code| !will_restart(code)));
    let ever_started = regular
        .iter()
        .any(|s| is_running(s) || exited(s).is_some() || s.restart_count > 0);
    let phase = if init_failed {
        "Failed"
    } else if !initialized || !ever_started {
        "Pending"
    } else if all_done {
        if regular.iter().all(|s| exited(s) == Some(0)) {
            "Succeeded"
        } else {
            "Failed"
        }
    } else {
        "Running"
    };
    let sidecars_ready = inits
        .iter()
        .filter(|s| native.contains(&s.name))
        .all(|s| s.ready);
    let containers_ready = initialized && sidecars_ready && regular.iter().all(|s| s.ready);
    status.phase = Some(phase.to_string());
    let completed = matches!(phase, "Succeeded" | "Failed");
    let not_ready_reason = if completed {
        "PodCompleted"
    } else {
        "ContainersNotReady"
    };
    let mut set = |type_: &str, ok: bool, reason: &str| {
        set_condition(status, type_, ok, (!ok).then_some(reason), now);
    };
    set("PodScheduled", true, "");
    set("PodReadyToStartContainers", sandbox_ready && !completed, "");
    set(
        "Initialized",
        initialized,
        if completed {
            "PodCompleted"
        } else {
            "ContainersNotInitialized"
        },
    );
    set("ContainersReady", containers_ready, not_ready_reason);
    set("Ready", containers_ready, not_ready_reason);
}

fn set_condition(
    status: &mut PodStatus,
    type_: &str,
    ok: bool,
    reason: Option<&str>,
    now: Timestamp,
) {
    let value = if ok { "True" } else { "False" };
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    match conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(c) if c.status == value => c.reason = reason.map(str::to_string),
        Some(c) => {
            c.status = value.to_string();
            c.reason = reason.map(str::to_string);
            c.last_transition_time = Some(Time(now));
        }
        None => conditions.push(PodCondition {
            type_: type_.to_string(),
            status: value.to_string(),
            reason: reason.map(str::to_string),
            last_transition_time: Some(Time(now)),
            ..Default::default()
        }),
    }
    // kubectl describe lists them in the kubelet's order.
    const ORDER: [&str; 5] = [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ];
    conditions.sort_by_key(|c| {
        ORDER
            .iter()
            .position(|o| *o == c.type_)
            .unwrap_or(ORDER.len())
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::pods::admit;
    use crate::model::manifest::parse_manifests;
    use crate::model::printing::summarize;

    fn seed(text: &str) -> Pod {
        admit(
            parse_manifests(text, "t.yaml").unwrap().api_pods.remove(0),
            Timestamp::UNIX_EPOCH,
        )
    }

    fn row(pod: &Pod) -> (String, String, String) {
        let model = crate::model::convert::pod_from_api(pod, None);
        let s = summarize(&model);
        (
            format!("{}/{}", s.ready, s.total),
            s.status,
            s.restarts.to_string(),
        )
    }

    #[test]
    fn counter_runs_both_containers() {
        let mut pod = seed(include_str!("../../../tests/fixtures/seeds/counter.yaml"));
        let t = Timestamp::UNIX_EPOCH;
        recompute(&mut pod, true, t);
        assert_eq!(row(&pod).1, "ContainerCreating");
        running(&mut pod, "count", "containerd://aa", t);
        running(&mut pod, "count-agent", "containerd://bb", t);
        recompute(&mut pod, true, t);
        assert_eq!(row(&pod), ("2/2".into(), "Running".into(), "0".into()));
        assert_eq!(
            pod.status.as_ref().unwrap().phase.as_deref(),
            Some("Running")
        );
    }

    #[test]
    fn a_crash_backs_off_then_restarts_with_last_state() {
        let mut pod = seed(include_str!("../../../tests/fixtures/seeds/yellow.yaml"));
        let t = Timestamp::UNIX_EPOCH;
        running(&mut pod, "lemon", "containerd://aa", t);
        running(&mut pod, "gold", "containerd://bb", t);
        let ended = Ended {
            exit_code: 1,
            reason: "Error",
            message: None,
            started: t,
            finished: t,
        };
        terminated(&mut pod, "lemon", ended);
        waiting(
            &mut pod,
            "lemon",
            "CrashLoopBackOff",
            Some("back-off 10s".into()),
        );
        recompute(&mut pod, true, t);
        assert_eq!(row(&pod).0, "1/2");
        assert_eq!(row(&pod).1, "CrashLoopBackOff");
        running(&mut pod, "lemon", "containerd://cc", t);
        let s = status_mut(&mut pod, "lemon").unwrap();
        assert_eq!(s.restart_count, 1);
        let last = s.last_state.as_ref().unwrap().terminated.as_ref().unwrap();
        assert_eq!(
            (last.exit_code, last.container_id.as_deref()),
            (1, Some("containerd://aa"))
        );
    }

    #[test]
    fn myapp_pod_stays_at_init_0_of_2() {
        let mut pod = seed(include_str!("../../../tests/fixtures/seeds/myapp-pod.yaml"));
        let t = Timestamp::UNIX_EPOCH;
        running(&mut pod, "init-myservice", "containerd://aa", t);
        waiting(&mut pod, "init-mydb", "PodInitializing", None);
        waiting(&mut pod, "myapp-container", "PodInitializing", None);
        recompute(&mut pod, true, t);
        assert_eq!(row(&pod).1, "Init:0/2");
        let status = pod.status.as_ref().unwrap();
        assert_eq!(status.phase.as_deref(), Some("Pending"));
        let init = status
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "Initialized")
            .unwrap();
        assert_eq!(init.status, "False");
    }
}
