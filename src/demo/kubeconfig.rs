//! The kubeconfig a demo run writes: one cluster and two users, each with its own bearer
//! token and context: `podscope-demo` may do everything, `podscope-demo-viewer` may only read
//! (exec and debug containers are forbidden, to practise RBAC refusals). Created with mode
//! 0600 so no other local user can read the tokens.

use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub const CONTEXT: &str = "podscope-demo";
/// The read-only user's context, and the user name RBAC messages give.
pub const VIEWER_CONTEXT: &str = "podscope-demo-viewer";
pub const VIEWER_USER: &str = "viewer";

/// The run's bearer tokens.
pub struct Tokens {
    pub admin: String,
    pub viewer: String,
}

/// `bytes` random bytes from the kernel, hex-encoded.
pub fn random_hex(bytes: usize) -> std::io::Result<String> {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A new directory only its owner can enter, under the system temp dir.
pub fn private_temp_dir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "podscope-demo-{}-{}",
        std::process::id(),
        random_hex(4)?
    ));
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    Ok(dir)
}

pub fn write(path: &Path, server: &str, tokens: &Tokens, ca_pem: &str) -> std::io::Result<()> {
    let ca = STANDARD.encode(ca_pem.as_bytes());
    let (token, viewer_token) = (&tokens.admin, &tokens.viewer);
    let text = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: {CONTEXT}
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: {CONTEXT}
  user:
    token: {token}
- name: {VIEWER_USER}
  user:
    token: {viewer_token}
contexts:
- name: {CONTEXT}
  context:
    cluster: {CONTEXT}
    user: {CONTEXT}
    namespace: default
- name: {VIEWER_CONTEXT}
  context:
    cluster: {CONTEXT}
    user: {VIEWER_USER}
    namespace: default
current-context: {CONTEXT}
"
    );
    // Replace any old file rather than writing through it: its mode may be wider.
    let _ = std::fs::remove_file(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}
