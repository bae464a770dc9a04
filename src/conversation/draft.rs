//! The message box's limit: the copilot takes messages of at most 4,000 characters
//! (`/assist`'s `message`), so the panel counts as the person nears it and refuses a longer
//! one before sending, keeping every character in the box.

/// The longest message `/assist` accepts, in characters (Unicode scalar values, as the
/// server counts them), after trimming.
pub const MAX_MESSAGE_CHARS: usize = 4_000;

/// From this many characters on, the box shows the count.
pub const COUNT_FROM: usize = 3_600;

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
    pub fn counter(&self) -> Option<String> {
        (self.chars >= COUNT_FROM).then(|| {
            format!(
                "{} / {}",
                thousands(self.chars),
                thousands(MAX_MESSAGE_CHARS)
            )
        })
    }

    /// Why Send is refused, in words (also what a screen reader hears).
    pub fn refusal(&self) -> Option<String> {
        self.is_over().then(|| {
            let over = self.chars - MAX_MESSAGE_CHARS;
            format!(
                "{} {} over the {}-character limit: shorten the message to send it.",
                thousands(over),
                if over == 1 { "character" } else { "characters" },
                thousands(MAX_MESSAGE_CHARS)
            )
        })
    }
}

/// `4000` → "4,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_shows_near_the_limit_and_a_longer_message_is_refused() {
        let short = DraftLength::of("list my agents");
        assert_eq!((short.counter(), short.is_over()), (None, false));
        let near = DraftLength::of(&"a".repeat(3_812));
        assert_eq!(near.counter().as_deref(), Some("3,812 / 4,000"));
        assert_eq!(near.refusal(), None);
        let at = DraftLength::of(&format!("  {}\n", "é".repeat(MAX_MESSAGE_CHARS)));
        assert_eq!(
            (at.chars, at.is_over()),
            (4_000, false),
            "trimmed, in characters"
        );
        let over = DraftLength::of(&"a".repeat(4_012));
        assert!(over.is_over());
        assert_eq!(over.counter().as_deref(), Some("4,012 / 4,000"));
        assert_eq!(
            over.refusal().as_deref(),
            Some("12 characters over the 4,000-character limit: shorten the message to send it.")
        );
        assert_eq!(
            DraftLength::of(&"a".repeat(4_001)).refusal().unwrap(),
            "1 character over the 4,000-character limit: shorten the message to send it."
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
