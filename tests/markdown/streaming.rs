//! Streaming equals whole: what the panel shows when a reply has streamed in, in any chunks, is
//! what rendering the whole reply shows.

use flowyte_copilot::markdown::{ReplyPolicy, StreamRenderer, render};

use crate::chunks;

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
