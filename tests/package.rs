//! The package's hand-kept TypeScript declarations (package/*.d.ts) and its JS (package/*.js)
//! say what the Rust does: every `mount` option, every event and every field of an event's
//! detail is on both sides or this fails.

use std::collections::BTreeSet;

use assist_protocol::AppliedMutation;
use flowyte_copilot::MountOptions;
use flowyte_copilot::conversation::ErrorReport;
use flowyte_copilot::ui::host;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The member names of `interface {name} { … }` in `ts` (one member a line).
fn interface(ts: &str, name: &str) -> BTreeSet<String> {
    let start = ts
        .find(&format!("interface {name} {{"))
        .unwrap_or_else(|| panic!("no interface {name}"));
    let body = &ts[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("\n}").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("/**") && !l.starts_with('*') && !l.starts_with("//"))
        .filter_map(|l| {
            let key = match l.strip_prefix('\'') {
                Some(quoted) => quoted.split('\'').next()?,
                None => l.split([':', '?']).next()?.trim(),
            };
            (!key.is_empty()).then(|| key.to_owned())
        })
        .collect()
}

/// The fields serde knows of `MountOptions`, from its own "expected one of" list.
fn mount_option_fields() -> BTreeSet<String> {
    let error = MountOptions::from_json(r#"{"notAnOption":1}"#).unwrap_err();
    let list = error
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("{error}"));
    let list = list.split(" at line").next().unwrap();
    list.split(',')
        .map(|f| f.trim().trim_matches('`').to_owned())
        .filter(|f| !f.is_empty())
        .collect()
}

fn keys(value: serde_json::Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn every_mount_option_is_declared_and_nothing_else() {
    let fields = mount_option_fields();
    assert!(
        fields.contains("agentId") && fields.contains("locale"),
        "{fields:?}"
    );
    assert_eq!(
        interface(&read("package/index.d.ts"), "MountOptions"),
        fields
    );
}

#[test]
fn every_event_is_declared_in_the_event_map_and_named_in_the_module() {
    let events = set(&host::EVENTS);
    let dts = read("package/index.d.ts");
    assert_eq!(interface(&dts, "FlowyteCopilotEventMap"), events);
    for file in ["package/index.js", "package/index.d.ts"] {
        let text = read(file);
        let block = &text[text.find("EVENTS").unwrap()..];
        let block = &block[..block.find('}').unwrap()];
        let named: BTreeSet<String> = block
            .split('\'')
            .filter(|s| s.starts_with("flowyte-copilot:"))
            .map(str::to_owned)
            .collect();
        assert_eq!(named, events, "{file}'s EVENTS");
    }
}

#[test]
fn every_field_of_each_event_detail_is_declared() {
    let dts = read("package/index.d.ts");
    let error = ErrorReport {
        title: "t".into(),
        detail: None,
        status: None,
        thread_id: None,
    };
    assert_eq!(
        interface(&dts, "ErrorDetail"),
        keys(serde_json::to_value(&error).unwrap())
    );
    assert_eq!(
        interface(&dts, "ThreadChangedDetail"),
        keys(host::thread_changed_detail(Some("thr_1")))
    );
    let mutation = AppliedMutation {
        method: "POST".into(),
        path: "/agents".into(),
        operation_id: Some("createAgent".into()),
        summary: Some("s".into()),
        body: Some(serde_json::Map::new()),
    };
    assert_eq!(
        interface(&dts, "AppliedMutation"),
        keys(serde_json::to_value(&mutation).unwrap())
    );
}

#[test]
fn each_attribute_of_the_element_sets_a_mount_option() {
    let fields = mount_option_fields();
    let js = read("package/element.js");
    let block = &js[js.find("const ATTRIBUTES = {").unwrap()..];
    let block = &block[..block.find("};").unwrap()];
    let mut attributes = BTreeSet::new();
    for line in block.lines().skip(1) {
        let Some((attribute, option)) = line.split_once(':') else {
            continue;
        };
        let attribute = attribute.trim().trim_matches('\'');
        let option = option.trim().trim_end_matches(',').trim_matches('\'');
        assert!(
            fields.contains(option),
            "{attribute} sets {option}, not an option"
        );
        attributes.insert(attribute.to_owned());
    }
    assert_eq!(
        attributes,
        set(&[
            "base",
            "agent-id",
            "theme",
            "storage-key",
            "label",
            "locale"
        ])
    );
    let dts = read("package/element.d.ts");
    let declared = dts
        .split("FlowyteCopilotAttribute =")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .split('|')
        .map(|a| a.trim().trim_matches('\'').to_owned())
        .collect::<BTreeSet<_>>();
    assert_eq!(
        declared, attributes,
        "element.d.ts's FlowyteCopilotAttribute"
    );
}
