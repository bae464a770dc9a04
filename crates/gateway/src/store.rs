//! Where the gateway keeps what must outlive one request: sessions, sign-ins in progress, and
//! the logout tokens already used. In this process's memory by default, or in Redis
//! (`REDIS_URL`) so that several gateways behind a load balancer share them with no sticky
//! sessions.
//!
//! Sessions expire when idle (no request for `idle`) and absolutely (`absolute` after they
//! started); in Redis the idle expiry is the key's TTL, renewed on every use. A person holds
//! at most `per_person` sessions: starting another ends their oldest. Session ids are stored
//! hashed in Redis, so a copy of its data holds no usable cookie.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::policy::{Grant, Person};

/// One signed-in browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The cookie value.
    pub id: String,
    /// The token the page must send back in `X-CSRF-Token`.
    pub csrf: String,
    /// When it started (Unix milliseconds).
    pub created_ms: u64,
    /// Last request (Unix milliseconds; the memory store's idle clock).
    pub last_seen_ms: u64,
    /// Whose it is.
    pub person: Person,
    /// The key its requests run under and what it may do.
    pub grant: Grant,
    /// The provider's session (`sid`), which a back-channel logout names.
    #[serde(default)]
    pub provider_sid: Option<String>,
    /// The ID token it started with: the `id_token_hint` of the provider's logout.
    #[serde(default)]
    pub id_token: Option<String>,
}

impl Session {
    /// What logs and the audit may name a session by: not the cookie itself.
    pub fn hashed_id(&self) -> String {
        hash(&self.id)[..16].to_owned()
    }
}

/// A sign-in between `/login` and `/callback`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginState {
    pub pkce_verifier: String,
    pub nonce: String,
    pub return_to: String,
    /// The login cookie of the browser that started it.
    #[serde(default)]
    pub binding: String,
}

/// The store could not be reached.
#[derive(Debug, thiserror::Error)]
#[error("the session store is unavailable: {0}")]
pub struct StoreError(#[from] redis::RedisError);

#[derive(Default)]
struct Memory {
    sessions: HashMap<String, Session>,
    logins: HashMap<String, (LoginState, u64)>,
    used_tokens: HashMap<String, u64>,
}

enum Backend {
    Memory(Mutex<Memory>),
    Redis(redis::aio::ConnectionManager),
}

/// Sessions with idle and absolute expiry, bounded per person.
pub struct SessionStore {
    backend: Backend,
    idle: Duration,
    absolute: Duration,
    per_person: usize,
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

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// SHA-256, hex.
pub fn hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const PREFIX: &str = "flowyte:gateway";

fn session_key(id: &str) -> String {
    format!("{PREFIX}:session:{}", hash(id))
}

fn person_key(person: &Person) -> String {
    format!("{PREFIX}:person:{}", hash(&person.key()))
}

fn sid_key(issuer: &str, sid: &str) -> String {
    format!("{PREFIX}:sid:{}", hash(&format!("{issuer}|{sid}")))
}

/// 256 bits from the OS, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS has a random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How long a sign-in may take between `/login` and `/callback`.
pub const LOGIN_TTL: Duration = Duration::from_secs(10 * 60);

/// Stores the new session, indexes it by person and provider session, and ends the person's
/// oldest sessions beyond the bound; returns the ids it ended. One script, so two sign-ins at
/// once cannot both slip under the bound.
const CREATE: &str = r"
local session, person, sid = KEYS[1], KEYS[2], KEYS[3]
local json, idle, absolute, created, member, limit = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
redis.call('SET', session, json, 'PX', idle)
redis.call('ZADD', person, created, member)
redis.call('PEXPIRE', person, absolute)
if sid ~= '' then
  redis.call('SADD', sid, member)
  redis.call('PEXPIRE', sid, absolute)
end
for _, m in ipairs(redis.call('ZRANGE', person, 0, -1)) do
  if redis.call('EXISTS', ARGV[7] .. m) == 0 then redis.call('ZREM', person, m) end
end
local ended = {}
local excess = redis.call('ZCARD', person) - limit
if excess > 0 then
  for _, m in ipairs(redis.call('ZRANGE', person, 0, excess - 1)) do
    local old = redis.call('GET', ARGV[7] .. m)
    redis.call('DEL', ARGV[7] .. m)
    redis.call('ZREM', person, m)
    if old then table.insert(ended, old) end
  end
end
return ended
";

/// Ends every session an index (a person's, or a provider session's) lists; returns them.
const END_INDEXED: &str = r"
local ended = {}
local members
if redis.call('TYPE', KEYS[1]).ok == 'zset' then
  members = redis.call('ZRANGE', KEYS[1], 0, -1)
else
  members = redis.call('SMEMBERS', KEYS[1])
end
for _, m in ipairs(members) do
  local old = redis.call('GET', ARGV[1] .. m)
  redis.call('DEL', ARGV[1] .. m)
  if old then table.insert(ended, old) end
end
redis.call('DEL', KEYS[1])
return ended
";

impl SessionStore {
    /// Sessions in this process's memory.
    pub fn memory(idle: Duration, absolute: Duration, per_person: usize) -> Self {
        Self {
            backend: Backend::Memory(Mutex::default()),
            idle,
            absolute,
            per_person,
        }
    }

    /// Sessions in the Redis behind `manager`, shared by every gateway that uses it.
    pub fn redis(
        manager: redis::aio::ConnectionManager,
        idle: Duration,
        absolute: Duration,
        per_person: usize,
    ) -> Self {
        Self {
            backend: Backend::Redis(manager),
            idle,
            absolute,
            per_person,
        }
    }

    /// Whether the store answers (always, in memory).
    pub async fn ping(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Memory(_) => Ok(()),
            Backend::Redis(manager) => {
                let _: String = redis::cmd("PING").query_async(&mut manager.clone()).await?;
                Ok(())
            }
        }
    }

    /// When `session` ends at the latest (Unix seconds).
    pub fn expires_at(&self, session: &Session) -> u64 {
        (session.created_ms + self.absolute.as_millis() as u64) / 1000
    }

    fn alive(&self, session: &Session, now: u64) -> bool {
        now.saturating_sub(session.last_seen_ms) < self.idle.as_millis() as u64
            && now.saturating_sub(session.created_ms) < self.absolute.as_millis() as u64
    }

    /// Starts a session for `person` with a fresh id (never one the browser brought: no
    /// fixation). Returns it and the person's sessions it ended to stay within the bound.
    pub async fn create(
        &self,
        person: Person,
        grant: Grant,
        provider_sid: Option<String>,
        id_token: Option<String>,
    ) -> Result<(Session, Vec<Session>), StoreError> {
        let now = now_ms();
        let session = Session {
            id: random_token(),
            csrf: random_token(),
            created_ms: now,
            last_seen_ms: now,
            person,
            grant,
            provider_sid,
            id_token,
        };
        let ended = match &self.backend {
            Backend::Memory(memory) => {
                let mut memory = memory.lock().expect("store lock");
                // Expired sessions go whenever a new one starts, so memory stays bounded by
                // the sessions alive in the last idle window.
                memory.sessions.retain(|_, s| self.alive(s, now));
                memory.sessions.insert(session.id.clone(), session.clone());
                let mut own: Vec<(u64, String)> = memory
                    .sessions
                    .values()
                    .filter(|s| s.person.key() == session.person.key())
                    .map(|s| (s.created_ms, s.id.clone()))
                    .collect();
                own.sort();
                let excess = own.len().saturating_sub(self.per_person);
                own.into_iter()
                    .take(excess)
                    .filter_map(|(_, id)| memory.sessions.remove(&id))
                    .collect()
            }
            Backend::Redis(manager) => {
                let json = serde_json::to_string(&session).expect("sessions serialize");
                let sid = session
                    .provider_sid
                    .as_deref()
                    .map(|sid| sid_key(&session.person.issuer, sid))
                    .unwrap_or_default();
                let ended: Vec<String> = redis::Script::new(CREATE)
                    .key(session_key(&session.id))
                    .key(person_key(&session.person))
                    .key(sid)
                    .arg(json)
                    .arg(self.idle.as_millis() as u64)
                    .arg(self.absolute.as_millis() as u64)
                    .arg(now)
                    .arg(hash(&session.id))
                    .arg(self.per_person)
                    .arg(format!("{PREFIX}:session:"))
                    .invoke_async(&mut manager.clone())
                    .await?;
                parse_all(ended)
            }
        };
        Ok((session, ended))
    }

    /// The live session with this id, its idle clock renewed; `None` when unknown or expired.
    pub async fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let now = now_ms();
        match &self.backend {
            Backend::Memory(memory) => {
                let mut memory = memory.lock().expect("store lock");
                match memory.sessions.get_mut(id) {
                    Some(s) if self.alive(s, now) => {
                        s.last_seen_ms = now;
                        Ok(Some(s.clone()))
                    }
                    Some(_) => {
                        memory.sessions.remove(id);
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
                        session_key(id),
                        redis::Expiry::PX(self.idle.as_millis() as u64),
                    )
                    .await?;
                let Some(session) = json.and_then(|j| serde_json::from_str::<Session>(&j).ok())
                else {
                    return Ok(None);
                };
                // The id is compared too: the key is only its hash.
                if session.id != id
                    || now.saturating_sub(session.created_ms) >= self.absolute.as_millis() as u64
                {
                    let _: () = conn.del(session_key(id)).await?;
                    return Ok(None);
                }
                Ok(Some(session))
            }
        }
    }

    /// Ends a session.
    pub async fn remove(&self, id: &str) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Memory(memory) => {
                memory.lock().expect("store lock").sessions.remove(id);
            }
            Backend::Redis(manager) => {
                let _: () = manager.clone().del(session_key(id)).await?;
            }
        }
        Ok(())
    }

    /// Ends every session of `person`; returns them.
    pub async fn remove_person(&self, person: &Person) -> Result<Vec<Session>, StoreError> {
        match &self.backend {
            Backend::Memory(memory) => Ok(remove_where(memory, |s| s.person.key() == person.key())),
            Backend::Redis(manager) => end_indexed(manager, person_key(person)).await,
        }
    }

    /// Ends every session that started with the provider session `sid` of `issuer`.
    pub async fn remove_provider_session(
        &self,
        issuer: &str,
        sid: &str,
    ) -> Result<Vec<Session>, StoreError> {
        match &self.backend {
            Backend::Memory(memory) => Ok(remove_where(memory, |s| {
                s.person.issuer == issuer && s.provider_sid.as_deref() == Some(sid)
            })),
            Backend::Redis(manager) => end_indexed(manager, sid_key(issuer, sid)).await,
        }
    }

    /// Remembers a sign-in in progress under `state` for [`LOGIN_TTL`].
    pub async fn put_login(&self, state: &str, login: &LoginState) -> Result<(), StoreError> {
        let now = now_ms();
        match &self.backend {
            Backend::Memory(memory) => {
                let mut memory = memory.lock().expect("store lock");
                memory.logins.retain(|_, (_, expires)| *expires > now);
                let expires = now + LOGIN_TTL.as_millis() as u64;
                memory
                    .logins
                    .insert(state.to_owned(), (login.clone(), expires));
            }
            Backend::Redis(manager) => {
                let json = serde_json::to_string(login).expect("login states serialize");
                let _: () = manager
                    .clone()
                    .pset_ex(
                        format!("{PREFIX}:login:{}", hash(state)),
                        json,
                        LOGIN_TTL.as_millis() as u64,
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// The sign-in stored under `state`, removed in the same step: each can finish once.
    pub async fn take_login(&self, state: &str) -> Result<Option<LoginState>, StoreError> {
        match &self.backend {
            Backend::Memory(memory) => {
                let mut memory = memory.lock().expect("store lock");
                Ok(memory
                    .logins
                    .remove(state)
                    .filter(|(_, expires)| *expires > now_ms())
                    .map(|(login, _)| login))
            }
            Backend::Redis(manager) => {
                let json: Option<String> = manager
                    .clone()
                    .get_del(format!("{PREFIX}:login:{}", hash(state)))
                    .await?;
                Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
            }
        }
    }

    /// Whether this is the first time a token with this id (`jti`) is used; remembered for
    /// `ttl`, long enough to outlive the token.
    pub async fn first_use(&self, token_id: &str, ttl: Duration) -> Result<bool, StoreError> {
        let now = now_ms();
        match &self.backend {
            Backend::Memory(memory) => {
                let mut memory = memory.lock().expect("store lock");
                memory.used_tokens.retain(|_, expires| *expires > now);
                Ok(memory
                    .used_tokens
                    .insert(token_id.to_owned(), now + ttl.as_millis() as u64)
                    .is_none())
            }
            Backend::Redis(manager) => {
                let set: Option<String> = redis::cmd("SET")
                    .arg(format!("{PREFIX}:used-token:{}", hash(token_id)))
                    .arg(1)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl.as_millis() as u64)
                    .query_async(&mut manager.clone())
                    .await?;
                Ok(set.is_some())
            }
        }
    }
}

fn remove_where(memory: &Mutex<Memory>, ends: impl Fn(&Session) -> bool) -> Vec<Session> {
    let mut memory = memory.lock().expect("store lock");
    let ids: Vec<String> = memory
        .sessions
        .values()
        .filter(|s| ends(s))
        .map(|s| s.id.clone())
        .collect();
    ids.iter()
        .filter_map(|id| memory.sessions.remove(id))
        .collect()
}

async fn end_indexed(
    manager: &redis::aio::ConnectionManager,
    index: String,
) -> Result<Vec<Session>, StoreError> {
    let ended: Vec<String> = redis::Script::new(END_INDEXED)
        .key(index)
        .arg(format!("{PREFIX}:session:"))
        .invoke_async(&mut manager.clone())
        .await?;
    Ok(parse_all(ended))
}

fn parse_all(json: Vec<String>) -> Vec<Session> {
    json.iter()
        .filter_map(|j| serde_json::from_str(j).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Role;

    fn person(sub: &str) -> Person {
        Person {
            issuer: "https://login.example".to_owned(),
            sub: sub.to_owned(),
            ..Person::default()
        }
    }

    fn grant() -> Grant {
        Grant {
            key: "default".to_owned(),
            role: Role::Approver,
        }
    }

    async fn start(store: &SessionStore, sub: &str) -> (Session, Vec<Session>) {
        store
            .create(person(sub), grant(), None, None)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn memory_sessions_expire_when_idle() {
        let store = SessionStore::memory(Duration::from_millis(30), Duration::from_secs(60), 5);
        let (session, _) = start(&store, "a").await;
        assert_eq!(
            store.get(&session.id).await.unwrap().unwrap().csrf,
            session.csrf
        );
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(store.get(&session.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn memory_sessions_expire_absolutely_even_when_busy() {
        let store = SessionStore::memory(Duration::from_secs(60), Duration::from_millis(50), 5);
        let (session, _) = start(&store, "a").await;
        for _ in 0..3 {
            assert!(store.get(&session.id).await.unwrap().is_some());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(store.get(&session.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_person_beyond_the_bound_loses_their_oldest_session_only() {
        let store = SessionStore::memory(Duration::from_secs(60), Duration::from_secs(60), 2);
        let (first, _) = start(&store, "a").await;
        tokio::time::sleep(Duration::from_millis(2)).await;
        let (second, _) = start(&store, "a").await;
        let (other, _) = start(&store, "b").await;
        tokio::time::sleep(Duration::from_millis(2)).await;
        let (_third, ended) = start(&store, "a").await;
        assert_eq!(ended.iter().map(|s| &s.id).collect::<Vec<_>>(), [&first.id]);
        assert!(store.get(&first.id).await.unwrap().is_none());
        assert!(store.get(&second.id).await.unwrap().is_some());
        assert!(store.get(&other.id).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_sign_in_in_progress_finishes_once() {
        let store = SessionStore::memory(Duration::from_secs(60), Duration::from_secs(60), 2);
        let login = LoginState {
            pkce_verifier: "v".into(),
            nonce: "n".into(),
            return_to: "/".into(),
            binding: "b".into(),
        };
        store.put_login("state-1", &login).await.unwrap();
        assert_eq!(store.take_login("state-1").await.unwrap(), Some(login));
        assert_eq!(store.take_login("state-1").await.unwrap(), None);
        assert!(
            store
                .first_use("jti-1", Duration::from_secs(60))
                .await
                .unwrap()
        );
        assert!(
            !store
                .first_use("jti-1", Duration::from_secs(60))
                .await
                .unwrap()
        );
    }

    #[test]
    fn tokens_are_256_bit_and_unique() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
