//! Debug containers: add an ephemeral container that targets a container (joins its process
//! namespace), optionally with the target's volume mounts, and wait until it runs. What
//! `kubectl debug -it POD --target=C --image=busybox` does before it attaches.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod as ApiPod;
use kube::api::{Patch, PatchParams};
use kube::{Api, Client};
use serde_json::json;

use super::errors::ApiFailure;
use crate::model::convert::pod_from_api;
use crate::model::pod::ContainerState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugSpec {
    pub namespace: String,
    pub pod: String,
    pub target: String,
    pub image: String,
    /// (volume, mountPath, readOnly) to mount in the debug container.
    pub mounts: Vec<(String, String, bool)>,
}

/// How long to wait for the image to be pulled and the container to start.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// Add the debug container and wait for it to run; its name, or why not.
pub async fn start(client: &Client, spec: &DebugSpec) -> Result<String, String> {
    let api: Api<ApiPod> = Api::namespaced(client.clone(), &spec.namespace);
    let name = format!("debugger-{}", suffix());
    let mounts: Vec<_> = spec
        .mounts
        .iter()
        .map(|(volume, path, ro)| json!({"name": volume, "mountPath": path, "readOnly": ro}))
        .collect();
    let mut container = json!({
        "name": name,
        "image": spec.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["sh"],
        "stdin": true,
        "tty": true,
        "targetContainerName": spec.target,
        "terminationMessagePolicy": "File",
    });
    if !mounts.is_empty() {
        container["volumeMounts"] = json!(mounts);
    }
    let patch = json!({"spec": {"ephemeralContainers": [container]}});
    api.patch_ephemeral_containers(
        &spec.pod,
        &PatchParams::default(),
        &Patch::Strategic(&patch),
    )
    .await
    .map_err(|e| {
        let f = ApiFailure::from_kube(&e);
        if f.forbidden() {
            format!(
                "not allowed to add a debug container (RBAC: patch pods/ephemeralcontainers): {}",
                f.message
            )
        } else {
            format!("cannot add a debug container to {}: {f}", spec.pod)
        }
    })?;
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let pod = api.get(&spec.pod).await.map_err(|e| {
            format!(
                "cannot read pod {}: {}",
                spec.pod,
                ApiFailure::from_kube(&e)
            )
        })?;
        let pod = pod_from_api(&pod, None);
        let state = pod
            .container(&name)
            .and_then(|c| c.status.as_ref())
            .map(|s| s.state.clone());
        match state {
            Some(ContainerState::Running { .. }) => return Ok(name),
            Some(ContainerState::Terminated { .. }) => {
                return Err(format!(
                    "debug container {name} ended at once ({})",
                    state.map(|s| s.summary()).unwrap_or_default()
                ));
            }
            Some(ContainerState::Waiting {
                reason: Some(reason),
                message,
            }) if reason.contains("Err") || reason.contains("BackOff") => {
                return Err(format!(
                    "debug container {name} cannot start: {reason}{}",
                    message.map(|m| format!(": {m}")).unwrap_or_default()
                ));
            }
            _ => {}
        }
        if Instant::now() > deadline {
            return Err(format!(
                "debug container {name} did not start within {} s",
                START_TIMEOUT.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Five characters from kubectl's alphabet for generated names (no vowels, no look-alikes).
fn suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut x = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x9e37_79b9, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id()).rotate_left(32);
    (0..5)
        .map(|_| {
            // xorshift64: enough to keep two debug containers from colliding.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ALPHABET[(x % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}
