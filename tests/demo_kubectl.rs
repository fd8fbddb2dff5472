//! `podscope demo --serve` as a user meets it: the real binary, the real `kubectl` pointed at
//! the kubeconfig it prints, each kubectl run with a fresh discovery cache.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

struct Demo {
    child: Child,
    kubeconfig: PathBuf,
    cache: PathBuf,
}

impl Demo {
    fn start() -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_podscope"))
            .args(["demo", "--serve"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("podscope demo starts");
        let stdout = child.stdout.take().unwrap();
        let mut kubeconfig = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(path) = line.strip_prefix("export KUBECONFIG=") {
                kubeconfig = Some(PathBuf::from(path));
                break;
            }
        }
        let kubeconfig = kubeconfig.expect("the demo prints an export KUBECONFIG line");
        let cache =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("kubectl-cache-{}", child.id()));
        Demo {
            child,
            kubeconfig,
            cache,
        }
    }

    fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_with(&self.kubeconfig, args)
    }

    fn kubectl_with(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        Command::new("kubectl")
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(args)
            .env("KUBECONFIG", kubeconfig)
            .stdin(Stdio::null())
            .output()
            .expect("kubectl is installed (.ci/run installs kubernetes-client)")
    }

    /// SIGTERM, then the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap()
    }
}

impl Drop for Demo {
    /// A failed assertion still stops the demo (and so every process it started).
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let _ = self.child.wait();
        }
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

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
