//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod churn;
pub mod corpus;
pub mod fuzz;
pub mod procs;
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
    set.insights(&[])
}

/// A command's stdout and stderr, one after the other (as a terminal shows them).
pub fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Run an async test on a runtime with two workers, as the machine has two cores.
pub fn block_on<T>(test: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(test)
}
