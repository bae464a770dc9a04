//! The message box's limit: the copilot takes messages of at most 4,000 characters
//! (`/assist`'s `message`), so the panel counts as the person nears it and refuses a longer
//! one before sending, keeping every character in the box.

/// The longest message `/assist` accepts, in characters (Unicode scalar values, as the
/// server counts them), after trimming.
pub const MAX_MESSAGE_CHARS: usize = 4_000;

/// From this many characters on, the box shows the count.
pub const COUNT_FROM: usize = 3_600;

use crate::i18n::Locale;

/// What the box says of a draft's length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftLength {
    /// Characters that would be sent (trimmed).
    pub chars: usize,
}

impl DraftLength {
    pub fn of(draft: &str) -> Self {
        Self {
            chars: draft.trim().chars().count(),
        }
    }

    /// Over the limit: Send is refused.
    pub fn is_over(&self) -> bool {
        self.chars > MAX_MESSAGE_CHARS
    }

    /// The count beside the box ("3,812 / 4,000"), once the draft nears the limit.
    pub fn counter(&self, t: Locale) -> Option<String> {
        (self.chars >= COUNT_FROM).then(|| t.draft_counter(self.chars, MAX_MESSAGE_CHARS))
    }

    /// Why Send is refused, in words (also what a screen reader hears).
    pub fn refusal(&self, t: Locale) -> Option<String> {
        self.is_over()
            .then(|| t.draft_refusal(self.chars - MAX_MESSAGE_CHARS, MAX_MESSAGE_CHARS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_shows_near_the_limit_and_a_longer_message_is_refused() {
        let short = DraftLength::of("list my agents");
        assert_eq!((short.counter(Locale::En), short.is_over()), (None, false));
        let near = DraftLength::of(&"a".repeat(3_812));
        assert_eq!(near.counter(Locale::En).as_deref(), Some("3,812 / 4,000"));
        assert_eq!(near.refusal(Locale::En), None);
        let at = DraftLength::of(&format!("  {}\n", "é".repeat(MAX_MESSAGE_CHARS)));
        assert_eq!(
            (at.chars, at.is_over()),
            (4_000, false),
            "trimmed, in characters"
        );
        let over = DraftLength::of(&"a".repeat(4_012));
        assert!(over.is_over());
        assert_eq!(over.counter(Locale::En).as_deref(), Some("4,012 / 4,000"));
        assert_eq!(
            over.refusal(Locale::En).as_deref(),
            Some("12 characters over the 4,000-character limit: shorten the message to send it.")
        );
        assert_eq!(
            DraftLength::of(&"a".repeat(4_001))
                .refusal(Locale::En)
                .unwrap(),
            "1 character over the 4,000-character limit: shorten the message to send it."
        );
        assert_eq!(
            over.refusal(Locale::De).as_deref(),
            Some(
                "12 Zeichen über der Grenze von 4.000 Zeichen: Kürzen Sie die Nachricht, um sie zu senden."
            )
        );
        assert_eq!(near.counter(Locale::De).as_deref(), Some("3.812 / 4.000"));
    }
}
