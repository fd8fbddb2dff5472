//! `podscope describe -A -o json` against `kubectl get pods -A -o json` on the same demo
//! server with 10,000 synthetic pods (`PODS=N` for another count): each run to completion,
//! the median of 3, and the ratio. Prints numbers; asserts nothing (DESIGN §7).
//!
//!     cargo bench --bench describe

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time(kubeconfig: &PathBuf, program: &str, args: &[&str]) -> Duration {
    let runs: Vec<Duration> = (0..3)
        .map(|_| {
            let start = Instant::now();
            let status = Command::new(program)
                .args(args)
                .env("KUBECONFIG", kubeconfig)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("the command runs");
            assert!(status.success(), "{program} {args:?} failed");
            start.elapsed()
        })
        .collect();
    median(runs)
}

fn main() {
    let pods: usize = std::env::var("PODS")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(10_000);
    let podscope = env!("CARGO_BIN_EXE_podscope");
    let mut server = Command::new(podscope)
        .args(["demo", "--serve", "--synthetic", &pods.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the demo starts");
    let stdout = server.stdout.take().expect("piped");
    let kubeconfig = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("export KUBECONFIG=").map(PathBuf::from))
        .expect("the demo prints its kubeconfig");
    let cache = std::env::temp_dir().join(format!("podscope-bench-kubectl-{}", server.id()));
    let cache = cache.to_string_lossy().to_string();
    // kubectl's discovery is cached after its first run, as on a person's machine.
    let _ = Command::new("kubectl")
        .args(["--cache-dir", &cache, "get", "ns"])
        .env("KUBECONFIG", &kubeconfig)
        .stdout(Stdio::null())
        .status();
    let ours = time(&kubeconfig, podscope, &["describe", "-A", "-o", "json"]);
    let theirs = time(
        &kubeconfig,
        "kubectl",
        &["--cache-dir", &cache, "get", "pods", "-A", "-o", "json"],
    );
    println!("{pods} pods (+13 demo pods), median of 3 runs to completion:");
    println!("  podscope describe -A -o json      {:>8.2?}", ours);
    println!("  kubectl get pods -A -o json       {:>8.2?}", theirs);
    println!(
        "  ratio podscope / kubectl          {:>8.2}",
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&cache);
}
