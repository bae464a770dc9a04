//! Where a reply's top-level blocks start, and the reference definitions it holds: what
//! [`super::StreamRenderer`] splits the text by.

use pulldown_cmark::Event;

use super::{Defs, ReplyPolicy, label_key, parser, render_with};

/// A reference definition and where it starts in the parsed text.
pub(super) struct Definition {
    pub at: usize,
    pub label: String,
    pub url: String,
    pub title: String,
}

/// The definitions as the renderer looks them up.
pub(super) fn defs_of(found: impl IntoIterator<Item = Definition>) -> Defs {
    found
        .into_iter()
        .map(|d| (d.label, (d.url, d.title)))
        .collect()
}

/// Does `before` end with a blank line (or is it empty)? `before` ends where a line starts.
pub(super) fn after_blank_line(before: &str) -> bool {
    let Some(body) = before.strip_suffix('\n') else {
        return before.trim().is_empty();
    };
    let previous = &body[body.rfind('\n').map_or(0, |i| i + 1)..];
    previous.trim().is_empty()
}

/// Top-level blocks of `text`: the byte offset where each starts (reference definitions and
/// blank lines belong to the block before them), and the definitions it holds, each with
/// where it starts, all from one parse.
pub(super) fn top_level_blocks(text: &str) -> (Vec<usize>, Vec<Definition>) {
    // No callback (as `Parser::new_ext`), with the type `render_with`'s parser has.
    let parser = parser(text, None);
    let defs = parser
        .reference_definitions()
        .iter()
        .map(|(label, def)| Definition {
            at: def.span.start,
            label: label_key(label),
            url: def.dest.to_string(),
            title: def.title.as_deref().unwrap_or("").to_owned(),
        })
        .collect();
    let mut starts = Vec::new();
    let mut depth = 0usize;
    // A block's range can begin after its indentation (indented code): a block starts where
    // its line starts.
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(_) => {
                if depth == 0 {
                    starts.push(line_start(range.start));
                }
                depth += 1;
            }
            Event::End(_) => depth -= 1,
            _ if depth == 0 => starts.push(line_start(range.start)),
            _ => {}
        }
    }
    starts.dedup();
    (starts, defs)
}

/// The whole reply rendered block by block (what [`super::StreamRenderer::finish`] falls back
/// to).
pub(super) fn split_rendered(text: &str, policy: &ReplyPolicy) -> Vec<String> {
    let (starts, found) = top_level_blocks(text);
    let defs = defs_of(found);
    let mut ends: Vec<usize> = starts.iter().skip(1).copied().collect();
    ends.push(text.len());
    starts
        .iter()
        .zip(ends)
        .map(|(&s, e)| render_with(&text[s..e], policy, &defs))
        .collect()
}
