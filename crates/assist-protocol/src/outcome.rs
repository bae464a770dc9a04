//! What became of a confirmed item whose answer broke off, as its thread tells it: the rule
//! the gateway's confirmation ledger and the panel both apply, so they never disagree.

use crate::{AssistThread, PendingConfirmation};

/// What became of an approval whose answer broke off, as the thread tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApprovalOutcome {
    /// The thread records the change the item asked for.
    CarriedOut,
    /// The thread still offers the item: nothing was done, it can be approved again.
    StillPending,
    /// The thread says neither (it was refused, or the record is not there yet).
    Unknown,
}

/// Whether `item` was carried out, going by the thread: a recorded change with the item's
/// method and path, or the item still among the thread's open proposals.
pub fn approval_outcome(thread: &AssistThread, item: &PendingConfirmation) -> ApprovalOutcome {
    let same = |method: Option<&str>, path: Option<&str>| {
        method
            .zip(item.method())
            .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
            && path.is_some()
            && path == item.path()
    };
    let done = thread.messages.iter().any(|m| {
        m.role != "user"
            && m.mutations
                .iter()
                .any(|mu| same(Some(mu.method.as_str()), Some(mu.path.as_str())))
    });
    if done {
        ApprovalOutcome::CarriedOut
    } else if thread.pending_confirmations.contains(item) {
        ApprovalOutcome::StillPending
    } else {
        ApprovalOutcome::Unknown
    }
}
