//! Security, end to end against `podscope demo --serve` with the real kubectl and the real
//! binary in tmux: a Secret's value planted in the cluster never reaches a screen, describe's
//! output or podscope's log file (a pod that takes it as env, envFrom and a volume shows the
//! Secret's name only); the bearer token never reaches the log; the demo listens on
//! 127.0.0.1 only, keeps its kubeconfig 0600 in a 0700 directory and never exposes a host
//! path; `--readonly` says so in the header and sends no write to the server.

mod common;

use common::text;

use std::path::PathBuf;

use base64::Engine;
use common::serve::Demo;
use common::tmux::Tmux;

const PLANTED: &str = "PLANTED-s3cr3t-4711";

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("security-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The planted value in every form it could leak in: as is, and base64 as a Secret holds it.
fn leaks(haystack: &str) -> bool {
    let b64 = base64::engine::general_purpose::STANDARD.encode(PLANTED);
    haystack.contains(PLANTED) || haystack.contains(&b64)
}

const POD: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: uses-secret, namespace: default}
spec:
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "while true; do sleep 5; done"]
    env:
    - name: DB_PASSWORD
      valueFrom: {secretKeyRef: {name: db, key: password}}
    envFrom:
    - secretRef: {name: db}
    volumeMounts:
    - {name: creds, mountPath: /etc/db, readOnly: true}
  - name: reloader
    image: busybox
    command: [sh, -c, "while true; do echo watching /etc/db; ls /etc/db; sleep 5; done"]
    volumeMounts:
    - {name: creds, mountPath: /etc/db, readOnly: true}
  volumes:
  - name: creds
    secret: {secretName: db}
"#;

#[test]
fn a_secret_value_never_reaches_a_screen_describe_or_the_log() {
    let demo = Demo::start();
    let out = demo.kubectl(&[
        "create",
        "secret",
        "generic",
        "db",
        &format!("--from-literal=password={PLANTED}"),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    // The cluster does hold it (so not finding it below means something).
    let out = demo.kubectl(&["get", "secret", "db", "-o", "jsonpath={.data.password}"]);
    assert!(leaks(&text(&out)), "{}", text(&out));
    let dir = scratch("secret");
    let pod = dir.join("pod.yaml");
    std::fs::write(&pod, POD).unwrap();
    let out = demo.kubectl(&["apply", "-f", pod.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    demo.wait_for_row("uses-secret", "Running");

    for format in ["table", "json", "mermaid", "dot"] {
        let out = demo.podscope(&["describe", "uses-secret", "-o", format]);
        let shown = text(&out);
        assert!(out.status.success(), "{shown}");
        assert!(
            !leaks(&shown),
            "describe -o {format} shows the value:\n{shown}"
        );
        assert!(
            shown.contains("db"),
            "describe -o {format} names the Secret:\n{shown}"
        );
    }

    let args = format!("--kubeconfig {}", demo.kubeconfig.display());
    let term = Tmux::podscope("security-tui", 120, 40, &args);
    let mut screens = vec![term.wait_for("uses-secret")];
    term.type_text("/uses-secret");
    term.keys(&["Enter", "Enter"]);
    screens.push(term.wait_for("Pod uses-secret"));
    // The env of app, by the Secret's name and key.
    screens.push(term.wait_for("secret db"));
    term.keys(&["j"]);
    screens.push(term.wait_for("┌ reloader"));
    // (Escape and the next key are sent apart: together they read as Alt and the key.)
    let back = || {
        term.keys(&["Escape"]);
        term.wait_for("Pod uses-secret");
    };
    term.keys(&["v"]);
    screens.push(term.wait_for("Volumes of uses-secret"));
    back();
    term.keys(&["g"]);
    screens.push(term.wait_for("uses-secret as a picture"));
    back();
    term.keys(&["y"]);
    screens.push(term.wait_for("secretKeyRef"));
    // x shows the env values a pod spec holds; a Secret's value is not among them.
    term.keys(&["x"]);
    screens.push(term.wait_for("secretKeyRef"));
    back();
    term.keys(&["l"]);
    screens.push(term.wait_for("watching /etc/db"));
    term.keys(&["q"]);
    term.wait_for("podscope-exit=0");
    for screen in &screens {
        assert!(!leaks(screen), "a screen shows the value:\n{screen}");
    }

    let home = term.home.clone().unwrap();
    let log = std::fs::read_to_string(home.join("state/podscope/podscope.log"))
        .expect("podscope wrote its log file");
    assert!(!log.is_empty());
    assert!(!leaks(&log), "the log file holds the value:\n{log}");
    let kubeconfig = std::fs::read_to_string(&demo.kubeconfig).unwrap();
    for token in kubeconfig
        .lines()
        .filter_map(|l| l.trim().strip_prefix("token: "))
    {
        assert!(token.len() > 16, "a real token: {token}");
        assert!(
            !log.contains(token),
            "the log file holds a bearer token:\n{log}"
        );
    }
    assert!(!log.contains("PRIVATE KEY"), "{log}");
}

#[test]
fn the_demo_is_private_to_its_user_and_keeps_host_paths_out() {
    let demo = Demo::start();
    // 127.0.0.1 only: every listening socket on the server's port is bound to loopback.
    let kubeconfig = std::fs::read_to_string(&demo.kubeconfig).unwrap();
    let server = kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix("server: "))
        .expect("a server line");
    assert!(server.starts_with("https://127.0.0.1:"), "{server}");
    let port: u16 = server.rsplit(':').next().unwrap().parse().unwrap();
    let mut listening = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (local, state) = (fields[1], fields[3]);
            let (address, hex_port) = local.split_once(':').unwrap();
            if state == "0A" && u16::from_str_radix(hex_port, 16).unwrap() == port {
                listening.push(address.to_string());
            }
        }
    }
    assert_eq!(listening, ["0100007F"], "sockets listening on {port}");

    // The kubeconfig holds the tokens: 0600, in a directory only its owner may enter.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&demo.kubeconfig), 0o600);
    assert_eq!(mode(demo.kubeconfig.parent().unwrap()), 0o700);

    // A wrong token, no answer (no token at all: `demo_api`); the read-only user's token,
    // no writes.
    let forged = scratch("forged").join("kubeconfig");
    let wrong: String = kubeconfig
        .lines()
        .map(|l| match l.split_once("token: ") {
            Some((indent, _)) => format!("{indent}token: not-the-demo-token\n"),
            None => format!("{l}\n"),
        })
        .collect();
    std::fs::write(&forged, wrong).unwrap();
    let out = demo.kubectl_with(&forged, &["get", "pods"]);
    assert!(!out.status.success());
    // kubectl's words for a 401.
    assert!(
        text(&out).contains("error: You must be logged in to the server"),
        "{}",
        text(&out)
    );
    let out = demo.kubectl(&[
        "--context",
        "podscope-demo-viewer",
        "delete",
        "pod",
        "counter",
    ]);
    assert!(
        text(&out).contains("Forbidden") || text(&out).contains("forbidden"),
        "{}",
        text(&out)
    );

    // A hostPath is a private directory: a host file is not seen, a write stays inside.
    let host = scratch("hostpath");
    std::fs::write(host.join("planted.txt"), PLANTED).unwrap();
    let pod = host.join("pod.yaml");
    std::fs::write(
        &pod,
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: host-probe}}\nspec:\n  containers:\n  - {{name: probe, image: busybox, command: [sleep, '3600'], volumeMounts: [{{name: h, mountPath: /host}}]}}\n  volumes:\n  - {{name: h, hostPath: {{path: {}}}}}\n",
            host.display()
        ),
    )
    .unwrap();
    let out = demo.kubectl(&["apply", "-f", pod.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    demo.wait_for_row("host-probe", "Running");
    let out = demo.kubectl(&[
        "exec",
        "host-probe",
        "--",
        "sh",
        "-c",
        "ls -a /host; echo written > /host/from-the-pod",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("planted.txt"), "{}", text(&out));
    assert!(!host.join("from-the-pod").exists());
}

#[test]
fn readonly_says_so_and_sends_no_write() {
    let demo = Demo::start();
    let args = format!("--kubeconfig {} --readonly", demo.kubeconfig.display());
    let term = Tmux::podscope("security-readonly", 120, 40, &args);
    let list = term.wait_for("counter");
    let header = list.lines().next().unwrap_or_default();
    assert!(header.contains("read-only"), "{list}");
    common::tmux::open_count_agent(&term);
    term.keys(&["s"]);
    term.wait_for("read-only (--readonly): exec is turned off");
    term.keys(&["d"]);
    term.wait_for("read-only (--readonly): debug containers are turned off");
    term.keys(&["F"]);
    term.wait_for("read-only (--readonly): port-forward is turned off");
    term.keys(&["C-d"]);
    term.wait_for("read-only (--readonly): deleting pods is turned off");
    term.keys(&["q"]);
    term.wait_for("podscope-exit=0");
    // What the server saw from podscope: reads only.
    let out = demo.kubectl(&["get", "--raw", "/metrics"]);
    let metrics = text(&out);
    let ours: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("apiserver_request_total") && l.contains("podscope/"))
        .collect();
    assert!(!ours.is_empty(), "{metrics}");
    for line in &ours {
        let writes = ["\"POST\"", "\"PUT\"", "\"PATCH\"", "\"DELETE\""];
        assert!(
            !writes.iter().any(|w| line.contains(w)),
            "podscope wrote under --readonly: {line}"
        );
        for sub in ["pods/exec", "pods/portforward", "pods/ephemeralcontainers"] {
            assert!(!line.contains(sub), "podscope asked for {sub}: {line}");
        }
    }
}
