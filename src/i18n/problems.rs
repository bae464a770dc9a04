//! Why a request failed, in the panel's language: the transport's own failures and the
//! gateway's and the server's refusals with known codes (`rate_limited`, `session_expired`,
//! `approval_not_allowed`, `already_confirmed`, `upstream_broken`, …).
//!
//! A refusal with a known code reads in the panel's language, title and detail: German in the
//! catalog's words. English shows the server's own title and detail where it gave them (they
//! are English already, and often say more: which origin, which agent), but for the refusals the
//! panel always worded itself (a viewer's approval, no access, a replaced or expired session);
//! the catalog's English stands in for what the server left out. A problem with a code the
//! panel does not know keeps the server's detail (its content) under a title in the panel's
//! language; English keeps the server's title too. Field errors (`field: message`) are the
//! server's, as it wrote them.

use assist_protocol::ProblemDetails;

use super::Locale;
use crate::conversation::TurnError;

catalog! { samples;
    fn gateway_down() {
        en: "The copilot's gateway is not answering",
        de: "Das Gateway des Copilots antwortet nicht",
    }
    fn gateway_down_detail() {
        en: "It may be down or restarting. Send your message again in a moment; if this keeps \
             happening, tell whoever runs the copilot's gateway.",
        de: "Es ist vielleicht ausgefallen oder startet neu. Senden Sie Ihre Nachricht gleich \
             noch einmal; wenn das öfter passiert, wenden Sie sich an die Betreiber des Gateways.",
    }
    fn offline() { en: "You are offline", de: "Sie sind offline" }
    fn offline_detail() {
        en: "Connect to the internet, then send your message again.",
        de: "Verbinden Sie sich mit dem Internet und senden Sie die Nachricht dann erneut.",
    }
    fn session_reset() {
        en: "The copilot's session ended",
        de: "Die Sitzung des Copilots ist beendet",
    }
    fn session_reset_detail() {
        en: "The gateway restarted or the session timed out, so nothing was sent. Send your \
             message again: a new session starts by itself.",
        de: "Das Gateway wurde neu gestartet oder die Sitzung ist abgelaufen, daher wurde nichts \
             gesendet. Senden Sie Ihre Nachricht erneut: Eine neue Sitzung beginnt von selbst.",
    }
    fn session_expired() { en: "Your session has expired", de: "Ihre Sitzung ist abgelaufen" }
    fn session_expired_detail() {
        en: "Sign in again, then send your message again.",
        de: "Melden Sie sich erneut an und senden Sie die Nachricht dann noch einmal.",
    }
    fn sign_in_required() {
        en: "Sign in to use the copilot",
        de: "Melden Sie sich an, um den Copilot zu nutzen",
    }
    fn sign_in_required_detail() {
        en: "Nothing was sent. Sign in, then send your message.",
        de: "Nichts wurde gesendet. Melden Sie sich an und senden Sie dann Ihre Nachricht.",
    }
    fn session_changed() { en: "Your session changed", de: "Ihre Sitzung hat gewechselt" }
    fn session_changed_detail() {
        en: "It was replaced, perhaps by signing in again in another tab. Nothing was sent to \
             the copilot: send your message again.",
        de: "Sie wurde ersetzt, vielleicht durch eine neue Anmeldung in einem anderen Tab. Nichts \
             wurde an den Copilot gesendet: Senden Sie Ihre Nachricht erneut.",
    }
    fn too_many_requests() { en: "Too many requests", de: "Zu viele Anfragen" }
    fn try_again_in(seconds: &str = "‹seconds›") {
        en: format!("Try again in {seconds} seconds."),
        de: format!("Versuchen Sie es in {seconds} Sekunden erneut."),
    }
    fn rate_limited_detail(server: &str = "‹server›") {
        en: server,
        de: "Sie haben in kurzer Zeit zu viele Anfragen gesendet. Warten Sie einen Moment und \
             senden Sie dann erneut.",
    }
    fn too_many_streams() { en: "Too many open replies", de: "Zu viele offene Antworten" }
    fn too_many_streams_detail(server: &str = "‹server›") {
        en: server,
        de: "Es laufen zu viele Antworten gleichzeitig. Warten Sie, bis eine endet.",
    }
    fn service_unavailable() {
        en: "The copilot is unavailable right now",
        de: "Der Copilot ist gerade nicht verfügbar",
    }
    fn service_unavailable_detail() {
        en: "The gateway cannot check sessions or limits right now; nothing was sent. Try again \
             shortly.",
        de: "Das Gateway kann Sitzungen oder Grenzen gerade nicht prüfen; nichts wurde gesendet. \
             Versuchen Sie es gleich noch einmal.",
    }
    fn cross_site() { en: "Request refused", de: "Anfrage abgelehnt" }
    fn cross_site_detail() {
        en: "The gateway accepts requests only from its own pages. Nothing was sent.",
        de: "Das Gateway nimmt nur Anfragen seiner eigenen Seiten an. Nichts wurde gesendet.",
    }
    fn approval_not_allowed() {
        en: "Only an approver can approve this",
        de: "Nur wer freigeben darf, kann dies genehmigen",
    }
    fn approval_not_allowed_detail() {
        en: "Your role lets you ask the copilot and read its answers. Ask someone with the \
             approver role to approve it. Nothing was carried out.",
        de: "Ihre Rolle erlaubt, den Copilot zu fragen und seine Antworten zu lesen. Bitten Sie \
             jemanden mit der Freigabe-Rolle, es zu genehmigen. Nichts wurde ausgeführt.",
    }
    fn not_authorized() {
        en: "You don't have access to the copilot",
        de: "Sie haben keinen Zugang zum Copilot",
    }
    fn not_authorized_detail() {
        en: "Ask your account's administrator to give you access. Nothing was sent.",
        de: "Bitten Sie die Verwaltung Ihres Kontos um Zugang. Nichts wurde gesendet.",
    }
    fn already_approved() { en: "Already approved", de: "Bereits genehmigt" }
    fn outcome_unknown() { en: "Outcome unknown", de: "Ausgang unbekannt" }
    fn outcome_unknown_detail(server: &str = "‹server›") {
        en: server,
        de: "Dies wurde schon genehmigt, und die Antwort brach ab: Es wurde womöglich \
             ausgeführt. Prüfen Sie das Gespräch, bevor Sie erneut genehmigen.",
    }
    fn stale() {
        en: "Already carried out or no longer pending",
        de: "Bereits ausgeführt oder nicht mehr offen",
    }
    fn stale_detail(server: &str = "‹server›") {
        en: server,
        de: "Diese Aktion wurde schon ausgeführt oder ist nicht mehr offen; nichts wurde \
             ausgeführt.",
    }
    fn unknown_confirmation() {
        en: "The approval does not match the proposal",
        de: "Die Freigabe passt nicht zum Vorschlag",
    }
    fn unknown_confirmation_detail(server: &str = "‹server›") {
        en: server,
        de: "Was genehmigt wurde, stimmt nicht Feld für Feld mit einer in diesem Gespräch \
             vorgeschlagenen Aktion überein; nichts wurde ausgeführt.",
    }
    fn upstream_unanswered() {
        en: "Flowyte is not answering",
        de: "Flowyte antwortet nicht",
    }
    fn upstream_timeout_detail() {
        en: "The Flowyte control plane did not answer in time. Nothing was sent again.",
        de: "Die Flowyte-Steuerung hat nicht rechtzeitig geantwortet. Nichts wurde erneut \
             gesendet.",
    }
    fn upstream_unreachable_detail() {
        en: "The Flowyte control plane could not be reached, so nothing was carried out. Send \
             your message again in a moment.",
        de: "Die Flowyte-Steuerung war nicht erreichbar, daher wurde nichts ausgeführt. Senden \
             Sie Ihre Nachricht gleich erneut.",
    }
    fn upstream_failed_detail() {
        en: "The Flowyte control plane's answer broke off or could not be read: it may have \
             carried out part of the request.",
        de: "Die Antwort der Flowyte-Steuerung brach ab oder war nicht lesbar: Sie hat die \
             Anfrage womöglich teilweise ausgeführt.",
    }
    fn upstream_redirect_detail() {
        en: "The Flowyte control plane answered with a redirect, which the gateway does not \
             follow.",
        de: "Die Flowyte-Steuerung antwortete mit einer Weiterleitung, der das Gateway nicht \
             folgt.",
    }
    fn not_accepted() { en: "The request was not accepted", de: "Die Anfrage wurde nicht angenommen" }
    fn not_accepted_detail(server: &str = "‹server›") {
        en: server,
        de: "Der Copilot konnte die Anfrage so nicht annehmen; nichts wurde ausgeführt.",
    }
    fn not_found() { en: "Not found", de: "Nicht gefunden" }
    fn not_found_detail(server: &str = "‹server›") {
        en: server,
        de: "Das Angefragte gibt es hier nicht (mehr).",
    }
    fn key_refused() {
        en: "The gateway's key was refused",
        de: "Der Schlüssel des Gateways wurde abgelehnt",
    }
    fn key_refused_detail(server: &str = "‹server›") {
        en: server,
        de: "Flowyte hat den API-Schlüssel des Gateways abgelehnt oder er darf dies nicht. \
             Wenden Sie sich an die Betreiber des Gateways.",
    }
    fn misdirected() { en: "Wrong address", de: "Falsche Adresse" }
    fn misdirected_detail() {
        en: "This gateway does not answer for that host name.",
        de: "Dieses Gateway antwortet nicht unter diesem Hostnamen.",
    }
    fn no_published_version() {
        en: "The agent has no published version",
        de: "Der Agent hat keine veröffentlichte Version",
    }
    fn no_published_version_detail() {
        en: "Publish the agent first, or ask for its draft.",
        de: "Veröffentlichen Sie den Agenten zuerst oder fragen Sie nach seinem Entwurf.",
    }
    fn unreadable_reply() {
        en: "The copilot sent a reply the panel cannot read",
        de: "Der Copilot hat eine Antwort gesendet, die das Panel nicht lesen kann",
    }
    /// `technical`: the decoder's own words, for whoever debugs it.
    fn unreadable_reply_detail(technical: &str = "‹technical›") {
        en: technical,
        de: format!("Was angekommen ist, bleibt erhalten ({technical})."),
    }
    fn stopped_responding() {
        en: "The copilot stopped responding",
        de: "Der Copilot antwortet nicht mehr",
    }
    fn stopped_responding_detail(seconds: u64 = 45) {
        en: format!(
            "Nothing arrived for {seconds} seconds. What arrived is kept; nothing was sent again."
        ),
        de: format!(
            "{seconds} Sekunden lang kam nichts an. Was angekommen ist, bleibt erhalten; nichts \
             wurde erneut gesendet."
        ),
    }
    fn stopped() { en: "Stopped", de: "Gestoppt" }
    fn request_failed_status(status: u16 = 502) {
        en: format!("The request failed ({status})"),
        de: format!("Die Anfrage ist fehlgeschlagen ({status})"),
    }
    fn copilot_error() {
        en: "The copilot reported an error",
        de: "Der Copilot hat einen Fehler gemeldet",
    }
}

impl Locale {
    /// What the person reads of a problem+json body (an HTTP refusal or an `error` frame).
    pub fn problem(self, problem: &ProblemDetails) -> TurnError {
        let server = problem.detail.as_deref().unwrap_or_default();
        let said = |title: String, detail: String| (title, Some(detail).filter(|d| !d.is_empty()));
        let (title, detail) = match problem.code.as_deref().unwrap_or_default() {
            "rate_limited" => said(self.too_many_requests(), self.rate_limited_detail(server)),
            "too_many_streams" => said(
                self.too_many_streams(),
                self.too_many_streams_detail(server),
            ),
            "limits_store_unavailable" | "session_store_unavailable" | "not_ready" => said(
                self.service_unavailable(),
                self.service_unavailable_detail(),
            ),
            "session_expired" => said(self.session_expired(), self.session_expired_detail()),
            "csrf_token_invalid" => said(self.session_changed(), self.session_changed_detail()),
            "cross_site_request" => said(self.cross_site(), self.cross_site_detail()),
            "approval_not_allowed" => said(
                self.approval_not_allowed(),
                self.approval_not_allowed_detail(),
            ),
            "not_authorized" => said(self.not_authorized(), self.not_authorized_detail()),
            "already_confirmed" => said(
                self.already_approved(),
                self.approved_by(server)
                    .unwrap_or_else(|| server.to_owned()),
            ),
            "confirmation_in_doubt" => {
                said(self.outcome_unknown(), self.outcome_unknown_detail(server))
            }
            "stale_confirmation" => said(self.stale(), self.stale_detail(server)),
            "unknown_confirmation" => said(
                self.unknown_confirmation(),
                self.unknown_confirmation_detail(server),
            ),
            "upstream_timeout" => said(self.upstream_unanswered(), self.upstream_timeout_detail()),
            "upstream_unreachable" => said(
                self.upstream_unanswered(),
                self.upstream_unreachable_detail(),
            ),
            "upstream_failed" => said(self.broke_off(), self.upstream_failed_detail()),
            "upstream_broken" => said(self.broke_off(), self.broke_off_detail()),
            "upstream_redirect" => {
                said(self.upstream_unanswered(), self.upstream_redirect_detail())
            }
            "body_too_large" | "body_timeout" | "body_unreadable" | "invalid_body"
            | "validation_error" | "payload_too_large" => {
                said(self.not_accepted(), self.not_accepted_detail(server))
            }
            "not_found" => said(self.not_found(), self.not_found_detail(server)),
            "missing_api_key" | "invalid_api_key" | "insufficient_scope" => {
                said(self.key_refused(), self.key_refused_detail(server))
            }
            "unknown_host" => said(self.misdirected(), self.misdirected_detail()),
            "no_published_version" => said(
                self.no_published_version(),
                self.no_published_version_detail(),
            ),
            // A code the panel does not know: the server's detail is all there is to say;
            // English keeps its title as well.
            _ => {
                let fallback = || match problem.status {
                    Some(status) => self.request_failed_status(status),
                    None => self.copilot_error(),
                };
                let title = match self {
                    Self::En => problem.title.clone().unwrap_or_else(fallback),
                    Self::De => fallback(),
                };
                (title, problem.detail.clone())
            }
        };
        // English shows the server's own English where it gave it (it says what the catalog
        // would, often with more: which origin, which agent), but for the refusals the panel
        // always worded itself; the catalog's English stands in for what it left out.
        let worded_here = matches!(
            problem.code.as_deref(),
            Some(
                "approval_not_allowed"
                    | "not_authorized"
                    | "csrf_token_invalid"
                    | "session_expired"
            )
        );
        let (title, detail) = match self {
            Self::En if !worded_here => (
                problem.title.clone().unwrap_or(title),
                problem.detail.clone().or(detail),
            ),
            _ => (title, detail),
        };
        TurnError {
            title,
            detail,
            fields: problem
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect(),
        }
    }
}
