//! The Flowyte copilot panel: a Leptos (CSR) component compiled to WebAssembly.
//!
//! Pure, tested natively:
//! - [`conversation`]: each turn's state, driven by stream events; what a turn becomes when its
//!   request ends; a conversation rebuilt from a saved thread.
//! - [`approval`]: an approval card's life, from proposal to settlement.
//! - [`changes`]: applied mutations as a plan.
//! - [`markdown`]: the reply as safe HTML, rendered incrementally while it streams.
//! - [`i18n`]: the message catalog (English, German) and how a panel's language is chosen.
//!
//! In the browser:
//! - [`transport`]: fetch + `ReadableStream` → SSE decoder → events.
//! - [`ui`]: the panel's controller and its thin views.
//! - [`embed`]: `mount(element, options)`, what a host page calls.
//!
//! How the parts fit together, and the decisions behind them: `docs/architecture.md`.

pub mod approval;
pub mod changes;
pub mod conversation;
pub mod embed;
pub mod i18n;
pub mod markdown;
pub mod transport;
pub mod ui;

pub use embed::{MountHandle, MountOptions, mount};
pub use ui::Panel;
