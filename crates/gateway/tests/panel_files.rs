//! The built panel over real HTTP on loopback: the precompressed twin the browser accepts,
//! `Vary: Accept-Encoding`, a year's immutable lifetime for content-hashed names and
//! `no-cache` for the rest.

mod common;

use std::path::Path;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};

const WASM: &str = "flowyte-copilot-72c584db556cb728_bg.wasm";

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A dist/ as the release build writes it: hashed files with their twins, the package's
/// stable names, an index.html, and a file without twins.
fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "index.html", b"<!doctype html><title>panel</title>");
    write(d, "index.html.gz", b"gzip of index");
    write(d, "index.html.br", b"brotli of index");
    write(d, WASM, b"\0asm identity bytes");
    write(d, &format!("{WASM}.gz"), b"gzip bytes");
    write(d, &format!("{WASM}.br"), b"brotli bytes");
    write(d, "panel-9b989ca50a92313c.css", b".copilot{}");
    write(d, "panel-9b989ca50a92313c.css.gz", b"gzip css");
    write(d, "package/flowyte-copilot.js", b"export {}");
    write(d, "package/flowyte-copilot.js.br", b"brotli js");
    write(d, "favicon.svg", b"<svg/>");
    dir
}

async fn gateway(dist: &Path) -> String {
    let mut config = common::dev_config(common::unreachable_url().await, "flowyte_sk_test_x");
    config.dist = Some(dist.to_owned());
    common::serve_gateway(flowyte_gateway::AppState::new(config).unwrap()).await
}

struct Got {
    status: StatusCode,
    encoding: Option<String>,
    cache: String,
    vary: String,
    content_type: String,
    body: Vec<u8>,
}

async fn get(url: &str, accept: Option<&str>) -> Got {
    // reqwest is built without decompression: the bytes are what travelled.
    let client = reqwest::Client::new();
    let mut request = client.get(url);
    if let Some(accept) = accept {
        request = request.header(ACCEPT_ENCODING, accept);
    }
    let response = request.send().await.unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    Got {
        status: response.status(),
        encoding: header(CONTENT_ENCODING),
        cache: header(CACHE_CONTROL).unwrap_or_default(),
        vary: header(VARY).unwrap_or_default(),
        content_type: header(CONTENT_TYPE).unwrap_or_default(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

#[tokio::test]
async fn the_browser_gets_the_twin_it_accepts_brotli_first() {
    let dist = dist();
    let url = gateway(dist.path()).await;
    let wasm = format!("{url}/{WASM}");

    let br = get(&wasm, Some("gzip, deflate, br, zstd")).await;
    assert_eq!(br.status, 200);
    assert_eq!(br.encoding.as_deref(), Some("br"));
    assert_eq!(br.body, b"brotli bytes");
    assert_eq!(
        br.content_type, "application/wasm",
        "the type is the file's, not the twin's"
    );

    let gz = get(&wasm, Some("gzip")).await;
    assert_eq!(gz.encoding.as_deref(), Some("gzip"));
    assert_eq!(gz.body, b"gzip bytes");

    for accept in [None, Some("identity"), Some("br;q=0, gzip;q=0")] {
        let plain = get(&wasm, accept).await;
        assert_eq!(plain.encoding, None, "{accept:?}");
        assert_eq!(plain.body, b"\0asm identity bytes", "{accept:?}");
    }

    // A file without a brotli twin falls back to its gzip one, then to itself.
    let css = get(
        &format!("{url}/panel-9b989ca50a92313c.css"),
        Some("br, gzip"),
    )
    .await;
    assert_eq!(
        (css.encoding.as_deref(), css.body.as_slice()),
        (Some("gzip"), &b"gzip css"[..])
    );
    let svg = get(&format!("{url}/favicon.svg"), Some("br, gzip")).await;
    assert_eq!((svg.encoding, svg.body.as_slice()), (None, &b"<svg/>"[..]));

    // The directory's index is precompressed too.
    let index = get(&format!("{url}/"), Some("br")).await;
    assert_eq!(
        (index.encoding.as_deref(), index.body.as_slice()),
        (Some("br"), &b"brotli of index"[..])
    );
}

#[tokio::test]
async fn every_answer_varies_by_encoding_and_only_hashed_names_are_immutable() {
    let dist = dist();
    let url = gateway(dist.path()).await;
    let immutable = "public, max-age=31536000, immutable";
    for (path, cache) in [
        (WASM.to_owned(), immutable),
        ("panel-9b989ca50a92313c.css".to_owned(), immutable),
        (String::new(), "no-cache"),
        ("index.html".to_owned(), "no-cache"),
        ("package/flowyte-copilot.js".to_owned(), "no-cache"),
        ("favicon.svg".to_owned(), "no-cache"),
    ] {
        for accept in [None, Some("br"), Some("gzip")] {
            let got = get(&format!("{url}/{path}"), accept).await;
            assert_eq!(got.status, 200, "/{path}");
            assert_eq!(got.cache, cache, "/{path} ({accept:?})");
            assert_eq!(
                got.vary.to_ascii_lowercase(),
                "accept-encoding",
                "/{path} ({accept:?})"
            );
        }
    }
    // A name that is not there yet may be tomorrow: its 404 is not cached for a year.
    let missing = get(
        &format!("{url}/flowyte-copilot-0123456789abcdef_bg.wasm"),
        Some("br"),
    )
    .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.cache, "no-cache");
}

#[tokio::test]
async fn a_twin_is_never_served_for_a_path_outside_dist() {
    let dist = dist();
    let url = gateway(dist.path()).await;
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/package/..%2f..%2fetc/passwd",
    ] {
        let got = get(&format!("{url}{path}"), Some("br, gzip")).await;
        assert!(
            got.status == 404 || got.status == 400,
            "{path}: {}",
            got.status
        );
    }
}
