//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod screens;
pub mod serve;
pub mod svg;
pub mod tls;
pub mod tmux;

use std::path::{Path, PathBuf};

use podscope::model::PodInsight;
use podscope::model::manifest::parse_manifests;

pub fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// All `*.yaml` and `*.json` files in a fixture folder, sorted.
pub fn fixture_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir(dir))
        .expect("fixture folder exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    files.sort();
    files
}

/// Parse a fixture file into analysed pods.
pub fn insights(path: &Path) -> Vec<PodInsight> {
    let text = std::fs::read_to_string(path).expect("fixture readable");
    let set = parse_manifests(&text, &path.display().to_string())
        .unwrap_or_else(|e| panic!("fixture {} does not parse: {e}", path.display()));
    set.pods
        .into_iter()
        .map(|p| PodInsight::new(p, &[]))
        .collect()
}

/// One `# expect: [pod/]container: role[, native]` line of a fixture header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub pod: Option<String>,
    pub container: String,
    pub role: String,
    pub native: bool,
}

pub fn expectations(path: &Path) -> Vec<Expectation> {
    let text = std::fs::read_to_string(path).expect("fixture readable");
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect:"))
        .map(|rest| {
            let (who, what) = rest
                .trim()
                .split_once(": ")
                .expect("expect line has `container: role`");
            let (pod, container) = match who.split_once('/') {
                Some((p, c)) => (Some(p.to_string()), c.to_string()),
                None => (None, who.to_string()),
            };
            let mut parts = what.split(',').map(str::trim);
            let role = parts.next().unwrap_or_default().to_string();
            let native = parts.any(|p| p == "native");
            Expectation {
                pod,
                container,
                role,
                native,
            }
        })
        .collect()
}

/// Compare every container of every pod in the file with its expectation. Returns the
/// mismatches as readable lines (empty when all is well).
pub fn check_file(path: &Path) -> Vec<String> {
    let expected = expectations(path);
    let pods = insights(path);
    let mut problems = Vec::new();
    let file = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    if expected.is_empty() {
        problems.push(format!("{file}: no `# expect:` lines"));
    }
    let mut seen = 0;
    for insight in &pods {
        for (c, r) in insight.containers() {
            seen += 1;
            let exp = expected.iter().find(|e| {
                e.container == c.name && e.pod.as_deref().is_none_or(|p| p == insight.pod.name)
            });
            match exp {
                None => problems.push(format!(
                    "{file}: {}/{} has no expectation",
                    insight.pod.name, c.name
                )),
                Some(e) if e.role != r.role.as_str() || e.native != r.native_sidecar => problems
                    .push(format!(
                        "{file}: {}/{}: expected {}{}, got {}{} ({}; evidence: {})",
                        insight.pod.name,
                        c.name,
                        e.role,
                        if e.native { " (native)" } else { "" },
                        r.role,
                        if r.native_sidecar { " (native)" } else { "" },
                        r.confidence,
                        r.evidence.join("; ")
                    )),
                Some(_) => {}
            }
        }
    }
    if seen != expected.len() {
        problems.push(format!(
            "{file}: {} expectations for {seen} containers",
            expected.len()
        ));
    }
    problems
}
