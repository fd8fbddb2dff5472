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

    /// The pod's best score when every word matches something, higher is better.
    pub fn score(&self, insight: &PodInsight) -> Option<i32> {
        let pod = &insight.pod;
        let mut total = 0;
        for word in &self.words {
            let mut best: Option<i32> = None;
            let mut consider = |hay: &str, bonus: i32| {
                if let Some(s) = subsequence_score(word, hay) {
                    best = Some(best.map_or(s + bonus, |b| b.max(s + bonus)));
                }
            };
            consider(&pod.name, 20);
            consider(&pod.namespace, 5);
            for (k, v) in &pod.labels {
                consider(k, 0);
                consider(v, 0);
            }
            for c in &pod.containers {
                consider(&c.name, 10);
                if let Some(image) = &c.image {
                    consider(image, 0);
                }
            }
            total += best?;
        }
        Some(total)
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

/// `needle` (lower case) as a subsequence of `hay`: a score favouring contiguous runs and
/// matches at the start, or `None`.
pub fn subsequence_score(needle: &str, hay: &str) -> Option<i32> {
    let positions = subsequence_positions(needle, hay)?;
    let mut score = 0;
    let mut previous: Option<usize> = None;
    for &p in &positions {
        score += match previous {
            Some(q) if p == q + 1 => 3,
            _ => 1,
        };
        previous = Some(p);
    }
    if positions.first() == Some(&0) {
        score += 4;
    }
    if hay.chars().count() == positions.len() {
        score += 6;
    }
    Some(score)
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
    fn subsequences_and_contiguous_runs() {
        assert!(subsequence_score("cnt", "counter").is_some());
        assert!(subsequence_score("xyz", "counter").is_none());
        assert!(subsequence_score("count", "counter") > subsequence_score("cnt", "counter"));
        assert_eq!(subsequence_positions("ter", "counter"), Some(vec![4, 5, 6]));
        assert_eq!(subsequence_positions("cr", "Counter"), Some(vec![0, 6]));
    }
}
