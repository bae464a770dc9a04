//! Per-session limits: a request rate (token bucket, 429 with `Retry-After`) and a cap on
//! streams open at once (429 too, retry when one ends).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assist_protocol::ProblemDetails;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// How much one session may ask of the upstream.
#[derive(Clone, Copy, Debug)]
pub struct LimitConfig {
    /// Requests a session may send in a burst…
    pub burst: u32,
    /// …refilled at this many per minute.
    pub per_minute: u32,
    /// Streams a session may hold open at once.
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

/// The limits of every session of one gateway.
#[derive(Debug)]
pub struct Limits {
    config: LimitConfig,
    buckets: Mutex<HashMap<String, Bucket>>,
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

/// Holds one of a session's stream slots until dropped.
#[derive(Debug)]
pub struct StreamPermit {
    limits: Arc<Limits>,
    session: String,
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut buckets = self.limits.buckets.lock().expect("limits lock");
        if let Some(bucket) = buckets.get_mut(&self.session) {
            bucket.streams -= 1;
        }
    }
}

impl Limits {
    pub fn new(config: LimitConfig) -> Arc<Self> {
        Arc::new(Self {
            config,
            buckets: Mutex::default(),
        })
    }

    /// Takes one request token and one stream slot for `session`, or says when to retry.
    pub fn admit(self: &Arc<Self>, session: &str) -> Result<StreamPermit, Refusal> {
        let now = Instant::now();
        let rate = f64::from(self.config.per_minute) / 60.0;
        let burst = f64::from(self.config.burst);
        let mut buckets = self.buckets.lock().expect("limits lock");
        if buckets.len() > 10_000 {
            // Forget idle sessions so the map stays bounded.
            buckets.retain(|_, b| b.streams > 0 || now - b.updated < Duration::from_secs(600));
        }
        let bucket = buckets.entry(session.to_owned()).or_insert(Bucket {
            tokens: burst,
            updated: now,
            streams: 0,
        });
        bucket.tokens = (bucket.tokens + (now - bucket.updated).as_secs_f64() * rate).min(burst);
        bucket.updated = now;
        if bucket.tokens < 1.0 {
            let wait = ((1.0 - bucket.tokens) / rate).ceil().max(1.0) as u64;
            return Err(Refusal {
                problem: ProblemDetails::new(
                    429,
                    "Too many requests",
                    format!(
                        "This session may send {} requests a minute.",
                        self.config.per_minute
                    ),
                )
                .with_code("rate_limited"),
                retry_after: Some(wait),
            });
        }
        if bucket.streams >= self.config.max_streams {
            return Err(Refusal {
                problem: ProblemDetails::new(
                    429,
                    "Too many open replies",
                    format!(
                        "This session may have {} replies streaming at once; wait for one to end.",
                        self.config.max_streams
                    ),
                )
                .with_code("too_many_streams"),
                retry_after: Some(1),
            });
        }
        bucket.tokens -= 1.0;
        bucket.streams += 1;
        Ok(StreamPermit {
            limits: Arc::clone(self),
            session: session.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_429_with_retry_after() {
        let limits = Limits::new(LimitConfig {
            burst: 2,
            per_minute: 6,
            max_streams: 10,
        });
        let _a = limits.admit("s").unwrap();
        let _b = limits.admit("s").unwrap();
        let refused = limits.admit("s").unwrap_err();
        assert_eq!(refused.problem.status, Some(429));
        assert_eq!(refused.retry_after, Some(10), "one token every 10 s");
        assert!(limits.admit("other").is_ok(), "limits are per session");
    }

    #[test]
    fn stream_slots_free_when_permits_drop() {
        let limits = Limits::new(LimitConfig {
            burst: 10,
            per_minute: 600,
            max_streams: 1,
        });
        let permit = limits.admit("s").unwrap();
        assert_eq!(
            limits.admit("s").unwrap_err().problem.code.as_deref(),
            Some("too_many_streams")
        );
        drop(permit);
        assert!(limits.admit("s").is_ok());
    }
}
