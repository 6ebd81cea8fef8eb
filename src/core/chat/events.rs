//! What flows through the core: the events it is told, what the server said
//! ([`Incoming`]), what it asks to be written ([`Outgoing`]) and what it asks the
//! runtime to do ([`Effect`]).

use super::{
    Answer, HistoryPage, NewSession, Offer, RestFailure, Routing, Session, SessionConfigured,
};
use super::{CloseKind, CloseWhy};
use crate::core::auth::{AuthEffect, AuthEvent};
use std::collections::BTreeMap;

/// What the server said, as the protocol adapter read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// An agent's message; `seq` numbers it within the session when the server does,
    /// `id` names it and `at_ms` is when the server processed it, where the protocol says.
    AgentMessage {
        seq: Option<u64>,
        id: Option<String>,
        at_ms: Option<f64>,
        author: Option<String>,
        text: String,
        offer: Option<Offer>,
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
        /// The server's id for the message and its time, where the protocol gives them.
        server_id: Option<String>,
        at_ms: Option<f64>,
    },
    /// The server refused something and said why.
    ServerError {
        reason: String,
    },
    /// The answer to a heartbeat.
    HeartbeatAnswered,
    /// The server took the session configured on this connection.
    SessionConfigured(SessionConfigured),
    /// A token for reading the conversation's history, valid until `expires_at_ms`.
    HistoryToken {
        jwt: String,
        expires_at_ms: f64,
    },
    /// The server refused a request with `code`; `client_id` names the guest message
    /// it concerned, if any. `reason` is the server's own text, for the console.
    Refused {
        code: u16,
        client_id: Option<String>,
        reason: String,
    },
    /// Too many messages: the one with `client_id` was not taken; wait, then resend.
    RateLimited {
        client_id: Option<String>,
        retry_after_ms: u32,
    },
    /// The service does not take the visitor's typing events.
    TypingRefused,
    /// The conversation was erased on the server, at the visitor's request.
    SessionCleared,
    /// The service logged the signed-in visitor out (`LogoutEvent`).
    LoggedOut,
    /// A fresh download address for a file.
    FileRefreshed {
        file_id: String,
        url: String,
    },
    /// Where to upload the attached file, and the headers the upload must carry.
    UploadAddress {
        file_id: String,
        url: String,
        headers: Vec<(String, String)>,
    },
    /// The server stored the uploaded file.
    UploadStored {
        file_id: String,
        url: String,
    },
    /// The server refused the attached file, before or after its upload.
    UploadRefused {
        file_id: Option<String>,
        code: u16,
    },
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

/// What the core asks to be written to the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    Message {
        session_id: String,
        text: String,
        client_id: Option<String>,
        /// Custom attributes that go with this message (new or changed ones).
        attributes: BTreeMap<String, String>,
        /// The button this message answers, if it does.
        answer: Option<Answer>,
        /// Ids of the uploaded files it carries.
        files: Vec<String>,
    },
    Heartbeat {
        session_id: String,
    },
    /// Ask for a token to read the history with.
    HistoryToken {
        session_id: String,
    },
    /// The visitor is typing.
    Typing {
        session_id: String,
    },
    /// Erase the conversation on the server.
    Clear {
        session_id: String,
    },
    /// Configure the session as the signed-in visitor on the open connection.
    Authenticate {
        session_id: String,
        deployment_id: String,
        jwt: String,
    },
    /// Ask for a fresh download address of a file (addresses expire).
    RefreshFile {
        session_id: String,
        file_id: String,
    },
    /// Ask where to upload a file the visitor attached.
    RequestUpload {
        session_id: String,
        file_id: String,
        name: String,
        mime: String,
        size: u64,
    },
    /// Withdraw an uploaded file that was not sent.
    DeleteFile {
        session_id: String,
        file_id: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
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
    /// A page of history, as asked for with [`Effect::FetchHistory`].
    HistoryLoaded(HistoryPage),
    /// The history could not be read; `why` is for the console.
    HistoryFailed(String),
    /// The pause between two messages is over (see [`Effect::ScheduleFlush`]).
    FlushDue,
    /// The visitor types in the composer.
    GuestTyping,
    /// The page set the conversation's custom attributes anew (Messenger's `Database`);
    /// they go with the next message, new or changed ones only.
    AttributesChanged(BTreeMap<String, String>),
    /// The visitor starts a new chat after the last one ended.
    StartNewChat,
    /// The visitor confirmed erasing the conversation.
    ClearConversation,
    /// The visitor chose quick reply `choice` of entry `entry`; `client_id` is fresh.
    ChooseReply {
        entry: u64,
        choice: usize,
        client_id: String,
    },
    /// The visitor opens file `file` of entry `entry`.
    OpenFile {
        entry: u64,
        file: usize,
    },
    /// The visitor pressed postback `action` of card `card` of entry `entry`.
    PressCardButton {
        entry: u64,
        card: usize,
        action: usize,
        client_id: String,
    },
    /// The visitor attached a file; `file_id` is a fresh UUID from the runtime.
    AttachFile {
        file_id: String,
        name: String,
        mime: String,
        size: u64,
    },
    /// The visitor removed the attached file (or dismissed why it failed).
    RemoveFile,
    /// Part of the attached file is uploaded.
    UploadProgress {
        file_id: String,
        percent: u8,
    },
    /// The upload broke off: the network, or an error status from the storage.
    UploadInterrupted {
        file_id: String,
    },
    /// Signing in, staying signed in, signing out: see [`crate::core::auth`].
    Auth(AuthEvent),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Ask the server for a new session (the adapter words the request).
    CreateSession,
    /// Connect for `session`; `resume_after` is the newest agent `seq` held.
    OpenConnection {
        session: Session,
        resume_after: Option<u64>,
        /// Replace the ended conversation of the session with a new one.
        start_new: bool,
    },
    /// Read page `page` of the history with `jwt`; answer with [`Event::HistoryLoaded`].
    FetchHistory {
        jwt: String,
        page: u32,
    },
    /// Report [`Event::FlushDue`] after this delay, unless one is already scheduled.
    ScheduleFlush {
        delay_ms: u32,
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
    /// Open this (safe) address in a new tab.
    OpenUrl(String),
    /// Upload the attached file to `url` with `headers` and `Content-Type: mime`,
    /// reporting [`Event::UploadProgress`] and, if it breaks off,
    /// [`Event::UploadInterrupted`].
    PutFile {
        file_id: String,
        url: String,
        headers: Vec<(String, String)>,
        mime: String,
    },
    /// Stop the upload in flight.
    CancelUpload,
    /// A request of the sign-in flow, or news of it for the page.
    Auth(AuthEffect),
}
