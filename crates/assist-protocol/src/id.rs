//! The one rule for ids that go into a request path (`/agents/{id}/assist`,
//! `/assist/threads/{id}`): the panel checks an `agentId` option and a saved thread id with it,
//! the gateway its allow-list. One rule, so whatever the panel accepts the gateway forwards.

/// The longest id that passes. Flowyte's ids are short (`agt_0001`, a UUID is 36): 64 leaves
/// room for longer prefixed ids and still bounds the path.
pub const MAX_ID_LEN: usize = 64;

/// Whether `id` is a plain id: 1 to [`MAX_ID_LEN`] ASCII letters, digits, `_` or `-`. Nothing
/// else may reach a path: `/`, `.`, `%`, `?`, spaces and non-ASCII are all refused (a router
/// has usually percent-decoded the id already, so `%2F` arrives as `/`).
pub fn is_plain_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_pass_up_to_the_limit_and_nothing_else_does() {
        for id in ["agt_0001", "thr_0a1b-2c", "A9", &"x".repeat(MAX_ID_LEN)] {
            assert!(is_plain_id(id), "{id}");
        }
        for id in [
            "",
            &"x".repeat(MAX_ID_LEN + 1),
            "..",
            "a/b",
            "a%2Fb",
            "a b",
            "a?x=1",
            "a.b",
            "é",
        ] {
            assert!(!is_plain_id(id), "{id:?}");
        }
    }
}
