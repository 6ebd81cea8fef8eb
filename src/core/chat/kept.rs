//! What is kept and shared: the snapshot that survives a reload, and the view a tab
//! that does not hold the connection mirrors.

use super::{ChatCore, Connection, Entry, Routing, Session, SharedChanges, SystemLine};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Entries kept across a reload; older ones are dropped (undelivered messages never are).
pub const PERSISTED_ENTRIES: usize = 1000;

/// What survives a page reload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Snapshot {
    pub session: Option<Session>,
    pub last_seq: Option<u64>,
    pub transcript: Vec<Entry>,
    /// Custom attributes the server has taken in this session.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sent_attributes: BTreeMap<String, String>,
    /// A signed-in visitor's tokens, kept only where the conversation is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<crate::core::auth::Tokens>,
}

/// The state another tab shows besides the transcript's entries.
#[derive(Debug, Clone, PartialEq)]
pub struct MirroredView {
    pub connection: Connection,
    pub routing: Routing,
    pub agent_typing: bool,
    pub ever_connected: bool,
    pub len: usize,
}

/// The routing a kept transcript last told: the server repeats it on connecting, and
/// known already, it is no news.
fn last_routing(transcript: &[Entry]) -> Routing {
    transcript
        .iter()
        .rev()
        .find_map(|e| match e.system? {
            SystemLine::Queued { position } => Some(Routing::Queued { position }),
            SystemLine::AgentConnected => Some(Routing::Connected),
            SystemLine::SessionRenewed => Some(Routing::Unknown),
            _ => None,
        })
        .unwrap_or(Routing::Unknown)
}

impl ChatCore {
    /// What to keep across a reload.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            session: self.session.current().cloned(),
            last_seq: self.session.last_seq(),
            transcript: self.transcript.kept(PERSISTED_ENTRIES),
            sent_attributes: self.attributes.sent().clone(),
            auth: self.auth.tokens().cloned(),
        }
    }

    /// Takes back what a previous page kept; call before [`crate::core::Event::Start`].
    /// A kept session is resumed without a new REST call while its token is valid.
    pub fn restore(&mut self, snapshot: Snapshot) {
        self.transcript.replace(snapshot.transcript);
        self.attributes.restore(snapshot.sent_attributes);
        if let Some(tokens) = snapshot.auth {
            self.restored_refresh_ms = self.auth.restore(tokens).iter().find_map(|e| match e {
                crate::core::auth::AuthEffect::ScheduleRefresh { delay_ms } => Some(*delay_ms),
                _ => None,
            });
        }
        let resumed =
            self.session
                .restore(snapshot.session, snapshot.last_seq, self.confirms_sessions);
        if !resumed {
            return;
        }
        // The visitor already chatted: the composer is usable while we reconnect.
        self.link.resume();
        self.routing = last_routing(&self.transcript);
    }

    /// What a mirroring tab needs besides the entries.
    pub fn mirrored_view(&self) -> MirroredView {
        MirroredView {
            connection: self.connection.clone(),
            routing: self.routing,
            agent_typing: self.agent_typing,
            ever_connected: self.link.ever_connected(),
            len: self.transcript.len(),
        }
    }

    /// Shows what another tab's chat holds: this one only mirrors it. `changed` are
    /// entries at their index, `added` the ids that are news.
    pub fn mirror(&mut self, view: MirroredView, changed: Vec<(usize, Entry)>, added: Vec<u64>) {
        self.connection = view.connection;
        self.routing = view.routing;
        self.agent_typing = view.agent_typing;
        self.link.mirror(view.ever_connected);
        self.transcript.mirror(view.len, changed, added);
    }

    /// Keeps a second account of changes for the other tabs (see [`ChatCore::take_shared`]).
    pub fn share_changes(&mut self) {
        self.transcript.share_changes();
    }

    /// The entries changed and the ids added since the last call, for the other tabs;
    /// `None` unless [`ChatCore::share_changes`] was called.
    pub fn take_shared(&mut self) -> Option<SharedChanges> {
        self.transcript.take_shared()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{EntryKind, Event, NewSession};
    use std::sync::Arc;

    fn core() -> ChatCore {
        let config = crate::core::Config::from_attributes(|n| {
            (n == "session-url").then(|| "/guest-session".to_string())
        })
        .unwrap();
        ChatCore::new(config, 1)
    }

    fn system(line: SystemLine) -> Entry {
        Entry {
            id: 1,
            kind: EntryKind::System,
            text: Arc::from(""),
            delivery: None,
            client_id: None,
            agent_name: None,
            system: Some(line),
            at_ms: 0.0,
            server_id: None,
            offer: None,
            answered: false,
            answer: None,
        }
    }

    #[test]
    fn the_routing_kept_is_the_last_one_told() {
        let queued = system(SystemLine::Queued { position: Some(2) });
        let connected = system(SystemLine::AgentConnected);
        let ended = system(SystemLine::ChatEnded);
        assert_eq!(last_routing(&[]), Routing::Unknown);
        assert_eq!(
            last_routing(&[queued.clone(), ended.clone()]),
            Routing::Queued { position: Some(2) }
        );
        assert_eq!(
            last_routing(&[queued, connected, ended]),
            Routing::Connected
        );
    }

    #[test]
    fn a_snapshot_restores_the_session_and_the_transcript() {
        let mut first = core();
        first.apply(Event::Start);
        first.apply(Event::SessionCreated(NewSession {
            guest_token: "t".into(),
            session_id: "s".into(),
            organization_id: "o".into(),
            expires_in_s: 3600,
        }));
        first.apply(Event::ConnectionOpened);
        let kept = first.snapshot();
        assert_eq!(kept.session.as_ref().unwrap().session_id, "s");
        let mut second = core();
        second.restore(kept.clone());
        assert_eq!(second.snapshot(), kept);
        assert!(
            second.can_compose(),
            "a kept conversation is usable at once"
        );
        assert_eq!(second.mirrored_view().len, first.transcript.len());
    }
}
