//! Fault injection (`POST /__sim/faults`) and the request log (`GET /__sim/requests`): the
//! simulator's admin API for tests, on its own port only.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// What goes wrong with a response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Fault {
    /// Closes the connection abruptly after `frames` frames (no terminating chunk).
    DropAfterFrames { frames: usize },
    /// Waits `beforeMs` before answering at all (no headers), and `betweenMs` more between
    /// frames. While waiting between frames, keep-alive comments are sent unless `silent`.
    Stall {
        #[serde(default)]
        before_ms: u64,
        #[serde(default)]
        between_ms: u64,
        #[serde(default)]
        silent: bool,
    },
    /// Answers with this HTTP status and a problem+json body; nothing runs.
    Status {
        status: u16,
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        detail: Option<String>,
    },
    /// 429 with `Retry-After: retryAfter` (seconds); nothing runs.
    RateLimit { retry_after: u64 },
    /// Inserts a frame that is not valid (by default a `delta` whose data is not JSON) after
    /// `afterFrames` frames.
    MalformedFrame {
        #[serde(default = "one")]
        after_frames: usize,
        #[serde(default)]
        raw: Option<String>,
    },
    /// Replaces the rest of the stream after `afterFrames` frames with an `error` frame.
    ErrorFrame {
        #[serde(default = "one")]
        after_frames: usize,
        #[serde(default = "internal")]
        status: u16,
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        detail: Option<String>,
    },
    /// Ends the stream cleanly but without `done`.
    NoDone,
    /// Writes the body one byte per write.
    ByteWrites,
    /// Answers `application/json` (the AssistResult, or inside `{success, data}` when
    /// `envelope`) instead of a stream.
    Json {
        #[serde(default)]
        envelope: bool,
    },
    /// Paces `delta` frames `ms` apart instead of the configured pace.
    SlowDeltas { ms: u64 },
}

fn one() -> usize {
    1
}

fn internal() -> u16 {
    500
}

/// Which requests a fault applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// `POST /assist` and `POST /agents/{id}/assist`.
    #[default]
    Assist,
    /// `GET /assist/threads/{id}` (status, rate-limit and stall faults).
    Threads,
}

/// `POST /__sim/faults` body: a fault, for the next `times` requests of `route`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Injection {
    #[serde(flatten)]
    pub fault: Fault,
    #[serde(default = "one_u32")]
    pub times: u32,
    #[serde(default)]
    pub route: Route,
}

fn one_u32() -> u32 {
    1
}

/// Faults waiting for requests, first in first out.
#[derive(Debug, Default)]
pub struct FaultQueue(VecDeque<Injection>);

impl FaultQueue {
    pub fn push(&mut self, injection: Injection) {
        if injection.times > 0 {
            self.0.push_back(injection);
        }
    }

    /// The fault for the next request of `route`, if any (consumes one use).
    pub fn take(&mut self, route: Route) -> Option<Fault> {
        let at = self.0.iter().position(|i| i.route == route)?;
        let injection = &mut self.0[at];
        injection.times -= 1;
        let fault = injection.fault.clone();
        if injection.times == 0 {
            self.0.remove(at);
        }
        Some(fault)
    }

    pub fn pending(&self) -> Vec<Injection> {
        self.0.iter().cloned().collect()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// One request that reached the simulator's API (never its admin routes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    pub seq: u64,
    pub method: String,
    pub path: String,
    /// The JSON body, or the text when it isn't JSON, or null when empty.
    pub body: serde_json::Value,
    pub status: u16,
}

/// A stream about to be written: each frame with the pause before it.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    pub frames: Vec<Planned>,
    /// Close the connection abruptly after the last frame.
    pub abort: bool,
    /// One byte per write.
    pub byte_writes: bool,
    /// Keep-alive comments during pauses.
    pub keep_alive: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    pub bytes: Bytes,
    pub wait: Duration,
    pub is_delta: bool,
}

impl Script {
    pub fn new(frames: Vec<Planned>) -> Self {
        Self {
            frames,
            abort: false,
            byte_writes: false,
            keep_alive: true,
        }
    }

    /// Applies a stream fault. Faults that answer before the stream (status, rate limit,
    /// JSON, the stall before headers) are the handler's business and leave it unchanged.
    pub fn apply(&mut self, fault: &Fault) {
        match fault {
            Fault::DropAfterFrames { frames } => {
                self.frames.truncate(*frames);
                self.abort = true;
            }
            Fault::Stall {
                between_ms, silent, ..
            } => {
                for frame in self.frames.iter_mut().skip(1) {
                    frame.wait += Duration::from_millis(*between_ms);
                }
                self.keep_alive = !silent;
            }
            Fault::MalformedFrame { after_frames, raw } => {
                let bytes = raw.clone().unwrap_or_else(|| {
                    "event:delta\ndata:{\"text\": \"this frame is cut\n\n".to_owned()
                });
                let at = (*after_frames).min(self.frames.len());
                let wait = self.frames.get(at).map_or(Duration::ZERO, |f| f.wait);
                self.frames.insert(
                    at,
                    Planned {
                        bytes: Bytes::from(bytes),
                        wait,
                        is_delta: false,
                    },
                );
            }
            Fault::ErrorFrame {
                after_frames,
                status,
                code,
                detail,
            } => {
                let at = (*after_frames).min(self.frames.len());
                let wait = self.frames.get(at).map_or(Duration::ZERO, |f| f.wait);
                self.frames.truncate(at);
                let problem = assist_protocol::ProblemDetails {
                    code: Some(code.clone().unwrap_or_else(|| "copilot_failed".to_owned())),
                    ..assist_protocol::ProblemDetails::new(
                        *status,
                        "The copilot stopped",
                        detail
                            .clone()
                            .unwrap_or_else(|| "The copilot failed while answering.".to_owned()),
                    )
                };
                self.frames.push(Planned {
                    bytes: Bytes::from(assist_protocol::StreamEvent::Error(problem).to_frame()),
                    wait,
                    is_delta: false,
                });
            }
            Fault::NoDone => {
                self.frames.pop();
            }
            Fault::ByteWrites => self.byte_writes = true,
            Fault::SlowDeltas { ms } => {
                for frame in self.frames.iter_mut().filter(|f| f.is_delta) {
                    frame.wait = Duration::from_millis(*ms);
                }
            }
            Fault::Status { .. } | Fault::RateLimit { .. } | Fault::Json { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_read_as_documented() {
        let injection: Injection =
            serde_json::from_str(r#"{"kind":"stall","beforeMs":20,"betweenMs":5,"times":2}"#)
                .unwrap();
        assert_eq!(
            injection.fault,
            Fault::Stall {
                before_ms: 20,
                between_ms: 5,
                silent: false
            }
        );
        assert_eq!(injection.times, 2);
        assert!(serde_json::from_str::<Injection>(r#"{"kind":"stall","beforeMS":1}"#).is_err());
        assert!(serde_json::from_str::<Injection>(r#"{"kind":"nope"}"#).is_err());
    }

    #[test]
    fn a_fault_is_used_for_its_count_then_gone() {
        let mut queue = FaultQueue::default();
        queue.push(Injection {
            fault: Fault::NoDone,
            times: 2,
            route: Route::Assist,
        });
        assert_eq!(queue.take(Route::Threads), None);
        assert_eq!(queue.take(Route::Assist), Some(Fault::NoDone));
        assert_eq!(queue.take(Route::Assist), Some(Fault::NoDone));
        assert_eq!(queue.take(Route::Assist), None);
    }
}
