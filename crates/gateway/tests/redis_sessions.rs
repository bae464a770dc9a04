//! Sessions in Redis: two gateways behind a (pretend) load balancer share them, with no sticky
//! sessions. Uses `REDIS_URL` when set, else starts Debian's `redis-server` on a free loopback
//! port (scripts/test installs it).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use flowyte_gateway::session::CSRF_HEADER;
use serde_json::{Value, json};

mod common;
use common::{serve, serve_gateway};

struct Redis {
    url: String,
    _server: Option<KillOnDrop>,
}

struct KillOnDrop(Child);
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn redis() -> Redis {
    if let Ok(url) = std::env::var("REDIS_URL") {
        return Redis { url, _server: None };
    }
    let port = common::free_port().await;
    let server = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server is installed (scripts/test installs it), or REDIS_URL is set");
    let server = KillOnDrop(server);
    common::wait_for_port(port).await;
    Redis {
        url: format!("redis://127.0.0.1:{port}"),
        _server: Some(server),
    }
}

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
    let redis = redis().await;
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
    assert_eq!(on_a.status(), 401, "ended on B means ended on A");
}

#[tokio::test]
async fn idle_sessions_expire_in_redis_too() {
    let redis = redis().await;
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
    assert_eq!(gone.status(), 401);
}
