//! The conversation as a state machine: `apply(event) -> effects`.
//!
//! It speaks the domain only: a protocol adapter turns frames into [`Event`]s and
//! [`Outgoing`] requests into frames; the runtime carries out the [`Effect`]s; the view
//! renders the public state. Nothing here touches the browser or a wire format.
//!
//! [`ChatCore`] composes one state per concern, each in its own module with the
//! handlers of its events: the transcript, the connection, the outbox, the session and
//! its attributes, the history read, uploads, offers, and what is kept and shared.
//! `apply` and `on_incoming` only route.

use super::auth::Auth;
use super::config::{Config, SessionSource};
use super::deployment::Features;

mod connection;
mod events;
mod history;
mod kept;
mod offers;
mod outbox;
mod session;
mod signed_in;
mod transcript;
mod upload;

pub use connection::{CloseKind, CloseWhy, Connection, Phase, Routing};
pub use events::{Effect, Event, Incoming, Outgoing, Unreadable};
pub use history::{HistoryItem, HistoryPage};
pub use kept::{MirroredView, Snapshot, PERSISTED_ENTRIES};
pub use session::{NewSession, RestFailure, Session, SessionConfigured};
pub use transcript::{
    safe_url, Answer, Card, CardAction, Choice, Delivery, Entry, EntryKind, FileLink, Offer,
    SharedChanges, SystemLine, Transcript,
};
pub use upload::{PendingFile, UploadProblem, UploadRules, UploadStage};

use connection::Link;
use history::HistoryRead;
use outbox::Outbox;
use session::{Attributes, SessionState};
use std::sync::Arc;
use upload::Uploads;

pub struct ChatCore {
    config: Config,
    pub connection: Connection,
    pub routing: Routing,
    pub agent_typing: bool,
    pub transcript: Transcript,
    /// The current time, set by the runtime before each event (ms since the epoch).
    pub clock_ms: f64,
    /// The protocol answers each connection's session ([`Incoming::SessionConfigured`]),
    /// keeps a history to check against, and limits the rate of messages.
    confirms_sessions: bool,
    link: Link,
    session: SessionState,
    attributes: Attributes,
    history: HistoryRead,
    outbox: Outbox,
    uploads: Uploads,
    /// A file the visitor asked to open, waiting for its fresh address.
    opening_file: Option<String>,
    /// What the deployment and the tag switched on.
    features: Features,
    /// The visitor's sign-in, when the site has one.
    pub auth: Auth,
    /// The chat was asked to start while a sign-in was being exchanged: it starts as
    /// the visitor once signed in, never as a guest in its place.
    start_waits_for_sign_in: bool,
    /// A refresh to schedule when the chat starts, for tokens a reload kept.
    restored_refresh_ms: Option<u64>,
}

impl ChatCore {
    pub fn new(config: Config, seed: u64) -> Self {
        let confirms_sessions = matches!(config.session, SessionSource::Genesys { .. });
        let features = config.feature_set();
        ChatCore {
            features,
            config,
            connection: Connection::Idle,
            routing: Routing::Unknown,
            agent_typing: false,
            transcript: Transcript::default(),
            clock_ms: 0.0,
            confirms_sessions,
            link: Link::new(seed),
            session: SessionState::default(),
            attributes: Attributes::default(),
            history: HistoryRead::default(),
            outbox: Outbox::new(confirms_sessions),
            uploads: Uploads::default(),
            opening_file: None,
            auth: Auth::default(),
            start_waits_for_sign_in: false,
            restored_refresh_ms: None,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn session(&self) -> Option<&Session> {
        self.session.current()
    }

    /// Changes whenever the transcript does, so a view can tell when to copy it.
    pub fn transcript_revision(&self) -> u64 {
        self.transcript.revision()
    }

    /// Changes when the session or what is known of it does, for persistence.
    pub fn session_revision(&self) -> u64 {
        self.session.revision()
    }

    /// The composer accepts text once a session exists and the chat has not ended;
    /// while reconnecting, what is typed waits in the outbox.
    pub fn can_compose(&self) -> bool {
        self.link.ever_connected() && !matches!(self.connection, Connection::Ended)
    }

    /// The protocol lets the visitor start a new chat after one ended, and erase the
    /// conversation.
    pub fn can_start_over(&self) -> bool {
        self.confirms_sessions
    }

    /// The visitor may erase the conversation: the protocol allows it and the
    /// deployment has not switched it off.
    pub fn can_clear(&self) -> bool {
        self.confirms_sessions && self.features.clear_conversation
    }

    pub fn features(&self) -> Features {
        self.features
    }

    /// The entries added since the last call, in transcript order: what the view
    /// announces and counts as unread.
    pub fn take_news(&mut self) -> Vec<Entry> {
        self.transcript.take_news()
    }

    /// Indices of the entries added or changed since the last call (ascending, once
    /// each), so a view updates only those.
    pub fn take_dirty(&mut self) -> Vec<usize> {
        self.transcript.take_dirty()
    }

    fn push(&mut self, kind: EntryKind, text: &str) -> usize {
        self.transcript.push(kind, text, self.clock_ms)
    }

    fn push_system(&mut self, line: SystemLine) {
        self.transcript.push_system(line, self.clock_ms);
    }

    pub fn apply(&mut self, event: Event) -> Vec<Effect> {
        match event {
            Event::Start => self.start_signed_in_or_not(),
            Event::Auth(event) => self.on_auth(event),
            Event::SessionCreated(session) => self.session_created(session),
            Event::SessionFailed(failure) => self.session_failed(failure),
            Event::ConnectionOpened => self.on_open(),
            // Frames only count from an open connection: anything else is a stale callback.
            Event::Received(incoming) if self.link.is_open() => self.on_incoming(incoming),
            Event::Unreadable(unreadable) if self.link.is_open() => unreadable_warning(unreadable),
            Event::Received(_) | Event::Unreadable(_) => vec![],
            Event::ConnectionClosed { kind, code, reason } => {
                self.connection_closed(kind, code, &reason)
            }
            Event::ReconnectDue => self.reconnect_due(),
            Event::HeartbeatDue => self.on_heartbeat(),
            Event::TypingExpired => {
                self.agent_typing = false;
                vec![]
            }
            Event::Send { text, client_id } => self.on_send(&text, client_id),
            Event::AttachFile {
                file_id,
                name,
                mime,
                size,
            } => self.attach_file(file_id, name, mime, size),
            Event::RemoveFile => self.remove_file(),
            Event::UploadProgress { file_id, percent } => self.upload_progress(&file_id, percent),
            Event::UploadInterrupted { file_id } => self.upload_interrupted(&file_id),
            Event::Retry => self.retry_now(),
            Event::RetryMessage { id } => self.retry_message(id),
            Event::NetworkOffline => self.network_changed(false),
            Event::NetworkOnline => self.network_changed(true),
            Event::PageVisible => self.wake(),
            Event::HistoryLoaded(page) => self.on_history(page),
            Event::HistoryFailed(why) => self.history_failed(why),
            Event::FlushDue => self.flush_due(),
            Event::GuestTyping => self.guest_typing(),
            Event::AttributesChanged(attributes) => self.attributes_changed(attributes),
            Event::StartNewChat => self.start_new_chat(),
            Event::ClearConversation => self.clear_conversation(),
            Event::ChooseReply {
                entry,
                choice,
                client_id,
            } => self.choose_reply(entry, choice, client_id),
            Event::OpenFile { entry, file } => self.open_file(entry, file),
            Event::PressCardButton {
                entry,
                card,
                action,
                client_id,
            } => self.press_card_button(entry, card, action, client_id),
        }
    }

    fn on_incoming(&mut self, incoming: Incoming) -> Vec<Effect> {
        match incoming {
            Incoming::AgentMessage {
                seq,
                id,
                at_ms,
                author,
                text,
                offer,
            } => self.agent_message(seq, id, at_ms, author, &text, offer),
            Incoming::AgentTyping(typing) => {
                self.agent_typing = typing && self.features.agent_typing;
                vec![]
            }
            Incoming::AgentTypingFor(_) if !self.features.agent_typing => vec![],
            Incoming::AgentTypingFor(ms) => {
                self.agent_typing = true;
                vec![Effect::ScheduleTypingEnd { delay_ms: ms }]
            }
            Incoming::ConversationEnded => self.conversation_ended(),
            Incoming::Noted => vec![],
            Incoming::Routing(routing) => self.routing_told(routing),
            Incoming::Acknowledged {
                client_id,
                server_id,
                at_ms,
            } => {
                self.acknowledged(client_id.as_deref(), server_id, at_ms);
                vec![]
            }
            Incoming::ServerError { reason } => {
                self.push(EntryKind::Error, &reason);
                vec![Effect::LogError(format!(
                    "guest-chat: server error: {reason}"
                ))]
            }
            Incoming::HeartbeatAnswered => {
                self.heartbeat_answered();
                vec![]
            }
            Incoming::SessionConfigured(answer) => self.on_configured(answer),
            Incoming::HistoryToken { jwt, expires_at_ms } => self.history_token(jwt, expires_at_ms),
            Incoming::Refused { code, reason, .. } if self.refuses_sign_in(code, &reason) => {
                self.on_auth(crate::core::auth::AuthEvent::Unauthorized)
            }
            Incoming::Refused {
                code,
                client_id,
                reason,
            } => self.on_refused(code, client_id.as_deref(), &reason),
            Incoming::LoggedOut => self.on_auth(crate::core::auth::AuthEvent::LoggedOutElsewhere),
            Incoming::RateLimited {
                client_id,
                retry_after_ms,
            } => self.rate_limited(client_id.as_deref(), retry_after_ms),
            Incoming::TypingRefused => {
                self.typing_refused();
                vec![]
            }
            Incoming::SessionCleared => self.on_cleared(),
            Incoming::UploadAddress {
                file_id,
                url,
                headers,
            } => self.upload_address(file_id, url, headers),
            Incoming::UploadStored { file_id, url } => self.upload_stored(&file_id, url),
            Incoming::UploadRefused { file_id, code } => {
                self.upload_refused(file_id.as_deref(), code)
            }
            Incoming::FileRefreshed { file_id, url } => self.file_refreshed(file_id, url),
        }
    }

    /// An agent's or bot's message: new ones only (by `seq` or by id), in their place by
    /// the server's time.
    fn agent_message(
        &mut self,
        seq: Option<u64>,
        id: Option<String>,
        at_ms: Option<f64>,
        author: Option<String>,
        text: &str,
        offer: Option<Offer>,
    ) -> Vec<Effect> {
        if !self.session.is_new_seq(seq) {
            return vec![];
        }
        if id.as_deref().is_some_and(|id| self.transcript.holds(id)) {
            return vec![];
        }
        self.session.remember_seq(seq);
        self.agent_typing = false;
        let index = match &id {
            Some(id) => {
                self.transcript
                    .insert_timed(EntryKind::Agent, text, id, at_ms, self.clock_ms)
            }
            None => self.push(EntryKind::Agent, text),
        };
        self.transcript.edit(index).agent_name = author
            .filter(|_| self.features.agent_names)
            .map(|n| Arc::from(n.as_str()));
        self.transcript.offer(index, offer);
        self.transcript.retire_replies();
        vec![]
    }

    /// `None`: a routing state this version does not know.
    fn routing_told(&mut self, routing: Option<Routing>) -> Vec<Effect> {
        let Some(routing) = routing else {
            return vec![Effect::Warn(
                "guest-chat: unknown routing status ignored".into(),
            )];
        };
        if routing != self.routing {
            self.routing = routing;
            self.push_system(match routing {
                Routing::Queued { position } => SystemLine::Queued { position },
                _ => SystemLine::AgentConnected,
            });
        }
        vec![]
    }
}

fn unreadable_warning(unreadable: Unreadable) -> Vec<Effect> {
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
