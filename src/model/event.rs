//! A pod's events, as podscope keeps them: what `kubectl describe pod` lists at the bottom.
//! Built from core v1 `Event`s (both the kubelet's old recorder, with `count` and
//! `lastTimestamp`, and the scheduler's new API, with `eventTime` and `series`).

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::jiff::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventType {
    Normal,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodEvent {
    pub kind: EventType,
    pub reason: String,
    pub message: String,
    /// How many times it happened (1 when the server does not say).
    pub count: i32,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// The container it is about, from `involvedObject.fieldPath`
    /// (`spec.containers{app}`); `None` for the pod as a whole.
    pub container: Option<String>,
    /// Who reported it: `kubelet`, `default-scheduler`...
    pub source: String,
    /// The pod's UID it was recorded for (an older pod of the same name has another).
    pub pod_uid: Option<String>,
}

impl PodEvent {
    pub fn is_warning(&self) -> bool {
        self.kind == EventType::Warning
    }
}

/// `spec.containers{app}` → `app`.
fn container_of(field_path: &str) -> Option<String> {
    let (_, rest) = field_path.split_once('{')?;
    rest.strip_suffix('}').map(str::to_string)
}

pub fn event_from_api(e: &core::Event) -> PodEvent {
    let event_time = e.event_time.as_ref().map(|t| t.0);
    let series = e.series.as_ref();
    let last_seen = e
        .last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or(series
            .and_then(|s| s.last_observed_time.as_ref())
            .map(|t| t.0))
        .or(event_time);
    let first_seen = e.first_timestamp.as_ref().map(|t| t.0).or(event_time);
    let count = e
        .count
        .or(series.and_then(|s| s.count))
        .filter(|c| *c > 0)
        .unwrap_or(1);
    let source = e
        .source
        .as_ref()
        .and_then(|s| s.component.clone())
        .filter(|c| !c.is_empty())
        .or_else(|| e.reporting_component.clone())
        .unwrap_or_default();
    PodEvent {
        kind: if e.type_.as_deref() == Some("Warning") {
            EventType::Warning
        } else {
            EventType::Normal
        },
        reason: e.reason.clone().unwrap_or_default(),
        message: e.message.clone().unwrap_or_default().trim_end().to_string(),
        count,
        first_seen,
        last_seen,
        container: e
            .involved_object
            .field_path
            .as_deref()
            .and_then(container_of),
        source,
        pod_uid: e.involved_object.uid.clone(),
    }
}

/// Newest first, as a person reads them when something is wrong now.
pub fn newest_first(events: &mut [PodEvent]) {
    events.sort_by_key(|e| std::cmp::Reverse(e.last_seen));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_come_from_the_field_path() {
        assert_eq!(container_of("spec.containers{app}").as_deref(), Some("app"));
        assert_eq!(
            container_of("spec.initContainers{init-db}").as_deref(),
            Some("init-db")
        );
        assert_eq!(container_of(""), None);
    }
}
