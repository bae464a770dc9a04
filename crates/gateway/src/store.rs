//! Where sessions live: in this process's memory by default, or in Redis (`REDIS_URL`) so that
//! several gateways behind a load balancer share them with no sticky sessions.
//!
//! Both enforce the same expiry: idle (no request for `idle`) and absolute (`absolute` after the
//! session started). In Redis the idle expiry is the key's TTL, renewed on every use.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::AsyncCommands;
use serde::{Deserialize, Serialize};

/// One browser session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The cookie value: the key of this session here and in the limits.
    pub id: String,
    /// The token the page must send back in `X-CSRF-Token`.
    pub csrf: String,
    /// When it started (Unix milliseconds).
    pub created_ms: u64,
    /// Last request (Unix milliseconds; the memory store's idle clock).
    pub last_seen_ms: u64,
}

/// The store could not be reached.
#[derive(Debug, thiserror::Error)]
#[error("the session store is unavailable: {0}")]
pub struct StoreError(#[from] redis::RedisError);

enum Backend {
    Memory(Mutex<HashMap<String, Session>>),
    Redis(redis::aio::ConnectionManager),
}

/// Sessions with idle and absolute expiry.
pub struct SessionStore {
    backend: Backend,
    idle: Duration,
    absolute: Duration,
}

impl std::fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let backend = match self.backend {
            Backend::Memory(_) => "memory",
            Backend::Redis(_) => "redis",
        };
        f.debug_struct("SessionStore")
            .field("backend", &backend)
            .field("idle", &self.idle)
            .field("absolute", &self.absolute)
            .finish()
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn redis_key(id: &str) -> String {
    format!("flowyte:gateway:session:{id}")
}

/// 256 bits from the OS, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS has a random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl SessionStore {
    /// Sessions in this process's memory.
    pub fn memory(idle: Duration, absolute: Duration) -> Self {
        Self {
            backend: Backend::Memory(Mutex::default()),
            idle,
            absolute,
        }
    }

    /// Sessions in the Redis at `url` (e.g. `redis://127.0.0.1:6379`), shared by every gateway
    /// that uses it.
    pub async fn redis(url: &str, idle: Duration, absolute: Duration) -> Result<Self, StoreError> {
        let client = redis::Client::open(url)?;
        let manager = redis::aio::ConnectionManager::new(client).await?;
        Ok(Self {
            backend: Backend::Redis(manager),
            idle,
            absolute,
        })
    }

    /// When a session started at `created_ms` ends at the latest (Unix seconds).
    pub fn expires_at(&self, session: &Session) -> u64 {
        (session.created_ms + self.absolute.as_millis() as u64) / 1000
    }

    fn alive(&self, session: &Session, now: u64) -> bool {
        now.saturating_sub(session.last_seen_ms) < self.idle.as_millis() as u64
            && now.saturating_sub(session.created_ms) < self.absolute.as_millis() as u64
    }

    /// Starts a session.
    pub async fn create(&self) -> Result<Session, StoreError> {
        let now = now_ms();
        let session = Session {
            id: random_token(),
            csrf: random_token(),
            created_ms: now,
            last_seen_ms: now,
        };
        match &self.backend {
            Backend::Memory(sessions) => {
                let mut sessions = sessions.lock().expect("session lock");
                // Expired sessions go whenever a new one starts, so memory stays bounded by
                // the sessions alive in the last idle window.
                sessions.retain(|_, s| self.alive(s, now));
                sessions.insert(session.id.clone(), session.clone());
            }
            Backend::Redis(manager) => {
                let json = serde_json::to_string(&session).expect("sessions serialize");
                let mut conn = manager.clone();
                let _: () = conn
                    .pset_ex(redis_key(&session.id), json, self.idle.as_millis() as u64)
                    .await?;
            }
        }
        Ok(session)
    }

    /// The live session with this id, its idle clock renewed; `None` when unknown or expired.
    pub async fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let now = now_ms();
        match &self.backend {
            Backend::Memory(sessions) => {
                let mut sessions = sessions.lock().expect("session lock");
                match sessions.get_mut(id) {
                    Some(s) if self.alive(s, now) => {
                        s.last_seen_ms = now;
                        Ok(Some(s.clone()))
                    }
                    Some(_) => {
                        sessions.remove(id);
                        Ok(None)
                    }
                    None => Ok(None),
                }
            }
            Backend::Redis(manager) => {
                let mut conn = manager.clone();
                // GETEX renews the TTL (the idle expiry) in the same round trip.
                let json: Option<String> = conn
                    .get_ex(
                        redis_key(id),
                        redis::Expiry::PX(self.idle.as_millis() as u64),
                    )
                    .await?;
                let Some(session) = json.and_then(|j| serde_json::from_str::<Session>(&j).ok())
                else {
                    return Ok(None);
                };
                if now.saturating_sub(session.created_ms) >= self.absolute.as_millis() as u64 {
                    let _: () = conn.del(redis_key(id)).await?;
                    return Ok(None);
                }
                Ok(Some(session))
            }
        }
    }

    /// Ends a session.
    pub async fn remove(&self, id: &str) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Memory(sessions) => {
                sessions.lock().expect("session lock").remove(id);
            }
            Backend::Redis(manager) => {
                let _: () = manager.clone().del(redis_key(id)).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_sessions_expire_when_idle() {
        let store = SessionStore::memory(Duration::from_millis(30), Duration::from_secs(60));
        let session = store.create().await.unwrap();
        assert_eq!(
            store.get(&session.id).await.unwrap().unwrap().csrf,
            session.csrf
        );
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(store.get(&session.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn memory_sessions_expire_absolutely_even_when_busy() {
        let store = SessionStore::memory(Duration::from_secs(60), Duration::from_millis(50));
        let session = store.create().await.unwrap();
        for _ in 0..3 {
            assert!(store.get(&session.id).await.unwrap().is_some());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(store.get(&session.id).await.unwrap().is_none());
    }

    #[test]
    fn tokens_are_256_bit_and_unique() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
