//! `podscope logs -f` across streams the server ends early (the demo's `log-cut` fault, as
//! when a kubelet restarts): it reconnects on its own and prints every line exactly once. A
//! pod counts out numbered lines in bursts (after the follow has started), so several lines share a timestamp and cuts fall
//! between them.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::serve::Demo;

const LINES: u32 = 300;

fn numbers_pod() -> String {
    format!(
        r#"apiVersion: v1
kind: Pod
metadata:
  name: numbers
spec:
  containers:
  - name: count
    image: busybox:1.36
    command: ["sh", "-c"]
    args:
    - |
      sleep 2
      i=0
      while [ $i -lt {LINES} ]; do
        i=$((i+1)); echo "line $i"
        if [ $((i % 10)) -eq 0 ]; then sleep 0.2; fi
      done
      sleep 3600
"#
    )
}

#[test]
fn a_followed_log_cut_every_37_lines_loses_and_doubles_nothing() {
    let demo = Demo::start_with(&["--fault", "log-cut=37"]);
    let manifest = std::env::temp_dir().join(format!("numbers-{}.yaml", std::process::id()));
    std::fs::write(&manifest, numbers_pod()).unwrap();
    let out = demo.kubectl(&["apply", "-f", manifest.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let _ = std::fs::remove_file(&manifest);
    demo.wait_for_row("numbers", "Running");

    let mut follow = Command::new(env!("CARGO_BIN_EXE_podscope"))
        .args(["logs", "-f", "numbers"])
        .env("KUBECONFIG", &demo.kubeconfig)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = follow.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen = Vec::new();
    let last = format!("line {LINES}");
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) {
        let done = line == last;
        seen.push(line);
        if done {
            break;
        }
    }
    // A moment more: nothing may follow the last line (a doubled tail would).
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(2)) {
        seen.push(line);
    }
    let _ = follow.kill();
    let output = follow.wait_with_output().unwrap();
    let expected: Vec<String> = (1..=LINES).map(|i| format!("line {i}")).collect();
    assert_eq!(
        seen,
        expected,
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The cut really happened: the server counted one log request per stream.
    let metrics = demo.kubectl(&["get", "--raw", "/metrics"]);
    let text = String::from_utf8_lossy(&metrics.stdout);
    let requests: u64 = text
        .lines()
        .filter(|l| l.contains("resource=\"pods/log\"") && l.contains("podscope/"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum();
    assert!(
        requests >= 5,
        "expected a request per cut, the server counted {requests}:\n{text}"
    );
}
