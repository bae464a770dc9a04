//! How a simulator is set up: the secret keys it accepts and their scopes, its pace, and
//! where it keeps its state.

use std::path::PathBuf;
use std::time::Duration;

use crate::copilot::Scopes;
use crate::ops;

/// The development key every local setup uses; it holds every scope. It is fake by design: it
/// only opens this simulator.
pub const DEV_KEY: &str = "flowyte_sk_test_local_development_key";
/// A key holding only the `…:read` scopes (no `agents:write`, so `/assist` answers 403).
pub const READ_ONLY_KEY: &str = "flowyte_sk_test_read_only_key";

/// Longest message accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// A secret key and the scopes it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiKey {
    pub key: String,
    pub scopes: Scopes,
}

impl ApiKey {
    /// A key with every scope.
    pub fn all_scopes(key: impl Into<String>) -> Self {
        Self::with_scopes(key, ops::ALL_SCOPES.iter().copied())
    }

    pub fn with_scopes<'a>(
        key: impl Into<String>,
        scopes: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        Self {
            key: key.into(),
            scopes: Scopes(scopes.into_iter().map(str::to_owned).collect()),
        }
    }

    /// Parses `KEY` (every scope) or `KEY=scope,scope`, the `--key` flag's form.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (key, scopes) = match text.split_once('=') {
            Some((key, scopes)) => (key, Some(scopes)),
            None => (text, None),
        };
        if !key.starts_with("flowyte_sk_") {
            return Err("a secret key starts with flowyte_sk_".to_owned());
        }
        Ok(match scopes {
            Some(scopes) => Self::with_scopes(
                key,
                scopes.split(',').map(str::trim).filter(|s| !s.is_empty()),
            ),
            None => Self::all_scopes(key),
        })
    }
}

/// How the simulator behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Secret keys accepted in `Authorization: Bearer …`.
    pub keys: Vec<ApiKey>,
    /// Pause between two frames of a stream.
    pub pace: Duration,
    /// While a stream is idle this long, a `: keep-alive` comment is sent.
    pub keep_alive: Duration,
    /// Load the account and threads from this JSON file (seeding it when missing) and save
    /// them after every change.
    pub state_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            keys: vec![
                ApiKey::all_scopes(DEV_KEY),
                ApiKey::with_scopes(
                    READ_ONLY_KEY,
                    ops::ALL_SCOPES
                        .iter()
                        .copied()
                        .filter(|s| s.ends_with(":read")),
                ),
            ],
            pace: Duration::from_millis(60),
            keep_alive: Duration::from_secs(15),
            state_file: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_with_or_without_scopes() {
        let key = ApiKey::parse("flowyte_sk_x=agents:read, calls:read").unwrap();
        assert!(key.scopes.has("calls:read") && !key.scopes.has("agents:write"));
        assert!(
            ApiKey::parse("flowyte_sk_y")
                .unwrap()
                .scopes
                .has("numbers:write")
        );
        assert!(ApiKey::parse("sk_live_z").is_err());
    }
}
