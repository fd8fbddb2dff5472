//! The real binary in a real terminal (tmux) against the demo cluster, driven by keys and
//! read off the screen, as a new user would try it.

mod common;

use common::tmux::Tmux;

#[test]
fn demo_pod_list_pod_view_and_volumes() {
    let term = Tmux::podscope("podscope-tui", 120, 40, "demo");
    // The pod list, live from the demo cluster: counter with both containers ready.
    let list = term.wait_until("counter 2/2 Running", |s| {
        s.lines()
            .any(|l| l.contains(" counter ") && l.contains("2/2") && l.contains("Running"))
    });
    assert!(list.lines().next().unwrap().contains("synced"), "{list}");
    assert!(list.contains("elastic-stack"), "all namespaces: {list}");
    for pod in [
        "myapp-pod",
        "native-sidecar",
        "nginx-adapter",
        "webserver",
        "yellow",
    ] {
        assert!(list.contains(pod), "{pod} missing:\n{list}");
    }

    // Open counter: count is the main container, count-agent its sidecar.
    term.type_text("/counter");
    term.keys(&["Enter", "Enter"]);
    let view = term.wait_for("Pod counter");
    let row = |s: &str, name: &str| -> String {
        s.lines()
            .find(|l| l.contains(&format!(" {name} ")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(row(&view, "count").contains("main"), "{view}");
    assert!(row(&view, "count-agent").contains("sidecar"), "{view}");
    assert!(
        view.contains("kubectl exec -it counter -c count -n default"),
        "{view}"
    );

    // Volumes: varlog, an emptyDir both mount at /var/log.
    term.keys(&["v"]);
    let volumes = term.wait_for("Volumes of counter");
    let varlog = volumes
        .lines()
        .find(|l| l.contains("varlog") && l.contains("emptyDir"))
        .unwrap_or_else(|| panic!("no varlog row:\n{volumes}"));
    assert_eq!(varlog.matches("/var/log rw").count(), 2, "{volumes}");
    assert!(volumes.contains("shared by 2 mounts"), "{volumes}");

    // Back out, quit: the terminal is restored and the exit code is 0.
    term.keys(&["Escape"]);
    term.wait_for("Pod counter");
    term.keys(&["Escape"]);
    term.wait_for("NAMESPACE");
    term.keys(&["q"]);
    let after = term.wait_for("podscope-exit=");
    assert!(after.contains("podscope-exit=0"), "{after}");
    let home = term.home.as_ref().unwrap();
    let log = std::fs::read_to_string(home.join("state/podscope/podscope.log")).unwrap();
    assert!(log.contains("watch status: Synced"), "{log}");
}

#[test]
fn help_filter_namespace_and_resize() {
    let term = Tmux::podscope("podscope-tui-keys", 100, 30, "demo");
    term.wait_for("counter");
    // At 100x30 the help is one column, taller than the screen: j scrolls it, x closes it.
    term.keys(&["?"]);
    term.wait_for("j k scroll · any other key closes");
    term.keys(&["j"]);
    term.wait_for("Keys (2-");
    term.keys(&["x"]);
    term.wait_until("help closed", |s| !s.contains("any other key closes"));
    term.type_text(":ns elastic");
    term.keys(&["Tab", "Enter"]);
    let s = term.wait_until("only elastic-stack", |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.contains("ns elastic-stack") && l.contains("synced 1 pod"))
    });
    assert!(!s.contains("counter"), "{s}");
    term.resize(80, 24);
    term.wait_until("redrawn at 80 columns", |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.chars().count() <= 80 && l.contains("podscope"))
    });
    term.keys(&["C-c"]);
    let after = term.wait_for("podscope-exit=");
    assert!(after.contains("podscope-exit=0"), "{after}");
}

#[test]
fn no_kubeconfig_exits_1_and_suggests_the_demo() {
    let home = std::env::temp_dir().join(format!("podscope-nokube-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_podscope"))
        .env("HOME", &home)
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}/.kube/config", home.display())),
        "{stderr}"
    );
    assert!(stderr.contains("podscope demo"), "{stderr}");
    let _ = std::fs::remove_dir_all(home);
}

#[test]
fn an_unreachable_cluster_is_retried_and_named() {
    // A port nothing listens on (bound, then closed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let kubeconfig =
        std::env::temp_dir().join(format!("podscope-down-config-{}", std::process::id()));
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: down\nclusters:\n- name: down\n  cluster:\n    server: https://127.0.0.1:{port}\ncontexts:\n- name: down\n  context:\n    cluster: down\n    user: me\n    namespace: team\nusers:\n- name: me\n  user:\n    token: t\n"
        ),
    )
    .unwrap();
    let args = format!("--kubeconfig {}", kubeconfig.display());
    let term = Tmux::podscope("podscope-down", 120, 20, &args);
    let screen = term.wait_for("cannot reach");
    let header = screen.lines().next().unwrap();
    assert!(
        header.contains(&format!("https://127.0.0.1:{port}")),
        "{screen}"
    );
    assert!(
        header.contains("ctx down") && header.contains("ns team"),
        "{screen}"
    );
    assert!(screen.to_lowercase().contains("refused"), "{screen}");
    term.keys(&["q"]);
    assert!(term.wait_for("podscope-exit=").contains("podscope-exit=0"));
    let _ = std::fs::remove_file(kubeconfig);
}

#[test]
fn a_broken_pod_shows_its_problem_first() {
    let term = Tmux::podscope("podscope-tui-problems", 120, 40, "demo");
    term.wait_for("counter");
    // crashy's main crashes a few seconds after each start: the list marks it, ! keeps only
    // the pods with problems, and its pod view opens on the problem.
    let list = term.wait_longer(
        "crashy marked with a problem",
        std::time::Duration::from_secs(40),
        |s| {
            s.lines()
                .any(|l| l.starts_with('✗') && l.contains(" crashy "))
        },
    );
    assert!(list.lines().next().unwrap().contains("synced"), "{list}");
    term.keys(&["!"]);
    let only = term.wait_for("! with problems");
    assert!(!only.contains(" counter "), "{only}");
    term.type_text("/crashy");
    term.keys(&["Enter", "Enter"]);
    // Between two crashes the container runs again and the finding is only "has
    // restarted": wait for the crash loop itself.
    let view = term.wait_longer(
        "the crash loop in the pod view",
        std::time::Duration::from_secs(40),
        |s| s.contains("Problems") && s.contains("app is crash-looping"),
    );
    let problems = view.find("Problems").unwrap();
    let main = view.find("Main").unwrap_or(view.len());
    assert!(problems < main, "{view}");
    assert!(
        view.contains("kubectl logs crashy -c app -n default --previous"),
        "{view}"
    );
    // The previous instance's last line, read from the cluster, and the pod's events, live.
    let view = term.wait_for("previous instance's last line: fatal: lost connection to database");
    term.wait_until("the BackOff event", |s| {
        s.contains("Events (newest first)")
            && s.contains("Back-off restarting failed container app")
    });
    assert!(view.contains("Problem    ✗ app is crash-looping"), "{view}");
    term.keys(&["q"]);
    assert!(term.wait_for("podscope-exit=").contains("podscope-exit=0"));
}
