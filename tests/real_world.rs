//! Role inference scored over the real-world corpus (`tests/fixtures/real/`, see its README):
//! per-role recall, container and whole-pod accuracy, by source kind, against the naive rule
//! "the first container is the main, the rest are sidecars". `cargo test --test real_world --
//! --nocapture` prints the tables the README shows; with `PODSCOPE_CORPUS=DIR` it scores the
//! pods in another folder instead (the tables print before the thresholds are checked).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::corpus::{Accuracy, KINDS, Scored, header, ratio, score_file};

const MIN_CONTAINERS: f64 = 0.97;
const MIN_PODS: f64 = 0.95;
const MIN_CORPUS_PODS: usize = 120;
const MIN_PROJECTS: usize = 25;

/// The corpus: `tests/fixtures/real/`, or the folder `PODSCOPE_CORPUS` names (to score a
/// corpus kept outside the project, with the same header format).
fn corpus_files() -> Vec<std::path::PathBuf> {
    match std::env::var_os("PODSCOPE_CORPUS") {
        Some(dir) => {
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .expect("PODSCOPE_CORPUS is a readable folder")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
                .collect();
            files.sort();
            files
        }
        None => common::fixture_files("real"),
    }
}

fn corpus() -> Vec<Scored> {
    score_all(corpus_files())
}

fn score_all(files: Vec<std::path::PathBuf>) -> Vec<Scored> {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for f in files {
        match score_file(&f) {
            Ok(r) => rows.extend(r),
            Err(p) => problems.extend(p),
        }
    }
    assert!(
        problems.is_empty(),
        "unscorable fixtures:\n{}",
        problems.join("\n")
    );
    rows
}

fn pct(x: f64) -> String {
    format!("{:.2}", x)
}

/// The tables, as Markdown (the README carries them as printed).
fn report(rows: &[Scored]) -> String {
    let all: Vec<&Scored> = rows.iter().collect();
    let ours = Accuracy::of(&all, |r| &r.got);
    let naive = Accuracy::of(&all, |r| &r.naive);
    let projects: BTreeSet<&str> = rows.iter().map(|r| r.project.as_str()).collect();
    let mut out = format!(
        "{} pods, {} containers, {} projects\n\n",
        ours.pods,
        ours.containers,
        projects.len()
    );
    out += "| | podscope | naive rule |\n|---|---|---|\n";
    out += &format!(
        "| containers right ({}) | {} | {} |\n",
        ours.containers,
        pct(ours.container_rate()),
        pct(naive.container_rate())
    );
    out += &format!(
        "| whole pods right ({}) | {} | {} |\n",
        ours.pods,
        pct(ours.pod_rate()),
        pct(naive.pod_rate())
    );
    out += "\n| role | containers | podscope recall | naive recall |\n|---|---|---|---|\n";
    for (role, slice) in by(rows, |r| r.expected.clone()) {
        let got = slice.iter().filter(|r| r.got == r.expected).count();
        let nv = slice.iter().filter(|r| r.naive == r.expected).count();
        out += &format!(
            "| {role} | {} | {} | {} |\n",
            slice.len(),
            pct(ratio(got, slice.len())),
            pct(ratio(nv, slice.len()))
        );
    }
    out += "\n| source kind | pods | podscope containers / pods | naive containers / pods |\n";
    out += "|---|---|---|---|\n";
    for (kind, slice) in by(rows, |r| r.kind.clone()) {
        let o = Accuracy::of(&slice, |r| &r.got);
        let n = Accuracy::of(&slice, |r| &r.naive);
        out += &format!(
            "| {kind} | {} | {} / {} | {} / {} |\n",
            o.pods,
            pct(o.container_rate()),
            pct(o.pod_rate()),
            pct(n.container_rate()),
            pct(n.pod_rate())
        );
    }
    out += "\n| confidence | containers | wrong |\n|---|---|---|\n";
    for (conf, slice) in by(rows, |r| r.confidence.clone()) {
        let wrong = slice.iter().filter(|r| r.got != r.expected).count();
        out += &format!("| {conf} | {} | {wrong} |\n", slice.len());
    }
    out
}

fn by(rows: &[Scored], key: impl Fn(&Scored) -> String) -> BTreeMap<String, Vec<&Scored>> {
    let mut map: BTreeMap<String, Vec<&Scored>> = BTreeMap::new();
    for r in rows {
        map.entry(key(r)).or_default().push(r);
    }
    map
}

fn misses(rows: &[Scored]) -> String {
    rows.iter()
        .filter(|r| r.got != r.expected)
        .map(|r| {
            format!(
                "  {} {}/{}: expected {}, got {} ({}: {})",
                r.file,
                r.pod,
                r.container,
                r.expected,
                r.got,
                r.confidence,
                r.evidence.join("; ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn role_inference_scores_on_the_real_world_corpus() {
    let rows = corpus();
    let table = report(&rows);
    println!("{table}");
    let missed = misses(&rows);
    if !missed.is_empty() {
        println!("misses:\n{missed}");
    }
    let all: Vec<&Scored> = rows.iter().collect();
    let ours = Accuracy::of(&all, |r| &r.got);
    let projects: BTreeSet<&str> = rows.iter().map(|r| r.project.as_str()).collect();
    assert!(
        ours.pods >= MIN_CORPUS_PODS,
        "corpus has {} pods",
        ours.pods
    );
    assert!(
        projects.len() >= MIN_PROJECTS,
        "corpus has {} projects",
        projects.len()
    );
    assert!(
        ours.container_rate() >= MIN_CONTAINERS && ours.pod_rate() >= MIN_PODS,
        "containers {:.3} (want {MIN_CONTAINERS}), pods {:.3} (want {MIN_PODS})\n{table}\nmisses:\n{missed}",
        ours.container_rate(),
        ours.pod_rate()
    );
    for (kind, slice) in by(&rows, |r| r.kind.clone()) {
        let o = Accuracy::of(&slice, |r| &r.got);
        let n = Accuracy::of(&slice, |r| &r.naive);
        assert!(
            o.containers_right >= n.containers_right && o.pods_right >= n.pods_right,
            "on {kind} the naive rule does better: {o:?} against {n:?}"
        );
    }
    for (role, slice) in by(&rows, |r| r.expected.clone()) {
        let got = slice.iter().filter(|r| r.got == r.expected).count();
        let nv = slice.iter().filter(|r| r.naive == r.expected).count();
        assert!(
            got >= nv,
            "{role}: podscope finds {got}, the naive rule {nv}"
        );
    }
}

#[test]
fn high_confidence_is_almost_never_wrong() {
    let rows = corpus();
    let high: Vec<&Scored> = rows.iter().filter(|r| r.confidence == "high").collect();
    let wrong: Vec<&&Scored> = high.iter().filter(|r| r.got != r.expected).collect();
    assert!(
        ratio(wrong.len(), high.len()) <= 0.01,
        "{} of {} high-confidence roles are wrong",
        wrong.len(),
        high.len()
    );
}

#[test]
fn every_fixture_names_its_source_kind_project_and_reasons() {
    let files = common::fixture_files("real")
        .into_iter()
        .chain(common::fixture_files("heldout"));
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let name = f.display();
        assert!(
            text.starts_with("# Source: "),
            "{name} has no `# Source:` header"
        );
        let h = header(&text);
        let kind = h.kind.as_deref().unwrap_or_default();
        assert!(
            KINDS.contains(&kind),
            "{name}: `# Kind: {kind}` is not one of {KINDS:?}"
        );
        assert!(h.project.is_some(), "{name} has no `# Project:` line");
        assert!(!h.expect.is_empty(), "{name} has no `# expect:` lines");
        for e in &h.expect {
            assert!(
                e.reason.is_some(),
                "{name}: the expectation for {} gives no reason (`-- why`)",
                e.container
            );
        }
    }
}

#[test]
fn on_held_out_pods_podscope_beats_the_naive_rule() {
    // Pods the rules were not tuned on (tests/fixtures/heldout/): the honest number.
    let rows = score_all(common::fixture_files("heldout"));
    let table = report(&rows);
    println!("held out:\n{table}");
    let missed = misses(&rows);
    if !missed.is_empty() {
        println!("held-out misses:\n{missed}");
    }
    let all: Vec<&Scored> = rows.iter().collect();
    let ours = Accuracy::of(&all, |r| &r.got);
    let naive = Accuracy::of(&all, |r| &r.naive);
    assert!(ours.pods >= 60, "the held-out set has {} pods", ours.pods);
    assert!(
        ours.containers_right > naive.containers_right && ours.pods_right > naive.pods_right,
        "held out: {ours:?} against the naive rule's {naive:?}\n{table}"
    );
    let high_wrong = rows
        .iter()
        .filter(|r| r.confidence == "high" && r.got != r.expected)
        .count();
    assert!(
        high_wrong <= 1,
        "{high_wrong} high-confidence roles wrong on held-out pods"
    );
}
