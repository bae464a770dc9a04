//! What the copilot changed, as a person reviews it: the plan of applied mutations.
//!
//! - [`plan`]: applied mutations as a Terraform-style plan: one row per mutation (`+` create,
//!   `~` update, `-` destroy, other methods by name), grouped by resource type, each with its
//!   body as a field list; [`Totals`] for the "Applied: …" line.
//! - [`fields`]: a body or args object as `name = value` lines: values are text (never
//!   markdown), long ones truncated with the whole kept for "Show more", secrets masked (by
//!   what the field is, not by a name that merely contains "key").
//! - [`words`]: API names as people read them (`createAgent` → "Create agent").
//!
//! An approval card's life is in [`crate::approval`].

mod fields;
mod words;

use std::fmt;

use assist_protocol::AppliedMutation;

pub use fields::{Field, MAX_VALUE_CHARS, fields, is_secret_name, is_secret_value};
pub use words::{operation_name, words};

/// What a mutation did, from its HTTP method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Destroy,
    /// Any other method, shown by name.
    Other(String),
}

impl Action {
    pub fn from_method(method: &str) -> Self {
        match method.to_ascii_uppercase().as_str() {
            "POST" => Self::Create,
            "PUT" | "PATCH" => Self::Update,
            "DELETE" => Self::Destroy,
            other => Self::Other(other.to_owned()),
        }
    }

    /// `+`, `~`, `-`, or the method.
    pub fn symbol(&self) -> &str {
        match self {
            Self::Create => "+",
            Self::Update => "~",
            Self::Destroy => "-",
            Self::Other(method) => method,
        }
    }

    /// A word for the row's accessible description.
    pub fn word(&self) -> &str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Destroy => "destroy",
            Self::Other(method) => method,
        }
    }
}

/// One applied mutation as a plan row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanRow {
    pub action: Action,
    pub summary: String,
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
    pub fields: Vec<Field>,
    /// The server recorded it, and the stream that should have shown it broke off.
    pub recorded: bool,
}

/// Rows about one kind of resource, in the order they first appeared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// "Skills", "Numbers", "Knowledge sources", …
    pub resource: String,
    pub rows: Vec<PlanRow>,
}

/// A path segment that names one thing rather than a collection: it holds a digit
/// (`agt_0001`, `num_2`) or is a known action (`assign`, `publish`).
fn is_id_or_action(segment: &str) -> bool {
    segment.chars().any(|c| c.is_ascii_digit())
        || matches!(
            segment,
            "assign" | "publish" | "rollback" | "rotate" | "connect" | "discover" | "provision"
        )
}

/// The resource type a path is about: its last run of collection segments, in words.
/// `/agents/agt_1/skills` → "Skills"; `/agents/a_1/knowledge/sources` → "Knowledge sources";
/// `/numbers/num_1/assign` → "Numbers".
pub fn resource_of(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut runs: Vec<Vec<&str>> = vec![Vec::new()];
    for segment in segments {
        if is_id_or_action(segment) {
            runs.push(Vec::new());
        } else {
            runs.last_mut().expect("one run").push(segment);
        }
    }
    let run = runs
        .into_iter()
        .rev()
        .find(|r| !r.is_empty())
        .unwrap_or_default();
    let words = run.join(" ").replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Other".to_owned(),
    }
}

/// The plan: rows grouped by resource type, groups and rows in the order they happened.
pub fn plan(mutations: &[AppliedMutation]) -> Vec<Group> {
    plan_marking(mutations, &[])
}

/// The plan, its rows among `recorded` marked as the server's record.
pub fn plan_marking(mutations: &[AppliedMutation], recorded: &[AppliedMutation]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for mutation in mutations {
        let row = PlanRow {
            action: Action::from_method(&mutation.method),
            summary: mutation
                .summary
                .clone()
                .unwrap_or_else(|| format!("{} {}", mutation.method, mutation.path)),
            method: mutation.method.to_ascii_uppercase(),
            path: mutation.path.clone(),
            operation_id: mutation.operation_id.clone(),
            fields: fields(mutation.body.as_ref()),
            recorded: recorded.contains(mutation),
        };
        let resource = resource_of(&mutation.path);
        match groups.iter_mut().find(|g| g.resource == resource) {
            Some(group) => group.rows.push(row),
            None => groups.push(Group {
                resource,
                rows: vec![row],
            }),
        }
    }
    groups
}

/// Counts by action, for "Applied: 2 created, 1 updated, 0 destroyed".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub created: usize,
    pub updated: usize,
    pub destroyed: usize,
    pub other: usize,
}

impl Totals {
    pub fn of(mutations: &[AppliedMutation]) -> Self {
        let mut totals = Self::default();
        for mutation in mutations {
            match Action::from_method(&mutation.method) {
                Action::Create => totals.created += 1,
                Action::Update => totals.updated += 1,
                Action::Destroy => totals.destroyed += 1,
                Action::Other(_) => totals.other += 1,
            }
        }
        totals
    }

    /// The counts that are not zero: "1 created, 1 updated".
    pub fn brief(&self) -> String {
        [
            (self.created, "created"),
            (self.updated, "updated"),
            (self.destroyed, "destroyed"),
            (self.other, "other"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

impl fmt::Display for Totals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Applied: {} created, {} updated, {} destroyed",
            self.created, self.updated, self.destroyed
        )?;
        if self.other > 0 {
            write!(f, ", {} other", self.other)?;
        }
        Ok(())
    }
}

/// Reconciles what streamed with the final result: the final list, in its order, plus any
/// streamed item it lacks (matched as a multiset, so one change reported by both a frame and the
/// result appears once, and two identical changes stay two). No duplicates, nothing lost.
pub fn reconcile<T: Clone + PartialEq>(streamed: &[T], last: &[T]) -> Vec<T> {
    let mut out = last.to_vec();
    let mut unmatched: Vec<bool> = vec![true; last.len()];
    for item in streamed {
        match (0..last.len()).find(|&i| unmatched[i] && last[i] == *item) {
            Some(i) => unmatched[i] = false,
            None => out.push(item.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn mutation(method: &str, path: &str, body: Value) -> AppliedMutation {
        AppliedMutation {
            method: method.into(),
            path: path.into(),
            operation_id: Some("op".into()),
            summary: Some(format!("{method} {path}")),
            body: body.as_object().cloned(),
        }
    }

    #[test]
    fn methods_become_plan_symbols() {
        let symbols: Vec<String> = ["POST", "put", "PATCH", "DELETE", "GET"]
            .iter()
            .map(|m| Action::from_method(m).symbol().to_owned())
            .collect();
        assert_eq!(symbols, ["+", "~", "~", "-", "GET"]);
    }

    #[test]
    fn rows_group_by_resource_in_order() {
        let groups = plan(&[
            mutation(
                "POST",
                "/agents/agt_0001/skills",
                json!({"name": "Order lookup"}),
            ),
            mutation(
                "POST",
                "/numbers/num_0004/assign",
                json!({"agentId": "agt_0004"}),
            ),
            mutation(
                "PATCH",
                "/agents/agt_0001/skills/skl_0002",
                json!({"isEnabled": false}),
            ),
            mutation(
                "POST",
                "/agents/agt_0001/knowledge/sources",
                json!({"url": "https://x"}),
            ),
            mutation("PATCH", "/agents/agt_0003", json!({"name": "Night Line"})),
        ]);
        let names: Vec<&str> = groups.iter().map(|g| g.resource.as_str()).collect();
        assert_eq!(names, ["Skills", "Numbers", "Knowledge sources", "Agents"]);
        assert_eq!(groups[0].rows.len(), 2);
        assert_eq!(groups[0].rows[1].action, Action::Update);
        assert_eq!(
            resource_of("/agents/agt_1/publishable-keys/pk_2"),
            "Publishable keys"
        );
        assert_eq!(resource_of("/agents/agt_1/publish"), "Agents");
    }

    #[test]
    fn totals_count_every_kind() {
        let totals = Totals::of(&[
            mutation("POST", "/agents", json!({})),
            mutation("POST", "/agents/a_1/skills", json!({})),
            mutation("PATCH", "/agents/a_1", json!({})),
        ]);
        assert_eq!(
            totals.to_string(),
            "Applied: 2 created, 1 updated, 0 destroyed"
        );
        assert_eq!(totals.brief(), "2 created, 1 updated");
        let other = Totals::of(&[mutation("OPTIONS", "/x", json!({}))]);
        assert_eq!(other.brief(), "1 other");
        assert_eq!(
            other.to_string(),
            "Applied: 0 created, 0 updated, 0 destroyed, 1 other"
        );
    }

    #[test]
    fn reconciling_adds_nothing_twice_and_loses_nothing() {
        let a = mutation("POST", "/agents", json!({"name": "A"}));
        let b = mutation("PATCH", "/agents/agt_1", json!({"name": "B"}));
        // Streamed a; the result reports a and b.
        assert_eq!(
            reconcile(std::slice::from_ref(&a), &[a.clone(), b.clone()]),
            [a.clone(), b.clone()]
        );
        // The result left out something that streamed: kept.
        assert_eq!(
            reconcile(&[a.clone(), b.clone()], std::slice::from_ref(&a)),
            [a.clone(), b.clone()]
        );
        // Two identical changes stay two.
        assert_eq!(
            reconcile(&[a.clone(), a.clone()], &[a.clone(), a.clone()]).len(),
            2
        );
        assert_eq!(reconcile::<AppliedMutation>(&[], &[]), []);
    }
}
