//! The walk-through with the real binary in tmux on the demo cluster: a shell in
//! count-agent sees the shared volume, the terminal comes back to the TUI with the pod list
//! intact, the exit code and a resize reach the right places, and logs arrive live.

mod common;

use std::time::Duration;

use common::tmux::{Tmux, open_count_agent};

fn start(name: &str) -> Tmux {
    Tmux::podscope(name, 120, 40, "demo")
}

/// The numbers count-agent has shipped so far (`"message":"N: ..."` from /var/log/1.log).
fn shipped(screen: &str) -> Vec<u64> {
    screen
        .lines()
        .filter_map(|l| {
            l.split("\"message\":\"")
                .nth(1)?
                .split(':')
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

#[test]
fn shell_in_count_agent_then_back_to_the_list_then_live_logs() {
    let term = start("podscope-exec");
    open_count_agent(&term);

    // s: a shell in count-agent, which mounts varlog at /var/log as count does.
    term.keys(&["s"]);
    term.wait_for("podscope: shell in default/counter, container count-agent");
    // Typed as soon as the prompt shows: every key must reach the shell (none may be kept
    // by the TUI's input reader, which is stopped before the session starts).
    term.wait_until("a prompt", |s| s.contains("root@counter"));
    term.type_text("ls /var/log; stty size");
    term.keys(&["Enter"]);
    // Both commands' output (`stty size` answers a moment after `ls`).
    let shell = term.wait_until("ls and stty output", |s| {
        s.contains("1.log")
            && s.lines()
                .any(|l| l.trim() == "40 120" || l.starts_with("40 "))
    });
    assert!(shell.contains("2.log"), "{shell}");
    assert!(
        shell.lines().any(|l| l.trim() == "40 120"),
        "the TTY has the terminal's size:\n{shell}"
    );
    // A resize during the session reaches the server's pty.
    term.resize(100, 30);
    std::thread::sleep(Duration::from_millis(300));
    term.type_text("clear; stty size");
    term.keys(&["Enter"]);
    term.wait_for("30 100");
    term.type_text("exit 3");
    term.keys(&["Enter"]);

    // Back in the TUI: fully repainted, the exit code and the kubectl equivalent shown.
    let back = term.wait_for("count-agent: exit code 3");
    assert!(
        back.contains("kubectl exec -it counter -c count-agent -n default"),
        "{back}"
    );
    assert!(back.contains("Pod counter"), "{back}");
    // The first key reaches the TUI: esc goes back to the list, which is intact.
    term.keys(&["Escape"]);
    let list = term.wait_for("NAMESPACE");
    assert!(list.contains(" counter "), "{list}");
    term.keys(&["Escape"]);
    let list = term.wait_until("the whole list", |s| {
        s.contains("elastic-stack") && s.contains("webserver")
    });
    assert!(list.contains("synced 13 pods"), "{list}");

    // l on count: it writes to files, not stdout, and the view says where its lines go.
    term.type_text("/counter");
    term.keys(&["Enter", "Enter"]);
    term.wait_for("Pod counter");
    term.keys(&["l"]);
    let logs = term.wait_for("Logs counter › count");
    assert!(
        logs.contains("kubectl logs counter -c count -n default"),
        "{logs}"
    );
    term.wait_for("count writes its output to /var/log/1.log");
    // a: every container, merged; count's numbered lines arrive through count-agent.
    term.keys(&["a"]);
    let first = term.wait_until("shipped lines", |s| !shipped(s).is_empty());
    let newest = *shipped(&first).iter().max().unwrap();
    let later = term.wait_until("newer lines", |s| {
        shipped(s).iter().any(|n| *n > newest + 1)
    });
    assert!(later.contains("[count-agent]"), "{later}");
    assert!(later.contains("following"), "{later}");
    term.keys(&["q"]);
    term.wait_for("podscope-exit=0");
}

#[test]
fn crashy_logs_follow_across_a_restart() {
    let term = start("podscope-restart");
    term.wait_until("crashy listed", |s| s.contains(" crashy "));
    term.type_text("/crashy");
    term.keys(&["Enter", "Enter"]);
    term.wait_for("Pod crashy");
    term.keys(&["l"]);
    term.wait_for("Logs crashy › app");
    // The previous instance and the current one, stitched, and a new boundary when the
    // container restarts while we watch.
    let first = term.wait_for("── restarted: exit 1 (Error), restart #");
    let count = |s: &str| s.matches("── restarted:").count();
    let before = count(&first);
    term.wait_longer("another restart", Duration::from_secs(90), |s| {
        count(s) > before
    });
    term.keys(&["q"]);
    term.wait_for("podscope-exit=0");
}

#[test]
fn debug_container_with_the_targets_mounts() {
    let term = start("podscope-debug");
    open_count_agent(&term);
    term.keys(&["d"]);
    let ask = term.wait_for("Add a debug container?");
    assert!(
        ask.contains("add it with count-agent's mounts: /var/log"),
        "{ask}"
    );
    term.keys(&["y"]);
    term.wait_for("container debugger-");
    term.wait_until("a prompt", |s| s.contains("root@counter"));
    term.type_text("ls /var/log");
    term.keys(&["Enter"]);
    term.wait_for("1.log");
    term.type_text("exit");
    term.keys(&["Enter"]);
    let back = term.wait_for("session ended, exit 0");
    assert!(
        back.contains("kubectl debug -it counter -n default"),
        "{back}"
    );
    // The pod view lists the new ephemeral container.
    term.wait_for("Ephemeral (debug)");
    term.keys(&["q"]);
    term.wait_for("podscope-exit=0");
}

#[test]
fn no_shell_in_a_distroless_app_leads_to_a_debug_container() {
    let term = start("podscope-noshell");
    term.wait_until("debug-me running", |s| {
        s.lines()
            .any(|l| l.contains(" debug-me ") && l.contains("Running"))
    });
    term.type_text("/debug-me");
    term.keys(&["Enter", "Enter"]);
    term.wait_for("gcr.io/distroless/static-debian12");
    // s: the runtime finds no sh in the image; podscope says so and what to do instead.
    term.keys(&["s"]);
    term.wait_for(
        "app has no shell in its image (sh not found): d starts a debug container (busybox) that targets it",
    );
    term.keys(&["d"]);
    let ask = term.wait_for("Add a debug container?");
    assert!(
        ask.contains("sharing the process namespace of app"),
        "{ask}"
    );
    assert!(ask.contains("y: add it · esc: cancel"), "{ask}");
    term.keys(&["y"]);
    term.wait_for("container debugger-");
    term.wait_until("a prompt", |s| s.contains("root@debug-me"));
    term.type_text("echo ok-$((6*7))");
    term.keys(&["Enter"]);
    term.wait_for("ok-42");
    term.type_text("exit");
    term.keys(&["Enter"]);
    let back = term.wait_for("session ended, exit 0");
    assert!(
        back.contains("kubectl debug -it debug-me -n default"),
        "{back}"
    );
    // Both debug containers are listed: the demo's debugger-7x2kq and the new one.
    term.wait_until("two debuggers", |s| s.matches("✚ debugger-").count() == 2);
    term.keys(&["q"]);
    term.wait_for("podscope-exit=0");
}

#[test]
fn the_read_only_user_is_told_what_rbac_refused() {
    // The demo's kubeconfig has a second context whose user may read but not exec or patch.
    let demo = common::serve::Demo::start();
    let args = format!(
        "--kubeconfig {} --context podscope-demo-viewer",
        demo.kubeconfig.display()
    );
    let term = Tmux::podscope("podscope-viewer", 120, 40, &args);
    open_count_agent(&term);
    term.keys(&["s"]);
    term.wait_for("not allowed to exec into count-agent (RBAC: create pods/exec)");
    term.keys(&["d"]);
    term.wait_for("Add a debug container?");
    term.keys(&["y"]);
    term.wait_for("not allowed to add a debug container (RBAC: patch pods/ephemeralcontainers)");
    // Reading is allowed: count-agent's log view fills with the lines it ships.
    term.keys(&["l"]);
    term.wait_until("shipped lines", |s| !shipped(s).is_empty());
    term.keys(&["q"]);
    term.wait_for("podscope-exit=0");
}

#[test]
fn a_connection_lost_mid_session_gives_the_terminal_back_with_a_message() {
    let demo = common::serve::Demo::start();
    let args = format!("--kubeconfig {}", demo.kubeconfig.display());
    let term = Tmux::podscope("podscope-lost", 120, 40, &args);
    open_count_agent(&term);
    term.keys(&["s"]);
    term.wait_until("a prompt", |s| s.contains("root@counter"));
    // The cluster goes away under the open shell.
    demo.stop();
    term.wait_for("lost the connection to count-agent mid-session");
    // The TUI is back and answers keys; the header says the cluster is unreachable.
    term.keys(&["Escape"]);
    term.wait_until("back on the list", |s| {
        s.lines()
            .nth(1)
            .is_some_and(|l| l.trim_start_matches(['!', ' ']).starts_with("NAME "))
    });
    term.wait_for("cannot reach https://127.0.0.1");
    term.keys(&["q"]);
    term.wait_for("podscope-exit=0");
}
