//! `flowyte-gateway`: the session-bound key proxy, on loopback by default.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use flowyte_gateway::limits::LimitConfig;
use flowyte_gateway::logging::Redacting;
use flowyte_gateway::{AppState, Config, app, server};

/// The session-bound key proxy between the copilot panel and the Flowyte control plane.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on (port 0 picks a free one; the bound address is printed).
    #[arg(long, env = "FLOWYTE_GATEWAY_ADDR", default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// Base URL of the Flowyte control plane (the local simulator by default).
    #[arg(
        long,
        env = "FLOWYTE_API_BASE",
        default_value = "http://127.0.0.1:8788"
    )]
    upstream: String,
    /// The secret key sessions are bound to. Prefer the environment (or --api-key-file) over
    /// the command line, where other users can read it.
    #[arg(long, env = "FLOWYTE_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// A file holding the secret key.
    #[arg(long, env = "FLOWYTE_API_KEY_FILE")]
    api_key_file: Option<PathBuf>,
    /// Serve this built panel (`trunk build` output) at `/`.
    #[arg(long)]
    dist: Option<PathBuf>,
    /// Plain-HTTP development: send the session cookie without `Secure`.
    #[arg(long)]
    dev_http: bool,
    /// Another origin allowed to call the gateway (e.g. the `trunk serve` page); repeatable.
    #[arg(long = "allow-origin")]
    allowed_origins: Vec<String>,
    /// Who may embed the served panel (CSP `frame-ancestors`), e.g. "'self' https://app.example".
    #[arg(long, default_value = "'self'")]
    frame_ancestors: String,
    /// Requests one session may send in a burst.
    #[arg(long, default_value_t = LimitConfig::default().burst)]
    burst: u32,
    /// Requests one session may send per minute, after the burst.
    #[arg(long, default_value_t = LimitConfig::default().per_minute)]
    per_minute: u32,
    /// Replies one session may have streaming at once.
    #[arg(long, default_value_t = LimitConfig::default().max_streams)]
    max_streams: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        // Whatever logs it, a secret key never reaches the log.
        .with_writer(Redacting(std::io::stderr))
        .init();
    let args = Args::parse();
    let api_key = match (args.api_key, args.api_key_file) {
        (Some(key), _) => key,
        (None, Some(file)) => std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read the key file {}: {e}", file.display()))?
            .trim()
            .to_owned(),
        (None, None) => {
            return Err("set FLOWYTE_API_KEY (or FLOWYTE_API_KEY_FILE) to the secret key".into());
        }
    };
    let mut config = Config::new(args.upstream, api_key);
    config.dist = args.dist;
    config.dev_http = args.dev_http;
    config.allowed_origins = args.allowed_origins;
    config.frame_ancestors = args.frame_ancestors;
    config.limits = LimitConfig {
        burst: args.burst,
        per_minute: args.per_minute,
        max_streams: args.max_streams,
    };
    tracing::info!(?config, "starting");
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let addr = listener.local_addr()?;
    // Scripts and tests read this line to learn the port.
    println!("gateway listening on http://{addr}");
    let state = match std::env::var("REDIS_URL") {
        Ok(url) if !url.is_empty() => AppState::with_redis(config, &url)
            .await
            .map_err(|e| format!("cannot use REDIS_URL for sessions: {e}"))?,
        _ => AppState::new(config),
    };
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    flowyte_gateway::server::serve(listener, app(state), ctrl_c, server::SHUTDOWN_GRACE).await;
    Ok(())
}
