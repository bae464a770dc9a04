//! What the browser tests share: the page and its panels ([`mount_panel`], [`host_element`],
//! [`ask`], waiting with [`until`]) and the one fake gateway ([`gateway`]).

pub mod gateway;

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlButtonElement, HtmlElement, HtmlTextAreaElement};

pub use gateway::{
    Answer, Gateway, Installed, Route, aborted, assist_requests, gateway_down, replace_session,
    requests, restart_gateway, unhandled_rejections,
};

/// How long a transport test waits for a stream before calling it idle.
pub const IDLE: Duration = Duration::from_secs(5);

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts a fresh panel in its own container and returns the container, rendered.
pub async fn mount_panel() -> HtmlElement {
    // Each panel keeps its thread under its own key: tests share the page's localStorage.
    static MOUNTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let key = format!(
        "test-panel-{}",
        MOUNTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let host = mount_panel_at(key);
    leptos::task::tick().await;
    host
}

/// Mounts a fresh panel keeping its thread under `storage_key`.
pub fn mount_panel_at(storage_key: String) -> HtmlElement {
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <flowyte_copilot::Panel storage_key=storage_key /> },
    )
    .forget();
    host
}

pub fn find<T: JsCast>(host: &HtmlElement, selector: &str) -> T {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .unchecked_into()
}

/// The text of each element in `root` matching `selector`, in order.
pub fn texts(root: &HtmlElement, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| list.get(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

/// A fake gateway answering the assist requests in order from `[status, contentType, body]`
/// triples, each 50 ms late (a double click lands while it waits).
pub fn answering(answers: serde_json::Value) -> Installed {
    Gateway::new().latency(50).queue(&answers).install()
}

/// Mounts a panel in `element` as a host page does, with the options `json`.
pub async fn mount_with(element: &HtmlElement, json: &str) -> flowyte_copilot::MountHandle {
    let handle = flowyte_copilot::mount(element.clone().into(), options(json)).unwrap();
    leptos::task::tick().await;
    handle
}

/// Lets the page's tasks and timers run for `ms` milliseconds.
pub async fn pause(ms: i32) {
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(timer).await.unwrap();
    leptos::task::tick().await;
}

/// Waits (up to ~2 s) until `condition` holds, letting the page's tasks and timers run.
pub async fn until(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..200 {
        if condition() {
            return;
        }
        pause(10).await;
    }
    panic!("timed out waiting for {what}");
}

/// Waits (up to ~2 s) until an element matching `selector` is in `host`.
pub async fn until_shown(what: &str, host: &HtmlElement, selector: &str) {
    until(what, || host.query_selector(selector).unwrap().is_some()).await;
}

/// Types `text` into the panel's message box, as the person would.
pub async fn type_message(host: &HtmlElement, text: &str) {
    let message: HtmlTextAreaElement = find(host, "textarea[aria-label=Message]");
    message.set_value(text);
    message
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;
}

/// Types `text` and presses Send.
pub async fn ask(host: &HtmlElement, text: &str) {
    type_message(host, text).await;
    find::<HtmlButtonElement>(host, "button[type=submit]").click();
}

/// Replaces `navigator.clipboard.writeText` with one that keeps what it was given (headless
/// Chromium denies the real clipboard); [`copied`] reads it.
pub fn stub_clipboard() {
    js_sys::Function::new_no_args(
        "window.__copied = null;
         Object.defineProperty(navigator, 'clipboard', {
           configurable: true,
           value: { writeText: async (text) => { window.__copied = text; } },
         });",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();
}

pub fn copied() -> Option<String> {
    js_sys::Reflect::get(&web_sys::window().unwrap(), &"__copied".into())
        .unwrap()
        .as_string()
}

/// An element of `height` px in the page, as a host page makes one for a panel, with the
/// panel's own stylesheet linked; the host events it hears are recorded under `name`
/// ([`host_events`]).
pub fn host_element(name: &str, height: u32) -> HtmlElement {
    if document().get_element_by_id("panel-css").is_none() {
        let style = document().create_element("style").unwrap();
        style.set_id("panel-css");
        style.set_text_content(Some(include_str!("../../../style/panel.css")));
        document().head().unwrap().append_child(&style).unwrap();
    }
    let element: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    element
        .set_attribute("style", &format!("height:{height}px;width:360px"))
        .unwrap();
    document().body().unwrap().append_child(&element).unwrap();
    js_sys::Function::new_with_args(
        "element, name",
        "window.__events ??= [];
         for (const type of ['changes-applied', 'thread-changed', 'error']) {
           element.addEventListener(`flowyte-copilot:${type}`, (e) => window.__events.push([name, type, e.detail]));
         }",
    )
    .call2(&wasm_bindgen::JsValue::NULL, &element, &name.into())
    .unwrap();
    element
}

/// The host events the element named `name` heard: `(type, detail)`.
pub fn host_events(name: &str) -> Vec<(String, serde_json::Value)> {
    let all = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__events".into()).unwrap();
    let all: Vec<(String, String, serde_json::Value)> =
        serde_json::from_str(&js_sys::JSON::stringify(&all).unwrap().as_string().unwrap()).unwrap();
    all.into_iter()
        .filter(|(n, _, _)| n == name)
        .map(|(_, t, d)| (t, d))
        .collect()
}

/// Mount options as a host page writes them.
pub fn options(json: &str) -> wasm_bindgen::JsValue {
    js_sys::JSON::parse(json).unwrap()
}

/// The message of the error `mount` throws for `json`.
pub fn mount_error(element: &HtmlElement, json: &str) -> String {
    let error = flowyte_copilot::mount(element.clone().into(), options(json))
        .err()
        .unwrap_or_else(|| panic!("{json} mounted"));
    let error: wasm_bindgen::JsValue = error.into();
    error.unchecked_into::<js_sys::Error>().message().into()
}

/// What localStorage keeps under `key`.
pub fn stored(key: &str) -> Option<String> {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(key)
        .unwrap()
}

/// One event stream frame.
pub fn frame(event: &str, data: serde_json::Value) -> String {
    assist_protocol::encode_frame(event, &data.to_string())
}

/// The fake gateway in front of agents' copilots, for the embedding tests: the host's own
/// session (`host-token` in `X-Host-CSRF`) or the page's; a POST to an agent's assist path
/// answers "Working on it." and finishes in thread `thr_<agent>` (proposing to release a number
/// when the message says "release"; a message saying "slow" gets the first delta and a stream
/// that stays open); a thread read is 404; the account's copilot is 503.
pub fn agents_gateway() -> Installed {
    const AGENT: &str = "agents/([^/]+)/assist$";
    let working = frame("delta", serde_json::json!({"text": "Working on it. "}));
    let done = |proposals: serde_json::Value| {
        frame(
            "done",
            serde_json::json!({"reply": "Working on it. Done.", "threadId": "thr_$1",
                "appliedMutations": [], "pendingConfirmations": proposals}),
        )
    };
    let release = serde_json::json!([{"name": "releaseNumber", "method": "DELETE",
        "path": "/numbers/num_0001", "summary": "Release +1 415 555 4421",
        "args": {"numberId": "num_0001"}}]);
    Gateway::new()
        .latency(20)
        .accept("x-host-csrf", "host-token")
        .on(
            Route::method("GET"),
            Answer::problem(404, r#"{"status":404,"title":"Not found"}"#),
        )
        .on(
            Route::path(AGENT).with_message("slow"),
            Answer::chunks(vec![working.clone()]).left_open(),
        )
        .on(
            Route::path(AGENT).with_message("release"),
            Answer::chunks(vec![working.clone(), done(release)]),
        )
        .on(
            Route::path(AGENT),
            Answer::chunks(vec![working, done(serde_json::json!([]))]),
        )
        .on(
            Route::any(),
            Answer::problem(503, r#"{"status":503,"title":"Upstream unavailable"}"#),
        )
        .install()
}
