//! Signed-in visitors: Genesys Cloud's authenticated web messaging. The site's identity
//! provider issues an authorization code; the service exchanges it for a JWT (and a
//! refresh token) that configures the socket instead of an anonymous session. This is
//! the flow's state, pure: the runtime makes the requests it asks for and reports their
//! answers. See docs/protocol-genesys.md, "Signed-in visitors".

use guest_chat_protocol::pkce::{base64url, base64url_decode, s256_challenge};
use guest_chat_protocol::query::encode_component;

/// What the site's provider handed over for one sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthCode {
    pub code: String,
    pub redirect_uri: String,
    /// PKCE's verifier, when the code was issued for a challenge.
    pub code_verifier: Option<String>,
    pub nonce: Option<String>,
    pub max_age: Option<u32>,
}

/// A PKCE pair (RFC 7636, method S256): the verifier stays with the widget, the
/// challenge goes to the authorize URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    /// The pair made from 32 random bytes (the verifier is their base64url, 43
    /// characters, as RFC 7636 §4.1 recommends).
    pub fn from_random(bytes: &[u8; 32]) -> Pkce {
        let verifier = base64url(bytes);
        let challenge = Pkce::challenge_of(&verifier);
        Pkce {
            verifier,
            challenge,
        }
    }

    /// `BASE64URL(SHA256(verifier))`.
    pub fn challenge_of(verifier: &str) -> String {
        s256_challenge(verifier)
    }
}

/// The site's identity provider, for a sign-in the widget runs itself in a window of
/// its own (`data-auth-authorize-url` and the rest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInPage {
    pub authorize_url: String,
    pub client_id: String,
    pub scope: String,
    /// Where the provider sends the window back; the page's own address without one.
    /// It must be of the page's origin, for the widget to read the code from it.
    pub redirect_uri: Option<String>,
}

/// One run of the authorize page: what goes to the provider, and what must come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRequest {
    pub pkce: Pkce,
    /// Answers must carry it back (RFC 6749 §10.12): a code meant for another request
    /// is refused.
    pub state: String,
    pub nonce: String,
    pub redirect_uri: String,
}

impl SignInRequest {
    /// A request from 64 random bytes: the verifier, the state and the nonce.
    pub fn from_random(bytes: &[u8; 64], redirect_uri: String) -> SignInRequest {
        let mut verifier = [0u8; 32];
        verifier.copy_from_slice(&bytes[..32]);
        SignInRequest {
            pkce: Pkce::from_random(&verifier),
            state: base64url(&bytes[32..48]),
            nonce: base64url(&bytes[48..]),
            redirect_uri,
        }
    }

    /// The authorize page's address: the code flow with PKCE (S256) and a nonce.
    pub fn authorize_address(&self, page: &SignInPage) -> String {
        let query = [
            ("response_type", "code"),
            ("client_id", page.client_id.as_str()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("scope", page.scope.as_str()),
            ("state", self.state.as_str()),
            ("nonce", self.nonce.as_str()),
            ("code_challenge", self.pkce.challenge.as_str()),
            ("code_challenge_method", "S256"),
        ]
        .iter()
        .map(|(name, value)| format!("{name}={}", encode_component(value)))
        .collect::<Vec<_>>()
        .join("&");
        let separator = if page.authorize_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{separator}{query}", page.authorize_url)
    }

    /// What the sign-in window's address says, once it is back at the redirect URI.
    pub fn read_answer(&self, address: &str) -> ProviderAnswer {
        let Some(rest) = address.strip_prefix(self.redirect_uri.as_str()) else {
            return ProviderAnswer::Pending;
        };
        let query = rest.split('#').next().unwrap_or_default();
        let query = query.strip_prefix('?').unwrap_or_default();
        let value = |wanted: &str| {
            query.split('&').find_map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (name == wanted).then(|| decode_component(value))
            })
        };
        match (value("code"), value("error"), value("state")) {
            (_, Some(_), _) => ProviderAnswer::Refused,
            (Some(_), _, state) if state.as_deref() != Some(self.state.as_str()) => {
                ProviderAnswer::Refused
            }
            (Some(code), ..) if !code.is_empty() => ProviderAnswer::Code(AuthCode {
                code,
                redirect_uri: self.redirect_uri.clone(),
                code_verifier: Some(self.pkce.verifier.clone()),
                nonce: Some(self.nonce.clone()),
                max_age: None,
            }),
            _ => ProviderAnswer::Pending,
        }
    }
}

/// The sign-in window's state, read from its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderAnswer {
    /// Still at the provider (or not yet back with an answer).
    Pending,
    Code(AuthCode),
    /// The provider said no, or the answer is not for this request.
    Refused,
}

/// A query string's value as text: `+` and `%XX` undone; bytes that are not UTF-8 are
/// replaced.
fn decode_component(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// How long a JWT lives, from its own claims: `exp - iat` when it says when it was
/// issued, so that a visitor's clock that is off changes nothing; else `exp` against
/// `now_s`. `None` when it is not a JWT or names no expiry.
pub fn jwt_lifetime_s(jwt: &str, now_s: u64) -> Option<u64> {
    let payload = jwt.split('.').nth(1)?;
    // From a `str`, as every other read: `from_slice` would link a second JSON reader.
    let text = String::from_utf8(base64url_decode(payload)?).ok()?;
    let claims: Claims = serde_json::from_str(&text).ok()?;
    let exp = claims.exp?;
    Some(match claims.iat {
        Some(iat) => exp.saturating_sub(iat),
        None => exp.saturating_sub(now_s),
    })
}

#[derive(serde::Deserialize)]
struct Claims {
    exp: Option<u64>,
    iat: Option<u64>,
}

/// Refresh this long before the JWT expires, and never sooner than this after getting it.
pub const REFRESH_MARGIN_S: u64 = 60;
pub const REFRESH_AT_LEAST_S: u64 = 5;

/// When to refresh a JWT that lives `lifetime_s` from now: a margin before its end, at
/// most halfway through a short one.
pub fn refresh_delay_ms(lifetime_s: u64) -> u64 {
    let before_end = lifetime_s.saturating_sub(REFRESH_MARGIN_S);
    before_end.max(lifetime_s / 2).max(REFRESH_AT_LEAST_S) * 1000
}

/// The JWT and what renews it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tokens {
    pub jwt: String,
    /// Absent where the provider's flow gives none: the JWT then cannot be renewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Why signing in or staying signed in failed; the visitor is told each in words, the
/// page hears it as `Auth.authError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthFailure {
    /// The service refused the code (invalid, expired, used, or for another redirect).
    CodeRefused,
    /// The refresh token is no longer good (revoked, expired): sign in again.
    Expired,
    /// The service could not be reached, or answered with an error of its own.
    Unavailable,
    /// The browser did not let the sign-in window open.
    WindowBlocked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthState {
    Anonymous,
    /// The code is being exchanged for a JWT.
    Exchanging,
    SignedIn(Tokens),
    /// The JWT is being renewed; the old one stands until the answer.
    Refreshing(Tokens),
    SigningOut,
    /// Signing in failed or lapsed: nothing continues as anonymous in its place.
    Failed(AuthFailure),
}

/// What the runtime reports to the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthEvent {
    SignIn(AuthCode),
    Exchanged {
        tokens: Tokens,
        lifetime_s: Option<u64>,
    },
    /// `status` 0: no answer at all.
    ExchangeRefused {
        status: u16,
    },
    RefreshDue,
    Refreshed {
        jwt: String,
        lifetime_s: Option<u64>,
    },
    RefreshRefused {
        status: u16,
    },
    /// The socket refused the JWT (401, or an authentication failure).
    Unauthorized,
    SignOut,
    /// The revocation was answered, however.
    Revoked,
    /// The service logged this identity out (on another device, or a revocation).
    LoggedOutElsewhere,
    /// The sign-in window could not open.
    WindowBlocked,
    /// The provider refused the sign-in, or answered another request.
    ProviderRefused,
}

/// What the flow asks the runtime (and the conversation) to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthEffect {
    Exchange(AuthCode),
    Refresh {
        refresh_token: String,
    },
    Revoke {
        jwt: String,
    },
    ScheduleRefresh {
        delay_ms: u64,
    },
    CancelRefresh,
    /// Configure the conversation's socket as this visitor, from a new connection.
    Authenticate {
        jwt: String,
    },
    /// Forget the signed-in conversation: its session, its transcript, its tokens.
    ForgetSignedIn,
    SignedIn,
    SignedOut,
    Failed(AuthFailure),
}

/// A JWT whose claims name no lifetime is renewed after this long.
const UNSAID_LIFETIME_S: u64 = 300;

/// The sign-in flow of one chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth {
    pub state: AuthState,
    /// A refresh the socket's refusal asked for: the socket is configured again after it.
    reconfigure: bool,
}

impl Default for Auth {
    fn default() -> Self {
        Auth {
            state: AuthState::Anonymous,
            reconfigure: false,
        }
    }
}

impl Auth {
    /// The JWT that configures the socket and reads the history, while there is one.
    pub fn jwt(&self) -> Option<&str> {
        match &self.state {
            AuthState::SignedIn(tokens) | AuthState::Refreshing(tokens) => Some(&tokens.jwt),
            _ => None,
        }
    }

    /// The tokens to keep with the conversation, while signed in.
    pub fn tokens(&self) -> Option<&Tokens> {
        match &self.state {
            AuthState::SignedIn(tokens) | AuthState::Refreshing(tokens) => Some(tokens),
            _ => None,
        }
    }

    /// Signed in again from kept tokens (a reload): renewed soon, since how long ago
    /// the JWT was issued is not known here; a socket that refuses it renews it at once.
    pub fn restore(&mut self, tokens: Tokens) -> Vec<AuthEffect> {
        let lifetime = jwt_lifetime_s(&tokens.jwt, 0).unwrap_or(UNSAID_LIFETIME_S);
        self.state = AuthState::SignedIn(tokens);
        vec![AuthEffect::ScheduleRefresh {
            delay_ms: refresh_delay_ms(lifetime / 2),
        }]
    }

    pub fn apply(&mut self, event: AuthEvent) -> Vec<AuthEffect> {
        use AuthEffect as E;
        match (
            std::mem::replace(&mut self.state, AuthState::Anonymous),
            event,
        ) {
            // One sign-in or sign-out at a time: a code that comes meanwhile is dropped
            // (the page hears the outcome of the first and may sign in again after it).
            (state @ (AuthState::Exchanging | AuthState::SigningOut), AuthEvent::SignIn(_)) => {
                self.state = state;
                vec![]
            }
            (_, AuthEvent::SignIn(code)) => {
                self.state = AuthState::Exchanging;
                vec![E::Exchange(code)]
            }
            (AuthState::Exchanging, AuthEvent::Exchanged { tokens, lifetime_s }) => {
                let jwt = tokens.jwt.clone();
                self.state = AuthState::SignedIn(tokens);
                vec![
                    E::ScheduleRefresh {
                        delay_ms: refresh_delay_ms(lifetime_s.unwrap_or(UNSAID_LIFETIME_S)),
                    },
                    E::Authenticate { jwt },
                    E::SignedIn,
                ]
            }
            (AuthState::Exchanging, AuthEvent::ExchangeRefused { status }) => {
                let failure = match status {
                    400 | 401 | 403 => AuthFailure::CodeRefused,
                    _ => AuthFailure::Unavailable,
                };
                self.state = AuthState::Failed(failure);
                vec![E::Failed(failure)]
            }
            (AuthState::SignedIn(tokens), AuthEvent::RefreshDue) => self.refresh(tokens, false),
            (AuthState::SignedIn(tokens), AuthEvent::Unauthorized) => self.refresh(tokens, true),
            (AuthState::Refreshing(tokens), AuthEvent::Refreshed { jwt, lifetime_s }) => {
                let mut effects = vec![E::ScheduleRefresh {
                    delay_ms: refresh_delay_ms(lifetime_s.unwrap_or(UNSAID_LIFETIME_S)),
                }];
                if std::mem::take(&mut self.reconfigure) {
                    effects.push(E::Authenticate { jwt: jwt.clone() });
                }
                self.state = AuthState::SignedIn(Tokens { jwt, ..tokens });
                effects
            }
            (AuthState::Refreshing(tokens), AuthEvent::Unauthorized) => {
                // Refused while a refresh is under way: configure again once it is done.
                self.reconfigure = true;
                self.state = AuthState::Refreshing(tokens);
                vec![]
            }
            (AuthState::Refreshing(_), AuthEvent::RefreshRefused { status }) => {
                self.reconfigure = false;
                let failure = match status {
                    400 | 401 | 403 => AuthFailure::Expired,
                    _ => AuthFailure::Unavailable,
                };
                self.state = AuthState::Failed(failure);
                vec![E::CancelRefresh, E::ForgetSignedIn, E::Failed(failure)]
            }
            (AuthState::SignedIn(tokens) | AuthState::Refreshing(tokens), AuthEvent::SignOut) => {
                // Forgotten before the revocation is answered: a page closed meanwhile
                // keeps nothing of the signed-in conversation.
                self.state = AuthState::SigningOut;
                vec![
                    E::CancelRefresh,
                    E::ForgetSignedIn,
                    E::Revoke { jwt: tokens.jwt },
                ]
            }
            (state, AuthEvent::WindowBlocked) => {
                self.state = state;
                vec![E::Failed(AuthFailure::WindowBlocked)]
            }
            (AuthState::Anonymous | AuthState::Failed(_), AuthEvent::ProviderRefused) => {
                self.state = AuthState::Failed(AuthFailure::CodeRefused);
                vec![E::Failed(AuthFailure::CodeRefused)]
            }
            (AuthState::SigningOut, AuthEvent::Revoked) => vec![E::SignedOut],
            (AuthState::Failed(_), AuthEvent::SignOut) => vec![E::ForgetSignedIn, E::SignedOut],
            (AuthState::SignedIn(_) | AuthState::Refreshing(_), AuthEvent::LoggedOutElsewhere) => {
                vec![E::CancelRefresh, E::ForgetSignedIn, E::SignedOut]
            }
            // Anything else is an answer to a request this state no longer waits for.
            (state, _) => {
                self.state = state;
                vec![]
            }
        }
    }

    fn refresh(&mut self, tokens: Tokens, reconfigure: bool) -> Vec<AuthEffect> {
        match tokens.refresh_token.clone() {
            Some(refresh_token) => {
                self.reconfigure = reconfigure;
                self.state = AuthState::Refreshing(tokens);
                vec![AuthEffect::Refresh { refresh_token }]
            }
            None => {
                self.state = AuthState::Failed(AuthFailure::Expired);
                vec![
                    AuthEffect::ForgetSignedIn,
                    AuthEffect::Failed(AuthFailure::Expired),
                ]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> AuthCode {
        AuthCode {
            code: "c-1".into(),
            redirect_uri: "https://shop.example/back".into(),
            code_verifier: Some("v".into()),
            nonce: None,
            max_age: None,
        }
    }

    fn tokens(jwt: &str, refresh: Option<&str>) -> Tokens {
        Tokens {
            jwt: jwt.into(),
            refresh_token: refresh.map(Into::into),
        }
    }

    fn signed_in(refresh: Option<&str>) -> Auth {
        let mut auth = Auth::default();
        auth.apply(AuthEvent::SignIn(code()));
        auth.apply(AuthEvent::Exchanged {
            tokens: tokens("j1", refresh),
            lifetime_s: Some(300),
        });
        auth
    }

    #[test]
    fn a_code_becomes_a_jwt_that_configures_the_socket_and_is_renewed_before_it_ends() {
        let mut auth = Auth::default();
        assert_eq!(
            auth.apply(AuthEvent::SignIn(code())),
            [AuthEffect::Exchange(code())]
        );
        assert_eq!(auth.jwt(), None);
        let effects = auth.apply(AuthEvent::Exchanged {
            tokens: tokens("j1", Some("r1")),
            lifetime_s: Some(300),
        });
        assert_eq!(
            effects,
            [
                AuthEffect::ScheduleRefresh { delay_ms: 240_000 },
                AuthEffect::Authenticate { jwt: "j1".into() },
                AuthEffect::SignedIn,
            ]
        );
        assert_eq!(
            auth.apply(AuthEvent::RefreshDue),
            [AuthEffect::Refresh {
                refresh_token: "r1".into()
            }]
        );
        // The old JWT stands while the new one comes; the socket is not disturbed.
        assert_eq!(auth.jwt(), Some("j1"));
        let effects = auth.apply(AuthEvent::Refreshed {
            jwt: "j2".into(),
            lifetime_s: Some(300),
        });
        assert_eq!(effects, [AuthEffect::ScheduleRefresh { delay_ms: 240_000 }]);
        assert_eq!(auth.jwt(), Some("j2"));
    }

    #[test]
    fn a_refused_socket_refreshes_once_and_configures_again() {
        let mut auth = signed_in(Some("r1"));
        assert_eq!(
            auth.apply(AuthEvent::Unauthorized),
            [AuthEffect::Refresh {
                refresh_token: "r1".into()
            }]
        );
        // A second refusal while refreshing asks for nothing more.
        assert_eq!(auth.apply(AuthEvent::Unauthorized), []);
        let effects = auth.apply(AuthEvent::Refreshed {
            jwt: "j2".into(),
            lifetime_s: None,
        });
        assert_eq!(
            effects,
            [
                AuthEffect::ScheduleRefresh { delay_ms: 240_000 },
                AuthEffect::Authenticate { jwt: "j2".into() },
            ]
        );
    }

    #[test]
    fn each_fault_ends_in_a_failure_said_once_never_a_retry_loop_or_an_anonymous_chat() {
        for (status, failure) in [
            (400, AuthFailure::CodeRefused),
            (401, AuthFailure::CodeRefused),
            (0, AuthFailure::Unavailable),
            (502, AuthFailure::Unavailable),
        ] {
            let mut auth = Auth::default();
            auth.apply(AuthEvent::SignIn(code()));
            assert_eq!(
                auth.apply(AuthEvent::ExchangeRefused { status }),
                [AuthEffect::Failed(failure)]
            );
            assert_eq!(auth.state, AuthState::Failed(failure));
            // Late answers and timers change nothing.
            assert_eq!(auth.apply(AuthEvent::RefreshDue), []);
            assert_eq!(auth.apply(AuthEvent::Unauthorized), []);
        }
        let mut revoked = signed_in(Some("r1"));
        revoked.apply(AuthEvent::RefreshDue);
        assert_eq!(
            revoked.apply(AuthEvent::RefreshRefused { status: 401 }),
            [
                AuthEffect::CancelRefresh,
                AuthEffect::ForgetSignedIn,
                AuthEffect::Failed(AuthFailure::Expired)
            ]
        );
        assert_eq!(revoked.jwt(), None);
        let mut unrenewable = signed_in(None);
        assert_eq!(
            unrenewable.apply(AuthEvent::RefreshDue),
            [
                AuthEffect::ForgetSignedIn,
                AuthEffect::Failed(AuthFailure::Expired)
            ]
        );
    }

    #[test]
    fn signing_out_revokes_then_forgets_everything_signed_in() {
        let mut auth = signed_in(Some("r1"));
        assert_eq!(
            auth.apply(AuthEvent::SignOut),
            [
                AuthEffect::CancelRefresh,
                AuthEffect::ForgetSignedIn,
                AuthEffect::Revoke { jwt: "j1".into() }
            ]
        );
        assert_eq!(auth.jwt(), None);
        assert_eq!(auth.apply(AuthEvent::Revoked), [AuthEffect::SignedOut]);
        assert_eq!(auth.state, AuthState::Anonymous);
        // Signing in again starts over.
        assert_eq!(
            auth.apply(AuthEvent::SignIn(code())),
            [AuthEffect::Exchange(code())]
        );
    }

    #[test]
    fn a_logout_elsewhere_forgets_without_revoking_and_kept_tokens_sign_in_again() {
        let mut auth = signed_in(Some("r1"));
        assert_eq!(
            auth.apply(AuthEvent::LoggedOutElsewhere),
            [
                AuthEffect::CancelRefresh,
                AuthEffect::ForgetSignedIn,
                AuthEffect::SignedOut
            ]
        );
        assert_eq!(auth.jwt(), None);
        assert_eq!(auth.apply(AuthEvent::LoggedOutElsewhere), []);
        let kept = tokens(&jwt(r#"{"iat":1000,"exp":1600}"#), Some("r1"));
        let mut restored = Auth::default();
        assert_eq!(
            restored.restore(kept.clone()),
            [AuthEffect::ScheduleRefresh { delay_ms: 240_000 }]
        );
        assert_eq!(restored.tokens(), Some(&kept));
    }

    #[test]
    fn the_pkce_pair_is_rfc_7636s_test_vector() {
        // RFC 7636, Appendix B: these 32 octets, their verifier and its S256 challenge.
        let octets: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let pair = Pkce::from_random(&octets);
        assert_eq!(pair.verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            pair.challenge,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.sig",
            base64url(br#"{"alg":"HS256"}"#),
            base64url(claims.as_bytes())
        )
    }

    #[test]
    fn a_jwts_lifetime_comes_from_its_claims_whatever_the_clock_says() {
        let token = jwt(r#"{"sub":"ada","iat":100000,"exp":100300}"#);
        // The visitor's clock an hour fast, or a day slow: the same five minutes.
        assert_eq!(jwt_lifetime_s(&token, 100_000 + 3600), Some(300));
        assert_eq!(jwt_lifetime_s(&token, 100_000 - 86_400), Some(300));
        assert_eq!(jwt_lifetime_s(&jwt(r#"{"exp":2000}"#), 1500), Some(500));
        assert_eq!(jwt_lifetime_s(&jwt(r#"{"sub":"ada"}"#), 1500), None);
        assert_eq!(jwt_lifetime_s("not a jwt", 1500), None);
        assert_eq!(jwt_lifetime_s("a.%%%.c", 1500), None);
    }

    #[test]
    fn refreshing_comes_a_minute_before_the_end_and_never_at_once() {
        assert_eq!(refresh_delay_ms(3600), 3540 * 1000);
        assert_eq!(refresh_delay_ms(90), 45 * 1000);
        assert_eq!(refresh_delay_ms(4), 5 * 1000);
    }

    fn request() -> (SignInPage, SignInRequest) {
        let page = SignInPage {
            authorize_url: "https://id.example/authorize?tenant=shop".into(),
            client_id: "web chat".into(),
            scope: "openid profile email".into(),
            redirect_uri: None,
        };
        let bytes: [u8; 64] = std::array::from_fn(|i| i as u8);
        (
            page,
            SignInRequest::from_random(&bytes, "https://shop.example/signed-in".into()),
        )
    }

    #[test]
    fn the_authorize_address_asks_for_a_code_with_pkce_state_and_nonce() {
        let (page, request) = request();
        let address = request.authorize_address(&page);
        assert!(address.starts_with("https://id.example/authorize?tenant=shop&response_type=code&"));
        assert!(address.contains("&client_id=web%20chat&"));
        assert!(address.contains("&redirect_uri=https%3A%2F%2Fshop.example%2Fsigned-in&"));
        assert!(address.contains("&scope=openid%20profile%20email&"));
        assert!(address.contains(&format!("&code_challenge={}&", request.pkce.challenge)));
        assert!(address.ends_with("&code_challenge_method=S256"));
        assert_eq!(
            Pkce::challenge_of(&request.pkce.verifier),
            request.pkce.challenge
        );
        assert_ne!(request.state, request.nonce);
    }

    #[test]
    fn only_an_answer_at_the_redirect_with_this_requests_state_is_a_code() {
        let (_, request) = request();
        let back =
            |query: &str| request.read_answer(&format!("https://shop.example/signed-in{query}"));
        assert_eq!(request.read_answer("about:blank"), ProviderAnswer::Pending);
        assert_eq!(
            request.read_answer("https://shop.example/?code=x"),
            ProviderAnswer::Pending
        );
        assert_eq!(back(""), ProviderAnswer::Pending);
        match back(&format!("?code=a%2Bb+c&state={}#top", request.state)) {
            ProviderAnswer::Code(code) => {
                assert_eq!(code.code, "a+b c");
                assert_eq!(code.redirect_uri, "https://shop.example/signed-in");
                assert_eq!(
                    code.code_verifier.as_deref(),
                    Some(request.pkce.verifier.as_str())
                );
                assert_eq!(code.nonce.as_deref(), Some(request.nonce.as_str()));
            }
            other => panic!("expected a code, got {other:?}"),
        }
        assert_eq!(back("?code=x&state=another"), ProviderAnswer::Refused);
        assert_eq!(back("?code=x"), ProviderAnswer::Refused);
        assert_eq!(
            back("?error=access_denied&state=s"),
            ProviderAnswer::Refused
        );
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz%e2%82%ac"), "%zz€");
    }

    #[test]
    fn a_blocked_window_or_a_refusing_provider_is_said_and_nothing_starts() {
        let mut auth = Auth::default();
        assert_eq!(
            auth.apply(AuthEvent::WindowBlocked),
            vec![AuthEffect::Failed(AuthFailure::WindowBlocked)]
        );
        assert_eq!(auth.state, AuthState::Anonymous);
        assert_eq!(
            auth.apply(AuthEvent::ProviderRefused),
            vec![AuthEffect::Failed(AuthFailure::CodeRefused)]
        );
        assert_eq!(auth.state, AuthState::Failed(AuthFailure::CodeRefused));
        // A second window's code after a refusal signs in as usual.
        assert_eq!(
            auth.apply(AuthEvent::SignIn(code())),
            vec![AuthEffect::Exchange(code())]
        );
        // While exchanging, a late refusal of another window changes nothing.
        assert_eq!(auth.apply(AuthEvent::ProviderRefused), vec![]);
        assert_eq!(auth.state, AuthState::Exchanging);
    }
}
