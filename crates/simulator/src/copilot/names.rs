//! Finding what a message names — an agent, a skill, a key — by its words, in any order and
//! case, with endings and small typos ("after hours line" is **After-hours Line**, "suport
//! bot" is **Support Bot**, "the staging key" is **Staging widget**).
//!
//! A name is *strongly* mentioned when all its words are there, or at least one word that
//! picks it out (not grammar, not a kind of thing like "bot" or "widget", not an action like
//! "send"). The best strong mentions win: every word before some, more words before fewer,
//! exact before typos. When no name is strongly mentioned, the weak ones (a shared "widget")
//! narrow the question the copilot asks.

use std::ops::Range;

use super::lexicon;
use super::utterance::{Closeness, Utterance, word_match};

/// What a search found.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Found<T> {
    Nothing,
    One(T),
    /// Equally good candidates: ask which.
    Several(Vec<T>),
}

impl<T> Found<T> {
    pub fn one(self) -> Option<T> {
        match self {
            Found::One(t) => Some(t),
            _ => None,
        }
    }

    #[cfg(test)]
    pub fn map<U>(self, f: impl Fn(T) -> U) -> Found<U> {
        match self {
            Found::Nothing => Found::Nothing,
            Found::One(t) => Found::One(f(t)),
            Found::Several(ts) => Found::Several(ts.into_iter().map(f).collect()),
        }
    }
}

/// How a name appears in a message.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Mention {
    /// Every word of the name is there.
    pub full: bool,
    /// Name words found; how many exactly (not through an ending or a typo).
    pub matched: usize,
    pub exact: usize,
    /// Found name words that pick this name out.
    pub significant: usize,
    /// The first message word it used, and all of them.
    pub at: usize,
    pub used: Vec<usize>,
    /// The last word it used carried a possessive `'s` ("Support Bot's …").
    pub possessive: bool,
}

impl Mention {
    pub fn strong(&self) -> bool {
        self.full || self.significant > 0
    }

    fn rank(&self) -> (bool, bool, usize, usize) {
        (self.strong(), self.full, self.matched, self.exact)
    }
}

/// A name's words as a message would spell them, without grammar words: "Transfer to a
/// human" → `transfer`, `human`.
pub(super) fn name_words(name: &str) -> Vec<String> {
    name.to_lowercase()
        .replace(['\'', '’'], "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !lexicon::STOPWORDS.contains(w))
        .map(str::to_owned)
        .collect()
}

fn picks_out(word: &str) -> bool {
    !lexicon::GENERIC.contains(&word) && !lexicon::is_action_word(word)
}

/// How `name` appears in the message's words within `range`, if at all.
pub(super) fn mention(u: &Utterance, range: Range<usize>, name: &str) -> Option<Mention> {
    let wanted = name_words(name);
    if wanted.is_empty() {
        return None;
    }
    let mut used: Vec<usize> = Vec::new();
    let mut matched = 0;
    let mut exact = 0;
    let mut significant = 0;
    let mut k = 0;
    while k < wanted.len() {
        let word = &wanted[k];
        // "afterhours" stands for "after" + "hours".
        let joined = wanted.get(k + 1).map(|next| format!("{word}{next}"));
        let mut best: Option<(usize, Closeness, usize)> = None;
        for i in range.clone() {
            if used.contains(&i) {
                continue;
            }
            let said = &u.words[i];
            if let Some(joined) = &joined
                && said == joined
            {
                best = Some((i, Closeness::Exact, 2));
                break;
            }
            if let Some(c) = word_match(said, word)
                && best.is_none_or(|(_, b, _)| c > b)
            {
                best = Some((i, c, 1));
                if c == Closeness::Exact {
                    break;
                }
            }
        }
        if let Some((i, closeness, words)) = best {
            used.push(i);
            for w in &wanted[k..k + words] {
                matched += 1;
                if closeness == Closeness::Exact {
                    exact += 1;
                }
                if picks_out(w) {
                    significant += 1;
                }
            }
        }
        k += best.map_or(1, |(_, _, words)| words);
    }
    if matched == 0 {
        return None;
    }
    let at = *used.iter().min().expect("matched");
    let last = *used.iter().max().expect("matched");
    Some(Mention {
        full: matched == wanted.len(),
        matched,
        exact,
        significant,
        at,
        possessive: u.possessive[last],
        used,
    })
}

/// The item `u` names within `range`, by name (see the module docs) or by its id written
/// out. Items come with their name and id.
pub(super) fn find<'a, T>(
    u: &Utterance,
    range: Range<usize>,
    items: impl IntoIterator<Item = &'a T>,
    name_and_id: impl Fn(&T) -> (&str, &str),
) -> Found<&'a T> {
    find_ranked(u, range, items, name_and_id).0
}

/// Like [`find`], and whether what it found was strongly mentioned.
pub(super) fn find_ranked<'a, T>(
    u: &Utterance,
    range: Range<usize>,
    items: impl IntoIterator<Item = &'a T>,
    name_and_id: impl Fn(&T) -> (&str, &str),
) -> (Found<&'a T>, bool) {
    let raw = u.raw.to_lowercase();
    let mut scored: Vec<(&T, Mention)> = Vec::new();
    for item in items {
        let (name, id) = name_and_id(item);
        if !id.is_empty() && raw.contains(&id.to_lowercase()) {
            return (Found::One(item), true);
        }
        if let Some(m) = mention(u, range.clone(), name) {
            scored.push((item, m));
        }
    }
    let Some(top) = scored.iter().map(|(_, m)| m.rank()).max() else {
        return (Found::Nothing, false);
    };
    let mut best: Vec<&T> = scored
        .into_iter()
        .filter(|(_, m)| m.rank() == top)
        .map(|(item, _)| item)
        .collect();
    let found = if best.len() == 1 {
        Found::One(best.remove(0))
    } else {
        Found::Several(best)
    };
    (found, top.0)
}

/// Strong mentions of any of `names` in the whole message (for deciding what a request is
/// about): the first such mention, or `None`.
pub(super) fn first_strong<'a>(
    u: &Utterance,
    names: impl IntoIterator<Item = &'a str>,
) -> Option<Mention> {
    names
        .into_iter()
        .filter_map(|name| mention(u, 0..u.words.len(), name))
        .filter(Mention::strong)
        .min_by_key(|m| (m.at, std::cmp::Reverse(m.matched)))
}

/// "**A**", "**A** or **B**", "**A**, **B** or **C**".
pub(super) fn either(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found<'a>(message: &str, names: &'a [&'a str]) -> Found<&'a str> {
        let u = Utterance::new(message, None);
        find(&u, 0..u.words.len(), names.iter(), |n| (n, "")).map(|n| *n)
    }

    const AGENTS: &[&str] = &[
        "Support Bot",
        "Sales Assistant",
        "After-hours Line",
        "Wholesale Intake",
    ];
    const KEYS: &[&str] = &["Website widget", "Staging widget", "Shop chat"];

    #[test]
    fn names_are_found_by_their_words_typos_and_all() {
        assert_eq!(
            found("rename after hours line to x", AGENTS),
            Found::One("After-hours Line")
        );
        assert_eq!(
            found("describe afterhours", AGENTS),
            Found::One("After-hours Line")
        );
        assert_eq!(
            found("publish suport bot", AGENTS),
            Found::One("Support Bot")
        );
        assert_eq!(
            found("delete wholsale", AGENTS),
            Found::One("Wholesale Intake")
        );
        assert_eq!(
            found("the sales one", AGENTS),
            Found::One("Sales Assistant")
        );
        assert_eq!(
            found("revoke the staging key", KEYS),
            Found::One("Staging widget")
        );
        assert_eq!(found("list my agents", AGENTS), Found::Nothing);
    }

    #[test]
    fn a_shared_word_alone_is_a_question() {
        assert_eq!(
            found("revoke the widget key", KEYS),
            Found::Several(vec!["Website widget", "Staging widget"])
        );
        // The whole name beats a part of it.
        assert_eq!(
            found("revoke the staging widget", KEYS),
            Found::One("Staging widget")
        );
        let names = ["Support Bot", "Support Desk"];
        assert_eq!(
            found("describe support", &names),
            Found::Several(vec!["Support Bot", "Support Desk"])
        );
        assert_eq!(
            found("describe support desk", &names),
            Found::One("Support Desk")
        );
    }

    #[test]
    fn a_possessive_is_remembered() {
        let u = Utterance::new("delete Support Bot's SMS skill", None);
        let m = mention(&u, 0..u.words.len(), "Support Bot").unwrap();
        assert!(m.full && m.possessive);
    }

    #[test]
    fn questions_name_the_candidates() {
        let names: Vec<String> = ["**A**", "**B**", "**C**"].map(String::from).to_vec();
        assert_eq!(either(&names), "**A**, **B** or **C**");
        assert_eq!(either(&names[..2]), "**A** or **B**");
    }
}
