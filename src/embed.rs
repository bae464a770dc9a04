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
use serde::Deserialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::i18n::Locale;
use crate::markdown::ReplyPolicy;
use assist_protocol::{MAX_ID_LEN, is_plain_id};

use crate::transport::{CSRF_HEADER, Endpoint};
use crate::ui::{HostSession, Panel};

/// The storage key of a panel mounted without one.
pub const DEFAULT_STORAGE_KEY: &str = "flowyte-copilot";

/// `mount`'s options, as the host writes them (camelCase). All are optional.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct MountOptions {
    /// The gateway's base URL: `""` (the page's own origin, the default), a path, or an
    /// absolute http(s) URL.
    pub base: String,
    /// The agent whose copilot answers: requests go to `/agents/{agentId}/assist`.
    pub agent_id: Option<String>,
    /// Page context, sent with every request (an object).
    pub context: Option<Map<String, Value>>,
    /// Where the conversation's thread id is kept in localStorage. Two panels on one page need
    /// two keys.
    pub storage_key: Option<String>,
    /// `light`, `dark` or `auto` (the default: the system's preference).
    pub theme: Option<String>,
    /// The header the CSRF token travels in (default `X-CSRF-Token`).
    pub csrf_header: Option<String>,
    /// The CSRF token of a session the host already holds (renewed later with the handle's
    /// `setCsrfToken`); without one the panel uses the page's gateway session, joining it with
    /// `GET {base}/session` or starting it with `POST {base}/session`.
    pub csrf_token: Option<String>,
    /// URL prefixes images in replies may load from (default: none; images show as links).
    pub image_prefixes: Vec<String>,
    /// The panel's name, shown as its heading and given to its landmarks ("Support Bot
    /// copilot"). Give each panel one when a page has several.
    pub label: Option<String>,
    /// Show who is signed in and a Sign out button (default true). A host page that owns
    /// sign-in passes false.
    pub show_account: Option<bool>,
    /// Focus the message box once the panel is mounted (default false: the host page decides
    /// where focus starts; the dev page passes true).
    pub autofocus: Option<bool>,
    /// The panel's language, a BCP 47 tag: `de`, `de-DE`, `de-AT` → German, `en…` → English,
    /// any other language → English. Default: the host element's closest `lang`, else the
    /// page's `<html lang>`, else `navigator.language`, else English.
    pub locale: Option<String>,
}

/// The options checked, with the defaults filled in: what a panel is built with.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelConfig {
    pub endpoint: Endpoint,
    pub context: Option<Map<String, Value>>,
    pub storage_key: String,
    pub theme: String,
    pub csrf_token: Option<String>,
    pub policy: ReplyPolicy,
    pub label: Option<String>,
    pub show_account: bool,
    pub autofocus: bool,
    /// The language the host named (`None`: the page's, read when mounting).
    pub locale: Option<Locale>,
}

impl MountOptions {
    /// Reads options from their JSON text (`null` or `undefined` → the defaults).
    pub fn from_json(json: &str) -> Result<Self, String> {
        if matches!(json.trim(), "" | "null") {
            return Ok(Self::default());
        }
        if !json.trim_start().starts_with('{') {
            return Err("mount options: must be an object".to_owned());
        }
        serde_json::from_str(json).map_err(|e| format!("mount options: {e}"))
    }

    /// Checks every option and fills in the defaults.
    pub fn resolve(self) -> Result<PanelConfig, String> {
        let base = self.base.trim_end_matches('/').to_owned();
        if !(base.is_empty()
            || base.starts_with('/')
            || base.starts_with("https://")
            || base.starts_with("http://"))
        {
            return Err(format!(
                "mount options: base must be empty, a path or an http(s) URL (got {base:?})"
            ));
        }
        if let Some(agent) = &self.agent_id
            && !is_plain_id(agent)
        {
            return Err(format!(
                "mount options: agentId must be an id of at most {MAX_ID_LEN} letters, digits, '_' and '-' (got {agent:?})"
            ));
        }
        let theme = self.theme.unwrap_or_else(|| "auto".to_owned());
        if !matches!(theme.as_str(), "light" | "dark" | "auto") {
            return Err(format!(
                "mount options: theme must be \"light\", \"dark\" or \"auto\" (got {theme:?})"
            ));
        }
        let csrf_header = self.csrf_header.unwrap_or_else(|| CSRF_HEADER.to_owned());
        if !is_header_name(&csrf_header) {
            return Err(format!(
                "mount options: csrfHeader must be an HTTP header name (got {csrf_header:?})"
            ));
        }
        if self.csrf_token.as_deref() == Some("") {
            return Err("mount options: csrfToken is empty".to_owned());
        }
        let storage_key = self
            .storage_key
            .unwrap_or_else(|| DEFAULT_STORAGE_KEY.to_owned());
        if storage_key.is_empty() {
            return Err("mount options: storageKey is empty".to_owned());
        }
        if let Some(bad) = self
            .image_prefixes
            .iter()
            .find(|p| !(p.starts_with("https://") || p.starts_with('/')) || p.len() < 2)
        {
            return Err(format!(
                "mount options: each of imagePrefixes must start with https:// or / (got {bad:?})"
            ));
        }
        if let Some(label) = &self.label
            && label.trim().is_empty()
        {
            return Err("mount options: label is empty".to_owned());
        }
        if let Some(locale) = &self.locale
            && !is_language_tag(locale)
        {
            return Err(format!(
                "mount options: locale must be a BCP 47 language tag such as \"de\" or \"en-GB\" (got {locale:?})"
            ));
        }
        Ok(PanelConfig {
            endpoint: Endpoint {
                base,
                agent_id: self.agent_id,
                csrf_header,
            },
            context: self.context,
            storage_key,
            theme,
            csrf_token: self.csrf_token,
            policy: ReplyPolicy {
                image_prefixes: self.image_prefixes,
                ..ReplyPolicy::default()
            },
            label: self.label,
            show_account: self.show_account.unwrap_or(true),
            autofocus: self.autofocus.unwrap_or(false),
            locale: self
                .locale
                .as_deref()
                .map(|tag| Locale::choose(&[Some(tag)])),
        })
    }
}

/// The shape of a BCP 47 tag: a 2–8 letter language, then subtags of 1–8 letters or digits,
/// joined by `-`.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or("");
    (2..=8).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

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

/// RFC 9110 token characters.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(json: &str) -> Result<PanelConfig, String> {
        MountOptions::from_json(json).and_then(MountOptions::resolve)
    }

    #[test]
    fn no_options_means_the_page_origin_the_account_copilot_and_auto_theme() {
        for json in ["", "null", "{}"] {
            let r = resolve(json).unwrap();
            assert_eq!(r.endpoint, Endpoint::new(""));
            assert_eq!(r.endpoint.assist_url(), "/api/v1/assist");
            assert_eq!(
                (r.storage_key.as_str(), r.theme.as_str()),
                ("flowyte-copilot", "auto")
            );
            assert_eq!((r.context, r.csrf_token), (None, None));
        }
    }

    #[test]
    fn every_option_is_read() {
        let r = resolve(
            r#"{"base":"https://dash.example/copilot/","agentId":"agt_0001","context":{"page":"agents"},
                "storageKey":"left","theme":"dark","csrfHeader":"X-Dashboard-CSRF","csrfToken":"tok",
                "imagePrefixes":["https://cdn.example/"],"label":"Support Bot copilot","autofocus":true}"#,
        )
        .unwrap();
        assert_eq!(
            r.endpoint.assist_url(),
            "https://dash.example/copilot/api/v1/agents/agt_0001/assist"
        );
        assert_eq!(r.endpoint.csrf_header, "X-Dashboard-CSRF");
        assert_eq!(r.context.unwrap()["page"], "agents");
        assert_eq!((r.storage_key.as_str(), r.theme.as_str()), ("left", "dark"));
        assert_eq!(r.csrf_token.as_deref(), Some("tok"));
        assert_eq!(r.policy.image_prefixes, ["https://cdn.example/"]);
        assert_eq!(r.label.as_deref(), Some("Support Bot copilot"));
        assert!(r.autofocus);
        assert_eq!(
            resolve(r#"{"locale":"de-CH"}"#).unwrap().locale,
            Some(Locale::De)
        );
        assert!(!resolve("{}").unwrap().autofocus, "a host page opts in");
        assert_eq!(
            resolve("{}").unwrap().locale,
            None,
            "the page's, read when mounting"
        );
    }

    #[test]
    fn a_locale_is_a_language_tag_and_one_the_catalog_lacks_is_english() {
        for (tag, locale) in [
            ("de", Locale::De),
            ("de-DE", Locale::De),
            ("de-AT", Locale::De),
            ("en-GB", Locale::En),
            ("fr", Locale::En),
            ("zh-Hant-TW", Locale::En),
        ] {
            let r = resolve(&format!(r#"{{"locale":"{tag}"}}"#)).unwrap();
            assert_eq!(r.locale, Some(locale), "{tag}");
        }
    }

    #[test]
    fn an_agent_id_mounts_only_if_the_gateway_would_forward_it() {
        let at_limit = "a".repeat(MAX_ID_LEN);
        let r = resolve(&format!(r#"{{"agentId":"{at_limit}"}}"#)).unwrap();
        assert!(
            r.endpoint
                .assist_url()
                .ends_with(&format!("/{at_limit}/assist"))
        );
        let over = "a".repeat(MAX_ID_LEN + 1);
        let error = resolve(&format!(r#"{{"agentId":"{over}"}}"#)).unwrap_err();
        assert!(error.contains("agentId must be"), "{error}");
    }

    #[test]
    fn bad_options_say_which_and_why() {
        let cases = [
            (r#"{"storagekey":"x"}"#, "unknown field `storagekey`"),
            (r#"{"theme":"blue"}"#, "theme must be"),
            (r#"{"agentId":"../keys"}"#, "agentId must be"),
            (r#"{"agentId":"a/b"}"#, "agentId must be"),
            (r#"{"csrfHeader":"X CSRF"}"#, "csrfHeader must be"),
            (r#"{"csrfToken":""}"#, "csrfToken is empty"),
            (r#"{"storageKey":""}"#, "storageKey is empty"),
            (r#"{"label":" "}"#, "label is empty"),
            (r#"{"locale":""}"#, "locale must be a BCP 47 language tag"),
            (
                r#"{"locale":"de DE"}"#,
                "locale must be a BCP 47 language tag",
            ),
            (
                r#"{"locale":"-de"}"#,
                "locale must be a BCP 47 language tag",
            ),
            (
                r#"{"locale":"toolonglanguage"}"#,
                "locale must be a BCP 47 language tag",
            ),
            (r#"{"locale":3}"#, "invalid type"),
            (r#"{"autofocus":"yes"}"#, "invalid type"),
            (r#"{"base":"javascript:alert(1)"}"#, "base must be"),
            (r#"{"context":"agents"}"#, "invalid type"),
            (r#"{"imagePrefixes":["http://x/"]}"#, "imagePrefixes"),
            (r#"[]"#, "mount options"),
            (r#"{"locale":"deutsch!"}"#, "locale must be"),
            (r#"{"locale":"d"}"#, "locale must be"),
            (r#"{"locale":"de-"}"#, "locale must be"),
        ];
        for (json, expected) in cases {
            let error = resolve(json).unwrap_err();
            assert!(
                error.contains(expected),
                "{json}: {error:?} lacks {expected:?}"
            );
        }
    }
}
