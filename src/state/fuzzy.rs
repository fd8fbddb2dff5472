//! The `/` filter: every word typed must fuzzily match (its letters in order, case-insensitive)
//! one of a pod's namespace, name, labels, container names or images.

use crate::model::PodInsight;

/// A parsed filter: lower-case words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    words: Vec<String>,
}

impl Filter {
    pub fn new(text: &str) -> Filter {
        Filter {
            words: text.split_whitespace().map(str::to_lowercase).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether every word matches one of the pod's fields (what the list filter needs; it
    /// stops at the first field that matches).
    pub fn matches(&self, insight: &PodInsight) -> bool {
        self.words.iter().all(|word| {
            insight
                .search_text
                .split('\n')
                .any(|field| is_subsequence(word, field))
        })
    }

    /// Which characters of `text` the filter matches, for highlighting (by char index).
    pub fn positions(&self, text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        for word in &self.words {
            if let Some(p) = subsequence_positions(word, text) {
                out.extend(p);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// `needle` appears in `hay` in order (both lower case).
fn is_subsequence(needle: &str, hay: &str) -> bool {
    let mut rest = hay.chars();
    needle.chars().all(|n| rest.any(|h| h == n))
}

fn subsequence_positions(needle: &str, hay: &str) -> Option<Vec<usize>> {
    // Prefer a contiguous match when there is one.
    let lower = hay.to_lowercase();
    if let Some(byte) = lower.find(needle) {
        let start = lower[..byte].chars().count();
        return Some((start..start + needle.chars().count()).collect());
    }
    let mut positions = Vec::with_capacity(needle.len());
    let mut hay_chars = lower.chars().enumerate();
    for n in needle.chars() {
        let (i, _) = hay_chars.by_ref().find(|(_, h)| *h == n)?;
        positions.push(i);
    }
    Some(positions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsequences_and_highlights() {
        assert!(is_subsequence("cnt", "counter"));
        assert!(!is_subsequence("xyz", "counter"));
        assert!(!is_subsequence("cc", "counter"));
        assert_eq!(subsequence_positions("ter", "counter"), Some(vec![4, 5, 6]));
        assert_eq!(subsequence_positions("cr", "Counter"), Some(vec![0, 6]));
        let f = Filter::new("Count AGENT");
        assert_eq!(
            f.positions("count-agent"),
            (0..11).filter(|&i| i != 5).collect::<Vec<_>>()
        );
    }
}
