//! `GET .../pods/{name}/log`: option validation, the container to read, and which instance,
//! with the apiserver's and kubelet's own error texts (`reference/k8s-protocol.md` §5).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use k8s_openapi::jiff::Timestamp;

use super::http::ApiError;
use super::runtime::LogQuery;

/// Which run of the container a log request reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instance {
    Current,
    Previous,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTarget {
    pub container: String,
    pub instance: Instance,
    /// The instance's container ID, whose output the runtime keeps.
    pub container_id: Option<String>,
    /// The instance is running, so a follow keeps the stream open.
    pub running: bool,
}

/// The options that shape the body (validated first with [`validate_options`]).
pub fn query(params: &[(String, String)], now: SystemTime) -> LogQuery {
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let since_seconds = get("sinceSeconds")
        .and_then(|v| v.parse::<u64>().ok())
        .map(|s| {
            now.checked_sub(Duration::from_secs(s))
                .unwrap_or(UNIX_EPOCH)
        });
    let since_time = get("sinceTime")
        .and_then(|v| v.parse::<Timestamp>().ok())
        .map(|t| {
            UNIX_EPOCH
                + Duration::new(
                    t.as_second().max(0) as u64,
                    t.subsec_nanosecond().max(0) as u32,
                )
        });
    LogQuery {
        tail: get("tailLines").and_then(|v| v.parse().ok()),
        since: since_seconds.max(since_time),
        timestamps: matches!(get("timestamps"), Some("true" | "1")),
        limit_bytes: get("limitBytes").and_then(|v| v.parse().ok()),
    }
}

/// Validate `PodLogOptions` the way the apiserver does (422 Invalid).
pub fn validate_options(params: &[(String, String)]) -> Result<(), ApiError> {
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let invalid = |field: &str, value: &str, why: &str| {
        ApiError::invalid(format!(
            "PodLogOptions \"\" is invalid: {field}: Invalid value: {value}: {why}"
        ))
    };
    let below = |v: &str, min: i64| v.parse::<i64>().map_or(true, |n| n < min);
    match (get("tailLines"), get("limitBytes"), get("sinceSeconds")) {
        (Some(v), _, _) if below(v, 0) => Err(invalid("tailLines", v, "must be greater than or equal to 0")),
        (_, Some(v), _) if below(v, 1) => Err(invalid("limitBytes", v, "must be greater than 0")),
        (_, _, Some(v)) if below(v, 1) => Err(invalid("sinceSeconds", v, "must be greater than 0")),
        (_, _, Some(_)) if get("sinceTime").is_some() => Err(ApiError::invalid(
            "PodLogOptions \"\" is invalid: sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"
                .to_string(),
        )),
        _ => Ok(()),
    }
}

/// All container names in the apiserver's visiting order: init, regular, ephemeral.
fn container_names(pod: &Pod) -> Vec<String> {
    let Some(spec) = pod.spec.as_ref() else {
        return Vec::new();
    };
    let init = spec
        .init_containers
        .iter()
        .flatten()
        .map(|c| c.name.clone());
    let regular = spec.containers.iter().map(|c| c.name.clone());
    let ephemeral = spec
        .ephemeral_containers
        .iter()
        .flatten()
        .map(|c| c.name.clone());
    init.chain(regular).chain(ephemeral).collect()
}

fn status_of<'a>(pod: &'a Pod, container: &str) -> Option<&'a ContainerStatus> {
    let status = pod.status.as_ref()?;
    [
        &status.container_statuses,
        &status.init_container_statuses,
        &status.ephemeral_container_statuses,
    ]
    .into_iter()
    .flatten()
    .flatten()
    .find(|s| s.name == container)
}

/// The container a log or exec request means: the named one, or the only one.
pub fn choose_container(pod: &Pod, container: Option<&str>) -> Result<String, ApiError> {
    let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
    let names = container_names(pod);
    match container.filter(|c| !c.is_empty()) {
        Some(c) if names.iter().any(|n| n == c) => Ok(c.to_string()),
        Some(c) => Err(ApiError::bad_request(format!(
            "container {c} is not valid for pod {pod_name}"
        ))),
        None if names.len() == 1 => Ok(names[0].clone()),
        None => Err(ApiError::bad_request(format!(
            "a container name must be specified for pod {pod_name}, choose one of: [{}]",
            names.join(" ")
        ))),
    }
}

/// Decide what a log request reads, or the error the real cluster would answer.
pub fn target(pod: &Pod, container: Option<&str>, previous: bool) -> Result<LogTarget, ApiError> {
    let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
    let container = choose_container(pod, container)?;
    let Some(status) = status_of(pod, &container) else {
        return Err(ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{pod_name}\" is not available"
        )));
    };
    let last_terminated = status
        .last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref())
        .filter(|t| t.container_id.as_deref().is_some_and(|id| !id.is_empty()));
    let state = status.state.clone().unwrap_or_default();
    let instance = if previous {
        if last_terminated.is_none() {
            return Err(ApiError::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{pod_name}\" not found"
            )));
        }
        Instance::Previous
    } else if state.running.is_some() || state.terminated.is_some() {
        Instance::Current
    } else if last_terminated.is_some() {
        // CrashLoopBackOff: the last run's output, not an error.
        Instance::Previous
    } else if let Some(waiting) = &state.waiting {
        // The kubelet's words for image failures; otherwise the waiting reason itself.
        let why = match waiting.reason.as_deref().unwrap_or_default() {
            "ErrImagePull" => "image can't be pulled",
            "ImagePullBackOff" => "trying and failing to pull image",
            other => other,
        };
        return Err(ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{pod_name}\" is waiting to start: {why}"
        )));
    } else {
        return Err(ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{pod_name}\" is not available"
        )));
    };
    let running = state.running.is_some() && instance == Instance::Current;
    let container_id = match instance {
        Instance::Previous => last_terminated.and_then(|t| t.container_id.clone()),
        Instance::Current => state
            .terminated
            .as_ref()
            .and_then(|t| t.container_id.clone())
            .or_else(|| status.container_id.clone()),
    };
    Ok(LogTarget {
        container,
        instance,
        container_id,
        running,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        Container, ContainerState, ContainerStateWaiting, PodSpec, PodStatus,
    };

    fn waiting_pod(reason: &str) -> Pod {
        let mut pod = Pod::default();
        pod.metadata.name = Some("web".into());
        pod.spec = Some(PodSpec {
            containers: vec![Container {
                name: "app".into(),
                ..Default::default()
            }],
            ..Default::default()
        });
        pod.status = Some(PodStatus {
            container_statuses: Some(vec![ContainerStatus {
                name: "app".into(),
                state: Some(ContainerState {
                    waiting: Some(ContainerStateWaiting {
                        reason: Some(reason.into()),
                        message: None,
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ..Default::default()
        });
        pod
    }

    #[test]
    fn waiting_containers_get_the_kubelets_texts() {
        let message = |reason: &str| {
            target(&waiting_pod(reason), None, false)
                .unwrap_err()
                .message
        };
        assert_eq!(
            message("ContainerCreating"),
            "container \"app\" in pod \"web\" is waiting to start: ContainerCreating"
        );
        assert_eq!(
            message("ErrImagePull"),
            "container \"app\" in pod \"web\" is waiting to start: image can't be pulled"
        );
        assert_eq!(
            message("ImagePullBackOff"),
            "container \"app\" in pod \"web\" is waiting to start: trying and failing to pull image"
        );
    }

    #[test]
    fn since_values_of_any_size_are_safe() {
        let now = SystemTime::now();
        let huge = [("sinceSeconds".to_string(), u64::MAX.to_string())];
        assert_eq!(query(&huge, now).since, Some(UNIX_EPOCH));
        let time = [("sinceTime".to_string(), "2026-11-21T12:40:00Z".to_string())];
        let since = query(&time, now).since.unwrap();
        assert_eq!(
            since.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_795_264_800
        );
    }
}
