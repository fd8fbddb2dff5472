//! A few sentences on the multi-container pattern a container follows, with this pod as the
//! example: for people learning the patterns (CKAD), written from what the pod shows.

use crate::model::diagram::{arrows_of, diagram};
use crate::model::volume::volume_matrix;
use crate::model::{ContainerRole, PodInsight, Section, localhost_links};

/// The note for container `index` of `insight`, then which arrows of the diagram (`g`) show
/// the pattern.
pub fn pattern_note(insight: &PodInsight, index: usize) -> String {
    let note = pattern_text(insight, index);
    let d = diagram(insight);
    let arrows = d
        .lane(&insight.pod.containers[index].name)
        .map(|lane| arrows_of(&d, lane))
        .unwrap_or_default();
    match arrows.len() {
        0 => note,
        1 => format!("{note} The arrow in the diagram (g): {}", arrows[0]),
        _ => format!(
            "{note} The arrows in the diagram (g): {}",
            arrows[..arrows.len().min(3)].join(" ")
        ),
    }
}

fn pattern_text(insight: &PodInsight, index: usize) -> String {
    let pod = &insight.pod;
    let c = &pod.containers[index];
    let r = &insight.roles[index];
    let mains: Vec<&str> = insight
        .containers()
        .filter(|(c, r)| r.role == ContainerRole::Main && c.section == Section::Regular)
        .map(|(c, _)| c.name.as_str())
        .collect();
    let main = if mains.is_empty() {
        "the app container".to_string()
    } else {
        mains.join(" and ")
    };
    let shares = shared_with(insight, &c.name);
    let links: Vec<String> = localhost_links(pod)
        .into_iter()
        .filter(|l| l.from == c.name || l.to == c.name)
        .map(|l| format!("{} reaches {} at {}", l.from, l.to, l.address))
        .collect();
    let mut how = Vec::new();
    if !shares.is_empty() {
        how.push(shares.join("; "));
    }
    how.extend(links);
    let how = if how.is_empty() {
        String::new()
    } else {
        format!(" Here: {}.", how.join("; "))
    };
    if r.native_sidecar {
        return format!(
            "A native sidecar is an init container with restartPolicy: Always (Kubernetes 1.29+). It starts before the app containers, in its place in the init order, keeps running beside them, and is stopped after them, so it can serve {main} for its whole life. kubectl counts it in READY.{how}"
        );
    }
    match r.role {
        ContainerRole::Init => {
            let inits: Vec<&str> = pod
                .in_section(Section::Init)
                .filter(|c| !c.native_sidecar)
                .map(|c| c.name.as_str())
                .collect();
            let step = inits.iter().position(|n| *n == c.name).map_or(0, |p| p + 1);
            format!(
                "An init container runs to completion before the app containers start; init containers run one at a time, in order, and a failure is retried before anything else starts. {} is step {step} of {} ({}); {main} starts only after the last one exits 0.{how}",
                c.name,
                inits.len(),
                inits.join(" → ")
            )
        }
        ContainerRole::Main => {
            let helpers: Vec<String> = insight
                .containers()
                .filter(|(h, _)| h.name != c.name)
                .map(|(h, r)| {
                    format!(
                        "{} ({})",
                        h.name,
                        if r.native_sidecar {
                            "native sidecar".to_string()
                        } else {
                            r.role.to_string()
                        }
                    )
                })
                .collect();
            if helpers.is_empty() {
                format!(
                    "The main container does the pod's work. {} is alone in this pod.",
                    c.name
                )
            } else {
                format!(
                    "The main container does the pod's work; the other containers exist to help it, and share its network (localhost) and the volumes they both mount. Helpers here: {}.{how}",
                    helpers.join(", ")
                )
            }
        }
        ContainerRole::Sidecar => format!(
            "A sidecar runs beside the main container for the pod's whole life and adds a capability (shipping logs, syncing files, a proxy) without changing {main}. They share the pod's volumes and localhost.{how}"
        ),
        ContainerRole::Adapter => format!(
            "An adapter translates what {main} produces (logs, metrics, status) into the format the outside world expects, so {main} stays unchanged and monitoring sees one standard shape.{how}"
        ),
        ContainerRole::Ambassador => format!(
            "An ambassador is a proxy that represents the outside world to {main}: {main} connects to localhost, and the ambassador forwards to the real service (picking shards, adding TLS, retrying).{how}"
        ),
        ContainerRole::Ephemeral => {
            let target = c
                .target_container
                .as_deref()
                .map(|t| format!(" It targets {t}: it sees {t}'s processes."))
                .unwrap_or_default();
            format!(
                "An ephemeral container is added to a running pod to debug it (kubectl debug). It is never restarted, has no ports or probes, and cannot be removed.{target}"
            )
        }
    }
}

/// "shares volume X with Y (Y at /p)" sentences for every volume `name` shares.
fn shared_with(insight: &PodInsight, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for u in volume_matrix(&insight.pod) {
        let Some(mine) = u.mounts.iter().find(|m| m.container == name) else {
            continue;
        };
        let others: Vec<String> = u
            .mounts
            .iter()
            .filter(|m| m.container != name)
            .map(|m| format!("{} at {}", m.container, m.path))
            .collect();
        if !others.is_empty() {
            out.push(format!(
                "{name} shares volume {} ({} at {}) with {}",
                u.volume.name,
                u.volume.source.kind(),
                mine.path,
                others.join(", ")
            ));
        }
    }
    out
}
