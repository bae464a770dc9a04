//! What may reach the page: the scheme test for links, the image allow-list, and [`Sanitize`],
//! which rewrites pulldown-cmark's events so that only markup the policy allows is written.

use std::fmt::Write as _;

use pulldown_cmark::{Alignment, CodeBlockKind, CowStr, Event, LinkType, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

/// What a reply may load, and the language of the little chrome it carries (a code block's
/// Copy).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplyPolicy {
    /// URL prefixes images may load from, e.g. `https://cdn.flowyte.com/`. Empty: no image
    /// is ever loaded.
    pub image_prefixes: Vec<String>,
    /// The panel's language.
    pub locale: crate::i18n::Locale,
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

/// What the end of a link or image becomes.
#[derive(Clone, Copy, Debug)]
enum Close {
    Anchor,
    Image,
    Nothing,
}

/// Rewrites events so that only markup the policy allows reaches the HTML writer. Every
/// `Event::Html` it lets through is one it wrote itself: the source's raw HTML became text.
pub(super) struct Sanitize<'p, I> {
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
    pub(super) fn new(inner: I, policy: &'p ReplyPolicy) -> Self {
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
                    "<div class=\"code-block\"><button type=\"button\" class=\"copy-code\">",
                );
                escape_html(&mut html, &self.policy.locale.copy()).expect("writing to a String");
                html.push_str("</button>\n<pre tabindex=\"0\"><code");
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::render;

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
            ..ReplyPolicy::default()
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
}
