use super::*;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-28 15:00 UTC);

fn all() -> Scopes {
    Scopes(
        crate::ops::ALL_SCOPES
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    )
}

fn ask(account: &mut Account, message: &str) -> Answer {
    respond(
        account,
        &all(),
        &Request {
            message,
            agent_id: None,
        },
        NOW,
    )
}

#[test]
fn every_documented_example_is_understood() {
    for (example, _) in EXAMPLES {
        let mut account = Account::seeded(NOW);
        let turn = ask(&mut account, example);
        assert!(
            !turn.reply.starts_with("I'm not sure") && !turn.reply.starts_with("Which"),
            "{example}: {}",
            turn.reply
        );
        assert!(
            !turn.tool_calls.is_empty() || !turn.confirmations.is_empty(),
            "{example} called nothing: {}",
            turn.reply
        );
    }
}

#[test]
fn an_order_lookup_skill_is_a_read_with_an_order_number() {
    let mut account = Account::seeded(NOW);
    let turn = ask(&mut account, "add an order-lookup skill to Support Bot");
    let mutations = turn.mutations();
    assert_eq!(mutations.len(), 1);
    let body = mutations[0].body.as_ref().unwrap();
    assert_eq!(body["name"], "Order lookup");
    assert_eq!(body["skillType"], "native_rest");
    assert_eq!(body["parametersSchema"]["required"][0], "orderNumber");
    assert_eq!(mutations[0].path, "/agents/agt_0001/skills");
    assert!(turn.reply.contains("```json"));
    assert!(account.skills.iter().any(|s| s.name == "Order lookup"));
}

#[test]
fn destructive_requests_change_nothing_until_confirmed() {
    for message in [
        "release the number ending 4421",
        "unassign the number ending 0188",
        "revoke the Staging widget key",
        "publish Support Bot",
        "roll back Support Bot",
        "delete the Wholesale Intake agent",
        "remove the Track shipment skill from Support Bot",
    ] {
        let mut account = Account::seeded(NOW);
        let before = account.clone();
        let turn = ask(&mut account, message);
        assert_eq!(account, before, "{message} changed the account");
        assert_eq!(turn.confirmations.len(), 1, "{message}: {}", turn.reply);
        assert!(turn.mutations().is_empty());
    }
}

#[test]
fn yesterdays_failed_calls_are_a_table() {
    let mut account = Account::seeded(NOW);
    let turn = ask(&mut account, "which calls failed yesterday?");
    assert!(
        turn.reply
            .starts_with("**2 failed conversations yesterday** (of 8 in all)"),
        "{}",
        turn.reply
    );
    assert_eq!(turn.reply.matches("| error |").count(), 2);
    assert!(turn.tool_calls[0].call.path.contains("outcome=error"));
}

#[test]
fn a_key_without_the_scope_gets_an_explanation_and_no_change() {
    let mut account = Account::seeded(NOW);
    let before = account.clone();
    let mut scopes = all();
    scopes.0.remove("numbers:write");
    let assign = respond(
        &mut account,
        &scopes,
        &Request {
            message: "assign the number ending 7730 to Sales Assistant",
            agent_id: None,
        },
        NOW,
    );
    assert!(assign.reply.contains("`numbers:write`"), "{}", assign.reply);
    assert!(!assign.tool_calls[0].ok);
    let release = respond(
        &mut account,
        &scopes,
        &Request {
            message: "release the number ending 4421",
            agent_id: None,
        },
        NOW,
    );
    assert!(release.confirmations.is_empty());
    assert_eq!(account, before);
}

#[test]
fn a_pipe_in_a_name_does_not_break_a_table() {
    let mut account = Account::seeded(NOW);
    ask(&mut account, "create an agent called \"Front | Back\"");
    let reply = ask(&mut account, "list my agents").reply;
    let row = reply.lines().find(|l| l.contains("Front")).unwrap();
    assert_eq!(row, "| Front \\| Back | draft | voice, chat | – | 0 |");
    // Every row has as many cells as the header.
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    let header = reply.lines().find(|l| l.starts_with("| Agent")).unwrap();
    for line in reply.lines().filter(|l| l.starts_with('|')) {
        assert_eq!(cells(line), cells(header), "{line}");
    }
}

#[test]
fn unknown_requests_get_the_closest_requests_only() {
    let mut account = Account::seeded(NOW);
    let turn = ask(&mut account, "make me a sandwich");
    assert!(turn.reply.contains("List my agents"), "{}", turn.reply);
    assert!(!turn.reply.contains("Release the number"), "{}", turn.reply);
    assert!(turn.tool_calls.is_empty());
    // The closest are the requests sharing its words.
    let turn = ask(&mut account, "numbers please, the list");
    assert!(
        turn.reply.starts_with("You have **4 numbers**"),
        "{}",
        turn.reply
    );
    let turn = ask(&mut account, "roll the dice");
    assert!(
        turn.reply.contains("*Roll back Support Bot*"),
        "{}",
        turn.reply
    );
}

#[test]
fn the_page_agent_is_the_default() {
    let mut account = Account::seeded(NOW);
    let turn = respond(
        &mut account,
        &all(),
        &Request {
            message: "publish it",
            agent_id: Some("agt_0003"),
        },
        NOW,
    );
    assert_eq!(
        turn.confirmations[0].path(),
        Some("/agents/agt_0003/publish")
    );
}

#[test]
fn names_and_values_come_from_quotes_or_the_sentence() {
    let mut account = Account::seeded(NOW);
    ask(
        &mut account,
        "Create a chat agent called Front Desk for the café",
    );
    let agent = account.agents.last().unwrap();
    assert_eq!(agent.name, "Front Desk");
    assert_eq!(agent.enabled_channels, ["chat"]);
    ask(&mut account, "rename Front Desk to “Counter”");
    assert_eq!(account.agents.last().unwrap().name, "Counter");
    ask(
        &mut account,
        "set the greeting of Counter to \"Welcome in!\"",
    );
    assert_eq!(account.agents.last().unwrap().greeting, "Welcome in!");
}
