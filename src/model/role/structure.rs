//! Structural evidence that needs the whole pod: which container a Job waits for, helpers
//! that serve nothing beside an app that does, general proxies in front of an app, tools
//! containers that only sleep, and where an ambassador goes; and what needs no knowledge of
//! the software: a helper named after its app, sized as a helper, or a proxy for a data
//! service elsewhere.

use crate::model::pod::{Container, ContainerState, Pod, Section};
use crate::model::usage;

use super::ballot::Ballot;
use super::knowledge::{ImageKind, named_as_proxy};
use super::signals;
use super::weigh::Facts;
use super::{ContainerRole, Toward};

const JOB_COMPLETED: f32 = 3.0;
const SERVES_NOTHING: f32 = 1.0;
const GENERAL_PROXY_FRONTS: f32 = 2.0;
/// What declaring ports, and being a web server, counted toward main (`weigh.rs`), given back
/// to a front.
const FRONT_DOOR_PORTS: f32 = 1.0;
const KNOWN_WEB_SERVER: f32 = 1.0;
const IDLE: f32 = 2.0;
const OUTSIDE_HOSTS: f32 = 1.0;
const FLOW: f32 = 1.0;
const NAMED_AFTER: f32 = 1.5;
const DATA_SERVICE_PROXY: f32 = 2.0;
const SIZED_AS_HELPER: f32 = 1.5;
const PORTLESS_PROXY: f32 = 1.0;

/// The ports of services an application is a client of: databases, caches, brokers.
const DATA_SERVICE_PORTS: &[(i32, &str)] = &[
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (6432, "PgBouncer"),
    (6379, "Redis"),
    (11211, "memcached"),
    (27017, "MongoDB"),
    (9042, "Cassandra"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (9092, "Kafka"),
    (5672, "AMQP"),
    (4222, "NATS"),
];

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

/// Whether `name` is `base` with words added (`etcd-metrics` after `etcd`).
pub(super) fn named_after(name: &str, base: &str) -> bool {
    name.strip_prefix(base)
        .is_some_and(|rest| rest.len() > 1 && rest.starts_with(['-', '_']))
}

/// A container whose name is another's with words added (`etcd-metrics` beside `etcd`,
/// `grafana-sc-dashboard` beside `grafana`) was named for the container it serves, as charts
/// and operators name their helpers; the added words (the name hints) say which kind. Co-equal
/// applications are named side by side (`lb-tcp-80`, `lb-tcp-443`), not one after the other.
pub(super) fn named_after_another(pod: &Pod, long_running: &[usize], ballots: &mut [Ballot]) {
    for &i in long_running {
        let name = &pod.containers[i].name;
        let base = long_running
            .iter()
            .map(|&j| pod.containers[j].name.as_str())
            .filter(|other| other.len() >= 3 && named_after(name, other))
            .max_by_key(|other| other.len());
        if let Some(base) = base {
            ballots[i].add_any_helper(
                NAMED_AFTER,
                format!("named after {base}, the container it serves"),
            );
        }
    }
}

/// A proxy (by its software or its name) that listens on a data service's port (memcached's
/// 11211, PostgreSQL's 5432) where no container is that service is where the application
/// connects to reach the service elsewhere: an ambassador.
pub(super) fn proxies_a_data_service(pod: &Pod, facts: &[Facts], ballots: &mut [Ballot]) {
    for (i, f) in facts.iter().enumerate() {
        let c = f.container;
        let proxy_like = matches!(
            f.kind(),
            Some(ImageKind::GeneralProxy | ImageKind::OutboundProxy)
        ) || (f.kind().is_none() && named_as_proxy(&c.name));
        // An ambassador needs an app to carry calls for: a proxy beside only its own helpers
        // (a monitoring agent) is the pod's workload.
        let app_beside = facts.iter().enumerate().any(|(j, o)| {
            j != i
                && o.container.section == Section::Regular
                && ballots[j].leaning() == Some(Toward::Main)
        });
        if !c.is_long_running() || !proxy_like || !app_beside {
            continue;
        }
        let Some((port, service)) = DATA_SERVICE_PORTS.iter().find(|(port, _)| {
            f.listens.contains(port)
                && !pod
                    .containers
                    .iter()
                    .any(|o| o.name != c.name && o.ports.iter().any(|p| p.container_port == *port))
        }) else {
            continue;
        };
        ballots[i].add(
            Toward::Helper(ContainerRole::Ambassador),
            DATA_SERVICE_PROXY,
            format!("a proxy listening on {service}'s port {port}, and no container here is {service}: the app connects to it to reach one elsewhere"),
        );
    }
}

/// A container named as a proxy that declares no port of its own exposes nothing to the pod's
/// clients, so it does not front the app: it carries the app's own calls out (an ambassador).
pub(super) fn proxy_without_ports(f: &Facts, ballot: &mut Ballot) {
    let c = f.container;
    if f.known.is_some() || !named_as_proxy(&c.name) || !c.ports.is_empty() || !f.listens.is_empty()
    {
        return;
    }
    ballot.add(
        Toward::Helper(ContainerRole::Ambassador),
        PORTLESS_PROXY,
        "a proxy that declares no port for the pod's clients: it carries the app's calls out, not theirs in".to_string(),
    );
}

/// The memory a container asks for (its request, else its limit), as written and in bytes.
fn memory_asked(c: &Container) -> Option<(&str, u64)> {
    let q = c
        .resources
        .requests
        .get("memory")
        .or_else(|| c.resources.limits.get("memory"))?;
    Some((q.as_str(), usage::bytes(q).filter(|b| *b > 0)?))
}

/// A container that asks for under half the memory another one asks for is sized as a helper:
/// charts and operators give the application its memory and the helpers beside it a sliver.
pub(super) fn sized_as_a_helper(pod: &Pod, long_running: &[usize], ballots: &mut [Ballot]) {
    for &i in long_running {
        let Some((mine, bytes)) = memory_asked(&pod.containers[i]) else {
            continue;
        };
        let biggest = long_running
            .iter()
            .filter(|&&j| j != i)
            .filter_map(|&j| Some((&pod.containers[j].name, memory_asked(&pod.containers[j])?)))
            .max_by_key(|(_, (_, b))| *b);
        if let Some((other, (theirs, their_bytes))) = biggest
            && bytes.saturating_mul(2) < their_bytes
        {
            ballots[i].add_any_helper(
                SIZED_AS_HELPER,
                format!(
                    "asks for {mine} of memory, under half of {other}'s {theirs}: sized as a helper"
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
/// it: its configuration, not its command, says where it forwards. A web server (nginx in
/// front of php-fpm or a Node app) does the same beside an application that serves a port of
/// its own, as no web server sits beside another server but to pass it requests. Not when the
/// app reaches it through localhost: then it carries the app's calls.
pub(super) fn general_proxy_fronts(pod: &Pod, facts: &[Facts], ballots: &mut [Ballot]) {
    let regular: Vec<usize> = (0..facts.len())
        .filter(|&i| pod.containers[i].section == Section::Regular)
        .collect();
    for &p in &regular {
        let proxy = &facts[p];
        let web_server = proxy.kind() == Some(ImageKind::WebServer);
        if !(web_server || proxy.kind() == Some(ImageKind::GeneralProxy))
            || proxy.container.ports.is_empty()
        {
            continue;
        }
        let reached = facts
            .iter()
            .any(|f| f.refs.iter().any(|r| proxy.listens.contains(&r.port)));
        // The app: what the evidence calls a main, else a container that listens and is not
        // known to be a helper itself (a policy engine the proxy asks is not what it fronts).
        let candidate = |i: usize| {
            i != p
                && !facts[i].kind().is_some_and(|k| {
                    // A proxy may front a web server (envoy before nginx); nothing fronts a
                    // proxy, a control plane or a database here.
                    (k.fronts() && (web_server || k != ImageKind::WebServer))
                        || k == ImageKind::ControlPlane
                        || k == ImageKind::Datastore
                })
                // A web server fronts only what serves a port of its own.
                && (!web_server || !facts[i].listens.is_empty())
        };
        let Some(&app) = regular
            .iter()
            .find(|&&i| candidate(i) && ballots[i].leaning() == Some(Toward::Main))
            .or_else(|| {
                regular.iter().find(|&&i| {
                    candidate(i)
                        && !facts[i].listens.is_empty()
                        && !matches!(ballots[i].leaning(), Some(Toward::Helper(_)))
                })
            })
        else {
            continue;
        };
        if reached {
            continue;
        }
        let app_name = &facts[app].container.name;
        let what = if web_server {
            "a web server with ports of its own beside the application"
        } else {
            "a general-purpose proxy with ports of its own beside the application"
        };
        // Its ports are the pod's front door, and a web server in front is not serving an app
        // of its own: neither says it is the app.
        let given_back = if web_server {
            FRONT_DOOR_PORTS + KNOWN_WEB_SERVER
        } else {
            FRONT_DOOR_PORTS
        };
        ballots[p].add(
            Toward::Helper(ContainerRole::Sidecar),
            GENERAL_PROXY_FRONTS + given_back,
            format!("{what} {app_name}, which serves too: it stands in front of it"),
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
