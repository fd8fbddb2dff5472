//! `describe -o mermaid` and `-o dot` for every fixture pod: the Mermaid follows the flowchart
//! grammar (checked by the small parser below, for the statements podscope writes), and
//! Graphviz itself renders the dot (Debian's `graphviz`, which `.ci/run` installs).

mod common;

use std::collections::HashSet;
use std::io::Write;
use std::process::{Command, Stdio};

use podscope::model::PodInsight;
use podscope::model::diagram::{diagram, export};
use podscope::model::manifest::parse_manifests;

/// Every pod of the seeds and the real-world corpus.
fn corpus() -> Vec<PodInsight> {
    let mut pods = Vec::new();
    for dir in ["seeds", "real"] {
        for path in common::fixture_files(dir) {
            pods.extend(common::insights(&path));
        }
    }
    assert!(pods.len() > 200, "{} pods", pods.len());
    pods
}

/// A pod whose mount paths hold every character that could end a label or start markup.
fn hostile() -> PodInsight {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: hostile, namespace: "x"}
spec:
  containers:
  - name: writer
    image: busybox
    command: ["sh", "-c", "while true; do date >> '/data/a\"b|c<d>#e\\f/out.log'; done"]
    volumeMounts:
    - {name: data, mountPath: "/data/a\"b|c<d>#e\\f"}
  - name: reader
    image: busybox
    volumeMounts:
    - {name: data, mountPath: "/in/`end`|x", readOnly: true}
  volumes:
  - {name: data, emptyDir: {}}
"#;
    parse_manifests(yaml, "hostile")
        .expect("parses")
        .insights(&[])
        .remove(0)
}

const RESERVED: &[&str] = &[
    "end",
    "subgraph",
    "graph",
    "flowchart",
    "class",
    "classDef",
    "style",
    "linkStyle",
    "click",
    "direction",
];

/// A node or subgraph id: letters, digits and `_`, not a keyword.
fn id(text: &str) -> Result<&str, String> {
    let ok = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&text);
    if ok {
        Ok(text)
    } else {
        Err(format!("bad id {text:?}"))
    }
}

/// `"..."` with no quote inside and only well-formed entity codes (`#name;` or `#123;`);
/// returns the rest after the closing quote.
fn quoted(text: &str) -> Result<(&str, &str), String> {
    let body = text
        .strip_prefix('"')
        .ok_or(format!("no opening quote in {text:?}"))?;
    let end = body
        .find('"')
        .ok_or(format!("no closing quote in {text:?}"))?;
    let (label, rest) = (&body[..end], &body[end + 1..]);
    let mut chars = label.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' => {
                let tail = &label[i + 1..];
                let semi = tail.find(';').ok_or(format!("# without ; in {label:?}"))?;
                let code = &tail[..semi];
                if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return Err(format!("bad entity #{code}; in {label:?}"));
                }
                for _ in 0..=semi {
                    chars.next();
                }
            }
            '<' if !label[i..].starts_with("<br/>") => {
                return Err(format!("markup in {label:?}"));
            }
            '|' | '`' | '>' if !label[..i].ends_with("<br/") => {
                return Err(format!("unescaped {c} in {label:?}"));
            }
            c if c.is_control() => return Err(format!("control character in {label:?}")),
            _ => {}
        }
    }
    Ok((label, rest))
}

/// A node statement: `ID["t"]`, `ID[("t")]` or `ID(["t"])`.
fn node(line: &str) -> Result<String, String> {
    let open = line
        .find(['[', '('])
        .ok_or(format!("not a node: {line:?}"))?;
    let name = id(&line[..open])?;
    let shape = &line[open..];
    let (inner, close) = [("[(", ")]"), ("([", "])"), ("[", "]")]
        .iter()
        .find_map(|(o, c)| shape.strip_prefix(o).map(|rest| (rest, *c)))
        .ok_or(format!("bad shape in {line:?}"))?;
    let (_, rest) = quoted(inner)?;
    if rest != close {
        return Err(format!("shape not closed in {line:?}"));
    }
    Ok(name.to_string())
}

/// Checks a flowchart of the statements podscope writes; returns the labels of its links.
fn check_mermaid(text: &str) -> Result<Vec<String>, String> {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    if !["flowchart LR", "flowchart TD", "flowchart TB"].contains(&first) {
        return Err(format!("first line {first:?}"));
    }
    let (mut nodes, mut classes) = (HashSet::new(), HashSet::new());
    let mut links = Vec::new();
    let mut depth = 0;
    let mut edges: Vec<(String, String)> = Vec::new();
    for line in lines {
        let line = line.trim();
        if line == "end" {
            depth -= 1;
            if depth < 0 {
                return Err("end without subgraph".into());
            }
        } else if let Some(rest) = line.strip_prefix("subgraph ") {
            nodes.insert(node(rest)?);
            depth += 1;
        } else if let Some(rest) = line.strip_prefix("classDef ") {
            let (name, style) = rest.split_once(' ').ok_or("classDef without style")?;
            if style.split(',').any(|kv| !kv.contains(':')) {
                return Err(format!("bad style {style:?}"));
            }
            classes.insert(id(name)?.to_string());
        } else if let Some(rest) = line.strip_prefix("class ") {
            let (ids, class) = rest.rsplit_once(' ').ok_or("class without a name")?;
            if !classes.contains(class) {
                return Err(format!("class {class} used before classDef"));
            }
            for i in ids.split(',') {
                if !nodes.contains(id(i)?) {
                    return Err(format!("class names unknown node {i}"));
                }
            }
        } else if let Some((from, rest, arrow)) = line.split_once(' ').and_then(|(f, r)| {
            ["-.->", "-->", "---"]
                .iter()
                .find(|a| r.starts_with(**a))
                .map(|a| (f, r, *a))
        }) {
            let rest = rest[arrow.len()..]
                .strip_prefix('|')
                .ok_or(format!("link without label {line:?}"))?;
            let (label, rest) = quoted(rest)?;
            let to = rest
                .strip_prefix("| ")
                .ok_or(format!("label not closed: {line:?}"))?;
            if to.starts_with(['o', 'x']) {
                return Err(format!(
                    "{to} after an arrow reads as a circle or cross edge"
                ));
            }
            edges.push((id(from)?.to_string(), id(to)?.to_string()));
            links.push(label.to_string());
        } else {
            nodes.insert(node(line)?);
        }
    }
    if depth != 0 {
        return Err("subgraph not closed".into());
    }
    for (a, b) in edges {
        if !nodes.contains(&a) || !nodes.contains(&b) {
            return Err(format!("link {a} -> {b} names an undeclared node"));
        }
    }
    Ok(links)
}

fn decode(label: &str) -> String {
    let mut out = label.to_string();
    for code in ["35", "34", "124", "60", "62", "96"] {
        let ch = char::from_u32(code.parse().unwrap()).unwrap();
        out = out.replace(&format!("#{code};"), &ch.to_string());
    }
    out
}

#[test]
fn the_mermaid_of_every_fixture_pod_follows_the_flowchart_grammar() {
    let pods = corpus();
    let diagrams: Vec<_> = pods.iter().map(diagram).collect();
    let text = export::mermaid(&diagrams);
    let links = check_mermaid(&text).unwrap_or_else(|e| panic!("{e}"));
    assert!(links.iter().any(|l| l == "/var/log rw"), "counter's mount");
    assert!(links.iter().any(|l| l == "then"), "init order");
}

#[test]
fn the_checker_catches_what_mermaid_rejects() {
    for bad in [
        "flowchart LR\n  A[\"a\"b\"]\n",
        "flowchart LR\n  A[\"a\"]\n  A -->|\"x\"| ob\n  ob[\"b\"]\n",
        "flowchart LR\n  end[\"a\"]\n",
        "flowchart LR\n  subgraph P[\"p\"]\n",
        "flowchart LR\n  A[\"a\"]\n  A -->|\"x\"| B\n",
        "flowchart LR\n  A[\"a|b\"]\n",
    ] {
        assert!(check_mermaid(bad).is_err(), "accepted {bad:?}");
    }
}

#[test]
fn labels_with_quotes_pipes_and_markup_are_escaped_and_say_the_same() {
    let d = diagram(&hostile());
    let text = export::mermaid(&[d]);
    let links = check_mermaid(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let decoded: Vec<String> = links.iter().map(|l| decode(l)).collect();
    assert!(
        decoded.contains(&"/data/a\"b|c<d>#e\\f rw".to_string()),
        "{decoded:?}"
    );
    assert!(
        decoded.contains(&"/in/`end`|x ro".to_string()),
        "{decoded:?}"
    );
}

fn render_dot(text: &str) -> (bool, String, String) {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Graphviz's dot is installed (Debian: apt-get install graphviz; .ci/run does)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn graphviz_renders_the_dot_of_every_fixture_pod() {
    let pods = corpus();
    let mut diagrams: Vec<_> = pods.iter().map(diagram).collect();
    diagrams.push(diagram(&hostile()));
    let (ok, svg, stderr) = render_dot(&export::dot(&diagrams));
    assert!(ok && stderr.trim().is_empty(), "{stderr}");
    assert!(svg.contains("<svg"), "{svg:.200}");
    assert!(svg.contains("pod default/counter"), "each pod is a cluster");
    assert!(svg.contains("count&#45;agent"), "the containers are nodes");
}

#[test]
fn describe_writes_mermaid_and_dot() {
    let bin = env!("CARGO_BIN_EXE_podscope");
    let seeds = common::fixture_dir("seeds");
    for (format, first) in [("mermaid", "flowchart LR"), ("dot", "digraph pods {")] {
        let out = Command::new(bin)
            .args(["describe", "-o", format, "-f"])
            .arg(&seeds)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().next(), Some(first), "{text}");
        assert!(text.contains("count-agent"), "{text}");
    }
}
