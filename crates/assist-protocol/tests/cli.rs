//! The `assist-stream` binary: one JSON line per event, then how the input ended.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::process::{Command, Stdio};

fn run(args: &[&str], input: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_assist-stream"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const STREAM: &[u8] =
    b"\xEF\xBB\xBFevent:delta\r\ndata:{\"text\":\"h\xC3\xA9\"}\r\n\r\nid: 4\ndata:a\ndata:b\n\n";

#[test]
fn prints_each_event_then_a_clean_end_for_every_chunk_size() {
    let expected = concat!(
        "{\"event\":\"delta\",\"data\":\"{\\\"text\\\":\\\"hé\\\"}\",\"id\":\"\"}\n",
        "{\"event\":\"message\",\"data\":\"a\\nb\",\"id\":\"4\"}\n",
        "{\"end\":\"clean\"}\n",
    );
    for chunk in ["1", "2", "3", "7", "65536"] {
        let (code, stdout, _) = run(&["--chunk", chunk], STREAM);
        assert_eq!((code, stdout.as_str()), (0, expected), "--chunk {chunk}");
    }
}

#[test]
fn a_stream_cut_mid_frame_ends_truncated() {
    let (code, stdout, _) = run(&[], b"data:a\n\ndata:b");
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().last(), Some("{\"end\":\"truncated\"}"));
    assert_eq!(stdout.lines().count(), 2);
}

#[test]
fn a_frame_over_the_limit_exits_1() {
    let (code, _, stderr) = run(&["--max-frame", "8"], b"data:0123456789\n\n");
    assert_eq!(code, 1);
    assert!(stderr.contains("exceeded 8 bytes"), "{stderr}");
}

#[test]
fn bad_arguments_exit_2_with_usage() {
    let (code, _, stderr) = run(&["--chunk", "0"], b"");
    assert_eq!(code, 2);
    assert!(stderr.contains("usage: assist-stream"));
}
