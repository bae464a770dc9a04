//! The reply as safe HTML (docs/architecture.md §5): CommonMark with tables, strikethrough and task
//! lists through pulldown-cmark, under a policy for untrusted text.
//!
//! - Raw HTML, block and inline, is shown as text.
//! - Links only for `http`, `https` and `mailto`, decided after entity decoding, stripping
//!   control characters and whitespace, and case folding; each gets
//!   `rel="noopener noreferrer nofollow"` and `target="_blank"`. Anything else is plain text.
//! - Images load only from the allow-list (empty by default); otherwise a link with the alt
//!   text (or just the text when the URL is not a safe link either).
//! - No `style` or `on*` attribute is ever written (table alignment becomes a class).
//!
//! [`StreamRenderer`] renders while deltas arrive: finished top-level blocks are rendered once
//! and kept; only the open tail block is re-rendered, with its incomplete constructs closed for
//! display. When the turn ends its blocks equal [`render`] of the whole reply.

use std::collections::HashMap;
use std::fmt::Write as _;

use pulldown_cmark::{
    Alignment, BrokenLink, BrokenLinkCallback, CodeBlockKind, CowStr, Event, LinkType, Options,
    Parser, Tag, TagEnd,
};
use pulldown_cmark_escape::{escape_href, escape_html};

/// What a reply may load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplyPolicy {
    /// URL prefixes images may load from, e.g. `https://cdn.flowyte.com/`. Empty: no image
    /// is ever loaded.
    pub image_prefixes: Vec<String>,
}

fn options() -> Options {
    // Heading attributes, wiki links, footnotes, math and the rest stay off.
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// The scheme test: after pulldown-cmark decoded entities and backslash escapes, drop control
/// characters and whitespace (browsers ignore them inside a scheme), fold case, and allow only
/// `http:`, `https:` and `mailto:`.
pub fn safe_link(url: &str) -> bool {
    let folded: String = url
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .take(8)
        .flat_map(char::to_lowercase)
        .collect();
    ["http:", "https:", "mailto:"]
        .iter()
        .any(|scheme| folded.starts_with(scheme))
}

fn loadable_image(url: &str, policy: &ReplyPolicy) -> bool {
    let folded = url.trim().to_lowercase();
    (folded.starts_with("https:") || folded.starts_with("http:"))
        && url.chars().all(|c| !c.is_control() && !c.is_whitespace())
        && policy
            .image_prefixes
            .iter()
            .any(|prefix| url.starts_with(prefix.as_str()))
}

/// A reference definition seen earlier in the reply: `(url, title)` by normalised label.
type Defs = HashMap<String, (String, String)>;

/// Link labels match case-insensitively with whitespace collapsed (CommonMark §4.7; full
/// Unicode case folding approximated by lowercasing).
fn label_key(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Renders a whole reply.
pub fn render(markdown: &str, policy: &ReplyPolicy) -> String {
    render_with(markdown, policy, &Defs::new())
}

/// Resolves a reference the reply's own text does not define from the definitions of earlier
/// blocks. One named type for every parser this module makes, so pulldown-cmark's parser is
/// compiled once (a second callback type was a second copy of it in the wasm: 4 KB gzip).
struct EarlierDefs<'d>(&'d Defs);

impl<'input> BrokenLinkCallback<'input> for EarlierDefs<'_> {
    fn handle_broken_link(
        &mut self,
        link: BrokenLink<'input>,
    ) -> Option<(CowStr<'input>, CowStr<'input>)> {
        self.0
            .get(&label_key(&link.reference))
            .map(|(url, title)| (CowStr::from(url.clone()), CowStr::from(title.clone())))
    }
}

fn render_with(markdown: &str, policy: &ReplyPolicy, defs: &Defs) -> String {
    let parser =
        Parser::new_with_broken_link_callback(markdown, options(), Some(EarlierDefs(defs)));
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, Sanitize::new(parser, policy));
    out
}

/// What the end of a link or image becomes.
#[derive(Clone, Copy, Debug)]
enum Close {
    Anchor,
    Image,
    Nothing,
}

/// Rewrites events so that only markup the policy allows reaches the HTML writer. Every
/// `Event::Html` it lets through is one it wrote itself: the source's raw HTML became text.
struct Sanitize<'p, I> {
    inner: I,
    policy: &'p ReplyPolicy,
    /// For each open link or image: what its end becomes.
    ends: Vec<Close>,
    /// Column alignments of the open table, and the next cell's column.
    aligns: Vec<Alignment>,
    column: usize,
    in_head: bool,
}

impl<'a, 'p, I: Iterator<Item = Event<'a>>> Sanitize<'p, I> {
    fn new(inner: I, policy: &'p ReplyPolicy) -> Self {
        Self {
            inner,
            policy,
            ends: Vec::new(),
            aligns: Vec::new(),
            column: 0,
            in_head: false,
        }
    }

    fn html(s: impl Into<CowStr<'a>>) -> Event<'a> {
        Event::Html(s.into())
    }

    fn anchor(url: &str, title: &str, class: Option<&str>) -> Event<'a> {
        let mut tag = String::from("<a href=\"");
        escape_href(&mut tag, url).expect("writing to a String");
        tag.push('"');
        if !title.is_empty() {
            tag.push_str(" title=\"");
            escape_html(&mut tag, title).expect("writing to a String");
            tag.push('"');
        }
        if let Some(class) = class {
            let _ = write!(tag, " class=\"{class}\"");
        }
        tag.push_str(" rel=\"noopener noreferrer nofollow\" target=\"_blank\">");
        Self::html(tag)
    }

    fn cell_open(&mut self) -> Event<'a> {
        let tag = if self.in_head { "th" } else { "td" };
        let class = match self.aligns.get(self.column) {
            Some(Alignment::Left) => " class=\"align-left\"",
            Some(Alignment::Center) => " class=\"align-center\"",
            Some(Alignment::Right) => " class=\"align-right\"",
            _ => "",
        };
        self.column += 1;
        Self::html(format!("<{tag}{class}>"))
    }

    fn map(&mut self, event: Event<'a>) -> Event<'a> {
        match event {
            Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                // An email autolink's destination comes without its scheme.
                let dest_url = if link_type == LinkType::Email {
                    CowStr::from(format!("mailto:{dest_url}"))
                } else {
                    dest_url
                };
                if safe_link(&dest_url) {
                    self.ends.push(Close::Anchor);
                    Self::anchor(&dest_url, &title, None)
                } else {
                    self.ends.push(Close::Nothing);
                    Self::html("")
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if loadable_image(&dest_url, self.policy) {
                    self.ends.push(Close::Image);
                    Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                } else if safe_link(&dest_url) {
                    // Never loaded: a link the person may follow, named by the alt text.
                    self.ends.push(Close::Anchor);
                    Self::anchor(&dest_url, &title, Some("image-link"))
                } else {
                    self.ends.push(Close::Nothing);
                    Self::html("")
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => match self.ends.pop() {
                Some(Close::Image) => Event::End(TagEnd::Image),
                Some(Close::Anchor) => Self::html("</a>"),
                Some(Close::Nothing) | None => Self::html(""),
            },
            // Code blocks and tables scroll sideways inside the reply, so each scroller takes
            // keyboard focus (tabindex 0): a keyboard can scroll what a mouse can.
            Event::Start(Tag::CodeBlock(kind)) => {
                let mut html = String::from(
                    "<div class=\"code-block\"><button type=\"button\" class=\"copy-code\">Copy</button>\n<pre tabindex=\"0\"><code",
                );
                // The info string's first word, as pulldown-cmark's writer names the language.
                if let CodeBlockKind::Fenced(info) = &kind
                    && let Some(lang) = info.split(' ').next().filter(|l| !l.is_empty())
                {
                    html.push_str(" class=\"language-");
                    escape_html(&mut html, lang).expect("writing to a String");
                    html.push('"');
                }
                html.push('>');
                Event::Html(html.into())
            }
            Event::End(TagEnd::CodeBlock) => Self::html("</code></pre>\n</div>\n"),
            Event::Start(Tag::Table(aligns)) => {
                self.aligns = aligns;
                Self::html("<div class=\"table-scroll\" tabindex=\"0\"><table>\n")
            }
            Event::End(TagEnd::Table) => {
                let close = if self.in_head {
                    "</table></div>\n"
                } else {
                    "</tbody></table></div>\n"
                };
                self.in_head = false;
                Self::html(close)
            }
            Event::Start(Tag::TableHead) => {
                self.in_head = true;
                self.column = 0;
                Self::html("<thead><tr>")
            }
            Event::End(TagEnd::TableHead) => Self::html("</tr></thead>\n"),
            Event::Start(Tag::TableRow) => {
                self.column = 0;
                if self.in_head {
                    self.in_head = false;
                    Self::html("<tbody>\n<tr>")
                } else {
                    Self::html("<tr>")
                }
            }
            Event::End(TagEnd::TableRow) => Self::html("</tr>\n"),
            Event::Start(Tag::TableCell) => self.cell_open(),
            Event::End(TagEnd::TableCell) => {
                // The column was advanced when the cell opened.
                let in_head = self.in_head;
                Self::html(if in_head { "</th>" } else { "</td>" })
            }
            other => other,
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Sanitize<'_, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let event = self.inner.next()?;
        Some(self.map(event))
    }
}

/// Does `before` end with a blank line (or is it empty)? `before` ends where a line starts.
fn after_blank_line(before: &str) -> bool {
    let Some(body) = before.strip_suffix('\n') else {
        return before.trim().is_empty();
    };
    let previous = &body[body.rfind('\n').map_or(0, |i| i + 1)..];
    previous.trim().is_empty()
}

/// A reference definition and where it starts in the parsed text.
struct Definition {
    at: usize,
    label: String,
    url: String,
    title: String,
}

/// The definitions as the renderer looks them up.
fn defs_of(found: impl IntoIterator<Item = Definition>) -> Defs {
    found
        .into_iter()
        .map(|d| (d.label, (d.url, d.title)))
        .collect()
}

/// Top-level blocks of `text`: the byte offset where each starts (reference definitions and
/// blank lines belong to the block before them), and the definitions it holds, each with
/// where it starts, all from one parse.
fn top_level_blocks(text: &str) -> (Vec<usize>, Vec<Definition>) {
    // No callback (as `Parser::new_ext`), with the type `render_with`'s parser has.
    let parser = Parser::new_with_broken_link_callback(text, options(), None::<EarlierDefs<'_>>);
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
        let (mut starts, found) = top_level_blocks(tail);
        // Every block but the last is closed by the one after it, except that a line still
        // arriving right under a block (no blank line between) can change it: `-` may become
        // a setext `---`, `|` a table row, a word a lazy continuation. That block stays open.
        if let Some(&last) = starts.last()
            && !tail[last..].contains('\n')
            && !after_blank_line(&tail[..last])
        {
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

/// The whole reply rendered block by block (what [`StreamRenderer::finish`] falls back to).
fn split_rendered(text: &str, policy: &ReplyPolicy) -> Vec<String> {
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

/// Closes the open tail's incomplete constructs so it reads well while it streams: an open
/// link shows as its text until the URL is complete, an open image shows nothing, an open
/// inline code span and open emphasis are closed. (An open code fence needs nothing: CommonMark
/// runs it to the end.) Only for display; the final render never uses it.
pub fn close_for_display(tail: &str) -> String {
    if in_open_fence(tail) {
        return tail.to_owned();
    }
    let mut text = tail.to_owned();
    // The last line holds any construct still open.
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    let mut line = text.split_off(line_start);
    cut_open_link(&mut line);
    close_code_and_emphasis(&mut line);
    text.push_str(&line);
    text
}

fn in_open_fence(text: &str) -> bool {
    let mut open: Option<(char, usize)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() > 3 {
            continue;
        }
        for fence in ['`', '~'] {
            let run = trimmed.chars().take_while(|c| *c == fence).count();
            if run >= 3 {
                match open {
                    None => open = Some((fence, run)),
                    Some((f, n)) if f == fence && run >= n && trimmed[run..].trim().is_empty() => {
                        open = None
                    }
                    _ => {}
                }
            }
        }
    }
    open.is_some()
}

/// `… [text](http://exa` → `… text`; `… ![alt](http://exa` → `… `; `… [text` → `… text`.
fn cut_open_link(line: &mut String) {
    // The last `[` that is not closed by a complete `](…)` or `]` later on.
    let Some(open) = line.rfind('[') else {
        return;
    };
    let after = &line[open + 1..];
    let image = open > 0 && line.as_bytes()[open - 1] == b'!';
    let start = if image { open - 1 } else { open };
    match after.find(']') {
        None => {
            // `[text` still growing.
            let text = after.to_owned();
            line.truncate(start);
            if !image {
                line.push_str(&text);
            }
        }
        Some(close) => {
            let rest = &after[close + 1..];
            if rest.starts_with('(') && !rest.contains(')') {
                let text = after[..close].to_owned();
                line.truncate(start);
                if !image {
                    line.push_str(&text);
                }
            }
        }
    }
}

/// Appends closers for an open inline code span and for open `*`/`_`/`~~` emphasis.
fn close_code_and_emphasis(line: &mut String) {
    let chars: Vec<char> = line.chars().collect();
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    let mut code: Option<usize> = None;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            i += 2;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        if c == '`' {
            match code {
                None => code = Some(run),
                Some(n) if n == run => code = None,
                _ => {}
            }
            i += run;
            continue;
        }
        if code.is_none() && matches!(c, '*' | '_' | '~') {
            let before = if i == 0 { ' ' } else { chars[i - 1] };
            let next = chars.get(i + run).copied().unwrap_or(' ');
            let delim: String = std::iter::repeat_n(c, run.min(3)).collect();
            let closes = !before.is_whitespace() && stack.last() == Some(&delim);
            let strike_run = c != '~' || run == 2;
            let opens = !next.is_whitespace() && strike_run;
            if closes {
                stack.pop();
            } else if opens && (c != '_' || !before.is_alphanumeric()) {
                stack.push(delim);
            }
        }
        i += run;
    }
    if let Some(n) = code {
        line.extend(std::iter::repeat_n('`', n));
        return;
    }
    // Emphasis that closes must not follow a space: "**bold " → "**bold**".
    if !stack.is_empty() {
        let trimmed = line.trim_end().len();
        let trailing = line.split_off(trimmed);
        while let Some(delim) = stack.pop() {
            line.push_str(&delim);
        }
        line.push_str(&trailing);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        render(md, &ReplyPolicy::default())
    }

    #[test]
    fn safe_links_get_rel_and_target() {
        assert_eq!(
            html("[docs](https://docs.flowyte.com)"),
            "<p><a href=\"https://docs.flowyte.com\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">docs</a></p>\n"
        );
    }

    #[test]
    fn unsafe_links_are_text() {
        assert_eq!(html("[x](javascript:alert(1))"), "<p>x</p>\n");
        assert_eq!(html("[x](/relative)"), "<p>x</p>\n");
    }

    #[test]
    fn raw_html_is_text() {
        assert_eq!(html("<b>hi</b>"), "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n");
        assert_eq!(
            html("a <img src=x onerror=alert(1)> b"),
            "<p>a &lt;img src=x onerror=alert(1)&gt; b</p>\n"
        );
    }

    #[test]
    fn images_are_links_unless_allowed() {
        assert_eq!(
            html("![chart](https://evil.example/p.png?d=secret)"),
            "<p><a href=\"https://evil.example/p.png?d=secret\" class=\"image-link\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">chart</a></p>\n"
        );
        let policy = ReplyPolicy {
            image_prefixes: vec!["https://cdn.flowyte.com/".into()],
        };
        assert!(render("![a](https://cdn.flowyte.com/a.png)", &policy).contains("<img src="));
    }

    #[test]
    fn tables_scroll_and_align_without_style() {
        let out = html("| a | b |\n|:--|--:|\n| 1 | 2 |\n");
        assert!(
            out.starts_with("<div class=\"table-scroll\" tabindex=\"0\"><table>"),
            "{out}"
        );
        assert!(out.contains("<th class=\"align-left\">a</th>"), "{out}");
        assert!(out.contains("<td class=\"align-right\">2</td>"), "{out}");
        assert!(!out.contains("style"));
    }

    #[test]
    fn code_blocks_have_a_copy_button() {
        let out = html("```rust\nfn main() {}\n```\n");
        assert_eq!(
            out,
            "<div class=\"code-block\"><button type=\"button\" class=\"copy-code\">Copy</button>\n<pre tabindex=\"0\"><code class=\"language-rust\">fn main() {}\n</code></pre>\n</div>\n"
        );
    }

    #[test]
    fn the_tail_closes_what_is_open() {
        assert_eq!(close_for_display("some **bold"), "some **bold**");
        assert_eq!(close_for_display("a `code"), "a `code`");
        assert_eq!(
            close_for_display("see [the docs](https://docs.fl"),
            "see the docs"
        );
        assert_eq!(close_for_display("see [the do"), "see the do");
        assert_eq!(close_for_display("pic ![alt](https://x"), "pic ");
        assert_eq!(close_for_display("2 * 3 = 6"), "2 * 3 = 6");
        assert_eq!(close_for_display("*one **two"), "*one **two***");
        assert_eq!(close_for_display("```\ncode *x"), "```\ncode *x");
        assert_eq!(close_for_display("snake_case_name"), "snake_case_name");
    }

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
        assert_eq!(stream.blocks().concat(), html(md));
    }
}
