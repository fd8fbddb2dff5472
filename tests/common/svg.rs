//! A rendered terminal buffer as an SVG image: one rectangle per run of background colour and
//! one text run per run of style, on a monospace grid. GitHub renders SVG in READMEs.

use std::fmt::Write;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 18.0;
const FONT: f32 = 14.0;

/// The 16 basic terminal colours (xterm's defaults).
fn named(c: Color) -> Option<&'static str> {
    Some(match c {
        Color::Black => "#000000",
        Color::Red => "#cd0000",
        Color::Green => "#00cd00",
        Color::Yellow => "#cdcd00",
        Color::Blue => "#0000ee",
        Color::Magenta => "#cd00cd",
        Color::Cyan => "#00cdcd",
        Color::Gray => "#e5e5e5",
        Color::DarkGray => "#7f7f7f",
        Color::LightRed => "#ff0000",
        Color::LightGreen => "#00ff00",
        Color::LightYellow => "#ffff00",
        Color::LightBlue => "#5c5cff",
        Color::LightMagenta => "#ff00ff",
        Color::LightCyan => "#00ffff",
        Color::White => "#ffffff",
        _ => return None,
    })
}

fn hex(c: Color, default: &str) -> String {
    match c {
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Reset => default.to_string(),
        other => named(other).unwrap_or(default).to_string(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `buf` drawn on `background` with `foreground` as the terminal's default text colour.
pub fn to_svg(buf: &Buffer, background: &str, foreground: &str) -> String {
    let area = buf.area;
    let width = area.width as f32 * CELL_W;
    let height = area.height as f32 * CELL_H;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.1} {height:.1}">"#
    );
    let _ = writeln!(
        out,
        r#"<rect width="100%" height="100%" fill="{background}"/>"#
    );
    let _ = writeln!(
        out,
        r#"<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="{FONT}" xml:space="preserve">"#
    );
    for y in 0..area.height {
        // Backgrounds.
        let mut x = 0;
        while x < area.width {
            let cell = &buf[(x, y)];
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let bg = if reversed { cell.fg } else { cell.bg };
            let start = x;
            while x < area.width && {
                let c = &buf[(x, y)];
                let r = c.modifier.contains(Modifier::REVERSED);
                (if r { c.fg } else { c.bg }) == bg && r == reversed
            } {
                x += 1;
            }
            if bg != Color::Reset || reversed {
                let fill = hex(bg, if reversed { foreground } else { background });
                let _ = writeln!(
                    out,
                    r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{CELL_H}" fill="{fill}"/>"#,
                    start as f32 * CELL_W,
                    y as f32 * CELL_H,
                    (x - start) as f32 * CELL_W
                );
            }
        }
        // Text runs of one style.
        let mut x = 0;
        while x < area.width {
            let cell = &buf[(x, y)];
            let key = (cell.fg, cell.bg, cell.modifier);
            let start = x;
            let mut text = String::new();
            while x < area.width && {
                let c = &buf[(x, y)];
                (c.fg, c.bg, c.modifier) == key
            } {
                text.push_str(buf[(x, y)].symbol());
                x += 1;
            }
            if text.trim().is_empty() {
                continue;
            }
            let reversed = key.2.contains(Modifier::REVERSED);
            let fill = if reversed {
                hex(key.1, background)
            } else {
                hex(key.0, foreground)
            };
            let mut attrs = String::new();
            if key.2.contains(Modifier::BOLD) {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if key.2.contains(Modifier::DIM) {
                attrs.push_str(r#" opacity="0.6""#);
            }
            if key.2.contains(Modifier::UNDERLINED) {
                attrs.push_str(r#" text-decoration="underline""#);
            }
            let _ = writeln!(
                out,
                r#"<text x="{:.1}" y="{:.1}" fill="{fill}"{attrs}>{}</text>"#,
                start as f32 * CELL_W,
                y as f32 * CELL_H + FONT,
                escape(&text)
            );
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}
