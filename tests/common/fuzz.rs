//! What the fuzz tests share: a seeded PRNG (a failure is reproducible from its seed and case),
//! text mutations with a dictionary of the tokens the parsers care about, and running every
//! step a pod goes through (loading, conversion, role inference, lints, describe's outputs,
//! the diagram) so a panic anywhere is found.

use podscope::describe::{json, table};
use podscope::model::PodInsight;
use podscope::model::diagram::canvas::{Options, draw};
use podscope::model::diagram::{diagram, export};
use podscope::model::manifest::parse_manifests;

/// xorshift64*: small, deterministic, good enough to pick mutations.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Everything a manifest goes through; panics propagate. Returns how many pods were analysed.
pub fn exercise(text: &str) -> usize {
    match parse_manifests(text, "fuzz") {
        Ok(set) => {
            let _ = set.refused();
            let pods: Vec<PodInsight> = set.insights(&[]);
            let _ = json::to_string(&pods);
            let _ = table::render(&pods, table::Paint { enabled: true });
            let diagrams: Vec<_> = pods.iter().map(diagram).collect();
            let _ = export::mermaid(&diagrams);
            let _ = export::dot(&diagrams);
            for (d, width) in diagrams
                .iter()
                .zip([0, 1, 17, 30, 61, 80, 200].iter().cycle())
            {
                for selected in [None, Some(0), Some(usize::MAX)] {
                    let opts = Options {
                        width: *width,
                        selected,
                        ascii: selected.is_none(),
                    };
                    let _ = draw(d, opts).plain();
                }
            }
            pods.len()
        }
        Err(e) => {
            let _ = e.to_string();
            0
        }
    }
}

/// Pieces of YAML and JSON syntax, and of the values podscope reads closely (commands,
/// hosts, ports, paths, the roles' annotations), inserted or swapped in by [`mutate_text`].
pub const TOKENS: &[&str] = &[
    "\n",
    "\n  ",
    "\n- ",
    ": ",
    ":",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "<<: *a\n",
    "!!binary ",
    "!!str ",
    "!!int ",
    "!custom ",
    "|\n  ",
    ">-\n  ",
    "---\n",
    "...\n",
    "~",
    "null",
    "true",
    "0x1F",
    "1e999",
    "-0",
    ".inf",
    "9999999999999999999999",
    "\t",
    "\r\n",
    "\u{feff}",
    "\u{0}",
    "ñ",
    "🦀",
    "\u{202e}",
    "\\u0000",
    "%YAML 1.2\n",
    "? ",
    "kind: Pod\n",
    "kind: List\n",
    "items:\n",
    "containers:\n",
    "initContainers:\n",
    "- name: x\n",
    "restartPolicy: Always\n",
    "image: a@sha256:0\n",
    "image: :\n",
    "localhost:",
    "127.0.0.1:",
    ":0",
    ":65536",
    "containerPort: ",
    "mountPath: /",
    "readOnly: ",
    "subPath: ../",
    "command: ",
    "args: ",
    "sh -c ",
    " >> ",
    " | ",
    "tail -F ",
    "role.podscope.io/",
    "default-container",
    "sidecar.istio.io/status: ",
    "{\"initContainers\":[\"x\"]}",
];

/// One to a few random edits of `text`: a token inserted or written over, a byte flipped, a
/// line duplicated, dropped or re-indented, a cut, or a splice with `other`.
pub fn mutate_text(text: &str, other: &str, rng: &mut Rng) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(9) {
            0 | 1 => {
                let token = rng.pick(TOKENS).as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
            2 => {
                let token = rng.pick(TOKENS).as_bytes();
                let end = (at + token.len()).min(bytes.len());
                bytes.splice(at..end, token.iter().copied());
            }
            3 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] ^= 1 << rng.below(8);
            }
            4 | 5 => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
                let i = rng.below(lines.len());
                match rng.below(3) {
                    0 => {
                        let copy = lines[i].clone();
                        lines.insert(i, copy);
                    }
                    1 => {
                        lines.remove(i);
                    }
                    _ => {
                        let indent = if rng.below(2) == 0 { "  " } else { " " };
                        lines[i].splice(0..0, indent.bytes());
                    }
                }
                bytes = lines.join(&b'\n');
            }
            6 => bytes.truncate(at),
            7 => {
                let other = other.as_bytes();
                let from = rng.below(other.len() + 1);
                let to = (from + rng.below(400)).min(other.len());
                bytes.splice(at..at, other[from..to].iter().copied());
            }
            _ => {
                let to = (at + rng.below(40)).min(bytes.len());
                bytes.drain(at..to);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
