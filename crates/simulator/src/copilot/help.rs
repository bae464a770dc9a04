//! What the copilot can do: the examples (the README and the panel's empty state use them),
//! the help reply, the short answer to a request it does not understand, and the greeting.

use super::names::name_words;
use super::utterance::{Utterance, word_match};

/// One request of each kind the copilot understands (the panel's empty state suggests some).
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "List my agents",
        "a table of agents with status, channels, number and skills",
    ),
    (
        "Describe Support Bot",
        "an agent's persona, skills, knowledge, numbers and keys",
    ),
    (
        "Create an agent called “Front Desk”",
        "a new draft agent (add “for chat” or “for voice”)",
    ),
    (
        "Rename After-hours Line to “Night Line”",
        "renames an agent",
    ),
    (
        "Set the greeting of Support Bot to “Hello from Northwind!”",
        "also: tone, persona",
    ),
    (
        "Add an order-lookup skill to Support Bot",
        "a skill, its type and parameters inferred",
    ),
    (
        "Disable the Send SMS receipt skill on Support Bot",
        "also: enable, require confirmation for",
    ),
    (
        "Remove the Track shipment skill from Support Bot",
        "held for approval",
    ),
    (
        "What skills does Sales Assistant have?",
        "a table of an agent's skills",
    ),
    (
        "Add https://northwind-coffee.example/returns to Support Bot's knowledge",
        "a URL knowledge source",
    ),
    (
        "Assign the number ending 7730 to Wholesale Intake",
        "routes a number to an agent",
    ),
    ("Unassign the number ending 0188", "held for approval"),
    (
        "Release the number ending 4421",
        "held for approval; irreversible",
    ),
    ("List my numbers", "numbers, types, costs and agents"),
    (
        "Revoke the Staging widget key",
        "a publishable key; held for approval",
    ),
    ("Publish Support Bot", "held for approval"),
    (
        "Roll back Support Bot",
        "to the previous version, or “to version 1”; held for approval",
    ),
    ("Delete the Wholesale Intake agent", "held for approval"),
    (
        "Which calls failed yesterday?",
        "also: transferred, abandoned, today, this week, for one agent",
    ),
    (
        "Why did calls fail yesterday?",
        "the failures grouped by cause, with what to do",
    ),
    (
        "Summarise recent calls for Sales Assistant",
        "the last 7 days, with outcomes and topics",
    ),
];

/// The requests the panel's empty state suggests, offered when nothing is closer.
const STARTERS: [&str; 3] = [
    "List my agents",
    "Which calls failed yesterday?",
    "Add an order-lookup skill to Support Bot",
];

/// The reply to "help" (`None`: every request understood), or to a request the copilot does
/// not understand (`Some(message)`: a short answer with the closest requests).
pub fn help(unrecognised: Option<&str>) -> String {
    if let Some(message) = unrecognised {
        let suggestions = closest(message, 3);
        let mut out =
            "I'm not sure what you'd like me to do. The closest requests I know:\n\n".to_owned();
        for s in suggestions {
            out.push_str(&format!("- *{s}*\n"));
        }
        out.push_str("\nSay *help* for the whole list.");
        return out;
    }
    let mut out = "Here's what I can do in this account:\n\n".to_owned();
    for (example, what) in EXAMPLES {
        out.push_str(&format!("- *{example}* — {what}\n"));
    }
    out.push_str(
        "\nSay it your way: *shut off*, *drop*, *push live*, *point 7730 at …*, names by a word \
         or with a typo, questions as well as commands. One request per message works best. \
         Destructive actions always wait for your approval.",
    );
    out
}

/// Up to `n` examples sharing the most words with `message` (endings and typos allowed), in
/// the order of [`EXAMPLES`] on a tie; the starters when none shares a word.
fn closest(message: &str, n: usize) -> Vec<&'static str> {
    let u = Utterance::new(message, None);
    let mut scored: Vec<(usize, usize, &'static str)> = EXAMPLES
        .iter()
        .enumerate()
        .map(|(i, (example, _))| {
            let shared = name_words(example)
                .iter()
                .filter(|w| u.words.iter().any(|said| word_match(said, w).is_some()))
                .count();
            (shared, i, *example)
        })
        .filter(|(shared, _, _)| *shared > 0)
        .collect();
    scored.sort_by_key(|(shared, i, _)| (std::cmp::Reverse(*shared), *i));
    let picked: Vec<&'static str> = scored.into_iter().take(n).map(|(_, _, e)| e).collect();
    if picked.is_empty() {
        STARTERS.to_vec()
    } else {
        picked
    }
}

/// The answer to a greeting.
pub(super) fn greeting(organization: &str) -> String {
    format!(
        "Hello! I'm the copilot for **{organization}** (the local simulator). Try *{}*, *{}* or \
         *{}* — or say *help* for everything I can do.",
        STARTERS[0], STARTERS[1], STARTERS[2]
    )
}
