//! A body or args object as `name = value` lines, as the plan rows and the approval cards show
//! it: values are text (never markdown), long ones cut with the whole kept for "Show more",
//! secrets masked: a field that is a credential by its name, or a value that is one.

use serde_json::{Map, Value};

use super::words::words;

/// Values longer than this many characters are cut, with "Show more" for the rest.
pub const MAX_VALUE_CHARS: usize = 80;

/// One `name = value` line of a body or args object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Dotted for nested objects: `parametersSchema.type`.
    pub name: String,
    /// The value as text: strings quoted, other JSON compact; masked for secrets; cut to
    /// [`MAX_VALUE_CHARS`] when long.
    pub value: String,
    /// The whole value when `value` was cut.
    pub full: Option<String>,
    pub masked: bool,
}

const MASK: &str = "••••••••";

/// A credential by its name: the word `token`, `secret`, `password` (`passwd`), `apikey`,
/// `credential(s)` or `authorization`, or a `key` that is the thing itself (`apiKey`,
/// `publishableKey`, `key`). Not a name that only refers to one or describes it: `keyId`,
/// `keyPrefix`, `tokenCount`, `secretName`, `passwordUpdatedAt`, `monkey`.
pub fn is_secret_name(name: &str) -> bool {
    let words = words(name);
    let secret = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "key"
                | "token"
                | "secret"
                | "password"
                | "passwd"
                | "apikey"
                | "credential"
                | "credentials"
                | "authorization"
        )
    });
    // What follows the secret word says what the field is: its id, its visible prefix, when
    // it changed. A secret word with nothing after it is the secret.
    let about_it = words.last().is_some_and(|w| {
        matches!(
            w.as_str(),
            "id" | "ids"
                | "count"
                | "name"
                | "names"
                | "prefix"
                | "suffix"
                | "hint"
                | "last4"
                | "preview"
                | "type"
                | "kind"
                | "url"
                | "at"
                | "expires"
                | "expiry"
                | "length"
                | "scopes"
                | "set"
        )
    });
    secret && !about_it
}

/// A value that is a credential whatever its field is called: a secret API key
/// (`flowyte_sk_…`, `sk_live_…`), a bearer token, a private key.
pub fn is_secret_value(value: &str) -> bool {
    let value = value.trim();
    ["flowyte_sk_", "sk_live_", "sk_test_", "Bearer ", "Basic "]
        .iter()
        .any(|p| value.starts_with(p))
        || value.contains("PRIVATE KEY-----")
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

fn push_fields(
    prefix: &str,
    object: &Map<String, Value>,
    masked_above: bool,
    out: &mut Vec<Field>,
) {
    for (key, value) in object {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let masked =
            masked_above || is_secret_name(key) || value.as_str().is_some_and(is_secret_value);
        match value {
            Value::Object(inner) if !inner.is_empty() => push_fields(&name, inner, masked, out),
            _ if masked => out.push(Field {
                name,
                value: MASK.to_owned(),
                full: None,
                masked: true,
            }),
            _ => {
                let text = text_of(value);
                let (value, full) = if text.chars().count() > MAX_VALUE_CHARS {
                    let cut: String = text.chars().take(MAX_VALUE_CHARS).collect();
                    (format!("{cut}…"), Some(text))
                } else {
                    (text, None)
                };
                out.push(Field {
                    name,
                    value,
                    full,
                    masked: false,
                });
            }
        }
    }
}

/// A body or args object as fields, nested objects flattened with dotted names.
pub fn fields(object: Option<&Map<String, Value>>) -> Vec<Field> {
    let mut out = Vec::new();
    if let Some(object) = object {
        push_fields("", object, false, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_text_flattened_truncated_and_masked() {
        let body = json!({
            "name": "**Front** <b>Desk</b>",
            "parametersSchema": {"type": "object", "required": ["orderNumber"]},
            "apiKey": "flowyte_sk_live_abc",
            "webhook": {"url": "https://x", "signingSecret": "s3cr3t", "credentials": {"user": "u"}},
            "keyId": "pk_0002",
            "keyPrefix": "pk_live_9f2a3b4c5d6e7f80…",
            "accessToken": null,
            "header": "Bearer eyJhbGciOi",
            "note": "x".repeat(200),
        });
        let list = fields(body.as_object());
        let get = |name: &str| {
            list.iter()
                .find(|f| f.name == name)
                .unwrap_or_else(|| panic!("{name} in {list:?}"))
        };
        assert_eq!(
            get("name").value,
            "\"**Front** <b>Desk</b>\"",
            "text, as it came"
        );
        assert_eq!(get("parametersSchema.type").value, "\"object\"");
        assert_eq!(get("parametersSchema.required").value, "[\"orderNumber\"]");
        for secret in [
            "apiKey",
            "webhook.signingSecret",
            "webhook.credentials.user",
            "accessToken",
            "header",
        ] {
            assert!(get(secret).masked, "{secret}");
            assert!(
                !get(secret).value.contains("s3cr3t") && !get(secret).value.contains("flowyte_sk")
            );
        }
        assert!(!get("keyId").masked, "a reference to a key is not the key");
        assert_eq!(
            get("keyPrefix").value,
            "\"pk_live_9f2a3b4c5d6e7f80…\"",
            "a key's public prefix (shown in replies anyway) is not the key"
        );
        assert_eq!(get("webhook.url").value, "\"https://x\"");
        let note = get("note");
        assert_eq!(note.value.chars().count(), MAX_VALUE_CHARS + 1);
        assert!(note.full.as_ref().unwrap().len() > 200);
    }

    #[test]
    fn secret_values_are_masked_whatever_their_name() {
        for value in [
            "flowyte_sk_live_abc",
            "sk_test_123",
            "Bearer abc.def",
            "-----BEGIN PRIVATE KEY-----\nMII",
        ] {
            assert!(is_secret_value(value), "{value}");
        }
        for value in ["pk_live_9f2a…", "Support Bot", "https://x.example/keys", ""] {
            assert!(!is_secret_value(value), "{value}");
        }
    }

    #[test]
    fn secret_names_follow_words_not_substrings() {
        for name in [
            "key",
            "apiKey",
            "api_key",
            "X-Api-Key",
            "token",
            "refreshToken",
            "password",
            "clientSecret",
            "publishableKey",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "keyId",
            "keyPrefix",
            "key_last4",
            "passwordUpdatedAt",
            "monkey",
            "tokenCount",
            "secretName",
            "name",
            "keyboard",
            "turkey",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
