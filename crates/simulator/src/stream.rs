//! The stream writer: a turn's result as `text/event-stream` frames, paced, with the faults a
//! test asked for applied to them.

use std::sync::atomic::Ordering;
use std::time::Duration;

use assist_protocol::{AssistResult, Delta, Progress, StepStatus, StreamEvent};
use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::copilot;
use crate::faults::{Planned, Script};
use crate::state::AppState;

/// The frames of one turn: a `progress` step for reading the request, a `tool_call` start and
/// end per operation (with its `mutation` between), the `confirmation`s, the reply as `delta`s
/// of a few words, then `done` with the whole result.
pub(crate) fn plan_frames(
    result: &AssistResult,
    tool_calls: &[copilot::ToolCall],
    pace: Duration,
) -> Vec<Planned> {
    let mut frames = Vec::new();
    let mut push = |event: StreamEvent| {
        let wait = if frames.is_empty() {
            Duration::ZERO
        } else {
            pace
        };
        frames.push(Planned {
            is_delta: matches!(event, StreamEvent::Delta(_)),
            bytes: Bytes::from(match &event {
                StreamEvent::Progress(p) if p.operation_id.is_some() => {
                    assist_protocol::encode_frame(
                        "tool_call",
                        &serde_json::to_string(p).expect("progress serialises"),
                    )
                }
                _ => event.to_frame(),
            }),
            wait,
        });
    };
    let understand = |status| {
        StreamEvent::Progress(Progress {
            message: "Reading your request".to_owned(),
            status: Some(status),
            ..Progress::default()
        })
    };
    push(understand(StepStatus::Started));
    push(understand(StepStatus::Succeeded));
    for step in tool_calls {
        let progress = |status| {
            StreamEvent::Progress(Progress {
                message: step.call.message.clone(),
                operation_id: Some(step.call.operation_id.to_owned()),
                method: Some(step.call.method.to_owned()),
                path: Some(step.call.path.clone()),
                status: Some(status),
            })
        };
        push(progress(StepStatus::Started));
        if let Some(mutation) = &step.mutation {
            push(StreamEvent::Mutation(mutation.clone()));
        }
        push(progress(if step.ok {
            StepStatus::Succeeded
        } else {
            StepStatus::Failed
        }));
    }
    for item in &result.pending_confirmations {
        push(StreamEvent::Confirmation(item.clone()));
    }
    for text in split_words(&result.reply, 3) {
        push(StreamEvent::Delta(Delta { text }));
    }
    push(StreamEvent::Done(Some(result.clone())));
    frames
}

/// Cuts `text` into pieces of `n` words, keeping every character (spaces and newlines stay
/// with the piece they follow), so the pieces concatenate back to `text`.
fn split_words(text: &str, n: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut words = 0;
    let mut in_word = false;
    for ch in text.chars() {
        let space = ch.is_whitespace();
        if !space && !in_word {
            if words == n {
                pieces.push(std::mem::take(&mut current));
                words = 0;
            }
            words += 1;
        }
        in_word = !space;
        current.push(ch);
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// Streams the script as `text/event-stream`. A client that goes away closes the channel and
/// ends the task.
pub(crate) fn stream_response(state: AppState, script: Script) -> Response {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let keep_alive = state.config.keep_alive;
    tokio::spawn(async move {
        state.stats.streams_started.fetch_add(1, Ordering::SeqCst);
        for frame in &script.frames {
            // Wait, sending keep-alive comments while idle.
            let mut left = frame.wait;
            while script.keep_alive && left > keep_alive && !keep_alive.is_zero() {
                tokio::time::sleep(keep_alive).await;
                left -= keep_alive;
                if tx.send(Ok(Bytes::from_static(KEEP_ALIVE))).await.is_err() {
                    return;
                }
            }
            // sleep(0) would still wait for the timer's next 1 ms tick.
            if !left.is_zero() {
                tokio::time::sleep(left).await;
            }
            let sent = if script.byte_writes {
                let mut ok = true;
                for i in 0..frame.bytes.len() {
                    if tx.send(Ok(frame.bytes.slice(i..=i))).await.is_err() {
                        ok = false;
                        break;
                    }
                }
                ok
            } else {
                tx.send(Ok(frame.bytes.clone())).await.is_ok()
            };
            if !sent {
                return;
            }
        }
        if script.abort {
            // An error ends the body without its last chunk: the client sees the connection
            // drop mid-stream. Pause first so the frames before it are flushed (hyper writes
            // what it holds whenever the body has nothing ready).
            tokio::time::sleep(Duration::from_millis(20)).await;
            let _ = tx
                .send(Err(std::io::Error::other(
                    "injected fault: connection dropped",
                )))
                .await;
            return;
        }
        state.stats.streams_finished.fetch_add(1, Ordering::SeqCst);
    });
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(ReceiverStream::new(rx)),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_concatenate_back_to_the_text() {
        let text = "You asked: “x”.\n\n- **Support Bot** (published)\n";
        let pieces = split_words(text, 3);
        assert!(pieces.len() > 2);
        assert_eq!(pieces.concat(), text);
    }
}
