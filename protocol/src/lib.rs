//! The Guest API's wire format: the REST bodies and the WebSocket frames.
//!
//! The widget and the simulator both depend on this crate, so a field renamed on one
//! side is a compile error on the other. `docs/protocol.md` describes the same types
//! for people.

pub mod genesys;
pub mod json;
pub mod pkce;
pub mod query;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// REST path that creates a guest session.
pub const SESSIONS_PATH: &str = "/api/v2/webmessaging/guest/sessions";
/// WebSocket path; the guest token and organization travel in the query.
pub const WS_PATH: &str = "/api/v2/webmessaging/guest/ws";
/// Header naming the organization on the REST call.
pub const ORGANIZATION_HEADER: &str = "X-Genesys-Organization";

/// Close code of a chat that ended normally (the agent ended it). The widget does not reconnect.
pub const CLOSE_NORMAL: u16 = 1000;
/// Close code for a frame larger than the server accepts.
pub const CLOSE_TOO_BIG: u16 = 1009;
/// Close code sent when the guest token expires while connected.
pub const CLOSE_SESSION_EXPIRED: u16 = 4001;

/// Body of `POST /api/v2/webmessaging/guest/sessions` (and of a backend session endpoint).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSessionRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_email: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

/// Answer to a successful session creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSessionResponse {
    pub guest_token: String,
    pub session_id: String,
    pub organization_id: String,
    /// Lifetime of the guest token, in seconds.
    pub expires_in: u64,
}

/// JSON body of every REST error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Machine-readable kind, e.g. `unauthorized`.
    pub error: String,
    /// Sentence for people.
    pub message: String,
}

/// Query of the WebSocket upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WsQuery {
    pub guest_token: String,
    pub organization_id: String,
    /// Highest agent `seq` the guest already holds; the server replays what came after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seq: Option<u64>,
}

/// Routing state of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutingStatus {
    Queued,
    Connected,
    /// A status this version does not know; kept so a new server status breaks nothing.
    #[serde(other)]
    Other,
}

/// A frame the server sends to the guest. Read with [`ServerFrame::decode`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Routing {
        status: RoutingStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<u32>,
    },
    AgentTyping,
    AgentNotTyping,
    AgentMessage {
        text: String,
        /// Per-session number of agent messages, starting at 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seq: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent_name: Option<String>,
    },
    GuestMessageDelivered {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_message_id: Option<String>,
    },
    Error {
        reason: String,
    },
    Pong,
}

/// A frame the guest sends to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    Message {
        session_id: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_message_id: Option<String>,
    },
    Ping,
}

/// Why a text frame could not be read as a known frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Not JSON, or JSON of the wrong shape for its `type`.
    Malformed(String),
    /// Well-formed JSON whose `type` this version does not know.
    UnknownType(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Malformed(why) => write!(f, "malformed frame: {why}"),
            DecodeError::UnknownType(kind) => write!(f, "unknown frame type `{kind}`"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Every field a server frame may carry.
#[derive(Deserialize)]
struct FrameFields {
    #[serde(rename = "type")]
    kind: String,
    status: Option<RoutingStatus>,
    position: Option<u32>,
    text: Option<String>,
    seq: Option<u64>,
    agent_name: Option<String>,
    client_message_id: Option<String>,
    reason: Option<String>,
}

#[derive(Deserialize)]
struct TypeProbe {
    #[serde(rename = "type")]
    kind: String,
}

/// Known frame types are decoded in one pass; only a failure pays for a second look
/// to tell an unknown type (a newer server) from a broken frame.
fn decode_tagged<T: for<'de> Deserialize<'de>>(
    text: &str,
    known: &[&str],
) -> Result<T, DecodeError> {
    json::from_str(text).map_err(|err| match json::from_str::<TypeProbe>(text) {
        Ok(probe) if !known.contains(&probe.kind.as_str()) => DecodeError::UnknownType(probe.kind),
        _ => DecodeError::Malformed(err),
    })
}

impl ServerFrame {
    /// Reads a frame in one pass over a flat struct of every field any frame has: far
    /// less code in the widget than serde's buffering of internally tagged enums.
    /// A field of the wrong type makes the frame malformed, whichever frame it is in.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        let fields: FrameFields = json::from_str(text).map_err(DecodeError::Malformed)?;
        let missing = |field: &str| {
            DecodeError::Malformed(format!("`{}` frame without `{field}`", fields.kind))
        };
        Ok(match fields.kind.as_str() {
            "routing" => ServerFrame::Routing {
                status: fields.status.ok_or_else(|| missing("status"))?,
                position: fields.position,
            },
            "agent_typing" => ServerFrame::AgentTyping,
            "agent_not_typing" => ServerFrame::AgentNotTyping,
            "agent_message" => ServerFrame::AgentMessage {
                text: fields.text.clone().ok_or_else(|| missing("text"))?,
                seq: fields.seq,
                agent_name: fields.agent_name,
            },
            "guest_message_delivered" => ServerFrame::GuestMessageDelivered {
                client_message_id: fields.client_message_id,
            },
            "error" => ServerFrame::Error {
                reason: fields.reason.clone().ok_or_else(|| missing("reason"))?,
            },
            "pong" => ServerFrame::Pong,
            _ => return Err(DecodeError::UnknownType(fields.kind)),
        })
    }

    pub fn encode(&self) -> String {
        json::to_string(self)
    }
}

impl ClientFrame {
    pub const TYPES: [&'static str; 2] = ["message", "ping"];

    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        decode_tagged(text, &Self::TYPES)
    }

    pub fn encode(&self) -> String {
        json::to_string(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_frames_match_the_tutorial_field_names() {
        let frame =
            ServerFrame::decode(r#"{"type":"routing","status":"queued","position":3}"#).unwrap();
        assert_eq!(
            frame,
            ServerFrame::Routing {
                status: RoutingStatus::Queued,
                position: Some(3)
            }
        );
        let frame = ServerFrame::decode(r#"{"type":"agent_message","text":"hi"}"#).unwrap();
        assert_eq!(
            frame,
            ServerFrame::AgentMessage {
                text: "hi".into(),
                seq: None,
                agent_name: None
            }
        );
        assert_eq!(
            ServerFrame::decode(r#"{"type":"agent_typing"}"#).unwrap(),
            ServerFrame::AgentTyping
        );
        assert_eq!(
            ServerFrame::decode(r#"{"type":"error","reason":"nope"}"#).unwrap(),
            ServerFrame::Error {
                reason: "nope".into()
            }
        );
        assert_eq!(
            ServerFrame::decode(r#"{"type":"guest_message_delivered"}"#).unwrap(),
            ServerFrame::GuestMessageDelivered {
                client_message_id: None
            }
        );
    }

    #[test]
    fn unknown_routing_status_is_kept_not_rejected() {
        let frame = ServerFrame::decode(r#"{"type":"routing","status":"transferring"}"#).unwrap();
        assert_eq!(
            frame,
            ServerFrame::Routing {
                status: RoutingStatus::Other,
                position: None
            }
        );
    }

    #[test]
    fn unknown_type_is_told_apart_from_malformed() {
        assert_eq!(
            ServerFrame::decode(r#"{"type":"survey","x":1}"#),
            Err(DecodeError::UnknownType("survey".into()))
        );
        assert!(matches!(
            ServerFrame::decode("{not json"),
            Err(DecodeError::Malformed(_))
        ));
        assert!(matches!(
            ServerFrame::decode(r#"{"type":"agent_message"}"#),
            Err(DecodeError::Malformed(_))
        ));
        assert!(matches!(
            ServerFrame::decode(r#"{"type":"agent_message","text":5}"#),
            Err(DecodeError::Malformed(_))
        ));
        assert!(matches!(
            ServerFrame::decode(r#"{"text":"x"}"#),
            Err(DecodeError::Malformed(_))
        ));
        assert!(matches!(
            ServerFrame::decode("[1,2]"),
            Err(DecodeError::Malformed(_))
        ));
    }

    #[test]
    fn client_message_frame_has_the_tutorial_shape() {
        let frame = ClientFrame::Message {
            session_id: "s".into(),
            text: "hello".into(),
            client_message_id: None,
        };
        assert_eq!(
            frame.encode(),
            r#"{"type":"message","session_id":"s","text":"hello"}"#
        );
        assert_eq!(ClientFrame::Ping.encode(), r#"{"type":"ping"}"#);
        assert_eq!(ClientFrame::decode(&frame.encode()).unwrap(), frame);
    }

    #[test]
    fn session_request_uses_camel_case_and_response_snake_case() {
        let req = CreateSessionRequest {
            guest_name: Some("Ada".into()),
            guest_email: None,
            attributes: [("plan".to_string(), "pro".to_string())].into(),
        };
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"guestName":"Ada","attributes":{"plan":"pro"}}"#
        );
        let resp: CreateSessionResponse = serde_json::from_str(
            r#"{"guest_token":"t","session_id":"s","organization_id":"o","expires_in":86400}"#,
        )
        .unwrap();
        assert_eq!(resp.expires_in, 86400);
    }
}
