//! Copilot threads: the history of each conversation with the copilot and the destructive
//! actions it proposed, each usable once.

use assist_protocol::{AppliedMutation, FieldError, PendingConfirmation, ProblemDetails};
use serde::{Deserialize, Serialize};

use crate::ops::Destructive;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    pub id: String,
    /// The agent of `/agents/{id}/assist` threads; `None` for account threads.
    pub agent_id: Option<String>,
    pub title: String,
    pub created_at: String,
    pub updated_at: String,
    pub messages: Vec<Message>,
    /// Every destructive action proposed in this thread, in order.
    pub pending: Vec<Proposal>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: String,
    /// `user` or `assistant`.
    pub role: String,
    pub content: String,
    pub created_at: String,
    pub mutations: Vec<AppliedMutation>,
    /// Assistant turns: the approvals this turn asked for (an extension of the documented
    /// shape, so a panel can restore its approval cards).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_confirmations: Vec<PendingConfirmation>,
    /// User turns that approved items: what they approved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confirmed: Vec<PendingConfirmation>,
}

/// One proposed action and whether it has been used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    pub item: PendingConfirmation,
    pub used: bool,
}

/// `GET /assist/threads/{id}`: `{thread, messages}` as documented, plus
/// `pendingConfirmations`, the proposals not used yet.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadView<'a> {
    pub thread: ThreadHead<'a>,
    pub messages: &'a [Message],
    pub pending_confirmations: Vec<&'a PendingConfirmation>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadHead<'a> {
    pub id: &'a str,
    pub agent_id: Option<&'a str>,
    pub title: &'a str,
    pub created_at: &'a str,
    pub updated_at: &'a str,
}

impl Thread {
    pub fn view(&self) -> ThreadView<'_> {
        ThreadView {
            thread: ThreadHead {
                id: &self.id,
                agent_id: self.agent_id.as_deref(),
                title: &self.title,
                created_at: &self.created_at,
                updated_at: &self.updated_at,
            },
            messages: &self.messages,
            pending_confirmations: self
                .pending
                .iter()
                .filter(|p| !p.used)
                .map(|p| &p.item)
                .collect(),
        }
    }

    /// Matches every confirmed item, field for field, against a distinct proposal of this
    /// thread that is not used yet. All or nothing: on success the proposals are marked used
    /// and returned; otherwise nothing is marked and the 409 says which items failed.
    pub fn claim(
        &mut self,
        confirmed: &[PendingConfirmation],
    ) -> Result<Vec<(Destructive, PendingConfirmation)>, ProblemDetails> {
        let mut taken = vec![false; self.pending.len()];
        let mut errors = Vec::new();
        let mut any_unknown = false;
        let mut claimed = Vec::new();
        for (i, item) in confirmed.iter().enumerate() {
            let open = self
                .pending
                .iter()
                .enumerate()
                .position(|(j, p)| !p.used && !taken[j] && p.item == *item);
            match (open, Destructive::from_pending(item)) {
                (Some(j), Some(action)) => {
                    taken[j] = true;
                    claimed.push((j, action, item.clone()));
                }
                _ if self.pending.iter().any(|p| p.item == *item) => {
                    errors.push(FieldError {
                        field: format!("confirmed[{i}]"),
                        message: "was already carried out (or is listed twice)".to_owned(),
                    });
                }
                _ => {
                    any_unknown = true;
                    errors.push(FieldError {
                        field: format!("confirmed[{i}]"),
                        message: "does not match anything proposed in this thread".to_owned(),
                    });
                }
            }
        }
        if !errors.is_empty() {
            let problem = if !any_unknown {
                ProblemDetails::new(
                    409,
                    "Stale confirmation",
                    "This action was already carried out or is no longer pending; nothing was run.",
                )
                .with_code("stale_confirmation")
            } else {
                ProblemDetails::new(
                    409,
                    "Unknown confirmation",
                    "A confirmed item does not match, field for field, an action proposed in this \
                     thread; nothing was run.",
                )
                .with_code("unknown_confirmation")
            };
            return Err(ProblemDetails { errors, ..problem });
        }
        for (j, _, _) in &claimed {
            self.pending[*j].used = true;
        }
        Ok(claimed.into_iter().map(|(_, a, item)| (a, item)).collect())
    }

    /// Gives claimed proposals back (the run found them stale before anything ran).
    pub fn unclaim(&mut self, items: &[(Destructive, PendingConfirmation)]) {
        for (_, item) in items {
            if let Some(p) = self.pending.iter_mut().find(|p| p.used && p.item == *item) {
                p.used = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Account;
    use time::macros::datetime;

    fn thread_with(items: Vec<PendingConfirmation>) -> Thread {
        Thread {
            id: "thr_1".into(),
            agent_id: None,
            title: "t".into(),
            created_at: String::new(),
            updated_at: String::new(),
            messages: Vec::new(),
            pending: items
                .into_iter()
                .map(|item| Proposal { item, used: false })
                .collect(),
        }
    }

    fn release(account: &Account, number: &str) -> PendingConfirmation {
        Destructive::ReleaseNumber {
            number_id: number.into(),
        }
        .to_pending(account)
    }

    #[test]
    fn an_item_is_claimed_once_then_stale() {
        let account = Account::seeded(datetime!(2026-11-28 12:00 UTC));
        let item = release(&account, "num_0004");
        let mut thread = thread_with(vec![item.clone()]);
        assert_eq!(thread.claim(std::slice::from_ref(&item)).unwrap().len(), 1);
        let again = thread.claim(std::slice::from_ref(&item)).unwrap_err();
        assert_eq!(again.code.as_deref(), Some("stale_confirmation"));
    }

    #[test]
    fn a_changed_field_is_unknown_and_nothing_is_claimed() {
        let account = Account::seeded(datetime!(2026-11-28 12:00 UTC));
        let good = release(&account, "num_0004");
        let mut forged = release(&account, "num_0004");
        forged.0["args"]["numberId"] = "num_0001".into();
        let mut thread = thread_with(vec![good.clone()]);
        let problem = thread.claim(&[good.clone(), forged]).unwrap_err();
        assert_eq!(problem.code.as_deref(), Some("unknown_confirmation"));
        assert_eq!(problem.errors[0].field, "confirmed[1]");
        assert!(!thread.pending[0].used, "a refused request claims nothing");
        // Listed twice: only one proposal exists.
        let twice = thread.claim(&[good.clone(), good]).unwrap_err();
        assert_eq!(twice.code.as_deref(), Some("stale_confirmation"));
    }
}
