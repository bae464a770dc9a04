//! Feeds arbitrary bytes to the SSE decoder, whole and cut into chunks at points taken from the
//! input itself, and checks: no panic, the same events and end either way, memory bounded by
//! the frame limit, and every event's typed interpretation either succeeds or errors cleanly.
#![no_main]

use assist_protocol::StreamEvent;
use assist_protocol::sse::{Decoder, End, Event, FrameTooLarge};
use libfuzzer_sys::fuzz_target;

const LIMIT: usize = 1024;

fn decode(chunks: &[&[u8]]) -> (Vec<Event>, Result<End, FrameTooLarge>) {
    let mut decoder = Decoder::with_max_frame(LIMIT);
    let mut events = Vec::new();
    for chunk in chunks {
        if let Err(e) = decoder.feed_into(chunk, &mut events) {
            return (events, Err(e));
        }
    }
    (events, Ok(decoder.finish()))
}

fuzz_target!(|input: &[u8]| {
    // The first byte chooses the chunk size; the rest is the stream.
    let Some((&size, stream)) = input.split_first() else {
        return;
    };
    let size = usize::from(size % 17) + 1;
    let whole = decode(&[stream]);
    let chunks: Vec<&[u8]> = stream.chunks(size).collect();
    let chunked = decode(&chunks);
    if whole.1.is_ok() {
        assert_eq!(whole, chunked, "chunk size {size}");
    } else {
        // Over the limit: the chunked run must fail too (it may fail at a different event).
        assert!(chunked.1.is_err(), "chunk size {size}");
    }
    for event in &whole.0 {
        assert!(event.data.len() <= LIMIT);
        let _ = StreamEvent::from_sse(event.as_ref());
    }
});
