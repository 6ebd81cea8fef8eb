//! Genesys Cloud Web Messaging's guest frames as serde types: what a client sends
//! ([`Request`]) and what the service answers or pushes ([`ServerMessage`]). Reading is
//! tolerant where the public sources disagree (docs/protocol-genesys.md): the answer's
//! `type` is kept but never needed, `ConnectionClosedEvent` names its reason `reason`
//! or `reasonCode`, metadata values that are not strings are skipped, and unknown
//! fields are ignored.

use serde::{
    de::{IgnoredAny, MapAccess, SeqAccess, Visitor},
    Deserialize, Deserializer, Serialize,
};
use serde_json::value::RawValue;
use std::{collections::BTreeMap, fmt};

/// `tracingId` of the health check, as the official mobile SDK sends it.
pub const HEALTH_CHECK_TRACING_ID: &str = "SGVhbHRoQ2hlY2tNZXNzYWdlSWQ=";

/// Custom attributes: string keys and values.
pub type Attributes = BTreeMap<String, String>;

/// What `configureAuthenticatedSession` carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthenticatedData {
    pub code: String,
}

/// A request from the guest's client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum Request {
    #[serde(rename_all = "camelCase")]
    ConfigureSession {
        token: String,
        deployment_id: String,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        start_new: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        tracing_id: Option<String>,
    },
    /// A signed-in visitor: `data.code` carries the JWT of Web Messaging's token
    /// exchange (not the provider's authorization code).
    #[serde(rename_all = "camelCase")]
    ConfigureAuthenticatedSession {
        token: String,
        deployment_id: String,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        start_new: bool,
        data: AuthenticatedData,
        #[serde(skip_serializing_if = "Option::is_none")]
        tracing_id: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    OnMessage {
        token: String,
        message: OutgoingMessage,
        #[serde(skip_serializing_if = "Option::is_none")]
        tracing_id: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    Echo {
        token: String,
        message: OutgoingMessage,
        tracing_id: String,
    },
    #[serde(rename_all = "camelCase")]
    GetJwt {
        token: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        tracing_id: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    GetAttachment {
        token: String,
        attachment_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        tracing_id: Option<String>,
    },
    /// Asks where to upload a file the guest attaches.
    #[serde(rename_all = "camelCase")]
    OnAttachment {
        token: String,
        attachment_id: String,
        file_name: String,
        file_type: String,
        file_size: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        tracing_id: Option<String>,
    },
    /// Withdraws an uploaded file not sent yet.
    #[serde(rename_all = "camelCase")]
    DeleteAttachment {
        token: String,
        attachment_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        tracing_id: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    CloseSession {
        token: String,
        close_all_connections: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        tracing_id: Option<String>,
    },
}

impl Request {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The `message` of `onMessage` and `echo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct OutgoingMessage {
    #[serde(rename = "type")]
    pub kind: MessageKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<OutgoingChannel>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<OutgoingContent>,
}

/// What a guest's message carries besides text: the answer to a button, or a file
/// uploaded before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingContent {
    pub content_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub button_response: Option<ButtonResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentRef>,
}

/// An uploaded file, by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentRef {
    pub id: String,
}

/// The guest chose a quick reply (`type: "QuickReply"`) or a card's postback (`"Button"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ButtonResponse {
    pub text: String,
    pub payload: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutgoingChannel {
    pub metadata: ChannelMetadata,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelMetadata {
    pub custom_attributes: Attributes,
}

impl OutgoingMessage {
    /// A text message; `custom_attributes` go with it when there are any.
    pub fn text(text: &str, custom_attributes: Attributes) -> Self {
        OutgoingMessage {
            kind: MessageKind::Text,
            text: Some(text.to_string()),
            channel: (!custom_attributes.is_empty()).then_some(OutgoingChannel {
                metadata: ChannelMetadata { custom_attributes },
            }),
            ..Default::default()
        }
    }

    /// One event: the guest typing, or a presence change (`Join`, `Clear`).
    pub fn event(event: Event) -> Self {
        OutgoingMessage {
            kind: MessageKind::Event,
            events: vec![event],
            ..Default::default()
        }
    }
}

/// `type` of a message body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum MessageKind {
    #[default]
    Text,
    Structured,
    Event,
    Receipt,
    Message,
    /// A kind this version does not know.
    #[serde(other)]
    Other,
}

/// An event inside a message: typing or presence (others are kept as `Other`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "eventType", from = "FlatEvent")]
pub enum Event {
    Typing {
        typing: Typing,
    },
    Presence {
        presence: Presence,
    },
    #[serde(other)]
    Other,
}

/// Events are read through one flat struct: serde's internally tagged reading would
/// buffer every event first, and cost the widget several KB.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FlatEvent {
    event_type: String,
    #[serde(default)]
    typing: Option<Typing>,
    #[serde(default)]
    presence: Option<Presence>,
}

impl From<FlatEvent> for Event {
    fn from(flat: FlatEvent) -> Event {
        match (flat.event_type.as_str(), flat.typing, flat.presence) {
            ("Typing", Some(typing), _) => Event::Typing { typing },
            ("Presence", _, Some(presence)) => Event::Presence { presence },
            _ => Event::Other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typing {
    #[serde(rename = "type")]
    pub kind: String,
    /// How long to show it, in milliseconds; absent in what a guest sends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    #[serde(rename = "type")]
    pub kind: String,
}

/// Whether an answer replies to a request or is pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FrameType {
    Response,
    Message,
    #[default]
    #[serde(other)]
    Unknown,
}

/// What the service sent, by `class`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerMessage {
    pub frame_type: FrameType,
    pub code: u16,
    pub tracing_id: Option<String>,
    pub body: ServerBody,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ServerBody {
    SessionResponse(SessionResponse),
    StructuredMessage(Box<StructuredMessage>),
    /// `class: "string"`: an error whose text is the body.
    Error(String),
    TooManyRequests(TooManyRequests),
    SessionExpired,
    ConnectionClosed {
        reason: Option<String>,
    },
    SessionCleared,
    Logout,
    Jwt {
        jwt: String,
        /// Expiry, epoch seconds.
        exp: u64,
    },
    /// An upload address (with the headers the upload must carry) or, with no
    /// headers, a fresh download address.
    PresignedUrl {
        attachment_id: String,
        url: String,
        headers: BTreeMap<String, String>,
    },
    /// An upload was checked and stored.
    UploadSucceeded {
        attachment_id: String,
        download_url: String,
    },
    /// An upload was refused before (`GenerateUrlError`) or after it was sent
    /// (`UploadFailureEvent`), with a 4001–4005 code.
    UploadFailed {
        attachment_id: Option<String>,
        error_code: u16,
    },
    AttachmentDeleted {
        attachment_id: String,
    },
    /// A class this version does not read (uploads, configuration, …).
    Other(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PresignedBody {
    attachment_id: String,
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct UploadBody {
    attachment_id: Option<String>,
    download_url: Option<String>,
    error_code: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionResponse {
    pub connected: bool,
    pub new_session: bool,
    pub read_only: bool,
    pub max_custom_data_bytes: Option<u32>,
    pub duration_seconds: Option<u64>,
    /// Epoch seconds.
    pub expiration_date: Option<u64>,
    pub blocked_extensions: Vec<String>,
    pub allowed_media: Option<AllowedMedia>,
}

/// What the guest may upload; absent when the deployment takes no files.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default)]
pub struct AllowedMedia {
    pub inbound: Option<InboundMedia>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct InboundMedia {
    pub file_types: Vec<FileType>,
    #[serde(rename = "maxFileSizeKB")]
    pub max_file_size_kb: Option<u64>,
}

/// A MIME type, or a pattern such as `image/*` or `*/*`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default)]
pub struct FileType {
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TooManyRequests {
    /// Seconds to wait.
    pub retry_after: u32,
    #[serde(default)]
    pub error_code: Option<u32>,
    #[serde(default)]
    pub error_message: Option<String>,
}

/// A message or event: an agent's, a bot's, or the echo of the guest's own.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct StructuredMessage {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: MessageKind,
    pub text: Option<String>,
    pub direction: Option<Direction>,
    pub channel: Option<Channel>,
    pub events: Vec<Event>,
    pub metadata: Metadata,
    pub originating_entity: Option<String>,
    pub content: Vec<Content>,
}

/// One item of a message's `content`, read through one flat struct (serde's internal
/// tags would buffer every item). A type this version does not show keeps only its
/// `contentType`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Content {
    pub content_type: String,
    pub quick_reply: Option<QuickReply>,
    pub card: Option<Card>,
    pub carousel: Option<Carousel>,
    pub attachment: Option<Attachment>,
}

/// A file an agent sent (or the echo of one the guest sent).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Attachment {
    pub id: String,
    pub filename: Option<String>,
    /// `Image`, `Video`, `Audio`, `File`, …
    pub media_type: Option<String>,
    pub mime: Option<String>,
    /// Bytes; may be absent.
    pub file_size: Option<u64>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default)]
pub struct QuickReply {
    pub text: String,
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default)]
pub struct Card {
    pub title: String,
    pub description: Option<String>,
    pub image: Option<String>,
    pub actions: Vec<CardAction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default)]
pub struct CardAction {
    /// `Postback` or `Link`.
    #[serde(rename = "type")]
    pub kind: String,
    pub text: String,
    pub payload: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(default)]
pub struct Carousel {
    pub cards: Vec<Card>,
}

/// The metadata a client reads; values that are not strings count as absent. Content
/// items (quick replies, cards, attachments) and other fields are not read yet: each
/// field read costs the widget its share of serde's code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Metadata {
    /// `"true"` on the event that ends a conversation for good.
    #[serde(deserialize_with = "maybe_string")]
    pub read_only: Option<String>,
    /// The id an older client put on its message, echoed back.
    #[serde(deserialize_with = "maybe_string")]
    pub custom_message_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Direction {
    Inbound,
    Outbound,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Channel {
    /// ISO-8601 UTC; may be null.
    pub time: Option<String>,
    pub from: Option<Participant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Participant {
    pub nickname: Option<String>,
    pub first_name: Option<String>,
}

impl Participant {
    /// The name to show: the nickname, else the first name.
    pub fn display_name(&self) -> Option<&str> {
        [&self.nickname, &self.first_name]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .find(|s| !s.is_empty())
    }
}

/// A metadata value: kept when it is a string, skipped otherwise.
struct MaybeString(Option<String>);

impl<'de> Deserialize<'de> for MaybeString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E>(self, v: &str) -> Result<MaybeString, E> {
                Ok(MaybeString(Some(v.to_string())))
            }
            fn visit_bool<E>(self, _: bool) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_unit<E>(self) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MaybeString, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeString, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
        }
        d.deserialize_any(V)
    }
}

fn maybe_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(MaybeString::deserialize(d)?.0)
}

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GenesysDecodeError {
    /// Not JSON, not an object, or a known class whose body has the wrong shape.
    Malformed(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    #[serde(rename = "type", default)]
    frame_type: FrameType,
    class: String,
    #[serde(default)]
    code: u16,
    #[serde(borrow, default)]
    body: Option<&'a RawValue>,
    #[serde(default)]
    tracing_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ClosedBody {
    reason: Option<String>,
    reason_code: Option<String>,
}

#[derive(Deserialize)]
struct JwtBody {
    jwt: String,
    exp: u64,
}

impl ServerMessage {
    pub fn decode(text: &str) -> Result<ServerMessage, GenesysDecodeError> {
        let malformed = |e: serde_json::Error| GenesysDecodeError::Malformed(e.to_string());
        let envelope: Envelope = serde_json::from_str(text).map_err(malformed)?;
        // The body is read straight into the type its class names, with no value tree.
        let raw = envelope.body.map_or("null", RawValue::get);
        let body = match envelope.class.as_str() {
            "SessionResponse" => ServerBody::SessionResponse(
                serde_json::from_str::<Option<SessionResponse>>(raw)
                    .map_err(malformed)?
                    .unwrap_or_default(),
            ),
            "StructuredMessage" => ServerBody::StructuredMessage(Box::new(
                serde_json::from_str(raw).map_err(malformed)?,
            )),
            "string" => ServerBody::Error(match serde_json::from_str::<String>(raw) {
                Ok(text) => text,
                Err(_) => raw.to_string(),
            }),
            "TooManyRequestsErrorMessage" => {
                ServerBody::TooManyRequests(serde_json::from_str(raw).map_err(malformed)?)
            }
            "SessionExpiredEvent" => ServerBody::SessionExpired,
            "ConnectionClosedEvent" => {
                let closed: ClosedBody = serde_json::from_str(raw).unwrap_or_default();
                ServerBody::ConnectionClosed {
                    reason: closed.reason.or(closed.reason_code),
                }
            }
            "SessionClearedEvent" => ServerBody::SessionCleared,
            "PresignedUrlResponse" => {
                let body: PresignedBody = serde_json::from_str(raw).map_err(malformed)?;
                ServerBody::PresignedUrl {
                    attachment_id: body.attachment_id,
                    url: body.url,
                    headers: body.headers,
                }
            }
            "UploadSuccessEvent" => {
                let body: UploadBody = serde_json::from_str(raw).map_err(malformed)?;
                match (body.attachment_id, body.download_url) {
                    (Some(attachment_id), Some(download_url)) => ServerBody::UploadSucceeded {
                        attachment_id,
                        download_url,
                    },
                    _ => {
                        return Err(GenesysDecodeError::Malformed(
                            "UploadSuccessEvent without attachmentId or downloadUrl".into(),
                        ))
                    }
                }
            }
            "UploadFailureEvent" | "GenerateUrlError" => {
                let body: UploadBody = serde_json::from_str(raw).map_err(malformed)?;
                ServerBody::UploadFailed {
                    attachment_id: body.attachment_id,
                    error_code: body.error_code,
                }
            }
            "AttachmentDeletedResponse" => {
                let body: UploadBody = serde_json::from_str(raw).map_err(malformed)?;
                ServerBody::AttachmentDeleted {
                    attachment_id: body.attachment_id.unwrap_or_default(),
                }
            }
            "LogoutEvent" => ServerBody::Logout,
            "JwtResponse" => {
                let jwt: JwtBody = serde_json::from_str(raw).map_err(malformed)?;
                ServerBody::Jwt {
                    jwt: jwt.jwt,
                    exp: jwt.exp,
                }
            }
            other => ServerBody::Other(other.to_string()),
        };
        Ok(ServerMessage {
            frame_type: envelope.frame_type,
            code: envelope.code,
            tracing_id: envelope.tracing_id,
            body,
        })
    }
}

/// One page of `GET /api/v2/webmessaging/messages`: newest first.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct HistoryPage {
    pub entities: Vec<StructuredMessage>,
    pub page_size: u32,
    pub page_number: u32,
    pub total: u32,
    pub page_count: u32,
}

#[cfg(test)]
mod tests;
