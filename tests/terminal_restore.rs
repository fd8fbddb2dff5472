//! The terminal is always given back. The real binary runs in tmux; after a panic, SIGTERM,
//! SIGHUP, SIGINT during an exec, a failed exec and an exec cut mid-way, the terminal must be
//! in cooked mode (isig, icanon, echo), on the main screen, with the cursor shown, and
//! nothing may be left running: not podscope, not the demo's containers, not the shell an
//! exec started (checked in /proc, see `common::procs`).

mod common;

use common::procs::{self, belonging_to, kill, running, wait_gone};
use common::serve::Demo;
use common::tmux::{Tmux, open_count_agent};

/// `podscope demo` in tmux, with `env` added to its environment.
fn demo_tui(name: &str, env: &str) -> Tmux {
    Tmux::podscope_env(name, 120, 40, env, "demo")
}

fn home(term: &Tmux) -> &std::path::Path {
    term.home.as_deref().expect("podscope_env sets a home")
}

/// The demo's containers are running under podscope (so "nothing left" means something).
fn wait_for_containers(term: &Tmux) {
    open_count_agent(term);
    let ours = belonging_to(home(term));
    assert!(
        ours.len() > 2,
        "podscope and the demo's containers should be running: {ours:#?}"
    );
}

fn podscope_pid(term: &Tmux) -> u32 {
    procs::podscope(home(term)).expect("the podscope process is found by its HOME")
}

/// After podscope ended: the terminal given back, and nothing of this run left.
fn assert_clean_end(term: &Tmux, exit: &str) -> String {
    let screen = term.assert_given_back();
    assert!(screen.contains(exit), "expected {exit}:\n{screen}");
    wait_gone("podscope or a demo process", || belonging_to(home(term)));
    let left: Vec<_> = std::fs::read_dir(home(term).join("tmp"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "the demo left {left:?} in TMPDIR");
    screen
}

#[test]
fn a_panic_gives_the_terminal_back_and_stops_the_demo() {
    let term = demo_tui(
        "restore-panic",
        "PODSCOPE_DEBUG_PANIC_KEY=% RUST_BACKTRACE=0",
    );
    wait_for_containers(&term);
    term.type_text("%");
    let screen = assert_clean_end(&term, "podscope-exit=101");
    // The panic's message is printed on the main screen, after the terminal was restored.
    assert!(screen.contains("debug panic"), "{screen}");
}

#[test]
fn sigterm_on_the_pod_list() {
    let term = demo_tui("restore-term", "");
    wait_for_containers(&term);
    kill("TERM", podscope_pid(&term));
    assert_clean_end(&term, "podscope-exit=0");
}

#[test]
fn sighup_on_the_pod_list() {
    let term = demo_tui("restore-hup", "");
    wait_for_containers(&term);
    kill("HUP", podscope_pid(&term));
    assert_clean_end(&term, "podscope-exit=0");
}

#[test]
fn sigint_during_an_exec_session() {
    let term = demo_tui("restore-int-exec", "");
    wait_for_containers(&term);
    term.keys(&["s"]);
    term.wait_until("a prompt", |s| s.contains("root@counter"));
    term.type_text("sleep 4242");
    term.keys(&["Enter"]);
    wait_running("sleep 4242");
    kill("INT", podscope_pid(&term));
    assert_clean_end(&term, "podscope-exit=0");
    wait_gone("the exec'd command", || running("sleep 4242"));
}

/// Against a cluster that outlives podscope (a separate demo server), the shell an exec
/// started must end when podscope is killed mid-session, as it does when kubectl is.
#[test]
fn sigterm_during_an_exec_session_ends_the_remote_shell() {
    let demo = Demo::start();
    let args = format!("--kubeconfig {}", demo.kubeconfig.display());
    let term = Tmux::podscope_env("restore-term-exec", 120, 40, "", &args);
    open_count_agent(&term);
    term.keys(&["s"]);
    term.wait_until("a prompt", |s| s.contains("root@counter"));
    term.type_text("sleep 4243");
    term.keys(&["Enter"]);
    wait_running("sleep 4243");
    kill("TERM", podscope_pid(&term));
    term.assert_given_back();
    wait_gone("podscope", || belonging_to(home(&term)));
    wait_gone("the exec'd command on the server", || running("sleep 4243"));
    // The server is still serving, with its containers running.
    let out = demo.kubectl(&["get", "pod", "counter", "--no-headers"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2/2"),
        "{out:?}"
    );
}

/// An exec the server cuts mid-way, then one it refuses: each time the TUI is back with the
/// reason, and the terminal is right after quitting.
#[test]
fn a_cut_exec_and_a_refused_exec_give_the_terminal_back() {
    let demo = Demo::start_with(&["--fault", "exec-cut=3s"]);
    let args = format!("--kubeconfig {}", demo.kubeconfig.display());
    let term = Tmux::podscope_env("restore-cut-exec", 120, 40, "", &args);
    open_count_agent(&term);
    term.keys(&["s"]);
    term.wait_until("a prompt", |s| s.contains("root@counter"));
    let screen = term.wait_longer("the cut", std::time::Duration::from_secs(15), |s| {
        s.contains("lost the connection to count-agent mid-session")
    });
    assert!(
        screen.contains("Pod counter"),
        "back in the pod view:\n{screen}"
    );

    let faults = home(&term).join("faults");
    std::fs::write(&faults, "deny-exec").unwrap();
    let set = demo.kubectl(&[
        "create",
        "--raw",
        "/podscope/faults",
        "-f",
        &faults.display().to_string(),
    ]);
    assert!(set.status.success(), "{set:?}");
    term.keys(&["s"]);
    term.wait_for("not allowed to exec into count-agent");
    term.keys(&["q"]);
    assert_clean_end(&term, "podscope-exit=0");
}

/// `podscope exec -it` puts the terminal in raw mode; a signal to podscope restores it and
/// exits as kubectl does (128 + the signal's number), and the remote command ends.
#[test]
fn podscope_exec_restores_the_terminal_on_sigterm() {
    let demo = Demo::start();
    let env = format!("KUBECONFIG={}", demo.kubeconfig.display());
    let term = Tmux::podscope_env(
        "restore-exec-cli",
        100,
        30,
        &env,
        "exec -it counter -c count-agent -- sh -c 'echo ready; exec sleep 4244'",
    );
    term.wait_for("ready");
    wait_running("sleep 4244");
    kill("TERM", podscope_pid(&term));
    let screen = term.assert_given_back();
    assert!(screen.contains("podscope-exit=143"), "{screen}");
    wait_gone("podscope", || belonging_to(home(&term)));
    wait_gone("the exec'd command on the server", || running("sleep 4244"));
}

fn wait_running(command: &str) {
    for _ in 0..100 {
        if !running(command).is_empty() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{command} never started");
}
