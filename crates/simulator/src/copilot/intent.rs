//! What a message asks for, decided without regard to the order checks happen in.
//!
//! 1. A message that is only a greeting, thanks, "yes" or "no" gets a short answer; "never
//!    mind" and a leading "don't …" call things off.
//! 2. **What it is about.** Each resource (key, skill, knowledge, number, calls, agent) has
//!    *evidence* in the message: its nouns ("skill", "widget key"), a name of one of its items
//!    (see `names`), digits for numbers, a URL for knowledge, "it" for the page's agent.
//!    Agents are always implicitly there (every account has some).
//! 3. **What to do.** Each resource has actions, each with its words (`lexicon`); the best
//!    phrase found wins within a resource (more words, then exact over typos, then fewer
//!    words skipped; a tie goes to the first action listed in `action`). A "don't" or "stop
//!    asking" beats the plain word it negates.
//! 4. **Which resource the action is for.** The one whose evidence comes soonest after the
//!    action's words: "remove *the SMS receipt skill* from Support Bot" is about the skill,
//!    "delete *the agent* that sends SMS receipts" about an agent; a possessive ("Support
//!    Bot's key") is never the object. Equal distances go to the more specific resource, in
//!    the order above. An agent known only implicitly is not chosen when something else is
//!    named. An imperative none of the named things has ("turn off Support Bot") gets what
//!    the copilot *can* do with it.
//! 5. **Looking.** No action (or a question: "is Support Bot live?", "which skills are
//!    disabled?") means showing: the resource mentioned first, listed or described.
//! 6. Otherwise "help" phrases get the help list, and anything else a short answer with the
//!    closest requests.
//!
//! "How do I …?" / "what happens if …?" keep the action they name, and the router explains
//! how to ask for it instead of doing it ([`Intent::how`]).

use super::Copilot;
use super::lexicon as lx;
use super::names::{first_strong, mention};
use super::utterance::{Hit, URL_WORD, Utterance};

/// An agent field the copilot can set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Field {
    Greeting,
    Tone,
    Persona,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Greeting => "greeting",
            Field::Tone => "tone",
            Field::Persona => "persona",
        }
    }

    fn words(self) -> &'static [&'static str] {
        match self {
            Field::Greeting => lx::GREETING_FIELD,
            Field::Tone => lx::TONE_FIELD,
            Field::Persona => lx::PERSONA_FIELD,
        }
    }
}

/// What a message asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Intent {
    Help,
    Greet,
    Thank,
    /// "yes" on its own: approvals are given on their cards.
    Affirm,
    Decline,
    ListAgents,
    DescribeAgent,
    CreateAgent,
    RenameAgent,
    SetField(Field),
    DeleteAgent,
    Publish,
    Rollback,
    ListSkills,
    DescribeSkill,
    AddSkill,
    EnableSkill(bool),
    SkillConfirmation(bool),
    SkillDescription,
    RemoveSkill,
    ListKnowledge,
    AddKnowledge,
    ListNumbers,
    DescribeNumber,
    AssignNumber,
    UnassignNumber,
    ReleaseNumber,
    ListKeys,
    RevokeKey,
    Calls,
    CallCauses,
    /// An action the resource does not have ("turn off Support Bot").
    Unsupported(Resource),
    Unknown,
}

impl Intent {
    /// How to ask for it, when it changes something: what it does, an example request, and
    /// whether it waits for approval. `None` for looking and talking.
    pub fn how(self) -> Option<(&'static str, &'static str, bool)> {
        Some(match self {
            Intent::CreateAgent => (
                "create an agent",
                "Create an agent called “Front Desk”",
                false,
            ),
            Intent::RenameAgent => (
                "rename an agent",
                "Rename After-hours Line to “Night Line”",
                false,
            ),
            Intent::SetField(_) => (
                "change an agent's greeting, tone or persona",
                "Set the greeting of Support Bot to “Hello from Northwind!”",
                false,
            ),
            Intent::DeleteAgent => ("delete an agent", "Delete the Wholesale Intake agent", true),
            Intent::Publish => ("publish an agent's draft", "Publish Support Bot", true),
            Intent::Rollback => (
                "roll an agent back to an earlier version",
                "Roll back Support Bot to version 1",
                true,
            ),
            Intent::AddSkill => (
                "add a skill",
                "Add an order-lookup skill to Support Bot",
                false,
            ),
            Intent::EnableSkill(_) => (
                "switch a skill off or on",
                "Disable the Send SMS receipt skill on Support Bot",
                false,
            ),
            Intent::SkillConfirmation(_) => (
                "make a skill ask the caller first (or stop asking)",
                "Require confirmation for the Track shipment skill",
                false,
            ),
            Intent::SkillDescription => (
                "change a skill's description",
                "Change the description of Track shipment to “…”",
                false,
            ),
            Intent::RemoveSkill => (
                "remove a skill",
                "Remove the Track shipment skill from Support Bot",
                true,
            ),
            Intent::AddKnowledge => (
                "add a page to an agent's knowledge",
                "Add https://northwind-coffee.example/returns to Support Bot's knowledge",
                false,
            ),
            Intent::AssignNumber => (
                "route a number to an agent",
                "Assign the number ending 7730 to Wholesale Intake",
                false,
            ),
            Intent::UnassignNumber => {
                ("unassign a number", "Unassign the number ending 0188", true)
            }
            Intent::ReleaseNumber => (
                "release a number (irreversibly)",
                "Release the number ending 4421",
                true,
            ),
            Intent::RevokeKey => (
                "revoke a publishable key",
                "Revoke the Staging widget key",
                true,
            ),
            _ => return None,
        })
    }
}

/// What a request can be about, most specific first (ties go to the earlier).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Resource {
    Key,
    Skill,
    Knowledge,
    Number,
    Calls,
    Agent,
}

const RESOURCES: [Resource; 6] = [
    Resource::Key,
    Resource::Skill,
    Resource::Knowledge,
    Resource::Number,
    Resource::Calls,
    Resource::Agent,
];

/// One place a resource shows in a message.
#[derive(Clone, Copy, Debug)]
struct Clue {
    at: usize,
    /// "Support Bot's …": the owner, not the object.
    possessive: bool,
    /// Not in the words at all (the page's agent, or "some agent").
    implicit: bool,
}

impl Clue {
    fn at(at: usize) -> Self {
        Self {
            at,
            possessive: false,
            implicit: false,
        }
    }
}

/// Actions that, leading a request, make it one: "turn off Support Bot" is an action the
/// copilot lacks, not a request to look at Support Bot. (Not "add", "give", "use": "give me
/// the list" is looking.)
const ACTING: &[&[&str]] = &[
    lx::RENAME,
    lx::REMOVE,
    lx::DISABLE,
    lx::ENABLE,
    lx::UNASSIGN,
    lx::RELEASE,
    lx::REVOKE,
    lx::PUBLISH,
    lx::ROLLBACK,
];

impl Copilot<'_> {
    /// What `u` asks for (see the module docs for how it is decided).
    pub(super) fn intent(&self, u: &Utterance) -> Intent {
        if only_words_of(u, lx::GREETING) {
            return Intent::Greet;
        }
        if only_words_of(u, lx::THANKS) {
            return Intent::Thank;
        }
        if only_words_of(u, lx::YES) {
            return Intent::Affirm;
        }
        if only_words_of(u, lx::NO) {
            return Intent::Decline;
        }
        if u.best(lx::CALL_OFF)
            .is_some_and(|h| u.words.len() <= h.at + h.len + 2)
        {
            return Intent::Decline;
        }
        let clues: Vec<(Resource, Vec<Clue>)> = RESOURCES
            .iter()
            .map(|&r| (r, self.clues(u, r)))
            .filter(|(_, c)| !c.is_empty())
            .collect();
        // Something other than an agent is written in the message: then an action whose only
        // agent is the implicit one is not what was meant ("remove the Brewing guides
        // source" must not delete the page's agent).
        let explicit_other = clues
            .iter()
            .any(|(r, c)| *r != Resource::Agent && c.iter().any(|c| !c.implicit));

        // What to do, and to which resource.
        let mut best: Option<(usize, Resource, Intent)> = None;
        if !u.is_status_question() {
            for (resource, found) in &clues {
                let Some((intent, hit)) = self.action(u, *resource) else {
                    continue;
                };
                if hit.participle {
                    continue; // "which skills are disabled?" asks, it does not act
                }
                let d = distance(found, hit.at);
                if d >= IMPLICIT && explicit_other {
                    continue;
                }
                if best.is_none_or(|(bd, br, _)| (d, *resource) < (bd, br)) {
                    best = Some((d, *resource, intent));
                }
            }
        }
        if let Some((_, _, intent)) = best {
            let refused = u.best(lx::REFUSE).is_some_and(|h| h.at <= 1);
            return if refused && intent != Intent::SkillConfirmation(false) {
                Intent::Decline
            } else {
                intent
            };
        }
        // An imperative ("turn off …", "please remove …") none of the named things has.
        let acting = ACTING
            .iter()
            .any(|list| u.best(list).is_some_and(|h| h.at <= 2 && !h.participle))
            && !u.is_status_question()
            && !u.has_any(lx::HELP);
        // Looking: the resource shown first.
        let mut order: Vec<(usize, Resource)> = clues
            .iter()
            .filter(|(_, c)| c.iter().any(|c| !c.implicit))
            .map(|(r, c)| (first_shown(c), *r))
            .collect();
        order.sort();
        if acting && let Some((_, resource)) = order.first() {
            return Intent::Unsupported(*resource);
        }
        for (_, resource) in order {
            if let Some(intent) = self.look(u, resource, explicit_other) {
                return intent;
            }
        }
        if u.has_any(lx::HELP) || u.words.is_empty() {
            return Intent::Help;
        }
        if u.default_agent.is_some() && u.best(lx::LOOK).is_some() {
            return Intent::DescribeAgent;
        }
        Intent::Unknown
    }

    /// Where `resource` shows in the message.
    fn clues(&self, u: &Utterance, resource: Resource) -> Vec<Clue> {
        let mut clues: Vec<Clue> = Vec::new();
        let nouns = |list: &[&str], clues: &mut Vec<Clue>| {
            for phrase in list {
                let mut from = 0;
                while let Some(hit) = u.find_from(phrase, from) {
                    clues.push(Clue {
                        at: hit.at,
                        possessive: u.possessive[hit.end - 1],
                        implicit: false,
                    });
                    from = hit.at + 1;
                }
            }
        };
        let named = |m: Option<crate::copilot::names::Mention>, clues: &mut Vec<Clue>| {
            if let Some(m) = m {
                clues.push(Clue {
                    at: m.at,
                    possessive: m.possessive,
                    implicit: false,
                });
            }
        };
        let account = &*self.account;
        match resource {
            Resource::Key => {
                nouns(lx::KEY_NOUNS, &mut clues);
                nouns(&["revoke"], &mut clues);
                named(
                    first_strong(u, account.publishable_keys.iter().map(|k| k.name.as_str())),
                    &mut clues,
                );
            }
            Resource::Skill => {
                nouns(lx::SKILL_NOUNS, &mut clues);
                named(
                    first_strong(u, account.skills.iter().map(|s| s.name.as_str())),
                    &mut clues,
                );
            }
            Resource::Knowledge => {
                nouns(lx::KNOWLEDGE_NOUNS, &mut clues);
                for (i, w) in u.words.iter().enumerate() {
                    if w == URL_WORD {
                        clues.push(Clue::at(i));
                    }
                }
            }
            Resource::Number => {
                nouns(lx::NUMBER_NOUNS, &mut clues);
                nouns(lx::TOLL_FREE, &mut clues);
                nouns(&["unassign"], &mut clues);
                let after_ending = u.position_of(&["ending", "ends", "last"], 0);
                for (at, run) in u.digit_runs() {
                    if run.len() >= 4 || (run.len() >= 2 && after_ending.is_some_and(|e| e < at)) {
                        clues.push(Clue::at(at));
                    }
                }
            }
            Resource::Calls => {
                nouns(lx::CALL_NOUNS, &mut clues);
                if u.has_any(lx::CALL_CONTEXT) && !u.has_any(&["call it", "call … instead"]) {
                    nouns(&["call"], &mut clues);
                }
            }
            Resource::Agent => {
                nouns(lx::AGENT_NOUNS, &mut clues);
                named(
                    first_strong(u, account.agents.iter().map(|a| a.name.as_str())),
                    &mut clues,
                );
                if u.default_agent.is_some() {
                    nouns(lx::THIS_AGENT, &mut clues);
                }
                clues.push(Clue {
                    at: usize::MAX,
                    possessive: false,
                    implicit: true,
                });
            }
        }
        clues
    }

    /// The best action for `resource` the message names, and where.
    fn action(&self, u: &Utterance, resource: Resource) -> Option<(Intent, Hit)> {
        let skill_noun = u.has_any(lx::SKILL_NOUNS);
        let quoted = !u.quoted.is_empty();
        // "stop asking … to confirm" says *not* to confirm, however long the rest is.
        let unconfirm = u.has_any(lx::NO_CONFIRM);
        let options: Vec<(Intent, &[&str], bool)> = match resource {
            Resource::Key => vec![(Intent::RevokeKey, lx::REVOKE, true)],
            Resource::Skill => vec![
                (Intent::SkillConfirmation(false), lx::NO_CONFIRM, true),
                (Intent::SkillConfirmation(true), lx::CONFIRM, !unconfirm),
                (Intent::EnableSkill(false), lx::DISABLE, true),
                (Intent::EnableSkill(true), lx::ENABLE, true),
                (Intent::RemoveSkill, lx::REMOVE, true),
                (Intent::SkillDescription, lx::DESCRIBE_AS, quoted),
                (Intent::AddSkill, lx::ADD, skill_noun),
            ],
            Resource::Knowledge => vec![
                (Intent::AddKnowledge, lx::ADD, true),
                (Intent::AddKnowledge, lx::LEARN, true),
            ],
            Resource::Number => vec![
                (Intent::ReleaseNumber, lx::RELEASE, true),
                (Intent::UnassignNumber, lx::UNASSIGN, true),
                (Intent::AssignNumber, lx::ASSIGN, true),
            ],
            Resource::Calls => Vec::new(),
            Resource::Agent => {
                let field = [Field::Greeting, Field::Tone, Field::Persona]
                    .into_iter()
                    .find(|f| u.has_any(f.words()));
                let setting = quoted || u.has_any(lx::SET) || u.has("to");
                let mut options = vec![
                    (Intent::Rollback, lx::ROLLBACK, true),
                    (Intent::Publish, lx::PUBLISH, true),
                    (Intent::RenameAgent, lx::RENAME, true),
                ];
                if let Some(field) = field {
                    options.push((Intent::SetField(field), field.words(), setting));
                }
                options.push((Intent::DeleteAgent, lx::REMOVE, field.is_none()));
                options.push((Intent::CreateAgent, lx::CREATE, self.names_new_agent(u)));
                options
            }
        };
        let mut best: Option<(Intent, Hit)> = None;
        for (intent, words, allowed) in options {
            if !allowed {
                continue;
            }
            if let Some(hit) = u.best(words)
                && best.is_none_or(|(_, b)| hit.cmp_quality(&b).is_gt())
            {
                best = Some((intent, hit));
            }
        }
        best
    }

    /// Does the message speak of a new agent: a word for one that is not part of an agent's
    /// name ("create an *agent*", "a new *line*"), or only a quoted name?
    fn names_new_agent(&self, u: &Utterance) -> bool {
        let taken: Vec<usize> = self
            .account
            .agents
            .iter()
            .filter_map(|a| mention(u, 0..u.words.len(), &a.name))
            .filter(|m| m.strong())
            .flat_map(|m| m.used)
            .collect();
        let noun = u.words.iter().enumerate().any(|(i, w)| {
            ["agent", "bot", "assistant", "line"].contains(&w.as_str()) && !taken.contains(&i)
        });
        noun || (!u.quoted.is_empty() && u.has_any(&["called", "named"]))
    }

    /// Showing `resource`: which list or description fits the message.
    fn look(&self, u: &Utterance, resource: Resource, explicit_other: bool) -> Option<Intent> {
        Some(match resource {
            Resource::Key => Intent::ListKeys,
            Resource::Skill => {
                let named = first_strong(u, self.account.skills.iter().map(|s| s.name.as_str()));
                if named.is_some() {
                    Intent::DescribeSkill
                } else {
                    Intent::ListSkills
                }
            }
            Resource::Knowledge => {
                if !u.urls.is_empty() && u.best(lx::LOOK).is_none() {
                    Intent::AddKnowledge
                } else {
                    Intent::ListKnowledge
                }
            }
            Resource::Number => {
                let specific = u.digit_runs().iter().any(|(_, d)| d.len() >= 2)
                    || u.has_any(lx::TOLL_FREE)
                    || u.has_any(lx::UNASSIGNED)
                    || (u.has("number") && !u.has("numbers") && self.named_agent(u));
                if specific {
                    Intent::DescribeNumber
                } else {
                    Intent::ListNumbers
                }
            }
            Resource::Calls => {
                if u.has_any(lx::WHY) {
                    Intent::CallCauses
                } else {
                    Intent::Calls
                }
            }
            Resource::Agent => {
                let plural = u.has_exact(lx::AGENT_PLURALS);
                if self.named_agent(u) && !plural {
                    Intent::DescribeAgent
                } else if explicit_other {
                    return None;
                } else if plural || u.has_any(lx::AGENT_NOUNS) {
                    Intent::ListAgents
                } else if u.default_agent.is_some() {
                    Intent::DescribeAgent
                } else {
                    return None;
                }
            }
        })
    }

    /// Is an agent named (strongly) or pointed at ("it" on an agent's page)?
    fn named_agent(&self, u: &Utterance) -> bool {
        first_strong(u, self.account.agents.iter().map(|a| a.name.as_str())).is_some()
            || (u.default_agent.is_some() && u.has_any(lx::THIS_AGENT))
    }
}

/// Distances at or past this are evidence the message never wrote.
const IMPLICIT: usize = 3000;

/// How far the resource's evidence is from an action at word `at`: the nearest written clue
/// after it, then (far behind) one before it, then an owner's possessive, then nothing
/// written at all.
fn distance(clues: &[Clue], at: usize) -> usize {
    let written = || clues.iter().filter(|c| !c.implicit && !c.possessive);
    if let Some(d) = written().filter(|c| c.at >= at).map(|c| c.at - at).min() {
        return d;
    }
    if let Some(d) = written().map(|c| at - c.at).min() {
        return 1000 + d;
    }
    if clues.iter().any(|c| c.possessive) {
        return 2000;
    }
    IMPLICIT
}

/// Where a resource shows first: written clues by position, possessives after them.
fn first_shown(clues: &[Clue]) -> usize {
    clues
        .iter()
        .filter(|c| !c.implicit)
        .map(|c| if c.possessive { 1000 + c.at } else { c.at })
        .min()
        .unwrap_or(usize::MAX)
}

/// Is the message only `words` and [`lx::FILLER`], with at least one of `words`?
fn only_words_of(u: &Utterance, words: &[&str]) -> bool {
    let of = |list: &[&str], w: &str| {
        list.iter()
            .flat_map(|p| p.split_whitespace())
            .any(|known| known == w)
    };
    u.quoted.is_empty()
        && u.urls.is_empty()
        && u.words.iter().any(|w| of(words, w))
        && u.words.iter().all(|w| of(words, w) || of(lx::FILLER, w))
}
