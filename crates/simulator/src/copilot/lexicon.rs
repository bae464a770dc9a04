//! The words people use for each action and resource. Phrases are lowercase words as
//! [`super::utterance::Utterance`] reads them (hyphens and apostrophes gone: "dont",
//! "re enable"); `…` is a gap of up to six words. Endings come free ("disabled",
//! "numbers"), and so do small typos of any word not listed here.
//!
//! (rustfmt skips this file, `#[rustfmt::skip]` on its `mod`: one word per line would make
//! the lists four times as long and no easier to read.)

use std::collections::BTreeSet;
use std::sync::LazyLock;

// ---- Actions ---------------------------------------------------------------------------

/// Looking: lists, details, statuses, questions.
pub const LOOK: &[&str] = &[
    "list", "show", "show me", "see", "view", "display", "what", "whats", "which", "who",
    "how many", "how much", "how is", "hows", "tell me", "tell me about", "describe", "details",
    "detail", "info", "information", "about", "explain", "status", "look at", "inspect",
    "overview", "give me", "get", "find", "check", "review", "summary", "summarise",
    "take a look", "look up", "pull up", "report", "breakdown", "stats", "statistics",
    "summarize", "settings", "config", "configuration", "do i have", "any", "where",
];

pub const CREATE: &[&str] = &[
    "create", "make", "new", "add", "set up", "setup", "build", "spin up", "start", "need",
    "want", "register", "can i have", "i need", "i want", "give me a", "another",
];

pub const ADD: &[&str] = &[
    "add", "create", "give", "new", "teach", "attach", "include", "set up", "build", "make",
    "install", "plug in", "hook up", "connect", "let", "needs", "should be able to", "wire up",
    "equip",
];

pub const RENAME: &[&str] = &[
    "rename", "re name", "retitle", "change the name", "change its name", "change … name",
    "call it", "name it", "new name", "should be called", "to be called", "be called",
    "name should be",
];

/// Deleting things (agents, skills); numbers and keys have their own words too.
pub const REMOVE: &[&str] = &[
    "remove", "delete", "drop", "get rid of", "take off", "take away", "take out", "kill",
    "destroy", "trash", "erase", "scrap", "ditch", "nuke", "uninstall", "retire",
    "decommission", "wipe", "terminate", "throw away", "bin",
];

pub const DISABLE: &[&str] = &[
    "disable", "turn off", "turn … off", "switch off", "switch … off", "shut off", "shut … off",
    "shut down", "deactivate", "pause", "suspend", "stop", "mute", "block", "take offline",
    "put on hold", "unpublish", "take down", "take … offline",
];

pub const ENABLE: &[&str] = &[
    "enable", "turn on", "turn … on", "switch on", "switch … on", "activate", "reactivate",
    "re enable", "reenable", "resume", "unpause", "turn … back on", "switch … back on",
    "bring back", "unblock", "allow", "put back", "restore",
];

pub const CONFIRM: &[&str] = &[
    "require confirmation", "require", "requires", "confirm", "confirmation", "ask first",
    "ask … first", "ask for confirmation", "ask … to confirm", "ask before", "ask … before",
    "double check", "check with", "get confirmation", "enable confirmation",
    "turn on confirmation", "needs confirmation", "need confirmation",
];

pub const NO_CONFIRM: &[&str] = &[
    "not require", "dont require", "do not require", "no longer require", "stop requiring",
    "stop asking", "dont ask", "do not ask", "no longer ask", "never ask", "without asking",
    "no confirmation", "without confirmation", "skip confirmation", "skip … confirmation",
    "disable confirmation", "turn off confirmation", "remove confirmation", "stop … confirm",
    "no need to confirm", "not ask",
];

/// Adding a page to an agent's knowledge (with [`ADD`]).
pub const LEARN: &[&str] = &[
    "index", "learn", "learn from", "answer from", "read", "crawl", "import", "ingest",
    "upload", "use", "know", "study", "train on", "scrape",
];

pub const DESCRIBE_AS: &[&str] = &[
    "description", "describe it as", "describe … as", "change … description",
];

pub const ASSIGN: &[&str] = &[
   
    "assign", "route", "point", "connect", "move", "forward", "send", "attach", "hook up", "link",
    "give", "put", "wire", "map", "use", "switch", "reassign", "set", "push",
];

pub const UNASSIGN: &[&str] = &[
    "unassign", "detach", "disconnect", "unlink", "unhook", "unroute", "remove", "take off",
    "take … off", "free up", "stop routing", "stop … going to", "take away", "clear",
];

pub const RELEASE: &[&str] = &[
    "release", "give back", "give … back", "hand back", "return", "cancel", "get rid of",
    "delete", "drop", "let go", "let … go", "port out", "dispose of", "throw away", "destroy",
    "kill", "ditch", "dump", "relinquish",
];

pub const REVOKE: &[&str] = &[
    "revoke", "delete", "remove", "disable", "kill", "deactivate", "invalidate", "cancel",
    "turn off", "shut off", "switch off", "get rid of", "drop", "destroy", "block", "expire",
    "retire", "pull", "nuke", "burn", "void", "stop",
];

pub const PUBLISH: &[&str] = &[
    "publish", "push live", "push … live", "go live", "make live", "make … live", "put live",
    "put … live", "set live", "set … live", "take live", "take … live", "deploy", "ship",
    "release", "launch", "roll out", "push", "promote", "push to production",
    "publish the draft", "make … public",
];

pub const ROLLBACK: &[&str] = &[
    "roll back", "roll … back", "rollback", "revert", "undo", "undo … publish", "go back",
    "restore", "downgrade", "back to version", "previous version", "switch back", "put back",
    "reinstate",
];

/// Asking why: grouped by cause.
pub const WHY: &[&str] = &[
    "why", "what went wrong", "went wrong", "what caused", "cause", "causes", "reason",
    "reasons", "how come", "root cause", "what broke", "whats wrong", "what is wrong",
    "what happened", "explain",
];

pub const HELP: &[&str] = &[
    "help", "what can you do", "what can i ask", "what can i say", "what do you understand",
    "what do you do", "how does this work", "how do i use", "commands", "examples", "menu",
    "what are you", "who are you", "options", "usage",
];

/// Asking how to do something, or what would happen, rather than asking for it.
pub const HOW_TO: &[&str] = &[
    "how do i", "how can i", "how to", "how would i", "how should i", "what happens if",
    "what happens when", "what if", "what would happen", "should i", "can i", "could i",
    "is it possible to", "who can", "explain how", "how does … work", "whats the way to",
    "is there a way to",
];

/// Yes and no on their own: approvals are given on their cards, never by a typed "yes".
pub const YES: &[&str] = &[
    "yes", "yep", "yeah", "yup", "sure", "go ahead", "do it", "approve", "approved", "confirm",
    "confirmed", "y", "please",
];
pub const NO: &[&str] = &["no", "nope", "nah", "cancel", "stop", "n", "dont", "reject"];

/// Greetings, when a message is only greetings and [`FILLER`].
pub const GREETING: &[&str] = &[
    "hello", "hi", "hey", "hiya", "howdy", "yo", "greetings", "morning", "afternoon", "evening",
    "sup", "whats up", "hallo", "helo", "hullo",
];

/// Thanks and acknowledgements, when a message is only these and [`FILLER`].
pub const THANKS: &[&str] = &[
    "thanks", "thank", "thx", "ty", "cheers", "great", "perfect", "awesome", "ok", "okay",
    "cool", "nice", "got it", "brilliant", "lovely", "bye", "goodbye",
];

/// Words that may come with a greeting or thanks without making it a request.
pub const FILLER: &[&str] = &[
    "there", "good", "copilot", "bot", "assistant", "all", "everyone", "team", "you", "so",
    "much", "very", "a", "lot", "that", "thats", "for", "the", "help", "it", "is", "done",
    "works", "again", "and",
];

/// Calling it off, when that is (about) the whole message.
pub const CALL_OFF: &[&str] = &[
    "never mind", "nevermind", "forget it", "forget that", "scratch that", "cancel that",
    "no thanks", "stop that", "dont do that", "dont do it",
];

/// A request that starts with these is one not to carry out.
pub const REFUSE: &[&str] = &["dont", "do not", "never"];

// ---- Resources -------------------------------------------------------------------------

pub const AGENT_NOUNS: &[&str] = &["agent", "bot", "assistant", "agents", "bots", "assistants"];
pub const AGENT_PLURALS: &[&str] = &["agents", "bots", "assistants", "everyone"];
pub const SKILL_NOUNS: &[&str] = &[
    "skill", "ability", "abilities", "tool", "tools", "capability", "capabilities",
    "integration", "function", "action", "actions",
];
pub const KNOWLEDGE_NOUNS: &[&str] = &[
    "knowledge", "knowledge base", "source", "sources", "page", "pages", "url", "website",
    "document", "documents", "doc", "docs", "faq", "article", "articles", "link", "links",
];
pub const NUMBER_NOUNS: &[&str] = &[
    "number", "numbers", "phone", "phones", "phone number", "toll free", "ending", "ends in",
    "ends with",
];
pub const KEY_NOUNS: &[&str] = &[
    "key", "keys", "publishable key", "widget key", "api key", "token", "tokens", "widget",
    "widgets",
];
pub const CALL_NOUNS: &[&str] = &[
    "calls", "conversations", "conversation", "chats", "transcripts", "transcript", "callers",
    "call log", "call history", "call volume", "failures", "went wrong", "what broke",
    "outcomes",
];
/// Words that make a singular "call" mean calls (and not "call it …").
pub const CALL_CONTEXT: &[&str] = &[
    "fail", "failed", "transferred", "abandoned", "yesterday", "today", "week", "last",
    "recent", "any", "did",
];

/// Words that mean "the agent this page is about".
pub const THIS_AGENT: &[&str] = &["it", "this agent", "this one", "this bot", "its"];

// ---- Fields and filters ----------------------------------------------------------------

pub const GREETING_FIELD: &[&str] = &[
    "greeting", "welcome message", "welcome", "opening line", "first line", "intro",
    "introduction", "hello message", "opener", "salutation",
];
pub const TONE_FIELD: &[&str] = &["tone", "tone of voice", "style", "manner", "attitude"];
pub const PERSONA_FIELD: &[&str] = &[
    "persona", "personality", "character", "role", "prompt", "instructions", "system prompt",
    "bio",
];
/// Words that set a value ("set", "make it", "should be").
pub const SET: &[&str] = &[
    "set", "change", "update", "make", "edit", "modify", "use", "replace", "switch", "adjust",
    "should be", "to be", "should say", "say", "tweak", "rewrite", "reword", "becomes",
];

pub const FAILED: &[&str] = &[
    "fail", "failed", "failing", "failure", "failures", "error", "errors", "errored", "broke",
    "broken", "went wrong", "go wrong", "wrong", "problem", "problems", "issues",
    "unsuccessful",
];
pub const TRANSFERRED: &[&str] = &[
    "transferred", "transfer", "transfers", "handed off", "hand off", "handoff", "escalated",
    "escalation", "passed to",
];
pub const ABANDONED: &[&str] = &[
    "abandoned", "abandon", "hung up", "hang up", "hangup", "dropped", "gave up", "left early",
];
pub const COMPLETED: &[&str] = &[
    "completed", "complete", "successful", "succeeded", "success", "resolved", "went well",
    "good",
];
pub const YESTERDAY: &[&str] = &["yesterday", "last night"];
pub const TODAY: &[&str] = &["today", "so far today", "this morning", "tonight"];
pub const WEEK: &[&str] = &[
    "this week", "last week", "past week", "last 7 days", "7 days", "recent", "recently",
    "lately", "week",
];

/// Words that say which numbers ("the spare number", "the toll-free one").
pub const UNASSIGNED: &[&str] = &["unassigned", "spare", "free", "unused", "available", "idle"];
pub const TOLL_FREE: &[&str] = &["toll free", "tollfree", "800", "888"];

/// Words never part of what makes a name stand out: the copilot reads them as grammar.
pub const STOPWORDS: &[&str] = &[
    "a", "an", "the", "to", "of", "for", "on", "in", "at", "my", "our", "your", "and", "or",
    "with", "from", "by", "it", "its", "this", "that", "these", "those", "me", "i", "you", "is",
    "are", "be", "please", "can", "could", "would", "will", "just", "now", "all", "some", "so",
    "as", "up", "we", "us", "do", "does", "s",
];

/// Words in names that also name a kind of thing ("Support *Bot*", "Staging *widget*"):
/// alone they do not pick one name.
pub const GENERIC: &[&str] = &[
    "agent", "bot", "assistant", "line", "skill", "key", "widget", "number", "phone", "chat",
    "call", "source", "page", "desk",
];

static KNOWN: LazyLock<BTreeSet<&'static str>> = LazyLock::new(|| {
    let lists: &[&[&str]] = &[
        LOOK, CREATE, ADD, LEARN, RENAME, REMOVE, DISABLE, ENABLE, CONFIRM, NO_CONFIRM,
        DESCRIBE_AS, ASSIGN, UNASSIGN, RELEASE, REVOKE, PUBLISH, ROLLBACK, WHY, HELP, HOW_TO,
        YES, NO, GREETING, THANKS, FILLER, CALL_OFF, REFUSE, AGENT_NOUNS, AGENT_PLURALS,
        SKILL_NOUNS, KNOWLEDGE_NOUNS, NUMBER_NOUNS, KEY_NOUNS, CALL_NOUNS, CALL_CONTEXT,
        THIS_AGENT, GREETING_FIELD, TONE_FIELD, PERSONA_FIELD, SET, FAILED, TRANSFERRED,
        ABANDONED, COMPLETED, YESTERDAY, TODAY, WEEK, UNASSIGNED, TOLL_FREE, STOPWORDS, GENERIC,
        EXTRA,
    ];
    lists
        .iter()
        .flat_map(|list| list.iter())
        .flat_map(|phrase| phrase.split_whitespace())
        .filter(|w| *w != "…")
        .collect()
});

/// Other everyday words a typo must not turn into a known one ("call" is not "all").
const EXTRA: &[&str] = &[
    "call", "version", "skills", "key", "not", "no", "yes", "off", "on", "back", "live",
    "first", "last", "one", "two", "into", "onto", "instead", "again", "called", "named", "ask",
    "asks", "caller", "customer", "customers", "voice", "chat", "sms", "email", "order",
    "orders", "lookup", "look", "up", "via", "then", "also", "too", "out", "over", "here",
    "there", "when", "how", "if", "have", "has", "had", "was", "were", "been", "being", "get",
    "go", "going", "want", "like", "let", "lets", "really", "sure",
];

/// Is `word` one the copilot knows (so never read as a typo of another)?
pub fn is_known(word: &str) -> bool {
    KNOWN.contains(word)
}

/// Everyday verbs that also begin names ("*Take* a message"): alone they pick no name.
const COMMON_VERBS: &[&str] = &["take", "make", "get", "look", "go", "put", "let", "give"];

/// Single-word action cues and everyday verbs: in a name ("*Send* SMS receipt", "*Create*
/// subscription") they do not pick the name on their own.
pub fn is_action_word(word: &str) -> bool {
    COMMON_VERBS.contains(&word)
        || [
            CREATE, ADD, REMOVE, DISABLE, ENABLE, ASSIGN, UNASSIGN, RELEASE, REVOKE, PUBLISH,
            ROLLBACK, RENAME,
        ]
        .iter()
        .any(|list| list.contains(&word))
}
