//! One look at a cluster for `podscope describe`: the pods (by name, or every pod in scope in
//! pages of 500 as kubectl pages them), their events (by field selector for named pods, one
//! paged list for a whole scope: never a request per pod), the Services in scope (skipped
//! when not allowed), and the last log lines a finding asks for.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Event, Pod as ApiPod, Service};
use kube::api::{ListParams, LogParams};
use kube::{Api, Client};
use serde::de::DeserializeOwned;

use super::errors::ApiFailure;

const PAGE: u32 = 500;

pub struct Snapshot {
    pub pods: Vec<ApiPod>,
    pub events: Vec<Event>,
    pub services: Vec<Service>,
}

fn api<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    <K as kube::Resource>::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// Told after each page of pods: how many have come, and about how many there are (when the
/// API server estimates it).
pub type Progress<'a> = &'a (dyn Fn(usize, Option<usize>) + Sync);

/// Every object of a list, page by page.
async fn list_all<K>(
    api: &Api<K>,
    params: ListParams,
    progress: Option<Progress<'_>>,
) -> Result<Vec<K>, ApiFailure>
where
    K: Clone + DeserializeOwned + std::fmt::Debug,
{
    let mut out = Vec::new();
    let mut params = params.limit(PAGE);
    loop {
        let page = api
            .list(&params)
            .await
            .map_err(|e| ApiFailure::from_kube(&e))?;
        out.extend(page.items);
        if let Some(report) = progress {
            let remaining = page
                .metadata
                .remaining_item_count
                .map(|r| r.max(0) as usize);
            report(out.len(), remaining.map(|r| r + out.len()));
        }
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(out),
        }
    }
}

/// The pods named in `namespace`, or every pod in scope (`None`: all namespaces).
pub async fn fetch(
    client: &Client,
    namespace: Option<&str>,
    names: &[String],
    progress: Option<Progress<'_>>,
) -> Result<Snapshot, ApiFailure> {
    let pods_api: Api<ApiPod> = api(client, namespace);
    let events_api: Api<Event> = api(client, namespace);
    let (pods, events) = if names.is_empty() {
        let (pods, events) = tokio::join!(
            list_all(&pods_api, ListParams::default(), progress),
            list_all(
                &events_api,
                ListParams::default().fields("involvedObject.kind=Pod"),
                None
            ),
        );
        (pods?, events.unwrap_or_default())
    } else {
        let mut pods = Vec::new();
        let mut events = Vec::new();
        for name in names {
            pods.push(
                pods_api
                    .get(name)
                    .await
                    .map_err(|e| ApiFailure::from_kube(&e))?,
            );
            let fields = format!("involvedObject.name={name},involvedObject.kind=Pod");
            // Events are extra: a refusal to list them leaves the pod described without.
            events.extend(
                list_all(&events_api, ListParams::default().fields(&fields), None)
                    .await
                    .unwrap_or_default(),
            );
        }
        (pods, events)
    };
    let services_api: Api<Service> = api(client, namespace);
    let services = list_all(&services_api, ListParams::default(), None)
        .await
        .unwrap_or_default();
    Ok(Snapshot {
        pods,
        events,
        services,
    })
}

/// The last `lines` lines of each (container, previous) asked for, keyed by container; a
/// container whose logs cannot be read is left out.
pub async fn last_lines(
    client: &Client,
    namespace: &str,
    pod: &str,
    wanted: &[(String, bool)],
    lines: i64,
) -> (BTreeMap<String, Vec<String>>, BTreeMap<String, Vec<String>>) {
    let api: Api<ApiPod> = Api::namespaced(client.clone(), namespace);
    let (mut current, mut previous) = (BTreeMap::new(), BTreeMap::new());
    for (container, prev) in wanted {
        let params = LogParams {
            container: Some(container.clone()),
            previous: *prev,
            tail_lines: Some(lines),
            ..LogParams::default()
        };
        if let Ok(text) = api.logs(pod, &params).await {
            let got: Vec<String> = text.lines().map(str::to_string).collect();
            let into = if *prev { &mut previous } else { &mut current };
            into.insert(container.clone(), got);
        }
    }
    (current, previous)
}
