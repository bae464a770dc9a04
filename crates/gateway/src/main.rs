//! `flowyte-gateway`: the copilot's backend-for-frontend, on loopback by default.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use flowyte_gateway::config::{AuditTarget, DEFAULT_KEY, DevSignIn, Secret};
use flowyte_gateway::logging::{Redacting, Redactor};
use flowyte_gateway::policy::Role;
use flowyte_gateway::{AppState, Config, app, config_file, server};

/// The copilot's backend-for-frontend: signs people in, holds the account's secret keys and
/// forwards the copilot's calls under the key and role each person's access rule grants.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The config file (TOML): provider, keys, access rules, limits, audit log. See
    /// crates/gateway/gateway.example.toml.
    #[arg(long, env = "FLOWYTE_GATEWAY_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free one; the bound address is printed).
    #[arg(long, env = "FLOWYTE_GATEWAY_ADDR", default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// Base URL of the Flowyte control plane (default: the config's, else the local
    /// simulator at http://127.0.0.1:8788).
    #[arg(long, env = "FLOWYTE_API_BASE")]
    upstream: Option<String>,
    /// A secret key, named "default" (for --dev-sign-in without a config file). Prefer the
    /// environment (or --api-key-file) over the command line, where other users can read it.
    #[arg(long, env = "FLOWYTE_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// A file holding that key.
    #[arg(long, env = "FLOWYTE_API_KEY_FILE")]
    api_key_file: Option<PathBuf>,
    /// Development sign-in: `POST /session` signs anyone in as a fixed developer, with no
    /// credentials. Never in a deployment.
    #[arg(long)]
    dev_sign_in: bool,
    /// The development sign-in's role.
    #[arg(long, value_parser = ["approver", "viewer"], default_value = "approver")]
    dev_role: String,
    /// Serve this built panel (`trunk build` output) at `/`.
    #[arg(long)]
    dist: Option<PathBuf>,
    /// Plain-HTTP development: cookies without `Secure` and `__Host-`; any loopback host name.
    #[arg(long)]
    dev_http: bool,
    /// An origin the gateway is reached at (e.g. https://copilot.example.com); repeatable.
    #[arg(long = "public-origin")]
    public_origins: Vec<String>,
    /// Another origin allowed to call the gateway (e.g. the `trunk serve` page); repeatable.
    #[arg(long = "allow-origin")]
    allowed_origins: Vec<String>,
    /// Who may embed the served panel (CSP `frame-ancestors`), e.g. "'self' https://app.example".
    #[arg(long)]
    frame_ancestors: Option<String>,
    /// Requests one person may send in a burst.
    #[arg(long)]
    burst: Option<u32>,
    /// Requests one person may send per minute, after the burst.
    #[arg(long)]
    per_minute: Option<u32>,
    /// Replies one person may have streaming at once.
    #[arg(long)]
    max_streams: Option<usize>,
    /// Sessions one person may hold; another sign-in ends their oldest.
    #[arg(long)]
    sessions_per_person: Option<usize>,
    /// Where the audit log goes: a file, or `-` for standard output (the default).
    #[arg(long)]
    audit_log: Option<String>,
    /// Serve Prometheus metrics (`GET /metrics`) on this address, never on the public one.
    #[arg(long, env = "FLOWYTE_GATEWAY_METRICS_ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// `text` (for people) or `json` (one object a line, for log shippers).
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    log_format: String,
}

/// The configuration the arguments describe.
fn configure(args: Args) -> Result<Config, String> {
    let mut config = match &args.config {
        Some(path) => {
            config_file::load(path, &|var| std::env::var(var).ok()).map_err(|e| e.to_string())?
        }
        None => {
            let mut config = Config::new("http://127.0.0.1:8788", "");
            config.keys.clear();
            config.audit = AuditTarget::Stdout;
            config
        }
    };
    if let Some(upstream) = args.upstream {
        config.upstream = upstream.trim_end_matches('/').to_owned();
    }
    let key = match (args.api_key, args.api_key_file) {
        (Some(key), _) => Some(key),
        (None, Some(file)) => Some(
            std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read the key file {}: {e}", file.display()))?
                .trim()
                .to_owned(),
        ),
        (None, None) => None,
    };
    if let Some(key) = key.filter(|k| !k.is_empty()) {
        config.keys.insert(DEFAULT_KEY.to_owned(), Secret::new(key));
    }
    if args.dev_sign_in {
        // The "default" key, or the config's only one.
        let key = if config.keys.contains_key(DEFAULT_KEY) || config.keys.len() != 1 {
            DEFAULT_KEY.to_owned()
        } else {
            config.keys.keys().next().expect("one key").clone()
        };
        if !config.keys.contains_key(&key) {
            return Err(
                "--dev-sign-in needs a key: set FLOWYTE_API_KEY (or FLOWYTE_API_KEY_FILE)".into(),
            );
        }
        let role = if args.dev_role == "viewer" {
            Role::Viewer
        } else {
            Role::Approver
        };
        config.dev_sign_in = Some(DevSignIn { key, role });
    }
    config.dist = args.dist;
    config.dev_http |= args.dev_http;
    config.public_origins.extend(args.public_origins);
    config.allowed_origins.extend(args.allowed_origins);
    if let Some(frame_ancestors) = args.frame_ancestors {
        config.frame_ancestors = frame_ancestors;
    }
    if let Some(burst) = args.burst {
        config.limits.burst = burst;
    }
    if let Some(per_minute) = args.per_minute {
        config.limits.per_minute = per_minute;
    }
    if let Some(streams) = args.max_streams {
        config.limits.max_streams = streams;
    }
    if let Some(sessions) = args.sessions_per_person {
        config.sessions_per_person = sessions.max(1);
    }
    match args.audit_log.as_deref() {
        Some("-") => config.audit = AuditTarget::Stdout,
        Some(path) => config.audit = AuditTarget::File(path.into()),
        None => {}
    }
    if let Some(problem) = config.problem() {
        return Err(problem);
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let (addr, metrics_addr, json_logs) = (args.addr, args.metrics_addr, args.log_format == "json");
    let config = match configure(args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("flowyte-gateway: {message}");
            return ExitCode::from(2);
        }
    };
    // Logs are for people: colour only on a terminal. Whatever logs it, a secret never
    // reaches the log.
    let redactor = Redactor::new(config.secrets());
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let writer = Redacting::new(std::io::stderr, redactor);
    if json_logs {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(writer)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_writer(writer)
            .init();
    }
    if config.dev_sign_in.is_some() {
        tracing::warn!("development sign-in is on: anyone who reaches this gateway is signed in");
    }
    tracing::info!(?config, "starting");
    match run(config, addr, metrics_addr).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("flowyte-gateway: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    config: Config,
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let state = match std::env::var("REDIS_URL") {
        Ok(url) if !url.is_empty() => AppState::with_redis(config, &url)
            .await
            .map_err(|e| format!("cannot use REDIS_URL: {e}"))?,
        _ => AppState::new(config).map_err(|e| e.to_string())?,
    };
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if let Some(metrics_addr) = metrics_addr {
        let metrics = tokio::net::TcpListener::bind(metrics_addr)
            .await
            .map_err(|e| format!("cannot listen for metrics on {metrics_addr}: {e}"))?;
        let bound = metrics.local_addr().map_err(|e| e.to_string())?;
        println!("metrics listening on http://{bound}");
        let router = flowyte_gateway::metrics::router(std::sync::Arc::clone(&state.metrics));
        tokio::spawn(async move {
            if let Err(error) = axum::serve(metrics, router).await {
                tracing::error!(%error, "the metrics listener stopped");
            }
        });
    }
    // Scripts and tests read this line to learn the port.
    println!("gateway listening on http://{addr}");
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    server::serve(listener, app(state), ctrl_c, server::SHUTDOWN_GRACE).await;
    Ok(())
}
