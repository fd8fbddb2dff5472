//! The demo's pod runtime: it runs the demo pods' containers as real processes, each in its
//! own root with the pod's volumes bind-mounted (see [`sandbox`]), keeps their output per
//! instance for the log endpoint, restarts them per `restartPolicy` with the kubelet's
//! back-off, and reports the truth about all of it in the pods' statuses and events.
//!
//! Shell commands (busybox, ubuntu, alpine... or any `sh -c`) run for real with the host's
//! tools; other images are simulated by stand-in scripts ([`standin`]). Synthetic pods
//! (`--synthetic`) are never run: their statuses are simulated by the churn task.

pub mod config;
mod hooks;
mod instance;
mod logbook;
pub mod network;
mod plan;
mod process;
mod sandbox;
mod serve;
mod standin;
mod status;
mod supervisor;
mod volumes;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use logbook::{LogQuery, LogWriter, Logbook, Progress};
pub use plan::{ContainerPlan, ContainerView};
pub use process::{Pty, kill_group, open_pty, resize};
pub use sandbox::{ExecTarget, Isolation, RootDirs, exec_command};

use super::Shared;

/// The kubelet's restart back-off: 10 s doubling to 5 min, reset after 10 min of running.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    pub reset_after: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            backoff_initial: Duration::from_secs(10),
            backoff_max: Duration::from_secs(300),
            reset_after: Duration::from_secs(600),
        }
    }
}

/// A container instance that is running now: what exec needs to join it.
#[derive(Debug)]
pub struct Instance {
    pub pid: u32,
    pub container_id: String,
    pub dirs: RootDirs,
    pub plan: ContainerPlan,
}

type ContainerKey = (String, String, String);

#[derive(Default)]
struct Books {
    running: HashMap<ContainerKey, Arc<Instance>>,
    logs: HashMap<String, Arc<Logbook>>,
    /// Container IDs per container, oldest first (only the last two are readable).
    history: HashMap<ContainerKey, Vec<String>>,
}

pub struct Runtime {
    pub isolation: Isolation,
    pub networking: network::Networking,
    /// Each running pod's network (absent for host-network pods).
    networks: Mutex<HashMap<(String, String), Arc<network::PodNetwork>>>,
    /// The last host number handed out in the pod range 10.244.0.0/16.
    last_ip: std::sync::atomic::AtomicU32,
    pub timing: Timing,
    dir: PathBuf,
    books: Mutex<Books>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// Process groups alive now (containers and exec sessions), killed on stop or drop.
    groups: Mutex<HashSet<u32>>,
    /// The stand-in `nslookup` mounted into busybox containers.
    nslookup: Option<PathBuf>,
    /// How to end each pod's run early (its deletion), and whether it has ended.
    controls: Mutex<HashMap<(String, String), PodControl>>,
}

/// A pod run's deletion switch: the grace period once it is being deleted, and whether the
/// run is over.
struct PodControl {
    terminate: watch::Sender<Option<Duration>>,
    done: watch::Receiver<bool>,
}

fn write_executable(path: &Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

impl Runtime {
    /// A runtime keeping its pods' files under `dir` (private to this user).
    /// `namespaces: false` skips them even where they work (to try the degraded mode).
    pub fn new(dir: PathBuf, timing: Timing, namespaces: bool) -> Runtime {
        let isolation = if namespaces {
            sandbox::probe(&dir.join("probe"))
        } else {
            Isolation::Unavailable("turned off for this run".into())
        };
        let networking = match &isolation {
            Isolation::Namespaces => network::probe(),
            Isolation::Unavailable(why) => network::Networking::Unavailable(why.clone()),
        };
        // The host's own nslookup would ask the host's DNS, which knows no Services.
        let tools = dir.join("tools");
        let nslookup = tools.join("nslookup");
        let nslookup = (std::fs::create_dir_all(&tools).is_ok()
            && write_executable(&nslookup, standin::NSLOOKUP).is_ok())
        .then_some(nslookup);
        Runtime {
            isolation,
            networking,
            networks: Mutex::new(HashMap::new()),
            last_ip: std::sync::atomic::AtomicU32::new(9),
            timing,
            dir,
            books: Mutex::new(Books::default()),
            tasks: Mutex::new(Vec::new()),
            groups: Mutex::new(HashSet::new()),
            nslookup,
            controls: Mutex::new(HashMap::new()),
        }
    }

    /// What to tell the user when containers run without their own root and volumes.
    pub fn isolation_notice(&self) -> Option<String> {
        match &self.isolation {
            Isolation::Namespaces => match &self.networking {
                network::Networking::PerPod => None,
                network::Networking::Unavailable(why) => Some(format!(
                    "network namespaces are not available here ({why}): the demo pods share \
                     the host's network, so two of them cannot listen on one port."
                )),
            },
            Isolation::Unavailable(why) => Some(format!(
                "mount namespaces are not available here ({why}): the demo containers run \
                 without their own root, so volumes are not mounted at their mountPaths{}. \
                 Run as root with CAP_SYS_ADMIN for the full demo.",
                // SAFETY: geteuid has no preconditions.
                if unsafe { libc::geteuid() } == 0 {
                    ", and (running as root) every container is simulated so none writes the host's files"
                } else {
                    ""
                }
            )),
        }
    }

    /// What a container instance runs. Without namespaces, a root process would write the
    /// host's own paths (`/var/log/1.log`...), so as root every container is then simulated.
    fn argv_for(&self, plan: &ContainerPlan) -> Vec<String> {
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        match &plan.program {
            plan::Program::Real(_) if root && self.isolation != Isolation::Namespaces => vec![
                "/bin/sh".into(),
                "-c".into(),
                standin::script(&plan.name, None, &plan.mounts, None),
            ],
            program => program.argv().to_vec(),
        }
    }

    /// The ports the pod's stand-ins serve on (a web server's 80 when it declares none).
    pub fn serving_ports(pod: &k8s_openapi::api::core::v1::Pod) -> Vec<u16> {
        let Some(spec) = pod.spec.as_ref() else {
            return Vec::new();
        };
        spec.containers
            .iter()
            .filter_map(|c| plan::plan(pod, c.into(), &config::PodConfig::default()).serving)
            .map(|s| match s {
                serve::Serving::Web { port, .. }
                | serve::Serving::Exporter { port, .. }
                | serve::Serving::Redis { port }
                | serve::Serving::Ambassador { port, .. } => port,
            })
            .collect()
    }

    /// A file of the pod's own (`hosts`, `resolv.conf`), in its directory.
    pub fn pod_file(&self, namespace: &str, name: &str, file: &str) -> PathBuf {
        self.pod_dir(namespace, name).join(file)
    }

    fn pod_dir(&self, namespace: &str, name: &str) -> PathBuf {
        let (namespace, name) = (volumes::sanitize(namespace), volumes::sanitize(name));
        self.dir.join("pods").join(format!("{namespace}_{name}"))
    }

    /// Start running the pod `namespace/name` (already in the store) until `stop`.
    pub fn run_pod(shared: &Arc<Shared>, namespace: &str, name: &str, stop: watch::Receiver<bool>) {
        let (terminate, terminating) = watch::channel(None);
        let (done_tx, done) = watch::channel(false);
        if let Ok(mut controls) = shared.runtime.controls.lock() {
            controls.insert(
                (namespace.to_string(), name.to_string()),
                PodControl { terminate, done },
            );
        }
        let run = supervisor::run_pod(
            shared.clone(),
            namespace.to_string(),
            name.to_string(),
            stop,
            terminating,
        );
        let task = tokio::spawn(async move {
            run.await;
            let _ = done_tx.send(true);
        });
        shared.runtime.keep(task);
    }

    /// Whether the demo runs this pod's containers (synthetic pods are only records).
    pub fn runs(&self, namespace: &str, name: &str) -> bool {
        self.controls
            .lock()
            .is_ok_and(|c| c.contains_key(&(namespace.to_string(), name.to_string())))
    }

    /// The deletion switch of a pod's run, for an ephemeral container joining it.
    pub fn terminating(&self, namespace: &str, name: &str) -> watch::Receiver<Option<Duration>> {
        self.controls
            .lock()
            .ok()
            .and_then(|c| {
                c.get(&(namespace.to_string(), name.to_string()))
                    .map(|c| c.terminate.subscribe())
            })
            .unwrap_or_else(|| watch::channel(None).1)
    }

    /// End a pod's run as the kubelet does on deletion: SIGTERM to every container, SIGKILL
    /// to what is left after `grace`; returns once every container has stopped, then removes
    /// the pod's files.
    pub async fn terminate(&self, namespace: &str, name: &str, grace: Duration) {
        let key = (namespace.to_string(), name.to_string());
        let control = self.controls.lock().ok().and_then(|mut c| c.remove(&key));
        if let Some(control) = control {
            let _ = control.terminate.send(Some(grace));
            let mut done = control.done;
            let _ =
                tokio::time::timeout(grace + Duration::from_secs(10), done.wait_for(|d| *d)).await;
        }
        let _ = std::fs::remove_dir_all(self.pod_dir(namespace, name));
        if let Ok(mut networks) = self.networks.lock() {
            networks.remove(&key);
        }
    }

    /// Start an ephemeral container just added to a running pod.
    pub fn run_ephemeral(
        shared: &Arc<Shared>,
        namespace: &str,
        name: &str,
        container: &str,
        stop: watch::Receiver<bool>,
    ) {
        let task = tokio::spawn(supervisor::run_ephemeral(
            shared.clone(),
            namespace.to_string(),
            name.to_string(),
            container.to_string(),
            stop,
        ));
        shared.runtime.keep(task);
    }

    fn keep(&self, task: JoinHandle<()>) {
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.retain(|t| !t.is_finished());
            tasks.push(task);
        }
    }

    /// Wait (briefly) for every pod task to kill its processes after a stop.
    pub async fn wait_stopped(&self) {
        let tasks: Vec<JoinHandle<()>> = self
            .tasks
            .lock()
            .map(|mut t| t.drain(..).collect())
            .unwrap_or_default();
        for task in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    /// Track a process group while it lives (`alive` false when it has been reaped).
    pub fn track_group(&self, pid: u32, alive: bool) {
        if let Ok(mut groups) = self.groups.lock() {
            if alive {
                groups.insert(pid);
            } else {
                groups.remove(&pid);
            }
        }
    }

    /// Kill every process group still alive: the last resort when the demo is dropped
    /// without a stop (a panic, say).
    pub fn kill_all(&self) {
        let groups: Vec<u32> = self
            .groups
            .lock()
            .map(|mut g| g.drain().collect())
            .unwrap_or_default();
        for pid in groups {
            process::kill_pid_group(pid);
        }
    }

    pub fn logbook(&self, container_id: &str) -> Option<Arc<Logbook>> {
        self.books.lock().ok()?.logs.get(container_id).cloned()
    }

    /// Every running container with its process group, for the metrics sampler.
    pub fn running(&self) -> Vec<(ContainerKey, u32)> {
        self.books
            .lock()
            .map(|b| b.running.iter().map(|(k, i)| (k.clone(), i.pid)).collect())
            .unwrap_or_default()
    }

    /// The running instance of a container, for exec.
    pub fn instance(&self, namespace: &str, pod: &str, container: &str) -> Option<Arc<Instance>> {
        let key = (
            namespace.to_string(),
            pod.to_string(),
            container.to_string(),
        );
        self.books.lock().ok()?.running.get(&key).cloned()
    }

    fn new_log(&self, key: &ContainerKey, container_id: &str) -> Arc<Logbook> {
        let book = Arc::new(Logbook::default());
        if let Ok(mut guard) = self.books.lock() {
            let books = &mut *guard;
            books.logs.insert(container_id.to_string(), book.clone());
            let history = books.history.entry(key.clone()).or_default();
            history.push(container_id.to_string());
            // The kubelet keeps the current and the previous instance's logs.
            while history.len() > 2 {
                let old = history.remove(0);
                books.logs.remove(&old);
            }
        }
        book
    }

    fn set_running(&self, key: ContainerKey, instance: Option<Arc<Instance>>) {
        if let Ok(mut books) = self.books.lock() {
            match instance {
                Some(i) => books.running.insert(key, i),
                None => books.running.remove(&key),
            };
        }
    }

    fn root_dirs(&self, namespace: &str, pod: &str, container: &str) -> RootDirs {
        let container = volumes::sanitize(container);
        RootDirs::under(
            &self
                .pod_dir(namespace, pod)
                .join("containers")
                .join(container),
        )
    }

    /// The cluster DNS's zone file ([`crate::demo::dns`]).
    pub fn dns_zone(&self) -> PathBuf {
        self.dir.join("tools").join("cluster-dns")
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A process's exit code as a container runtime reports it: 128 + N when killed by signal N.
pub fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(255)
}
