//! `podscope describe -o table`: a report for people. Per pod: the containers with role,
//! confidence and state, the evidence for each role, the volume × container matrix, then
//! warnings. Colour only when asked (a terminal, and `NO_COLOR` unset).

use std::fmt::Write;

use crate::model::diagram::canvas::{Options, Paint as CellPaint, draw};
use crate::model::diagram::diagram;
use crate::model::event::PodEvent;
use crate::model::findings::{Finding, Severity};
use crate::model::printing::human_duration;
use crate::model::volume::volume_matrix;
use crate::model::{ContainerRole, PodInsight, Section};

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    pub enabled: bool,
}

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.enabled && !text.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }

    fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }

    fn warn(self, text: &str) -> String {
        self.wrap("33", text)
    }

    fn role(self, role: ContainerRole, text: &str) -> String {
        let code = match role {
            ContainerRole::Main => "1;32",
            ContainerRole::Sidecar => "36",
            ContainerRole::Adapter => "35",
            ContainerRole::Ambassador => "33",
            ContainerRole::Init => "34",
            ContainerRole::Ephemeral => "31",
        };
        self.wrap(code, text)
    }
}

/// Render every pod, separated by a blank line.
pub fn render(pods: &[PodInsight], paint: Paint) -> String {
    pods.iter()
        .map(|p| render_pod(p, paint))
        .collect::<Vec<_>>()
        .join("\n")
}

fn render_pod(insight: &PodInsight, paint: Paint) -> String {
    let pod = &insight.pod;
    let mut out = String::new();
    let origin = match &pod.origin {
        crate::model::pod::PodOrigin::Pod => "Pod".to_string(),
        crate::model::pod::PodOrigin::Template { kind } => format!("{kind} pod template"),
    };
    let _ = write!(
        out,
        "{} {}/{}",
        paint.bold(&origin),
        pod.namespace,
        paint.bold(&pod.name)
    );
    if let Some(src) = &pod.source {
        let _ = write!(out, "  {}", paint.dim(&format!("({src})")));
    }
    out.push('\n');
    if let Some(d) = &insight.default_container {
        let _ = writeln!(out, "Default container: {}", d.name);
    }
    out.push('\n');
    if !insight.findings.is_empty() {
        write_findings(&mut out, &insight.findings, paint);
        out.push('\n');
    }

    let mut rows = vec![
        [
            "CONTAINER",
            "SECTION",
            "ROLE",
            "CONFIDENCE",
            "STATE",
            "IMAGE",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (c, r) in insight.containers() {
        let role = if r.native_sidecar {
            format!("{} (native)", r.role)
        } else {
            r.role.to_string()
        };
        let state = c.status.as_ref().map_or("-".to_string(), |s| {
            let restarts = if s.restart_count > 0 {
                format!(", {} restarts", s.restart_count)
            } else {
                String::new()
            };
            format!("{}{restarts}", s.state.summary())
        });
        rows.push(vec![
            c.name.clone(),
            c.section.field_name().to_string(),
            role,
            r.confidence.to_string(),
            state,
            c.image.clone().unwrap_or_else(|| "(none)".to_string()),
        ]);
    }
    let roles: Vec<ContainerRole> = insight.roles.iter().map(|r| r.role).collect();
    write_table(&mut out, &rows, |row, col, text| match (row, col) {
        (0, _) => paint.bold(text),
        (r, 2) => paint.role(roles[r - 1], text),
        _ => text.to_string(),
    });

    write_diagram(&mut out, insight, paint);

    out.push('\n');
    let _ = writeln!(out, "{}", paint.bold("Why these roles:"));
    for (c, r) in insight.containers() {
        let _ = writeln!(
            out,
            "  {} → {}",
            c.name,
            paint.role(r.role, r.role.as_str())
        );
        for e in &r.evidence {
            let _ = writeln!(out, "    - {e}");
        }
    }

    let matrix = volume_matrix(pod);
    if !matrix.is_empty() {
        out.push('\n');
        let users: Vec<&str> = pod
            .containers
            .iter()
            .filter(|c| !c.mounts.is_empty() || c.section != Section::Ephemeral)
            .map(|c| c.name.as_str())
            .collect();
        let mut header: Vec<String> = ["VOLUME", "KIND", "SHARED"].map(String::from).to_vec();
        header.extend(users.iter().map(|u| u.to_string()));
        header.push("SOURCE".to_string());
        let mut rows = vec![header];
        for u in &matrix {
            let mut row = vec![
                u.volume.name.clone(),
                u.volume.source.kind().to_string(),
                if u.shared() {
                    "yes".to_string()
                } else {
                    "-".to_string()
                },
            ];
            for user in &users {
                let cells: Vec<String> = u
                    .mounts
                    .iter()
                    .filter(|m| m.container == *user)
                    .map(|m| {
                        let mut flags = vec![if m.read_only { "ro" } else { "rw" }.to_string()];
                        if let Some(sp) = m.sub_path {
                            flags.push(format!("subPath {sp}"));
                        }
                        format!("{} ({})", m.path, flags.join(", "))
                    })
                    .collect();
                row.push(if cells.is_empty() {
                    "-".to_string()
                } else {
                    cells.join("; ")
                });
            }
            row.push(u.volume.source.detail());
            rows.push(row);
        }
        let shared: Vec<bool> = matrix.iter().map(|u| u.shared()).collect();
        write_table(&mut out, &rows, |row, col, text| match (row, col) {
            (0, _) => paint.bold(text),
            (r, 0) if shared[r - 1] => paint.bold(text),
            _ => text.to_string(),
        });
    }

    if !insight.lints.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "{}", paint.bold("Warnings:"));
        for l in &insight.lints {
            let _ = writeln!(out, "  {} {l}", paint.warn("!"));
        }
    }
    if pod.phase.is_some() {
        out.push('\n');
        write_events(&mut out, insight, paint);
    }
    out
}

/// How wide the diagram is drawn: what most terminals show, whatever the output goes to.
const DIAGRAM_WIDTH: usize = 100;

/// The pod as a picture, for a pod with more than one container or anything to connect.
fn write_diagram(out: &mut String, insight: &PodInsight, paint: Paint) {
    let d = diagram(insight);
    if d.lanes.len() < 2 && d.edges.is_empty() {
        return;
    }
    let canvas = draw(
        &d,
        Options {
            width: DIAGRAM_WIDTH,
            selected: None,
            ascii: false,
        },
    );
    out.push('\n');
    let _ = writeln!(out, "{}", paint.bold("Diagram:"));
    for row in canvas.runs() {
        let mut line = String::new();
        for (text, kind, _) in row {
            line.push_str(&match kind {
                CellPaint::Lane(i) => paint.role(d.lanes[i].role, &text),
                CellPaint::Volume => paint.bold(&text),
                CellPaint::Muted => paint.dim(&text),
                CellPaint::Plain | CellPaint::Line => text,
            });
        }
        let _ = writeln!(out, "  {}", line.trim_end());
    }
}

/// What is wrong, worst first: the headline, its evidence, what to run.
fn write_findings(out: &mut String, findings: &[Finding], paint: Paint) {
    let _ = writeln!(out, "{}", paint.bold("Findings:"));
    for f in findings {
        let mark = match f.severity {
            Severity::Error => paint.wrap("1;31", "✗ error  "),
            Severity::Warning => paint.warn("! warning"),
            Severity::Info => paint.dim("i info   "),
        };
        let _ = writeln!(out, "  {mark} {}", f.headline);
        for e in &f.evidence {
            let _ = writeln!(out, "             - {e}");
        }
        for n in &f.next {
            let _ = writeln!(out, "             → {}", paint.dim(n));
        }
        if let Some(fix) = &f.fix {
            for line in fix.lines() {
                let _ = writeln!(out, "             {}", paint.dim(line));
            }
        }
    }
}

/// kubectl describe's Events table: type, reason, age, from, message.
fn write_events(out: &mut String, insight: &PodInsight, paint: Paint) {
    if insight.events.is_empty() {
        let _ = writeln!(out, "{} <none>", paint.bold("Events:"));
        return;
    }
    let _ = writeln!(out, "{}", paint.bold("Events:"));
    let now = k8s_openapi::jiff::Timestamp::now();
    let mut rows = vec![
        ["  TYPE", "REASON", "AGE", "FROM", "MESSAGE"]
            .map(String::from)
            .to_vec(),
    ];
    for e in &insight.events {
        let age = |t: Option<k8s_openapi::jiff::Timestamp>| {
            t.map(|t| human_duration(now.as_second() - t.as_second()))
                .unwrap_or_else(|| "<unknown>".to_string())
        };
        let age = if e.count > 1 {
            format!(
                "{} (x{} over {})",
                age(e.last_seen),
                e.count,
                age(e.first_seen)
            )
        } else {
            age(e.last_seen)
        };
        rows.push(vec![
            format!("  {}", if e.is_warning() { "Warning" } else { "Normal" }),
            e.reason.clone(),
            age,
            e.source.clone(),
            e.message.clone(),
        ]);
    }
    let warning: Vec<bool> = insight.events.iter().map(PodEvent::is_warning).collect();
    write_table(out, &rows, |row, col, text| match (row, col) {
        (0, _) => paint.bold(text),
        (r, 0) if warning[r - 1] => paint.warn(text),
        _ => text.to_string(),
    });
}

/// Left-aligned columns two spaces apart; `style` paints a cell after padding is computed.
fn write_table(
    out: &mut String,
    rows: &[Vec<String>],
    style: impl Fn(usize, usize, &str) -> String,
) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|col| {
            rows.iter()
                .filter_map(|r| r.get(col))
                .map(|t| t.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (r, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (col, text) in row.iter().enumerate() {
            let last = col + 1 == row.len();
            line.push_str(&style(r, col, text));
            if !last {
                let pad = widths[col] - text.chars().count() + 2;
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}
