//! Truthful turns: a reply that broke off after the copilot had the request keeps what
//! arrived, says the copilot may have acted, reads the thread and shows what the server
//! recorded; Retry of a turn that applied changes asks first; an approval whose answer broke
//! off settles from the thread (or says it is in doubt, with no plain Retry); one approved
//! elsewhere says who and when; and none of it leaves an unhandled rejection in the page.

use serde_json::{Value, json};
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlTextAreaElement};

use crate::support::*;

const SKILL: &str = r#"{"method":"POST","path":"/agents/agt_0001/skills","operationId":"createSkill","summary":"Added the skill “Order lookup” to Support Bot"}"#;
const PROMPT: &str = r#"{"method":"PATCH","path":"/agents/agt_0001","operationId":"updateAgent","summary":"Updated Support Bot’s prompt"}"#;
const ITEM: &str = r#"{"name":"releaseNumber","method":"DELETE","path":"/numbers/num_0001","summary":"Release +1 415 555 4421","args":{"numberId":"num_0001"}}"#;
const RELEASED: &str = r#"{"method":"DELETE","path":"/numbers/num_0001","operationId":"releaseNumber","summary":"Released +1 415 555 4421"}"#;

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn first_turn() -> Answer {
    Answer::stream("event:done\ndata:{\"reply\":\"Hi.\",\"threadId\":\"thr_t\"}\n\n")
}

/// The thread `thr_t` as the server recorded it: "hello", then `asked` and its answer.
fn thread(asked: &str, answer: Value, open: Vec<Value>) -> Answer {
    let body = json!({
        "thread": {"id": "thr_t"},
        "messages": [
            {"role": "user", "content": "hello"},
            {"role": "assistant", "content": "Hi."},
            {"role": "user", "content": asked},
            answer,
        ],
        "pendingConfirmations": open,
    });
    Answer::json(200, body.to_string())
}

/// A panel that said "hello" in `thr_t` and then asked `asked`, answered by `answers` in
/// order; the thread records `asked` as answered by `recorded`.
async fn after_hello(
    asked: &str,
    recorded: Value,
    answers: Vec<Answer>,
) -> (Installed, web_sys::HtmlElement) {
    let gateway = Gateway::new()
        .latency(20)
        .on(
            Route::path("/assist/threads/thr_t$"),
            thread(asked, recorded, vec![]),
        )
        .then(first_turn());
    let installed = answers.into_iter().fold(gateway, Gateway::then).install();
    let host = mount_panel().await;
    ask(&host, "hello").await;
    until_shown("the first turn", &host, ".turn[data-phase=done]").await;
    ask(&host, asked).await;
    (installed, host)
}

fn posts() -> Vec<Value> {
    assist_requests()
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect()
}

#[wasm_bindgen_test]
async fn a_reply_that_broke_off_keeps_its_change_and_shows_the_one_the_server_recorded() {
    let asked = "add an order-lookup skill to Support Bot and update its prompt";
    let recorded = json!({"role": "assistant", "content": "Added the skill and updated the prompt.",
                          "mutations": [parsed(SKILL), parsed(PROMPT)]});
    // The skill's frame arrives, then the connection breaks before the prompt's.
    let cut = Answer::chunks(vec![
        format!("event:mutation\ndata:{SKILL}\n\n"),
        "event:delta\ndata:{\"text\":\"Adding\"}\n\n".into(),
    ])
    .broken();
    let (_gateway, host) = after_hello(asked, recorded, vec![cut]).await;
    until_shown("the cut turn", &host, ".turn[data-phase=interrupted]").await;
    let error = texts(&host, ".turn[data-phase=interrupted] .turn-error").join(" ");
    assert!(error.contains("The reply broke off"), "{error}");
    assert!(error.contains("may have carried out part of it"), "{error}");
    assert!(!error.contains("send again"), "{error}");
    let message: HtmlTextAreaElement = find(&host, "textarea[aria-label=Message]");
    assert_eq!(
        message.value(),
        "",
        "the message stays sent, not back in the box"
    );
    until_shown("the check", &host, ".turn-check[data-check=recorded]").await;
    assert_eq!(
        texts(&host, ".turn[data-phase=interrupted] .plan-summary"),
        [
            "Added the skill “Order lookup” to Support Bot",
            "Updated Support Bot’s prompt"
        ]
    );
    assert_eq!(
        texts(&host, ".turn[data-phase=interrupted] .plan-recorded"),
        ["recorded by the server"],
        "only the change the stream never showed is marked"
    );
    // Retry asks first, naming what it already did; "Don't send" sends nothing.
    find::<HtmlButtonElement>(&host, "button.retry-turn").click();
    until_shown("the question", &host, ".retry-confirm").await;
    let question = texts(&host, ".retry-confirm p").join("");
    assert!(
        question.starts_with("This request already applied 2 changes (1 created, 1 updated)"),
        "{question}"
    );
    assert!(
        question.contains("Added the skill “Order lookup”"),
        "{question}"
    );
    find::<HtmlButtonElement>(&host, "button.retry-keep").click();
    pause(200).await;
    assert_eq!(posts().len(), 2, "nothing was sent again");
    assert!(
        unhandled_rejections().is_empty(),
        "{:?}",
        unhandled_rejections()
    );
}

#[wasm_bindgen_test]
async fn a_first_turn_that_broke_off_says_where_to_check_and_retry_asks() {
    let _gateway = Gateway::new()
        .latency(20)
        .then(Answer::chunks(vec!["event:delta\ndata:{\"text\":\"Adding\"}\n\n".into()]).broken())
        .then(first_turn())
        .install();
    let host = mount_panel().await;
    ask(&host, "add an order-lookup skill to Support Bot").await;
    until_shown(
        "the unknown thread",
        &host,
        ".turn-check[data-check=thread-unknown]",
    )
    .await;
    let check = texts(&host, ".turn-check").join("");
    assert!(check.contains("Changes may have been applied"), "{check}");
    assert!(check.contains("in the dashboard"), "{check}");
    assert!(
        assist_requests()
            .iter()
            .all(|r| !r["url"].as_str().unwrap().contains("/threads/")),
        "no thread to read"
    );
    find::<HtmlButtonElement>(&host, "button.retry-turn").click();
    until_shown("the question", &host, ".retry-confirm").await;
    find::<HtmlButtonElement>(&host, "button.retry-again").click();
    until_shown("the retried turn", &host, ".turn[data-phase=done]").await;
    assert_eq!(posts().len(), 2, "sent again once, when the person said so");
}

#[wasm_bindgen_test]
async fn a_turn_that_broke_off_having_applied_nothing_retries_at_once() {
    let asked = "list my agents";
    let recorded = json!({"role": "assistant", "content": "You have 4 agents."});
    let answers = vec![
        Answer::chunks(vec!["event:delta\ndata:{\"text\":\"You\"}\n\n".into()]).broken(),
        Answer::stream(
            "event:done\ndata:{\"reply\":\"You have 4 agents.\",\"threadId\":\"thr_t\"}\n\n",
        ),
    ];
    let (_gateway, host) = after_hello(asked, recorded, answers).await;
    until_shown("the check", &host, ".turn-check[data-check=recorded]").await;
    find::<HtmlButtonElement>(&host, "button.retry-turn").click();
    until("the retried turn", || {
        texts(&host, ".turn[data-phase=done]").len() == 2
    })
    .await;
    assert!(host.query_selector(".retry-confirm").unwrap().is_none());
}

/// A panel whose second turn proposed releasing the number; `after` answer the next POSTs.
async fn proposed(gateway: Gateway, after: Vec<Answer>) -> (Installed, web_sys::HtmlElement) {
    let proposal = format!(
        "event:confirmation\ndata:{ITEM}\n\nevent:done\ndata:{{\"reply\":\"Approve it below.\",\"threadId\":\"thr_t\",\"pendingConfirmations\":[{ITEM}]}}\n\n"
    );
    let installed = after
        .into_iter()
        .fold(
            gateway.then(first_turn()).then(Answer::stream(proposal)),
            Gateway::then,
        )
        .install();
    let host = mount_panel().await;
    ask(&host, "hello").await;
    until_shown("the first turn", &host, ".turn[data-phase=done]").await;
    ask(&host, "release the number ending 4421").await;
    until_shown(
        "the card",
        &host,
        ".approval-card[data-state=pending] button.approve",
    )
    .await;
    (installed, host)
}

fn released_thread() -> Answer {
    thread(
        "release the number ending 4421",
        json!({"role": "assistant", "content": "Released.", "mutations": [parsed(RELEASED)]}),
        vec![],
    )
}

#[wasm_bindgen_test]
async fn an_approval_whose_answer_broke_off_settles_from_the_thread() {
    let (_gateway, host) = proposed(
        Gateway::new()
            .latency(20)
            .on(Route::path("/assist/threads/thr_t$"), released_thread()),
        vec![
            Answer::chunks(vec![
                "event:delta\ndata:{\"text\":\"Releasing\"}\n\n".into(),
            ])
            .broken(),
        ],
    )
    .await;
    find::<HtmlButtonElement>(&host, ".approval-card button.approve").click();
    until_shown(
        "the settled card",
        &host,
        ".approval-card[data-state=approved]",
    )
    .await;
    let status = texts(&host, ".approval-card .approval-status").join("");
    assert!(status.contains("recorded it as carried out"), "{status}");
    assert!(
        host.query_selector(".approval-card button.retry")
            .unwrap()
            .is_none()
    );
    // The release the stream never showed is in the plan, marked.
    until("the recorded change", || {
        texts(&host, ".turn .plan-recorded").len() == 1
    })
    .await;
    let confirmed = posts()
        .iter()
        .filter(|r| r["body"]["confirmed"].is_array())
        .count();
    assert_eq!(confirmed, 1, "approved once");
    assert!(
        unhandled_rejections().is_empty(),
        "{:?}",
        unhandled_rejections()
    );
}

#[wasm_bindgen_test]
async fn an_approval_in_doubt_offers_a_new_look_never_a_plain_retry() {
    let in_doubt = r#"{"status":409,"title":"Outcome unknown","code":"confirmation_in_doubt","detail":"Ana Approver approved this on 2026-12-01 at 13:05 UTC, and the answer broke off."}"#;
    let unreadable = r#"{"status":503,"title":"Unavailable"}"#;
    let mut gateway = Gateway::new().latency(20);
    // The thread cannot be read for the first check's tries; then it can.
    for _ in 0..4 {
        gateway = gateway.then_on(
            Route::path("/assist/threads/thr_t$"),
            Answer::problem(503, unreadable),
        );
    }
    let gateway = gateway.on(Route::path("/assist/threads/thr_t$"), released_thread());
    let (_gateway, host) = proposed(gateway, vec![Answer::problem(409, in_doubt)]).await;
    find::<HtmlButtonElement>(&host, ".approval-card button.approve").click();
    until_shown("checking", &host, ".approval-card[data-state=checking]").await;
    // Four tries over 3.5 s.
    pause(3_000).await;
    until_shown("in doubt", &host, ".approval-card[data-state=in-doubt]").await;
    let status = texts(&host, ".approval-card .approval-status").join("");
    assert!(status.starts_with("Outcome unknown:"), "{status}");
    assert!(
        host.query_selector(".approval-card button.retry")
            .unwrap()
            .is_none()
    );
    assert!(
        host.query_selector(".approval-card button.approve")
            .unwrap()
            .is_none()
    );
    find::<HtmlButtonElement>(&host, ".approval-card button.check-again").click();
    until_shown("carried out", &host, ".approval-card[data-state=approved]").await;
}

#[wasm_bindgen_test]
async fn an_approval_made_elsewhere_says_who_and_when() {
    let already = r#"{"status":409,"title":"Already approved","code":"already_confirmed","detail":"Ana Approver (ana@northwind.example) approved this on 2026-12-01 at 13:05 UTC."}"#;
    let (_gateway, host) = proposed(
        Gateway::new()
            .latency(20)
            .on(Route::path("/assist/threads/thr_t$"), released_thread()),
        vec![Answer::problem(409, already)],
    )
    .await;
    find::<HtmlButtonElement>(&host, ".approval-card button.approve").click();
    until_shown(
        "approved elsewhere",
        &host,
        ".approval-card[data-state=approved-elsewhere]",
    )
    .await;
    let status = texts(&host, ".approval-card .approval-status").join("");
    assert_eq!(
        status,
        "Already approved elsewhere: Ana Approver (ana@northwind.example) approved this on 2026-12-01 at 13:05 UTC."
    );
    // The release the other tab made joins this panel's plan, marked as the server's record.
    until("the recorded change", || {
        texts(&host, ".turn .plan-recorded").len() == 1
    })
    .await;
}

#[wasm_bindgen_test]
async fn stop_and_a_broken_stream_leave_no_unhandled_rejection() {
    let _gateway = Gateway::new()
        .then(Answer::stream("event:delta\ndata:{\"text\":\"Working\"}\n\n").left_open())
        .then(Answer::chunks(vec!["event:delta\ndata:{\"text\":\"Half\"}\n\n".into()]).broken())
        .install();
    let host = mount_panel().await;
    ask(&host, "list my agents").await;
    until_shown("streaming", &host, ".turn[data-phase=streaming]").await;
    pause(600).await;
    find::<HtmlButtonElement>(&host, ".copilot-composer button[type=button]").click();
    until_shown("stopped", &host, ".turn[data-phase=stopped]").await;
    ask(&host, "list my numbers").await;
    until_shown("cut", &host, ".turn[data-phase=interrupted]").await;
    pause(300).await;
    assert!(
        unhandled_rejections().is_empty(),
        "{:?}",
        unhandled_rejections()
    );
}
