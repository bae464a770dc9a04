//! The log output of a whole flow, at TRACE, never holds the secret key: whatever logs it, the
//! redacting writer replaces it.

use std::io::Write;
use std::sync::{Arc, Mutex};

use flowyte_gateway::logging::Redacting;
use flowyte_gateway::session::CSRF_HEADER;
use serde_json::json;

mod common;

const KEY: &str = "flowyte_sk_test_logs_key_abcdef";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn no_log_line_holds_the_key() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(Redacting::new(
            move || sink.clone(),
            flowyte_gateway::logging::Redactor::default(),
        ))
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // A flow that logs: the configuration, a forwarded call, and an unreachable upstream.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let config = common::dev_config(format!("http://{closed}"), KEY);
    tracing::info!(?config, "starting");
    // Even a careless line that prints the key itself is redacted.
    tracing::debug!("upstream key is {KEY}");
    let url = common::serve_gateway(flowyte_gateway::AppState::new(config).unwrap()).await;

    let client = common::browser();
    let session = common::sign_in(&client, &url).await;
    let response = client
        .post(format!("{url}/api/v1/assist"))
        .header(CSRF_HEADER, &session.csrf)
        .json(&json!({"message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("upstream request failed"),
        "the flow was logged:\n{logs}"
    );
    assert!(logs.contains("flowyte_sk_[redacted]"), "{logs}");
    assert!(
        !logs.contains(KEY) && !logs.contains("test_logs_key"),
        "{logs}"
    );
}
