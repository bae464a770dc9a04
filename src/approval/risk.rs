//! How dangerous a proposed action is, read from the item the server sent: destructive (a
//! badge), irreversible (a danger-styled Approve that names the action), and what its Approve
//! says.

use assist_protocol::PendingConfirmation;

use crate::changes::words;
use crate::i18n::Locale;

/// The first words of operations that take something away for good.
const IRREVERSIBLE_VERBS: &[&str] = &["delete", "release", "revoke", "destroy", "remove", "purge"];

/// The first words of operations that change what is live without destroying it.
const LIVE_CHANGING_VERBS: &[&str] = &["publish", "rollback", "unpublish", "unassign", "detach"];

/// The operation's first word (`releaseNumber` → `release`), lower case.
fn verb(item: &PendingConfirmation) -> Option<String> {
    words(item.name()?).into_iter().next()
}

/// Does this pending item destroy or take away something people rely on (delete, release,
/// revoke, unassign) or change what live callers reach (publish, roll back)? Shown with a
/// "destructive" badge.
pub fn is_destructive(item: &PendingConfirmation) -> bool {
    let delete = item.method().unwrap_or("").eq_ignore_ascii_case("DELETE");
    let by_name = verb(item).is_some_and(|v| {
        IRREVERSIBLE_VERBS.contains(&v.as_str()) || LIVE_CHANGING_VERBS.contains(&v.as_str())
    });
    let summary = item.summary().unwrap_or("").to_lowercase();
    let by_summary = [
        "delete",
        "release",
        "revoke",
        "remove",
        "destroy",
        "publish",
        "roll back",
        "rollback",
    ]
    .iter()
    .any(|w| summary.contains(w));
    let path = item.path().unwrap_or("");
    let by_path = path.ends_with("/publish") || path.ends_with("/rollback");
    delete || by_name || by_summary || by_path
}

/// Can this action not be undone (a released number, a revoked key, a deleted agent)? Its
/// Approve is danger-styled and says the action. An unassignment, a publish and a rollback can
/// be undone by another request; what the server calls irreversible is.
pub fn is_irreversible(item: &PendingConfirmation) -> bool {
    let summary = item.summary().unwrap_or("").to_lowercase();
    if summary.contains("irreversible") || summary.contains("cannot be undone") {
        return true;
    }
    match verb(item) {
        Some(verb) => IRREVERSIBLE_VERBS.contains(&verb.as_str()),
        // No operation name: a DELETE of one thing (its path ends in an id) takes it away.
        None => {
            item.method().unwrap_or("").eq_ignore_ascii_case("DELETE")
                && item
                    .path()
                    .and_then(|p| p.trim_end_matches('/').rsplit('/').next())
                    .is_some_and(|last| last.chars().any(|c| c.is_ascii_digit()))
        }
    }
}

/// What the card's Approve button says: the action itself for an irreversible one ("Release
/// number"), so the person reads what they are about to do; "Approve" otherwise. An
/// irreversible action the language has no words for says so ("Approve irreversibly").
pub fn approve_label(item: &PendingConfirmation, t: Locale) -> String {
    match item.name() {
        Some(name) if is_irreversible(item) && !name.is_empty() => t
            .operation(name)
            .unwrap_or_else(|| t.approve_irreversible()),
        _ => t.approve(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn item(value: Value) -> PendingConfirmation {
        PendingConfirmation(value.as_object().unwrap().clone())
    }

    #[test]
    fn deletes_releases_revokes_publishes_and_rollbacks_are_destructive() {
        let release = item(
            json!({"name": "releaseNumber", "method": "DELETE", "path": "/numbers/n_1", "summary": "Release +1 415 555 4421"}),
        );
        let revoke = item(
            json!({"name": "revokePublishableKey", "method": "POST", "path": "/x", "summary": "Revoke the key"}),
        );
        // Publishing and rolling back change what live callers reach (issue 20: they used to
        // pass as harmless).
        let publish = item(
            json!({"name": "publishAgent", "method": "POST", "path": "/agents/a_1/publish", "summary": "Publish Support Bot"}),
        );
        let rollback = item(
            json!({"name": "rollbackAgent", "method": "POST", "path": "/agents/a_1/rollback", "summary": "Roll Support Bot back from version 2 to version 1"}),
        );
        let unnamed_rollback = item(json!({"method": "POST", "path": "/agents/a_1/rollback"}));
        let rename = item(
            json!({"name": "updateAgent", "method": "PATCH", "path": "/agents/a_1", "summary": "Rename Support Bot"}),
        );
        for destructive in [&release, &revoke, &publish, &rollback, &unnamed_rollback] {
            assert!(is_destructive(destructive), "{destructive:?}");
        }
        assert!(!is_destructive(&rename));
    }

    #[test]
    fn irreversible_actions_say_what_they_do_on_their_approve() {
        let case = |value: Value| {
            let item = item(value);
            (is_irreversible(&item), approve_label(&item, Locale::En))
        };
        let yes = |label: &str| (true, label.to_owned());
        let no = (false, "Approve".to_owned());
        assert_eq!(
            case(json!({"name": "releaseNumber", "method": "DELETE", "path": "/numbers/num_1"})),
            yes("Release number")
        );
        assert_eq!(
            case(
                json!({"name": "revokePublishableKey", "method": "DELETE", "path": "/agents/a/publishable-keys/pk_1"})
            ),
            yes("Revoke publishable key")
        );
        assert_eq!(
            case(json!({"name": "deleteAgent", "method": "DELETE", "path": "/agents/agt_1"})),
            yes("Delete agent")
        );
        // Undone by another request: assign again, publish again, roll forward.
        for reversible in [
            json!({"name": "unassignNumber", "method": "DELETE", "path": "/numbers/num_2/assign"}),
            json!({"name": "publishAgent", "method": "POST", "path": "/agents/a/publish"}),
            json!({"name": "rollbackAgent", "method": "POST", "path": "/agents/a/rollback"}),
        ] {
            assert_eq!(case(reversible.clone()), no, "{reversible}");
        }
        // What the server says, and a bare DELETE of one thing.
        assert_eq!(
            case(json!({"name": "archiveThing", "summary": "Archive it (irreversible)"})),
            yes("Archive thing")
        );
        assert_eq!(
            case(json!({"method": "DELETE", "path": "/webhooks/wh_2"})),
            (true, "Approve".to_owned()),
            "irreversible, but with no name to say it by"
        );
        assert_eq!(
            case(json!({"method": "DELETE", "path": "/webhooks/wh_2/assign"})),
            no
        );
    }
}
