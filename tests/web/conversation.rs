//! The conversation around the turns: the empty state, the end of a turn announced, Retry and
//! Copy, a reload restoring the thread, and the recent conversations New conversation keeps.

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

    let suggestions = texts(&host, ".copilot-empty button.suggestion");
    assert_eq!(suggestions[0], "List my agents");
    assert!(
        suggestions.iter().all(|s| {
            let s = s.to_lowercase();
            ![
                "release", "delete", "remove", "revoke", "publish", "add", "create",
            ]
            .iter()
            .any(|w| s.contains(w))
        }),
        "none changes anything: {suggestions:?}"
    );
    // A draft in the box stays there: the suggestion sends what it says (issue 20: it used to
    // fill the box with no feedback).
    type_message(&host, "my own draft").await;
    let suggestion: HtmlButtonElement = find(&host, ".copilot-empty button.suggestion");
    // As a press does: focus on the button, which goes away with the empty state.
    suggestion.focus().unwrap();
    suggestion.click();
    until("the request", || assist_requests().len() == 1).await;
    assert_eq!(assist_requests()[0]["body"]["message"], "List my agents");
    let message: HtmlTextAreaElement = find(&host, "textarea[aria-label=Message]");
    assert_eq!(message.value(), "my own draft");
    assert_eq!(
        texts(&host, ".turn .turn-text"),
        ["List my agents"],
        "shown as the person's message"
    );
    until("focus in the box", || {
        document()
            .active_element()
            .is_some_and(|a| a.is_same_node(Some(&message)))
    })
    .await;
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
    assert_eq!(assist_requests().len(), 1, "{:?}", assist_requests());
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
        Some("pending"),
        "an older turn's proposal the server still holds (issue 20: it used to read stale)"
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
    assert_eq!(
        storage.get_item("test-restore").unwrap(),
        None,
        "no longer the conversation to resume"
    );
    let recent: serde_json::Value =
        serde_json::from_str(&storage.get_item("test-restore:recent").unwrap().unwrap()).unwrap();
    assert_eq!(recent["conversations"][0]["threadId"], "thr_r");
    assert_eq!(
        recent["conversations"][0]["title"], "t",
        "the thread's own title"
    );
}

#[wasm_bindgen_test]
async fn new_conversation_keeps_the_old_one_under_recent_and_it_reopens_from_the_server() {
    let done = |thread: &str, reply: &str| {
        Answer::stream(format!(
            "event:done\ndata:{{\"reply\":\"{reply}\",\"threadId\":\"{thread}\"}}\n\n"
        ))
    };
    let thread = |id: &str, title: &str, asked: &str, reply: &str| {
        Answer::json(
            200,
            format!(
                r#"{{"thread":{{"id":"{id}","title":"{title}"}},"messages":[
                    {{"id":"m1","role":"user","content":"{asked}","mutations":[]}},
                    {{"id":"m2","role":"assistant","content":"{reply}","mutations":[]}}]}}"#
            ),
        )
    };
    let _gateway = Gateway::new()
        .latency(10)
        .on(
            Route::path("threads/thr_first$"),
            thread(
                "thr_first",
                "Agents",
                "list my agents",
                "You have 4 agents.",
            ),
        )
        .on(
            Route::path("threads/thr_second$"),
            thread(
                "thr_second",
                "Numbers",
                "list my numbers",
                "You have 4 numbers.",
            ),
        )
        .then(done("thr_first", "You have 4 agents."))
        .then(done("thr_second", "You have 4 numbers."))
        .install();
    let element = host_element("recent", 600);
    let panel = mount_with(&element, r#"{"storageKey":"recent-list"}"#).await;
    assert!(
        element
            .query_selector("button.recent-toggle")
            .unwrap()
            .is_none(),
        "nothing to go back to yet"
    );
    ask(&element, "list my agents").await;
    until_shown("the reply", &element, ".turn[data-phase=done]").await;
    find::<HtmlButtonElement>(&element, "button.new-conversation").click();
    until_shown("Recent", &element, "button.recent-toggle").await;
    assert!(element.query_selector(".turn").unwrap().is_none());
    let titles = || texts(&element, ".recent-list .recent-title");
    until("the thread's own title", || titles() == ["Agents"]).await;

    ask(&element, "list my numbers").await;
    until_shown("the second reply", &element, ".turn[data-phase=done]").await;
    let toggle: HtmlButtonElement = find(&element, "button.recent-toggle");
    toggle.click();
    leptos::task::tick().await;
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    find::<HtmlButtonElement>(&element, ".recent-list button.recent-item").click();
    until("the first conversation again", || {
        texts(&element, ".turn .turn-text") == ["list my agents"]
    })
    .await;
    assert!(
        element
            .text_content()
            .unwrap()
            .contains("You have 4 agents."),
        "its reply, read from the thread"
    );
    // The one it replaced is now the recent one; the reopened one is not listed twice.
    until("the list swapped", || titles() == ["Numbers"]).await;
    let stored: serde_json::Value = serde_json::from_str(&stored("recent-list").unwrap()).unwrap();
    assert_eq!(stored["threadId"], "thr_first", "and a reload resumes it");
    ask(&element, "and my keys").await;
    until("the next request", || {
        assist_requests()
            .iter()
            .any(|r| r["body"]["message"] == "and my keys")
    })
    .await;
    let last = assist_requests()
        .into_iter()
        .find(|r| r["body"]["message"] == "and my keys")
        .unwrap();
    assert_eq!(
        last["body"]["threadId"], "thr_first",
        "it goes on in that thread"
    );
    panel.unmount();
}
