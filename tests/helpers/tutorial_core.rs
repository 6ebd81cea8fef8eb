//! Helpers of the core's tests through the tutorial's adapter: a configuration, a
//! session, a connected core, frames in and out.

#![allow(dead_code)]

use guest_chat::core::*;
use guest_chat::protocol::{tutorial::TutorialProtocol, WireProtocol};

pub const WIRE: TutorialProtocol = TutorialProtocol;

pub fn config() -> Config {
    Config::from_attributes(|name| {
        match name {
            "access-token" => Some("tok"),
            "organization-id" => Some("org-1"),
            "api-base" => Some("http://sim"),
            "ws-base" => Some("ws://sim"),
            "guest-name" => Some("Ada"),
            "guest-email" => Some("ada@example.com"),
            "heartbeat-ms" => Some("1000"),
            _ => None,
        }
        .map(String::from)
    })
    .unwrap()
}

pub fn session() -> NewSession {
    NewSession {
        guest_token: "g t&1".into(),
        session_id: "sess-1".into(),
        organization_id: "org-from-rest".into(),
        expires_in_s: 60,
    }
}

/// A core that went through session creation and an open socket.
pub fn connected() -> ChatCore {
    let mut core = ChatCore::new(config(), 7);
    core.apply(Event::Start);
    core.apply(Event::SessionCreated(session()));
    core.apply(Event::ConnectionOpened);
    core
}

pub fn frame(core: &mut ChatCore, raw: &str) -> Vec<Effect> {
    core.apply(WIRE.decode(raw))
}

/// The server (or the network) closes the connection with `code`.
pub fn close(core: &mut ChatCore, code: u16, reason: &str) -> Vec<Effect> {
    core.apply(Event::ConnectionClosed {
        kind: WIRE.close_kind(code),
        code,
        reason: reason.into(),
    })
}

/// The frames `effects` write, as the adapter words them.
pub fn frames(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(out) => WIRE.encode(out),
            _ => None,
        })
        .collect()
}

/// The URL of the connection `effects` open.
pub fn connection_url(core: &ChatCore, effects: &[Effect]) -> Option<String> {
    effects.iter().find_map(|e| match e {
        Effect::OpenConnection {
            session,
            resume_after,
            ..
        } => Some(WIRE.connection_url(core.config(), session, *resume_after)),
        _ => None,
    })
}

pub fn system_lines(core: &ChatCore) -> Vec<SystemLine> {
    core.transcript.iter().filter_map(|e| e.system).collect()
}

pub fn texts(core: &ChatCore) -> Vec<(EntryKind, String)> {
    core.transcript
        .iter()
        .map(|e| (e.kind, e.text.to_string()))
        .collect()
}

pub fn send(core: &mut ChatCore, text: &str, id: &str) -> Vec<Effect> {
    core.apply(Event::Send {
        text: text.into(),
        client_id: id.into(),
    })
}

pub fn closed(core: &mut ChatCore, code: u16) -> Vec<Effect> {
    close(core, code, "")
}

pub fn opens_socket(effects: &[Effect]) -> bool {
    effects
        .iter()
        .any(|e| matches!(e, Effect::OpenConnection { .. }))
}

pub fn creates_session(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::CreateSession))
}
