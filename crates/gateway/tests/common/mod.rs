//! Helpers shared by the gateway's integration tests.
#![allow(dead_code)] // each test file uses its own subset

pub mod provider;

use std::time::Duration;

/// A gateway for plain-HTTP development in front of `upstream` with one key: development
/// sign-in as an approver, so `POST /session` starts a session.
pub fn dev_config(upstream: impl Into<String>, key: &str) -> flowyte_gateway::Config {
    let mut config = flowyte_gateway::Config::new(upstream, key);
    config.dev_http = true;
    config.dev_sign_in = Some(flowyte_gateway::config::DevSignIn {
        key: flowyte_gateway::config::DEFAULT_KEY.to_owned(),
        role: flowyte_gateway::policy::Role::Approver,
    });
    config
}

/// Serves `router` on a free loopback port and returns its base URL.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// Serves a gateway the way its binary does (`server::serve`) and returns its base URL.
pub async fn serve_gateway(state: flowyte_gateway::AppState) -> String {
    serve_gateway_until(state, std::future::pending(), Duration::ZERO)
        .await
        .0
}

/// [`serve_gateway`] until `shutdown` resolves, with `grace` for open replies; also the
/// server's task, which ends when serving has.
pub async fn serve_gateway_until(
    state: flowyte_gateway::AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> (String, tokio::task::JoinHandle<()>) {
    let (listener, url) = listener().await;
    let server = tokio::spawn(flowyte_gateway::server::serve(
        listener,
        flowyte_gateway::app(state),
        shutdown,
        grace,
    ));
    (url, server)
}

/// A loopback listener and its origin, for a gateway whose configuration must name its own
/// address (its public origin, its redirect URI).
pub async fn listener() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// Serves a gateway on `listener` (from [`listener`]) the way its binary does.
pub async fn serve_gateway_on(listener: tokio::net::TcpListener, state: flowyte_gateway::AppState) {
    tokio::spawn(flowyte_gateway::server::serve(
        listener,
        flowyte_gateway::app(state),
        std::future::pending(),
        Duration::ZERO,
    ));
}

/// The URL of a loopback port nothing listens on (bound, then released): an upstream that
/// cannot be reached.
pub async fn unreachable_url() -> String {
    format!("http://127.0.0.1:{}", free_port().await)
}

/// A free loopback port (bound, then released).
pub async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// Waits until something accepts connections on `port` (at most 2 s).
pub async fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("nothing listens on 127.0.0.1:{port}");
}

/// A session started with `POST /session`: the cookie pair to send back and the CSRF token.
pub struct Signed {
    pub cookie: String,
    pub csrf: String,
}

/// Starts a session at `base`, checking the cookie's attributes.
pub async fn sign_in(client: &reqwest::Client, base: &str) -> Signed {
    let response = client.post(format!("{base}/session")).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(
            set_cookie.contains(attribute),
            "{set_cookie} lacks {attribute}"
        );
    }
    let body: serde_json::Value = response.json().await.unwrap();
    Signed {
        cookie: set_cookie.split(';').next().unwrap().to_owned(),
        csrf: body["csrfToken"].as_str().unwrap().to_owned(),
    }
}

/// A client that keeps cookies, like a browser.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

pub struct Redis {
    pub url: String,
    _server: Option<KillOnDrop>,
}

pub struct KillOnDrop(std::process::Child);
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A Redis for the test: `REDIS_URL` when set, else Debian's `redis-server` started on a free
/// loopback port (scripts/test installs it), stopped when dropped.
pub async fn redis() -> Redis {
    if let Ok(url) = std::env::var("REDIS_URL") {
        return Redis { url, _server: None };
    }
    let port = free_port().await;
    let server = std::process::Command::new("redis-server")
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
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("redis-server is installed (scripts/test installs it), or REDIS_URL is set");
    let server = KillOnDrop(server);
    wait_for_port(port).await;
    Redis {
        url: format!("redis://127.0.0.1:{port}"),
        _server: Some(server),
    }
}
