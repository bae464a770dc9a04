//! The reply as safe markdown while it streams, and the turn's progress steps.

use assist_protocol::StepStatus;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::turn::LiveTurn;
use crate::conversation::Phase;
use crate::markdown::{ReplyPolicy, StreamRenderer};

/// The reply: finished blocks are inserted once and kept; only the open tail block is
/// replaced per delta. Every HTML string comes from [`crate::markdown`], which writes only
/// markup its policy allows. The block elements are made here rather than by the view, so each
/// holds exactly the renderer's HTML and is never rebuilt.
#[component]
pub fn ReplyView(turn: LiveTurn) -> impl IntoView {
    let container = NodeRef::<leptos::html::Div>::new();
    // The panel provides its policy (the host's image allow-list); a bare view gets the default.
    let policy = use_context::<ReplyPolicy>().unwrap_or_default();
    let dom = StoredValue::new_local(ReplyDom::new(policy));
    Effect::new(move |_| {
        let Some(root) = container.get() else {
            return;
        };
        turn.with_reply(|reply, phase| {
            dom.update_value(|dom| {
                if phase == Phase::Done {
                    dom.finish(&root, reply);
                } else {
                    // Append-only until `done` (`Turn::reply`): what is new is what lies past
                    // the text already rendered. A reply cut short (stopped, interrupted,
                    // failed) stays as it was shown while it streamed: an emphasis still open
                    // stays emphasis rather than turning back into its `**`.
                    let delta = reply.get(dom.rendered_len()..);
                    debug_assert!(delta.is_some(), "the reply shrank while streaming");
                    dom.append(&root, delta.unwrap_or_default());
                }
            });
        });
    });
    view! { <div class="turn-reply" node_ref=container on:click=copy_code></div> }
}

/// The reply's DOM under one container, fed the reply's deltas as they arrive: what
/// [`ReplyView`] runs on every change (public so the benchmark times exactly this).
pub struct ReplyDom {
    policy: ReplyPolicy,
    renderer: StreamRenderer,
    blocks: Blocks,
    finished: bool,
}

impl ReplyDom {
    pub fn new(policy: ReplyPolicy) -> Self {
        Self {
            renderer: StreamRenderer::new(policy.clone()),
            policy,
            blocks: Blocks::default(),
            finished: false,
        }
    }

    /// How much of the reply (bytes) is rendered.
    pub fn rendered_len(&self) -> usize {
        self.renderer.text().len()
    }

    /// Renders `delta`, the text that follows what is rendered: finished blocks are appended,
    /// the tail replaced. Nothing changes once the reply is finished.
    pub fn append(&mut self, root: &web_sys::Element, delta: &str) {
        if delta.is_empty() || self.finished {
            return;
        }
        let update = self.renderer.push(delta);
        for html in &update.finished {
            self.blocks.push(root, html);
        }
        self.blocks.set_tail(root, &update.tail);
    }

    /// Finishes the reply as `reply`, the turn's final text, rendered as a whole document. When
    /// it continues what streamed (it usually equals it), the blocks shown stay and only what
    /// the whole document renders differently is replaced; otherwise it starts over.
    pub fn finish(&mut self, root: &web_sys::Element, reply: &str) {
        if self.finished {
            return;
        }
        if !reply.starts_with(self.renderer.text()) {
            self.renderer = StreamRenderer::new(self.policy.clone());
            self.blocks.clear();
        }
        let rest = &reply[self.rendered_len()..];
        self.append(root, rest);
        self.finished = true;
        let (from, rest) = self.renderer.finish();
        self.blocks.truncate(from);
        for html in &rest {
            self.blocks.push(root, html);
        }
        self.blocks.set_tail(root, "");
    }
}

/// The reply's block elements, in order, and the tail element after them.
#[derive(Default)]
struct Blocks {
    blocks: Vec<web_sys::Element>,
    tail: Option<web_sys::Element>,
}

impl Blocks {
    fn element(html: &str, class: &str) -> web_sys::Element {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .expect("a document");
        let element = document.create_element("div").expect("a div");
        element.set_class_name(class);
        element.set_inner_html(html);
        element
    }

    fn push(&mut self, root: &web_sys::Element, html: &str) {
        let element = Self::element(html, "md-block");
        let _ = root.insert_before(&element, self.tail.as_ref().map(|t| t.as_ref()));
        self.blocks.push(element);
    }

    fn set_tail(&mut self, root: &web_sys::Element, html: &str) {
        match (&self.tail, html.is_empty()) {
            (Some(tail), false) => tail.set_inner_html(html),
            (Some(tail), true) => {
                tail.remove();
                self.tail = None;
            }
            (None, false) => {
                let tail = Self::element(html, "md-block md-tail");
                let _ = root.append_child(&tail);
                self.tail = Some(tail);
            }
            (None, true) => {}
        }
    }

    fn truncate(&mut self, len: usize) {
        for element in self.blocks.drain(len.min(self.blocks.len())..) {
            element.remove();
        }
    }

    fn clear(&mut self) {
        self.truncate(0);
        if let Some(tail) = self.tail.take() {
            tail.remove();
        }
    }
}

/// A click on a code block's "Copy" button copies its code.
fn copy_code(event: web_sys::MouseEvent) {
    let Some(button) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("button.copy-code").ok().flatten())
    else {
        return;
    };
    let code = button
        .parent_element()
        .and_then(|block| block.query_selector("code").ok().flatten())
        .and_then(|code| code.text_content())
        .unwrap_or_default();
    let copying = copy_text(&code);
    let label = button.clone();
    leptos::task::spawn_local(async move {
        let copied = copying.await;
        label.set_text_content(Some(if copied { "Copied" } else { "Copy failed" }));
        sleep_ms(1500).await;
        label.set_text_content(Some("Copy"));
    });
}

/// Puts `text` on the clipboard; the future says whether it got there. The write starts now,
/// while the click that asked for it is still the page's user activation.
pub(super) fn copy_text(text: &str) -> impl std::future::Future<Output = bool> + 'static {
    let promise = web_sys::window()
        .expect("a window")
        .navigator()
        .clipboard()
        .write_text(text);
    async move { wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() }
}

pub(crate) async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().expect("a window");
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The copilot's steps: a live list while the turn runs (a spinner on the running step, a
/// mark when one succeeded or failed), folded into "N steps" when it ends.
#[component]
pub fn StepsView(turn: LiveTurn) -> impl IntoView {
    let ended = move || turn.with_steps(|_, ended| ended);
    let count = move || turn.with_steps(|steps, _| steps.len());
    let items = move || {
        turn.with_steps(|steps, _| {
            steps
                .iter()
                .map(|step| {
                    let (mark, status, said) = match step.status {
                        StepStatus::Started => ("", "started", "running"),
                        StepStatus::Succeeded => ("✓", "succeeded", "done"),
                        StepStatus::Failed => ("✗", "failed", "failed"),
                    };
                    view! {
                        <li data-status=status>
                            <span class="step-mark" aria-hidden="true">{mark}</span>
                            {step.message.clone()}
                            <span class="visually-hidden">{format!(" ({said})")}</span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <Show when=move || { count() > 0 }>
            <details class="turn-steps" open=move || !ended()>
                <summary>
                    {move || {
                        let n = count();
                        if ended() {
                            format!("{n} step{}", if n == 1 { "" } else { "s" })
                        } else {
                            "Working…".to_owned()
                        }
                    }}
                </summary>
                <ol>{items}</ol>
            </details>
        </Show>
    }
}
