//! The decision for each container: section facts, overrides, then the ballot; and the two
//! pod-wide corrections (a pod needs a main; co-equal mains say so).

use crate::model::pod::{Container, Pod, Section};

use super::ballot::{Ballot, confidence};
use super::knowledge::ImageKind;
use super::signals;
use super::structure::named_after;
use super::weigh::Facts;
use super::{Confidence, ContainerRole, RoleAssessment};

pub(super) fn decide(
    pod: &Pod,
    c: &Container,
    ballot: &Ballot,
    over: Option<&(ContainerRole, String)>,
    facts: &Facts,
) -> RoleAssessment {
    match c.section {
        Section::Init if !c.native_sidecar => return init_assessment(pod, facts),
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
            // Being a native sidecar is itself strong helper evidence.
            confidence(helper + 3.0, main),
        )
    } else if helper > main {
        (helper_role, confidence(helper, main))
    } else {
        (ContainerRole::Main, confidence(main, helper))
    };
    // Structure and names alone are never certain: high needs knowledge of the software or
    // what an annotation says.
    let grounded = facts
        .known
        .as_ref()
        .is_some_and(|(s, _, _)| !s.kind.is_general() && s.kind != ImageKind::BaseImage)
        || ballot.strongest() >= ANNOTATION_WEIGHT;
    let conf = if grounded || c.native_sidecar {
        conf
    } else {
        conf.min(Confidence::Medium)
    };
    let mut evidence = Vec::new();
    if c.native_sidecar {
        evidence.push(NATIVE_SIDECAR.to_string());
    }
    evidence.extend(ballot.texts(role));
    // Both sides, when the decision is not clear-cut: what speaks against the role chosen.
    if conf != Confidence::High {
        evidence.extend(
            ballot
                .texts_against(role)
                .into_iter()
                .take(2)
                .map(|t| format!("against: {t}")),
        );
    }
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

/// The weight of what an injector's or kubectl's annotation says (see `weigh.rs`).
const ANNOTATION_WEIGHT: f32 = 8.0;

const NATIVE_SIDECAR: &str = "init container with restartPolicy: Always: a native sidecar, started before the app containers and kept running beside them";

fn init_assessment(pod: &Pod, facts: &Facts) -> RoleAssessment {
    let c = facts.container;
    let mut evidence =
        vec!["listed under initContainers: runs to completion, in order, before the app containers start".to_string()];
    for m in &c.mounts {
        for other in pod.containers.iter().filter(|o| o.is_long_running()) {
            if let Some(om) = other.mount_of(&m.volume) {
                let wrote = facts
                    .files
                    .writes
                    .iter()
                    .find(|p| signals::mount_for_path(c, p) == Some(m));
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
fn stands_alone(f: &Facts) -> bool {
    f.kind().is_some_and(|k| {
        !matches!(
            k,
            ImageKind::ConfigReloader
                | ImageKind::StorageHelper
                | ImageKind::Babysitter
                | ImageKind::DebugTool
                | ImageKind::InboundProxy
                | ImageKind::BaseImage
        )
    })
}

pub(super) fn promote_main_if_missing(
    pod: &Pod,
    facts: &[Facts],
    ballots: &[Ballot],
    overrides: &[Option<(ContainerRole, String)>],
    out: &mut [RoleAssessment],
) {
    let regular: Vec<usize> = (0..out.len())
        .filter(|&i| pod.containers[i].section == Section::Regular)
        .collect();
    const ONLY: &str = "the only container under containers, so it is the pod's main workload";
    if let [only] = regular[..]
        && out[only].role == ContainerRole::Main
        && overrides[only].is_none()
    {
        out[only].confidence = Confidence::High;
        out[only]
            .evidence
            .retain(|e| !e.starts_with("no helper evidence"));
        out[only].evidence.insert(0, ONLY.to_string());
        return;
    }
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
        // Software that can be a workload on its own (a proxy, an exporter, a backup
        // repository) before helpers that only ever serve another (reloaders, CSI helpers)
        // or containers known by a word of their name; then the margin; ties go to the
        // container listed first.
        stands_alone(&facts[a])
            .cmp(&stands_alone(&facts[b]))
            .then(margin(a).total_cmp(&margin(b)))
            .then(b.cmp(&a))
    }) else {
        return;
    };
    let was = out[chosen].role;
    let only = regular.len() == 1;
    let mut evidence = vec![if only {
        ONLY.to_string()
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
    // More instances of the same software (two tunnels, two forwarders) have no app to help
    // either: they are the pod's workload beside it.
    let image = pod.containers[chosen].image.as_deref();
    let chosen_name = pod.containers[chosen].name.as_str();
    for &i in candidates.iter().filter(|&&i| i != chosen) {
        let c = &pod.containers[i];
        if image.is_some() && c.image.as_deref() == image && !named_after(&c.name, chosen_name) {
            out[i] = RoleAssessment {
                role: ContainerRole::Main,
                native_sidecar: false,
                confidence: Confidence::Low,
                evidence: vec![format!(
                    "runs the same image as {chosen_name}, and there is no app here for either to help"
                )],
            };
        }
    }
}

pub(super) fn note_co_equal_mains(
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
        // Two mains is what is left when nothing decides: never certain.
        out[i].confidence = out[i].confidence.min(Confidence::Medium);
    }
}
