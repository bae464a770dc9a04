//! The reply as safe HTML (docs/architecture.md §5): CommonMark with tables, strikethrough, task
//! lists and GFM's extended autolinks through pulldown-cmark, under a policy for untrusted text.
//!
//! - Raw HTML, block and inline, is shown as text.
//! - Links only for `http`, `https` and `mailto`, decided after entity decoding, stripping
//!   control characters and whitespace, and case folding; each gets
//!   `rel="noopener noreferrer nofollow"` and `target="_blank"`. Anything else is plain text.
//!   Bare URLs, `www.` domains and e-mail addresses are links too ([`autolink`]), under the same
//!   test.
//! - Images load only from the allow-list (empty by default); otherwise a link with the alt
//!   text (or just the text when the URL is not a safe link either).
//! - No `style` or `on*` attribute is ever written (table alignment becomes a class).
//!
//! [`StreamRenderer`] renders while deltas arrive: finished top-level blocks are rendered once
//! and kept; only the open tail block is re-rendered, with its incomplete constructs closed for
//! display. When the turn ends its blocks equal [`render`] of the whole reply.
//!
//! The parts: [`policy`] (what may reach the page), [`autolink`] (bare links found in text),
//! [`blocks`] (where top-level blocks start), [`stream`] (rendering while it streams) and
//! [`display`] (the open tail closed for display).

mod autolink;
mod blocks;
mod display;
mod policy;
mod stream;

use std::collections::HashMap;

use pulldown_cmark::{BrokenLink, BrokenLinkCallback, CowStr, Options, Parser};

pub use display::close_for_display;
pub use policy::{ReplyPolicy, safe_link};
pub use stream::{StreamRenderer, Update, render_streamed};

fn options() -> Options {
    // Heading attributes, wiki links, footnotes, math and the rest stay off.
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
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

/// A parser of `text` with this module's options and callback type.
fn parser<'t, 'd>(text: &'t str, defs: Option<&'d Defs>) -> Parser<'t, EarlierDefs<'d>> {
    Parser::new_with_broken_link_callback(text, options(), defs.map(EarlierDefs))
}

fn render_with(markdown: &str, policy: &ReplyPolicy, defs: &Defs) -> String {
    let events = autolink::Autolinks::new(parser(markdown, Some(defs)));
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, policy::Sanitize::new(events, policy));
    out
}
