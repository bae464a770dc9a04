//! Per-person limits: a request rate (token bucket, 429 with `Retry-After`) and a cap on replies
//! streaming at once (429 too, retry when one ends).
//!
//! Keyed by the person, not the session, so more sessions buy no more budget. In this
//! process's memory, or in Redis when gateways share one: then every gateway spends from the
//! same bucket, updated by one script so that two requests at once cannot both take the last
//! token, and timed by Redis's own clock so that gateways whose clocks differ agree. A stream
//! slot in Redis is a lease its gateway renews while the reply lasts, so a gateway that dies
//! with replies open does not hold its people's slots for ever.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assist_protocol::ProblemDetails;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// How much one person may ask of the upstream.
#[derive(Clone, Copy, Debug)]
pub struct LimitConfig {
    /// Requests a person may send in a burst…
    pub burst: u32,
    /// …refilled at this many per minute.
    pub per_minute: u32,
    /// Replies a person may have streaming at once.
    pub max_streams: usize,
}

impl Default for LimitConfig {
    fn default() -> Self {
        Self {
            burst: 10,
            per_minute: 30,
            max_streams: 4,
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
    streams: usize,
}

enum Backend {
    Memory(Mutex<HashMap<String, Bucket>>),
    Redis(redis::aio::ConnectionManager),
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Memory(_) => "memory",
            Backend::Redis(_) => "redis",
        })
    }
}

/// The limits of every person.
#[derive(Debug)]
pub struct Limits {
    config: LimitConfig,
    backend: Backend,
}

/// A refused request: a problem, and when to try again.
#[derive(Debug)]
pub struct Refusal {
    pub problem: ProblemDetails,
    pub retry_after: Option<u64>,
}

impl From<ProblemDetails> for Refusal {
    fn from(problem: ProblemDetails) -> Self {
        Self {
            problem,
            retry_after: None,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = self.problem.into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// How long a stream slot's lease in Redis lasts without renewal; renewed every third of it.
const LEASE: Duration = Duration::from_secs(60);

/// Holds one of a person's stream slots until dropped.
#[derive(Debug)]
pub struct StreamPermit {
    limits: Arc<Limits>,
    person: String,
    /// The Redis lease: its member name and the task renewing it.
    lease: Option<(String, tokio::task::JoinHandle<()>)>,
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        match &self.limits.backend {
            Backend::Memory(buckets) => {
                if let Some(bucket) = buckets.lock().expect("limits lock").get_mut(&self.person) {
                    bucket.streams -= 1;
                }
            }
            Backend::Redis(manager) => {
                let Some((member, renewal)) = self.lease.take() else {
                    return;
                };
                renewal.abort();
                let (mut conn, key) = (manager.clone(), streams_key(&self.person));
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(async move {
                        let released: Result<(), _> = redis::cmd("ZREM")
                            .arg(key)
                            .arg(member)
                            .query_async(&mut conn)
                            .await;
                        if let Err(error) = released {
                            // The lease runs out by itself.
                            tracing::warn!(%error, "cannot release a stream slot");
                        }
                    });
                }
            }
        }
    }
}

fn bucket_key(person: &str) -> String {
    format!(
        "flowyte:gateway:limits:{}:bucket",
        crate::store::hash(person)
    )
}

fn streams_key(person: &str) -> String {
    format!(
        "flowyte:gateway:limits:{}:streams",
        crate::store::hash(person)
    )
}

/// Takes a token and a stream slot, or says why not: returns {1, 0} admitted, {0, wait_ms}
/// out of tokens, {2, 0} out of stream slots (the token is not spent then).
const ADMIT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate, burst, max_streams = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local member, lease = ARGV[4], tonumber(ARGV[5])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local ttl = math.ceil(burst / rate) + 1000
if tokens < 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {0, math.ceil((1 - tokens) / rate)}
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= max_streams then
  return {2, 0}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', now)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now + lease, member)
redis.call('PEXPIRE', KEYS[2], lease * 2)
return {1, 0}
";

/// Moves a lease's end `lease` ms past Redis's now, if the lease still exists.
const RENEW: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return 1
";

impl Limits {
    /// Limits kept in this process's memory.
    pub fn memory(config: LimitConfig) -> Arc<Self> {
        Arc::new(Self {
            config,
            backend: Backend::Memory(Mutex::default()),
        })
    }

    /// Limits kept in the Redis behind `manager`, one budget for every gateway using it.
    pub fn redis(config: LimitConfig, manager: redis::aio::ConnectionManager) -> Arc<Self> {
        Arc::new(Self {
            config,
            backend: Backend::Redis(manager),
        })
    }

    fn rate_limited(&self, wait_seconds: u64) -> Refusal {
        Refusal {
            problem: ProblemDetails::new(
                429,
                "Too many requests",
                format!(
                    "You may send {} requests a minute; try again in {wait_seconds} s.",
                    self.config.per_minute
                ),
            )
            .with_code("rate_limited"),
            retry_after: Some(wait_seconds),
        }
    }

    fn too_many_streams(&self) -> Refusal {
        Refusal {
            problem: ProblemDetails::new(
                429,
                "Too many open replies",
                format!(
                    "You may have {} replies streaming at once; wait for one to end.",
                    self.config.max_streams
                ),
            )
            .with_code("too_many_streams"),
            retry_after: Some(1),
        }
    }

    /// Takes one request token and one stream slot for `person` (see
    /// [`crate::policy::Person::key`]), or says when to retry.
    pub async fn admit(self: &Arc<Self>, person: &str) -> Result<StreamPermit, Refusal> {
        let rate_per_ms = f64::from(self.config.per_minute) / 60_000.0;
        match &self.backend {
            Backend::Memory(buckets) => self.admit_in_memory(buckets, person, rate_per_ms),
            Backend::Redis(manager) => {
                let member = crate::store::random_token();
                let (verdict, wait_ms): (i64, i64) = redis::Script::new(ADMIT)
                    .key(bucket_key(person))
                    .key(streams_key(person))
                    .arg(rate_per_ms)
                    .arg(self.config.burst)
                    .arg(self.config.max_streams)
                    .arg(&member)
                    .arg(LEASE.as_millis() as u64)
                    .invoke_async(&mut manager.clone())
                    .await
                    .map_err(|error| {
                        tracing::error!(%error, "limits store unavailable");
                        Refusal::from(
                            ProblemDetails::new(
                                503,
                                "Service unavailable",
                                "Limits cannot be checked right now; try again shortly.",
                            )
                            .with_code("limits_store_unavailable"),
                        )
                    })?;
                match verdict {
                    0 => Err(self.rate_limited((wait_ms.max(1) as u64).div_ceil(1000))),
                    2 => Err(self.too_many_streams()),
                    _ => {
                        let renewal = tokio::spawn(renew(
                            manager.clone(),
                            streams_key(person),
                            member.clone(),
                        ));
                        Ok(StreamPermit {
                            limits: Arc::clone(self),
                            person: person.to_owned(),
                            lease: Some((member, renewal)),
                        })
                    }
                }
            }
        }
    }

    fn admit_in_memory(
        self: &Arc<Self>,
        buckets: &Mutex<HashMap<String, Bucket>>,
        person: &str,
        rate_per_ms: f64,
    ) -> Result<StreamPermit, Refusal> {
        let now = Instant::now();
        let burst = f64::from(self.config.burst);
        let mut buckets = buckets.lock().expect("limits lock");
        if buckets.len() > 10_000 {
            // Forget idle people so the map stays bounded.
            buckets.retain(|_, b| b.streams > 0 || now - b.updated < Duration::from_secs(600));
        }
        let bucket = buckets.entry(person.to_owned()).or_insert(Bucket {
            tokens: burst,
            updated: now,
            streams: 0,
        });
        let elapsed_ms = (now - bucket.updated).as_secs_f64() * 1000.0;
        bucket.tokens = (bucket.tokens + elapsed_ms * rate_per_ms).min(burst);
        bucket.updated = now;
        if bucket.tokens < 1.0 {
            let wait = ((1.0 - bucket.tokens) / rate_per_ms / 1000.0)
                .ceil()
                .max(1.0) as u64;
            return Err(self.rate_limited(wait));
        }
        if bucket.streams >= self.config.max_streams {
            return Err(self.too_many_streams());
        }
        bucket.tokens -= 1.0;
        bucket.streams += 1;
        Ok(StreamPermit {
            limits: Arc::clone(self),
            person: person.to_owned(),
            lease: None,
        })
    }
}

/// Renews a stream slot's lease until aborted (when its permit drops).
async fn renew(mut conn: redis::aio::ConnectionManager, key: String, member: String) {
    let script = redis::Script::new(RENEW);
    loop {
        tokio::time::sleep(LEASE / 3).await;
        let renewed: Result<i64, _> = script
            .key(&key)
            .arg(&member)
            .arg(LEASE.as_millis() as u64)
            .invoke_async(&mut conn)
            .await;
        if let Err(error) = renewed {
            tracing::warn!(%error, "cannot renew a stream slot");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_burst_then_429_with_retry_after() {
        let limits = Limits::memory(LimitConfig {
            burst: 2,
            per_minute: 6,
            max_streams: 10,
        });
        let _a = limits.admit("p").await.unwrap();
        let _b = limits.admit("p").await.unwrap();
        let refused = limits.admit("p").await.unwrap_err();
        assert_eq!(refused.problem.status, Some(429));
        assert_eq!(refused.retry_after, Some(10), "one token every 10 s");
        assert!(limits.admit("other").await.is_ok(), "limits are per person");
    }

    #[tokio::test]
    async fn stream_slots_free_when_permits_drop() {
        let limits = Limits::memory(LimitConfig {
            burst: 10,
            per_minute: 600,
            max_streams: 1,
        });
        let permit = limits.admit("p").await.unwrap();
        assert_eq!(
            limits.admit("p").await.unwrap_err().problem.code.as_deref(),
            Some("too_many_streams")
        );
        drop(permit);
        assert!(limits.admit("p").await.is_ok());
    }
}
