//! The approval cards: what they say while they wait, their status lines and outcomes, and
//! "N approvals waiting".

use super::intl::{TimeStyle, time};
use super::{Locale, count_de, count_en};

catalog! { samples;
    fn approve() { en: "Approve", de: "Genehmigen" }
    fn approve_all() { en: "Approve all", de: "Alle genehmigen" }
    fn reject() { en: "Reject", de: "Ablehnen" }
    fn check_again() { en: "Check again", de: "Erneut prüfen" }
    fn details() { en: "Details", de: "Einzelheiten" }
    /// An irreversible action's Approve when its operation has no German words.
    fn approve_irreversible() { en: "Approve irreversibly", de: "Unwiderruflich genehmigen" }
    fn include_in_approve_all(title: &str = "‹title›") {
        en: format!("Include “{title}” in Approve all"),
        de: format!("„{title}“ in „Alle genehmigen“ einschließen"),
    }
    fn destructive() { en: "destructive", de: "kritisch" }
    fn cant_be_undone() {
        en: "This can’t be undone.",
        de: "Das lässt sich nicht rückgängig machen.",
    }
    fn proposed_for(asked: &str = "‹asked›") {
        en: format!("Proposed for “{asked}”"),
        de: format!("Vorgeschlagen für „{asked}“"),
    }
    fn viewer_note() {
        en: "Only an approver can approve this. Your role lets you ask and read; ask someone with \
             the approver role.",
        de: "Nur wer freigeben darf, kann dies genehmigen. Ihre Rolle erlaubt Fragen und Lesen; \
             bitten Sie jemanden mit der Freigabe-Rolle.",
    }
    /// A card whose action has no summary.
    fn an_action_title() { en: "An action", de: "Eine Aktion" }
    fn an_action() { en: "an action", de: "eine Aktion" }
    /// How an approval turn shows in the log.
    fn approving_message(names: &str = "‹names›") {
        en: format!("Approve: {names}"),
        de: format!("Genehmigen: {names}"),
    }
    fn approvals_waiting(n: usize = 2) {
        en: count_en(n, "approval waiting", "approvals waiting"),
        de: count_de(n, "Freigabe wartet", "Freigaben warten"),
    }

    // A card's status line.
    fn card_approving() { en: "Approving…", de: "Wird genehmigt…" }
    fn card_approved() { en: "Approved: carried out.", de: "Genehmigt: ausgeführt." }
    fn card_carried_out() {
        en: "Approved: the answer broke off, and the server recorded it as carried out.",
        de: "Genehmigt: Die Antwort ist abgebrochen, und der Server hat es als ausgeführt \
             festgehalten.",
    }
    fn card_checking() { en: "Checking what happened…", de: "Prüfe, was geschehen ist…" }
    fn card_approved_elsewhere(who: &str = "‹who›") {
        en: format!("Already approved elsewhere: {who}"),
        de: format!("Bereits anderswo genehmigt: {who}"),
    }
    fn card_in_doubt(why: &str = "‹why›") {
        en: format!("Outcome unknown: {why}"),
        de: format!("Ausgang unbekannt: {why}"),
    }
    fn card_failed(why: &str = "‹why›") {
        en: format!("Failed: {why}"),
        de: format!("Fehlgeschlagen: {why}"),
    }
    fn card_rejected() { en: "Rejected: nothing was sent.", de: "Abgelehnt: Nichts wurde gesendet." }
    fn card_stale(why: &str = "‹why›") {
        en: format!("Not carried out: {why}"),
        de: format!("Nicht ausgeführt: {why}"),
    }

    // Why.
    /// Someone approved it before: who and when (said by [`Locale::approved_by`]).
    fn approved_by_at(who: &str = "‹who›", when: &str = "‹when›") {
        en: format!("{who} approved this on {when}."),
        de: format!("{who} hat dies am {when} genehmigt."),
    }
    fn thread_unknown() {
        en: "The proposal’s conversation is unknown (its reply was cut off); ask again.",
        de: "Das Gespräch dieses Vorschlags ist unbekannt (seine Antwort brach ab); fragen Sie \
             erneut.",
    }
    fn no_longer_held() {
        en: "The server no longer holds this action.",
        de: "Der Server hält diese Aktion nicht mehr bereit.",
    }
    fn request_failed() { en: "The request failed.", de: "Die Anfrage ist fehlgeschlagen." }
    fn still_held() {
        en: "the answer broke off before the server acted; it still holds this action.",
        de: "Die Antwort brach ab, bevor der Server handelte; er hält diese Aktion noch bereit.",
    }
    fn not_shown_whether() {
        en: "the answer broke off, and the conversation does not show whether it was carried \
             out. Check the account before approving again.",
        de: "Die Antwort brach ab, und das Gespräch zeigt nicht, ob sie ausgeführt wurde. \
             Prüfen Sie das Konto, bevor Sie erneut genehmigen.",
    }
    fn unreadable(why: &str = "‹why›") {
        en: format!(
            "the answer broke off, and the conversation could not be read ({why}). Check the \
             account before approving again."
        ),
        de: format!(
            "Die Antwort brach ab, und das Gespräch konnte nicht gelesen werden ({why}). \
             Prüfen Sie das Konto, bevor Sie erneut genehmigen."
        ),
    }
    fn its_conversation_unknown() {
        en: "its conversation is unknown",
        de: "sein Gespräch ist unbekannt",
    }
}

impl Locale {
    /// The gateway's "Ana approved this on 2026-12-01 at 13:05 UTC." in this language, the
    /// time in the person's own zone and words; `None` when it reads as it came: in English
    /// (the gateway's own words), or when `detail` is not in that form.
    pub fn approved_by(self, detail: &str) -> Option<String> {
        if self == Self::En {
            return None;
        }
        let (who, ms) = parse_approved(detail)?;
        Some(self.approved_by_at(who, &time(self, ms, TimeStyle::Long)))
    }
}

/// Who and when (ms since 1970) from the gateway's `already_confirmed` detail.
pub fn parse_approved(detail: &str) -> Option<(&str, f64)> {
    let rest = detail.trim().strip_suffix(" UTC.")?;
    let (who, when) = rest.rsplit_once(" approved this on ")?;
    let (date, clock) = when.split_once(" at ")?;
    let mut date = date.splitn(3, '-').map(str::parse::<u32>);
    let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    let (hour, minute) = clock.split_once(':')?;
    let (hour, minute): (u32, u32) = (hour.parse().ok()?, minute.parse().ok()?);
    let valid = (1..=12).contains(&month) && (1..=31).contains(&day) && hour < 24 && minute < 60;
    (valid && !who.trim().is_empty()).then(|| {
        (
            who.trim(),
            super::intl::epoch_ms(i64::from(year), month, day, hour, minute),
        )
    })
}
