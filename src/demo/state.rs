//! `--state-dir`: what the demo cluster keeps across restarts, so that stopping it and
//! starting it again on the same port is what an API server restart is on a real cluster:
//! the same CA and tokens (clients reconnect with the kubeconfig they have), the same
//! objects with the same UIDs. No history of changes is kept, so a watch from before the
//! restart is told 410 Expired and lists again, as against an apiserver whose watch cache
//! was lost. The pods' processes do not survive (the demo is their kubelet too): they start
//! again, as after a node reboot.
//!
//! `DIR/state.json` (mode 0600, in a 0700 directory) is written every few seconds while
//! something changed, and when the cluster stops.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Secret, Service};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::Shared;
use super::tls::TlsParts;

const FILE: &str = "state.json";
/// Bumped when the layout changes; an older file is refused with a message.
const LAYOUT: u32 = 1;

#[derive(Serialize, Deserialize)]
pub struct Saved {
    pub layout: u32,
    pub port: u16,
    pub tls: TlsParts,
    pub admin_token: String,
    pub viewer_token: String,
    pub resource_version: u64,
    pub pods: Vec<Pod>,
    pub config_maps: Vec<ConfigMap>,
    pub secrets: Vec<Secret>,
    pub services: Vec<Service>,
    pub namespaces: Vec<Namespace>,
}

/// Make `dir` (0700) if it is not there; refuse one others may read.
pub fn prepare(dir: &Path) -> std::io::Result<()> {
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    let mode = std::fs::metadata(dir)?.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(std::io::Error::other(format!(
            "the state directory {} can be read by others (mode {:o}); it will hold the cluster's tokens and keys: chmod 700 it or choose another",
            dir.display(),
            mode & 0o777
        )));
    }
    Ok(())
}

/// What a previous run left in `dir`, if anything.
pub fn load(dir: &Path) -> std::io::Result<Option<Saved>> {
    let path = dir.join(FILE);
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let saved: Saved = serde_json::from_slice(&text).map_err(|e| {
        std::io::Error::other(format!(
            "cannot read {} ({e}); move it away to start afresh",
            path.display()
        ))
    })?;
    if saved.layout != LAYOUT {
        return Err(std::io::Error::other(format!(
            "{} was written by another podscope version (layout {}); move it away to start afresh",
            path.display(),
            saved.layout
        )));
    }
    Ok(Some(saved))
}

/// What is kept of the cluster, taken now.
fn snapshot(shared: &Shared, keep: &Keep) -> Saved {
    fn all<T>(store: &std::sync::Mutex<super::store::Store<T>>) -> Vec<T>
    where
        T: Clone
            + k8s_openapi::Metadata<Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>,
    {
        store
            .lock()
            .map(|s| s.list(None).iter().map(|o| (**o).clone()).collect())
            .unwrap_or_default()
    }
    let resource_version = shared
        .store
        .lock()
        .map(|s| s.resource_version())
        .unwrap_or(0);
    Saved {
        layout: LAYOUT,
        port: keep.port,
        tls: keep.tls.clone(),
        admin_token: shared.token.clone(),
        viewer_token: shared.viewer_token.clone(),
        resource_version,
        pods: all(&shared.store),
        config_maps: all(&shared.config_maps),
        secrets: all(&shared.secrets),
        services: all(&shared.services),
        namespaces: all(&shared.namespaces),
    }
}

/// What is written beside the objects.
pub struct Keep {
    pub dir: PathBuf,
    pub port: u16,
    pub tls: TlsParts,
}

/// Write the state now: a new file (0600) renamed over the old, so a crash mid-way leaves
/// the old one whole.
pub fn save(shared: &Shared, keep: &Keep) -> std::io::Result<()> {
    let saved = snapshot(shared, keep);
    let bytes = serde_json::to_vec(&saved).map_err(std::io::Error::other)?;
    let fresh = keep.dir.join(format!("{FILE}.new"));
    let _ = std::fs::remove_file(&fresh);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&fresh)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    std::fs::rename(&fresh, keep.dir.join(FILE))
}

/// Save every few seconds while the cluster changes, and once more when it stops.
pub async fn keep_saving(shared: Arc<Shared>, keep: Keep, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    let mut saved_at = None;
    loop {
        let stopping = tokio::select! {
            _ = stop.wait_for(|s| *s) => true,
            _ = tick.tick() => false,
        };
        let now = shared.store.lock().map(|s| s.resource_version()).ok();
        if stopping || now != saved_at {
            if let Err(e) = save(&shared, &keep) {
                eprintln!(
                    "warning: cannot save the demo's state in {}: {e}",
                    keep.dir.display()
                );
            }
            saved_at = now;
        }
        if stopping {
            return;
        }
    }
}
