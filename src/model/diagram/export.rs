//! The diagram as text other tools draw: a Mermaid flowchart (GitHub and many wikis render it)
//! and a Graphviz digraph. Containers are boxes, volumes cylinders, the outside world an
//! oval; edges point the way the data goes and carry the mount path or the address.

use std::fmt::Write;

use super::{Diagram, Edge};
use crate::model::role::{ContainerRole, Flow};

/// One edge between two node ids, the way both formats need it.
struct Link {
    from: String,
    to: String,
    label: String,
    /// No arrowhead: which way the data goes is not known.
    undirected: bool,
    /// Drawn dashed: implied by the pattern, or the start order rather than data.
    dashed: bool,
}

/// Node ids: `P<pod>C<lane>`, `P<pod>V<volume>`, `P<pod>W<edge>`; a capital first, so that
/// Mermaid never reads an id after an arrow as a circle or cross edge.
struct Ids(usize);

impl Ids {
    fn lane(&self, i: usize) -> String {
        format!("P{}C{i}", self.0)
    }

    fn volume(&self, i: usize) -> String {
        format!("P{}V{i}", self.0)
    }

    fn outside(&self, i: usize) -> String {
        format!("P{}W{i}", self.0)
    }
}

fn links(d: &Diagram, id: &Ids) -> Vec<Link> {
    let mut out = Vec::new();
    for (n, e) in d.edges.iter().enumerate() {
        let link = match e {
            Edge::Mount {
                lane,
                volume,
                path,
                read_only,
                flow,
                ..
            } => {
                let (c, v) = (id.lane(*lane), id.volume(*volume));
                let (from, to) = if *flow == Flow::Reads { (v, c) } else { (c, v) };
                Link {
                    from,
                    to,
                    label: format!("{path} {}", if *read_only { "ro" } else { "rw" }),
                    undirected: *flow == Flow::Unknown,
                    dashed: false,
                }
            }
            Edge::Localhost {
                from,
                to,
                address,
                inferred,
                ..
            } => Link {
                from: id.lane(*from),
                to: id.lane(*to),
                label: if *inferred {
                    format!("{address} (implied)")
                } else {
                    address.clone()
                },
                undirected: false,
                dashed: *inferred,
            },
            Edge::Outside { lane, .. } => Link {
                from: id.lane(*lane),
                to: id.outside(n),
                label: "out of the pod".to_string(),
                undirected: false,
                dashed: false,
            },
            Edge::Before { from, to } => Link {
                from: id.lane(*from),
                to: id.lane(*to),
                label: "then".to_string(),
                undirected: false,
                dashed: true,
            },
        };
        out.push(link);
    }
    out
}

fn role_text(d: &Diagram, i: usize) -> String {
    let lane = &d.lanes[i];
    let mut text = lane.role.to_string();
    if lane.native_sidecar {
        text.push_str(" (native)");
    }
    for p in &lane.ports {
        let _ = write!(text, " :{p}");
    }
    text
}

/// Fill colours per role, light enough for black text on a white or dark page.
fn fill(role: ContainerRole) -> &'static str {
    match role {
        ContainerRole::Main => "#c8e6c9",
        ContainerRole::Sidecar => "#b2ebf2",
        ContainerRole::Adapter => "#e1bee7",
        ContainerRole::Ambassador => "#ffe0b2",
        ContainerRole::Init => "#bbdefb",
        ContainerRole::Ephemeral => "#ffcdd2",
    }
}

/// Text inside Mermaid's double quotes: `#`, quotes, pipes and angle brackets as its entity
/// codes (decimal, as `#35;`), so no text can end a label or start markup.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '#' | '"' | '|' | '<' | '>' | '`' => out.push_str(&format!("#{};", ch as u32)),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid flowchart, left to right, each pod a subgraph.
pub fn mermaid(diagrams: &[Diagram]) -> String {
    let mut out = String::from("flowchart LR\n");
    for (p, d) in diagrams.iter().enumerate() {
        mermaid_pod(&mut out, d, &Ids(p));
    }
    let mut roles: Vec<ContainerRole> = diagrams
        .iter()
        .flat_map(|d| d.lanes.iter().map(|l| l.role))
        .collect();
    roles.sort();
    roles.dedup();
    for role in roles {
        let ids: Vec<String> = diagrams
            .iter()
            .enumerate()
            .flat_map(|(p, d)| {
                (0..d.lanes.len())
                    .filter(move |&i| d.lanes[i].role == role)
                    .map(move |i| Ids(p).lane(i))
            })
            .collect();
        let _ = writeln!(
            out,
            "  classDef {role} fill:{},stroke:#555,color:#000",
            fill(role)
        );
        let _ = writeln!(out, "  class {} {role}", ids.join(","));
    }
    out
}

fn mermaid_pod(out: &mut String, d: &Diagram, id: &Ids) {
    let _ = writeln!(
        out,
        "  subgraph P{}[\"pod {}\"]",
        id.0,
        mermaid_text(&format!("{}/{}", d.namespace, d.pod))
    );
    for (i, lane) in d.lanes.iter().enumerate() {
        let _ = writeln!(
            out,
            "    {}[\"{}<br/>{}\"]",
            id.lane(i),
            mermaid_text(&lane.name),
            mermaid_text(&role_text(d, i))
        );
    }
    for (i, v) in d.volumes.iter().enumerate() {
        let _ = writeln!(
            out,
            "    {}[(\"{}<br/>{}\")]",
            id.volume(i),
            mermaid_text(&v.name),
            mermaid_text(&v.kind)
        );
    }
    out.push_str("  end\n");
    for (n, e) in d.edges.iter().enumerate() {
        if let Edge::Outside { hosts, .. } = e {
            let _ = writeln!(
                out,
                "  {}([\"{}\"])",
                id.outside(n),
                hosts
                    .iter()
                    .map(|h| mermaid_text(h))
                    .collect::<Vec<_>>()
                    .join("<br/>")
            );
        }
    }
    for l in links(d, id) {
        let arrow = match (l.dashed, l.undirected) {
            (true, _) => "-.->",
            (false, true) => "---",
            (false, false) => "-->",
        };
        let _ = writeln!(
            out,
            "  {} {arrow}|\"{}\"| {}",
            l.from,
            mermaid_text(&l.label),
            l.to
        );
    }
}

/// Text inside a Graphviz double-quoted string: backslashes and quotes escaped, control
/// characters as spaces.
fn dot_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Graphviz digraph, left to right, each pod a cluster.
pub fn dot(diagrams: &[Diagram]) -> String {
    let mut out = String::from("digraph pods {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for (p, d) in diagrams.iter().enumerate() {
        dot_pod(&mut out, d, &Ids(p));
    }
    out.push_str("}\n");
    out
}

fn dot_pod(out: &mut String, d: &Diagram, id: &Ids) {
    let _ = writeln!(out, "  subgraph cluster_{} {{", id.0);
    let _ = writeln!(
        out,
        "    label=\"pod {}\";",
        dot_text(&format!("{}/{}", d.namespace, d.pod))
    );
    for (i, lane) in d.lanes.iter().enumerate() {
        let _ = writeln!(
            out,
            "    {} [label=\"{}\\n{}\", shape=box, style=\"rounded,filled\", fillcolor=\"{}\"];",
            id.lane(i),
            dot_text(&lane.name),
            dot_text(&role_text(d, i)),
            fill(lane.role)
        );
    }
    for (i, v) in d.volumes.iter().enumerate() {
        let _ = writeln!(
            out,
            "    {} [label=\"{}\\n{}\", shape=cylinder];",
            id.volume(i),
            dot_text(&v.name),
            dot_text(&v.kind)
        );
    }
    out.push_str("  }\n");
    for (n, e) in d.edges.iter().enumerate() {
        if let Edge::Outside { hosts, .. } = e {
            let _ = writeln!(
                out,
                "  {} [label=\"{}\", shape=oval, style=dashed];",
                id.outside(n),
                hosts
                    .iter()
                    .map(|h| dot_text(h))
                    .collect::<Vec<_>>()
                    .join("\\n")
            );
        }
    }
    for l in links(d, id) {
        let mut attrs = vec![format!("label=\"{}\"", dot_text(&l.label))];
        if l.dashed {
            attrs.push("style=dashed".to_string());
        }
        if l.undirected {
            attrs.push("dir=none".to_string());
        }
        let _ = writeln!(out, "  {} -> {} [{}];", l.from, l.to, attrs.join(", "));
    }
}
