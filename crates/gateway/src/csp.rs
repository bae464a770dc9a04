//! The Content-Security-Policy of the served panel: the wasm module may run, and nothing more
//! than the panel needs is allowed.
//!
//! Trunk's `index.html` starts the module from one inline `<script type="module">`; rather than
//! allowing inline scripts, the policy names that script by its SHA-256 hash, computed from the
//! built file when the gateway starts.

use std::path::Path;

use base64::Engine;
use sha2::{Digest, Sha256};

/// The policy for the panel built in `dist`, embeddable by `frame_ancestors`.
pub fn policy(dist: &Path, frame_ancestors: &str) -> std::io::Result<String> {
    let index = std::fs::read_to_string(dist.join("index.html"))?;
    let hashes: String = inline_scripts(&index)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    Ok(format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors}"
    ))
}

/// The text of each `<script …>` without a `src`, exactly as the browser hashes it.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, body) = rest.split_once('>')?;
        let (script, _) = body.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(script)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = "<script type=\"module\">init()</script><script src=\"/a.js\"></script>";
        let scripts: Vec<_> = inline_scripts(html).collect();
        assert_eq!(scripts, ["init()"]);
    }

    #[test]
    fn the_policy_names_the_script_hash() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("index.html"),
            "<script type=\"module\">init()</script>",
        )
        .unwrap();
        let policy = policy(dir.path(), "'self' https://dashboard.example").unwrap();
        // echo -n 'init()' | openssl dgst -sha256 -binary | base64
        assert!(
            policy.contains("'sha256-w4ujnOpjBoH2vcasx+reJRUwYivG8Q3afx/XevGJod8='"),
            "{policy}"
        );
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(policy.ends_with("frame-ancestors 'self' https://dashboard.example"));
        assert!(!policy.contains("unsafe-inline"));
    }
}
