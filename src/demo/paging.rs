//! List pagination as the apiserver does it: `limit` items per response, and a `continue`
//! token naming the resourceVersion of the first page and the last key sent. kubectl always
//! asks for `limit=500`, and kube's watcher lists in pages of 500, so a 10,000-pod list
//! arrives in pieces rather than as one body of every pod.
//!
//! One difference, said plainly: the apiserver serves every page from a snapshot at the
//! first page's resourceVersion; the demo serves later pages from the store as it is then,
//! and reports the first page's version on each. A watch from that version replays what
//! changed meanwhile, so a client that lists and then watches ends up right either way.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// (namespace, name): the order pods are listed in.
pub type Key = (String, String);

/// Where a continued list resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    /// The resourceVersion of the list's first page.
    pub rv: u64,
    pub after: Key,
    /// How many objects the pages before sent: with the store's count, how many remain.
    pub sent: usize,
}

/// The token for the page after `last`: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":K}`,
/// where K is the next key to read (the last key and a NUL byte), as the apiserver writes it,
/// plus `"sent"`, the objects sent so far (the token is opaque to clients).
pub fn continue_token(rv: u64, last: &Key, sent: usize) -> String {
    let start = format!("{}/{}\u{0}", last.0, last.1);
    STANDARD
        .encode(json!({"v": "meta.k8s.io/v1", "rv": rv, "start": start, "sent": sent}).to_string())
}

/// Read a `continue` parameter; the error is the apiserver's reason, for a 400.
pub fn parse_continue(token: &str) -> Result<Resume, String> {
    let invalid = |why: &str| format!("continue key is not valid: {why}");
    let bytes = STANDARD
        .decode(token)
        .map_err(|_| invalid("illegal base64 data"))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid("not JSON"))?;
    if value["v"] != "meta.k8s.io/v1" {
        return Err(invalid("server does not recognize this encoded key"));
    }
    let rv = value["rv"]
        .as_u64()
        .ok_or_else(|| invalid("incorrect encoded start resourceVersion"))?;
    let start = value["start"].as_str().unwrap_or_default();
    let key = start.strip_suffix('\u{0}').unwrap_or(start);
    let (namespace, name) = key
        .split_once('/')
        .ok_or_else(|| invalid("the start key is not a pod's"))?;
    Ok(Resume {
        rv,
        after: (namespace.to_string(), name.to_string()),
        sent: value["sent"].as_u64().unwrap_or(0) as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_the_version_the_last_key_and_what_was_sent() {
        let last = ("default".to_string(), "pod-007".to_string());
        let resume = parse_continue(&continue_token(1042, &last, 500)).unwrap();
        assert_eq!(
            resume,
            Resume {
                rv: 1042,
                after: last,
                sent: 500
            }
        );
    }

    #[test]
    fn bad_tokens_are_refused_in_the_apiservers_words() {
        assert_eq!(
            parse_continue("%%%"),
            Err("continue key is not valid: illegal base64 data".into())
        );
        let foreign = STANDARD.encode(r#"{"v":"other","rv":1,"start":"a/b"}"#);
        assert!(
            parse_continue(&foreign)
                .unwrap_err()
                .contains("server does not recognize")
        );
    }
}
