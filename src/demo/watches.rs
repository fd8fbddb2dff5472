//! `GET ...?watch=true` for every kind: a store's changes as ADDED, MODIFIED and DELETED
//! lines (or Table rows), from a resourceVersion or with every object first, with bookmarks
//! when asked, until the timeout.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::Shared;
use super::http::{ApiResponse, bad_request, error, param, status_object, stream_response};
use super::kinds::Kind;
use super::selectors::Selector;
use super::store::Change;
use super::table::IncludeObject;

fn event_line(event_type: &str, object: Value) -> Bytes {
    let mut line =
        serde_json::to_vec(&json!({"type": event_type, "object": object})).unwrap_or_default();
    line.push(b'\n');
    Bytes::from(line)
}

fn bookmark<T: Kind>(rv: u64, initial_end: bool) -> Bytes {
    let mut meta = json!({"resourceVersion": rv.to_string(), "creationTimestamp": null});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    event_line(
        "BOOKMARK",
        json!({"kind": T::KIND, "apiVersion": T::API_VERSION, "metadata": meta}),
    )
}

pub(super) fn watch<T: Kind>(
    shared: &Arc<Shared>,
    ns: Option<&str>,
    selector: Selector,
    params: &[(String, String)],
    as_table: bool,
) -> ApiResponse {
    let rv_param = param(params, "resourceVersion").unwrap_or("");
    let bookmarks = param(params, "allowWatchBookmarks") == Some("true") && !as_table;
    let initial_events = param(params, "sendInitialEvents") == Some("true");
    let timeout = param(params, "timeoutSeconds").and_then(|t| t.parse::<u64>().ok());
    let ns = ns.map(str::to_string);
    let (tx, rx) = mpsc::channel::<Bytes>(256);

    // `watch-expired`: the history is gone, as after an etcd compaction.
    if shared.faults.now().watch_expired {
        let status = status_object(
            410,
            "Expired",
            "too old resource version (injected fault)",
            None,
        );
        let _ = tx.try_send(event_line("ERROR", status));
        return stream_response("application/json", rx);
    }
    let mut drops = shared.faults.watch_drops();
    let counts = Arc::clone(shared);
    let start = {
        let Ok(store) = T::store(shared).lock() else {
            return error(500, "InternalError", "store unavailable");
        };
        let current = store.resource_version();
        if rv_param.is_empty() || rv_param == "0" || initial_events {
            Ok((store.watch_all(), current))
        } else {
            match rv_param.parse::<u64>() {
                Ok(n) => store.watch_from(n).map(|w| (w, current)),
                Err(_) => return bad_request(&format!("invalid resource version: {rv_param}")),
            }
        }
    };
    let matches = move |e: &Change<T>| {
        ns.as_deref()
            .is_none_or(|n| e.object.metadata().namespace.as_deref() == Some(n))
            && selector.matches(e.object.as_ref())
    };
    let encode = move |e: &Change<T>, first: &mut bool| {
        let object = if as_table {
            let t = T::table(&[e.object.as_ref()], e.rv, IncludeObject::Metadata, *first);
            *first = false;
            t
        } else {
            serde_json::to_value(e.object.as_ref()).unwrap_or_default()
        };
        event_line(e.kind.as_str(), object)
    };
    match start {
        Err(expired) => {
            let status = status_object(
                410,
                "Expired",
                &format!(
                    "too old resource version: {} ({})",
                    expired.requested, expired.oldest
                ),
                None,
            );
            let _ = tx.try_send(event_line("ERROR", status));
        }
        Ok((mut start, current)) => {
            tokio::spawn(async move {
                let mut first = true;
                let mut last_rv = current;
                for e in start.replay.iter().filter(|e| matches(e)) {
                    last_rv = last_rv.max(e.rv);
                    if tx.send(encode(e, &mut first)).await.is_err() {
                        return;
                    }
                }
                if initial_events
                    && bookmarks
                    && tx.send(bookmark::<T>(current, true)).await.is_err()
                {
                    return;
                }
                let deadline =
                    tokio::time::sleep(Duration::from_secs(timeout.unwrap_or(u64::MAX / 4)));
                tokio::pin!(deadline);
                let mut tick = tokio::time::interval(Duration::from_secs(30));
                tick.tick().await;
                loop {
                    tokio::select! {
                        _ = &mut deadline => return,
                        _ = tx.closed() => return,
                        // `drop-watches`: the connection ends without a word.
                        _ = drops.changed() => return,
                        _ = tick.tick(), if bookmarks => {
                            if tx.send(bookmark::<T>(last_rv, false)).await.is_err() { return; }
                        }
                        event = start.live.recv() => match event {
                            Ok(e) => {
                                last_rv = last_rv.max(e.rv);
                                if matches(&e) && tx.send(encode(&e, &mut first)).await.is_err() { return; }
                            }
                            Err(broadcast::error::RecvError::Lagged(_)) => {
                                counts.accounting.watcher_terminated(T::URL_PATH_SEGMENT);
                                let status = status_object(410, "Expired", "the watch fell behind; list again and re-watch", None);
                                let _ = tx.send(event_line("ERROR", status)).await;
                                return;
                            }
                            Err(broadcast::error::RecvError::Closed) => return,
                        }
                    }
                }
            });
        }
    }
    stream_response("application/json", rx)
}
