//! Null list items, read as Kubernetes reads them. A template that leaves a list item empty
//! (`- ` with nothing after it) yields a null, which Go decodes to the item's zero value
//! (`""`, `{}`): the API server and kubectl accept such a manifest, so podscope does too.

use serde_json::Value;

/// Whether a list anywhere in `value` holds a null item.
pub fn has_null_item(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().any(|v| v.is_null() || has_null_item(v)),
        Value::Object(map) => map.values().any(has_null_item),
        _ => false,
    }
}

/// Null list items become what Go decodes them to: `{}` among objects, `""` otherwise.
pub fn zero_null_items(value: &mut Value) {
    match value {
        Value::Array(items) => {
            let objects = items.iter().any(Value::is_object);
            for item in items.iter_mut() {
                if item.is_null() {
                    *item = if objects {
                        Value::Object(Default::default())
                    } else {
                        Value::String(String::new())
                    };
                } else {
                    zero_null_items(item);
                }
            }
        }
        Value::Object(map) => map.values_mut().for_each(zero_null_items),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_items_become_zero_values() {
        let mut v = json!({"args": ["a", null], "containers": [{"name": "x"}, null], "x": null});
        assert!(has_null_item(&v));
        zero_null_items(&mut v);
        assert_eq!(
            v,
            json!({"args": ["a", ""], "containers": [{"name": "x"}, {}], "x": null})
        );
        assert!(!has_null_item(&v));
    }
}
