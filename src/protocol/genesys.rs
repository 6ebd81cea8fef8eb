//! Genesys Cloud Web Messaging (docs/protocol-genesys.md): the client makes its own
//! session token, says `configureSession` on every connection, and reads answers by
//! `class`. The frames are the `guest-chat-protocol` crate's `genesys` types.

use super::{encode_query_component, SessionStart, WireProtocol};
use crate::core::{
    CloseKind, CloseWhy, Config, Event, Incoming, NewSession, Outgoing, Session, SessionSource,
    Unreadable,
};
use guest_chat_protocol::genesys::{
    Direction, Event as GenesysEvent, FrameType, GenesysDecodeError, MessageKind, OutgoingMessage,
    Request, ServerBody, ServerMessage, StructuredMessage, HEALTH_CHECK_TRACING_ID,
};

/// How long agent typing shows when the event names no duration.
const DEFAULT_TYPING_MS: u32 = 5000;
/// The close code the widget sends when it gives up on a silent connection.
const CLOSE_HEARTBEAT_TIMEOUT: u16 = 4000;
/// Characters of a malformed frame shown in the console.
const PREVIEW_CHARS: usize = 120;

pub struct GenesysProtocol;

fn deployment(config: &Config) -> &str {
    match &config.session {
        SessionSource::Genesys { deployment_id } => deployment_id,
        _ => "",
    }
}

impl WireProtocol for GenesysProtocol {
    fn session_start(&self, _config: &Config) -> SessionStart {
        SessionStart::Local
    }

    fn read_session(&self, _body: &str) -> Result<NewSession, String> {
        Err("Genesys Cloud sessions are made by the client".into())
    }

    fn failure_text(&self, body: &str) -> String {
        body.to_string()
    }

    fn opening_frames(&self, config: &Config, session: &Session, start_new: bool) -> Vec<String> {
        vec![Request::ConfigureSession {
            token: session.guest_token.clone(),
            deployment_id: deployment(config).to_string(),
            start_new,
            tracing_id: None,
        }
        .encode()]
    }

    fn connection_url(&self, config: &Config, _session: &Session, _resume: Option<u64>) -> String {
        format!(
            "{}/v1?deploymentId={}",
            config.ws_base,
            encode_query_component(deployment(config))
        )
    }

    fn decode(&self, text: &str) -> Event {
        match ServerMessage::decode(text) {
            Ok(message) => read(message),
            Err(GenesysDecodeError::Malformed(why)) => Event::Unreadable(Unreadable::Malformed {
                why,
                preview: text.chars().take(PREVIEW_CHARS).collect(),
            }),
        }
    }

    fn encode(&self, outgoing: &Outgoing) -> String {
        match outgoing {
            Outgoing::Message {
                session_id,
                text,
                client_id,
            } => {
                let mut message = OutgoingMessage::text(text, Default::default());
                // Older servers echo `customMessageId` back; newer ones the tracingId.
                if let Some(id) = client_id {
                    message
                        .metadata
                        .insert("customMessageId".into(), id.clone());
                }
                Request::OnMessage {
                    token: session_id.clone(),
                    message,
                    tracing_id: client_id.clone(),
                }
            }
            Outgoing::Heartbeat { session_id } => Request::Echo {
                token: session_id.clone(),
                message: OutgoingMessage::text("ping", Default::default()),
                tracing_id: HEALTH_CHECK_TRACING_ID.into(),
            },
        }
        .encode()
    }

    fn close_kind(&self, _code: u16) -> CloseKind {
        // The service ends conversations and sessions with messages, not close codes.
        CloseKind::Lost
    }

    fn close_code(&self, why: CloseWhy) -> u16 {
        match why {
            CloseWhy::HeartbeatTimeout => CLOSE_HEARTBEAT_TIMEOUT,
            CloseWhy::ChatEnded | CloseWhy::Displaced => 1000,
        }
    }
}

fn read(message: ServerMessage) -> Event {
    let received = Event::Received;
    match message.body {
        ServerBody::SessionResponse(session) if session.read_only => {
            received(Incoming::ConversationEnded)
        }
        ServerBody::SessionResponse(_) => received(Incoming::Noted),
        ServerBody::StructuredMessage(body) => {
            read_structured(message.frame_type, message.tracing_id, *body)
        }
        ServerBody::Error(text) => received(Incoming::ServerError { reason: text }),
        ServerBody::TooManyRequests(limit) => received(Incoming::ServerError {
            reason: limit
                .error_message
                .unwrap_or_else(|| "Too many messages".into()),
        }),
        ServerBody::SessionExpired => Event::ConnectionClosed {
            kind: CloseKind::SessionExpired,
            code: 4006,
            reason: "session expired".into(),
        },
        // Too many connections, the conversation cleared, a sign-in elsewhere: the
        // widget says so and waits for the visitor instead of taking the session back.
        ServerBody::ConnectionClosed { reason } => Event::ConnectionClosed {
            kind: CloseKind::Displaced,
            code: 1000,
            reason: reason.unwrap_or_else(|| "closed by the service".into()),
        },
        ServerBody::SessionCleared | ServerBody::Logout | ServerBody::Jwt { .. } => {
            received(Incoming::Noted)
        }
        ServerBody::Other(class) => Event::Unreadable(Unreadable::UnknownKind(class)),
    }
}

fn read_structured(frame: FrameType, tracing_id: Option<String>, body: StructuredMessage) -> Event {
    let incoming = match (body.direction, body.kind) {
        // The answer to a health check.
        (Some(Direction::Inbound), _)
            if frame == FrameType::Response
                || tracing_id.as_deref() == Some(HEALTH_CHECK_TRACING_ID) =>
        {
            Incoming::HeartbeatAnswered
        }
        // The echo of the guest's own message: the only acknowledgement there is.
        (Some(Direction::Inbound), MessageKind::Text | MessageKind::Structured) => {
            Incoming::Acknowledged {
                client_id: tracing_id.or(body.metadata.custom_message_id),
            }
        }
        (Some(Direction::Outbound), MessageKind::Event) => read_event(&body),
        (Some(Direction::Outbound), _) => match body.text {
            Some(text) if !text.is_empty() => Incoming::AgentMessage {
                seq: None,
                author: body
                    .channel
                    .as_ref()
                    .and_then(|c| c.from.as_ref())
                    .and_then(|f| f.display_name())
                    .map(String::from),
                text,
            },
            _ => Incoming::Noted,
        },
        _ => Incoming::Noted,
    };
    Event::Received(incoming)
}

fn read_event(body: &StructuredMessage) -> Incoming {
    for event in &body.events {
        match event {
            GenesysEvent::Typing { typing } => {
                return Incoming::AgentTypingFor(typing.duration.unwrap_or(DEFAULT_TYPING_MS))
            }
            GenesysEvent::Presence { presence }
                if presence.kind == "Disconnect"
                    && body.metadata.read_only.as_deref() == Some("true") =>
            {
                return Incoming::ConversationEnded
            }
            _ => {}
        }
    }
    Incoming::Noted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::from_attributes(|name| {
            match name {
                "deployment-id" => Some("dep 1"),
                "ws-base" => Some("ws://sim"),
                _ => None,
            }
            .map(String::from)
        })
        .unwrap()
    }

    fn received(text: &str) -> Incoming {
        match GenesysProtocol.decode(text) {
            Event::Received(incoming) => incoming,
            other => panic!("{text} read as {other:?}"),
        }
    }

    #[test]
    fn the_session_is_the_clients_and_configured_on_every_connection() {
        let wire = GenesysProtocol;
        let c = config();
        assert_eq!(wire.session_start(&c), SessionStart::Local);
        let session = wire.local_session(&c, "tok-1".into());
        assert_eq!(
            (session.guest_token.as_str(), session.session_id.as_str()),
            ("tok-1", "tok-1")
        );
        let session = Session {
            guest_token: "tok-1".into(),
            session_id: "tok-1".into(),
            organization_id: String::new(),
            expires_at_ms: 0.0,
        };
        assert_eq!(
            wire.connection_url(&c, &session, Some(3)),
            "ws://sim/v1?deploymentId=dep%201"
        );
        assert_eq!(
            wire.opening_frames(&c, &session, false),
            [r#"{"action":"configureSession","token":"tok-1","deploymentId":"dep 1"}"#]
        );
    }

    #[test]
    fn messages_echoes_typing_and_the_end_become_domain_events() {
        assert_eq!(
            received(
                r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"text":"Hi","direction":"Outbound","id":"1","channel":{"time":"2024-02-09T22:39:50.526Z","from":{"nickname":"Robot Friend"}},"type":"Text","originatingEntity":"Bot"}}"#
            ),
            Incoming::AgentMessage {
                seq: None,
                author: Some("Robot Friend".into()),
                text: "Hi".into()
            }
        );
        assert_eq!(
            received(
                r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"text":"mine","direction":"Inbound","id":"2","type":"Text"},"tracingId":"c-1"}"#
            ),
            Incoming::Acknowledged {
                client_id: Some("c-1".into())
            }
        );
        assert_eq!(
            received(
                r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"text":"mine","direction":"Inbound","id":"2","type":"Text","metadata":{"customMessageId":"c-2"}}}"#
            ),
            Incoming::Acknowledged {
                client_id: Some("c-2".into())
            }
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"StructuredMessage","code":200,"body":{"text":"ping","type":"Text","direction":"Inbound","id":"e"},"tracingId":"SGVhbHRoQ2hlY2tNZXNzYWdlSWQ="}"#
            ),
            Incoming::HeartbeatAnswered
        );
        assert_eq!(
            received(
                r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"direction":"Outbound","type":"Event","events":[{"eventType":"Typing","typing":{"type":"On","duration":3000}}]}}"#
            ),
            Incoming::AgentTypingFor(3000)
        );
        assert_eq!(
            received(
                r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"direction":"Outbound","type":"Event","events":[{"eventType":"Typing","typing":{"type":"On"}}]}}"#
            ),
            Incoming::AgentTypingFor(5000)
        );
        assert_eq!(
            received(
                r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"type":"Event","direction":"Outbound","events":[{"eventType":"Presence","presence":{"type":"Disconnect"}}],"metadata":{"readOnly":"true"}}}"#
            ),
            Incoming::ConversationEnded
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":false,"readOnly":true}}"#
            ),
            Incoming::ConversationEnded
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":true}}"#
            ),
            Incoming::Noted
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"string","code":409,"body":"Session is read-only, no new messages allowed"}"#
            ),
            Incoming::ServerError {
                reason: "Session is read-only, no new messages allowed".into()
            }
        );
        assert!(matches!(
            GenesysProtocol.decode(
                r#"{"type":"response","class":"SessionExpiredEvent","code":200,"body":{}}"#
            ),
            Event::ConnectionClosed {
                kind: CloseKind::SessionExpired,
                ..
            }
        ));
        assert!(matches!(
            GenesysProtocol.decode(
                r#"{"type":"message","class":"ConnectionClosedEvent","code":200,"body":{"reason":"signedIn"}}"#
            ),
            Event::ConnectionClosed {
                kind: CloseKind::Displaced,
                ..
            }
        ));
        assert!(matches!(
            GenesysProtocol.decode(
                r#"{"type":"response","class":"PresignedUrlResponse","code":200,"body":{}}"#
            ),
            Event::Unreadable(Unreadable::UnknownKind(_))
        ));
        assert!(matches!(
            GenesysProtocol.decode("{oops"),
            Event::Unreadable(Unreadable::Malformed { .. })
        ));
    }

    #[test]
    fn requests_carry_the_token_and_the_message_id_twice() {
        let sent: serde_json::Value =
            serde_json::from_str(&GenesysProtocol.encode(&Outgoing::Message {
                session_id: "tok".into(),
                text: "hello".into(),
                client_id: Some("c-9".into()),
            }))
            .unwrap();
        assert_eq!(
            sent,
            serde_json::json!({"action":"onMessage","token":"tok","tracingId":"c-9","message":{"type":"Text","text":"hello","metadata":{"customMessageId":"c-9"}}})
        );
        let echo: serde_json::Value =
            serde_json::from_str(&GenesysProtocol.encode(&Outgoing::Heartbeat {
                session_id: "tok".into(),
            }))
            .unwrap();
        assert_eq!(echo["action"], "echo");
        assert_eq!(echo["token"], "tok");
        assert_eq!(echo["tracingId"], HEALTH_CHECK_TRACING_ID);
    }
}
