//! The seeds' exercises, as written, against `podscope demo --serve` with the real kubectl:
//! apply a pod, exec into each container with `-c`, port-forward and fetch the page, create
//! the Services an init container waits for, change what may and may not change, delete.

mod common;

use common::text;

use common::serve::Demo;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn seed(name: &str) -> String {
    format!(
        "{}/tests/fixtures/seeds/{name}.yaml",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A manifest written for one test, in its own directory.
fn manifest(name: &str, yaml: &str) -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("practice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, yaml).unwrap();
    path
}

/// `kubectl port-forward TARGET LOCAL:REMOTE`, running until dropped.
struct PortForward {
    child: Child,
    local: u16,
}

impl PortForward {
    fn start(demo: &Demo, target: &str, remote: u16) -> PortForward {
        let local = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("kubectl")
            .arg("--cache-dir")
            .arg(&demo.cache)
            .args(["port-forward", target, &format!("{local}:{remote}")])
            .env("KUBECONFIG", &demo.kubeconfig)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // kubectl goes on writing ("Handling connection for ..."): keep reading, or it dies
        // of a closed pipe.
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        std::thread::spawn(move || lines.for_each(drop));
        assert!(
            first.starts_with(&format!("Forwarding from 127.0.0.1:{local} -> {remote}")),
            "{first}"
        );
        PortForward { child, local }
    }

    /// `GET path` through the forward; the status line and the body.
    fn get(&self, path: &str) -> (String, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.local)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
        (
            head.lines().next().unwrap_or("").to_string(),
            body.to_string(),
        )
    }
}

impl PortForward {
    /// Send `request` and read what comes back (one reply of a line protocol like Redis's).
    fn talk(&self, request: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.local)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut reply = vec![0u8; 1024];
        let n = stream.read(&mut reply).unwrap_or(0);
        String::from_utf8_lossy(&reply[..n]).into_owned()
    }
}

impl Drop for PortForward {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_until(what: &str, mut ok: impl FnMut() -> Option<String>) -> String {
    for _ in 0..100 {
        if let Some(found) = ok() {
            return found;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("timed out waiting for {what}");
}

/// `kubectl run client --image=busybox -- sleep 3600`, running.
fn start_client(demo: &Demo) {
    let out = demo.kubectl(&[
        "run",
        "client",
        "--image=busybox",
        "--restart=Never",
        "--",
        "sleep",
        "3600",
    ]);
    assert_eq!(text(&out).trim(), "pod/client created");
    demo.wait_for_row("client", "Running");
}

/// `wget -qO- URL` from the client pod: the page, or `None` when it fails.
fn fetch_from_client(demo: &Demo, url: &str) -> Option<String> {
    let out = demo.kubectl(&["exec", "client", "--", "wget", "-qO-", "-T", "3", url]);
    out.status.success().then(|| text(&out))
}

/// Seed 003: the producer/consumer pod, applied, entered, forwarded to and deleted.
#[test]
fn the_producer_consumer_exercise() {
    let demo = Demo::start();
    // The demo already runs it; start as the learner does, from nothing.
    let out = demo.kubectl(&["delete", "pod", "multicontainer-pod", "--grace-period=1"]);
    assert_eq!(text(&out).trim(), r#"pod "multicontainer-pod" deleted"#);
    let out = demo.kubectl(&["apply", "-f", &seed("multicontainer-pod")]);
    assert_eq!(
        text(&out).trim(),
        "pod/multicontainer-pod created",
        "{}",
        text(&out)
    );
    demo.wait_for_row("multicontainer-pod", "2/2");
    // The first container by default, then the consumer with --container.
    let written = wait_until("the producer's first line", || {
        let out = demo.kubectl(&[
            "exec",
            "multicontainer-pod",
            "--",
            "sh",
            "-c",
            "ls -la /var/log; tail /var/log/index.html",
        ]);
        let said = text(&out);
        said.contains("multicontainer-pod").then_some(said)
    });
    assert!(written.contains("index.html"), "{written}");
    let out = demo.kubectl(&[
        "exec",
        "multicontainer-pod",
        "--container",
        "consumer",
        "--",
        "tail",
        "/usr/share/nginx/html/index.html",
    ]);
    assert!(
        text(&out).contains("multicontainer-pod"),
        "the consumer sees the producer's file: {}",
        text(&out)
    );
    // kubectl port-forward multicontainer-pod 8080:80, then curl it.
    let forward = PortForward::start(&demo, "multicontainer-pod", 80);
    let (status, body) = forward.get("/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        body.contains("multicontainer-pod"),
        "nginx serves what the producer wrote: {body}"
    );
    let (status, _) = forward.get("/missing.html");
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    drop(forward);
    let out = demo.kubectl(&["logs", "multicontainer-pod", "-c", "consumer"]);
    assert!(
        text(&out).contains("\"GET / HTTP/1.1\" 200"),
        "the request is in nginx's log: {}",
        text(&out)
    );
    let out = demo.kubectl(&["delete", "pod", "multicontainer-pod"]);
    assert_eq!(text(&out).trim(), r#"pod "multicontainer-pod" deleted"#);
    let out = demo.kubectl(&["get", "pod", "multicontainer-pod"]);
    assert_eq!(
        text(&out).trim(),
        r#"Error from server (NotFound): pods "multicontainer-pod" not found"#
    );
}

/// Seed 001 and the Kubernetes docs: myapp-pod waits in Init:0/2 until its Services exist.
#[test]
fn the_init_container_exercise_and_port_forward_errors() {
    let demo = Demo::start();
    demo.wait_for_row("myapp-pod", "Init:0/2");
    let services = manifest(
        "services.yaml",
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: myservice\nspec:\n  ports:\n  - protocol: TCP\n    port: 80\n    targetPort: 9376\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: mydb\nspec:\n  ports:\n  - protocol: TCP\n    port: 80\n    targetPort: 9377\n",
    );
    let out = demo.kubectl(&["apply", "-f", services.to_str().unwrap()]);
    assert_eq!(
        text(&out).trim(),
        "service/myservice created\nservice/mydb created",
        "{}",
        text(&out)
    );
    let row = demo.wait_for_row("myapp-pod", "Running");
    assert!(row.contains("1/1"), "{row}");
    let out = demo.kubectl(&["logs", "myapp-pod", "-c", "init-mydb"]);
    assert!(
        text(&out).contains("Address 1: 10.96."),
        "nslookup found mydb: {}",
        text(&out)
    );
    let out = demo.kubectl(&["get", "svc", "mydb", "--no-headers"]);
    assert!(text(&out).starts_with("mydb "), "{}", text(&out));
    // A Service with a selector gets the pods it selects as endpoints, which describe shows.
    let out = demo.kubectl(&["describe", "service", "orders"]);
    let line = text(&out)
        .lines()
        .find(|l| l.starts_with("Endpoints:"))
        .unwrap_or_default()
        .to_string();
    assert!(
        line.contains("10.244.") && line.ends_with(":8080"),
        "{}",
        text(&out)
    );
    // From another pod, a Service's name and cluster IP reach the pod behind it.
    assert_eq!(
        text(&demo.kubectl(&["label", "pod", "multicontainer-pod", "app=pages"])).trim(),
        "pod/multicontainer-pod labeled"
    );
    let out = demo.kubectl(&[
        "expose",
        "pod",
        "multicontainer-pod",
        "--port=8000",
        "--target-port=80",
        "--name=pages",
    ]);
    assert_eq!(text(&out).trim(), "service/pages exposed", "{}", text(&out));
    start_client(&demo);
    let page = wait_until("the Service to answer", || {
        fetch_from_client(&demo, "http://pages:8000/")
    });
    assert!(page.contains("multicontainer-pod"), "{page}");
    let page = fetch_from_client(&demo, "http://pages.default.svc.cluster.local:8000/");
    assert!(page.is_some_and(|p| p.contains("multicontainer-pod")));
    // The exporter of nginx-adapter scrapes nginx; its counter moves with each request.
    let nginx = PortForward::start(&demo, "nginx-adapter", 80);
    let exporter = PortForward::start(&demo, "nginx-adapter", 9113);
    let count = |exporter: &PortForward| -> u64 {
        let (_, body) = exporter.get("/metrics");
        assert!(body.contains("nginx_up 1"), "{body}");
        body.lines()
            .find_map(|l| l.strip_prefix("nginx_http_requests_total "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap()
    };
    let before = count(&exporter);
    nginx.get("/");
    nginx.get("/");
    assert!(
        count(&exporter) >= before + 3,
        "two page requests and one scrape"
    );
    // A port nothing listens on: the kubelet's words, and kubectl gives up on the pod.
    let refused = PortForward::start(&demo, "nginx-adapter", 9999);
    let mut stream = TcpStream::connect(("127.0.0.1", refused.local)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut nothing = Vec::new();
    let _ = stream.read_to_end(&mut nothing);
    assert!(nothing.is_empty());
}

/// apply, label, annotate, replace, server-side apply, configmaps and secrets, and what the
/// apiserver refuses, in its own words.
#[test]
fn writes_and_the_apiservers_refusals() {
    let demo = Demo::start();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: learner\nspec:\n  containers:\n  - name: app\n    image: busybox:1.36\n    command: [\"sh\", \"-c\", \"sleep 3600\"]\n";
    let file = manifest("learner.yaml", pod);
    let path = file.to_str().unwrap();
    assert_eq!(
        text(&demo.kubectl(&["apply", "-f", path])).trim(),
        "pod/learner created"
    );
    assert_eq!(
        text(&demo.kubectl(&["apply", "-f", path])).trim(),
        "pod/learner unchanged"
    );
    assert_eq!(
        text(&demo.kubectl(&["label", "pod", "learner", "tier=web"])).trim(),
        "pod/learner labeled"
    );
    assert_eq!(
        text(&demo.kubectl(&["annotate", "pod", "learner", "note=hi"])).trim(),
        "pod/learner annotated"
    );
    let out = demo.kubectl(&["get", "pods", "-l", "tier=web", "--no-headers"]);
    assert!(text(&out).starts_with("learner "), "{}", text(&out));
    // An image may change on a running pod; its command may not.
    let newer = manifest(
        "learner-2.yaml",
        &pod.replace("busybox:1.36", "busybox:1.37"),
    );
    assert_eq!(
        text(&demo.kubectl(&["apply", "-f", newer.to_str().unwrap()])).trim(),
        "pod/learner configured"
    );
    // The kubelet restarts the container with the new image.
    let restarted = wait_until("the container restarted with the new image", || {
        let out = demo.kubectl(&["get", "pod", "learner", "-o", "jsonpath={.status.containerStatuses[0].image} {.status.containerStatuses[0].restartCount}"]);
        (text(&out) == "busybox:1.37 1").then(|| text(&out))
    });
    assert_eq!(restarted, "busybox:1.37 1");
    let changed = manifest("learner-3.yaml", &pod.replace("sleep 3600", "sleep 60"));
    let out = demo.kubectl(&["apply", "-f", changed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).starts_with("The Pod \"learner\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"), "{}", text(&out));
    // A misspelt field, with kubectl's default --validate=strict (no --validate=false needed).
    let typo = manifest(
        "typo.yaml",
        &pod.replace("learner", "typo").replace("image:", "imagee:"),
    );
    let out = demo.kubectl(&["create", "-f", typo.to_str().unwrap()]);
    assert!(
        text(&out).contains("strict decoding error: unknown field \"spec.containers[0].imagee\""),
        "{}",
        text(&out)
    );
    // Namespaces: made, used, refused when missing, deleted with what is in them.
    assert_eq!(
        text(&demo.kubectl(&["create", "namespace", "ckad"])).trim(),
        "namespace/ckad created"
    );
    let out = demo.kubectl(&[
        "run",
        "web",
        "-n",
        "ckad",
        "--image=busybox",
        "--",
        "sleep",
        "3600",
    ]);
    assert_eq!(text(&out).trim(), "pod/web created");
    let out = demo.kubectl(&["run", "web", "-n", "nope", "--image=busybox"]);
    assert_eq!(
        text(&out).trim(),
        r#"Error from server (NotFound): namespaces "nope" not found"#
    );
    let out = demo.kubectl(&["delete", "namespace", "default"]);
    assert_eq!(
        text(&out).trim(),
        r#"Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted"#
    );
    let out = demo.kubectl(&["delete", "namespace", "ckad", "--timeout=60s"]);
    assert_eq!(
        text(&out).trim(),
        r#"namespace "ckad" deleted"#,
        "{}",
        text(&out)
    );
    let out = demo.kubectl(&["get", "pods", "-n", "ckad"]);
    assert_eq!(text(&out).trim(), "No resources found in ckad namespace.");
    // ConfigMaps and Secrets, as kubectl's typed client sends them (protobuf).
    let out = demo.kubectl(&[
        "create",
        "configmap",
        "app-config",
        "--from-literal=mode=dev",
    ]);
    assert_eq!(text(&out).trim(), "configmap/app-config created");
    let out = demo.kubectl(&[
        "create",
        "configmap",
        "app-config",
        "--from-literal=mode=dev",
    ]);
    assert_eq!(
        text(&out).trim(),
        r#"error: failed to create configmap: configmaps "app-config" already exists"#
    );
    let out = demo.kubectl(&[
        "create",
        "secret",
        "generic",
        "db",
        "--from-literal=password=s3cr3t",
    ]);
    assert_eq!(text(&out).trim(), "secret/db created");
    let out = demo.kubectl(&[
        "get",
        "secret",
        "db",
        "-o",
        "jsonpath={.type} {.data.password}",
    ]);
    assert_eq!(text(&out), "Opaque czNjcjN0");
    // Server-side apply creates, then applies again; replace takes a whole object.
    let ssa = manifest("ssa.yaml", &pod.replace("learner", "ssa"));
    let ssa = ssa.to_str().unwrap();
    assert_eq!(
        text(&demo.kubectl(&["apply", "--server-side", "-f", ssa])).trim(),
        "pod/ssa serverside-applied"
    );
    let live = text(&demo.kubectl(&["get", "pod", "ssa", "-o", "yaml"]));
    let edited = manifest(
        "ssa-live.yaml",
        &live.replacen(
            "  name: ssa\n",
            "  labels:\n    edited: \"yes\"\n  name: ssa\n",
            1,
        ),
    );
    assert_eq!(
        text(&demo.kubectl(&["replace", "-f", edited.to_str().unwrap()])).trim(),
        "pod/ssa replaced"
    );
    let out = demo.kubectl(&[
        "get",
        "pod",
        "ssa",
        "-o",
        "jsonpath={.metadata.labels.edited}",
    ]);
    assert_eq!(text(&out), "yes");
    assert_eq!(
        text(&demo.kubectl(&["delete", "-f", ssa])).trim(),
        r#"pod "ssa" deleted"#
    );
    let out = demo.kubectl(&["delete", "-f", ssa]);
    assert_eq!(
        text(&out).trim(),
        r#"Error from server (NotFound): error when deleting "PATH": pods "ssa" not found"#
            .replace("PATH", ssa)
    );
    // generateName: the prefix and five characters of the apiserver's alphabet.
    let generated = manifest(
        "generated.yaml",
        &pod.replace("name: learner", "generateName: gen-"),
    );
    let out = demo.kubectl(&["create", "-f", generated.to_str().unwrap()]);
    let said = text(&out);
    let name = said
        .trim()
        .strip_prefix("pod/gen-")
        .and_then(|r| r.strip_suffix(" created"));
    assert!(
        name.is_some_and(|n| n.len() == 5
            && n.bytes()
                .all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b))),
        "{said}"
    );
    // A preStop hook runs before SIGTERM; one that fails is the kubelet's warning, and
    // `kubectl get events` prints it in its columns.
    let hooked = manifest(
        "hooked.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hooked\nspec:\n  containers:\n  - name: app\n    image: busybox\n    command: [\"sh\", \"-c\", \"sleep 3600\"]\n    lifecycle:\n      preStop:\n        exec:\n          command: [\"sh\", \"-c\", \"exit 3\"]\n",
    );
    let out = demo.kubectl(&["apply", "-f", hooked.to_str().unwrap()]);
    assert_eq!(text(&out).trim(), "pod/hooked created");
    demo.wait_for_row("hooked", "Running");
    let out = demo.kubectl(&["delete", "pod", "hooked", "--grace-period=2"]);
    assert_eq!(text(&out).trim(), r#"pod "hooked" deleted"#);
    let out = demo.kubectl(&[
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=hooked",
    ]);
    let events = text(&out);
    assert!(
        events.starts_with("LAST SEEN   TYPE"),
        "kubectl's columns: {events}"
    );
    let warning = events
        .lines()
        .find(|l| l.contains("FailedPreStopHook"))
        .unwrap_or_default();
    assert!(
        warning.contains("Warning") && warning.contains("pod/hooked"),
        "{events}"
    );
    let out = demo.kubectl(&[
        "get",
        "events",
        "-o",
        r#"jsonpath={range .items[?(@.reason=="FailedPreStopHook")]}{.message}{end}"#,
    ]);
    assert!(
        text(&out).contains(r#"Exec lifecycle hook (["sh", "-c", "exit 3"]) for Container "app" in Pod "hooked_default" failed - error: command 'sh -c exit 3' exited with 3"#),
        "{}",
        text(&out)
    );
    // Server-side apply owns fields: what another manager set is a conflict unless forced,
    // and what the applier drops goes.
    let owned = manifest("owned.yaml", &pod.replace("learner", "owned"));
    let out = demo.kubectl(&["apply", "-f", owned.to_str().unwrap()]);
    assert_eq!(text(&out).trim(), "pod/owned created");
    let newer = pod
        .replace("learner", "owned")
        .replace("busybox:1.36", "busybox:1.37");
    let newer = manifest("owned-2.yaml", &newer);
    let newer = newer.to_str().unwrap();
    let out = demo.kubectl(&["apply", "--server-side", "-f", newer]);
    assert!(
        text(&out).starts_with(r#"error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.containers[name="app"].image"#),
        "{}",
        text(&out)
    );
    let out = demo.kubectl(&["apply", "--server-side", "--force-conflicts", "-f", newer]);
    assert_eq!(text(&out).trim(), "pod/owned serverside-applied");
    let both = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n  b: \"2\"\n";
    let both = manifest("cm.yaml", both);
    let one = manifest(
        "cm-2.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"10\"\n",
    );
    for file in [&both, &one] {
        let out = demo.kubectl(&["apply", "--server-side", "-f", file.to_str().unwrap()]);
        assert_eq!(text(&out).trim(), "configmap/settings serverside-applied");
    }
    let out = demo.kubectl(&["get", "configmap", "settings", "-o", "jsonpath={.data}"]);
    assert_eq!(
        text(&out),
        r#"{"a":"10"}"#,
        "b, dropped by its only applier, is gone"
    );
    // The read-only user reads no Secrets, as Kubernetes' `view` role does not.
    let out = demo.kubectl(&["--context", "podscope-demo-viewer", "get", "secret", "db"]);
    assert_eq!(
        text(&out).trim(),
        r#"Error from server (Forbidden): secrets "db" is forbidden: User "viewer" cannot get resource "secrets" in API group "" in the namespace "default""#
    );
}

/// A learner's pod, applied with kubectl, appears in a running `podscope demo`; `F` forwards
/// its port from the TUI, and quitting stops the forward.
#[test]
fn applied_pods_appear_in_the_tui_and_forward_from_it() {
    let kubeconfig = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("practice-tui-kubeconfig-{}", std::process::id()));
    let term = common::tmux::Tmux::podscope(
        "podscope-practice",
        130,
        40,
        &format!("demo --kubeconfig-out {}", kubeconfig.display()),
    );
    term.wait_for("synced");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: learner-web\nspec:\n  containers:\n  - name: web\n    image: nginx\n    ports:\n    - containerPort: 80\n    volumeMounts:\n    - name: html\n      mountPath: /usr/share/nginx/html\n  - name: writer\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo learner-page > /html/index.html; sleep 3600\"]\n    volumeMounts:\n    - name: html\n      mountPath: /html\n  volumes:\n  - name: html\n    emptyDir: {}\n";
    let file = manifest("learner-web.yaml", pod);
    let out = Command::new("kubectl")
        .args(["apply", "-f", file.to_str().unwrap()])
        .env("KUBECONFIG", &kubeconfig)
        .output()
        .unwrap();
    assert_eq!(
        text(&out).trim(),
        "pod/learner-web created",
        "{}",
        text(&out)
    );
    term.wait_until("learner-web running in the list", |s| {
        s.lines()
            .any(|l| l.contains(" learner-web ") && l.contains("2/2"))
    });
    term.type_text("/learner-web");
    term.keys(&["Enter", "Enter"]);
    let view = term.wait_for("Pod learner-web");
    assert!(view.contains("html"), "its shared volume is shown: {view}");
    // The pod view opens on kubectl's default container, web, whose port is 80.
    term.keys(&["F"]);
    let screen = term.wait_for("⇄ ");
    let header = screen.lines().next().unwrap_or_default();
    let local: u16 = header
        .split("⇄ ")
        .nth(1)
        .and_then(|s| s.split('→').next())
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("a local port in the header: {header}"));
    assert!(
        screen.contains("kubectl port-forward pod/learner-web"),
        "{screen}"
    );
    let forward = PortForward {
        child: Command::new("true").spawn().unwrap(),
        local,
    };
    let (status, body) = forward.get("/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(body, "learner-page\n");
    term.keys(&["Escape", "q"]);
    assert!(term.wait_for("podscope-exit=").contains("podscope-exit=0"));
    assert!(
        TcpStream::connect(("127.0.0.1", local)).is_err(),
        "the forward stopped with podscope"
    );
}

/// Seed 004's ambassador: the app talks to localhost:6380, twemproxy's stand-in forwards to
/// the Redis servers in REDIS_SERVERS, found by their DNS names once the learner runs one.
#[test]
fn the_ambassador_exercise() {
    let demo = Demo::start();
    demo.wait_for_row("ambassador-example", "2/2");
    let ambassador = PortForward::start(&demo, "ambassador-example", 6380);
    assert_eq!(
        ambassador.talk("PING\r\n"),
        "-ERR Connection refused\r\n",
        "no server yet"
    );
    // redis-st-0.redis-svc.default.svc.cluster.local, as a StatefulSet would name it.
    let server = manifest(
        "redis-st-0.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: redis-st-0\nspec:\n  hostname: redis-st-0\n  subdomain: redis-svc\n  containers:\n  - name: redis\n    image: redis:7\n    ports:\n    - containerPort: 6379\n",
    );
    assert_eq!(
        text(&demo.kubectl(&["apply", "-f", server.to_str().unwrap()])).trim(),
        "pod/redis-st-0 created"
    );
    demo.wait_for_row("redis-st-0", "1/1");
    let set = wait_until("the ambassador to reach the server", || {
        let reply = ambassador.talk("*3\r\n$3\r\nSET\r\n$4\r\nseen\r\n$3\r\nyes\r\n");
        (reply == "+OK\r\n").then_some(reply)
    });
    assert_eq!(set, "+OK\r\n");
    let direct = PortForward::start(&demo, "redis-st-0", 6379);
    assert_eq!(
        direct.talk("GET seen\r\n"),
        "$3\r\nyes\r\n",
        "the write landed on the server"
    );
}

/// The classic: `kubectl run nginx --image=nginx`, `kubectl expose`, and a busybox pod that
/// fetches the page through the Service's name.
#[test]
fn run_expose_and_fetch_through_the_service() {
    let demo = Demo::start();
    let out = demo.kubectl(&["run", "nginx", "--image=nginx"]);
    assert_eq!(text(&out).trim(), "pod/nginx created");
    let out = demo.kubectl(&["expose", "pod", "nginx", "--port=80"]);
    assert_eq!(text(&out).trim(), "service/nginx exposed");
    start_client(&demo);
    let page = wait_until("nginx to answer through its Service", || {
        fetch_from_client(&demo, "http://nginx")
    });
    assert!(page.contains("<title>Welcome to nginx!</title>"), "{page}");
    let out = demo.kubectl(&["get", "endpoints", "nginx", "--no-headers"]);
    assert!(text(&out).contains(":80"), "{}", text(&out));
}
