//! The panel in German, through every state: empty (suggestions), streaming, done, the plan
//! sheet, the account line, the composer over its limit, failed (a known refusal and an
//! unknown one), a reply that broke off and each thread check, Retry's question, and the
//! approval cards pending, approving, approved, approved elsewhere, in doubt, failed,
//! rejected and stale. At each step every text, accessible name, placeholder and title of the
//! panel is collected, and none may be English. The fake gateway's content (replies,
//! summaries, steps, server details) is German too, so nothing is left out but the API's own
//! names (`code`, operation ids).
//!
//! Also: how a panel's language is chosen (option, the element's `lang`, the page's).

use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlElement, HtmlTextAreaElement};

use crate::support::*;

/// English words that the German panel must not show (whole words, any case). Words both
/// languages share (Copilot, Server, Panel, Dashboard, Agent, Skills, was, in, an, am) are not here.
const ENGLISH: &[&str] = &[
    "the",
    "and",
    "of",
    "to",
    "is",
    "are",
    "you",
    "your",
    "request",
    "reply",
    "approve",
    "approved",
    "approval",
    "approvals",
    "change",
    "changes",
    "applied",
    "working",
    "send",
    "stop",
    "stopped",
    "retry",
    "sign",
    "signed",
    "failed",
    "checking",
    "recorded",
    "conversation",
    "message",
    "details",
    "reject",
    "rejected",
    "copy",
    "copied",
    "close",
    "show",
    "more",
    "less",
    "new",
    "recent",
    "waiting",
    "outcome",
    "unknown",
    "carried",
    "destructive",
    "undone",
    "proposed",
    "created",
    "updated",
    "destroyed",
    "step",
    "steps",
    "jump",
    "latest",
    "ask",
    "again",
    "nothing",
    "action",
    "already",
    "elsewhere",
    "limit",
    "characters",
    "shorten",
    "viewer",
    "role",
    "only",
    "can",
    "this",
    "with",
    "for",
    "not",
    "try",
    "too",
    "many",
    "requests",
    "sessions",
    "unavailable",
    "include",
    "all",
    "offline",
];

/// What the panel says, shows and names: each text node, and the accessible names,
/// placeholders and titles, but for the API's own names (`code`, operation ids).
fn said(root: &HtmlElement) -> Vec<String> {
    let collect = js_sys::Function::new_with_args(
        "root",
        "const skip = 'code, .plan-op';
         const out = [];
         const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
         for (let n = walker.currentNode; n; n = walker.nextNode()) {
           if (n.nodeType === Node.ELEMENT_NODE) {
             if (n.closest(skip)) continue;
             for (const a of ['aria-label', 'placeholder', 'title', 'alt', 'aria-description', 'aria-roledescription']) {
               const v = n.getAttribute(a);
               if (v) out.push(v);
             }
           } else if (!n.parentElement.closest(skip)) {
             const t = n.textContent.trim();
             if (t) out.push(t);
           }
         }
         return JSON.stringify(out);",
    );
    let text = collect
        .call1(&wasm_bindgen::JsValue::NULL, root)
        .unwrap()
        .as_string()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Each English word the panel shows, and where.
fn english_in(root: &HtmlElement) -> Vec<String> {
    said(root)
        .iter()
        .filter_map(|s| {
            let words: Vec<String> = s
                .split(|c: char| !c.is_alphabetic() && c != '\'')
                .map(str::to_lowercase)
                .collect();
            ENGLISH
                .iter()
                .find(|w| words.iter().any(|x| x == *w))
                .map(|w| format!("{w:?} in {s:?}"))
        })
        .collect()
}

/// Fails naming each English word the panel shows (and where).
fn assert_german(root: &HtmlElement, state: &str) {
    assert!(!said(root).is_empty(), "{state}: the panel says nothing");
    let english = english_in(root);
    assert!(
        english.is_empty(),
        "{state}: English in the German panel: {english:#?}"
    );
}

/// A German panel in its own element (the `locale` option), with the panel's stylesheet.
async fn german_panel(name: &str) -> HtmlElement {
    let element = host_element(name, 700);
    // Dropping the handle keeps the panel.
    let _handle = mount_with(
        &element,
        &format!(r#"{{"storageKey":"german-{name}","locale":"de-DE"}}"#),
    )
    .await;
    element
}

async fn type_german(host: &HtmlElement, text: &str) {
    let message: HtmlTextAreaElement = find(host, ".copilot-composer textarea");
    message.set_value(text);
    message
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;
}

async fn ask_german(host: &HtmlElement, text: &str) {
    type_german(host, text).await;
    find::<HtmlButtonElement>(host, "button[type=submit]").click();
}

fn click(host: &HtmlElement, selector: &str) {
    find::<HtmlButtonElement>(host, selector).click();
}

/// Clicks the last button matching `selector` (the newest turn's).
fn click_last(host: &HtmlElement, selector: &str) {
    let all = host.query_selector_all(selector).unwrap();
    all.get(all.length() - 1)
        .unwrap()
        .unchecked_into::<HtmlButtonElement>()
        .click();
}

const SKILL: &str = r#"{"method":"POST","path":"/agents/agt_0001/skills","operationId":"createSkill","summary":"Skill „Bestellsuche“ zu Support Bot hinzugefügt","body":{"name":"Bestellsuche","beschreibung":"Sucht Bestellungen über ihre Nummer und nennt den Stand der Lieferung, so ausführlich wie möglich, mit allem, was die Kundschaft wissen möchte, und noch ein wenig mehr dazu, damit der Text lang genug ist, um gekürzt zu werden"}}"#;
const PROMPT: &str = r#"{"method":"PATCH","path":"/agents/agt_0001","operationId":"updateAgent","summary":"Anweisung von Support Bot geändert"}"#;

fn release(n: u32) -> Value {
    json!({"name": "releaseNumber", "method": "DELETE", "path": format!("/numbers/num_000{n}"),
           "summary": format!("Nummer +49 30 555 442{n} freigeben"), "args": {"numberId": format!("num_000{n}")}})
}

fn unassign() -> Value {
    json!({"name": "unassignNumber", "method": "DELETE", "path": "/numbers/num_0009/assign",
           "summary": "Zuweisung der Nummer +49 30 555 4429 aufheben", "args": {"numberId": "num_0009"}})
}

fn done(reply: &str, mutations: Value, proposals: Value) -> String {
    done_in("thr_de", reply, mutations, proposals)
}

/// `done` naming `thread`. Each test has its own, and answers its POSTs by method: a panel of
/// an earlier test may still read its thread, and must not take a later test's answers.
fn done_in(thread: &str, reply: &str, mutations: Value, proposals: Value) -> String {
    frame(
        "done",
        json!({"reply": reply, "threadId": thread, "appliedMutations": mutations,
               "pendingConfirmations": proposals}),
    )
}

#[wasm_bindgen_test]
async fn a_german_panel_reads_german_from_empty_to_streaming_done_and_its_plan() {
    let step = frame(
        "progress",
        json!({"message": "Skills werden hinzugefügt", "operationId": "createSkill", "status": "started"}),
    );
    let _gateway = Gateway::new()
        .latency(20)
        .role("viewer")
        .then(
            Answer::chunks(vec![
                step,
                frame("delta", json!({"text": "Ich füge den Skill hinzu. "})),
                frame("mutation", serde_json::from_str(SKILL).unwrap()),
                done(
                    "Ich habe den Skill hinzugefügt und die Anweisung geändert.\n\n```json\n{\"ok\": true}\n```",
                    json!([serde_json::from_str::<Value>(SKILL).unwrap(), serde_json::from_str::<Value>(PROMPT).unwrap()]),
                    json!([release(1)]),
                ),
            ])
            .every(400),
        )
        .install();
    let host = german_panel("walk").await;
    let section: HtmlElement = find(&host, "section.copilot");
    assert_eq!(section.get_attribute("lang").as_deref(), Some("de"));
    until_shown("the suggestions", &host, ".suggestion").await;
    assert_eq!(
        texts(&host, ".suggestion")[0],
        "Zeige meine Agenten",
        "suggestions in German"
    );
    assert_german(&host, "empty");

    ask_german(&host, "Füge Support Bot einen Skill zur Bestellsuche hinzu").await;
    until_shown("the working line", &host, ".turn-working").await;
    until("the step", || {
        texts(&host, ".turn-working")
            .join("")
            .contains("Skills werden")
    })
    .await;
    assert!(
        texts(&host, ".turn-working")
            .join("")
            .starts_with("Arbeitet…")
    );
    assert_german(&host, "streaming");

    until_shown("done", &host, ".turn[data-phase=done]").await;
    // The viewer's account line, the card a viewer may not approve, the folded plan.
    until_shown("the account line", &host, ".copilot-account").await;
    assert!(
        texts(&host, ".copilot-account")
            .join("")
            .contains("(nur lesen)")
    );
    assert_eq!(
        texts(&host, ".approval-card .approve"),
        ["Nummer freigeben"]
    );
    assert_eq!(
        texts(&host, ".turn-changes > summary"),
        ["2 Änderungen angewendet · 1 erstellt, 1 geändert"]
    );
    assert_german(&host, "done");

    // The whole plan, every row opened, a long value shown whole.
    click(&host, "button.changes-toggle");
    until("the sheet", || {
        !find::<HtmlElement>(&host, "section.changes").hidden()
    })
    .await;
    let rows = host.query_selector_all("section.changes details").unwrap();
    for i in 0..rows.length() {
        rows.get(i)
            .unwrap()
            .unchecked_into::<web_sys::Element>()
            .set_attribute("open", "")
            .unwrap();
    }
    assert_eq!(
        texts(&host, "section.changes .changes-totals"),
        ["Angewendet: 1 erstellt, 1 geändert, 0 gelöscht"]
    );
    assert_eq!(
        texts(&host, "section.changes .plan-group-name"),
        ["Skills", "Agenten"]
    );
    assert_german(&host, "the plan sheet");
    click(&host, "section.changes button.show-more");
    leptos::task::tick().await;
    assert_german(&host, "a value shown whole");
    click(&host, "button.changes-close");

    // The box over its limit: the count, why Send is refused, what a screen reader hears.
    type_german(&host, &"ä".repeat(4_012)).await;
    let count = texts(&host, ".composer-count").join("");
    assert!(
        count.starts_with("4.012 / 4.000 · 12 Zeichen über der Grenze"),
        "{count}"
    );
    assert_german(&host, "the composer over its limit");
    type_german(&host, "").await;

    // A new conversation: the first one under Verlauf.
    click(&host, "button.new-conversation");
    until_shown("recent", &host, "button.recent-toggle").await;
    click(&host, "button.recent-toggle");
    leptos::task::tick().await;
    assert_german(&host, "recent conversations");
}

#[wasm_bindgen_test]
async fn a_german_panel_says_why_a_turn_failed_or_broke_off_and_what_the_server_recorded() {
    let thread = |with_turn: bool| {
        let mut messages = vec![
            json!({"role": "user", "content": "Hallo"}),
            json!({"role": "assistant", "content": "Hallo."}),
        ];
        if with_turn {
            messages.push(json!({"role": "user", "content": "Füge den Skill hinzu"}));
            messages.push(json!({"role": "assistant", "content": "Hinzugefügt.",
                                 "mutations": [serde_json::from_str::<Value>(SKILL).unwrap()]}));
        }
        Answer::json(
            200,
            json!({"thread": {"id": "thr_de"}, "messages": messages}).to_string(),
        )
    };
    let cut = || Answer::chunks(vec![frame("delta", json!({"text": "Ich füge"}))]).broken();
    let gateway = Gateway::new()
        .latency(20)
        // A cut first turn: the server had not named the conversation.
        .then_on(Route::method("POST"), cut())
        // A known refusal and one with a code the panel does not know.
        .then_on(Route::method("POST"), Answer::problem(
            503,
            r#"{"status":503,"title":"Service unavailable","code":"session_store_unavailable","detail":"Sessions cannot be checked right now; try again shortly."}"#,
        ))
        .then_on(Route::method("POST"), Answer::problem(
            502,
            r#"{"status":502,"title":"Bad gateway","code":"brand_new","detail":"Die Flowyte-Steuerung meldet eine Störung."}"#,
        ))
        .then_on(Route::method("POST"), Answer::stream(done("Hallo.", json!([]), json!([]))))
        // Cut turns checked against the thread: recorded (slowly), not recorded, unreadable.
        .then_on(Route::method("POST"), cut())
        .then_on(Route::path("/threads/thr_de$"), thread(true).every(600))
        .then_on(Route::method("POST"), cut());
    let unreadable = r#"{"status":503,"title":"Unavailable","code":"upstream_unreachable"}"#;
    let gateway = (0..4).fold(gateway, |g, _| {
        g.then_on(
            Route::path("/threads/thr_de$"),
            Answer::problem(503, unreadable),
        )
    });
    let _gateway = gateway
        .then_on(Route::method("POST"), cut())
        .on(Route::path("/threads/thr_de$"), thread(false))
        .install();
    let host = german_panel("failures").await;
    ask_german(&host, "Füge den Skill hinzu").await;
    until_shown(
        "thread unknown",
        &host,
        ".turn-check[data-check=thread-unknown]",
    )
    .await;
    assert!(
        texts(&host, ".turn-error strong")
            .join("")
            .contains("Die Antwort ist abgebrochen")
    );
    click(&host, "button.retry-turn");
    until_shown("the question", &host, ".retry-confirm").await;
    assert_german(&host, "interrupted, thread unknown, Retry's question");
    click(&host, "button.retry-keep");

    ask_german(&host, "Liste meine Nummern").await;
    until("the refusal", || {
        texts(&host, ".turn[data-phase=failed]").len() == 1
    })
    .await;
    type_german(&host, "").await;
    ask_german(&host, "Liste meine Nummern").await;
    until("the unknown refusal", || {
        texts(&host, ".turn[data-phase=failed]").len() == 2
    })
    .await;
    let errors = texts(&host, ".turn-error strong");
    assert!(
        errors.contains(&"Der Copilot ist gerade nicht verfügbar".to_owned()),
        "{errors:?}"
    );
    assert!(
        errors.contains(&"Die Anfrage ist fehlgeschlagen (502)".to_owned()),
        "{errors:?}"
    );
    assert_german(&host, "failed");
    type_german(&host, "").await;

    ask_german(&host, "Hallo").await;
    until("the conversation named", || {
        texts(&host, ".turn[data-phase=done]").len() == 1
    })
    .await;
    ask_german(&host, "Füge den Skill hinzu").await;
    until_shown("checking", &host, ".turn-check[data-check=checking]").await;
    assert_german(&host, "checking what the server recorded");
    until_shown("recorded", &host, ".turn-check[data-check=recorded]").await;
    until_shown("the recorded change", &host, ".plan-recorded").await;
    click_last(&host, "button.retry-turn");
    until_shown("the question", &host, ".retry-confirm").await;
    let question = texts(&host, ".retry-confirm p").join("");
    assert!(
        question.starts_with("Diese Anfrage hat bereits 1 Änderung angewendet (1 erstellt)"),
        "{question}"
    );
    assert_german(&host, "recorded by the server, Retry's question");
    click(&host, "button.retry-keep");

    ask_german(&host, "Lösche den Agenten").await;
    // Four tries over 3.5 s.
    pause(3_000).await;
    until_shown("unavailable", &host, ".turn-check[data-check=unavailable]").await;
    ask_german(&host, "Lösche den Skill").await;
    pause(3_000).await;
    until_shown(
        "not recorded",
        &host,
        ".turn-check[data-check=not-recorded]",
    )
    .await;
    assert_german(&host, "not recorded, could not check");
    assert!(
        unhandled_rejections().is_empty(),
        "{:?}",
        unhandled_rejections()
    );
}

#[wasm_bindgen_test]
async fn german_approval_cards_read_german_in_every_state() {
    let propose = |items: Value| {
        Answer::stream(done_in(
            "thr_cards",
            "Bitte genehmigen Sie es unten.",
            json!([]),
            items,
        ))
    };
    let refused = |code: &str, detail: &str| {
        Answer::problem(
            409,
            json!({"status": 409, "title": "x", "code": code, "detail": detail}).to_string(),
        )
    };
    let _gateway = Gateway::new()
        .latency(120)
        // Every thread read (approved elsewhere, in doubt): one that does not tell.
        .on(
            Route::path("/threads/thr_cards$"),
            Answer::json(
                200,
                json!({"thread": {"id": "thr_cards"}, "messages": []}).to_string(),
            ),
        )
        // Two cards: reject one, approve the other (refused: stale).
        .then_on(
            Route::method("POST"),
            propose(json!([release(1), unassign()])),
        )
        .then_on(
            Route::method("POST"),
            refused(
                "stale_confirmation",
                "This action was already carried out or is no longer pending; nothing was run.",
            ),
        )
        // Approved.
        .then_on(Route::method("POST"), propose(json!([release(2)])))
        .then_on(
            Route::method("POST"),
            Answer::stream(done_in("thr_cards", "Freigegeben.", json!([]), json!([]))),
        )
        // Approved elsewhere: who and when, in German.
        .then_on(Route::method("POST"), propose(json!([release(3)])))
        .then_on(
            Route::method("POST"),
            refused(
                "already_confirmed",
                "Ana Approver (ana@northwind.example) approved this on 2026-12-01 at 13:05 UTC.",
            ),
        )
        // In doubt: the thread does not tell.
        .then_on(Route::method("POST"), propose(json!([release(4)])))
        .then_on(
            Route::method("POST"),
            refused(
                "confirmation_in_doubt",
                "Ana Approver approved this on 2026-12-01 at 13:05 UTC, and the answer broke off.",
            ),
        )
        // Failed before it reached the copilot: Retry.
        .then_on(Route::method("POST"), propose(json!([release(5)])))
        .then_on(
            Route::method("POST"),
            Answer::problem(
                502,
                r#"{"status":502,"title":"Bad gateway","code":"upstream_unreachable"}"#,
            ),
        )
        .install();
    let host = german_panel("cards").await;
    let state = |n: usize| {
        host.query_selector_all(".approval-card")
            .unwrap()
            .get(n as u32)
            .map(|c| {
                c.unchecked_into::<HtmlElement>()
                    .get_attribute("data-state")
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    };

    ask_german(
        &host,
        "Gib die Nummer 4421 frei und hebe die Zuweisung von 4429 auf",
    )
    .await;
    until("two cards", || state(1) == "pending").await;
    assert_eq!(
        texts(&host, ".approvals-waiting").join("").trim(),
        "2 Freigaben warten"
    );
    assert_german(&host, "two cards waiting");
    click(
        &host,
        ".approval-card[data-state=pending] + .approval-card button.reject",
    );
    until("rejected", || state(1) == "rejected").await;
    click(&host, ".approval-card[data-state=pending] button.approve");
    until("approving", || state(0) == "submitting").await;
    assert_german(&host, "approving");
    until("stale", || state(0) == "stale").await;
    assert_german(&host, "rejected, stale");

    ask_german(&host, "Gib die Nummer 4422 frei").await;
    until("the card", || state(2) == "pending").await;
    click(&host, ".approval-card[data-state=pending] button.approve");
    until("approved", || state(2) == "approved").await;

    ask_german(&host, "Gib die Nummer 4423 frei").await;
    until("the card", || state(3) == "pending").await;
    click(&host, ".approval-card[data-state=pending] button.approve");
    until("approved elsewhere", || state(3) == "approved-elsewhere").await;
    let status = texts(
        &host,
        ".approval-card[data-state=approved-elsewhere] .approval-status",
    )
    .join("");
    assert!(
        status.starts_with("Bereits anderswo genehmigt: Ana Approver (ana@northwind.example) hat dies am 1. Dezember 2026 um"),
        "{status}"
    );
    assert_german(&host, "approved, approved elsewhere");

    ask_german(&host, "Gib die Nummer 4424 frei").await;
    until("the card", || state(4) == "pending").await;
    click(&host, ".approval-card[data-state=pending] button.approve");
    until("checking", || state(4) == "checking").await;
    assert_german(&host, "checking an approval");
    until("in doubt", || state(4) == "in-doubt").await;
    assert_german(&host, "in doubt");

    ask_german(&host, "Gib die Nummer 4425 frei").await;
    until("the card", || state(5) == "pending").await;
    click(&host, ".approval-card[data-state=pending] button.approve");
    until("failed", || state(5) == "failed").await;
    assert_eq!(
        texts(&host, ".approval-card[data-state=failed] button.retry"),
        ["Erneut versuchen"]
    );
    assert_german(&host, "failed, with Retry");
}

#[wasm_bindgen_test]
async fn the_language_is_the_options_else_the_nearest_lang_else_the_pages() {
    let _gateway = Gateway::new().install();
    let lang_of = |host: &HtmlElement| {
        find::<HtmlElement>(host, "section.copilot")
            .get_attribute("lang")
            .unwrap_or_default()
    };
    // The nearest lang: a German region of an English page.
    let region: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    region.set_attribute("lang", "de-AT").unwrap();
    document().body().unwrap().append_child(&region).unwrap();
    let element: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    region.append_child(&element).unwrap();
    let _kept = mount_with(&element, r#"{"storageKey":"lang-region"}"#).await;
    assert_eq!(lang_of(&element), "de");
    assert_eq!(
        texts(&element, "button.new-conversation"),
        ["Neues Gespräch"]
    );
    // The option wins over the page; a language the catalog lacks is English.
    let element = host_element("lang-option", 400);
    region.append_child(&element).unwrap();
    let _kept = mount_with(&element, r#"{"storageKey":"lang-option","locale":"fr-FR"}"#).await;
    assert_eq!(lang_of(&element), "en");
    // Nothing near: the page's <html lang> (the test page's is none), then the browser's
    // language (headless Chromium's is English).
    let element = host_element("lang-page", 400);
    let _kept = mount_with(&element, r#"{"storageKey":"lang-page"}"#).await;
    assert_eq!(lang_of(&element), "en");
    // The check the German walk makes finds an English panel out.
    let found = english_in(&element);
    assert!(
        found.iter().any(|f| f.contains("New conversation")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|f| f.contains("Ask the copilot")),
        "{found:?}"
    );
    assert_eq!(
        mount_error(&element, r#"{"storageKey":"lang-bad","locale":"de DE"}"#),
        "mount options: locale must be a BCP 47 language tag such as \"de\" or \"en-GB\" (got \"de DE\")"
    );
}
