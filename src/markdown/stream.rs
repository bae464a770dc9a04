//! Rendering while the reply streams in: finished top-level blocks once, the open tail again
//! per delta, and at the end the same blocks as rendering the whole reply.

use super::blocks::{Block, after_blank_line, defs_of, split_rendered, top_level_blocks};
use super::display::close_for_display;
use super::{Defs, ReplyPolicy, render_with};

/// What changed in the rendered reply after a delta.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Update {
    /// Blocks that just finished, in order: append them, they never change again.
    pub finished: Vec<String>,
    /// The open tail block, closed for display: replaces the previous tail.
    pub tail: String,
}

/// Renders a reply as it streams in.
#[derive(Debug, Default)]
pub struct StreamRenderer {
    policy: ReplyPolicy,
    text: String,
    /// Where the open tail starts in `text`.
    committed: usize,
    /// The finished blocks' HTML, in order.
    blocks: Vec<String>,
    /// Reference definitions seen in finished blocks (labels normalised).
    defs: Defs,
    /// A definition appeared after a block was finished: [`StreamRenderer::finish`] renders
    /// the whole reply once, as a later definition can turn earlier text into a link.
    late_definition: bool,
}

impl StreamRenderer {
    pub fn new(policy: ReplyPolicy) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    /// The reply so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The finished blocks so far.
    pub fn blocks(&self) -> &[String] {
        &self.blocks
    }

    /// Adds a delta: parses only the open tail, finishes the blocks before its last one and
    /// re-renders that last one.
    pub fn push(&mut self, delta: &str) -> Update {
        self.text.push_str(delta);
        let tail = &self.text[self.committed..];
        let (blocks, found) = top_level_blocks(tail);
        let mut starts: Vec<usize> = blocks.iter().map(|b| b.start).collect();
        if still_open(tail, &blocks) {
            starts.pop();
        }
        let mut finished = Vec::new();
        if starts.len() >= 2 {
            let last = *starts.last().expect("two or more");
            // Definitions apply to the whole reply, earlier text included: blocks finished in
            // an earlier push may have missed one found now (finish() then renders it whole).
            let finished_defs = defs_of(found.into_iter().filter(|d| d.at < last));
            if !finished_defs.is_empty() && !self.blocks.is_empty() {
                self.late_definition = true;
            }
            self.defs.extend(finished_defs);
            for pair in starts.windows(2) {
                let slice = &tail[pair[0]..pair[1]];
                finished.push(render_with(slice, &self.policy, &self.defs));
            }
            self.committed += last;
            self.blocks.extend(finished.iter().cloned());
        }
        let open = &self.text[self.committed..];
        Update {
            finished,
            tail: render_with(&close_for_display(open), &self.policy, &self.defs),
        }
    }

    /// The turn ended: the final blocks, equal to [`render`] of the whole reply. Returns
    /// `(index of the first block that changed, the blocks from there on)`.
    pub fn finish(&mut self) -> (usize, Vec<String>) {
        let (_, open_defs) = top_level_blocks(&self.text[self.committed..]);
        if !open_defs.is_empty() && !self.blocks.is_empty() {
            self.late_definition = true;
        }
        if self.late_definition {
            let whole = split_rendered(&self.text, &self.policy);
            let first_changed = self
                .blocks
                .iter()
                .zip(&whole)
                .position(|(a, b)| a != b)
                .unwrap_or(self.blocks.len().min(whole.len()));
            self.blocks = whole;
            self.committed = self.text.len();
            return (first_changed, self.blocks[first_changed..].to_vec());
        }
        let open = &self.text[self.committed..];
        let from = self.blocks.len();
        if !open.trim().is_empty() {
            self.blocks
                .push(render_with(open, &self.policy, &self.defs));
        }
        self.committed = self.text.len();
        (from, self.blocks[from..].to_vec())
    }
}

/// Feeds `input` to a [`StreamRenderer`] `chunk` bytes at a time, the way a stream arrives
/// (a character split between chunks waits for its other bytes), and returns the final HTML:
/// what the panel's blocks hold when the turn ends. `render-reply --stream N` prints it.
pub fn render_streamed(
    input: &[u8],
    chunk: usize,
    policy: &ReplyPolicy,
) -> Result<String, std::str::Utf8Error> {
    // Reject invalid input up front, as a whole render would.
    std::str::from_utf8(input)?;
    let mut stream = StreamRenderer::new(policy.clone());
    let mut pending: Vec<u8> = Vec::new();
    for bytes in input.chunks(chunk.max(1)) {
        pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&pending) {
            Ok(_) => pending.len(),
            Err(e) => e.valid_up_to(),
        };
        if valid > 0 {
            let text = std::str::from_utf8(&pending[..valid]).expect("checked above");
            stream.push(text);
            pending.drain(..valid);
        }
    }
    stream.finish();
    Ok(stream.blocks().concat())
}

/// Can the line still arriving change the block before it? The last block is on that line
/// (nothing after it yet), and either
/// - it sits right under the block before (no blank line between): `-` may become a setext
///   `---`, `|` a table row, a word a lazy continuation; or
/// - the block before is a list, and all that has arrived of the line is a number: it may be
///   the next item's (`2` of `2. b`), which a blank line does not end a list before.
///
/// Then the block before stays open with it. (Any other line after a blank line, an indented
/// one included, parses as what it will stay: its indentation arrives before its text.)
fn still_open(tail: &str, blocks: &[Block]) -> bool {
    let Some(last) = blocks.last() else {
        return false;
    };
    let line = &tail[last.start..];
    if line.contains('\n') {
        return false;
    }
    if !after_blank_line(&tail[..last.start]) {
        return true;
    }
    let before_is_list = blocks.len() >= 2 && blocks[blocks.len() - 2].list;
    let number = line.trim_start();
    before_is_list
        && !number.is_empty()
        && number.len() <= 9
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::render;

    #[test]
    fn streaming_finishes_blocks_and_ends_equal_to_the_whole() {
        let md = "# Title\n\nFirst paragraph with **bold**.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nLast.";
        let mut stream = StreamRenderer::new(ReplyPolicy::default());
        let mut finished = 0;
        for chunk in md.as_bytes().chunks(7) {
            let update = stream.push(std::str::from_utf8(chunk).unwrap());
            finished += update.finished.len();
        }
        assert_eq!(
            finished, 4,
            "title, paragraph, list and table finished while streaming"
        );
        stream.finish();
        assert_eq!(
            stream.blocks().concat(),
            render(md, &ReplyPolicy::default())
        );
    }
}
