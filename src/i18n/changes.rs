//! The plan of applied changes: its lines, totals and sheet.

use super::{count_de, count_en};
use crate::changes::Totals;

catalog! { samples;
    fn changes_applied(n: usize = 3) {
        en: count_en(n, "change applied", "changes applied"),
        de: count_de(n, "Änderung angewendet", "Änderungen angewendet"),
    }
    /// One turn's folded line: "2 changes applied · 1 created, 1 updated".
    fn turn_changes(n: usize = 2, brief: &str = "‹brief›") {
        en: format!("{} · {brief}", count_en(n, "change applied", "changes applied")),
        de: format!("{} · {brief}", count_de(n, "Änderung angewendet", "Änderungen angewendet")),
    }
    fn created(n: usize = 2) { en: format!("{n} created"), de: format!("{n} erstellt") }
    fn updated(n: usize = 2) { en: format!("{n} updated"), de: format!("{n} geändert") }
    fn destroyed(n: usize = 2) { en: format!("{n} destroyed"), de: format!("{n} gelöscht") }
    fn other(n: usize = 2) { en: format!("{n} other"), de: format!("{n} sonstige") }
    /// "Applied: 2 created, 1 updated, 0 destroyed".
    fn applied(counts: &str = "‹counts›") {
        en: format!("Applied: {counts}"),
        de: format!("Angewendet: {counts}"),
    }
    fn applied_changes() { en: "Applied changes", de: "Angewendete Änderungen" }
    fn close() { en: "Close", de: "Schließen" }
    fn recorded_by_server() { en: "recorded by the server", de: "vom Server festgehalten" }
    fn show_more() { en: "Show more", de: "Mehr zeigen" }
    fn show_less() { en: "Show less", de: "Weniger zeigen" }
    /// A plan row's action, for a screen reader ("create: Added the skill …").
    fn action_create() { en: "create", de: "erstellt" }
    fn action_update() { en: "update", de: "geändert" }
    fn action_destroy() { en: "destroy", de: "gelöscht" }
    /// The plan's group of rows whose path names no resource.
    fn other_resource() { en: "Other", de: "Sonstiges" }
}

impl super::Locale {
    /// The counts that are not zero: "1 created, 1 updated".
    pub fn totals_brief(self, totals: &Totals) -> String {
        [
            (totals.created, Self::created as fn(Self, usize) -> String),
            (totals.updated, Self::updated),
            (totals.destroyed, Self::destroyed),
            (totals.other, Self::other),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, say)| say(self, *n))
        .collect::<Vec<_>>()
        .join(", ")
    }

    /// "Applied: 2 created, 1 updated, 0 destroyed" (and ", 1 other" when there is one).
    pub fn totals_line(self, totals: &Totals) -> String {
        let mut counts = vec![
            self.created(totals.created),
            self.updated(totals.updated),
            self.destroyed(totals.destroyed),
        ];
        if totals.other > 0 {
            counts.push(self.other(totals.other));
        }
        self.applied(&counts.join(", "))
    }
}
