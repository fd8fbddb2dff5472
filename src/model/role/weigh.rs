//! Weighing the evidence: intrinsic votes (image, name, ports), then relational votes (who
//! writes and who reads a shared volume, who connects to whose `localhost` port), then a
//! decision per container with a confidence.

use crate::model::default_container::DEFAULT_CONTAINER_ANNOTATION;
use crate::model::pod::{Container, Pod, Section, VolumeMount};

use super::ballot::Ballot;
use super::decide::{decide, note_co_equal_mains, promote_main_if_missing};
use super::knowledge::{ImageKind, KnownImage, image_path, known_image, name_hints};
use super::signals::{self, FileAccess, LocalhostRef};
use super::{ContainerRole, RoleAssessment, Toward};

const KNOWN_HELPER: f32 = 3.0;
const KNOWN_APP: f32 = 2.0;
const DECLARES_PORTS: f32 = 1.0;
const NAMED_DEFAULT: f32 = 10.0;
const LISTED_FIRST: f32 = 0.5;
const FEEDS_SERVER: f32 = 2.0;
const FLOW: f32 = 1.0;
const CALLS_APP: f32 = 1.5;
const RECEIVES_FROM_APP: f32 = 2.0;
const OUTBOUND_FROM_APP: f32 = 2.0;
const OUTSIDE_HOSTS: f32 = 1.0;

/// Facts about one container, read once.
pub(super) struct Facts<'a> {
    pub(super) container: &'a Container,
    known: Option<&'static KnownImage>,
    pub(super) files: FileAccess,
    refs: Vec<LocalhostRef>,
    listens: Vec<i32>,
    outside: Vec<String>,
}

impl Facts<'_> {
    fn kind(&self) -> Option<ImageKind> {
        self.known.map(|k| k.kind)
    }

    fn serves(&self) -> bool {
        !self.listens.is_empty() || self.kind().is_some_and(ImageKind::serves)
    }

    fn product(&self) -> String {
        match (self.known, self.container.image.as_deref()) {
            (Some(k), _) if !k.product.is_empty() => k.product.to_string(),
            (_, Some(image)) => last_segment(image_path(image)).to_string(),
            _ => String::new(),
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
        known: c.image.as_deref().and_then(known_image),
        files: signals::file_access(&program),
        refs: signals::localhost_refs(c),
        listens: signals::listen_ports(c),
        outside: signals::outside_hosts(c),
    }
}

pub(super) fn assess(
    pod: &Pod,
    overrides: &[Option<(ContainerRole, String)>],
) -> Vec<RoleAssessment> {
    let facts: Vec<Facts> = pod.containers.iter().map(facts).collect();
    let long_running: Vec<usize> = (0..facts.len())
        .filter(|&i| pod.containers[i].is_long_running())
        .collect();
    let mut ballots = vec![Ballot::default(); facts.len()];

    for &i in &long_running {
        intrinsic(pod, &facts[i], &mut ballots[i]);
    }
    let leanings: Vec<Option<Toward>> = ballots.iter().map(Ballot::leaning).collect();
    volume_flows(pod, &facts, &long_running, &leanings, &mut ballots);
    localhost_links(&facts, &long_running, &leanings, &mut ballots);
    for &i in &long_running {
        outside_hosts(&facts[i], leanings[i], &mut ballots[i]);
    }

    let mut out: Vec<RoleAssessment> = pod
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| decide(pod, c, &ballots[i], overrides[i].as_ref(), &facts[i]))
        .collect();
    promote_main_if_missing(pod, &ballots, overrides, &mut out);
    note_co_equal_mains(pod, overrides, &mut out);
    out
}

fn intrinsic(pod: &Pod, f: &Facts, ballot: &mut Ballot) {
    let c = f.container;
    if let Some(known) = f.known {
        let text = format!("image {} is {}", f.product(), known.kind.phrase());
        match known.kind.leaning() {
            Some(Toward::Main) => ballot.add(Toward::Main, KNOWN_APP, text),
            Some(toward) => ballot.add(toward, KNOWN_HELPER, text),
            None => {}
        }
    }
    for h in name_hints(&c.name) {
        ballot.add(
            h.toward,
            h.weight,
            format!("the name {} {}", c.name, h.phrase),
        );
    }
    if f.known.is_none()
        && let Some(image) = c.image.as_deref()
    {
        let segment = last_segment(image_path(image));
        if segment != c.name {
            for h in name_hints(segment) {
                ballot.add(
                    h.toward,
                    h.weight,
                    format!("the image name {segment} {}", h.phrase),
                );
            }
        }
    }
    if c.section == Section::Regular && !c.ports.is_empty() {
        let ports: Vec<String> = c
            .ports
            .iter()
            .take(3)
            .map(|p| p.container_port.to_string())
            .collect();
        let s = if c.ports.len() > 1 { "s" } else { "" };
        ballot.add(
            Toward::Main,
            DECLARES_PORTS,
            format!("declares port{s} {}", ports.join(", ")),
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

/// How a container uses one of its mounts, with the reason.
enum Access {
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
            | ImageKind::TelemetryAgent,
        ) => Some(Access::Reads(String::new())),
        Some(ImageKind::ContentSync | ImageKind::SecretAgent | ImageKind::Datastore) => {
            Some(Access::Writes(String::new()))
        }
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

fn volume_flows(
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
        let users: Vec<(usize, Access)> = long_running
            .iter()
            .filter_map(|&i| {
                let m = pod.containers[i].mount_of(volume)?;
                access(&facts[i], m, leanings[i]).map(|a| (i, a))
            })
            .collect();
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
                let detail = if how.is_empty() {
                    String::new()
                } else {
                    format!(" ({how})")
                };
                if facts[*r].serves() && !facts[*w].serves() {
                    ballots[*w].add(
                        Toward::Helper(ContainerRole::Sidecar),
                        FEEDS_SERVER,
                        format!("fills volume {volume}{detail} that {reader} serves"),
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
                        format!("writes volume {volume}{detail} that {reader} reads"),
                    );
                    let read_detail = if read_how.is_empty() {
                        String::new()
                    } else {
                        format!(" ({read_how})")
                    };
                    ballots[*r].add_any_helper(
                        FLOW,
                        format!("reads volume {volume}{read_detail} written by {writer}"),
                    );
                }
            }
        }
    }
}

fn localhost_links(
    facts: &[Facts],
    long_running: &[usize],
    leanings: &[Option<Toward>],
    ballots: &mut [Ballot],
) {
    for &x in long_running {
        for r in &facts[x].refs {
            let Some(&y) = long_running
                .iter()
                .find(|&&y| y != x && facts[y].listens.contains(&r.port))
            else {
                continue;
            };
            let (xn, yn) = (&facts[x].container.name, &facts[y].container.name);
            match leanings[x] {
                Some(Toward::Helper(role)) => {
                    let text = if role == ContainerRole::Adapter {
                        format!("scrapes {yn} at {} and translates what it finds", r.text)
                    } else {
                        format!("forwards to {yn} at {}", r.text)
                    };
                    ballots[x].add_any_helper(CALLS_APP, text);
                    ballots[y].add(
                        Toward::Main,
                        FLOW,
                        format!("{xn} connects to it at {}", r.text),
                    );
                }
                _ => {
                    match leanings[y] {
                        // A known helper (log shipper, collector, exporter) receiving the
                        // app's output keeps its own pattern.
                        Some(Toward::Helper(role)) if role != ContainerRole::Ambassador => {
                            ballots[y].add_any_helper(
                                RECEIVES_FROM_APP,
                                format!("receives {xn}'s output at {}", r.text),
                            );
                        }
                        _ => ballots[y].add(
                            Toward::Helper(ContainerRole::Ambassador),
                            OUTBOUND_FROM_APP,
                            format!("{xn} sends its outbound traffic through it at {}", r.text),
                        ),
                    }
                    ballots[x].add(Toward::Main, FLOW, format!("reaches {yn} at {}", r.text));
                }
            }
        }
    }
}

fn outside_hosts(f: &Facts, leaning: Option<Toward>, ballot: &mut Ballot) {
    if f.outside.is_empty() || f.listens.is_empty() || leaning == Some(Toward::Main) {
        return;
    }
    let shown: Vec<&str> = f.outside.iter().take(2).map(String::as_str).collect();
    let more = f.outside.len().saturating_sub(2);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    ballot.add(
        Toward::Helper(ContainerRole::Ambassador),
        OUTSIDE_HOSTS,
        format!(
            "listens locally and names hosts outside the pod: {}{more}",
            shown.join(", ")
        ),
    );
}
