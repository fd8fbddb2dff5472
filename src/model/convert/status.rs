//! The pod's `status` into the model: phase, conditions, QoS, and each container's state.

use k8s_openapi::api::core::v1 as core;

use crate::model::pod::{ContainerState, ContainerStatus, Pod, PodCondition, PodPhase, Section};

pub(super) fn apply_status(pod: &mut Pod, status: &core::PodStatus) {
    pod.phase = status.phase.as_deref().map(PodPhase::parse);
    pod.reason = status.reason.clone().filter(|r| !r.is_empty());
    pod.message = status.message.clone().filter(|m| !m.is_empty());
    pod.qos_class = status.qos_class.clone();
    pod.conditions = status
        .conditions
        .iter()
        .flatten()
        .map(|c| PodCondition {
            kind: c.type_.clone(),
            status: c.status == "True",
            reason: c.reason.clone(),
            message: c.message.clone().filter(|m| !m.is_empty()),
            since: c.last_transition_time.as_ref().map(|t| t.0),
        })
        .collect();
    pod.pod_ip = status
        .pod_ips
        .iter()
        .flatten()
        .map(|ip| ip.ip.clone())
        .next()
        .or_else(|| status.pod_ip.clone())
        .filter(|ip| !ip.is_empty());
    pod.nominated_node = status.nominated_node_name.clone().filter(|n| !n.is_empty());
    let lists = [
        (Section::Init, &status.init_container_statuses),
        (Section::Regular, &status.container_statuses),
        (Section::Ephemeral, &status.ephemeral_container_statuses),
    ];
    for (section, list) in lists {
        for s in list.iter().flatten() {
            if let Some(c) = pod
                .containers
                .iter_mut()
                .find(|c| c.section == section && c.name == s.name)
            {
                c.status = Some(container_status(s));
            }
        }
    }
}

fn container_status(s: &core::ContainerStatus) -> ContainerStatus {
    ContainerStatus {
        ready: s.ready,
        started: s.started,
        restart_count: s.restart_count,
        state: s
            .state
            .as_ref()
            .map(container_state)
            .unwrap_or(ContainerState::Unknown),
        last_state: s
            .last_state
            .as_ref()
            .map(container_state)
            .filter(|st| *st != ContainerState::Unknown),
        container_id: s.container_id.clone(),
    }
}

fn container_state(s: &core::ContainerState) -> ContainerState {
    if let Some(r) = &s.running {
        ContainerState::Running {
            started_at: r.started_at.as_ref().map(|t| t.0),
        }
    } else if let Some(t) = &s.terminated {
        ContainerState::Terminated {
            exit_code: t.exit_code,
            signal: t.signal,
            reason: t.reason.clone(),
            message: t.message.clone().filter(|m| !m.is_empty()),
            started_at: t.started_at.as_ref().map(|t| t.0),
            finished_at: t.finished_at.as_ref().map(|t| t.0),
        }
    } else if let Some(w) = &s.waiting {
        ContainerState::Waiting {
            reason: w.reason.clone(),
            message: w.message.clone(),
        }
    } else {
        ContainerState::Unknown
    }
}
