//! The demo cluster: a Kubernetes API server on 127.0.0.1 serving the study-note pods, so
//! that podscope, kube-rs and the real `kubectl` can be pointed at something on a machine
//! with no cluster. It speaks HTTPS with a per-run CA, and requests need the run's random
//! bearer token; both are written only into a kubeconfig readable by its owner (mode 0600).
//!
//! Its pods run for real in [`runtime`]: shell commands in their own roots with the pod's
//! volumes mounted, simulated stand-ins for images that cannot run here.

mod accounting;
mod control;
mod discovery;
mod dns;
mod endpoints;
mod ephemeral;
mod events;
mod exec;
mod exec_io;
pub mod faults;
mod http;
mod kinds;
mod kubeconfig;
mod logs;
mod metrics;
mod namespaces;
mod openapi;
mod ownership;
mod paging;
mod patch;
mod pods;
mod portforward;
mod protobuf;
mod proxy;
mod rest;
mod routes;
pub mod runtime;
mod seed;
mod selectors;
mod server;
mod services;
mod slices;
mod state;
mod store;
pub mod synthetic;
mod table;
mod tls;
mod validate;
mod watches;
mod writes;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, Pod, Secret, Service};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::model::manifest::ManifestSet;
use store::{Clock, Store};

/// State shared by every connection.
pub struct Shared {
    /// The pods.
    pub store: Mutex<Store<Pod>>,
    pub namespaces: Mutex<Store<k8s_openapi::api::core::v1::Namespace>>,
    pub config_maps: Mutex<Store<ConfigMap>>,
    pub secrets: Mutex<Store<Secret>>,
    pub services: Mutex<Store<Service>>,
    /// Kept by the endpoints controller from the Services and the pods they select.
    pub endpoints: Mutex<Store<Endpoints>>,
    pub token: String,
    /// The read-only user's token (context `podscope-demo-viewer`).
    pub viewer_token: String,
    /// `127.0.0.1:PORT`, for discovery's `serverAddressByClientCIDRs`.
    pub address: String,
    /// When the cluster started: the creation time of its namespaces.
    pub started: k8s_openapi::jiff::Timestamp,
    pub runtime: runtime::Runtime,
    pub events: Mutex<Store<k8s_openapi::api::core::v1::Event>>,
    pub event_order: Mutex<events::EventOrder>,
    /// Becomes true when the cluster stops: long-running tasks end.
    pub stop: watch::Receiver<bool>,
    /// Who owns which fields of which object (server-side apply).
    pub owners: ownership::Owners,
    /// Service traffic inside the pod networks (the userspace kube-proxy).
    pub proxy: proxy::Proxy,
    /// Containers' CPU and memory, read from their processes (`metrics.k8s.io`).
    pub metrics: metrics::MetricsState,
    /// Requests and bytes per client, for `/metrics`.
    pub accounting: accounting::Accounting,
    /// Status changes per second across the synthetic pods (`--churn`), changeable while
    /// the cluster runs.
    pub churn_rate: std::sync::atomic::AtomicU32,
    /// Simulated restarts applied so far by the churn: what a watcher must have seen.
    pub churned: std::sync::atomic::AtomicU64,
    /// The faults in force (`--fault`, `/podscope/faults`).
    pub faults: faults::Faults,
}

impl Shared {
    /// The pod as stored now.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<Arc<Pod>> {
        self.store.lock().ok()?.get(namespace, name)
    }

    /// Every ConfigMap as stored now (for volumes and environment variables).
    /// The ConfigMaps and Secrets a container starting now is configured from.
    pub fn pod_config_now(&self) -> runtime::config::PodConfig {
        runtime::config::PodConfig {
            config_maps: self
                .config_maps
                .lock()
                .map(|s| s.list(None).iter().map(|m| (**m).clone()).collect())
                .unwrap_or_default(),
            secrets: self
                .secrets
                .lock()
                .map(|s| s.list(None).iter().map(|m| (**m).clone()).collect())
                .unwrap_or_default(),
        }
    }
}

/// The wall clock as a Kubernetes timestamp (k8s-openapi's jiff is built without `std`).
pub fn now() -> k8s_openapi::jiff::Timestamp {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    k8s_openapi::jiff::Timestamp::new(since.as_secs() as i64, since.subsec_nanos() as i32)
        .unwrap_or_default()
}

/// A pod as the API serves it: with `kind` and `apiVersion`.
pub fn pod_json(pod: &Pod) -> Value {
    serde_json::to_value(pod).unwrap_or_default()
}

#[derive(Debug, Default)]
pub struct DemoOptions {
    /// 0 picks a free port.
    pub port: u16,
    /// Where to write the kubeconfig; a private temporary directory when `None`.
    pub kubeconfig_out: Option<PathBuf>,
    /// The user's own manifests (`-f`), served beside the demo pods.
    pub extra: ManifestSet,
    /// How many simulated pods to add (`--synthetic N`).
    pub synthetic: usize,
    /// Simulated status changes per second across the synthetic pods (`--churn R`).
    pub churn: u32,
    /// The restart back-off (the kubelet's by default).
    pub timing: runtime::Timing,
    /// Run containers without mount namespaces even where they work (the degraded mode).
    pub no_namespaces: bool,
    /// Faults in force from the start (`--fault`).
    pub faults: faults::FaultSet,
    /// Where the CA, the tokens and the objects are kept across restarts (`--state-dir`).
    pub state_dir: Option<PathBuf>,
}

/// A running demo cluster. Call [`DemoCluster::stop`] to shut it down and remove its
/// temporary directory.
pub struct DemoCluster {
    pub url: String,
    /// The run's CA certificate (DER), for in-process clients to trust.
    pub ca_der: Vec<u8>,
    pub kubeconfig: PathBuf,
    pub token: String,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    /// Keeps the state in `--state-dir`; its last save is when the cluster stops.
    saver: Option<JoinHandle<()>>,
    temp_dir: PathBuf,
}

impl DemoCluster {
    /// Change the churn rate of a cluster started with `--churn` (0 pauses it).
    pub fn set_churn(&self, per_second: u32) {
        self.shared
            .churn_rate
            .store(per_second, std::sync::atomic::Ordering::Relaxed);
    }

    /// How many simulated restarts the churn has made so far.
    pub fn churned(&self) -> u64 {
        self.shared
            .churned
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Put these faults in force (replacing those before; the default set clears them).
    pub fn set_faults(&self, set: faults::FaultSet) {
        self.shared.faults.set(set);
    }

    /// End every open watch connection.
    pub fn drop_watches(&self) {
        self.shared.faults.drop_watches();
    }

    pub async fn start(options: DemoOptions) -> std::io::Result<DemoCluster> {
        if let Some(dir) = &options.state_dir {
            state::prepare(dir)?;
        }
        let saved = match &options.state_dir {
            Some(dir) => state::load(dir)?,
            None => None,
        };
        // A restart listens where it did, unless told otherwise.
        let port = match (&saved, options.port) {
            (Some(saved), 0) => saved.port,
            _ => options.port,
        };
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
        let address = listener.local_addr()?.to_string();
        let url = format!("https://{address}");
        let (tokens, tls) = match &saved {
            Some(saved) => (
                kubeconfig::Tokens {
                    admin: saved.admin_token.clone(),
                    viewer: saved.viewer_token.clone(),
                },
                tls::from_parts(saved.tls.clone())?,
            ),
            None => (
                kubeconfig::Tokens {
                    admin: kubeconfig::random_hex(32)?,
                    viewer: kubeconfig::random_hex(32)?,
                },
                tls::generate()?,
            ),
        };
        let token = tokens.admin.clone();
        let temp_dir = kubeconfig::private_temp_dir()?;
        let kubeconfig = options.kubeconfig_out.clone().unwrap_or_else(|| {
            options
                .state_dir
                .as_ref()
                .unwrap_or(&temp_dir)
                .join("kubeconfig")
        });
        kubeconfig::write(&kubeconfig, &url, &tokens, &tls.ca_pem)?;

        // After a restart no change from before can be replayed: watches from then get 410.
        let clock = saved.as_ref().map_or_else(Clock::default, |s| {
            Clock::starting_at(s.resource_version + 1)
        });
        let mut store = Store::new(clock.clone());
        let (run, synthetic) = match &saved {
            Some(saved) => seed::restore_pods(&mut store, saved),
            None => seed::fresh_pods(&mut store, &options),
        };
        let (stop, stop_rx) = watch::channel(false);
        let runtime = runtime::Runtime::new(
            temp_dir.join("runtime"),
            options.timing,
            !options.no_namespaces,
        );
        let started = now();
        let mut config_maps = Store::new(clock.clone());
        let fresh_maps = match &saved {
            Some(saved) => saved.config_maps.clone(),
            None => pods::demo_config_maps(&options.extra),
        };
        for mut map in fresh_maps {
            let meta = &mut map.metadata;
            meta.namespace.get_or_insert_with(|| "default".to_string());
            meta.uid.get_or_insert_with(pods::new_uid);
            meta.creation_timestamp.get_or_insert(
                k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(started),
            );
            config_maps.put(map);
        }
        let mut namespaces = Store::new(clock.clone());
        let used: Vec<String> = store
            .list(None)
            .iter()
            .filter_map(|p| p.metadata.namespace.clone())
            .collect();
        let (kept_namespaces, kept_services, kept_secrets) = match &saved {
            Some(saved) => (
                saved.namespaces.clone(),
                saved.services.clone(),
                saved.secrets.clone(),
            ),
            None => (
                namespaces::initial(used, started),
                services::demo_services(&options.extra, started),
                Vec::new(),
            ),
        };
        for ns in kept_namespaces {
            namespaces.put(ns);
        }
        let mut services = Store::new(clock.clone());
        for service in kept_services {
            services.put(service);
        }
        let mut secrets = Store::new(clock.clone());
        for secret in kept_secrets {
            secrets.put(secret);
        }
        let shared = Arc::new(Shared {
            namespaces: Mutex::new(namespaces),
            config_maps: Mutex::new(config_maps),
            secrets: Mutex::new(secrets),
            services: Mutex::new(services),
            endpoints: Mutex::new(Store::new(clock.clone())),
            metrics: Default::default(),
            accounting: Default::default(),
            churn_rate: std::sync::atomic::AtomicU32::new(options.churn),
            churned: Default::default(),
            faults: faults::Faults::with(options.faults.clone()),
            proxy: Default::default(),
            owners: Default::default(),
            store: Mutex::new(store),
            token: token.clone(),
            viewer_token: tokens.viewer,
            address,
            started,
            runtime,
            events: Mutex::new(Store::new(clock.clone())),
            event_order: Mutex::new(events::EventOrder::default()),
            stop: stop_rx.clone(),
        });
        dns::publish(&shared);
        for (namespace, name) in &run {
            runtime::Runtime::run_pod(&shared, namespace, name, stop_rx.clone());
        }
        tokio::spawn(endpoints::run(shared.clone(), stop_rx.clone()));
        tokio::spawn(metrics::sample(shared.clone(), stop_rx.clone()));
        if options.churn > 0 && !synthetic.is_empty() {
            tokio::spawn(churn(shared.clone(), synthetic, stop_rx.clone()));
        }
        let saver = options.state_dir.clone().map(|dir| {
            let keep = state::Keep {
                dir,
                port: seed::listener_port(&shared.address),
                tls: tls.parts.clone(),
            };
            tokio::spawn(state::keep_saving(shared.clone(), keep, stop_rx.clone()))
        });
        let task = tokio::spawn(server::serve(
            listener,
            tls.acceptor,
            shared.clone(),
            stop_rx,
        ));
        Ok(DemoCluster {
            url,
            ca_der: tls.ca_der,
            kubeconfig,
            token,
            shared,
            stop,
            task,
            saver,
            temp_dir,
        })
    }

    /// How many pods the cluster serves now.
    pub fn pod_count(&self) -> usize {
        self.shared
            .store
            .lock()
            .map(|s| s.list(None).len())
            .unwrap_or(0)
    }

    /// A pod as the API serves it now.
    pub fn pod_json(&self, namespace: &str, name: &str) -> Option<Value> {
        let pod = self.shared.pod(namespace, name)?;
        Some(pod_json(&pod))
    }

    /// Why the containers run without their own root and volumes, when they do.
    pub fn isolation_notice(&self) -> Option<String> {
        self.shared.runtime.isolation_notice()
    }

    /// Stop serving, kill every process the demo started, and remove its temporary files.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        let _ = (&mut self.task).await;
        if let Some(saver) = self.saver.as_mut() {
            let _ = saver.await;
        }
        self.shared.runtime.wait_stopped().await;
        // Drop kills whatever is left and removes the temporary directory.
    }
}

impl Drop for DemoCluster {
    /// Stopped or not (a panic, say), no process and no temporary file outlives the cluster.
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.shared.runtime.kill_all();
        // A killed container may still write a line or two into its volume while it dies
        // (the directory is then not empty when removed): try again for up to a second.
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.temp_dir).is_ok() || !self.temp_dir.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// Apply the churn rate's simulated restarts a second, spread over ten ticks, until stopped.
async fn churn(shared: Arc<Shared>, pods: Vec<(String, String)>, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(100));
    let (mut owed, mut seed) = (0u64, 0x9E37_79B9_7F4A_7C15u64);
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = tick.tick() => {}
        }
        owed += u64::from(shared.churn_rate.load(std::sync::atomic::Ordering::Relaxed));
        let Ok(mut store) = shared.store.lock() else {
            return;
        };
        while owed >= 10 {
            owed -= 10;
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let (ns, name) = &pods[(seed >> 33) as usize % pods.len()];
            let now = now();
            store.update(ns, name, |pod| synthetic::churn(pod, now));
            shared
                .churned
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}
