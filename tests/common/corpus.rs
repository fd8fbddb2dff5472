//! The real-world corpus: fixture headers read into labelled containers, and the scores of
//! podscope's inference and of the naive rule over them. See `tests/fixtures/real/README.md`.

use std::collections::BTreeMap;
use std::path::Path;

use podscope::model::{PodInsight, Section};

use super::insights;

/// One `# expect: [pod/]container: role[, native] -- reason` line of a fixture header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub pod: Option<String>,
    pub container: String,
    pub role: String,
    pub native: bool,
    pub reason: Option<String>,
}

/// What a fixture's header says about it.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub source: String,
    pub kind: Option<String>,
    pub project: Option<String>,
    pub expect: Vec<Expectation>,
}

pub const KINDS: &[&str] = &[
    "chart-render",
    "chart-golden",
    "kustomize",
    "operator",
    "injector-golden",
    "docs",
    "manifest",
    "live-dump",
];

pub fn header(text: &str) -> Header {
    let mut h = Header::default();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(rest) = line.strip_prefix("# Source:") {
            if h.source.is_empty() {
                h.source = rest.trim().to_string();
            }
        } else if let Some(rest) = line.strip_prefix("# Kind:") {
            h.kind = Some(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("# Project:") {
            h.project = Some(rest.trim().to_string());
        } else if let Some(e) = line.strip_prefix("# expect:").and_then(expectation) {
            h.expect.push(e);
        }
    }
    h
}

fn expectation(rest: &str) -> Option<Expectation> {
    let (label, reason) = match rest.split_once(" -- ") {
        Some((l, r)) => (l, Some(r.trim().to_string())),
        None => (rest, None),
    };
    let (who, what) = label.trim().split_once(": ")?;
    let (pod, container) = match who.split_once('/') {
        Some((p, c)) => (Some(p.to_string()), c.to_string()),
        None => (None, who.to_string()),
    };
    let mut parts = what.split(',').map(str::trim);
    let role = parts.next().unwrap_or_default().to_string();
    let native = parts.any(|p| p == "native");
    Some(Expectation {
        pod,
        container,
        role,
        native,
        reason: reason.filter(|r| !r.is_empty()),
    })
}

/// One labelled container and what each method said of it.
#[derive(Debug, Clone)]
pub struct Scored {
    pub file: String,
    pub kind: String,
    pub project: String,
    pub pod: String,
    pub container: String,
    pub expected: String,
    pub got: String,
    pub naive: String,
    pub confidence: String,
    pub evidence: Vec<String>,
}

fn label(role: &str, native: bool) -> String {
    if native {
        format!("{role} (native)")
    } else {
        role.to_string()
    }
}

/// The naive rule: section facts (init, native sidecar, ephemeral) are certain; the first
/// regular container is the main and every other one a sidecar.
pub fn naive(insight: &PodInsight) -> Vec<String> {
    let first = insight
        .pod
        .in_section(Section::Regular)
        .next()
        .map(|c| &c.name);
    insight
        .pod
        .containers
        .iter()
        .map(|c| match c.section {
            Section::Init if c.native_sidecar => label("sidecar", true),
            Section::Init => "init".to_string(),
            Section::Ephemeral => "ephemeral".to_string(),
            Section::Regular if Some(&c.name) == first => "main".to_string(),
            Section::Regular => "sidecar".to_string(),
        })
        .collect()
}

/// Every labelled container of one fixture file, or the problems that stop scoring it
/// (a container without an expectation, an expectation without a container).
pub fn score_file(path: &Path) -> Result<Vec<Scored>, Vec<String>> {
    let text = std::fs::read_to_string(path).expect("fixture readable");
    let h = header(&text);
    let file = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    let pods = insights(path);
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for insight in &pods {
        let naive = naive(insight);
        for (i, (c, r)) in insight.containers().enumerate() {
            let exp = h.expect.iter().find(|e| {
                e.container == c.name && e.pod.as_deref().is_none_or(|p| p == insight.pod.name)
            });
            let Some(e) = exp else {
                problems.push(format!(
                    "{file}: {}/{} has no expectation",
                    insight.pod.name, c.name
                ));
                continue;
            };
            out.push(Scored {
                file: file.clone(),
                kind: h.kind.clone().unwrap_or_else(|| "unknown".into()),
                project: h.project.clone().unwrap_or_else(|| "unknown".into()),
                pod: insight.pod.name.clone(),
                container: c.name.clone(),
                expected: label(&e.role, e.native),
                got: label(r.role.as_str(), r.native_sidecar),
                naive: naive[i].clone(),
                confidence: r.confidence.to_string(),
                evidence: r.evidence.clone(),
            });
        }
    }
    if out.len() != h.expect.len() && problems.is_empty() {
        problems.push(format!(
            "{file}: {} expectations for {} containers",
            h.expect.len(),
            out.len()
        ));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Container and whole-pod accuracy of one method over a set of scored containers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accuracy {
    pub containers: usize,
    pub containers_right: usize,
    pub pods: usize,
    pub pods_right: usize,
}

impl Accuracy {
    pub fn of(rows: &[&Scored], pick: impl Fn(&Scored) -> &str) -> Accuracy {
        let mut pods: BTreeMap<(&str, &str), bool> = BTreeMap::new();
        let mut acc = Accuracy::default();
        for r in rows {
            let right = pick(r) == r.expected;
            acc.containers += 1;
            acc.containers_right += usize::from(right);
            let all = pods.entry((&r.file, &r.pod)).or_insert(true);
            *all &= right;
        }
        acc.pods = pods.len();
        acc.pods_right = pods.values().filter(|&&ok| ok).count();
        acc
    }

    pub fn container_rate(&self) -> f64 {
        ratio(self.containers_right, self.containers)
    }

    pub fn pod_rate(&self) -> f64 {
        ratio(self.pods_right, self.pods)
    }
}

pub fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}
