//! A soak of the gateway (`scripts/bench/soak`): two gateways (release binaries) on one Redis in
//! front of the simulator, mixed traffic for a bounded time while the simulator injects faults
//! (dropped streams, stalls, 503s, 429s); then what it cost and what it left behind.
//!
//! ```text
//! cargo bench -p flowyte-gateway --bench soak -- GATEWAY_BIN SIMULATOR_BIN [--seconds N] [--workers N]
//! ```
//!
//! Traffic, per worker, in a fixed cycle: questions that stream a reply, thread reads, a
//! proposal approved (publish Support Bot, which can be done again and again), a reply the
//! browser abandons after its first bytes, and every tenth request a fault queued first. Sessions
//! are shared through Redis: each worker alternates between the gateways with one session.
//!
//! Printed: every request accounted for (sent = the sum of the outcomes, and the audit lines of
//! both gateways); errors beside the faults injected (none beyond them); each gateway's
//! resident memory after the warm-up and at the end, and its growth per hour extrapolated;
//! the open-streams gauge at the end (must be 0). Everything binds 127.0.0.1; the run is
//! bounded by `--seconds`.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

const KEY: &str = "flowyte_sk_test_local_development_key";

struct Proc {
    child: Child,
    url: String,
    metrics: Option<String>,
}

impl Proc {
    fn rss_kib(&self) -> u64 {
        let pid = self.child.id().expect("running");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

/// Starts a binary and waits for its "listening on" lines.
async fn start(bin: &str, args: &[&str], env: &[(&str, String)]) -> Proc {
    let mut command = Command::new(bin);
    command
        .args(args)
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap_or_else(|e| panic!("{bin}: {e}"));
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut metrics = None;
    let url = loop {
        let line = lines.next_line().await.unwrap().expect("an address line");
        if let Some(url) = line.strip_prefix("metrics listening on ") {
            metrics = Some(url.to_owned());
        } else if let Some((_, url)) = line.split_once(" listening on ") {
            break url.to_owned();
        }
    };
    // Keep reading so a full pipe never blocks it.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Proc {
        child,
        url,
        metrics,
    }
}

async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Completed,
    /// The worker abandoned it on purpose.
    Abandoned,
    Dropped,
    Status503,
    Status429,
    /// Anything not explained by an injected fault.
    Unexpected,
}

#[derive(Default)]
struct Tally {
    sent: AtomicU64,
    outcomes: Mutex<BTreeMap<Outcome, u64>>,
    injected: Mutex<BTreeMap<&'static str, u64>>,
    unexpected: Mutex<Vec<String>>,
}

impl Tally {
    async fn count(&self, outcome: Outcome, what: impl FnOnce() -> String) {
        *self.outcomes.lock().await.entry(outcome).or_default() += 1;
        if outcome == Outcome::Unexpected {
            let mut list = self.unexpected.lock().await;
            if list.len() < 10 {
                list.push(what());
            }
        }
    }
}

struct Session {
    cookie: String,
    csrf: String,
}

async fn sign_in(client: &reqwest::Client, gateway: &str) -> Session {
    let answer = client
        .post(format!("{gateway}/session"))
        .send()
        .await
        .unwrap();
    let cookie = answer.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = answer.json::<Value>().await.unwrap()["csrfToken"]
        .as_str()
        .unwrap()
        .to_owned();
    Session { cookie, csrf }
}

/// Sends one assist request and reads it to its end (or `abandon`s it after the first bytes).
async fn assist(
    client: &reqwest::Client,
    gateway: &str,
    session: &Session,
    body: &Value,
    abandon: bool,
) -> (Outcome, Option<Value>) {
    let sent = client
        .post(format!("{gateway}/api/v1/assist"))
        .header("cookie", &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .json(body)
        .send()
        .await;
    let Ok(mut response) = sent else {
        return (Outcome::Unexpected, Some(json!({"error": "not sent"})));
    };
    match response.status().as_u16() {
        200 => {}
        503 => return (Outcome::Status503, None),
        429 => return (Outcome::Status429, None),
        status => {
            let body = response.text().await.unwrap_or_default();
            return (
                Outcome::Unexpected,
                Some(json!({"status": status, "body": body})),
            );
        }
    }
    let mut text = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                text.extend_from_slice(&chunk);
                if abandon {
                    return (Outcome::Abandoned, None);
                }
            }
            Ok(None) => break,
            Err(_) => return (Outcome::Dropped, None),
        }
    }
    let text = String::from_utf8_lossy(&text);
    let Some(done) = text.split("event:done\ndata:").nth(1) else {
        return (Outcome::Dropped, None);
    };
    let done = done.split("\n\n").next().unwrap_or_default();
    (Outcome::Completed, serde_json::from_str(done).ok())
}

const FAULTS: [(&str, &str); 4] = [
    (
        "dropped stream",
        r#"{"kind":"drop_after_frames","frames":2}"#,
    ),
    ("stall", r#"{"kind":"stall","betweenMs":150}"#),
    (
        "503",
        r#"{"kind":"status","status":503,"code":"maintenance"}"#,
    ),
    ("429", r#"{"kind":"rate_limit","retryAfter":1}"#),
];

#[allow(clippy::too_many_arguments)]
async fn worker(
    index: usize,
    gateways: Arc<Vec<String>>,
    simulator: String,
    deadline: Instant,
    tally: Arc<Tally>,
    next_fault: Arc<AtomicU64>,
) {
    let client = reqwest::Client::new();
    let session = sign_in(&client, &gateways[index % 2]).await;
    let mut thread: Option<String> = None;
    let mut step = index;
    while Instant::now() < deadline {
        step += 1;
        let gateway = &gateways[step % 2];
        if step.is_multiple_of(10) {
            let n = next_fault.fetch_add(1, Ordering::Relaxed) as usize;
            let (name, fault) = FAULTS[n % FAULTS.len()];
            let queued = client
                .post(format!("{simulator}/__sim/faults"))
                .header("content-type", "application/json")
                .body(fault)
                .send()
                .await
                .unwrap();
            assert!(queued.status().is_success());
            *tally.injected.lock().await.entry(name).or_default() += 1;
        }
        match step % 10 {
            5 if thread.is_some() => {
                let id = thread.as_deref().unwrap();
                tally.sent.fetch_add(1, Ordering::Relaxed);
                let read = client
                    .get(format!("{gateway}/api/v1/assist/threads/{id}"))
                    .header("cookie", &session.cookie)
                    .send()
                    .await;
                let outcome = match read.map(|r| r.status().as_u16()) {
                    Ok(200) => Outcome::Completed,
                    _ => Outcome::Unexpected,
                };
                tally.count(outcome, || format!("thread read {id}")).await;
            }
            7 => {
                let proposal = json!({"message": "Publish Support Bot"});
                tally.sent.fetch_add(1, Ordering::Relaxed);
                let (outcome, done) = assist(&client, gateway, &session, &proposal, false).await;
                tally.count(outcome, || format!("proposal: {done:?}")).await;
                let Some(done) = done.filter(|_| outcome == Outcome::Completed) else {
                    continue;
                };
                let approve = json!({
                    "message": "Publish Support Bot",
                    "threadId": done["threadId"],
                    "confirmed": done["pendingConfirmations"],
                });
                tally.sent.fetch_add(1, Ordering::Relaxed);
                let other = &gateways[(step + 1) % 2];
                let (outcome, answer) = assist(&client, other, &session, &approve, false).await;
                tally
                    .count(outcome, || format!("approval: {answer:?}"))
                    .await;
            }
            3 => {
                tally.sent.fetch_add(1, Ordering::Relaxed);
                let body = json!({"message": "which calls failed yesterday?"});
                let (outcome, answer) = assist(&client, gateway, &session, &body, true).await;
                tally
                    .count(outcome, || format!("abandoned: {answer:?}"))
                    .await;
            }
            _ => {
                tally.sent.fetch_add(1, Ordering::Relaxed);
                let message = if step.is_multiple_of(2) {
                    "list my agents"
                } else {
                    "which calls failed yesterday?"
                };
                let (outcome, done) = assist(
                    &client,
                    gateway,
                    &session,
                    &json!({"message": message}),
                    false,
                )
                .await;
                tally
                    .count(outcome, || format!("{message}: {done:?}"))
                    .await;
                if let Some(id) = done
                    .as_ref()
                    .filter(|_| outcome == Outcome::Completed)
                    .and_then(|d| d["threadId"].as_str())
                {
                    thread = Some(id.to_owned());
                }
            }
        }
    }
}

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

async fn gauge(metrics: &str, name: &str) -> f64 {
    let text = reqwest::get(format!("{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .map_or(0.0, |v| v.parse().unwrap())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let (gateway_bin, simulator_bin) = match positional.as_slice() {
        [g, s, ..] => ((*g).clone(), (*s).clone()),
        _ => panic!("usage: soak GATEWAY_BIN SIMULATOR_BIN [--seconds N] [--workers N]"),
    };
    let seconds = arg(&args, "--seconds", 300);
    let workers = arg(&args, "--workers", 12) as usize;
    let dir = tempfile::Builder::new().prefix("soak-").tempdir().unwrap();

    let redis_port = free_port().await;
    let _redis = Command::new("redis-server")
        .args(["--port", &redis_port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("redis-server");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let simulator = start(
        &simulator_bin,
        &["--addr", "127.0.0.1:0", "--pace-ms", "5"],
        &[],
    )
    .await;
    let mut gateways = Vec::new();
    for name in ["a", "b"] {
        let audit = dir.path().join(format!("audit-{name}.jsonl"));
        let audit = audit.to_str().unwrap();
        gateways.push(
            start(
                &gateway_bin,
                &[
                    "--addr",
                    "127.0.0.1:0",
                    "--metrics-addr",
                    "127.0.0.1:0",
                    "--dev-http",
                    "--dev-sign-in",
                    "--audit-log",
                    audit,
                    "--burst",
                    "1000000",
                    "--per-minute",
                    "1000000",
                    "--max-streams",
                    "1000",
                    // Every worker is the one development person, each with a session.
                    "--sessions-per-person",
                    "1000",
                ],
                &[
                    ("FLOWYTE_API_BASE", simulator.url.clone()),
                    ("FLOWYTE_API_KEY", KEY.to_owned()),
                    ("REDIS_URL", format!("redis://127.0.0.1:{redis_port}")),
                ],
            )
            .await,
        );
    }
    let urls = Arc::new(gateways.iter().map(|g| g.url.clone()).collect::<Vec<_>>());
    let tally = Arc::new(Tally::default());
    let next_fault = Arc::new(AtomicU64::new(0));

    println!("soak: {workers} workers for {seconds} s through 2 gateways on one Redis");
    // A warm-up of a tenth of the run (at most 30 s) before the first memory reading.
    let warm = Duration::from_secs((seconds / 10).clamp(1, 30));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for index in 0..workers {
        tasks.push(tokio::spawn(worker(
            index,
            Arc::clone(&urls),
            simulator.url.clone(),
            deadline,
            Arc::clone(&tally),
            Arc::clone(&next_fault),
        )));
    }
    // The simulator's request log would grow for the whole run: clear it now and then.
    let clearing = {
        let simulator = simulator.url.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(10)).await;
                let _ = reqwest::Client::new()
                    .delete(format!("{simulator}/__sim/requests"))
                    .send()
                    .await;
            }
        })
    };
    tokio::time::sleep(warm).await;
    let rss_start: Vec<u64> = gateways.iter().map(Proc::rss_kib).collect();
    let measured_from = Instant::now();
    for task in tasks {
        task.await.unwrap();
    }
    clearing.abort();
    let elapsed = started.elapsed();
    let rss_end: Vec<u64> = gateways.iter().map(Proc::rss_kib).collect();
    let measured = measured_from.elapsed().as_secs_f64();
    // Let streams the gateways still hold end, then read the gauges.
    let mut open = Vec::new();
    for gateway in &gateways {
        let metrics = gateway.metrics.as_deref().unwrap();
        let mut value = gauge(metrics, "flowyte_gateway_open_streams").await;
        for _ in 0..50 {
            if value == 0.0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            value = gauge(metrics, "flowyte_gateway_open_streams").await;
        }
        open.push(value);
    }
    let left: Vec<Value> = reqwest::get(format!("{}/__sim/faults", simulator.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or_default();
    let audit_lines: usize = ["a", "b"]
        .iter()
        .map(|n| {
            std::fs::read_to_string(dir.path().join(format!("audit-{n}.jsonl")))
                .unwrap_or_default()
                .lines()
                .count()
        })
        .sum();

    let sent = tally.sent.load(Ordering::Relaxed);
    let outcomes = tally.outcomes.lock().await.clone();
    let injected = tally.injected.lock().await.clone();
    let accounted: u64 = outcomes.values().sum();
    println!(
        "\nran {:.0} s; {sent} requests sent, {accounted} accounted for, {audit_lines} audit lines",
        elapsed.as_secs_f64()
    );
    println!("\n| outcome | requests |\n|---|---:|");
    for (outcome, n) in &outcomes {
        println!("| {outcome:?} | {n} |");
    }
    println!("\n| fault injected | times |\n|---|---:|");
    for (fault, n) in &injected {
        println!("| {fault} | {n} |");
    }
    println!("faults still queued at the end: {}", left.len());
    println!(
        "\n| gateway | RSS after warm-up | RSS at end | growth | per hour (extrapolated) | open streams at end |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (i, name) in ["A", "B"].iter().enumerate() {
        let growth = rss_end[i] as f64 - rss_start[i] as f64;
        println!(
            "| {name} | {:.1} MiB | {:.1} MiB | {:+.1} MiB | {:+.1} MiB/h | {} |",
            rss_start[i] as f64 / 1024.0,
            rss_end[i] as f64 / 1024.0,
            growth / 1024.0,
            growth / 1024.0 / measured * 3600.0,
            open[i]
        );
    }
    let unexpected = tally.unexpected.lock().await.clone();
    let dropped = outcomes.get(&Outcome::Dropped).copied().unwrap_or(0);
    let s503 = outcomes.get(&Outcome::Status503).copied().unwrap_or(0);
    let s429 = outcomes.get(&Outcome::Status429).copied().unwrap_or(0);
    let checks = [
        (
            "every request accounted for",
            sent == accounted && audit_lines as u64 == sent,
        ),
        ("no unexpected outcome", unexpected.is_empty()),
        (
            "no error beyond the faults injected",
            dropped <= injected.get("dropped stream").copied().unwrap_or(0)
                && s503 <= injected.get("503").copied().unwrap_or(0)
                && s429 <= injected.get("429").copied().unwrap_or(0),
        ),
        ("no stream left open", open.iter().all(|v| *v == 0.0)),
    ];
    println!();
    for (check, ok) in checks {
        println!("{} {check}", if ok { "ok  " } else { "FAIL" });
    }
    if !unexpected.is_empty() {
        println!("unexpected (first {}): {unexpected:?}", unexpected.len());
    }
    // A fault can be consumed by a reply a worker abandons on purpose, which then never shows
    // it: the faults observed can be fewer than those injected, never more.
    let failed = checks.iter().any(|(_, ok)| !ok);
    // Stop the servers (exit would skip their kill-on-drop) and remove the directory.
    drop(gateways);
    drop(simulator);
    drop(dir);
    if failed {
        std::process::exit(1);
    }
}
