//! The three patch formats an apiserver takes (`reference/k8s-writes.md` §4), as pure
//! functions on JSON: JSON merge patch (RFC 7386: `kubectl label`, `annotate`, `patch --type
//! merge`), JSON patch (RFC 6902: `patch --type json`) and strategic merge patch (`kubectl
//! apply`, `edit`, `patch`), whose lists merge item by item on the keys Kubernetes' types
//! declare, with the `$patch`, `$setElementOrder`, `$deleteFromPrimitiveList` and
//! `$retainKeys` directives.

use serde_json::{Map, Value};

/// The merge key of a list, found by the field names that lead to it (`spec.containers` →
/// `name`), from the `patchMergeKey` tags of Kubernetes' core/v1 types. Lists not named
/// here are replaced whole, as those without a patch strategy are.
pub fn merge_key(path: &[String]) -> Option<&'static str> {
    let at: Vec<&str> = path.iter().map(String::as_str).collect();
    Some(match at.as_slice() {
        [
            "spec",
            "containers" | "initContainers" | "ephemeralContainers",
        ] => "name",
        [
            "spec",
            "volumes" | "imagePullSecrets" | "schedulingGates" | "resourceClaims",
        ] => "name",
        ["spec", "hostAliases"] => "ip",
        [
            "spec",
            "containers" | "initContainers" | "ephemeralContainers",
            field,
        ] => match *field {
            "ports" => "containerPort",
            "env" => "name",
            "volumeMounts" => "mountPath",
            "volumeDevices" => "devicePath",
            _ => return None,
        },
        // A Service's ports.
        ["spec", "ports"] => "port",
        ["status", "conditions"] => "type",
        ["metadata", "ownerReferences"] => "uid",
        _ => return None,
    })
}

/// Lists of strings that merge as sets rather than being replaced.
fn merges_primitives(path: &[String]) -> bool {
    path.len() == 2 && path[0] == "metadata" && path[1] == "finalizers"
}

/// Items of a merged list that drop every key their patch does not name (`retainKeys`).
fn retains_keys(path: &[String]) -> bool {
    path.len() == 2 && path[0] == "spec" && (path[1] == "volumes" || path[1] == "resourceClaims")
}

/// RFC 7386: objects merge, `null` deletes, everything else (lists too) replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(into) = target else { return };
    for (key, value) in fields {
        if value.is_null() {
            into.remove(key);
        } else {
            merge_patch(into.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// A strategic merge patch applied to `target`; the error is the apiserver's text for a 422.
pub fn strategic_merge(target: &mut Value, patch: &Value) -> Result<(), String> {
    merge_object(target, patch, &mut Vec::new())
}

fn merge_object(target: &mut Value, patch: &Value, path: &mut Vec<String>) -> Result<(), String> {
    let Value::Object(fields) = patch else {
        *target = patch.clone();
        return Ok(());
    };
    if fields.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut replacement = fields.clone();
        replacement.remove("$patch");
        *target = strip_directives(&Value::Object(replacement));
        return Ok(());
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let mut orders: Vec<(&str, &Vec<Value>)> = Vec::new();
    for (key, value) in fields {
        if let Some(field) = key.strip_prefix("$setElementOrder/") {
            if let Value::Array(order) = value {
                orders.push((field, order));
            }
            continue;
        }
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(live)), Value::Array(gone)) = (target.get_mut(field), value) {
                live.retain(|v| !gone.contains(v));
            }
            continue;
        }
        if key.starts_with('$') {
            continue;
        }
        let Value::Object(into) = target else {
            break;
        };
        path.push(key.clone());
        match value {
            Value::Null => {
                into.remove(key);
            }
            Value::Object(_) => {
                merge_object(into.entry(key.clone()).or_insert(Value::Null), value, path)?;
            }
            Value::Array(items) => {
                let live = into.entry(key.clone()).or_insert(Value::Null);
                merge_list(live, items, path)?;
            }
            other => {
                into.insert(key.clone(), other.clone());
            }
        }
        path.pop();
    }
    for (field, order) in orders {
        path.push(field.to_string());
        if let (Some(key), Some(Value::Array(live))) = (merge_key(path), target.get_mut(field)) {
            reorder(live, order, key);
        }
        path.pop();
    }
    if let (Some(Value::Array(keep)), Value::Object(into)) = (fields.get("$retainKeys"), target) {
        into.retain(|k, _| keep.iter().any(|r| r.as_str() == Some(k)));
    }
    Ok(())
}

fn merge_list(live: &mut Value, items: &[Value], path: &mut Vec<String>) -> Result<(), String> {
    let replace = items
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"));
    if replace {
        let kept: Vec<Value> = items
            .iter()
            .filter(|i| i.get("$patch").is_none())
            .map(strip_directives)
            .collect();
        *live = Value::Array(kept);
        return Ok(());
    }
    if merges_primitives(path) {
        let mut merged = live.as_array().cloned().unwrap_or_default();
        for item in items {
            if !merged.contains(item) {
                merged.push(item.clone());
            }
        }
        *live = Value::Array(merged);
        return Ok(());
    }
    let Some(key) = merge_key(path) else {
        *live = Value::Array(items.iter().map(strip_directives).collect());
        return Ok(());
    };
    let mut merged = live.as_array().cloned().unwrap_or_default();
    for item in items {
        let Some(wanted) = item.get(key) else {
            return Err(format!(
                "map: {item} does not contain declared merge key: {key}"
            ));
        };
        let at = merged.iter().position(|m| m.get(key) == Some(wanted));
        if item.get("$patch").and_then(Value::as_str) == Some("delete") {
            merged.retain(|m| m.get(key) != Some(wanted));
            continue;
        }
        match at {
            Some(i) => {
                merge_object(&mut merged[i], item, path)?;
                if retains_keys(path)
                    && let (Value::Object(patch), Value::Object(into)) = (item, &mut merged[i])
                {
                    into.retain(|k, _| patch.contains_key(k));
                }
            }
            None => merged.push(strip_directives(item)),
        }
    }
    *live = Value::Array(merged);
    Ok(())
}

/// Put the keyed items in `order`'s order; items it does not name keep theirs, at the end.
fn reorder(live: &mut Vec<Value>, order: &[Value], key: &str) {
    let mut sorted: Vec<Value> = Vec::with_capacity(live.len());
    for wanted in order.iter().filter_map(|o| o.get(key)) {
        if let Some(i) = live.iter().position(|m| m.get(key) == Some(wanted)) {
            sorted.push(live.remove(i));
        }
    }
    sorted.append(live);
    *live = sorted;
}

/// A patch's new subtree as it is stored: no directives, no nulls.
fn strip_directives(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(k, v)| !k.starts_with('$') && !v.is_null())
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

/// RFC 6902 operations, applied in order; any failure leaves `target` as it was.
pub fn json_patch(target: &mut Value, ops: &Value) -> Result<(), String> {
    let Value::Array(ops) = ops else {
        return Err("a JSON patch is a list of operations".into());
    };
    let mut doc = target.clone();
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op
            .get("path")
            .and_then(Value::as_str)
            .ok_or("an operation without a path")?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or(format!("{name} without a value"))
        };
        let from = || {
            op.get("from")
                .and_then(Value::as_str)
                .ok_or(format!("{name} without from"))
        };
        match name {
            "add" => add(&mut doc, path, value()?)?,
            "remove" => {
                remove(&mut doc, path)?;
            }
            "replace" => {
                remove(&mut doc, path)?;
                add(&mut doc, path, value()?)?;
            }
            "move" => {
                let moved = remove(&mut doc, from()?)?;
                add(&mut doc, path, moved)?;
            }
            "copy" => {
                let copied = doc
                    .pointer(from()?)
                    .cloned()
                    .ok_or("copy from a missing path")?;
                add(&mut doc, path, copied)?;
            }
            "test" => {
                if doc.pointer(path) != Some(&value()?) {
                    return Err(format!("testing value {path} failed"));
                }
            }
            other => return Err(format!("unexpected operation {other:?}")),
        }
    }
    *target = doc;
    Ok(())
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn split_pointer(path: &str) -> Result<(&str, String), String> {
    let (parent, last) = path
        .rsplit_once('/')
        .ok_or_else(|| format!("{path:?} is not a JSON pointer"))?;
    Ok((parent, unescape(last)))
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, last) = split_pointer(path)?;
    match doc.pointer_mut(parent) {
        Some(Value::Object(fields)) => {
            fields.insert(last, value);
            Ok(())
        }
        Some(Value::Array(items)) => {
            let at = if last == "-" {
                items.len()
            } else {
                last.parse::<usize>()
                    .ok()
                    .filter(|i| *i <= items.len())
                    .ok_or_else(|| format!("index {last} out of bounds"))?
            };
            items.insert(at, value);
            Ok(())
        }
        _ => Err(format!("missing path: {parent}")),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, last) = split_pointer(path)?;
    let removed = match doc.pointer_mut(parent) {
        Some(Value::Object(fields)) => fields.remove(&last),
        Some(Value::Array(items)) => last
            .parse::<usize>()
            .ok()
            .filter(|i| *i < items.len())
            .map(|i| items.remove(i)),
        _ => None,
    };
    removed.ok_or_else(|| format!("missing path: {path}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({"metadata": {"name": "web", "labels": {"app": "web", "tier": "front"},
                "finalizers": ["a"]},
            "spec": {"containers": [
                {"name": "app", "image": "nginx:1.25", "ports": [{"containerPort": 80}],
                 "env": [{"name": "A", "value": "1"}]},
                {"name": "log", "image": "busybox", "command": ["sh", "-c", "tail"]}],
             "volumes": [{"name": "data", "emptyDir": {}}]}})
    }

    #[test]
    fn merge_patch_replaces_lists_and_deletes_nulls() {
        let mut p = pod();
        merge_patch(
            &mut p,
            &json!({"metadata": {"labels": {"tier": null, "env": "dev"}}}),
        );
        assert_eq!(p["metadata"]["labels"], json!({"app": "web", "env": "dev"}));
        merge_patch(&mut p, &json!({"spec": {"containers": [{"name": "only"}]}}));
        assert_eq!(p["spec"]["containers"], json!([{"name": "only"}]));
    }

    #[test]
    fn strategic_merge_keys_lists_like_kubectl_apply() {
        // kubectl apply's patch for an image change (k8s-writes.md §4.2).
        let mut p = pod();
        let patch = json!({"spec": {"$setElementOrder/containers": [{"name": "app"}, {"name": "log"}],
            "containers": [{"name": "app", "image": "nginx:1.27"}]}});
        strategic_merge(&mut p, &patch).unwrap();
        assert_eq!(p["spec"]["containers"][0]["image"], "nginx:1.27");
        assert_eq!(
            p["spec"]["containers"][0]["ports"],
            json!([{"containerPort": 80}])
        );
        assert_eq!(p["spec"]["containers"][1]["name"], "log");

        // A new item is appended, a deleted one goes, a command (atomic) is replaced.
        let patch = json!({"spec": {"containers": [
            {"name": "log", "command": ["tail", "-f"]},
            {"name": "app", "$patch": "delete"},
            {"name": "extra", "image": "redis", "env": [{"name": "X", "value": null}]}]}});
        strategic_merge(&mut p, &patch).unwrap();
        let names: Vec<&str> = p["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["log", "extra"]);
        assert_eq!(p["spec"]["containers"][0]["command"], json!(["tail", "-f"]));
        assert_eq!(p["spec"]["containers"][1]["env"], json!([{"name": "X"}]));
    }

    #[test]
    fn strategic_merge_directives() {
        let mut p = pod();
        strategic_merge(&mut p, &json!({"metadata": {"finalizers": ["b"]}})).unwrap();
        assert_eq!(p["metadata"]["finalizers"], json!(["a", "b"]));
        strategic_merge(
            &mut p,
            &json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}),
        )
        .unwrap();
        assert_eq!(p["metadata"]["finalizers"], json!(["b"]));
        // retainKeys: a volume's source can be swapped.
        let patch = json!({"spec": {"volumes": [{"name": "data", "configMap": {"name": "cm"},
            "$retainKeys": ["configMap", "name"]}]}});
        strategic_merge(&mut p, &patch).unwrap();
        assert_eq!(
            p["spec"]["volumes"],
            json!([{"name": "data", "configMap": {"name": "cm"}}])
        );
        strategic_merge(
            &mut p,
            &json!({"metadata": {"labels": {"$patch": "replace", "x": "y"}}}),
        )
        .unwrap();
        assert_eq!(p["metadata"]["labels"], json!({"x": "y"}));
        let err = strategic_merge(&mut p, &json!({"spec": {"containers": [{"image": "x"}]}}));
        assert!(err.unwrap_err().contains("merge key: name"));
    }

    #[test]
    fn json_patch_operations_and_failures() {
        let mut p = pod();
        let ops = json!([
            {"op": "add", "path": "/metadata/labels/new", "value": "1"},
            {"op": "replace", "path": "/spec/containers/0/image", "value": "nginx:1.27"},
            {"op": "remove", "path": "/spec/containers/1"},
            {"op": "test", "path": "/metadata/name", "value": "web"},
            {"op": "copy", "from": "/metadata/name", "path": "/metadata/labels/name"},
            {"op": "move", "from": "/metadata/labels/new", "path": "/metadata/labels/moved"}]);
        json_patch(&mut p, &ops).unwrap();
        assert_eq!(p["spec"]["containers"].as_array().unwrap().len(), 1);
        assert_eq!(p["metadata"]["labels"]["moved"], "1");
        assert_eq!(p["metadata"]["labels"]["name"], "web");
        let before = p.clone();
        let bad = json!([{"op": "add", "path": "/metadata/labels/z", "value": "1"},
            {"op": "remove", "path": "/nope/x"}]);
        assert!(json_patch(&mut p, &bad).is_err());
        assert_eq!(p, before, "a failed patch changes nothing");
    }
}
