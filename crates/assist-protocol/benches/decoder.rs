//! Decoder throughput on `/assist`-shaped streams (`scripts/bench` runs this beside the npm
//! `eventsource-parser` in Node and in Chromium, on the same bytes).
//!
//! ```text
//! cargo bench -p assist-protocol --bench decoder [-- --write DIR]
//! ```
//!
//! Input is fed in 16 KiB chunks, as network reads arrive. Each input runs until at least 1 s
//! and 10 runs have passed; the median run gives MB/s (1 MB = 10^6 bytes). `--write DIR` also
//! saves the inputs as DIR/NAME.sse for the other runners.

use std::time::{Duration, Instant};

use assist_protocol::samples;
use assist_protocol::sse::Decoder;

const CHUNK: usize = 16 * 1024;

fn decode(input: &[u8]) -> usize {
    let mut decoder = Decoder::new();
    let mut events = Vec::new();
    let mut count = 0;
    for chunk in input.chunks(CHUNK) {
        decoder.feed_into(chunk, &mut events).unwrap();
        count += events.len();
        events.clear();
    }
    count
}

fn median_run(input: &[u8]) -> (Duration, usize) {
    let mut runs = Vec::new();
    let started = Instant::now();
    let mut events = 0;
    while runs.len() < 10 || started.elapsed() < Duration::from_secs(1) {
        let t = Instant::now();
        events = std::hint::black_box(decode(std::hint::black_box(input)));
        runs.push(t.elapsed());
    }
    runs.sort_unstable();
    (runs[runs.len() / 2], events)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut write = None;
    while let Some(arg) = args.next() {
        if arg == "--write" {
            write = args.next();
        }
    }
    let inputs = [
        ("assist-stream", samples::assist_stream(20_000)),
        ("large-frames", samples::large_frames(4, 1 << 20)),
    ];
    for (name, input) in &inputs {
        if let Some(dir) = &write {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(format!("{dir}/{name}.sse"), input).unwrap();
        }
        let (time, events) = median_run(input.as_bytes());
        let mbps = input.len() as f64 / time.as_secs_f64() / 1e6;
        println!(
            "{{\"runner\":\"assist-protocol (native)\",\"input\":\"{name}\",\"bytes\":{},\"events\":{events},\"mbps\":{mbps:.1}}}",
            input.len()
        );
    }
}
