//! Approval cards: at the turn that proposed them, one request per approval whatever the
//! clicks, settled from how it ended (and shrunk to one line), Approve all, still actionable
//! after a follow-up message, a card from a cut stream, a rejection kept across a reload, and
//! focus: on the panel's own new card, back in the box once a decision settles.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlElement};

use crate::support::*;

#[wasm_bindgen_test]
async fn a_double_click_on_approve_sends_one_request_with_the_item_as_received() {
    let item = r#"{"name":"releaseNumber","method":"DELETE","path":"/numbers/num_0001","summary":"Release +1 415 555 4421","args":{"numberId":"num_0001","e164":"+14155554421"},"extra":{"kept":true}}"#;
    let proposal = format!(
        "event:confirmation\ndata:{item}\n\nevent:done\ndata:{{\"reply\":\"Approve it below.\",\"threadId\":\"thr_7\",\"pendingConfirmations\":[{item}]}}\n\n"
    );
    let released = "event:mutation\ndata:{\"method\":\"DELETE\",\"path\":\"/numbers/num_0001\",\"operationId\":\"releaseNumber\",\"summary\":\"Released +1 415 555 4421\"}\n\nevent:done\ndata:{\"reply\":\"Done.\",\"threadId\":\"thr_7\",\"appliedMutations\":[{\"method\":\"DELETE\",\"path\":\"/numbers/num_0001\",\"operationId\":\"releaseNumber\",\"summary\":\"Released +1 415 555 4421\"}]}\n\n";
    let answers = serde_json::json!([
        [200, "text/event-stream", proposal],
        [200, "text/event-stream", released],
    ]);
    let _gateway = answering(answers);
    let host = mount_panel().await;
    ask(&host, "release the number ending 4421").await;
    until_shown(
        "the approval card",
        &host,
        ".approval-card[data-state=pending] button.approve",
    )
    .await;
    // In the conversation, under the turn that proposed it.
    let card: HtmlElement = find(&host, "[role=log] .turn .approval-card");
    assert!(card.text_content().unwrap().contains("destructive"));
    assert!(
        card.text_content()
            .unwrap()
            .contains("DELETE /numbers/num_0001"),
        "under Details"
    );
    assert!(
        find::<HtmlElement>(&card, ".approval-origin")
            .text_content()
            .unwrap()
            .contains("release the number ending 4421"),
        "it says which request proposed it"
    );
    // Irreversible: the button says what it does, and looks dangerous.
    let approve: HtmlButtonElement = find(&card, "button.approve");
    assert_eq!(approve.text_content().as_deref(), Some("Release number"));
    assert!(approve.class_list().contains("danger"));
    assert!(
        card.text_content().unwrap().contains("can’t be undone"),
        "{:?}",
        card.text_content()
    );

    approve.click();
    approve.click();
    approve.click();
    until("the approval to settle", || {
        card.get_attribute("data-state").as_deref() == Some("approved")
    })
    .await;
    let bodies = assist_requests();
    assert_eq!(bodies.len(), 2, "one proposal, one approval: never two");
    let approval = bodies[1]["body"].clone();
    assert_eq!(approval["message"], "release the number ending 4421");
    assert_eq!(approval["threadId"], "thr_7");
    let sent: serde_json::Value = serde_json::from_str(item).unwrap();
    assert_eq!(
        approval["confirmed"],
        serde_json::json!([sent]),
        "exactly as received"
    );
    let plan: HtmlElement = find(&host, "[role=region][aria-label='Applied changes']");
    assert!(
        plan.text_content()
            .unwrap()
            .contains("Released +1 415 555 4421")
    );
    assert!(card.query_selector("button.approve").unwrap().is_none());
    // Settled: one line with its outcome.
    assert_eq!(card.get_attribute("data-settled").as_deref(), Some("true"));
    assert_eq!(
        find::<HtmlElement>(&card, ".approval-status")
            .text_content()
            .as_deref(),
        Some("Approved: carried out.")
    );
    assert!(card.query_selector(".approval-details").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_refused_approval_is_stale_a_failed_one_waits_for_retry_and_reject_sends_nothing() {
    let card_for = |n: &str| {
        format!(
            r#"{{"name":"revokePublishableKey","method":"DELETE","path":"/agents/a/publishable-keys/pk_{n}","summary":"Revoke key {n}","args":{{"keyId":"pk_{n}"}}}}"#
        )
    };
    let (one, two, three) = (card_for("1"), card_for("2"), card_for("3"));
    let proposal = format!(
        "event:done\ndata:{{\"reply\":\"Three keys.\",\"threadId\":\"thr_8\",\"pendingConfirmations\":[{one},{two},{three}]}}\n\n"
    );
    let answers = serde_json::json!([
        [200, "text/event-stream", proposal],
        [
            409,
            "application/problem+json",
            "{\"status\":409,\"title\":\"Stale confirmation\",\"code\":\"stale_confirmation\",\"detail\":\"Already carried out.\"}"
        ],
        [
            502,
            "application/problem+json",
            "{\"status\":502,\"title\":\"Bad gateway\"}"
        ],
        [
            200,
            "text/event-stream",
            "event:done\ndata:{\"reply\":\"Revoked.\",\"threadId\":\"thr_8\"}\n\n"
        ],
    ]);
    let _gateway = answering(answers);
    let host = mount_panel().await;
    ask(&host, "revoke my keys").await;
    until("three cards", || {
        host.query_selector_all(".approval-card[data-state=pending]")
            .unwrap()
            .length()
            == 3
    })
    .await;
    let cards = host.query_selector_all(".approval-card").unwrap();
    let card = |i: u32| -> HtmlElement { cards.get(i).unwrap().unchecked_into() };
    assert!(
        host.query_selector("button.approve-all").unwrap().is_some(),
        "several cards: Approve all"
    );

    find::<HtmlButtonElement>(&card(0), "button.approve").click();
    until("stale", || {
        card(0).get_attribute("data-state").as_deref() == Some("stale")
    })
    .await;
    assert!(
        card(0)
            .text_content()
            .unwrap()
            .contains("Already carried out.")
    );

    find::<HtmlButtonElement>(&card(1), "button.approve").click();
    until("failed", || {
        card(1).get_attribute("data-state").as_deref() == Some("failed")
    })
    .await;
    assert!(card(1).text_content().unwrap().contains("Bad gateway"));
    let sent_before_retry = assist_requests().len();
    // Nothing is retried by itself.
    // Nothing is resent by itself: wait well past the stub's 50 ms answer time.
    pause(300).await;
    assert_eq!(assist_requests().len(), sent_before_retry);
    find::<HtmlButtonElement>(&card(1), "button.retry").click();
    until("approved", || {
        card(1).get_attribute("data-state").as_deref() == Some("approved")
    })
    .await;

    find::<HtmlButtonElement>(&card(2), "button.reject").click();
    leptos::task::tick().await;
    assert_eq!(
        card(2).get_attribute("data-state").as_deref(),
        Some("rejected")
    );
    assert_eq!(
        assist_requests().len(),
        4,
        "proposal, stale, failed, retry; reject sent nothing"
    );
}

#[wasm_bindgen_test]
async fn approve_all_sends_the_checked_cards_and_a_follow_up_leaves_the_rest_waiting() {
    let card = |n: &str| {
        format!(
            r#"{{"name":"deleteSkill","method":"DELETE","path":"/agents/a/skills/s_{n}","summary":"Remove skill {n}","args":{{"skillId":"s_{n}"}}}}"#
        )
    };
    let (one, two, three) = (card("1"), card("2"), card("3"));
    let first = format!(
        "event:done\ndata:{{\"reply\":\"Three.\",\"threadId\":\"thr_a\",\"pendingConfirmations\":[{one},{two}]}}\n\n"
    );
    let approved = "event:done\ndata:{\"reply\":\"Removed.\",\"threadId\":\"thr_a\"}\n\n";
    let third = format!(
        "event:done\ndata:{{\"reply\":\"One more.\",\"threadId\":\"thr_a\",\"pendingConfirmations\":[{three}]}}\n\n"
    );
    let later = "event:done\ndata:{\"reply\":\"Listed.\",\"threadId\":\"thr_a\"}\n\n";
    let answers = serde_json::json!([
        [200, "text/event-stream", first],
        [200, "text/event-stream", approved],
        [200, "text/event-stream", third],
        [200, "text/event-stream", later],
        [200, "text/event-stream", approved],
    ]);
    let _gateway = answering(answers);
    let host = mount_panel().await;
    ask(&host, "remove skills").await;
    until("two cards", || {
        host.query_selector_all(".approval-card[data-state=pending]")
            .unwrap()
            .length()
            == 2
    })
    .await;
    let checkbox: web_sys::HtmlInputElement = find(&host, ".approval-card input[type=checkbox]");
    assert!(checkbox.checked(), "every card starts included");
    checkbox.click();
    leptos::task::tick().await;
    find::<HtmlButtonElement>(&host, ".turn button.approve-all").click();
    until_shown("one approved", &host, ".approval-card[data-state=approved]").await;
    let body = assist_requests()[1]["body"].clone();
    assert_eq!(
        body["confirmed"].as_array().unwrap().len(),
        1,
        "only the checked card"
    );
    assert_eq!(body["confirmed"][0]["summary"], "Remove skill 2");
    assert_eq!(
        host.query_selector_all(".approval-card[data-state=pending]")
            .unwrap()
            .length(),
        1,
        "the unchecked card still waits"
    );

    // Follow-ups do not take the proposals back: the server still holds them (issue 20: every
    // new message used to mark them stale).
    ask(&host, "one more").await;
    until("the third card", || {
        host.query_selector_all(".approval-card").unwrap().length() == 3
    })
    .await;
    let states = || -> Vec<String> {
        let list = host.query_selector_all(".approval-card").unwrap();
        (0..list.length())
            .map(|i| {
                list.get(i)
                    .unwrap()
                    .unchecked_into::<web_sys::Element>()
                    .get_attribute("data-state")
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(states(), ["pending", "approved", "pending"]);
    ask(&host, "list my agents").await;
    until("the follow-up", || {
        host.query_selector_all(".turn[data-phase=done]")
            .unwrap()
            .length()
            == 4
    })
    .await;
    assert_eq!(states(), ["pending", "approved", "pending"]);
    let waiting: HtmlButtonElement = find(&host, "button.approvals-waiting");
    assert_eq!(
        waiting.text_content().as_deref(),
        Some("2 approvals waiting")
    );

    // The first turn's remaining card is approved after the follow-ups, in its own turn's
    // words and thread.
    let first_card: HtmlElement = find(&host, ".approval-card[data-state=pending]");
    find::<HtmlButtonElement>(&first_card, "button.approve").click();
    until("the approval", || {
        states() == ["approved", "approved", "pending"]
    })
    .await;
    let approvals: Vec<serde_json::Value> = assist_requests()
        .into_iter()
        .filter(|r| r["body"]["confirmed"].is_array())
        .map(|r| r["body"].clone())
        .collect();
    assert_eq!(approvals.len(), 2);
    assert_eq!(approvals[1]["message"], "remove skills");
    assert_eq!(approvals[1]["threadId"], "thr_a");
    assert_eq!(approvals[1]["confirmed"][0]["summary"], "Remove skill 1");
    assert_eq!(
        waiting.text_content().as_deref(),
        Some("1 approval waiting")
    );
}

#[wasm_bindgen_test]
async fn a_proposal_from_a_cut_stream_stays_a_card_and_approves_in_its_thread() {
    let item = r#"{"name":"releaseNumber","method":"DELETE","path":"/numbers/num_0004","summary":"Release +1 628 555 7730","args":{"numberId":"num_0004"}}"#;
    let answers = serde_json::json!([
        [
            200,
            "text/event-stream",
            "event:done\ndata:{\"reply\":\"Hi.\",\"threadId\":\"thr_c\"}\n\n"
        ],
        // The confirmation arrives, then the connection ends without done.
        [
            200,
            "text/event-stream",
            format!(
                "event:confirmation\ndata:{item}\n\nevent:delta\ndata:{{\"text\":\"Releasing\"}}\n\n"
            )
        ],
        [
            200,
            "text/event-stream",
            "event:done\ndata:{\"reply\":\"Released.\",\"threadId\":\"thr_c\"}\n\n"
        ],
    ]);
    // What the server recorded of the cut turn: its message, its reply so far, the proposal.
    let thread = serde_json::json!({
        "thread": {"id": "thr_c"},
        "messages": [
            {"role": "user", "content": "hello"},
            {"role": "assistant", "content": "Hi."},
            {"role": "user", "content": "release the number ending 7730"},
            {"role": "assistant", "content": "Releasing needs your approval.",
             "pendingConfirmations": [serde_json::from_str::<serde_json::Value>(item).unwrap()]}
        ]
    });
    let _gateway = Gateway::new()
        .latency(50)
        .on(
            Route::path("/assist/threads/thr_c$"),
            Answer::json(200, thread.to_string()),
        )
        .queue(&answers)
        .install();
    let host = mount_panel().await;
    ask(&host, "hello").await;
    until_shown("the first turn", &host, ".turn[data-phase=done]").await;
    ask(&host, "release the number ending 7730").await;
    until_shown(
        "the interrupted turn",
        &host,
        ".turn[data-phase=interrupted]",
    )
    .await;
    until_shown("its card", &host, ".approval-card[data-state=pending]").await;
    // The server's record has the same proposal: one card, not two.
    until_shown("the check", &host, ".turn-check[data-check=recorded]").await;
    assert_eq!(texts(&host, ".approval-card").len(), 1);
    find::<HtmlButtonElement>(&host, ".approval-card button.approve").click();
    until_shown("approved", &host, ".approval-card[data-state=approved]").await;
    let posts: Vec<_> = assist_requests()
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect();
    let body = posts[2]["body"].clone();
    assert_eq!(body["threadId"], "thr_c");
    assert_eq!(body["message"], "release the number ending 7730");
}

#[wasm_bindgen_test]
async fn focus_goes_to_the_new_card_of_the_panel_that_proposed_it() {
    let _gateway = agents_gateway();
    let left = host_element("focus-left", 300);
    let right = host_element("focus-right", 300);
    let panels = [
        ("focus-left", &left, "agt_0001"),
        ("focus-right", &right, "agt_0002"),
    ]
    .map(|(key, element, agent)| {
        flowyte_copilot::mount(
            element.clone().into(),
            options(&format!(r#"{{"agentId":"{agent}","storageKey":"{key}"}}"#)),
        )
        .unwrap()
    });
    leptos::task::tick().await;
    let focused_in = |host: &HtmlElement| {
        document()
            .active_element()
            .is_some_and(|e| e.class_list().contains("approval-card") && host.contains(Some(&e)))
    };
    // Both panels number their cards alike: the same data-card id ends up in each.
    ask(&left, "release the number ending 4421").await;
    until("focus on the left card", || focused_in(&left)).await;
    ask(&right, "release the number ending 4421").await;
    until_shown("the right card", &right, ".approval-card").await;
    let ids =
        |host: &HtmlElement| find::<HtmlElement>(host, ".approval-card").get_attribute("data-card");
    assert_eq!(ids(&left), ids(&right));
    until("focus on the right card", || focused_in(&right)).await;

    for panel in panels {
        panel.unmount();
    }
}

#[wasm_bindgen_test]
async fn a_rejection_survives_a_reload_and_focus_follows_each_decision() {
    let revoke = r#"{"name":"revokePublishableKey","method":"DELETE","path":"/agents/agt_1/publishable-keys/pk_2","summary":"Revoke Staging widget","args":{"keyId":"pk_2","keyPrefix":"pk_live_9f2a3b4c…"}}"#;
    let release = r#"{"name":"releaseNumber","method":"DELETE","path":"/numbers/num_0001","summary":"Release +1 415 555 4421","args":{"numberId":"num_0001"}}"#;
    let proposal = format!(
        "event:done\ndata:{{\"reply\":\"Approve them below.\",\"threadId\":\"thr_keep\",\"pendingConfirmations\":[{revoke},{release}]}}\n\n"
    );
    let released = "event:done\ndata:{\"reply\":\"Released.\",\"threadId\":\"thr_keep\"}\n\n";
    // The thread as the server keeps it afterwards: the release approved, the revoke still
    // held (rejecting sends nothing).
    let thread = format!(
        r#"{{"thread":{{"id":"thr_keep","title":"Clean up"}},
            "messages":[
              {{"id":"m1","role":"user","content":"clean up","mutations":[]}},
              {{"id":"m2","role":"assistant","content":"Approve them below.","mutations":[],"pendingConfirmations":[{revoke},{release}]}},
              {{"id":"m3","role":"user","content":"clean up","mutations":[],"confirmed":[{release}]}},
              {{"id":"m4","role":"assistant","content":"Released.","mutations":[{{"method":"DELETE","path":"/numbers/num_0001","summary":"Released +1 415 555 4421"}}]}}
            ],
            "pendingConfirmations":[{revoke}]}}"#
    );
    let _gateway = Gateway::new()
        .latency(20)
        .on(Route::method("GET"), Answer::json(200, thread))
        .then(Answer::stream(proposal))
        .then(Answer::stream(released))
        .install();
    let element = host_element("keep", 600);
    let panel = mount_with(&element, r#"{"storageKey":"keep-decisions"}"#).await;
    ask(&element, "clean up").await;
    until("two cards", || {
        element
            .query_selector_all(".approval-card[data-state=pending]")
            .unwrap()
            .length()
            == 2
    })
    .await;
    let cards = element.query_selector_all(".approval-card").unwrap();
    let card = |i: u32| -> HtmlElement { cards.get(i).unwrap().unchecked_into() };
    // A key's prefix is not the key: shown, not masked.
    assert!(
        card(0)
            .text_content()
            .unwrap()
            .contains("pk_live_9f2a3b4c…")
    );
    let focused = |element: &HtmlElement| {
        document()
            .active_element()
            .is_some_and(|a| a.is_same_node(Some(element)))
    };

    find::<HtmlButtonElement>(&card(0), "button.reject").click();
    until("focus on the turn's next waiting card", || {
        focused(&card(1))
    })
    .await;
    assert_eq!(
        card(0).get_attribute("data-state").as_deref(),
        Some("rejected")
    );
    find::<HtmlButtonElement>(&card(1), "button.approve").click();
    let message: HtmlElement = find(&element, "textarea[aria-label=Message]");
    until("focus back in the box", || focused(&message)).await;
    until("approved", || {
        card(1).get_attribute("data-state").as_deref() == Some("approved")
    })
    .await;
    assert!(focused(&message), "still in the box once it settled");
    let sent = assist_requests().len();

    // A reload: the rejection is kept here, the approval read from the thread.
    panel.unmount();
    let again = mount_with(&element, r#"{"storageKey":"keep-decisions"}"#).await;
    until("the restored cards", || {
        element
            .query_selector_all(".approval-card")
            .unwrap()
            .length()
            == 2
    })
    .await;
    let states: Vec<String> = texts(&element, ".approval-card .approval-status");
    assert_eq!(
        states,
        ["Rejected: nothing was sent.", "Approved: carried out."]
    );
    assert!(element.query_selector("button.approve").unwrap().is_none());
    assert_eq!(
        assist_requests().len(),
        sent + 1,
        "only the thread was read"
    );
    again.unmount();
}
