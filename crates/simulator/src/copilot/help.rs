//! What the copilot can do: the examples (the README and the panel's empty state use them)
//! and the help reply.

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
        "Summarise recent calls for Sales Assistant",
        "the last 7 days, with outcomes and topics",
    ),
];

/// The reply to a request the copilot does not understand (or to "help").
pub fn help(unrecognised: Option<&str>) -> String {
    let mut out = match unrecognised {
        Some(_) => "I'm not sure what you'd like me to do. I'm the local simulator's copilot and \
                    understand requests like these:\n\n"
            .to_owned(),
        None => "Here's what I can do in this account:\n\n".to_owned(),
    };
    for (example, what) in EXAMPLES {
        out.push_str(&format!("- *{example}* — {what}\n"));
    }
    out.push_str(
        "\nOne request per message works best. Destructive actions always wait for your approval.",
    );
    out
}
