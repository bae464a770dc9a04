//! Browser tests (wasm-bindgen-test in headless Chromium): the panel mounted into a real DOM,
//! and the transport reading real `ReadableStream`s built in the page.
#![cfg(target_arch = "wasm32")]

use assist_protocol::StreamEvent;
use flowyte_copilot::Panel;
use flowyte_copilot::transport::{TransportError, read_event_stream};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{AbortController, HtmlButtonElement, HtmlElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

const IDLE: Duration = Duration::from_secs(5);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts a fresh panel in its own container and returns the container.
fn mount_panel() -> HtmlElement {
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    // Each panel keeps its thread under its own key: tests share the page's localStorage.
    static MOUNTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let key = format!(
        "test-panel-{}",
        MOUNTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    leptos::mount::mount_to(host.clone(), move || view! { <Panel storage_key=key /> }).forget();
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

/// A ReadableStream of the given byte chunks, built in the page (no network). It closes after
/// the last chunk, or stays open (like a stalled server) when `close` is false.
fn stream_of_bytes(chunks: &[&[u8]], close: bool) -> web_sys::ReadableStream {
    let parts = js_sys::Array::new();
    for chunk in chunks {
        parts.push(&js_sys::Uint8Array::from(*chunk));
    }
    let make = js_sys::Function::new_with_args(
        "parts, close",
        "return new ReadableStream({ start(c) { for (const p of parts) c.enqueue(p); if (close) c.close(); } });",
    );
    make.call2(&wasm_bindgen::JsValue::NULL, &parts, &close.into())
        .unwrap()
        .unchecked_into()
}

fn stream_of(chunks: &[&str]) -> web_sys::ReadableStream {
    let bytes: Vec<&[u8]> = chunks.iter().map(|c| c.as_bytes()).collect();
    stream_of_bytes(&bytes, true)
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
    read_event_stream(stream, &abort.signal(), IDLE, |e| events.push(e))
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
    let result = read_event_stream(stream, &abort.signal(), IDLE, |e| events.push(e)).await;
    assert!(
        matches!(result, Err(TransportError::Interrupted)),
        "{result:?}"
    );
    assert_eq!(events.len(), 1);
}

#[wasm_bindgen_test]
async fn awkward_cuts_split_characters_crlf_and_the_bom() {
    // "é" split between its two bytes, a CR ending one chunk and its LF starting the next, and
    // the BOM cut in half: all normal for a network read.
    let stream = stream_of_bytes(
        &[
            b"\xEF\xBB",
            b"\xBF: hi\revent:delta\r",
            b"\ndata:{\"text\":\"h\xC3",
            b"\xA9\"}\r",
            b"\n\r",
            b"\nevent:done\ndata:{}\n\n",
        ],
        true,
    );
    let abort = AbortController::new().unwrap();
    let mut events = Vec::new();
    read_event_stream(stream, &abort.signal(), IDLE, |e| events.push(e))
        .await
        .unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(&events[0], StreamEvent::Delta(d) if d.text == "hé"));
    assert_eq!(events[1], StreamEvent::Done(None));
}

#[wasm_bindgen_test]
async fn stop_mid_stream_ends_the_read_as_aborted() {
    // The first event arrives, then the server goes quiet; the person presses Stop.
    let stream = stream_of_bytes(&[b"event:delta\ndata:{\"text\":\"part\"}\n\n"], false);
    let abort = AbortController::new().unwrap();
    let signal = abort.signal();
    let events = Rc::new(RefCell::new(Vec::new()));
    let seen = events.clone();
    let read = read_event_stream(stream, &signal, IDLE, move |e| {
        seen.borrow_mut().push(e);
        // Abort as soon as the first event is delivered.
        abort.abort();
    });
    let result = read.await;
    assert!(matches!(result, Err(TransportError::Aborted)), "{result:?}");
    assert_eq!(events.borrow().len(), 1);
}

#[wasm_bindgen_test]
async fn a_silent_stream_times_out() {
    let stream = stream_of_bytes(&[b": keep-alive\n"], false);
    let abort = AbortController::new().unwrap();
    let result =
        read_event_stream(stream, &abort.signal(), Duration::from_millis(50), |_| {}).await;
    assert!(
        matches!(result, Err(TransportError::IdleTimeout(_))),
        "{result:?}"
    );
}

#[wasm_bindgen_test]
async fn a_frame_that_is_not_the_json_its_event_needs_is_an_error() {
    let stream =
        stream_of(&["event:delta\ndata:{\"text\":\"ok\"}\n\nevent:mutation\ndata:[1,2]\n\n"]);
    let abort = AbortController::new().unwrap();
    let mut events = Vec::new();
    let result = read_event_stream(stream, &abort.signal(), IDLE, |e| events.push(e)).await;
    assert!(
        matches!(result, Err(TransportError::BadFrame(ref e)) if e.event == "mutation"),
        "{result:?}"
    );
    assert_eq!(
        events.len(),
        1,
        "the events before the bad frame were delivered"
    );
}

/// Puts back the fetch a stub replaced.
fn restore_fetch() {
    js_sys::Function::new_no_args("window.fetch = window.__realFetch;")
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap();
    // The next test's stand-in gateway hands out its own session.
    flowyte_copilot::transport::forget_sessions();
}

/// Lets the page's tasks and timers run for `ms` milliseconds.
async fn pause(ms: i32) {
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(timer).await.unwrap();
    leptos::task::tick().await;
}

/// Waits (up to ~2 s) until `condition` holds, letting the page's tasks and timers run.
async fn until(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..200 {
        if condition() {
            return;
        }
        pause(10).await;
    }
    panic!("timed out waiting for {what}");
}

/// Waits (up to ~2 s) until an element matching `selector` is in `host`.
async fn until_shown(what: &str, host: &HtmlElement, selector: &str) {
    until(what, || host.query_selector(selector).unwrap().is_some()).await;
}

/// Replaces `navigator.clipboard.writeText` with one that keeps what it was given in
/// `window.__copied` (headless Chromium denies the real clipboard).
fn stub_clipboard() {
    js_sys::Function::new_no_args(
        "window.__copied = null;
         Object.defineProperty(navigator, 'clipboard', {
           configurable: true,
           value: { writeText: async (text) => { window.__copied = text; } },
         });",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();
}

fn copied() -> Option<String> {
    js_sys::Reflect::get(&web_sys::window().unwrap(), &"__copied".into())
        .unwrap()
        .as_string()
}

#[wasm_bindgen_test]
async fn stop_ends_the_turn_as_stopped_and_keeps_the_partial_reply() {
    // Stand in for the gateway: a session, then a stream that sends one delta and stalls.
    let install = js_sys::Function::new_no_args(
        "window.__realFetch = window.fetch;
         window.fetch = async (input) => {
           const url = typeof input === 'string' ? input : input.url;
           if (url.endsWith('/session')) {
             return new Response('{\"csrfToken\":\"t\",\"expiresAt\":0}', { status: 201, headers: { 'content-type': 'application/json' } });
           }
           const body = new ReadableStream({ start(c) {
             c.enqueue(new TextEncoder().encode('event:delta\\ndata:{\"text\":\"Half a **reply\"}\\n\\n'));
           } });
           return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
         };",
    );
    install.call0(&wasm_bindgen::JsValue::NULL).unwrap();

    let host = mount_panel();
    leptos::task::tick().await;
    let message: HtmlTextAreaElement = find(&host, "textarea[aria-label=Message]");
    message.set_value("release the number ending 4421");
    message
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;
    find::<HtmlButtonElement>(&host, "button[type=submit]").click();

    let reply_is = |text: &str| {
        host.query_selector(".turn-reply")
            .unwrap()
            .and_then(|r| r.text_content())
            .is_some_and(|t| t.trim() == text)
    };
    until("the partial reply", || reply_is("Half a reply")).await;
    let stop: HtmlButtonElement = find(&host, ".copilot-composer button[type=button]");
    assert_eq!(stop.text_content().as_deref(), Some("Stop"));
    stop.click();
    until_shown("the stopped turn", &host, ".turn[data-phase=stopped]").await;
    assert!(reply_is("Half a reply"), "the partial reply stays");
    // As it was shown while streaming: the open emphasis is still emphasis, not `**`.
    let strong: HtmlElement = find(&host, ".turn-reply strong");
    assert_eq!(strong.text_content().as_deref(), Some("reply"));
    let log: HtmlElement = find(&host, "[role=log]");
    assert_eq!(log.get_attribute("aria-busy").as_deref(), Some("false"));

    restore_fetch();
}

/// Replaces `window.fetch` with one that counts its calls and answers every request with
/// `new Response(body, init)`; returns a function that restores the real fetch.
fn stub_fetch(body: &str, init: &str) -> js_sys::Function {
    let install = js_sys::Function::new_with_args(
        "body, init",
        "const real = window.fetch;
         window.__fetchCalls = 0;
         window.fetch = async () => { window.__fetchCalls++; return new Response(body, JSON.parse(init)); };
         return () => { window.fetch = real; };",
    );
    install
        .call2(&wasm_bindgen::JsValue::NULL, &body.into(), &init.into())
        .unwrap()
        .unchecked_into()
}

fn fetch_calls() -> f64 {
    js_sys::Reflect::get(&web_sys::window().unwrap(), &"__fetchCalls".into())
        .unwrap()
        .as_f64()
        .unwrap()
}

async fn post_once() -> (Result<(), TransportError>, Vec<StreamEvent>) {
    let abort = AbortController::new().unwrap();
    let request = assist_protocol::AssistRequest {
        message: "delete Support Bot".into(),
        ..Default::default()
    };
    let mut events = Vec::new();
    let result = flowyte_copilot::transport::post_assist(
        &Default::default(),
        "t",
        &request,
        &abort.signal(),
        |e| events.push(e),
    )
    .await;
    (result, events)
}

#[wasm_bindgen_test]
async fn a_json_answer_in_the_envelope_is_one_done() {
    let restore = stub_fetch(
        r#"{"success":true,"data":{"reply":"Done.","threadId":"thr_9","appliedMutations":[{"method":"POST","path":"/agents","operationId":"createAgent"}]}}"#,
        r#"{"status":200,"headers":{"content-type":"application/json"}}"#,
    );
    let (result, events) = post_once().await;
    restore.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    result.unwrap();
    let [StreamEvent::Done(Some(done))] = events.as_slice() else {
        panic!("{events:?}");
    };
    assert_eq!(
        (done.reply.as_str(), done.applied_mutations.len()),
        ("Done.", 1)
    );
}

#[wasm_bindgen_test]
async fn http_errors_are_told_apart_and_never_retried() {
    let cases = [
        (
            r#"{"title":"Too many requests","status":429}"#,
            r#"{"status":429,"headers":{"content-type":"application/problem+json","retry-after":"7"}}"#,
        ),
        (
            r#"{"title":"Session expired","status":401}"#,
            r#"{"status":401,"headers":{"content-type":"application/problem+json"}}"#,
        ),
        (
            r#"{"success":false,"message":"Invalid request","errors":[{"field":"message","message":"must not be empty"}]}"#,
            r#"{"status":400,"headers":{"content-type":"application/json"}}"#,
        ),
    ];
    let mut outcomes = Vec::new();
    for (body, init) in cases {
        let restore = stub_fetch(body, init);
        let (result, events) = post_once().await;
        let calls = fetch_calls();
        restore.call0(&wasm_bindgen::JsValue::NULL).unwrap();
        assert!(events.is_empty());
        assert_eq!(calls, 1.0, "one request, no retry");
        outcomes.push(result.unwrap_err());
    }
    assert!(
        matches!(&outcomes[0], TransportError::RateLimited { retry_after: Some(s), .. } if s == "7")
    );
    assert_eq!(
        outcomes[0].to_turn_error().detail.as_deref(),
        Some("Try again in 7 seconds.")
    );
    assert!(matches!(outcomes[1], TransportError::SessionExpired(_)));
    let TransportError::Http {
        status: 400,
        problem,
    } = &outcomes[2]
    else {
        panic!("{:?}", outcomes[2]);
    };
    let shown = outcomes[2].to_turn_error();
    assert_eq!(shown.title, "Invalid request");
    assert_eq!(shown.fields, ["message: must not be empty"]);
    assert_eq!(problem.status, Some(400));
    assert!(outcomes.iter().all(TransportError::before_acceptance));
}

/// Bytes of wasm linear memory (it only grows, in 64 KiB pages).
fn wasm_memory_bytes() -> u32 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
}

#[wasm_bindgen_test]
async fn reading_many_chunks_does_not_grow_memory() {
    // 20,000 chunks of one small frame each (a long reply arriving in network-sized pieces),
    // twice. The first stream may grow the heap to its working size; the second must not grow
    // it at all (a per-chunk leak grew it by ~1 MB per stream).
    let make = js_sys::Function::new_with_args(
        "n",
        "let i = 0; const frame = new TextEncoder().encode('event:delta\\ndata:{\"text\":\"abcdefghij\"}\\n\\n');
         return new ReadableStream({ pull(c) {
           if (i++ < n) c.enqueue(frame.slice());
           else { c.enqueue(new TextEncoder().encode('event:done\\ndata:{}\\n\\n')); c.close(); }
         } });",
    );
    let mut grown = Vec::new();
    for _ in 0..2 {
        let stream = make
            .call1(&wasm_bindgen::JsValue::NULL, &20_000.into())
            .unwrap()
            .unchecked_into();
        let before = wasm_memory_bytes();
        let abort = AbortController::new().unwrap();
        let mut events = 0;
        read_event_stream(stream, &abort.signal(), IDLE, |_| events += 1)
            .await
            .unwrap();
        assert_eq!(events, 20_001);
        grown.push(wasm_memory_bytes() - before);
    }
    assert_eq!(grown[1], 0, "memory grew by {grown:?} bytes");
}

fn md_blocks(host: &HtmlElement) -> Vec<web_sys::Element> {
    let list = host.query_selector_all(".md-block:not(.md-tail)").unwrap();
    (0..list.length())
        .map(|i| list.get(i).unwrap().unchecked_into())
        .collect()
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
async fn applied_changes_show_as_a_plan_once_each_and_the_host_hears_of_them() {
    let long = "x".repeat(120);
    let create = format!(
        r#"{{"method":"POST","path":"/agents/agt_0001/skills","operationId":"createSkill","summary":"Added the skill Order lookup","body":{{"name":"Order lookup","apiKey":"flowyte_sk_live_secret","note":"{long}"}}}}"#
    );
    let update = r#"{"method":"PATCH","path":"/agents/agt_0003","operationId":"updateAgent","summary":"Renamed After-hours Line","body":{"name":"Night Line"}}"#;
    let stream = format!(
        "event:mutation\ndata:{create}\n\nevent:mutation\ndata:{update}\n\n\
         event:done\ndata:{{\"reply\":\"Done.\",\"threadId\":\"thr_1\",\"appliedMutations\":[{create},{update}]}}\n\n"
    );
    stub_gateway(&serde_json::json!([[200, "text/event-stream", stream]]).to_string());
    js_sys::Function::new_no_args(
        "window.__applied = [];
         document.addEventListener('flowyte-copilot:changes-applied', (e) => window.__applied.push(e.detail));",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();

    let host = mount_panel();
    leptos::task::tick().await;
    ask(&host, "add an order-lookup skill").await;
    until_shown("the turn to end", &host, ".turn[data-phase=done]").await;
    leptos::task::tick().await;

    let region: HtmlElement = find(&host, "[role=region][aria-label='Applied changes']");
    assert_eq!(
        find::<HtmlElement>(&region, ".changes-totals")
            .text_content()
            .as_deref(),
        Some("Applied: 1 created, 1 updated, 0 destroyed")
    );
    let rows = region.query_selector_all(".plan-row").unwrap();
    assert_eq!(
        rows.length(),
        2,
        "a frame and the result report each change once"
    );
    let headings: Vec<String> = {
        let list = region.query_selector_all("h4").unwrap();
        (0..list.length())
            .map(|i| list.get(i).unwrap().text_content().unwrap())
            .collect()
    };
    assert_eq!(headings, ["Skills", "Agents"]);
    let symbols: Vec<String> = {
        let list = region.query_selector_all(".plan-symbol").unwrap();
        (0..list.length())
            .map(|i| list.get(i).unwrap().text_content().unwrap())
            .collect()
    };
    assert_eq!(symbols, ["+", "~"]);
    let text = region.text_content().unwrap();
    assert!(text.contains("POST /agents/agt_0001/skills") && text.contains("createSkill"));
    assert!(text.contains("+ apiKey = ••••••••"), "{text}");
    assert!(
        !host.inner_html().contains("flowyte_sk_live_secret"),
        "the secret is never in the DOM"
    );

    let more: HtmlButtonElement = find(&region, "button.show-more");
    let before = region.text_content().unwrap().len();
    more.click();
    leptos::task::tick().await;
    assert!(
        region.text_content().unwrap().len() >= before + 39,
        "Show more shows the rest"
    );

    let applied = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__applied".into()).unwrap();
    let applied: js_sys::Array = applied.unchecked_into();
    assert_eq!(applied.length(), 1, "one event for the turn");
    let detail: js_sys::Array = applied.get(0).unchecked_into();
    assert_eq!(detail.length(), 2, "its detail: the turn's mutations");

    restore_fetch();
}

/// A stand-in gateway for approvals: a session, then answers in order from `answers` (JSON
/// array of `[status, contentType, body]`), counting the assist requests and keeping their
/// bodies in `window.__assistBodies`.
fn stub_gateway(answers: &str) {
    flowyte_copilot::transport::forget_sessions();
    js_sys::Function::new_with_args(
        "answers",
        "window.__realFetch = window.fetch;
         window.__assistBodies = [];
         const queue = JSON.parse(answers);
         window.fetch = async (input, init) => {
           const url = typeof input === 'string' ? input : input.url;
           if (url.endsWith('/session')) {
             return new Response('{\"csrfToken\":\"t\",\"expiresAt\":0}', { status: 201, headers: { 'content-type': 'application/json' } });
           }
           const text = init?.body ?? await input.text();
           window.__assistBodies.push(text ? JSON.parse(text) : { get: url });
           const [status, type, body] = queue.shift() ?? [500, 'application/problem+json', '{\"title\":\"no more answers\"}'];
           // Answer a little later, as a network would: a double click lands while it waits.
           await new Promise((r) => setTimeout(r, 50));
           return new Response(body, { status, headers: { 'content-type': type } });
         };",
    )
    .call1(&wasm_bindgen::JsValue::NULL, &answers.into())
    .unwrap();
}

fn assist_bodies() -> js_sys::Array {
    js_sys::Reflect::get(&web_sys::window().unwrap(), &"__assistBodies".into())
        .unwrap()
        .unchecked_into()
}

async fn ask(host: &HtmlElement, text: &str) {
    let message: HtmlTextAreaElement = find(host, "textarea[aria-label=Message]");
    message.set_value(text);
    message
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;
    find::<HtmlButtonElement>(host, "button[type=submit]").click();
}

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
    stub_gateway(&answers.to_string());
    let host = mount_panel();
    leptos::task::tick().await;
    ask(&host, "release the number ending 4421").await;
    until_shown(
        "the approval card",
        &host,
        ".approval-card[data-state=pending] button.approve",
    )
    .await;
    let card: HtmlElement = find(
        &host,
        "[role=region][aria-label='Pending approvals'] .approval-card",
    );
    assert!(card.text_content().unwrap().contains("destructive"));
    assert!(
        card.text_content()
            .unwrap()
            .contains("DELETE /numbers/num_0001")
    );

    let approve: HtmlButtonElement = find(&card, "button.approve");
    approve.click();
    approve.click();
    approve.click();
    until("the approval to settle", || {
        card.get_attribute("data-state").as_deref() == Some("approved")
    })
    .await;
    let bodies = assist_bodies();
    assert_eq!(bodies.length(), 2, "one proposal, one approval: never two");
    let approval = js_sys::JSON::stringify(&bodies.get(1))
        .unwrap()
        .as_string()
        .unwrap();
    let approval: serde_json::Value = serde_json::from_str(&approval).unwrap();
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

    restore_fetch();
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
    stub_gateway(&answers.to_string());
    let host = mount_panel();
    leptos::task::tick().await;
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
    let sent_before_retry = assist_bodies().length();
    // Nothing is retried by itself.
    // Nothing is resent by itself: wait well past the stub's 50 ms answer time.
    pause(300).await;
    assert_eq!(assist_bodies().length(), sent_before_retry);
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
        assist_bodies().length(),
        4,
        "proposal, stale, failed, retry; reject sent nothing"
    );

    restore_fetch();
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
    stub_gateway(&answers.to_string());
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage
        .set_item("test-restore", r#"{"threadId":"thr_r"}"#)
        .unwrap();

    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(
        host.clone(),
        || view! { <Panel storage_key="test-restore" /> },
    )
    .forget();
    until("the restored turns", || {
        host.query_selector_all(".turn[data-phase=done]")
            .unwrap()
            .length()
            == 3
    })
    .await;
    leptos::task::tick().await;
    let get = js_sys::JSON::stringify(&assist_bodies().get(0))
        .unwrap()
        .as_string()
        .unwrap();
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

    restore_fetch();
}

#[wasm_bindgen_test]
async fn approve_all_sends_the_checked_cards_in_one_request_and_a_new_message_expires_the_rest() {
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
    ]);
    stub_gateway(&answers.to_string());
    let host = mount_panel();
    leptos::task::tick().await;
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
    find::<HtmlButtonElement>(&host, "button.approve-all").click();
    until_shown("one approved", &host, ".approval-card[data-state=approved]").await;
    let body = js_sys::JSON::stringify(&assist_bodies().get(1))
        .unwrap()
        .as_string()
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
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

    ask(&host, "one more").await;
    until("the third card", || {
        host.query_selector_all(".approval-card").unwrap().length() == 3
    })
    .await;
    let states: Vec<String> = {
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
    assert_eq!(
        states,
        ["stale", "approved", "pending"],
        "the thread moved on past card 1"
    );
    ask(&host, "list my agents").await;
    until("the last card to expire", || {
        host.query_selector(".approval-card[data-state=pending]")
            .unwrap()
            .is_none()
    })
    .await;

    restore_fetch();
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
    stub_gateway(&answers.to_string());
    let host = mount_panel();
    leptos::task::tick().await;
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
    find::<HtmlButtonElement>(&host, ".approval-card button.approve").click();
    until_shown("approved", &host, ".approval-card[data-state=approved]").await;
    let body = js_sys::JSON::stringify(&assist_bodies().get(2))
        .unwrap()
        .as_string()
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["threadId"], "thr_c");
    assert_eq!(body["message"], "release the number ending 7730");

    restore_fetch();
}

#[wasm_bindgen_test]
async fn the_empty_state_suggests_requests_and_a_finished_turn_is_announced_once() {
    let item = r#"{"name":"releaseNumber","method":"DELETE","path":"/numbers/num_0001","summary":"Release +1 415 555 4421","args":{}}"#;
    let mutation =
        r#"{"method":"POST","path":"/agents","operationId":"createAgent","summary":"Created"}"#;
    let stream = format!(
        "event:mutation\ndata:{mutation}\n\nevent:confirmation\ndata:{item}\n\n\
         event:done\ndata:{{\"reply\":\"Done.\",\"threadId\":\"thr_s\",\"appliedMutations\":[{mutation}],\"pendingConfirmations\":[{item}]}}\n\n"
    );
    stub_gateway(&serde_json::json!([[200, "text/event-stream", stream]]).to_string());
    let host = mount_panel();
    leptos::task::tick().await;

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
    assert_eq!(assist_bodies().length(), 0);
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

    restore_fetch();
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
    stub_gateway(&answers.to_string());
    let host = mount_panel();
    leptos::task::tick().await;
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
    assert_eq!(assist_bodies().length(), 1);
    let time: HtmlElement = find(&host, ".turn time.turn-time");
    assert!(time.get_attribute("datetime").unwrap().contains('T'));
    assert_eq!(time.text_content().unwrap().len(), 5, "HH:MM");

    find::<HtmlButtonElement>(&host, "button.retry-turn").click();
    until_shown("the retried turn", &host, ".turn[data-phase=done]").await;
    assert_eq!(assist_bodies().length(), 2);
    let message: HtmlTextAreaElement = find(&host, "textarea[aria-label=Message]");
    assert_eq!(message.value(), "", "the retried message left the box");
    let again = js_sys::JSON::stringify(&assist_bodies().get(1))
        .unwrap()
        .as_string()
        .unwrap();
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

    restore_fetch();
}

/// A stand-in gateway for embedded panels, as the real one behaves: `GET /session` is 401
/// until `POST /session` starts one (`sess-N`, its token `panel-token-N`, kept as the page's
/// "cookie" in `window.__session`); an assist POST must carry the session's token (in
/// `X-CSRF-Token`) or the host's (`host-token` in `X-Host-CSRF`), else 403
/// `csrf_token_invalid`. Every request is recorded in `window.__requests` (path, method,
/// headers, body). A GET of a thread answers 404; a POST to an agent's assist path finishes with
/// thread `thr_<agent>` (proposing to release a number when the message says "release"); any
/// other POST is a 503. Each request's abort signal sets `window.__aborted`. A message
/// containing "slow" gets one delta and a stream that stays open.
fn stub_host_gateway() {
    flowyte_copilot::transport::forget_sessions();
    js_sys::Function::new_no_args(
        "window.__realFetch = window.fetch;
         window.__requests = [];
         window.__aborted = false;
         window.__session = null;
         window.__sessions = 0;
         window.fetch = async (input, init = {}) => {
           const url = typeof input === 'string' ? input : input.url;
           const method = init.method ?? (typeof input === 'string' ? 'GET' : input.method);
           const headers = Object.fromEntries(new Headers(init.headers ?? (typeof input === 'string' ? {} : input.headers)));
           const body = init.body ?? (typeof input === 'string' ? null : await input.text());
           const path = new URL(url, location.href).pathname;
           window.__requests.push({ url: path, method, headers, body: body ? JSON.parse(body) : null });
           (init.signal ?? input.signal)?.addEventListener('abort', () => { window.__aborted = true; });
           const json = (status, value, type = 'application/json') =>
             new Response(JSON.stringify(value), { status, headers: { 'content-type': type } });
           // A network's worth of delay: panels asking together overlap.
           await new Promise((r) => setTimeout(r, 20));
           if (path === '/session' && method === 'POST') {
             window.__session = `panel-token-${++window.__sessions}`;
             return json(201, { csrfToken: window.__session, expiresAt: 0 });
           }
           if (path === '/session') {
             return window.__session
               ? json(200, { csrfToken: window.__session, expiresAt: 0 })
               : json(401, { status: 401, title: 'Unauthorized', code: 'session_required' }, 'application/problem+json');
           }
           if (method === 'GET') return json(404, { status: 404, title: 'Not found' }, 'application/problem+json');
           if (headers['x-host-csrf'] !== 'host-token' && headers['x-csrf-token'] !== window.__session) {
             return json(403, { status: 403, title: 'Forbidden', code: 'csrf_token_invalid',
               detail: \"The request is missing this session's CSRF token.\" }, 'application/problem+json');
           }
           const agent = path.match(/agents[/]([^/]+)[/]assist$/)?.[1];
           if (!agent) return json(503, { status: 503, title: 'Upstream unavailable' }, 'application/problem+json');
           const sse = (event, data) => new TextEncoder().encode(`event:${event}\ndata:${JSON.stringify(data)}\n\n`);
           const message = body ? JSON.parse(body).message : '';
           const slow = message.includes('slow');
           const proposals = message.includes('release')
             ? [{ name: 'releaseNumber', method: 'DELETE', path: '/numbers/num_0001', summary: 'Release +1 415 555 4421', args: { numberId: 'num_0001' } }]
             : [];
           const stream = new ReadableStream({ start(c) {
             c.enqueue(sse('delta', { text: 'Working on it. ' }));
             if (!slow) {
               c.enqueue(sse('done', { reply: 'Working on it. Done.', threadId: `thr_${agent}`, appliedMutations: [], pendingConfirmations: proposals }));
               c.close();
             }
           } });
           return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
         };",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();
}

/// The recorded requests (see [`stub_host_gateway`]) as JSON values.
fn host_requests() -> Vec<serde_json::Value> {
    let all = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__requests".into()).unwrap();
    serde_json::from_str(&js_sys::JSON::stringify(&all).unwrap().as_string().unwrap()).unwrap()
}

/// An element of `height` px in the page, its host events recorded in `window.__events` as
/// `[name, type, detail]`.
fn host_element(name: &str, height: u32) -> HtmlElement {
    // The panel's own stylesheet, as a host page links it.
    if document().get_element_by_id("panel-css").is_none() {
        let style = document().create_element("style").unwrap();
        style.set_id("panel-css");
        style.set_text_content(Some(include_str!("../style/panel.css")));
        document().head().unwrap().append_child(&style).unwrap();
    }
    let element: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    element
        .set_attribute("style", &format!("height:{height}px;width:360px"))
        .unwrap();
    document().body().unwrap().append_child(&element).unwrap();
    js_sys::Function::new_with_args(
        "element, name",
        "window.__events ??= [];
         for (const type of ['changes-applied', 'thread-changed', 'error']) {
           element.addEventListener(`flowyte-copilot:${type}`, (e) => window.__events.push([name, type, e.detail]));
         }",
    )
    .call2(&wasm_bindgen::JsValue::NULL, &element, &name.into())
    .unwrap();
    element
}

fn host_events(name: &str) -> Vec<(String, serde_json::Value)> {
    let all = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__events".into()).unwrap();
    let all: Vec<(String, String, serde_json::Value)> =
        serde_json::from_str(&js_sys::JSON::stringify(&all).unwrap().as_string().unwrap()).unwrap();
    all.into_iter()
        .filter(|(n, _, _)| n == name)
        .map(|(_, t, d)| (t, d))
        .collect()
}

fn options(json: &str) -> wasm_bindgen::JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn mount_error(element: &HtmlElement, json: &str) -> String {
    let error = flowyte_copilot::mount(element.clone().into(), options(json))
        .err()
        .unwrap_or_else(|| panic!("{json} mounted"));
    let error: wasm_bindgen::JsValue = error.into();
    error.unchecked_into::<js_sys::Error>().message().into()
}

fn stored(key: &str) -> Option<String> {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(key)
        .unwrap()
}

#[wasm_bindgen_test]
async fn two_mounted_panels_share_nothing_and_unmount_takes_one_out() {
    stub_host_gateway();
    let left = host_element("left", 400);
    let right = host_element("right", 400);
    let left_panel = flowyte_copilot::mount(
        left.clone().into(),
        options(
            r#"{"agentId":"agt_0001","storageKey":"embed-left","context":{"page":"agents","agentId":"agt_0001"},
                "csrfHeader":"X-Host-CSRF","csrfToken":"host-token","theme":"dark"}"#,
        ),
    )
    .unwrap();
    let right_panel = flowyte_copilot::mount(
        right.clone().into(),
        options(r#"{"storageKey":"embed-right","theme":"light"}"#),
    )
    .unwrap();
    leptos::task::tick().await;
    let theme = |host: &HtmlElement| {
        find::<HtmlElement>(host, "section.copilot").get_attribute("data-theme")
    };
    assert_eq!(theme(&left).as_deref(), Some("dark"));
    assert_eq!(theme(&right).as_deref(), Some("light"));

    // The left panel: its agent's copilot, the host's session and header, the host's context.
    ask(&left, "hello").await;
    until_shown("the left reply", &left, ".turn[data-phase=done]").await;
    let requests = host_requests();
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

    // The right panel: nothing of the left's conversation, its own session, its own failure.
    assert!(right.query_selector(".turn").unwrap().is_none());
    ask(&right, "hello").await;
    until_shown("the right failure", &right, ".turn[data-phase=failed]").await;
    until("the error event", || {
        host_events("right").iter().any(|(t, _)| t == "error")
    })
    .await;
    let requests = host_requests();
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
    assert_eq!(
        sequence,
        ["GET /session", "POST /session", "POST /api/v1/assist"],
        "no session to join, so one is started"
    );
    assert_eq!(requests[3]["headers"]["x-csrf-token"], "panel-token-1");
    assert_eq!(requests[3]["body"].get("context"), None);
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
    let again = flowyte_copilot::mount(
        spare.clone().into(),
        options(r#"{"storageKey":"embed-left"}"#),
    )
    .unwrap();
    leptos::task::tick().await;
    assert!(spare.query_selector("section.copilot").unwrap().is_some());
    again.unmount();
    right_panel.unmount();
    restore_fetch();
}

#[wasm_bindgen_test]
async fn unmounting_mid_stream_cancels_the_request() {
    stub_host_gateway();
    let element = host_element("cancel", 300);
    let panel = flowyte_copilot::mount(
        element.clone().into(),
        options(r#"{"agentId":"agt_0002","storageKey":"embed-cancel"}"#),
    )
    .unwrap();
    leptos::task::tick().await;
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
    let aborted = || {
        js_sys::Reflect::get(&web_sys::window().unwrap(), &"__aborted".into())
            .unwrap()
            .as_bool()
            .unwrap_or(false)
    };
    until("the request to be aborted", aborted).await;
    // The module lives on after the cancelled task wakes up to a panel that is gone.
    pause(50).await;
    let next = host_element("after", 200);
    let other = flowyte_copilot::mount(
        next.clone().into(),
        options(r#"{"storageKey":"embed-after"}"#),
    )
    .unwrap();
    leptos::task::tick().await;
    assert!(next.query_selector("textarea").unwrap().is_some());
    assert!(
        host_events("cancel").is_empty(),
        "unmounting is not an error"
    );
    other.unmount();
    restore_fetch();
}

/// A stream of `count` paragraphs, one every `every_ms`, then `done`.
fn stub_slow_reply(count: u32, every_ms: u32) {
    flowyte_copilot::transport::forget_sessions();
    js_sys::Function::new_with_args(
        "count, every",
        "window.__realFetch = window.fetch;
         window.fetch = async (input) => {
           const url = typeof input === 'string' ? input : input.url;
           if (url.endsWith('/session')) {
             return new Response('{\"csrfToken\":\"t\",\"expiresAt\":0}', { status: 201, headers: { 'content-type': 'application/json' } });
           }
           const encode = (event, data) => new TextEncoder().encode(`event:${event}\ndata:${JSON.stringify(data)}\n\n`);
           let sent = 0, reply = '';
           const stream = new ReadableStream({ async pull(c) {
             await new Promise((r) => setTimeout(r, every));
             if (sent === count) {
               c.enqueue(encode('done', { reply, threadId: 'thr_scroll' }));
               c.close();
               return;
             }
             const text = `Paragraph ${++sent} of the reply, long enough to wrap once or twice in a narrow panel.\n\n`;
             reply += text;
             c.enqueue(encode('delta', { text }));
           } });
           return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
         };",
    )
    .call2(
        &wasm_bindgen::JsValue::NULL,
        &count.into(),
        &every_ms.into(),
    )
    .unwrap();
}

#[wasm_bindgen_test]
async fn the_log_follows_the_reply_until_the_person_scrolls_up_then_offers_jump_to_latest() {
    stub_slow_reply(60, 25);
    let element = host_element("scroll", 320);
    let panel = flowyte_copilot::mount(
        element.clone().into(),
        options(r#"{"storageKey":"embed-scroll"}"#),
    )
    .unwrap();
    leptos::task::tick().await;
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
    restore_fetch();
}

#[wasm_bindgen_test]
async fn panels_on_a_page_share_one_session_and_a_replaced_one_is_joined_not_resent() {
    stub_host_gateway();
    let left = host_element("share-left", 300);
    let right = host_element("share-right", 300);
    let left_panel = flowyte_copilot::mount(
        left.clone().into(),
        options(r#"{"agentId":"agt_0001","storageKey":"share-left"}"#),
    )
    .unwrap();
    let right_panel = flowyte_copilot::mount(
        right.clone().into(),
        options(r#"{"agentId":"agt_0002","storageKey":"share-right"}"#),
    )
    .unwrap();
    leptos::task::tick().await;
    let done = |host: &HtmlElement| {
        host.query_selector_all(".turn[data-phase=done]")
            .unwrap()
            .length()
    };
    let count = |method: &str, path: &str| {
        host_requests()
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
    let tokens: Vec<serde_json::Value> = host_requests()
        .iter()
        .filter(|r| r["method"] == "POST" && r["url"] != "/session")
        .map(|r| r["headers"]["x-csrf-token"].clone())
        .collect();
    assert_eq!(tokens, ["panel-token-1", "panel-token-1"]);

    // Another tab starts a new session: the cookie now names it, and the token is refused.
    js_sys::eval("window.__session = 'other-tab-token'").unwrap();
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
    let last = host_requests().last().cloned().unwrap();
    assert_eq!(last["headers"]["x-csrf-token"], "other-tab-token");

    left_panel.unmount();
    right_panel.unmount();
    restore_fetch();
}

#[wasm_bindgen_test]
async fn a_refused_host_session_is_the_hosts_to_renew_with_set_csrf_token() {
    stub_host_gateway();
    let element = host_element("renew", 300);
    let panel = flowyte_copilot::mount(
        element.clone().into(),
        options(
            r#"{"agentId":"agt_0003","storageKey":"embed-renew","csrfHeader":"X-Host-CSRF","csrfToken":"expired-token"}"#,
        ),
    )
    .unwrap();
    leptos::task::tick().await;
    ask(&element, "hello").await;
    until_shown("the refusal", &element, ".turn[data-phase=failed]").await;
    until("the error event", || !host_events("renew").is_empty()).await;
    let (kind, detail) = host_events("renew").remove(0);
    assert_eq!(
        (kind.as_str(), &detail["status"]),
        ("error", &serde_json::json!(403))
    );
    assert!(
        host_requests().iter().all(|r| r["url"] != "/session"),
        "the panel does not sign in over the host's session"
    );

    // The host renews its session and hands the panel the new token; the person sends again.
    assert!(panel.set_csrf_token(String::new()).is_err());
    panel.set_csrf_token("host-token".to_owned()).unwrap();
    let message: HtmlTextAreaElement = find(&element, "textarea[aria-label=Message]");
    assert_eq!(message.value(), "hello");
    find::<HtmlButtonElement>(&element, "button[type=submit]").click();
    until_shown("the reply", &element, ".turn[data-phase=done]").await;
    let last = host_requests().last().cloned().unwrap();
    assert_eq!(last["headers"]["x-host-csrf"], "host-token");

    panel.unmount();
    assert!(panel.set_csrf_token("later".to_owned()).is_err());
    restore_fetch();
}

#[wasm_bindgen_test]
async fn focus_goes_to_the_new_card_of_the_panel_that_proposed_it() {
    stub_host_gateway();
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
    restore_fetch();
}
