//! The diagram laid out as text, the way one draws a pod on a whiteboard: the wide layout
//! (`lanes.rs`: a box per container with its line running down, a band per volume, link and
//! step, the arrows pointing the way the data goes), or a compact list for narrow screens and
//! crowded pods (`compact.rs`). Cells carry what they show (`Paint`), never a colour: the TUI
//! and `describe` choose those.

use super::Diagram;

/// What a cell belongs to; the renderer picks the style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    Plain,
    Muted,
    /// A container's box, name and role, in its role's colour.
    Lane(usize),
    Volume,
    Line,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub ch: char,
    pub paint: Paint,
    /// Part of the selected container's box or edges.
    pub hot: bool,
}

const BLANK: Cell = Cell {
    ch: ' ',
    paint: Paint::Plain,
    hot: false,
};

/// The characters to draw with: box drawing, or plain ASCII for terminals without it.
pub struct Glyphs {
    pub h: char,
    pub v: char,
    pub dashed: char,
    pub tl: char,
    pub tr: char,
    pub bl: char,
    pub br: char,
    pub dashed_v: char,
    pub tee_down: char,
    pub tee_right: char,
    pub tee_left: char,
    pub cross: char,
    pub right: char,
    pub left: char,
}

pub const UNICODE: Glyphs = Glyphs {
    h: '─',
    v: '│',
    dashed: '╌',
    dashed_v: '╎',
    tl: '┌',
    tr: '┐',
    bl: '└',
    br: '┘',
    tee_down: '┬',
    tee_right: '├',
    tee_left: '┤',
    cross: '┼',
    right: '▶',
    left: '◀',
};

pub const ASCII: Glyphs = Glyphs {
    h: '-',
    v: '|',
    dashed: '.',
    dashed_v: ':',
    tl: '+',
    tr: '+',
    bl: '+',
    br: '+',
    tee_down: '+',
    tee_right: '+',
    tee_left: '+',
    cross: '+',
    right: '>',
    left: '<',
};

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Columns available.
    pub width: usize,
    /// The lane to highlight.
    pub selected: Option<usize>,
    pub ascii: bool,
}

/// Rows of cells, all `width` wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canvas {
    pub width: usize,
    pub rows: Vec<Vec<Cell>>,
    /// Cut text ends in `~` rather than `…`.
    pub ascii: bool,
}

/// The narrowest column a container box gets before the compact list takes over.
pub const MIN_COLUMN: usize = 18;

impl Canvas {
    pub(super) fn new(width: usize, ascii: bool) -> Canvas {
        Canvas {
            width,
            rows: Vec::new(),
            ascii,
        }
    }

    pub(super) fn push_row(&mut self) -> usize {
        self.rows.push(vec![BLANK; self.width]);
        self.rows.len() - 1
    }

    pub(super) fn set(&mut self, row: usize, x: usize, ch: char, paint: Paint, hot: bool) {
        if let Some(cell) = self.rows.get_mut(row).and_then(|r| r.get_mut(x)) {
            *cell = Cell { ch, paint, hot };
        }
    }

    pub(super) fn get(&self, row: usize, x: usize) -> char {
        self.rows
            .get(row)
            .and_then(|r| r.get(x))
            .map_or(' ', |c| c.ch)
    }

    /// Writes `text` from `x`, stopping before `end`; returns the column after it.
    pub(super) fn text(
        &mut self,
        row: usize,
        x: usize,
        end: usize,
        text: &str,
        paint: Paint,
        hot: bool,
    ) -> usize {
        let end = end.min(self.width);
        let room = end.saturating_sub(x);
        let mut col = x;
        for ch in self.cut(text, room).chars() {
            self.set(row, col, ch, paint, hot);
            col += 1;
        }
        col
    }

    /// `text` in at most `room` columns, cut with an ellipsis this canvas can draw.
    pub(super) fn cut(&self, text: &str, room: usize) -> String {
        fit_with(text, room, if self.ascii { '~' } else { '…' })
    }

    /// Each row as runs of one paint and heat, for a renderer.
    pub fn runs(&self) -> Vec<Vec<(String, Paint, bool)>> {
        self.rows
            .iter()
            .map(|row| {
                let mut runs: Vec<(String, Paint, bool)> = Vec::new();
                for cell in row {
                    match runs.last_mut() {
                        Some((text, paint, hot)) if *paint == cell.paint && *hot == cell.hot => {
                            text.push(cell.ch)
                        }
                        _ => runs.push((cell.ch.to_string(), cell.paint, cell.hot)),
                    }
                }
                runs
            })
            .collect()
    }

    /// The picture as plain text, trailing blanks trimmed.
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for row in &self.rows {
            let line: String = row.iter().map(|c| c.ch).collect();
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// `text` in at most `room` columns, cut with `ellipsis` when longer.
fn fit_with(text: &str, room: usize, ellipsis: char) -> String {
    let len = text.chars().count();
    if len <= room {
        return text.to_string();
    }
    if room == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(room - 1).collect();
    cut.push(ellipsis);
    cut
}

/// The picture for `width` columns: the lanes side by side when each gets [`MIN_COLUMN`]
/// columns, else the compact list.
pub fn draw(d: &Diagram, opts: Options) -> Canvas {
    if opts.width / super::lanes::slots(d).max(1) < MIN_COLUMN {
        return super::compact::draw(d, opts);
    }
    super::lanes::draw(d, opts)
}
