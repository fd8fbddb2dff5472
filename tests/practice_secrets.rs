//! The CKAD exercise with Secrets, against `podscope demo --serve` with the real kubectl:
//! create a Secret, use it as an env var, as `envFrom` and as a volume, and see it inside the
//! container as on a real cluster; a missing Secret leaves its volume unmounted with the
//! kubelet's event. (podscope itself never shows the value: `tests/security.rs`.)

mod common;

use common::serve::Demo;
use common::text;

const POD: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: secret-user}
spec:
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "sleep 3600"]
    env:
    - name: DB_PASSWORD
      valueFrom: {secretKeyRef: {name: db, key: password}}
    envFrom:
    - {secretRef: {name: db}, prefix: FROM_}
    volumeMounts:
    - {name: creds, mountPath: /etc/db, readOnly: true}
  volumes:
  - name: creds
    secret:
      secretName: db
      items: [{key: password, path: pass.txt}]
"#;

#[test]
fn a_secret_reaches_the_container_as_env_and_as_files() {
    let demo = Demo::start();
    let out = demo.kubectl(&[
        "create",
        "secret",
        "generic",
        "db",
        "--from-literal=password=s3cr3t",
        "--from-literal=user=admin",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("practice-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pod = dir.join("pod.yaml");
    std::fs::write(&pod, POD).unwrap();
    let out = demo.kubectl(&["apply", "-f", pod.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    demo.wait_for_row("secret-user", "Running");

    let out = demo.kubectl(&["exec", "secret-user", "--", "cat", "/etc/db/pass.txt"]);
    assert_eq!(text(&out), "s3cr3t");
    let out = demo.kubectl(&[
        "exec",
        "secret-user",
        "--",
        "sh",
        "-c",
        "echo $DB_PASSWORD $FROM_user; ls /etc/db",
    ]);
    assert_eq!(text(&out), "s3cr3t admin\npass.txt\n");
}

#[test]
fn a_missing_secret_leaves_the_pod_creating_with_the_kubelets_event() {
    let demo = Demo::start();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("practice-secrets-missing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pod = dir.join("pod.yaml");
    std::fs::write(
        &pod,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: no-secret}\nspec:\n  containers:\n  - {name: app, image: busybox, command: [sleep, '3600'], volumeMounts: [{name: creds, mountPath: /etc/db}]}\n  volumes:\n  - {name: creds, secret: {secretName: nope}}\n",
    )
    .unwrap();
    let out = demo.kubectl(&["apply", "-f", pod.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    demo.wait_for_row("no-secret", "ContainerCreating");
    let mut events = String::new();
    for _ in 0..50 {
        events = text(&demo.kubectl(&["get", "events"]));
        if events.contains("FailedMount") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(
        events.contains(r#"MountVolume.SetUp failed for volume "creds" : secret "nope" not found"#),
        "{events}"
    );
}
