//! The CommonMark spec examples (npm commonmark-spec 0.31.2, installed by scripts/test), and
//! GFM's extended autolink examples.

use flowyte_copilot::markdown::{ReplyPolicy, render, safe_link};

use crate::none;
use crate::policy::unescape;

pub struct Example {
    pub number: usize,
    pub section: String,
    pub markdown: String,
    pub html: String,
}

pub fn spec_examples() -> Vec<Example> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/node_modules/commonmark-spec/spec.txt"
    );
    let spec = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("{path}: {e}. scripts/test installs it (npm ci); or run `npm ci` once")
    });
    let fence = "`".repeat(32);
    let mut examples = Vec::new();
    let mut section = String::new();
    let mut lines = spec.lines();
    while let Some(line) = lines.next() {
        if line == "<!-- END TESTS -->" {
            break;
        }
        if let Some(title) = line.strip_prefix('#') {
            section = title.trim_start_matches('#').trim().to_owned();
        }
        if line == format!("{fence} example") {
            let mut markdown = String::new();
            for l in lines.by_ref() {
                if l == "." {
                    break;
                }
                markdown.push_str(l);
                markdown.push('\n');
            }
            let mut html = String::new();
            for l in lines.by_ref() {
                if l == fence {
                    break;
                }
                html.push_str(l);
                html.push('\n');
            }
            examples.push(Example {
                number: examples.len() + 1,
                section: section.clone(),
                markdown: markdown.replace('→', "\t"),
                html: html.replace('→', "\t"),
            });
        }
    }
    examples
}

/// Raw HTML in the input (the policy shows it as text), or a URL the policy does not link
/// (relative, or another scheme), or an image (the policy never loads one): the spec's
/// output is not ours to match.
fn outside_policy(example: &Example) -> bool {
    let md = &example.markdown;
    // `<` opening a tag, a comment or a declaration; autolinks (`<https://…>`, `<a@b.c>`) are
    // not raw HTML, and their URLs face the scheme test below.
    let raw_html = md.char_indices().filter(|&(_, c)| c == '<').any(|(i, _)| {
        let rest = &md[i + 1..];
        rest.starts_with(|n: char| n.is_ascii_alphabetic() || "/!?".contains(n))
            && !is_autolink(rest)
    });
    let unsafe_url = example
        .html
        .split("href=\"")
        .skip(1)
        .any(|rest| !safe_link(&unescape(rest.split('"').next().unwrap_or(""))));
    raw_html || unsafe_url || example.html.contains("<img")
}

/// `rest` (after a `<`) is a CommonMark autolink: `scheme:…>` or `local@domain>`.
fn is_autolink(rest: &str) -> bool {
    let Some(end) = rest.find('>') else {
        return false;
    };
    let inner = &rest[..end];
    if inner.is_empty() || inner.contains(|c: char| c.is_whitespace() || c == '<') {
        return false;
    }
    let scheme_ok = inner.split_once(':').is_some_and(|(scheme, _)| {
        (2..=32).contains(&scheme.len())
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    scheme_ok || (inner.contains('@') && !inner.contains(':'))
}

/// Our additions, undone: the link attributes, the code block's copy button and the
/// scrollers' tabindex. And `&quot;`
/// read as `"`: pulldown-cmark leaves quotes in text unescaped where the spec escapes them,
/// which is the same DOM.
fn without_additions(html: &str) -> String {
    // The wrapper took the place of the newline the writer puts before a block.
    let wrapper =
        "<div class=\"code-block\"><button type=\"button\" class=\"copy-code\">Copy</button>\n";
    let html = dequote(html)
        .replace("<pre tabindex=\"0\">", "<pre>")
        .replace(
            "<div class=\"table-scroll\" tabindex=\"0\">",
            "<div class=\"table-scroll\">",
        );
    html.strip_prefix(wrapper)
        .unwrap_or(&html)
        .replace(
            " rel=\"noopener noreferrer nofollow\" target=\"_blank\"",
            "",
        )
        .replace(&format!("\n{wrapper}"), "\n")
        .replace(wrapper, "\n")
        .replace("</pre>\n</div>\n", "</pre>\n")
}

fn dequote(html: &str) -> String {
    html.replace("&quot;", "\"")
}

/// CommonMark examples whose bare URL or address GFM's extended autolinks make a link (as
/// GitHub renders them), with this renderer's HTML for each.
const LINKED_BY_GFM: &[(usize, &str)] = &[
    (
        606,
        "<p>&lt;<a href=\"mailto:foo+@bar.example.com\">foo+@bar.example.com</a>&gt;</p>\n",
    ),
    (
        608,
        "<p>&lt; <a href=\"https://foo.bar\">https://foo.bar</a> &gt;</p>\n",
    ),
    (
        611,
        "<p><a href=\"https://example.com\">https://example.com</a></p>\n",
    ),
    (
        612,
        "<p><a href=\"mailto:foo@bar.example.com\">foo@bar.example.com</a></p>\n",
    ),
];

#[test]
fn commonmark_spec_examples_within_the_policy_render_as_the_spec_says() {
    let examples = spec_examples();
    assert_eq!(examples.len(), 652, "the spec 0.31.2 has 652 examples");
    let mut run = 0;
    let mut failed = Vec::new();
    for example in examples.iter().filter(|e| !outside_policy(e)) {
        run += 1;
        let ours = without_additions(&render(&example.markdown, &ReplyPolicy::default()));
        let expected = LINKED_BY_GFM
            .iter()
            .find(|(n, _)| *n == example.number)
            .map_or(example.html.as_str(), |(_, html)| html);
        if ours != dequote(expected) {
            failed.push(format!(
                "#{} ({}): {:?}\n  spec: {:?}\n  ours: {:?}",
                example.number, example.section, example.markdown, example.html, ours
            ));
        }
    }
    println!(
        "CommonMark 0.31.2: {run} of {} examples are within the policy; {} pass, {} fail",
        examples.len(),
        run - failed.len(),
        failed.len()
    );
    none(&failed, "failed");
}

// ---------------------------------------------------------------------------------------------
// GFM's extended autolinks.

/// The examples of the GFM spec 0.29-gfm's "Autolinks (extension)" section (github/cmark-gfm,
/// test/spec.txt): `(number, markdown, html)`.
const GFM_AUTOLINKS: &[(usize, &str, &str)] = &[
    (
        621,
        "www.commonmark.org\n",
        "<p><a href=\"http://www.commonmark.org\">www.commonmark.org</a></p>\n",
    ),
    (
        622,
        "Visit www.commonmark.org/help for more information.\n",
        "<p>Visit <a href=\"http://www.commonmark.org/help\">www.commonmark.org/help</a> for more information.</p>\n",
    ),
    (
        623,
        "Visit www.commonmark.org.\n\nVisit www.commonmark.org/a.b.\n",
        "<p>Visit <a href=\"http://www.commonmark.org\">www.commonmark.org</a>.</p>\n<p>Visit <a href=\"http://www.commonmark.org/a.b\">www.commonmark.org/a.b</a>.</p>\n",
    ),
    (
        624,
        "www.google.com/search?q=Markup+(business)\n\nwww.google.com/search?q=Markup+(business)))\n\n(www.google.com/search?q=Markup+(business))\n\n(www.google.com/search?q=Markup+(business)\n",
        "<p><a href=\"http://www.google.com/search?q=Markup+(business)\">www.google.com/search?q=Markup+(business)</a></p>\n<p><a href=\"http://www.google.com/search?q=Markup+(business)\">www.google.com/search?q=Markup+(business)</a>))</p>\n<p>(<a href=\"http://www.google.com/search?q=Markup+(business)\">www.google.com/search?q=Markup+(business)</a>)</p>\n<p>(<a href=\"http://www.google.com/search?q=Markup+(business)\">www.google.com/search?q=Markup+(business)</a></p>\n",
    ),
    (
        625,
        "www.google.com/search?q=(business))+ok\n",
        "<p><a href=\"http://www.google.com/search?q=(business))+ok\">www.google.com/search?q=(business))+ok</a></p>\n",
    ),
    (
        626,
        "www.google.com/search?q=commonmark&hl=en\n\nwww.google.com/search?q=commonmark&hl;\n",
        "<p><a href=\"http://www.google.com/search?q=commonmark&amp;hl=en\">www.google.com/search?q=commonmark&amp;hl=en</a></p>\n<p><a href=\"http://www.google.com/search?q=commonmark\">www.google.com/search?q=commonmark</a>&amp;hl;</p>\n",
    ),
    (
        627,
        "www.commonmark.org/he<lp\n",
        "<p><a href=\"http://www.commonmark.org/he\">www.commonmark.org/he</a>&lt;lp</p>\n",
    ),
    (
        628,
        "http://commonmark.org\n\n(Visit https://encrypted.google.com/search?q=Markup+(business))\n\nAnonymous FTP is available at ftp://foo.bar.baz.\n",
        "<p><a href=\"http://commonmark.org\">http://commonmark.org</a></p>\n<p>(Visit <a href=\"https://encrypted.google.com/search?q=Markup+(business)\">https://encrypted.google.com/search?q=Markup+(business)</a>)</p>\n<p>Anonymous FTP is available at <a href=\"ftp://foo.bar.baz\">ftp://foo.bar.baz</a>.</p>\n",
    ),
    (
        629,
        "foo@bar.baz\n",
        "<p><a href=\"mailto:foo@bar.baz\">foo@bar.baz</a></p>\n",
    ),
    (
        630,
        "hello@mail+xyz.example isn't valid, but hello+xyz@mail.example is.\n",
        "<p>hello@mail+xyz.example isn't valid, but <a href=\"mailto:hello+xyz@mail.example\">hello+xyz@mail.example</a> is.</p>\n",
    ),
    (
        631,
        "a.b-c_d@a.b\n\na.b-c_d@a.b.\n\na.b-c_d@a.b-\n\na.b-c_d@a.b_\n",
        "<p><a href=\"mailto:a.b-c_d@a.b\">a.b-c_d@a.b</a></p>\n<p><a href=\"mailto:a.b-c_d@a.b\">a.b-c_d@a.b</a>.</p>\n<p>a.b-c_d@a.b-</p>\n<p>a.b-c_d@a.b_</p>\n",
    ),
];

/// Where this renderer's output differs from the spec's, by design: `(number, what the spec
/// links that stays text here, why)`.
const GFM_AUTOLINKS_DIFFER: &[(usize, &str, &str)] = &[
    (
        628,
        "ftp://foo.bar.baz",
        "the policy links only http, https and mailto",
    ),
    (
        631,
        "a.b-c_d@a.b",
        "linkify wants a top-level domain of two letters or more (no real one has one)",
    ),
];

/// The GFM autolink examples with the HTML this renderer is to make of each: the spec's, less
/// the links [`GFM_AUTOLINKS_DIFFER`] says stay text.
pub fn gfm_autolink_examples() -> Vec<(usize, &'static str, String)> {
    GFM_AUTOLINKS
        .iter()
        .map(|&(number, md, html)| {
            let mut expected = html.to_owned();
            for &(n, text, _) in GFM_AUTOLINKS_DIFFER {
                if n == number {
                    let scheme = if text.contains('@') { "mailto:" } else { "" };
                    expected =
                        expected.replace(&format!("<a href=\"{scheme}{text}\">{text}</a>"), text);
                }
            }
            (number, md, expected)
        })
        .collect()
}

#[test]
fn gfm_autolink_examples_render_as_the_spec_says() {
    let mut failed = Vec::new();
    for (number, md, expected) in gfm_autolink_examples() {
        let ours = without_additions(&render(md, &ReplyPolicy::default()));
        if ours != dequote(&expected) {
            failed.push(format!(
                "#{number}: {md:?}\n  expected: {expected:?}\n  ours:     {ours:?}"
            ));
        }
    }
    // The differences are what they say: each changes its example.
    for &(n, text, why) in GFM_AUTOLINKS_DIFFER {
        let (_, _, html) = GFM_AUTOLINKS.iter().find(|e| e.0 == n).expect("listed");
        assert!(
            html.contains(&format!("{text}</a>")),
            "#{n} links {text} in the spec ({why})"
        );
    }
    println!(
        "GFM autolinks: {} examples, {} with a documented difference, {} fail",
        GFM_AUTOLINKS.len(),
        GFM_AUTOLINKS_DIFFER.len(),
        failed.len()
    );
    none(&failed, "failed");
}
