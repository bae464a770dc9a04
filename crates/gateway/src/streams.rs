//! The replies streaming right now, by session, so that ending a session (sign-out, a
//! back-channel logout from the provider, a person over their session bound) also cuts the
//! replies it has open — on this gateway and, through Redis, on every other.
//!
//! Cutting a reply drops its upstream request, as a browser going away does.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::{AbortHandle, AbortRegistration};

use crate::store::Session;

/// The channel on which gateways tell each other which sessions ended.
const CHANNEL: &str = "flowyte:gateway:sessions-ended";

/// Open replies by (hashed) session id.
#[derive(Default)]
pub struct OpenStreams {
    next: AtomicU64,
    by_session: Mutex<HashMap<String, Vec<(u64, AbortHandle)>>>,
    redis: Option<redis::aio::ConnectionManager>,
}

/// Keeps a reply listed while it streams; dropping it takes it off the list.
pub struct Listed {
    streams: Arc<OpenStreams>,
    session: String,
    id: u64,
}

impl Drop for Listed {
    fn drop(&mut self) {
        let mut by_session = self.streams.by_session.lock().expect("streams lock");
        if let Some(open) = by_session.get_mut(&self.session) {
            open.retain(|(id, _)| *id != self.id);
            if open.is_empty() {
                by_session.remove(&self.session);
            }
        }
    }
}

impl OpenStreams {
    /// Replies cut only on this gateway.
    pub fn local() -> Arc<Self> {
        Arc::default()
    }

    /// Replies cut on every gateway that shares this Redis: publishes ended sessions on
    /// `manager` and listens for the others' on a connection of its own from `client`.
    pub fn shared(client: redis::Client, manager: redis::aio::ConnectionManager) -> Arc<Self> {
        let streams = Arc::new(Self {
            redis: Some(manager),
            ..Self::default()
        });
        tokio::spawn(listen(Arc::downgrade(&streams), client));
        streams
    }

    /// Lists a reply of `session`: the registration makes it abortable, the guard unlists it.
    pub fn list(self: &Arc<Self>, session: &Session) -> (AbortRegistration, Listed) {
        let (handle, registration) = AbortHandle::new_pair();
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let key = session.hashed_id();
        self.by_session
            .lock()
            .expect("streams lock")
            .entry(key.clone())
            .or_default()
            .push((id, handle));
        (
            registration,
            Listed {
                streams: Arc::clone(self),
                session: key,
                id,
            },
        )
    }

    /// How many replies are open on this gateway.
    pub fn open(&self) -> usize {
        self.by_session
            .lock()
            .expect("streams lock")
            .values()
            .map(Vec::len)
            .sum()
    }

    /// Cuts the open replies of these ended sessions, here and on the other gateways.
    pub async fn cut(&self, ended: &[Session]) {
        if ended.is_empty() {
            return;
        }
        let hashed: Vec<String> = ended.iter().map(Session::hashed_id).collect();
        self.cut_here(&hashed);
        if let Some(manager) = &self.redis {
            let message = serde_json::to_string(&hashed).expect("strings serialize");
            let published: Result<(), _> = redis::cmd("PUBLISH")
                .arg(CHANNEL)
                .arg(message)
                .query_async(&mut manager.clone())
                .await;
            if let Err(error) = published {
                tracing::warn!(%error, "cannot tell the other gateways which sessions ended");
            }
        }
    }

    fn cut_here(&self, hashed: &[String]) {
        let mut by_session = self.by_session.lock().expect("streams lock");
        for key in hashed {
            for (_, handle) in by_session.remove(key).unwrap_or_default() {
                handle.abort();
            }
        }
    }
}

/// Cuts the replies of sessions other gateways ended, for as long as `streams` lives;
/// reconnects after a lost connection.
async fn listen(streams: std::sync::Weak<OpenStreams>, client: redis::Client) {
    let mut wait = Duration::from_secs(1);
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(CHANNEL).await {
                Ok(()) => {
                    wait = Duration::from_secs(1);
                    let mut messages = pubsub.into_on_message();
                    while let Some(message) = messages.next().await {
                        let Some(streams) = streams.upgrade() else {
                            return;
                        };
                        let ended: Vec<String> = message
                            .get_payload::<String>()
                            .ok()
                            .and_then(|p| serde_json::from_str(&p).ok())
                            .unwrap_or_default();
                        streams.cut_here(&ended);
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot subscribe to ended sessions"),
            },
            Err(error) => tracing::warn!(%error, "cannot listen for ended sessions"),
        }
        if streams.strong_count() == 0 {
            return;
        }
        // Redis away: try again, less often the longer it stays away.
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(30));
    }
}
