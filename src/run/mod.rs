//! The commands that talk to a cluster without the TUI: `podscope exec` and `podscope logs`,
//! which behave like their kubectl namesakes (flags, default container and its notice,
//! messages, exit codes), and `podscope describe` without `-f`.

pub mod describe;
pub mod exec;
pub mod logs;

use k8s_openapi::api::core::v1::Pod as ApiPod;
use kube::{Api, Client};

use crate::cli::ClusterArgs;
use crate::cluster::{self, ApiFailure, Target};
use crate::launch::Failure;
use crate::model::Pod;
use crate::model::convert::pod_from_api;

/// The pod a command works on, fetched once.
pub struct Found {
    pub client: Client,
    pub namespace: String,
    pub pod: Pod,
}

/// `NAME` or kubectl's `pod/NAME` (also `pods/NAME`, `po/NAME`).
pub fn pod_name(arg: &str) -> Result<&str, Failure> {
    let name = match arg.split_once('/') {
        Some(("pod" | "pods" | "po", name)) => name,
        Some((kind, _)) => {
            return Err(Failure::usage(format!(
                "{arg}: only pods have containers to use here, not {kind}"
            )));
        }
        None => arg,
    };
    if name.is_empty() {
        return Err(Failure::usage("a pod name is required"));
    }
    Ok(name)
}

/// How a command words the API's answer when fetching the pod fails (kubectl's exec and
/// logs word "not found" differently).
pub type Wording = fn(&ApiFailure, &str) -> Failure;

/// `kubectl exec`'s words: the server's.
pub fn exec_wording(f: &ApiFailure, _namespace: &str) -> Failure {
    kubectl_failure(f)
}

/// `kubectl logs`' words for a missing pod.
pub fn logs_wording(f: &ApiFailure, namespace: &str) -> Failure {
    if f.not_found() {
        return Failure::kubectl(format!(
            "error: error from server (NotFound): {} in namespace \"{namespace}\"",
            f.message
        ));
    }
    kubectl_failure(f)
}

/// Connect as the kubeconfig (and the context asked for) says.
pub async fn connect(
    kubeconfig: Option<std::path::PathBuf>,
    context: Option<String>,
) -> Result<cluster::Connection, Failure> {
    cluster::connect(&Target {
        kubeconfig,
        context,
    })
    .await
    .map_err(crate::launch::connect_failure)
}

/// Connect as the kubeconfig says and fetch the pod.
pub async fn find_pod(args: &ClusterArgs, name: &str, wording: Wording) -> Result<Found, Failure> {
    let connection = connect(args.kubeconfig.clone(), args.context.clone()).await?;
    let namespace = args
        .namespace
        .clone()
        .unwrap_or_else(|| connection.namespace.clone());
    let api: Api<ApiPod> = Api::namespaced(connection.client.clone(), &namespace);
    let pod = api
        .get(name)
        .await
        .map_err(|e| wording(&ApiFailure::from_kube(&e), &namespace))?;
    Ok(Found {
        client: connection.client,
        namespace,
        pod: pod_from_api(&pod, None),
    })
}

/// An API error as kubectl prints it, exit 1.
pub fn kubectl_failure(f: &ApiFailure) -> Failure {
    Failure::kubectl(f.kubectl_text())
}
