//! `podscope describe` as a user runs it: the real binary, its output, its exit codes.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The binary with no user config: a developer's own config.toml must not change results.
fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podscope"));
    cmd.env_remove("NO_COLOR")
        .env_remove("PODSCOPE_CONFIG")
        .env(
            "XDG_CONFIG_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-config"),
        );
    cmd
}

fn podscope(args: &[&str]) -> Output {
    command().args(args).output().expect("podscope runs")
}

fn podscope_stdin(args: &[&str], input: &str) -> Output {
    let mut child = command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("podscope runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch file under the target dir, unique per test.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("describe_cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

/// `v`'s keys, with the ones only a cluster's pods have (`optional`) left out.
fn keys_without<'a>(v: &'a Value, optional: &[&str]) -> Vec<&'a str> {
    keys(v)
        .into_iter()
        .filter(|k| !optional.contains(k))
        .collect()
}

/// Validate one pod object against DESIGN §2.1.
fn check_pod_schema(pod: &Value) {
    assert_eq!(
        keys_without(pod, &["events"]),
        [
            "containers",
            "default_container",
            "findings",
            "name",
            "namespace",
            "source",
            "volumes",
            "warnings"
        ]
    );
    for f in pod["findings"].as_array().unwrap() {
        assert!(["error", "warning", "info"].contains(&f["severity"].as_str().unwrap()));
        assert!(f["code"].is_string() && f["headline"].is_string(), "{f}");
        assert!(f["evidence"].is_array() && f["next"].is_array(), "{f}");
        assert!(
            f["container"].is_string() || f["container"].is_null(),
            "{f}"
        );
    }
    assert!(pod["namespace"].is_string() && pod["name"].is_string());
    assert!(pod["source"].is_string() || pod["source"].is_null());
    assert!(pod["default_container"].is_string() || pod["default_container"].is_null());
    for c in pod["containers"].as_array().unwrap() {
        assert_eq!(
            keys_without(c, &["ready", "restarts", "state"]),
            [
                "confidence",
                "evidence",
                "image",
                "mounts",
                "name",
                "native_sidecar",
                "ports",
                "role",
                "section"
            ]
        );
        let section = c["section"].as_str().unwrap();
        assert!(["containers", "initContainers", "ephemeralContainers"].contains(&section));
        let role = c["role"].as_str().unwrap();
        assert!(
            [
                "main",
                "sidecar",
                "adapter",
                "ambassador",
                "init",
                "ephemeral"
            ]
            .contains(&role)
        );
        assert!(["high", "medium", "low"].contains(&c["confidence"].as_str().unwrap()));
        assert!(c["native_sidecar"].is_boolean());
        assert!(
            c["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .all(Value::is_string)
        );
        for p in c["ports"].as_array().unwrap() {
            assert_eq!(keys(p), ["container_port", "name", "protocol"]);
            assert!(p["container_port"].is_i64());
        }
        for m in c["mounts"].as_array().unwrap() {
            assert_eq!(keys(m), ["path", "read_only", "sub_path", "volume"]);
        }
    }
    for v in pod["volumes"].as_array().unwrap() {
        assert_eq!(keys(v), ["detail", "kind", "mounts", "name", "shared"]);
        for m in v["mounts"].as_array().unwrap() {
            assert_eq!(keys(m), ["container", "path", "read_only"]);
        }
    }
    assert!(
        pod["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(Value::is_string)
    );
}

#[test]
fn json_output_follows_the_design_schema_for_every_fixture() {
    for dir in ["seeds", "real"] {
        let path = common::fixture_dir(dir);
        let out = podscope(&["describe", "-f", path.to_str().unwrap(), "-o", "json"]);
        // Some real manifests are fragments (injector inputs without images, templates
        // without names): shown, then refused as the API server would refuse them.
        let refused = if dir == "real" { 2 } else { 0 };
        assert_eq!(out.status.code(), Some(refused), "{}", stderr(&out));
        if dir == "real" {
            assert!(stderr(&out).contains("is invalid: "), "{}", stderr(&out));
        }
        let doc: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
        assert_eq!(keys(&doc), ["pods"]);
        let pods = doc["pods"].as_array().unwrap();
        assert!(pods.len() >= 10);
        pods.iter().for_each(check_pod_schema);
    }
}

#[test]
fn counter_json_has_the_roles_volumes_and_mounts() {
    let path = common::fixture_dir("seeds").join("counter.yaml");
    let out = podscope(&["describe", "-f", path.to_str().unwrap(), "-o", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pod = &doc["pods"][0];
    assert_eq!(pod["namespace"], "default");
    assert_eq!(pod["name"], "counter");
    assert_eq!(pod["default_container"], "count");
    assert!(pod["source"].as_str().unwrap().ends_with("counter.yaml"));
    let agent = &pod["containers"][1];
    assert_eq!(agent["name"], "count-agent");
    assert_eq!(agent["section"], "containers");
    assert_eq!(agent["role"], "sidecar");
    assert_eq!(agent["native_sidecar"], false);
    assert_eq!(agent["image"], "k8s.gcr.io/fluentd-gcp:1.30");
    assert_eq!(
        agent["mounts"][0],
        serde_json::json!({"volume": "varlog", "path": "/var/log", "read_only": false, "sub_path": null})
    );
    let varlog = &pod["volumes"][0];
    assert_eq!(varlog["name"], "varlog");
    assert_eq!(varlog["kind"], "emptyDir");
    assert_eq!(varlog["detail"], "");
    assert_eq!(varlog["shared"], true);
    assert_eq!(varlog["mounts"].as_array().unwrap().len(), 2);
    let config = &pod["volumes"][1];
    assert_eq!(
        (config["kind"].as_str(), config["shared"].as_bool()),
        (Some("configMap"), Some(false))
    );
    assert_eq!(config["detail"], "configMap fluentd-config");
}

#[test]
fn table_output_shows_roles_matrix_and_no_colour_when_piped() {
    let path = common::fixture_dir("seeds").join("counter.yaml");
    let out = podscope(&["describe", "-f", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        !text.contains('\x1b'),
        "no ANSI escapes when stdout is not a terminal"
    );
    let row = text
        .lines()
        .find(|l| l.starts_with("count-agent "))
        .expect("container row");
    assert!(row.contains("sidecar") && row.contains("high"), "{row}");
    let varlog = text
        .lines()
        .find(|l| l.starts_with("varlog "))
        .expect("matrix row");
    assert_eq!(varlog.matches("/var/log (rw)").count(), 2, "{varlog}");
    assert!(varlog.contains("yes"), "shared column: {varlog}");
}

#[test]
fn native_sidecars_are_marked_in_the_table() {
    let path = common::fixture_dir("real").join("k8s-docs-native-sidecar-deployment.yaml");
    let out = podscope(&["describe", "-f", path.to_str().unwrap()]);
    let text = stdout(&out);
    let row = text.lines().find(|l| l.starts_with("logshipper ")).unwrap();
    assert!(
        row.contains("initContainers") && row.contains("sidecar (native)"),
        "{row}"
    );
    assert!(
        text.starts_with("Deployment pod template default/myapp"),
        "{text}"
    );
}

#[test]
fn unparseable_yaml_names_file_line_and_column() {
    let path = scratch(
        "broken.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers: [\n",
    );
    let out = podscope(&["describe", "-f", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let expected_prefix = format!("podscope: {}:", path.display());
    assert!(err.starts_with(&expected_prefix), "{err}");
    let position: Vec<&str> = err[expected_prefix.len()..].splitn(3, ':').collect();
    assert!(
        position[0].parse::<u32>().is_ok() && position[1].parse::<u32>().is_ok(),
        "{err}"
    );
    assert!(err.contains("invalid YAML"), "{err}");
}

#[test]
fn unparseable_json_names_line_and_column() {
    let path = scratch(
        "broken.json",
        "{\"apiVersion\": \"v1\",\n \"kind\": \"Pod\",\n \"metadata\": {\"name\": }\n}\n",
    );
    let out = podscope(&["describe", "-f", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("broken.json:3:"), "{}", stderr(&out));
}

#[test]
fn a_file_without_pods_is_bad_input() {
    let path = scratch(
        "service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]\n",
    );
    let out = podscope(&["describe", "-f", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("holds no pods"), "{}", stderr(&out));
}

#[test]
fn unknown_kinds_are_skipped_with_a_note() {
    let text = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n";
    let path = scratch("mixed.yaml", text);
    let out = podscope(&["describe", "-f", path.to_str().unwrap(), "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("skipped ServiceAccount web (document 1)"),
        "{}",
        stderr(&out)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["pods"][0]["name"], "web");
}

#[test]
fn a_service_in_the_same_files_is_evidence_of_which_container_serves() {
    // Two unknown images, neither listed first by much: the Service says which one serves.
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: shop\n  labels: {app: shop}\nspec:\n  containers:\n  - name: cart\n    image: example.com/cart:1\n    ports: [{containerPort: 9000, name: grpc}]\n  - name: storefront\n    image: example.com/storefront:1\n    ports: [{containerPort: 8080, name: http}]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: shop\nspec:\n  selector: {app: shop}\n  ports: [{port: 80, targetPort: http}]\n";
    let path = scratch("shop.yaml", text);
    let out = podscope(&["describe", "-f", path.to_str().unwrap(), "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("skipped Service"),
        "{}",
        stderr(&out)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let storefront = &doc["pods"][0]["containers"][1];
    assert_eq!(storefront["name"], "storefront");
    let evidence = storefront["evidence"].to_string();
    assert!(
        evidence.contains("Service shop sends its port 80 to port 8080, which storefront declares"),
        "{evidence}"
    );
}

#[test]
fn a_container_without_a_name_gets_a_clear_warning() {
    let path = scratch(
        "noname.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - image: nginx\n",
    );
    let out = podscope(&["describe", "-f", path.to_str().unwrap(), "-o", "json"]);
    // Shown with its warning, then refused as the API server refuses it.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("spec.containers[0].name: Required value"));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["pods"][0]["warnings"][0],
        "containers[0] has no name: every container needs a unique name"
    );
}

#[test]
fn a_mount_without_a_path_gets_a_clear_warning() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: nginx\n    volumeMounts:\n    - name: data\n  volumes:\n  - name: data\n    emptyDir: {}\n";
    let out = podscope(&[
        "describe",
        "-f",
        scratch("nomountpath.yaml", text).to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["pods"][0]["warnings"][0],
        "container a mounts volume data without a mountPath"
    );
}

#[test]
fn a_port_of_the_wrong_type_is_reported_with_its_path() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: nginx\n    ports:\n    - containerPort: http\n";
    let out = podscope(&[
        "describe",
        "-f",
        scratch("porttype.yaml", text).to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("spec.containers[0].ports[0].containerPort"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn absurd_ports_empty_pods_and_shared_ports_are_warnings() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: nginx\n    ports: [{containerPort: 70000}, {containerPort: 80}]\n  - name: b\n    ports: [{containerPort: 80}]\n  volumes:\n  - name: unused\n    emptyDir: {}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: empty\nspec:\n  containers: []\n";
    let out = podscope(&[
        "describe",
        "-f",
        scratch("warn.yaml", text).to_str().unwrap(),
        "-o",
        "json",
    ]);
    // Shown with their warnings, then refused as the API server refuses them.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("spec.containers[0].ports[0].containerPort: Invalid value: 70000"),
        "{err}"
    );
    assert!(
        err.contains("spec.containers[1].image: Required value"),
        "{err}"
    );
    assert!(
        err.contains("Pod \"empty\" is invalid: spec.containers: Required value"),
        "{err}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings: Vec<&str> = doc["pods"][0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("port 70000, outside the valid range")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("container b has no image")),
        "{warnings:?}"
    );
    assert!(
        warnings.contains(&"volume unused is declared but mounted by no container"),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("a and b all declare port 80/TCP")),
        "{warnings:?}"
    );
    let empty = &doc["pods"][1];
    assert_eq!(empty["default_container"], Value::Null);
    assert!(
        empty["warnings"][0]
            .as_str()
            .unwrap()
            .contains("declares no containers")
    );
}

#[test]
fn stdin_and_json_lists_are_read() {
    let list = r#"{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"a","namespace":"x"},"spec":{"containers":[{"name":"app","image":"nginx"},{"name":"fluent-bit","image":"fluent/fluent-bit:3.0"}]}}]}"#;
    let out = podscope_stdin(&["describe", "-f", "-", "-o", "json"], list);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["pods"][0]["namespace"], "x");
    assert_eq!(doc["pods"][0]["containers"][1]["role"], "sidecar");
    assert_eq!(doc["pods"][0]["source"], "-");
}

#[test]
fn pods_can_be_picked_by_name_and_namespace() {
    let dir = common::fixture_dir("seeds");
    let out = podscope(&[
        "describe",
        "app",
        "-n",
        "elastic-stack",
        "-f",
        dir.to_str().unwrap(),
        "-o",
        "json",
    ]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["pods"].as_array().unwrap().len(), 1);
    assert_eq!(doc["pods"][0]["namespace"], "elastic-stack");
    let out = podscope(&["describe", "nope", "-f", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("pod nope not found"));
}

#[test]
fn a_missing_file_is_bad_input() {
    let out = podscope(&["describe", "-f", "/definitely/not/here.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read /definitely/not/here.yaml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_usage_exits_2() {
    let out = podscope(&["describe", "-o", "xml", "-f", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = podscope(&["describe", "-n", "a", "-A", "-f", "x"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn secrets_in_env_values_never_reach_the_output() {
    let path = common::fixture_dir("real").join("pgbouncer-ambassador.yaml");
    for format in ["table", "json"] {
        let out = podscope(&["describe", "-f", path.to_str().unwrap(), "-o", format]);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        assert!(text.contains("orders-db.prod.example.internal"), "{text}");
        assert!(!text.contains("change-me-not-a-real-password"), "{text}");
    }
}

#[test]
fn works_as_a_kubectl_plugin() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin");
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("kubectl-podscope");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_podscope"), &link).unwrap();
    let out = Command::new(&link).arg("--help").output().unwrap();
    assert!(
        stdout(&out).contains("Usage: kubectl podscope"),
        "{}",
        stdout(&out)
    );

    // Through kubectl itself (.ci/run installs it where it is missing).
    let path = std::env::var("PATH").unwrap_or_default();
    let counter = common::fixture_dir("seeds").join("counter.yaml");
    let out = Command::new("kubectl")
        .args([
            "podscope",
            "describe",
            "-f",
            counter.to_str().unwrap(),
            "-o",
            "json",
        ])
        .env("PATH", format!("{}:{path}", dir.display()))
        .env("KUBECONFIG", dir.join("no-such-kubeconfig"))
        .output()
        .expect("kubectl is installed");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"count-agent\""));
}

#[test]
fn config_rules_change_roles_and_a_bad_config_is_bad_input() {
    let counter = common::fixture_dir("seeds").join("counter.yaml");
    let config = scratch(
        "config.toml",
        "[[roles]]\nimage = \"fluentd-*\"\nrole = \"adapter\"\n",
    );
    let out = command()
        .args(["describe", "-f", counter.to_str().unwrap(), "-o", "json"])
        .env("PODSCOPE_CONFIG", &config)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["pods"][0]["containers"][1]["role"], "adapter");
    assert!(
        doc["pods"][0]["containers"][1]["evidence"][0]
            .as_str()
            .unwrap()
            .starts_with("set by your config rule")
    );

    let bad = scratch(
        "bad-config.toml",
        "[[roles]]\nimage = \"x\"\nrole = \"boss\"\n",
    );
    let out = command()
        .args(["describe", "-f", counter.to_str().unwrap()])
        .env("PODSCOPE_CONFIG", &bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown role \"boss\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn what_the_api_server_refuses_is_named_by_field_and_exits_2() {
    let cases = [
        ("spec: {}", "spec.containers: Required value"),
        (
            "spec:\n  containers:\n  - image: busybox",
            "spec.containers[0].name: Required value",
        ),
        (
            "spec:\n  containers:\n  - name: app",
            "spec.containers[0].image: Required value",
        ),
        (
            "spec:\n  containers:\n  - {name: app, image: a}\n  - {name: app, image: b}",
            "spec.containers[1].name: Duplicate value: \"app\"",
        ),
        (
            "spec:\n  containers:\n  - {name: App_1, image: a}",
            "spec.containers[0].name: Invalid value: \"App_1\"",
        ),
        (
            "spec:\n  initContainers:\n  - {name: app, image: a}\n  containers:\n  - {name: app, image: b}",
            "spec.containers[0].name: Duplicate value",
        ),
    ];
    for (spec, says) in cases {
        let manifest = format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n{spec}\n");
        let out = podscope_stdin(&["describe", "-f", "-"], &manifest);
        assert_eq!(out.status.code(), Some(2), "{spec}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("Pod \"web\" is invalid"), "{spec}: {err}");
        assert!(err.contains(says), "{spec}: wanted {says:?} in {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let bad_name = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Web\nspec:\n  containers:\n  - {name: a, image: b}\n";
    let out = podscope_stdin(&["describe", "-f", "-"], bad_name);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("metadata.name: Invalid value: \"Web\""),
        "{}",
        stderr(&out)
    );
}
