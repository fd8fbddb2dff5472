//! Structural evidence that needs the whole pod: which container a Job waits for, helpers
//! that serve nothing beside an app that does, general proxies in front of an app, tools
//! containers that only sleep, and where an ambassador goes.

use crate::model::pod::{Container, ContainerState, Pod, Section};

use super::ballot::Ballot;
use super::knowledge::ImageKind;
use super::signals;
use super::weigh::Facts;
use super::{ContainerRole, Toward};

const JOB_COMPLETED: f32 = 3.0;
const SERVES_NOTHING: f32 = 1.0;
const GENERAL_PROXY_FRONTS: f32 = 2.0;
const IDLE: f32 = 2.0;
const OUTSIDE_HOSTS: f32 = 1.0;
const FLOW: f32 = 1.0;

/// In a Job's pod the main is the container that runs to completion; one still running after
/// it is a helper that keeps the Job alive.
pub(super) fn job_completion(pod: &Pod, long_running: &[usize], ballots: &mut [Ballot]) {
    if !pod.runs_to_completion() {
        return;
    }
    let completed = |c: &Container| {
        c.status
            .as_ref()
            .is_some_and(|s| matches!(s.state, ContainerState::Terminated { exit_code: 0, .. }))
    };
    let running = |c: &Container| {
        c.status
            .as_ref()
            .is_some_and(|s| matches!(s.state, ContainerState::Running { .. }))
    };
    let regular: Vec<usize> = long_running
        .iter()
        .copied()
        .filter(|&i| pod.containers[i].section == Section::Regular)
        .collect();
    let Some(&done) = regular.iter().find(|&&i| completed(&pod.containers[i])) else {
        return;
    };
    let done_name = pod.containers[done].name.clone();
    ballots[done].add(
        Toward::Main,
        JOB_COMPLETED,
        format!(
            "ran to completion in a {} pod: the Job's work",
            pod.controller_kind().unwrap_or("Job")
        ),
    );
    for &i in &regular {
        if running(&pod.containers[i]) {
            ballots[i].add(
                Toward::Helper(ContainerRole::Sidecar),
                JOB_COMPLETED,
                format!(
                    "still running after {done_name} completed: a helper that keeps the Job alive"
                ),
            );
        }
    }
}

/// A container with nothing of an application (no ports, no votes either way) that shares a
/// data volume with a container that serves is that one's helper, though nothing says which
/// kind. With nothing shared, nothing says it helps: it stays a main.
pub(super) fn serves_nothing_beside_an_app(pod: &Pod, facts: &[Facts], ballots: &mut [Ballot]) {
    let regular: Vec<usize> = (0..facts.len())
        .filter(|&i| pod.containers[i].section == Section::Regular)
        .collect();
    let Some(&app) = regular.iter().find(|&&i| {
        let f = &facts[i];
        ballots[i].leaning() == Some(Toward::Main)
            && (!f.container.ports.is_empty() || f.kind().is_some_and(ImageKind::serves))
    }) else {
        return;
    };
    let app_name = &facts[app].container.name;
    for &i in regular.iter().filter(|&&i| i != app) {
        let f = &facts[i];
        if !ballots[i].is_empty() || !f.listens.is_empty() {
            continue;
        }
        let Some(shared) = f.container.mounts.iter().find(|m| {
            facts[app].container.mount_of(&m.volume).is_some() && holds_data(pod, &m.volume)
        }) else {
            continue;
        };
        ballots[i].add_any_helper(
            SERVES_NOTHING,
            format!(
                "serves nothing of its own (no ports) and shares volume {} with {app_name}, which does",
                shared.volume
            ),
        );
    }
}

/// Volumes of the pod's own that containers exchange data through: not the ones every
/// container gets, nor the node's directories, which a node agent's containers all mount
/// whatever they do.
fn holds_data(pod: &Pod, volume: &str) -> bool {
    pod.volumes
        .iter()
        .any(|v| v.name == volume && v.source.is_pod_storage())
}

/// A general-purpose proxy (envoy, haproxy) with ports of its own, beside an application
/// container (one that serves, or that the evidence so far calls a main), stands in front of
/// it: its configuration, not its command, says where it forwards. Not when the app reaches it
/// through localhost: then it carries the app's calls.
pub(super) fn general_proxy_fronts(pod: &Pod, facts: &[Facts], ballots: &mut [Ballot]) {
    let regular: Vec<usize> = (0..facts.len())
        .filter(|&i| pod.containers[i].section == Section::Regular)
        .collect();
    for &p in &regular {
        let proxy = &facts[p];
        if proxy.kind() != Some(ImageKind::GeneralProxy) || proxy.container.ports.is_empty() {
            continue;
        }
        let reached = facts
            .iter()
            .any(|f| f.refs.iter().any(|r| proxy.listens.contains(&r.port)));
        let Some(&app) = regular.iter().find(|&&i| {
            i != p
                && !facts[i]
                    .kind()
                    .is_some_and(|k| k.fronts() || k == ImageKind::ControlPlane)
                && (ballots[i].leaning() == Some(Toward::Main) || !facts[i].listens.is_empty())
        }) else {
            continue;
        };
        if reached {
            continue;
        }
        let app_name = &facts[app].container.name;
        ballots[p].add(
            Toward::Helper(ContainerRole::Sidecar),
            GENERAL_PROXY_FRONTS,
            format!("a general-purpose proxy with ports of its own beside the application {app_name}: it stands in front of it"),
        );
        ballots[app].add(
            Toward::Main,
            FLOW,
            format!("{} stands in front of it", proxy.container.name),
        );
    }
}

/// A container that only keeps itself alive (`sleep infinity`, `tail -f /dev/null`), listed
/// after an application or running the application's own image, does nothing of its own: a
/// tools container kept to exec into.
pub(super) fn idle_beside_an_app(pod: &Pod, facts: &[Facts], ballots: &mut [Ballot]) {
    let app = (0..facts.len()).find(|&i| {
        pod.containers[i].section == Section::Regular
            && ballots[i].leaning() == Some(Toward::Main)
            && !signals::is_idle(facts[i].container)
            && (!facts[i].listens.is_empty() || facts[i].kind().is_some_and(ImageKind::serves))
    });
    let Some(app) = app else { return };
    let app_image = facts[app].container.image.as_deref();
    for (i, f) in facts.iter().enumerate() {
        let c = f.container;
        if i == app
            || c.section != Section::Regular
            || !signals::is_idle(c)
            || !f.listens.is_empty()
        {
            continue;
        }
        // Listed before the app, an idle container is one its author put first: only an idle
        // copy of the app's own image is plainly its tools container.
        if i < app && (app_image.is_none() || c.image.as_deref() != app_image) {
            continue;
        }
        ballots[i].add(
            Toward::Helper(ContainerRole::Sidecar),
            IDLE,
            format!(
                "only keeps itself running ({}) beside {}: a tools container to exec into",
                signals::program_text(c).trim(),
                facts[app].container.name
            ),
        );
    }
}

/// For a container that already looks like an ambassador, the outside hosts it names are
/// where it carries the app's calls. (For anything else, naming outside hosts says nothing:
/// a mesh proxy names its control plane, an app its database.)
pub(super) fn where_it_goes(f: &Facts, ballot: &mut Ballot) {
    if f.outside.is_empty() || ballot.leaning() != Some(Toward::Helper(ContainerRole::Ambassador)) {
        return;
    }
    let shown: Vec<&str> = f.outside.iter().take(2).map(String::as_str).collect();
    let more = match f.outside.len().saturating_sub(2) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    ballot.add(
        Toward::Helper(ContainerRole::Ambassador),
        OUTSIDE_HOSTS,
        format!("names hosts outside the pod: {}{more}", shown.join(", ")),
    );
}
