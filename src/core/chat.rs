//! The conversation as a state machine: `apply(event) -> effects`.
//!
//! The transport turns browser callbacks into [`Event`]s and carries out the
//! [`Effect`]s; the view renders the public state. Nothing here touches the browser.

use super::config::{Config, SessionSource};
use guest_chat_protocol::{
    json, ClientFrame, CreateSessionRequest, CreateSessionResponse, DecodeError, ErrorBody,
    RoutingStatus, ServerFrame, CLOSE_NORMAL, CLOSE_SESSION_EXPIRED, ORGANIZATION_HEADER,
    SESSIONS_PATH, WS_PATH,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Close code the widget uses when it gives up on a silent connection.
pub const CLOSE_HEARTBEAT_TIMEOUT: u16 = 4000;

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
    /// The agent ended the chat (close 1000).
    Ended,
    /// The browser reports no network; reconnecting waits for it.
    Offline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    Unknown,
    Queued { position: Option<u32> },
    Connected,
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

/// A guest session as remembered across reloads; never holds the OAuth access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSession {
    pub guest_token: String,
    pub session_id: String,
    pub organization_id: String,
    pub expires_at_ms: f64,
}

/// What survives a page reload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Snapshot {
    pub session: Option<StoredSession>,
    pub last_seq: Option<u64>,
    pub transcript: Vec<Entry>,
}

/// A failed session request: `status` is `None` when no HTTP answer came at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestFailure {
    pub status: Option<u16>,
    pub body: String,
    pub retry_after_s: Option<u32>,
}

impl RestFailure {
    /// The server's own words: the `message` of a JSON error body, else the text, shortened.
    pub fn server_text(&self) -> String {
        let text = match json::from_str::<ErrorBody>(&self.body) {
            Ok(body) => body.message,
            Err(_) => self.body.trim().to_string(),
        };
        if text.chars().count() > 200 {
            text.chars().take(200).collect::<String>() + "…"
        } else {
            text
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Without an answer by then, the request counts as a network failure.
    pub timeout_ms: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Start,
    SessionCreated(CreateSessionResponse),
    SessionFailed(RestFailure),
    SocketOpened,
    SocketText(String),
    SocketBinary,
    SocketClosed {
        code: u16,
        reason: String,
    },
    ReconnectDue,
    HeartbeatDue,
    /// The visitor sends `text`; `client_id` is a fresh UUID from the transport.
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    CreateSession(HttpRequest),
    OpenSocket {
        url: String,
    },
    SendFrame(String),
    /// Close the current socket; the core already treats it as gone, so the transport
    /// must not report its close event.
    CloseSocket {
        code: u16,
        reason: String,
    },
    ScheduleReconnect {
        delay_ms: u32,
    },
    StartHeartbeat {
        every_ms: u32,
    },
    StopHeartbeat,
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

/// A small deterministic generator for reconnect jitter; seeded by the transport.
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
    /// The current time, set by the transport before each event (ms since the epoch).
    pub clock_ms: f64,
    session: Option<CreateSessionResponse>,
    session_expires_at_ms: Option<f64>,
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

/// Percent-encodes a query component (RFC 3986 unreserved characters pass through).
pub fn encode_query_component(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
            session_expires_at_ms: None,
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

    pub fn session(&self) -> Option<&CreateSessionResponse> {
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
            at_ms: self.clock_ms,
        });
        let index = self.transcript.len() - 1;
        self.touched(index);
        index
    }

    fn touched(&mut self, index: usize) {
        self.dirty.push(index);
        self.transcript_revision += 1;
    }

    /// Indices of the entries added or changed since the last call (ascending, once
    /// each), so a view updates only those.
    pub fn take_dirty(&mut self) -> Vec<usize> {
        let mut dirty = std::mem::take(&mut self.dirty);
        // Appends arrive in order and a receipt touches one older entry, so the list
        // is nearly sorted: an insertion sort is linear here, and unlike the
        // library's sorts it adds no code to the widget.
        for i in 1..dirty.len() {
            let mut j = i;
            while j > 0 && dirty[j - 1] > dirty[j] {
                dirty.swap(j - 1, j);
                j -= 1;
            }
        }
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
            session: self.session.as_ref().map(|s| StoredSession {
                guest_token: s.guest_token.clone(),
                session_id: s.session_id.clone(),
                organization_id: s.organization_id.clone(),
                expires_at_ms: self.session_expires_at_ms.unwrap_or(0.0),
            }),
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
            self.session = Some(CreateSessionResponse {
                guest_token: stored.guest_token,
                session_id: stored.session_id,
                organization_id: stored.organization_id,
                expires_in: 0,
            });
            self.session_expires_at_ms = Some(stored.expires_at_ms);
            self.resumed = true;
            // The visitor already chatted: the composer is usable while we reconnect.
            self.ever_connected = true;
        }
    }

    fn session_expired(&self) -> bool {
        // A little early, so a token does not expire during the upgrade.
        self.session_expires_at_ms
            .is_some_and(|at| self.clock_ms + 5_000.0 >= at)
    }

    /// Forgets the session and starts a new one; the transcript stays, with a line saying so.
    fn renew_session(&mut self) -> Vec<Effect> {
        self.session = None;
        self.session_expires_at_ms = None;
        self.resumed = false;
        self.last_seq = None;
        self.routing = Routing::Unknown;
        self.attempt = 0;
        self.session_revision += 1;
        self.push(
            EntryKind::System,
            self.config.locale.strings().session_renewed,
        );
        self.create_session()
    }

    fn session_request(&self) -> HttpRequest {
        let body = CreateSessionRequest {
            guest_name: self.config.guest_name.clone(),
            guest_email: self.config.guest_email.clone(),
            attributes: self.config.attributes.clone(),
        };
        let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        let url = match &self.config.session {
            SessionSource::Backend { url } => url.clone(),
            SessionSource::Direct { access_token } => {
                headers.push(("Authorization".into(), format!("Bearer {access_token}")));
                format!("{}{SESSIONS_PATH}", self.config.api_base)
            }
        };
        if let Some(org) = &self.config.organization_id {
            headers.push((ORGANIZATION_HEADER.into(), org.clone()));
        }
        HttpRequest {
            url,
            headers,
            body: json::to_string(&body),
            timeout_ms: self.config.session_timeout_ms,
        }
    }

    fn socket_url(&self, session: &CreateSessionResponse) -> String {
        let mut url = format!(
            "{}{WS_PATH}?guest_token={}&organization_id={}",
            self.config.ws_base,
            encode_query_component(&session.guest_token),
            encode_query_component(&session.organization_id),
        );
        if let Some(seq) = self.last_seq {
            url.push_str(&format!("&last_seq={seq}"));
        }
        url
    }

    fn create_session(&mut self) -> Vec<Effect> {
        self.connection = Connection::CreatingSession;
        vec![Effect::CreateSession(self.session_request())]
    }

    fn open_socket(&mut self) -> Vec<Effect> {
        match self.session.clone() {
            Some(session) => vec![Effect::OpenSocket {
                url: self.socket_url(&session),
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
                self.session_expires_at_ms =
                    Some(self.clock_ms + session.expires_in as f64 * 1000.0);
                self.session = Some(session);
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
                    failure.server_text()
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
            Event::SocketOpened => self.on_open(),
            // Frames only count from an open socket: anything else is a stale callback.
            Event::SocketText(text) if self.socket_open => self.on_frame(&text),
            Event::SocketText(_) => vec![],
            Event::SocketBinary => vec![Effect::Warn(
                "guest-chat: ignored a binary frame; the Guest API sends JSON text".into(),
            )],
            Event::SocketClosed { code, reason } => self.on_close(code, &reason),
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
            Connection::GaveUp | Connection::Offline | Connection::Disconnected { .. } => {
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
            Connection::Connected if !self.awaiting_pong => {
                self.awaiting_pong = true;
                vec![Effect::SendFrame(ClientFrame::Ping.encode())]
            }
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
            self.push(
                EntryKind::System,
                self.config.locale.strings().chat_connected,
            );
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
                effects.push(Effect::SendFrame(
                    ClientFrame::Message {
                        session_id: session_id.clone(),
                        text: entry.text.to_string(),
                        client_message_id: entry.client_id.as_deref().map(String::from),
                    }
                    .encode(),
                ));
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
                Connection::GaveUp | Connection::Offline => self.retry_now(),
                _ => vec![],
            };
        }
        let Some(session) = &self.session else {
            return vec![];
        };
        entry.delivery = Some(Delivery::Sent);
        vec![Effect::SendFrame(
            ClientFrame::Message {
                session_id: session.session_id.clone(),
                text: text.to_string(),
                client_message_id: Some(client_id),
            }
            .encode(),
        )]
    }

    fn on_heartbeat(&mut self) -> Vec<Effect> {
        if !self.socket_open {
            return vec![];
        }
        if self.awaiting_pong {
            // No pong for a whole interval: the connection is half-open or dead.
            let mut effects = vec![Effect::CloseSocket {
                code: CLOSE_HEARTBEAT_TIMEOUT,
                reason: "heartbeat timeout".into(),
            }];
            effects.extend(self.on_close(CLOSE_HEARTBEAT_TIMEOUT, "heartbeat timeout"));
            return effects;
        }
        self.awaiting_pong = true;
        vec![Effect::SendFrame(ClientFrame::Ping.encode())]
    }

    fn on_close(&mut self, code: u16, reason: &str) -> Vec<Effect> {
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
        if code == CLOSE_NORMAL {
            self.connection = Connection::Ended;
            self.fail_outbox();
            self.push(EntryKind::System, self.config.locale.strings().chat_ended);
            return effects;
        }
        // A kept session the server refuses (browsers report a 403 upgrade as 1006 before
        // open), or one past its lifetime, is replaced by a new one.
        if code == CLOSE_SESSION_EXPIRED || (!was_open && (self.resumed || self.session_expired()))
        {
            effects.extend(self.renew_session());
            return effects;
        }
        if !reason.is_empty() {
            effects.push(Effect::Warn(format!(
                "guest-chat: connection closed ({code}): {reason}"
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

    fn on_frame(&mut self, raw: &str) -> Vec<Effect> {
        let frame = match ServerFrame::decode(raw) {
            Ok(frame) => frame,
            Err(DecodeError::UnknownType(kind)) => {
                return vec![Effect::Warn(format!(
                    "guest-chat: unknown frame type `{kind}` ignored"
                ))]
            }
            Err(DecodeError::Malformed(why)) => {
                let preview: String = raw.chars().take(120).collect();
                return vec![Effect::LogError(format!(
                    "guest-chat: malformed frame ignored ({why}): {preview}"
                ))];
            }
        };
        match frame {
            ServerFrame::AgentMessage {
                text,
                seq,
                agent_name,
            } => {
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
                self.transcript[index].agent_name = agent_name.map(|n| Arc::from(n.as_str()));
            }
            ServerFrame::AgentTyping => self.agent_typing = true,
            ServerFrame::AgentNotTyping => self.agent_typing = false,
            ServerFrame::Routing { status, position } => {
                let routing = match status {
                    RoutingStatus::Queued => Routing::Queued { position },
                    RoutingStatus::Connected => Routing::Connected,
                    RoutingStatus::Other => {
                        return vec![Effect::Warn(
                            "guest-chat: unknown routing status ignored".into(),
                        )]
                    }
                };
                if routing != self.routing {
                    self.routing = routing;
                    let line = self.config.locale.strings().routing_line(routing);
                    self.push(EntryKind::System, &line);
                }
            }
            ServerFrame::GuestMessageDelivered { client_message_id } => {
                self.mark_delivered(client_message_id.as_deref());
            }
            ServerFrame::Error { reason } => {
                self.push(EntryKind::Error, &reason);
                return vec![Effect::LogError(format!(
                    "guest-chat: server error: {reason}"
                ))];
            }
            ServerFrame::Pong => self.awaiting_pong = false,
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

#[cfg(test)]
mod tests;
