//! What differs between the kinds the demo stores: where each lives, its validation, the
//! defaults the apiserver fills in, what an update may not change, and its `kubectl get`
//! columns. Everything else (get, list, watch, create, update, patch, delete) is the same for
//! every kind, in [`super::rest`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, Event, Namespace, Pod, Secret, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;
use k8s_openapi::{Metadata, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::Shared;
use super::store::Store;
use super::table::IncludeObject;
use super::validate::{self, Cause};
use crate::model::printing::human_duration;

pub trait Kind:
    Resource + Metadata<Ty = ObjectMeta> + Clone + Serialize + DeserializeOwned + Send + Sync + 'static
{
    fn store(shared: &Shared) -> &Mutex<Store<Self>>;

    /// False for cluster-scoped kinds (Namespace), stored under the namespace "".
    const NAMESPACED: bool = true;

    /// The fields a `fieldSelector` may name.
    const FIELDS: &'static [&'static str] = &["metadata.name", "metadata.namespace"];

    fn field(&self, field: &str) -> Option<String> {
        match field {
            "metadata.name" => self.metadata().name.clone(),
            "metadata.namespace" => self.metadata().namespace.clone(),
            _ => None,
        }
    }

    /// The field errors of a new object (the name is checked for every kind).
    fn validate(&self) -> Vec<Cause> {
        Vec::new()
    }

    /// The field errors of changing `old` into `self`.
    fn validate_update(&self, _old: &Self) -> Vec<Cause> {
        Vec::new()
    }

    /// What the apiserver fills in on create.
    fn prepare_create(&mut self, _shared: &Shared) {}

    /// What an update keeps from the stored object whatever the client sent (status...).
    fn prepare_update(&mut self, _old: &Self) {}

    /// What happens once a new object is stored (a pod starts running).
    fn created(_shared: &Arc<Shared>, _namespace: &str, _name: &str) {}

    /// `kubectl get`'s columns after NAME, before AGE: (name, priority) and the cells.
    fn columns() -> &'static [(&'static str, u8)] {
        &[]
    }

    fn cells(&self) -> Vec<Value> {
        Vec::new()
    }

    /// A Table of `items`; `headers` false for watch events after the first.
    fn table(items: &[&Self], rv: u64, include: IncludeObject, headers: bool) -> Value {
        generic_table(items, rv, include, headers)
    }
}

fn generic_table<T: Kind>(items: &[&T], rv: u64, include: IncludeObject, headers: bool) -> Value {
    let col = |name: &str, format: &str, priority: u8| json!({"name": name, "type": "string", "format": format, "description": "", "priority": priority});
    let mut columns = vec![col("Name", "name", 0)];
    let extra = T::columns();
    columns.extend(
        extra
            .iter()
            .filter(|c| c.1 == 0)
            .map(|(n, p)| col(n, "", *p)),
    );
    columns.push(col("Age", "", 0));
    columns.extend(
        extra
            .iter()
            .filter(|c| c.1 > 0)
            .map(|(n, p)| col(n, "", *p)),
    );
    let now = super::now();
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let meta = o.metadata();
            let mut cells = vec![json!(meta.name.clone().unwrap_or_default())];
            let own = o.cells();
            let wide = own
                .len()
                .saturating_sub(extra.iter().filter(|c| c.1 == 0).count());
            let (narrow, wide) = own.split_at(own.len() - wide);
            cells.extend(narrow.iter().cloned());
            cells.push(json!(age(meta.creation_timestamp.as_ref(), now)));
            cells.extend(wide.iter().cloned());
            let mut row = json!({"cells": cells});
            match include {
                IncludeObject::Metadata => {
                    row["object"] = json!({"kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1", "metadata": meta})
                }
                IncludeObject::Object => {
                    row["object"] = serde_json::to_value(o).unwrap_or_default()
                }
                IncludeObject::None => {}
            }
            row
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv.to_string()},
        "columnDefinitions": if headers { json!(columns) } else { Value::Null },
        "rows": rows})
}

fn age(created: Option<&Time>, now: Timestamp) -> String {
    created.map_or("<unknown>".into(), |t| {
        human_duration(now.as_second() - t.0.as_second())
    })
}

impl Kind for Pod {
    fn store(shared: &Shared) -> &Mutex<Store<Self>> {
        &shared.store
    }

    const FIELDS: &'static [&'static str] = super::selectors::POD_FIELDS;

    fn field(&self, field: &str) -> Option<String> {
        Some(super::selectors::pod_field(self, field))
    }

    fn validate(&self) -> Vec<Cause> {
        validate::pod_causes(self)
    }

    fn validate_update(&self, old: &Self) -> Vec<Cause> {
        validate::pod_update_causes(old, self)
    }

    fn prepare_create(&mut self, _shared: &Shared) {
        super::writes::prepare_pod(self);
    }

    fn created(shared: &Arc<Shared>, namespace: &str, name: &str) {
        super::runtime::Runtime::run_pod(shared, namespace, name, shared.stop.clone());
    }

    fn prepare_update(&mut self, old: &Self) {
        // Status belongs to the kubelet; the binding to the scheduler.
        self.status = old.status.clone();
        if let (Some(spec), Some(old_spec)) = (self.spec.as_mut(), old.spec.as_ref()) {
            spec.node_name = old_spec.node_name.clone();
        }
    }

    fn table(items: &[&Self], rv: u64, include: IncludeObject, headers: bool) -> Value {
        super::table::table(items, rv, super::now(), include, headers)
    }
}

impl Kind for ConfigMap {
    fn store(shared: &Shared) -> &Mutex<Store<Self>> {
        &shared.config_maps
    }

    fn validate_update(&self, old: &Self) -> Vec<Cause> {
        let same = self.data == old.data && self.binary_data == old.binary_data;
        if old.immutable == Some(true) && !same {
            return vec![(
                "FieldValueForbidden",
                "data".into(),
                "Forbidden: field is immutable when `immutable` is set".into(),
            )];
        }
        Vec::new()
    }

    fn columns() -> &'static [(&'static str, u8)] {
        &[("Data", 0)]
    }

    fn cells(&self) -> Vec<Value> {
        let n = self.data.as_ref().map_or(0, BTreeMap::len)
            + self.binary_data.as_ref().map_or(0, BTreeMap::len);
        vec![json!(n)]
    }
}

impl Kind for Secret {
    fn store(shared: &Shared) -> &Mutex<Store<Self>> {
        &shared.secrets
    }

    fn prepare_create(&mut self, _shared: &Shared) {
        self.type_.get_or_insert_with(|| "Opaque".to_string());
        fold_string_data(self);
    }

    fn prepare_update(&mut self, _old: &Self) {
        fold_string_data(self);
    }

    fn validate_update(&self, old: &Self) -> Vec<Cause> {
        if self.type_ != old.type_ {
            return vec![(
                "FieldValueInvalid",
                "type".into(),
                format!(
                    "Invalid value: {:?}: field is immutable",
                    self.type_.clone().unwrap_or_default()
                ),
            )];
        }
        Vec::new()
    }

    fn columns() -> &'static [(&'static str, u8)] {
        &[("Type", 0), ("Data", 0)]
    }

    fn cells(&self) -> Vec<Value> {
        vec![
            json!(self.type_.clone().unwrap_or_default()),
            json!(self.data.as_ref().map_or(0, BTreeMap::len)),
        ]
    }
}

/// `stringData` is write-only: the apiserver folds it into `data`.
fn fold_string_data(secret: &mut Secret) {
    for (k, v) in secret.string_data.take().unwrap_or_default() {
        secret
            .data
            .get_or_insert_with(Default::default)
            .insert(k, k8s_openapi::ByteString(v.into_bytes()));
    }
}

impl Kind for Service {
    fn store(shared: &Shared) -> &Mutex<Store<Self>> {
        &shared.services
    }

    fn validate(&self) -> Vec<Cause> {
        let spec = self.spec.clone().unwrap_or_default();
        let headless = spec.cluster_ip.as_deref() == Some("None");
        let external = spec.type_.as_deref() == Some("ExternalName");
        if spec.ports.as_ref().is_none_or(Vec::is_empty) && !headless && !external {
            return vec![(
                "FieldValueRequired",
                "spec.ports".into(),
                "Required value".into(),
            )];
        }
        let mut causes = Vec::new();
        for (i, p) in spec.ports.iter().flatten().enumerate() {
            if !(1..=65535).contains(&p.port) {
                causes.push((
                    "FieldValueInvalid",
                    format!("spec.ports[{i}].port"),
                    format!(
                        "Invalid value: {}: must be between 1 and 65535, inclusive",
                        p.port
                    ),
                ));
            }
        }
        causes
    }

    fn validate_update(&self, old: &Self) -> Vec<Cause> {
        let ip = |s: &Service| s.spec.as_ref().and_then(|s| s.cluster_ip.clone());
        match (ip(old), ip(self)) {
            (Some(was), Some(now)) if was != now && !now.is_empty() => vec![(
                "FieldValueInvalid",
                "spec.clusterIPs[0]".into(),
                format!("Invalid value: []string{{{now:?}}}: may not change once set"),
            )],
            _ => Vec::new(),
        }
    }

    fn prepare_create(&mut self, shared: &Shared) {
        super::services::defaults(self, shared);
    }

    fn prepare_update(&mut self, old: &Self) {
        self.status = old.status.clone();
        let old_spec = old.spec.clone().unwrap_or_default();
        let spec = self.spec.get_or_insert_with(Default::default);
        if spec.cluster_ip.as_deref().is_none_or(str::is_empty) {
            spec.cluster_ip = old_spec.cluster_ip;
            spec.cluster_ips = old_spec.cluster_ips;
        }
        super::services::port_defaults(self);
    }

    fn columns() -> &'static [(&'static str, u8)] {
        &[
            ("Type", 0),
            ("Cluster-IP", 0),
            ("External-IP", 0),
            ("Port(s)", 0),
            ("Selector", 1),
        ]
    }

    fn cells(&self) -> Vec<Value> {
        super::services::cells(self)
    }
}

impl Kind for Endpoints {
    fn store(shared: &Shared) -> &Mutex<Store<Self>> {
        &shared.endpoints
    }

    fn columns() -> &'static [(&'static str, u8)] {
        &[("Endpoints", 0)]
    }

    fn cells(&self) -> Vec<Value> {
        let mut shown: Vec<String> = Vec::new();
        for subset in self.subsets.iter().flatten() {
            for a in subset.addresses.iter().flatten() {
                for p in subset.ports.iter().flatten() {
                    shown.push(format!("{}:{}", a.ip, p.port));
                }
            }
        }
        let more = shown.len().saturating_sub(3);
        shown.truncate(3);
        let mut text = if shown.is_empty() {
            "<none>".to_string()
        } else {
            shown.join(",")
        };
        if more > 0 {
            text.push_str(&format!(" + {more} more..."));
        }
        vec![json!(text)]
    }
}

impl Kind for Event {
    fn store(shared: &Shared) -> &Mutex<Store<Self>> {
        &shared.events
    }

    const FIELDS: &'static [&'static str] = super::events::KNOWN;

    fn field(&self, field: &str) -> Option<String> {
        super::events::field_value(self, field)
    }

    fn table(items: &[&Self], rv: u64, include: IncludeObject, headers: bool) -> Value {
        super::events::table(items, rv, include, headers)
    }
}

impl Kind for Namespace {
    fn store(shared: &Shared) -> &Mutex<Store<Self>> {
        &shared.namespaces
    }

    const NAMESPACED: bool = false;

    fn prepare_create(&mut self, _shared: &Shared) {
        super::namespaces::defaults(self);
    }

    fn prepare_update(&mut self, old: &Self) {
        self.status = old.status.clone();
        self.spec = old.spec.clone();
    }

    fn columns() -> &'static [(&'static str, u8)] {
        &[("Status", 0)]
    }

    fn cells(&self) -> Vec<Value> {
        vec![json!(
            self.status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_default()
        )]
    }
}
