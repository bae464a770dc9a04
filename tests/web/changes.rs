//! The plan of applied changes, and the host hearing of them.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlElement};

use crate::support::*;

#[wasm_bindgen_test]
async fn applied_changes_show_as_a_plan_once_each_and_the_host_hears_of_them() {
    let long = "x".repeat(120);
    let create = format!(
        r#"{{"method":"POST","path":"/agents/agt_0001/skills","operationId":"createSkill","summary":"Added the skill Order lookup","body":{{"name":"Order lookup","apiKey":"flowyte_sk_live_secret","note":"{long}"}}}}"#
    );
    let update = r#"{"method":"PATCH","path":"/agents/agt_0003","operationId":"updateAgent","summary":"Renamed After-hours Line","body":{"name":"Night Line"}}"#;
    let stream = format!(
        "event:mutation\ndata:{create}\n\nevent:mutation\ndata:{update}\n\n\
         event:done\ndata:{{\"reply\":\"Done.\",\"threadId\":\"thr_1\",\"appliedMutations\":[{create},{update}]}}\n\n"
    );
    let _gateway = answering(serde_json::json!([[200, "text/event-stream", stream]]));
    js_sys::Function::new_no_args(
        "window.__applied = [];
         document.addEventListener('flowyte-copilot:changes-applied', (e) => window.__applied.push(e.detail));",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();

    let host = mount_panel().await;
    ask(&host, "add an order-lookup skill").await;
    until_shown("the turn to end", &host, ".turn[data-phase=done]").await;
    leptos::task::tick().await;

    let region: HtmlElement = find(&host, "[role=region][aria-label='Applied changes']");
    assert_eq!(
        find::<HtmlElement>(&region, ".changes-totals")
            .text_content()
            .as_deref(),
        Some("Applied: 1 created, 1 updated, 0 destroyed")
    );
    let rows = region.query_selector_all(".plan-row").unwrap();
    assert_eq!(
        rows.length(),
        2,
        "a frame and the result report each change once"
    );
    let headings = texts(&region, "h4");
    assert_eq!(headings, ["Skills", "Agents"]);
    let symbols = texts(&region, ".plan-symbol");
    assert_eq!(symbols, ["+", "~"]);
    let text = region.text_content().unwrap();
    assert!(text.contains("POST /agents/agt_0001/skills") && text.contains("createSkill"));
    assert!(text.contains("+ apiKey = ••••••••"), "{text}");
    assert!(
        !host.inner_html().contains("flowyte_sk_live_secret"),
        "the secret is never in the DOM"
    );

    let more: HtmlButtonElement = find(&region, "button.show-more");
    let before = region.text_content().unwrap().len();
    more.click();
    leptos::task::tick().await;
    assert!(
        region.text_content().unwrap().len() >= before + 39,
        "Show more shows the rest"
    );

    let applied = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__applied".into()).unwrap();
    let applied: js_sys::Array = applied.unchecked_into();
    assert_eq!(applied.length(), 1, "one event for the turn");
    let detail: js_sys::Array = applied.get(0).unchecked_into();
    assert_eq!(detail.length(), 2, "its detail: the turn's mutations");
}
