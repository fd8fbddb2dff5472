//! Weighing the evidence: intrinsic votes (injector annotations, what the software is, the
//! name, ports, Services, position), then relational votes (who writes and who reads a shared
//! volume, who connects to whose `localhost` port, see `links.rs`), then a decision per
//! container with a confidence.

use crate::model::default_container::DEFAULT_CONTAINER_ANNOTATION;
use crate::model::pod::{Container, Pod, Section};
use crate::model::service::Service;

use super::ballot::Ballot;
use super::decide::{decide, note_co_equal_mains, promote_main_if_missing};
use super::injectors::injected_by;
use super::knowledge::{
    ImageKind, Recognised, Software, image_path, name_hints, named_as_proxy, recognise,
};
use super::links::{localhost_links, volume_flows};
use super::signals::{self, FileAccess, LocalhostRef};
use super::structure::{
    general_proxy_fronts, idle_beside_an_app, job_completion, named_after_another,
    proxies_a_data_service, proxy_without_ports, serves_nothing_beside_an_app, sized_as_a_helper,
    where_it_goes,
};
use super::{ContainerRole, RoleAssessment, Toward};

const INJECTED: f32 = 8.0;
const KNOWN_HELPER: f32 = 3.0;
const KNOWN_APP: f32 = 2.0;
/// A container name fixed by the software counts as much as its image or program for a
/// helper (injectors and charts fix those names); less for an app, whose names are chosen.
const NAMED_HELPER: f32 = 3.0;
const NAMED_APP: f32 = 1.5;
/// A word of the name that names a product (`fluentd-agent`): weaker than a fixed name.
const NAME_WORD_HELPER: f32 = 2.0;
const NAME_WORD_APP: f32 = 1.0;
/// Knowledge too general to outweigh position (see `ImageKind::is_general`).
const KNOWN_GENERAL: f32 = 1.0;
const DECLARES_PORTS: f32 = 1.0;
const SERVICE_TARGET: f32 = 2.0;
const NAMED_DEFAULT: f32 = 10.0;
const LISTED_FIRST: f32 = 1.5;
const IMAGE_NAME_HINT: f32 = 0.9;

/// Facts about one container, read once.
pub(super) struct Facts<'a> {
    pub(super) container: &'a Container,
    pub(super) known: Option<(&'static Software, Recognised, String)>,
    pub(super) files: FileAccess,
    pub(super) refs: Vec<LocalhostRef>,
    pub(super) listens: Vec<i32>,
    pub(super) outside: Vec<String>,
    /// A web server whose container is named as a proxy (`metrics-proxy` running nginx) is
    /// used as one: a general-purpose proxy, decided by what it stands in front of.
    pub(super) used_as_proxy: bool,
}

impl Facts<'_> {
    pub(super) fn kind(&self) -> Option<ImageKind> {
        if self.used_as_proxy {
            return Some(ImageKind::GeneralProxy);
        }
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

pub(super) fn facts(c: &Container) -> Facts<'_> {
    let program = signals::program_text(c);
    let known = recognise(c);
    let used_as_proxy = known
        .as_ref()
        .is_some_and(|(s, _, _)| s.kind == ImageKind::WebServer)
        && named_as_proxy(&c.name);
    Facts {
        container: c,
        known,
        used_as_proxy,
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
        proxy_without_ports(&facts[i], &mut ballots[i]);
    }
    named_after_another(pod, &long_running, &mut ballots);
    proxies_a_data_service(pod, &facts, &mut ballots);
    sized_as_a_helper(pod, &long_running, &mut ballots);
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
        let kind = f.kind().unwrap_or(software.kind);
        let what = if f.used_as_proxy {
            "a web server named as a proxy: a general-purpose proxy here (what it stands in front of decides its role)"
        } else {
            kind.phrase()
        };
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
            Recognised::NameWord => (
                format!("the name {} says it runs {} ({what})", c.name, f.product()),
                NAME_WORD_HELPER,
                NAME_WORD_APP,
            ),
        };
        let (helper, app) = if kind.is_general() {
            (KNOWN_GENERAL, KNOWN_GENERAL)
        } else {
            (helper, app)
        };
        match kind.leaning() {
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
    // A front proxy is what a Service targets, and a known helper with clients of its own
    // (Sentinel) is too: that says nothing against them being helpers.
    let known_helper = f.known.as_ref().is_some_and(|(s, _, _)| {
        !s.kind.is_general() && matches!(s.kind.leaning(), Some(Toward::Helper(_)))
    });
    if c.section != Section::Regular || f.kind().is_some_and(ImageKind::fronts) || known_helper {
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
