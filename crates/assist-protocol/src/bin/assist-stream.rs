//! `assist-stream`: decodes a captured (or live) event stream the way the panel does.
//!
//! ```text
//! assist-stream [--chunk N] [--max-frame BYTES] [FILE]
//! curl -N … | assist-stream
//! ```
//!
//! Reads FILE (or stdin) N bytes at a time (default 65536; `--chunk 1` feeds byte by byte) and
//! prints one JSON object per dispatched event, `{"event":…,"data":…,"id":…}`, as soon as it is
//! complete, then `{"end":"clean"}` or `{"end":"truncated"}` (an event was still open when the
//! input ended). Exits 0 unless the input broke the frame limit (exit 1) or could not be read
//! (exit 2).

use std::io::{Read, Write};
use std::process::ExitCode;

use assist_protocol::sse::{DEFAULT_MAX_FRAME_BYTES, Decoder, End, Event};
use serde::Serialize;

const USAGE: &str = "usage: assist-stream [--chunk N] [--max-frame BYTES] [FILE]";

#[derive(Serialize)]
struct Line<'a> {
    event: &'a str,
    data: &'a str,
    id: &'a str,
}

struct Args {
    chunk: usize,
    max_frame: usize,
    file: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        chunk: 64 * 1024,
        max_frame: DEFAULT_MAX_FRAME_BYTES,
        file: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("{name} needs a positive number\n{USAGE}"))
        };
        match arg.as_str() {
            "--chunk" => args.chunk = number("--chunk")?,
            "--max-frame" => args.max_frame = number("--max-frame")?,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            _ if arg.starts_with('-') && arg != "-" => {
                return Err(format!("unknown option {arg}\n{USAGE}"));
            }
            _ if args.file.is_none() => args.file = Some(arg),
            _ => return Err(format!("only one FILE\n{USAGE}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut input: Box<dyn Read> = match args.file.as_deref() {
        None | Some("-") => Box::new(std::io::stdin().lock()),
        Some(path) => match std::fs::File::open(path) {
            Ok(file) => Box::new(file),
            Err(e) => {
                eprintln!("assist-stream: cannot open {path}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut decoder = Decoder::with_max_frame(args.max_frame);
    let mut buf = vec![0u8; args.chunk];
    let mut events = Vec::new();
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                eprintln!("assist-stream: read error: {e}");
                return ExitCode::from(2);
            }
        };
        if let Err(e) = decoder.feed_into(&buf[..n], &mut events) {
            let _ = print_events(&mut out, &mut events);
            eprintln!("assist-stream: {e}");
            return ExitCode::from(1);
        }
        if print_events(&mut out, &mut events).is_err() {
            // stdout closed (e.g. piped into `head`): nothing more to do.
            return ExitCode::SUCCESS;
        }
    }
    let end = match decoder.finish() {
        End::Clean => "clean",
        End::Truncated => "truncated",
    };
    let _ = writeln!(out, "{}", serde_json::json!({ "end": end }));
    ExitCode::SUCCESS
}

fn print_events(out: &mut impl Write, events: &mut Vec<Event>) -> std::io::Result<()> {
    for event in events.drain(..) {
        let line = Line {
            event: &event.event,
            data: &event.data,
            id: &event.id,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
