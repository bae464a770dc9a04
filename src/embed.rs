//! What a host page calls: `mount(element, options)` puts a panel in `element` and returns a
//! handle whose `unmount()` takes it out again (cancelling a request in flight).
//!
//! ```js
//! import init, { mount } from "/flowyte-copilot.js";
//! await init();
//! const panel = mount(document.getElementById("copilot"), { agentId: "agt_0001", theme: "dark" });
//! panel.setCsrfToken(renewed); // a host that holds the session renews it here
//! panel.unmount();
//! ```
//!
//! Options are checked before anything is mounted: an unknown option, a bad theme, an agent id
//! that is not a plain id, a CSRF header that is not a header name, or a storage key another
//! mounted panel uses is a thrown `Error` that says which and why.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::i18n::Locale;

use crate::ui::{HostSession, Panel};

mod options;

pub use options::{DEFAULT_STORAGE_KEY, MountOptions, PanelConfig};

/// The page's language around `element`: its closest `lang`, the page's `<html lang>`, then
/// `navigator.language` ([`Locale::choose`]).
fn page_locale(element: &web_sys::HtmlElement) -> Locale {
    let closest = element
        .closest("[lang]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("lang"));
    let window = web_sys::window();
    let page = window
        .as_ref()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"));
    let navigator = window.and_then(|w| w.navigator().language());
    Locale::choose(&[closest.as_deref(), page.as_deref(), navigator.as_deref()])
}

/// A mounted panel, as the host holds it.
///
/// Dropping (or garbage-collecting) the handle does not unmount: a host that keeps no handle
/// keeps its panel. Only `unmount()` takes it out.
#[wasm_bindgen]
pub struct MountHandle {
    id: u32,
}

#[wasm_bindgen]
impl MountHandle {
    /// Takes the panel out of its element and cancels a request in flight. A second call does
    /// nothing.
    pub fn unmount(&self) {
        let mounted = MOUNTED.with(|m| m.borrow_mut().remove(&self.id));
        // Dropped outside the borrow: unmounting runs the panel's cleanups.
        drop(mounted);
    }

    /// Hands the panel a renewed CSRF token of the host's session (after the host signed the
    /// person in again, say). From then on the panel sends it in the `csrfHeader`. An empty
    /// token is refused.
    #[wasm_bindgen(js_name = setCsrfToken)]
    pub fn set_csrf_token(&self, token: String) -> Result<(), JsError> {
        if token.is_empty() {
            return Err(JsError::new("setCsrfToken: the token is empty"));
        }
        MOUNTED.with(|m| match m.borrow().get(&self.id) {
            Some(mounted) => {
                mounted.host_session.set(token);
                Ok(())
            }
            None => Err(JsError::new("setCsrfToken: the panel is not mounted")),
        })
    }

    /// Whether the panel is still mounted.
    #[wasm_bindgen(getter)]
    pub fn mounted(&self) -> bool {
        MOUNTED.with(|m| m.borrow().contains_key(&self.id))
    }
}

struct Mounted {
    storage_key: String,
    host_session: HostSession,
    // The view's unmount handle: dropping it unmounts the view and disposes its owner.
    _view: Box<dyn std::any::Any>,
}

thread_local! {
    static MOUNTED: RefCell<HashMap<u32, Mounted>> = RefCell::new(HashMap::new());
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Mounts a panel in `element` with `options` (see [`MountOptions`]).
#[wasm_bindgen]
pub fn mount(element: JsValue, options: JsValue) -> Result<MountHandle, JsError> {
    let element: web_sys::HtmlElement = element
        .dyn_into()
        .map_err(|_| JsError::new("mount: the first argument must be an HTML element"))?;
    let json = if options.is_undefined() || options.is_null() {
        String::new()
    } else {
        js_sys::JSON::stringify(&options)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| JsError::new("mount options: not an object JSON can describe"))?
    };
    let config = MountOptions::from_json(&json)
        .and_then(MountOptions::resolve)
        .map_err(|e| JsError::new(&e))?;
    mount_config(element, config).map_err(|e| JsError::new(&e))
}

/// Mounts a panel built from checked options (what `mount` and the dev page both do).
pub fn mount_config(
    element: web_sys::HtmlElement,
    options: PanelConfig,
) -> Result<MountHandle, String> {
    console_error_panic_hook::set_once();
    let taken = MOUNTED.with(|m| {
        m.borrow()
            .values()
            .any(|p| p.storage_key == options.storage_key)
    });
    if taken {
        return Err(format!(
            "mount: another panel on this page keeps its conversation under storageKey {:?}; \
             give each panel its own",
            options.storage_key
        ));
    }
    let storage_key = options.storage_key.clone();
    let locale = options.locale.unwrap_or_else(|| page_locale(&element));
    let host_session = HostSession::new(options.csrf_token.clone());
    let panel_session = host_session.clone();
    let view = leptos::mount::mount_to(element, move || {
        let PanelConfig {
            endpoint,
            context,
            storage_key,
            theme,
            csrf_token: _,
            policy,
            label,
            show_account,
            autofocus,
            locale: _,
        } = options;
        view! {
            <Panel
                endpoint=endpoint
                context=context
                host_session=panel_session
                policy=policy
                storage_key=storage_key
                theme=theme
                label=label
                show_account=show_account
                autofocus=autofocus
                locale=locale
            />
        }
    });
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    MOUNTED.with(|m| {
        m.borrow_mut().insert(
            id,
            Mounted {
                storage_key,
                host_session,
                _view: Box::new(view),
            },
        )
    });
    Ok(MountHandle { id })
}
