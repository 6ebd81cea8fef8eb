//! Sessions and the sockets attached to them.

use crate::{AgentMode, Config};
use guest_chat_protocol::{RoutingStatus, ServerFrame, CLOSE_NORMAL};
use serde::Serialize;
use std::{
    collections::{HashMap, HashSet},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::sync::mpsc::UnboundedSender;

/// What the writer half of a guest socket is told to do.
#[derive(Debug, Clone)]
pub enum Outbound {
    Text(String),
    Binary(Vec<u8>),
    /// Send a close frame with this code and reason, then end the connection.
    Close(u16, String),
    /// End the TCP connection with no close frame, as a dead network would.
    Drop,
}

/// Keeps the raw frames a session received bounded, so a flood cannot exhaust memory.
const MAX_RECEIVED_LOG: usize = 20_000;

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

pub(crate) struct Connection {
    pub id: u64,
    pub tx: UnboundedSender<Outbound>,
}

pub(crate) struct Session {
    pub id: String,
    pub organization_id: String,
    pub guest_name: Option<String>,
    pub guest_email: Option<String>,
    pub attributes: std::collections::BTreeMap<String, String>,
    pub created_at: u64,
    pub expires_at: Instant,
    pub connection: Option<Connection>,
    pub connections_total: u64,
    pub routing: Option<(RoutingStatus, Option<u32>)>,
    pub agent_typing: bool,
    /// Every agent frame sent with a `seq`, so a guest that missed some can resume.
    pub agent_log: Vec<(u64, String)>,
    /// Highest agent `seq` written to any socket.
    pub written_seq: u64,
    pub transcript: Vec<TranscriptLine>,
    pub received: Vec<String>,
    pub seen_client_ids: HashSet<String>,
    /// A person in the console took over; the scripted agent stays quiet from then on.
    pub taken_over: bool,
    pub scripted_started: bool,
    pub ended: bool,
    pub delay: Arc<AtomicU64>,
    /// Upgrades still to refuse with 403 (control API), as a revoked token would be.
    pub refuse_upgrades: u32,
}

pub(crate) fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Session {
    fn send(&mut self, out: Outbound) -> bool {
        match &self.connection {
            Some(conn) => conn.tx.send(out).is_ok(),
            None => false,
        }
    }

    fn send_frame(&mut self, frame: &ServerFrame) -> bool {
        self.send(Outbound::Text(frame.encode()))
    }

    /// Typing ends with `agent_not_typing` whatever ends it: a client that follows the
    /// tutorial clears its indicator on that frame alone.
    fn stop_typing(&mut self) {
        if self.agent_typing {
            self.agent_typing = false;
            self.send_frame(&ServerFrame::AgentNotTyping);
        }
    }
}

#[derive(Default)]
pub(crate) struct FailPlan {
    /// Every session creation waits this long first (control API), to test timeouts.
    pub delay_ms: u64,
    pub remaining: u32,
    pub status: u16,
    pub body: Option<String>,
    pub retry_after: Option<u64>,
}

struct Inner {
    config: Config,
    genesys: Mutex<crate::genesys::GenesysState>,
    sessions: Mutex<HashMap<String, Session>>,
    by_token: Mutex<HashMap<String, String>>,
    fail_plan: Mutex<FailPlan>,
    next_connection: AtomicU64,
}

/// Shared state of one simulator; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub(crate) struct NewSession {
    pub organization_id: String,
    pub guest_name: Option<String>,
    pub guest_email: Option<String>,
    pub attributes: std::collections::BTreeMap<String, String>,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        AppState(Arc::new(Inner {
            config,
            genesys: Mutex::new(Default::default()),
            sessions: Mutex::new(HashMap::new()),
            by_token: Mutex::new(HashMap::new()),
            fail_plan: Mutex::new(FailPlan::default()),
            next_connection: AtomicU64::new(1),
        }))
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub(crate) fn genesys_state(&self) -> &Mutex<crate::genesys::GenesysState> {
        &self.0.genesys
    }

    pub(crate) fn sessions(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        self.0.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn fail_plan(&self) -> MutexGuard<'_, FailPlan> {
        self.0.fail_plan.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn create_session(&self, new: NewSession) -> (String, String) {
        let id = uuid::Uuid::new_v4().to_string();
        let token = format!("gt-{}", uuid::Uuid::new_v4().simple());
        let session = Session {
            id: id.clone(),
            organization_id: new.organization_id,
            guest_name: new.guest_name,
            guest_email: new.guest_email,
            attributes: new.attributes,
            created_at: now_millis(),
            expires_at: Instant::now() + self.config().expires_in,
            connection: None,
            connections_total: 0,
            routing: None,
            agent_typing: false,
            agent_log: Vec::new(),
            written_seq: 0,
            transcript: Vec::new(),
            received: Vec::new(),
            seen_client_ids: HashSet::new(),
            taken_over: false,
            scripted_started: false,
            ended: false,
            delay: Arc::new(AtomicU64::new(0)),
            refuse_upgrades: 0,
        };
        self.sessions().insert(id.clone(), session);
        self.0
            .by_token
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.clone(), id.clone());
        (id, token)
    }

    pub(crate) fn session_for_token(&self, token: &str) -> Option<String> {
        self.0
            .by_token
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()
    }

    /// Attaches a new guest socket, replacing (and closing) an older one, and queues
    /// what the guest should hear first: missed agent frames, then the routing state.
    /// Returns the connection id, the frame delay handle, the expiry, and whether the
    /// scripted agent should start for this session.
    pub(crate) fn attach(
        &self,
        session_id: &str,
        tx: UnboundedSender<Outbound>,
        last_seq: Option<u64>,
    ) -> Option<(u64, Arc<AtomicU64>, Instant, bool)> {
        let conn_id = self.0.next_connection.fetch_add(1, Ordering::Relaxed);
        let mut sessions = self.sessions();
        let session = sessions.get_mut(session_id)?;
        if let Some(old) = session.connection.take() {
            let _ = old
                .tx
                .send(Outbound::Close(4002, "connection replaced".into()));
        }
        session.connection = Some(Connection { id: conn_id, tx });
        session.connections_total += 1;
        if session.ended {
            session.send(Outbound::Close(CLOSE_NORMAL, "chat ended".into()));
            return Some((conn_id, session.delay.clone(), session.expires_at, false));
        }
        // Without `last_seq` the guest gets what was never written to any socket.
        let after = last_seq.unwrap_or(session.written_seq);
        let missed: Vec<(u64, String)> = session
            .agent_log
            .iter()
            .filter(|(seq, _)| *seq > after)
            .cloned()
            .collect();
        if let Some((status, position)) = session.routing {
            session.send_frame(&ServerFrame::Routing { status, position });
        }
        for (seq, frame) in missed {
            session.send(Outbound::Text(frame));
            session.written_seq = session.written_seq.max(seq);
        }
        if session.agent_typing {
            session.send_frame(&ServerFrame::AgentTyping);
        }
        let start_script = self.config().agent == AgentMode::Scripted && !session.scripted_started;
        session.scripted_started = true;
        Some((
            conn_id,
            session.delay.clone(),
            session.expires_at,
            start_script,
        ))
    }

    pub(crate) fn detach(&self, session_id: &str, conn_id: u64) {
        if let Some(session) = self.sessions().get_mut(session_id) {
            if session.connection.as_ref().map(|c| c.id) == Some(conn_id) {
                session.connection = None;
            }
        }
    }

    /// Sends a frame to the session's guest if one is connected.
    pub fn push_text(&self, session_id: &str, text: String) -> Option<bool> {
        let mut sessions = self.sessions();
        let session = sessions.get_mut(session_id)?;
        Some(session.send(Outbound::Text(text)))
    }

    pub fn push(&self, session_id: &str, out: Outbound) -> Option<bool> {
        let mut sessions = self.sessions();
        let session = sessions.get_mut(session_id)?;
        Some(session.send(out))
    }

    /// An agent message: numbered, logged for replay, delivered if the guest is connected.
    pub fn agent_message(&self, session_id: &str, text: &str, agent_name: &str) -> Option<u64> {
        let mut sessions = self.sessions();
        let session = sessions.get_mut(session_id)?;
        let seq = session.agent_log.last().map(|(s, _)| s + 1).unwrap_or(1);
        let frame = ServerFrame::AgentMessage {
            text: text.to_string(),
            seq: Some(seq),
            agent_name: Some(agent_name.to_string()),
        }
        .encode();
        session.agent_log.push((seq, frame.clone()));
        session.stop_typing();
        session.transcript.push(TranscriptLine {
            from: "agent",
            text: text.to_string(),
            at: now_millis(),
            seq: Some(seq),
            client_message_id: None,
        });
        if session.send(Outbound::Text(frame)) {
            session.written_seq = seq;
        }
        Some(seq)
    }

    pub fn set_typing(&self, session_id: &str, typing: bool) -> Option<()> {
        let mut sessions = self.sessions();
        let session = sessions.get_mut(session_id)?;
        session.agent_typing = typing;
        session.send_frame(&if typing {
            ServerFrame::AgentTyping
        } else {
            ServerFrame::AgentNotTyping
        });
        Some(())
    }

    pub fn set_routing(
        &self,
        session_id: &str,
        status: RoutingStatus,
        position: Option<u32>,
    ) -> Option<()> {
        let mut sessions = self.sessions();
        let session = sessions.get_mut(session_id)?;
        session.routing = Some((status, position));
        let text = match (status, position) {
            (RoutingStatus::Queued, Some(p)) => format!("queued (position {p})"),
            (RoutingStatus::Queued, None) => "queued".to_string(),
            (RoutingStatus::Connected, _) => "connected to an agent".to_string(),
            (RoutingStatus::Other, _) => "routing changed".to_string(),
        };
        session.transcript.push(TranscriptLine {
            from: "system",
            text,
            at: now_millis(),
            seq: None,
            client_message_id: None,
        });
        session.send_frame(&ServerFrame::Routing { status, position });
        Some(())
    }

    /// Ends the chat: close 1000 now, and on any later connection.
    pub fn end_chat(&self, session_id: &str) -> Option<()> {
        let mut sessions = self.sessions();
        let session = sessions.get_mut(session_id)?;
        session.stop_typing();
        session.ended = true;
        session.transcript.push(TranscriptLine {
            from: "system",
            text: "chat ended by the agent".into(),
            at: now_millis(),
            seq: None,
            client_message_id: None,
        });
        session.send(Outbound::Close(CLOSE_NORMAL, "chat ended".into()));
        Some(())
    }

    pub(crate) fn take_over(&self, session_id: &str) {
        if let Some(s) = self.sessions().get_mut(session_id) {
            s.taken_over = true;
        }
    }

    /// Moves a session's expiry; used by the control API to test expiry without waiting.
    pub(crate) fn expire_in(&self, session_id: &str, after: Duration) -> Option<()> {
        let mut sessions = self.sessions();
        let session = sessions.get_mut(session_id)?;
        session.expires_at = Instant::now() + after;
        if after.is_zero() {
            session.send(Outbound::Close(
                guest_chat_protocol::CLOSE_SESSION_EXPIRED,
                "session expired".into(),
            ));
        }
        Some(())
    }

    pub(crate) fn record_received(&self, session_id: &str, raw: String) {
        if let Some(s) = self.sessions().get_mut(session_id) {
            if s.received.len() < MAX_RECEIVED_LOG {
                s.received.push(raw);
            }
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

/// Writes what a socket's channel carries until it closes or is dropped; `delay` (ms,
/// set through the control API) holds every frame back.
pub(crate) async fn write_outbound(
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Outbound>,
    mut sink: futures_util::stream::SplitSink<
        axum::extract::ws::WebSocket,
        axum::extract::ws::Message,
    >,
    delay: Option<Arc<AtomicU64>>,
) {
    use axum::extract::ws::{CloseFrame, Message};
    use futures_util::SinkExt;
    while let Some(out) = rx.recv().await {
        let ms = delay.as_ref().map_or(0, |d| d.load(Ordering::Relaxed));
        if ms > 0 {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let message = match out {
            Outbound::Text(text) => Message::Text(text.into()),
            Outbound::Binary(bytes) => Message::Binary(bytes.into()),
            Outbound::Close(code, reason) => {
                let _ = sink
                    .send(Message::Close(Some(CloseFrame {
                        code,
                        reason: reason.into(),
                    })))
                    .await;
                // Give the guest a moment to answer the close handshake.
                tokio::time::sleep(Duration::from_millis(200)).await;
                return;
            }
            Outbound::Drop => return,
        };
        if sink.send(message).await.is_err() {
            return;
        }
    }
}
