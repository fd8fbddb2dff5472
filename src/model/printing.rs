//! kubectl's pod columns: READY, STATUS, RESTARTS and AGE, ported from `printPod` in
//! kubernetes `pkg/printers/internalversion/printers.go` (native sidecars included), and
//! apimachinery's `HumanDuration`. Pure: the clock is passed in.

use k8s_openapi::jiff::Timestamp;

use super::pod::{ContainerState, Pod, PodPhase, Section};

/// The computed columns of one pod row, before formatting against a clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodSummary {
    pub ready: usize,
    pub total: usize,
    pub status: String,
    pub restarts: i32,
    /// When the most recent restart happened (the previous instance's finish time).
    pub last_restart: Option<Timestamp>,
}

impl PodSummary {
    pub fn ready_cell(&self) -> String {
        format!("{}/{}", self.ready, self.total)
    }

    /// `0`, `4`, or `4 (2m ago)` when the last restart time is known.
    pub fn restarts_cell(&self, now: Timestamp) -> String {
        match self.last_restart {
            Some(t) if self.restarts > 0 => {
                format!(
                    "{} ({} ago)",
                    self.restarts,
                    human_duration(now.as_second() - t.as_second())
                )
            }
            _ => self.restarts.to_string(),
        }
    }
}

fn finished_at(state: Option<&ContainerState>) -> Option<Timestamp> {
    match state {
        Some(ContainerState::Terminated { finished_at, .. }) => *finished_at,
        _ => None,
    }
}

fn later(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// kubectl's READY, STATUS and RESTARTS for a pod.
pub fn summarize(pod: &Pod) -> PodSummary {
    let regular: Vec<_> = pod.in_section(Section::Regular).collect();
    let init: Vec<_> = pod.in_section(Section::Init).collect();
    let total = regular.len() + init.iter().filter(|c| c.native_sidecar).count();
    let mut ready = 0;
    let mut restarts = 0;
    let mut last_restart = None;
    let mut reason = match (&pod.reason, &pod.phase) {
        (Some(r), _) => r.clone(),
        (None, Some(p)) => p.to_string(),
        (None, None) => String::new(),
    };
    if pod
        .conditions
        .iter()
        .any(|c| c.kind == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".to_string();
    }

    let mut sidecar_restarts = 0;
    let mut last_sidecar_restart = None;
    let mut initializing = false;
    let init_statuses: Vec<_> = init
        .iter()
        .filter_map(|c| c.status.as_ref().map(|s| (*c, s)))
        .collect();
    for (i, (c, s)) in init_statuses.iter().enumerate() {
        restarts += s.restart_count;
        last_restart = later(last_restart, finished_at(s.last_state.as_ref()));
        if c.native_sidecar {
            sidecar_restarts += s.restart_count;
            last_sidecar_restart = later(last_sidecar_restart, finished_at(s.last_state.as_ref()));
        }
        match &s.state {
            ContainerState::Terminated { exit_code: 0, .. } => continue,
            _ if c.native_sidecar && s.started == Some(true) => {
                if s.ready {
                    ready += 1;
                }
                continue;
            }
            ContainerState::Terminated {
                exit_code,
                signal,
                reason: r,
                ..
            } => {
                reason = match (r.as_deref().filter(|r| !r.is_empty()), signal) {
                    (Some(r), _) => format!("Init:{r}"),
                    (None, Some(sig)) if *sig != 0 => format!("Init:Signal:{sig}"),
                    _ => format!("Init:ExitCode:{exit_code}"),
                };
            }
            ContainerState::Waiting {
                reason: Some(r), ..
            } if !r.is_empty() && r != "PodInitializing" => {
                reason = format!("Init:{r}");
            }
            _ => reason = format!("Init:{i}/{}", init.len()),
        }
        initializing = true;
        break;
    }

    if !initializing || pod.condition_true("Initialized") {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        for s in regular.iter().rev().filter_map(|c| c.status.as_ref()) {
            restarts += s.restart_count;
            last_restart = later(last_restart, finished_at(s.last_state.as_ref()));
            match &s.state {
                ContainerState::Waiting {
                    reason: Some(r), ..
                } if !r.is_empty() => reason = r.clone(),
                ContainerState::Terminated {
                    reason: Some(r), ..
                } if !r.is_empty() => reason = r.clone(),
                ContainerState::Terminated {
                    signal, exit_code, ..
                } => {
                    reason = match signal {
                        Some(sig) if *sig != 0 => format!("Signal:{sig}"),
                        _ => format!("ExitCode:{exit_code}"),
                    };
                }
                ContainerState::Running { .. } if s.ready => {
                    has_running = true;
                    ready += 1;
                }
                _ => {}
            }
        }
        if reason == "Completed" && has_running {
            reason = if pod.condition_true("Ready") {
                "Running".to_string()
            } else {
                "NotReady".to_string()
            };
        }
    }

    if pod.deleting && pod.reason.as_deref() == Some("NodeLost") {
        reason = "Unknown".to_string();
    } else if pod.deleting && !matches!(pod.phase, Some(PodPhase::Succeeded | PodPhase::Failed)) {
        reason = "Terminating".to_string();
    }

    PodSummary {
        ready,
        total,
        status: reason,
        restarts,
        last_restart,
    }
}

/// kubectl's AGE cell.
pub fn age(pod: &Pod, now: Timestamp) -> String {
    match pod.created {
        Some(t) => human_duration(now.as_second() - t.as_second()),
        None => "<unknown>".to_string(),
    }
}

/// apimachinery's `HumanDuration`: `45s`, `2m1s`, `60m`, `5h3m`, `24h`, `3d4h`, `400d`, `2y3d`.
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    let (minute, hour, day, year) = (60, 3600, 86_400, 365 * 86_400);
    if seconds < 2 * minute {
        return format!("{seconds}s");
    }
    let minutes = seconds / minute;
    if minutes < 10 {
        let s = seconds % minute;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 3 * 60 {
        return format!("{minutes}m");
    }
    let hours = seconds / hour;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 8 * 24 {
        let h = hours % 24;
        let d = seconds / day;
        return if h == 0 {
            format!("{d}d")
        } else {
            format!("{d}d{h}h")
        };
    }
    if hours < 2 * 365 * 24 {
        return format!("{}d", seconds / day);
    }
    let years = seconds / year;
    if hours < 8 * 365 * 24 {
        let d = (seconds % year) / day;
        return if d == 0 {
            format!("{years}y")
        } else {
            format!("{years}y{d}d")
        };
    }
    format!("{years}y")
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn human_durations_match_apimachinery() {
        let cases = [
            (-5, "<invalid>"),
            (-1, "0s"),
            (0, "0s"),
            (119, "119s"),
            (121, "2m1s"),
            (600, "10m"),
            (3600, "60m"),
            (7200, "120m"),
            (3 * 3600 + 60, "3h1m"),
            (8 * 3600, "8h"),
            (24 * 3600, "24h"),
            (3 * 86_400 + 4 * 3600, "3d4h"),
            (400 * 86_400, "400d"),
            (2 * 365 * 86_400 + 3 * 86_400, "2y3d"),
            (9 * 365 * 86_400, "9y"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(secs), want, "{secs}s");
        }
    }
}
