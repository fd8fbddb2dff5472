//! Weighing the evidence: intrinsic votes (image, name, ports), then relational votes (who
//! writes and who reads a shared volume, who connects to whose `localhost` port), then a
//! decision per container with a confidence.

use crate::model::default_container::DEFAULT_CONTAINER_ANNOTATION;
use crate::model::pod::{Container, Pod, Section, VolumeMount};

use super::knowledge::{ImageKind, KnownImage, image_path, known_image, name_hints};
use super::signals::{self, FileAccess, LocalhostRef};
use super::{Confidence, ContainerRole, RoleAssessment, Toward};

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

#[derive(Debug, Clone)]
struct Vote {
    weight: f32,
    text: String,
}

/// The votes cast for one container.
#[derive(Debug, Default, Clone)]
struct Ballot {
    main: Vec<Vote>,
    sidecar: Vec<Vote>,
    adapter: Vec<Vote>,
    ambassador: Vec<Vote>,
    /// Helper evidence that fits whichever helper pattern wins.
    any_helper: Vec<Vote>,
}

fn total(votes: &[Vote]) -> f32 {
    votes.iter().map(|v| v.weight).sum()
}

impl Ballot {
    fn add(&mut self, toward: Toward, weight: f32, text: String) {
        let list = match toward {
            Toward::Main => &mut self.main,
            Toward::Helper(ContainerRole::Adapter) => &mut self.adapter,
            Toward::Helper(ContainerRole::Ambassador) => &mut self.ambassador,
            Toward::Helper(_) => &mut self.sidecar,
        };
        if !list.iter().any(|v| v.text == text) {
            list.push(Vote { weight, text });
        }
    }

    fn add_any_helper(&mut self, weight: f32, text: String) {
        if !self.any_helper.iter().any(|v| v.text == text) {
            self.any_helper.push(Vote { weight, text });
        }
    }

    fn main_score(&self) -> f32 {
        total(&self.main)
    }

    /// The strongest helper pattern and its score (shared evidence included). Ties go to
    /// sidecar, the most general pattern.
    fn best_helper(&self) -> (ContainerRole, f32) {
        let shared = total(&self.any_helper);
        let mut best = (ContainerRole::Sidecar, total(&self.sidecar));
        for (role, votes) in [
            (ContainerRole::Adapter, &self.adapter),
            (ContainerRole::Ambassador, &self.ambassador),
        ] {
            if total(votes) > best.1 {
                best = (role, total(votes));
            }
        }
        (best.0, best.1 + shared)
    }

    /// Which way the votes lean so far; `None` when nothing was said.
    fn leaning(&self) -> Option<Toward> {
        let (role, helper) = self.best_helper();
        let main = self.main_score();
        if helper == 0.0 && main == 0.0 {
            None
        } else if helper > main {
            Some(Toward::Helper(role))
        } else {
            Some(Toward::Main)
        }
    }

    fn texts(&self, role: ContainerRole) -> Vec<String> {
        let mut votes: Vec<&Vote> = match role {
            ContainerRole::Main => self.main.iter().collect(),
            ContainerRole::Adapter => self.adapter.iter().chain(&self.any_helper).collect(),
            ContainerRole::Ambassador => self.ambassador.iter().chain(&self.any_helper).collect(),
            _ => self.sidecar.iter().chain(&self.any_helper).collect(),
        };
        votes.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        votes.into_iter().map(|v| v.text.clone()).collect()
    }
}

/// Facts about one container, read once.
struct Facts<'a> {
    container: &'a Container,
    known: Option<&'static KnownImage>,
    files: FileAccess,
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
        .map(|(i, c)| decide(pod, c, &ballots[i], overrides[i].as_ref(), &facts))
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
    if f.known.is_none() {
        if let Some(image) = c.image.as_deref() {
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

fn confidence(win: f32, lose: f32) -> Confidence {
    let margin = win - lose;
    if margin >= 3.0 {
        Confidence::High
    } else if margin >= 1.5 {
        Confidence::Medium
    } else {
        Confidence::Low
    }
}

fn decide(
    pod: &Pod,
    c: &Container,
    ballot: &Ballot,
    over: Option<&(ContainerRole, String)>,
    facts: &[Facts],
) -> RoleAssessment {
    match c.section {
        Section::Init if !c.native_sidecar => return init_assessment(pod, c, facts),
        Section::Ephemeral => return ephemeral_assessment(c),
        _ => {}
    }
    let valid_override = over.filter(|(role, _)| {
        role.is_pattern_helper() || (*role == ContainerRole::Main && c.section == Section::Regular)
    });
    if let Some((role, why)) = valid_override {
        let mut evidence = vec![why.clone()];
        if c.native_sidecar {
            evidence.push(NATIVE_SIDECAR.to_string());
        }
        return RoleAssessment {
            role: *role,
            native_sidecar: c.native_sidecar,
            confidence: Confidence::High,
            evidence,
        };
    }
    let (helper_role, helper) = ballot.best_helper();
    let main = ballot.main_score();
    let (role, conf) = if c.native_sidecar {
        (
            helper_role,
            Confidence::High.min(confidence(helper + 3.0, main)),
        )
    } else if helper > main {
        (helper_role, confidence(helper, main))
    } else {
        (ContainerRole::Main, confidence(main, helper))
    };
    let mut evidence = Vec::new();
    if c.native_sidecar {
        evidence.push(NATIVE_SIDECAR.to_string());
    }
    evidence.extend(ballot.texts(role));
    if evidence.is_empty() {
        evidence.push("no helper evidence: treated as an application container".to_string());
    }
    RoleAssessment {
        role,
        native_sidecar: c.native_sidecar,
        confidence: conf,
        evidence,
    }
}

const NATIVE_SIDECAR: &str = "init container with restartPolicy: Always: a native sidecar, started before the app containers and kept running beside them";

fn init_assessment(pod: &Pod, c: &Container, facts: &[Facts]) -> RoleAssessment {
    let mut evidence =
        vec!["listed under initContainers: runs to completion, in order, before the app containers start".to_string()];
    let me = facts.iter().find(|f| std::ptr::eq(f.container, c));
    for m in &c.mounts {
        for other in pod.containers.iter().filter(|o| o.is_long_running()) {
            if let Some(om) = other.mount_of(&m.volume) {
                let wrote = me.and_then(|f| {
                    f.files
                        .writes
                        .iter()
                        .find(|p| signals::mount_for_path(c, p) == Some(m))
                });
                evidence.push(match wrote {
                    Some(file) => format!(
                        "writes {file} into volume {}, which {} mounts at {}",
                        m.volume, other.name, om.path
                    ),
                    None => format!(
                        "prepares volume {}, which {} mounts at {}",
                        m.volume, other.name, om.path
                    ),
                });
            }
        }
    }
    RoleAssessment {
        role: ContainerRole::Init,
        native_sidecar: false,
        confidence: Confidence::High,
        evidence,
    }
}

fn ephemeral_assessment(c: &Container) -> RoleAssessment {
    let mut evidence = vec![
        "listed under ephemeralContainers: added to the running pod for debugging (kubectl debug)"
            .to_string(),
    ];
    if let Some(target) = &c.target_container {
        evidence.push(format!(
            "targets container {target}: it sees that container's processes"
        ));
    }
    RoleAssessment {
        role: ContainerRole::Ephemeral,
        native_sidecar: false,
        confidence: Confidence::High,
        evidence,
    }
}

/// A helper needs something to help: when no app container is left, the most app-like one
/// (an exporter on its own, say) is the pod's main.
fn promote_main_if_missing(
    pod: &Pod,
    ballots: &[Ballot],
    overrides: &[Option<(ContainerRole, String)>],
    out: &mut [RoleAssessment],
) {
    let regular: Vec<usize> = (0..out.len())
        .filter(|&i| pod.containers[i].section == Section::Regular)
        .collect();
    if regular.iter().any(|&i| out[i].role == ContainerRole::Main) {
        return;
    }
    let candidates: Vec<usize> = regular
        .iter()
        .copied()
        .filter(|&i| overrides[i].is_none())
        .collect();
    let Some(&chosen) = candidates.iter().max_by(|&&a, &&b| {
        let margin = |i: usize| ballots[i].main_score() - ballots[i].best_helper().1;
        // Ties go to the container listed first.
        margin(a).total_cmp(&margin(b)).then(b.cmp(&a))
    }) else {
        return;
    };
    let was = out[chosen].role;
    let only = regular.len() == 1;
    let mut evidence = vec![if only {
        "the only container under containers, so it is the pod's main workload".to_string()
    } else {
        "no other container in this pod is an application, so it is the main one".to_string()
    }];
    if was == ContainerRole::Adapter {
        evidence.push(format!(
            "looks like an adapter ({}), but an adapter needs an app beside it",
            out[chosen].evidence.first().cloned().unwrap_or_default()
        ));
    } else if let Some(first) = out[chosen].evidence.first() {
        evidence.push(format!(
            "looks like a {was} ({first}), but there is no app for it to help"
        ));
    }
    out[chosen] = RoleAssessment {
        role: ContainerRole::Main,
        native_sidecar: false,
        confidence: if only {
            Confidence::High
        } else {
            Confidence::Low
        },
        evidence,
    };
}

fn note_co_equal_mains(
    pod: &Pod,
    overrides: &[Option<(ContainerRole, String)>],
    out: &mut [RoleAssessment],
) {
    let mains: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].role == ContainerRole::Main)
        .collect();
    if mains.len() < 2 {
        return;
    }
    for &i in &mains {
        if overrides[i].is_some() {
            continue;
        }
        let others: Vec<&str> = mains
            .iter()
            .filter(|&&j| j != i)
            .map(|&j| pod.containers[j].name.as_str())
            .collect();
        out[i].evidence.push(format!(
            "co-equal with {}: no container here shows evidence of helping the other",
            others.join(", ")
        ));
    }
}
