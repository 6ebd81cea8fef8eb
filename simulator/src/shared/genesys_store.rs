//! Genesys Cloud Web Messaging's sessions, tokens and files as held in the simulator's
//! state.

use super::{now_millis, Outbound};
use serde_json::Value;
use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    sync::atomic::AtomicU64,
    time::{Duration, Instant},
};
use tokio::sync::mpsc;

/// A deployment id that the simulator knows unless told otherwise.
pub const DEFAULT_DEPLOYMENT: &str = "5b1f0ef4-4c1a-4c0e-9d37-000000000001";

/// A file served at `/downloads/{id}` while the address's `exp` lies ahead.
pub(crate) struct StoredFile {
    pub(crate) name: String,
    pub(crate) mime: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) lifetime: Duration,
}

/// A file a guest announced with `onAttachment`, waiting for its `PUT`.
pub(crate) struct ExpectedUpload {
    pub(crate) token: String,
    pub(crate) name: String,
    pub(crate) mime: String,
    pub(crate) size: usize,
}

/// The settings of the Genesys side.
#[derive(Debug, Clone)]
pub struct GenesysConfig {
    pub deployments: Vec<String>,
    /// A guest session ends this long after its last activity.
    pub session_ttl: Duration,
    /// Settings laid over the deployment's default `config.json` (a JSON object; `null`
    /// removes a field), as an admin would set them in Messenger Configurations.
    pub deployment_settings: Value,
    /// How long a signed-in visitor's JWT from the token exchange lives.
    pub auth_jwt_ttl: Duration,
}

impl Default for GenesysConfig {
    fn default() -> Self {
        GenesysConfig {
            deployments: vec![DEFAULT_DEPLOYMENT.into()],
            session_ttl: Duration::from_secs(900),
            deployment_settings: Value::Null,
            auth_jwt_ttl: Duration::from_secs(300),
        }
    }
}

pub(crate) struct Conn {
    pub(crate) id: u64,
    pub(crate) tx: mpsc::UnboundedSender<Outbound>,
}

/// One guest session, found by the token the client made up.
pub(crate) struct GuestSession {
    pub(crate) deployment: String,
    pub(crate) connections: Vec<Conn>,
    pub(crate) last_activity: Instant,
    pub(crate) read_only: bool,
    /// Every message and event of the conversation, oldest first, as history shows it.
    pub(crate) history: Vec<Value>,
    pub(crate) custom_attributes: BTreeMap<String, String>,
    /// Send times of the last guest messages, for the rate limit.
    pub(crate) recent_sends: VecDeque<Instant>,
    /// Raw text of every request, for tests.
    pub(crate) received: Vec<String>,
    /// A person acts through the control API: the scripted agent keeps quiet.
    pub(crate) taken_over: bool,
    /// Milliseconds since the Unix epoch.
    pub(crate) created_at: u64,
    /// Sessions are listed newest first by this: milliseconds can tie.
    pub(crate) serial: u64,
    /// Who the identity provider vouched for, in a signed-in visitor's session.
    pub(crate) identity: Option<Identity>,
}

/// A code issued and not yet redeemed.
pub(crate) struct IssuedCode {
    pub(crate) subject: String,
    pub(crate) redirect_uri: String,
    pub(crate) challenge: Option<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) issued: Instant,
}

/// A signed-in visitor as the provider named them.
#[derive(Clone, Debug)]
pub(crate) struct Identity {
    pub(crate) subject: String,
    pub(crate) name: String,
    pub(crate) email: String,
}

/// A JWT of the token exchange: whose, until when (epoch seconds), and the refresh
/// token it came with.
pub(crate) struct SignedInJwt {
    pub(crate) identity: Identity,
    pub(crate) exp: u64,
    pub(crate) refresh_token: String,
}

/// The switches of signed-in sessions the control API turns.
#[derive(Default, Clone, Copy, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthSwitches {
    /// The exchange refuses every code (400), as for a code of another client.
    pub refuse_exchange: bool,
    /// The exchange and the refresh answer 503, as when the service is down.
    pub unavailable: bool,
    /// The refresh refuses every refresh token (401), as for a revoked one.
    pub refuse_refresh: bool,
    /// The JWTs' lifetime in seconds, instead of the command line's.
    pub jwt_seconds: Option<u64>,
}

impl GuestSession {
    pub(crate) fn new(deployment: &str, serial: u64) -> Self {
        GuestSession {
            deployment: deployment.into(),
            connections: Vec::new(),
            last_activity: Instant::now(),
            read_only: false,
            history: Vec::new(),
            custom_attributes: BTreeMap::new(),
            recent_sends: VecDeque::new(),
            received: Vec::new(),
            taken_over: false,
            created_at: now_millis(),
            serial,
            identity: None,
        }
    }

    /// Sends `frame` to every connection of the session.
    pub(crate) fn broadcast(&self, frame: &str) {
        for conn in &self.connections {
            let _ = conn.tx.send(Outbound::Text(frame.to_string()));
        }
    }
}

#[derive(Default)]
pub(crate) struct GenesysState {
    pub(crate) sessions: HashMap<String, GuestSession>,
    pub(crate) sessions_made: u64,
    /// JWT → (session token, expiry in epoch seconds).
    pub(crate) jwts: HashMap<String, (String, u64)>,
    pub(crate) rate_limit_off: bool,
    /// The deployment refuses the guest's typing events (403), as when it is turned off.
    pub(crate) guest_typing_off: bool,
    /// Files agents sent and guests uploaded: id → (name, mime, bytes, the address's
    /// lifetime).
    pub(crate) files: HashMap<String, StoredFile>,
    /// Uploads announced and not yet made, by attachment id.
    pub(crate) uploads: HashMap<String, ExpectedUpload>,
    /// Every upload is refused after it arrives (`UploadFailureEvent`), as a content
    /// scan that finds something would.
    pub(crate) refuse_uploads: bool,
    /// Where this server is reached, for download addresses (from the last request).
    pub(crate) origin: String,
    pub(crate) next_connection: AtomicU64,
    /// Settings the control API laid over the command line's, in order, until reset.
    pub(crate) deployment_settings: Vec<Value>,
    /// Codes the identity provider issued and nobody redeemed yet.
    pub(crate) oauth_codes: HashMap<String, IssuedCode>,
    /// JWTs of signed-in visitors, and their refresh tokens (→ the identity).
    pub(crate) signed_in_jwts: HashMap<String, SignedInJwt>,
    pub(crate) refresh_tokens: HashMap<String, Identity>,
    /// Session tokens configured as a signed-in visitor → the identity's session key.
    /// Such a token never configures a guest session again (4017).
    pub(crate) authenticated_tokens: HashMap<String, String>,
    pub(crate) auth_switches: AuthSwitches,
}
