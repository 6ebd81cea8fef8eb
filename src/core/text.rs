//! Every sentence the widget shows, in one place.

use super::chat::{Connection, RestFailure, Routing};

pub const CHAT_CONNECTED: &str = "Chat connected. You can start typing.";
pub const CHAT_ENDED: &str = "The agent ended the chat.";
pub const SESSION_RENEWED: &str = "Your session expired, so a new conversation began.";
pub const AGENT_TYPING: &str = "Agent is typing…";
pub const NEW_MESSAGES: &str = "New messages";
pub const PLACEHOLDER: &str = "Type a message…";
pub const SEND: &str = "Send";
pub const RETRY: &str = "Try again";
pub const RETRY_MESSAGE: &str = "Retry";

pub fn routing_line(routing: Routing) -> String {
    match routing {
        Routing::Queued { position: Some(p) } => format!("You are in the queue (position {p})."),
        Routing::Queued { position: None } => "You are in the queue.".to_string(),
        Routing::Connected => "Connected to an agent.".to_string(),
        Routing::Unknown => String::new(),
    }
}

/// Plain-language advice for a failed session request.
pub fn failure_hint(failure: &RestFailure) -> String {
    match failure.status {
        None => "The chat service could not be reached. Check your internet connection, then try again.".into(),
        Some(401) => {
            "The access token is invalid, expired, or lacks the webmessaging:guest scope.".into()
        }
        Some(403) => "This site is not allowed to start chats for this organization; check data-organization-id.".into(),
        Some(404) => "The session endpoint was not found; check data-session-url or data-api-base.".into(),
        Some(429) => match failure.retry_after_s {
            Some(s) => format!("Too many chats are starting right now. Try again in {s} s."),
            None => "Too many chats are starting right now. Try again in a moment.".into(),
        },
        Some(s) if s >= 500 => "The chat service is having trouble. Try again in a moment.".into(),
        Some(s) if s < 300 => "The session endpoint answered with something that is not a guest session.".into(),
        Some(_) => "The chat service refused the request.".into(),
    }
}

/// The status line above the transcript.
pub fn status_line(connection: &Connection) -> String {
    match connection {
        Connection::Idle => String::new(),
        Connection::CreatingSession => "Creating session…".into(),
        Connection::Connecting => "Connecting…".into(),
        Connection::Connected => "Connected".into(),
        Connection::Disconnected { delay_ms, .. } => {
            format!(
                "Disconnected. Reconnecting in {} s…",
                delay_ms.div_ceil(1000)
            )
        }
        Connection::Reconnecting { attempt } => format!("Reconnecting… (attempt {attempt})"),
        Connection::GaveUp => "Could not reconnect.".into(),
        Connection::Ended => "Chat ended".into(),
        Connection::Offline => "Offline. Waiting for the network…".into(),
        Connection::SessionFailed(failure) => {
            let status = match failure.status {
                Some(code) => format!("HTTP {code}"),
                None => "network error".into(),
            };
            let server = failure.server_text();
            if server.is_empty() {
                format!("Could not start the chat ({status}).")
            } else {
                format!("Could not start the chat ({status}: {server}).")
            }
        }
    }
}

pub const OPEN_CHAT: &str = "Open chat";
pub const CLOSE_CHAT: &str = "Close chat";
pub const CHAT_TITLE: &str = "Chat with us";

/// Accessible description of the unread badge.
pub fn unread_label(count: u32) -> String {
    match count {
        1 => "1 unread message".to_string(),
        n => format!("{n} unread messages"),
    }
}
