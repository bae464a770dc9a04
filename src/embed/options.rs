//! A host's mount options: read from the object the host passed, and checked before anything is
//! mounted (an unknown option, a bad theme, an agent id that is not a plain id, a CSRF header
//! that is not a header name, a locale that is not a language tag is an error that says which
//! and why). [`MountOptions::resolve`] makes the [`PanelConfig`] a panel is mounted with.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::i18n::Locale;
use crate::markdown::ReplyPolicy;
use assist_protocol::{MAX_ID_LEN, is_plain_id};

use crate::transport::{CSRF_HEADER, Endpoint};

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

/// RFC 9110 token characters.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
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
