//! Shell-style patterns with `*` (any run of characters) and `?` (one character), matched
//! case-insensitively. Used by the role knowledge table and by user role rules.

pub fn glob_match(pattern: &str, text: &str) -> bool {
    // Byte-wise, ASCII case folding, no allocation: this runs for every container of every
    // pod against the whole knowledge table. Non-ASCII bytes compare exactly.
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // Iterative matcher with backtracking to the last `*`: linear in practice, never recursive.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn stars_and_literals() {
        assert!(glob_match("*fluentd*", "fluentd-gcp"));
        assert!(glob_match("*exporter*", "nginx/nginx-prometheus-exporter"));
        assert!(glob_match("nginx", "NGINX"));
        assert!(!glob_match("nginx", "nginx-unprivileged"));
        assert!(glob_match("*/nginx", "library/nginx"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("", "x"));
        assert!(glob_match("*a*b*c*", "xxaxxbxxcxx"));
        assert!(!glob_match("*a*b*c*", "xxaxxcxxbxx"));
    }
}
