//! Decisions only the browser knows: the proposals the person rejected. Rejecting sends
//! nothing (the server still holds the proposal), so the panel keeps each rejection in
//! localStorage, per thread and item, and a reload shows the card rejected rather than asking
//! again. The panel's controller does the storing; this is the pure record.
//!
//! An item is kept by a fingerprint of its JSON (keys in order), not by its text: the record
//! holds no phone number or name, and the same proposal always has the same fingerprint.

use assist_protocol::PendingConfirmation;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How many threads' decisions are kept (the recent conversations and a few more); the oldest
/// go first.
pub const MAX_THREADS: usize = 25;

/// The rejections of each thread, the most recently changed thread last.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decisions {
    threads: Vec<ThreadDecisions>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct ThreadDecisions {
    thread: String,
    rejected: Vec<String>,
}

impl Decisions {
    /// Reads what was stored; anything unreadable counts as no decisions (it is only a record
    /// of rejections: losing it shows a rejected card as waiting again, nothing more).
    pub fn parse(json: &str) -> Self {
        serde_json::from_str(json).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("decisions serialize")
    }

    /// Notes that the person rejected `item` in `thread`.
    pub fn reject(&mut self, thread: &str, item: &PendingConfirmation) {
        let key = item_key(item);
        let mut entry = match self.threads.iter().position(|t| t.thread == thread) {
            Some(i) => self.threads.remove(i),
            None => ThreadDecisions {
                thread: thread.to_owned(),
                rejected: Vec::new(),
            },
        };
        if !entry.rejected.contains(&key) {
            entry.rejected.push(key);
        }
        self.threads.push(entry);
        let excess = self.threads.len().saturating_sub(MAX_THREADS);
        self.threads.drain(..excess);
    }

    /// Whether the person rejected `item` in `thread`.
    pub fn is_rejected(&self, thread: &str, item: &PendingConfirmation) -> bool {
        let key = item_key(item);
        self.threads
            .iter()
            .any(|t| t.thread == thread && t.rejected.contains(&key))
    }
}

/// A fingerprint of the item: FNV-1a (64 bits) of its JSON with every object's keys in order.
pub fn item_key(item: &PendingConfirmation) -> String {
    let mut text = String::new();
    canonical(&Value::Object(item.0.clone()), &mut text);
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// `value` as JSON with object keys sorted, whatever order the map keeps them in.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(list) => {
            out.push('[');
            for (i, inner) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(inner, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(value: Value) -> PendingConfirmation {
        PendingConfirmation(value.as_object().unwrap().clone())
    }

    #[test]
    fn a_rejection_is_kept_per_thread_and_item_and_survives_its_json() {
        let release =
            item(json!({"name": "releaseNumber", "args": {"numberId": "num_1", "e164": "+1"}}));
        let reordered =
            item(json!({"args": {"e164": "+1", "numberId": "num_1"}, "name": "releaseNumber"}));
        let other = item(json!({"name": "releaseNumber", "args": {"numberId": "num_2"}}));
        assert_eq!(
            item_key(&release),
            item_key(&reordered),
            "keys in any order"
        );
        assert_ne!(item_key(&release), item_key(&other));

        let mut decisions = Decisions::default();
        decisions.reject("thr_a", &release);
        decisions.reject("thr_a", &release);
        let stored = Decisions::parse(&decisions.to_json());
        assert_eq!(stored, decisions);
        assert!(stored.is_rejected("thr_a", &reordered));
        assert!(!stored.is_rejected("thr_b", &release), "per thread");
        assert!(!stored.is_rejected("thr_a", &other), "per item");
        assert!(
            !stored.to_json().contains("num_1"),
            "no detail of the item is kept"
        );
    }

    #[test]
    fn the_oldest_threads_go_first_and_garbage_reads_as_nothing() {
        let release = item(json!({"name": "releaseNumber"}));
        let mut decisions = Decisions::default();
        for n in 0..MAX_THREADS + 3 {
            decisions.reject(&format!("thr_{n}"), &release);
        }
        // A thread decided again moves to the end.
        decisions.reject("thr_3", &release);
        decisions.reject(&format!("thr_{}", MAX_THREADS + 3), &release);
        assert!(!decisions.is_rejected("thr_0", &release));
        assert!(!decisions.is_rejected("thr_4", &release));
        assert!(decisions.is_rejected("thr_3", &release));
        assert!(decisions.is_rejected("thr_5", &release));
        for garbage in ["", "null", "[1,2]", "{\"threads\": 3}", "not json"] {
            assert_eq!(Decisions::parse(garbage), Decisions::default(), "{garbage}");
        }
    }
}
