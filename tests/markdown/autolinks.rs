//! Bare links as replies contain them: URLs, `www.` domains and e-mail addresses become links
//! under the reply's link policy, wherever text is, and nowhere text is code or a link already.

use flowyte_copilot::markdown::{ReplyPolicy, render};

use crate::policy::check_everywhere;

const REL: &str = "rel=\"noopener noreferrer nofollow\" target=\"_blank\"";

fn html(md: &str) -> String {
    render(md, &ReplyPolicy::default())
}

fn a(href: &str, text: &str) -> String {
    format!("<a href=\"{href}\" {REL}>{text}</a>")
}

#[test]
fn bare_urls_addresses_and_www_domains_are_links() {
    assert_eq!(
        html("Visit https://docs.flowyte.com/agents for details."),
        format!(
            "<p>Visit {} for details.</p>\n",
            a(
                "https://docs.flowyte.com/agents",
                "https://docs.flowyte.com/agents"
            )
        )
    );
    assert_eq!(
        html("Write to support@northwind-coffee.example"),
        format!(
            "<p>Write to {}</p>\n",
            a(
                "mailto:support@northwind-coffee.example",
                "support@northwind-coffee.example"
            )
        )
    );
    assert_eq!(
        html("see www.flowyte.com"),
        format!(
            "<p>see {}</p>\n",
            a("http://www.flowyte.com", "www.flowyte.com")
        )
    );
    // Upper-case schemes are schemes.
    assert!(html("HTTPS://DOCS.FLOWYTE.COM").contains("<a href=\"HTTPS://DOCS.FLOWYTE.COM\""));
}

#[test]
fn bare_links_are_links_in_tables_strikethrough_headings_lists_and_quotes() {
    let table = html(
        "| Page | Where |\n|---|---|\n| Docs | https://docs.flowyte.com |\n| Mail | support@northwind-coffee.example |",
    );
    assert!(
        table.contains(&format!(
            "<td>{}</td>",
            a("https://docs.flowyte.com", "https://docs.flowyte.com")
        )),
        "{table}"
    );
    assert!(
        table.contains(&format!(
            "<td>{}</td>",
            a(
                "mailto:support@northwind-coffee.example",
                "support@northwind-coffee.example"
            )
        )),
        "{table}"
    );
    assert_eq!(
        html("~~www.old.example~~ moved"),
        format!(
            "<p><del>{}</del> moved</p>\n",
            a("http://www.old.example", "www.old.example")
        )
    );
    assert_eq!(
        html("*see https://x.example*"),
        format!(
            "<p><em>see {}</em></p>\n",
            a("https://x.example", "https://x.example")
        )
    );
    for md in [
        "## Docs at https://x.example",
        "- https://x.example",
        "1. https://x.example",
        "> https://x.example",
        "- [ ] https://x.example",
    ] {
        assert!(
            html(md).contains(&a("https://x.example", "https://x.example")),
            "{md}: {}",
            html(md)
        );
    }
}

#[test]
fn code_and_links_stay_as_they_are() {
    for md in [
        "`https://x.example`",
        "```\nhttps://x.example\n```",
        "    https://x.example www.x.example a@x.example",
        "~~~sh\ncurl https://x.example\n~~~",
    ] {
        assert!(!html(md).contains("<a "), "{md}: {}", html(md));
    }
    // A link's text is never a second link, whatever the label says.
    for md in [
        "[https://x.example](https://y.example)",
        "[see www.x.example](https://y.example)",
        "[a@x.example](mailto:b@y.example)",
        "<https://x.example>",
        "[ref]\n\n[ref]: https://y.example",
    ] {
        let out = html(md);
        assert_eq!(out.matches("<a ").count(), 1, "{md}: {out}");
    }
    assert!(
        html("[https://x.example](https://y.example)").contains("<a href=\"https://y.example\"")
    );
    // An image's alt text is not linked either (the image is a link named by it).
    let image = html("![https://x.example](https://cdn.example/p.png)");
    assert_eq!(image.matches("<a ").count(), 1, "{image}");
}

#[test]
fn a_link_ends_where_gfm_ends_it() {
    let cases = [
        // Trailing punctuation is not part of it.
        (
            "Go to https://x.example/a.",
            "https://x.example/a",
            "https://x.example/a",
        ),
        (
            "Really, https://x.example/a?!",
            "https://x.example/a",
            "https://x.example/a",
        ),
        ("(www.x.example)", "http://www.x.example", "www.x.example"),
        (
            "See https://x.example/a_, then",
            "https://x.example/a",
            "https://x.example/a",
        ),
        // Balanced parentheses are.
        (
            "(https://en.wikipedia.org/wiki/Coffee_(drink))",
            "https://en.wikipedia.org/wiki/Coffee_(drink)",
            "https://en.wikipedia.org/wiki/Coffee_(drink)",
        ),
        // `&name;` reads as an entity reference and ends it; a decoded `&amp;` is the URL's.
        (
            "https://x.example/?q=a&hl;",
            "https://x.example/?q=a",
            "https://x.example/?q=a",
        ),
        (
            "https://x.example/?a=1&amp;b=2",
            "https://x.example/?a=1&amp;b=2",
            "https://x.example/?a=1&amp;b=2",
        ),
        // `<` ends it (and is text).
        (
            "https://x.example/a<b",
            "https://x.example/a",
            "https://x.example/a",
        ),
        // Quotes around it are not part of it, curly ones neither.
        (
            "\"https://x.example/a\"",
            "https://x.example/a",
            "https://x.example/a",
        ),
        (
            "“https://x.example/a”",
            "https://x.example/a",
            "https://x.example/a",
        ),
        ("“www.x.example”", "http://www.x.example", "www.x.example"),
        ("“a@x.example”", "mailto:a@x.example", "a@x.example"),
        ("Mail a@x.example.", "mailto:a@x.example", "a@x.example"),
        // Non-ASCII domains and paths are links.
        (
            "http://üñîçøðé.example/ä",
            "http://%C3%BC%C3%B1%C3%AE%C3%A7%C3%B8%C3%B0%C3%A9.example/%C3%A4",
            "http://üñîçøðé.example/ä",
        ),
    ];
    for (md, href, text) in cases {
        let out = html(md);
        assert!(out.contains(&a(href, text)), "{md}: {out}");
    }
}

#[test]
fn what_is_not_a_link_stays_text() {
    for md in [
        "ftp://files.example/a",
        "javascript://x.example/%0aalert(1)",
        "file:///etc/passwd",
        "xhttps://x.example",
        "README.md and main.rs",
        "example.com without www",
        "foowww.x.example",
        "@handle and a@b",
        "a@b.c",
        "version 1.2.3",
        "http://",
        "www.",
    ] {
        assert!(!html(md).contains("<a "), "{md}: {}", html(md));
    }
}

#[test]
fn bare_links_are_safe_whole_and_streamed() {
    for md in [
        "Visit https://docs.flowyte.com/agents for details.",
        "| a | https://x.example/\"><script>alert(1)</script> |\n|---|---|",
        "www.x.example/'onmouseover='alert(1)",
        "https://x.example/?q=<img src=x onerror=alert(1)>",
        "a@x.example\"onclick=\"alert(1)",
    ] {
        check_everywhere(md, md);
    }
}
