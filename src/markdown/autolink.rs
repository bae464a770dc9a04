//! GFM's extended autolinks: bare `http://` and `https://` URLs, `www.` domains and e-mail
//! addresses in a reply's text become links, as GitHub renders them.
//!
//! [`linkify`] finds them in the text events (never in code, and never inside a link or an
//! image, whose text is already a link's); the GFM spec's path validation then decides where a
//! URL ends: at whitespace or `<`, without trailing `?!.,:*_~'"` (nor a closing curly quote),
//! without a `)` it does not open, and without a trailing `&name;` that reads as an entity
//! reference. A `www.` link must start a line or follow whitespace, `*`, `_`, `~`, `(` or an
//! opening quote, and gets `http://`; an address gets `mailto:`. The links are ordinary link
//! events, so [`super::policy::Sanitize`] applies the same scheme test, `rel` and `target` to
//! them as to written links.
//!
//! Where linkify is stricter than the spec's examples it is kept: a top-level domain has at
//! least two letters (`a@b.c` is not an address; no real one has one letter), and a host has
//! no `_`.

use std::collections::VecDeque;
use std::ops::Range;

use linkify::{LinkFinder, LinkKind};
use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

/// A bare link in a run of text.
#[derive(Debug, PartialEq, Eq)]
struct Found {
    range: Range<usize>,
    href: String,
    email: bool,
}

/// The bare links in `text`, in order, none overlapping. `at_boundary`: a `www.` link may
/// start at the beginning of `text` (what came before it was a line start, whitespace or an
/// emphasis delimiter).
fn find(text: &str, at_boundary: bool) -> Vec<Found> {
    // Nothing can start a link without one of these: most text costs one scan.
    if !text.contains([':', '@']) && !text.contains("www.") {
        return Vec::new();
    }
    let mut kept: Vec<Found> = Vec::new();
    // A candidate inside a link already taken is not looked at: every character is scanned
    // for a link once (a `www.` in the path of another would otherwise scan its rest again).
    let free = |kept: &[Found], at: usize| kept.last().is_none_or(|k| k.range.end <= at);
    let mut www_at = text
        .match_indices("www.")
        .map(|(at, _)| at)
        .filter(|&at| at_boundary_at(text, at, at_boundary))
        .peekable();
    let mut take_www_before = |kept: &mut Vec<Found>, limit: usize| {
        while let Some(at) = www_at.next_if(|&at| at < limit) {
            if free(kept, at)
                && let Some(link) = www(text, at)
            {
                kept.push(link);
            }
        }
    };
    for link in LinkFinder::new().links(text) {
        take_www_before(&mut kept, link.start());
        if !free(&kept, link.start()) {
            continue;
        }
        let found = match link.kind() {
            LinkKind::Url => url(text, link.start(), link.end()),
            LinkKind::Email => email(text, link.start(), link.end()),
            _ => None,
        };
        kept.extend(found);
    }
    take_www_before(&mut kept, text.len());
    kept
}

/// What a `www.` link may follow besides whitespace: GFM's `*`, `_`, `~` and `(`, and an
/// opening quote (GFM leaves `"www.x.example"` text; a person means a link).
const BEFORE_WWW: &str = "*_~(\"'“‘«";

/// A `www.` link starts a line, or follows whitespace or one of [`BEFORE_WWW`].
fn at_boundary_at(text: &str, at: usize, at_start: bool) -> bool {
    match text[..at].chars().next_back() {
        None => at_start,
        Some(c) => c.is_whitespace() || BEFORE_WWW.contains(c),
    }
}

/// A URL linkify found at `start..end`, if its scheme is `http` or `https`: to where GFM ends it.
fn url(text: &str, start: usize, end: usize) -> Option<Found> {
    let (scheme, _) = text[start..end].split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let end = path_end(text, start);
    // Trimming left a host (it only takes punctuation off the end).
    (end > start + scheme.len() + "://".len()).then(|| Found {
        range: start..end,
        href: text[start..end].to_owned(),
        email: false,
    })
}

/// A `www.` domain at `at`, if linkify finds a valid one there: to where GFM ends it.
fn www(text: &str, at: usize) -> Option<Found> {
    // linkify is shown only the domain: letters, digits, `-` and `.`. (It would otherwise look
    // past a domain it refuses for the next link, and every `www.` would scan the rest.)
    let rest = &text[at..];
    let domain_end = rest
        .find(|c: char| !c.is_alphanumeric() && c != '-' && c != '.')
        .unwrap_or(rest.len());
    if rest[domain_end..].starts_with('_') {
        // A host has no `_` (GFM: none in its last two labels; linkify: none at all).
        return None;
    }
    let mut domains = LinkFinder::new();
    domains.url_must_have_scheme(false).kinds(&[LinkKind::Url]);
    let link = domains.links(&rest[..domain_end]).next()?;
    if link.start() != 0 {
        return None;
    }
    let end = path_end(text, at);
    (end > at + "www.".len()).then(|| Found {
        range: at..end,
        href: format!("http://{}", &text[at..end]),
        email: false,
    })
}

/// An address linkify found at `start..end`, under GFM's narrower rules: the part before `@`
/// only letters, digits and `.`, `-`, `_`, `+` (so `“b@x.example` links `b@x.example`), not
/// after a `/`; the domain ends in a letter, and is not followed by more of a domain that
/// would end in `-` or `_`, or by a second `@`.
fn email(text: &str, start: usize, end: usize) -> Option<Found> {
    let at = start + text[start..end].find('@')?;
    let local = &text[start..at];
    let stop = local
        .char_indices()
        .rev()
        .find(|&(_, c)| !c.is_alphanumeric() && !".-_+".contains(c));
    let start = match stop {
        Some((_, '/')) => return None,
        Some((i, c)) => start + i + c.len_utf8(),
        None if text[..start].ends_with('/') => return None,
        None => start,
    };
    // The domain: letters, digits, `-`, `_` and `.` (linkify takes any non-ASCII character, a
    // closing quote too), less a final `.`.
    let domain = &text[at + 1..end];
    let run = domain
        .find(|c: char| !c.is_alphanumeric() && !"-_.".contains(c))
        .unwrap_or(domain.len());
    let end = at + 1 + domain[..run].trim_end_matches('.').len();
    let ends_in_letter = text[..end]
        .chars()
        .next_back()
        .is_some_and(char::is_alphabetic);
    let continues = text[end..].starts_with(['-', '_', '@']);
    if start == at || !ends_in_letter || continues {
        return None;
    }
    Some(Found {
        range: start..end,
        href: text[start..end].to_owned(),
        email: true,
    })
}

/// What may be inside a link but never ends one: GFM's `?!.,:*_~'"`, and the closing quotes
/// and full-width punctuation prose puts right after a link (“see https://x.example”).
const TRAILING: &str = "?!.,:*_~'\"”’»›。、，！？：；";

/// GFM's extended autolink path validation: where a URL starting at `start` ends.
fn path_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let link = &rest[..rest
        .find(|c: char| c.is_whitespace() || c == '<')
        .unwrap_or(rest.len())];
    let mut end = link.len();
    // Counted once: trimming a `)` takes one off.
    let opening = link.matches('(').count();
    let mut closing = link.matches(')').count();
    while let Some(last) = link[..end].chars().next_back() {
        if TRAILING.contains(last) {
            end -= last.len_utf8();
        } else if last == ';' {
            // `&` + alphanumerics + `;` reads as an entity reference: not part of the link.
            let body = &link[..end - 1];
            let name = body.trim_end_matches(|c: char| c.is_ascii_alphanumeric());
            end = match name.strip_suffix('&') {
                Some(before) if name.len() < body.len() => before.len(),
                _ => end - 1,
            };
            // What was cut holds no parenthesis: alphanumerics, `&` and `;`.
        } else if last == ')' && closing > opening {
            end -= 1;
            closing -= 1;
        } else {
            break;
        }
    }
    start + end
}

/// The text events of a parse with their bare links as link events. Adjacent text events
/// (pulldown-cmark splits text at entities, escapes and would-be delimiters) are one run.
pub(super) struct Autolinks<'a, I> {
    inner: I,
    /// The text run being gathered.
    run: Option<CowStr<'a>>,
    ready: VecDeque<Event<'a>>,
    /// Open links, images and code blocks: text inside them is never linked.
    inside: usize,
    /// May a `www.` link start where the next text begins?
    boundary: bool,
}

impl<'a, I: Iterator<Item = Event<'a>>> Autolinks<'a, I> {
    pub(super) fn new(inner: I) -> Self {
        Self {
            inner,
            run: None,
            ready: VecDeque::new(),
            inside: 0,
            boundary: true,
        }
    }

    /// Keeps track of where text may be linked, for an event about to be handed on.
    fn note(&mut self, event: &Event<'a>) {
        match event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_)) => {
                self.inside += 1;
            }
            Event::End(TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock) => {
                self.inside = self.inside.saturating_sub(1);
            }
            _ => {}
        }
        // What a `www.` link would follow: `` ` ``, `>`, `)` or `]` end the code, HTML or link
        // before it; any other event is a line start, a break or an emphasis delimiter.
        self.boundary = !matches!(
            event,
            Event::Code(_)
                | Event::InlineHtml(_)
                | Event::Html(_)
                | Event::End(TagEnd::Link | TagEnd::Image)
        );
    }

    /// Queues `run` as text and link events.
    fn split(&mut self, run: CowStr<'a>) {
        let found = find(&run, self.boundary);
        self.boundary = run
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || BEFORE_WWW.contains(c));
        if found.is_empty() {
            self.ready.push_back(Event::Text(run));
            return;
        }
        let mut at = 0;
        for link in found {
            if link.range.start > at {
                self.ready
                    .push_back(Event::Text(piece(&run, at..link.range.start)));
            }
            self.ready.push_back(Event::Start(Tag::Link {
                link_type: if link.email {
                    LinkType::Email
                } else {
                    LinkType::Autolink
                },
                dest_url: link.href.into(),
                title: CowStr::Borrowed(""),
                id: CowStr::Borrowed(""),
            }));
            self.ready
                .push_back(Event::Text(piece(&run, link.range.clone())));
            self.ready.push_back(Event::End(TagEnd::Link));
            at = link.range.end;
        }
        if at < run.len() {
            self.ready
                .push_back(Event::Text(piece(&run, at..run.len())));
        }
    }
}

/// Part of a run, borrowed from the source when the run is.
fn piece<'a>(run: &CowStr<'a>, range: Range<usize>) -> CowStr<'a> {
    match run {
        CowStr::Borrowed(text) => {
            let text: &'a str = text;
            CowStr::Borrowed(&text[range])
        }
        other => CowStr::from(other[range].to_owned()),
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Autolinks<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(event);
            }
            // Text events are gathered into a run until another event ends it.
            let event = self.inner.next();
            match event {
                Some(Event::Text(text)) if self.inside == 0 => {
                    self.run = Some(match self.run.take() {
                        None => text,
                        Some(run) => {
                            let mut joined = run.into_string();
                            joined.push_str(&text);
                            CowStr::from(joined)
                        }
                    });
                }
                other => {
                    if let Some(run) = self.run.take() {
                        self.split(run);
                    }
                    let Some(event) = other else {
                        return self.ready.pop_front();
                    };
                    self.note(&event);
                    self.ready.push_back(event);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> Vec<(&str, String)> {
        find(text, true)
            .into_iter()
            .map(|f| (&text[f.range], f.href))
            .collect()
    }

    #[test]
    fn gfm_path_validation_trims_what_prose_puts_after_a_link() {
        fn end(s: &str) -> &str {
            &s[..path_end(s, 0)]
        }
        assert_eq!(end("https://x.example/a.,:"), "https://x.example/a");
        assert_eq!(end("https://x.example/(a))))"), "https://x.example/(a)");
        assert_eq!(end("https://x.example/(a)b)"), "https://x.example/(a)b");
        assert_eq!(end("https://x.example/?a&amp;"), "https://x.example/?a");
        assert_eq!(end("https://x.example/a;"), "https://x.example/a");
        assert_eq!(end("https://x.example/a_)."), "https://x.example/a");
        assert_eq!(end("https://x.example/a” b"), "https://x.example/a");
        assert_eq!(end("https://x.example/a<b"), "https://x.example/a");
    }

    #[test]
    fn candidates_inside_a_link_are_not_links_of_their_own() {
        assert_eq!(
            links("www.x.example/(www.y.example) a@b.example"),
            [
                (
                    "www.x.example/(www.y.example)",
                    "http://www.x.example/(www.y.example)".to_owned()
                ),
                ("a@b.example", "a@b.example".to_owned()),
            ]
        );
        assert_eq!(
            links("https://x.example/a@b.example"),
            [(
                "https://x.example/a@b.example",
                "https://x.example/a@b.example".to_owned()
            )]
        );
        // After a word, `www.` is not a link; at the start of a run only if it may be.
        assert!(links("foowww.x.example").is_empty());
        assert!(find("www.x.example", false).is_empty());
        assert_eq!(find("www.x.example", true).len(), 1);
    }
}
