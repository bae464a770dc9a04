//! Serving the built panel (`dist/`): the files as the release build wrote them, their
//! precompressed `.br` / `.gz` twins when the browser accepts them, and cache lifetimes by name.
//!
//! - A file whose name carries the build's content hash (Trunk's `filehash`:
//!   `flowyte-copilot-1a2b3c4d5e6f7a8b_bg.wasm`, `panel-…css`) never changes under that name:
//!   `Cache-Control: public, max-age=31536000, immutable`.
//! - Every other file (`index.html`, the package's stable names under `package/`, the favicon)
//!   may change in place: `no-cache`, so the browser revalidates it (`Last-Modified`, a 304)
//!   before each use.
//! - Every answer says `Vary: Accept-Encoding`: the same URL is brotli, gzip or identity bytes
//!   depending on what the browser accepts, and a shared cache must keep them apart.

use std::path::Path;

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, header};
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;
use tower_http::services::ServeDir;

/// For content-hashed names.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For everything else.
pub const REVALIDATE: &str = "no-cache";

/// The service answering every path the gateway's routes do not: the files in `dist`.
pub fn service(
    dist: &Path,
) -> BoxCloneSyncService<Request<Body>, Response<Body>, std::convert::Infallible> {
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true);
    let service = tower::service_fn(move |request: Request<Body>| {
        let files = files.clone();
        async move {
            let cache = if is_versioned(request.uri().path()) {
                IMMUTABLE
            } else {
                REVALIDATE
            };
            let mut response = files.oneshot(request).await?.map(Body::new);
            // A 404 today may be a file tomorrow.
            let status = response.status();
            let cache = if status.is_success() || status == 304 {
                cache
            } else {
                REVALIDATE
            };
            let headers = response.headers_mut();
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            Ok(response)
        }
    });
    BoxCloneSyncService::new(service)
}

/// Whether the last segment of `path` carries a content hash the way Trunk writes one: a run of
/// 12 to 16 lowercase hex digits (a 64-bit hash; fewer when it starts with zeros), after a `-`
/// and before a `.`, `_` or `-`, with at least one digit and one letter among them (so a word
/// such as `-decade.` is not taken for one).
pub fn is_versioned(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('-').skip(1).any(|part| {
        let run = part
            .bytes()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .count();
        let hash = &part[..run];
        (12..=16).contains(&run)
            && matches!(part.as_bytes().get(run), Some(b'.' | b'_' | b'-'))
            && hash.bytes().any(|b| b.is_ascii_digit())
            && hash.bytes().any(|b| b.is_ascii_alphabetic())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashed_names_are_versioned() {
        for path in [
            "/flowyte-copilot-6e3c2d1f0a9b8c7d_bg.wasm",
            "/flowyte-copilot-6e3c2d1f0a9b8c7d.js",
            "/panel-0a9b8c7d6e3c2d1.css",
            "/flowyte-copilot-6e3c2d1f0a9b8c7d_bg.wasm.br",
        ] {
            assert!(is_versioned(path), "{path}");
        }
    }

    #[test]
    fn stable_names_are_not() {
        for path in [
            "/",
            "/index.html",
            "/favicon.svg",
            "/package/flowyte-copilot.js",
            "/package/flowyte-copilot_bg.wasm",
            "/package/panel.css",
            "/panel.css",
            "/host/index.html",
            "/faded-deadbeefcafe/index.html",
            "/notes-deadbeefcafe.txt",
            "/x-0123456789012.js",
            "/x-6e3c2d1f0a9b8c7d",
        ] {
            assert!(!is_versioned(path), "{path}");
        }
    }
}
