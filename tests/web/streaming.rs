//! A turn as it streams: the composer, Stop, and the reply rendered block by block.

use assist_protocol::StreamEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlElement, HtmlTextAreaElement};

use crate::support::document;
use crate::support::*;

fn md_blocks(host: &HtmlElement) -> Vec<web_sys::Element> {
    let list = host.query_selector_all(".md-block:not(.md-tail)").unwrap();
    (0..list.length())
        .map(|i| list.get(i).unwrap().unchecked_into())
        .collect()
}

#[wasm_bindgen_test]
async fn the_panel_has_a_message_box_a_send_button_and_a_conversation_log() {
    let host = mount_panel().await;

    let log: HtmlElement = find(&host, "[role=log][aria-label=Conversation]");
    assert_eq!(log.get_attribute("aria-busy").as_deref(), Some("false"));
    let message: HtmlTextAreaElement = find(&host, "textarea[aria-label=Message]");
    let send: HtmlButtonElement = find(&host, "button[type=submit]");
    assert_eq!(send.text_content().as_deref(), Some("Send"));
    assert!(
        send.disabled(),
        "Send is disabled while the message is empty"
    );

    type_message(&host, "list my agents").await;
    assert_eq!(message.value(), "list my agents");
    assert!(!send.disabled(), "Send is enabled once there is a message");
}

#[wasm_bindgen_test]
async fn stop_ends_the_turn_as_stopped_and_keeps_the_partial_reply() {
    // A stream that sends one delta and stalls.
    let _gateway = Gateway::new()
        .then(Answer::stream("event:delta\ndata:{\"text\":\"Half a **reply\"}\n\n").left_open())
        .install();
    let host = mount_panel().await;
    ask(&host, "release the number ending 4421").await;

    let reply_is = |text: &str| {
        host.query_selector(".turn-reply")
            .unwrap()
            .and_then(|r| r.text_content())
            .is_some_and(|t| t.trim() == text)
    };
    until("the partial reply", || reply_is("Half a reply")).await;
    let stop: HtmlButtonElement = find(&host, ".copilot-composer button[type=button]");
    assert_eq!(stop.text_content().as_deref(), Some("Stop"));
    // Past a double click's time: a Stop clicked sooner is a double-clicked Send's second click.
    pause(600).await;
    stop.click();
    until_shown("the stopped turn", &host, ".turn[data-phase=stopped]").await;
    assert!(reply_is("Half a reply"), "the partial reply stays");
    // As it was shown while streaming: the open emphasis is still emphasis, not `**`.
    let strong: HtmlElement = find(&host, ".turn-reply strong");
    assert_eq!(strong.text_content().as_deref(), Some("reply"));
    let log: HtmlElement = find(&host, "[role=log]");
    assert_eq!(log.get_attribute("aria-busy").as_deref(), Some("false"));
}

#[wasm_bindgen_test]
async fn finished_blocks_are_inserted_once_and_the_end_equals_rendering_the_whole() {
    use assist_protocol::{AssistResult, Delta, Progress, StepStatus};
    use flowyte_copilot::conversation::Turn;
    use flowyte_copilot::markdown::{ReplyPolicy, render};
    use flowyte_copilot::ui::{LiveTurn, ReplyView, StepsView};

    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let turn = LiveTurn::new(Turn::new(1, "list my agents"), Default::default());
    leptos::mount::mount_to(host.clone(), move || {
        view! { <StepsView turn=turn /> <ReplyView turn=turn /> }
    })
    .forget();
    let step = |status| {
        StreamEvent::Progress(Progress {
            message: "Listing agents".into(),
            operation_id: Some("listAgents".into()),
            status: Some(status),
            ..Progress::default()
        })
    };
    turn.apply(step(StepStatus::Started));
    leptos::task::tick().await;
    let steps: HtmlElement = find(&host, "details.turn-steps");
    assert!(
        steps.has_attribute("open"),
        "the steps show while the turn runs"
    );
    assert!(
        host.query_selector("li[data-status=started]")
            .unwrap()
            .is_some()
    );
    turn.apply(step(StepStatus::Succeeded));

    let reply = "## Agents\n\nYou have **4 agents** and [docs](https://docs.flowyte.com):\n\n\
                 | Agent | Status |\n|---|---|\n| Support Bot | published |\n\n\
                 ```json\n{\"a\": 1}\n```\n\n<script>alert(1)</script>\n\nDone.";
    let chars: Vec<char> = reply.chars().collect();
    let mut seen: Vec<(web_sys::Element, String)> = Vec::new();
    for piece in chars.chunks(5) {
        let text: String = piece.iter().collect();
        turn.apply(StreamEvent::Delta(Delta { text }));
        leptos::task::tick().await;
        let blocks = md_blocks(&host);
        for (i, (node, html)) in seen.iter().enumerate() {
            assert!(
                node.is_same_node(Some(&blocks[i])),
                "block {i} was replaced"
            );
            assert_eq!(&blocks[i].inner_html(), html, "block {i} changed");
        }
        for block in &blocks[seen.len()..] {
            seen.push((block.clone(), block.inner_html()));
        }
    }
    assert!(
        seen.len() >= 4,
        "blocks finished while streaming: {}",
        seen.len()
    );
    assert!(host.query_selector("script").unwrap().is_none());

    turn.apply(StreamEvent::Done(Some(AssistResult {
        reply: reply.into(),
        ..AssistResult::default()
    })));
    leptos::task::tick().await;
    assert!(host.query_selector(".md-tail").unwrap().is_none());
    let dom: String = md_blocks(&host).iter().map(|b| b.inner_html()).collect();
    assert_eq!(dom, render(reply, &ReplyPolicy::default()));
    for (i, (node, _)) in seen.iter().enumerate() {
        assert!(
            node.is_same_node(Some(&md_blocks(&host)[i])),
            "done rebuilt block {i}"
        );
    }
    assert!(
        !steps.has_attribute("open"),
        "the steps fold when the turn ends"
    );
    assert_eq!(
        find::<HtmlElement>(&host, "summary")
            .text_content()
            .as_deref(),
        Some("1 step")
    );

    // The code block's button copies its code, exactly.
    stub_clipboard();
    let copy: HtmlButtonElement = find(&host, "button.copy-code");
    copy.click();
    until("the copy button to answer", || {
        copy.text_content().as_deref() == Some("Copied")
    })
    .await;
    assert_eq!(copied().as_deref(), Some("{\"a\": 1}\n"));
}

#[wasm_bindgen_test]
async fn bare_urls_addresses_and_www_domains_are_links_while_streaming_and_when_done() {
    use flowyte_copilot::markdown::{ReplyPolicy, render};

    let reply = "Visit https://docs.flowyte.com/agents for details.\n\n\
                 | Page | Where |\n|---|---|\n| Dashboard | www.flowyte.com |\n\n\
                 ~~Write to support@northwind-coffee.example~~ — not `https://code.example`.";
    let chars: Vec<char> = reply.chars().collect();
    let mut chunks: Vec<String> = chars
        .chunks(6)
        .map(|c| {
            frame(
                "delta",
                serde_json::json!({ "text": c.iter().collect::<String>() }),
            )
        })
        .collect();
    chunks.push(frame(
        "done",
        serde_json::json!({ "reply": reply, "threadId": "thr_links" }),
    ));
    let _gateway = Gateway::new()
        .then(Answer::chunks(chunks).every(15))
        .install();
    let host = mount_panel().await;
    ask(&host, "where are the docs?").await;

    let links = || {
        let list = host.query_selector_all(".turn-reply a").unwrap();
        (0..list.length())
            .map(|i| list.get(i).unwrap().unchecked_into::<web_sys::Element>())
            .collect::<Vec<_>>()
    };
    // While the reply streams, the finished first paragraph already holds its link.
    until("the first paragraph to finish with its link", || {
        md_blocks(&host).first().is_some_and(|b| {
            b.query_selector("a[href='https://docs.flowyte.com/agents']")
                .unwrap()
                .is_some()
        })
    })
    .await;
    assert!(
        host.query_selector(".turn[data-phase=streaming]")
            .unwrap()
            .is_some(),
        "seen while the reply was still streaming"
    );

    until_shown("the finished turn", &host, ".turn[data-phase=done]").await;
    let found: Vec<(String, String)> = links()
        .iter()
        .map(|a| {
            (
                a.get_attribute("href").unwrap_or_default(),
                a.text_content().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "https://docs.flowyte.com/agents".to_owned(),
                "https://docs.flowyte.com/agents".to_owned()
            ),
            (
                "http://www.flowyte.com".to_owned(),
                "www.flowyte.com".to_owned()
            ),
            (
                "mailto:support@northwind-coffee.example".to_owned(),
                "support@northwind-coffee.example".to_owned()
            ),
        ]
    );
    for a in links() {
        assert_eq!(
            a.get_attribute("rel").as_deref(),
            Some("noopener noreferrer nofollow")
        );
        assert_eq!(a.get_attribute("target").as_deref(), Some("_blank"));
    }
    let all = links();
    assert!(all[1].closest("td").unwrap().is_some(), "in the table cell");
    assert!(
        all[2].closest("del").unwrap().is_some(),
        "inside the strikethrough"
    );
    let code: HtmlElement = find(&host, ".turn-reply code");
    assert_eq!(code.text_content().as_deref(), Some("https://code.example"));
    assert!(
        code.query_selector("a").unwrap().is_none(),
        "code stays code"
    );
    // What streamed in is what the whole reply renders.
    let dom: String = md_blocks(&host).iter().map(|b| b.inner_html()).collect();
    assert_eq!(dom, render(reply, &ReplyPolicy::default()));
}
