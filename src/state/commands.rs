//! The kubectl command that does what podscope shows, for learners and for copying.

use crate::model::Pod;

/// Where the pod lives, as kubectl flags need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KubectlTarget {
    /// The kubeconfig context, when podscope runs against a cluster.
    pub context: Option<String>,
}

impl KubectlTarget {
    fn suffix(&self, pod: &Pod) -> String {
        let mut s = format!(" -n {}", quote(&pod.namespace));
        if let Some(ctx) = &self.context {
            s.push_str(&format!(" --context {}", quote(ctx)));
        }
        s
    }

    /// `kubectl exec -it POD -c C -n NS -- sh`.
    pub fn exec(&self, pod: &Pod, container: &str) -> String {
        self.exec_command(pod, container, &["sh".to_string()])
    }

    /// `kubectl exec -it POD -c C -n NS -- CMD ARGS...`.
    pub fn exec_command(&self, pod: &Pod, container: &str, argv: &[String]) -> String {
        let words: Vec<String> = argv.iter().map(|w| quote(w)).collect();
        format!(
            "kubectl exec -it {} -c {}{} -- {}",
            quote(&pod.name),
            quote(container),
            self.suffix(pod),
            words.join(" ")
        )
    }

    /// `kubectl logs POD -c C -n NS -f`.
    pub fn logs(&self, pod: &Pod, container: &str) -> String {
        format!(
            "kubectl logs {} -c {}{} -f",
            quote(&pod.name),
            quote(container),
            self.suffix(pod)
        )
    }

    /// `kubectl describe pod POD -n NS`.
    pub fn describe(&self, pod: &Pod) -> String {
        format!(
            "kubectl describe pod {}{}",
            quote(&pod.name),
            self.suffix(pod)
        )
    }
}

/// Quote a word for a POSIX shell when it needs it (names from a manifest file can hold
/// anything).
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/=@".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("count-agent"), "count-agent");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote(""), "''");
    }
}
