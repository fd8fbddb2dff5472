//! kube-rs errors in the words a person (and kubectl) would use.

/// What the API server (or the connection to it) said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// The HTTP status code when the server answered; `None` when it could not be reached.
    pub code: Option<u16>,
    /// The server's machine-readable reason (`NotFound`, `Forbidden`, `BadRequest` ...).
    pub reason: String,
    pub message: String,
}

impl ApiFailure {
    pub fn from_kube(e: &kube::Error) -> ApiFailure {
        if let kube::Error::Api(s) = e {
            return ApiFailure {
                code: Some(s.code),
                reason: s.reason.clone(),
                message: s.message.clone(),
            };
        }
        ApiFailure {
            code: None,
            reason: String::new(),
            message: innermost(e),
        }
    }

    pub fn forbidden(&self) -> bool {
        self.code == Some(403)
    }

    pub fn not_found(&self) -> bool {
        self.code == Some(404)
    }

    /// kubectl's line for it: `Error from server (NotFound): pods "x" not found`.
    pub fn kubectl_text(&self) -> String {
        match self.code {
            Some(code) => {
                let reason = if self.reason.is_empty() {
                    format!("HTTP {code}")
                } else {
                    self.reason.clone()
                };
                format!("Error from server ({reason}): {}", self.message)
            }
            None => format!("error: {}", self.message),
        }
    }
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.code, self.message.is_empty()) {
            (Some(code), false) => write!(f, "{code}: {}", self.message),
            (Some(code), true) if !self.reason.is_empty() => write!(f, "{code} {}", self.reason),
            (Some(code), true) => write!(f, "HTTP {code}"),
            (None, _) => f.write_str(&self.message),
        }
    }
}

/// The most specific message in an error's chain ("Connection refused" rather than "client
/// error (Connect)"), keeping the outer text when the inner one adds nothing.
pub fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text = more;
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_words() {
        let f = ApiFailure {
            code: Some(404),
            reason: "NotFound".into(),
            message: "pods \"x\" not found".into(),
        };
        assert_eq!(
            f.kubectl_text(),
            "Error from server (NotFound): pods \"x\" not found"
        );
        assert_eq!(f.to_string(), "404: pods \"x\" not found");
        assert!(f.not_found() && !f.forbidden());
    }
}
