//! The state one simulator shares between requests: the account and threads (kept in the
//! `--state` file when there is one), the fault queue, the request log, and the counters tests
//! read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::{Method, StatusCode, Uri};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::account::Account;
use crate::config::Config;
use crate::faults::{FaultQueue, Injection, LoggedRequest};
use crate::threads::Thread;

/// Counters that tests read to see what the upstream really did.
#[derive(Debug, Default)]
pub struct Stats {
    /// Streams whose first frame was queued.
    pub streams_started: AtomicUsize,
    /// Streams whose last frame was queued.
    pub streams_finished: AtomicUsize,
}

/// What `--state` keeps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    pub account: Account,
    pub threads: HashMap<String, Thread>,
}

/// What the lock guards.
#[derive(Debug)]
pub(crate) struct Sim {
    pub(crate) saved: Saved,
    pub(crate) faults: FaultQueue,
    pub(crate) log: Vec<LoggedRequest>,
}

/// Shared state of one simulator.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    pub stats: Arc<Stats>,
    sim: Arc<Mutex<Sim>>,
    save_lock: Arc<tokio::sync::Mutex<()>>,
}

/// The state file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a simulator state file: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl AppState {
    /// A simulator with a freshly seeded account, or the state file's.
    ///
    /// # Panics
    /// When `config.state_file` names a file that cannot be read; use [`AppState::load`] to
    /// handle that.
    pub fn new(config: Config) -> Self {
        Self::load(config).expect("the simulator state loads")
    }

    /// Like [`AppState::new`], reporting a state file that cannot be used.
    pub fn load(config: Config) -> Result<Self, StateError> {
        let saved = match &config.state_file {
            Some(path) => match std::fs::read(path) {
                Ok(bytes) => {
                    serde_json::from_slice(&bytes).map_err(|source| StateError::Parse {
                        path: path.clone(),
                        source,
                    })?
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let saved = seeded();
                    write_state(path, &saved)?;
                    saved
                }
                Err(source) => {
                    return Err(StateError::Read {
                        path: path.clone(),
                        source,
                    });
                }
            },
            None => seeded(),
        };
        Ok(Self {
            config: Arc::new(config),
            stats: Arc::default(),
            sim: Arc::new(Mutex::new(Sim {
                saved,
                faults: FaultQueue::default(),
                log: Vec::new(),
            })),
            save_lock: Arc::default(),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Sim> {
        // A panic while holding the lock leaves plain data; keep serving.
        self.sim.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the account as it is now.
    pub fn account(&self) -> Account {
        self.lock().saved.account.clone()
    }

    /// Queues a fault (as `POST /__sim/faults` does).
    pub fn inject(&self, injection: Injection) {
        self.lock().faults.push(injection);
    }

    /// The requests received so far (as `GET /__sim/requests` shows them).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.lock().log.clone()
    }

    /// Saves to the state file, if any. Saves are serialised so an older snapshot never
    /// overwrites a newer one.
    pub(crate) async fn persist(&self) {
        let Some(path) = self.config.state_file.clone() else {
            return;
        };
        let _order = self.save_lock.lock().await;
        let saved = self.lock().saved.clone();
        let result = tokio::task::spawn_blocking(move || write_state(&path, &saved)).await;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "state not saved"),
            Err(error) => tracing::error!(%error, "state not saved"),
        }
    }

    pub(crate) fn log(&self, method: &Method, uri: &Uri, body: &[u8], status: StatusCode) {
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
        };
        let mut sim = self.lock();
        let seq = sim.log.len() as u64 + 1;
        sim.log.push(LoggedRequest {
            seq,
            method: method.to_string(),
            path: uri.path().to_owned(),
            body,
            status: status.as_u16(),
        });
    }
}

/// A freshly seeded account and no threads.
pub(crate) fn seeded() -> Saved {
    Saved {
        account: Account::seeded(OffsetDateTime::now_utc()),
        threads: HashMap::new(),
    }
}

fn write_state(path: &Path, saved: &Saved) -> Result<(), StateError> {
    let write = |source| StateError::Write {
        path: path.to_owned(),
        source,
    };
    let json = serde_json::to_vec_pretty(saved).expect("state serialises");
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json).map_err(write)?;
    std::fs::rename(&tmp, path).map_err(write)
}
