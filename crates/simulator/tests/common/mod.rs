//! Helpers shared by the simulator's integration tests: a simulator on a loopback port and a
//! client that reads its streams the way the panel does.
#![allow(dead_code)] // each test file uses its own subset

use std::time::{Duration, Instant};

use assist_protocol::sse::{Decoder, End};
use assist_protocol::{AssistResult, PendingConfirmation, StreamEvent};
use flowyte_simulator::{AppState, Config, DEV_KEY};
use futures_util::StreamExt;
use serde_json::{Value, json};

pub struct Sim {
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
}

/// A simulator with no pause between frames.
pub async fn start() -> Sim {
    start_with(Config {
        pace: Duration::ZERO,
        ..Config::default()
    })
    .await
}

pub async fn start_with(config: Config) -> Sim {
    let state = AppState::new(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = flowyte_simulator::app(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Sim {
        base: format!("http://{addr}"),
        state,
        client: reqwest::Client::new(),
    }
}

/// What a stream carried.
#[derive(Debug, Default)]
pub struct Streamed {
    pub status: u16,
    pub content_type: String,
    pub events: Vec<StreamEvent>,
    /// Event types in order (`tool_call` and `progress` kept apart).
    pub types: Vec<String>,
    /// Events whose data was not what their type needs.
    pub bad_frames: usize,
    pub raw: Vec<u8>,
    /// Body reads (TCP reads the client saw).
    pub chunks: usize,
    /// The body failed mid-way (connection dropped).
    pub cut: bool,
    pub end: Option<End>,
    /// When each event arrived, from the request.
    pub arrivals: Vec<Duration>,
    pub first_byte: Option<Duration>,
}

impl Streamed {
    pub fn result(&self) -> Option<&AssistResult> {
        self.events.iter().rev().find_map(|e| match e {
            StreamEvent::Done(Some(r)) => Some(r),
            _ => None,
        })
    }

    /// The done result; panics with the stream when there is none.
    pub fn done(&self) -> &AssistResult {
        self.result()
            .unwrap_or_else(|| panic!("no done in {:?}", String::from_utf8_lossy(&self.raw)))
    }

    pub fn deltas(&self) -> String {
        self.events
            .iter()
            .filter_map(|e| match e {
                StreamEvent::Delta(d) => Some(d.text.as_str()),
                _ => None,
            })
            .collect()
    }

    pub fn count(&self, event_type: &str) -> usize {
        self.types.iter().filter(|t| *t == event_type).count()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }
}

impl Sim {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs `body` to `path` with `key` and reads the whole answer as a stream.
    pub async fn post_as(&self, path: &str, key: Option<&str>, body: &Value) -> Streamed {
        let started = Instant::now();
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.unwrap();
        read(response, started).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Streamed {
        self.post_as(path, Some(DEV_KEY), body).await
    }

    /// One turn on the account copilot.
    pub async fn ask(&self, message: &str) -> Streamed {
        self.post("/api/v1/assist", &json!({ "message": message }))
            .await
    }

    /// Approves `items` in `thread`, repeating the original message.
    pub async fn approve(
        &self,
        message: &str,
        thread: &str,
        items: &[PendingConfirmation],
    ) -> Streamed {
        self.post(
            "/api/v1/assist",
            &json!({ "message": message, "threadId": thread, "confirmed": items }),
        )
        .await
    }

    /// GETs `path` (an admin route) and reads its JSON.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        response.json().await.unwrap()
    }

    pub async fn account(&self) -> Value {
        self.get_json("/__sim/account").await
    }

    pub async fn requests(&self) -> Vec<Value> {
        self.get_json("/__sim/requests").await
    }

    pub async fn fault(&self, fault: Value) {
        let response = self
            .client
            .post(self.url("/__sim/faults"))
            .json(&fault)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
    }

    pub async fn get_thread(&self, id: &str, key: &str) -> reqwest::Response {
        self.client
            .get(self.url(&format!("/api/v1/assist/threads/{id}")))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
    }
}

/// Reads a response: decodes event streams with the WHATWG decoder, keeps other bodies raw.
pub async fn read(response: reqwest::Response, started: Instant) -> Streamed {
    let mut out = Streamed {
        status: response.status().as_u16(),
        content_type: response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        ..Streamed::default()
    };
    let mut decoder = Decoder::new();
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(_) => {
                out.cut = true;
                break;
            }
        };
        out.first_byte.get_or_insert(started.elapsed());
        out.chunks += 1;
        out.raw.extend_from_slice(&chunk);
        for event in decoder.feed(&chunk).unwrap() {
            out.types.push(event.event.clone());
            out.arrivals.push(started.elapsed());
            match StreamEvent::from_sse(event.as_ref()) {
                Ok(e) => out.events.push(e),
                Err(_) => out.bad_frames += 1,
            }
        }
    }
    out.end = Some(decoder.finish());
    out
}

/// The body of a non-stream answer as JSON.
pub fn json_body(streamed: &Streamed) -> Value {
    serde_json::from_slice(&streamed.raw).unwrap_or_else(|e| panic!("{e}: {}", streamed.text()))
}
