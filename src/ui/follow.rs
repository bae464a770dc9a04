//! The conversation log, following the newest text while it streams until the person scrolls
//! up; then "Jump to latest" takes them back and it follows again.

use crate::i18n::Locale;
use leptos::prelude::*;

type ResizeCallback = wasm_bindgen::closure::Closure<dyn FnMut()>;

/// Within a few pixels of the end counts as the end (zoom and fractional scroll positions).
const END_SLACK_PX: i32 = 24;

/// Whether the log follows the newest text, and the elements it watches.
#[derive(Clone, Copy)]
pub struct Follow {
    log: NodeRef<leptos::html::Div>,
    content: NodeRef<leptos::html::Div>,
    following: RwSignal<bool>,
    last_scroll_top: StoredValue<i32>,
}

impl Follow {
    pub fn new() -> Self {
        Self {
            log: NodeRef::new(),
            content: NodeRef::new(),
            following: RwSignal::new(true),
            last_scroll_top: StoredValue::new(0),
        }
    }

    /// Follow from now on (the person sent something: show it).
    pub fn resume(&self) {
        self.following.set(true);
    }

    /// At the end: following. Scrolled up (by the person: the panel only ever scrolls down):
    /// not following. A scroll event that arrives after more text did is neither.
    fn on_scroll(&self) {
        if let Some(log) = self.log.get_untracked() {
            let top = log.scroll_top();
            if at_end(&log) {
                self.following.set(true);
            } else if top < self.last_scroll_top.get_value() {
                self.following.set(false);
            }
            self.last_scroll_top.set_value(top);
        }
    }

    fn jump_to_latest(&self) {
        self.following.set(true);
        if let Some(log) = self.log.get_untracked() {
            scroll_to_end(&log);
            let _ = log.focus();
        }
    }

    /// The log's content grows (deltas, steps, a new turn) or shrinks: while following, the log
    /// keeps to its end. A ResizeObserver sees every change of height, whatever made it, and
    /// runs before the frame is painted.
    fn watch(self) {
        let observer = StoredValue::new_local(None::<(web_sys::ResizeObserver, ResizeCallback)>);
        let following = self.following;
        Effect::new(move |_| {
            let (Some(log), Some(content)) = (self.log.get(), self.content.get()) else {
                return;
            };
            let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                if following.try_get_untracked() == Some(true) {
                    scroll_to_end(&log);
                }
            });
            let Ok(resize) = web_sys::ResizeObserver::new(wasm_bindgen::JsCast::unchecked_ref(
                callback.as_ref(),
            )) else {
                return;
            };
            resize.observe(&content);
            observer.set_value(Some((resize, callback)));
        });
        on_cleanup(move || {
            if let Some((resize, _callback)) = observer.try_update_value(Option::take).flatten() {
                resize.disconnect();
            }
        });
    }
}

impl Default for Follow {
    fn default() -> Self {
        Self::new()
    }
}

fn at_end(log: &web_sys::HtmlElement) -> bool {
    log.scroll_height() - log.scroll_top() - log.client_height() <= END_SLACK_PX
}

fn scroll_to_end(log: &web_sys::HtmlElement) {
    log.set_scroll_top(log.scroll_height());
}

/// The conversation log (`role=log`, busy while a reply streams) around `children`, and the
/// "Jump to latest" button while it does not follow.
#[component]
pub fn FollowingLog(
    follow: Follow,
    #[prop(into)] busy: Signal<bool>,
    /// Something is open over the log (the plan of changes): the log is inert meanwhile, so
    /// neither focus nor a screen reader wanders behind it.
    #[prop(into)]
    covered: Signal<bool>,
    children: Children,
) -> impl IntoView {
    follow.watch();
    let t = use_context::<Locale>().unwrap_or_default();
    view! {
        <div class="copilot-log-frame" inert=move || covered.get()>
            <div
                class="copilot-log"
                role="log"
                aria-label=t.conversation()
                aria-busy=move || busy.get().to_string()
                tabindex="0"
                node_ref=follow.log
                on:scroll=move |_| follow.on_scroll()
            >
                <div class="copilot-log-content" node_ref=follow.content>
                    {children()}
                </div>
            </div>
            <Show when=move || !follow.following.get()>
                <button
                    type="button"
                    class="jump-to-latest"
                    on:click=move |_| follow.jump_to_latest()
                >
                    {t.jump_to_latest()}
                    <span aria-hidden="true">" ↓"</span>
                </button>
            </Show>
        </div>
    }
}
