//! The gateway beside nginx in front of the same upstream, in one run (`scripts/bench/gateway`).
//!
//! ```text
//! cargo bench -p flowyte-gateway --bench proxy -- GATEWAY_BIN [NGINX_BIN] [--memory-only]
//! ```
//!
//! - Added latency per SSE frame: the upstream (in this process) stamps each frame with the time
//!   it wrote it; the client (this process too, same clock) notes when it arrived. Straight to
//!   the upstream, through the gateway (its release binary, own process) and through nginx
//!   (`proxy_buffering off`, one process): p50 and p99 over 20 streams × 200 frames each, and
//!   what each proxy adds over the direct path.
//! - 1,000 streams held open at once through each proxy: the proxy's resident memory (VmRSS)
//!   before and while they are open.
//!
//! Everything binds 127.0.0.1; every loop is bounded.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::serve::ListenerExt;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

const KEY: &str = "flowyte_sk_test_bench_key";
const STREAMS: usize = 20;
const FRAMES: usize = 200;
const HELD: usize = 1_000;

static START: LazyLock<Instant> = LazyLock::new(Instant::now);

fn now_us() -> u64 {
    START.elapsed().as_micros() as u64
}

/// `{"message":"latency"}`: FRAMES frames 2 ms apart, each stamped; anything else: one frame,
/// then a keep-alive comment every second, for 60 s (a held stream).
fn upstream() -> Router {
    Router::new().route(
        "/api/v1/assist",
        post(|body: Bytes| async move {
            let held = !String::from_utf8_lossy(&body).contains("latency");
            let frames = futures_util::stream::unfold(0usize, move |i| async move {
                if held {
                    if i > 60 {
                        return None;
                    }
                    if i > 0 {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        return Some((
                            Ok::<_, Infallible>(Bytes::from_static(b": keep-alive\n\n")),
                            i + 1,
                        ));
                    }
                } else {
                    if i == FRAMES {
                        return None;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                let frame = format!("event:delta\ndata:{{\"t\":{}}}\n\n", now_us());
                Some((Ok(Bytes::from(frame)), i + 1))
            });
            (
                [("content-type", "text/event-stream")],
                Body::from_stream(frames),
            )
                .into_response()
        }),
    )
}

async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A proxy under test: its base URL, the processes whose memory counts, and the headers a
/// request through it needs.
struct Proxy {
    name: &'static str,
    base: String,
    pids: Vec<u32>,
    headers: Vec<(String, String)>,
    _children: Vec<Child>,
    /// A working directory of the proxy's own, removed with it (after its process is killed).
    _dir: Option<tempfile::TempDir>,
}

async fn start_gateway(bin: &str, upstream: &str) -> Proxy {
    // The audit log is written as in a deployment, to a file (removed with the directory).
    let dir = tempfile::Builder::new()
        .prefix("bench-gateway-")
        .tempdir()
        .unwrap();
    let audit = dir.path().join("audit.jsonl");
    let mut child = tokio::process::Command::new(bin)
        .args(["--addr", "127.0.0.1:0", "--dev-http", "--dev-sign-in"])
        .arg("--audit-log")
        .arg(&audit)
        .args([
            "--burst",
            "100000",
            "--per-minute",
            "100000",
            "--max-streams",
            "100000",
        ])
        .env("FLOWYTE_API_BASE", upstream)
        .env("FLOWYTE_API_KEY", KEY)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the gateway binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .expect("the gateway prints its address");
        if let Some(url) = line.strip_prefix("gateway listening on ") {
            break url.to_owned();
        }
    };
    let session = reqwest::Client::new()
        .post(format!("{base}/session"))
        .send()
        .await
        .unwrap();
    let cookie = session.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = session.json::<Value>().await.unwrap()["csrfToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let pid = child.id().unwrap();
    // Keep the tokio child alive (and killed on drop) by leaking it into a task.
    tokio::spawn(async move {
        let _child = child;
        std::future::pending::<()>().await;
    });
    Proxy {
        name: "gateway",
        base,
        pids: vec![pid],
        headers: vec![("cookie".into(), cookie), ("x-csrf-token".into(), csrf)],
        _children: Vec::new(),
        _dir: Some(dir),
    }
}

async fn start_nginx(bin: &str, upstream: SocketAddr) -> Proxy {
    let port = free_port().await;
    let temp = tempfile::Builder::new()
        .prefix("bench-nginx-")
        .tempdir()
        .unwrap();
    let dir = temp.path();
    let conf = format!(
        "daemon off; master_process off; pid {dir}/nginx.pid;
         error_log {dir}/error.log warn; worker_rlimit_nofile 8192;
         events {{ worker_connections 4096; }}
         http {{
           access_log off;
           client_body_temp_path {dir}; proxy_temp_path {dir}; fastcgi_temp_path {dir};
           uwsgi_temp_path {dir}; scgi_temp_path {dir};
           upstream flowyte {{ server {upstream}; keepalive 64; }}
           server {{
             listen 127.0.0.1:{port};
             location /api/ {{
               proxy_pass http://flowyte;
               proxy_http_version 1.1;
               proxy_set_header Connection \"\";
               proxy_set_header Authorization \"Bearer {KEY}\";
               proxy_buffering off;
               proxy_read_timeout 120s;
             }}
           }}
         }}",
        dir = dir.display()
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new(bin)
        .args([
            "-p",
            &dir.display().to_string(),
            "-c",
            &dir.join("nginx.conf").display().to_string(),
        ])
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // One process serves every connection (`master_process off`), as one worker would.
    Proxy {
        name: "nginx",
        base,
        pids: vec![child.id()],
        headers: Vec::new(),
        _children: vec![child],
        _dir: Some(temp),
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        for child in &mut self._children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn rss_kib(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .filter_map(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .sum()
}

fn request(
    client: &reqwest::Client,
    base: &str,
    headers: &[(String, String)],
    message: &str,
) -> reqwest::RequestBuilder {
    let mut request = client
        .post(format!("{base}/api/v1/assist"))
        .header("authorization", format!("Bearer {KEY}"))
        .json(&json!({"message": message}));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request
}

/// Per-frame latencies (µs) of STREAMS sequential streams.
async fn latencies(client: &reqwest::Client, base: &str, headers: &[(String, String)]) -> Vec<u64> {
    let mut out = Vec::with_capacity(STREAMS * FRAMES);
    for _ in 0..STREAMS {
        let response = request(client, base, headers, "latency")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{base}");
        let mut body = response.bytes_stream();
        let mut decoder = assist_protocol::sse::Decoder::new();
        while let Some(chunk) = body.next().await {
            let arrived = now_us();
            decoder
                .feed_with(&chunk.unwrap(), |event| {
                    let sent: Value = serde_json::from_str(event.data).unwrap();
                    out.push(arrived - sent["t"].as_u64().unwrap());
                })
                .unwrap();
        }
    }
    assert_eq!(out.len(), STREAMS * FRAMES);
    out
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Opens HELD streams at once through `proxy` and reports its memory before and while open.
async fn held(proxy: &Proxy) -> (u64, u64, usize) {
    let before = rss_kib(&proxy.pids);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let opened = futures_util::stream::iter(0..HELD)
        .map(|_| {
            let request = request(&client, &proxy.base, &proxy.headers, "hold");
            async move {
                let mut response = request.send().await.ok()?;
                response.chunk().await.ok()??;
                Some(response)
            }
        })
        .buffer_unordered(200)
        .filter_map(|r| async move { r })
        .collect::<Vec<_>>()
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = rss_kib(&proxy.pids);
    let count = opened.len();
    drop(opened);
    (before, during, count)
}

#[tokio::main]
async fn main() {
    LazyLock::force(&START);
    let mut args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    // `--memory-only` skips the latency part (for trying memory changes quickly).
    let memory_only = args.iter().any(|a| a == "--memory-only");
    args.retain(|a| a != "--memory-only");
    let gateway_bin = args.first().expect("usage: proxy GATEWAY_BIN [NGINX_BIN]");
    let nginx_bin = args.get(1);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream_addr = listener.local_addr().unwrap();
    let listener = listener.tap_io(|tcp| tcp.set_nodelay(true).unwrap());
    tokio::spawn(async move { axum::serve(listener, upstream()).await.unwrap() });
    let upstream_url = format!("http://{upstream_addr}");

    let mut proxies = vec![start_gateway(gateway_bin, &upstream_url).await];
    if let Some(bin) = nginx_bin {
        proxies.push(start_nginx(bin, upstream_addr).await);
    }

    if !memory_only {
        latency_table(&upstream_url, &proxies).await;
    }
    println!();
    println!("{HELD} streams held open at once (resident memory of the proxy)");
    for proxy in &proxies {
        let (before, during, count) = held(proxy).await;
        println!(
            "{:<7} {count} open: {:.1} MiB (idle {:.1} MiB, +{:.1} KiB per stream)",
            proxy.name,
            during as f64 / 1024.0,
            before as f64 / 1024.0,
            (during.saturating_sub(before)) as f64 / count.max(1) as f64
        );
    }
}

/// Per-frame latency straight to the upstream and through each proxy, one row each.
async fn latency_table(upstream_url: &str, proxies: &[Proxy]) {
    let client = reqwest::Client::new();
    // Warm up every path once, then measure.
    latencies(&client, upstream_url, &[]).await;
    let mut direct = latencies(&client, upstream_url, &[]).await;
    direct.sort_unstable();
    let (d50, d99) = (percentile(&direct, 0.5), percentile(&direct, 0.99));
    println!("per-frame latency, {STREAMS} streams × {FRAMES} frames (µs)");
    println!("path      p50    p99   added p50  added p99");
    println!("direct  {d50:>5}  {d99:>5}");
    for proxy in proxies {
        latencies(&client, &proxy.base, &proxy.headers).await;
        let mut through = latencies(&client, &proxy.base, &proxy.headers).await;
        through.sort_unstable();
        let (p50, p99) = (percentile(&through, 0.5), percentile(&through, 0.99));
        println!(
            "{:<7} {p50:>5}  {p99:>5}  {:>9}  {:>9}",
            proxy.name,
            p50 as i64 - d50 as i64,
            p99 as i64 - d99 as i64
        );
    }
}
