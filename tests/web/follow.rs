//! The log follows the newest text until the person scrolls up.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlElement};

use crate::support::*;

/// A reply of `count` paragraphs, one every `every_ms`, then `done`.
fn slow_reply(count: u32, every_ms: u32) -> Installed {
    let mut reply = String::new();
    let mut chunks = Vec::new();
    for n in 1..=count {
        let text = format!(
            "Paragraph {n} of the reply, long enough to wrap once or twice in a narrow panel.\n\n"
        );
        reply.push_str(&text);
        chunks.push(frame("delta", serde_json::json!({ "text": text })));
    }
    chunks.push(frame(
        "done",
        serde_json::json!({ "reply": reply, "threadId": "thr_scroll" }),
    ));
    Gateway::new()
        .then(Answer::chunks(chunks).every(every_ms))
        .install()
}

#[wasm_bindgen_test]
async fn the_log_follows_the_reply_until_the_person_scrolls_up_then_offers_jump_to_latest() {
    let _gateway = slow_reply(60, 25);
    let element = host_element("scroll", 320);
    let panel = mount_with(&element, r#"{"storageKey":"embed-scroll"}"#).await;
    let log: HtmlElement = find(&element, "[role=log]");
    let paragraphs = || log.query_selector_all(".turn-reply p").unwrap().length();
    let at_end = || log.scroll_height() - log.scroll_top() - log.client_height() <= 24;
    let jump = || element.query_selector("button.jump-to-latest").unwrap();

    ask(&element, "write a long reply").await;
    until("the reply to overflow the log", || {
        paragraphs() >= 8 && log.scroll_height() > 2 * log.client_height()
    })
    .await;
    // Pinned: at the end after the frame that laid out the newest text (a log that did not
    // follow would stay at the top while the reply grows past it).
    until("the log to follow the reply", at_end).await;
    assert!(jump().is_none());

    // The person scrolls up: the log stays where they put it while the reply grows.
    log.set_scroll_top(0);
    until("Jump to latest", || jump().is_some()).await;
    let seen = paragraphs();
    until("more of the reply", || paragraphs() >= seen + 5).await;
    assert_eq!(log.scroll_top(), 0, "not pulled down by new text");
    let button: HtmlButtonElement = jump().unwrap().unchecked_into();
    assert_eq!(button.text_content().as_deref(), Some("Jump to latest ↓"));

    // Jump to latest: back at the end, following again, the button gone.
    button.click();
    leptos::task::tick().await;
    assert!(at_end());
    assert!(jump().is_none());
    let seen = paragraphs();
    until("more of the reply", || paragraphs() >= seen + 5).await;
    until("the log to follow again", at_end).await;
    assert!(jump().is_none());
    panel.unmount();
}
