//! The confirmation ledger: a confirmed item is forwarded at most once, whichever tab, device
//! or gateway sends it. Flowyte's docs do not promise that the control plane refuses a second
//! confirmation of the same item, so the gateway keeps the promise itself.
//!
//! An item is known by its canonical JSON (keys sorted, so the same item sent with its fields
//! in another order is the same item), its thread and the key it runs under. Claiming is one
//! atomic step for all the items of a request (Redis `SET NX` inside one script when
//! `REDIS_URL` is set, a lock in memory otherwise). A claim then becomes:
//! - *done* when the upstream's answer ended cleanly: a repeat is 409 `already_confirmed`,
//!   naming who approved and when;
//! - *in doubt* when the request was sent and its answer broke off (a timeout, a cut stream,
//!   the browser gone): the upstream may have acted, so a repeat is 409
//!   `confirmation_in_doubt` and the panel reads the thread to learn what happened;
//! - released (forgotten) only when the upstream certainly did not act: it could not be
//!   connected to, or answered an error status before any stream.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::store::{StoreError, hash, now_ms};

mod claimed;
pub use claimed::Claimed;

/// How long an approval is remembered.
pub const REMEMBER: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Where a claimed confirmation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Sent upstream, its answer still streaming.
    Forwarding,
    /// The upstream's answer ended cleanly.
    Done,
    /// Sent, and its answer broke off: the upstream may have acted.
    InDoubt,
}

/// Who approved an item, when, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub standing: Standing,
    pub sub: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// When it was approved (RFC 3339).
    pub at: String,
}

impl Approval {
    /// The person, as people read it: "Ana Approver (ana@northwind.example)".
    pub fn who(&self) -> String {
        match (&self.name, &self.email) {
            (Some(name), Some(email)) => format!("{name} ({email})"),
            (Some(name), None) => name.clone(),
            (None, Some(email)) => email.clone(),
            (None, None) => self.sub.clone(),
        }
    }
}

/// How a forwarded confirmation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    Done,
    InDoubt,
    /// The upstream certainly did not act: forget the claim.
    Release,
}

/// `value` with every object's keys sorted, as compact JSON.
pub fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                let mut out = serde_json::Map::new();
                for (key, value) in entries {
                    out.insert(key.clone(), sorted(value));
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string(&sorted(value)).expect("JSON serializes")
}

/// The ledger keys of the confirmed items of a request body, under the key named `key_name`.
pub fn item_keys(body: &Value, key_name: &str) -> Vec<String> {
    let thread = body.get("threadId").and_then(Value::as_str).unwrap_or("");
    body.get("confirmed")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|item| {
            let id = hash(&format!("{}\n{thread}\n{key_name}", canonical(item)));
            format!("flowyte:gateway:confirmed:{id}")
        })
        .collect()
}

/// Claims every key unless one is taken: returns the taken one's approval, or nothing.
const CLAIM: &str = r"
for _, key in ipairs(KEYS) do
  local taken = redis.call('GET', key)
  if taken then return taken end
end
for _, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
end
return false
";

/// Claims every key again for a new approval, if each one is absent or still holds the
/// in-doubt approval `ARGV[1]` (its thread showed nothing was done): returns the value that
/// stood in the way, or nothing.
const RECLAIM: &str = r"
for _, key in ipairs(KEYS) do
  local taken = redis.call('GET', key)
  if taken and taken ~= ARGV[1] then return taken end
end
for _, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[2], 'PX', ARGV[3])
end
return false
";

enum Backend {
    Memory(Mutex<HashMap<String, (Approval, u64)>>),
    Redis(redis::aio::ConnectionManager),
}

/// The approvals already forwarded.
pub struct Ledger {
    backend: Backend,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.backend {
            Backend::Memory(_) => "Ledger(memory)",
            Backend::Redis(_) => "Ledger(redis)",
        })
    }
}

impl Ledger {
    pub fn memory() -> Self {
        Self {
            backend: Backend::Memory(Mutex::default()),
        }
    }

    pub fn redis(manager: redis::aio::ConnectionManager) -> Self {
        Self {
            backend: Backend::Redis(manager),
        }
    }

    /// Claims `keys` for `approval` (standing `Forwarding`), all or none: `Ok(None)` when
    /// claimed, `Ok(Some(earlier))` when one was approved before.
    pub async fn claim(
        &self,
        keys: &[String],
        approval: &Approval,
    ) -> Result<Option<Approval>, StoreError> {
        if keys.is_empty() {
            return Ok(None);
        }
        match &self.backend {
            Backend::Memory(entries) => {
                let now = now_ms();
                let mut entries = entries.lock().expect("ledger lock");
                entries.retain(|_, (_, expires)| *expires > now);
                if let Some((earlier, _)) = keys.iter().find_map(|k| entries.get(k)) {
                    return Ok(Some(earlier.clone()));
                }
                let expires = now + REMEMBER.as_millis() as u64;
                for key in keys {
                    entries.insert(key.clone(), (approval.clone(), expires));
                }
                Ok(None)
            }
            Backend::Redis(manager) => {
                let json = serde_json::to_string(approval).expect("approvals serialize");
                let claim = redis::Script::new(CLAIM);
                let mut script = claim.prepare_invoke();
                for key in keys {
                    script.key(key);
                }
                let taken: Option<String> = script
                    .arg(json)
                    .arg(REMEMBER.as_millis() as u64)
                    .invoke_async(&mut manager.clone())
                    .await?;
                Ok(taken.and_then(|j| serde_json::from_str(&j).ok()))
            }
        }
    }

    /// Claims `keys` again for `approval` where they still hold the in-doubt `earlier` (its
    /// thread shows the upstream did not act), all or none, in one atomic step: `Ok(None)`
    /// when claimed, `Ok(Some(current))` when another claim got there first.
    pub async fn reclaim(
        &self,
        keys: &[String],
        earlier: &Approval,
        approval: &Approval,
    ) -> Result<Option<Approval>, StoreError> {
        match &self.backend {
            Backend::Memory(entries) => {
                let mut entries = entries.lock().expect("ledger lock");
                if let Some((current, _)) = keys
                    .iter()
                    .filter_map(|k| entries.get(k))
                    .find(|(current, _)| current != earlier)
                {
                    return Ok(Some(current.clone()));
                }
                let expires = now_ms() + REMEMBER.as_millis() as u64;
                for key in keys {
                    entries.insert(key.clone(), (approval.clone(), expires));
                }
                Ok(None)
            }
            Backend::Redis(manager) => {
                let script = redis::Script::new(RECLAIM);
                let mut invoke = script.prepare_invoke();
                for key in keys {
                    invoke.key(key);
                }
                let taken: Option<String> = invoke
                    .arg(serde_json::to_string(earlier).expect("approvals serialize"))
                    .arg(serde_json::to_string(approval).expect("approvals serialize"))
                    .arg(REMEMBER.as_millis() as u64)
                    .invoke_async(&mut manager.clone())
                    .await?;
                Ok(taken.and_then(|j| serde_json::from_str(&j).ok()))
            }
        }
    }

    /// Records how the forwarded confirmation of `keys` ended.
    pub async fn settle(&self, keys: &[String], settlement: Settlement) -> Result<(), StoreError> {
        let manager = match &self.backend {
            Backend::Memory(entries) => {
                settle_in_memory(entries, keys, settlement);
                return Ok(());
            }
            Backend::Redis(manager) => manager,
        };
        let mut conn = manager.clone();
        let standing = match settlement {
            Settlement::Done => Standing::Done,
            Settlement::InDoubt => Standing::InDoubt,
            Settlement::Release => {
                let _: () = conn.del(keys).await?;
                return Ok(());
            }
        };
        for key in keys {
            let json: Option<String> = conn.get(key).await?;
            let Some(mut approval) = json.and_then(|j| serde_json::from_str::<Approval>(&j).ok())
            else {
                continue;
            };
            approval.standing = standing;
            let json = serde_json::to_string(&approval).expect("approvals serialize");
            let _: () = redis::cmd("SET")
                .arg(key)
                .arg(json)
                .arg("XX")
                .arg("KEEPTTL")
                .query_async(&mut conn)
                .await?;
        }
        Ok(())
    }
}

fn settle_in_memory(
    entries: &Mutex<HashMap<String, (Approval, u64)>>,
    keys: &[String],
    settlement: Settlement,
) {
    let mut entries = entries.lock().expect("ledger lock");
    for key in keys {
        match settlement {
            Settlement::Release => {
                entries.remove(key);
            }
            Settlement::Done | Settlement::InDoubt => {
                if let Some((approval, _)) = entries.get_mut(key) {
                    approval.standing = if settlement == Settlement::Done {
                        Standing::Done
                    } else {
                        Standing::InDoubt
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn approval() -> Approval {
        Approval {
            standing: Standing::Forwarding,
            sub: "ana".into(),
            name: Some("Ana Approver".into()),
            email: Some("ana@northwind.example".into()),
            at: "2026-12-01T10:00:00Z".into(),
        }
    }

    #[test]
    fn the_same_item_in_another_field_order_is_the_same_item() {
        let a = json!({"threadId": "t", "confirmed": [{"name": "x", "args": {"b": 1, "a": 2}}]});
        let b = json!({"confirmed": [{"args": {"a": 2, "b": 1}, "name": "x"}], "threadId": "t"});
        assert_eq!(item_keys(&a, "k"), item_keys(&b, "k"));
        let other_thread =
            json!({"threadId": "u", "confirmed": [{"name": "x", "args": {"b": 1, "a": 2}}]});
        assert_ne!(item_keys(&a, "k"), item_keys(&other_thread, "k"));
        assert_ne!(item_keys(&a, "k"), item_keys(&a, "other-key"));
        assert!(item_keys(&json!({"message": "hi"}), "k").is_empty());
    }

    #[tokio::test]
    async fn a_claim_is_all_or_none_and_only_a_release_frees_it() {
        let ledger = Ledger::memory();
        let keys = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(ledger.claim(&keys, &approval()).await.unwrap(), None);
        let again = ledger
            .claim(&["b".to_owned(), "c".to_owned()], &approval())
            .await
            .unwrap();
        assert_eq!(again.unwrap().standing, Standing::Forwarding);
        // "c" was not claimed by the refused attempt.
        assert_eq!(
            ledger.claim(&["c".to_owned()], &approval()).await.unwrap(),
            None
        );
        ledger.settle(&keys, Settlement::InDoubt).await.unwrap();
        let doubt = ledger.claim(&keys, &approval()).await.unwrap().unwrap();
        assert_eq!(doubt.standing, Standing::InDoubt);
        ledger.settle(&keys, Settlement::Release).await.unwrap();
        assert_eq!(ledger.claim(&keys, &approval()).await.unwrap(), None);
        assert_eq!(approval().who(), "Ana Approver (ana@northwind.example)");
    }
}
