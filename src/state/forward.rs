//! Port-forwards started from the TUI (k9s's Shift-F): `F` on a container forwards its first
//! declared port not yet forwarded to 127.0.0.1 (the same number from 1024 up, else 8000
//! more: 80 → 8080), shows it in the header and the kubectl command that does the same; on a
//! container whose ports are all forwarded, `F` stops them. Quitting stops every forward.

use super::{App, Effect, Flash, Level, Outcome, Source};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardRequest {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub remote: u16,
    /// The local port asked for; the one listened on is in [`ForwardState::Listening`].
    pub local: u16,
}

impl ForwardRequest {
    pub fn kubectl(&self, context: Option<&str>, local: u16) -> String {
        let context = context
            .map(|c| format!(" --context {c}"))
            .unwrap_or_default();
        format!(
            "kubectl port-forward pod/{} {local}:{} -n {}{context}",
            self.pod, self.remote, self.namespace
        )
    }

    fn same_target(&self, other: &ForwardRequest) -> bool {
        (&self.namespace, &self.pod, self.remote) == (&other.namespace, &other.pod, other.remote)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardState {
    Starting,
    Listening(u16),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward {
    pub request: ForwardRequest,
    pub state: ForwardState,
}

/// The local port for `remote`: itself when unprivileged, else 8000 more.
pub fn local_port(remote: u16) -> u16 {
    if remote >= 1024 {
        remote
    } else {
        remote + 8000
    }
}

fn flash(app: &mut App, level: Level, text: String) {
    app.flash = Some(Flash { level, text });
}

/// `F`: forward the chosen container's next port, or stop its forwards.
pub fn toggle(app: &mut App, out: &mut Outcome) {
    if matches!(app.source, Source::Files { .. }) {
        return flash(app, Level::Error, "no cluster here: podscope is showing manifest files (-f); port-forward needs a cluster".into());
    }
    if app.readonly {
        return flash(
            app,
            Level::Warning,
            "read-only (--readonly): port-forward is turned off".into(),
        );
    }
    let (insight, container, _) = match super::actions::chosen(app) {
        Ok(c) => c,
        Err(e) => return flash(app, Level::Error, e),
    };
    let ports: Vec<u16> = insight
        .pod
        .containers
        .iter()
        .find(|c| c.name == container)
        .map(|c| {
            c.ports
                .iter()
                .filter_map(|p| u16::try_from(p.container_port).ok())
                .collect()
        })
        .unwrap_or_default();
    let pod = &insight.pod;
    let request = |remote: u16| ForwardRequest {
        namespace: pod.namespace.clone(),
        pod: pod.name.clone(),
        container: container.clone(),
        remote,
        local: local_port(remote),
    };
    if ports.is_empty() {
        return flash(
            app,
            Level::Warning,
            format!(
                "{container} declares no ports: nothing to forward (kubectl port-forward pod/{} LOCAL:PORT names one)",
                pod.name
            ),
        );
    }
    let next = ports
        .iter()
        .map(|&p| request(p))
        .find(|r| !app.forwards.iter().any(|f| f.request.same_target(r)));
    match next {
        Some(r) => {
            flash(
                app,
                Level::Info,
                format!("forwarding 127.0.0.1:{} → {}:{}…", r.local, r.pod, r.remote),
            );
            app.forwards.push(Forward {
                request: r.clone(),
                state: ForwardState::Starting,
            });
            out.effects.push(Effect::PortForward(r));
        }
        None => {
            let (stopped, kept): (Vec<Forward>, Vec<Forward>) = std::mem::take(&mut app.forwards)
                .into_iter()
                .partition(|f| ports.iter().any(|&p| f.request.same_target(&request(p))));
            app.forwards = kept;
            for f in &stopped {
                out.effects.push(Effect::StopForward(f.request.clone()));
            }
            flash(
                app,
                Level::Info,
                format!("stopped forwarding {container}'s ports"),
            );
        }
    }
}

/// What the forward reported: listening on a port, or why it could not start.
pub fn reported(app: &mut App, request: &ForwardRequest, result: Result<u16, String>) {
    let context = app.kubectl.context.clone();
    let Some(forward) = app.forwards.iter_mut().find(|f| f.request == *request) else {
        return;
    };
    let text = match &result {
        Ok(local) => format!(
            "forwarding 127.0.0.1:{local} → {}:{} (same as: {})",
            request.pod,
            request.remote,
            request.kubectl(context.as_deref(), *local)
        ),
        Err(e) => format!("cannot forward to {}:{}: {e}", request.pod, request.remote),
    };
    let level = if result.is_ok() {
        Level::Info
    } else {
        Level::Error
    };
    forward.state = match result {
        Ok(local) => ForwardState::Listening(local),
        Err(e) => ForwardState::Failed(e),
    };
    flash(app, level, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_ports_and_the_kubectl_command() {
        assert_eq!(local_port(80), 8080);
        assert_eq!(local_port(9113), 9113);
        let r = ForwardRequest {
            namespace: "default".into(),
            pod: "web".into(),
            container: "nginx".into(),
            remote: 80,
            local: 8080,
        };
        assert_eq!(
            r.kubectl(Some("kind"), 8081),
            "kubectl port-forward pod/web 8081:80 -n default --context kind"
        );
    }
}
