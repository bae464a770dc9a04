//! The panel's chrome: header, log, composer and its suggestions, account line, recent
//! conversations, and the reply's tools.

use super::{count_de, count_en};

catalog! { samples;
    /// The panel's landmark when the host gave it no name.
    fn panel_landmark() { en: "Flowyte Copilot", de: "Flowyte Copilot" }
    /// The panel's heading when the host gave it no name.
    fn panel_heading() { en: "Copilot", de: "Copilot" }
    fn new_conversation() { en: "New conversation", de: "Neues Gespräch" }
    fn recent() { en: "Recent", de: "Verlauf" }
    fn recent_conversations() { en: "Recent conversations", de: "Letzte Gespräche" }
    fn untitled_conversation() { en: "Untitled conversation", de: "Gespräch ohne Titel" }
    /// The log's accessible name.
    fn conversation() { en: "Conversation", de: "Gesprächsverlauf" }
    fn jump_to_latest() { en: "Jump to latest", de: "Zum Neuesten" }
    fn thread_gone() {
        en: "That conversation is no longer available.",
        de: "Dieses Gespräch ist nicht mehr verfügbar.",
    }
    fn restore_failed_title() {
        en: "Could not restore the last conversation",
        de: "Das letzte Gespräch konnte nicht wiederhergestellt werden",
    }
    fn restore_failed_note(why: &str = "‹why›") {
        en: format!("Could not restore the conversation: {why}"),
        de: format!("Das Gespräch konnte nicht wiederhergestellt werden: {why}"),
    }

    // The composer.
    fn message() { en: "Message", de: "Nachricht" }
    fn ask_placeholder() { en: "Ask the copilot…", de: "Fragen Sie den Copilot…" }
    fn send() { en: "Send", de: "Senden" }
    fn stop() { en: "Stop", de: "Stopp" }
    fn empty_intro() {
        en: "Ask the copilot to change your agents, numbers or keys, or to review recent calls. Try:",
        de: "Bitten Sie den Copilot, Ihre Agenten, Nummern oder Schlüssel zu ändern oder die letzten Anrufe auszuwerten. Zum Beispiel:",
    }
    fn suggestion_list_agents() { en: "List my agents", de: "Zeige meine Agenten" }
    fn suggestion_failed_calls() {
        en: "Which calls failed yesterday?",
        de: "Welche Anrufe sind gestern fehlgeschlagen?",
    }
    fn suggestion_list_numbers() { en: "List my numbers", de: "Zeige meine Nummern" }
    fn suggestion_why_failed() {
        en: "Why did calls fail yesterday?",
        de: "Warum sind gestern Anrufe fehlgeschlagen?",
    }

    // Who is signed in.
    /// Followed by the person's name in bold.
    fn signed_in_as() { en: "Signed in as ", de: "Angemeldet als " }
    /// The name of someone the gateway gave none.
    fn you() { en: "you", de: "Sie" }
    fn viewer_role() { en: " (viewer)", de: " (nur lesen)" }
    fn sign_out() { en: "Sign out", de: "Abmelden" }
    fn sign_in() { en: "Sign in", de: "Anmelden" }
    fn sign_in_to_use() {
        en: "Sign in to use the copilot.",
        de: "Melden Sie sich an, um den Copilot zu nutzen.",
    }

    // The reply and its steps.
    fn copy() { en: "Copy", de: "Kopieren" }
    fn copied() { en: "Copied", de: "Kopiert" }
    fn copy_failed() { en: "Copy failed", de: "Kopieren fehlgeschlagen" }
    fn copy_reply() { en: "Copy reply", de: "Antwort kopieren" }
    /// A turn's steps, folded once it ended.
    fn steps(n: usize = 3) {
        en: count_en(n, "step", "steps"),
        de: count_de(n, "Schritt", "Schritte"),
    }
    /// What a screen reader hears after a step: running, done, failed.
    fn step_running() { en: "running", de: "läuft" }
    fn step_done() { en: "done", de: "erledigt" }
    fn step_failed() { en: "failed", de: "fehlgeschlagen" }
    fn stopped_note() {
        en: "Stopped. What arrived is kept.",
        de: "Gestoppt. Was angekommen ist, bleibt erhalten.",
    }
    fn retry() { en: "Retry", de: "Erneut versuchen" }
    fn send_again_question() { en: "Send this request again?", de: "Diese Anfrage erneut senden?" }
    fn send_again() { en: "Send again", de: "Erneut senden" }
    fn dont_send() { en: "Don’t send", de: "Nicht senden" }
}
