//! Sessions in Redis: two gateways behind a (pretend) load balancer share them, with no sticky
//! sessions. Uses `REDIS_URL` when set, else starts Debian's `redis-server` on a free loopback
//! port (scripts/test installs it).

use std::time::Duration;

use flowyte_gateway::session::CSRF_HEADER;
use serde_json::{Value, json};

mod common;
use common::{serve, serve_gateway};

async fn gateway(redis: &str, upstream: &str, idle: Duration) -> String {
    let mut config = common::dev_config(upstream, flowyte_simulator::DEV_KEY);
    config.session_idle = idle;
    let state = flowyte_gateway::AppState::with_redis(config, redis)
        .await
        .unwrap();
    serve_gateway(state).await
}

/// Sends a request to `base` carrying `cookie` (as a load balancer would send it anywhere).
fn with_cookie(request: reqwest::RequestBuilder, cookie: &str) -> reqwest::RequestBuilder {
    request.header("cookie", cookie)
}

#[tokio::test]
async fn a_session_started_on_one_gateway_works_on_another_and_ends_everywhere() {
    let redis = common::redis().await;
    let sim = flowyte_simulator::AppState::new(flowyte_simulator::Config {
        pace: Duration::ZERO,
        ..Default::default()
    });
    let upstream = serve(flowyte_simulator::app(sim)).await;
    let a = gateway(&redis.url, &upstream, Duration::from_secs(60)).await;
    let b = gateway(&redis.url, &upstream, Duration::from_secs(60)).await;
    let client = reqwest::Client::new();

    let common::Signed { cookie, csrf } = common::sign_in(&client, &a).await;

    let on_b: Value = with_cookie(client.get(format!("{b}/session")), &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(on_b["csrfToken"], csrf.as_str());
    let reply = with_cookie(client.post(format!("{b}/api/v1/assist")), &cookie)
        .header(CSRF_HEADER, &csrf)
        .json(&json!({"message": "list my agents"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert!(reply.text().await.unwrap().contains("event:done"));

    let ended = with_cookie(client.delete(format!("{b}/session")), &cookie)
        .header(CSRF_HEADER, &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    let on_a = with_cookie(client.get(format!("{a}/session")), &cookie)
        .send()
        .await
        .unwrap();
    let on_a: Value = on_a.json().await.unwrap();
    assert_eq!(on_a["signedIn"], false, "ended on B means ended on A");
}

#[tokio::test]
async fn idle_sessions_expire_in_redis_too() {
    let redis = common::redis().await;
    let gw = gateway(&redis.url, "http://127.0.0.1:9", Duration::from_millis(300)).await;
    let client = reqwest::Client::new();
    let cookie = common::sign_in(&client, &gw).await.cookie;
    // Used within the idle window, it lives on past the first window…
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let alive = with_cookie(client.get(format!("{gw}/session")), &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(alive.status(), 200);
    }
    // …and left alone longer than it, it is gone.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let gone = with_cookie(client.get(format!("{gw}/session")), &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.json::<Value>().await.unwrap()["signedIn"], false);
}

async fn gateway_with(
    redis: &str,
    upstream: &str,
    configure: impl FnOnce(&mut flowyte_gateway::Config),
) -> String {
    let mut config = common::dev_config(upstream, flowyte_simulator::DEV_KEY);
    configure(&mut config);
    let state = flowyte_gateway::AppState::with_redis(config, redis)
        .await
        .unwrap();
    serve_gateway(state).await
}

/// The simulator behind the gateways, with no pause between frames.
async fn simulator() -> String {
    let sim = flowyte_simulator::AppState::new(flowyte_simulator::Config {
        pace: Duration::ZERO,
        ..Default::default()
    });
    serve(flowyte_simulator::app(sim)).await
}

/// The simulator's next reply stalls after its first frame for a minute.
async fn stall_next_reply(sim: &str) {
    reqwest::Client::new()
        .post(format!("{sim}/__sim/faults"))
        .json(&json!({"kind": "stall", "betweenMs": 60_000}))
        .send()
        .await
        .unwrap();
}

fn ask(base: &str, session: &common::Signed) -> reqwest::RequestBuilder {
    with_cookie(
        reqwest::Client::new().post(format!("{base}/api/v1/assist")),
        &session.cookie,
    )
    .header(CSRF_HEADER, &session.csrf)
    .json(&json!({"message": "list my agents"}))
}

#[tokio::test]
async fn two_gateways_on_one_redis_spend_one_budget_per_person() {
    let redis = common::redis().await;
    let sim = simulator().await;
    let limits = |c: &mut flowyte_gateway::Config| {
        c.limits = flowyte_gateway::limits::LimitConfig {
            burst: 4,
            per_minute: 1,
            max_streams: 10,
        }
    };
    let a = gateway_with(&redis.url, &sim, limits).await;
    let b = gateway_with(&redis.url, &sim, limits).await;
    let client = reqwest::Client::new();
    // The same person, a session on each gateway.
    let on_a = common::sign_in(&client, &a).await;
    let on_b = common::sign_in(&client, &b).await;
    let (mut passed, mut refused) = (0, 0);
    for round in 0..8 {
        let (base, session) = if round % 2 == 0 {
            (&a, &on_a)
        } else {
            (&b, &on_b)
        };
        let answer = ask(base, session).send().await.unwrap();
        match answer.status().as_u16() {
            200 => {
                answer.text().await.unwrap();
                passed += 1;
            }
            429 => {
                assert!(answer.headers().contains_key("retry-after"));
                let problem: Value = answer.json().await.unwrap();
                assert_eq!(problem["code"], "rate_limited");
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    // Each gateway alone would have let 4 through: 8 in all.
    assert_eq!((passed, refused), (4, 4));
}

#[tokio::test]
async fn the_stream_cap_holds_across_gateways_and_frees_when_a_reply_ends() {
    let redis = common::redis().await;
    let sim = simulator().await;
    let one_stream = |c: &mut flowyte_gateway::Config| c.limits.max_streams = 1;
    let a = gateway_with(&redis.url, &sim, one_stream).await;
    let b = gateway_with(&redis.url, &sim, one_stream).await;
    let client = reqwest::Client::new();
    let on_a = common::sign_in(&client, &a).await;
    let on_b = common::sign_in(&client, &b).await;
    stall_next_reply(&sim).await;
    let mut held = ask(&a, &on_a).send().await.unwrap();
    assert!(held.chunk().await.unwrap().is_some());
    let second = ask(&b, &on_b).send().await.unwrap();
    assert_eq!(second.status(), 429);
    let problem: Value = second.json().await.unwrap();
    assert_eq!(problem["code"], "too_many_streams");
    drop(held);
    let mut freed = false;
    for _ in 0..100 {
        let again = ask(&b, &on_b).send().await.unwrap();
        if again.status() == 200 {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(freed, "the slot was never released");
}

#[tokio::test]
async fn ending_a_session_on_one_gateway_cuts_its_reply_on_another() {
    let redis = common::redis().await;
    let sim = simulator().await;
    let a = gateway(&redis.url, &sim, Duration::from_secs(60)).await;
    let b = gateway(&redis.url, &sim, Duration::from_secs(60)).await;
    let client = reqwest::Client::new();
    let session = common::sign_in(&client, &a).await;
    stall_next_reply(&sim).await;
    let mut held = ask(&b, &session).send().await.unwrap();
    assert!(held.chunk().await.unwrap().is_some());
    // Give B's subscription a moment to be in place before A publishes.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ended = with_cookie(client.delete(format!("{a}/session")), &session.cookie)
        .header(CSRF_HEADER, &session.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    let rest = tokio::time::timeout(Duration::from_secs(5), async {
        let mut rest = Vec::new();
        while let Ok(Some(chunk)) = held.chunk().await {
            rest.extend_from_slice(&chunk);
        }
        rest
    })
    .await
    .expect("the reply on the other gateway was cut");
    assert!(!String::from_utf8_lossy(&rest).contains("event:done"));
}

#[tokio::test]
async fn in_redis_a_person_keeps_a_bounded_number_of_sessions_and_logouts_find_theirs() {
    use flowyte_gateway::policy::{Grant, Person, Role};
    use flowyte_gateway::store::SessionStore;
    let redis = common::redis().await;
    let manager =
        redis::aio::ConnectionManager::new(redis::Client::open(redis.url.as_str()).unwrap())
            .await
            .unwrap();
    let store = SessionStore::redis(
        manager,
        Duration::from_secs(60),
        Duration::from_secs(600),
        2,
    );
    let person = |sub: &str| Person {
        issuer: "https://login.example".into(),
        sub: sub.into(),
        ..Person::default()
    };
    let grant = Grant {
        key: "default".into(),
        role: Role::Approver,
    };
    let start = |sub: &'static str, sid: &'static str| {
        let (store, grant) = (&store, grant.clone());
        async move {
            store
                .create(person(sub), grant, Some(sid.into()), None)
                .await
                .unwrap()
        }
    };
    let (first, _) = start("ana", "sid-1").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let (second, _) = start("ana", "sid-2").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let (third, ended) = start("ana", "sid-2").await;
    assert_eq!(
        ended.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        [first.id.as_str()]
    );
    assert!(store.get(&first.id).await.unwrap().is_none());
    let (vic, _) = start("vic", "sid-9").await;

    // The provider session sid-2 holds two of ana's sessions: both end, nobody else's.
    let ended = store
        .remove_provider_session("https://login.example", "sid-2")
        .await
        .unwrap();
    let mut ids: Vec<&str> = ended.iter().map(|s| s.id.as_str()).collect();
    ids.sort();
    let mut expected = [second.id.as_str(), third.id.as_str()];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(store.get(&second.id).await.unwrap().is_none());
    assert!(store.get(&vic.id).await.unwrap().is_some());
    // Every session of a person, by sub.
    let ended = store.remove_person(&person("vic")).await.unwrap();
    assert_eq!(ended.len(), 1);
    assert!(store.get(&vic.id).await.unwrap().is_none());
}
