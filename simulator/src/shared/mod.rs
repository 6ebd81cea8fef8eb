//! What both protocols, the scripted agent and the console share: the simulator's
//! configuration and state, the outbound writer, the shape of a session as the console
//! shows it, and answers every part gives alike.

mod genesys_store;
mod outbound;
mod tutorial_store;

pub use genesys_store::{AuthSwitches, GenesysConfig, DEFAULT_DEPLOYMENT};
pub(crate) use genesys_store::{
    Conn, ExpectedUpload, GenesysState, GuestSession, Identity, IssuedCode, SignedInJwt, StoredFile,
};
pub(crate) use outbound::write_outbound;
pub use outbound::Outbound;
pub(crate) use tutorial_store::{Connection, FailPlan, NewSession, Session, MAX_RECEIVED_LOG};

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use guest_chat_protocol::{ErrorBody, RoutingStatus};
use serde::Serialize;
use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard, OnceLock,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// The name the scripted agent, and an agent who gives none, goes by.
pub const AGENT_NAME: &str = "Sam";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AgentMode {
    /// Queue briefly, connect, greet, and answer each message after a typing pause.
    Scripted,
    /// Nobody: routing stays `queued` until the console or the control API acts.
    None,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Access tokens accepted as `Authorization: Bearer …` on the REST call.
    pub access_tokens: Vec<String>,
    /// Organization of every session this server creates.
    pub organization_id: String,
    /// Lifetime of a guest token.
    pub expires_in: Duration,
    pub agent: AgentMode,
    /// How long the scripted agent keeps a new guest queued.
    pub queue_time: Duration,
    /// How long the scripted agent "types" before each answer.
    pub typing_time: Duration,
    /// Largest guest frame accepted; a larger one closes the socket with 1009.
    pub max_frame_bytes: usize,
    pub console: bool,
    pub control: bool,
    /// Built widget served at `/`.
    pub dist: Option<PathBuf>,
    /// Genesys Cloud Web Messaging, served beside the tutorial's API.
    pub genesys: GenesysConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            access_tokens: vec!["dev-access-token".into()],
            organization_id: "gen-local-simulator".into(),
            expires_in: Duration::from_secs(86_400),
            agent: AgentMode::Scripted,
            queue_time: Duration::from_millis(1500),
            typing_time: Duration::from_millis(900),
            max_frame_bytes: 64 * 1024,
            console: true,
            control: false,
            dist: None,
            genesys: GenesysConfig::default(),
        }
    }
}

/// An error answer with the JSON body every REST error of this server has.
pub(crate) fn error_response(
    status: StatusCode,
    error: &str,
    message: impl Into<String>,
) -> Response {
    let body = ErrorBody {
        error: error.into(),
        message: message.into(),
    };
    (status, Json(body)).into_response()
}

pub(crate) fn not_found(id: &str) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no session `{id}`"),
    )
}

pub(crate) fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A benchmark's burst: `count` agent messages, `{prefix}0`, `{prefix}1`, …, sent back
/// to back, in either protocol.
#[derive(serde::Deserialize)]
pub(crate) struct BurstBody {
    pub count: u32,
    #[serde(default = "burst_prefix")]
    pub prefix: String,
}

fn burst_prefix() -> String {
    "b".into()
}

#[derive(Debug, Clone, Serialize)]
pub struct TranscriptLine {
    pub from: &'static str,
    pub text: String,
    /// Milliseconds since the Unix epoch.
    pub at: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_message_id: Option<String>,
}

/// A session as the console and the control API list it, whichever protocol it speaks.
#[derive(Serialize)]
pub(crate) struct SessionSummary {
    pub id: String,
    /// `tutorial` or `genesys`: which protocol the guest speaks.
    pub protocol: &'static str,
    pub guest_name: Option<String>,
    pub guest_email: Option<String>,
    /// The name and e-mail come from the visitor's identity provider, not the page.
    pub verified: bool,
    pub created_at: u64,
    pub connected: bool,
    pub connections_total: u64,
    pub routing: Option<RoutingStatus>,
    pub ended: bool,
    pub messages: usize,
}

#[derive(Serialize)]
pub(crate) struct SessionDetail {
    #[serde(flatten)]
    pub summary: SessionSummary,
    pub attributes: std::collections::BTreeMap<String, String>,
    pub transcript: Vec<TranscriptLine>,
}

/// What the agent hears of the conversations: the protocols tell it, and it answers
/// through their public functions, so that neither knows it.
pub(crate) enum Heard {
    /// A tutorial guest connected for the first time.
    TutorialJoined {
        session_id: String,
    },
    TutorialSaid {
        session_id: String,
        text: String,
    },
    /// A Genesys guest's session was made.
    GenesysJoined {
        token: String,
    },
    GenesysSaid {
        token: String,
        text: String,
    },
}

struct Inner {
    config: Config,
    genesys: Mutex<GenesysState>,
    sessions: Mutex<HashMap<String, Session>>,
    by_token: Mutex<HashMap<String, String>>,
    fail_plan: Mutex<FailPlan>,
    next_connection: AtomicU64,
    agent: OnceLock<fn(&AppState, Heard)>,
}

/// Shared state of one simulator; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub fn new(config: Config) -> Self {
        AppState(Arc::new(Inner {
            config,
            genesys: Mutex::new(Default::default()),
            sessions: Mutex::new(HashMap::new()),
            by_token: Mutex::new(HashMap::new()),
            fail_plan: Mutex::new(FailPlan::default()),
            next_connection: AtomicU64::new(1),
            agent: OnceLock::new(),
        }))
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub(crate) fn genesys_state(&self) -> &Mutex<GenesysState> {
        &self.0.genesys
    }

    pub(crate) fn sessions(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        self.0.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tutorial sessions by their guest token.
    pub(crate) fn tokens(&self) -> MutexGuard<'_, HashMap<String, String>> {
        self.0.by_token.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn fail_plan(&self) -> MutexGuard<'_, FailPlan> {
        self.0.fail_plan.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn next_connection_id(&self) -> u64 {
        self.0.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    /// Who hears the conversations; set once, when the router is built.
    pub(crate) fn set_agent(&self, agent: fn(&AppState, Heard)) {
        let _ = self.0.agent.set(agent);
    }

    pub(crate) fn tell_agent(&self, heard: Heard) {
        if let Some(agent) = self.0.agent.get() {
            agent(self, heard);
        }
    }

    pub(crate) fn close_all(&self) {
        for session in self.sessions().values_mut() {
            session.send(Outbound::Close(1001, "server shutting down".into()));
        }
    }

    pub fn session_count(&self) -> usize {
        self.sessions().len()
    }
}
