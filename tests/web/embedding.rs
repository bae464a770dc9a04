//! Panels as a host page mounts them: options, several panels sharing nothing, unmounting.

use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::support::requests as support_requests;
use crate::support::*;

#[wasm_bindgen_test]
async fn two_mounted_panels_share_nothing_and_unmount_takes_one_out() {
    let _gateway = agents_gateway();
    let left = host_element("left", 400);
    let right = host_element("right", 400);
    let left_panel = mount_with(
        &left,
        r#"{"agentId":"agt_0001","storageKey":"embed-left","context":{"page":"agents","agentId":"agt_0001"},
            "csrfHeader":"X-Host-CSRF","csrfToken":"host-token","theme":"dark"}"#,
    )
    .await;
    let theme = |host: &HtmlElement| {
        find::<HtmlElement>(host, "section.copilot").get_attribute("data-theme")
    };
    assert_eq!(theme(&left).as_deref(), Some("dark"));

    // The left panel: its agent's copilot, the host's session and header, the host's context.
    ask(&left, "hello").await;
    until_shown("the left reply", &left, ".turn[data-phase=done]").await;
    let requests = support_requests();
    assert_eq!(
        requests.len(),
        1,
        "no sign-in with the host's token: {requests:?}"
    );
    assert_eq!(requests[0]["url"], "/api/v1/agents/agt_0001/assist");
    assert_eq!(requests[0]["headers"]["x-host-csrf"], "host-token");
    assert_eq!(requests[0]["headers"].get("x-csrf-token"), None);
    assert_eq!(
        requests[0]["body"]["context"],
        serde_json::json!({"page": "agents", "agentId": "agt_0001"})
    );
    until("the thread event", || !host_events("left").is_empty()).await;
    assert_eq!(
        host_events("left"),
        [(
            "thread-changed".to_owned(),
            serde_json::json!({"threadId": "thr_agt_0001"})
        )]
    );
    assert!(
        stored("embed-left").is_some_and(|s| s.contains("thr_agt_0001")),
        "the left thread is kept under the left key"
    );

    // The right panel, mounted now: nothing of the left's conversation, its own session, its
    // own failure.
    let right_panel = mount_with(&right, r#"{"storageKey":"embed-right","theme":"light"}"#).await;
    assert_eq!(theme(&right).as_deref(), Some("light"));
    assert!(right.query_selector(".turn").unwrap().is_none());
    ask(&right, "hello").await;
    until_shown("the right failure", &right, ".turn[data-phase=failed]").await;
    until("the error event", || {
        host_events("right").iter().any(|(t, _)| t == "error")
    })
    .await;
    let requests = support_requests();
    let sequence: Vec<String> = requests[1..]
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["url"].as_str().unwrap()
            )
        })
        .collect();
    // Mounted, it asks who is signed in (starting nothing); its first message finds no
    // session to join, so one is started.
    assert_eq!(
        sequence,
        [
            "GET /session",
            "GET /session",
            "POST /session",
            "POST /api/v1/assist"
        ],
        "no session to join, so one is started"
    );
    assert_eq!(requests[4]["headers"]["x-csrf-token"], "panel-token-1");
    assert_eq!(requests[4]["body"].get("context"), None);
    let (_, detail) = host_events("right")
        .into_iter()
        .find(|(t, _)| t == "error")
        .unwrap();
    assert_eq!(detail["status"], 503);
    assert_eq!(detail["title"], "Upstream unavailable");
    assert_eq!(
        host_events("left").len(),
        1,
        "the left panel heard nothing of it"
    );
    assert_eq!(left.query_selector_all(".turn").unwrap().length(), 1);
    assert_eq!(stored("embed-right"), None);

    // A second panel on a key in use, and bad options, are refused before anything mounts.
    let spare = host_element("spare", 200);
    assert!(mount_error(&spare, r#"{"storageKey":"embed-left"}"#).contains("storageKey"));
    assert!(mount_error(&spare, r#"{"storageKey":"x","theme":"blue"}"#).contains("theme"));
    assert!(mount_error(&spare, r#"{"storagekey":"x"}"#).contains("unknown field"));
    assert_eq!(spare.child_element_count(), 0);

    // Unmount takes the left panel out, once; the right one stays as it was.
    assert!(left_panel.mounted());
    left_panel.unmount();
    left_panel.unmount();
    assert!(!left_panel.mounted());
    assert_eq!(left.child_element_count(), 0);
    assert_eq!(right.query_selector_all(".turn").unwrap().length(), 1);
    // Its key is free again.
    let again = mount_with(&spare, r#"{"storageKey":"embed-left"}"#).await;
    assert!(spare.query_selector("section.copilot").unwrap().is_some());
    again.unmount();
    right_panel.unmount();
}

#[wasm_bindgen_test]
async fn unmounting_mid_stream_cancels_the_request() {
    let _gateway = agents_gateway();
    let element = host_element("cancel", 300);
    let panel = mount_with(
        &element,
        r#"{"agentId":"agt_0002","storageKey":"embed-cancel"}"#,
    )
    .await;
    ask(&element, "something slow").await;
    until("the partial reply", || {
        element
            .query_selector(".turn[data-phase=streaming] .turn-reply")
            .unwrap()
            .and_then(|r| r.text_content())
            .is_some_and(|t| t.contains("Working on it."))
    })
    .await;
    panel.unmount();
    until("the request to be aborted", aborted).await;
    // The module lives on after the cancelled task wakes up to a panel that is gone.
    pause(50).await;
    let next = host_element("after", 200);
    let other = mount_with(&next, r#"{"storageKey":"embed-after"}"#).await;
    assert!(next.query_selector("textarea").unwrap().is_some());
    assert!(
        host_events("cancel").is_empty(),
        "unmounting is not an error"
    );
    other.unmount();
}

#[wasm_bindgen_test]
async fn an_agent_id_mounts_only_if_the_gateway_would_forward_it() {
    let _gateway = agents_gateway();
    let longest = "a".repeat(assist_protocol::MAX_ID_LEN);
    let element = host_element("long-agent", 300);
    let error = mount_error(
        &element,
        &format!(r#"{{"agentId":"{longest}b","storageKey":"embed-long"}}"#),
    );
    assert!(error.contains("agentId"), "{error}");
    assert_eq!(element.child_element_count(), 0, "nothing mounted");

    let panel = mount_with(
        &element,
        &format!(r#"{{"agentId":"{longest}","storageKey":"embed-long"}}"#),
    )
    .await;
    ask(&element, "hello").await;
    until_shown("the reply", &element, ".turn[data-phase=done]").await;
    let last = support_requests().last().cloned().unwrap();
    assert_eq!(last["url"], format!("/api/v1/agents/{longest}/assist"));
    panel.unmount();
}
