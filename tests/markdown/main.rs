//! The reply renderer natively, one module per topic: its policy against an XSS corpus, the
//! CommonMark spec's examples and GFM's autolink examples, bare links in replies, "streaming
//! equals whole" over many chunkings, and the render-reply CLI.
#![cfg(not(target_arch = "wasm32"))]

mod autolinks;
mod cli;
mod policy;
mod spec;
mod streaming;

/// `text` in pieces of `size` characters.
pub fn chunks(text: &str, size: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

/// Passes when `cases` is empty; otherwise fails listing them, `verb` saying what they did.
pub fn none(cases: &[String], verb: &str) {
    assert!(
        cases.is_empty(),
        "{} {verb}:\n{}",
        cases.len(),
        cases.join("\n")
    );
}
