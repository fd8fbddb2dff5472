//! Weighing the evidence: intrinsic votes (injector annotations, what the software is, the
//! name, ports, Services, position), then relational votes (who writes and who reads a shared
//! volume, who connects to whose `localhost` port, see `links.rs`), then a decision per
//! container with a confidence.

use crate::model::default_container::DEFAULT_CONTAINER_ANNOTATION;
use crate::model::pod::{Container, ContainerState, Pod, Section};
use crate::model::service::Service;
use crate::model::volume::VolumeSource;

use super::ballot::Ballot;
use super::decide::{decide, note_co_equal_mains, promote_main_if_missing};
use super::injectors::injected_by;
use super::knowledge::{ImageKind, Recognised, Software, image_path, name_hints, recognise};
use super::links::{localhost_links, volume_flows};
use super::signals::{self, FileAccess, LocalhostRef};
use super::{ContainerRole, RoleAssessment, Toward};

const INJECTED: f32 = 8.0;
const KNOWN_HELPER: f32 = 3.0;
const KNOWN_APP: f32 = 2.0;
/// A container name fixed by the software counts as much as its image or program for a
/// helper (injectors and charts fix those names); less for an app, whose names are chosen.
const NAMED_HELPER: f32 = 3.0;
const NAMED_APP: f32 = 1.5;
/// Knowledge too general to outweigh position (see `ImageKind::is_general`).
const KNOWN_GENERAL: f32 = 1.0;
const DECLARES_PORTS: f32 = 1.0;
const SERVICE_TARGET: f32 = 2.0;
const NAMED_DEFAULT: f32 = 10.0;
const LISTED_FIRST: f32 = 1.5;
const JOB_COMPLETED: f32 = 3.0;
const SERVES_NOTHING: f32 = 1.0;
const IMAGE_NAME_HINT: f32 = 0.9;
const GENERAL_PROXY_FRONTS: f32 = 2.0;
const IDLE: f32 = 2.0;
const OUTSIDE_HOSTS: f32 = 1.0;
const FLOW: f32 = 1.0;

/// Facts about one container, read once.
pub(super) struct Facts<'a> {
    pub(super) container: &'a Container,
    pub(super) known: Option<(&'static Software, Recognised, String)>,
    pub(super) files: FileAccess,
    pub(super) refs: Vec<LocalhostRef>,
    pub(super) listens: Vec<i32>,
    pub(super) outside: Vec<String>,
}

impl Facts<'_> {
    pub(super) fn kind(&self) -> Option<ImageKind> {
        self.known.as_ref().map(|k| k.0.kind)
    }

    pub(super) fn serves(&self) -> bool {
        !self.listens.is_empty() || self.kind().is_some_and(ImageKind::serves)
    }

    /// How the evidence names what it is: the product, else what matched.
    fn product(&self) -> &str {
        match &self.known {
            Some((s, _, _)) if !s.product.is_empty() => s.product,
            Some((_, _, matched)) => matched,
            None => "",
        }
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn facts(c: &Container) -> Facts<'_> {
    let program = signals::program_text(c);
    Facts {
        container: c,
        known: recognise(c),
        files: signals::file_access(&program),
        refs: signals::localhost_refs(c),
        listens: signals::listen_ports(c),
        outside: signals::outside_hosts(c),
    }
}

pub(super) fn assess(
    pod: &Pod,
    services: &[&Service],
    overrides: &[Option<(ContainerRole, String)>],
) -> Vec<RoleAssessment> {
    let facts: Vec<Facts> = pod.containers.iter().map(facts).collect();
    let long_running: Vec<usize> = (0..facts.len())
        .filter(|&i| pod.containers[i].is_long_running())
        .collect();
    let mut ballots = vec![Ballot::default(); facts.len()];

    for &i in &long_running {
        intrinsic(pod, &facts[i], &mut ballots[i]);
        cluster_evidence(pod, services, &facts[i], &mut ballots[i]);
    }
    job_completion(pod, &long_running, &mut ballots);
    let leanings: Vec<Option<Toward>> = ballots.iter().map(Ballot::leaning).collect();
    volume_flows(pod, &facts, &long_running, &leanings, &mut ballots);
    localhost_links(&facts, &long_running, &leanings, &mut ballots);
    for &i in &long_running {
        where_it_goes(&facts[i], &mut ballots[i]);
    }
    general_proxy_fronts(pod, &facts, &mut ballots);
    serves_nothing_beside_an_app(pod, &facts, &mut ballots);
    idle_beside_an_app(pod, &facts, &mut ballots);

    let mut out: Vec<RoleAssessment> = pod
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| decide(pod, c, &ballots[i], overrides[i].as_ref(), &facts[i]))
        .collect();
    promote_main_if_missing(pod, &facts, &ballots, overrides, &mut out);
    note_co_equal_mains(pod, overrides, &mut out);
    out
}

fn intrinsic(pod: &Pod, f: &Facts, ballot: &mut Ballot) {
    let c = f.container;
    if let Some(text) = injected_by(pod, &c.name) {
        let toward = f
            .kind()
            .and_then(ImageKind::leaning)
            .filter(|t| *t != Toward::Main)
            .unwrap_or(Toward::Helper(ContainerRole::Sidecar));
        ballot.add(toward, INJECTED, text);
    }
    if let Some((software, how, matched)) = &f.known {
        let what = software.kind.phrase();
        let (text, helper, app) = match how {
            Recognised::Image => (
                format!("image {} is {what}", f.product()),
                KNOWN_HELPER,
                KNOWN_APP,
            ),
            Recognised::Program => (
                format!("runs {matched}, which is {} ({what})", f.product()),
                KNOWN_HELPER,
                KNOWN_APP,
            ),
            Recognised::Name => (
                format!(
                    "the name {matched} is what {} runs as ({what})",
                    f.product()
                ),
                NAMED_HELPER,
                NAMED_APP,
            ),
        };
        let (helper, app) = if software.kind.is_general() {
            (KNOWN_GENERAL, KNOWN_GENERAL)
        } else {
            (helper, app)
        };
        match software.kind.leaning() {
            Some(Toward::Main) => ballot.add(Toward::Main, app, text),
            Some(toward) => ballot.add(toward, helper, text),
            None => {}
        }
    }
    let named = matches!(f.known, Some((_, Recognised::Name, _)));
    if !named {
        for h in name_hints(&c.name) {
            let text = format!("the name {} {}", c.name, h.phrase);
            match h.toward {
                Some(toward) => ballot.add(toward, h.weight, text),
                None => ballot.add_any_helper(h.weight, text),
            }
        }
    }
    // The image's name speaks for the container only when no other container runs it.
    if f.known
        .as_ref()
        .is_none_or(|k| k.0.kind == ImageKind::BaseImage)
        && let Some(image) = c.image.as_deref()
        && !pod.containers.iter().any(|o| {
            o.name != c.name && o.image.as_deref().map(image_path) == Some(image_path(image))
        })
    {
        let segment = last_segment(image_path(image));
        if segment != c.name {
            // A word the container's name already gave counts once.
            for h in name_hints(segment).filter(|h| !name_hints(&c.name).any(|n| n.word == h.word))
            {
                let text = format!("the image name {segment} {}", h.phrase);
                // An image is named for what it is, not for its place in this pod.
                let weight = h.weight * IMAGE_NAME_HINT;
                match h.toward {
                    Some(toward) => ballot.add(toward, weight, text),
                    None => ballot.add_any_helper(weight, text),
                }
            }
        }
    }
    let serving: Vec<String> = c
        .ports
        .iter()
        .filter(|p| !is_side_port(p.name.as_deref()))
        .take(3)
        .map(|p| p.container_port.to_string())
        .collect();
    if c.section == Section::Regular && !serving.is_empty() {
        let s = if serving.len() > 1 { "s" } else { "" };
        ballot.add(
            Toward::Main,
            DECLARES_PORTS,
            format!("declares port{s} {}", serving.join(", ")),
        );
    }
    if pod.annotations.get(DEFAULT_CONTAINER_ANNOTATION) == Some(&c.name)
        && c.section == Section::Regular
    {
        ballot.add(
            Toward::Main,
            NAMED_DEFAULT,
            format!("the {DEFAULT_CONTAINER_ANNOTATION} annotation names it"),
        );
    }
    let first = pod
        .in_section(Section::Regular)
        .next()
        .map(|c| c.name.as_str());
    if first == Some(c.name.as_str()) && pod.in_section(Section::Regular).count() > 1 {
        let annotated = pod
            .annotations
            .get(DEFAULT_CONTAINER_ANNOTATION)
            .is_some_and(|n| pod.container(n).is_some());
        let text = if annotated {
            "listed first under containers"
        } else {
            "listed first under containers (kubectl's default container)"
        };
        ballot.add(Toward::Main, LISTED_FIRST, text.to_string());
    }
}

/// Ports a helper declares for its own upkeep: metrics, health, admin, debug.
fn is_side_port(name: Option<&str>) -> bool {
    name.is_some_and(|n| {
        n.split(['-', '_']).any(|w| {
            matches!(
                w,
                "metrics"
                    | "health"
                    | "healthz"
                    | "admin"
                    | "debug"
                    | "pprof"
                    | "prom"
                    | "monitoring"
                    | "liveness"
            )
        })
    })
}

/// Services that select the pod send their traffic to the container that declares the
/// target port: that container serves the pod's clients.
fn cluster_evidence(pod: &Pod, services: &[&Service], f: &Facts, ballot: &mut Ballot) {
    let c = f.container;
    // A front proxy is what a Service targets; that says nothing against it being a helper.
    if c.section != Section::Regular || f.kind().is_some_and(ImageKind::fronts) {
        return;
    }
    for s in services
        .iter()
        .filter(|s| s.selects(pod) && !s.is_monitoring())
    {
        if let Some((sp, port)) = s.targets(c).next() {
            ballot.add(
                Toward::Main,
                SERVICE_TARGET,
                format!(
                    "Service {} sends its port {} to port {port}, which {} declares",
                    s.name, sp.port, c.name
                ),
            );
        }
    }
}

/// In a Job's pod the main is the container that runs to completion; one still running after
/// it is a helper that keeps the Job alive.
fn job_completion(pod: &Pod, long_running: &[usize], ballots: &mut [Ballot]) {
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
fn serves_nothing_beside_an_app(pod: &Pod, facts: &[Facts], ballots: &mut [Ballot]) {
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
/// container gets (the service account token, ConfigMaps, Secrets), nor the node's
/// directories (`hostPath`), which a node agent's containers all mount whatever they do.
fn holds_data(pod: &Pod, volume: &str) -> bool {
    pod.volumes.iter().any(|v| {
        v.name == volume
            && matches!(
                v.source,
                VolumeSource::EmptyDir { .. }
                    | VolumeSource::PersistentVolumeClaim { .. }
                    | VolumeSource::Ephemeral { .. }
                    | VolumeSource::Csi { .. }
            )
    })
}

/// A general-purpose proxy (envoy, haproxy) with ports of its own, beside an application
/// container (one that serves, or that the evidence so far calls a main), stands in front of it: its configuration, not its command, says where it
/// forwards. Not when the app reaches it through localhost: then it carries the app's calls.
fn general_proxy_fronts(pod: &Pod, facts: &[Facts], ballots: &mut [Ballot]) {
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
fn idle_beside_an_app(pod: &Pod, facts: &[Facts], ballots: &mut [Ballot]) {
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
fn where_it_goes(f: &Facts, ballot: &mut Ballot) {
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
