//! Wrapping text by terminal cells.

/// Wrapping by terminal cells, one character at a time: a wide character (CJK, most emoji)
/// takes two cells and goes to the next row whole when only one is left. The log view's
/// drawing wraps with this too, so the rows counted here are the rows drawn.
#[derive(Debug, Clone, Copy)]
pub struct Wrap {
    width: usize,
    /// Cells used on the current row.
    pub used: usize,
    pub rows: usize,
}

impl Wrap {
    pub fn new(width: usize) -> Wrap {
        Wrap {
            width: width.max(1),
            used: 0,
            rows: 1,
        }
    }

    /// Place `c`; true when it starts a new row.
    pub fn place(&mut self, c: char) -> bool {
        let cells = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        let new_row = self.used > 0 && self.used + cells > self.width;
        if new_row {
            self.rows += 1;
            self.used = 0;
        }
        self.used += cells;
        new_row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, width: usize) -> usize {
        let mut wrap = Wrap::new(width);
        text.chars().for_each(|c| {
            wrap.place(c);
        });
        wrap.rows
    }

    #[test]
    fn wide_characters_take_two_cells_and_never_split() {
        assert_eq!(rows("abcdef", 3), 2);
        assert_eq!(rows("abcdefg", 3), 3);
        // 日本語 is 6 cells: 2 rows of 3 cells hold only one character each plus a spill.
        assert_eq!(rows("日本語", 4), 2);
        assert_eq!(rows("日本語", 3), 3);
        assert_eq!(rows("a日", 2), 2);
        // A combining accent takes no cell of its own.
        assert_eq!(rows("e\u{301}e\u{301}", 2), 1);
        assert_eq!(rows("", 5), 1);
    }
}
