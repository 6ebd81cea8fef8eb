//! The conversation as a state machine: `apply(event) -> effects`.
//!
//! It speaks the domain only: a protocol adapter turns frames into [`Event`]s and
//! [`Outgoing`] requests into frames; the runtime carries out the [`Effect`]s; the view
//! renders the public state. Nothing here touches the browser or a wire format.

use super::config::Config;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Not started (or misconfigured).
    Idle,
    CreatingSession,
    SessionFailed(RestFailure),
    Connecting,
    Connected,
    /// Lost; the next attempt is scheduled.
    Disconnected {
        attempt: u32,
        delay_ms: u32,
    },
    Reconnecting {
        attempt: u32,
    },
    /// Every attempt failed; the visitor may retry.
    GaveUp,
    /// The server let this connection go because the conversation is open elsewhere
    /// (other tabs or devices); it comes back on the visitor's action only, so that
    /// two windows never take the conversation from each other in a loop.
    Displaced,
    /// The agent ended the chat (close 1000).
    Ended,
    /// The browser reports no network; reconnecting waits for it.
    Offline,
}

/// What the status bar, the announcer and the page's `status` events show of a
/// [`Connection`]: every attempt of a reconnect is one phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Idle,
    Connecting,
    Connected,
    Reconnecting,
    Offline,
    Failed,
    Ended,
}

impl Phase {
    /// The word the page's `status` events and the status bar's `data-state` carry.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Connecting => "connecting",
            Phase::Connected => "connected",
            Phase::Reconnecting => "reconnecting",
            Phase::Offline => "offline",
            Phase::Failed => "failed",
            Phase::Ended => "ended",
        }
    }

    /// A failure the visitor can act on: a hint and a Try again button go with it.
    pub fn is_failure(self) -> bool {
        self == Phase::Failed
    }
}

impl Connection {
    pub fn phase(&self) -> Phase {
        match self {
            Connection::Idle => Phase::Idle,
            Connection::CreatingSession | Connection::Connecting => Phase::Connecting,
            Connection::Connected => Phase::Connected,
            Connection::Disconnected { .. } | Connection::Reconnecting { .. } => {
                Phase::Reconnecting
            }
            Connection::Offline => Phase::Offline,
            Connection::GaveUp | Connection::SessionFailed(_) | Connection::Displaced => {
                Phase::Failed
            }
            Connection::Ended => Phase::Ended,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    Unknown,
    Queued { position: Option<u32> },
    Connected,
}

/// A line the widget itself adds to the transcript. It is kept as what happened, not
/// as words, and worded in the visitor's language when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemLine {
    ChatConnected,
    ChatEnded,
    SessionRenewed,
    Queued { position: Option<u32> },
    AgentConnected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Guest,
    Agent,
    System,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Waiting for a connection, or written and not yet acknowledged.
    Sending,
    /// Written to an open socket.
    Sent,
    /// The server acknowledged it.
    Delivered,
    /// Could not be delivered (no connection after every attempt, or the chat ended); the
    /// visitor may retry it.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Stable key for rendering.
    pub id: u64,
    pub kind: EntryKind,
    pub text: Arc<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<Arc<str>>,
    /// For [`EntryKind::System`]: which line it is (its `text` is then empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<SystemLine>,
    /// When the widget received or sent it (milliseconds since the epoch).
    #[serde(default)]
    pub at_ms: f64,
}

impl Entry {
    /// Changes whenever the entry must be drawn anew: its id, and its delivery state,
    /// in one number, so that every keyed list of the view shares one key type (and
    /// one copy of the keyed-diff code).
    pub fn view_key(&self) -> u64 {
        let delivery = match self.delivery {
            None => 0,
            Some(Delivery::Sending) => 1,
            Some(Delivery::Sent) => 2,
            Some(Delivery::Delivered) => 3,
            Some(Delivery::Failed) => 4,
        };
        self.id << 3 | delivery
    }
}

/// Entries kept across a reload; older ones are dropped (undelivered messages never are).
pub const PERSISTED_ENTRIES: usize = 1000;

/// A guest session, as used and as remembered across reloads; never holds the OAuth
/// access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub guest_token: String,
    pub session_id: String,
    pub organization_id: String,
    pub expires_at_ms: f64,
}

/// What survives a page reload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Snapshot {
    pub session: Option<Session>,
    pub last_seq: Option<u64>,
    pub transcript: Vec<Entry>,
}

/// A session the server just created; `expires_in_s` is its token's lifetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub guest_token: String,
    pub session_id: String,
    pub organization_id: String,
    pub expires_in_s: u64,
}

/// A failed session request: `status` is `None` when no HTTP answer came at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestFailure {
    pub status: Option<u16>,
    /// The server's own words (the protocol adapter reads them from its error body).
    pub server_text: String,
    pub retry_after_s: Option<u32>,
}

/// Longest server text shown to the visitor, in characters.
const SERVER_TEXT_CHARS: usize = 200;

impl RestFailure {
    /// A failure with `server_text` trimmed and shortened to what a status line can hold.
    pub fn new(status: Option<u16>, server_text: &str, retry_after_s: Option<u32>) -> Self {
        let text = server_text.trim();
        let server_text = if text.chars().count() > SERVER_TEXT_CHARS {
            text.chars().take(SERVER_TEXT_CHARS).collect::<String>() + "…"
        } else {
            text.to_string()
        };
        RestFailure {
            status,
            server_text,
            retry_after_s,
        }
    }
}

/// What the server said, as the protocol adapter read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// An agent's message; `seq` numbers it within the session when the server does.
    AgentMessage {
        seq: Option<u64>,
        author: Option<String>,
        text: String,
    },
    AgentTyping(bool),
    /// The agent types; without a newer word, it stops after `ms`.
    AgentTypingFor(u32),
    /// The agent or bot ended the conversation: nothing more can be sent in it.
    ConversationEnded,
    /// A frame the conversation has nothing to do with (the echo of a presence event,
    /// the server confirming the session).
    Noted,
    /// `None`: a routing state this version does not know.
    Routing(Option<Routing>),
    /// The server holds a guest message: the one with `client_id`, or without it the
    /// oldest not yet acknowledged.
    Acknowledged {
        client_id: Option<String>,
    },
    /// The server refused something and said why.
    ServerError {
        reason: String,
    },
    /// The answer to a heartbeat.
    HeartbeatAnswered,
}

/// A frame the adapter could not turn into an [`Incoming`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// A well-formed frame of a kind this version does not know.
    UnknownKind(String),
    /// Not a frame of this protocol; `why` says what was wrong, `preview` shows its start.
    Malformed {
        why: String,
        preview: String,
    },
    Binary,
}

/// What a close of the connection means, as the adapter reads its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseKind {
    /// The chat is over (the agent ended it): no reconnecting.
    Ended,
    /// The session is no longer valid: a new one is needed.
    SessionExpired,
    /// Anything else: reconnect with backoff.
    Lost,
    /// The server closed it in favour of another connection of the conversation.
    Displaced,
}

/// Why the widget closes a connection itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseWhy {
    /// No answer to a heartbeat for a whole interval.
    HeartbeatTimeout,
    /// The conversation ended while the connection stayed open.
    ChatEnded,
    /// The server let this connection go for another one.
    Displaced,
}

/// What the core asks to be written to the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    Message {
        session_id: String,
        text: String,
        client_id: Option<String>,
    },
    Heartbeat {
        session_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Start,
    SessionCreated(NewSession),
    SessionFailed(RestFailure),
    ConnectionOpened,
    Received(Incoming),
    Unreadable(Unreadable),
    ConnectionClosed {
        kind: CloseKind,
        code: u16,
        reason: String,
    },
    ReconnectDue,
    HeartbeatDue,
    /// The time an agent's typing was announced for has passed.
    TypingExpired,
    /// The visitor sends `text`; `client_id` is a fresh UUID from the runtime.
    Send {
        text: String,
        client_id: String,
    },
    /// The visitor asks to try again after a failure.
    Retry,
    /// The visitor retries one failed message.
    RetryMessage {
        id: u64,
    },
    /// The browser's `online` event.
    NetworkOnline,
    /// The browser's `offline` event.
    NetworkOffline,
    /// The page became visible again (after sleep or a background tab).
    PageVisible,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Ask the server for a new session (the adapter words the request).
    CreateSession,
    /// Connect for `session`; `resume_after` is the newest agent `seq` held.
    OpenConnection {
        session: Session,
        resume_after: Option<u64>,
    },
    Send(Outgoing),
    /// Close the current connection; the core already treats it as gone, so the
    /// runtime must not report its close event.
    CloseConnection(CloseWhy),
    ScheduleReconnect {
        delay_ms: u32,
    },
    StartHeartbeat {
        every_ms: u32,
    },
    StopHeartbeat,
    /// Report [`Event::TypingExpired`] after this delay, replacing an earlier one.
    ScheduleTypingEnd {
        delay_ms: u32,
    },
    /// Cancel a scheduled reconnect (a reconnect happens sooner).
    CancelReconnect,
    /// Try the session request again after this delay (a `Retry-After`).
    ScheduleSessionRetry {
        delay_ms: u32,
    },
    Warn(String),
    LogError(String),
    FocusComposer,
}

/// A small deterministic generator for reconnect jitter; seeded by the runtime.
#[derive(Debug, Clone)]
struct Jitter(u64);

impl Jitter {
    fn next_unit(&mut self) -> f64 {
        // xorshift64*
        let mut x = self.0.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub struct ChatCore {
    config: Config,
    pub connection: Connection,
    pub routing: Routing,
    pub agent_typing: bool,
    pub transcript: Vec<Entry>,
    /// Bumped on every change to `transcript`, so a view can tell when to copy it.
    pub transcript_revision: u64,
    /// Indices of entries added or changed since the view last took them.
    dirty: Vec<usize>,
    /// Bumped when the session or the last agent `seq` changes, for persistence.
    pub session_revision: u64,
    /// The current time, set by the runtime before each event (ms since the epoch).
    pub clock_ms: f64,
    session: Option<Session>,
    /// The session came from storage and has not connected in this page yet: a refused
    /// upgrade then means the server no longer knows it.
    resumed: bool,
    online: bool,
    socket_open: bool,
    ever_connected: bool,
    attempt: u32,
    awaiting_pong: bool,
    last_seq: Option<u64>,
    next_id: u64,
    jitter: Jitter,
}

impl ChatCore {
    pub fn new(config: Config, seed: u64) -> Self {
        ChatCore {
            config,
            connection: Connection::Idle,
            routing: Routing::Unknown,
            agent_typing: false,
            transcript: Vec::new(),
            transcript_revision: 0,
            dirty: Vec::new(),
            session_revision: 0,
            clock_ms: 0.0,
            session: None,
            resumed: false,
            online: true,
            socket_open: false,
            ever_connected: false,
            attempt: 0,
            awaiting_pong: false,
            last_seq: None,
            next_id: 1,
            jitter: Jitter(seed),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// The composer accepts text once a session exists and the chat has not ended;
    /// while reconnecting, what is typed waits in the outbox.
    pub fn can_compose(&self) -> bool {
        self.ever_connected && !matches!(self.connection, Connection::Ended)
    }

    fn push(&mut self, kind: EntryKind, text: &str) -> usize {
        let id = self.next_id;
        self.next_id += 1;
        self.transcript.push(Entry {
            id,
            kind,
            text: Arc::from(text),
            delivery: None,
            client_id: None,
            agent_name: None,
            system: None,
            at_ms: self.clock_ms,
        });
        let index = self.transcript.len() - 1;
        self.touched(index);
        index
    }

    fn push_system(&mut self, line: SystemLine) {
        let index = self.push(EntryKind::System, "");
        self.transcript[index].system = Some(line);
    }

    fn touched(&mut self, index: usize) {
        self.dirty.push(index);
        self.transcript_revision += 1;
    }

    /// Indices of the entries added or changed since the last call (ascending, once
    /// each), so a view updates only those.
    pub fn take_dirty(&mut self) -> Vec<usize> {
        let mut dirty = std::mem::take(&mut self.dirty);
        super::lean::sort_nearly_sorted(&mut dirty);
        dirty.dedup();
        dirty
    }

    /// What to keep across a reload.
    pub fn snapshot(&self) -> Snapshot {
        let keep_from = self.transcript.len().saturating_sub(PERSISTED_ENTRIES);
        let transcript = self
            .transcript
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                *i >= keep_from
                    || (e.kind == EntryKind::Guest && e.delivery != Some(Delivery::Delivered))
            })
            .map(|(_, e)| e.clone())
            .collect();
        Snapshot {
            session: self.session.clone(),
            last_seq: self.last_seq,
            transcript,
        }
    }

    /// Takes back what a previous page kept; call before [`Event::Start`]. A kept session
    /// is resumed without a new REST call while its token is valid.
    pub fn restore(&mut self, snapshot: Snapshot) {
        self.transcript = snapshot.transcript;
        self.next_id = self.transcript.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        self.transcript_revision += 1;
        self.dirty = (0..self.transcript.len()).collect();
        self.last_seq = snapshot.last_seq;
        if let Some(stored) = snapshot.session {
            self.session = Some(stored);
            self.resumed = true;
            // The visitor already chatted: the composer is usable while we reconnect.
            self.ever_connected = true;
            // The server repeats the routing on connecting; known already, it is no news.
            self.routing = self
                .transcript
                .iter()
                .rev()
                .find_map(|e| match e.system? {
                    SystemLine::Queued { position } => Some(Routing::Queued { position }),
                    SystemLine::AgentConnected => Some(Routing::Connected),
                    SystemLine::SessionRenewed => Some(Routing::Unknown),
                    _ => None,
                })
                .unwrap_or(Routing::Unknown);
        }
    }

    fn session_expired(&self) -> bool {
        // A little early, so a token does not expire during the upgrade.
        self.session
            .as_ref()
            .is_some_and(|s| self.clock_ms + 5_000.0 >= s.expires_at_ms)
    }

    /// Forgets the session and starts a new one; the transcript stays, with a line saying so.
    fn renew_session(&mut self) -> Vec<Effect> {
        self.session = None;
        self.resumed = false;
        self.last_seq = None;
        self.routing = Routing::Unknown;
        self.attempt = 0;
        self.session_revision += 1;
        self.push_system(SystemLine::SessionRenewed);
        self.create_session()
    }

    fn create_session(&mut self) -> Vec<Effect> {
        self.connection = Connection::CreatingSession;
        vec![Effect::CreateSession]
    }

    fn open_socket(&mut self) -> Vec<Effect> {
        match self.session.clone() {
            Some(session) => vec![Effect::OpenConnection {
                session,
                resume_after: self.last_seq,
            }],
            None => self.create_session(),
        }
    }

    pub fn apply(&mut self, event: Event) -> Vec<Effect> {
        match event {
            Event::Start => match self.connection {
                Connection::Idle if self.session.is_some() => {
                    if self.session_expired() {
                        return self.renew_session();
                    }
                    self.connection = Connection::Connecting;
                    self.open_socket()
                }
                Connection::Idle => self.create_session(),
                _ => vec![],
            },
            Event::SessionCreated(session) => {
                if self.connection != Connection::CreatingSession {
                    return vec![];
                }
                self.session = Some(Session {
                    expires_at_ms: self.clock_ms + session.expires_in_s as f64 * 1000.0,
                    guest_token: session.guest_token,
                    session_id: session.session_id,
                    organization_id: session.organization_id,
                });
                self.session_revision += 1;
                self.connection = Connection::Connecting;
                self.open_socket()
            }
            Event::SessionFailed(failure) => {
                if self.connection != Connection::CreatingSession {
                    return vec![];
                }
                let log = format!(
                    "guest-chat: session request failed: {} {}",
                    failure
                        .status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "network error".into()),
                    failure.server_text
                );
                let mut effects = vec![Effect::LogError(log)];
                if let (Some(429), Some(seconds)) = (failure.status, failure.retry_after_s) {
                    effects.push(Effect::ScheduleSessionRetry {
                        delay_ms: seconds.saturating_mul(1000),
                    });
                }
                self.connection = Connection::SessionFailed(failure);
                effects
            }
            Event::ConnectionOpened => self.on_open(),
            // Frames only count from an open connection: anything else is a stale callback.
            Event::Received(incoming) if self.socket_open => self.on_incoming(incoming),
            Event::Unreadable(unreadable) if self.socket_open => self.on_unreadable(unreadable),
            Event::Received(_) | Event::Unreadable(_) => vec![],
            Event::ConnectionClosed { kind, code, reason } => {
                // The server's reason goes to the console; without one there is nothing to add.
                let detail = if reason.is_empty() {
                    String::new()
                } else {
                    format!("({code}): {reason}")
                };
                self.on_close(kind, &detail)
            }
            Event::ReconnectDue => match self.connection {
                Connection::Disconnected { attempt, .. } => {
                    if self.session_expired() {
                        return self.renew_session();
                    }
                    self.connection = Connection::Reconnecting { attempt };
                    self.open_socket()
                }
                _ => vec![],
            },
            Event::HeartbeatDue => self.on_heartbeat(),
            Event::TypingExpired => {
                self.agent_typing = false;
                vec![]
            }
            Event::Send { text, client_id } => self.on_send(&text, client_id),
            Event::Retry => self.retry_now(),
            Event::RetryMessage { id } => {
                let Some(index) = self
                    .transcript
                    .iter()
                    .position(|e| e.id == id && e.delivery == Some(Delivery::Failed))
                else {
                    return vec![];
                };
                self.transcript[index].delivery = Some(Delivery::Sending);
                self.touched(index);
                if self.socket_open {
                    self.flush_outbox()
                } else {
                    self.retry_now()
                }
            }
            Event::NetworkOffline => {
                self.online = false;
                vec![]
            }
            Event::NetworkOnline => {
                self.online = true;
                self.wake()
            }
            Event::PageVisible => self.wake(),
        }
    }

    /// Reconnects at once from a waiting or failed state.
    fn retry_now(&mut self) -> Vec<Effect> {
        match self.connection {
            Connection::SessionFailed(_) => self.create_session(),
            Connection::GaveUp
            | Connection::Offline
            | Connection::Disconnected { .. }
            | Connection::Displaced => {
                let mut effects = vec![Effect::CancelReconnect];
                if self.session_expired() {
                    effects.extend(self.renew_session());
                    return effects;
                }
                self.attempt = 0;
                self.connection = Connection::Reconnecting { attempt: 1 };
                effects.extend(self.open_socket());
                effects
            }
            _ => vec![],
        }
    }

    /// The network came back or the page woke up: reconnect now instead of waiting out a
    /// backoff, and probe an open socket, which may have died while the machine slept.
    fn wake(&mut self) -> Vec<Effect> {
        match self.connection {
            Connection::Offline | Connection::Disconnected { .. } | Connection::GaveUp => {
                self.retry_now()
            }
            Connection::Connected if !self.awaiting_pong => self.heartbeat(),
            _ => vec![],
        }
    }

    /// Undelivered guest messages that can no longer go out are marked failed.
    fn fail_outbox(&mut self) {
        for index in 0..self.transcript.len() {
            let entry = &mut self.transcript[index];
            if entry.kind == EntryKind::Guest
                && matches!(entry.delivery, Some(Delivery::Sending | Delivery::Sent))
            {
                entry.delivery = Some(Delivery::Failed);
                self.touched(index);
            }
        }
    }

    fn on_open(&mut self) -> Vec<Effect> {
        if !matches!(
            self.connection,
            Connection::Connecting | Connection::Reconnecting { .. }
        ) {
            return vec![];
        }
        self.socket_open = true;
        self.resumed = false;
        self.attempt = 0;
        self.awaiting_pong = false;
        self.connection = Connection::Connected;
        let mut effects = vec![Effect::StartHeartbeat {
            every_ms: self.config.heartbeat_ms,
        }];
        if !self.ever_connected {
            self.ever_connected = true;
            self.push_system(SystemLine::ChatConnected);
            effects.push(Effect::FocusComposer);
        }
        effects.extend(self.flush_outbox());
        effects
    }

    /// Writes every guest message the server has not acknowledged, oldest first. After
    /// a reconnect this resends what may have been lost; the client id lets the server
    /// drop what it already has.
    fn flush_outbox(&mut self) -> Vec<Effect> {
        let Some(session_id) = self.session.as_ref().map(|s| s.session_id.clone()) else {
            return vec![];
        };
        let mut effects = vec![];
        for index in 0..self.transcript.len() {
            let entry = &mut self.transcript[index];
            if entry.kind == EntryKind::Guest
                && matches!(entry.delivery, Some(Delivery::Sending | Delivery::Sent))
            {
                effects.push(Effect::Send(Outgoing::Message {
                    session_id: session_id.clone(),
                    text: entry.text.to_string(),
                    client_id: entry.client_id.as_deref().map(String::from),
                }));
                entry.delivery = Some(Delivery::Sent);
                self.touched(index);
            }
        }
        effects
    }

    fn on_send(&mut self, text: &str, client_id: String) -> Vec<Effect> {
        let text = text.trim();
        // Before the first connection the composer is disabled, but the host page's API
        // may already send: such a message waits in the outbox like any other.
        if text.is_empty() || matches!(self.connection, Connection::Idle | Connection::Ended) {
            return vec![];
        }
        let index = self.push(EntryKind::Guest, text);
        let entry = &mut self.transcript[index];
        entry.client_id = Some(Arc::from(client_id.as_str()));
        entry.at_ms = self.clock_ms;
        entry.delivery = Some(Delivery::Sending);
        if !self.socket_open {
            // The visitor acting is the best moment to try again.
            return match self.connection {
                Connection::GaveUp | Connection::Offline | Connection::Displaced => {
                    self.retry_now()
                }
                _ => vec![],
            };
        }
        let Some(session) = &self.session else {
            return vec![];
        };
        entry.delivery = Some(Delivery::Sent);
        vec![Effect::Send(Outgoing::Message {
            session_id: session.session_id.clone(),
            text: text.to_string(),
            client_id: Some(client_id),
        })]
    }

    fn on_heartbeat(&mut self) -> Vec<Effect> {
        if !self.socket_open {
            return vec![];
        }
        if self.awaiting_pong {
            // No pong for a whole interval: the connection is half-open or dead.
            let mut effects = vec![Effect::CloseConnection(CloseWhy::HeartbeatTimeout)];
            effects.extend(self.on_close(CloseKind::Lost, "(heartbeat timeout)"));
            return effects;
        }
        self.heartbeat()
    }

    fn heartbeat(&mut self) -> Vec<Effect> {
        let Some(session) = &self.session else {
            return vec![];
        };
        self.awaiting_pong = true;
        vec![Effect::Send(Outgoing::Heartbeat {
            session_id: session.session_id.clone(),
        })]
    }

    /// `detail` is logged with the close; empty, nothing is logged.
    fn on_close(&mut self, kind: CloseKind, detail: &str) -> Vec<Effect> {
        let was_open = std::mem::replace(&mut self.socket_open, false);
        if !was_open
            && !matches!(
                self.connection,
                Connection::Connecting | Connection::Reconnecting { .. }
            )
        {
            return vec![];
        }
        self.agent_typing = false;
        self.awaiting_pong = false;
        let mut effects = vec![Effect::StopHeartbeat];
        if kind == CloseKind::Ended {
            self.connection = Connection::Ended;
            self.fail_outbox();
            self.push_system(SystemLine::ChatEnded);
            return effects;
        }
        // A kept session the server refuses (browsers report a refused upgrade as a
        // close before open), or one past its lifetime, is replaced by a new one.
        if kind == CloseKind::SessionExpired
            || (!was_open && (self.resumed || self.session_expired()))
        {
            effects.extend(self.renew_session());
            return effects;
        }
        if kind == CloseKind::Displaced {
            // The server said so in a message; the socket itself may still be open.
            self.connection = Connection::Displaced;
            effects.push(Effect::CloseConnection(CloseWhy::Displaced));
            return effects;
        }
        if !detail.is_empty() {
            effects.push(Effect::Warn(format!(
                "guest-chat: connection closed {detail}"
            )));
        }
        if !self.online {
            self.connection = Connection::Offline;
            return effects;
        }
        if self.attempt >= self.config.reconnect_attempts {
            self.connection = Connection::GaveUp;
            self.fail_outbox();
            return effects;
        }
        let nominal = u64::from(self.config.reconnect_base_ms) << self.attempt.min(16);
        // ±20 % so that many widgets dropped together do not return together.
        let factor = 0.8 + 0.4 * self.jitter.next_unit();
        let delay_ms = ((nominal as f64) * factor).round().min(f64::from(u32::MAX)) as u32;
        self.attempt += 1;
        self.connection = Connection::Disconnected {
            attempt: self.attempt,
            delay_ms,
        };
        effects.push(Effect::ScheduleReconnect { delay_ms });
        effects
    }

    fn on_unreadable(&mut self, unreadable: Unreadable) -> Vec<Effect> {
        vec![match unreadable {
            Unreadable::UnknownKind(kind) => {
                Effect::Warn(format!("guest-chat: unknown frame type `{kind}` ignored"))
            }
            Unreadable::Malformed { why, preview } => Effect::LogError(format!(
                "guest-chat: malformed frame ignored ({why}): {preview}"
            )),
            Unreadable::Binary => {
                Effect::Warn("guest-chat: ignored a binary frame; the server sends text".into())
            }
        }]
    }

    fn on_incoming(&mut self, incoming: Incoming) -> Vec<Effect> {
        match incoming {
            Incoming::AgentMessage { seq, author, text } => {
                if let (Some(seq), Some(last)) = (seq, self.last_seq) {
                    if seq <= last {
                        return vec![];
                    }
                }
                if seq.is_some() {
                    self.last_seq = seq;
                    self.session_revision += 1;
                }
                self.agent_typing = false;
                let index = self.push(EntryKind::Agent, &text);
                self.transcript[index].agent_name = author.map(|n| Arc::from(n.as_str()));
            }
            Incoming::AgentTyping(typing) => self.agent_typing = typing,
            Incoming::AgentTypingFor(ms) => {
                self.agent_typing = true;
                return vec![Effect::ScheduleTypingEnd { delay_ms: ms }];
            }
            Incoming::ConversationEnded => {
                let mut effects = vec![Effect::CloseConnection(CloseWhy::ChatEnded)];
                effects.extend(self.on_close(CloseKind::Ended, ""));
                return effects;
            }
            Incoming::Noted => {}
            Incoming::Routing(None) => {
                return vec![Effect::Warn(
                    "guest-chat: unknown routing status ignored".into(),
                )]
            }
            Incoming::Routing(Some(routing)) => {
                if routing != self.routing {
                    self.routing = routing;
                    self.push_system(match routing {
                        Routing::Queued { position } => SystemLine::Queued { position },
                        _ => SystemLine::AgentConnected,
                    });
                }
            }
            Incoming::Acknowledged { client_id } => self.mark_delivered(client_id.as_deref()),
            Incoming::ServerError { reason } => {
                self.push(EntryKind::Error, &reason);
                return vec![Effect::LogError(format!(
                    "guest-chat: server error: {reason}"
                ))];
            }
            Incoming::HeartbeatAnswered => self.awaiting_pong = false,
        }
        vec![]
    }

    /// A receipt names its message by client id; a server that sends no id acknowledges
    /// in order, so the oldest unacknowledged message is the one meant.
    fn mark_delivered(&mut self, client_id: Option<&str>) {
        let unacknowledged =
            |e: &Entry| e.kind == EntryKind::Guest && e.delivery != Some(Delivery::Delivered);
        let target = match client_id {
            // Receipts name recent messages: search from the newest.
            Some(id) => self
                .transcript
                .iter()
                .rposition(|e| unacknowledged(e) && e.client_id.as_deref() == Some(id)),
            None => self.transcript.iter().position(unacknowledged),
        };
        if let Some(index) = target {
            self.transcript[index].delivery = Some(Delivery::Delivered);
            self.touched(index);
        }
    }
}
