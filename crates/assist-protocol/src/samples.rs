//! Deterministic event streams shaped like real `/assist` answers, shared by the benchmarks
//! (native, wasm, and the files the Node comparison reads) so every decoder sees the same bytes.

use serde_json::json;

use crate::{AppliedMutation, AssistResult, Delta, Progress, StepStatus, StreamEvent};

const WORDS: [&str; 16] = [
    "Support",
    "Bot",
    "now",
    "has",
    "an",
    "order-lookup",
    "skill;",
    "calls",
    "that",
    "failed",
    "yesterday",
    "were",
    "**transferred**",
    "to",
    "`+1 415 555 4421`",
    "é🌍",
];

/// A typical long turn: a few steps, `deltas` reply pieces of about 20 characters each, a
/// mutation, then `done` with the whole reply.
pub fn assist_stream(deltas: usize) -> String {
    let mut out = String::new();
    for status in [StepStatus::Started, StepStatus::Succeeded] {
        out.push_str(
            &StreamEvent::Progress(Progress {
                message: "Updating Support Bot".into(),
                operation_id: Some("updateAgent".into()),
                method: Some("PATCH".into()),
                path: Some("/agents/agt_support".into()),
                status: Some(status),
            })
            .to_frame(),
        );
    }
    let mut reply = String::new();
    let mut word = 0;
    for _ in 0..deltas {
        let mut text = String::new();
        while text.chars().count() < 20 {
            text.push_str(WORDS[word % WORDS.len()]);
            text.push(if word % 11 == 10 { '\n' } else { ' ' });
            word += 1;
        }
        reply.push_str(&text);
        out.push_str(&StreamEvent::Delta(Delta { text }).to_frame());
    }
    let mutation = AppliedMutation {
        method: "POST".into(),
        path: "/agents/agt_support/skills".into(),
        operation_id: Some("createSkill".into()),
        summary: Some("Added skill order-lookup".into()),
        body: json!({"name": "order-lookup", "type": "http"})
            .as_object()
            .cloned(),
    };
    out.push_str(&StreamEvent::Mutation(mutation.clone()).to_frame());
    out.push_str(
        &StreamEvent::Done(Some(AssistResult {
            reply,
            thread_id: Some("thr_bench".into()),
            applied_mutations: vec![mutation],
            pending_confirmations: Vec::new(),
        }))
        .to_frame(),
    );
    out
}

/// `count` `done` frames whose reply is about `bytes` long: few, large frames.
pub fn large_frames(count: usize, bytes: usize) -> String {
    let mut out = String::new();
    for i in 0..count {
        let mut reply = String::with_capacity(bytes);
        let mut word = i;
        while reply.len() < bytes {
            reply.push_str(WORDS[word % WORDS.len()]);
            reply.push(' ');
            word += 1;
        }
        out.push_str(
            &StreamEvent::Done(Some(AssistResult {
                reply,
                ..AssistResult::default()
            }))
            .to_frame(),
        );
    }
    out
}

/// The benchmarks' unit of work: decodes `input` fed `chunk` bytes at a time, touching every
/// event's data as a consumer would, and returns the number of events.
pub fn decode_in_chunks(input: &[u8], chunk: usize) -> usize {
    let mut decoder = crate::sse::Decoder::new();
    let (mut count, mut data_bytes) = (0, 0);
    for piece in input.chunks(chunk) {
        decoder
            .feed_with(piece, |event| {
                count += 1;
                data_bytes += event.data.len();
            })
            .expect("samples stay under the frame limit");
    }
    std::hint::black_box(data_bytes);
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse::Decoder;

    #[test]
    fn samples_decode_to_the_expected_events() {
        let stream = assist_stream(100);
        let events = Decoder::new().feed(stream.as_bytes()).unwrap();
        assert_eq!(events.len(), 2 + 100 + 2);
        let large = large_frames(2, 10_000);
        let events = Decoder::new().feed(large.as_bytes()).unwrap();
        assert_eq!(events.len(), 2);
        assert!(events[0].data.len() > 10_000);
    }
}
