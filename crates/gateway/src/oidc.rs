//! The gateway as an OpenID Connect confidential client (the backend-for-frontend pattern of
//! "OAuth 2.0 for Browser-Based Applications"): the authorization code flow with PKCE (S256),
//! `state` and `nonce`; the ID token checked by the `openidconnect` crate (signature against
//! the provider's JWKS, `iss`, `aud`, `exp`/`iat` with a small clock skew, `nonce`); the
//! provider's logout (RP-Initiated Logout) and its back-channel logout tokens.
//!
//! The provider is discovered on first use, not at start, so a gateway starts while its
//! provider is briefly away. Its signing keys are fetched with the discovery and again when a
//! token names a key (`kid`) they lack, at most once every [`REFETCH_EVERY`]: providers rotate
//! keys, and a token from the back channel should not make the gateway hammer the provider.
//!
//! `openidconnect` has no logout-token type (its issue #68), so logout tokens are checked with
//! the `jsonwebtoken` crate against the same keys, by the rules of Back-Channel Logout 1.0 §2.6.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, ClaimsVerificationError, Client,
    ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IdToken, IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    SignatureVerificationError, StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::RwLock;

use crate::config::ProviderConfig;
use crate::policy::Person;
use crate::store::LoginState;

/// Fetch the keys again at most this often when a token names an unknown key.
pub const REFETCH_EVERY: Duration = Duration::from_secs(10);

/// Every claim of the ID token, so the configured groups claim can be read.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
struct OtherClaims {
    #[serde(flatten)]
    claims: serde_json::Map<String, Value>,
}
impl AdditionalClaims for OtherClaims {}

type Fields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type OidcIdToken = IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-in or a logout token failed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered nonsense (→ 502).
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider refused (a used code, a cancelled sign-in) (→ 400).
    #[error("the identity provider refused: {0}")]
    Refused(String),
    /// A token that must not be believed (→ 401 / 400).
    #[error("the token is not valid: {0}")]
    Invalid(String),
}

/// What the provider published: its metadata (the keys in it) and the same keys for
/// `jsonwebtoken`.
struct Published {
    metadata: ProviderMetadataWithLogout,
    logout_keys: Vec<jsonwebtoken::jwk::Jwk>,
    fetched: Instant,
}

/// A verified sign-in.
#[derive(Debug)]
pub struct SignedIn {
    pub person: Person,
    /// The provider's session, if it says (`sid`).
    pub sid: Option<String>,
    pub id_token: String,
}

/// The subject of a verified logout token.
#[derive(Debug, PartialEq, Eq)]
pub struct Logout {
    pub sub: Option<String>,
    pub sid: Option<String>,
}

/// The provider and what the gateway knows of it.
pub struct Oidc {
    config: ProviderConfig,
    redirect_url: RedirectUrl,
    http: reqwest::Client,
    published: RwLock<Option<Arc<Published>>>,
}

impl Oidc {
    /// A client of the provider in `config`, returning to `redirect_url`.
    pub fn new(config: ProviderConfig, redirect_url: &str) -> Result<Self, String> {
        IssuerUrl::new(config.issuer.clone())
            .map_err(|e| format!("provider.issuer {:?}: {e}", config.issuer))?;
        let redirect_url = RedirectUrl::new(redirect_url.to_owned())
            .map_err(|e| format!("redirect URL {redirect_url:?}: {e}"))?;
        let http = reqwest::Client::builder()
            // Following a redirect would let a provider's answer send the gateway anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()
            .expect("the HTTP client builds");
        Ok(Self {
            config,
            redirect_url,
            http,
            published: RwLock::new(None),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.config.issuer
    }

    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }

    /// The provider's metadata and keys, discovered now if not yet.
    async fn published(&self) -> Result<Arc<Published>, OidcError> {
        if let Some(published) = self.published.read().await.clone() {
            return Ok(published);
        }
        let mut slot = self.published.write().await;
        if let Some(published) = slot.clone() {
            return Ok(published);
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone()).expect("checked in new");
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Unavailable(format!("discovery: {e}")))?;
        let published = Arc::new(self.with_keys(metadata).await?);
        *slot = Some(Arc::clone(&published));
        Ok(published)
    }

    /// `metadata` with its keys fetched now (for both libraries, from one answer).
    async fn with_keys(
        &self,
        mut metadata: ProviderMetadataWithLogout,
    ) -> Result<Published, OidcError> {
        let text = self
            .http
            .get(metadata.jwks_uri().url().as_str())
            .header("accept", "application/json")
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| OidcError::Unavailable(format!("keys: {e}")))?
            .text()
            .await
            .map_err(|e| OidcError::Unavailable(format!("keys: {e}")))?;
        let keys: CoreJsonWebKeySet = serde_json::from_str(&text)
            .map_err(|e| OidcError::Unavailable(format!("keys: {e}")))?;
        // A key `jsonwebtoken` cannot read (another algorithm family) is skipped for logout
        // tokens only.
        let logout_keys = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v.get("keys").and_then(Value::as_array).cloned())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|key| serde_json::from_value(key).ok())
            .collect();
        metadata = metadata.set_jwks(keys);
        Ok(Published {
            metadata,
            logout_keys,
            fetched: Instant::now(),
        })
    }

    /// Fetches the keys again, unless that happened within [`REFETCH_EVERY`]; whether it did.
    async fn refetch_keys(&self, seen: &Arc<Published>) -> Result<bool, OidcError> {
        let mut slot = self.published.write().await;
        let current = slot.clone().unwrap_or_else(|| Arc::clone(seen));
        if !Arc::ptr_eq(&current, seen) {
            // Another request fetched them meanwhile.
            return Ok(true);
        }
        if current.fetched.elapsed() < REFETCH_EVERY {
            return Ok(false);
        }
        tracing::info!("a token names a key the provider's key set lacks: fetching it again");
        let published = Arc::new(self.with_keys(current.metadata.clone()).await?);
        *slot = Some(published);
        Ok(true)
    }

    fn client(&self, published: &Published) -> OidcClient {
        OidcClient::from_provider_metadata(
            published.metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(
                self.config.client_secret.expose().to_owned(),
            )),
        )
        .set_redirect_uri(self.redirect_url.clone())
    }

    /// Starts a sign-in: the provider's authorization URL, the `state` to find it by when
    /// the browser comes back, and what must be kept until then.
    pub async fn start(
        &self,
        return_to: String,
    ) -> Result<(String, String, LoginState), OidcError> {
        let published = self.published().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let client = self.client(&published);
        let mut request = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok((
            url.to_string(),
            state.secret().clone(),
            LoginState {
                pkce_verifier: verifier.secret().clone(),
                nonce: nonce.secret().clone(),
                return_to,
                binding: String::new(),
            },
        ))
    }

    /// Finishes a sign-in: exchanges `code` (with the PKCE verifier) and verifies the ID token.
    pub async fn finish(&self, code: &str, login: &LoginState) -> Result<SignedIn, OidcError> {
        let published = self.published().await?;
        let client = self.client(&published);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Unavailable(format!("token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::RequestTokenError::ServerResponse(refusal) => {
                    OidcError::Refused(refusal.to_string())
                }
                other => OidcError::Unavailable(format!("token endpoint: {other}")),
            })?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| OidcError::Invalid("the provider sent no ID token".to_owned()))?
            .clone();
        let nonce = Nonce::new(login.nonce.clone());
        match self.verify(&published, &id_token, &nonce) {
            Err(OidcError::Invalid(reason)) if reason == UNKNOWN_KEY => {
                if !self.refetch_keys(&published).await? {
                    return Err(OidcError::Invalid(reason));
                }
                let published = self.published().await?;
                self.verify(&published, &id_token, &nonce)
            }
            verified => verified,
        }
    }

    fn verify(
        &self,
        published: &Published,
        id_token: &OidcIdToken,
        nonce: &Nonce,
    ) -> Result<SignedIn, OidcError> {
        let client = self.client(published);
        let skew = chrono::Duration::from_std(self.config.clock_skew).expect("a small skew");
        let algorithms = published
            .metadata
            .id_token_signing_alg_values_supported()
            .clone();
        let verifier = client
            .id_token_verifier()
            .set_allowed_algs(algorithms)
            // `exp` may have passed by at most the skew…
            .set_time_fn(move || chrono::Utc::now() - skew)
            // …and `iat` must be now, give or take the skew: the token was just issued.
            .set_issue_time_verifier_fn(move |iat| {
                let now = chrono::Utc::now();
                if iat > now + skew {
                    Err(format!("issued in the future ({iat})"))
                } else if iat < now - skew - chrono::Duration::minutes(5) {
                    Err(format!("issued too long ago ({iat})"))
                } else {
                    Ok(())
                }
            });
        let claims = id_token.claims(&verifier, nonce).map_err(|e| match e {
            ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            ) => OidcError::Invalid(UNKNOWN_KEY.to_owned()),
            other => OidcError::Invalid(other.to_string()),
        })?;
        let other = &claims.additional_claims().claims;
        let groups = match other.get(&self.config.groups_claim) {
            Some(Value::Array(groups)) => groups
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(Value::String(group)) => vec![group.clone()],
            _ => Vec::new(),
        };
        let person = Person {
            issuer: self.config.issuer.clone(),
            sub: claims.subject().to_string(),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified().unwrap_or(false),
            groups,
        };
        Ok(SignedIn {
            person,
            sid: other.get("sid").and_then(Value::as_str).map(str::to_owned),
            id_token: id_token.to_string(),
        })
    }

    /// Where to send the browser to end its session at the provider, if the provider has an
    /// end-session endpoint.
    pub async fn end_session_url(&self, id_token: Option<&str>, after: &str) -> Option<String> {
        let published = self.published().await.ok()?;
        let endpoint = published
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let mut request = openidconnect::LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(self.config.client_id.clone()));
        if let Some(token) = id_token.and_then(|t| t.parse::<OidcIdToken>().ok()) {
            request = request.set_id_token_hint(&token);
        }
        if let Ok(after) = PostLogoutRedirectUrl::new(after.to_owned()) {
            request = request.set_post_logout_redirect_uri(after);
        }
        Some(request.http_get_url().to_string())
    }

    /// Verifies a back-channel logout token (Back-Channel Logout 1.0 §2.6); its `jti` must be
    /// checked for replay by the caller.
    pub async fn verify_logout_token(&self, token: &str) -> Result<(Logout, String), OidcError> {
        let published = self.published().await?;
        match self.check_logout_token(&published, token) {
            Err(OidcError::Invalid(reason)) if reason == UNKNOWN_KEY => {
                if !self.refetch_keys(&published).await? {
                    return Err(OidcError::Invalid(reason));
                }
                let published = self.published().await?;
                self.check_logout_token(&published, token)
            }
            checked => checked,
        }
    }

    fn check_logout_token(
        &self,
        published: &Published,
        token: &str,
    ) -> Result<(Logout, String), OidcError> {
        use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
        let invalid = |why: &str| OidcError::Invalid(why.to_owned());
        let header = decode_header(token).map_err(|e| OidcError::Invalid(e.to_string()))?;
        // Only the asymmetric algorithms a provider signs with; never `none` or a shared secret.
        if !matches!(
            header.alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
                | Algorithm::ES256
                | Algorithm::ES384
                | Algorithm::EdDSA
        ) {
            return Err(invalid("not signed with the provider's kind of key"));
        }
        let key = published
            .logout_keys
            .iter()
            .find(|k| header.kid.is_none() || k.common.key_id == header.kid)
            .ok_or_else(|| invalid(UNKNOWN_KEY))?;
        let key = DecodingKey::from_jwk(key).map_err(|e| OidcError::Invalid(e.to_string()))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.client_id]);
        validation.required_spec_claims = HashSet::from(["iss".to_owned(), "aud".to_owned()]);
        validation.leeway = self.config.clock_skew.as_secs();
        let claims = decode::<LogoutClaims>(token, &key, &validation)
            .map_err(|e| OidcError::Invalid(e.to_string()))?
            .claims;
        let now = chrono::Utc::now().timestamp();
        let skew = self.config.clock_skew.as_secs() as i64;
        let iat = claims.iat.ok_or_else(|| invalid("no iat"))?;
        if iat > now + skew || iat < now - skew - 300 {
            return Err(invalid("iat is not recent"));
        }
        if !claims
            .events
            .as_ref()
            .and_then(|e| e.get(BACKCHANNEL_EVENT))
            .is_some_and(Value::is_object)
        {
            return Err(invalid("not a logout token (no back-channel logout event)"));
        }
        if claims.nonce.is_some() {
            return Err(invalid("a logout token never carries a nonce"));
        }
        if claims.sub.is_none() && claims.sid.is_none() {
            return Err(invalid("names neither sub nor sid"));
        }
        let jti = claims.jti.ok_or_else(|| invalid("no jti"))?;
        Ok((
            Logout {
                sub: claims.sub,
                sid: claims.sid,
            },
            jti,
        ))
    }
}

/// The verification error that sends the gateway for the provider's keys again.
const UNKNOWN_KEY: &str = "signed by a key the provider does not publish";

const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

#[derive(Deserialize)]
struct LogoutClaims {
    iat: Option<i64>,
    jti: Option<String>,
    sub: Option<String>,
    sid: Option<String>,
    events: Option<serde_json::Map<String, Value>>,
    nonce: Option<Value>,
}
