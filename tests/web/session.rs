//! The gateway session: one per page, joined rather than resent when another tab replaced it,
//! and a host's own session renewed by the host.

use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlElement, HtmlTextAreaElement};

use crate::support::*;

#[wasm_bindgen_test]
async fn panels_on_a_page_share_one_session_and_a_replaced_one_is_joined_not_resent() {
    let _gateway = agents_gateway();
    let left = host_element("share-left", 300);
    let right = host_element("share-right", 300);
    let left_panel = mount_with(&left, r#"{"agentId":"agt_0001","storageKey":"share-left"}"#).await;
    let right_panel = mount_with(
        &right,
        r#"{"agentId":"agt_0002","storageKey":"share-right"}"#,
    )
    .await;
    let done = |host: &HtmlElement| {
        host.query_selector_all(".turn[data-phase=done]")
            .unwrap()
            .length()
    };
    let count = |method: &str, path: &str| {
        requests()
            .iter()
            .filter(|r| r["method"] == method && r["url"] == path)
            .count()
    };

    // Both ask at the same moment: one session is started, and both use it (two sessions
    // would leave the first panel holding the token of a session its cookie no longer names).
    ask(&left, "hello").await;
    ask(&right, "hello").await;
    until("both replies", || done(&left) == 1 && done(&right) == 1).await;
    assert_eq!(count("POST", "/session"), 1);
    let tokens: Vec<serde_json::Value> = requests()
        .iter()
        .filter(|r| r["method"] == "POST" && r["url"] != "/session")
        .map(|r| r["headers"]["x-csrf-token"].clone())
        .collect();
    assert_eq!(tokens, ["panel-token-1", "panel-token-1"]);

    // Another tab starts a new session: the cookie now names it, and the token is refused.
    replace_session("other-tab-token");
    let posts = || count("POST", "/api/v1/agents/agt_0001/assist");
    ask(&left, "list my agents").await;
    until_shown("the refusal", &left, ".turn[data-phase=failed]").await;
    let error: HtmlElement = find(&left, ".turn-error");
    assert!(
        error
            .text_content()
            .unwrap()
            .contains("Your session changed"),
        "{:?}",
        error.text_content()
    );
    let message: HtmlTextAreaElement = find(&left, "textarea[aria-label=Message]");
    assert_eq!(
        message.value(),
        "list my agents",
        "the message is back in the box"
    );
    pause(200).await;
    assert_eq!(posts(), 2, "nothing was sent again by itself");

    // Sending again joins the session the cookie names; no new session is started.
    find::<HtmlButtonElement>(&left, "button[type=submit]").click();
    until("the reply", || done(&left) == 2).await;
    assert_eq!(posts(), 3);
    assert_eq!(count("POST", "/session"), 1);
    let last = requests().last().cloned().unwrap();
    assert_eq!(last["headers"]["x-csrf-token"], "other-tab-token");

    left_panel.unmount();
    right_panel.unmount();
}

#[wasm_bindgen_test]
async fn a_refused_host_session_is_the_hosts_to_renew_with_set_csrf_token() {
    let _gateway = agents_gateway();
    let element = host_element("renew", 300);
    let panel = mount_with(&element,
            r#"{"agentId":"agt_0003","storageKey":"embed-renew","csrfHeader":"X-Host-CSRF","csrfToken":"expired-token"}"#,
        ).await;
    ask(&element, "hello").await;
    until_shown("the refusal", &element, ".turn[data-phase=failed]").await;
    until("the error event", || !host_events("renew").is_empty()).await;
    let (kind, detail) = host_events("renew").remove(0);
    assert_eq!(
        (kind.as_str(), &detail["status"]),
        ("error", &serde_json::json!(403))
    );
    assert!(
        requests().iter().all(|r| r["url"] != "/session"),
        "the panel does not sign in over the host's session"
    );

    // The host renews its session and hands the panel the new token; the person sends again.
    assert!(panel.set_csrf_token(String::new()).is_err());
    panel.set_csrf_token("host-token".to_owned()).unwrap();
    let message: HtmlTextAreaElement = find(&element, "textarea[aria-label=Message]");
    assert_eq!(message.value(), "hello");
    find::<HtmlButtonElement>(&element, "button[type=submit]").click();
    until_shown("the reply", &element, ".turn[data-phase=done]").await;
    let last = requests().last().cloned().unwrap();
    assert_eq!(last["headers"]["x-host-csrf"], "host-token");

    panel.unmount();
    assert!(panel.set_csrf_token("later".to_owned()).is_err());
}
