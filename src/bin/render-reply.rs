//! `render-reply`: prints exactly the HTML the panel inserts for a reply.
//!
//! ```text
//! render-reply < reply.md               # the reply rendered whole
//! render-reply --stream 20 < reply.md   # fed 20 bytes at a time, as a stream would; the final HTML
//! ```
//!
//! Reads markdown on stdin; prints the HTML of its blocks, in order, as the panel puts them in
//! the page (one element per block).

use std::io::{Read, Write};
use std::process::ExitCode;

use flowyte_copilot::markdown::{ReplyPolicy, render, render_streamed};

const USAGE: &str = "usage: render-reply [--stream N] < reply.md";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stream = match args.as_slice() {
        [] => None,
        [flag, n] if flag == "--stream" => match n.parse::<usize>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                eprintln!("render-reply: --stream takes a number of bytes above 0\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        [flag] if flag == "--help" || flag == "-h" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut input = Vec::new();
    if let Err(error) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("render-reply: cannot read stdin: {error}");
        return ExitCode::FAILURE;
    }
    let policy = ReplyPolicy::default();
    let html = match stream {
        None => match std::str::from_utf8(&input) {
            Ok(text) => render(text, &policy),
            Err(error) => {
                eprintln!("render-reply: stdin is not UTF-8: {error}");
                return ExitCode::FAILURE;
            }
        },
        Some(n) => match render_streamed(&input, n, &policy) {
            Ok(html) => html,
            Err(error) => {
                eprintln!("render-reply: stdin is not UTF-8: {error}");
                return ExitCode::FAILURE;
            }
        },
    };
    let mut out = std::io::stdout().lock();
    if out
        .write_all(html.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
