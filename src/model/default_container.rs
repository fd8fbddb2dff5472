//! kubectl's default-container rule, as `kubectl logs` and `kubectl exec` apply it when
//! `-c` is not given (kubectl `pkg/cmd/util/podcmd/podcmd.go`).

use super::pod::{Pod, Section};

/// The annotation that names the container kubectl picks when `-c` is omitted.
pub const DEFAULT_CONTAINER_ANNOTATION: &str = "kubectl.kubernetes.io/default-container";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultContainer {
    pub name: String,
    pub chosen_by: DefaultChoice,
    /// What kubectl prints on stderr when it picks this container, if anything.
    pub notice: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultChoice {
    /// The annotation names a container that exists (any section); kubectl says nothing.
    Annotation,
    /// The first entry of `spec.containers`.
    FirstContainer,
    /// Named with `-c`.
    Named,
}

/// Pick the container kubectl would use without `-c`. `None` when the pod has no
/// `spec.containers` and no valid annotation (kubectl fails with "does not have any
/// containers").
pub fn default_container(pod: &Pod) -> Option<DefaultContainer> {
    let mut warning = None;
    if let Some(named) = pod
        .annotations
        .get(DEFAULT_CONTAINER_ANNOTATION)
        .filter(|n| !n.is_empty())
    {
        if pod.container(named).is_some() {
            return Some(DefaultContainer {
                name: named.clone(),
                chosen_by: DefaultChoice::Annotation,
                notice: None,
            });
        }
        warning = Some(format!(
            "Default container name \"{named}\" not found in pod {}",
            pod.name
        ));
    }
    let first = pod.in_section(Section::Regular).next()?;
    let init = pod.in_section(Section::Init).count();
    let ephemeral = pod.in_section(Section::Ephemeral).count();
    let regular = pod.in_section(Section::Regular).count();
    let defaulted = (regular > 1 || init > 0 || ephemeral > 0).then(|| {
        format!(
            "Defaulted container \"{}\" out of: {}",
            first.name,
            all_container_names(pod)
        )
    });
    let notice = match (warning, defaulted) {
        (Some(w), Some(d)) => Some(format!("{w}\n{d}")),
        (w, d) => w.or(d),
    };
    Some(DefaultContainer {
        name: first.name.clone(),
        chosen_by: DefaultChoice::FirstContainer,
        notice,
    })
}

/// kubectl's list of container names: containers, then `x (ephem)`, then `x (init)`.
pub fn all_container_names(pod: &Pod) -> String {
    let regular = pod.in_section(Section::Regular).map(|c| c.name.clone());
    let ephemeral = pod
        .in_section(Section::Ephemeral)
        .map(|c| format!("{} (ephem)", c.name));
    let init = pod
        .in_section(Section::Init)
        .map(|c| format!("{} (init)", c.name));
    regular
        .chain(ephemeral)
        .chain(init)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The container `-c NAME` means, or kubectl's default (with its notice) when there is no
/// `-c`. Init, native sidecar and ephemeral containers can all be named. The error is
/// kubectl's message.
pub fn choose_container(pod: &Pod, flag: Option<&str>) -> Result<DefaultContainer, String> {
    match flag {
        Some(name) if pod.container(name).is_some() => Ok(DefaultContainer {
            name: name.to_string(),
            chosen_by: DefaultChoice::Named,
            notice: None,
        }),
        Some(name) => Err(format!(
            "container {name} is not valid for pod {}",
            pod.name
        )),
        None => default_container(pod)
            .ok_or_else(|| format!("pod {} does not have any containers", pod.name)),
    }
}
