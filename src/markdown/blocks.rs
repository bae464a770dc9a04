//! Where a reply's top-level blocks start, and the reference definitions it holds: what
//! [`super::StreamRenderer`] splits the text by.

use pulldown_cmark::{Event, Tag};

use super::{Defs, ReplyPolicy, label_key, parser, render_with};

/// A top-level block: where it starts (reference definitions and blank lines belong to the
/// block before it), and whether it is a list (the one block a later item, after a blank line,
/// still continues).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Block {
    pub start: usize,
    pub list: bool,
}

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

/// Top-level blocks of `text` and the definitions it holds, each with where it starts, all
/// from one parse.
pub(super) fn top_level_blocks(text: &str) -> (Vec<Block>, Vec<Definition>) {
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
    let mut blocks: Vec<Block> = Vec::new();
    let mut depth = 0usize;
    // A block's range can begin after its indentation (indented code): a block starts where
    // its line starts.
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut push = |start: usize, list: bool| {
        if blocks.last().is_none_or(|b| b.start != start) {
            blocks.push(Block { start, list });
        }
    };
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    push(line_start(range.start), matches!(tag, Tag::List(_)));
                }
                depth += 1;
            }
            Event::End(_) => depth -= 1,
            _ if depth == 0 => push(line_start(range.start), false),
            _ => {}
        }
    }
    (blocks, defs)
}

/// The whole reply rendered block by block (what [`super::StreamRenderer::finish`] falls back
/// to).
pub(super) fn split_rendered(text: &str, policy: &ReplyPolicy) -> Vec<String> {
    let (blocks, found) = top_level_blocks(text);
    let defs = defs_of(found);
    let mut ends: Vec<usize> = blocks.iter().skip(1).map(|b| b.start).collect();
    ends.push(text.len());
    blocks
        .iter()
        .zip(ends)
        .map(|(b, e)| render_with(&text[b.start..e], policy, &defs))
        .collect()
}
