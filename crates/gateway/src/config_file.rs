//! The gateway's config file (TOML; `--config FILE` or `FLOWYTE_GATEWAY_CONFIG`): the provider,
//! the keys by name, the access rules, and the limits. Secrets are never written in it: each
//! names a file or an environment variable that holds the value.
//!
//! Every mistake stops the gateway at start with a message that names the line: an unknown
//! setting, a rule that names no one or names an undefined key, a secret that cannot be read.
//! `gateway.example.toml` beside this crate's `Cargo.toml` shows every setting.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::config::{AuditTarget, Config, ProviderConfig, Secret};
use crate::limits::LimitConfig;
use crate::policy::{Match, Policy, Role, Rule};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    upstream: Option<String>,
    #[serde(default)]
    public_origins: Vec<String>,
    #[serde(default)]
    allowed_origins: Vec<String>,
    frame_ancestors: Option<String>,
    provider: Option<Spanned<ProviderSection>>,
    #[serde(default)]
    keys: BTreeMap<String, Spanned<SecretSource>>,
    #[serde(default)]
    access: Vec<Spanned<AccessRule>>,
    sessions: Option<SessionsSection>,
    limits: Option<LimitsSection>,
    audit: Option<AuditSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderSection {
    issuer: String,
    client_id: String,
    client_secret_file: Option<PathBuf>,
    client_secret_env: Option<String>,
    redirect_url: Option<String>,
    scopes: Option<Vec<String>>,
    groups_claim: Option<String>,
    clock_skew_seconds: Option<u64>,
}

/// Where a secret's value is: a file (its contents, trimmed) or an environment variable.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretSource {
    file: Option<PathBuf>,
    env: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessRule {
    sub: Option<String>,
    email: Option<String>,
    email_domain: Option<String>,
    group: Option<String>,
    key: Spanned<String>,
    role: Role,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionsSection {
    idle_minutes: Option<u64>,
    absolute_hours: Option<u64>,
    per_person: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsSection {
    burst: Option<u32>,
    per_minute: Option<u32>,
    streams: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditSection {
    /// A path, or `-` for standard output.
    file: String,
}

/// A config file that cannot be used: what is wrong and where.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

/// Reads `path` and builds the gateway's configuration from it, reading every secret it names
/// through `env` (the process environment, in the binary).
pub fn load(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.display().to_string(),
        message: format!("cannot read it: {e}"),
    })?;
    parse(&text, path.parent().unwrap_or(Path::new(".")), env).map_err(|message| ConfigError {
        path: path.display().to_string(),
        message,
    })
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Builds a configuration from the file's text; relative secret paths are read from `dir`.
pub fn parse(
    text: &str,
    dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, String> {
    let at = |offset: usize| format!("line {}", line_of(text, offset));
    // toml's own rendering quotes the line, which may hold a secret written inline by mistake.
    let file: File = toml::from_str(text).map_err(|e| match e.span() {
        Some(span) => format!("{}: {}", at(span.start), e.message()),
        None => e.message().to_owned(),
    })?;

    let read_secret = |what: &str, file: Option<&PathBuf>, var: Option<&String>, line: String| {
        match (file, var) {
            (Some(file), None) => {
                let path = dir.join(file);
                std::fs::read_to_string(&path)
                    .map(|s| Secret::new(s.trim()))
                    .map_err(|e| format!("{line}: cannot read {what} from {}: {e}", path.display()))
            }
            (None, Some(var)) => env(var)
                .filter(|v| !v.is_empty())
                .map(|v| Secret::new(v.trim()))
                .ok_or_else(|| {
                    format!("{line}: {what}: the environment variable {var} is not set")
                }),
            _ => Err(format!(
                "{line}: {what} needs exactly one of `file` or `env` (never the value itself)"
            )),
        }
    };

    let mut config = Config::new(
        file.upstream.as_deref().unwrap_or("http://127.0.0.1:8788"),
        "",
    );
    config.keys.clear();
    config.audit = AuditTarget::Stdout;
    for (name, source) in &file.keys {
        let line = at(source.span().start);
        let secret = read_secret(
            &format!("key \"{name}\""),
            source.get_ref().file.as_ref(),
            source.get_ref().env.as_ref(),
            line,
        )?;
        config.keys.insert(name.clone(), secret);
    }

    for origin in file.public_origins.iter().chain(&file.allowed_origins) {
        if crate::guard::parse_origin(origin).is_none() {
            return Err(format!(
                "\"{origin}\" is not an origin (scheme://host[:port], nothing after it)"
            ));
        }
    }
    config.public_origins = file.public_origins;
    config.allowed_origins = file.allowed_origins;
    if let Some(frame_ancestors) = file.frame_ancestors {
        config.frame_ancestors = frame_ancestors;
    }

    if let Some(section) = &file.provider {
        let line = at(section.span().start);
        let p = section.get_ref();
        let secret = read_secret(
            "provider.client_secret",
            p.client_secret_file.as_ref(),
            p.client_secret_env.as_ref(),
            line,
        )
        .map_err(|e| {
            e.replace(
                "needs exactly one of `file` or `env`",
                "needs exactly one of `client_secret_file` or `client_secret_env`",
            )
        })?;
        let mut provider = ProviderConfig::new(&p.issuer, &p.client_id, secret);
        provider.redirect_url = p.redirect_url.clone();
        if let Some(scopes) = &p.scopes {
            provider.scopes = scopes.iter().filter(|s| *s != "openid").cloned().collect();
        }
        if let Some(claim) = &p.groups_claim {
            provider.groups_claim = claim.clone();
        }
        if let Some(seconds) = p.clock_skew_seconds {
            provider.clock_skew = Duration::from_secs(seconds);
        }
        config.provider = Some(provider);
    }

    let mut rules = Vec::new();
    for rule in &file.access {
        let line = at(rule.span().start);
        let r = rule.get_ref();
        let named: Vec<Match> = [
            r.sub.clone().map(Match::Sub),
            r.email.clone().map(Match::Email),
            r.email_domain
                .clone()
                .map(|d| Match::EmailDomain(d.trim_start_matches('@').to_owned())),
            r.group.clone().map(Match::Group),
        ]
        .into_iter()
        .flatten()
        .collect();
        let [matches] = <[Match; 1]>::try_from(named).map_err(|named| {
            format!(
                "{line}: an [[access]] rule names a person by exactly one of sub, email, \
                 email_domain or group (this one uses {})",
                named.len()
            )
        })?;
        if !config.keys.contains_key(r.key.get_ref()) {
            return Err(format!(
                "{}: the rule uses the key \"{}\", which [keys] does not define",
                at(r.key.span().start),
                r.key.get_ref()
            ));
        }
        rules.push(Rule {
            matches,
            key: r.key.get_ref().clone(),
            role: r.role,
        });
    }
    config.policy = Policy { rules };

    if let Some(s) = file.sessions {
        if let Some(m) = s.idle_minutes {
            config.session_idle = Duration::from_secs(m * 60);
        }
        if let Some(h) = s.absolute_hours {
            config.session_absolute = Duration::from_secs(h * 3600);
        }
        if let Some(n) = s.per_person {
            config.sessions_per_person = n.max(1);
        }
    }
    if let Some(l) = file.limits {
        let d = LimitConfig::default();
        config.limits = LimitConfig {
            burst: l.burst.unwrap_or(d.burst),
            per_minute: l.per_minute.unwrap_or(d.per_minute),
            max_streams: l.streams.unwrap_or(d.max_streams),
        };
    }
    if let Some(a) = file.audit {
        config.audit = if a.file == "-" {
            AuditTarget::Stdout
        } else {
            AuditTarget::File(dir.join(a.file))
        };
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "OIDC_SECRET" => Some("client-secret-value".to_owned()),
            "SUPPORT_KEY" => Some("flowyte_sk_test_support".to_owned()),
            _ => None,
        }
    }

    const GOOD: &str = r#"
upstream = "https://api.flowyte.example"
public_origins = ["https://copilot.northwind.example"]

[provider]
issuer = "https://login.northwind.example"
client_id = "copilot"
client_secret_env = "OIDC_SECRET"

[keys.support]
env = "SUPPORT_KEY"

[[access]]
email = "ana@northwind.example"
key = "support"
role = "approver"

[[access]]
email_domain = "northwind.example"
key = "support"
role = "viewer"
"#;

    #[test]
    fn a_whole_file_becomes_a_configuration() {
        let config = parse(GOOD, Path::new("."), &env).unwrap();
        assert_eq!(config.upstream, "https://api.flowyte.example");
        assert_eq!(config.keys["support"].expose(), "flowyte_sk_test_support");
        assert_eq!(config.policy.rules.len(), 2);
        assert_eq!(config.policy.rules[1].role, Role::Viewer);
        assert_eq!(
            config.redirect_url().as_deref(),
            Some("https://copilot.northwind.example/callback")
        );
        assert_eq!(config.audit, AuditTarget::Stdout);
        assert!(config.problem().is_none(), "{:?}", config.problem());
        assert!(
            !format!("{config:?}").contains("client-secret-value"),
            "Debug never shows a secret"
        );
    }

    #[test]
    fn the_example_file_is_a_working_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let text = include_str!("../gateway.example.toml")
            .replace("/run/secrets/", &format!("{}/", dir.path().display()))
            .replace(
                "/var/log/flowyte-gateway/",
                &format!("{}/", dir.path().display()),
            );
        std::fs::write(dir.path().join("oidc-client-secret"), "s3cret\n").unwrap();
        std::fs::write(
            dir.path().join("flowyte-support-key"),
            "flowyte_sk_test_a\n",
        )
        .unwrap();
        let env = |name: &str| (name == "FLOWYTE_READONLY_KEY").then(|| "flowyte_sk_test_b".into());
        let config = parse(&text, dir.path(), &env).unwrap();
        assert!(config.problem().is_none(), "{:?}", config.problem());
        assert_eq!(config.keys.len(), 2);
        assert_eq!(config.keys["support"].expose(), "flowyte_sk_test_a");
        assert_eq!(config.policy.rules.len(), 3);
        assert_eq!(config.sessions_per_person, 5);
        assert_eq!(
            config.provider.as_ref().unwrap().client_secret.expose(),
            "s3cret"
        );
        assert_eq!(
            config.audit,
            AuditTarget::File(dir.path().join("audit.jsonl"))
        );
    }

    #[test]
    fn mistakes_name_their_line() {
        let cases = [
            (
                GOOD.replace("role = \"viewer\"", "role = \"admin\""),
                "line 21",
            ),
            (
                GOOD.replace(
                    "key = \"support\"\nrole = \"viewer\"",
                    "key = \"sales\"\nrole = \"viewer\"",
                ),
                "line 20: the rule uses the key \"sales\"",
            ),
            (
                GOOD.replace("email_domain = \"northwind.example\"\n", ""),
                "line 18: an [[access]] rule names a person by exactly one",
            ),
            (
                GOOD.replace("env = \"SUPPORT_KEY\"", "env = \"MISSING\""),
                "line 10: key \"support\": the environment variable MISSING is not set",
            ),
            (
                GOOD.replace(
                    "env = \"SUPPORT_KEY\"",
                    "value = \"flowyte_sk_test_inline\"",
                ),
                "line 11",
            ),
            (GOOD.replace("client_id", "clientid"), "line 7"),
        ];
        for (text, expected) in cases {
            let error = parse(&text, Path::new("."), &env).expect_err(expected);
            assert!(error.contains(expected), "{error}\n expected {expected}");
            assert!(!error.contains("flowyte_sk_test_inline"), "{error}");
        }
    }
}
