//! The conversation as a state machine: `apply(event) -> effects`.
//!
//! It speaks the domain only: a protocol adapter turns frames into [`Event`]s and
//! [`Outgoing`] requests into frames; the runtime carries out the [`Effect`]s; the view
//! renders the public state. Nothing here touches the browser or a wire format.

use super::config::{Config, SessionSource};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, sync::Arc};

mod upload;
pub use upload::{PendingFile, UploadProblem, UploadRules, UploadStage};

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
    /// The service refused every connection before one ever opened: most likely the
    /// configuration (deployment, region, the site's domain) is wrong. Retried on the
    /// visitor's action only.
    Unreachable,
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
            Connection::GaveUp
            | Connection::SessionFailed(_)
            | Connection::Displaced
            | Connection::Unreachable => Phase::Failed,
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
    Queued {
        position: Option<u32>,
    },
    AgentConnected,
    /// The visitor started a new chat after the last one ended.
    NewChat,
    /// The server refused something with this code (see the catalog for the words).
    Refused {
        code: u16,
    },
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
    /// When the widget received or sent it (milliseconds since the epoch), or when the
    /// server processed it, for entries with a `server_id`.
    #[serde(default)]
    pub at_ms: f64,
    /// The server's id of the message, where the protocol names messages: a message
    /// seen again (pushed twice, or in the history) is recognised by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<Arc<str>>,
    /// What an agent's or bot's message offers besides its text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<Arc<Offer>>,
    /// Its quick replies were answered, or the conversation moved on past them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub answered: bool,
    /// A guest message that answers a button: what it sends besides its text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Arc<Answer>>,
}

/// What a message offers besides its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Offer {
    /// Buttons answering the message, offered until one is chosen or a newer message comes.
    QuickReplies(Vec<Choice>),
    /// A card, or several side by side (a carousel).
    Cards(Vec<Card>),
    /// Files: images are shown, others offered for download.
    Files(Vec<FileLink>),
}

/// A file sent in the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLink {
    pub id: String,
    /// Shown as text, and as an image's alternative text.
    pub name: String,
    /// A safe address (see [`safe_url`]).
    pub url: String,
    pub image: bool,
    /// Bytes, when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub text: String,
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kept only when it is a safe address (see [`safe_url`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    pub actions: Vec<CardAction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardAction {
    /// Answers the message with `payload`.
    Postback { text: String, payload: String },
    /// Opens `url` (a safe address, see [`safe_url`]) in a new tab.
    Link { text: String, url: String },
}

/// What a guest message answering a button sends besides its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub payload: String,
    /// A quick reply; otherwise a card's button.
    pub quick_reply: bool,
}

/// `url` if a link or image may point there: `https:`, or `http:` to this machine
/// (`localhost`, `127.0.0.1`, `[::1]`). Never `javascript:`, `data:` or anything else.
pub fn safe_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let lower = |prefix: &str| {
        url.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    if lower("https://") && url.len() > "https://".len() {
        return Some(url);
    }
    if lower("http://") {
        let rest = &url["http://".len()..];
        let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..host_end];
        let host = authority.rsplit('@').next().unwrap_or("");
        let host = if host.starts_with('[') {
            host.split(']').next().map(|h| &h[1..]).unwrap_or("")
        } else {
            host.split(':').next().unwrap_or("")
        };
        if matches!(host, "localhost" | "127.0.0.1" | "::1") {
            return Some(url);
        }
    }
    None
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
        self.id << 4 | delivery << 1 | u64::from(self.answered)
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

/// What changed in the transcript, for the other tabs of the conversation.
pub struct SharedChanges {
    /// Entries at their index.
    pub changed: Vec<(usize, Entry)>,
    /// Ids of the entries that are news.
    pub added: Vec<u64>,
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

impl MirroredView {
    /// A line of numbers, and the server's words last: written by hand, because serde's
    /// code for these enums would cost the widget several kilobytes.
    pub fn encode(&self) -> String {
        // `Option`s as n + 1, with 0 for none.
        let some = |n: Option<u32>| n.map_or(0, |n| u64::from(n) + 1);
        let (tag, a, b, text) = match &self.connection {
            Connection::Idle => (0, 0, 0, ""),
            Connection::CreatingSession => (1, 0, 0, ""),
            Connection::SessionFailed(f) => (
                2,
                some(f.status.map(u32::from)),
                some(f.retry_after_s),
                f.server_text.as_str(),
            ),
            Connection::Connecting => (3, 0, 0, ""),
            Connection::Connected => (4, 0, 0, ""),
            Connection::Disconnected { attempt, delay_ms } => {
                (5, u64::from(*attempt), u64::from(*delay_ms), "")
            }
            Connection::Reconnecting { attempt } => (6, u64::from(*attempt), 0, ""),
            Connection::GaveUp => (7, 0, 0, ""),
            Connection::Displaced => (8, 0, 0, ""),
            Connection::Ended => (9, 0, 0, ""),
            Connection::Offline => (10, 0, 0, ""),
            Connection::Unreachable => (11, 0, 0, ""),
        };
        let (routing, position) = match self.routing {
            Routing::Unknown => (0, 0),
            Routing::Queued { position } => (1, some(position)),
            Routing::Connected => (2, 0),
        };
        format!(
            "{tag} {a} {b} {routing} {position} {} {} {}\n{text}",
            u8::from(self.agent_typing),
            u8::from(self.ever_connected),
            self.len
        )
    }

    pub fn decode(line: &str) -> Option<MirroredView> {
        let (numbers, text) = line.split_once('\n')?;
        let mut numbers = numbers.split(' ').map(|n| n.parse::<u64>().ok());
        let mut next = || numbers.next().flatten();
        let (tag, a, b) = (next()?, next()?, next()?);
        let (routing, position) = (next()?, next()?);
        let (typing, ever, len) = (next()?, next()?, next()?);
        let small = |n: u64| u32::try_from(n).ok();
        let option = |n: u64| n.checked_sub(1).and_then(small);
        let connection = match tag {
            0 => Connection::Idle,
            1 => Connection::CreatingSession,
            2 => Connection::SessionFailed(RestFailure {
                status: option(a).and_then(|s| u16::try_from(s).ok()),
                server_text: text.to_string(),
                retry_after_s: option(b),
            }),
            3 => Connection::Connecting,
            4 => Connection::Connected,
            5 => Connection::Disconnected {
                attempt: small(a)?,
                delay_ms: small(b)?,
            },
            6 => Connection::Reconnecting { attempt: small(a)? },
            7 => Connection::GaveUp,
            8 => Connection::Displaced,
            9 => Connection::Ended,
            10 => Connection::Offline,
            11 => Connection::Unreachable,
            _ => return None,
        };
        let routing = match routing {
            0 => Routing::Unknown,
            1 => Routing::Queued {
                position: option(position),
            },
            2 => Routing::Connected,
            _ => return None,
        };
        Some(MirroredView {
            connection,
            routing,
            agent_typing: typing == 1,
            ever_connected: ever == 1,
            len: usize::try_from(len).ok()?,
        })
    }
}

/// What survives a page reload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Snapshot {
    pub session: Option<Session>,
    pub last_seq: Option<u64>,
    pub transcript: Vec<Entry>,
    /// Custom attributes the server has taken in this session.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sent_attributes: BTreeMap<String, String>,
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

/// One message of the server's history of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryItem {
    pub id: String,
    /// Written by the visitor (here or in another window), not by an agent or bot.
    pub from_guest: bool,
    pub text: String,
    pub author: Option<String>,
    pub at_ms: Option<f64>,
    /// The id the widget gave the message, when the server kept it.
    pub client_id: Option<String>,
    pub offer: Option<Offer>,
}

/// A page of history: `items` newest first; `more` when older pages follow.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    pub page: u32,
    pub items: Vec<HistoryItem>,
    pub more: bool,
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
    /// The conversation was cleared: this connection belongs to a session now gone.
    Cleared,
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
}

/// The pause between two guest messages where the service confirms sessions and takes
/// two messages a second: a little more than half a second, so that jitter on the way
/// never brings two into the same second.
const PACED_SEND_GAP_MS: f64 = 550.0;
/// The visitor's typing is told at most this often.
const TYPING_EVERY_MS: f64 = 5000.0;
/// Bytes of custom attributes a session takes when the server names no limit.
const DEFAULT_ATTRIBUTE_BYTES: u32 = 2048;
/// History pages read at most after one connection (newest first).
const MAX_HISTORY_PAGES: u32 = 20;
/// How far apart in time the service may deliver messages out of order, or lose them in
/// flight on a connection not yet known to be dead (two heartbeats): the history is read
/// back this far past the newest message held.
const HISTORY_OVERLAP_MS: f64 = 60_000.0;
/// A history token this close to its expiry is not used any more.
const TOKEN_MARGIN_MS: f64 = 10_000.0;

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
    /// Ids of entries added since the view last took them.
    added: Vec<u64>,
    /// Changed indices and added ids not yet told to the other tabs, when shared.
    shared: Option<(Vec<usize>, Vec<u64>)>,
    /// The protocol answers each connection's session ([`Incoming::SessionConfigured`]),
    /// keeps a history to check against, and limits the rate of messages.
    confirms_sessions: bool,
    /// The server took this connection's session: messages may be written.
    session_ready: bool,
    /// The server confirmed this session once (here or on a previous page).
    configured_once: bool,
    /// A connection opened in this page.
    opened_once: bool,
    /// The next connection replaces the ended conversation with a new one.
    start_new: bool,
    /// Messages wait until the history shows which ones the server already has.
    history_loading: bool,
    /// Held messages older than this end the history read: all before them arrived.
    history_horizon_ms: Option<f64>,
    history_token: Option<(String, f64)>,
    /// No guest message is written before this time.
    next_send_ms: f64,
    flush_scheduled: bool,
    typing_allowed: bool,
    next_typing_ms: f64,
    sent_attributes: BTreeMap<String, String>,
    /// Attributes that went with messages not yet acknowledged.
    attributes_in_flight: BTreeMap<String, String>,
    attributes_too_large: bool,
    max_attribute_bytes: u32,
    /// A file the visitor asked to open, waiting for its fresh address.
    opening_file: Option<String>,
    upload_rules: Option<UploadRules>,
    pending_file: Option<PendingFile>,
}

impl ChatCore {
    pub fn new(config: Config, seed: u64) -> Self {
        let confirms_sessions = matches!(config.session, SessionSource::Genesys { .. });
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
            added: Vec::new(),
            shared: None,
            confirms_sessions,
            session_ready: false,
            configured_once: false,
            opened_once: false,
            start_new: false,
            history_loading: false,
            history_horizon_ms: None,
            history_token: None,
            next_send_ms: 0.0,
            flush_scheduled: false,
            typing_allowed: true,
            next_typing_ms: 0.0,
            sent_attributes: BTreeMap::new(),
            attributes_in_flight: BTreeMap::new(),
            attributes_too_large: false,
            max_attribute_bytes: DEFAULT_ATTRIBUTE_BYTES,
            opening_file: None,
            upload_rules: None,
            pending_file: None,
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

    /// The protocol lets the visitor start a new chat after one ended, and erase the
    /// conversation.
    pub fn can_start_over(&self) -> bool {
        self.confirms_sessions
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
            server_id: None,
            offer: None,
            answered: false,
            answer: None,
        });
        self.added.push(id);
        if let Some(shared) = &mut self.shared {
            shared.1.push(id);
        }
        let index = self.transcript.len() - 1;
        self.touched(index);
        index
    }

    /// Adds a message the server names and times. Messages come in any order: it goes
    /// before the timed messages at the end that the server processed after it.
    fn insert_timed(
        &mut self,
        kind: EntryKind,
        text: &str,
        server_id: &str,
        at_ms: Option<f64>,
    ) -> usize {
        let index = self.push(kind, text);
        let entry = &mut self.transcript[index];
        entry.server_id = Some(Arc::from(server_id));
        let Some(at_ms) = at_ms else {
            return index;
        };
        entry.at_ms = at_ms;
        // Entries the server has not timed (messages still on their way, the widget's
        // own lines) are passed over: only timed ones say where this one belongs.
        let mut place = index;
        for before in (0..index).rev() {
            let entry = &self.transcript[before];
            if entry.server_id.is_none() {
                continue;
            }
            if entry.at_ms <= at_ms {
                break;
            }
            place = before;
        }
        if place < index {
            let entry = self.transcript.remove(index);
            self.transcript.insert(place, entry);
            for moved in place..self.transcript.len() {
                self.touched(moved);
            }
        }
        place
    }

    /// Shows what another tab's chat holds: this one only mirrors it. `changed` are
    /// entries at their index, `len` the transcript's length, `added` the ids that are news.
    pub fn mirror(&mut self, view: MirroredView, changed: Vec<(usize, Entry)>, added: Vec<u64>) {
        self.connection = view.connection;
        self.routing = view.routing;
        self.agent_typing = view.agent_typing;
        self.ever_connected = view.ever_connected;
        self.transcript.truncate(view.len);
        for (index, entry) in changed {
            if index < self.transcript.len() {
                self.transcript[index] = entry;
            } else if index == self.transcript.len() {
                self.transcript.push(entry);
            } else {
                continue;
            }
            self.touched(index);
        }
        self.next_id = self.transcript.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        self.added.extend(added);
    }

    /// What a mirroring tab needs besides the entries.
    pub fn mirrored_view(&self) -> MirroredView {
        MirroredView {
            connection: self.connection.clone(),
            routing: self.routing,
            agent_typing: self.agent_typing,
            ever_connected: self.ever_connected,
            len: self.transcript.len(),
        }
    }

    /// The entries added since the last call, in transcript order: what the view
    /// announces and counts as unread.
    pub fn take_news(&mut self) -> Vec<Entry> {
        let mut added = std::mem::take(&mut self.added);
        let mut news = Vec::with_capacity(added.len());
        for entry in self.transcript.iter().rev() {
            if added.is_empty() {
                break;
            }
            if let Some(at) = added.iter().position(|id| *id == entry.id) {
                added.swap_remove(at);
                news.push(entry.clone());
            }
        }
        news.reverse();
        news
    }

    fn push_system(&mut self, line: SystemLine) {
        let index = self.push(EntryKind::System, "");
        self.transcript[index].system = Some(line);
    }

    fn touched(&mut self, index: usize) {
        self.dirty.push(index);
        if let Some(shared) = &mut self.shared {
            shared.0.push(index);
        }
        self.transcript_revision += 1;
    }

    /// Keeps a second account of changes for the other tabs of the conversation (see
    /// [`ChatCore::take_shared`]), starting with everything.
    pub fn share_changes(&mut self) {
        self.shared = Some(((0..self.transcript.len()).collect(), Vec::new()));
    }

    /// The entries changed and the ids added since the last call, for the other tabs;
    /// `None` unless [`ChatCore::share_changes`] was called.
    pub fn take_shared(&mut self) -> Option<SharedChanges> {
        let (mut dirty, added) = std::mem::take(self.shared.as_mut()?);
        super::lean::sort_nearly_sorted(&mut dirty);
        dirty.dedup();
        let changed = dirty
            .into_iter()
            .filter_map(|i| Some((i, self.transcript.get(i)?.clone())))
            .collect();
        Some(SharedChanges { changed, added })
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
            sent_attributes: self.sent_attributes.clone(),
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
        self.sent_attributes = snapshot.sent_attributes;
        if let Some(stored) = snapshot.session {
            self.session = Some(stored);
            self.resumed = true;
            self.configured_once = self.confirms_sessions;
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
        self.forget_session();
        self.push_system(SystemLine::SessionRenewed);
        self.create_session()
    }

    fn forget_session(&mut self) {
        self.session = None;
        self.resumed = false;
        self.last_seq = None;
        self.routing = Routing::Unknown;
        self.attempt = 0;
        self.session_revision += 1;
        self.configured_once = false;
        self.start_new = false;
        self.history_token = None;
        self.sent_attributes.clear();
        self.attributes_in_flight.clear();
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
                start_new: self.start_new,
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
            Event::AttachFile {
                file_id,
                name,
                mime,
                size,
            } => self.attach_file(file_id, name, mime, size),
            Event::RemoveFile => self.remove_file(),
            Event::UploadProgress { file_id, percent } => {
                self.upload_progress(&file_id, percent);
                vec![]
            }
            Event::UploadInterrupted { file_id } => {
                self.upload_interrupted(&file_id);
                vec![]
            }
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
            Event::HistoryLoaded(page) => self.on_history(page),
            Event::HistoryFailed(why) => {
                if !self.history_loading {
                    return vec![];
                }
                // Without the history the outbox goes out as it is: a message twice is
                // better than a message lost.
                self.history_loading = false;
                self.history_token = None;
                let mut effects = vec![Effect::Warn(format!(
                    "guest-chat: the conversation's history could not be read: {why}"
                ))];
                effects.extend(self.flush_outbox());
                effects
            }
            Event::FlushDue => {
                self.flush_scheduled = false;
                self.flush_outbox()
            }
            Event::GuestTyping => {
                if !(self.confirms_sessions && self.session_ready && self.typing_allowed)
                    || self.clock_ms < self.next_typing_ms
                {
                    return vec![];
                }
                self.next_typing_ms = self.clock_ms + TYPING_EVERY_MS;
                self.session_request(|session_id| Outgoing::Typing { session_id })
            }
            Event::StartNewChat => {
                if self.connection != Connection::Ended || !self.confirms_sessions {
                    return vec![];
                }
                self.start_new = true;
                self.attempt = 0;
                self.routing = Routing::Unknown;
                self.connection = Connection::Connecting;
                self.open_socket()
            }
            Event::ClearConversation => {
                if !self.session_ready {
                    return vec![];
                }
                self.session_request(|session_id| Outgoing::Clear { session_id })
            }
            Event::ChooseReply {
                entry,
                choice,
                client_id,
            } => {
                let Some(index) = self.transcript.iter().position(|e| e.id == entry) else {
                    return vec![];
                };
                let reply = match self.transcript[index].offer.as_deref() {
                    Some(Offer::QuickReplies(replies)) if !self.transcript[index].answered => {
                        replies.get(choice).cloned()
                    }
                    _ => None,
                };
                let Some(reply) = reply else { return vec![] };
                self.transcript[index].answered = true;
                self.touched(index);
                let answer = Answer {
                    payload: reply.payload,
                    quick_reply: true,
                };
                self.answer(reply.text, answer, client_id)
            }
            Event::OpenFile { entry, file } => {
                let link = self
                    .transcript
                    .iter()
                    .find(|e| e.id == entry)
                    .and_then(|e| match e.offer.as_deref()? {
                        Offer::Files(files) => files.get(file).cloned(),
                        _ => None,
                    });
                let Some(link) = link else { return vec![] };
                // Download addresses expire: a fresh one is asked for first, when the
                // connection allows; the answer opens it.
                let refresh = self.session_request(|session_id| Outgoing::RefreshFile {
                    session_id,
                    file_id: link.id.clone(),
                });
                if refresh.is_empty() || !self.confirms_sessions {
                    return vec![Effect::OpenUrl(link.url)];
                }
                self.opening_file = Some(link.id);
                refresh
            }
            Event::PressCardButton {
                entry,
                card,
                action,
                client_id,
            } => {
                let pressed = self
                    .transcript
                    .iter()
                    .find(|e| e.id == entry)
                    .and_then(|e| match e.offer.as_deref()? {
                        Offer::Cards(cards) => cards.get(card)?.actions.get(action).cloned(),
                        Offer::QuickReplies(_) | Offer::Files(_) => None,
                    });
                let Some(CardAction::Postback { text, payload }) = pressed else {
                    return vec![];
                };
                let answer = Answer {
                    payload,
                    quick_reply: false,
                };
                self.answer(text, answer, client_id)
            }
        }
    }

    /// A request about the session, written now.
    fn session_request(&self, request: impl FnOnce(String) -> Outgoing) -> Vec<Effect> {
        match &self.session {
            Some(session) if self.socket_open => {
                vec![Effect::Send(request(session.session_id.clone()))]
            }
            _ => vec![],
        }
    }

    /// Reconnects at once from a waiting or failed state.
    fn retry_now(&mut self) -> Vec<Effect> {
        match self.connection {
            Connection::SessionFailed(_) => self.create_session(),
            Connection::GaveUp
            | Connection::Offline
            | Connection::Disconnected { .. }
            | Connection::Displaced
            | Connection::Unreachable => {
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
        self.opened_once = true;
        self.resumed = false;
        self.attempt = 0;
        self.awaiting_pong = false;
        self.session_ready = !self.confirms_sessions;
        self.connection = Connection::Connected;
        // What was written to the last connection may be lost with it: it goes again.
        for index in 0..self.transcript.len() {
            if self.transcript[index].delivery == Some(Delivery::Sent) {
                self.transcript[index].delivery = Some(Delivery::Sending);
                self.touched(index);
            }
        }
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

    /// Writes the guest messages waiting to go, oldest first, as fast as the service
    /// takes them. After a reconnect this resends what may have been lost; the client id
    /// lets the server (or the history, see [`Event::HistoryLoaded`]) tell what it has.
    fn flush_outbox(&mut self) -> Vec<Effect> {
        let Some(session_id) = self.session.as_ref().map(|s| s.session_id.clone()) else {
            return vec![];
        };
        if !self.socket_open || !self.session_ready {
            return vec![];
        }
        let mut effects = self.ask_upload();
        if self.history_loading {
            return effects;
        }
        for index in 0..self.transcript.len() {
            let entry = &self.transcript[index];
            if entry.kind != EntryKind::Guest || entry.delivery != Some(Delivery::Sending) {
                continue;
            }
            if self.confirms_sessions && self.clock_ms < self.next_send_ms {
                if !self.flush_scheduled {
                    self.flush_scheduled = true;
                    effects.push(Effect::ScheduleFlush {
                        delay_ms: (self.next_send_ms - self.clock_ms).ceil() as u32,
                    });
                }
                break;
            }
            let attributes = self.attributes_to_send(&mut effects);
            let entry = &mut self.transcript[index];
            let files = match entry.offer.as_deref() {
                Some(Offer::Files(files)) => files.iter().map(|f| f.id.clone()).collect(),
                _ => vec![],
            };
            effects.push(Effect::Send(Outgoing::Message {
                session_id: session_id.clone(),
                text: entry.text.to_string(),
                client_id: entry.client_id.as_deref().map(String::from),
                attributes,
                answer: entry.answer.as_deref().cloned(),
                files,
            }));
            entry.delivery = Some(Delivery::Sent);
            self.touched(index);
            self.next_send_ms = self.clock_ms + PACED_SEND_GAP_MS;
        }
        effects
    }

    /// The custom attributes the server has not taken yet: the guest's name and e-mail
    /// and the page's `data-attributes`, new or changed ones only. A set larger than the
    /// session takes is not sent at all, and the visitor is told once.
    fn attributes_to_send(&mut self, effects: &mut Vec<Effect>) -> BTreeMap<String, String> {
        if !self.confirms_sessions || self.attributes_too_large {
            return BTreeMap::new();
        }
        let mut wanted = self.config.attributes.clone();
        if let Some(name) = &self.config.guest_name {
            wanted.insert("context.firstName".into(), name.clone());
        }
        if let Some(email) = &self.config.guest_email {
            wanted.insert("context.email".into(), email.clone());
        }
        let bytes: usize = wanted.iter().map(|(k, v)| k.len() + v.len()).sum();
        if bytes > self.max_attribute_bytes as usize {
            self.attributes_too_large = true;
            self.push_system(SystemLine::Refused { code: 4013 });
            effects.push(Effect::Warn(format!(
                "guest-chat: {bytes} bytes of custom attributes are more than the {} the session takes; none were sent",
                self.max_attribute_bytes
            )));
            return BTreeMap::new();
        }
        // Built anew by inserting: removing from a B-tree, or collecting into one (which
        // sorts), would cost the widget kilobytes of code.
        let mut fresh = BTreeMap::new();
        for (k, v) in wanted {
            if self.sent_attributes.get(&k) != Some(&v) {
                fresh.insert(k, v);
            }
        }
        let wanted = fresh;
        self.attributes_in_flight.extend(wanted.clone());
        wanted
    }

    fn on_send(&mut self, text: &str, client_id: String) -> Vec<Effect> {
        // Another tab may hand over a message this one already took.
        if self
            .transcript
            .iter()
            .any(|e| e.client_id.as_deref() == Some(client_id.as_str()))
        {
            return vec![];
        }
        let text = text.trim();
        let file_ready = self
            .pending_file
            .as_ref()
            .is_some_and(|f| f.stage == UploadStage::Ready);
        // Before the first connection the composer is disabled, but the host page's API
        // may already send: such a message waits in the outbox like any other. A message
        // waits for the file attached to it.
        if (text.is_empty() && !file_ready)
            || self.upload_busy()
            || matches!(self.connection, Connection::Idle | Connection::Ended)
        {
            return vec![];
        }
        let index = self.push(EntryKind::Guest, text);
        self.take_ready_file(index);
        self.retire_replies();
        let entry = &mut self.transcript[index];
        entry.client_id = Some(Arc::from(client_id.as_str()));
        entry.at_ms = self.clock_ms;
        entry.delivery = Some(Delivery::Sending);
        if !self.socket_open {
            // The visitor acting is the best moment to try again.
            return match self.connection {
                Connection::GaveUp
                | Connection::Offline
                | Connection::Displaced
                | Connection::Unreachable => self.retry_now(),
                _ => vec![],
            };
        }
        self.flush_outbox()
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
        self.session_ready = false;
        self.history_loading = false;
        let mut effects = vec![Effect::StopHeartbeat];
        effects.extend(self.restart_upload());
        if kind == CloseKind::Ended {
            self.connection = Connection::Ended;
            self.fail_outbox();
            self.push_system(SystemLine::ChatEnded);
            return effects;
        }
        // A kept session the server refuses (browsers report a refused upgrade as a
        // close before open), or one past its lifetime, is replaced by a new one.
        // A protocol that configures sessions on the connection knows no refused
        // session upgrade: the token is checked later, in words.
        if kind == CloseKind::SessionExpired
            || (!was_open && ((self.resumed && !self.confirms_sessions) || self.session_expired()))
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
        // Refused twice before ever opening: not a network hiccup but a connection the
        // service will not take; retrying alone would only hide what to fix.
        if self.confirms_sessions
            && !was_open
            && !self.opened_once
            && !self.configured_once
            && self.attempt >= 1
        {
            self.connection = Connection::Unreachable;
            self.fail_outbox();
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
            Incoming::AgentMessage {
                seq,
                id,
                at_ms,
                author,
                text,
                offer,
            } => {
                if let (Some(seq), Some(last)) = (seq, self.last_seq) {
                    if seq <= last {
                        return vec![];
                    }
                }
                if id.as_deref().is_some_and(|id| self.holds(id)) {
                    return vec![];
                }
                if seq.is_some() {
                    self.last_seq = seq;
                    self.session_revision += 1;
                }
                self.agent_typing = false;
                let index = match &id {
                    Some(id) => self.insert_timed(EntryKind::Agent, &text, id, at_ms),
                    None => self.push(EntryKind::Agent, &text),
                };
                let entry = &mut self.transcript[index];
                entry.agent_name = author.map(|n| Arc::from(n.as_str()));
                entry.offer = offer.map(Arc::new);
                self.retire_replies();
            }
            Incoming::AgentTyping(typing) => self.agent_typing = typing,
            Incoming::AgentTypingFor(ms) => {
                self.agent_typing = true;
                return vec![Effect::ScheduleTypingEnd { delay_ms: ms }];
            }
            Incoming::ConversationEnded => return self.conversation_ended(),
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
            Incoming::Acknowledged {
                client_id,
                server_id,
                at_ms,
            } => {
                if let Some(index) = self.mark_delivered(client_id.as_deref()) {
                    let entry = &mut self.transcript[index];
                    if let Some(id) = server_id {
                        entry.server_id = Some(Arc::from(id.as_str()));
                    }
                    if let Some(at_ms) = at_ms {
                        entry.at_ms = at_ms;
                    }
                    let taken = std::mem::take(&mut self.attributes_in_flight);
                    if !taken.is_empty() {
                        self.sent_attributes.extend(taken);
                        self.session_revision += 1;
                    }
                }
            }
            Incoming::ServerError { reason } => {
                self.push(EntryKind::Error, &reason);
                return vec![Effect::LogError(format!(
                    "guest-chat: server error: {reason}"
                ))];
            }
            Incoming::HeartbeatAnswered => self.awaiting_pong = false,
            Incoming::SessionConfigured(answer) => return self.on_configured(answer),
            Incoming::HistoryToken { jwt, expires_at_ms } => {
                self.history_token = Some((jwt.clone(), expires_at_ms));
                if self.history_loading {
                    return vec![Effect::FetchHistory { jwt, page: 1 }];
                }
            }
            Incoming::Refused {
                code,
                client_id,
                reason,
            } => return self.on_refused(code, client_id.as_deref(), &reason),
            Incoming::RateLimited {
                client_id,
                retry_after_ms,
            } => {
                let index = self.transcript.iter().rposition(|e| {
                    e.delivery == Some(Delivery::Sent)
                        && client_id.is_some()
                        && e.client_id.as_deref() == client_id.as_deref()
                });
                if let Some(index) = index {
                    self.transcript[index].delivery = Some(Delivery::Sending);
                    self.touched(index);
                }
                self.next_send_ms = self
                    .next_send_ms
                    .max(self.clock_ms + f64::from(retry_after_ms));
                let mut effects = vec![Effect::Warn(format!(
                    "guest-chat: the service asked to wait {retry_after_ms} ms before the next message"
                ))];
                effects.extend(self.flush_outbox());
                return effects;
            }
            Incoming::TypingRefused => self.typing_allowed = false,
            Incoming::SessionCleared => return self.on_cleared(),
            Incoming::UploadAddress {
                file_id,
                url,
                headers,
            } => return self.upload_address(file_id, url, headers),
            Incoming::UploadStored { file_id, url } => self.upload_stored(&file_id, url),
            Incoming::UploadRefused { file_id, code } => {
                self.upload_refused(file_id.as_deref(), code)
            }
            Incoming::FileRefreshed { file_id, url }
                if self
                    .pending_file
                    .as_ref()
                    .is_some_and(|f| f.id == file_id && f.stage == UploadStage::Asking) =>
            {
                return self.upload_address(file_id, url, vec![]);
            }
            Incoming::FileRefreshed { file_id, url } => {
                let Some(url) = safe_url(&url).map(String::from) else {
                    return vec![Effect::Warn(
                        "guest-chat: a refreshed download address was not safe; not opened".into(),
                    )];
                };
                self.refresh_file(&file_id, &url);
                if self.opening_file.as_deref() == Some(file_id.as_str()) {
                    self.opening_file = None;
                    return vec![Effect::OpenUrl(url)];
                }
            }
        }
        vec![]
    }

    /// Every link to `file_id` gets its fresh address.
    fn refresh_file(&mut self, file_id: &str, url: &str) {
        for index in 0..self.transcript.len() {
            let Some(Offer::Files(files)) = self.transcript[index].offer.as_deref() else {
                continue;
            };
            if !files.iter().any(|f| f.id == file_id) {
                continue;
            }
            let mut files = files.clone();
            for file in files.iter_mut().filter(|f| f.id == file_id) {
                file.url = url.to_string();
            }
            self.transcript[index].offer = Some(Arc::new(Offer::Files(files)));
            self.touched(index);
        }
    }

    /// Quick replies are offered by the newest message only: any message after them
    /// (an answer, the visitor's own words, the agent going on) retires them.
    fn retire_replies(&mut self) {
        let newest = self
            .transcript
            .iter()
            .rposition(|e| matches!(e.kind, EntryKind::Agent | EntryKind::Guest));
        for index in 0..self.transcript.len() {
            let entry = &self.transcript[index];
            let offers_replies = matches!(entry.offer.as_deref(), Some(Offer::QuickReplies(_)));
            if offers_replies && !entry.answered && Some(index) != newest {
                self.transcript[index].answered = true;
                self.touched(index);
            }
        }
    }

    /// The visitor answers a message's button: a guest message with the button's text,
    /// sent with what answers it.
    fn answer(&mut self, text: String, answer: Answer, client_id: String) -> Vec<Effect> {
        let mut effects = self.on_send(&text, client_id.clone());
        if let Some(index) = self
            .transcript
            .iter()
            .rposition(|e| e.client_id.as_deref() == Some(client_id.as_str()))
        {
            self.transcript[index].answer = Some(Arc::new(answer));
            // Written already (an open connection): the frame must carry the answer too.
            for effect in &mut effects {
                if let Effect::Send(Outgoing::Message {
                    client_id: Some(id),
                    answer: slot,
                    ..
                }) = effect
                {
                    if *id == client_id {
                        *slot = self.transcript[index].answer.as_deref().cloned();
                    }
                }
            }
        }
        effects
    }

    /// Whether a message with this server id is in the transcript.
    fn holds(&self, server_id: &str) -> bool {
        self.transcript
            .iter()
            .any(|e| e.server_id.as_deref() == Some(server_id))
    }

    fn conversation_ended(&mut self) -> Vec<Effect> {
        let mut effects = vec![Effect::CloseConnection(CloseWhy::ChatEnded)];
        // A conversation restored as ended already says so.
        let said = self
            .transcript
            .iter()
            .rev()
            .find_map(|e| e.system)
            .is_some_and(|line| line == SystemLine::ChatEnded);
        if said {
            let was_open = std::mem::replace(&mut self.socket_open, false);
            if was_open || self.connection != Connection::Ended {
                self.connection = Connection::Ended;
                self.session_ready = false;
                self.agent_typing = false;
                self.fail_outbox();
                effects.push(Effect::StopHeartbeat);
            }
            return effects;
        }
        effects.extend(self.on_close(CloseKind::Ended, ""));
        effects
    }

    fn on_configured(&mut self, answer: SessionConfigured) -> Vec<Effect> {
        // Starting anew, the ended session is configured (and closed) first.
        if answer.read_only && self.start_new {
            return vec![];
        }
        if answer.read_only {
            return self.conversation_ended();
        }
        if let Some(max) = answer.max_attribute_bytes {
            self.max_attribute_bytes = max;
        }
        self.upload_rules = answer.uploads;
        self.session_ready = true;
        let mut effects = vec![];
        if answer.new_session {
            if std::mem::take(&mut self.start_new) {
                self.push_system(SystemLine::NewChat);
            } else if self.configured_once {
                // The server no longer had the conversation and began another.
                self.push_system(SystemLine::SessionRenewed);
            }
            self.configured_once = true;
            self.history_token = None;
            self.sent_attributes.clear();
            self.attributes_too_large = false;
            effects.extend(self.flush_outbox());
            return effects;
        }
        self.configured_once = true;
        // Resumed: what arrived while this page was away, and which of the messages
        // that may have been lost the server has, are in the history.
        self.history_loading = true;
        self.history_horizon_ms = self
            .transcript
            .iter()
            .filter(|e| e.server_id.is_some())
            .map(|e| e.at_ms)
            .reduce(f64::max)
            .map(|newest| newest - HISTORY_OVERLAP_MS);
        match &self.history_token {
            Some((jwt, expires)) if *expires > self.clock_ms + TOKEN_MARGIN_MS => {
                effects.push(Effect::FetchHistory {
                    jwt: jwt.clone(),
                    page: 1,
                })
            }
            _ => effects
                .extend(self.session_request(|session_id| Outgoing::HistoryToken { session_id })),
        }
        effects
    }

    fn on_history(&mut self, page: HistoryPage) -> Vec<Effect> {
        if !self.history_loading {
            return vec![];
        }
        let mut reached_held = false;
        let mut missing = vec![];
        for item in page.items {
            if self.holds(&item.id) {
                // Holding a message is not holding all before it: the service delivers
                // out of order, and a drop loses what was in flight. Only a held message
                // older than that window ends the read.
                let horizon = self.history_horizon_ms;
                if item.at_ms.is_none_or(|at| horizon.is_none_or(|h| at <= h)) {
                    reached_held = true;
                }
                continue;
            }
            if item.from_guest {
                // A message of ours whose acknowledgement was lost with the connection.
                let unacknowledged = |e: &Entry| {
                    e.kind == EntryKind::Guest && e.delivery != Some(Delivery::Delivered)
                };
                let ours = item
                    .client_id
                    .as_deref()
                    .and_then(|id| {
                        self.transcript
                            .iter()
                            .position(|e| unacknowledged(e) && e.client_id.as_deref() == Some(id))
                    })
                    .or_else(|| {
                        self.transcript
                            .iter()
                            .position(|e| unacknowledged(e) && *e.text == *item.text)
                    });
                if let Some(index) = ours {
                    let entry = &mut self.transcript[index];
                    entry.delivery = Some(Delivery::Delivered);
                    entry.server_id = Some(Arc::from(item.id.as_str()));
                    self.touched(index);
                    continue;
                }
            }
            missing.push(item);
        }
        // Oldest first, each in its place by time.
        for item in missing.into_iter().rev() {
            if item.from_guest {
                let index = self.insert_timed(EntryKind::Guest, &item.text, &item.id, item.at_ms);
                self.transcript[index].delivery = Some(Delivery::Delivered);
            } else {
                let index = self.insert_timed(EntryKind::Agent, &item.text, &item.id, item.at_ms);
                let entry = &mut self.transcript[index];
                entry.agent_name = item.author.map(|n| Arc::from(n.as_str()));
                entry.offer = item.offer.map(Arc::new);
            }
        }
        self.retire_replies();
        if !reached_held && page.more && page.page < MAX_HISTORY_PAGES {
            if let Some((jwt, _)) = &self.history_token {
                return vec![Effect::FetchHistory {
                    jwt: jwt.clone(),
                    page: page.page + 1,
                }];
            }
        }
        self.history_loading = false;
        self.flush_outbox()
    }

    fn on_refused(&mut self, code: u16, client_id: Option<&str>, reason: &str) -> Vec<Effect> {
        let mut effects = vec![Effect::LogError(format!(
            "guest-chat: the service refused a request ({code}): {reason}"
        ))];
        let message = client_id.and_then(|id| {
            self.transcript.iter().rposition(|e| {
                e.kind == EntryKind::Guest
                    && e.delivery != Some(Delivery::Delivered)
                    && e.client_id.as_deref() == Some(id)
            })
        });
        match code {
            // The session is read-only: the conversation is over.
            409 => {
                effects.extend(self.conversation_ended());
                return effects;
            }
            // The attributes were too large: the message goes again without them.
            4013 if message.is_some() => {
                if !self.attributes_too_large {
                    self.attributes_too_large = true;
                    self.attributes_in_flight.clear();
                    self.push_system(SystemLine::Refused { code });
                }
                if let Some(index) = message {
                    self.transcript[index].delivery = Some(Delivery::Sending);
                    self.touched(index);
                }
                effects.extend(self.flush_outbox());
                return effects;
            }
            _ => {}
        }
        if let Some(index) = message {
            self.transcript[index].delivery = Some(Delivery::Failed);
            self.touched(index);
        }
        self.push_system(SystemLine::Refused { code });
        effects
    }

    /// The conversation is gone, here as on the server: a new one begins.
    fn on_cleared(&mut self) -> Vec<Effect> {
        self.transcript.clear();
        self.dirty.clear();
        self.added.clear();
        self.transcript_revision += 1;
        self.forget_session();
        self.socket_open = false;
        self.session_ready = false;
        self.history_loading = false;
        self.agent_typing = false;
        self.awaiting_pong = false;
        self.attributes_too_large = false;
        let mut effects = vec![
            Effect::CloseConnection(CloseWhy::Cleared),
            Effect::StopHeartbeat,
        ];
        effects.extend(self.create_session());
        effects
    }

    /// A receipt names its message by client id; a server that sends no id acknowledges
    /// in order, so the oldest unacknowledged message is the one meant.
    fn mark_delivered(&mut self, client_id: Option<&str>) -> Option<usize> {
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
        target
    }
}
