//! A real OpenID Provider for the sign-in tests (npm `oidc-provider`, started from
//! `tests/oidc/provider.mjs` at the workspace root), and a browser that signs in on its own
//! login form: cookies kept, redirects followed one by one, forms submitted.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

/// The test client the provider knows the gateway as.
pub const CLIENT_ID: &str = "flowyte-copilot-gateway";
pub const CLIENT_SECRET: &str = "test-client-secret-not-for-production";

/// A running provider; stopped when dropped.
pub struct Provider {
    pub issuer: String,
    _child: tokio::process::Child,
    http: reqwest::Client,
}

fn script() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc/provider.mjs")
}

impl Provider {
    /// Starts the provider and registers the gateway at `gateway` (its origin) as its client.
    pub async fn start(gateway: &str) -> Self {
        let mut child = tokio::process::Command::new("node")
            .arg(script())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs (scripts/test installs the node packages)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let issuer = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                let line =
                    lines.next_line().await.unwrap().expect(
                        "the provider prints its address (npm ci installed oidc-provider?)",
                    );
                if let Some(url) = line.strip_prefix("oidc provider listening on ") {
                    break url.to_owned();
                }
            }
        })
        .await
        .expect("the provider starts within 20 s");
        // Keep reading its output so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let provider = Self {
            issuer,
            _child: child,
            http: reqwest::Client::new(),
        };
        provider
            .hook(
                "client",
                json!({
                    "redirect_uris": [format!("{gateway}/callback")],
                    "post_logout_redirect_uris": [format!("{gateway}/")],
                    "backchannel_logout_uri": format!("{gateway}/backchannel-logout"),
                }),
            )
            .await;
        provider
    }

    async fn hook(&self, name: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/__test/{name}", self.issuer))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "test hook {name}");
        response.json().await.unwrap()
    }

    /// The next ID token the provider issues gets `claims`, loses `remove`, and is signed
    /// with `key` ("current", "rotated" or "unknown").
    pub async fn tamper_next_id_token(&self, claims: Value, remove: &[&str], key: &str) {
        self.hook(
            "next-id-token",
            json!({"claims": claims, "remove": remove, "key": key}),
        )
        .await;
    }

    /// From now on the provider also publishes its "rotated" key.
    pub async fn rotate_keys(&self) {
        self.hook("rotate", json!({})).await;
    }

    /// A logout token for `sub` / `sid`, edited like [`Self::tamper_next_id_token`].
    pub async fn logout_token(
        &self,
        sub: Option<&str>,
        sid: Option<&str>,
        claims: Value,
        remove: &[&str],
        key: &str,
    ) -> String {
        let answer = self
            .hook(
                "logout-token",
                json!({"sub": sub, "sid": sid, "claims": claims, "remove": remove, "key": key}),
            )
            .await;
        answer["token"].as_str().unwrap().to_owned()
    }

    /// What the provider's back-channel logout calls got back.
    pub async fn backchannel_log(&self) -> Vec<Value> {
        self.http
            .get(format!("{}/__test/backchannel-log", self.issuer))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// A browser: keeps cookies, follows nothing by itself.
pub struct Browser {
    pub client: reqwest::Client,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
}

impl Default for Browser {
    fn default() -> Self {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        Self {
            client: reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar,
        }
    }
}

/// The value of attribute `name` in an HTML tag's text.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = start + tag[start..].find('"')?;
    Some(&tag[start..end])
}

fn html_unescape(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
}

impl Browser {
    /// Signs in at the gateway `gateway` as `login` on the provider's form, starting from
    /// `/login?returnTo=…`, and stops at the gateway's callback: its URL, not yet visited.
    pub async fn sign_in_until_callback(
        &self,
        gateway: &str,
        login: &str,
        return_to: &str,
    ) -> String {
        let start = format!("{gateway}/login?returnTo={}", urlencode(return_to));
        let mut next = (reqwest::Method::GET, start, Vec::<(String, String)>::new());
        for _ in 0..20 {
            let (method, url, form) = next;
            if url.starts_with(&format!("{gateway}/callback")) {
                return url;
            }
            let mut request = self
                .client
                .request(method, &url)
                .header("accept", "text/html");
            if !form.is_empty() {
                request = request.form(&form);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            if status.is_redirection() {
                let location = response.headers()["location"].to_str().unwrap();
                let resolved = reqwest::Url::parse(&url).unwrap().join(location).unwrap();
                next = (reqwest::Method::GET, resolved.to_string(), Vec::new());
                continue;
            }
            let page = response.text().await.unwrap();
            assert_eq!(status, 200, "{url}: {page}");
            let form_tag = page
                .split("<form")
                .nth(1)
                .and_then(|rest| rest.split('>').next())
                .unwrap_or_else(|| panic!("{url} shows no form: {page}"));
            let action = html_unescape(attribute(form_tag, "action").unwrap());
            let prompt = page
                .split("name=\"prompt\" value=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_default();
            let fields = match prompt {
                "login" => vec![
                    ("prompt".to_owned(), "login".to_owned()),
                    ("login".to_owned(), login.to_owned()),
                    ("password".to_owned(), "any password".to_owned()),
                ],
                "consent" => vec![("prompt".to_owned(), "consent".to_owned())],
                other => panic!("{url}: an unexpected form ({other}): {page}"),
            };
            let action = reqwest::Url::parse(&url).unwrap().join(&action).unwrap();
            next = (reqwest::Method::POST, action.to_string(), fields);
        }
        panic!("the sign-in did not reach the gateway's callback in 20 steps");
    }

    /// Visits `url` (the callback) and returns the answer, redirects not followed.
    pub async fn visit(&self, url: &str) -> reqwest::Response {
        self.client
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .unwrap()
    }

    /// Signs out at the provider (its end-session page, confirmed), as a person would from
    /// another application; the provider then calls the gateway's back-channel logout.
    pub async fn sign_out_at_provider(&self, provider: &Provider) {
        let page = self
            .client
            .get(format!("{}/session/end", provider.issuer))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let form_tag = page
            .split("<form")
            .nth(1)
            .and_then(|rest| rest.split('>').next())
            .unwrap_or_else(|| panic!("no logout form: {page}"));
        let action = html_unescape(attribute(form_tag, "action").unwrap());
        let xsrf = page
            .split("name=\"xsrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the logout form's xsrf field");
        let action = reqwest::Url::parse(&provider.issuer)
            .unwrap()
            .join(&action)
            .unwrap();
        let done = self
            .client
            .post(action)
            .form(&[("xsrf", xsrf), ("logout", "yes")])
            .send()
            .await
            .unwrap();
        assert!(
            done.status().is_redirection() || done.status().is_success(),
            "{}",
            done.status()
        );
    }
}

/// Percent-encodes a query value.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
