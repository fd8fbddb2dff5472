//! Reading the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`), which
//! kubectl's typed clients send for `kubectl create configmap`, `create secret`, `create
//! service` and `create namespace`: the `k8s\0` magic, a `runtime.Unknown` envelope naming the kind, and the object
//! in the field numbers of `k8s.io/api/core/v1/generated.proto`. Only the kinds those commands
//! send are known here; the object becomes the JSON the rest of the server reads.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

const MAGIC: &[u8] = b"k8s\0";

#[derive(Clone, Copy)]
enum Ty {
    Str,
    Bytes,
    Bool,
    Int,
    Msg(&'static [Field]),
    /// `map<string, string>`
    MapStr,
    /// `map<string, bytes>`, base64 in JSON
    MapBytes,
    IntOrString,
    Time,
}

/// (field number, JSON name, type, repeated)
type Field = (u64, &'static str, Ty, bool);

const OBJECT_META: &[Field] = &[
    (1, "name", Ty::Str, false),
    (2, "generateName", Ty::Str, false),
    (3, "namespace", Ty::Str, false),
    (5, "uid", Ty::Str, false),
    (6, "resourceVersion", Ty::Str, false),
    (7, "generation", Ty::Int, false),
    (8, "creationTimestamp", Ty::Time, false),
    (11, "labels", Ty::MapStr, false),
    (12, "annotations", Ty::MapStr, false),
    (14, "finalizers", Ty::Str, true),
];

const CONFIG_MAP: &[Field] = &[
    (1, "metadata", Ty::Msg(OBJECT_META), false),
    (2, "data", Ty::MapStr, false),
    (3, "binaryData", Ty::MapBytes, false),
    (4, "immutable", Ty::Bool, false),
];

const SECRET: &[Field] = &[
    (1, "metadata", Ty::Msg(OBJECT_META), false),
    (2, "data", Ty::MapBytes, false),
    (3, "type", Ty::Str, false),
    (4, "stringData", Ty::MapStr, false),
    (5, "immutable", Ty::Bool, false),
];

const SERVICE_PORT: &[Field] = &[
    (1, "name", Ty::Str, false),
    (2, "protocol", Ty::Str, false),
    (3, "port", Ty::Int, false),
    (4, "targetPort", Ty::IntOrString, false),
    (5, "nodePort", Ty::Int, false),
    (6, "appProtocol", Ty::Str, false),
];

const SERVICE_SPEC: &[Field] = &[
    (1, "ports", Ty::Msg(SERVICE_PORT), true),
    (2, "selector", Ty::MapStr, false),
    (3, "clusterIP", Ty::Str, false),
    (4, "type", Ty::Str, false),
    (5, "externalIPs", Ty::Str, true),
    (7, "sessionAffinity", Ty::Str, false),
    (10, "externalName", Ty::Str, false),
    (17, "ipFamilyPolicy", Ty::Str, false),
    (18, "clusterIPs", Ty::Str, true),
    (19, "ipFamilies", Ty::Str, true),
    (22, "internalTrafficPolicy", Ty::Str, false),
];

const NAMESPACE: &[Field] = &[
    (1, "metadata", Ty::Msg(OBJECT_META), false),
    (
        2,
        "spec",
        Ty::Msg(&[(1, "finalizers", Ty::Str, true)]),
        false,
    ),
];

const SERVICE: &[Field] = &[
    (1, "metadata", Ty::Msg(OBJECT_META), false),
    (2, "spec", Ty::Msg(SERVICE_SPEC), false),
];

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at).ok_or("truncated varint")?;
            self.at += 1;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("varint too long".into())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or("truncated field")?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    /// The next field: its number and its value (a varint, or the bytes of a length-delimited
    /// field; fixed-width fields are skipped as `None`).
    fn field(&mut self) -> Result<(u64, Option<Wire<'a>>), String> {
        let tag = self.varint()?;
        let wire = match tag & 7 {
            0 => Some(Wire::Varint(self.varint()?)),
            1 => self.take(8).map(|_| None)?,
            2 => {
                let n = usize::try_from(self.varint()?).map_err(|_| "length too large")?;
                Some(Wire::Bytes(self.take(n)?))
            }
            5 => self.take(4).map(|_| None)?,
            other => return Err(format!("unknown wire type {other}")),
        };
        Ok((tag >> 3, wire))
    }
}

enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn text(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| "a string field is not UTF-8".to_string())
}

fn message(bytes: &[u8], fields: &[Field]) -> Result<Value, String> {
    let mut reader = Reader { bytes, at: 0 };
    let mut out = Map::new();
    while !reader.done() {
        let (number, wire) = reader.field()?;
        let (Some(&(_, name, ty, repeated)), Some(wire)) =
            (fields.iter().find(|f| f.0 == number), wire)
        else {
            continue;
        };
        let value = match (ty, wire) {
            (Ty::Bool, Wire::Varint(v)) => json!(v != 0),
            (Ty::Int, Wire::Varint(v)) => json!(v as i64),
            (Ty::Str, Wire::Bytes(b)) => json!(text(b)?),
            (Ty::Bytes, Wire::Bytes(b)) => json!(STANDARD.encode(b)),
            (Ty::Msg(inner), Wire::Bytes(b)) => message(b, inner)?,
            (Ty::Time, Wire::Bytes(b)) => {
                let seconds = message(b, &[(1, "s", Ty::Int, false)])?["s"]
                    .as_i64()
                    .unwrap_or(0);
                k8s_openapi::jiff::Timestamp::from_second(seconds)
                    .map(|t| json!(t.to_string()))
                    .unwrap_or(Value::Null)
            }
            (Ty::IntOrString, Wire::Bytes(b)) => {
                let v = message(
                    b,
                    &[
                        (1, "type", Ty::Int, false),
                        (2, "int", Ty::Int, false),
                        (3, "str", Ty::Str, false),
                    ],
                )?;
                if v["type"].as_i64() == Some(1) {
                    v["str"].clone()
                } else {
                    json!(v["int"].as_i64().unwrap_or(0))
                }
            }
            (Ty::MapStr | Ty::MapBytes, Wire::Bytes(b)) => {
                let value_ty = if matches!(ty, Ty::MapStr) {
                    Ty::Str
                } else {
                    Ty::Bytes
                };
                let entry = message(b, &[(1, "k", Ty::Str, false), (2, "v", value_ty, false)])?;
                let map = out.entry(name.to_string()).or_insert_with(|| json!({}));
                let key = entry["k"].as_str().unwrap_or("").to_string();
                map[key] = entry.get("v").cloned().unwrap_or(json!(""));
                continue;
            }
            _ => return Err(format!("field {name} has the wrong wire type")),
        };
        // Go's encoder writes every plain string and number, set or not: empty means unset.
        let unset = value.as_str() == Some("") || value.as_i64() == Some(0) || value.is_null();
        if unset && !repeated {
            continue;
        }
        if repeated {
            if let Value::Array(items) = out.entry(name.to_string()).or_insert_with(|| json!([])) {
                items.push(value);
            }
        } else {
            out.insert(name.to_string(), value);
        }
    }
    Ok(Value::Object(out))
}

/// A protobuf-encoded object as JSON; the error says why it cannot be read.
pub fn decode(bytes: &[u8]) -> Result<Value, String> {
    let envelope = bytes
        .strip_prefix(MAGIC)
        .ok_or("the body does not start with the Kubernetes protobuf magic")?;
    let type_meta = &[
        (1, "apiVersion", Ty::Str, false),
        (2, "kind", Ty::Str, false),
    ];
    let unknown = message(
        envelope,
        &[
            (1, "typeMeta", Ty::Msg(type_meta), false),
            (2, "raw", Ty::Bytes, false),
        ],
    )?;
    let kind = unknown["typeMeta"]["kind"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let fields = match kind.as_str() {
        "ConfigMap" => CONFIG_MAP,
        "Secret" => SECRET,
        "Service" => SERVICE,
        "Namespace" => NAMESPACE,
        other => {
            return Err(format!(
                "the demo reads no {other:?} in protobuf; send JSON"
            ));
        }
    };
    let raw = STANDARD
        .decode(unknown["raw"].as_str().unwrap_or(""))
        .map_err(|e| e.to_string())?;
    let mut object = message(&raw, fields)?;
    object["kind"] = json!(kind);
    object["apiVersion"] = unknown["typeMeta"]["apiVersion"].clone();
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(number: u64, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![((number << 3) | 2) as u8, bytes.len() as u8];
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn a_config_map_as_kubectl_create_sends_it() {
        let meta = field(1, b"app-config");
        let entry = [field(1, b"mode"), field(2, b"dev")].concat();
        let raw = [field(1, &meta), field(2, &entry), vec![4 << 3, 1]].concat();
        let type_meta = [field(1, b"v1"), field(2, b"ConfigMap")].concat();
        let body = [MAGIC.to_vec(), field(1, &type_meta), field(2, &raw)].concat();
        let value = decode(&body).unwrap();
        assert_eq!(
            value,
            json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "app-config"},
                "data": {"mode": "dev"}, "immutable": true})
        );
        assert!(decode(b"{}").is_err());
        assert!(
            decode(&body[..body.len() - 3]).is_err(),
            "truncated input is an error, not a panic"
        );
    }
}
