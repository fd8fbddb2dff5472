//! The diagram for narrow screens and crowded pods: each container on a line of its own, then
//! its edges one per line, an arrow first saying which way the data goes.

use super::canvas::{ASCII, Canvas, Options, Paint, UNICODE};
use super::{Diagram, Edge};
use crate::model::role::Flow;

pub(super) fn draw(d: &Diagram, opts: Options) -> Canvas {
    let g = if opts.ascii { &ASCII } else { &UNICODE };
    let out_arrow = format!("{0}{0}{1}", g.h, g.right);
    let in_arrow = format!("{1}{0}{0}", g.h, g.left);
    let dashed = format!("{0}{0}{1}", g.dashed, g.right);
    let mut canvas = Canvas::new(opts.width, opts.ascii);
    let line = |canvas: &mut Canvas, parts: &[(&str, Paint)], hot: bool| {
        let row = canvas.push_row();
        let mut x = 0;
        for (text, paint) in parts {
            x = canvas.text(row, x, opts.width, text, *paint, hot);
        }
    };
    for (i, lane) in d.lanes.iter().enumerate() {
        let hot = opts.selected == Some(i);
        let mut head = format!("{}  {}", lane.name, lane.role);
        if lane.native_sidecar {
            head.push_str(" (native)");
        }
        for p in &lane.ports {
            head.push_str(&format!(" :{p}"));
        }
        line(&mut canvas, &[(&head, Paint::Lane(i))], hot);
        for e in d.edges.iter().filter(|e| e.touches(i)) {
            let (arrow, what, other) = match e {
                Edge::Mount {
                    volume,
                    path,
                    read_only,
                    flow,
                    ..
                } => {
                    let v = &d.volumes[*volume];
                    let rw = if *read_only { "ro" } else { "rw" };
                    let what = format!("{} {}  {path} {rw}", v.name, v.kind);
                    let (arrow, peers) = match flow {
                        Flow::Writes => (
                            out_arrow.clone(),
                            d.peers(*volume, i, Flow::Reads).join(", "),
                        ),
                        Flow::Reads => (
                            in_arrow.clone(),
                            d.peers(*volume, i, Flow::Writes).join(", "),
                        ),
                        Flow::Unknown => (format!("{0}{0}{0}", g.h), String::new()),
                    };
                    (arrow, what, peers)
                }
                Edge::Localhost {
                    from,
                    to,
                    address,
                    inferred,
                    ..
                } => {
                    let implied = if *inferred { " (implied)" } else { "" };
                    let what = format!("{address}{implied}");
                    if *from == i {
                        let arrow = if *inferred { &dashed } else { &out_arrow };
                        (arrow.clone(), what, d.lanes[*to].name.clone())
                    } else {
                        (in_arrow.clone(), what, d.lanes[*from].name.clone())
                    }
                }
                Edge::Outside { hosts, .. } => (
                    out_arrow.clone(),
                    format!("out of the pod: {}", hosts.join(", ")),
                    String::new(),
                ),
                Edge::Before { from, to } if *from == i => (
                    out_arrow.clone(),
                    "then".to_string(),
                    d.lanes[*to].name.clone(),
                ),
                Edge::Before { .. } => continue,
            };
            let other = if other.is_empty() {
                String::new()
            } else {
                let mark = if arrow.starts_with(g.left) {
                    g.left
                } else {
                    g.right
                };
                format!("  {mark} {other}")
            };
            line(
                &mut canvas,
                &[
                    ("   ", Paint::Plain),
                    (&arrow, Paint::Line),
                    (" ", Paint::Plain),
                    (&what, Paint::Volume),
                    (&other, Paint::Muted),
                ],
                hot,
            );
        }
    }
    canvas
}
