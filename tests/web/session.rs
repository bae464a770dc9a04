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

/// Keeps a link's click from leaving the test page (the panel's own handler still runs).
fn stay_on_page() {
    js_sys::Function::new_no_args(
        "window.__followed = null;
         window.__stay ??= document.addEventListener('click', (e) => {
           const link = e.target.closest('a');
           if (link) { e.preventDefault(); window.__followed = link.getAttribute('href'); }
         }, true) ?? true;",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();
}

fn followed() -> Option<String> {
    js_sys::Reflect::get(&web_sys::window().unwrap(), &"__followed".into())
        .unwrap()
        .as_string()
}

fn session_storage(key: &str) -> Option<String> {
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item(key)
        .unwrap()
}

#[wasm_bindgen_test]
async fn signed_out_with_an_identity_provider_offers_a_sign_in_link_that_keeps_the_draft() {
    let _gateway = Gateway::new().identity_provider().install();
    stay_on_page();
    let before = web_sys::window().unwrap().location().href().unwrap();
    let element = host_element("sign-in", 400);
    let panel = mount_with(&element, r#"{"storageKey":"sign-in"}"#).await;
    until_shown("the sign-in link", &element, "a.sign-in-link").await;
    let link: web_sys::HtmlAnchorElement = find(&element, "a.sign-in-link");
    let location = web_sys::window().unwrap().location();
    let here = format!(
        "{}{}{}",
        location.pathname().unwrap(),
        location.search().unwrap(),
        location.hash().unwrap()
    );
    assert_eq!(
        link.get_attribute("href").unwrap(),
        format!(
            "/login?returnTo={}",
            String::from(js_sys::encode_uri_component(&here))
        )
    );
    assert_eq!(link.text_content().unwrap(), "Sign in");
    assert_eq!(
        location.href().unwrap(),
        before,
        "the panel never leaves the page by itself"
    );

    // Sending while signed out: nothing is sent, the message stays.
    ask(&element, "release the number ending 4421").await;
    until_shown("the refusal", &element, ".turn[data-phase=failed]").await;
    assert!(
        find::<HtmlElement>(&element, ".turn-error")
            .text_content()
            .unwrap()
            .contains("Sign in to use the copilot")
    );
    let message: HtmlTextAreaElement = find(&element, "textarea[aria-label=Message]");
    assert_eq!(message.value(), "release the number ending 4421");
    assert!(assist_requests().is_empty(), "nothing reached the copilot");
    assert!(
        requests()
            .iter()
            .all(|r| !(r["method"] == "POST" && r["url"] == "/session")),
        "no development sign-in where a provider signs people in"
    );

    // Following the link keeps the draft for the way back…
    type_message(&element, "draft for after signing in").await;
    find::<HtmlElement>(&element, "a.sign-in-link").click();
    assert_eq!(followed().as_deref(), link.get_attribute("href").as_deref());
    assert_eq!(
        session_storage("sign-in:draft").as_deref(),
        Some("draft for after signing in")
    );
    panel.unmount();
    // …and the panel mounted again after the round trip puts it back, once.
    let again = mount_with(&element, r#"{"storageKey":"sign-in"}"#).await;
    let message: HtmlTextAreaElement = find(&element, "textarea[aria-label=Message]");
    assert_eq!(message.value(), "draft for after signing in");
    assert_eq!(session_storage("sign-in:draft"), None);
    again.unmount();
}

#[wasm_bindgen_test]
async fn the_account_line_names_who_is_signed_in_and_signs_out() {
    let _gateway = Gateway::new()
        .on(
            Route::method("POST"),
            Answer::stream("event:done\ndata:{\"reply\":\"Hi.\"}\n\n"),
        )
        .install();
    let element = host_element("account", 400);
    let panel = mount_with(&element, r#"{"storageKey":"account"}"#).await;
    // Development sign-in happens with the first message, not on mount.
    pause(50).await;
    assert!(
        element
            .query_selector(".copilot-account")
            .unwrap()
            .is_none()
    );
    ask(&element, "hello").await;
    until_shown("the account line", &element, ".copilot-account").await;
    let line: HtmlElement = find(&element, ".copilot-account");
    assert!(
        line.text_content()
            .unwrap()
            .starts_with("Signed in as Developer"),
        "{:?}",
        line.text_content()
    );
    assert!(element.query_selector("a.sign-in-link").unwrap().is_none());
    until_shown("the reply", &element, ".turn[data-phase=done]").await;
    find::<HtmlButtonElement>(&element, "button.sign-out").click();
    until("the sign-out", || {
        requests()
            .iter()
            .any(|r| r["method"] == "POST" && r["url"] == "/logout")
    })
    .await;
    let logout = requests()
        .into_iter()
        .find(|r| r["url"] == "/logout")
        .unwrap();
    assert_eq!(logout["headers"]["x-csrf-token"], "panel-token-1");
    until("the browser sent where the gateway said", || {
        web_sys::window().unwrap().location().hash().unwrap() == "#signed-out"
    })
    .await;
    web_sys::window().unwrap().location().set_hash("").unwrap();
    panel.unmount();

    // A host page that owns sign-in hides the line.
    let hidden = mount_with(
        &element,
        r#"{"storageKey":"account-hidden","showAccount":false}"#,
    )
    .await;
    ask(&element, "hello").await;
    until_shown("the reply", &element, ".turn[data-phase=done]").await;
    assert!(
        element
            .query_selector(".copilot-account")
            .unwrap()
            .is_none()
    );
    hidden.unmount();
}

#[wasm_bindgen_test]
async fn a_viewer_reads_why_approve_is_disabled() {
    let item = r#"{"name":"releaseNumber","method":"DELETE","path":"/api/v1/numbers/num_1","summary":"Release +1 415 555 4421","args":{}}"#;
    let _gateway = Gateway::new()
        .role("viewer")
        .then(Answer::stream(format!(
            "event:confirmation\ndata:{item}\n\nevent:done\ndata:{{\"reply\":\"Approve it below.\",\"threadId\":\"thr_v\",\"pendingConfirmations\":[{item}]}}\n\n"
        )))
        .install();
    let element = host_element("viewer", 500);
    let panel = mount_with(&element, r#"{"storageKey":"viewer"}"#).await;
    ask(&element, "release the number ending 4421").await;
    until_shown("the card", &element, ".approval-card").await;
    let approve: HtmlButtonElement = find(&element, ".approval-card button.approve");
    assert!(approve.disabled(), "a viewer cannot approve");
    let note_id = approve
        .get_attribute("aria-describedby")
        .expect("the reason is linked");
    let note: HtmlElement = find(&element, &format!("#{note_id}"));
    assert!(
        note.text_content()
            .unwrap()
            .starts_with("Only an approver can approve this.")
    );
    assert!(
        find::<HtmlElement>(&element, ".copilot-account")
            .text_content()
            .unwrap()
            .contains("(viewer)")
    );
    approve.click();
    pause(100).await;
    assert_eq!(assist_requests().len(), 1, "nothing was approved");
    // Reject stays the viewer's to use.
    let reject: HtmlButtonElement = find(&element, ".approval-card button.reject");
    assert!(!reject.disabled());
    panel.unmount();
}

#[wasm_bindgen_test]
async fn after_a_gateway_restart_the_turn_says_so_and_the_next_send_starts_a_new_session() {
    let _gateway = Gateway::new()
        .on(
            Route::method("POST"),
            Answer::stream("event:done\ndata:{\"reply\":\"Hi.\",\"threadId\":\"thr_rs\"}\n\n"),
        )
        .install();
    let element = host_element("restart", 400);
    let panel = mount_with(&element, r#"{"storageKey":"restart"}"#).await;
    ask(&element, "hello").await;
    until_shown("the reply", &element, ".turn[data-phase=done]").await;

    restart_gateway();
    ask(&element, "list my agents").await;
    until_shown("the refusal", &element, ".turn[data-phase=failed]").await;
    let error = find::<HtmlElement>(&element, ".turn-error")
        .text_content()
        .unwrap();
    assert!(error.starts_with("The copilot's session ended"), "{error}");
    assert!(
        !error.to_lowercase().contains("sign in"),
        "nothing to sign in to: {error}"
    );
    assert!(element.query_selector("a.sign-in-link").unwrap().is_none());
    let message: HtmlTextAreaElement = find(&element, "textarea[aria-label=Message]");
    assert_eq!(message.value(), "list my agents", "nothing was lost");

    // Sending again starts a new session by itself; nothing was resent before that.
    let sessions = || {
        requests()
            .iter()
            .filter(|r| r["method"] == "POST" && r["url"] == "/session")
            .count()
    };
    assert_eq!(sessions(), 1);
    find::<HtmlButtonElement>(&element, "button[type=submit]").click();
    until("the reply", || {
        element
            .query_selector_all(".turn[data-phase=done]")
            .unwrap()
            .length()
            == 2
    })
    .await;
    assert_eq!(sessions(), 2);
    let last = requests().last().cloned().unwrap();
    assert_eq!(last["headers"]["x-csrf-token"], "panel-token-2");
    panel.unmount();
}

#[wasm_bindgen_test]
async fn a_gateway_that_does_not_answer_is_named_in_plain_words() {
    let _gateway = Gateway::new().install();
    let element = host_element("down", 400);
    let panel = mount_with(&element, r#"{"storageKey":"down"}"#).await;
    gateway_down(true);
    ask(&element, "list my agents").await;
    until_shown("the failure", &element, ".turn[data-phase=failed]").await;
    gateway_down(false);
    let error = find::<HtmlElement>(&element, ".turn-error")
        .text_content()
        .unwrap();
    assert!(
        error.starts_with("The copilot's gateway is not answering"),
        "{error}"
    );
    for raw in ["TypeError", "Failed to fetch", "your connection"] {
        assert!(!error.contains(raw), "{raw} in {error}");
    }
    let message: HtmlTextAreaElement = find(&element, "textarea[aria-label=Message]");
    assert_eq!(message.value(), "list my agents");
    panel.unmount();
}
