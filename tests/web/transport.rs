//! The transport on its own: real `ReadableStream`s built in the page into the decoder, and
//! requests to the fake gateway.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use assist_protocol::StreamEvent;
use flowyte_copilot::transport::{TransportError, read_event_stream};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::AbortController;

use crate::support::*;

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

/// Posts one request with the token `t` through the page's fetch.
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

/// Bytes of wasm linear memory (it only grows, in 64 KiB pages).
fn wasm_memory_bytes() -> u32 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
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

#[wasm_bindgen_test]
async fn a_json_answer_in_the_envelope_is_one_done() {
    let gateway = Gateway::new()
        .accept("x-csrf-token", "t")
        .then(Answer::json(
            200,
            r#"{"success":true,"data":{"reply":"Done.","threadId":"thr_9","appliedMutations":[{"method":"POST","path":"/agents","operationId":"createAgent"}]}}"#,
        ))
        .install();
    let (result, events) = post_once().await;
    drop(gateway);
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
        Answer::problem(429, r#"{"title":"Too many requests","status":429}"#)
            .header("retry-after", "7"),
        Answer::problem(401, r#"{"title":"Session expired","status":401}"#),
        Answer::json(
            400,
            r#"{"success":false,"message":"Invalid request","errors":[{"field":"message","message":"must not be empty"}]}"#,
        ),
    ];
    let mut outcomes = Vec::new();
    for answer in cases {
        let gateway = Gateway::new()
            .accept("x-csrf-token", "t")
            .then(answer)
            .install();
        let (result, events) = post_once().await;
        let calls = requests().len();
        drop(gateway);
        assert!(events.is_empty());
        assert_eq!(calls, 1, "one request, no retry");
        outcomes.push(result.unwrap_err());
    }
    assert!(
        matches!(&outcomes[0], TransportError::RateLimited { retry_after: Some(s), .. } if s == "7")
    );
    assert_eq!(
        outcomes[0]
            .to_turn_error(flowyte_copilot::i18n::Locale::En)
            .detail
            .as_deref(),
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
    let shown = outcomes[2].to_turn_error(flowyte_copilot::i18n::Locale::En);
    assert_eq!(shown.title, "Invalid request");
    assert_eq!(shown.fields, ["message: must not be empty"]);
    assert_eq!(problem.status, Some(400));
    assert!(outcomes.iter().all(TransportError::before_acceptance));
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
