//! Property test: conversion, role inference, lints and both describe outputs never panic,
//! whatever pod JSON they are fed. Inputs are real fixtures mutated at random (a seeded PRNG,
//! so a failure is reproducible from the printed case), plus manifests of random bytes.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::fuzz::{Rng, exercise};
use podscope::model::manifest::documents;
use serde_json::{Value, json};

const STRINGS: &[&str] = &[
    "",
    "Always",
    "Never",
    "sh",
    "-c",
    ">>",
    ">",
    "/",
    "//",
    "/var/log",
    "/var/log/",
    "localhost",
    "localhost:",
    "localhost:99999999999999",
    "127.0.0.1:-1",
    "http://[::1",
    "[::1]:80",
    "http://localhost/",
    "a:b:c",
    "x.svc:1:2:3",
    "user:pw@host.example.com:5432",
    "ñandú",
    "🦀",
    "*",
    "?",
    "role.podscope.io/x",
    "kubectl.kubernetes.io/default-container",
    "Pod",
    "List",
    "PodList",
    "Deployment",
    "CronJob",
    "StatefulSet",
    "v1",
    "apps/v1",
    "sidecar",
    "main",
    "ambassador",
    "init",
    "bogus",
    "tail -F /opt/x",
    "cat /a /b; echo > /c 2>&1 | tee -a",
    "--listen-address=:0",
    "--port=65536",
];

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth > 3 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => json!(
            [
                i64::MIN,
                -1,
                0,
                1,
                80,
                65535,
                65536,
                i32::MAX as i64,
                i64::MAX
            ][rng.below(9)]
        ),
        3 => json!(rng.next() as f64 / 7.0),
        4 | 5 => Value::String(STRINGS[rng.below(STRINGS.len())].to_string()),
        6 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        7 => {
            let keys = [
                "name",
                "image",
                "containers",
                "kind",
                "args",
                "command",
                "ports",
                "volumeMounts",
                "mountPath",
                "restartPolicy",
                "value",
                "env",
            ];
            Value::Object(
                (0..rng.below(4))
                    .map(|_| {
                        (
                            keys[rng.below(keys.len())].to_string(),
                            random_value(rng, depth + 1),
                        )
                    })
                    .collect(),
            )
        }
        _ => Value::String("x".repeat(rng.below(5000))),
    }
}

/// Replace, delete or duplicate one node somewhere in the tree.
/// `gentle` keeps every leaf's JSON type, so the typed conversion accepts the pod and the
/// mutation reaches role inference; otherwise anything goes.
fn mutate(v: &mut Value, rng: &mut Rng, depth: u32, gentle: bool) {
    // The root stays an object with its kind most of the time: that is where the pods are.
    let descend = depth == 0 || (depth < 12 && rng.below(4) != 0);
    match v {
        Value::Object(map) if descend && !map.is_empty() => {
            let mut key = map.keys().nth(rng.below(map.len())).cloned().unwrap();
            if depth == 0 && (key == "kind" || key == "apiVersion") && rng.below(8) != 0 {
                key = map.keys().find(|k| *k == "spec").cloned().unwrap_or(key);
            }
            match rng.below(6) {
                0 => {
                    map.remove(&key);
                }
                1 if !gentle => {
                    map.insert(key, random_value(rng, depth));
                }
                _ => mutate(map.get_mut(&key).unwrap(), rng, depth + 1, gentle),
            }
        }
        Value::Array(items) if descend && !items.is_empty() => {
            let i = rng.below(items.len());
            match rng.below(6) {
                0 => {
                    items.remove(i);
                }
                1 => {
                    let copy = items[i].clone();
                    items.push(copy);
                }
                _ => mutate(&mut items[i], rng, depth + 1, gentle),
            }
        }
        // Mostly keep the type, so the typed conversion accepts it and inference runs.
        Value::String(_) if gentle || rng.below(4) != 0 => {
            *v = Value::String(STRINGS[rng.below(STRINGS.len())].to_string())
        }
        Value::Number(_) if gentle || rng.below(4) != 0 => {
            *v = json!([-1, 0, 1, 80, 443, 65535, 65536, i32::MAX, i32::MIN][rng.below(9)])
        }
        Value::Bool(b) => *b = !*b,
        _ if gentle => {}
        _ => *v = random_value(rng, depth),
    }
}

fn fixture_values() -> Vec<Value> {
    ["seeds", "real"]
        .iter()
        .flat_map(|d| common::fixture_files(d))
        .flat_map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            documents(&text, &f.display().to_string()).unwrap()
        })
        // The pods, not the Services and ConfigMaps beside them.
        .filter(|v| !matches!(v["kind"].as_str(), Some("Service" | "ConfigMap")))
        .collect()
}

#[test]
fn mutated_real_pods_never_panic() {
    let originals = fixture_values();
    assert!(originals.len() >= 50);
    let mut rng = Rng(0x0005_EED0_F9D5_C09E);
    let mut analysed = 0;
    for case in 0..4000 {
        let mut v = originals[rng.below(originals.len())].clone();
        let gentle = case % 2 == 0;
        for _ in 0..1 + rng.below(5) {
            mutate(&mut v, &mut rng, 0, gentle);
        }
        let text = v.to_string();
        match catch_unwind(AssertUnwindSafe(|| exercise(&text))) {
            Ok(n) => analysed += n,
            Err(_) => panic!("case {case} panicked on input:\n{text}"),
        }
    }
    // Most mutations must get past the typed conversion, or inference is not being tested.
    assert!(
        analysed > 1500,
        "only {analysed} mutated pods reached role inference"
    );
}

#[test]
fn random_bytes_as_manifests_never_panic() {
    let mut rng = Rng(0xBAD_F00D);
    let alphabet = b"ab:- \n\t{}[]\"'#&*!|>%@`,?0123456789.\\/";
    for case in 0..3000 {
        let len = rng.below(300);
        let bytes: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let text = String::from_utf8(bytes).unwrap();
        if catch_unwind(AssertUnwindSafe(|| exercise(&text))).is_err() {
            panic!("case {case} panicked on input: {text:?}");
        }
    }
}
