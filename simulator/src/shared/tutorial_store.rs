//! The tutorial protocol's sessions as held in the simulator's state.

use super::{Outbound, TranscriptLine};
use guest_chat_protocol::{RoutingStatus, ServerFrame};
use std::{
    collections::HashSet,
    sync::{atomic::AtomicU64, Arc},
    time::Instant,
};
use tokio::sync::mpsc::UnboundedSender;

/// Keeps the raw frames a session received bounded, so a flood cannot exhaust memory.
pub(crate) const MAX_RECEIVED_LOG: usize = 20_000;

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

impl Session {
    pub(crate) fn send(&mut self, out: Outbound) -> bool {
        match &self.connection {
            Some(conn) => conn.tx.send(out).is_ok(),
            None => false,
        }
    }

    pub(crate) fn send_frame(&mut self, frame: &ServerFrame) -> bool {
        self.send(Outbound::Text(frame.encode()))
    }

    /// Typing ends with `agent_not_typing` whatever ends it: a client that follows the
    /// tutorial clears its indicator on that frame alone.
    pub(crate) fn stop_typing(&mut self) {
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

pub(crate) struct NewSession {
    pub organization_id: String,
    pub guest_name: Option<String>,
    pub guest_email: Option<String>,
    pub attributes: std::collections::BTreeMap<String, String>,
}
