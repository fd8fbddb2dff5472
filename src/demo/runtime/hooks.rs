//! A container's `preStop` hook, run as the kubelet runs it when the pod is deleted: after
//! the `Killing` event and before SIGTERM, inside the container (an `exec` command in its
//! namespaces and root, or an `httpGet` on the pod's network), its time counted against the
//! grace period. A hook that fails gets the kubelet's `FailedPreStopHook` event; the
//! container is stopped either way.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::LifecycleHandler;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::plan::ContainerPlan;
use super::sandbox::{self, ExecTarget};
use super::supervisor::PodRun;
use super::{Instance, exit_code};

/// The container's preStop handler, from the pod as stored now.
fn pre_stop(run: &PodRun, container: &str) -> Option<LifecycleHandler> {
    let pod = run.pod()?;
    let spec = pod.spec.as_ref()?;
    let all = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten());
    all.into_iter()
        .find(|c| c.name == container)?
        .lifecycle
        .as_ref()?
        .pre_stop
        .clone()
}

/// Run the hook within `grace`; the time left afterwards, and the kubelet's failure text.
pub async fn run_pre_stop(
    run: &PodRun,
    plan: &ContainerPlan,
    instance: Option<&Instance>,
    grace: Duration,
) -> (Duration, Option<String>) {
    let Some(handler) = pre_stop(run, &plan.name) else {
        return (grace, None);
    };
    let started = Instant::now();
    let outcome = tokio::time::timeout(grace, handle(run, plan, instance, &handler)).await;
    let left = grace.saturating_sub(started.elapsed());
    let failure = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(why)) => Some(why),
        Err(_) => Some(format!(
            "PreStopHook for Container {:?} did not complete within the grace period ({}s)",
            plan.name,
            grace.as_secs()
        )),
    };
    (left, failure)
}

async fn handle(
    run: &PodRun,
    plan: &ContainerPlan,
    instance: Option<&Instance>,
    handler: &LifecycleHandler,
) -> Result<(), String> {
    let pod = format!("{}_{}", run.name, run.namespace);
    if let Some(exec) = &handler.exec {
        let command = exec.command.clone().unwrap_or_default();
        let instance = instance.ok_or("the container is not running")?;
        let target = ExecTarget {
            pid: instance.pid,
            dirs: &instance.dirs,
            working_dir: &plan.working_dir,
        };
        let runtime = &run.shared.runtime;
        let spawned =
            sandbox::exec_command(&command, &plan.env, &target, &runtime.isolation, false)
                .and_then(|mut c| {
                    c.stdin(std::process::Stdio::null())
                        .stdout(std::process::Stdio::piped())
                        .stderr(std::process::Stdio::piped());
                    c.spawn()
                });
        let failed = |detail: String| {
            format!(
                "Exec lifecycle hook ({command:?}) for Container {:?} in Pod {pod:?} failed - error: {detail}, message: \"\"",
                plan.name
            )
        };
        let child = spawned.map_err(|e| failed(e.to_string()))?;
        let output = child
            .wait_with_output()
            .await
            .map_err(|e| failed(e.to_string()))?;
        let code = exit_code(output.status);
        if code != 0 {
            return Err(failed(format!(
                "command '{}' exited with {code}: {}",
                command.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        return Ok(());
    }
    if let Some(get) = &handler.http_get {
        let port = match &get.port {
            IntOrString::Int(p) => u16::try_from(*p).ok(),
            IntOrString::String(_) => None,
        }
        .ok_or("a named httpGet port is not resolved by the demo")?;
        let path = get.path.clone().unwrap_or_else(|| "/".to_string());
        let network = run
            .shared
            .runtime
            .existing_network(&run.namespace, &run.name);
        let stream = tokio::task::spawn_blocking(move || match network {
            Some(net) => net.connect(port),
            None => std::net::TcpStream::connect(("127.0.0.1", port)),
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("Http lifecycle hook ({path}) for Container {:?} in Pod {pod:?} failed - error: {e}", plan.name))?;
        stream.set_nonblocking(true).map_err(|e| e.to_string())?;
        let mut stream = tokio::net::TcpStream::from_std(stream).map_err(|e| e.to_string())?;
        let request = format!(
            "GET {path} HTTP/1.0\r\nHost: localhost\r\nUser-Agent: kube-lifecycle/1.32\r\n\r\n"
        );
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply).await;
        return Ok(());
    }
    Ok(())
}
