//! What a pod's containers are configured from besides their spec: the ConfigMaps and Secrets
//! of the cluster as they are when a container starts. The kubelet resolves `configMapKeyRef`,
//! `secretKeyRef`, `envFrom` and configMap and secret volumes from these; so does the demo.

use k8s_openapi::api::core::v1::{ConfigMap, Secret};

#[derive(Debug, Default, Clone)]
pub struct PodConfig {
    pub config_maps: Vec<ConfigMap>,
    pub secrets: Vec<Secret>,
}

impl PodConfig {
    pub fn config_map(&self, namespace: &str, name: &str) -> Option<&ConfigMap> {
        self.config_maps
            .iter()
            .find(|m| in_place(&m.metadata, namespace, name))
    }

    pub fn secret(&self, namespace: &str, name: &str) -> Option<&Secret> {
        self.secrets
            .iter()
            .find(|s| in_place(&s.metadata, namespace, name))
    }

    /// A Secret's keys with their values (`data`, and `stringData` as the API server folds
    /// it in on create).
    pub fn secret_values(secret: &Secret) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = secret
            .data
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect();
        for (k, v) in secret.string_data.iter().flatten() {
            out.retain(|(key, _)| key != k);
            out.push((k.clone(), v.as_bytes().to_vec()));
        }
        out
    }
}

fn in_place(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    namespace: &str,
    name: &str,
) -> bool {
    meta.name.as_deref() == Some(name)
        && meta.namespace.as_deref().unwrap_or("default") == namespace
}
