//! The message box: it grows with what is typed up to a cap, counts near the 4,000-character
//! limit and refuses a longer message before anything is sent, and focus comes back to it
//! when the button pressed goes away (Send, Stop); a host may have it focused on mount.

use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlElement, HtmlTextAreaElement};

use crate::support::*;

fn is_focused(element: &HtmlElement) -> bool {
    document()
        .active_element()
        .is_some_and(|a| a.is_same_node(Some(element)))
}

#[wasm_bindgen_test]
async fn the_box_grows_to_a_cap_and_a_message_over_the_limit_is_never_sent() {
    let _gateway = Gateway::new().install();
    let element = host_element("composer-limit", 600);
    let panel = mount_with(&element, r#"{"storageKey":"composer-limit"}"#).await;
    let message: HtmlTextAreaElement = find(&element, "textarea[aria-label=Message]");
    let height = || f64::from(message.offset_height());
    let one_line = height();
    type_message(&element, "one\ntwo\nthree\nfour").await;
    pause(50).await;
    let four_lines = height();
    assert!(
        four_lines > one_line * 2.0,
        "it grows: {one_line} → {four_lines}"
    );
    type_message(&element, &"line\n".repeat(60)).await;
    pause(50).await;
    let capped = height();
    assert!(
        capped > four_lines && capped <= 600.0 * 0.2 + 1.0,
        "up to a fifth of the panel: {capped}"
    );
    assert!(
        message.scroll_height() > message.client_height(),
        "then it scrolls"
    );

    let count: HtmlElement = find(&element, ".composer-count");
    let send: HtmlButtonElement = find(&element, "button[type=submit]");
    type_message(&element, &"a".repeat(3_000)).await;
    assert_eq!(
        count.text_content().as_deref(),
        Some(""),
        "no count far from the limit"
    );
    type_message(&element, &"a".repeat(3_700)).await;
    assert_eq!(count.text_content().as_deref(), Some("3,700 / 4,000"));
    assert!(!send.disabled());
    let long = "a".repeat(4_012);
    type_message(&element, &long).await;
    assert!(
        count
            .text_content()
            .unwrap()
            .starts_with("4,012 / 4,000 · 12 characters over the 4,000-character limit"),
        "{:?}",
        count.text_content()
    );
    assert!(send.disabled(), "Send refuses it");
    assert_eq!(
        message.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    // Enter refuses it too, and the box keeps every character.
    js_sys::Function::new_with_args(
        "box",
        "box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true }))",
    )
    .call1(&wasm_bindgen::JsValue::NULL, &message)
    .unwrap();
    send.click();
    pause(100).await;
    assert!(
        requests().iter().all(|r| r["method"] == "GET"),
        "nothing was sent, not even a session: {:?}",
        requests()
    );
    assert_eq!(message.value(), long);
    panel.unmount();
}

#[wasm_bindgen_test]
async fn focus_comes_back_to_the_box_after_send_and_stop() {
    let _gateway = Gateway::new()
        .then(Answer::stream("event:delta\ndata:{\"text\":\"Working\"}\n\n").left_open())
        .install();
    let element = host_element("composer-focus", 500);
    let panel = mount_with(&element, r#"{"storageKey":"composer-focus"}"#).await;
    let message: HtmlElement = find(&element, "textarea[aria-label=Message]");
    type_message(&element, "list my agents").await;
    let send: HtmlButtonElement = find(&element, "button[type=submit]");
    send.focus().unwrap();
    send.click();
    until("focus in the box after Send", || is_focused(&message)).await;
    until_shown(
        "the reply streaming",
        &element,
        ".turn[data-phase=streaming]",
    )
    .await;
    // Past a double click's time (Stop ignores the second click of a double-clicked Send).
    pause(600).await;
    let stop: HtmlButtonElement = find(&element, ".copilot-composer button[type=button]");
    stop.focus().unwrap();
    stop.click();
    until_shown("the stopped turn", &element, ".turn[data-phase=stopped]").await;
    until("focus in the box after Stop", || is_focused(&message)).await;
    panel.unmount();
}

#[wasm_bindgen_test]
async fn a_double_clicked_send_sends_once_and_never_stops_the_turn() {
    let _gateway = Gateway::new()
        .latency(30)
        .then(
            Answer::chunks(vec![
                "event:delta\ndata:{\"text\":\"Two agents\"}\n\n".into(),
                "event:done\ndata:{\"reply\":\"Two agents.\",\"threadId\":\"thr_dbl\"}\n\n".into(),
            ])
            .every(150),
        )
        .install();
    let element = host_element("composer-double", 500);
    let panel = mount_with(&element, r#"{"storageKey":"composer-double"}"#).await;
    type_message(&element, "list my agents").await;
    let button = || find::<HtmlButtonElement>(&element, ".copilot-composer .composer-row button");
    let first = button();
    assert_eq!(first.text_content().as_deref(), Some("Send"));
    first.click();
    leptos::task::tick().await;
    // The second click of the double click lands where Send was: on Stop now.
    let second = button();
    assert_eq!(second.text_content().as_deref(), Some("Stop"));
    second.click();
    until_shown("the finished turn", &element, ".turn[data-phase=done]").await;
    assert_eq!(texts(&element, ".turn").len(), 1);
    assert_eq!(assist_requests().len(), 1, "sent once");
    assert!(!aborted(), "the turn was never stopped");
    panel.unmount();
}

#[wasm_bindgen_test]
async fn the_box_is_focused_on_mount_only_when_the_host_asks() {
    let _gateway = Gateway::new().install();
    let element = host_element("composer-autofocus", 400);
    document().body().unwrap().focus().unwrap();
    let plain = mount_with(&element, r#"{"storageKey":"composer-plain"}"#).await;
    pause(50).await;
    let message: HtmlElement = find(&element, "textarea[aria-label=Message]");
    assert!(
        !is_focused(&message),
        "the host page decides where focus starts"
    );
    plain.unmount();
    let focused = mount_with(
        &element,
        r#"{"storageKey":"composer-autofocus","autofocus":true}"#,
    )
    .await;
    let message: HtmlElement = find(&element, "textarea[aria-label=Message]");
    until("the box focused", || is_focused(&message)).await;
    focused.unmount();
}
