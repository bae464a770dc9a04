//! Text helpers the copilot's modules share: reading names and values out of a message and
//! writing markdown.

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub(super) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}

/// The words after the first of `markers` (e.g. " called "), up to the end of the sentence.
pub(super) fn after(message: &str, markers: &[&str]) -> Option<String> {
    let lower = message.to_lowercase();
    markers.iter().find_map(|marker| {
        let at = lower.find(marker)? + marker.len();
        let rest = message.get(at..)?;
        let text = rest
            .trim()
            .trim_end_matches(['.', '!', '?'])
            .trim_matches(['"', '“', '”'])
            .trim();
        (!text.is_empty()).then(|| text.to_owned())
    })
}

pub(super) fn has_any(lower: &str, words: &[&str]) -> bool {
    words.iter().any(|w| lower.contains(w))
}

/// A markdown table. `columns` are `(title, right-aligned)`. Every cell is escaped, so a `|`
/// or a line break in a name cannot break the table.
pub(super) fn table(
    columns: &[(&str, bool)],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> String {
    let line = |cells: &mut dyn Iterator<Item = String>| {
        let cells: Vec<String> = cells
            .map(|c| c.replace('|', "\\|").replace(['\n', '\r'], " "))
            .collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let mut out = line(&mut columns.iter().map(|(title, _)| (*title).to_owned()));
    let rule: Vec<&str> = columns
        .iter()
        .map(|(_, right)| if *right { "---:" } else { "---" })
        .collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    for row in rows {
        out.push_str(&line(&mut row.into_iter()));
    }
    out
}

/// Cuts `text` at the first of `markers`.
pub(super) fn cut_at(text: &str, markers: &[&str]) -> String {
    let lower = text.to_lowercase();
    let end = markers
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        .unwrap_or(text.len());
    text[..end]
        .trim()
        .trim_end_matches(['.', '!', '?'])
        .to_owned()
}

pub(super) fn upper_first(s: &str) -> String {
    let mut chars = s.trim().chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
