//! `flowyte-simulator`: serves the local Flowyte control plane on loopback.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use axum::serve::ListenerExt;
use clap::Parser;
use flowyte_simulator::{ApiKey, AppState, Config, app};

/// A local Flowyte control plane for development and tests.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on (port 0 picks a free one; the bound address is printed).
    #[arg(long, env = "FLOWYTE_SIM_ADDR", default_value = "127.0.0.1:8788")]
    addr: SocketAddr,
    /// A secret key to accept, as `KEY` (every scope) or `KEY=scope,scope`. Repeat for several.
    /// Without it, the development key (every scope) and the read-only test key are accepted.
    #[arg(long = "key", value_parser = ApiKey::parse)]
    keys: Vec<ApiKey>,
    /// Milliseconds between two frames of a stream.
    #[arg(long, env = "FLOWYTE_SIM_PACE_MS", default_value_t = 60)]
    pace_ms: u64,
    /// Send a `: keep-alive` comment after this many idle milliseconds in a stream.
    #[arg(long, default_value_t = 15_000)]
    keep_alive_ms: u64,
    /// Keep the account and the copilot threads in this JSON file (created with the seed data
    /// when missing) so experiments survive a restart.
    #[arg(long, env = "FLOWYTE_SIM_STATE")]
    state: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let mut config = Config {
        pace: Duration::from_millis(args.pace_ms),
        keep_alive: Duration::from_millis(args.keep_alive_ms),
        state_file: args.state,
        ..Config::default()
    };
    if !args.keys.is_empty() {
        config.keys = args.keys;
    }
    let state = match AppState::load(config) {
        Ok(state) => state,
        Err(error) => {
            eprintln!("flowyte-simulator: {error}");
            return ExitCode::FAILURE;
        }
    };
    match serve(args.addr, state).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("flowyte-simulator: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(addr: SocketAddr, state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    // Event-stream frames are small writes: without TCP_NODELAY, Nagle's algorithm holds each
    // one back until the previous is acknowledged (up to a 40 ms delayed ACK).
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
    });
    // Scripts and tests read this line to learn the port.
    println!("simulator listening on http://{addr}");
    // into_make_service turns the routes into services once; a bare Router rebuilds its
    // route maps for every connection (3.5 KiB per connection, measured with heaptrack).
    axum::serve(listener, app(state).into_make_service())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
