//! The German panel's suggestions, understood: the simulator's copilot reads English, and a
//! German panel offers these four sentences as its first requests (`src/i18n/panel.rs`). A real
//! copilot understands any language; this stand-in knows exactly these, and answers in English.

/// The English request a German suggestion stands for.
pub fn in_english(message: &str) -> Option<&'static str> {
    let said = message
        .trim()
        .trim_end_matches(['?', '.', '!'])
        .to_lowercase();
    Some(match said.as_str() {
        "zeige meine agenten" => "List my agents",
        "welche anrufe sind gestern fehlgeschlagen" => "Which calls failed yesterday?",
        "zeige meine nummern" => "List my numbers",
        "warum sind gestern anrufe fehlgeschlagen" => "Why did calls fail yesterday?",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::in_english;

    #[test]
    fn the_german_suggestions_read_as_their_english_and_nothing_else_does() {
        assert_eq!(in_english("Zeige meine Agenten"), Some("List my agents"));
        assert_eq!(
            in_english(" welche Anrufe sind gestern fehlgeschlagen? "),
            Some("Which calls failed yesterday?")
        );
        assert_eq!(in_english("Lösche alle Agenten"), None);
    }
}
