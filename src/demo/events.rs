//! Pod events as the kubelet reports them (Scheduled, Pulled, Created, Started, BackOff,
//! FailedMount ...), repeated ones counted into one event, listed with the field selectors
//! `kubectl describe` sends (`reference/k8s-protocol.md` §7).

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::http::ApiError;

/// Events kept in all; the oldest go first, as events expire on a real cluster.
const KEEP: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Normal,
    Warning,
}

#[derive(Debug)]
pub struct EventLog {
    events: Vec<Event>,
    next: u64,
    /// The events' own resourceVersion: bumped by every new or counted-again event.
    version: u64,
    /// Every new or changed event, for watches.
    changes: broadcast::Sender<Event>,
}

impl Default for EventLog {
    fn default() -> Self {
        EventLog {
            events: Vec::new(),
            next: 0,
            version: 0,
            changes: broadcast::channel(1024).0,
        }
    }
}

/// A watch of events about to start: what it missed (or all, for initial events) and what
/// comes next.
pub struct EventWatch {
    pub replay: Vec<Event>,
    pub live: broadcast::Receiver<Event>,
    pub version: u64,
}

impl EventLog {
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Events newer than `from` (every event when `from` is 0), then the live ones.
    pub fn watch_from(&self, from: u64) -> EventWatch {
        let replay = self
            .events
            .iter()
            .filter(|e| version_of(e) > from)
            .cloned()
            .collect();
        EventWatch {
            replay,
            live: self.changes.subscribe(),
            version: self.version,
        }
    }

    /// Record an event about `pod`; `field_path` names a container (`spec.containers{app}`).
    pub fn record(
        &mut self,
        pod: &Pod,
        kind: EventType,
        reason: &str,
        message: &str,
        field_path: Option<String>,
    ) {
        let now = Time(super::now());
        let uid = pod.metadata.uid.clone();
        if let Some(same) = self.events.iter_mut().find(|e| {
            e.involved_object.uid == uid
                && e.reason.as_deref() == Some(reason)
                && e.message.as_deref() == Some(message)
        }) {
            same.count = Some(same.count.unwrap_or(1) + 1);
            same.last_timestamp = Some(now);
            self.version += 1;
            same.metadata.resource_version = Some(self.version.to_string());
            let _ = self.changes.send(same.clone());
            return;
        }
        if self.events.len() == KEEP {
            self.events.remove(0);
        }
        self.next += 1;
        self.version += 1;
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        self.events.push(Event {
            metadata: ObjectMeta {
                name: Some(format!("{pod_name}.{:016x}", self.next)),
                namespace: pod.metadata.namespace.clone(),
                resource_version: Some(self.version.to_string()),
                ..Default::default()
            },
            involved_object: ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("Pod".into()),
                name: Some(pod_name),
                namespace: pod.metadata.namespace.clone(),
                uid,
                field_path,
                ..Default::default()
            },
            reason: Some(reason.into()),
            message: Some(message.into()),
            type_: Some(match kind {
                EventType::Normal => "Normal".into(),
                EventType::Warning => "Warning".into(),
            }),
            source: Some(EventSource {
                component: Some(
                    if reason == "Scheduled" {
                        "default-scheduler"
                    } else {
                        "kubelet"
                    }
                    .into(),
                ),
                host: None,
            }),
            count: Some(1),
            first_timestamp: Some(now.clone()),
            last_timestamp: Some(now),
            ..Default::default()
        });
        if let Some(new) = self.events.last() {
            let _ = self.changes.send(new.clone());
        }
    }

    /// An `EventList` for `namespace` (all when `None`) matching a field selector.
    pub fn list(
        &self,
        namespace: Option<&str>,
        field_selector: Option<&str>,
    ) -> Result<Value, ApiError> {
        let selector = EventSelector::parse(namespace, field_selector)?;
        let items: Vec<Value> = self
            .events
            .iter()
            .filter(|e| selector.matches(e))
            .map(event_json)
            .collect();
        Ok(json!({
            "kind": "EventList", "apiVersion": "v1",
            "metadata": {"resourceVersion": self.version.to_string()},
            "items": items,
        }))
    }
}

fn version_of(e: &Event) -> u64 {
    e.metadata
        .resource_version
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// An event as the API serves it: with `kind` and `apiVersion`.
pub fn event_json(e: &Event) -> Value {
    let mut v = serde_json::to_value(e).unwrap_or_default();
    v["kind"] = json!("Event");
    v["apiVersion"] = json!("v1");
    v
}

/// Which events a list or watch is about: a namespace and field selector terms.
#[derive(Debug, Clone)]
pub struct EventSelector {
    namespace: Option<String>,
    terms: Vec<(String, String, bool)>,
}

impl EventSelector {
    pub fn parse(
        namespace: Option<&str>,
        field_selector: Option<&str>,
    ) -> Result<EventSelector, ApiError> {
        Ok(EventSelector {
            namespace: namespace.map(str::to_string),
            terms: parse_terms(field_selector.unwrap_or_default())?,
        })
    }

    pub fn matches(&self, e: &Event) -> bool {
        self.namespace
            .as_deref()
            .is_none_or(|ns| e.metadata.namespace.as_deref() == Some(ns))
            && self.terms.iter().all(|(field, value, equal)| {
                (field_value(e, field).as_deref() == Some(value.as_str())) == *equal
            })
    }
}

fn parse_terms(selector: &str) -> Result<Vec<(String, String, bool)>, ApiError> {
    selector
        .split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|term| {
            let (field, value, equal) = if let Some((f, v)) = term.split_once("!=") {
                (f, v, false)
            } else if let Some((f, v)) = term.split_once("==") {
                (f, v, true)
            } else if let Some((f, v)) = term.split_once('=') {
                (f, v, true)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{term}'; can't understand '{term}'"
                )));
            };
            let field = field.trim();
            if !KNOWN.contains(&field) {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {field}"
                )));
            }
            Ok((field.to_string(), value.trim().to_string(), equal))
        })
        .collect()
}

const KNOWN: &[&str] = &[
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
    "metadata.name",
    "metadata.namespace",
];

fn field_value(e: &Event, field: &str) -> Option<String> {
    let o = &e.involved_object;
    match field {
        "involvedObject.kind" => o.kind.clone(),
        "involvedObject.namespace" => o.namespace.clone(),
        "involvedObject.name" => o.name.clone(),
        "involvedObject.uid" => o.uid.clone(),
        "involvedObject.apiVersion" => o.api_version.clone(),
        "involvedObject.resourceVersion" => o.resource_version.clone(),
        "involvedObject.fieldPath" => o.field_path.clone(),
        "reason" => e.reason.clone(),
        "reportingComponent" => e.reporting_component.clone(),
        "source" => e.source.as_ref().and_then(|s| s.component.clone()),
        "type" => e.type_.clone(),
        "metadata.name" => e.metadata.name.clone(),
        "metadata.namespace" => e.metadata.namespace.clone(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_events_are_counted_and_selected_by_uid() {
        let mut pod = Pod::default();
        pod.metadata.name = Some("crashy".into());
        pod.metadata.namespace = Some("default".into());
        pod.metadata.uid = Some("u-1".into());
        let mut log = EventLog::default();
        log.record(
            &pod,
            EventType::Normal,
            "Started",
            "Started container app",
            None,
        );
        log.record(
            &pod,
            EventType::Warning,
            "BackOff",
            "Back-off restarting failed container app",
            None,
        );
        log.record(
            &pod,
            EventType::Warning,
            "BackOff",
            "Back-off restarting failed container app",
            None,
        );
        let list = log
            .list(Some("default"), Some("involvedObject.uid=u-1,involvedObject.name=crashy,involvedObject.namespace=default"))
            .unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1]["count"], 2);
        assert_eq!(items[1]["type"], "Warning");
        let none = log.list(None, Some("involvedObject.uid=other")).unwrap();
        assert!(none["items"].as_array().unwrap().is_empty());
        assert!(log.list(None, Some("spec.bogus=1")).is_err());
        // The list's version is the newest event's; a watch from it misses nothing after it.
        assert_eq!(list["metadata"]["resourceVersion"], "3");
        let mut watch = log.watch_from(3);
        assert!(watch.replay.is_empty());
        log.record(
            &pod,
            EventType::Normal,
            "Killing",
            "Stopping container app",
            None,
        );
        let next = watch.live.try_recv().unwrap();
        assert_eq!(next.metadata.resource_version.as_deref(), Some("4"));
        assert_eq!(log.watch_from(0).replay.len(), 3);
    }
}
