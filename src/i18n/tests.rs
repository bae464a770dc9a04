use super::*;

/// Every message of the catalog, rendered in `locale`.
fn every_message(locale: Locale) -> Vec<(&'static str, String)> {
    [
        panel::samples(locale),
        turns::samples(locale),
        approvals::samples(locale),
        changes::samples(locale),
        problems::samples(locale),
    ]
    .concat()
}

/// Messages whose German is the English, and why.
const SAME_IN_BOTH: &[(&str, &str)] = &[
    ("panel_landmark", "the product's name"),
    ("panel_heading", "the product's name"),
    ("seconds_shown", "\"12 s\": the unit reads the same"),
];

/// English words that give away a German message left in English.
const ENGLISH_WORDS: &[&str] = &[
    " the ", " and ", " is ", " are ", " to ", " of ", "n't", " your ", " again", "request",
    "approve ", "changes", "failed", "working", "nothing",
];

#[test]
fn every_message_has_its_german() {
    let english = every_message(Locale::En);
    let german = every_message(Locale::De);
    assert_eq!(english.len(), german.len());
    assert!(english.len() > 150, "the whole catalog: {}", english.len());
    let mut names: Vec<&str> = english.iter().map(|(name, _)| *name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), english.len(), "each name once");
    let mut untranslated = Vec::new();
    for ((name, en), (_, de)) in english.iter().zip(&german) {
        assert!(
            !en.trim().is_empty() && !de.trim().is_empty(),
            "{name} is empty"
        );
        assert!(!de.contains("{}") && !en.contains("{}"), "{name}: a hole");
        let allowed = SAME_IN_BOTH.iter().any(|(same, _)| same == name);
        if en == de && !allowed {
            untranslated.push(format!("{name}: {en:?}"));
        }
        let lower = format!(" {} ", de.to_lowercase());
        // (The samples' arguments are neutral, ‹name›: whatever English is left is the
        // message's own.)
        if let Some(word) = ENGLISH_WORDS.iter().find(|w| lower.contains(*w)) {
            untranslated.push(format!("{name}: {de:?} has {word:?}"));
        }
    }
    assert!(
        untranslated.is_empty(),
        "German left in English:\n{}",
        untranslated.join("\n")
    );
    for (name, why) in SAME_IN_BOTH {
        assert!(names.contains(name), "{name} ({why}) is no message");
    }
}

#[test]
fn the_language_comes_from_the_first_that_says_one() {
    for tag in ["de", "de-DE", "de-AT", "DE_ch", " de "] {
        assert_eq!(Locale::of_tag(tag), Some(Locale::De), "{tag}");
    }
    for tag in ["en", "en-US", "en-GB"] {
        assert_eq!(Locale::of_tag(tag), Some(Locale::En), "{tag}");
    }
    for tag in ["fr", "deu", "", "x-de", "ende"] {
        assert_eq!(Locale::of_tag(tag), None, "{tag}");
    }
    // option, element lang, page lang, navigator.language
    let choose = |c: [Option<&str>; 4]| Locale::choose(&c);
    assert_eq!(choose([None, None, None, None]), Locale::En);
    assert_eq!(choose([Some("de-AT"), Some("en"), None, None]), Locale::De);
    assert_eq!(
        choose([None, Some("de"), Some("en"), Some("en")]),
        Locale::De
    );
    assert_eq!(choose([None, None, Some("de-DE"), Some("en")]), Locale::De);
    assert_eq!(choose([None, None, None, Some("de-CH")]), Locale::De);
    assert_eq!(
        choose([None, Some("fr"), Some("de"), Some("de")]),
        Locale::En,
        "the nearest lang decides; one the catalog lacks is English"
    );
    assert_eq!(
        choose([None, Some(""), Some("de"), None]),
        Locale::De,
        "an empty lang says nothing"
    );
}

#[test]
fn plurals_and_numbers_follow_the_language() {
    assert_eq!(Locale::En.changes_applied(1), "1 change applied");
    assert_eq!(Locale::En.changes_applied(3), "3 changes applied");
    assert_eq!(Locale::De.changes_applied(1), "1 Änderung angewendet");
    assert_eq!(Locale::De.changes_applied(0), "0 Änderungen angewendet");
    assert_eq!(Locale::De.approvals_waiting(2), "2 Freigaben warten");
    assert_eq!(Locale::De.number(1_234_567), "1.234.567");
    assert_eq!(Locale::En.number(4_000), "4,000");
    assert_eq!(Locale::De.spoken_seconds(70), "1 Minute 10 Sekunden");
    assert_eq!(Locale::De.waited(65), "1 Min. 05 s");
}

#[test]
fn who_approved_when_reads_in_german_when_the_gateway_said_it_plainly() {
    let detail = "Ana Approver (ana@northwind.example) approved this on 2026-12-01 at 13:05 UTC.";
    assert_eq!(
        Locale::De.approved_by(detail).as_deref(),
        Some(
            "Ana Approver (ana@northwind.example) hat dies am 1. Dez. 2026 um 13:05 UTC genehmigt."
        )
    );
    assert_eq!(Locale::En.approved_by(detail), None, "English as it came");
    for odd in [
        "Someone approved this earlier.",
        " approved this on 2026-12-01 at 13:05 UTC.",
        "Ana approved this on 2026-13-01 at 13:05 UTC.",
        "Ana approved this on yesterday at 13:05 UTC.",
    ] {
        assert_eq!(Locale::De.approved_by(odd), None, "{odd}");
    }
}

#[test]
fn a_german_card_says_who_approved_when_and_why_in_german() {
    use crate::approval::{approval_message, approve_label, resolve, settlement};
    use crate::conversation::reconcile::ApprovalOutcome;
    use crate::conversation::{Ending, Failure, Turn, TurnError};
    use assist_protocol::{PendingConfirmation, ProblemDetails};
    let item = |v: serde_json::Value| PendingConfirmation(v.as_object().unwrap().clone());
    let refused = |code: &str, detail: &str| {
        Ending::Failed(Box::new(Failure {
            error: TurnError::new("x", None),
            status: Some(409),
            problem: Some(ProblemDetails::new(409, "x", detail).with_code(code)),
            before_acceptance: true,
        }))
    };
    let turn = Turn::new(1, "x").in_locale(Locale::De);
    let elsewhere = settlement(
        &turn,
        &refused(
            "already_confirmed",
            "Ana approved this on 2026-12-01 at 13:05 UTC.",
        ),
    );
    assert_eq!(
        elsewhere.status(Locale::De),
        "Bereits anderswo genehmigt: Ana hat dies am 1. Dez. 2026 um 13:05 UTC genehmigt."
    );
    let stale = settlement(&turn, &refused("stale_confirmation", "gone"));
    assert_eq!(
        stale.status(Locale::De),
        "Nicht ausgeführt: Diese Aktion wurde schon ausgeführt oder ist nicht mehr offen; \
         nichts wurde ausgeführt."
    );
    assert_eq!(
        resolve(&ApprovalOutcome::Unknown, Locale::De)
            .status(Locale::De)
            .split(':')
            .next(),
        Some("Ausgang unbekannt")
    );
    let release = item(
        serde_json::json!({"name": "releaseNumber", "method": "DELETE", "path": "/numbers/n_1"}),
    );
    assert_eq!(approve_label(&release, Locale::De), "Nummer freigeben");
    let odd =
        item(serde_json::json!({"name": "archiveThing", "summary": "Archive it (irreversible)"}));
    assert_eq!(approve_label(&odd, Locale::De), "Unwiderruflich genehmigen");
    assert_eq!(
        approval_message(
            &[release, item(serde_json::json!({"name": "x"}))],
            Locale::De
        ),
        "Genehmigen: eine Aktion; eine Aktion"
    );
}
