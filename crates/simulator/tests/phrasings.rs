//! The ways people ask: each row is a message as a person would type it (other words, typos,
//! questions, names by one word, quotes of every kind) and what must happen — the operation
//! called, the change applied, the action held for approval, or the question asked back.
//! Every row runs on a freshly seeded account, through the same `respond` the API uses.

use flowyte_simulator::account::Account;
use flowyte_simulator::copilot::{Answer, Request, Scopes, respond};
use flowyte_simulator::ops::ALL_SCOPES;
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-28 15:00 UTC);

/// What a message must do.
#[derive(Debug)]
enum Expect {
    /// Called this operation (a read or a write) on a path containing the text; held nothing.
    Calls(&'static str, &'static str),
    /// Applied this operation on a path containing the text, with `body[field]` equal to the
    /// JSON text given.
    Changes(&'static str, &'static str, &'static str, &'static str),
    /// Held exactly this action for approval (name, path containing) and changed nothing.
    Holds(&'static str, &'static str),
    /// Asked a question naming all of these, called nothing and changed nothing.
    Asks(&'static [&'static str]),
    /// Answered with this text, changing nothing and holding nothing.
    Says(&'static str),
}
use Expect::*;

struct Row {
    message: &'static str,
    /// The page's agent (`/agents/{id}/assist` or `context.agentId`).
    page: Option<&'static str>,
    /// A message sent first, on the same account.
    before: Option<&'static str>,
    expect: Expect,
}

const fn ask(message: &'static str, expect: Expect) -> Row {
    Row {
        message,
        page: None,
        before: None,
        expect,
    }
}

const fn on(page: &'static str, message: &'static str, expect: Expect) -> Row {
    Row {
        message,
        page: Some(page),
        before: None,
        expect,
    }
}

const fn after(before: &'static str, message: &'static str, expect: Expect) -> Row {
    Row {
        message,
        page: None,
        before: Some(before),
        expect,
    }
}

const SUPPORT_SKILLS: &[&str] = &["Track shipment", "Transfer to a human", "Send SMS receipt"];
const ALL_NUMBERS: &[&str] = &["4421", "0188", "0142", "7730"];
const AGENTS: &[&str] = &[
    "Support Bot",
    "Sales Assistant",
    "After-hours Line",
    "Wholesale Intake",
];

const ROWS: &[Row] = &[
    // ---- Listing agents
    ask("List my agents", Calls("listAgents", "/agents")),
    ask("show me all my bots", Calls("listAgents", "/agents")),
    ask("what agents do I have?", Calls("listAgents", "/agents")),
    ask("how many agents are there", Calls("listAgents", "/agents")),
    ask("lsit my agnets", Calls("listAgents", "/agents")),
    ask("agents?", Calls("listAgents", "/agents")),
    ask("which agent is published?", Calls("listAgents", "/agents")),
    // ---- Describing an agent
    ask(
        "Describe Support Bot",
        Calls("getAgent", "/agents/agt_0001"),
    ),
    ask(
        "tell me about the sales assistant",
        Calls("getAgent", "/agents/agt_0002"),
    ),
    ask(
        "what's the status of after hours line?",
        Calls("getAgent", "/agents/agt_0003"),
    ),
    ask(
        "is Support Bot live?",
        Calls("getAgent", "/agents/agt_0001"),
    ),
    ask(
        "is Support Bot published?",
        Calls("getAgent", "/agents/agt_0001"),
    ),
    ask(
        "describe wholsale intake",
        Calls("getAgent", "/agents/agt_0004"),
    ),
    ask(
        "how's suport bot set up?",
        Calls("getAgent", "/agents/agt_0001"),
    ),
    on(
        "agt_0003",
        "tell me about it",
        Calls("getAgent", "/agents/agt_0003"),
    ),
    ask(
        "what does Support Bot know?",
        Calls("getAgent", "/agents/agt_0001"),
    ),
    // ---- Creating an agent
    ask(
        "Create an agent called “Front Desk”",
        Changes("createAgent", "/agents", "name", "\"Front Desk\""),
    ),
    ask(
        "make a new bot named Counter for chat",
        Changes("createAgent", "/agents", "enabledChannels", "[\"chat\"]"),
    ),
    ask(
        "set up an assistant called 'Night Owl'",
        Changes("createAgent", "/agents", "name", "\"Night Owl\""),
    ),
    ask(
        "crate a voice agent called \"Bookings\"",
        Changes("createAgent", "/agents", "enabledChannels", "[\"voice\"]"),
    ),
    ask("I need a new agent", Asks(&["called"])),
    ask(
        "create an agent called Support Bot",
        Says("already have an agent called **Support Bot**"),
    ),
    // ---- Renaming
    ask(
        "Rename After-hours Line to “Night Line”",
        Changes("updateAgent", "/agents/agt_0003", "name", "\"Night Line\""),
    ),
    ask(
        "rename after hours line to 'Night Line'",
        Changes("updateAgent", "/agents/agt_0003", "name", "\"Night Line\""),
    ),
    ask(
        "change the name of Wholesale Intake to Wholesale Desk",
        Changes(
            "updateAgent",
            "/agents/agt_0004",
            "name",
            "\"Wholesale Desk\"",
        ),
    ),
    ask(
        "renmae sales assistant to \"Shop Helper\"",
        Changes("updateAgent", "/agents/agt_0002", "name", "\"Shop Helper\""),
    ),
    on(
        "agt_0004",
        "call it ‘Bulk Orders’",
        Changes("updateAgent", "/agents/agt_0004", "name", "\"Bulk Orders\""),
    ),
    ask("rename it to Helper", Asks(AGENTS)),
    // ---- Greeting, tone, persona
    ask(
        "Set the greeting of Support Bot to “Hello from Northwind!”",
        Changes(
            "updateAgent",
            "/agents/agt_0001",
            "greeting",
            "\"Hello from Northwind!\"",
        ),
    ),
    ask(
        "change Sales Assistant's tone to 'playful'",
        Changes("updateAgent", "/agents/agt_0002", "tone", "\"playful\""),
    ),
    ask(
        "make the welcome message of the after hours line say 'We're closed, leave a message'",
        Changes(
            "updateAgent",
            "/agents/agt_0003",
            "greeting",
            "\"We're closed, leave a message\"",
        ),
    ),
    ask(
        "update the persona of wholesale intake to \"Qualifies café and office leads.\"",
        Changes(
            "updateAgent",
            "/agents/agt_0004",
            "persona",
            "\"Qualifies café and office leads.\"",
        ),
    ),
    ask(
        "set the tone of Support Bot to be more formal",
        Changes("updateAgent", "/agents/agt_0001", "tone", "\"more formal\""),
    ),
    // ---- Deleting an agent (held)
    ask(
        "Delete the Wholesale Intake agent",
        Holds("deleteAgent", "/agents/agt_0004"),
    ),
    ask(
        "get rid of the after-hours line",
        Holds("deleteAgent", "/agents/agt_0003"),
    ),
    ask(
        "please remove sales assistant",
        Holds("deleteAgent", "/agents/agt_0002"),
    ),
    ask("delete the agent that sends SMS receipts", Asks(AGENTS)),
    ask("delete it", Asks(AGENTS)),
    ask("don't delete Support Bot", Says("I won't")),
    // ---- Publishing (held)
    ask(
        "Publish Support Bot",
        Holds("publishAgent", "/agents/agt_0001/publish"),
    ),
    ask(
        "push Support Bot live",
        Holds("publishAgent", "/agents/agt_0001/publish"),
    ),
    ask(
        "go live with wholesale intake",
        Holds("publishAgent", "/agents/agt_0004/publish"),
    ),
    ask(
        "deploy the sales assistant",
        Holds("publishAgent", "/agents/agt_0002/publish"),
    ),
    ask(
        "pubilsh after hours line",
        Holds("publishAgent", "/agents/agt_0003/publish"),
    ),
    ask(
        "can you make the after-hours line live?",
        Holds("publishAgent", "/agents/agt_0003/publish"),
    ),
    on(
        "agt_0003",
        "publish it",
        Holds("publishAgent", "/agents/agt_0003/publish"),
    ),
    ask("publish", Asks(AGENTS)),
    // ---- Rolling back (held)
    ask(
        "Roll back Support Bot",
        Holds("rollbackAgent", "/agents/agt_0001/rollback"),
    ),
    ask(
        "revert sales assistant to version 1",
        Holds("rollbackAgent", "/agents/agt_0002/rollback"),
    ),
    ask(
        "undo the last publish of Support Bot",
        Holds("rollbackAgent", "/agents/agt_0001/rollback"),
    ),
    ask(
        "rollbak suport bot",
        Holds("rollbackAgent", "/agents/agt_0001/rollback"),
    ),
    ask(
        "roll back the after hours line",
        Says("never been published"),
    ),
    // ---- Agents can't be switched off: the copilot says what it can do
    ask(
        "turn off Support Bot",
        Asks(&["Support Bot", "roll back", "delete"]),
    ),
    // ---- Listing and describing skills
    ask(
        "what skills does Sales Assistant have?",
        Calls("listSkills", "/agents/agt_0002/skills"),
    ),
    ask(
        "list all skills",
        Calls("listSkills", "/agents/agt_0004/skills"),
    ),
    ask(
        "give me a list of skills",
        Calls("listSkills", "/agents/agt_0003/skills"),
    ),
    ask(
        "which skills are disabled?",
        Calls("listSkills", "/agents/agt_0001/skills"),
    ),
    ask(
        "is the SMS receipt skill on?",
        Calls("listSkills", "/agents/agt_0001/skills"),
    ),
    ask(
        "tell me about the book a tasting skill",
        Calls("listSkills", "/agents/agt_0004/skills"),
    ),
    // ---- Adding a skill
    ask(
        "Add an order-lookup skill to Support Bot",
        Changes(
            "createSkill",
            "/agents/agt_0001/skills",
            "name",
            "\"Order lookup\"",
        ),
    ),
    ask(
        "give Sales Assistant a skill that books tastings",
        Changes(
            "createSkill",
            "/agents/agt_0002/skills",
            "skillType",
            "\"calendar\"",
        ),
    ),
    ask(
        "add a skill to Support Bot that cancels orders",
        Changes(
            "createSkill",
            "/agents/agt_0001/skills",
            "name",
            "\"Cancels orders\"",
        ),
    ),
    ask(
        "create a refund skill for after hours line",
        Changes(
            "createSkill",
            "/agents/agt_0003/skills",
            "name",
            "\"Refund\"",
        ),
    ),
    on(
        "agt_0002",
        "Add an order-lookup skill",
        Changes(
            "createSkill",
            "/agents/agt_0002/skills",
            "name",
            "\"Order lookup\"",
        ),
    ),
    ask(
        "add a skill called \"Gift cards\" to wholesale intake",
        Changes(
            "createSkill",
            "/agents/agt_0004/skills",
            "name",
            "\"Gift cards\"",
        ),
    ),
    ask("add an order-lookup skill", Asks(AGENTS)),
    // ---- Switching skills off
    ask(
        "Disable the Send SMS receipt skill on Support Bot",
        Changes("updateSkill", "/skills/skl_0003", "isEnabled", "false"),
    ),
    ask(
        "shut off the SMS receipt skill for Support Bot",
        Changes("updateSkill", "/skills/skl_0003", "isEnabled", "false"),
    ),
    ask(
        "turn off sms receipts",
        Changes("updateSkill", "/skills/skl_0003", "isEnabled", "false"),
    ),
    ask(
        "deactivate the track shipment skill",
        Changes("updateSkill", "/skills/skl_0001", "isEnabled", "false"),
    ),
    ask(
        "switch the transfer to a human skill off",
        Changes("updateSkill", "/skills/skl_0002", "isEnabled", "false"),
    ),
    ask(
        "pause Book a tasting",
        Changes("updateSkill", "/skills/skl_0007", "isEnabled", "false"),
    ),
    ask(
        "dissable the subscription skill",
        Changes("updateSkill", "/skills/skl_0005", "isEnabled", "false"),
    ),
    ask("disable the skill on Support Bot", Asks(SUPPORT_SKILLS)),
    // ---- Switching skills on
    ask("enable the SMS receipt skill", Says("is already enabled")),
    after(
        "disable the take a message skill",
        "turn the take a message skill back on",
        Changes("updateSkill", "/skills/skl_0006", "isEnabled", "true"),
    ),
    after(
        "disable track shipment",
        "re-enable Track shipment",
        Changes("updateSkill", "/skills/skl_0001", "isEnabled", "true"),
    ),
    after(
        "turn off sms receipt",
        "switch sms receipt back on for support bot",
        Changes("updateSkill", "/skills/skl_0003", "isEnabled", "true"),
    ),
    // ---- Asking the caller first
    ask(
        "require confirmation for the Track shipment skill",
        Changes(
            "updateSkill",
            "/skills/skl_0001",
            "requiresConfirmation",
            "true",
        ),
    ),
    ask(
        "make the transfer skill ask the caller first",
        Changes(
            "updateSkill",
            "/skills/skl_0002",
            "requiresConfirmation",
            "true",
        ),
    ),
    ask(
        "stop asking callers to confirm the SMS receipt",
        Changes(
            "updateSkill",
            "/skills/skl_0003",
            "requiresConfirmation",
            "false",
        ),
    ),
    ask(
        "don't require confirmation for Book a tasting",
        Changes(
            "updateSkill",
            "/skills/skl_0007",
            "requiresConfirmation",
            "false",
        ),
    ),
    ask(
        "no confirmation needed for the subscription skill",
        Changes(
            "updateSkill",
            "/skills/skl_0005",
            "requiresConfirmation",
            "false",
        ),
    ),
    ask(
        "change the description of the track shipment skill to \"Finds a parcel by order number.\"",
        Changes(
            "updateSkill",
            "/skills/skl_0001",
            "description",
            "\"Finds a parcel by order number.\"",
        ),
    ),
    // ---- Removing a skill (held)
    ask(
        "Remove the Track shipment skill from Support Bot",
        Holds("deleteSkill", "/agents/agt_0001/skills/skl_0001"),
    ),
    ask(
        "drop the Track shipment skill from Support Bot",
        Holds("deleteSkill", "/agents/agt_0001/skills/skl_0001"),
    ),
    ask(
        "delete Support Bot's SMS receipt skill",
        Holds("deleteSkill", "/agents/agt_0001/skills/skl_0003"),
    ),
    ask(
        "get rid of the product recommendations skill",
        Holds("deleteSkill", "/agents/agt_0002/skills/skl_0004"),
    ),
    ask(
        "remove the tasting skill from Support Bot",
        Asks(&["Book a tasting", "Wholesale Intake"]),
    ),
    ask(
        "remove the skill",
        Asks(&[
            "Track shipment",
            "Product recommendations",
            "Book a tasting",
        ]),
    ),
    // ---- Knowledge
    ask(
        "Add https://northwind-coffee.example/returns to Support Bot's knowledge",
        Changes(
            "createKnowledgeSource",
            "/agents/agt_0001/knowledge/sources",
            "url",
            "\"https://northwind-coffee.example/returns\"",
        ),
    ),
    ask(
        "teach Sales Assistant https://northwind-coffee.example/origins",
        Changes(
            "createKnowledgeSource",
            "/agents/agt_0002/knowledge/sources",
            "label",
            "\"Origins\"",
        ),
    ),
    ask(
        "index https://northwind-coffee.example/wholesale for wholesale intake",
        Changes(
            "createKnowledgeSource",
            "/agents/agt_0004/knowledge/sources",
            "kind",
            "\"url\"",
        ),
    ),
    ask(
        "https://northwind-coffee.example/holidays for the after hours line",
        Changes(
            "createKnowledgeSource",
            "/agents/agt_0003/knowledge/sources",
            "kind",
            "\"url\"",
        ),
    ),
    ask(
        "add a page to Support Bot's knowledge",
        Asks(&["Which page"]),
    ),
    ask(
        "list Sales Assistant's knowledge sources",
        Calls("listKnowledgeSources", "/agents/agt_0002/knowledge"),
    ),
    ask(
        "which pages are still pending?",
        Calls("listKnowledgeSources", "/agents/agt_0001/knowledge"),
    ),
    ask(
        "remove the Brewing guides source",
        Asks(&["knowledge", "add a page"]),
    ),
    // ---- Numbers
    ask("List my numbers", Calls("listNumbers", "/numbers")),
    ask(
        "what phone numbers do I have?",
        Calls("listNumbers", "/numbers"),
    ),
    ask("show numbers", Calls("listNumbers", "/numbers")),
    ask("who answers 4421?", Calls("listNumbers", "/numbers")),
    ask(
        "do I have a spare number?",
        Calls("listNumbers", "/numbers"),
    ),
    ask(
        "Assign the number ending 7730 to Wholesale Intake",
        Changes(
            "assignNumber",
            "/numbers/num_0004/assign",
            "agentId",
            "\"agt_0004\"",
        ),
    ),
    ask(
        "point 7730 at Wholesale Intake",
        Changes(
            "assignNumber",
            "/numbers/num_0004/assign",
            "agentId",
            "\"agt_0004\"",
        ),
    ),
    ask(
        "route the spare number to wholesale",
        Changes(
            "assignNumber",
            "/numbers/num_0004/assign",
            "agentId",
            "\"agt_0004\"",
        ),
    ),
    ask(
        "give Wholesale Intake the unassigned number",
        Changes(
            "assignNumber",
            "/numbers/num_0004/assign",
            "agentId",
            "\"agt_0004\"",
        ),
    ),
    ask(
        "move Support Bot's number to Sales Assistant",
        Changes(
            "assignNumber",
            "/numbers/num_0001/assign",
            "agentId",
            "\"agt_0002\"",
        ),
    ),
    ask(
        "connect +1 (628) 555-7730 to the after hours line",
        Changes(
            "assignNumber",
            "/numbers/num_0004/assign",
            "agentId",
            "\"agt_0003\"",
        ),
    ),
    ask(
        "asign 7730 to wholesale intake",
        Changes(
            "assignNumber",
            "/numbers/num_0004/assign",
            "agentId",
            "\"agt_0004\"",
        ),
    ),
    ask("point the number at Wholesale Intake", Asks(ALL_NUMBERS)),
    ask(
        "assign 4412 to Sales Assistant",
        Asks(&["Did you mean", "4421"]),
    ),
    ask(
        "Unassign the number ending 0188",
        Holds("unassignNumber", "/numbers/num_0002/assign"),
    ),
    ask(
        "remove the number ending 0188 from Sales Assistant",
        Holds("unassignNumber", "/numbers/num_0002/assign"),
    ),
    ask(
        "detach 0188",
        Holds("unassignNumber", "/numbers/num_0002/assign"),
    ),
    ask(
        "unassign Sales Assistant's number",
        Holds("unassignNumber", "/numbers/num_0002/assign"),
    ),
    ask(
        "take 0188 off the sales assistant",
        Holds("unassignNumber", "/numbers/num_0002/assign"),
    ),
    ask(
        "unassign the toll-free number",
        Holds("unassignNumber", "/numbers/num_0003/assign"),
    ),
    ask("unassign 7730", Says("isn't assigned to any agent")),
    ask(
        "Release the number ending 4421",
        Holds("releaseNumber", "/numbers/num_0001"),
    ),
    ask("release 4421", Holds("releaseNumber", "/numbers/num_0001")),
    ask(
        "release the number ending 7730",
        Holds("releaseNumber", "/numbers/num_0004"),
    ),
    ask(
        "give back the number ending 7730",
        Holds("releaseNumber", "/numbers/num_0004"),
    ),
    ask(
        "cancel the toll free number",
        Holds("releaseNumber", "/numbers/num_0003"),
    ),
    ask(
        "relase the numbr ending 4421",
        Holds("releaseNumber", "/numbers/num_0001"),
    ),
    ask(
        "delete the spare number",
        Holds("releaseNumber", "/numbers/num_0004"),
    ),
    ask("release a number", Asks(ALL_NUMBERS)),
    // ---- Publishable keys
    ask(
        "List my publishable keys",
        Calls("listPublishableKeys", "/publishable-keys"),
    ),
    ask(
        "what widget keys do we have?",
        Calls("listPublishableKeys", "/publishable-keys"),
    ),
    ask(
        "show keys",
        Calls("listPublishableKeys", "/publishable-keys"),
    ),
    ask(
        "Revoke the Staging widget key",
        Holds(
            "revokePublishableKey",
            "/agents/agt_0001/publishable-keys/pk_0002",
        ),
    ),
    ask(
        "kill the staging widget key",
        Holds(
            "revokePublishableKey",
            "/agents/agt_0001/publishable-keys/pk_0002",
        ),
    ),
    ask(
        "revoke the staging key",
        Holds(
            "revokePublishableKey",
            "/agents/agt_0001/publishable-keys/pk_0002",
        ),
    ),
    ask(
        "revok the staging widget",
        Holds(
            "revokePublishableKey",
            "/agents/agt_0001/publishable-keys/pk_0002",
        ),
    ),
    ask(
        "disable the shop chat key",
        Holds(
            "revokePublishableKey",
            "/agents/agt_0002/publishable-keys/pk_0003",
        ),
    ),
    ask(
        "delete the key flowyte_pk_live_7f3a9c2e41d8b605",
        Holds(
            "revokePublishableKey",
            "/agents/agt_0001/publishable-keys/pk_0001",
        ),
    ),
    ask(
        "revoke Sales Assistant's key",
        Holds(
            "revokePublishableKey",
            "/agents/agt_0002/publishable-keys/pk_0003",
        ),
    ),
    ask(
        "revoke the widget key",
        Asks(&["Website widget", "Staging widget"]),
    ),
    ask(
        "revoke Support Bot's key",
        Asks(&["Website widget", "Staging widget"]),
    ),
    // ---- Calls
    ask(
        "Which calls failed yesterday?",
        Calls("listConversations", "outcome=error"),
    ),
    ask(
        "any failed calls today?",
        Calls("listConversations", "outcome=error"),
    ),
    ask(
        "did any calls fail yesterday?",
        Calls("listConversations", "outcome=error"),
    ),
    ask(
        "show transferred calls for Support Bot this week",
        Calls("listConversations", "outcome=transferred&agentId=agt_0001"),
    ),
    ask(
        "Summarise recent calls for Sales Assistant",
        Calls("listConversations", "agentId=agt_0002"),
    ),
    ask(
        "how many calls were abandoned this week",
        Calls("listConversations", "outcome=abandoned"),
    ),
    ask(
        "why did calls fail yesterday?",
        Calls("listConversations", "outcome=error"),
    ),
    ask(
        "what went wrong yesterday?",
        Calls("listConversations", "outcome=error"),
    ),
    ask(
        "why were calls transferred this week?",
        Calls("listConversations", "outcome=transferred"),
    ),
    ask(
        "what caused the failures this week",
        Calls("listConversations", "outcome=error"),
    ),
    // ---- Talking
    ask("Help", Says("Here's what I can do")),
    ask("what can you do?", Says("Here's what I can do")),
    ask("hello", Says("Hello!")),
    ask("hi there", Says("Hello!")),
    ask("good morning", Says("Hello!")),
    ask("thanks!", Says("Glad to help")),
    ask("yes", Says("use **Approve** on its card")),
    ask("no", Says("I won't")),
    // ---- Asking how, or what would happen, is explained and never carried out
    ask("how do I release a number?", Says("approve it on the card")),
    ask(
        "what happens if I delete Support Bot?",
        Says("*Delete the Wholesale Intake agent*"),
    ),
    ask(
        "should I publish Support Bot?",
        Says("*Publish Support Bot*"),
    ),
    ask(
        "show me how to disable the SMS skill",
        Says("say for example *Disable"),
    ),
    ask("never mind", Says("I won't")),
    ask("make me a sandwich", Says("Say *help*")),
    ask("order me a pizza", Says("Say *help*")),
    // ---- Two agents share a word: the copilot asks
    after(
        "create an agent called “Support Desk”",
        "describe support",
        Asks(&["Support Bot", "Support Desk"]),
    ),
];

fn all_scopes() -> Scopes {
    Scopes(ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect())
}

fn run(account: &mut Account, scopes: &Scopes, page: Option<&str>, message: &str) -> Answer {
    respond(
        account,
        scopes,
        &Request {
            message,
            agent_id: page,
        },
        NOW,
    )
}

/// Why `row` failed, or `None`.
fn check(row: &Row) -> Option<String> {
    let mut account = Account::seeded(NOW);
    if let Some(before) = row.before {
        run(&mut account, &all_scopes(), row.page, before);
    }
    let start = account.clone();
    let answer = run(&mut account, &all_scopes(), row.page, row.message);
    let calls: Vec<String> = answer
        .tool_calls
        .iter()
        .map(|t| format!("{} {}", t.call.operation_id, t.call.path))
        .collect();
    let held: Vec<String> = answer
        .confirmations
        .iter()
        .map(|c| format!("{} {}", c.name().unwrap_or(""), c.path().unwrap_or("")))
        .collect();
    let mutations = answer.mutations();
    let unchanged = account == start && mutations.is_empty();
    let ok = match &row.expect {
        Calls(op, path) => {
            answer
                .tool_calls
                .iter()
                .any(|t| t.ok && t.call.operation_id == *op && t.call.path.contains(path))
                && held.is_empty()
        }
        Changes(op, path, field, value) => mutations.iter().any(|m| {
            m.operation_id.as_deref() == Some(*op)
                && m.path.contains(path)
                && m.body
                    .as_ref()
                    .and_then(|b| b.get(*field))
                    .is_some_and(|v| {
                        serde_json::from_str::<serde_json::Value>(value)
                            .ok()
                            .as_ref()
                            == Some(v)
                    })
        }),
        Holds(name, path) => {
            unchanged
                && answer.confirmations.len() == 1
                && answer.confirmations[0].name() == Some(*name)
                && answer.confirmations[0]
                    .path()
                    .is_some_and(|p| p.contains(path))
        }
        Asks(names) => {
            unchanged
                && held.is_empty()
                && answer.tool_calls.is_empty()
                && answer.reply.contains('?')
                && names.iter().all(|n| answer.reply.contains(n))
        }
        Says(text) => unchanged && held.is_empty() && answer.reply.contains(text),
    };
    (!ok).then(|| {
        format!(
            "{:?} (page {:?}) should be {:?}\n  called {calls:?}\n  held {held:?}\n  changed: {}\n  \
             replied: {}",
            row.message,
            row.page,
            row.expect,
            !unchanged,
            answer.reply.replace('\n', "\n           ")
        )
    })
}

#[test]
fn every_phrasing_does_what_it_says() {
    assert!(ROWS.len() >= 100, "only {} rows", ROWS.len());
    let failures: Vec<String> = ROWS.iter().filter_map(check).collect();
    assert!(
        failures.is_empty(),
        "{} of {} phrasings went wrong:\n\n{}",
        failures.len(),
        ROWS.len(),
        failures.join("\n\n")
    );
}

/// The table covers every kind of answer, and the questions it asks are questions.
#[test]
fn the_table_asks_as_well_as_acts() {
    let count = |f: fn(&Expect) -> bool| ROWS.iter().filter(|r| f(&r.expect)).count();
    assert!(count(|e| matches!(e, Asks(_))) >= 10);
    assert!(count(|e| matches!(e, Holds(..))) >= 25);
    assert!(count(|e| matches!(e, Changes(..))) >= 30);
}

/// Without write scopes no phrasing changes the account or asks for an approval it could
/// not act on.
#[test]
fn no_phrasing_gets_around_a_missing_scope() {
    let read_only = Scopes(
        ALL_SCOPES
            .iter()
            .filter(|s| s.ends_with(":read"))
            .map(|s| (*s).to_owned())
            .collect(),
    );
    for row in ROWS {
        let mut account = Account::seeded(NOW);
        let start = account.clone();
        let answer = run(&mut account, &read_only, row.page, row.message);
        assert_eq!(account, start, "{} changed the account", row.message);
        assert!(answer.mutations().is_empty(), "{}", row.message);
        assert!(answer.confirmations.is_empty(), "{} held", row.message);
    }
}

/// The same message on the same account gets the same answer, word for word.
#[test]
fn answers_are_deterministic() {
    for row in ROWS.iter().step_by(7) {
        let answers: Vec<Answer> = (0..2)
            .map(|_| {
                run(
                    &mut Account::seeded(NOW),
                    &all_scopes(),
                    row.page,
                    row.message,
                )
            })
            .collect();
        assert_eq!(answers[0], answers[1], "{}", row.message);
    }
}
