//! The render-reply CLI.

use flowyte_copilot::markdown::{ReplyPolicy, render};

fn render_reply(args: &[&str], stdin: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_render-reply"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A refused flag exits before reading: a broken pipe here is expected then.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn render_reply_prints_what_the_panel_inserts_whole_or_streamed() {
    let md = "## Numbers\n\n| Number | Agent |\n|---|---|\n| +1 415 555 4421 | Support Bot |\n\n\
              Release it? [Docs](https://docs.flowyte.com) <b>no html</b> — “quotes” é\n\n\
              Bare: https://docs.flowyte.com/numbers, support@northwind-coffee.example.\n";
    let whole = render_reply(&[], md.as_bytes());
    assert!(whole.status.success());
    let expected = render(md, &ReplyPolicy::default());
    assert!(expected.contains("href=\"mailto:support@northwind-coffee.example\""));
    assert_eq!(String::from_utf8(whole.stdout).unwrap(), expected);
    // Odd chunk sizes split the multi-byte characters; the result is the same.
    for n in ["1", "2", "3", "7", "64"] {
        let streamed = render_reply(&["--stream", n], md.as_bytes());
        assert!(streamed.status.success());
        assert_eq!(
            String::from_utf8(streamed.stdout).unwrap(),
            expected,
            "--stream {n}"
        );
    }
}

#[test]
fn render_reply_refuses_bad_input_clearly() {
    let not_utf8 = render_reply(&[], b"caf\xe9");
    assert!(!not_utf8.status.success());
    assert!(String::from_utf8_lossy(&not_utf8.stderr).contains("not UTF-8"));
    let bad_flag = render_reply(&["--stream", "0"], b"x");
    assert_eq!(bad_flag.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_flag.stderr).contains("usage: render-reply"));
}
