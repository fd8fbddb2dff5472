//! What a container's arrows say, in words: "count-agent reads what count writes into varlog".
//! The pattern notes and the diagram view use these sentences to point at the picture.

use super::{Diagram, Edge};
use crate::model::role::Flow;

/// One sentence per arrow that touches `lane`, the data arrows first.
pub fn arrows_of(d: &Diagram, lane: usize) -> Vec<String> {
    let Some(me) = d.lanes.get(lane) else {
        return Vec::new();
    };
    let name = me.name.as_str();
    let mut data = Vec::new();
    let mut other = Vec::new();
    for e in d.edges.iter().filter(|e| e.touches(lane)) {
        match e {
            Edge::Mount { volume, flow, .. } => {
                let v = &d.volumes[*volume].name;
                let peers = |want: Flow| d.peers(*volume, lane, want);
                match flow {
                    Flow::Reads => match peers(Flow::Writes)[..] {
                        [] => data.push(format!("{name} reads {v} ({}).", d.volumes[*volume].kind)),
                        ref writers => data.push(format!(
                            "{name} reads what {} writes into {v}.",
                            writers.join(" and ")
                        )),
                    },
                    Flow::Writes => {
                        let readers = peers(Flow::Reads);
                        if !readers.is_empty() {
                            data.push(format!(
                                "{name} writes into {v} what {} reads.",
                                readers.join(" and ")
                            ));
                        }
                    }
                    Flow::Unknown => {}
                }
            }
            Edge::Localhost {
                from,
                to,
                address,
                inferred,
                ..
            } => {
                let implied = if *inferred {
                    " (the pattern implies it; the spec does not show the address)"
                } else {
                    ""
                };
                let (a, b) = (&d.lanes[*from].name, &d.lanes[*to].name);
                data.push(format!("{a} calls {b} at {address}{implied}."));
            }
            Edge::Outside { hosts, .. } => {
                let more = match hosts.len() {
                    0 | 1 => String::new(),
                    n => format!(" and {} more", n - 1),
                };
                let first = hosts.first().map_or("", String::as_str);
                data.push(format!("{name} goes out of the pod, to {first}{more}."));
            }
            Edge::Before { from, to } => {
                let (a, b) = (&d.lanes[*from].name, &d.lanes[*to].name);
                other.push(if d.lanes[*from].native_sidecar {
                    format!("{a} starts before {b} and keeps running beside it.")
                } else {
                    format!("{a} runs to completion before {b} starts.")
                });
            }
        }
    }
    data.extend(other);
    data
}
