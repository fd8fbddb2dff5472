//! Manifests to pods: YAML or JSON text (one or many documents) holding Pods, workloads with
//! pod templates, `kind: List` or `kubectl get -o yaml|json` output. Pure: the caller reads
//! the files.

use std::fmt;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::convert::{pod_from_api, pod_from_template};
use super::insight::PodInsight;
use super::pod::Pod;
use super::role::RoleRule;
use super::service::{Service, service_from_api};
use super::volume::{Volume, VolumeSource};
use super::zero_values;

/// Workload kinds whose `spec.template` is a pod template.
pub const TEMPLATE_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
];

#[derive(Debug, Default, Clone, PartialEq)]
pub struct ManifestSet {
    pub pods: Vec<Pod>,
    /// The same pods as API objects, in the same order (a workload's template becomes a pod
    /// named after the workload), for the demo cluster to serve.
    pub api_pods: Vec<core::Pod>,
    /// ConfigMaps found alongside, for the demo cluster to mount.
    pub config_maps: Vec<core::ConfigMap>,
    /// Services found alongside: role evidence, and for the demo cluster to serve.
    pub services: Vec<core::Service>,
    /// Objects that are neither pods nor workloads, e.g. `Service/web`.
    pub skipped: Vec<Skipped>,
}

impl ManifestSet {
    /// What the API server would refuse, one line per pod: `FILE: Pod "web" is invalid:
    /// spec.containers: Required value`.
    pub fn refused(&self) -> Vec<String> {
        self.api_pods
            .iter()
            .zip(&self.pods)
            .filter_map(|(api, pod)| {
                let mut causes = super::validation::name_causes(&api.metadata);
                causes.extend(super::validation::pod_causes(api));
                let source = pod.source.as_deref().unwrap_or("-");
                (!causes.is_empty()).then(|| {
                    format!(
                        "{source}: {}",
                        super::validation::message("Pod", &pod.name, &causes)
                    )
                })
            })
            .collect()
    }

    /// The pods analysed, with the Services of the same files as evidence.
    pub fn insights(&self, rules: &[RoleRule]) -> Vec<PodInsight> {
        let services: Vec<Service> = self.services.iter().map(service_from_api).collect();
        let services: Vec<&Service> = services.iter().collect();
        self.pods
            .iter()
            .map(|p| PodInsight::with_services(p.clone(), rules, &services))
            .collect()
    }

    pub fn extend(&mut self, other: ManifestSet) {
        self.pods.extend(other.pods);
        self.api_pods.extend(other.api_pods);
        self.config_maps.extend(other.config_maps);
        self.services.extend(other.services);
        self.skipped.extend(other.skipped);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub source: String,
    pub document: usize,
    pub kind: String,
    pub name: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: skipped {} {} (document {}): not a pod or a workload with a pod template",
            self.source, self.kind, self.name, self.document
        )
    }
}

/// Why a manifest could not be read, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    pub source: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.source, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.source, self.message),
            _ => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

impl std::error::Error for ManifestError {}

/// Parse every document in `text`. `source` names the file in messages and in each pod.
pub fn parse_manifests(text: &str, source: &str) -> Result<ManifestSet, ManifestError> {
    let documents = documents(text, source)?;
    let mut set = ManifestSet::default();
    let mut ctx = Ctx {
        source,
        set: &mut set,
    };
    for (index, doc) in documents.iter().enumerate() {
        ctx.object(doc, index + 1, "", None)?;
    }
    Ok(set)
}

/// The documents of a YAML or JSON text as JSON values, read as Kubernetes reads them.
pub fn documents(text: &str, source: &str) -> Result<Vec<Value>, ManifestError> {
    let error = |line, column, message: String| ManifestError {
        source: source.to_string(),
        line,
        column,
        message,
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let mut out = Vec::new();
        for value in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
            match value {
                Ok(Value::Array(items)) => out.extend(items),
                Ok(v) => out.push(v),
                Err(e) => {
                    let msg = format!("invalid JSON: {}", strip_json_position(&e.to_string()));
                    return Err(error(Some(e.line() as u64), Some(e.column() as u64), msg));
                }
            }
        }
        return Ok(out);
    }
    let mut text = std::borrow::Cow::Borrowed(text);
    for _ in 0..MAX_REINDENTS {
        // Kubernetes reads YAML with 1.1 rules (`defaultMode: 0755` is octal, 493) and, like
        // go-yaml, lets a repeated key's last value win (rendered charts repeat keys).
        let options = serde_saphyr::options! {
            legacy_octal_numbers: true,
            duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
        };
        let e = match serde_saphyr::from_multiple_with_options::<Value>(&text, options) {
            Ok(docs) => return Ok(docs.into_iter().filter(|d| !d.is_null()).collect()),
            Err(e) => e,
        };
        let (line, column) = e
            .location()
            .map_or((None, None), |l| (Some(l.line()), Some(l.column())));
        let first = e.to_string();
        let first = strip_yaml_position(first.lines().next().unwrap_or("").trim()).to_string();
        if first == UNDERINDENTED_QUOTED
            && let Some(fixed) = line.and_then(|l| reindent_continuation(&text, l))
        {
            text = std::borrow::Cow::Owned(fixed);
            continue;
        }
        return Err(error(line, column, format!("invalid YAML: {first}")));
    }
    Err(error(
        None,
        None,
        format!("invalid YAML: {UNDERINDENTED_QUOTED} on more than {MAX_REINDENTS} lines"),
    ))
}

/// kubectl's own `-o yaml` (go-yaml) wraps a long quoted string with its continuation lines
/// indented only as deep as the sequence dash before the key, as in
/// `- name: X` / `  value: '{"a":` / `"b"}'`. go-yaml and libyaml read that back; YAML 1.2
/// parsers reject it. Such a line is indented under the line before it and parsed again.
const UNDERINDENTED_QUOTED: &str = "invalid indentation in multiline quoted scalar";
const MAX_REINDENTS: usize = 500;

fn reindent_continuation(text: &str, line: u64) -> Option<String> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let lines: Vec<&str> = text.split('\n').collect();
    let previous = lines.get(index.checked_sub(1)?)?;
    let indent = previous.len() - previous.trim_start_matches(' ').len() + 2;
    let target = lines.get(index)?;
    let mut out = String::with_capacity(text.len() + indent);
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if i == index {
            out.extend(std::iter::repeat_n(' ', indent));
            out.push_str(target.trim_start_matches(' '));
        } else {
            out.push_str(l);
        }
    }
    Some(out)
}

/// serde_json appends " at line L column C"; we show the position up front instead.
fn strip_json_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

fn strip_yaml_position(message: &str) -> &str {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .trim_start_matches("error: ");
    // "line 17 column 78: while parsing ..." → "while parsing ..."
    match message
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((position, rest)) if position.contains("column") => rest,
        _ => message,
    }
}

struct Ctx<'a> {
    source: &'a str,
    set: &'a mut ManifestSet,
}

impl Ctx<'_> {
    fn fail(&self, document: usize, what: &str, message: String) -> ManifestError {
        ManifestError {
            source: self.source.to_string(),
            line: None,
            column: None,
            message: format!("document {document}{what}: {message}"),
        }
    }

    /// Deserialize `value` into `T`, naming the field path on failure.
    fn typed<T: DeserializeOwned>(
        &self,
        value: &Value,
        document: usize,
        what: &str,
        prefix: &str,
    ) -> Result<T, ManifestError> {
        let first = serde_path_to_error::deserialize::<_, T>(value);
        // A template left a list item empty (`- ` with nothing after it): Kubernetes reads such
        // a null as the item's zero value (`""`, `{}`), so podscope does too.
        let result = match first {
            Err(_) if zero_values::has_null_item(value) => {
                let mut zeroed = value.clone();
                zero_values::zero_null_items(&mut zeroed);
                serde_path_to_error::deserialize::<_, T>(&zeroed)
            }
            other => other,
        };
        result.map_err(|e| {
            let path = e.path().to_string();
            let path = match (prefix.is_empty(), path == ".") {
                (true, true) => String::new(),
                (true, false) => format!("{path}: "),
                (false, true) => format!("{prefix}: "),
                (false, false) => format!("{prefix}.{path}: "),
            };
            self.fail(document, what, format!("{path}{}", e.into_inner()))
        })
    }

    /// `item_kind` is the kind implied by an enclosing typed list (`PodList` items are Pods and
    /// the API server omits their `kind`).
    fn object(
        &mut self,
        doc: &Value,
        document: usize,
        path: &str,
        item_kind: Option<&str>,
    ) -> Result<(), ManifestError> {
        let Some(obj) = doc.as_object() else {
            return Err(self.fail(
                document,
                path,
                "not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)"
                    .to_string(),
            ));
        };
        // Support archives (OpenShift's Insights archive, for one) store pods as the API's
        // objects without `kind`: a spec with containers and no template is a pod.
        let bare_pod = obj.contains_key("metadata")
            && doc.pointer("/spec/containers").is_some_and(Value::is_array)
            && doc.pointer("/spec/template").is_none();
        let kind = obj
            .get("kind")
            .and_then(Value::as_str)
            .or(item_kind)
            .or(bare_pod.then_some("Pod"))
            .unwrap_or("");
        let name = obj
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("(unnamed)");
        let what = format!("{path} ({kind} {name})");
        if kind.is_empty() {
            let hint = if obj.get("spec").and_then(|s| s.get("containers")).is_some() {
                ": add `apiVersion: v1` and `kind: Pod`"
            } else {
                ""
            };
            return Err(self.fail(document, path, format!("the object has no kind{hint}")));
        }
        if kind == "List" || (kind.ends_with("List") && obj.contains_key("items")) {
            let items = obj
                .get("items")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let implied = kind.strip_suffix("List").filter(|k| !k.is_empty());
            for (i, item) in items.iter().enumerate() {
                self.object(item, document, &format!("{path} items[{i}]"), implied)?;
            }
            return Ok(());
        }
        match kind {
            "Pod" => {
                let pod: core::Pod = self.typed(doc, document, &what, "")?;
                self.set.pods.push(pod_from_api(&pod, Some(self.source)));
                self.set.api_pods.push(pod);
            }
            "CronJob" => {
                let template = doc.pointer("/spec/jobTemplate/spec/template");
                self.template(
                    doc,
                    template,
                    document,
                    &what,
                    kind,
                    "spec.jobTemplate.spec.template",
                )?;
            }
            k if TEMPLATE_KINDS.contains(&k) => {
                let template = doc.pointer("/spec/template");
                self.template(doc, template, document, &what, kind, "spec.template")?;
            }
            "ConfigMap" => {
                let cm: core::ConfigMap = self.typed(doc, document, &what, "")?;
                self.set.config_maps.push(cm);
            }
            "Service" => {
                let service: core::Service = self.typed(doc, document, &what, "")?;
                self.set.services.push(service);
            }
            _ => self.set.skipped.push(Skipped {
                source: self.source.to_string(),
                document,
                kind: kind.to_string(),
                name: name.to_string(),
            }),
        }
        Ok(())
    }

    fn template(
        &mut self,
        doc: &Value,
        template: Option<&Value>,
        document: usize,
        what: &str,
        kind: &str,
        at: &str,
    ) -> Result<(), ManifestError> {
        let Some(template) = template else {
            return Err(self.fail(
                document,
                what,
                format!("{kind} has no pod template at {at}"),
            ));
        };
        let meta: ObjectMeta = match doc.get("metadata") {
            Some(m) => self.typed(m, document, what, "metadata")?,
            None => ObjectMeta::default(),
        };
        let template: core::PodTemplateSpec = self.typed(template, document, what, at)?;
        let mut pod = pod_from_template(kind, &meta, &template, Some(self.source));
        if kind == "StatefulSet" {
            pod.volumes.extend(claim_templates(doc, &pod.name));
        }
        self.set.pods.push(pod);
        let mut metadata = template.metadata.unwrap_or_default();
        metadata.name = meta.name.clone();
        metadata.namespace = meta.namespace.clone();
        self.set.api_pods.push(core::Pod {
            metadata,
            spec: template.spec,
            status: None,
        });
        Ok(())
    }
}

/// A StatefulSet's `volumeClaimTemplates` become per-pod claims named `<template>-<set>-<ordinal>`.
fn claim_templates(doc: &Value, set_name: &str) -> Vec<Volume> {
    doc.pointer("/spec/volumeClaimTemplates")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|t| t.pointer("/metadata/name").and_then(Value::as_str))
        .map(|name| Volume {
            name: name.to_string(),
            source: VolumeSource::PersistentVolumeClaim {
                claim_name: format!("{name}-{set_name}-<ordinal>"),
                read_only: false,
            },
        })
        .collect()
}
