//! The gateway's HTTP/1.1 server: hyper's connection builder driven by a plain accept loop.
//!
//! `axum::serve` serves with hyper-util's auto builder, which first reads a few bytes to tell
//! HTTP/2 from HTTP/1.1. Nothing reaches the gateway over HTTP/2 (browsers speak it only over
//! TLS, which ends before the gateway), and hyper's http1 builder alone costs 3-4 KiB less per
//! held stream (measured with 1,000 streams, `scripts/bench/gateway --memory-only`; heaptrack
//! showed each browser connection's read buffer at 16 KiB under the auto builder, 8 KiB without).

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// How long the binary lets open replies go on after Ctrl-C before it cuts them off.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting and lets open
/// replies finish for up to `grace` (a held stream would otherwise keep the process alive for
/// as long as the reply lasts).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, _peer) = tokio::select! {
            // Finished connections are reaped as they end.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Event-stream frames are small writes: without TCP_NODELAY, Nagle's algorithm holds
        // each one back until the previous is acknowledged (up to a 40 ms delayed ACK).
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let service = TowerToHyperService::new(
            app.clone()
                .map_request(|request: Request<Incoming>| request.map(axum::body::Body::new)),
        );
        let connection = graceful.watch(http.serve_connection(TokioIo::new(tcp), service));
        connections.spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::info!(open = connections.len(), "open replies cut off at shutdown");
    }
    // Dropping a connection drops its reply, which cancels the upstream request.
    connections.shutdown().await;
}
