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
}

/// The token for the page after `last`: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":K}`,
/// where K is the next key to read (the last key and a NUL byte), as the apiserver writes it.
pub fn continue_token(rv: u64, last: &Key) -> String {
    let start = format!("{}/{}\u{0}", last.0, last.1);
    STANDARD.encode(json!({"v": "meta.k8s.io/v1", "rv": rv, "start": start}).to_string())
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
    })
}

/// One page of `items` (in key order): what follows `after`, at most `limit` of them, the
/// key of the last one when more remain, and how many remain after the page.
pub fn page<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> Key,
    limit: Option<usize>,
    after: Option<&Key>,
) -> (Vec<T>, Option<(Key, usize)>) {
    let mut rest: Vec<T> = match after {
        Some(after) => items.into_iter().filter(|i| &key(i) > after).collect(),
        None => items,
    };
    let Some(limit) = limit.filter(|&l| l > 0 && l < rest.len()) else {
        return (rest, None);
    };
    let remaining = rest.len() - limit;
    rest.truncate(limit);
    let last = rest.last().map(&key).expect("limit > 0 items kept");
    (rest, Some((last, remaining)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Vec<Key> {
        (0..n)
            .map(|i| ("default".to_string(), format!("pod-{i:03}")))
            .collect()
    }

    #[test]
    fn pages_follow_each_other_until_nothing_remains() {
        let all = keys(7);
        let mut after: Option<Key> = None;
        let mut seen = Vec::new();
        loop {
            let (items, more) = page(all.clone(), Clone::clone, Some(3), after.as_ref());
            seen.extend(items);
            let Some((last, remaining)) = more else { break };
            assert_eq!(remaining, 7 - seen.len());
            let token = continue_token(1042, &last);
            let resume = parse_continue(&token).unwrap();
            assert_eq!(resume.rv, 1042);
            after = Some(resume.after);
        }
        assert_eq!(seen, all);
    }

    #[test]
    fn no_limit_or_a_big_one_is_everything() {
        assert_eq!(page(keys(3), Clone::clone, None, None), (keys(3), None));
        assert_eq!(page(keys(3), Clone::clone, Some(3), None), (keys(3), None));
        assert_eq!(page(keys(3), Clone::clone, Some(0), None), (keys(3), None));
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
