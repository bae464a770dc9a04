//! An event stream read to its end: each chunk into the SSE decoder, each decoded event to the
//! caller as it completes.

use std::time::Duration;

use assist_protocol::{StreamEvent, sse};
use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStream, ReadableStreamDefaultReader};

use super::TransportError;

/// Reads an event stream to its end, delivering events as each chunk completes them. Stops
/// reading after a terminal event; a body that ends before one is [`TransportError::Interrupted`].
///
/// Every read races the abort signal and an idle timer: no bytes for `idle` (keep-alive
/// comments count as bytes) is [`TransportError::IdleTimeout`]; an abort ends the read at once
/// even for a body that fetch's own signal does not govern.
pub async fn read_event_stream(
    body: ReadableStream,
    signal: &AbortSignal,
    idle: Duration,
    mut on_event: impl FnMut(StreamEvent),
) -> Result<(), TransportError> {
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let aborted = AbortWatch::new(signal);
    let mut decoder = sse::Decoder::new();
    // One buffer for every chunk: each read is copied into it, not into a new Vec.
    let mut chunk = Vec::new();
    let outcome = loop {
        match next_chunk(&reader, &aborted.promise, idle, &mut chunk).await {
            Ok(true) => {}
            Ok(false) => {
                decoder.finish();
                break Err(TransportError::Interrupted);
            }
            // Stop aborts the fetch, which can fail the read before the abort event is heard.
            Err(TransportError::Broken(_)) if signal.aborted() => {
                break Err(TransportError::Aborted);
            }
            Err(error) => break Err(error),
        }
        // Events after a terminal or broken one in the same chunk are not delivered.
        let mut failure = None;
        let mut terminal = false;
        let fed = decoder.feed_with(&chunk, |event| {
            if terminal || failure.is_some() {
                return;
            }
            match StreamEvent::from_sse(event) {
                Ok(event) => {
                    terminal = matches!(event, StreamEvent::Done(_) | StreamEvent::Error(_));
                    on_event(event);
                }
                Err(error) => failure = Some(TransportError::from(error)),
            }
        });
        if let Err(error) = fed {
            break Err(error.into());
        }
        if let Some(error) = failure {
            break Err(error);
        }
        if terminal {
            break Ok(());
        }
    };
    finish(&reader, outcome)
}

/// Lets the connection go (the turn is over either way) and passes the outcome on. The
/// cancel's promise is handled: a rejection nobody handles reaches the host page's error
/// monitoring as an `unhandledrejection`.
fn finish(
    reader: &ReadableStreamDefaultReader,
    outcome: Result<(), TransportError>,
) -> Result<(), TransportError> {
    handled(&reader.cancel());
    outcome
}

/// Marks `promise`'s rejection as handled (the outcome is known another way).
fn handled(promise: &Promise) {
    thread_local! {
        static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_| {});
    }
    IGNORE.with(|ignore| {
        let _ = promise.catch(ignore);
    });
}

const ABORTED: &str = "aborted";
const IDLE: &str = "idle";

/// A promise that resolves to [`ABORTED`] when `signal` aborts (at once if it already has).
/// The listener is removed when this is dropped, so nothing outlives the stream.
struct AbortWatch {
    promise: Promise,
    signal: AbortSignal,
    on_abort: Option<Closure<dyn FnMut()>>,
}

impl AbortWatch {
    fn new(signal: &AbortSignal) -> Self {
        let mut on_abort = None;
        let promise = Promise::new(&mut |resolve, _reject| {
            if signal.aborted() {
                let _ = resolve.call1(&JsValue::NULL, &ABORTED.into());
                return;
            }
            let callback = Closure::once(move || {
                let _ = resolve.call1(&JsValue::NULL, &ABORTED.into());
            });
            let _ =
                signal.add_event_listener_with_callback("abort", callback.as_ref().unchecked_ref());
            on_abort = Some(callback);
        });
        Self {
            promise,
            signal: signal.clone(),
            on_abort,
        }
    }
}

impl Drop for AbortWatch {
    fn drop(&mut self) {
        if let Some(callback) = self.on_abort.take() {
            let _ = self
                .signal
                .remove_event_listener_with_callback("abort", callback.as_ref().unchecked_ref());
        }
    }
}

/// Reads the next chunk of `reader` into `buffer` (`Ok(true)`), or the end (`Ok(false)`), or
/// the abort, or the idle timer, whichever comes first.
///
/// The timer's callback is an owned `Closure` dropped after the race: a callback handed to JS
/// with `once_into_js` and never called (a cleared timer) would leak, once per chunk.
async fn next_chunk(
    reader: &ReadableStreamDefaultReader,
    aborted: &Promise,
    idle: Duration,
    buffer: &mut Vec<u8>,
) -> Result<bool, TransportError> {
    let window = web_sys::window().expect("a window");
    let mut timer = None;
    let mut on_idle = None;
    let idle_timer = Promise::new(&mut |resolve, _reject| {
        let ms = i32::try_from(idle.as_millis()).unwrap_or(i32::MAX);
        let callback = Closure::once(move || {
            let _ = resolve.call1(&JsValue::NULL, &IDLE.into());
        });
        timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                ms,
            )
            .ok();
        on_idle = Some(callback);
    });
    // When Stop or the timer wins the race, the read is left to reject later (the connection
    // aborted): handled here, so the host page hears of no unhandled rejection.
    let read = reader.read();
    handled(&read);
    let race = Promise::race(&js_sys::Array::of3(&read, aborted, &idle_timer));
    let result = JsFuture::from(race).await;
    if let Some(timer) = timer {
        window.clear_timeout_with_handle(timer);
    }
    drop(on_idle);
    // The answer's headers came: a failing read is the connection breaking mid-reply.
    let chunk = result.map_err(|e| TransportError::Broken(js_message(&e)))?;
    match chunk.as_string().as_deref() {
        Some(ABORTED) => return Err(TransportError::Aborted),
        Some(IDLE) => return Err(TransportError::IdleTimeout(idle)),
        _ => {}
    }
    if Reflect::get(&chunk, &"done".into())
        .ok()
        .and_then(|d| d.as_bool())
        .unwrap_or(true)
    {
        return Ok(false);
    }
    let value: Uint8Array = Reflect::get(&chunk, &"value".into())
        .map_err(|e| TransportError::Broken(js_message(&e)))?
        .unchecked_into();
    buffer.resize(value.length() as usize, 0);
    value.copy_to(buffer);
    Ok(true)
}

fn js_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}
