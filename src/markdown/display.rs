//! The open tail closed for display: what is still arriving of a link, a code span or
//! emphasis shows as it will read, not as its markup.

/// Closes the open tail's incomplete constructs so it reads well while it streams: an open
/// link shows as its text until the URL is complete, an open image shows nothing, an open
/// inline code span and open emphasis are closed. (An open code fence needs nothing: CommonMark
/// runs it to the end.) Only for display; the final render never uses it.
pub fn close_for_display(tail: &str) -> String {
    if in_open_fence(tail) {
        return tail.to_owned();
    }
    let mut text = tail.to_owned();
    // The last line holds any construct still open.
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    let mut line = text.split_off(line_start);
    cut_open_link(&mut line);
    close_code_and_emphasis(&mut line);
    text.push_str(&line);
    text
}

fn in_open_fence(text: &str) -> bool {
    let mut open: Option<(char, usize)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() > 3 {
            continue;
        }
        for fence in ['`', '~'] {
            let run = trimmed.chars().take_while(|c| *c == fence).count();
            if run >= 3 {
                match open {
                    None => open = Some((fence, run)),
                    Some((f, n)) if f == fence && run >= n && trimmed[run..].trim().is_empty() => {
                        open = None
                    }
                    _ => {}
                }
            }
        }
    }
    open.is_some()
}

/// `… [text](http://exa` → `… text`; `… ![alt](http://exa` → `… `; `… [text` → `… text`.
fn cut_open_link(line: &mut String) {
    // The last `[` that is not closed by a complete `](…)` or `]` later on.
    let Some(open) = line.rfind('[') else {
        return;
    };
    let after = &line[open + 1..];
    let image = open > 0 && line.as_bytes()[open - 1] == b'!';
    let start = if image { open - 1 } else { open };
    match after.find(']') {
        None => {
            // `[text` still growing.
            let text = after.to_owned();
            line.truncate(start);
            if !image {
                line.push_str(&text);
            }
        }
        Some(close) => {
            let rest = &after[close + 1..];
            if rest.starts_with('(') && !rest.contains(')') {
                let text = after[..close].to_owned();
                line.truncate(start);
                if !image {
                    line.push_str(&text);
                }
            }
        }
    }
}

/// Appends closers for an open inline code span and for open `*`/`_`/`~~` emphasis.
fn close_code_and_emphasis(line: &mut String) {
    let chars: Vec<char> = line.chars().collect();
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    let mut code: Option<usize> = None;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            i += 2;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        if c == '`' {
            match code {
                None => code = Some(run),
                Some(n) if n == run => code = None,
                _ => {}
            }
            i += run;
            continue;
        }
        if code.is_none() && matches!(c, '*' | '_' | '~') {
            let before = if i == 0 { ' ' } else { chars[i - 1] };
            let next = chars.get(i + run).copied().unwrap_or(' ');
            let delim: String = std::iter::repeat_n(c, run.min(3)).collect();
            let closes = !before.is_whitespace() && stack.last() == Some(&delim);
            let strike_run = c != '~' || run == 2;
            let opens = !next.is_whitespace() && strike_run;
            if closes {
                stack.pop();
            } else if opens && (c != '_' || !before.is_alphanumeric()) {
                stack.push(delim);
            }
        }
        i += run;
    }
    if let Some(n) = code {
        line.extend(std::iter::repeat_n('`', n));
        return;
    }
    // Emphasis that closes must not follow a space: "**bold " → "**bold**".
    if !stack.is_empty() {
        let trimmed = line.trim_end().len();
        let trailing = line.split_off(trimmed);
        while let Some(delim) = stack.pop() {
            line.push_str(&delim);
        }
        line.push_str(&trailing);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_closes_what_is_open() {
        assert_eq!(close_for_display("some **bold"), "some **bold**");
        assert_eq!(close_for_display("a `code"), "a `code`");
        assert_eq!(
            close_for_display("see [the docs](https://docs.fl"),
            "see the docs"
        );
        assert_eq!(close_for_display("see [the do"), "see the do");
        assert_eq!(close_for_display("pic ![alt](https://x"), "pic ");
        assert_eq!(close_for_display("2 * 3 = 6"), "2 * 3 = 6");
        assert_eq!(close_for_display("*one **two"), "*one **two***");
        assert_eq!(close_for_display("```\ncode *x"), "```\ncode *x");
        assert_eq!(close_for_display("snake_case_name"), "snake_case_name");
    }
}
