//! Where the panel meets its host page: CustomEvents dispatched on the panel's root, so they
//! bubble to the element the panel was mounted in (and on up) and cross shadow roots.

use assist_protocol::AppliedMutation;
use leptos::prelude::*;
use serde::Serialize;

use crate::conversation::ErrorReport;

/// A turn with changes ended; detail: its applied mutations.
pub const CHANGES_APPLIED: &str = "flowyte-copilot:changes-applied";
/// The conversation's thread changed; detail: `{threadId}`, `null` after New conversation.
pub const THREAD_CHANGED: &str = "flowyte-copilot:thread-changed";
/// A turn failed or was cut off, or a saved conversation could not be restored; detail:
/// [`ErrorReport`].
pub const ERROR: &str = "flowyte-copilot:error";

/// Every event the host hears, in the order above (package/index.d.ts declares each one;
/// tests/package.rs holds the two together).
pub const EVENTS: [&str; 3] = [CHANGES_APPLIED, THREAD_CHANGED, ERROR];

/// The `thread-changed` event's detail.
pub fn thread_changed_detail(thread_id: Option<&str>) -> serde_json::Value {
    serde_json::json!({ "threadId": thread_id })
}

/// The panel's root element, and the events the host hears from it.
#[derive(Clone, Copy)]
pub struct HostEvents {
    root: NodeRef<leptos::html::Section>,
}

impl HostEvents {
    pub fn new() -> Self {
        Self {
            root: NodeRef::new(),
        }
    }

    /// The root's reference, for the view to bind.
    pub fn root(&self) -> NodeRef<leptos::html::Section> {
        self.root
    }

    /// The root element, once mounted (`None` once the panel is gone).
    pub fn root_element(&self) -> Option<web_sys::HtmlElement> {
        self.root.try_get_untracked().flatten()
    }

    pub fn changes_applied(&self, mutations: &[AppliedMutation]) {
        self.emit(CHANGES_APPLIED, mutations);
    }

    pub fn thread_changed(&self, thread_id: Option<&str>) {
        self.emit(THREAD_CHANGED, &thread_changed_detail(thread_id));
    }

    pub fn error(&self, report: &ErrorReport) {
        self.emit(ERROR, report);
    }

    /// Dispatches the CustomEvent `name` on the root with `detail` (as JSON) as its detail.
    fn emit(&self, name: &str, detail: &(impl Serialize + ?Sized)) {
        let Some(root) = self.root_element() else {
            return;
        };
        let Ok(json) = serde_json::to_string(detail) else {
            return;
        };
        let Ok(detail) = js_sys::JSON::parse(&json) else {
            return;
        };
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&detail);
        if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = root.dispatch_event(&event);
        }
    }
}

impl Default for HostEvents {
    fn default() -> Self {
        Self::new()
    }
}
