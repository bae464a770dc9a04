//! `flowyte-simulator`: serves the local Flowyte control plane on loopback.

use std::net::SocketAddr;
use std::time::Duration;

use axum::serve::ListenerExt;
use clap::Parser;
use flowyte_simulator::{AppState, Config, DEV_KEY, app};

/// A local Flowyte control plane for development and tests.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on (port 0 picks a free one; the bound address is printed).
    #[arg(long, env = "FLOWYTE_SIM_ADDR", default_value = "127.0.0.1:8788")]
    addr: SocketAddr,
    /// Secret key accepted as `Authorization: Bearer …` (repeat for several).
    #[arg(long = "key", env = "FLOWYTE_SIM_KEYS", value_delimiter = ',', default_value = DEV_KEY)]
    keys: Vec<String>,
    /// Milliseconds between two frames of a stream.
    #[arg(long, env = "FLOWYTE_SIM_PACE_MS", default_value_t = 60)]
    pace_ms: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let state = AppState::new(Config {
        keys: args.keys,
        pace: Duration::from_millis(args.pace_ms),
    });
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
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
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
