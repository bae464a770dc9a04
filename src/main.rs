//! The standalone development page (`trunk serve`, and the gateway serving `dist/`): one panel
//! in the page's `#flowyte-copilot-dev` element.
//!
//! Every page that loads the module runs this `main`, so it mounts nothing unless that element
//! is there: a host page loads the same module and calls `mount` itself.

use wasm_bindgen::JsCast;

fn main() {
    let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("flowyte-copilot-dev"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    // The dev page is the panel alone: the person starts typing at once. `?locale=de` tries
    // another language than the page's.
    let search = js_sys::Reflect::get(&js_sys::global(), &"location".into())
        .and_then(|location| js_sys::Reflect::get(&location, &"search".into()))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    let locale = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("locale="))
        .map(str::to_owned);
    let options = flowyte_copilot::MountOptions {
        autofocus: Some(true),
        locale,
        ..flowyte_copilot::MountOptions::default()
    }
    .resolve()
    .expect("the dev page's options are valid");
    // The dev page's panel stays for the page's life.
    flowyte_copilot::embed::mount_config(element, options).expect("the dev page mounts once");
}
