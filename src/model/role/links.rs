//! Relational evidence: how the containers of a pod use each other. Who writes a shared volume
//! and who reads or serves it; who connects to whose `localhost` port, and which way the
//! traffic goes (a front proxy forwards the pod's clients to the app; an ambassador carries
//! the app's own calls out of the pod).

use crate::model::pod::{Pod, VolumeMount};
use crate::model::volume::VolumeSource;

use super::ballot::Ballot;
use super::knowledge::{ImageKind, named_as_proxy};
use super::signals::{self, LocalhostRef};
use super::weigh::Facts;
use super::{ContainerRole, Toward};

const FEEDS_SERVER: f32 = 2.0;
const FLOW: f32 = 1.0;
const CALLS_APP: f32 = 1.5;
const FRONTS_APP: f32 = 3.0;
const RECEIVES_FROM_APP: f32 = 2.0;
const CARRIES_OUTBOUND: f32 = 2.5;
const REACHED_LOCALLY: f32 = 1.0;

/// How a container uses one of its mounts, with the reason.
pub(super) enum Access {
    Writes(String),
    Reads(String),
}

fn is_log_path(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    path.starts_with("/var/log")
        || path == "/log"
        || path == "/logs"
        || path.ends_with("/logs")
        || path.ends_with("/log")
}

fn access(f: &Facts, mount: &VolumeMount, leaning: Option<Toward>) -> Option<Access> {
    let c = f.container;
    let under = |p: &String| signals::mount_for_path(c, p).is_some_and(|m| m == mount);
    if let Some(file) = f.files.writes.iter().find(|p| under(p)) {
        return Some(Access::Writes(format!("writes {file}")));
    }
    if mount.read_only {
        return Some(Access::Reads(format!(
            "mounts it read-only at {}",
            mount.path
        )));
    }
    if let Some(file) = f.files.reads.iter().find(|p| under(p)) {
        return Some(Access::Reads(format!("reads {file}")));
    }
    let log = is_log_path(&mount.path);
    match f.kind() {
        Some(
            ImageKind::LogShipper
            | ImageKind::MetricsExporter
            | ImageKind::ConfigReloader
            | ImageKind::TelemetryAgent
            | ImageKind::BackupAgent,
        ) => Some(Access::Reads(String::new())),
        Some(
            ImageKind::ContentSync
            | ImageKind::SecretAgent
            | ImageKind::ConfigTemplater
            | ImageKind::Datastore,
        ) => Some(Access::Writes(String::new())),
        Some(ImageKind::WebServer) if log => {
            Some(Access::Writes(format!("logs to {}", mount.path)))
        }
        Some(ImageKind::WebServer) => Some(Access::Reads(format!("serves {}", mount.path))),
        _ if log && matches!(leaning, Some(Toward::Helper(_))) => {
            Some(Access::Reads(String::new()))
        }
        _ if log => Some(Access::Writes(format!("logs to {}", mount.path))),
        _ => None,
    }
}

fn detail(how: &str) -> String {
    if how.is_empty() {
        String::new()
    } else {
        format!(" ({how})")
    }
}

pub(super) fn volume_flows(
    pod: &Pod,
    facts: &[Facts],
    long_running: &[usize],
    leanings: &[Option<Toward>],
    ballots: &mut [Ballot],
) {
    let mut volumes: Vec<&str> = long_running
        .iter()
        .flat_map(|&i| pod.containers[i].mounts.iter().map(|m| m.volume.as_str()))
        .collect();
    volumes.sort_unstable();
    volumes.dedup();
    for volume in volumes {
        let users = volume_users(pod, facts, long_running, leanings, volume);
        for (w, write) in &users {
            let Access::Writes(how) = write else { continue };
            for (r, read) in &users {
                let Access::Reads(read_how) = read else {
                    continue;
                };
                if w == r {
                    continue;
                }
                let (writer, reader) = (&pod.containers[*w].name, &pod.containers[*r].name);
                if facts[*r].serves() && !facts[*w].serves() {
                    ballots[*w].add(
                        Toward::Helper(ContainerRole::Sidecar),
                        FEEDS_SERVER,
                        format!("fills volume {volume}{} that {reader} serves", detail(how)),
                    );
                    ballots[*r].add(
                        Toward::Main,
                        FLOW,
                        format!("serves volume {volume} that {writer} fills"),
                    );
                } else {
                    ballots[*w].add(
                        Toward::Main,
                        FLOW,
                        format!("writes volume {volume}{} that {reader} reads", detail(how)),
                    );
                    ballots[*r].add_any_helper(
                        FLOW,
                        format!(
                            "reads volume {volume}{} written by {writer}",
                            detail(read_how)
                        ),
                    );
                }
            }
        }
    }
}

/// The long-running containers that mount `volume`, with how each uses it when that shows.
pub(super) fn volume_users(
    pod: &Pod,
    facts: &[Facts],
    long_running: &[usize],
    leanings: &[Option<Toward>],
    volume: &str,
) -> Vec<(usize, Access)> {
    let mut users: Vec<(usize, Access)> = long_running
        .iter()
        .filter_map(|&i| {
            let m = pod.containers[i].mount_of(volume)?;
            access(&facts[i], m, leanings[i]).map(|a| (i, a))
        })
        .collect();
    writer_of_read_only(pod, volume, long_running, &mut users);
    users
}

/// A writable volume that one container mounts read-only and only one other mounts writable
/// is written by that other one, even when its command does not show how.
fn writer_of_read_only(
    pod: &Pod,
    volume: &str,
    long_running: &[usize],
    users: &mut Vec<(usize, Access)>,
) {
    let writable_kind = pod.volumes.iter().any(|v| {
        v.name == volume
            && (v.source.is_pod_storage() || matches!(v.source, VolumeSource::HostPath { .. }))
    });
    let has_writer = users.iter().any(|(_, a)| matches!(a, Access::Writes(_)));
    let read_only_reader = long_running.iter().any(|&i| {
        pod.containers[i]
            .mount_of(volume)
            .is_some_and(|m| m.read_only)
    });
    if !writable_kind || has_writer || !read_only_reader {
        return;
    }
    let writable: Vec<usize> = long_running
        .iter()
        .copied()
        .filter(|&i| {
            pod.containers[i]
                .mount_of(volume)
                .is_some_and(|m| !m.read_only)
        })
        .collect();
    if let [only] = writable[..] {
        let path = pod.containers[only]
            .mount_of(volume)
            .map(|m| m.path.clone())
            .unwrap_or_default();
        users.retain(|(i, _)| *i != only);
        users.push((
            only,
            Access::Writes(format!("the only one to mount it writable, at {path}")),
        ));
    }
}

/// Whether a container carries traffic out of the pod: known as an outbound proxy, or it
/// listens and names hosts outside the pod.
fn goes_out(f: &Facts) -> bool {
    match f.kind() {
        Some(ImageKind::OutboundProxy) => true,
        // What the software is says more than the hosts it names: a mesh proxy names its
        // control plane, a results uploader its aggregator.
        Some(k) if k != ImageKind::GeneralProxy && k != ImageKind::BaseImage => false,
        _ => !f.outside.is_empty() && !f.listens.is_empty(),
    }
}

/// Whether a container can stand in front of another: a proxy or web server (by what it is or
/// by its name) that declares ports of its own for the pod's clients.
fn is_front(f: &Facts) -> bool {
    let c = f.container;
    let forwards = f.refs.iter().any(|r| r.upstream);
    // A port named `proxy`, or `proxy` as the program's subcommand (`restlens proxy`).
    let says_proxy = c
        .ports
        .iter()
        .any(|p| p.name.as_deref().is_some_and(named_as_proxy))
        || c.argv().any(|w| w == "proxy");
    let proxy_like = f.kind().is_some_and(ImageKind::fronts)
        || named_as_proxy(&c.name)
        || forwards
        || says_proxy;
    proxy_like && !c.ports.is_empty()
}

fn outside_text(f: &Facts) -> String {
    if f.outside.is_empty() {
        return String::new();
    }
    let shown: Vec<&str> = f.outside.iter().take(2).map(String::as_str).collect();
    let more = f.outside.len().saturating_sub(2);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(" and goes on to {}{more}", shown.join(", "))
}

pub(super) fn localhost_links(
    facts: &[Facts],
    long_running: &[usize],
    leanings: &[Option<Toward>],
    ballots: &mut [Ballot],
) {
    for &x in long_running {
        for r in &facts[x].refs {
            let listener = long_running
                .iter()
                .find(|&&y| y != x && facts[y].listens.contains(&r.port));
            match listener {
                Some(&y) => link(facts, leanings, ballots, x, y, r),
                None => upstream_not_declared(facts, long_running, ballots, x, r),
            }
        }
    }
}

/// A front proxy's upstream on `localhost` that no container declares: the port is in the pod
/// all the same, so when only one other app container could listen there, that is the one it
/// fronts.
fn upstream_not_declared(
    facts: &[Facts],
    long_running: &[usize],
    ballots: &mut [Ballot],
    x: usize,
    r: &LocalhostRef,
) {
    if !is_front(&facts[x]) || facts[x].listens.contains(&r.port) {
        return;
    }
    let candidates: Vec<usize> = long_running
        .iter()
        .copied()
        .filter(|&y| {
            y != x
                && facts[y].container.section == crate::model::pod::Section::Regular
                && !is_front(&facts[y])
                && facts[y]
                    .kind()
                    .and_then(ImageKind::leaning)
                    .is_none_or(|t| t == Toward::Main)
        })
        .collect();
    if let [y] = candidates[..] {
        let (xn, yn) = (&facts[x].container.name, &facts[y].container.name);
        ballots[x].add(
            Toward::Helper(ContainerRole::Sidecar),
            FRONTS_APP,
            format!(
                "declares ports of its own and forwards to {} (undeclared, so {yn}'s): it fronts {yn}",
                r.text
            ),
        );
        ballots[y].add(
            Toward::Main,
            FLOW,
            format!("{xn} stands in front of it, forwarding to {}", r.text),
        );
    }
}

/// `x` connects to `y` at `localhost:PORT`.
fn link(
    facts: &[Facts],
    leanings: &[Option<Toward>],
    ballots: &mut [Ballot],
    x: usize,
    y: usize,
    r: &LocalhostRef,
) {
    let (xn, yn) = (&facts[x].container.name, &facts[y].container.name);
    let at = &r.text;
    // Direction first: a proxy with ports of its own that forwards to another container's
    // port fronts it, whatever its name says (an "ambassador" that forwards inbound traffic).
    if is_front(&facts[x]) && !goes_out(&facts[y]) {
        ballots[x].add(
            Toward::Helper(ContainerRole::Sidecar),
            FRONTS_APP,
            format!("declares ports of its own and forwards to {yn} at {at}: it fronts {yn}"),
        );
        ballots[y].add(
            Toward::Main,
            FLOW,
            format!("{xn} stands in front of it, forwarding to {at}"),
        );
        return;
    }
    if let Some(Toward::Helper(role)) = leanings[x] {
        // A known helper calling the app: an exporter scraping it, an agent reporting to it.
        let text = if role == ContainerRole::Adapter {
            format!("scrapes {yn} at {at} and translates what it finds")
        } else {
            format!("forwards to {yn} at {at}")
        };
        ballots[x].add_any_helper(CALLS_APP, text);
        ballots[y].add(Toward::Main, FLOW, format!("{xn} connects to it at {at}"));
        return;
    }
    // A proxy the app connects to at localhost is, by the pattern's definition, where the app
    // sends its calls out: its ambassador (a mesh proxy or known helper keeps its pattern).
    let proxy_for_the_app = matches!(leanings[x], Some(Toward::Main))
        && (facts[y].kind() == Some(ImageKind::GeneralProxy)
            || (facts[y].kind().is_none() && named_as_proxy(&facts[y].container.name)));
    if (goes_out(&facts[y]) || proxy_for_the_app) && !matches!(leanings[y], Some(Toward::Main)) {
        ballots[y].add(
            Toward::Helper(ContainerRole::Ambassador),
            CARRIES_OUTBOUND,
            format!("{xn} reaches it at {at}{}", outside_text(&facts[y])),
        );
        ballots[x].add(
            Toward::Main,
            FLOW,
            format!("sends its outbound traffic through {yn} at {at}"),
        );
        return;
    }
    match leanings[y] {
        // A known helper receiving the app's output (log shipper, collector, exporter, a
        // mesh runtime the app calls) keeps its own pattern.
        Some(Toward::Helper(role)) => {
            let weight = if role == ContainerRole::Ambassador {
                CARRIES_OUTBOUND
            } else {
                RECEIVES_FROM_APP
            };
            ballots[y].add(
                Toward::Helper(role),
                weight,
                format!("receives {xn}'s calls at {at}"),
            );
        }
        Some(Toward::Main) => {}
        None => ballots[y].add_any_helper(REACHED_LOCALLY, format!("{xn} reaches it at {at}")),
    }
    ballots[x].add(Toward::Main, FLOW, format!("reaches {yn} at {at}"));
}
