//! One fake gateway for every browser test: it replaces `window.fetch` in the page and answers
//! as the real gateway does, from rules each test sets.
//!
//! - Sessions as the real one keeps them: `GET /session` says signed out (with development
//!   sign-in, or with an identity provider's `/login` after [`Gateway::identity_provider`])
//!   until `POST /session` starts one (`panel-token-N`, kept as the page's "cookie", for the
//!   developer in the [`Gateway::role`] given); [`replace_session`] plays another tab starting
//!   its own; `POST /logout` ends it and answers `{redirect: "#signed-out"}`;
//!   [`restart_gateway`] plays a gateway restarted with its sessions in memory (the page's
//!   token is then refused 401 `session_expired`, as the real one refuses an unknown session);
//!   [`gateway_down`] one that does not answer at all (fetch rejects).
//! - A POST must carry the session's token in `X-CSRF-Token`, or a token the test lets in
//!   ([`Gateway::accept`]), else it is refused 403 `csrf_token_invalid`, as the gateway does.
//! - Every other request takes the first rule that matches it ([`Gateway::then`]: the next
//!   request, once; [`Gateway::on`]: every request on a route). None left: 500.
//! - Every request is recorded ([`requests`], [`assist_requests`]); an abort of any request's
//!   signal is noted ([`aborted`]).
//!
//! - [`Answer::broken`] breaks a stream's connection after its chunks; [`unhandled_rejections`]
//!   counts the page's unhandled promise rejections since the fake was installed.
//!
//! Dropping the [`Installed`] guard puts the page's own fetch back.

use serde_json::{Value, json};
use wasm_bindgen::JsCast;

/// An answer: a status, a content type, and a body sent whole or as a stream of chunks.
#[derive(Clone)]
pub struct Answer(Value);

impl Answer {
    pub fn new(status: u16, content_type: &str, body: impl Into<String>) -> Self {
        Self(json!({"status": status, "type": content_type, "chunks": [body.into()]}))
    }

    /// A 200 event stream of `body` in one chunk.
    pub fn stream(body: impl Into<String>) -> Self {
        Self::new(200, "text/event-stream", body)
    }

    /// A 200 event stream of `chunks`, one read each.
    pub fn chunks(chunks: Vec<String>) -> Self {
        Self(json!({"status": 200, "type": "text/event-stream", "chunks": chunks}))
    }

    /// `application/problem+json` with `body`.
    pub fn problem(status: u16, body: impl Into<String>) -> Self {
        Self::new(status, "application/problem+json", body)
    }

    /// `application/json` with `body`.
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self::new(status, "application/json", body)
    }

    /// Each chunk after `ms` milliseconds (a slow stream).
    pub fn every(mut self, ms: u32) -> Self {
        self.0["everyMs"] = ms.into();
        self
    }

    /// With the response header `name: value`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.0["headers"][name] = value.into();
        self
    }

    /// The connection breaks after the chunks (the body's read fails, as a dropped
    /// connection's does).
    pub fn broken(mut self) -> Self {
        self.0["broken"] = true.into();
        self
    }

    /// The stream stays open after its chunks, like a server gone quiet.
    pub fn left_open(mut self) -> Self {
        self.0["open"] = true.into();
        self
    }
}

/// Which requests a rule answers: all of them, or those with this method, a path matching this
/// regular expression (its first group replaces `$1` in the answer), a message containing
/// this text.
#[derive(Clone, Default)]
pub struct Route {
    method: Option<&'static str>,
    path: Option<&'static str>,
    message: Option<&'static str>,
}

impl Route {
    pub fn method(method: &'static str) -> Self {
        Self {
            method: Some(method),
            ..Self::default()
        }
    }

    pub fn path(pattern: &'static str) -> Self {
        Self {
            path: Some(pattern),
            ..Self::default()
        }
    }

    pub fn any() -> Self {
        Self::default()
    }

    pub fn with_message(mut self, text: &'static str) -> Self {
        self.message = Some(text);
        self
    }
}

/// A fake gateway being set up.
#[derive(Default)]
pub struct Gateway {
    rules: Vec<Value>,
    latency_ms: u32,
    host_tokens: Vec<(String, String)>,
    provider: bool,
    role: Option<&'static str>,
}

impl Gateway {
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers each request `ms` milliseconds late, as a network would (a double click lands
    /// while it waits; panels asking together overlap).
    pub fn latency(mut self, ms: u32) -> Self {
        self.latency_ms = ms;
        self
    }

    /// Also accepts `token` in the request header `header` (lower case) in place of the
    /// session's token in `x-csrf-token` (a host's own session, or a test calling the
    /// transport with a token of its own).
    pub fn accept(mut self, header: &str, token: &str) -> Self {
        self.host_tokens.push((header.to_owned(), token.to_owned()));
        self
    }

    /// People sign in with an identity provider: signed out, `GET /session` offers `/login`,
    /// and `POST /session` (development sign-in) is 404.
    pub fn identity_provider(mut self) -> Self {
        self.provider = true;
        self
    }

    /// Sessions started here have this role (`viewer` or `approver`, the default).
    pub fn role(mut self, role: &'static str) -> Self {
        self.role = Some(role);
        self
    }

    /// Answers the next request not answered by an earlier rule, once.
    pub fn then(self, answer: Answer) -> Self {
        self.rule(Route::any(), answer, true)
    }

    /// Answers the next requests in order, once each, from `[status, contentType, body]`
    /// triples (a JSON array).
    pub fn queue(self, answers: &Value) -> Self {
        answers
            .as_array()
            .unwrap()
            .iter()
            .fold(self, |gateway, answer| {
                let status = answer[0].as_u64().unwrap() as u16;
                let (kind, body) = (answer[1].as_str().unwrap(), answer[2].as_str().unwrap());
                gateway.then(Answer::new(status, kind, body))
            })
    }

    /// Answers the next request on `route` not answered by an earlier rule, once.
    pub fn then_on(self, route: Route, answer: Answer) -> Self {
        self.rule(route, answer, true)
    }

    /// Answers every request on `route` not answered by an earlier rule.
    pub fn on(self, route: Route, answer: Answer) -> Self {
        self.rule(route, answer, false)
    }

    fn rule(mut self, route: Route, answer: Answer, once: bool) -> Self {
        let mut rule = answer.0;
        rule["method"] = route.method.into();
        rule["path"] = route.path.into();
        rule["message"] = route.message.into();
        rule["once"] = once.into();
        self.rules.push(rule);
        self
    }

    /// Puts the fake in the page's `fetch` (and forgets the session the panels knew).
    pub fn install(self) -> Installed {
        flowyte_copilot::transport::forget_sessions();
        let config = json!({
            "rules": self.rules,
            "latencyMs": self.latency_ms,
            "hostTokens": self.host_tokens,
            "provider": self.provider,
            "role": self.role.unwrap_or("approver"),
        });
        let restore = js_sys::Function::new_with_args("config", FAKE)
            .call1(&wasm_bindgen::JsValue::NULL, &config.to_string().into())
            .unwrap()
            .unchecked_into();
        Installed { restore }
    }
}

/// The fake in place; dropping it restores the page's fetch.
pub struct Installed {
    restore: js_sys::Function,
}

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = self.restore.call0(&wasm_bindgen::JsValue::NULL);
        flowyte_copilot::transport::forget_sessions();
    }
}

const FAKE: &str = r#"
  const { rules, latencyMs, hostTokens, provider, role } = JSON.parse(config);
  const real = window.fetch;
  const fake = { requests: [], aborted: false, session: null, sessions: 0 };
  window.__gateway = fake;
  const respond = (status, type, text, extra = {}) =>
    new Response(text, { status, headers: { ...extra, 'content-type': type } });
  const json = (status, value, type = 'application/json') => respond(status, type, JSON.stringify(value));
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  fake.unhandled = [];
  const onUnhandled = (e) => { fake.unhandled.push(String(e.reason)); e.preventDefault(); };
  window.addEventListener('unhandledrejection', onUnhandled);
  window.fetch = async (input, init = {}) => {
    if (fake.down) throw new TypeError('Failed to fetch');
    const url = typeof input === 'string' ? input : input.url;
    const method = (init.method ?? (typeof input === 'string' ? 'GET' : input.method)).toUpperCase();
    const headers = Object.fromEntries(new Headers(init.headers ?? (typeof input === 'string' ? {} : input.headers)));
    const text = init.body ?? (typeof input === 'string' ? null : await input.text());
    const path = new URL(url, location.href).pathname;
    const body = text ? JSON.parse(text) : null;
    fake.requests.push({ url: path, method, headers, body });
    (init.signal ?? input.signal)?.addEventListener('abort', () => { fake.aborted = true; });
    await sleep(latencyMs);
    const signedIn = () => ({ signedIn: true, csrfToken: fake.session, expiresAt: 0, role,
      user: { sub: 'developer', name: 'Developer', email: 'developer@localhost' } });
    if (path.endsWith('/session')) {
      if (method === 'POST') {
        if (provider) {
          return json(404, { status: 404, title: 'Not found', code: 'not_found' }, 'application/problem+json');
        }
        fake.session = `panel-token-${++fake.sessions}`;
        fake.forgotten = false;
        return json(201, signedIn());
      }
      return fake.session
        ? json(200, signedIn())
        : json(200, { signedIn: false, login: provider ? '/login' : null, devSignIn: !provider });
    }
    if (path.endsWith('/logout') && method === 'POST') {
      if (!fake.session || headers['x-csrf-token'] !== fake.session) {
        return json(403, { status: 403, title: 'Forbidden', code: 'csrf_token_invalid' }, 'application/problem+json');
      }
      fake.session = null;
      return json(200, { redirect: '#signed-out' });
    }
    const accepted = (fake.session && headers['x-csrf-token'] === fake.session)
      || hostTokens.some(([header, token]) => headers[header] === token);
    if (method === 'POST' && !accepted && fake.forgotten && headers['x-csrf-token']) {
      return json(401, { status: 401, title: 'Signed out', code: 'session_expired',
        detail: 'Sign in to keep using the copilot.' }, 'application/problem+json');
    }
    if (method === 'POST' && !accepted) {
      return json(403, { status: 403, title: 'Forbidden', code: 'csrf_token_invalid',
        detail: "The request is missing this session's CSRF token." }, 'application/problem+json');
    }
    let group = '';
    const rule = rules.find((r) => {
      if (r.method && r.method !== method) return false;
      if (r.message && !(body?.message ?? '').includes(r.message)) return false;
      if (r.path) {
        const found = path.match(new RegExp(r.path));
        if (!found) return false;
        group = found[1] ?? '';
      }
      return true;
    });
    if (!rule) return json(500, { status: 500, title: 'no more answers' }, 'application/problem+json');
    if (rule.once) rules.splice(rules.indexOf(rule), 1);
    const chunks = rule.chunks.map((c) => c.replaceAll('$1', group));
    if (rule.type !== 'text/event-stream') return respond(rule.status, rule.type, chunks.join(''), rule.headers);
    const encoder = new TextEncoder();
    let next = 0;
    const stream = new ReadableStream({ async pull(c) {
      if (next === chunks.length) {
        if (rule.broken) { c.error(new TypeError('network error')); return; }
        if (!rule.open) { c.close(); return; }
        return new Promise(() => {});
      }
      if (rule.everyMs) await sleep(rule.everyMs);
      c.enqueue(encoder.encode(chunks[next++]));
    } });
    return new Response(stream, { status: rule.status, headers: { ...rule.headers, 'content-type': rule.type } });
  };
  return () => { window.fetch = real; window.removeEventListener('unhandledrejection', onUnhandled); };
"#;

/// Another tab signed in again: the page's cookie now names its session, `token`.
pub fn replace_session(token: &str) {
    js_sys::Function::new_with_args("token", "window.__gateway.session = token;")
        .call1(&wasm_bindgen::JsValue::NULL, &token.into())
        .unwrap();
}

/// The gateway restarted, its sessions (kept in memory) gone: the page's token names none now.
pub fn restart_gateway() {
    js_sys::Function::new_no_args(
        "window.__gateway.session = null; window.__gateway.forgotten = true;",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();
}

/// The gateway stops answering (`down`: every fetch rejects, as with nothing listening), or
/// answers again.
pub fn gateway_down(down: bool) {
    js_sys::Function::new_with_args("down", "window.__gateway.down = down;")
        .call1(&wasm_bindgen::JsValue::NULL, &down.into())
        .unwrap();
}

fn recorded() -> Vec<Value> {
    let fake = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__gateway".into()).unwrap();
    let all = js_sys::Reflect::get(&fake, &"requests".into()).unwrap();
    serde_json::from_str(&js_sys::JSON::stringify(&all).unwrap().as_string().unwrap()).unwrap()
}

/// Every request the fake saw, in order: `{url, method, headers, body}` (`url` is the path).
pub fn requests() -> Vec<Value> {
    recorded()
}

/// The requests other than the session's: the assist POSTs and the thread reads.
pub fn assist_requests() -> Vec<Value> {
    recorded()
        .into_iter()
        .filter(|r| {
            let url = r["url"].as_str().unwrap_or("");
            !url.ends_with("/session") && !url.ends_with("/logout")
        })
        .collect()
}

/// The reasons of the page's unhandled promise rejections since the fake was installed.
pub fn unhandled_rejections() -> Vec<String> {
    let fake = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__gateway".into()).unwrap();
    let list = js_sys::Reflect::get(&fake, &"unhandled".into()).unwrap();
    js_sys::Array::from(&list)
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

/// Whether any request's signal was aborted.
pub fn aborted() -> bool {
    let fake = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__gateway".into()).unwrap();
    js_sys::Reflect::get(&fake, &"aborted".into())
        .unwrap()
        .as_bool()
        .unwrap_or(false)
}
