//! Names as people read them: an API's `camelCase`, `snake_case` or `Kebab-Case` name split
//! into words, and an operation id as a short phrase (`createAgent` → "Create agent").

/// Splits `apiKey`, `api_key`, `X-Api-Key` into lower-case words.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// An operation id as a phrase: `createAgent` → "Create agent", `revokePublishableKey` →
/// "Revoke publishable key", `list_numbers` → "List numbers". One that has no words stays as
/// it is.
pub fn operation_name(id: &str) -> String {
    let words = words(id);
    let Some((first, rest)) = words.split_first() else {
        return id.to_owned();
    };
    let mut chars = first.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    for word in rest {
        out.push(' ');
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words_and_operations_read_as_phrases() {
        assert_eq!(words("X-Api-Key"), ["x", "api", "key"]);
        assert_eq!(words("keyPrefix"), ["key", "prefix"]);
        assert_eq!(words("e164"), ["e164"]);
        let names: Vec<String> = [
            "createAgent",
            "revokePublishableKey",
            "list_numbers",
            "rollbackAgent",
            "-",
        ]
        .iter()
        .map(|id| operation_name(id))
        .collect();
        assert_eq!(
            names,
            [
                "Create agent",
                "Revoke publishable key",
                "List numbers",
                "Rollback agent",
                "-"
            ]
        );
    }
}
