//! Recent conversations: the threads a panel left with "New conversation", kept so the person
//! can go back to one. The list lives in localStorage under the panel's storage key (the
//! controller stores it); each entry is a thread id with its title (the thread endpoint's, or
//! the first message until that is known) and when it was last seen. Reopening one reads the
//! thread again from the server.

use serde::{Deserialize, Serialize};

/// How many conversations the list keeps; the oldest go first.
pub const MAX_RECENT: usize = 20;

/// The longest title kept (a first message can be 4,000 characters).
const MAX_TITLE_CHARS: usize = 80;

/// One conversation to go back to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentConversation {
    pub thread_id: String,
    pub title: String,
    /// When the panel last had it open (RFC 3339), for the list's dates.
    #[serde(default)]
    pub seen_at: Option<String>,
}

impl RecentConversation {
    pub fn new(thread_id: &str, title: &str, seen_at: Option<String>) -> Self {
        Self {
            thread_id: thread_id.to_owned(),
            title: short_title(title),
            seen_at,
        }
    }
}

/// A title on one line, at most [`MAX_TITLE_CHARS`] characters; empty when there is none
/// (the view says "Untitled conversation" in the panel's language).
fn short_title(title: &str) -> String {
    let line = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return line;
    }
    if line.chars().count() <= MAX_TITLE_CHARS {
        return line;
    }
    let cut: String = line.chars().take(MAX_TITLE_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// The list, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recent {
    pub conversations: Vec<RecentConversation>,
}

impl Recent {
    /// Reads what was stored; anything unreadable is an empty list (and entries without a
    /// plain thread id are dropped: the id goes into a URL path).
    pub fn parse(json: &str) -> Self {
        let mut recent: Self = serde_json::from_str(json).unwrap_or_default();
        recent
            .conversations
            .retain(|c| assist_protocol::is_plain_id(&c.thread_id));
        recent.conversations.truncate(MAX_RECENT);
        recent
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("the list serializes")
    }

    /// Puts `conversation` first (once: an older entry of the same thread goes), keeping the
    /// newest [`MAX_RECENT`].
    pub fn remember(&mut self, conversation: RecentConversation) {
        self.forget(&conversation.thread_id);
        self.conversations.insert(0, conversation);
        self.conversations.truncate(MAX_RECENT);
    }

    /// Takes the thread out of the list (it is open again, or the server no longer has it).
    pub fn forget(&mut self, thread_id: &str) {
        self.conversations.retain(|c| c.thread_id != thread_id);
    }

    /// Gives the thread the title the server knows it by, if it is still listed.
    pub fn retitle(&mut self, thread_id: &str, title: &str) {
        if let Some(entry) = self
            .conversations
            .iter_mut()
            .find(|c| c.thread_id == thread_id)
            && !title.trim().is_empty()
        {
            entry.title = short_title(title);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, title: &str) -> RecentConversation {
        RecentConversation::new(id, title, None)
    }

    #[test]
    fn the_newest_come_first_once_each_and_the_oldest_go() {
        let mut recent = Recent::default();
        for n in 0..MAX_RECENT + 2 {
            recent.remember(entry(&format!("thr_{n}"), &format!("Conversation {n}")));
        }
        recent.remember(entry("thr_5", "again"));
        assert_eq!(recent.conversations.len(), MAX_RECENT);
        assert_eq!(recent.conversations[0].thread_id, "thr_5");
        assert_eq!(recent.conversations[1].thread_id, "thr_21");
        assert_eq!(
            recent
                .conversations
                .iter()
                .filter(|c| c.thread_id == "thr_5")
                .count(),
            1
        );
        assert!(!recent.conversations.iter().any(|c| c.thread_id == "thr_1"));
        recent.forget("thr_5");
        assert_eq!(recent.conversations[0].thread_id, "thr_21");
        assert_eq!(Recent::parse(&recent.to_json()), recent);
    }

    #[test]
    fn titles_are_one_short_line_and_the_servers_title_replaces_a_first_message() {
        let long = format!("release\nthe number {}", "x".repeat(200));
        let title = entry("thr_1", &long).title;
        assert!(title.chars().count() <= MAX_TITLE_CHARS && title.ends_with('…'));
        assert!(!title.contains('\n'));
        assert_eq!(entry("thr_2", "  ").title, "", "worded by the view");
        let mut recent = Recent::default();
        recent.remember(entry("thr_1", "release the number ending 4421"));
        recent.retitle("thr_1", "Release the number ending 4421");
        recent.retitle("thr_1", "");
        recent.retitle("thr_gone", "ignored");
        assert_eq!(
            recent.conversations[0].title,
            "Release the number ending 4421"
        );
        assert_eq!(recent.conversations.len(), 1);
    }

    #[test]
    fn what_was_stored_is_read_with_suspicion() {
        for garbage in ["", "[]", "{\"conversations\": 1}", "nope"] {
            assert_eq!(Recent::parse(garbage), Recent::default(), "{garbage}");
        }
        let stored = r#"{"conversations":[{"threadId":"../keys","title":"x"},
            {"threadId":"thr_ok","title":"Fine","seenAt":"2026-12-01T10:00:00Z"}]}"#;
        let recent = Recent::parse(stored);
        assert_eq!(recent.conversations.len(), 1);
        assert_eq!(recent.conversations[0].thread_id, "thr_ok");
    }
}
