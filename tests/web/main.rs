//! Browser tests (wasm-bindgen-test in headless Chromium): the panel mounted into a real DOM,
//! talking to one fake gateway in the page (`support::gateway`), and the transport reading
//! real `ReadableStream`s. One file per topic.
#![cfg(target_arch = "wasm32")]

mod support;

mod approvals;
mod changes;
mod composer;
mod conversation;
mod embedding;
mod follow;
mod session;
mod streaming;
mod transport;
mod truthful;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
