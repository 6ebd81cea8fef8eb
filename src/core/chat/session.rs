//! The guest session: created by the server or the widget, kept across reloads while
//! valid, renewed when it expires, configured on each connection; the custom
//! attributes that go with it; a new chat after one ended, and clearing.

use super::{ChatCore, CloseWhy, Connection, Effect, Outgoing, Routing, SystemLine, UploadRules};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A guest session, as used and as remembered across reloads; never holds the OAuth
/// access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub guest_token: String,
    pub session_id: String,
    pub organization_id: String,
    pub expires_at_ms: f64,
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

/// What the server said about the session a connection configured.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionConfigured {
    /// The server made a new session (nothing is held there yet).
    pub new_session: bool,
    /// The conversation has ended: nothing more can be sent in it.
    pub read_only: bool,
    /// The most bytes of custom attributes the session takes.
    pub max_attribute_bytes: Option<u32>,
    /// What the visitor may upload; `None` when the deployment takes no files.
    pub uploads: Option<UploadRules>,
}

/// The session in use, and what the next connection does with it.
#[derive(Debug, Clone, Default)]
pub(super) struct SessionState {
    current: Option<Session>,
    /// The newest agent `seq` held, where the server numbers messages.
    last_seq: Option<u64>,
    /// Bumped when the session or the last `seq` changes, for persistence.
    pub(super) revision: u64,
    /// The session came from storage and has not connected in this page yet: a refused
    /// upgrade then means the server no longer knows it.
    resumed: bool,
    /// The server confirmed this session once (here or on a previous page).
    configured_once: bool,
    /// The next connection replaces the ended conversation with a new one.
    start_new: bool,
}

impl SessionState {
    pub(super) fn current(&self) -> Option<&Session> {
        self.current.as_ref()
    }

    pub(super) fn id(&self) -> Option<String> {
        Some(self.current.as_ref()?.session_id.clone())
    }

    pub(super) fn revision(&self) -> u64 {
        self.revision
    }

    pub(super) fn last_seq(&self) -> Option<u64> {
        self.last_seq
    }

    pub(super) fn resumed(&self) -> bool {
        self.resumed
    }

    pub(super) fn configured_once(&self) -> bool {
        self.configured_once
    }

    /// Whether an agent message numbered `seq` (if the server numbers them) is new.
    pub(super) fn is_new_seq(&self, seq: Option<u64>) -> bool {
        seq.is_none_or(|seq| self.last_seq.is_none_or(|last| seq > last))
    }

    /// An agent message numbered `seq` was taken.
    pub(super) fn remember_seq(&mut self, seq: Option<u64>) {
        if seq.is_some() {
            self.last_seq = seq;
            self.revision += 1;
        }
    }

    /// Whether the session's token is past (or within five seconds of) its lifetime,
    /// so that it does not expire during the upgrade.
    fn expired(&self, now_ms: f64) -> bool {
        self.current
            .as_ref()
            .is_some_and(|s| now_ms + 5_000.0 >= s.expires_at_ms)
    }

    fn created(&mut self, session: NewSession, now_ms: f64) {
        self.current = Some(Session {
            expires_at_ms: now_ms + session.expires_in_s as f64 * 1000.0,
            guest_token: session.guest_token,
            session_id: session.session_id,
            organization_id: session.organization_id,
        });
        self.revision += 1;
    }

    /// What a previous page kept; `confirmed` when the protocol configured its session.
    /// Returns whether a session is resumed.
    pub(super) fn restore(
        &mut self,
        session: Option<Session>,
        last_seq: Option<u64>,
        confirmed: bool,
    ) -> bool {
        self.last_seq = last_seq;
        let Some(session) = session else {
            return false;
        };
        self.current = Some(session);
        self.resumed = true;
        self.configured_once = confirmed;
        true
    }

    pub(super) fn connected(&mut self) {
        self.resumed = false;
    }

    /// The server took the session; returns whether it had before.
    fn configured(&mut self) -> bool {
        std::mem::replace(&mut self.configured_once, true)
    }

    fn forget(&mut self) {
        let revision = self.revision + 1;
        *self = SessionState {
            revision,
            ..SessionState::default()
        };
    }
}

/// Bytes of custom attributes a session takes when the server names no limit.
const DEFAULT_ATTRIBUTE_BYTES: u32 = 2048;

/// The custom attributes of the session: the ones the server took, the ones on their
/// way with a message, and whether the set is too large to send at all.
#[derive(Debug, Clone)]
pub(super) struct Attributes {
    sent: BTreeMap<String, String>,
    in_flight: BTreeMap<String, String>,
    too_large: bool,
    max_bytes: u32,
}

impl Default for Attributes {
    fn default() -> Self {
        Attributes {
            sent: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            too_large: false,
            max_bytes: DEFAULT_ATTRIBUTE_BYTES,
        }
    }
}

/// Why no attributes go with a message.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Withheld {
    /// The set was found too large before.
    Already,
    /// The set is this many bytes, more than the session takes.
    TooLarge { bytes: usize, max: u32 },
}

impl Attributes {
    pub(super) fn sent(&self) -> &BTreeMap<String, String> {
        &self.sent
    }

    pub(super) fn restore(&mut self, sent: BTreeMap<String, String>) {
        self.sent = sent;
    }

    /// Of the attributes `wanted`, the new or changed ones, now on their way.
    pub(super) fn take_fresh(
        &mut self,
        wanted: BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, Withheld> {
        if self.too_large {
            return Err(Withheld::Already);
        }
        let bytes: usize = wanted.iter().map(|(k, v)| k.len() + v.len()).sum();
        if bytes > self.max_bytes as usize {
            self.too_large = true;
            return Err(Withheld::TooLarge {
                bytes,
                max: self.max_bytes,
            });
        }
        // Built anew by inserting: removing from a B-tree, or collecting into one (which
        // sorts), would cost the widget kilobytes of code.
        let mut fresh = BTreeMap::new();
        for (k, v) in wanted {
            if self.sent.get(&k) != Some(&v) {
                fresh.insert(k, v);
            }
        }
        self.in_flight.extend(fresh.clone());
        Ok(fresh)
    }

    /// A message was acknowledged: what went with it is taken. Returns whether that
    /// changed what is kept.
    pub(super) fn taken(&mut self) -> bool {
        let taken = std::mem::take(&mut self.in_flight);
        let changed = !taken.is_empty();
        self.sent.extend(taken);
        changed
    }

    /// The server refused the set as too large; returns whether this is news.
    pub(super) fn refused(&mut self) -> bool {
        if self.too_large {
            return false;
        }
        self.too_large = true;
        self.in_flight.clear();
        true
    }

    /// The session is gone: none of them are held, none on their way.
    fn forget(&mut self) {
        self.sent.clear();
        self.in_flight.clear();
    }

    /// The server began a new session: it holds none of them, and may take them all.
    pub(super) fn new_session(&mut self) {
        self.sent.clear();
        self.too_large = false;
    }
}

impl ChatCore {
    pub(super) fn session_expired(&self) -> bool {
        self.session.expired(self.clock_ms)
    }

    /// Forgets the session and starts a new one; the transcript stays, with a line saying so.
    pub(super) fn renew_session(&mut self) -> Vec<Effect> {
        self.forget_session();
        self.push_system(SystemLine::SessionRenewed);
        self.create_session()
    }

    pub(super) fn forget_session(&mut self) {
        self.session.forget();
        self.routing = Routing::Unknown;
        self.link.reset_attempts();
        self.history.forget_token();
        self.attributes.forget();
    }

    pub(super) fn create_session(&mut self) -> Vec<Effect> {
        self.connection = Connection::CreatingSession;
        vec![Effect::CreateSession]
    }

    pub(super) fn open_socket(&mut self) -> Vec<Effect> {
        match self.session.current.clone() {
            Some(session) => vec![Effect::OpenConnection {
                session,
                resume_after: self.session.last_seq,
                start_new: self.session.start_new,
            }],
            None => self.create_session(),
        }
    }

    pub(super) fn session_created(&mut self, session: NewSession) -> Vec<Effect> {
        if self.connection != Connection::CreatingSession {
            return vec![];
        }
        self.session.created(session, self.clock_ms);
        self.connection = Connection::Connecting;
        self.open_socket()
    }

    pub(super) fn session_failed(&mut self, failure: RestFailure) -> Vec<Effect> {
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

    /// A request about the session, written now.
    pub(super) fn session_request(&self, request: impl FnOnce(String) -> Outgoing) -> Vec<Effect> {
        match self.session.id() {
            Some(session_id) if self.link.is_open() => vec![Effect::Send(request(session_id))],
            _ => vec![],
        }
    }

    pub(super) fn on_configured(&mut self, answer: SessionConfigured) -> Vec<Effect> {
        // Starting anew, the ended session is configured (and closed) first.
        if answer.read_only && self.session.start_new {
            return vec![];
        }
        if answer.read_only {
            return self.conversation_ended();
        }
        if let Some(max) = answer.max_attribute_bytes {
            self.attributes.max_bytes = max;
        }
        self.uploads.set_rules(answer.uploads);
        self.link.session_taken();
        let configured_before = self.session.configured();
        if !answer.new_session {
            // Resumed: what arrived while this page was away, and which of the messages
            // that may have been lost the server has, are in the history.
            return self.begin_history_read();
        }
        if std::mem::take(&mut self.session.start_new) {
            self.push_system(SystemLine::NewChat);
        } else if configured_before {
            // The server no longer had the conversation and began another.
            self.push_system(SystemLine::SessionRenewed);
        }
        self.history.forget_token();
        self.attributes.new_session();
        self.flush_outbox()
    }

    /// The custom attributes the server has not taken yet: the guest's name and e-mail
    /// and the page's `data-attributes`, new or changed ones only. A set larger than the
    /// session takes is not sent at all, and the visitor is told once.
    pub(super) fn attributes_to_send(
        &mut self,
        effects: &mut Vec<Effect>,
    ) -> BTreeMap<String, String> {
        if !self.confirms_sessions {
            return BTreeMap::new();
        }
        let mut wanted = self.config.attributes.clone();
        if let Some(name) = &self.config.guest_name {
            wanted.insert("context.firstName".into(), name.clone());
        }
        if let Some(email) = &self.config.guest_email {
            wanted.insert("context.email".into(), email.clone());
        }
        match self.attributes.take_fresh(wanted) {
            Ok(fresh) => fresh,
            Err(Withheld::Already) => BTreeMap::new(),
            Err(Withheld::TooLarge { bytes, max }) => {
                self.push_system(SystemLine::Refused { code: 4013 });
                effects.push(Effect::Warn(format!(
                    "guest-chat: {bytes} bytes of custom attributes are more than the {max} the session takes; none were sent"
                )));
                BTreeMap::new()
            }
        }
    }

    /// The page's attributes in place of the configured ones; a set too large before
    /// may fit now.
    pub(super) fn attributes_changed(
        &mut self,
        attributes: BTreeMap<String, String>,
    ) -> Vec<Effect> {
        self.config.attributes = attributes;
        self.attributes.too_large = false;
        vec![]
    }

    /// A message was acknowledged: the attributes that went with it are taken.
    pub(super) fn attributes_taken(&mut self) {
        if self.attributes.taken() {
            self.session.revision += 1;
        }
    }

    pub(super) fn start_new_chat(&mut self) -> Vec<Effect> {
        if self.connection != Connection::Ended || !self.confirms_sessions {
            return vec![];
        }
        self.session.start_new = true;
        self.link.reset_attempts();
        self.routing = Routing::Unknown;
        self.connection = Connection::Connecting;
        self.open_socket()
    }

    pub(super) fn clear_conversation(&mut self) -> Vec<Effect> {
        if !self.link.is_ready() {
            return vec![];
        }
        self.session_request(|session_id| Outgoing::Clear { session_id })
    }

    /// Nothing of the conversation stays here: its transcript, its session, its
    /// connection; the chat waits to start again.
    pub(super) fn forget_conversation(&mut self) -> Vec<Effect> {
        self.transcript.clear();
        self.forget_session();
        self.attributes.new_session();
        self.link.dropped();
        self.history.stop();
        self.agent_typing = false;
        self.connection = Connection::Idle;
        vec![
            Effect::CloseConnection(CloseWhy::Cleared),
            Effect::StopHeartbeat,
        ]
    }

    /// The conversation is gone, here as on the server: a new one begins.
    pub(super) fn on_cleared(&mut self) -> Vec<Effect> {
        let mut effects = self.forget_conversation();
        effects.extend(self.create_session());
        effects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn only_new_or_changed_attributes_go_again() {
        let mut a = Attributes::default();
        let first = a
            .take_fresh(attributes(&[("plan", "gold"), ("page", "/")]))
            .unwrap();
        assert_eq!(first.len(), 2);
        assert!(a.taken());
        let next = a
            .take_fresh(attributes(&[("plan", "gold"), ("page", "/cart")]))
            .unwrap();
        assert_eq!(next, attributes(&[("page", "/cart")]));
        a.new_session();
        assert_eq!(
            a.take_fresh(attributes(&[("plan", "gold")])).unwrap().len(),
            1
        );
    }

    #[test]
    fn a_set_too_large_is_withheld_and_told_once() {
        let mut a = Attributes {
            max_bytes: 8,
            ..Attributes::default()
        };
        let big = attributes(&[("plan", "platinum")]);
        assert_eq!(
            a.take_fresh(big.clone()),
            Err(Withheld::TooLarge { bytes: 12, max: 8 })
        );
        assert_eq!(a.take_fresh(big), Err(Withheld::Already));
        assert!(!a.refused(), "already known to be too large");
    }

    #[test]
    fn a_session_expires_five_seconds_early_and_seqs_only_go_forward() {
        let mut s = SessionState::default();
        s.created(
            NewSession {
                guest_token: "t".into(),
                session_id: "s".into(),
                organization_id: "o".into(),
                expires_in_s: 60,
            },
            1000.0,
        );
        assert!(!s.expired(1000.0 + 54_000.0));
        assert!(s.expired(1000.0 + 55_000.0));
        assert!(s.is_new_seq(Some(3)));
        s.remember_seq(Some(3));
        assert!(!s.is_new_seq(Some(3)) && s.is_new_seq(Some(4)) && s.is_new_seq(None));
        let revision = s.revision();
        s.forget();
        assert!(s.current().is_none() && s.last_seq().is_none());
        assert!(s.revision() > revision);
    }

    #[test]
    fn server_text_is_trimmed_to_what_a_status_line_holds() {
        let long = format!("  {}  ", "x".repeat(300));
        let failure = RestFailure::new(Some(500), &long, None);
        assert_eq!(failure.server_text.chars().count(), SERVER_TEXT_CHARS + 1);
        assert_eq!(RestFailure::new(None, " busy ", None).server_text, "busy");
    }
}
