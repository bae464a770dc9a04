//! API names in the panel's language: an operation id as a phrase (`releaseNumber` → "Release
//! number" / "Nummer freigeben") and a resource type as a plan's group heading ("Numbers" /
//! "Nummern"). English is made from the name itself; German from a small dictionary of the
//! verbs and resources of Flowyte's API. A German name with a word outside it has no phrase
//! (`None`): the caller shows the API's own name instead, never half a translation.

use super::Locale;
use crate::changes::words;

/// Verbs: the German phrase with `{}` where the resource goes.
const VERBS: &[(&str, &str)] = &[
    ("create", "{} erstellen"),
    ("add", "{} hinzufügen"),
    ("update", "{} ändern"),
    ("rename", "{} umbenennen"),
    ("delete", "{} löschen"),
    ("destroy", "{} löschen"),
    ("remove", "{} entfernen"),
    ("purge", "{} endgültig löschen"),
    ("release", "{} freigeben"),
    ("revoke", "{} widerrufen"),
    ("publish", "{} veröffentlichen"),
    ("unpublish", "Veröffentlichung von {} zurücknehmen"),
    ("rollback", "{} zurücksetzen"),
    ("assign", "{} zuweisen"),
    ("unassign", "Zuweisung von {} aufheben"),
    ("detach", "{} trennen"),
    ("connect", "{} verbinden"),
    ("list", "{} auflisten"),
    ("get", "{} abrufen"),
    ("rotate", "{} erneuern"),
    ("enable", "{} aktivieren"),
    ("disable", "{} deaktivieren"),
    ("buy", "{} kaufen"),
    ("purchase", "{} kaufen"),
    ("reserve", "{} reservieren"),
    ("discover", "{} erkennen"),
    ("provision", "{} bereitstellen"),
    ("start", "{} starten"),
    ("test", "{} testen"),
];

/// Resources, singular and plural in English, then German.
const RESOURCES: &[(&str, &str, &str, &str)] = &[
    ("agent", "agents", "Agent", "Agenten"),
    ("number", "numbers", "Nummer", "Nummern"),
    ("skill", "skills", "Skill", "Skills"),
    (
        "knowledge source",
        "knowledge sources",
        "Wissensquelle",
        "Wissensquellen",
    ),
    ("knowledge", "knowledge", "Wissen", "Wissen"),
    ("source", "sources", "Quelle", "Quellen"),
    (
        "publishable key",
        "publishable keys",
        "Publishable Key",
        "Publishable Keys",
    ),
    ("api key", "api keys", "API-Schlüssel", "API-Schlüssel"),
    ("key", "keys", "Schlüssel", "Schlüssel"),
    ("conversation", "conversations", "Gespräch", "Gespräche"),
    ("call", "calls", "Anruf", "Anrufe"),
    ("webhook", "webhooks", "Webhook", "Webhooks"),
    ("tool", "tools", "Tool", "Tools"),
    (
        "integration",
        "integrations",
        "Integration",
        "Integrationen",
    ),
    ("version", "versions", "Version", "Versionen"),
    ("voice", "voices", "Stimme", "Stimmen"),
    ("thread", "threads", "Gespräch", "Gespräche"),
];

/// The German of an English resource phrase ("knowledge sources"), in its number.
fn resource_de(phrase: &str) -> Option<&'static str> {
    RESOURCES.iter().find_map(|(one, many, de_one, de_many)| {
        if phrase == *one {
            Some(*de_one)
        } else if phrase == *many {
            Some(*de_many)
        } else {
            None
        }
    })
}

impl Locale {
    /// An operation id as a phrase: "Release number" / "Nummer freigeben"; `None` in German
    /// when a word of it is not in the dictionary.
    pub fn operation(self, id: &str) -> Option<String> {
        match self {
            Self::En => Some(crate::changes::operation_name(id)),
            Self::De => {
                let words = words(id);
                let (verb, rest) = words.split_first()?;
                let template = VERBS.iter().find(|(v, _)| v == verb)?.1;
                let resource = resource_de(&rest.join(" "))?;
                Some(template.replacen("{}", resource, 1))
            }
        }
    }

    /// A plan group's heading from [`crate::changes::resource_of`]'s English ("Knowledge
    /// sources", or "Other" for a path naming none): German from the dictionary, else the
    /// API's words as they are.
    pub fn resource(self, english: &str) -> String {
        if english == crate::changes::OTHER_RESOURCE {
            return self.other_resource();
        }
        match self {
            Self::En => english.to_owned(),
            Self::De => resource_de(&english.to_lowercase())
                .map_or_else(|| english.to_owned(), str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_read_as_phrases_in_each_language() {
        let de = |id| Locale::De.operation(id);
        assert_eq!(de("releaseNumber").as_deref(), Some("Nummer freigeben"));
        assert_eq!(
            de("revokePublishableKey").as_deref(),
            Some("Publishable Key widerrufen")
        );
        assert_eq!(de("deleteAgent").as_deref(), Some("Agent löschen"));
        assert_eq!(
            de("unassignNumber").as_deref(),
            Some("Zuweisung von Nummer aufheben")
        );
        assert_eq!(
            de("listKnowledgeSources").as_deref(),
            Some("Wissensquellen auflisten")
        );
        assert_eq!(de("archiveThing"), None, "no half translation");
        assert_eq!(
            Locale::En.operation("archiveThing").as_deref(),
            Some("Archive thing")
        );
        // Every operation the simulator's copilot proposes or applies has its German.
        for id in [
            "assignNumber",
            "createAgent",
            "createKnowledgeSource",
            "createSkill",
            "deleteAgent",
            "deleteSkill",
            "getAgent",
            "listAgents",
            "listConversations",
            "listKnowledgeSources",
            "listNumbers",
            "listPublishableKeys",
            "listSkills",
            "publishAgent",
            "releaseNumber",
            "revokePublishableKey",
            "rollbackAgent",
            "unassignNumber",
            "updateAgent",
            "updateSkill",
        ] {
            assert!(de(id).is_some(), "{id}");
        }
    }

    #[test]
    fn resources_read_in_each_language() {
        assert_eq!(Locale::De.resource("Knowledge sources"), "Wissensquellen");
        assert_eq!(Locale::De.resource("Numbers"), "Nummern");
        assert_eq!(Locale::De.resource("Other"), "Sonstiges");
        assert_eq!(Locale::De.resource("Gizmos"), "Gizmos", "the API's word");
        assert_eq!(Locale::En.resource("Numbers"), "Numbers");
    }
}
