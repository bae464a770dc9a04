//! The conversation around the turns: the empty state, the end of a turn announced, Retry and
//! Copy, and a reload restoring the thread.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlElement, HtmlTextAreaElement};

use crate::support::*;

#[wasm_bindgen_test]
async fn the_empty_state_suggests_requests_and_a_finished_turn_is_announced_once() {
    let item = r#"{"name":"releaseNumber","method":"DELETE","path":"/numbers/num_0001","summary":"Release +1 415 555 4421","args":{}}"#;
    let mutation =
        r#"{"method":"POST","path":"/agents","operationId":"createAgent","summary":"Created"}"#;
    let stream = format!(
        "event:mutation\ndata:{mutation}\n\nevent:confirmation\ndata:{item}\n\n\
         event:done\ndata:{{\"reply\":\"Done.\",\"threadId\":\"thr_s\",\"appliedMutations\":[{mutation}],\"pendingConfirmations\":[{item}]}}\n\n"
    );
    let _gateway = answering(serde_json::json!([[200, "text/event-stream", stream]]));
    let host = mount_panel().await;

    let suggestion: HtmlButtonElement = find(&host, ".copilot-empty button.suggestion");
    assert_eq!(suggestion.text_content().as_deref(), Some("List my agents"));
    suggestion.click();
    leptos::task::tick().await;
    let message: HtmlTextAreaElement = find(&host, "textarea[aria-label=Message]");
    assert_eq!(
        message.value(),
        "List my agents",
        "a suggestion fills the box, it does not send"
    );
    assert_eq!(assist_requests().len(), 0);
    let focused = document().active_element().unwrap();
    assert!(focused.is_same_node(Some(&message)), "and focuses it");

    find::<HtmlButtonElement>(&host, "button[type=submit]").click();
    until_shown("the card", &host, ".approval-card[data-state=pending]").await;
    let live: HtmlElement = find(&host, "[aria-live=polite]");
    assert_eq!(
        live.text_content().as_deref(),
        Some("Reply ready. 1 change applied. 1 approval waiting.")
    );
    until("focus on the card", || {
        document()
            .active_element()
            .is_some_and(|e| e.class_list().contains("approval-card"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_failed_turn_offers_retry_a_finished_one_copy_and_each_shows_its_time() {
    let answers = serde_json::json!([
        [
            502,
            "application/problem+json",
            "{\"status\":502,\"title\":\"Bad gateway\"}"
        ],
        [
            200,
            "text/event-stream",
            "event:done\ndata:{\"reply\":\"You have **4 agents**.\",\"threadId\":\"thr_t\"}\n\n"
        ],
    ]);
    let _gateway = answering(answers);
    let host = mount_panel().await;
    let panel: HtmlElement = find(&host, "section.copilot");
    assert_eq!(panel.get_attribute("data-theme").as_deref(), Some("auto"));

    ask(&host, "list my agents").await;
    until_shown(
        "the failure",
        &host,
        ".turn[data-phase=failed] button.retry-turn",
    )
    .await;
    // Nothing is resent by itself: wait well past the stub's 50 ms answer time.
    pause(300).await;
    assert_eq!(assist_requests().len(), 1);
    let time: HtmlElement = find(&host, ".turn time.turn-time");
    assert!(time.get_attribute("datetime").unwrap().contains('T'));
    assert_eq!(time.text_content().unwrap().len(), 5, "HH:MM");

    find::<HtmlButtonElement>(&host, "button.retry-turn").click();
    until_shown("the retried turn", &host, ".turn[data-phase=done]").await;
    assert_eq!(assist_requests().len(), 2);
    let message: HtmlTextAreaElement = find(&host, "textarea[aria-label=Message]");
    assert_eq!(message.value(), "", "the retried message left the box");
    let again = assist_requests()[1]["body"].to_string();
    assert!(again.contains("\"message\":\"list my agents\""), "{again}");

    let copy: HtmlButtonElement = find(&host, ".turn[data-phase=done] button.copy-reply");
    assert_eq!(copy.text_content().as_deref(), Some("Copy reply"));
    stub_clipboard();
    copy.click();
    until("the copy to answer", || {
        copy.text_content().as_deref() == Some("Copied")
    })
    .await;
    assert_eq!(
        copied().as_deref(),
        Some("You have **4 agents**."),
        "the markdown source"
    );
}

#[wasm_bindgen_test]
async fn a_reload_restores_the_thread_its_changes_and_its_cards() {
    let release = r#"{"name":"releaseNumber","method":"DELETE","path":"/numbers/num_0001","summary":"Release +1 415 555 4421","args":{"numberId":"num_0001"}}"#;
    let revoke = r#"{"name":"revokePublishableKey","method":"DELETE","path":"/agents/a/publishable-keys/pk_2","summary":"Revoke Staging widget","args":{"keyId":"pk_2"}}"#;
    let thread = format!(
        r#"{{"thread":{{"id":"thr_r","agentId":null,"title":"t"}},
            "messages":[
              {{"id":"m1","role":"user","content":"revoke the Staging widget key","mutations":[]}},
              {{"id":"m2","role":"assistant","content":"Approve it below.","mutations":[],"pendingConfirmations":[{revoke}]}},
              {{"id":"m3","role":"user","content":"add an order-lookup skill","mutations":[]}},
              {{"id":"m4","role":"assistant","content":"Added **Order lookup**.","mutations":[{{"method":"POST","path":"/agents/agt_0001/skills","operationId":"createSkill","summary":"Added the skill Order lookup"}}]}},
              {{"id":"m5","role":"user","content":"release the number ending 4421","mutations":[]}},
              {{"id":"m6","role":"assistant","content":"Approve it below.","mutations":[],"pendingConfirmations":[{release}]}}
            ],
            "pendingConfirmations":[{revoke},{release}]}}"#
    );
    let answers = serde_json::json!([[200, "application/json", thread]]);
    let _gateway = answering(answers);
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage
        .set_item("test-restore", r#"{"threadId":"thr_r"}"#)
        .unwrap();

    let host = mount_panel_at("test-restore".to_owned());
    until("the restored turns", || {
        host.query_selector_all(".turn[data-phase=done]")
            .unwrap()
            .length()
            == 3
    })
    .await;
    leptos::task::tick().await;
    let get = assist_requests()[0].to_string();
    assert!(get.contains("/api/v1/assist/threads/thr_r"), "{get}");
    let plan: HtmlElement = find(&host, "[role=region][aria-label='Applied changes']");
    assert!(
        plan.text_content()
            .unwrap()
            .contains("Added the skill Order lookup")
    );
    let cards = host.query_selector_all(".approval-card").unwrap();
    assert_eq!(cards.length(), 2);
    let state = |i: u32| {
        cards
            .get(i)
            .unwrap()
            .unchecked_into::<web_sys::Element>()
            .get_attribute("data-state")
    };
    assert_eq!(
        state(0).as_deref(),
        Some("stale"),
        "an older turn's proposal"
    );
    assert_eq!(
        state(1).as_deref(),
        Some("pending"),
        "the last turn's proposal"
    );
    assert!(host.text_content().unwrap().contains("Order lookup"));

    find::<HtmlButtonElement>(&host, "button.new-conversation").click();
    leptos::task::tick().await;
    assert_eq!(host.query_selector_all(".turn").unwrap().length(), 0);
    assert!(host.query_selector(".approval-card").unwrap().is_none());
    assert_eq!(storage.get_item("test-restore").unwrap(), None, "forgotten");
}
