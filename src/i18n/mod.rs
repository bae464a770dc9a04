//! The panel's languages: every string it shows, announces or puts in an accessible name is a
//! message of this catalog, in English and German.
//!
//! A [`Locale`] is chosen once per panel ([`Locale::choose`]: the `locale` mount option, else
//! the host element's closest `lang`, the page's `<html lang>`, `navigator.language`, else
//! English) and is the catalog: each message is a typed method on it
//! (`locale.changes_applied(3)` → "3 changes applied" / "3 Änderungen angewendet"), declared
//! once with both languages side by side by [`catalog!`], so a message without its German
//! cannot compile and a test renders every one of them in both.
//!
//! - [`panel`]: the panel's chrome (header, composer, account, recent, log, reply tools).
//! - [`turns`]: what a turn says (errors, announcements, the working line, the thread check,
//!   Retry's question, the message limit).
//! - [`approvals`]: the approval cards. [`changes`]: the plan and its totals.
//! - [`problems`]: the gateway's and the server's refusals with known codes.
//! - [`words`]: API names (operations, resources) in words.
//!
//! Plurals come from `Intl.PluralRules` and times from `Intl.DateTimeFormat` in the browser
//! ([`intl`]); natively (the tests) English and German's rule and UTC stand in.
//!
//! What the copilot replies and the summaries the server writes of its changes are content,
//! not chrome: they are shown as the server wrote them.

/// Declares messages, each with its English and German, as methods of [`Locale`], and (for the
/// completeness test) a function rendering every one of them with sample arguments.
///
/// ```ignore
/// catalog! { samples;
///     /// "3 changes applied"
///     fn changes_applied(n: usize = 3) {
///         en: count_en(n, "change applied", "changes applied"),
///         de: count_de(n, "Änderung angewendet", "Änderungen angewendet"),
///     }
/// }
/// ```
macro_rules! catalog {
    ($samples:ident; $(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty = $sample:expr),* $(,)?) {
            en: $en:expr,
            de: $de:expr $(,)?
        }
    )*) => {
        impl $crate::i18n::Locale {
            $(
                $(#[$doc])*
                #[allow(clippy::useless_conversion)]
                pub fn $name(self, $($arg: $ty),*) -> String {
                    match self {
                        Self::En => ($en).into(),
                        Self::De => ($de).into(),
                    }
                }
            )*
        }

        /// Every message of this part of the catalog, rendered with sample arguments.
        #[cfg(test)]
        pub(crate) fn $samples(locale: $crate::i18n::Locale) -> Vec<(&'static str, String)> {
            vec![$((stringify!($name), locale.$name($($sample),*))),*]
        }
    };
}

pub mod approvals;
pub mod changes;
pub mod intl;
pub mod panel;
pub mod problems;
pub mod turns;
pub mod words;

/// The panel's language, and its message catalog.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    #[default]
    En,
    De,
}

impl Locale {
    /// Every language the catalog has.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::De];

    /// The language of a BCP 47 tag: `de`, `de-DE`, `de-AT`, `DE_ch` → German; `en`, `en-GB`
    /// → English; any other language → `None`.
    pub fn of_tag(tag: &str) -> Option<Self> {
        let language = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match language.as_str() {
            "de" => Some(Self::De),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The panel's language from what the page says, in this order: the `locale` option, the
    /// host element's closest `lang`, the page's `<html lang>`, `navigator.language`. The
    /// first that says anything decides (an empty `lang` says nothing); a language the
    /// catalog lacks is English.
    pub fn choose(candidates: &[Option<&str>]) -> Self {
        candidates
            .iter()
            .flatten()
            .map(|tag| tag.trim())
            .find(|tag| !tag.is_empty())
            .and_then(Self::of_tag)
            .unwrap_or_default()
    }

    /// The BCP 47 tag handed to `Intl` (and put in the panel's `lang`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    /// `n` with this language's digit grouping: 4,000 / 4.000.
    pub fn number(self, n: usize) -> String {
        let separator = match self {
            Self::En => ',',
            Self::De => '.',
        };
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(c);
        }
        out
    }

    /// Whether `n` takes the singular here (`Intl.PluralRules` in the browser).
    pub fn is_one(self, n: usize) -> bool {
        intl::plural_is_one(self, n)
    }

    /// "1 change", "3 changes" (the number, then the word its plural rule picks).
    pub fn count(self, n: usize, one: &str, other: &str) -> String {
        format!(
            "{} {}",
            self.number(n),
            if self.is_one(n) { one } else { other }
        )
    }
}

/// English "1 change" / "2 changes" (for the catalog's English arms).
pub(crate) fn count_en(n: usize, one: &str, other: &str) -> String {
    Locale::En.count(n, one, other)
}

/// German "1 Änderung" / "2 Änderungen" (for the catalog's German arms).
pub(crate) fn count_de(n: usize, one: &str, other: &str) -> String {
    Locale::De.count(n, one, other)
}

#[cfg(test)]
mod tests;
