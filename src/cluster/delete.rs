//! `kubectl delete pod NAME`: a DELETE with the pod's own grace period; the watch shows it
//! Terminating, then gone.

use k8s_openapi::api::core::v1::Pod as ApiPod;
use kube::api::DeleteParams;
use kube::{Api, Client};

use super::errors::ApiFailure;

/// Ask the server to delete the pod; its refusal in the server's words.
pub async fn delete_pod(client: Client, namespace: &str, name: &str) -> Result<(), String> {
    let api: Api<ApiPod> = Api::namespaced(client, namespace);
    api.delete(name, &DeleteParams::default())
        .await
        .map(|_| ())
        .map_err(|e| ApiFailure::from_kube(&e).to_string())
}
