//! Reading a message the way a person writes it: any case and punctuation, hyphens or not,
//! straight, curly or single quotes, words with a slip of the finger.
//!
//! An [`Utterance`] keeps the words outside quotes and URLs (lowercase, letters and digits
//! only), what was quoted (as written), the URLs, and which words carried a possessive `'s`.
//! Words compare with [`word_match`]: the same word, the same after a plural or tense ending,
//! or a small typo (see [`typo_limit`]). Phrases are sequences of words where `…` stands for up
//! to six words in between ("turn … off" matches "turn the SMS skill off").

use std::cmp::Ordering;

use super::lexicon;

/// Stands in the word list where a quoted text was, so positions stay true.
pub(super) const QUOTE_WORD: &str = "\u{1}quote";
/// Stands in the word list where a URL was.
pub(super) const URL_WORD: &str = "\u{1}url";

/// One message, read.
#[derive(Debug)]
pub(super) struct Utterance {
    /// The message as sent, trimmed.
    pub raw: String,
    /// The words outside quotes and URLs, lowercase; hyphens, slashes and other punctuation
    /// separate words, apostrophes inside a word are dropped (`don't` → `dont`).
    pub words: Vec<String>,
    /// `possessive[i]`: `words[i]` was written with `'s` (`Support Bot's` marks `bot`).
    pub possessive: Vec<bool>,
    /// Texts in quotes, in order, as written (without the quotes).
    pub quoted: Vec<String>,
    /// `http(s)` URLs, in order, without surrounding punctuation or a possessive `'s`.
    pub urls: Vec<String>,
    /// The agent the request is about when it names none (the page's agent).
    pub default_agent: Option<String>,
}

/// How closely a word matched: exact, through an ending, or through a typo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Closeness {
    Typo,
    Ending,
    Exact,
}

/// Where a phrase was found, and how well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Hit {
    /// Index of its first word, and one past its last.
    pub at: usize,
    pub end: usize,
    /// Words in the phrase (gaps not counted).
    pub len: usize,
    /// The weakest word match in it.
    pub closeness: Closeness,
    /// Words skipped by `…` gaps.
    pub gap: usize,
    /// Its first word ended in `-ed`/`-d` where the phrase has the bare verb ("disabled").
    pub participle: bool,
}

impl Hit {
    /// Better hits: more words, then closer words, then smaller gaps, then earlier.
    pub fn cmp_quality(&self, other: &Hit) -> Ordering {
        self.len
            .cmp(&other.len)
            .then(self.closeness.cmp(&other.closeness))
            .then(other.gap.cmp(&self.gap))
            .then(other.at.cmp(&self.at))
    }
}

impl Utterance {
    pub fn new(message: &str, default_agent: Option<&str>) -> Self {
        let raw = message.trim().to_owned();
        let (outside, quoted) = split_quotes(&raw);
        let mut words = Vec::new();
        let mut possessive = Vec::new();
        let mut urls = Vec::new();
        for token in outside.split_whitespace() {
            if token == QUOTE_MARK {
                words.push(QUOTE_WORD.to_owned());
                possessive.push(false);
                continue;
            }
            let bare = token.trim_matches(|c: char| "<>()[]{},;!?\"".contains(c));
            if bare.starts_with("https://") || bare.starts_with("http://") {
                let url = bare.trim_end_matches(['.', ':']);
                let url = url.strip_suffix("'s").unwrap_or(url);
                urls.push(url.to_owned());
                words.push(URL_WORD.to_owned());
                possessive.push(false);
                continue;
            }
            let lower = token.to_lowercase();
            let trimmed = lower.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '\'');
            let (stem, owns) = match trimmed.strip_suffix("'s") {
                Some(stem) => (stem.to_owned(), true),
                None => (trimmed.trim_end_matches('\'').to_owned(), false),
            };
            let joined: String = stem.chars().filter(|&c| c != '\'').collect();
            let parts: Vec<&str> = joined
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            let last = parts.len().saturating_sub(1);
            for (i, part) in parts.into_iter().enumerate() {
                words.push(part.to_owned());
                possessive.push(owns && i == last);
            }
        }
        Self {
            raw,
            words,
            possessive,
            quoted,
            urls,
            default_agent: default_agent.map(str::to_owned),
        }
    }

    /// The words, space-separated (for messages, and for reading text after a word).
    pub fn text(&self) -> String {
        self.words.join(" ")
    }

    /// The first place `phrase` occurs, looking from word `from` on.
    pub fn find_from(&self, phrase: &str, from: usize) -> Option<Hit> {
        let parts: Vec<&str> = phrase.split_whitespace().collect();
        (from..self.words.len()).find_map(|at| self.match_at(&parts, at))
    }

    pub fn find(&self, phrase: &str) -> Option<Hit> {
        self.find_from(phrase, 0)
    }

    pub fn has(&self, phrase: &str) -> bool {
        self.find(phrase).is_some()
    }

    pub fn has_any(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|p| self.has(p))
    }

    /// Is one of `words` in the message exactly as written (no endings, no typos)?
    pub fn has_exact(&self, words: &[&str]) -> bool {
        self.words.iter().any(|w| words.contains(&w.as_str()))
    }

    /// The best hit among `phrases` (see [`Hit::cmp_quality`]).
    pub fn best(&self, phrases: &[&str]) -> Option<Hit> {
        phrases.iter().filter_map(|p| self.find(p)).fold(
            None,
            |best: Option<Hit>, hit| match best {
                Some(b) if b.cmp_quality(&hit) != Ordering::Less => Some(b),
                _ => Some(hit),
            },
        )
    }

    fn match_at(&self, parts: &[&str], at: usize) -> Option<Hit> {
        let mut i = at;
        let mut closeness = Closeness::Exact;
        let mut gap = 0;
        let mut len = 0;
        let mut participle = false;
        let mut gap_allowed = 0;
        for part in parts {
            if *part == "…" || *part == "..." {
                gap_allowed = 6;
                continue;
            }
            // Find the next word, skipping at most `gap_allowed` words.
            let found = (i..self.words.len().min(i + gap_allowed + 1))
                .find_map(|j| word_match(&self.words[j], part).map(|c| (j, c)))?;
            let (j, c) = found;
            if len == 0 && j != at {
                return None;
            }
            if len == 0 {
                participle = is_participle(&self.words[j], part);
            }
            gap += j - i;
            closeness = closeness.min(c);
            len += 1;
            i = j + 1;
            gap_allowed = 0;
        }
        // "give me …", "make me …", "let me …" are asking, not giving or making.
        if parts.len() == 1
            && ["give", "get", "make", "let"].contains(&parts[0])
            && self
                .words
                .get(at + 1)
                .is_some_and(|w| w == "me" || w == "us")
        {
            return None;
        }
        (len > 0).then_some(Hit {
            at,
            end: i,
            len,
            closeness,
            gap,
            participle,
        })
    }

    /// Is it a yes/no question about how things are ("is…", "does…", "did…")? Those are
    /// answered by looking, never by acting.
    pub fn is_status_question(&self) -> bool {
        let first = self.words.first().map(String::as_str);
        matches!(
            first,
            Some("is" | "are" | "was" | "were" | "has" | "have" | "does" | "do" | "did" | "isnt")
        ) && !self.has_any(&["do not", "dont"])
    }

    /// Runs of digits with the index of their first word: a phone number may come in groups
    /// ("+1 415 555 4421", "(415) 555-4421") and is one run.
    pub fn digit_runs(&self) -> Vec<(usize, String)> {
        let mut runs: Vec<(usize, String)> = Vec::new();
        let mut previous_was_digits = false;
        for (i, word) in self.words.iter().enumerate() {
            let digits = word.bytes().all(|b| b.is_ascii_digit());
            match runs.last_mut() {
                Some((_, run)) if digits && previous_was_digits => run.push_str(word),
                _ if digits => runs.push((i, word.clone())),
                _ => {}
            }
            previous_was_digits = digits;
        }
        runs
    }

    /// Does it ask how to do something, or what would happen ("how do I release a number?",
    /// "what happens if I delete Support Bot?")? Such a question is explained, not carried out.
    pub fn asks_how(&self) -> bool {
        self.best(lexicon::HOW_TO).is_some_and(|h| h.at <= 2)
    }

    /// The index of the first word, after word `from`, that is one of `words`.
    pub fn position_of(&self, words: &[&str], from: usize) -> Option<usize> {
        (from..self.words.len()).find(|&i| words.contains(&self.words[i].as_str()))
    }
}

const QUOTE_MARK: &str = "\u{1}q";

/// Splits out quoted texts: `"…"`, `“…”` and `'…'` / `‘…’` (a single quote opens only at the
/// start of a word and closes only at the end of one, so `Bot's` and `don't` stay words).
/// An unclosed quote runs to the end of the message.
fn split_quotes(text: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = text
        .chars()
        .map(|c| match c {
            '“' | '”' | '„' | '«' | '»' => '"',
            '‘' | '’' | '`' => '\'',
            _ => c,
        })
        .collect();
    let mut outside = String::new();
    let mut quoted = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_word = i == 0 || chars[i - 1].is_whitespace() || "([{:".contains(chars[i - 1]);
        let opens = c == '"'
            || (c == '\'' && starts_word && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()));
        if !opens {
            outside.push(c);
            i += 1;
            continue;
        }
        let close = (i + 1..chars.len()).find(|&j| {
            if c == '"' {
                chars[j] == '"'
            } else {
                chars[j] == '\''
                    && !chars[j - 1].is_whitespace()
                    && chars
                        .get(j + 1)
                        .is_none_or(|n| n.is_whitespace() || ".,!?;:)]}".contains(*n))
            }
        });
        let end = close.unwrap_or(chars.len());
        let inner: String = chars[i + 1..end].iter().collect();
        let inner = inner.trim();
        if !inner.is_empty() {
            quoted.push(inner.to_owned());
            outside.push(' ');
            outside.push_str(QUOTE_MARK);
            outside.push(' ');
        }
        i = end + 1;
    }
    (outside, quoted)
}

/// The forms a word may take with an ending: `disabled` → `disable`, `numbers` → `number`,
/// `removing` → `remove`, `policies` → `policy`.
fn forms(word: &str) -> Vec<String> {
    let mut out = vec![word.to_owned()];
    let mut push = |w: String| {
        if w.len() >= 3 && !out.contains(&w) {
            out.push(w);
        }
    };
    for suffix in ["s", "es", "ed", "d", "ing"] {
        if let Some(stem) = word.strip_suffix(suffix) {
            push(stem.to_owned());
        }
    }
    if let Some(stem) = word.strip_suffix("ing") {
        push(format!("{stem}e"));
    }
    if let Some(stem) = word.strip_suffix("ies") {
        push(format!("{stem}y"));
    }
    out
}

fn is_participle(said: &str, target: &str) -> bool {
    said != target
        && (said.ends_with("ed") || said.ends_with('d'))
        && (said.strip_suffix("ed") == Some(target) || said.strip_suffix('d') == Some(target))
}

/// How many edits a typo of `target` may have: none under 4 letters, a swap of two
/// neighbouring letters at 4, one edit from 5 to 8 letters, two from 9.
pub(super) fn typo_limit(target: &str) -> usize {
    match target.chars().count() {
        0..=3 => 0,
        4 => 1,
        5..=8 => 1,
        _ => 2,
    }
}

/// Does the word `said` (from a message) stand for `target`? A typo only counts when `said`
/// is not itself a word the copilot knows ("kill" is never "skill"), has its first letter and
/// at least 3 letters; digits must be exact.
pub(super) fn word_match(said: &str, target: &str) -> Option<Closeness> {
    if said == target {
        return Some(Closeness::Exact);
    }
    // Every way of matching keeps the first letter and changes the length by at most three
    // (an ending), so most pairs are refused here, cheaply.
    if said.starts_with('\u{1}')
        || said.as_bytes().first() != target.as_bytes().first()
        || said.len().abs_diff(target.len()) > 3
    {
        return None;
    }
    // The message's word may carry an ending ("disabled" is "disable"); the target only a
    // plural ("recommendation" is "recommendations"). So "called" is not "calls", and
    // "unassign" is not "unassigned".
    let said_forms = forms(said);
    let singular = target
        .strip_suffix("es")
        .into_iter()
        .chain(target.strip_suffix('s'));
    if said_forms.iter().any(|s| s == target) || singular.into_iter().any(|t| t == said) {
        return Some(Closeness::Ending);
    }
    if said.chars().count() < 3
        || said.bytes().any(|b| b.is_ascii_digit())
        || target.bytes().any(|b| b.is_ascii_digit())
        || said.chars().next() != target.chars().next()
        || lexicon::is_known(said)
    {
        return None;
    }
    let limit = typo_limit(target);
    if limit == 0 {
        return None;
    }
    let close = said_forms.iter().any(|s| {
        let d = strsim::osa_distance(s, target);
        if target.chars().count() == 4 {
            // Four letters: only two neighbouring letters swapped ("lsit").
            d == 1 && s.len() == target.len() && sorted(s) == sorted(target)
        } else {
            d <= limit
        }
    });
    close.then_some(Closeness::Typo)
}

fn sorted(s: &str) -> Vec<char> {
    let mut chars: Vec<char> = s.chars().collect();
    chars.sort_unstable();
    chars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_of_every_kind_are_values_and_apostrophes_are_not_quotes() {
        let u = Utterance::new("rename after-hours line to 'Night Line'", None);
        assert_eq!(u.quoted, ["Night Line"]);
        assert_eq!(
            u.words,
            ["rename", "after", "hours", "line", "to", QUOTE_WORD]
        );
        let u = Utterance::new("Set Support Bot’s greeting to “Hi there!” and don't", None);
        assert_eq!(u.quoted, ["Hi there!"]);
        assert!(u.words.contains(&"dont".to_owned()));
        let bot = u.words.iter().position(|w| w == "bot").unwrap();
        assert!(u.possessive[bot]);
        let u = Utterance::new("call it ‘Front Desk’", None);
        assert_eq!(u.quoted, ["Front Desk"]);
        let u = Utterance::new("create an agent called \"Unclosed", None);
        assert_eq!(u.quoted, ["Unclosed"]);
    }

    #[test]
    fn urls_are_kept_whole() {
        let u = Utterance::new(
            "Add https://northwind-coffee.example/returns to Support Bot's knowledge.",
            None,
        );
        assert_eq!(u.urls, ["https://northwind-coffee.example/returns"]);
        assert_eq!(u.words[1], URL_WORD);
        let u = Utterance::new("index <https://x.example/a>, please", None);
        assert_eq!(u.urls, ["https://x.example/a"]);
    }

    #[test]
    fn words_match_through_endings_and_small_typos_only() {
        assert_eq!(word_match("disabled", "disable"), Some(Closeness::Ending));
        assert_eq!(word_match("numbers", "number"), Some(Closeness::Ending));
        assert_eq!(word_match("removing", "remove"), Some(Closeness::Ending));
        assert_eq!(word_match("relase", "release"), Some(Closeness::Typo));
        assert_eq!(word_match("wholsale", "wholesale"), Some(Closeness::Typo));
        assert_eq!(word_match("lsit", "list"), Some(Closeness::Typo));
        assert_eq!(
            word_match("lost", "list"),
            None,
            "four letters: only a swap"
        );
        assert_eq!(
            word_match("kill", "skill"),
            None,
            "a known word is never a typo"
        );
        assert_eq!(word_match("assign", "unassign"), None);
        assert_eq!(word_match("4412", "4421"), None, "digits are exact");
        assert_eq!(word_match("bot", "box"), None, "three letters are exact");
        assert_eq!(
            word_match("xelease", "release"),
            None,
            "the first letter counts"
        );
    }

    #[test]
    fn phrases_allow_gaps_and_prefer_the_closest_reading() {
        let u = Utterance::new("turn the SMS skill off on Support Bot", None);
        let off = u.find("turn … off").unwrap();
        let on = u.find("turn … on").unwrap();
        assert_eq!(off.cmp_quality(&on), Ordering::Greater);
        let u = Utterance::new("which skills are disabled?", None);
        assert!(u.find("disable").unwrap().participle);
        assert!(Utterance::new("is Support Bot live?", None).is_status_question());
        assert!(!Utterance::new("can you publish it?", None).is_status_question());
    }
}
