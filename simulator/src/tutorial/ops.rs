//! What the agent's side does to a tutorial session: routing, typing, messages, the
//! end of the chat, and what the control API changes.

use crate::shared::{
    now_millis, AgentMode, AppState, Connection, NewSession, Outbound, Session, TranscriptLine,
    MAX_RECEIVED_LOG,
};
use guest_chat_protocol::{RoutingStatus, ServerFrame, CLOSE_NORMAL};
use std::{
    collections::HashSet,
    sync::{atomic::AtomicU64, Arc},
    time::{Duration, Instant},
};
use tokio::sync::mpsc::UnboundedSender;

impl AppState {
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
        self.tokens().insert(token.clone(), id.clone());
        (id, token)
    }

    pub(crate) fn session_for_token(&self, token: &str) -> Option<String> {
        self.tokens().get(token).cloned()
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
        let conn_id = self.next_connection_id();
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
}
