//! Label and field selectors for lists and watches (`labelSelector`, `fieldSelector`), for
//! every kind; the fields each kind may be selected by are its [`Kind::FIELDS`].

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;

use super::kinds::Kind;

#[derive(Debug, Clone, PartialEq, Eq)]
enum LabelTerm {
    Equals(String, String),
    NotEquals(String, String),
    Exists(String),
    Absent(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    labels: Vec<LabelTerm>,
    fields: Vec<(String, String, bool)>,
}

pub const POD_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
];

/// Split at commas that are not inside parentheses (`env in (a,b),tier=web`).
fn split_terms(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect()
}

fn set_values(text: &str) -> Option<Vec<String>> {
    let inner = text.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(
        inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
    )
}

impl Selector {
    /// Selects everything: neither a label nor a field term.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.fields.is_empty()
    }

    /// Parse both selectors, for a kind whose selectable fields are `allowed`; the error is
    /// the message for a 400 answer.
    pub fn parse(
        labels: Option<&str>,
        fields: Option<&str>,
        allowed: &[&str],
    ) -> Result<Selector, String> {
        let mut sel = Selector::default();
        for term in split_terms(labels.unwrap_or("")) {
            let t = if let Some((k, v)) = term.split_once("!=") {
                LabelTerm::NotEquals(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                LabelTerm::Equals(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = term.split_once(" notin ") {
                LabelTerm::NotIn(
                    k.trim().into(),
                    set_values(v).ok_or(format!("unable to parse requirement: {term}"))?,
                )
            } else if let Some((k, v)) = term.split_once(" in ") {
                LabelTerm::In(
                    k.trim().into(),
                    set_values(v).ok_or(format!("unable to parse requirement: {term}"))?,
                )
            } else if let Some(k) = term.strip_prefix('!') {
                LabelTerm::Absent(k.trim().into())
            } else if term
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            {
                LabelTerm::Exists(term.into())
            } else {
                return Err(format!("unable to parse requirement: {term}"));
            };
            sel.labels.push(t);
        }
        for term in split_terms(fields.unwrap_or("")) {
            let (k, v, equal) = if let Some((k, v)) = term.split_once("!=") {
                (k, v, false)
            } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                (k, v, true)
            } else {
                return Err(format!(
                    "invalid selector: '{term}'; can't understand '{term}'"
                ));
            };
            let k = k.trim();
            if !allowed.contains(&k) {
                return Err(format!("field label not supported: {k}"));
            }
            sel.fields
                .push((k.to_string(), v.trim().to_string(), equal));
        }
        Ok(sel)
    }

    pub fn matches<T: Kind>(&self, object: &T) -> bool {
        let empty = BTreeMap::new();
        let labels = object.metadata().labels.as_ref().unwrap_or(&empty);
        self.matches_labels(labels)
            && self
                .fields
                .iter()
                .all(|(k, v, equal)| (object.field(k).unwrap_or_default() == *v) == *equal)
    }

    /// Whether the label terms hold for `labels` (the field terms are not looked at).
    pub fn matches_labels(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|t| match t {
            LabelTerm::Equals(k, v) => labels.get(k) == Some(v),
            LabelTerm::NotEquals(k, v) => labels.get(k) != Some(v),
            LabelTerm::Exists(k) => labels.contains_key(k),
            LabelTerm::Absent(k) => !labels.contains_key(k),
            LabelTerm::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            LabelTerm::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
        })
    }
}

/// A pod's value of one of [`POD_FIELDS`], as a field selector compares it.
pub fn pod_field(pod: &Pod, field: &str) -> String {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let value = match field {
        "metadata.name" => pod.metadata.name.clone(),
        "metadata.namespace" => pod.metadata.namespace.clone(),
        "spec.nodeName" => spec.and_then(|s| s.node_name.clone()),
        "spec.restartPolicy" => spec.and_then(|s| s.restart_policy.clone()),
        "spec.schedulerName" => spec.and_then(|s| s.scheduler_name.clone()),
        "spec.serviceAccountName" => spec.and_then(|s| s.service_account_name.clone()),
        "spec.hostNetwork" => Some(
            spec.and_then(|s| s.host_network)
                .unwrap_or(false)
                .to_string(),
        ),
        "status.phase" => status.and_then(|s| s.phase.clone()),
        "status.podIP" => status.and_then(|s| s.pod_ip.clone()),
        "status.nominatedNodeName" => status.and_then(|s| s.nominated_node_name.clone()),
        _ => None,
    };
    value.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(labels: &[(&str, &str)], phase: &str) -> Pod {
        let mut p = Pod::default();
        p.metadata.name = Some("web".into());
        p.metadata.labels = Some(
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        p.status = Some(k8s_openapi::api::core::v1::PodStatus {
            phase: Some(phase.into()),
            ..Default::default()
        });
        p
    }

    #[test]
    fn label_and_field_terms() {
        let p = pod(&[("app", "web"), ("tier", "front")], "Running");
        let yes = |l: &str, f: &str| {
            Selector::parse(Some(l), Some(f), POD_FIELDS)
                .unwrap()
                .matches(&p)
        };
        assert!(yes("app=web", ""));
        assert!(yes("app==web,tier", ""));
        assert!(!yes("app!=web", ""));
        assert!(yes("!missing", ""));
        assert!(yes("tier in (back, front)", ""));
        assert!(!yes("tier notin (front)", ""));
        assert!(yes("", "metadata.name=web,status.phase!=Pending"));
        assert!(!yes("", "metadata.name=api"));
        assert_eq!(
            Selector::parse(None, Some("spec.bogus=1"), POD_FIELDS).unwrap_err(),
            "field label not supported: spec.bogus"
        );
    }
}
