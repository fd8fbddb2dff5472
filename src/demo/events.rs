//! Pod events as the kubelet reports them (Scheduled, Pulled, Created, Started, BackOff,
//! FailedMount ...), repeated ones counted into one event (a MODIFIED change), kept in the
//! same kind of store as every object ([`super::store`]) and so listed and watched with the
//! field selectors `kubectl describe` and podscope send (`reference/k8s-protocol.md` §7),
//! and printed as `kubectl get events` prints them.

use std::collections::VecDeque;
use std::sync::Mutex;

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::{Value, json};

use super::store::Store;
use super::table::IncludeObject;

/// Events kept in all; the oldest go first, as events expire on a real cluster.
const KEEP: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Normal,
    Warning,
}

/// The order events were made in (for their names and their expiry).
#[derive(Debug, Default)]
pub struct EventOrder {
    next: u64,
    keys: VecDeque<(String, String)>,
}

/// Record an event about `pod`; `field_path` names a container (`spec.containers{app}`).
pub fn record(
    (store, order): (&Mutex<Store<Event>>, &Mutex<EventOrder>),
    pod: &Pod,
    kind: EventType,
    reason: &str,
    message: &str,
    field_path: Option<String>,
) {
    let (Ok(mut order), Ok(mut store)) = (order.lock(), store.lock()) else {
        return;
    };
    let now = Time(super::now());
    let uid = pod.metadata.uid.clone();
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let same = store.list(Some(&namespace)).into_iter().find(|e| {
        e.involved_object.uid == uid
            && e.reason.as_deref() == Some(reason)
            && e.message.as_deref() == Some(message)
    });
    if let Some(same) = same {
        let mut counted = (*same).clone();
        counted.count = Some(counted.count.unwrap_or(1) + 1);
        counted.last_timestamp = Some(now);
        store.put(counted);
        return;
    }
    if order.keys.len() == KEEP
        && let Some((ns, name)) = order.keys.pop_front()
    {
        store.delete(&ns, &name);
    }
    order.next += 1;
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let name = format!("{pod_name}.{:016x}", order.next);
    order.keys.push_back((namespace.clone(), name.clone()));
    store.put(Event {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(namespace.clone()),
            creation_timestamp: Some(now.clone()),
            ..Default::default()
        },
        involved_object: ObjectReference {
            api_version: Some("v1".into()),
            kind: Some("Pod".into()),
            name: Some(pod_name),
            namespace: Some(namespace),
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
}

/// The fields an event list or watch may be selected by.
pub const KNOWN: &[&str] = &[
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

/// An event's value of one of [`KNOWN`].
pub fn field_value(e: &Event, field: &str) -> Option<String> {
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

/// `kubectl get events`'s columns: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; `headers` false
/// for watch events after the first.
pub fn table(events: &[&Event], rv: u64, include: IncludeObject, headers: bool) -> Value {
    let col = |name: &str| json!({"name": name, "type": "string", "format": "", "description": "", "priority": 0});
    let now = super::now();
    let rows: Vec<Value> = events
        .iter()
        .map(|e| {
            let seen = e
                .last_timestamp
                .as_ref()
                .or(e.first_timestamp.as_ref())
                .map_or("<unknown>".to_string(), |t| {
                    crate::model::printing::human_duration(now.as_second() - t.0.as_second())
                });
            let object = &e.involved_object;
            let kind = object.kind.clone().unwrap_or_default().to_lowercase();
            let target = format!("{kind}/{}", object.name.clone().unwrap_or_default());
            let mut row = json!({"cells": [seen, e.type_, e.reason, target, e.message]});
            match include {
                IncludeObject::Metadata => {
                    row["object"] = json!({"kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1", "metadata": e.metadata})
                }
                IncludeObject::Object => {
                    row["object"] = serde_json::to_value(e).unwrap_or_default()
                }
                IncludeObject::None => {}
            }
            row
        })
        .collect();
    let columns = ["Last Seen", "Type", "Reason", "Object", "Message"].map(col);
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv.to_string()},
        "columnDefinitions": if headers { json!(columns) } else { Value::Null },
        "rows": rows})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::store::Clock;

    #[test]
    fn repeated_events_are_counted_and_expire_oldest_first() {
        let mut pod = Pod::default();
        pod.metadata.name = Some("crashy".into());
        pod.metadata.namespace = Some("default".into());
        pod.metadata.uid = Some("u-1".into());
        let store = Mutex::new(Store::new(Clock::default()));
        let order = Mutex::new(EventOrder::default());
        let mut live = store.lock().unwrap().subscribe();
        let log = (&store, &order);
        record(
            log,
            &pod,
            EventType::Normal,
            "Started",
            "Started container app",
            None,
        );
        let back_off = "Back-off restarting failed container app";
        record(log, &pod, EventType::Warning, "BackOff", back_off, None);
        record(log, &pod, EventType::Warning, "BackOff", back_off, None);
        let events = store.lock().unwrap().list(None);
        assert_eq!(events.len(), 2);
        let counted = events
            .iter()
            .find(|e| e.reason.as_deref() == Some("BackOff"))
            .unwrap();
        assert_eq!(
            (counted.count, counted.type_.as_deref()),
            (Some(2), Some("Warning"))
        );
        assert_eq!(
            field_value(counted, "involvedObject.uid").as_deref(),
            Some("u-1")
        );
        let kinds: Vec<&str> = std::iter::from_fn(|| live.try_recv().ok())
            .map(|c| c.kind.as_str())
            .collect();
        assert_eq!(kinds, ["ADDED", "ADDED", "MODIFIED"]);
        let table = table(&[counted.as_ref()], 7, IncludeObject::None, true);
        assert_eq!(table["rows"][0]["cells"][3], "pod/crashy");
    }
}
