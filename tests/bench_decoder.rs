//! Decoder throughput in headless Chromium, beside the npm `eventsource-parser` in the same
//! page, on the same bytes (`scripts/bench` runs it; it is not part of `scripts/test`).
//!
//! ```text
//! cargo test --release --target wasm32-unknown-unknown --features browser-bench \
//!     --test bench_decoder -- --nocapture
//! ```
//!
//! Same method as the native bench: 16 KiB chunks (the JS parser takes strings, so its bytes
//! go through a streaming TextDecoder, as they would off the network), runs until at least 1 s
//! and 10 runs, fastest run → MB/s (10^6 bytes). Prints one JSON line per runner and input.
#![cfg(target_arch = "wasm32")]

use assist_protocol::samples;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const CHUNK: usize = 16 * 1024;
/// The npm package's ES module, loaded into the page from a blob URL.
const EVENTSOURCE_PARSER: &str = include_str!("../node_modules/eventsource-parser/dist/index.js");

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

/// Milliseconds of the fastest run of `run`, and its last result.
fn best_ms(mut run: impl FnMut() -> usize) -> (f64, usize) {
    let mut runs = Vec::new();
    let started = now();
    let mut events = 0;
    while runs.len() < 10 || now() - started < 1000.0 {
        let t = now();
        events = run();
        runs.push(now() - t);
    }
    (runs.into_iter().fold(f64::INFINITY, f64::min), events)
}

fn report(runner: &str, input: &str, bytes: usize, events: usize, ms: f64) {
    let mbps = bytes as f64 / (ms / 1000.0) / 1e6;
    console_log!(
        "{{\"runner\":\"{runner}\",\"input\":\"{input}\",\"bytes\":{bytes},\"events\":{events},\"mbps\":{mbps:.1}}}"
    );
}

#[wasm_bindgen_test]
async fn decoder_throughput_in_the_browser() {
    let url = web_sys::Url::create_object_url_with_blob(
        &web_sys::Blob::new_with_str_sequence_and_options(
            &js_sys::Array::of1(&EVENTSOURCE_PARSER.into()),
            &{
                let options = web_sys::BlobPropertyBag::new();
                options.set_type("text/javascript");
                options
            },
        )
        .unwrap(),
    )
    .unwrap();
    let module = JsFuture::from(
        js_sys::Function::new_with_args("u", "return import(u)")
            .call1(&JsValue::NULL, &url.into())
            .unwrap()
            .unchecked_into::<js_sys::Promise>(),
    )
    .await
    .unwrap();
    // Touches each event's data, like the Rust side.
    let bench_js = js_sys::Function::new_with_args(
        "mod, bytes, chunk",
        "let events = 0, dataChars = 0;
         const parser = mod.createParser({ onEvent: (e) => { events++; dataChars += e.data.length; } });
         const text = new TextDecoder();
         for (let i = 0; i < bytes.length; i += chunk) {
           parser.feed(text.decode(bytes.subarray(i, i + chunk), { stream: true }));
         }
         parser.feed(text.decode());
         return events;",
    );

    let inputs = [
        ("assist-stream", samples::assist_stream(20_000)),
        ("large-frames", samples::large_frames(4, 1 << 20)),
    ];
    for (name, input) in &inputs {
        let bytes = input.as_bytes();
        let (ms, events) = best_ms(|| samples::decode_in_chunks(bytes, CHUNK));
        report(
            "assist-protocol (wasm, chromium)",
            name,
            bytes.len(),
            events,
            ms,
        );

        let js_bytes = js_sys::Uint8Array::from(bytes);
        let (ms, js_events) = best_ms(|| {
            bench_js
                .call3(&JsValue::NULL, &module, &js_bytes, &(CHUNK as u32).into())
                .unwrap()
                .as_f64()
                .unwrap() as usize
        });
        assert_eq!(js_events, events, "both parsers see the same events");
        report(
            "eventsource-parser (chromium)",
            name,
            bytes.len(),
            js_events,
            ms,
        );
    }
}
