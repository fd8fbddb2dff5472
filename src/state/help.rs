//! The help overlay's content laid out for a terminal size: every key from the keymap tables
//! and the glyph legend, in two columns when they fit side by side, else one, wrapped to the
//! width and scrolled with the usual keys when taller than the screen.

use super::keymap::{BINDINGS, Binding, Key, LOG_BINDINGS};
use crate::model::{ContainerRole, ContainerStateKind};

/// Key names take this many cells, then the text.
pub const KEY_WIDTH: usize = 9;
/// Below this inner width per column the two columns go one under the other.
const COLUMN: usize = 56;
/// The overlay's border and the two columns' gap.
const BORDER: usize = 2;
const GAP: usize = 2;
/// The overlay is never wider than this.
pub const MAX_WIDTH: u16 = 150;

/// One line of the help, before styling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpRow {
    Heading(&'static str),
    /// `key` is empty on the lines a long text wraps onto.
    Key {
        key: &'static str,
        text: String,
    },
    Legend(Vec<LegendItem>),
    Blank,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegendItem {
    Role {
        role: ContainerRole,
        native: bool,
        name: &'static str,
    },
    /// What the glyph's colour says.
    State {
        kind: ContainerStateKind,
        name: &'static str,
    },
}

impl LegendItem {
    fn width(self) -> usize {
        match self {
            // glyph, space, name, two spaces
            LegendItem::Role { name, .. } => name.chars().count() + 4,
            LegendItem::State { name, .. } => name.chars().count() + 2,
        }
    }
}

/// The help laid out: one or two columns of rows, and how wide each column is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLayout {
    pub columns: Vec<Vec<HelpRow>>,
    pub column_width: usize,
}

impl HelpLayout {
    /// For a terminal of `width` x `height` cells.
    pub fn new(width: u16) -> HelpLayout {
        let inner = usize::from(width.min(MAX_WIDTH)).saturating_sub(BORDER);
        let two = inner >= 2 * COLUMN + GAP;
        let column_width = if two {
            (inner - GAP) / 2
        } else {
            inner.max(KEY_WIDTH + 10)
        };
        let mut pods = vec![HelpRow::Heading("Pods and containers")];
        pods.extend(keys(BINDINGS, column_width));
        let mut logs = vec![HelpRow::Heading("In the log view")];
        logs.extend(keys(LOG_BINDINGS, column_width));
        logs.push(HelpRow::Blank);
        logs.push(HelpRow::Heading("Mouse (off with --no-mouse)"));
        for text in wrap(
            "click selects a row, a container or a diagram box; double-click opens it (a container: its logs); the wheel scrolls; a click on a footer hint presses its key. Hold Shift to select text as usual.",
            column_width.saturating_sub(KEY_WIDTH + 1),
        ) {
            logs.push(HelpRow::Key { key: "", text });
        }
        logs.push(HelpRow::Blank);
        logs.push(HelpRow::Heading("Glyphs"));
        logs.extend(legend(column_width));
        let columns = if two {
            vec![pods, logs]
        } else {
            pods.push(HelpRow::Blank);
            pods.extend(logs);
            vec![pods]
        };
        HelpLayout {
            columns,
            column_width,
        }
    }

    /// Rows the tallest column needs.
    pub fn height(&self) -> usize {
        self.columns.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// How far the help can scroll in a terminal `height` rows tall.
    pub fn max_scroll(&self, height: u16) -> usize {
        self.height()
            .saturating_sub(usize::from(height).saturating_sub(BORDER))
    }
}

fn keys(table: &'static [Binding], width: usize) -> Vec<HelpRow> {
    let mut rows = Vec::new();
    for b in table.iter().filter(|b| !b.shown.is_empty()) {
        for (i, text) in wrap(b.help, width.saturating_sub(KEY_WIDTH + 1))
            .into_iter()
            .enumerate()
        {
            let key = if i == 0 { b.shown } else { "" };
            rows.push(HelpRow::Key { key, text });
        }
    }
    rows
}

/// Word-wrap `text` to `width` columns; a word longer than that is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let line = lines.last_mut().expect("never empty");
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        let line = lines.last_mut().expect("never empty");
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        if line.chars().count() > width {
            *line = line.chars().take(width).collect();
        }
    }
    lines
}

fn legend(width: usize) -> Vec<HelpRow> {
    use ContainerRole::*;
    let roles = [
        (Main, false, "main"),
        (Sidecar, false, "sidecar"),
        (Adapter, false, "adapter"),
        (Ambassador, false, "ambassador"),
        (Init, false, "init"),
        (Sidecar, true, "native sidecar"),
        (Ephemeral, false, "ephemeral"),
    ]
    .map(|(role, native, name)| LegendItem::Role { role, native, name });
    let states = [
        (ContainerStateKind::Running, "running"),
        (ContainerStateKind::Waiting, "waiting"),
        (ContainerStateKind::Completed, "completed"),
        (ContainerStateKind::Failed, "failed"),
        (ContainerStateKind::CrashLoop, "crash loop"),
    ]
    .map(|(kind, name)| LegendItem::State { kind, name });
    let mut rows = pack(&roles, width);
    rows.push(HelpRow::Heading("Glyph colours"));
    rows.extend(pack(&states, width));
    rows
}

/// As many items per row as fit.
fn pack(items: &[LegendItem], width: usize) -> Vec<HelpRow> {
    let mut rows: Vec<Vec<LegendItem>> = vec![Vec::new()];
    let mut used = 1;
    for &item in items {
        let row = rows.last_mut().expect("never empty");
        if !row.is_empty() && used + item.width() > width {
            rows.push(Vec::new());
            used = 1;
        }
        rows.last_mut().expect("never empty").push(item);
        used += item.width();
    }
    rows.into_iter().map(HelpRow::Legend).collect()
}

/// A key while the help is open: scroll keys scroll, `q` and Ctrl-C quit, any other closes.
pub enum HelpKey {
    Scroll(isize),
    Top,
    Bottom,
    Close,
}

pub fn help_key(key: Key, page: usize) -> HelpKey {
    let page = page.max(1) as isize;
    match key {
        Key::Char('j') | Key::Down => HelpKey::Scroll(1),
        Key::Char('k') | Key::Up => HelpKey::Scroll(-1),
        Key::PageDown | Key::Ctrl('f') | Key::Char(' ') => HelpKey::Scroll(page),
        Key::PageUp | Key::Ctrl('b') => HelpKey::Scroll(-page),
        Key::Char('g') | Key::Home => HelpKey::Top,
        Key::Char('G') | Key::End => HelpKey::Bottom,
        _ => HelpKey::Close,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widest(layout: &HelpLayout) -> usize {
        layout
            .columns
            .iter()
            .flatten()
            .map(|row| match row {
                HelpRow::Key { text, .. } => KEY_WIDTH + 1 + text.chars().count(),
                HelpRow::Legend(items) => 1 + items.iter().map(|i| i.width()).sum::<usize>(),
                HelpRow::Heading(h) => 1 + h.len(),
                HelpRow::Blank => 0,
            })
            .max()
            .unwrap()
    }

    #[test]
    fn everything_fits_the_width_in_one_or_two_columns() {
        for width in [40, 80, 100, 120, 200] {
            let layout = HelpLayout::new(width);
            assert!(
                widest(&layout) <= layout.column_width,
                "{width}: {} > {}",
                widest(&layout),
                layout.column_width
            );
            assert_eq!(layout.columns.len(), if width >= 116 { 2 } else { 1 });
        }
    }

    #[test]
    fn every_shown_key_is_listed_and_long_texts_wrap_under_their_text() {
        let layout = HelpLayout::new(40);
        let keys: Vec<&str> = layout.columns[0]
            .iter()
            .filter_map(|r| match r {
                HelpRow::Key { key, .. } if !key.is_empty() => Some(*key),
                _ => None,
            })
            .collect();
        let shown = BINDINGS
            .iter()
            .chain(LOG_BINDINGS)
            .filter(|b| !b.shown.is_empty())
            .count();
        assert_eq!(keys.len(), shown);
        assert!(
            layout.columns[0]
                .iter()
                .any(|r| matches!(r, HelpRow::Key { key: "", .. }))
        );
    }

    #[test]
    fn scrolling_stops_at_the_last_row() {
        let layout = HelpLayout::new(80);
        assert_eq!(layout.max_scroll(24), layout.height() - 22);
        assert_eq!(HelpLayout::new(200).max_scroll(100), 0);
    }

    #[test]
    fn wrapping_keeps_words_whole_and_cuts_only_longer_ones() {
        assert_eq!(wrap("a bb ccc dddd", 8), vec!["a bb ccc", "dddd"]);
        assert_eq!(wrap("abcdefghijkl", 8), vec!["abcdefgh"]);
    }
}
