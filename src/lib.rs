//! The Flowyte copilot panel: a Leptos (CSR) component compiled to WebAssembly.
//!
//! - [`changes`]: applied mutations as a plan, and approval cards (pure).
//! - [`conversation`]: the pure state of each turn, driven by stream events.
//! - [`markdown`]: the reply as safe HTML, rendered incrementally while it streams.
//! - [`transport`]: fetch + `ReadableStream` → SSE decoder → events.
//! - [`ui`]: thin components over both.
//! - [`embed`]: `mount(element, options)`, what a host page calls.

pub mod changes;
pub mod conversation;
pub mod embed;
pub mod markdown;
pub mod transport;
pub mod ui;

pub use embed::{MountHandle, MountOptions, mount};
pub use ui::Panel;
