//! The access policy: which signed-in person may use the copilot, with which key, in which
//! role. Deny by default: a person no rule names gets no session.
//!
//! Rules are tried in the order the config file lists them; the first that matches decides.
//! Rules by e-mail address or domain match only an address the provider says it verified,
//! so nobody gains access by typing someone else's address into an account at the provider.

use serde::{Deserialize, Serialize};

/// What a session may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// May ask and read; never confirm a destructive action.
    Viewer,
    /// May also approve (send `confirmed` items).
    Approver,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Approver => "approver",
        }
    }
}

/// A signed-in person, as their provider's ID token describes them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The provider that vouched for them (`iss`): a `sub` is unique only within it.
    pub issuer: String,
    pub sub: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    #[serde(default)]
    pub groups: Vec<String>,
}

impl Person {
    /// One string per person across providers, for limits and indexes (never shown).
    pub fn key(&self) -> String {
        format!("{}|{}", self.issuer, self.sub)
    }

    fn verified_email(&self) -> Option<&str> {
        self.email.as_deref().filter(|_| self.email_verified)
    }
}

/// Who a rule names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// The provider's subject identifier, exactly.
    Sub(String),
    /// A verified e-mail address (case-insensitive).
    Email(String),
    /// Every verified address at this domain, exactly (not its subdomains).
    EmailDomain(String),
    /// A member of this group (the configured groups claim).
    Group(String),
}

impl Match {
    fn matches(&self, person: &Person) -> bool {
        match self {
            Match::Sub(sub) => person.sub == *sub,
            Match::Email(email) => person
                .verified_email()
                .is_some_and(|e| e.eq_ignore_ascii_case(email)),
            Match::EmailDomain(domain) => person
                .verified_email()
                .and_then(|e| e.rsplit_once('@'))
                .is_some_and(|(_, d)| d.eq_ignore_ascii_case(domain)),
            Match::Group(group) => person.groups.iter().any(|g| g == group),
        }
    }
}

/// One rule: whom it names, and what they get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub matches: Match,
    /// The name of the key (in the config's `[keys]`) their requests run under.
    pub key: String,
    pub role: Role,
}

/// What the policy grants a person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub key: String,
    pub role: Role,
}

/// The rules, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    pub rules: Vec<Rule>,
}

impl Policy {
    /// The grant of the first rule that names `person`; `None` when no rule does.
    pub fn decide(&self, person: &Person) -> Option<Grant> {
        self.rules
            .iter()
            .find(|rule| rule.matches.matches(person))
            .map(|rule| Grant {
                key: rule.key.clone(),
                role: rule.role,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(sub: &str, email: &str, verified: bool, groups: &[&str]) -> Person {
        Person {
            issuer: "https://login.example".to_owned(),
            sub: sub.to_owned(),
            name: None,
            email: Some(email.to_owned()),
            email_verified: verified,
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        }
    }

    fn rule(matches: Match, role: Role) -> Rule {
        Rule {
            matches,
            key: "support".to_owned(),
            role,
        }
    }

    #[test]
    fn the_first_matching_rule_decides_and_nobody_else_gets_in() {
        let policy = Policy {
            rules: vec![
                rule(Match::Email("Ana@Northwind.example".into()), Role::Approver),
                rule(Match::Group("copilot-approvers".into()), Role::Approver),
                rule(Match::EmailDomain("northwind.example".into()), Role::Viewer),
                rule(Match::Sub("auditor-7".into()), Role::Viewer),
            ],
        };
        let role = |p: &Person| policy.decide(p).map(|g| g.role);
        assert_eq!(
            role(&person("1", "ana@northwind.example", true, &[])),
            Some(Role::Approver)
        );
        assert_eq!(
            role(&person("2", "vic@northwind.example", true, &[])),
            Some(Role::Viewer)
        );
        assert_eq!(
            role(&person(
                "3",
                "x@elsewhere.example",
                true,
                &["copilot-approvers"]
            )),
            Some(Role::Approver)
        );
        assert_eq!(
            role(&person("auditor-7", "a@b.example", false, &[])),
            Some(Role::Viewer)
        );
        assert_eq!(role(&person("4", "sam@elsewhere.example", true, &[])), None);
    }

    #[test]
    fn addresses_count_only_when_verified_and_domains_only_exactly() {
        let policy = Policy {
            rules: vec![
                rule(Match::Email("ana@northwind.example".into()), Role::Approver),
                rule(Match::EmailDomain("northwind.example".into()), Role::Viewer),
            ],
        };
        for (email, verified) in [
            ("ana@northwind.example", false),
            ("eve@evil-northwind.example", true),
            ("eve@mail.northwind.example", true),
            ("northwind.example@evil.example", true),
        ] {
            assert_eq!(
                policy.decide(&person("5", email, verified, &[])),
                None,
                "{email} verified={verified}"
            );
        }
    }
}
