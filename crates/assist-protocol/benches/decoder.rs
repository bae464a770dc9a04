//! Decoder throughput on `/assist`-shaped streams (`scripts/bench` runs this beside the npm
//! `eventsource-parser` in Node and in Chromium, on the same bytes).
//!
//! ```text
//! cargo bench -p assist-protocol --bench decoder [-- --write DIR] [--only INPUT]
//! ```
//!
//! Input is fed in 16 KiB chunks, as network reads arrive. Each input runs until at least 1 s
//! and 10 runs have passed; the fastest run gives MB/s (1 MB = 10^6 bytes). `--write DIR` also
//! saves the inputs as DIR/NAME.sse for the other runners.

use std::time::{Duration, Instant};

use assist_protocol::samples;

const CHUNK: usize = 16 * 1024;

/// The fastest of the runs: the code's own speed, least disturbed by whatever else the machine
/// is doing (every runner here is measured the same way).
fn best_run(input: &[u8]) -> (Duration, usize) {
    let mut runs = Vec::new();
    let started = Instant::now();
    let mut events = 0;
    while runs.len() < 10 || started.elapsed() < Duration::from_secs(1) {
        let t = Instant::now();
        events = samples::decode_in_chunks(std::hint::black_box(input), CHUNK);
        runs.push(t.elapsed());
    }
    (runs.into_iter().min().expect("at least one run"), events)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut write, mut only) = (None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--write" => write = args.next(),
            "--only" => only = args.next(),
            _ => {}
        }
    }
    let inputs = [
        ("assist-stream", samples::assist_stream(20_000)),
        ("large-frames", samples::large_frames(4, 1 << 20)),
    ];
    for (name, input) in &inputs {
        if only.as_deref().is_some_and(|only| only != *name) {
            continue;
        }
        if let Some(dir) = &write {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(format!("{dir}/{name}.sse"), input).unwrap();
        }
        let (time, events) = best_run(input.as_bytes());
        let mbps = input.len() as f64 / time.as_secs_f64() / 1e6;
        println!(
            "{{\"runner\":\"assist-protocol (native)\",\"input\":\"{name}\",\"bytes\":{},\"events\":{events},\"mbps\":{mbps:.1}}}",
            input.len()
        );
    }
}
