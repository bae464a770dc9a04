//! Streaming equals whole: what the panel shows when a reply has streamed in, in any chunks, is
//! what rendering the whole reply shows.

use flowyte_copilot::markdown::{ReplyPolicy, StreamRenderer, render};

use crate::spec::{gfm_autolink_examples, spec_examples};
use crate::{chunks, none};

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
        // Lists in every shape a blank line can sit inside.
        "1. a\n\n2. b\n\n3. c",
        "  1. a\n\n  2. b\n\n  3. c",
        "9. nine\n\n10. ten\n\n11. eleven\n\nAfter.",
        "1) a\n\n2) b\n\n3. c\n\n4. d",
        "- a\n\n- b\n\n-\n\n- d",
        "* a\n\n* b\n\n- c",
        "1. a\n\n   still a\n\n2. b\n\n       code in b\n\n3. c",
        "- a\n  1. x\n\n  2. y\n\n- b",
        "1. a\n\n2\n\n3. c",
        "1. a\n\n2024 was a year.",
        "> 1. a\n>\n> 2. b\n\n1. c",
        // Bare links where people write them.
        "Visit https://docs.flowyte.com/agents for details.\n\nWrite to support@northwind-coffee.example or see www.flowyte.com.",
        "| Page | Where |\n|---|---|\n| Docs | https://docs.flowyte.com |\n| Mail | support@northwind-coffee.example |\n\n~~www.old.example~~ moved.",
        "See (https://en.wikipedia.org/wiki/Coffee_(drink)) and `https://not.a.link` or [www.written.example](https://written.example).",
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

/// Every chunk size from 1 to 20 characters.
const SIZES: std::ops::RangeInclusive<usize> = 1..=20;

#[test]
fn streaming_in_any_chunks_ends_equal_to_rendering_the_whole() {
    let docs = corpus();
    let mut chunkings = 0;
    let mut finished = 0;
    for doc in &docs {
        let whole = render(doc, &ReplyPolicy::default());
        for size in SIZES {
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

/// Every example of the CommonMark spec (all of them: streaming must not change what the
/// renderer makes of any text, within the policy or not) and of GFM's autolinks, at every
/// chunk size from 1 to 20 characters.
#[test]
fn every_spec_example_streams_to_what_the_whole_renders_at_every_chunk_size() {
    let examples: Vec<(String, String)> = spec_examples()
        .into_iter()
        .map(|e| (format!("CommonMark #{}", e.number), e.markdown))
        .chain(
            gfm_autolink_examples()
                .into_iter()
                .map(|(n, md, _)| (format!("GFM autolinks #{n}"), md.to_owned())),
        )
        .collect();
    assert_eq!(examples.len(), 652 + 11);
    let mut differ = Vec::new();
    let mut streamings = 0;
    for (name, md) in &examples {
        let whole = render(md, &ReplyPolicy::default());
        for size in SIZES {
            streamings += 1;
            let (html, _) = streamed(&chunks(md, size));
            if html != whole {
                differ.push(format!(
                    "{name}, chunks of {size}: {md:?}\n  whole:    {whole:?}\n  streamed: {html:?}"
                ));
            }
        }
    }
    println!(
        "streaming = whole: {} spec examples × {} chunk sizes ({}–{}) = {streamings} streamings, {} differ",
        examples.len(),
        SIZES.count(),
        SIZES.start(),
        SIZES.end(),
        differ.len()
    );
    none(&differ, "differ");
}

/// The blocks finished while streaming `md` one character at a time, and the final HTML.
fn finished_blocks(md: &str) -> (Vec<String>, String) {
    let mut stream = StreamRenderer::new(ReplyPolicy::default());
    let mut finished = Vec::new();
    for piece in chunks(md, 1) {
        finished.extend(stream.push(&piece).finished);
    }
    stream.finish();
    (finished, stream.blocks().concat())
}

#[test]
fn a_loose_ordered_list_streams_as_one_list() {
    for md in [
        "1. a\n\n2. b\n\n3. c",
        "  1. a\n\n  2. b\n\n  3. c",
        "8. h\n\n9. i\n\n10. j\n\nAfter.",
    ] {
        let whole = render(md, &ReplyPolicy::default());
        assert_eq!(whole.matches("<ol").count(), 1, "{whole}");
        let (finished, html) = finished_blocks(md);
        assert_eq!(html, whole, "{md:?}");
        // The list finishes once, whole, or stays the tail until the end: never a part of it.
        let lists: Vec<&String> = finished.iter().filter(|b| b.contains("<ol")).collect();
        assert!(
            lists.is_empty() || (lists.len() == 1 && lists[0].matches("<li>").count() == 3),
            "{md:?}: a list finished early: {finished:?}"
        );
    }
    // A number that turns out not to be an item ends the list as soon as its line does.
    let (finished, _) = finished_blocks("1. a\n\n2024 was a year.\n\nMore.");
    assert_eq!(
        finished.first().map(String::as_str),
        Some("<ol>\n<li>a</li>\n</ol>\n")
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
