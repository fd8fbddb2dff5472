//! `podscope demo --serve` in the background for a test, and the two clients run against
//! it: the real `kubectl` (each run with a fresh discovery cache) and `podscope` itself.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub struct Demo {
    child: Child,
    pub kubeconfig: PathBuf,
    pub cache: PathBuf,
}

impl Demo {
    pub fn start() -> Demo {
        Demo::start_with(&[])
    }

    /// `podscope demo --serve EXTRA...` (faults, a state directory).
    pub fn start_with(extra: &[&str]) -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_podscope"))
            .args(["demo", "--serve"])
            .args(extra)
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

    pub fn kubectl(&self, args: &[&str]) -> Output {
        self.kubectl_with(&self.kubeconfig, args)
    }

    pub fn kubectl_with(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        Command::new("kubectl")
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(args)
            .env("KUBECONFIG", kubeconfig)
            .stdin(Stdio::null())
            .output()
            .expect("kubectl is installed (.ci/run installs kubernetes-client)")
    }

    /// `podscope ARGS` with the demo's kubeconfig, stdin closed.
    pub fn podscope(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_podscope"))
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .stdin(Stdio::null())
            .output()
            .expect("podscope runs")
    }

    /// Wait until `kubectl get pods` shows `name` with `wanted` somewhere on its row.
    pub fn wait_for_row(&self, name: &str, wanted: &str) -> String {
        let mut row = String::new();
        for _ in 0..150 {
            let out = self.kubectl(&["get", "pods", "--no-headers"]);
            row = String::from_utf8_lossy(&out.stdout)
                .lines()
                .find(|l| l.split_whitespace().next() == Some(name))
                .unwrap_or_default()
                .to_string();
            if row.contains(wanted) {
                return row;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        panic!("{name} never showed {wanted:?}; last row: {row}");
    }

    /// SIGTERM, then the exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
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
