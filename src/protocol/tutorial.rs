//! The tutorial's Guest API: a REST call creates the session, then a WebSocket carries
//! JSON frames named by `type` (docs/protocol.md). The frame types themselves live in
//! the `guest-chat-protocol` crate, shared with the simulator.

use super::{encode_query_component, HttpMethod, HttpRequest, SessionStart, WireProtocol};
use crate::core::{
    CloseKind, CloseWhy, Config, Event, Incoming, NewSession, Outgoing, Routing, Session,
    SessionSource, Unreadable,
};
use guest_chat_protocol::{
    json, ClientFrame, CreateSessionRequest, CreateSessionResponse, DecodeError, ErrorBody,
    RoutingStatus, ServerFrame, CLOSE_NORMAL, CLOSE_SESSION_EXPIRED, ORGANIZATION_HEADER,
    SESSIONS_PATH, WS_PATH,
};

/// Close code the widget uses when it gives up on a silent connection.
pub const CLOSE_HEARTBEAT_TIMEOUT: u16 = 4000;

/// Characters of a malformed frame shown in the console.
const PREVIEW_CHARS: usize = 120;

pub struct TutorialProtocol;

impl WireProtocol for TutorialProtocol {
    fn session_start(&self, config: &Config) -> SessionStart {
        let body = CreateSessionRequest {
            guest_name: config.guest_name.clone(),
            guest_email: config.guest_email.clone(),
            attributes: config.attributes.clone(),
        };
        let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        let url = match &config.session {
            SessionSource::Backend { url } => url.clone(),
            SessionSource::Direct { access_token } => {
                headers.push(("Authorization".into(), format!("Bearer {access_token}")));
                format!("{}{SESSIONS_PATH}", config.api_base)
            }
            SessionSource::Genesys { .. } => return SessionStart::Local,
        };
        if let Some(org) = &config.organization_id {
            headers.push((ORGANIZATION_HEADER.into(), org.clone()));
        }
        SessionStart::Http(HttpRequest {
            method: HttpMethod::Post,
            url,
            headers,
            body: json::to_string(&body),
            timeout_ms: config.session_timeout_ms,
        })
    }

    fn read_session(&self, body: &str) -> Result<NewSession, String> {
        let answer: CreateSessionResponse = json::from_str(body).map_err(|e| e.to_string())?;
        Ok(NewSession {
            guest_token: answer.guest_token,
            session_id: answer.session_id,
            organization_id: answer.organization_id,
            expires_in_s: answer.expires_in,
        })
    }

    fn failure_text(&self, body: &str) -> String {
        match json::from_str::<ErrorBody>(body) {
            Ok(error) => error.message,
            Err(_) => body.to_string(),
        }
    }

    fn connection_url(
        &self,
        config: &Config,
        session: &Session,
        resume_after: Option<u64>,
    ) -> String {
        let mut url = format!(
            "{}{WS_PATH}?guest_token={}&organization_id={}",
            config.ws_base,
            encode_query_component(&session.guest_token),
            encode_query_component(&session.organization_id),
        );
        if let Some(seq) = resume_after {
            url.push_str(&format!("&last_seq={seq}"));
        }
        url
    }

    fn decode(&self, text: &str) -> Event {
        let frame = match ServerFrame::decode(text) {
            Ok(frame) => frame,
            Err(DecodeError::UnknownType(kind)) => {
                return Event::Unreadable(Unreadable::UnknownKind(kind))
            }
            Err(DecodeError::Malformed(why)) => {
                return Event::Unreadable(Unreadable::Malformed {
                    why,
                    preview: text.chars().take(PREVIEW_CHARS).collect(),
                })
            }
        };
        Event::Received(match frame {
            ServerFrame::AgentMessage {
                text,
                seq,
                agent_name,
            } => Incoming::AgentMessage {
                seq,
                id: None,
                at_ms: None,
                author: agent_name,
                text,
                offer: None,
            },
            ServerFrame::AgentTyping => Incoming::AgentTyping(true),
            ServerFrame::AgentNotTyping => Incoming::AgentTyping(false),
            ServerFrame::Routing { status, position } => Incoming::Routing(match status {
                RoutingStatus::Queued => Some(Routing::Queued { position }),
                RoutingStatus::Connected => Some(Routing::Connected),
                RoutingStatus::Other => None,
            }),
            ServerFrame::GuestMessageDelivered { client_message_id } => Incoming::Acknowledged {
                client_id: client_message_id,
                server_id: None,
                at_ms: None,
            },
            ServerFrame::Error { reason } => Incoming::ServerError { reason },
            ServerFrame::Pong => Incoming::HeartbeatAnswered,
        })
    }

    fn encode(&self, outgoing: &Outgoing) -> Option<String> {
        let frame = match outgoing {
            Outgoing::Message {
                session_id,
                text,
                client_id,
                ..
            } => ClientFrame::Message {
                session_id: session_id.clone(),
                text: text.clone(),
                client_message_id: client_id.clone(),
            },
            Outgoing::Heartbeat { .. } => ClientFrame::Ping,
            // The tutorial's protocol has no frames for these.
            Outgoing::HistoryToken { .. }
            | Outgoing::Typing { .. }
            | Outgoing::Clear { .. }
            | Outgoing::Authenticate { .. }
            | Outgoing::RefreshFile { .. }
            | Outgoing::RequestUpload { .. }
            | Outgoing::DeleteFile { .. } => return None,
        };
        Some(frame.encode())
    }

    fn close_kind(&self, code: u16) -> CloseKind {
        match code {
            CLOSE_NORMAL => CloseKind::Ended,
            CLOSE_SESSION_EXPIRED => CloseKind::SessionExpired,
            _ => CloseKind::Lost,
        }
    }

    fn close_code(&self, why: CloseWhy) -> u16 {
        match why {
            CloseWhy::HeartbeatTimeout => CLOSE_HEARTBEAT_TIMEOUT,
            CloseWhy::ChatEnded | CloseWhy::Displaced | CloseWhy::Cleared => CLOSE_NORMAL,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(text: &str) -> Incoming {
        match TutorialProtocol.decode(text) {
            Event::Received(incoming) => incoming,
            other => panic!("{text} read as {other:?}"),
        }
    }

    fn unreadable(text: &str) -> Unreadable {
        match TutorialProtocol.decode(text) {
            Event::Unreadable(unreadable) => unreadable,
            other => panic!("{text} read as {other:?}"),
        }
    }

    #[test]
    fn every_server_frame_becomes_its_domain_event() {
        assert_eq!(
            received(r#"{"type":"agent_message","text":"<b>hi</b>","seq":3,"agent_name":"Sam"}"#),
            Incoming::AgentMessage {
                seq: Some(3),
                id: None,
                at_ms: None,
                author: Some("Sam".into()),
                text: "<b>hi</b>".into(),
                offer: None,
            }
        );
        assert_eq!(
            received(r#"{"type":"agent_message","text":"plain"}"#),
            Incoming::AgentMessage {
                seq: None,
                id: None,
                at_ms: None,
                author: None,
                text: "plain".into(),
                offer: None,
            }
        );
        assert_eq!(
            received(r#"{"type":"agent_typing"}"#),
            Incoming::AgentTyping(true)
        );
        assert_eq!(
            received(r#"{"type":"agent_not_typing"}"#),
            Incoming::AgentTyping(false)
        );
        assert_eq!(
            received(r#"{"type":"routing","status":"queued","position":2}"#),
            Incoming::Routing(Some(Routing::Queued { position: Some(2) }))
        );
        assert_eq!(
            received(r#"{"type":"routing","status":"connected"}"#),
            Incoming::Routing(Some(Routing::Connected))
        );
        assert_eq!(
            received(r#"{"type":"routing","status":"wrapup"}"#),
            Incoming::Routing(None)
        );
        assert_eq!(
            received(r#"{"type":"guest_message_delivered","client_message_id":"c1"}"#),
            Incoming::Acknowledged {
                client_id: Some("c1".into()),
                server_id: None,
                at_ms: None
            }
        );
        assert_eq!(
            received(r#"{"type":"guest_message_delivered"}"#),
            Incoming::Acknowledged {
                client_id: None,
                server_id: None,
                at_ms: None
            }
        );
        assert_eq!(
            received(r#"{"type":"error","reason":"Queue is full"}"#),
            Incoming::ServerError {
                reason: "Queue is full".into()
            }
        );
        assert_eq!(received(r#"{"type":"pong"}"#), Incoming::HeartbeatAnswered);
    }

    #[test]
    fn unknown_and_malformed_frames_are_told_apart() {
        assert_eq!(
            unreadable(r#"{"type":"survey","questions":[]}"#),
            Unreadable::UnknownKind("survey".into())
        );
        for text in [
            "{truncated",
            "",
            "null",
            "[]",
            r#""agent_message""#,
            r#"["type","pong"]"#,
            r#"{"type":"agent_message","text":null}"#,
            r#"{"type":"agent_message","text":42}"#,
            r#"{"type":"agent_message","text":"x","seq":"7"}"#,
            r#"{"type":"agent_message","text":"x","seq":1.5}"#,
            r#"{"type":"agent_message","text":"x","seq":1e300}"#,
            r#"{"type":"routing","status":"queued","position":-1}"#,
            // JSON's grammar allows a lone surrogate, but it is no text.
            r#"{"type":"agent_message","text":"half \ud800 pair"}"#,
        ] {
            assert!(
                matches!(unreadable(text), Unreadable::Malformed { .. }),
                "{text}"
            );
        }
        let long = format!(r#"{{"type":"agent_message","text":{}}}"#, "1".repeat(500));
        let Unreadable::Malformed { preview, .. } = unreadable(&long) else {
            panic!()
        };
        assert_eq!(preview.chars().count(), PREVIEW_CHARS);
    }

    #[test]
    fn requests_become_frames() {
        let message = Outgoing::Message {
            session_id: "s-1".into(),
            text: "a \"quote\"".into(),
            client_id: Some("c-9".into()),
            attributes: Default::default(),
            answer: None,
            files: vec![],
        };
        assert_eq!(
            TutorialProtocol.encode(&message).unwrap(),
            r#"{"type":"message","session_id":"s-1","text":"a \"quote\"","client_message_id":"c-9"}"#
        );
        let without_id = Outgoing::Message {
            session_id: "s-1".into(),
            text: "hi".into(),
            client_id: None,
            attributes: Default::default(),
            answer: None,
            files: vec![],
        };
        assert_eq!(
            TutorialProtocol.encode(&without_id).unwrap(),
            r#"{"type":"message","session_id":"s-1","text":"hi"}"#
        );
        assert_eq!(
            TutorialProtocol.encode(&Outgoing::Heartbeat {
                session_id: "s".into()
            }),
            Some(r#"{"type":"ping"}"#.to_string())
        );
        assert_eq!(
            TutorialProtocol.encode(&Outgoing::Typing {
                session_id: "s".into()
            }),
            None
        );
    }

    #[test]
    fn close_codes_mean_ended_expired_or_lost() {
        let wire = TutorialProtocol;
        assert_eq!(wire.close_kind(1000), CloseKind::Ended);
        assert_eq!(wire.close_kind(4001), CloseKind::SessionExpired);
        for code in [1001, 1006, 1009, 1011, 4000, 4002] {
            assert_eq!(wire.close_kind(code), CloseKind::Lost, "{code}");
        }
        assert_eq!(wire.close_code(CloseWhy::HeartbeatTimeout), 4000);
    }

    #[test]
    fn session_answers_and_error_bodies_are_read() {
        let wire = TutorialProtocol;
        let session = wire
            .read_session(
                r#"{"guest_token":"t","session_id":"s","organization_id":"o","expires_in":60}"#,
            )
            .unwrap();
        assert_eq!(
            session,
            NewSession {
                guest_token: "t".into(),
                session_id: "s".into(),
                organization_id: "o".into(),
                expires_in_s: 60
            }
        );
        assert!(wire.read_session(r#"{"guest_token":"t"}"#).is_err());
        assert_eq!(
            wire.failure_text(r#"{"error":"unauthorized","message":"bad token"}"#),
            "bad token"
        );
        assert_eq!(wire.failure_text("Bad Gateway"), "Bad Gateway");
    }
}
