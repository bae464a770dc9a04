//! The log output of a whole flow, at TRACE, never holds the secret key: whatever logs it, the
//! redacting writer replaces it, by its value (whatever its shape) and by the Flowyte shape.

use std::io::Write;
use std::sync::{Arc, Mutex};

use flowyte_gateway::logging::{Redacting, Redactor};
use flowyte_gateway::session::CSRF_HEADER;
use serde_json::json;

mod common;

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

/// The log of a flow (configuration, a session, a call to an unreachable upstream) with a
/// gateway holding `key`, written through the redactor the binary builds from its config.
async fn logs_of_a_flow(key: &str) -> String {
    // A flow that logs: the configuration, a forwarded call, and an unreachable upstream.
    let closed = common::unreachable_url().await;
    let config = common::dev_config(closed, key);
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(Redacting::new(
            move || sink.clone(),
            Redactor::new(config.secrets()),
        ))
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::info!(?config, "starting");
    // Even a careless line that prints the key itself is redacted.
    tracing::debug!("upstream key is {key}");
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
    logs
}

#[tokio::test(flavor = "current_thread")]
async fn no_log_line_holds_the_key() {
    let logs = logs_of_a_flow("flowyte_sk_test_logs_key_abcdef").await;
    assert!(logs.contains("[redacted]"), "{logs}");
    assert!(!logs.contains("test_logs_key"), "{logs}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_key_of_any_shape_is_redacted_by_its_value() {
    let key = "sk-not-flowyte-shaped-0123456789";
    let logs = logs_of_a_flow(key).await;
    assert!(logs.contains("upstream key is [redacted]"), "{logs}");
    assert!(
        !logs.contains(key) && !logs.contains("flowyte-shaped"),
        "{logs}"
    );
}
