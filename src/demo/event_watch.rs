//! `GET .../events?watch=true`: the events of a namespace (or all), narrowed by a field
//! selector such as `involvedObject.name=crashy`, as ADDED (new) and MODIFIED (counted
//! again) lines, from a resourceVersion or with every event first.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::json;
use tokio::sync::{broadcast, mpsc};

use super::Shared;
use super::events::{EventSelector, event_json};
use super::http::{ApiResponse, error, param, stream_response};

pub fn events(
    shared: &Arc<Shared>,
    namespace: Option<&str>,
    params: &[(String, String)],
    accept: &str,
) -> ApiResponse {
    let selector = match EventSelector::parse(namespace, param(params, "fieldSelector")) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let Ok(log) = shared.events.lock() else {
        return error(500, "InternalError", "the event log is unavailable");
    };
    if !matches!(param(params, "watch"), Some("true" | "1")) {
        return match log.list(namespace, param(params, "fieldSelector")) {
            Ok(list) if super::http::wants_table(accept) => {
                super::http::json_response(hyper::StatusCode::OK, &table(&list))
            }
            Ok(list) => super::http::json_response(hyper::StatusCode::OK, &list),
            Err(e) => e.into_response(),
        };
    }
    let from = match param(params, "resourceVersion").filter(|v| !v.is_empty()) {
        None | Some("0") => 0,
        Some(v) => match v.parse::<u64>() {
            Ok(n) => n,
            Err(_) => {
                return super::http::bad_request(&format!("invalid resource version: {v}"));
            }
        },
    };
    let initial = param(params, "sendInitialEvents") == Some("true");
    let bookmarks = param(params, "allowWatchBookmarks") == Some("true");
    let timeout = param(params, "timeoutSeconds").and_then(|t| t.parse::<u64>().ok());
    let mut start = log.watch_from(if initial { 0 } else { from });
    drop(log);
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let mut stop = shared.stop.clone();
    tokio::spawn(async move {
        let line = |kind: &str, object: serde_json::Value| {
            let mut bytes =
                serde_json::to_vec(&json!({"type": kind, "object": object})).unwrap_or_default();
            bytes.push(b'\n');
            Bytes::from(bytes)
        };
        let bookmark = |rv: u64, end: bool| {
            let mut meta = json!({"resourceVersion": rv.to_string()});
            if end {
                meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
            }
            line(
                "BOOKMARK",
                json!({"kind": "Event", "apiVersion": "v1", "metadata": meta}),
            )
        };
        let mut last = start.version;
        for e in start.replay.iter().filter(|e| selector.matches(e)) {
            let kind = if e.count.unwrap_or(1) > 1 && !initial {
                "MODIFIED"
            } else {
                "ADDED"
            };
            if tx.send(line(kind, event_json(e))).await.is_err() {
                return;
            }
        }
        if initial && bookmarks && tx.send(bookmark(last, true)).await.is_err() {
            return;
        }
        let deadline = tokio::time::sleep(Duration::from_secs(timeout.unwrap_or(u64::MAX / 4)));
        tokio::pin!(deadline);
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        tick.tick().await;
        loop {
            let next = tokio::select! {
                _ = &mut deadline => return,
                _ = tx.closed() => return,
                _ = stop.wait_for(|s| *s) => return,
                _ = tick.tick(), if bookmarks => None,
                e = start.live.recv() => Some(e),
            };
            let out = match next {
                None => bookmark(last, false),
                Some(Ok(e)) => {
                    last = e
                        .metadata
                        .resource_version
                        .as_deref()
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(last);
                    if !selector.matches(&e) {
                        continue;
                    }
                    let kind = if e.count.unwrap_or(1) > 1 {
                        "MODIFIED"
                    } else {
                        "ADDED"
                    };
                    line(kind, event_json(&e))
                }
                Some(Err(broadcast::error::RecvError::Lagged(_))) => {
                    let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                        "status": "Failure", "message": "the watch fell behind; list again and re-watch",
                        "reason": "Expired", "code": 410});
                    let _ = tx.send(line("ERROR", status)).await;
                    return;
                }
                Some(Err(broadcast::error::RecvError::Closed)) => return,
            };
            if tx.send(out).await.is_err() {
                return;
            }
        }
    });
    stream_response("application/json", rx)
}

/// `kubectl get events`'s columns: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE (oldest first,
/// as kubectl sorts them by last seen).
fn table(list: &serde_json::Value) -> serde_json::Value {
    let col = |name: &str, priority: u8| json!({"name": name, "type": "string", "format": "", "description": "", "priority": priority});
    let now = super::now();
    let rows: Vec<serde_json::Value> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let seen = e["lastTimestamp"]
                .as_str()
                .or(e["eventTime"].as_str())
                .and_then(|t| t.parse::<k8s_openapi::jiff::Timestamp>().ok())
                .map_or("<unknown>".to_string(), |t| {
                    crate::model::printing::human_duration(now.as_second() - t.as_second())
                });
            let object = &e["involvedObject"];
            let kind = object["kind"].as_str().unwrap_or("").to_lowercase();
            let target = format!("{kind}/{}", object["name"].as_str().unwrap_or(""));
            json!({"cells": [seen, e["type"], e["reason"], target, e["message"]],
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": e["metadata"]}})
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list["metadata"],
        "columnDefinitions": [col("Last Seen", 0), col("Type", 0), col("Reason", 0), col("Object", 0), col("Message", 0)],
        "rows": rows})
}
