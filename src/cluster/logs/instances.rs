//! What follows a followed stream's end: the container's next instance (with its restart
//! boundary), the same one again (only the connection broke), a wait while it is not
//! running, or the end for good (the pod deleted, the container done).

use k8s_openapi::api::core::v1::Pod as ApiPod;
use kube::Api;

use super::{LogEvent, LogSpec, POLL, Sender};
use crate::cluster::errors::ApiFailure;
use crate::model::convert::pod_from_api;
use crate::model::log_line::restart_boundary;
use crate::model::pod::{Container, ContainerState, Pod, PodPhase, Section};

pub enum Next {
    /// The same instance is still running (the stream ended for another reason).
    Same,
    /// A new instance runs; the boundary text.
    New(String),
    Done(String),
}

/// After a followed stream ends, wait until the container runs again (a new instance, or the
/// same one if only the stream broke) or will not run again.
pub async fn next_instance(
    api: &Api<ApiPod>,
    spec: &LogSpec,
    restarts: &mut Option<i32>,
    out: &Sender,
) -> Next {
    let mut said = String::new();
    loop {
        let pod = match api.get(&spec.pod).await {
            Ok(p) => pod_from_api(&p, None),
            Err(e) => {
                let f = ApiFailure::from_kube(&e);
                if f.not_found() {
                    return Next::Done(format!("pod {} was deleted", spec.pod));
                }
                tokio::time::sleep(POLL).await;
                continue;
            }
        };
        let Some(container) = pod.container(&spec.container) else {
            return Next::Done(format!("container {} is gone", spec.container));
        };
        let Some(status) = &container.status else {
            tokio::time::sleep(POLL).await;
            continue;
        };
        let running = matches!(status.state, ContainerState::Running { .. });
        let restarted = restarts.is_some_and(|r| status.restart_count > r);
        if running && restarted {
            *restarts = Some(status.restart_count);
            return Next::New(restart_boundary(
                status.last_state.as_ref(),
                status.restart_count,
            ));
        }
        if running {
            if restarts.is_none() {
                *restarts = Some(status.restart_count);
            }
            return Next::Same;
        }
        if let Some(reason) = finished_for_good(&pod, container) {
            return Next::Done(reason);
        }
        let text = format!(
            "{} is {}; waiting for it to start again",
            spec.container,
            status.state.summary()
        );
        if text != said {
            said = text.clone();
            if !out.send(LogEvent::Note(text)).await {
                return Next::Done(String::new());
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Why a terminated container will not run again, if it will not.
fn finished_for_good(pod: &Pod, container: &Container) -> Option<String> {
    let status = container.status.as_ref()?;
    let ContainerState::Terminated { exit_code, .. } = &status.state else {
        return None;
    };
    let policy = pod.restart_policy.as_deref().unwrap_or("Always");
    let pod_done = matches!(pod.phase, Some(PodPhase::Succeeded | PodPhase::Failed));
    let init_done =
        container.section == Section::Init && !container.native_sidecar && *exit_code == 0;
    let no_restart = container.section == Section::Ephemeral
        || policy == "Never"
        || (policy == "OnFailure" && *exit_code == 0);
    (pod_done || init_done || no_restart)
        .then(|| format!("{} exited: {}", container.name, status.state.summary()))
}
