//! How a gateway runs: the upstream, the secret keys by name, who may use which (the access
//! policy), how people sign in, and the limits. Built from the config file
//! ([`crate::config_file`]) and the command line, or directly by tests.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::limits::LimitConfig;
use crate::policy::{Grant, Person, Policy, Role};

/// A secret (an API key, the client secret): never printed, not even by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The OpenID Provider people sign in with; the gateway is its confidential client.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// The issuer URL (discovery at `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Where the provider sends the browser back; default `{first public origin}/callback`.
    pub redirect_url: Option<String>,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The ID token claim that lists a person's groups, for `group` rules.
    pub groups_claim: String,
    /// How far the provider's clock may be off from ours when checking `exp` and `iat`.
    pub clock_skew: Duration,
}

impl ProviderConfig {
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Secret,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret,
            redirect_url: None,
            scopes: vec!["profile".to_owned(), "email".to_owned()],
            groups_claim: "groups".to_owned(),
            clock_skew: Duration::from_secs(60),
        }
    }
}

/// Development sign-in: `POST /session` with no credentials, as one fixed person. Only with
/// `--dev-sign-in`; never in a deployment.
#[derive(Clone, Debug)]
pub struct DevSignIn {
    /// The key its sessions use.
    pub key: String,
    pub role: Role,
}

impl DevSignIn {
    /// The person a development session belongs to.
    pub fn person() -> Person {
        Person {
            issuer: "dev-sign-in".to_owned(),
            sub: "developer".to_owned(),
            name: Some("Developer".to_owned()),
            email: Some("developer@localhost".to_owned()),
            email_verified: true,
            groups: Vec::new(),
        }
    }

    pub fn grant(&self) -> Grant {
        Grant {
            key: self.key.clone(),
            role: self.role,
        }
    }
}

/// Where audit lines go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditTarget {
    /// Standard output, one JSON object a line (the binary's default).
    Stdout,
    /// Appended to this file.
    File(PathBuf),
    /// Nowhere: [`Config::new`]'s default, for embedding and tests that do not look at it.
    Off,
}

/// How the gateway runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Base URL of the control plane, without `/api/v1` (e.g. `http://127.0.0.1:8788`).
    pub upstream: String,
    /// The secret keys by name. Never sent to the browser, never logged.
    pub keys: BTreeMap<String, Secret>,
    /// Who may use which key, and in which role (deny by default).
    pub policy: Policy,
    /// OpenID Connect sign-in.
    pub provider: Option<ProviderConfig>,
    /// Development sign-in (`--dev-sign-in`).
    pub dev_sign_in: Option<DevSignIn>,
    /// The origins the gateway is reached at (`https://copilot.example.com`): `Host` must name
    /// one of them (loopback names too under `dev_http`).
    pub public_origins: Vec<String>,
    /// A built panel to serve at `/`.
    pub dist: Option<PathBuf>,
    /// Plain-HTTP development: cookies without `Secure` and the `__Host-` prefix; `Host` may be
    /// any loopback name.
    pub dev_http: bool,
    /// Origins besides the gateway's own that may call it (the `trunk serve` page).
    pub allowed_origins: Vec<String>,
    /// A session ends after this long without a request…
    pub session_idle: Duration,
    /// …and after this long in any case.
    pub session_absolute: Duration,
    /// Sessions one person may hold; starting another ends their oldest.
    pub sessions_per_person: usize,
    /// No response headers from the upstream within this → 504.
    pub upstream_timeout: Duration,
    /// A request body that has not fully arrived within this → 408.
    pub body_timeout: Duration,
    /// Per-person request rate and open streams.
    pub limits: LimitConfig,
    /// `frame-ancestors` of the served panel's Content-Security-Policy (who may embed it).
    pub frame_ancestors: String,
    /// Where the audit log goes.
    pub audit: AuditTarget,
}

/// The name of the key a gateway built with [`Config::new`] holds.
pub const DEFAULT_KEY: &str = "default";

impl Config {
    /// One key named [`DEFAULT_KEY`], no sign-in configured yet, defaults for the rest.
    pub fn new(upstream: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            upstream: upstream.into().trim_end_matches('/').to_owned(),
            keys: BTreeMap::from([(DEFAULT_KEY.to_owned(), Secret::new(api_key))]),
            policy: Policy::default(),
            provider: None,
            dev_sign_in: None,
            public_origins: Vec::new(),
            dist: None,
            dev_http: false,
            allowed_origins: Vec::new(),
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            sessions_per_person: 5,
            upstream_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(10),
            limits: LimitConfig::default(),
            frame_ancestors: "'self'".to_owned(),
            audit: AuditTarget::Off,
        }
    }

    /// Every secret value the configuration holds, for the log writer to redact.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets: Vec<String> = self.keys.values().map(|k| k.0.clone()).collect();
        if let Some(provider) = &self.provider {
            secrets.push(provider.client_secret.0.clone());
        }
        secrets
    }

    /// Why this configuration cannot run, if it cannot.
    pub fn problem(&self) -> Option<String> {
        if self.provider.is_none() && self.dev_sign_in.is_none() {
            return Some(
                "no way to sign in: configure an OpenID provider ([provider] in the config file) \
                 or, for development only, pass --dev-sign-in"
                    .to_owned(),
            );
        }
        if let Some(dev) = &self.dev_sign_in
            && !self.keys.contains_key(&dev.key)
        {
            return Some(format!(
                "development sign-in uses the key \"{}\", which is not configured",
                dev.key
            ));
        }
        if self.provider.is_some() && self.redirect_url().is_none() {
            return Some(
                "OpenID sign-in needs the gateway's public origin (public_origins) or \
                 provider.redirect_url"
                    .to_owned(),
            );
        }
        if self.provider.is_some() && self.policy.rules.is_empty() {
            return Some(
                "no [[access]] rule: nobody could use the copilot (deny by default)".to_owned(),
            );
        }
        None
    }

    /// Where the provider sends the browser back after sign-in.
    pub fn redirect_url(&self) -> Option<String> {
        let provider = self.provider.as_ref()?;
        provider.redirect_url.clone().or_else(|| {
            self.public_origins
                .first()
                .map(|origin| format!("{}/callback", origin.trim_end_matches('/')))
        })
    }
}
