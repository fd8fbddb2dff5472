//! The pod's volumes as directories under the pod's own directory: one per volume, shared by
//! every container that mounts it, as the kubelet shares an emptyDir. A configMap or secret
//! volume holds its object's keys as files (a Secret's values only ever reach the containers'
//! files, in the demo's private directory, as on a node); downward API files hold the pod's
//! fields. A hostPath is a private directory, never the host's path. Service-account tokens
//! are never written: the demo issues none.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::{
    ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, Secret, Volume,
};

use super::config::PodConfig;

pub struct PreparedVolumes {
    pub dirs: BTreeMap<String, PathBuf>,
    /// Volumes the kubelet always mounts read-only (configMap, secret, downward API, projected).
    pub read_only: BTreeSet<String>,
    /// Volumes that cannot be set up, with the kubelet's `FailedMount` message.
    pub failed: BTreeMap<String, String>,
}

pub fn prepare(pod: &Pod, pod_dir: &Path, config: &PodConfig) -> io::Result<PreparedVolumes> {
    let mut prepared = PreparedVolumes {
        dirs: BTreeMap::new(),
        read_only: BTreeSet::new(),
        failed: BTreeMap::new(),
    };
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let find_map = |name: &str| config.config_map(namespace, name);
    let volumes = pod.spec.iter().flat_map(|s| s.volumes.iter().flatten());
    for volume in volumes {
        let dir = pod_dir.join("volumes").join(sanitize(&volume.name));
        std::fs::create_dir_all(&dir)?;
        if let Some(source) = &volume.config_map {
            match find_map(&source.name) {
                Some(map) => write_config_map(&dir, map, source.items.as_deref())?,
                None if source.optional == Some(true) => {}
                None => {
                    prepared.failed.insert(
                        volume.name.clone(),
                        format!(
                            "MountVolume.SetUp failed for volume \"{}\" : configmap \"{}\" not found",
                            volume.name, source.name
                        ),
                    );
                }
            }
        }
        if let Some(source) = &volume.secret {
            let name = source.secret_name.as_deref().unwrap_or_default();
            match config.secret(namespace, name) {
                Some(secret) => write_secret(&dir, secret, source.items.as_deref())?,
                None if source.optional == Some(true) => {}
                None => {
                    prepared.failed.insert(
                        volume.name.clone(),
                        format!(
                            "MountVolume.SetUp failed for volume \"{}\" : secret \"{name}\" not found",
                            volume.name
                        ),
                    );
                }
            }
        }
        write_projected(&dir, pod, volume, &find_map)?;
        if volume.config_map.is_some()
            || volume.secret.is_some()
            || volume.downward_api.is_some()
            || volume.projected.is_some()
        {
            prepared.read_only.insert(volume.name.clone());
        }
        prepared.dirs.insert(volume.name.clone(), dir);
    }
    Ok(prepared)
}

/// Keep a volume name a single path component.
pub(super) fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Write `relative` under `dir`, refusing paths that climb out of it.
fn write_file(dir: &Path, relative: &str, content: &[u8]) -> io::Result<()> {
    let relative = Path::new(relative);
    if relative.is_absolute() || relative.components().any(|c| c.as_os_str() == "..") {
        return Ok(());
    }
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, content)
}

fn write_config_map(dir: &Path, map: &ConfigMap, items: Option<&[KeyToPath]>) -> io::Result<()> {
    let data = map.data.clone().unwrap_or_default();
    match items {
        Some(items) => {
            for item in items {
                if let Some(value) = data.get(&item.key) {
                    write_file(dir, &item.path, value.as_bytes())?;
                }
            }
        }
        None => {
            for (key, value) in &data {
                write_file(dir, key, value.as_bytes())?;
            }
        }
    }
    Ok(())
}

fn write_secret(dir: &Path, secret: &Secret, items: Option<&[KeyToPath]>) -> io::Result<()> {
    let values = PodConfig::secret_values(secret);
    match items {
        Some(items) => {
            for item in items {
                if let Some((_, value)) = values.iter().find(|(k, _)| k == &item.key) {
                    write_file(dir, &item.path, value)?;
                }
            }
        }
        None => {
            for (key, value) in &values {
                write_file(dir, key, value)?;
            }
        }
    }
    Ok(())
}

fn write_projected<'a>(
    dir: &Path,
    pod: &Pod,
    volume: &Volume,
    find_map: &impl Fn(&str) -> Option<&'a ConfigMap>,
) -> io::Result<()> {
    let mut downward: Vec<&DownwardAPIVolumeFile> = Vec::new();
    if let Some(source) = &volume.downward_api {
        downward.extend(source.items.iter().flatten());
    }
    for source in volume
        .projected
        .iter()
        .flat_map(|p| p.sources.iter().flatten())
    {
        if let Some(d) = &source.downward_api {
            downward.extend(d.items.iter().flatten());
        }
        if let Some(cm) = &source.config_map
            && let Some(map) = find_map(&cm.name)
        {
            write_config_map(dir, map, cm.items.as_deref())?;
        }
    }
    for file in downward {
        let Some(field) = &file.field_ref else {
            continue;
        };
        let meta = &pod.metadata;
        let pairs = |m: &Option<BTreeMap<String, String>>| {
            m.iter()
                .flatten()
                .map(|(k, v)| format!("{k}=\"{v}\"\n"))
                .collect::<String>()
        };
        let value = match field.field_path.as_str() {
            "metadata.name" => meta.name.clone().unwrap_or_default(),
            "metadata.namespace" => meta.namespace.clone().unwrap_or_default(),
            "metadata.uid" => meta.uid.clone().unwrap_or_default(),
            "metadata.labels" => pairs(&meta.labels),
            "metadata.annotations" => pairs(&meta.annotations),
            _ => continue,
        };
        write_file(dir, &file.path, value.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::manifest::parse_manifests;

    #[test]
    fn config_maps_become_files_and_missing_ones_fail_to_mount() {
        let yaml = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: fluentd-config}
data: {fluentd.conf: "<source>\n</source>\n"}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec:
  containers: [{name: a, image: busybox}]
  volumes:
  - {name: config, configMap: {name: fluentd-config}}
  - {name: gone, configMap: {name: nope}}
  - {name: host, hostPath: {path: /etc}}
  - name: info
    downwardAPI: {items: [{path: ns, fieldRef: {fieldPath: metadata.namespace}}, {path: ../escape, fieldRef: {fieldPath: metadata.name}}]}
"#;
        let set = parse_manifests(yaml, "t.yaml").unwrap();
        let dir = std::env::temp_dir().join(format!("podscope-volumes-{}", std::process::id()));
        let config = PodConfig {
            config_maps: set.config_maps.clone(),
            secrets: Vec::new(),
        };
        let prepared = prepare(&set.api_pods[0], &dir, &config).unwrap();
        let read = |v: &str, f: &str| std::fs::read_to_string(prepared.dirs[v].join(f)).ok();
        assert_eq!(
            read("config", "fluentd.conf").as_deref(),
            Some("<source>\n</source>\n")
        );
        assert_eq!(read("info", "ns").as_deref(), Some("default"));
        assert!(!dir.join("volumes/escape").exists());
        assert_eq!(
            std::fs::read_dir(&prepared.dirs["host"]).unwrap().count(),
            0
        );
        assert!(prepared.failed["gone"].contains("configmap \"nope\" not found"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
