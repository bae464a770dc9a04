//! Browser tests (wasm-bindgen-test in headless Chromium): the panel mounted into a real DOM,
//! and the transport reading real `ReadableStream`s built in the page.
#![cfg(target_arch = "wasm32")]

use assist_protocol::StreamEvent;
use flowyte_copilot::Panel;
use flowyte_copilot::transport::{TransportError, read_event_stream};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{AbortController, HtmlButtonElement, HtmlElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts a fresh panel in its own container and returns the container.
fn mount_panel() -> HtmlElement {
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), || view! { <Panel /> }).forget();
    host
}

fn find<T: JsCast>(host: &HtmlElement, selector: &str) -> T {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn the_panel_has_a_message_box_a_send_button_and_a_conversation_log() {
    let host = mount_panel();
    leptos::task::tick().await;

    let log: HtmlElement = find(&host, "[role=log][aria-label=Conversation]");
    assert_eq!(log.get_attribute("aria-busy").as_deref(), Some("false"));
    let message: HtmlTextAreaElement = find(&host, "textarea[aria-label=Message]");
    let send: HtmlButtonElement = find(&host, "button[type=submit]");
    assert_eq!(send.text_content().as_deref(), Some("Send"));
    assert!(
        send.disabled(),
        "Send is disabled while the message is empty"
    );

    message.set_value("list my agents");
    message
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;
    assert!(!send.disabled(), "Send is enabled once there is a message");
}

/// A ReadableStream of the given text chunks, built in the page (no network).
fn stream_of(chunks: &[&str]) -> web_sys::ReadableStream {
    let parts = js_sys::Array::new();
    for chunk in chunks {
        parts.push(&js_sys::Uint8Array::from(chunk.as_bytes()));
    }
    let make = js_sys::Function::new_with_args(
        "parts",
        "return new ReadableStream({ start(c) { for (const p of parts) c.enqueue(p); c.close(); } });",
    );
    make.call1(&wasm_bindgen::JsValue::NULL, &parts)
        .unwrap()
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn the_transport_decodes_events_cut_across_chunks() {
    let stream = stream_of(&[
        "event:progress\ndata:{\"message\":\"Listing agents\",\"status\":\"star",
        "ted\"}\n\nevent:delta\r\ndata:{\"text\":\"Hé",
        "llo\"}\r\n\r\nevent:done\ndata:{\"reply\":\"Héllo\",\"threadId\":\"thr_1\"}\n\n",
    ]);
    let abort = AbortController::new().unwrap();
    let mut events = Vec::new();
    read_event_stream(stream, &abort.signal(), |e| events.push(e))
        .await
        .unwrap();
    assert_eq!(events.len(), 3);
    assert!(matches!(&events[1], StreamEvent::Delta(d) if d.text == "Héllo"));
    assert!(
        matches!(&events[2], StreamEvent::Done(Some(r)) if r.thread_id.as_deref() == Some("thr_1"))
    );
}

#[wasm_bindgen_test]
async fn a_stream_without_done_is_interrupted_and_keeps_what_arrived() {
    let stream = stream_of(&["event:delta\ndata:{\"text\":\"half\"}\n\nevent:delta\ndata:{\"te"]);
    let abort = AbortController::new().unwrap();
    let mut events = Vec::new();
    let result = read_event_stream(stream, &abort.signal(), |e| events.push(e)).await;
    assert!(
        matches!(result, Err(TransportError::Interrupted)),
        "{result:?}"
    );
    assert_eq!(events.len(), 1);
}
