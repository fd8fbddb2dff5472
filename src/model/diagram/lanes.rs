//! The wide layout of the diagram: a box per container across the top with its line running
//! down, and under them one band per volume (its box in the gap that best parts its writers
//! from its readers), `localhost` link, call out of the pod and start step.

use super::canvas::{ASCII, Canvas, Glyphs, Options, Paint, UNICODE};
use super::{Diagram, Edge};
use crate::model::role::Flow;

const MAX_BOX: usize = 24;
const BOX_ROWS: usize = 4;
/// Volume bands before only the shared volumes are drawn.
const MAX_BANDS: usize = 4;

/// The diagram laid out wide.
pub(super) fn draw(d: &Diagram, opts: Options) -> Canvas {
    Lanes::new(d, opts).draw()
}

/// Every hostname outside the pod that a lane reaches, in edge order.
fn outside_hosts(d: &Diagram) -> Vec<&str> {
    let mut hosts: Vec<&str> = Vec::new();
    for e in &d.edges {
        if let Edge::Outside { hosts: h, .. } = e {
            for host in h {
                if !hosts.contains(&host.as_str()) {
                    hosts.push(host);
                }
            }
        }
    }
    hosts
}

/// Columns of boxes: the lanes, and the world outside the pod when a lane reaches it.
pub(super) fn slots(d: &Diagram) -> usize {
    d.lanes.len() + usize::from(!outside_hosts(d).is_empty())
}

/// The wide layout.
struct Lanes<'a> {
    d: &'a Diagram,
    g: &'static Glyphs,
    opts: Options,
    column: usize,
    canvas: Canvas,
}

impl<'a> Lanes<'a> {
    fn new(d: &'a Diagram, opts: Options) -> Lanes<'a> {
        let column = opts.width / slots(d).max(1);
        Lanes {
            d,
            g: if opts.ascii { &ASCII } else { &UNICODE },
            opts,
            column,
            canvas: Canvas::new(opts.width, opts.ascii),
        }
    }

    /// The width of a container's box.
    fn box_width(&self) -> usize {
        (self.column - 2).min(MAX_BOX)
    }

    /// The first column of lane `i`'s box, centred in its share of the width.
    fn left(&self, lane: usize) -> usize {
        lane * self.column + (self.column - self.box_width()) / 2
    }

    /// The column of lane `i`'s line.
    fn x(&self, lane: usize) -> usize {
        self.left(lane) + self.box_width() / 2
    }

    fn hot(&self, edge: &Edge) -> bool {
        self.opts.selected.is_some_and(|s| edge.touches(s))
    }

    fn draw(mut self) -> Canvas {
        self.boxes();
        self.chain();
        let (drawn, hidden) = self.volume_bands();
        for &v in &drawn {
            self.volume(v);
        }
        let links: Vec<&Edge> = self
            .d
            .edges
            .iter()
            .filter(|e| matches!(e, Edge::Localhost { .. } | Edge::Outside { .. }))
            .collect();
        for e in links {
            self.spacer();
            self.spacer();
            match e {
                Edge::Localhost {
                    from,
                    to,
                    address,
                    inferred,
                    ..
                } => self.link(*from, *to, address, *inferred, self.hot(e)),
                Edge::Outside { lane, hosts } => self.outside(*lane, hosts, self.hot(e)),
                _ => {}
            }
        }
        self.spacer();
        let row = self.canvas.push_row();
        let g = self.g;
        let mut legend = format!("{}{} the way the data goes", g.h, g.right);
        if self
            .d
            .edges
            .iter()
            .any(|e| matches!(e, Edge::Localhost { inferred: true, .. }))
        {
            legend.push_str(&format!("   {0}{0} implied by the pattern", g.dashed));
        }
        if !drawn.is_empty() {
            legend.push_str("   ro read-only, rw writable");
        }
        self.canvas
            .text(row, 0, self.opts.width, &legend, Paint::Muted, false);
        if !hidden.is_empty() {
            let row = self.canvas.push_row();
            let names: Vec<&str> = hidden
                .iter()
                .map(|&v| self.d.volumes[v].name.as_str())
                .collect();
            let text = format!(
                "Not drawn, each mounted by one container only: {} (v lists every volume)",
                names.join(", ")
            );
            self.canvas
                .text(row, 0, self.opts.width, &text, Paint::Muted, false);
        }
        self.canvas
    }

    /// The volumes to draw as bands, and those left out: every volume two containers share,
    /// and the others too while the picture stays small.
    fn volume_bands(&self) -> (Vec<usize>, Vec<usize>) {
        let users = |v: usize| {
            let mut lanes: Vec<usize> = self
                .d
                .edges
                .iter()
                .filter_map(|e| match e {
                    Edge::Mount { lane, volume, .. } if *volume == v => Some(*lane),
                    _ => None,
                })
                .collect();
            lanes.dedup();
            lanes.len()
        };
        let all: Vec<usize> = (0..self.d.volumes.len()).collect();
        if all.len() <= MAX_BANDS {
            return (all, Vec::new());
        }
        all.into_iter().partition(|&v| users(v) >= 2)
    }

    /// A row with every lane's line running through.
    fn spacer(&mut self) -> usize {
        let row = self.canvas.push_row();
        for lane in 0..self.d.lanes.len() {
            let hot = self.opts.selected == Some(lane);
            self.canvas
                .set(row, self.x(lane), self.g.v, Paint::Lane(lane), hot);
        }
        if slots(self.d) > self.d.lanes.len() {
            let x = self.x(self.d.lanes.len());
            self.canvas
                .set(row, x, self.g.dashed_v, Paint::Muted, false);
        }
        row
    }

    fn boxes(&mut self) {
        let g = self.g;
        let top = self.canvas.rows.len();
        for _ in 0..BOX_ROWS {
            self.canvas.push_row();
        }
        let width = self.box_width();
        for (i, lane) in self.d.lanes.iter().enumerate() {
            let (left, right) = (self.left(i), self.left(i) + width - 1);
            let hot = self.opts.selected == Some(i);
            let paint = Paint::Lane(i);
            for x in left..=right {
                self.canvas.set(top, x, g.h, paint, hot);
                self.canvas.set(top + 3, x, g.h, paint, hot);
            }
            for (row, (l, r)) in [(top, (g.tl, g.tr)), (top + 3, (g.bl, g.br))] {
                self.canvas.set(row, left, l, paint, hot);
                self.canvas.set(row, right, r, paint, hot);
            }
            for row in [top + 1, top + 2] {
                self.canvas.set(row, left, g.v, paint, hot);
                self.canvas.set(row, right, g.v, paint, hot);
            }
            self.canvas.set(top + 3, self.x(i), g.tee_down, paint, hot);
            self.canvas
                .text(top + 1, left + 2, right, &lane.name, Paint::Plain, hot);
            let role = if lane.native_sidecar {
                format!("{} (native)", lane.role)
            } else {
                lane.role.to_string()
            };
            let ports: Vec<String> = lane.ports.iter().map(|p| format!(":{p}")).collect();
            let line = if ports.is_empty() {
                role
            } else {
                format!("{role} {}", ports.join(" "))
            };
            self.canvas
                .text(top + 2, left + 2, right, &line, paint, hot);
        }
        let hosts = outside_hosts(self.d);
        if let Some(first) = hosts.first() {
            let slot = self.d.lanes.len();
            let (left, right) = (self.left(slot), self.left(slot) + width - 1);
            let paint = Paint::Muted;
            for x in left..=right {
                self.canvas.set(top, x, g.dashed, paint, false);
                self.canvas.set(top + 3, x, g.dashed, paint, false);
            }
            for row in [top + 1, top + 2] {
                self.canvas.set(row, left, g.dashed_v, paint, false);
                self.canvas.set(row, right, g.dashed_v, paint, false);
            }
            self.canvas
                .set(top + 3, self.x(slot), g.tee_down, paint, false);
            self.canvas.text(
                top + 1,
                left + 2,
                right,
                "outside the pod",
                Paint::Plain,
                false,
            );
            let more = match hosts.len() {
                1 => String::new(),
                n => format!(" +{}", n - 1),
            };
            let room = (width - 3).saturating_sub(more.len());
            let line = self.canvas.cut(first, room) + &more;
            self.canvas
                .text(top + 2, left + 2, right, &line, paint, false);
        }
    }

    /// The start order: each init container before the next, the last before the app.
    fn chain(&mut self) {
        let steps: Vec<&Edge> = self
            .d
            .edges
            .iter()
            .filter(|e| matches!(e, Edge::Before { .. }))
            .collect();
        let mut row = None;
        let mut reach = 0;
        for e in steps {
            let Edge::Before { from, to } = e else {
                continue;
            };
            let (a, b) = (self.x(*from), self.x(*to));
            let (lo, hi) = (a.min(b), a.max(b));
            let r = match row {
                Some(r) if lo >= reach => r,
                _ => {
                    self.spacer();
                    self.spacer()
                }
            };
            row = Some(r);
            reach = hi;
            self.arrow(r, a, b, self.g.h, "then", self.hot(e));
        }
    }

    /// A line from `a` to `b` on `row` with a head at `b` and `label` in the middle.
    fn arrow(&mut self, row: usize, a: usize, b: usize, line: char, label: &str, hot: bool) {
        let g = self.g;
        let (lo, hi) = (a.min(b), a.max(b));
        for x in lo + 1..hi {
            self.canvas.set(row, x, line, Paint::Line, hot);
        }
        self.junction(row, a, a < b, a > b, hot);
        let head = if b > a { g.right } else { g.left };
        let at = if b > a { b - 1 } else { b + 1 };
        self.canvas.set(row, at, head, Paint::Line, hot);
        self.junction(row, b, b < a, b > a, hot);
        let room = (hi - lo).saturating_sub(5);
        let text = self.canvas.cut(label, room);
        if !text.is_empty() {
            let len = text.chars().count() + 2;
            let start = lo + (hi - lo - len) / 2 + 1;
            self.canvas
                .text(row, start, hi, &format!(" {text} "), Paint::Muted, hot);
        }
    }

    /// A lane's line meeting a horizontal one going right and/or left.
    fn junction(&mut self, row: usize, x: usize, right: bool, left: bool, hot: bool) {
        let g = self.g;
        let ch = match (left, right) {
            (true, true) => g.cross,
            (true, false) => g.tee_left,
            (false, true) => g.tee_right,
            (false, false) => g.v,
        };
        let lane = (0..self.d.lanes.len()).find(|&l| self.x(l) == x);
        let paint = lane.map_or(Paint::Line, Paint::Lane);
        self.canvas.set(row, x, ch, paint, hot);
    }

    fn link(&mut self, from: usize, to: usize, address: &str, inferred: bool, hot: bool) {
        let row = self.canvas.rows.len() - 1;
        // A dashed line says the pattern implies it; the legend says so in words.
        let line = if inferred { self.g.dashed } else { self.g.h };
        self.arrow(row, self.x(from), self.x(to), line, address, hot);
    }

    /// An arrow to the box of the world outside, naming the first host it reaches.
    fn outside(&mut self, lane: usize, hosts: &[String], hot: bool) {
        let row = self.canvas.rows.len() - 1;
        let world = self.x(self.d.lanes.len());
        let first = hosts
            .first()
            .map_or("", |h| h.split('.').next().unwrap_or(h));
        let label = match hosts.len() {
            0 | 1 => first.to_string(),
            n => format!("{first} +{}", n - 1),
        };
        self.arrow(row, self.x(lane), world, self.g.h, &label, hot);
    }

    /// Three rows: the volume's box in the gap that best parts its writers from its readers,
    /// the line through every lane that mounts it, and each one's mount path.
    fn volume(&mut self, v: usize) {
        let mounts: Vec<(usize, Flow, String, bool)> = self
            .d
            .edges
            .iter()
            .filter_map(|e| match e {
                Edge::Mount {
                    lane,
                    volume,
                    path,
                    read_only,
                    flow,
                    ..
                } if *volume == v => {
                    let rw = if *read_only { "ro" } else { "rw" };
                    Some((*lane, *flow, format!("{path} {rw}"), self.hot(e)))
                }
                _ => None,
            })
            .collect();
        if mounts.is_empty() {
            return;
        }
        self.spacer();
        let top = self.spacer();
        let mid = self.spacer();
        let bottom = self.spacer();
        let node = &self.d.volumes[v];
        let hot = mounts.iter().any(|m| m.3);
        let gap = self.gap(&mounts);
        // The box spans the gap between the lines of lanes `gap` and `gap + 1`.
        let (gap_lo, gap_hi) = (
            self.x(gap) + 2,
            self.x(gap + 1).saturating_sub(1).min(self.opts.width - 1),
        );
        // Room for the box's borders, a space each side of the name, and an arrow each side.
        let label_room = gap_hi.saturating_sub(gap_lo).saturating_sub(6).max(3);
        let name = self.canvas.cut(&node.name, label_room);
        let kind = self.canvas.cut(&node.kind, label_room.saturating_sub(2));
        let inner = name.chars().count().max(kind.chars().count()) + 2;
        let box_w = inner + 2;
        let centre = (gap_lo + gap_hi) / 2;
        let left = centre
            .saturating_sub(box_w / 2)
            .max(gap_lo.saturating_sub(1));
        let right = left + box_w - 1;
        let lanes: Vec<usize> = mounts.iter().map(|m| m.0).collect();
        let lo = self.x(*lanes.iter().min().unwrap_or(&0)).min(left);
        let hi = self.x(*lanes.iter().max().unwrap_or(&0)).max(right);
        let g = self.g;
        for x in lo..=hi {
            if self.canvas.get(mid, x) == ' ' {
                self.canvas.set(mid, x, g.h, Paint::Line, hot);
            }
        }
        for &(lane, flow, _, edge_hot) in &mounts {
            let x = self.x(lane);
            self.junction(mid, x, x < hi, x > lo, edge_hot);
            let toward_box = if x < left { g.right } else { g.left };
            let away = if x < left { g.left } else { g.right };
            match flow {
                Flow::Writes => {
                    let at = if x < left { left - 1 } else { right + 1 };
                    self.canvas.set(mid, at, toward_box, Paint::Line, edge_hot);
                }
                Flow::Reads => {
                    let at = if x < left { x + 1 } else { x - 1 };
                    self.canvas.set(mid, at, away, Paint::Line, edge_hot);
                }
                Flow::Unknown => {}
            }
        }
        // The box itself, over the line.
        for x in left..=right {
            self.canvas.set(top, x, g.h, Paint::Volume, hot);
            self.canvas.set(bottom, x, g.h, Paint::Volume, hot);
            self.canvas.set(mid, x, ' ', Paint::Volume, hot);
        }
        for (row, l, r) in [(top, g.tl, g.tr), (bottom, g.bl, g.br)] {
            self.canvas.set(row, left, l, Paint::Volume, hot);
            self.canvas.set(row, right, r, Paint::Volume, hot);
        }
        self.canvas.set(mid, left, g.v, Paint::Volume, hot);
        self.canvas.set(mid, right, g.v, Paint::Volume, hot);
        let centred = |text: &str| left + 1 + (inner - text.chars().count()) / 2;
        self.canvas
            .text(mid, centred(&name), right, &name, Paint::Volume, hot);
        self.canvas
            .text(bottom, centred(&kind), right, &kind, Paint::Muted, hot);
        for &(lane, _, ref path, edge_hot) in &mounts {
            let line = self.x(lane);
            let end = if line < left { left } else { self.opts.width };
            let end = end.min(self.next_line(lane));
            let len = path.chars().count();
            // Beside the line on the right, or on its left when only that side has room.
            let floor = if line > right {
                self.previous_line(lane).max(right + 1)
            } else {
                self.previous_line(lane)
            };
            let left_room = line.saturating_sub(floor + 2);
            let start = if len > end.saturating_sub(line + 2) && left_room > end - line {
                line.saturating_sub(len.min(left_room) + 1)
            } else {
                line + 2
            };
            let end = if start < line { line } else { end };
            self.canvas
                .text(bottom, start, end, path, Paint::Muted, edge_hot);
        }
    }

    /// Where the previous lane's line is (or the edge), so a label starts after it.
    fn previous_line(&self, lane: usize) -> usize {
        if lane == 0 { 0 } else { self.x(lane - 1) }
    }

    /// Where the next lane's line is, so a label stops before it.
    fn next_line(&self, lane: usize) -> usize {
        if lane + 1 < self.d.lanes.len() {
            self.x(lane + 1) - 1
        } else {
            self.opts.width
        }
    }

    /// The gap (after lane `k`) that puts the most writers on one side and readers on the
    /// other; a volume with one user gets the gap beside it.
    fn gap(&self, mounts: &[(usize, Flow, String, bool)]) -> usize {
        let last = self.d.lanes.len().saturating_sub(1);
        let lanes: Vec<usize> = mounts.iter().map(|m| m.0).collect();
        let (min, max) = (
            *lanes.iter().min().unwrap_or(&0),
            *lanes.iter().max().unwrap_or(&0),
        );
        if min == max || last == 0 {
            return if min < last || last == 0 {
                min
            } else {
                min - 1
            };
        }
        let score = |k: usize| {
            let side = |left: bool, flow: Flow| {
                mounts
                    .iter()
                    .filter(|m| m.1 == flow && (m.0 <= k) == left)
                    .count()
            };
            let forward = side(true, Flow::Writes) + side(false, Flow::Reads);
            let backward = side(false, Flow::Writes) + side(true, Flow::Reads);
            forward.max(backward)
        };
        let centre = (min + max) as f32 / 2.0 - 0.5;
        (min..max)
            .max_by(|&a, &b| {
                score(a).cmp(&score(b)).then_with(|| {
                    let da = (a as f32 - centre).abs();
                    let db = (b as f32 - centre).abs();
                    db.total_cmp(&da)
                })
            })
            .unwrap_or(min)
    }
}
