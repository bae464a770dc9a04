//! Sign-in with a real OpenID Provider (npm `oidc-provider` on loopback, its own login form),
//! the gateway in front of the simulator, every request over HTTP: the whole code flow, every
//! refusal, the access policy's roles, sign-out and back-channel logout.
//!
//! People at the provider: ana (approver by her address), vic (viewer by his domain), sam
//! (named by no rule).

use std::path::PathBuf;
use std::time::Duration;

use flowyte_gateway::config::{AuditTarget, ProviderConfig, Secret};
use flowyte_gateway::policy::{Match, Policy, Role, Rule};
use flowyte_gateway::session::CSRF_HEADER;
use flowyte_gateway::{AppState, Config};
use serde_json::{Value, json};

mod common;
use common::provider::{Browser, CLIENT_ID, CLIENT_SECRET, Provider};

/// A provider, a gateway that trusts it, and the simulator behind the gateway.
struct World {
    provider: Provider,
    gateway: String,
    sim: String,
    audit: PathBuf,
    metrics: std::sync::Arc<flowyte_gateway::metrics::Metrics>,
    _dir: tempfile::TempDir,
}

fn rule(matches: Match, role: Role) -> Rule {
    Rule {
        matches,
        key: "northwind".to_owned(),
        role,
    }
}

async fn world(configure: impl FnOnce(&mut Config)) -> World {
    let sim_state = flowyte_simulator::AppState::new(flowyte_simulator::Config {
        pace: Duration::from_millis(5),
        ..Default::default()
    });
    let sim = common::serve(flowyte_simulator::app(sim_state)).await;
    let (listener, gateway) = common::listener().await;
    let provider = Provider::start(&gateway).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");

    let mut config = Config::new(&sim, "");
    config.keys.clear();
    config
        .keys
        .insert("northwind".into(), Secret::new(flowyte_simulator::DEV_KEY));
    config.dev_http = true;
    config.public_origins = vec![gateway.clone()];
    let mut oidc = ProviderConfig::new(&provider.issuer, CLIENT_ID, Secret::new(CLIENT_SECRET));
    oidc.scopes.push("groups".to_owned());
    config.provider = Some(oidc);
    config.policy = Policy {
        rules: vec![
            rule(Match::Email("ana@northwind.example".into()), Role::Approver),
            rule(Match::EmailDomain("northwind.example".into()), Role::Viewer),
        ],
    };
    config.audit = AuditTarget::File(audit.clone());
    configure(&mut config);
    let state = AppState::new(config).unwrap();
    let metrics = std::sync::Arc::clone(&state.metrics);
    common::serve_gateway_on(listener, state).await;
    World {
        provider,
        gateway,
        sim,
        audit,
        metrics,
        _dir: dir,
    }
}

impl World {
    /// Signs `login` in and returns the browser, holding the session, and its CSRF token.
    async fn signed_in(&self, login: &str) -> (Browser, String) {
        let browser = Browser::default();
        let callback = browser
            .sign_in_until_callback(&self.gateway, login, "/")
            .await;
        let done = browser.visit(&callback).await;
        assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());
        let csrf = self.session(&browser).await["csrfToken"]
            .as_str()
            .unwrap()
            .to_owned();
        (browser, csrf)
    }

    async fn session(&self, browser: &Browser) -> Value {
        let answer = browser
            .client
            .get(format!("{}/session", self.gateway))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.headers()["cache-control"], "no-store");
        answer.json().await.unwrap()
    }

    /// Whether `browser` is signed in (`GET /session`: 200 either way).
    async fn is_signed_in(&self, browser: &Browser) -> bool {
        let answer = browser
            .client
            .get(format!("{}/session", self.gateway))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.headers()["cache-control"], "no-store");
        let body: Value = answer.json().await.unwrap();
        if body["signedIn"] == false {
            // Signed out, it says how to sign in: this gateway has a provider.
            assert_eq!(body["login"], "/login", "{body}");
            assert_eq!(body["devSignIn"], false, "{body}");
        }
        body["signedIn"] == true
    }

    async fn ask(&self, browser: &Browser, csrf: &str, body: Value) -> reqwest::Response {
        browser
            .client
            .post(format!("{}/api/v1/assist", self.gateway))
            .header(CSRF_HEADER, csrf)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// The assist requests the simulator received.
    async fn upstream_requests(&self) -> Vec<Value> {
        let log: Vec<Value> = reqwest::get(format!("{}/__sim/requests", self.sim))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        log.into_iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with("/assist")))
            .collect()
    }

    fn audit_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.audit)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("each audit line is JSON"))
            .collect()
    }
}

/// Asserts a refusal: its status and problem code, and that no session cookie came with it;
/// the sign-in routes' answers are never stored.
async fn assert_refused(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status);
    if !response.url().path().starts_with("/api/") {
        assert_eq!(response.headers()["cache-control"], "no-store");
    }
    assert!(
        !response.headers().get_all("set-cookie").iter().any(|c| c
            .to_str()
            .unwrap()
            .starts_with("flowyte_session=")
            && !c.to_str().unwrap().contains("Max-Age=0")),
        "a refusal starts no session"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
}

#[tokio::test]
async fn an_approver_signs_in_on_the_providers_form_and_the_audit_names_her() {
    let world = world(|_| {}).await;
    let browser = Browser::default();
    // A session cookie the browser brought along is never reused (no fixation).
    let planted = "a".repeat(64);
    let callback = browser
        .sign_in_until_callback(&world.gateway, "ana", "/agents/agt_0001?tab=skills")
        .await;
    browser.jar.add_cookie_str(
        &format!("flowyte_session={planted}; Path=/"),
        &world.gateway.parse().unwrap(),
    );
    let done = browser.visit(&callback).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/agents/agt_0001?tab=skills");
    assert_eq!(done.headers()["cache-control"], "no-store");
    let cookies: Vec<&str> = done
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap())
        .collect();
    let session_cookie = cookies
        .iter()
        .find(|c| c.starts_with("flowyte_session="))
        .expect("a session cookie");
    assert!(!session_cookie.contains(&planted));
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Strict"));

    assert!(
        world
            .metrics
            .encode()
            .contains("flowyte_gateway_sign_ins_total 1")
    );
    let session = world.session(&browser).await;
    assert_eq!(session["user"]["sub"], "ana");
    assert_eq!(session["user"]["name"], "Ana Approver");
    assert_eq!(session["user"]["email"], "ana@northwind.example");
    assert_eq!(session["role"], "approver");
    assert!(session["expiresAt"].as_u64().unwrap() > 0);
    let csrf = session["csrfToken"].as_str().unwrap();

    let reply = world
        .ask(&browser, csrf, json!({"message": "list my agents"}))
        .await;
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.headers()["x-content-type-options"], "nosniff");
    let stream = reply.text().await.unwrap();
    assert!(stream.contains("event:done"));
    let thread = stream
        .split("\"threadId\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the reply names its thread")
        .to_owned();
    let read = browser
        .client
        .get(format!("{}/api/v1/assist/threads/{thread}", world.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    read.text().await.unwrap();

    let lines = world.audit_lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let line = &lines[0];
    assert_eq!(line["sub"], "ana");
    assert_eq!(line["email"], "ana@northwind.example");
    assert_eq!(line["role"], "approver");
    assert_eq!(line["key"], "northwind");
    assert_eq!(line["route"], "POST /api/v1/assist");
    assert_eq!(line["status"], 200);
    assert_eq!(line["outcome"], "completed");
    assert_eq!(line["forwarded"], true);
    assert_eq!(line["messageChars"], 14);
    assert_eq!(line["session"].as_str().unwrap().len(), 16);
    assert_eq!(lines[1]["route"], "GET /api/v1/assist/threads/{id}");
    assert_eq!(lines[1]["threadId"], thread.as_str());
    let text = std::fs::read_to_string(&world.audit).unwrap();
    for secret in [
        flowyte_simulator::DEV_KEY,
        csrf,
        "list my agents",
        CLIENT_SECRET,
    ] {
        assert!(!text.contains(secret), "the audit holds {secret}");
    }
}

#[tokio::test]
async fn someone_no_rule_names_gets_403_and_no_session() {
    let world = world(|_| {}).await;
    let browser = Browser::default();
    let callback = browser
        .sign_in_until_callback(&world.gateway, "sam", "/")
        .await;
    assert_refused(browser.visit(&callback).await, 403, "not_authorized").await;
    assert!(!world.is_signed_in(&browser).await);
    let metrics = world.metrics.encode();
    assert!(
        metrics.contains("flowyte_gateway_sign_in_refusals_total{reason=\"not_authorized\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("flowyte_gateway_sign_ins_total 0"),
        "{metrics}"
    );
    // A browser navigating there reads the same refusal as a page.
    let page = browser
        .client
        .get(format!("{}/callback?state=x&code=y", world.gateway))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 400);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("Sign in again"));
}

#[tokio::test]
async fn a_viewer_may_ask_but_a_confirmation_is_403_and_never_reaches_the_upstream() {
    let world = world(|_| {}).await;
    let (browser, csrf) = world.signed_in("vic").await;
    assert_eq!(world.session(&browser).await["role"], "viewer");
    let asked = world
        .ask(&browser, &csrf, json!({"message": "list my agents"}))
        .await;
    assert_eq!(asked.status(), 200);
    asked.text().await.unwrap();
    let confirm = world
        .ask(
            &browser,
            &csrf,
            json!({
                "message": "release the number ending 4421",
                "confirmed": [{"name": "releaseNumber", "method": "DELETE", "path": "/api/v1/numbers/num_0001"}]
            }),
        )
        .await;
    assert_refused(confirm, 403, "approval_not_allowed").await;
    let upstream = world.upstream_requests().await;
    assert_eq!(
        upstream.len(),
        1,
        "only the question went upstream: {upstream:?}"
    );
    assert!(upstream[0]["body"].get("confirmed").is_none());
    let lines = world.audit_lines();
    let refused = lines.last().unwrap();
    assert_eq!(refused["refused"], "approval_not_allowed");
    assert_eq!(refused["forwarded"], false);
    assert_eq!(refused["confirmedItems"][0]["name"], "releaseNumber");
    assert_eq!(refused["sub"], "vic");
}

#[tokio::test]
async fn a_state_works_once_only_in_the_browser_that_started_it() {
    let world = world(|_| {}).await;
    let browser = Browser::default();
    let callback = browser
        .sign_in_until_callback(&world.gateway, "ana", "/")
        .await;

    // Another browser (an attacker planting their sign-in in a victim's) finishes nothing.
    let other = Browser::default();
    assert_refused(other.visit(&callback).await, 400, "login_state_invalid").await;
    // That consumed the state: the right browser cannot use it after the attempt either.
    assert_refused(browser.visit(&callback).await, 400, "login_state_invalid").await;

    // Missing and unknown states.
    let missing = callback.split("state=").next().unwrap().to_owned();
    assert_refused(browser.visit(&missing).await, 400, "login_state_invalid").await;
    let unknown = format!("{}/callback?code=abc&state=not-a-state", world.gateway);
    assert_refused(browser.visit(&unknown).await, 400, "login_state_invalid").await;
    assert!(!world.is_signed_in(&browser).await);
}

#[tokio::test]
async fn a_replayed_code_is_refused_by_the_provider() {
    let world = world(|_| {}).await;
    let browser = Browser::default();
    let first = browser
        .sign_in_until_callback(&world.gateway, "ana", "/")
        .await;
    assert_eq!(browser.visit(&first).await.status(), 303);
    let code = first
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    // A fresh sign-in's state with the first sign-in's code: the gateway asks the provider,
    // which refuses a code used once.
    let second = browser
        .sign_in_until_callback(&world.gateway, "ana", "/")
        .await;
    let new_state = second
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let replay = format!("{}/callback?code={code}&state={new_state}", world.gateway);
    assert_refused(browser.visit(&replay).await, 400, "sign_in_failed").await;
}

#[tokio::test]
async fn an_answer_from_another_issuer_is_refused() {
    let world = world(|_| {}).await;
    let browser = Browser::default();
    let callback = browser
        .sign_in_until_callback(&world.gateway, "ana", "/")
        .await;
    let mixed_up = callback.replace("iss=", "iss=http%3A%2F%2Fevil.example&was=");
    assert_refused(browser.visit(&mixed_up).await, 400, "issuer_mismatch").await;
}

/// Signs ana in with the next ID token tampered as given; the callback's answer.
async fn sign_in_with_tampered_token(
    world: &World,
    claims: Value,
    remove: &[&str],
    key: &str,
) -> reqwest::Response {
    let browser = Browser::default();
    let callback = browser
        .sign_in_until_callback(&world.gateway, "ana", "/")
        .await;
    world
        .provider
        .tamper_next_id_token(claims, remove, key)
        .await;
    browser.visit(&callback).await
}

#[tokio::test]
async fn id_tokens_that_must_not_be_believed_are_refused() {
    let world = world(|_| {}).await;
    let now = chrono::Utc::now().timestamp();
    let cases = [
        (
            "a nonce mismatch",
            json!({"nonce": "not-the-one-sent"}),
            vec![],
        ),
        ("no nonce", json!({}), vec!["nonce"]),
        ("another audience", json!({"aud": "someone-else"}), vec![]),
        (
            "an extra untrusted audience",
            json!({"aud": [CLIENT_ID, "someone-else"]}),
            vec![],
        ),
        (
            "another issuer",
            json!({"iss": "http://127.0.0.1:1/other"}),
            vec![],
        ),
        (
            "expired beyond the skew",
            json!({"exp": now - 600, "iat": now - 1200}),
            vec![],
        ),
        ("issued in the future", json!({"iat": now + 3600}), vec![]),
    ];
    for (what, claims, remove) in cases {
        let answer = sign_in_with_tampered_token(&world, claims, &remove, "current").await;
        assert_eq!(answer.status(), 401, "{what}");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["code"], "id_token_invalid", "{what}");
    }
    // Expired by less than the clock skew (60 s) is still accepted: clocks differ a little.
    let answer =
        sign_in_with_tampered_token(&world, json!({"exp": now - 20}), &[], "current").await;
    assert_eq!(answer.status(), 303, "within the skew");
}

#[tokio::test]
async fn a_token_signed_by_a_key_the_provider_never_published_is_refused() {
    let world = world(|_| {}).await;
    let answer = sign_in_with_tampered_token(&world, json!({}), &[], "unknown").await;
    assert_refused(answer, 401, "id_token_invalid").await;
}

#[tokio::test]
async fn a_new_key_is_fetched_when_a_token_names_it() {
    let world = world(|_| {}).await;
    // The gateway has the provider's keys from its first sign-in…
    world.signed_in("ana").await;
    // …then the provider rotates and signs with a key the gateway has not seen.
    world.provider.rotate_keys().await;
    tokio::time::sleep(flowyte_gateway::oidc::REFETCH_EVERY).await;
    let answer = sign_in_with_tampered_token(&world, json!({}), &[], "rotated").await;
    assert_eq!(answer.status(), 303, "{}", answer.text().await.unwrap());
}

#[tokio::test]
async fn return_to_another_origin_goes_home() {
    let world = world(|_| {}).await;
    for target in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let browser = Browser::default();
        let callback = browser
            .sign_in_until_callback(&world.gateway, "ana", target)
            .await;
        let done = browser.visit(&callback).await;
        assert_eq!(done.status(), 303);
        assert_eq!(done.headers()["location"], "/", "{target}");
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_sends_the_browser_to_the_provider() {
    let world = world(|_| {}).await;
    let (browser, csrf) = world.signed_in("ana").await;
    let logout = format!("{}/logout", world.gateway);
    let refused = browser.client.post(&logout).send().await.unwrap();
    assert_refused(refused, 403, "csrf_token_invalid").await;
    assert!(world.is_signed_in(&browser).await);

    let out = browser
        .client
        .post(&logout)
        .header(CSRF_HEADER, &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    assert_eq!(out.headers()["cache-control"], "no-store");
    let redirect = out.json::<Value>().await.unwrap()["redirect"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        redirect.starts_with(&format!("{}/session/end?", world.provider.issuer)),
        "{redirect}"
    );
    assert!(redirect.contains("id_token_hint="), "{redirect}");
    assert!(redirect.contains("post_logout_redirect_uri="), "{redirect}");
    assert!(!world.is_signed_in(&browser).await);
    // The provider accepts it: its confirmation page, not an error.
    let page = browser.client.get(&redirect).send().await.unwrap();
    assert_eq!(page.status(), 200, "{}", page.text().await.unwrap());
}

#[tokio::test]
async fn back_channel_logout_from_the_provider_ends_the_session_and_cuts_its_reply() {
    let world = world(|_| {}).await;
    let (browser, csrf) = world.signed_in("ana").await;
    // A reply that will not end by itself: the simulator stalls it after its first frame.
    reqwest::Client::new()
        .post(format!("{}/__sim/faults", world.sim))
        .json(&json!({"kind": "stall", "betweenMs": 60_000}))
        .send()
        .await
        .unwrap();
    let mut reply = world
        .ask(&browser, &csrf, json!({"message": "list my agents"}))
        .await;
    assert_eq!(reply.status(), 200);
    assert!(reply.chunk().await.unwrap().is_some());

    // The person signs out at the provider (from another application, say): the provider
    // calls the gateway's back channel.
    browser.sign_out_at_provider(&world.provider).await;
    let rest = tokio::time::timeout(Duration::from_secs(5), async {
        let mut rest = Vec::new();
        while let Ok(Some(chunk)) = reply.chunk().await {
            rest.extend_from_slice(&chunk);
        }
        rest
    })
    .await
    .expect("the held reply was cut");
    assert!(!String::from_utf8_lossy(&rest).contains("event:done"));
    assert!(!world.is_signed_in(&browser).await);
    let log = world.provider.backchannel_log().await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["ok"], true, "{log:?}");
    // The audit says how the reply ended.
    let line = world.audit_lines().pop().unwrap();
    assert_eq!(line["outcome"], "session_ended", "{line}");
}

#[tokio::test]
async fn logout_tokens_that_must_not_be_believed_are_refused() {
    let world = world(|_| {}).await;
    let (browser, _) = world.signed_in("ana").await;
    let post = |token: String| {
        let url = format!("{}/backchannel-logout", world.gateway);
        async move {
            reqwest::Client::new()
                .post(url)
                .form(&[("logout_token", token)])
                .send()
                .await
                .unwrap()
        }
    };
    let p = &world.provider;
    let now = chrono::Utc::now().timestamp();
    let cases = [
        (
            "signed by an unknown key",
            p.logout_token(Some("ana"), None, json!({}), &[], "unknown")
                .await,
        ),
        (
            "for another audience",
            p.logout_token(
                Some("ana"),
                None,
                json!({"aud": "someone-else"}),
                &[],
                "current",
            )
            .await,
        ),
        (
            "from another issuer",
            p.logout_token(
                Some("ana"),
                None,
                json!({"iss": "http://127.0.0.1:1"}),
                &[],
                "current",
            )
            .await,
        ),
        (
            "carrying a nonce",
            p.logout_token(Some("ana"), None, json!({"nonce": "n"}), &[], "current")
                .await,
        ),
        (
            "naming nobody",
            p.logout_token(None, None, json!({}), &[], "current").await,
        ),
        (
            "without the logout event",
            p.logout_token(Some("ana"), None, json!({}), &["events"], "current")
                .await,
        ),
        (
            "issued long ago",
            p.logout_token(
                Some("ana"),
                None,
                json!({"iat": now - 3600, "exp": now + 60}),
                &[],
                "current",
            )
            .await,
        ),
        (
            "expired",
            p.logout_token(Some("ana"), None, json!({"exp": now - 600}), &[], "current")
                .await,
        ),
        ("not a JWT", "not.a.token".to_owned()),
    ];
    for (what, token) in cases {
        let answer = post(token).await;
        assert_eq!(answer.status(), 400, "{what}");
        assert!(
            world.is_signed_in(&browser).await,
            "{what} ended the session"
        );
    }
    // A good one works once; its replay is refused.
    let good = p
        .logout_token(Some("ana"), None, json!({}), &[], "current")
        .await;
    assert_eq!(post(good.clone()).await.status(), 200);
    assert!(!world.is_signed_in(&browser).await);
    assert_eq!(post(good).await.status(), 400, "a replayed logout token");
}

#[tokio::test]
async fn a_person_holds_a_bounded_number_of_sessions_and_loses_the_oldest() {
    let world = world(|c| c.sessions_per_person = 2).await;
    let (first, _) = world.signed_in("ana").await;
    let (second, _) = world.signed_in("ana").await;
    let (vic, _) = world.signed_in("vic").await;
    let (third, _) = world.signed_in("ana").await;
    assert!(!world.is_signed_in(&first).await, "the oldest ended");
    for browser in [&second, &third, &vic] {
        assert!(world.is_signed_in(browser).await);
    }
}

#[tokio::test]
async fn development_sign_in_exists_only_when_asked_for() {
    let world = world(|_| {}).await;
    let answer = reqwest::Client::new()
        .post(format!("{}/session", world.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    assert!(answer.headers().get("set-cookie").is_none());
    // Neither a provider nor the flag: the gateway refuses to start, and says why.
    let mut config = Config::new("http://127.0.0.1:9", flowyte_simulator::DEV_KEY);
    config.dev_http = true;
    let error = AppState::new(config).err().expect("refuses to start");
    assert!(error.to_string().contains("--dev-sign-in"), "{error}");
}
