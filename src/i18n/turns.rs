//! What a turn says: why it failed, what a screen reader hears when it ends, the working line,
//! what the server recorded of a turn that did not finish, Retry's question, and the message
//! limit.

use super::{Locale, count_de, count_en};

catalog! { samples;
    // A reply that broke off.
    fn broke_off() { en: "The reply broke off", de: "Die Antwort ist abgebrochen" }
    fn broke_off_detail() {
        en: "The connection broke after the copilot had your request: it may have carried out \
             part of it. What arrived is kept, and nothing is sent again by itself.",
        de: "Die Verbindung ist abgerissen, nachdem der Copilot Ihre Anfrage erhalten hatte: \
             Er hat sie womöglich teilweise ausgeführt. Was angekommen ist, bleibt erhalten, \
             und nichts wird von selbst erneut gesendet.",
    }

    // What a screen reader hears once a turn ended.
    fn reply_ready() { en: "Reply ready.", de: "Antwort fertig." }
    fn stopped_heard() { en: "Stopped.", de: "Gestoppt." }
    fn broke_off_heard() {
        en: "The reply broke off: the copilot may have acted.",
        de: "Die Antwort ist abgebrochen: Der Copilot hat womöglich schon gehandelt.",
    }
    fn failed_heard(why: &str = "‹why›") {
        en: format!("The request failed: {why}."),
        de: format!("Die Anfrage ist fehlgeschlagen: {why}."),
    }
    fn unknown_error() { en: "unknown error", de: "unbekannter Fehler" }
    fn changes_applied_heard(n: usize = 2) {
        en: format!(" {}.", count_en(n, "change applied", "changes applied")),
        de: format!(" {}.", count_de(n, "Änderung angewendet", "Änderungen angewendet")),
    }
    fn approvals_waiting_heard(n: usize = 2) {
        en: format!(" {}.", count_en(n, "approval waiting", "approvals waiting")),
        de: format!(" {}.", count_de(n, "Freigabe wartet", "Freigaben warten")),
    }

    // The working line.
    fn working() { en: "Working…", de: "Arbeitet…" }
    fn working_on(step: &str = "‹step›") {
        en: format!("Working: {step}"),
        de: format!("Arbeitet: {step}"),
    }
    /// "Still working (20 seconds)", `spoken` said by [`Locale::spoken_seconds`].
    fn still_working(spoken: &str = "‹spoken›") {
        en: format!("Still working ({spoken})"),
        de: format!("Arbeitet noch ({spoken})"),
    }
    fn seconds_shown(s: u32 = 12) { en: format!("{s} s"), de: format!("{s} s") }
    fn minutes_shown(m: u32 = 1, s: u32 = 5) {
        en: format!("{m} min {s:02} s"),
        de: format!("{m} Min. {s:02} s"),
    }
    fn seconds_spoken(s: u32 = 20) {
        en: count_en(s as usize, "second", "seconds"),
        de: count_de(s as usize, "Sekunde", "Sekunden"),
    }
    fn minutes_spoken(m: u32 = 2) {
        en: count_en(m as usize, "minute", "minutes"),
        de: count_de(m as usize, "Minute", "Minuten"),
    }

    // What the server recorded of a turn that ended without `done`.
    fn check_checking() {
        en: "Checking what the server recorded…",
        de: "Prüfe, was der Server festgehalten hat…",
    }
    fn check_nothing_more() {
        en: "The server recorded this request: nothing more than what is shown.",
        de: "Der Server hat diese Anfrage festgehalten: nichts über das Gezeigte hinaus.",
    }
    fn check_unseen_changes(n: usize = 2) {
        en: format!(
            "{} the reply did not show (marked “recorded by the server”)",
            count_en(n, "change", "changes")
        ),
        de: format!(
            "{}, die die Antwort nicht zeigte (markiert mit „vom Server festgehalten“)",
            count_de(n, "Änderung", "Änderungen")
        ),
    }
    fn check_unseen_proposals(n: usize = 2) {
        en: format!("{} waiting for approval", count_en(n, "action", "actions")),
        de: format!(
            "{} auf Freigabe",
            count_de(n, "Aktion wartet", "Aktionen warten")
        ),
    }
    /// `parts` joined by [`Locale::and_then`].
    fn check_recorded(parts: &str = "‹parts›") {
        en: format!("The server recorded this request: {parts}."),
        de: format!("Der Server hat diese Anfrage festgehalten: {parts}."),
    }
    fn and_then() { en: ", and ", de: ", und " }
    fn check_not_recorded() {
        en: "The server has no record of this request: nothing shows it was carried out.",
        de: "Der Server hat diese Anfrage nicht festgehalten: Nichts deutet darauf hin, dass \
             sie ausgeführt wurde.",
    }
    fn check_unavailable(why: &str = "‹why›") {
        en: format!(
            "The panel could not check what the server recorded ({why}). Changes may have \
             been applied: check this conversation again later, or the account in the \
             dashboard, before sending it again."
        ),
        de: format!(
            "Das Panel konnte nicht prüfen, was der Server festgehalten hat ({why}). \
             Möglicherweise wurden Änderungen angewendet: Prüfen Sie dieses Gespräch später \
             erneut oder das Konto im Dashboard, bevor Sie die Anfrage erneut senden."
        ),
    }
    fn check_thread_unknown() {
        en: "The server had not named this conversation yet, so the panel cannot check what it \
             recorded. Changes may have been applied: check your agents, skills and numbers in \
             the dashboard before sending it again.",
        de: "Der Server hatte diesem Gespräch noch keinen Namen gegeben, daher kann das Panel \
             nicht prüfen, was er festgehalten hat. Möglicherweise wurden Änderungen \
             angewendet: Prüfen Sie Ihre Agenten, Skills und Nummern im Dashboard, bevor Sie \
             die Anfrage erneut senden.",
    }

    // Retry's question.
    fn retry_applied(n: usize = 2, brief: &str = "‹brief›", list: &str = "‹list›") {
        en: format!(
            "This request already applied {} ({brief}): {list}. Send it again?",
            count_en(n, "change", "changes")
        ),
        de: format!(
            "Diese Anfrage hat bereits {} angewendet ({brief}): {list}. Erneut senden?",
            count_de(n, "Änderung", "Änderungen")
        ),
    }
    fn retry_unknown() {
        en: "The panel could not check what this request did: it may already have been carried \
             out. Send it again?",
        de: "Das Panel konnte nicht prüfen, was diese Anfrage bewirkt hat: Sie wurde womöglich \
             schon ausgeführt. Erneut senden?",
    }

    // The message limit.
    fn draft_counter(chars: usize = 3812, max: usize = 4000) {
        en: format!("{} / {}", Locale::En.number(chars), Locale::En.number(max)),
        de: format!("{} / {}", Locale::De.number(chars), Locale::De.number(max)),
    }
    fn draft_refusal(over: usize = 12, max: usize = 4000) {
        en: format!(
            "{} over the {}-character limit: shorten the message to send it.",
            count_en(over, "character", "characters"),
            Locale::En.number(max)
        ),
        de: format!(
            "{} Zeichen über der Grenze von {} Zeichen: Kürzen Sie die Nachricht, um sie zu senden.",
            Locale::De.number(over),
            Locale::De.number(max)
        ),
    }
    fn over_limit_heard(max: usize = 4000) {
        en: format!("Over the {}-character limit.", Locale::En.number(max)),
        de: format!("Über der Grenze von {} Zeichen.", Locale::De.number(max)),
    }
}

impl Locale {
    /// "20 seconds", "1 minute 10 seconds".
    pub fn spoken_seconds(self, seconds: u32) -> String {
        match (seconds / 60, seconds % 60) {
            (0, s) => self.seconds_spoken(s),
            (m, 0) => self.minutes_spoken(m),
            (m, s) => format!("{} {}", self.minutes_spoken(m), self.seconds_spoken(s)),
        }
    }

    /// "12 s", "1 min 05 s".
    pub fn waited(self, seconds: u32) -> String {
        if seconds < 60 {
            self.seconds_shown(seconds)
        } else {
            self.minutes_shown(seconds / 60, seconds % 60)
        }
    }
}
