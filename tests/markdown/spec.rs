//! The CommonMark spec examples (npm commonmark-spec 0.31.2, installed by scripts/test).

use flowyte_copilot::markdown::{ReplyPolicy, render, safe_link};

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

#[test]
fn commonmark_spec_examples_within_the_policy_render_as_the_spec_says() {
    let examples = spec_examples();
    assert_eq!(examples.len(), 652, "the spec 0.31.2 has 652 examples");
    let mut run = 0;
    let mut failed = Vec::new();
    for example in examples.iter().filter(|e| !outside_policy(e)) {
        run += 1;
        let ours = without_additions(&render(&example.markdown, &ReplyPolicy::default()));
        if ours != dequote(&example.html) {
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
    assert!(
        failed.is_empty(),
        "{} failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
