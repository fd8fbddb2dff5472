//! Bad input everywhere, in one table: every case exits 2 when the command line or a file
//! the user gave is wrong and 1 when the environment is at fault, names what and where, and
//! never panics.

use std::path::PathBuf;
use std::process::{Command, Stdio};

struct Case {
    what: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    code: i32,
    /// Fragments the message must hold (what is wrong, and where).
    says: Vec<String>,
}

fn scratch() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn file(name: &str, text: &str) -> String {
    let path = scratch().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn seeds() -> String {
    format!("{}/tests/fixtures/seeds", env!("CARGO_MANIFEST_DIR"))
}

fn case(what: &'static str, args: &[&str], code: i32, says: &[&str]) -> Case {
    Case {
        what,
        args: args.iter().map(|a| a.to_string()).collect(),
        env: Vec::new(),
        code,
        says: says.iter().map(|s| s.to_string()).collect(),
    }
}

const KUBECONFIG: &str = "apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: dev, context: {cluster: c, user: u}}]
current-context: CURRENT
";

fn cases() -> Vec<Case> {
    let broken_kubeconfig = file(
        "broken-kubeconfig",
        "apiVersion: v1\nclusters: [\n  - name: x\n",
    );
    let good = file("kubeconfig", &KUBECONFIG.replace("CURRENT", "dev"));
    let stale = file("stale-kubeconfig", &KUBECONFIG.replace("CURRENT", "gone"));
    let bad_colour = file(
        "bad-colour.toml",
        "name = \"x\"\n[roles]\nmain = \"#zzzzzz\"\n",
    );
    let broken_theme = file("broken-theme.toml", "name = \"x\"\n[roles\n");
    let bad_config = file("bad-config.toml", "theme = \"dark\"\nlog_lines = [1,\n");
    let typo_config = file("typo-config.toml", "log_line = 100\n");
    let no_containers = file(
        "no-containers.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n",
    );
    let unparseable = file(
        "unparseable.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p\n",
    );
    let seeds = seeds();
    let mut cases = vec![
        case(
            "a missing kubeconfig",
            &["describe", "-A", "--kubeconfig", "/nonexistent/kc"],
            1,
            &["no kubeconfig found", "/nonexistent/kc", "podscope demo"],
        ),
        case(
            "a malformed kubeconfig",
            &["logs", "p", "--kubeconfig", &broken_kubeconfig],
            1,
            &[&broken_kubeconfig, "line 3"],
        ),
        case(
            "an unknown context asked for",
            &["describe", "-A", "--kubeconfig", &good, "--context", "nope"],
            2,
            &["no context \"nope\"", &good, "dev"],
        ),
        case(
            "a current-context that names nothing",
            &["exec", "p", "--kubeconfig", &stale, "--", "ls"],
            1,
            &["no context \"gone\"", "current-context", &stale],
        ),
        case(
            "an unknown theme",
            &["--theme", "nope", "-f", &seeds],
            2,
            &["no theme named \"nope\"", "dark"],
        ),
        case(
            "a theme with a bad colour",
            &["--theme", &bad_colour, "-f", &seeds],
            2,
            &[&bad_colour, "#zzzzzz", "roles.main"],
        ),
        case(
            "a theme that is not TOML",
            &["--theme", &broken_theme, "-f", &seeds],
            2,
            &[&broken_theme, "line 2"],
        ),
        case(
            "a manifest that is not YAML",
            &["describe", "-f", &unparseable],
            2,
            &[&format!("{unparseable}:3:"), "invalid YAML"],
        ),
        case(
            "a pod the API server refuses",
            &["describe", "-f", &no_containers],
            2,
            &["spec.containers: Required value"],
        ),
        case(
            "a manifest that does not exist",
            &["describe", "-f", "/nonexistent/pod.yaml"],
            2,
            &["/nonexistent/pod.yaml"],
        ),
        case(
            "--tail below -1",
            &["logs", "p", "--tail", "-5"],
            2,
            &["--tail", "greater than or equal to -1"],
        ),
        case(
            "--since in years",
            &["logs", "p", "--since", "99y"],
            2,
            &["--since", "99y", "unknown unit"],
        ),
        case(
            "a port out of range",
            &["demo", "--serve", "--port", "70000"],
            2,
            &["--port", "70000"],
        ),
        case(
            "an unknown fault",
            &["demo", "--serve", "--fault", "nope"],
            2,
            &["nope", "known"],
        ),
        case("an unknown subcommand", &["frobnicate"], 2, &["frobnicate"]),
    ];
    for (what, config, says) in [
        ("a config file that is not TOML", bad_config, vec!["line 2"]),
        (
            "a config key that does not exist",
            typo_config,
            vec!["log_line", "log_lines"],
        ),
    ] {
        let mut c = case(what, &["describe", "-f", &seeds], 2, &says);
        c.says.push(config.clone());
        c.env.push(("PODSCOPE_CONFIG", config));
        cases.push(c);
    }
    cases
}

#[test]
fn every_bad_input_names_what_and_where_with_the_right_exit() {
    let home = scratch().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut wrong = Vec::new();
    for c in cases() {
        let out = Command::new(env!("CARGO_BIN_EXE_podscope"))
            .args(&c.args)
            .env("HOME", &home)
            .env_remove("KUBECONFIG")
            .env_remove("PODSCOPE_CONFIG")
            .envs(c.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let missing: Vec<&String> = c
            .says
            .iter()
            .filter(|s| !stderr.contains(s.as_str()))
            .collect();
        if out.status.code() != Some(c.code) || !missing.is_empty() || stderr.contains("panicked") {
            wrong.push(format!(
                "{}: podscope {}\n  exit {:?} (want {}), missing {missing:?}\n  stderr: {stderr}",
                c.what,
                c.args.join(" "),
                out.status.code(),
                c.code
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
