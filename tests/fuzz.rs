//! Fuzzing on stable Rust, bounded in time: every target runs mutated inputs from its corpus
//! (`tests/fuzz/TARGET/`, plus the real fixtures for manifests) for a while and fails on the
//! first panic, saving the input that caused it.
//!
//! - `manifests`: YAML and JSON text mutated a few edits at a time, through loading,
//!   conversion, role inference, lints, describe's table, JSON, Mermaid and Graphviz outputs
//!   and the diagram at several widths;
//! - `log-lines`: the kubelet's lines (timestamps, escapes, invalid UTF-8, CR, long lines)
//!   through the timestamp split, the printable text and the log view's search patterns;
//! - `config` and `themes`: the config file and theme files, through their parsers.
//!
//! `PODSCOPE_FUZZ_SECONDS` (per target, 4 by default so `cargo test` stays quick) and
//! `PODSCOPE_FUZZ_SEED` set the run; a long one:
//! `PODSCOPE_FUZZ_SECONDS=600 PODSCOPE_FUZZ_SEED=$RANDOM cargo test --release --test fuzz -- --nocapture`.
//! (cargo-fuzz needs a nightly toolchain, which CI does not have; a coverage-blind mutator
//! with a dictionary of the tokens the parsers care about finds the same class of bugs here.)

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::fuzz::{Rng, exercise, mutate_text};
use podscope::model::log_line::{LogLine, printable};
use podscope::state::log_buffer::{Entry, Filter, Pattern};

fn corpus(target: &str) -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned())
        .collect()
}

fn budget() -> Duration {
    let seconds = std::env::var("PODSCOPE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4.0_f64);
    Duration::from_secs_f64(seconds)
}

fn seed() -> u64 {
    std::env::var("PODSCOPE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x00F0_22ED_5EED)
}

/// Run `check` on the corpus as it is, then on mutations of it until the budget is spent.
/// A panic saves the input under the target directory's `fuzz-crashes/` and fails the test.
fn fuzz(target: &str, inputs: &[String], check: impl Fn(&str)) -> u64 {
    assert!(!inputs.is_empty(), "{target}: an empty corpus");
    let seed = seed();
    let mut rng = Rng(seed | 1);
    let mut case = 0u64;
    let crash = |input: &str, case: u64| -> ! {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-crashes");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{target}-{seed}-{case}"));
        std::fs::write(&path, input).unwrap();
        panic!(
            "{target}: case {case} of seed {seed} panicked; the input is in {} \
             (once fixed, add it to tests/fuzz/{target}/)",
            path.display()
        );
    };
    for input in inputs {
        if catch_unwind(AssertUnwindSafe(|| check(input))).is_err() {
            crash(input, case);
        }
        case += 1;
    }
    // The budget is for mutations: the corpus as it is has been run whatever it took.
    let started = Instant::now();
    while started.elapsed() < budget() {
        let base = rng.pick(inputs).clone();
        let other = rng.pick(inputs).clone();
        let input = mutate_text(&base, &other, &mut rng);
        if catch_unwind(AssertUnwindSafe(|| check(&input))).is_err() {
            crash(&input, case);
        }
        case += 1;
    }
    eprintln!(
        "fuzz {target}: {case} cases ({} from the corpus, then {:.1} s of mutations), seed {seed}, clean",
        inputs.len(),
        started.elapsed().as_secs_f64()
    );
    case
}

#[test]
fn manifests() {
    let mut inputs = corpus("manifests");
    for dir in ["seeds", "real", "heldout"] {
        for file in common::fixture_files(dir) {
            inputs.push(std::fs::read_to_string(file).unwrap());
        }
    }
    let cases = fuzz("manifests", &inputs, |text| {
        exercise(text);
    });
    assert!(cases as usize > inputs.len(), "no mutation ran");
}

/// A line as the log view takes it, and a search typed as that text over it.
fn log_line(text: &str, fixed: &[Filter]) {
    // Raw bytes too: a lossy string never holds invalid UTF-8, a container's output may.
    let mut raw = text.as_bytes().to_vec();
    if let Some(i) = text.find('~') {
        raw[i] = 0xff;
    }
    for bytes in [raw, text.as_bytes().to_vec()] {
        let line = LogLine::parse(bytes);
        let _ = (line.body(), line.stamp(), printable(line.body()));
        let entry = Entry::line(0, &line);
        for filter in fixed {
            let _ = filter.keeps(&entry);
        }
        if let Some(pattern) = Pattern::new(text) {
            let _ = pattern.matches(&entry);
        }
    }
}

#[test]
fn log_lines() {
    let inputs: Vec<String> = corpus("log-lines")
        .iter()
        .flat_map(|f| f.lines().map(str::to_string).collect::<Vec<_>>())
        .collect();
    let fixed: Vec<Filter> = ["[", "(?i)err|warn", "\\d+ms", "^2024-.*Z$", "ñ"]
        .iter()
        .filter_map(|p| Pattern::new(p))
        .map(|pattern| Filter {
            pattern,
            inverse: true,
        })
        .collect();
    fuzz("log-lines", &inputs, |text| log_line(text, &fixed));
}

#[test]
fn config_files() {
    let inputs = corpus("config");
    fuzz("config", &inputs, |text| {
        if let Err(e) = podscope::config::parse(text) {
            assert!(!e.is_empty(), "an error says what is wrong");
        }
    });
}

#[test]
fn theme_files() {
    let mut inputs = corpus("themes");
    let themes = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("themes");
    for file in std::fs::read_dir(themes).unwrap() {
        inputs.push(std::fs::read_to_string(file.unwrap().path()).unwrap());
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-themes");
    std::fs::create_dir_all(&dir).unwrap();
    let counter = std::sync::atomic::AtomicU64::new(0);
    fuzz("themes", &inputs, |text| {
        // Themes load from a file (or a built-in name); a user's file is what can be broken.
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!("case-{}.toml", n % 8));
        std::fs::write(&path, text).unwrap();
        let _ = podscope::theme::Theme::load(path.to_str().unwrap(), None);
    });
}
