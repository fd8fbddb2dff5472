//! `podscope exec` and `podscope logs` against the demo cluster, side by side with kubectl on
//! the same pods: the same stdout, the same stderr, the same exit codes.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::serve::Demo;

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Run the same arguments through kubectl and podscope and insist on the same result.
/// The runtime names each exec it could not start by a random id: equal up to that.
fn without_exec_ids(stderr: &[u8]) -> String {
    let ids = regex::Regex::new(r#"failed to start exec "[0-9a-f]{64}""#).unwrap();
    ids.replace_all(
        &String::from_utf8_lossy(stderr),
        r#"failed to start exec "ID""#,
    )
    .into_owned()
}

fn same(demo: &Demo, args: &[&str]) -> Output {
    let ours = demo.podscope(args);
    let theirs = demo.kubectl(args);
    assert_eq!(
        (
            ours.status.code(),
            &ours.stdout,
            without_exec_ids(&ours.stderr)
        ),
        (
            theirs.status.code(),
            &theirs.stdout,
            without_exec_ids(&theirs.stderr)
        ),
        "podscope {args:?}:\n{}\nkubectl:\n{}",
        show(&ours),
        show(&theirs)
    );
    ours
}

fn wait_until_running(demo: &Demo) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = demo.kubectl(&["get", "pods"]);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let ready = |pod: &str, want: &str| {
            text.lines()
                .any(|l| l.starts_with(&format!("{pod} ")) && l.contains(want))
        };
        if ready("counter", "2/2") && ready("native-sidecar", "2/2") {
            return;
        }
        assert!(Instant::now() < deadline, "demo pods never ran:\n{text}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn exec_matches_kubectl() {
    let demo = Demo::start();
    wait_until_running(&demo);
    // The shared volume, seen from the sidecar at its own path.
    let out = same(
        &demo,
        &[
            "exec",
            "counter",
            "-c",
            "count-agent",
            "--",
            "ls",
            "/var/log",
        ],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1.log\n2.log\n");
    // kubectl's default container and notice, stdout and stderr apart, the exit code.
    let out = same(
        &demo,
        &[
            "exec",
            "counter",
            "--",
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3",
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Defaulted container \"count\" out of: count, count-agent"),
        "{err}"
    );
    assert!(err.contains("command terminated with exit code 3"), "{err}");
    // A native sidecar and an init container that finished.
    same(
        &demo,
        &[
            "exec",
            "native-sidecar",
            "-c",
            "log-shipper",
            "--",
            "cat",
            "/etc/hostname",
        ],
    );
    same(
        &demo,
        &["exec", "native-sidecar", "-c", "init-schema", "--", "true"],
    );
    // Errors: no such container, no such pod, a program the image lacks, an image without
    // a shell (distroless): the runtime's words in an internal error, exit 1.
    same(&demo, &["exec", "counter", "-c", "nope", "--", "true"]);
    same(&demo, &["exec", "nosuch", "--", "true"]);
    let out = same(
        &demo,
        &["exec", "counter", "-c", "count", "--", "no-such-program"],
    );
    assert_eq!(out.status.code(), Some(1));
    // The demo's read-only user: RBAC refuses exec; reading logs is allowed.
    let viewer = ["--context", "podscope-demo-viewer"];
    let out = same(
        &demo,
        &[
            &["exec"],
            &viewer[..],
            &["counter", "-c", "count", "--", "true"],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(r#"pods "counter" is forbidden: User "viewer" cannot create resource "pods/exec" in API group "" in the namespace "default""#),
        "{said}"
    );
    let out = same(
        &demo,
        &[
            &["logs"],
            &viewer[..],
            &["native-sidecar", "-c", "init-schema"],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(0));
    let out = same(&demo, &["exec", "debug-me", "-c", "app", "--", "sh"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.starts_with("error: Internal error occurred: error executing command in container")
            && said.contains(r#"exec: "sh": executable file not found in $PATH: unknown"#),
        "{said}"
    );
    // stdin with -i, ended by EOF.
    let run = |program: &str, prefix: &[&str]| {
        let mut child = Command::new(program)
            .args(prefix)
            .args([
                "exec",
                "-i",
                "counter",
                "-c",
                "count-agent",
                "--",
                "sh",
                "-c",
                "wc -l; exit 4",
            ])
            .env("KUBECONFIG", &demo.kubeconfig)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"a\nb\nc\n").unwrap();
        child.wait_with_output().unwrap()
    };
    let ours = run(env!("CARGO_BIN_EXE_podscope"), &[]);
    let cache = demo.cache.display().to_string();
    let theirs = run("kubectl", &["--cache-dir", &cache]);
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout).trim(),
        "3",
        "{}",
        show(&ours)
    );
    assert_eq!(
        (ours.status.code(), &ours.stdout),
        (theirs.status.code(), &theirs.stdout)
    );
}

#[test]
fn logs_match_kubectl() {
    let demo = Demo::start();
    wait_until_running(&demo);
    // init-schema has finished: its log no longer changes.
    let out = same(&demo, &["logs", "native-sidecar", "-c", "init-schema"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("schema ready"));
    same(
        &demo,
        &[
            "logs",
            "native-sidecar",
            "-c",
            "init-schema",
            "--timestamps",
        ],
    );
    same(
        &demo,
        &[
            "logs",
            "native-sidecar",
            "-c",
            "init-schema",
            "--tail",
            "1",
            "--prefix",
        ],
    );
    same(
        &demo,
        &[
            "logs",
            "pod/native-sidecar",
            "-c",
            "init-schema",
            "--since",
            "1h",
        ],
    );
    // The default container (count writes to files: an empty log) with kubectl's notice.
    let out = same(&demo, &["logs", "counter"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Defaulted container"));
    // Errors.
    same(&demo, &["logs", "counter", "-c", "nope"]);
    same(&demo, &["logs", "nosuch"]);
    same(&demo, &["logs", "myapp-pod", "-c", "myapp-container"]);
    // The previous instance of a crashing container, once it has one (retried if it restarts
    // in between the two runs).
    let deadline = Instant::now() + Duration::from_secs(60);
    while !demo
        .kubectl(&["logs", "crashy", "-c", "app", "-p"])
        .status
        .success()
    {
        assert!(Instant::now() < deadline, "crashy never restarted");
        std::thread::sleep(Duration::from_millis(500));
    }
    for attempt in 0.. {
        let ours = demo.podscope(&["logs", "crashy", "-c", "app", "-p"]);
        let theirs = demo.kubectl(&["logs", "crashy", "-c", "app", "-p"]);
        if ours.stdout == theirs.stdout || attempt == 3 {
            assert_eq!(ours.stdout, theirs.stdout, "{}", show(&ours));
            assert_eq!(ours.status.code(), Some(0));
            assert!(String::from_utf8_lossy(&ours.stdout).contains("fatal: lost connection"));
            break;
        }
    }
}

#[test]
fn logs_follow_across_a_restart_with_a_boundary() {
    let demo = Demo::start();
    let mut child = Command::new(env!("CARGO_BIN_EXE_podscope"))
        .args(["logs", "crashy", "-c", "app", "-f"])
        .env("KUBECONFIG", &demo.kubeconfig)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let out = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<String>>()
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut boundary = None;
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        if line.starts_with("── restarted: exit 1 (Error), restart #") {
            boundary = Some(line);
            break;
        }
        assert!(Instant::now() < deadline, "no restart boundary in 90 s");
    }
    // Let the new instance write a line, then stop following.
    std::thread::sleep(Duration::from_secs(2));
    let _ = child.kill();
    let _ = child.wait();
    let lines = out.join().unwrap();
    assert!(boundary.is_some(), "{lines:?}");
    let starts = lines.iter().filter(|l| *l == "starting app").count();
    assert!(starts >= 2, "lines of both instances: {lines:?}");
}
