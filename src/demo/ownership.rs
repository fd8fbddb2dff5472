//! Field ownership, as server-side apply keeps it (`reference/k8s-writes.md` §3): each
//! writer (its `fieldManager`) owns the fields it sent. An apply that changes a field another
//! manager owns is a conflict (409) unless forced, when the field changes hands; a field the
//! same applier sent last time and leaves out now is removed, unless someone else owns it too.
//! Lists with merge keys are owned item by item (`.spec.containers[name="app"].image`).
//! The demo keeps these records beside the objects and does not return `managedFields`, so
//! kubectl's own migration of them is never set off.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use serde_json::{Map, Value, json};

/// One step into an object: a field, or a list item by its key fields.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Field(String),
    /// The key's field, and its value as JSON text (`name`, `"app"`).
    Key(String, String),
}

pub type FieldPath = Vec<Step>;

/// `.spec.containers[name="app"].image`, as conflicts are reported.
pub fn render(path: &FieldPath) -> String {
    path.iter()
        .map(|s| match s {
            Step::Field(f) => format!(".{f}"),
            Step::Key(k, v) => format!("[{k}={v}]"),
        })
        .collect()
}

/// Fields the apiserver keeps itself, never owned.
fn system(path: &[Step]) -> bool {
    let names: Vec<&str> = path
        .iter()
        .filter_map(|s| match s {
            Step::Field(f) => Some(f.as_str()),
            Step::Key(..) => None,
        })
        .collect();
    matches!(names.as_slice(), ["apiVersion" | "kind" | "status", ..])
        || matches!(
            names.as_slice(),
            [
                "metadata",
                "name"
                    | "namespace"
                    | "uid"
                    | "resourceVersion"
                    | "creationTimestamp"
                    | "generation"
                    | "managedFields"
                    | "deletionTimestamp"
                    | "deletionGracePeriodSeconds",
                ..
            ]
        )
}

/// Every leaf field of `value`: scalars, empty objects, lists without merge keys.
pub fn leaves(value: &Value) -> BTreeSet<FieldPath> {
    let mut out = BTreeSet::new();
    walk(value, &mut Vec::new(), &mut Vec::new(), &mut out);
    out.retain(|p| !system(p));
    out
}

fn walk(
    value: &Value,
    path: &mut FieldPath,
    names: &mut Vec<String>,
    out: &mut BTreeSet<FieldPath>,
) {
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            for (k, v) in fields {
                if k.starts_with('$') {
                    continue;
                }
                path.push(Step::Field(k.clone()));
                names.push(k.clone());
                walk(v, path, names, out);
                names.pop();
                path.pop();
            }
        }
        Value::Array(items) => match super::patch::merge_key(names) {
            Some(key) if items.iter().all(|i| i.get(key).is_some()) => {
                for item in items {
                    path.push(Step::Key(key.to_string(), item[key].to_string()));
                    walk(item, path, names, out);
                    path.pop();
                }
            }
            _ => {
                out.insert(path.clone());
            }
        },
        _ => {
            out.insert(path.clone());
        }
    }
}

/// The value at `path`, if there is one.
pub fn lookup<'a>(value: &'a Value, path: &[Step]) -> Option<&'a Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(value);
    };
    let next = match first {
        Step::Field(f) => value.get(f)?,
        Step::Key(k, v) => value.as_array()?.iter().find(|i| has_key(i, k, v))?,
    };
    lookup(next, rest)
}

/// Remove the field at `path`; removing a list item's key field removes the item, and a
/// list or object left empty goes too.
pub fn remove(value: &mut Value, path: &[Step]) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    if let (Step::Field(f), Some(Step::Key(k, _))) = (last, parent.last())
        && f == k
    {
        return remove(value, parent);
    }
    let Some(container) = lookup_mut(value, parent) else {
        return;
    };
    match (last, &mut *container) {
        (Step::Field(f), Value::Object(fields)) => {
            fields.remove(f);
        }
        (Step::Key(k, v), Value::Array(items)) => items.retain(|i| !has_key(i, k, v)),
        _ => return,
    }
    let emptied = match &*container {
        Value::Object(fields) => fields.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    };
    if emptied && !parent.is_empty() {
        remove(value, parent);
    }
}

fn lookup_mut<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(value);
    };
    let next = match first {
        Step::Field(f) => value.get_mut(f)?,
        Step::Key(k, v) => value
            .as_array_mut()?
            .iter_mut()
            .find(|i| has_key(i, k, v))?,
    };
    lookup_mut(next, rest)
}

fn has_key(item: &Value, key: &str, text: &str) -> bool {
    item.get(key)
        .is_some_and(|v| serde_json::to_string(v).is_ok_and(|json| json == text))
}

#[derive(Debug, Clone)]
struct Manager {
    name: String,
    apply: bool,
    fields: BTreeSet<FieldPath>,
}

/// (resource, namespace, name)
type ObjectKey = (String, String, String);

/// Who owns what, per object.
#[derive(Debug, Default)]
pub struct Owners(Mutex<HashMap<ObjectKey, Vec<Manager>>>);

/// A refused apply: (manager as reported, field) pairs.
#[derive(Debug)]
pub struct Conflicts(pub Vec<(String, String)>);

impl Conflicts {
    /// The apiserver's 409 body.
    pub fn status(&self) -> Value {
        let n = self.0.len();
        let mut by_manager: Vec<(String, Vec<String>)> = Vec::new();
        for (m, f) in &self.0 {
            match by_manager.iter_mut().find(|(name, _)| name == m) {
                Some((_, fields)) => fields.push(f.clone()),
                None => by_manager.push((m.clone(), vec![f.clone()])),
            }
        }
        by_manager.sort();
        let message = if n == 1 {
            format!(
                "Apply failed with 1 conflict: conflict with {}: {}",
                self.0[0].0, self.0[0].1
            )
        } else {
            let parts: Vec<String> = by_manager
                .iter()
                .map(|(m, fields)| {
                    let noun = if fields.len() == 1 {
                        "conflict"
                    } else {
                        "conflicts"
                    };
                    format!(
                        "{noun} with {m}:\n{}",
                        fields
                            .iter()
                            .map(|f| format!("- {f}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    )
                })
                .collect();
            format!("Apply failed with {n} conflicts: {}", parts.join("\n"))
        };
        let causes: Vec<Value> = self
            .0
            .iter()
            .map(|(m, f)| json!({"reason": "FieldManagerConflict", "message": format!("conflict with {m}"), "field": f}))
            .collect();
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": "Conflict", "details": {"causes": causes}, "code": 409})
    }
}

fn described(m: &Manager) -> String {
    if m.apply {
        format!("{:?}", m.name)
    } else {
        format!("{:?} using v1", m.name)
    }
}

impl Owners {
    /// An update (create, replace, patch) by `manager`: it owns what it sent, others lose it.
    pub fn update(&self, key: ObjectKey, manager: &str, sent: &Value) {
        let fields = leaves(sent);
        let Ok(mut all) = self.0.lock() else { return };
        let managers = all.entry(key).or_default();
        for m in managers.iter_mut().filter(|m| m.name != manager || m.apply) {
            m.fields.retain(|f| !fields.contains(f));
        }
        match managers.iter_mut().find(|m| m.name == manager && !m.apply) {
            Some(m) => m.fields.extend(fields),
            None => managers.push(Manager {
                name: manager.to_string(),
                apply: false,
                fields,
            }),
        }
        managers.retain(|m| !m.fields.is_empty());
    }

    /// The fields an apply of `applied` by `manager` to `live` would take from others
    /// (`Err` unless `force`), and, when it may go ahead, the fields to remove afterwards
    /// because the applier dropped them and nobody else owns them. Nothing is recorded.
    pub fn check_apply(
        &self,
        key: &ObjectKey,
        manager: &str,
        live: &Value,
        applied: &Value,
        force: bool,
    ) -> Result<Vec<FieldPath>, Conflicts> {
        let fields = leaves(applied);
        let all = self
            .0
            .lock()
            .map(|a| a.get(key).cloned().unwrap_or_default())
            .unwrap_or_default();
        let others: Vec<&Manager> = all
            .iter()
            .filter(|m| !(m.name == manager && m.apply))
            .collect();
        let mut conflicts = Vec::new();
        for f in &fields {
            let (now, wanted) = (lookup(live, f), lookup(applied, f));
            if now.is_none() || now == wanted {
                continue;
            }
            for m in others.iter().filter(|m| m.fields.contains(f)) {
                conflicts.push((described(m), render(f)));
            }
        }
        if !conflicts.is_empty() && !force {
            return Err(Conflicts(conflicts));
        }
        let before = all
            .iter()
            .find(|m| m.name == manager && m.apply)
            .map(|m| m.fields.clone())
            .unwrap_or_default();
        Ok(before
            .difference(&fields)
            .filter(|f| !others.iter().any(|m| m.fields.contains(*f)))
            .cloned()
            .collect())
    }

    /// Record a successful apply: the applier owns exactly what it sent; forced fields change
    /// hands.
    pub fn applied(&self, key: ObjectKey, manager: &str, applied: &Value, force: bool) {
        let fields = leaves(applied);
        let Ok(mut all) = self.0.lock() else { return };
        let managers = all.entry(key).or_default();
        if force {
            for m in managers.iter_mut() {
                m.fields.retain(|f| !fields.contains(f));
            }
        }
        managers.retain(|m| !(m.name == manager && m.apply));
        managers.push(Manager {
            name: manager.to_string(),
            apply: true,
            fields,
        });
        managers.retain(|m| !m.fields.is_empty());
    }

    pub fn forget(&self, key: &ObjectKey) {
        if let Ok(mut all) = self.0.lock() {
            all.remove(key);
        }
    }
}

/// Strip directives so an applied configuration is plain data.
pub fn plain(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), plain(v)))
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(plain).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ObjectKey {
        ("pods".into(), "default".into(), "web".into())
    }

    fn pod(image: &str, extra_env: bool) -> Value {
        let mut c = json!({"name": "app", "image": image});
        if extra_env {
            c["env"] = json!([{"name": "A", "value": "1"}]);
        }
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"containers": [c]}})
    }

    #[test]
    fn list_items_are_owned_by_their_keys() {
        let paths: Vec<String> = leaves(&pod("nginx", true)).iter().map(render).collect();
        assert_eq!(
            paths,
            [
                ".metadata.labels.app",
                ".spec.containers[name=\"app\"].env[name=\"A\"].name",
                ".spec.containers[name=\"app\"].env[name=\"A\"].value",
                ".spec.containers[name=\"app\"].image",
                ".spec.containers[name=\"app\"].name",
            ]
        );
    }

    #[test]
    fn an_item_still_applied_keeps_its_key() {
        let mut live = pod("nginx", true);
        let path: FieldPath = leaves(&live)
            .into_iter()
            .find(|p| render(p).ends_with("env[name=\"A\"].value"))
            .unwrap();
        remove(&mut live, &path);
        assert_eq!(live["spec"]["containers"][0]["env"], json!([{"name": "A"}]));
    }

    #[test]
    fn another_managers_field_conflicts_unless_forced_and_dropped_fields_go() {
        let owners = Owners::default();
        owners.update(
            key(),
            "kubectl-client-side-apply",
            &pod("nginx:1.25", false),
        );
        let live = pod("nginx:1.25", false);
        let Err(conflicts) =
            owners.check_apply(&key(), "kubectl", &live, &pod("nginx:1.27", false), false)
        else {
            panic!("the image belongs to kubectl-client-side-apply");
        };
        assert_eq!(
            conflicts.status()["message"],
            "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .spec.containers[name=\"app\"].image"
        );
        // The same value is no conflict; forcing takes the field.
        assert!(
            owners
                .check_apply(&key(), "kubectl", &live, &pod("nginx:1.25", true), false)
                .is_ok()
        );
        owners.applied(key(), "kubectl", &pod("nginx:1.27", true), true);
        // Applying again without env removes env, which only kubectl owned.
        let live = pod("nginx:1.27", true);
        let gone = owners
            .check_apply(&key(), "kubectl", &live, &pod("nginx:1.27", false), false)
            .unwrap();
        let mut after = live.clone();
        for f in gone.iter().rev() {
            remove(&mut after, f);
        }
        assert_eq!(after, pod("nginx:1.27", false));
    }
}
