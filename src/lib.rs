//! The Flowyte copilot panel: a Leptos (CSR) component compiled to WebAssembly.
//!
//! - [`changes`]: applied mutations as a plan, and approval cards (pure).
//! - [`conversation`]: the pure state of each turn, driven by stream events.
//! - [`markdown`]: the reply as safe HTML, rendered incrementally while it streams.
//! - [`transport`]: fetch + `ReadableStream` → SSE decoder → events.
//! - [`ui`]: thin components over both.

pub mod changes;
pub mod conversation;
pub mod markdown;
pub mod transport;
pub mod ui;

pub use ui::Panel;

/// Mounts the panel on `<body>`, talking to the gateway on the page's own origin.
pub fn mount_to_body() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| leptos::view! { <Panel /> });
}
