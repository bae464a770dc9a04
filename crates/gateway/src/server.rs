//! The gateway's HTTP/1.1 server: hyper's connection builder driven by a plain accept loop.
//!
//! `axum::serve` would do, but it cannot configure hyper. A held stream costs the gateway two
//! HTTP/1.1 connections (the browser's and the upstream's), and hyper grows a connection's read
//! buffer to 16 KiB once a request arrives in two reads; capping it at hyper's minimum, 8 KiB
//! (nginx's header limit too), keeps the one buffer it needs.

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

/// Largest request head (request line and headers) a browser may send.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;

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
    http.max_buf_size(MAX_HEAD_BYTES).timer(TokioTimer::new());
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
