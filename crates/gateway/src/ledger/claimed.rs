//! One request's claim on the items it confirms, as the proxy holds it: claimed (or claimed
//! again after its thread showed nothing was done), then settled by how the answer ended — and
//! left in doubt if the request went away before it was settled.

use serde_json::Value;

use super::{Approval, Backend, Ledger, Settlement, item_keys, settle_in_memory};
use crate::store::StoreError;

/// A claim that must be settled: if dropped unsettled (the request went away mid-way), it
/// stays in doubt, never released.
pub struct Claimed {
    ledger: std::sync::Arc<Ledger>,
    keys: Vec<String>,
}

impl Claimed {
    /// Claims the confirmed items of `body` under `key_name` for `approval`: the claim to
    /// settle (`None` when the body confirms nothing), or the earlier approval of one of them.
    pub async fn claim(
        ledger: &std::sync::Arc<Ledger>,
        body: &Value,
        key_name: &str,
        approval: &Approval,
    ) -> Result<Result<Option<Claimed>, Approval>, StoreError> {
        let keys = item_keys(body, key_name);
        if keys.is_empty() {
            return Ok(Ok(None));
        }
        Ok(match ledger.claim(&keys, approval).await? {
            Some(earlier) => Err(earlier),
            None => Ok(Some(Claimed {
                ledger: std::sync::Arc::clone(ledger),
                keys,
            })),
        })
    }

    /// Claims the items of `body` again where the ledger holds them in doubt as `earlier`,
    /// after their thread showed the upstream did not act: the claim, or what stood in the way.
    pub async fn reclaim(
        ledger: &std::sync::Arc<Ledger>,
        body: &Value,
        key_name: &str,
        earlier: &Approval,
        approval: &Approval,
    ) -> Result<Result<Claimed, Approval>, StoreError> {
        let keys = item_keys(body, key_name);
        Ok(match ledger.reclaim(&keys, earlier, approval).await? {
            Some(current) => Err(current),
            None => Ok(Claimed {
                ledger: std::sync::Arc::clone(ledger),
                keys,
            }),
        })
    }

    /// Records, without forwarding anything, that the items of `body` were carried out (their
    /// thread records it).
    pub async fn mark_done(
        ledger: &Ledger,
        body: &Value,
        key_name: &str,
    ) -> Result<(), StoreError> {
        ledger
            .settle(&item_keys(body, key_name), Settlement::Done)
            .await
    }

    /// Records how it ended.
    pub async fn settle(mut self, settlement: Settlement) {
        let keys = std::mem::take(&mut self.keys);
        if let Err(error) = self.ledger.settle(&keys, settlement).await {
            tracing::error!(%error, ?settlement, "cannot record how a confirmation ended");
        }
    }

    /// [`Self::settle`] where awaiting is not possible (a reply's end): at once in memory, in
    /// the background in Redis.
    pub fn settle_soon(mut self, settlement: Settlement) {
        let keys = std::mem::take(&mut self.keys);
        if let Backend::Memory(entries) = &self.ledger.backend {
            settle_in_memory(entries, &keys, settlement);
            return;
        }
        let ledger = std::sync::Arc::clone(&self.ledger);
        let write = async move {
            if let Err(error) = ledger.settle(&keys, settlement).await {
                tracing::error!(%error, ?settlement, "cannot record how a confirmation ended");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(write);
            }
            Err(_) => tracing::error!("no runtime to record a confirmation's end"),
        }
    }
}

impl Drop for Claimed {
    fn drop(&mut self) {
        if !self.keys.is_empty() {
            let keys = std::mem::take(&mut self.keys);
            Claimed {
                ledger: std::sync::Arc::clone(&self.ledger),
                keys,
            }
            .settle_soon(Settlement::InDoubt);
        }
    }
}
