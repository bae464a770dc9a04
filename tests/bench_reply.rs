//! Reply rendering in headless Chromium: main-thread time per delta as a reply grows to 30,000
//! characters in deltas of about 20, the panel's incremental renderer beside re-rendering the
//! whole reply on each delta, in the same page (`scripts/bench/reply`; not part of
//! `scripts/test`).
//!
//! ```text
//! cargo test --release --target wasm32-unknown-unknown --features browser-bench \
//!     --test bench_reply -- --nocapture
//! ```
//!
//! Each delta's time is the synchronous work from the new text to the updated DOM, including
//! the browser parsing the inserted HTML, then a forced layout (`offsetHeight`) so the cost of
//! a bigger DOM counts too. Prints one JSON line per method and 5,000-character stretch:
//! p50, p95 and max in ms. The reply is built from the simulator's kind of markdown:
//! headings, paragraphs with emphasis and links, lists, tables and code blocks.
#![cfg(target_arch = "wasm32")]

use flowyte_copilot::markdown::{ReplyPolicy, render};
use flowyte_copilot::ui::ReplyDom;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TOTAL: usize = 30_000;
const DELTA: usize = 20;
const STRETCH: usize = 5_000;

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

/// About `TOTAL` characters of reply-like markdown.
fn reply() -> String {
    let parts = [
        "## Failed calls yesterday\n\n",
        "**2 failed conversations yesterday** (of 8 in all). Most failures came from the \
         order lookup: check the *Track shipment* skill's endpoint, or read the \
         [runbook](https://docs.flowyte.com/guides/skills).\n\n",
        "| When (UTC) | Agent | Length | Outcome | Summary |\n|---|---|---:|---|---|\n\
         | 11-28 17:42 | Support Bot | 0:58 | error | The order lookup timed out twice. |\n\
         | 11-28 11:14 | Support Bot | 1:57 | error | The caller's audio dropped. |\n\n",
        "- Outcomes: 5 completed, 2 error, 1 transferred\n- Average length: 1:27\n\
         - Busiest hour: 11:00–12:00\n\n",
        "```json\n{\n  \"orderNumber\": \"#10412\",\n  \"status\": \"out for delivery\"\n}\n```\n\n",
        "> Releasing a number hands it back to the carrier; it cannot be undone.\n\n",
    ];
    let mut text = String::new();
    let mut i = 0;
    while text.len() < TOTAL {
        text.push_str(parts[i % parts.len()]);
        i += 1;
    }
    text.truncate(TOTAL);
    text
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Lets the page breathe (the webdriver polls it), outside any timed region.
async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Times every delta of `text` through `update(delta, so_far)`, which brings `root` up to the
/// text so far.
async fn time_deltas(
    root: &web_sys::HtmlElement,
    text: &str,
    layout: bool,
    mut update: impl FnMut(&str, &str),
) -> Vec<(usize, f64)> {
    let mut times = Vec::new();
    let mut end = 0;
    while end < text.len() {
        let start = end;
        end = (end + DELTA).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let t = now();
        update(&text[start..end], &text[..end]);
        if layout {
            let _ = root.offset_height();
        }
        times.push((end, now() - t));
        if times.len() % 5 == 0 {
            yield_now().await;
        }
    }
    times
}

fn report(method: &str, times: &[(usize, f64)]) {
    for stretch in 0..TOTAL / STRETCH {
        let (from, to) = (stretch * STRETCH, (stretch + 1) * STRETCH);
        let mut ms: Vec<f64> = times
            .iter()
            .filter(|(at, _)| (from + 1..=to).contains(at))
            .map(|(_, ms)| *ms)
            .collect();
        ms.sort_by(f64::total_cmp);
        console_log!(
            "{{\"method\":\"{method}\",\"chars\":\"{from}-{to}\",\"deltas\":{},\"p50\":{:.3},\"p95\":{:.3},\"max\":{:.3}}}",
            ms.len(),
            percentile(&ms, 0.5),
            percentile(&ms, 0.95),
            ms.last().unwrap()
        );
    }
}

fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    if document.get_element_by_id("panel-css").is_none() {
        // The panel's own stylesheet, so layout costs what it costs in the panel.
        let style = document.create_element("style").unwrap();
        style.set_id("panel-css");
        style.set_text_content(Some(include_str!("../style/panel.css")));
        document.head().unwrap().append_child(&style).unwrap();
    }
    // Inside a panel root: every rule of the stylesheet is scoped under `.copilot`.
    let panel = document.create_element("div").unwrap();
    panel.set_class_name("copilot");
    let root: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    root.set_class_name("turn-reply");
    root.style().set_property("width", "480px").unwrap();
    panel.append_child(&root).unwrap();
    document.body().unwrap().append_child(&panel).unwrap();
    root
}

#[wasm_bindgen_test]
async fn time_per_delta_as_the_reply_grows() {
    let text = reply();
    let policy = ReplyPolicy::default();
    // Warm up both paths once (wasm compilation, first allocations).
    for _ in 0..2 {
        let root = container();
        let mut dom = ReplyDom::new(policy.clone());
        dom.append(&root, &text[..2_000]);
        root.set_inner_html(&render(&text[..2_000], &policy));
        root.remove();
    }

    let root = container();
    let mut dom = ReplyDom::new(policy.clone());
    let incremental = time_deltas(&root, &text, true, |delta, _| dom.append(&root, delta)).await;
    dom.finish(&root, &text);
    let list = root.query_selector_all(".md-block").unwrap();
    let incremental_dom: String = (0..list.length())
        .map(|i| {
            list.get(i)
                .unwrap()
                .unchecked_into::<web_sys::Element>()
                .inner_html()
        })
        .collect();
    root.remove();

    let root = container();
    let mut dom = ReplyDom::new(policy.clone());
    let no_layout = time_deltas(&root, &text, false, |delta, _| dom.append(&root, delta)).await;
    root.remove();

    let root = container();
    let whole = time_deltas(&root, &text, true, |_, so_far| {
        root.set_inner_html(&render(so_far, &policy))
    })
    .await;
    root.remove();

    report("incremental", &incremental);
    report("incremental-no-layout", &no_layout);
    report("whole-reply", &whole);
    // The incremental DOM ends as rendering the whole reply, block by block.
    assert_eq!(incremental_dom, render(&text, &policy));
}
