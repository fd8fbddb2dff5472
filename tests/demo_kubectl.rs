//! `podscope demo --serve` as a user meets it: the real binary, the real `kubectl` pointed at
//! the kubeconfig it prints, each kubectl run with a fresh discovery cache.

mod common;

use common::text;

use common::serve::Demo;
use common::tmux::Tmux;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn kubectl_lists_gets_and_is_refused_without_the_token() {
    let demo = Demo::start();
    // The containers start within moments of the server; wait for counter to run.
    let mut out = demo.kubectl(&["get", "pods", "-A"]);
    for _ in 0..50 {
        if text(&out)
            .lines()
            .any(|l| l.contains(" counter ") && l.contains("2/2"))
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        out = demo.kubectl(&["get", "pods", "-A"]);
    }
    let listing = text(&out);
    assert_eq!(out.status.code(), Some(0), "{listing}");
    // Services, as `kubectl get svc` prints the apiserver's Table.
    let svc = demo.kubectl(&["get", "svc", "-o", "wide"]);
    let rows: Vec<Vec<String>> = text(&svc)
        .lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
            "SELECTOR"
        ],
        "{}",
        text(&svc)
    );
    let orders = rows
        .iter()
        .find(|r| r[0] == "orders")
        .expect("Service orders");
    assert_eq!(
        (
            orders[1].as_str(),
            orders[3].as_str(),
            orders[4].as_str(),
            orders[6].as_str()
        ),
        ("ClusterIP", "<none>", "80/TCP", "app=orders"),
        "{}",
        text(&svc)
    );
    // In pages of 4 (kubectl follows the continue tokens): the same pods, one header.
    let paged = demo.kubectl(&["get", "pods", "-A", "--chunk-size=4"]);
    let names = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
            .collect()
    };
    assert_eq!(names(&text(&paged)), names(&listing), "{}", text(&paged));
    let header = listing.lines().next().unwrap();
    assert!(
        header
            .split_whitespace()
            .eq(["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]),
        "{listing}"
    );
    let counter: Vec<&str> = listing
        .lines()
        .find(|l| l.contains(" counter "))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        counter[..4],
        ["default", "counter", "2/2", "Running"],
        "{listing}"
    );
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("elastic-stack") && l.contains(" app ")),
        "{listing}"
    );

    let out = demo.kubectl(&[
        "get",
        "pod",
        "counter",
        "-o",
        "jsonpath={.spec.containers[1].name}",
    ]);
    assert_eq!(text(&out), "count-agent");

    let out = demo.kubectl(&["get", "pod", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("Error from server (NotFound): pods \"nope\" not found"),
        "{}",
        text(&out)
    );

    // Logs without -c: kubectl's notice. `count` writes to files in its volume, not to
    // stdout, so (as on a real cluster) its own log is empty.
    let out = demo.kubectl(&["logs", "counter"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let said = text(&out);
    assert!(
        said.contains("Defaulted container \"count\" out of: count, count-agent"),
        "{said}"
    );
    // A container held back by its init containers: the kubelet's answer.
    let out = demo.kubectl(&["logs", "myapp-pod"]);
    let said = text(&out);
    assert!(
        said.contains("Defaulted container \"myapp-container\" out of: myapp-container, init-myservice (init), init-mydb (init)"),
        "{said}"
    );
    assert!(
        said.contains("is waiting to start: PodInitializing"),
        "{said}"
    );
    let out = demo.kubectl(&["logs", "counter", "-c", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("container nope is not valid for pod counter"),
        "{}",
        text(&out)
    );

    // The same kubeconfig without its token line is refused.
    let kubeconfig = std::fs::read_to_string(&demo.kubeconfig).unwrap();
    let tokenless: String = kubeconfig
        .lines()
        .filter(|l| !l.contains("token:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tokenless-kubeconfig");
    std::fs::write(&path, tokenless).unwrap();
    let out = demo.kubectl_with(&path, &["get", "pods"]);
    assert_eq!(out.status.code(), Some(1));
    // After a 401 kubectl asks for a username (basic auth); with no terminal it gives up.
    let refused = text(&out);
    assert!(
        ["must be logged in", "Unauthorized", "Please enter Username"]
            .iter()
            .any(|m| refused.contains(m)),
        "{refused}"
    );

    let dir = demo.kubeconfig.parent().unwrap().to_path_buf();
    assert!(dir.exists());
    let status = demo.stop();
    assert!(status.success(), "clean exit on SIGTERM: {status}");
    assert!(!dir.exists(), "the temporary directory is gone after stop");
}

/// The reference's §11 checklist and the issue's exercises, with the real kubectl.
#[test]
fn kubectl_exec_logs_and_describe_on_the_seed_pods() {
    let demo = Demo::start();
    demo.wait_for_row("counter", "2/2");

    // The sidecar reads, at its own mount path, the file the main container writes.
    let out = demo.kubectl(&[
        "exec",
        "counter",
        "-c",
        "count-agent",
        "--",
        "cat",
        "/var/log/1.log",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        first.starts_with("0: "),
        "lines written by count: {}",
        text(&out)
    );

    // count writes only to files, so its own log is empty, as on a real cluster; the
    // sidecar's stand-in ships those lines, so its log has them.
    let out = demo.kubectl(&["logs", "counter", "-c", "count", "--tail", "2"]);
    assert_eq!(
        (out.status.code(), out.stdout.len()),
        (Some(0), 0),
        "{}",
        text(&out)
    );
    let mut out = demo.kubectl(&["logs", "counter", "-c", "count-agent", "--tail", "2"]);
    for _ in 0..50 {
        if String::from_utf8_lossy(&out.stdout).contains("tail.") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        out = demo.kubectl(&["logs", "counter", "-c", "count-agent", "--tail", "2"]);
    }
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 2, "{}", text(&out));
    let out = demo.kubectl(&[
        "logs",
        "counter",
        "-c",
        "count-agent",
        "--tail",
        "1",
        "--timestamps",
    ]);
    let stamp = String::from_utf8_lossy(&out.stdout)
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        stamp.len() == 30 && stamp.ends_with('Z') && stamp.as_bytes()[19] == b'.',
        "RFC3339 with nine fractional digits: {stamp:?}"
    );
    let out = demo.kubectl(&["logs", "counter", "-c", "count-agent", "--limit-bytes", "7"]);
    assert_eq!(out.stdout.len(), 7, "{}", text(&out));
    let out = demo.kubectl(&["logs", "counter", "-c", "count-agent", "--since", "1h"]);
    assert!(!out.stdout.is_empty(), "{}", text(&out));
    let out = demo.kubectl(&[
        "logs",
        "counter",
        "-c",
        "count-agent",
        "--since-time",
        "2099-01-01T00:00:00Z",
    ]);
    assert!(
        out.stdout.is_empty(),
        "nothing written after 2099: {}",
        text(&out)
    );

    // Exit codes propagate; a missing command fails as a container runtime does.
    let out = demo.kubectl(&["exec", "counter", "-c", "count", "--", "sh", "-c", "exit 3"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("command terminated with exit code 3"),
        "{}",
        text(&out)
    );
    // containerd's words, wrapped by the kubelet in an internal error: kubectl exits 1.
    let out = demo.kubectl(&["exec", "counter", "-c", "count", "--", "no-such-command"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).starts_with("error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec")
            && text(&out).contains("exec: \"no-such-command\": executable file not found in $PATH: unknown"),
        "{}",
        text(&out)
    );
    let out = demo.kubectl(&["exec", "counter", "-c", "nope", "--", "true"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains(
            "Error from server (BadRequest): container nope is not valid for pod counter"
        ),
        "{}",
        text(&out)
    );
    // A read-only configMap volume stays read-only.
    let out = demo.kubectl(&[
        "exec",
        "counter",
        "-c",
        "count-agent",
        "--",
        "touch",
        "/etc/fluentd-config/x",
    ]);
    assert!(
        text(&out).contains("Read-only file system"),
        "{}",
        text(&out)
    );

    // The init container that blocks myapp-pod, and what it says.
    let row = demo.wait_for_row("myapp-pod", "Init:0/2");
    assert!(row.contains("0/1"), "{row}");
    let out = demo.kubectl(&["logs", "myapp-pod", "-c", "init-myservice"]);
    assert!(
        text(&out).contains("waiting for myservice"),
        "{}",
        text(&out)
    );
    let out = demo.kubectl(&["describe", "pod", "myapp-pod"]);
    let described = text(&out);
    for expected in [
        "Status:       Pending",
        "Init Containers:",
        "init-myservice:",
        "PodInitializing",
        "Started container init-myservice",
    ] {
        assert!(
            described.contains(expected),
            "{expected:?} in:\n{described}"
        );
    }
    let initialized = described
        .lines()
        .find(|l| l.trim_start().starts_with("Initialized"))
        .unwrap_or_default();
    assert!(initialized.contains("False"), "{described}");

    // A crash-looping container: restarts counted, the previous run's logs kept.
    demo.wait_for_row("crashy", "1 (");
    let out = demo.kubectl(&["logs", "crashy", "-c", "app", "--previous"]);
    assert!(
        text(&out).contains("fatal: lost connection to database"),
        "{}",
        text(&out)
    );
    let out = demo.kubectl(&["logs", "counter", "-c", "count", "--previous"]);
    assert!(
        text(&out).contains("previous terminated container \"count\" in pod \"counter\" not found"),
        "{}",
        text(&out)
    );
    // Following a container that then ends: the stream ends and kubectl exits 0.
    let out = demo.kubectl(&["logs", "crashy", "-c", "app", "-f"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Every container, init and native sidecar included, with kubectl's prefixes.
    demo.wait_for_row("native-sidecar", "2/2");
    let out = demo.kubectl(&["logs", "native-sidecar", "--all-containers", "--prefix"]);
    let all = text(&out);
    for prefix in [
        "[pod/native-sidecar/init-schema]",
        "[pod/native-sidecar/log-shipper]",
        "[pod/native-sidecar/orders]",
    ] {
        assert!(all.contains(prefix), "{prefix} in:\n{all}");
    }
    let out = demo.kubectl(&["get", "pod", "debug-me", "-o", "yaml"]);
    let yaml = text(&out);
    assert!(
        yaml.contains("kind: Pod") && yaml.contains("ephemeralContainerStatuses"),
        "{yaml}"
    );
    assert!(demo.stop().success());
}

/// `kubectl get pods -w`: the initial rows once, then rows for later changes.
#[test]
fn kubectl_watch_shows_changes_after_the_initial_rows() {
    let demo = Demo::start();
    let mut watch = Command::new("kubectl")
        .arg("--cache-dir")
        .arg(&demo.cache)
        .args(["get", "pods", "-w", "--no-headers"])
        .env("KUBECONFIG", &demo.kubeconfig)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = watch.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .take(40)
            .collect::<Vec<String>>()
    });
    std::thread::sleep(std::time::Duration::from_secs(12));
    let _ = watch.kill();
    let _ = watch.wait();
    let rows = reader.join().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.split_whitespace().next())
        .collect();
    let initial: std::collections::BTreeSet<&str> = names.iter().take(12).copied().collect();
    assert_eq!(initial.len(), 12, "no duplicate initial rows: {rows:#?}");
    assert!(rows.len() > 12, "later changes arrive as rows: {rows:#?}");
    assert!(
        names[12..].contains(&"crashy"),
        "crashy's restarts are seen: {rows:#?}"
    );
    assert!(demo.stop().success());
}

/// `kubectl exec -it` in a real terminal (tmux): echo, a resize, 70 s idle, the exit code.
#[test]
fn kubectl_exec_it_in_a_terminal() {
    let demo = Demo::start();
    demo.wait_for_row("counter", "2/2");
    let shell = format!(
        "env KUBECONFIG={} kubectl --cache-dir {} exec -it counter -c count-agent -- sh; echo rc=$?; sleep 30",
        demo.kubeconfig.display(),
        demo.cache.display()
    );
    let term = Tmux::start("podscope-exec", 120, 40, &shell);
    term.wait_for("#");
    term.keys(&["ls /var/log; stty size", "Enter"]);
    term.wait_for("40 120");
    assert!(term.screen().contains("1.log"), "{}", term.screen());
    term.resize(100, 30);
    std::thread::sleep(std::time::Duration::from_millis(500));
    term.keys(&["stty size", "Enter"]);
    term.wait_for("30 100");
    // kubectl's read deadline (61 s) moves only with pongs: an idle session must survive it.
    std::thread::sleep(std::time::Duration::from_secs(70));
    term.keys(&["echo still-here", "Enter"]);
    term.wait_for("\nstill-here");
    term.keys(&["exit 4", "Enter"]);
    term.wait_for("rc=4");
    drop(term);
    assert!(demo.stop().success());
}

#[test]
fn kubectl_top_reads_the_demos_processes() {
    let demo = Demo::start();
    // The demo reads /proc every 5 s; a pod has metrics once two readings are in.
    let mut out = demo.kubectl(&["top", "pod", "counter", "--containers"]);
    for _ in 0..60 {
        if out.status.success() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
        out = demo.kubectl(&["top", "pod", "counter", "--containers"]);
    }
    let table = text(&out);
    assert_eq!(out.status.code(), Some(0), "{table}");
    let rows: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[0],
        ["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"],
        "{table}"
    );
    for name in ["count", "count-agent"] {
        let row = rows
            .iter()
            .find(|r| r.get(1) == Some(&name))
            .unwrap_or_else(|| panic!("{table}"));
        assert!(row[2].ends_with('m'), "{table}");
        // Resident memory of a real process tree: never nothing.
        let mib: u64 = row[3].trim_end_matches("Mi").parse().unwrap();
        assert!(mib >= 1, "{table}");
    }
    // A pod whose main is not running has no metrics, as with metrics-server.
    let out = demo.kubectl(&["top", "pod", "myapp-pod"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains(r#"podmetrics.metrics.k8s.io "default/myapp-pod" not found"#),
        "{}",
        text(&out)
    );
}

#[test]
fn kubectl_run_exec_delete_and_reapply_a_seed() {
    let demo = Demo::start();
    let out = demo.kubectl(&[
        "run",
        "web",
        "--image=busybox",
        "--restart=Never",
        "--",
        "sh",
        "-c",
        "echo hello; sleep 3600",
    ]);
    assert_eq!(text(&out).trim(), "pod/web created", "{}", text(&out));
    let row = demo.wait_for_row("web", "Running");
    assert!(row.contains("1/1"), "{row}");
    let out = demo.kubectl(&["exec", "web", "--", "echo", "inside"]);
    assert_eq!(text(&out).trim(), "inside");
    // The same name again: the apiserver's 409.
    let out = demo.kubectl(&["run", "web", "--image=busybox"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out).trim(),
        r#"Error from server (AlreadyExists): pods "web" already exists"#
    );
    // A name that is no DNS-1123 subdomain: the causes, one per line.
    let out = demo.kubectl(&["run", "Web", "--image=busybox"]);
    let said = text(&out);
    assert!(said.starts_with("The Pod \"Web\" is invalid: \n* metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain"), "{said}");
    // The read-only user may not delete; delete waits until the pod is gone.
    let out = demo.kubectl(&["--context", "podscope-demo-viewer", "delete", "pod", "web"]);
    assert!(
        text(&out)
            .contains(r#"pods "web" is forbidden: User "viewer" cannot delete resource "pods""#),
        "{}",
        text(&out)
    );
    let out = demo.kubectl(&["delete", "pod", "web"]);
    assert_eq!(text(&out).trim(), r#"pod "web" deleted"#, "{}", text(&out));
    let out = demo.kubectl(&["get", "pod", "web"]);
    assert_eq!(
        text(&out).trim(),
        r#"Error from server (NotFound): pods "web" not found"#
    );
    // A seed pod deleted and created again from its file comes back and runs.
    let out = demo.kubectl(&["delete", "pod", "yellow", "--grace-period=1"]);
    assert_eq!(
        text(&out).trim(),
        r#"pod "yellow" deleted"#,
        "{}",
        text(&out)
    );
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seeds/yellow.yaml"
    );
    let out = demo.kubectl(&["create", "-f", seed, "--validate=false"]);
    assert_eq!(text(&out).trim(), "pod/yellow created", "{}", text(&out));
    let row = demo.wait_for_row("yellow", "Running");
    assert!(row.contains("2/2"), "{row}");
}
