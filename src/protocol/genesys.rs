//! Genesys Cloud Web Messaging (docs/protocol-genesys.md): the client makes its own
//! session token, says `configureSession` on every connection, and reads answers by
//! `class`. The frames are the `guest-chat-protocol` crate's `genesys` types.

use super::{encode_query_component, HttpMethod, HttpRequest, SessionStart, WireProtocol};
use crate::core::{
    safe_url, Card, CardAction, Choice, CloseKind, CloseWhy, Config, Event, FileLink, HistoryItem,
    HistoryPage, Incoming, NewSession, Offer, Outgoing, Session, SessionConfigured, SessionSource,
    Unreadable, UploadRules,
};
use guest_chat_protocol::genesys::{
    AttachmentRef, ButtonResponse, Card as WireCard, Content, Direction, Event as GenesysEvent,
    FrameType, GenesysDecodeError, HistoryPage as WirePage, MessageKind, OutgoingContent,
    OutgoingMessage, Presence, Request, ServerBody, ServerMessage, SessionResponse,
    StructuredMessage, Typing, HEALTH_CHECK_TRACING_ID,
};

/// How long agent typing shows when the event names no duration.
const DEFAULT_TYPING_MS: u32 = 5000;
/// The close code the widget sends when it gives up on a silent connection.
const CLOSE_HEARTBEAT_TIMEOUT: u16 = 4000;
/// Characters of a malformed frame shown in the console.
const PREVIEW_CHARS: usize = 120;
/// History messages asked for per page.
const HISTORY_PAGE_SIZE: u32 = 25;
/// `tracingId`s of requests that are not guest messages, so that an answer to one is
/// never taken for the answer to a message.
const TYPING_TRACING_ID: &str = "guest-typing";
const CLEAR_TRACING_ID: &str = "clear-conversation";
const TOKEN_TRACING_ID: &str = "history-token";
const CLOSE_TRACING_ID: &str = "close-session";
const ATTACHMENT_TRACING_ID: &str = "attachment";
const UPLOAD_TRACING_ID: &str = "upload";

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
        let token = session.guest_token.clone();
        let configure = |start_new| {
            Request::ConfigureSession {
                token: token.clone(),
                deployment_id: deployment(config).to_string(),
                start_new,
                tracing_id: None,
            }
            .encode()
        };
        let mut frames = vec![];
        if start_new {
            // The ended conversation is closed on every device before a new one begins;
            // closing needs the session configured on this connection first.
            frames.push(configure(false));
            frames.push(
                Request::CloseSession {
                    token: token.clone(),
                    close_all_connections: true,
                    tracing_id: Some(CLOSE_TRACING_ID.into()),
                }
                .encode(),
            );
        }
        frames.push(configure(start_new));
        frames
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

    fn encode(&self, outgoing: &Outgoing) -> Option<String> {
        let event = |token: &String, event: GenesysEvent, tracing: &str| Request::OnMessage {
            token: token.clone(),
            message: OutgoingMessage::event(event),
            tracing_id: Some(tracing.into()),
        };
        let request = match outgoing {
            Outgoing::Message {
                session_id,
                text,
                client_id,
                attributes,
                answer,
                files,
            } => {
                let mut message = OutgoingMessage::text(text, attributes.clone());
                // A file may go without words.
                if text.is_empty() {
                    message.text = None;
                }
                // The chosen text goes as the message's text too (MTSDK sends none for a
                // quick reply), so that the transcript and the history read as said.
                if let Some(answer) = answer {
                    if !answer.quick_reply {
                        message.kind = MessageKind::Structured;
                    }
                    message.content.push(OutgoingContent {
                        content_type: "ButtonResponse",
                        button_response: Some(ButtonResponse {
                            text: text.clone(),
                            payload: answer.payload.clone(),
                            kind: if answer.quick_reply {
                                "QuickReply"
                            } else {
                                "Button"
                            },
                        }),
                        attachment: None,
                    });
                }
                for id in files {
                    message.content.push(OutgoingContent {
                        content_type: "Attachment",
                        button_response: None,
                        attachment: Some(AttachmentRef { id: id.clone() }),
                    });
                }
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
            Outgoing::HistoryToken { session_id } => Request::GetJwt {
                token: session_id.clone(),
                tracing_id: Some(TOKEN_TRACING_ID.into()),
            },
            Outgoing::Typing { session_id } => event(
                session_id,
                GenesysEvent::Typing {
                    typing: Typing {
                        kind: "On".into(),
                        duration: None,
                    },
                },
                TYPING_TRACING_ID,
            ),
            Outgoing::RefreshFile {
                session_id,
                file_id,
            } => Request::GetAttachment {
                token: session_id.clone(),
                attachment_id: file_id.clone(),
                tracing_id: Some(ATTACHMENT_TRACING_ID.into()),
            },
            Outgoing::RequestUpload {
                session_id,
                file_id,
                name,
                mime,
                size,
            } => Request::OnAttachment {
                token: session_id.clone(),
                attachment_id: file_id.clone(),
                file_name: name.clone(),
                file_type: mime.clone(),
                file_size: *size,
                tracing_id: Some(UPLOAD_TRACING_ID.into()),
            },
            Outgoing::DeleteFile {
                session_id,
                file_id,
            } => Request::DeleteAttachment {
                token: session_id.clone(),
                attachment_id: file_id.clone(),
                tracing_id: Some(UPLOAD_TRACING_ID.into()),
            },
            Outgoing::Clear { session_id } => event(
                session_id,
                GenesysEvent::Presence {
                    presence: Presence {
                        kind: "Clear".into(),
                    },
                },
                CLEAR_TRACING_ID,
            ),
        };
        Some(request.encode())
    }

    fn history_request(&self, config: &Config, jwt: &str, page: u32) -> Option<HttpRequest> {
        Some(HttpRequest {
            method: HttpMethod::Get,
            url: format!(
                "{}/api/v2/webmessaging/messages?pageSize={HISTORY_PAGE_SIZE}&pageNumber={page}",
                config.api_base
            ),
            headers: vec![
                ("Authorization".into(), format!("Bearer {jwt}")),
                ("Accept".into(), "application/json".into()),
            ],
            body: String::new(),
            timeout_ms: config.session_timeout_ms,
        })
    }

    fn read_history(&self, body: &str, page: u32) -> Result<HistoryPage, String> {
        let wire: WirePage = serde_json::from_str(body).map_err(|e| e.to_string())?;
        let more = !wire.entities.is_empty() && page < wire.page_count;
        let items = wire
            .entities
            .into_iter()
            .filter_map(|message| {
                let from_guest = match (message.direction?, message.kind) {
                    (_, MessageKind::Event) => return None,
                    (Direction::Inbound, _) => true,
                    (Direction::Outbound, _) => false,
                    (Direction::Other, _) => return None,
                };
                let offer = read_offer(&message.content);
                let text = message.text.filter(|t| !t.is_empty() || offer.is_some())?;
                let channel = message.channel.unwrap_or_default();
                Some(HistoryItem {
                    id: message.id?,
                    from_guest,
                    text,
                    author: channel
                        .from
                        .as_ref()
                        .and_then(|f| f.display_name())
                        .map(String::from),
                    at_ms: channel.time.as_deref().and_then(parse_time_ms),
                    client_id: message.metadata.custom_message_id,
                    offer,
                })
            })
            .collect();
        Ok(HistoryPage { page, items, more })
    }

    fn close_kind(&self, _code: u16) -> CloseKind {
        // The service ends conversations and sessions with messages, not close codes.
        CloseKind::Lost
    }

    fn close_code(&self, why: CloseWhy) -> u16 {
        match why {
            CloseWhy::HeartbeatTimeout => CLOSE_HEARTBEAT_TIMEOUT,
            CloseWhy::ChatEnded | CloseWhy::Displaced | CloseWhy::Cleared => 1000,
        }
    }
}

/// Milliseconds since the epoch of an ISO-8601 UTC time such as
/// `2022-08-22T19:24:26.704Z`; `None` for anything else.
pub fn parse_time_ms(text: &str) -> Option<f64> {
    let number = |from: usize, to: usize| -> Option<i64> {
        let digits = text.get(from..to)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators
        .iter()
        .any(|&(at, byte)| text.as_bytes().get(at) != Some(&byte))
    {
        return None;
    }
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut millis = 0;
    let rest = &text[19..];
    let rest = match rest.strip_prefix('.') {
        Some(fraction) => {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            for (place, b) in fraction.bytes().take(digits.min(3)).enumerate() {
                millis += i64::from(b - b'0') * [100, 10, 1][place];
            }
            &fraction[digits..]
        }
        None => rest,
    };
    if !matches!(rest, "Z" | "" | "+00:00") {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some((((days * 24 + hour) * 60 + minute) * 60 + second) as f64 * 1000.0 + millis as f64)
}

/// The deployment's rules for files, when it takes any.
fn upload_rules(session: SessionResponse) -> Option<UploadRules> {
    let inbound = session.allowed_media?.inbound?;
    if inbound.file_types.is_empty() {
        return None;
    }
    Some(UploadRules {
        types: inbound.file_types.into_iter().map(|t| t.kind).collect(),
        max_bytes: inbound.max_file_size_kb.map(|kb| kb.saturating_mul(1024)),
        blocked_extensions: session.blocked_extensions,
    })
}

fn read(message: ServerMessage) -> Event {
    let received = Event::Received;
    let tracing_id = message.tracing_id;
    match message.body {
        // The answer to closeSession: the old conversation is closed, a new one follows.
        ServerBody::SessionResponse(session) if !session.connected => received(Incoming::Noted),
        ServerBody::SessionResponse(session) => {
            received(Incoming::SessionConfigured(SessionConfigured {
                new_session: session.new_session,
                read_only: session.read_only,
                max_attribute_bytes: session.max_custom_data_bytes,
                uploads: upload_rules(session),
            }))
        }
        ServerBody::StructuredMessage(body) => {
            read_structured(message.frame_type, tracing_id, *body)
        }
        ServerBody::Error(text) => match (message.code, tracing_id.as_deref()) {
            (403, Some(TYPING_TRACING_ID)) => received(Incoming::TypingRefused),
            // Without `errorsAsJson`, a refused file comes as words with its code.
            (code, Some(UPLOAD_TRACING_ID)) => received(Incoming::UploadRefused {
                file_id: None,
                code,
            }),
            // The session is gone: a new one begins, as after SessionExpiredEvent.
            (4006 | 4007, _) => Event::ConnectionClosed {
                kind: CloseKind::SessionExpired,
                code: message.code,
                reason: text,
            },
            (code, tracing) => received(Incoming::Refused {
                code,
                client_id: tracing
                    .filter(|t| {
                        ![
                            TYPING_TRACING_ID,
                            CLEAR_TRACING_ID,
                            TOKEN_TRACING_ID,
                            CLOSE_TRACING_ID,
                            ATTACHMENT_TRACING_ID,
                            UPLOAD_TRACING_ID,
                        ]
                        .contains(t)
                    })
                    .map(String::from),
                reason: text,
            }),
        },
        ServerBody::TooManyRequests(limit) => received(Incoming::RateLimited {
            client_id: tracing_id,
            retry_after_ms: limit.retry_after.max(1).saturating_mul(1000),
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
        ServerBody::SessionCleared => received(Incoming::SessionCleared),
        ServerBody::Jwt { jwt, exp } => received(Incoming::HistoryToken {
            jwt,
            expires_at_ms: exp as f64 * 1000.0,
        }),
        ServerBody::Logout => received(Incoming::Noted),
        // Only an upload's address names headers to send with it.
        ServerBody::PresignedUrl {
            attachment_id,
            url,
            headers,
        } if !headers.is_empty() => received(Incoming::UploadAddress {
            file_id: attachment_id,
            url,
            headers: headers.into_iter().collect(),
        }),
        ServerBody::PresignedUrl {
            attachment_id, url, ..
        } => received(Incoming::FileRefreshed {
            file_id: attachment_id,
            url,
        }),
        ServerBody::UploadSucceeded {
            attachment_id,
            download_url,
        } => received(Incoming::UploadStored {
            file_id: attachment_id,
            url: download_url,
        }),
        ServerBody::UploadFailed {
            attachment_id,
            error_code,
        } => received(Incoming::UploadRefused {
            file_id: attachment_id,
            code: error_code,
        }),
        ServerBody::AttachmentDeleted { .. } => received(Incoming::Noted),
        ServerBody::Other(class) => Event::Unreadable(Unreadable::UnknownKind(class)),
    }
}

fn read_structured(frame: FrameType, tracing_id: Option<String>, body: StructuredMessage) -> Event {
    let at_ms = body
        .channel
        .as_ref()
        .and_then(|c| c.time.as_deref())
        .and_then(parse_time_ms);
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
                server_id: body.id,
                at_ms,
            }
        }
        (Some(Direction::Outbound), MessageKind::Event) => read_event(&body),
        (Some(Direction::Outbound), _) => match (body.text, read_offer(&body.content)) {
            (Some(text), offer) if !text.is_empty() || offer.is_some() => Incoming::AgentMessage {
                seq: None,
                author: body
                    .channel
                    .as_ref()
                    .and_then(|c| c.from.as_ref())
                    .and_then(|f| f.display_name())
                    .map(String::from),
                id: body.id,
                at_ms,
                text,
                offer,
            },
            _ => Incoming::Noted,
        },
        _ => Incoming::Noted,
    };
    Event::Received(incoming)
}

/// Quick replies, or cards (one, or a carousel's), from a message's content. A content
/// type not shown here leaves the message its text. Links and images pointing anywhere
/// but `https:` (or `http:` to this machine) are dropped.
fn read_offer(content: &[Content]) -> Option<Offer> {
    let replies: Vec<Choice> = content
        .iter()
        .filter_map(|c| c.quick_reply.as_ref())
        .filter(|r| !r.text.is_empty())
        .map(|r| Choice {
            text: r.text.clone(),
            payload: r.payload.clone(),
        })
        .collect();
    if !replies.is_empty() {
        return Some(Offer::QuickReplies(replies));
    }
    let cards: Vec<Card> = content
        .iter()
        .flat_map(|c| {
            c.card
                .iter()
                .chain(c.carousel.iter().flat_map(|carousel| carousel.cards.iter()))
        })
        .map(read_card)
        .collect();
    if !cards.is_empty() {
        return Some(Offer::Cards(cards));
    }
    let files: Vec<FileLink> = content
        .iter()
        .filter_map(|c| c.attachment.as_ref())
        .filter_map(|a| {
            let url = safe_url(a.url.as_deref()?)?.to_string();
            let image = a.media_type.as_deref() == Some("Image")
                || a.mime.as_deref().is_some_and(|m| m.starts_with("image/"));
            Some(FileLink {
                id: a.id.clone(),
                name: a
                    .filename
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| "file".into()),
                url,
                image,
                size: a.file_size,
            })
        })
        .collect();
    (!files.is_empty()).then_some(Offer::Files(files))
}

fn read_card(card: &WireCard) -> Card {
    Card {
        title: card.title.clone(),
        description: card.description.clone().filter(|d| !d.is_empty()),
        image: card.image.as_deref().and_then(safe_url).map(String::from),
        actions: card
            .actions
            .iter()
            .filter_map(|action| match action.kind.as_str() {
                "Postback" => Some(CardAction::Postback {
                    text: action.text.clone(),
                    payload: action.payload.clone().unwrap_or_default(),
                }),
                "Link" => Some(CardAction::Link {
                    text: action.text.clone(),
                    url: safe_url(action.url.as_deref()?)?.to_string(),
                }),
                _ => None,
            })
            .collect(),
    }
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
                id: Some("1".into()),
                at_ms: Some(1_707_518_390_526.0),
                author: Some("Robot Friend".into()),
                text: "Hi".into(),
                offer: None,
            }
        );
        assert_eq!(
            received(
                r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"text":"mine","direction":"Inbound","id":"2","type":"Text"},"tracingId":"c-1"}"#
            ),
            Incoming::Acknowledged {
                client_id: Some("c-1".into()),
                server_id: Some("2".into()),
                at_ms: None
            }
        );
        assert_eq!(
            received(
                r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"text":"mine","direction":"Inbound","id":"2","type":"Text","metadata":{"customMessageId":"c-2"}}}"#
            ),
            Incoming::Acknowledged {
                client_id: Some("c-2".into()),
                server_id: Some("2".into()),
                at_ms: None
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
            Incoming::SessionConfigured(SessionConfigured {
                new_session: false,
                read_only: true,
                max_attribute_bytes: None,
                uploads: None,
            })
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":false,"maxCustomDataBytes":100}}"#
            ),
            Incoming::SessionConfigured(SessionConfigured {
                new_session: false,
                read_only: false,
                max_attribute_bytes: Some(100),
                uploads: None,
            })
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":true,"readOnly":false,"maxCustomDataBytes":100,"allowedMedia":{"inbound":{"fileTypes":[{"type":"*/*"},{"type":"video/3gpp"}],"maxFileSizeKB":10240}},"blockedExtensions":[".ade"],"clearedExistingSession":false}}"#
            ),
            Incoming::SessionConfigured(SessionConfigured {
                new_session: true,
                read_only: false,
                max_attribute_bytes: Some(100),
                uploads: Some(UploadRules {
                    types: vec!["*/*".into(), "video/3gpp".into()],
                    max_bytes: Some(10240 * 1024),
                    blocked_extensions: vec![".ade".into()],
                }),
            })
        );
        // Upload answers: an address with headers, the verdicts, and a refusal in words.
        assert_eq!(
            received(
                r#"{"type":"response","class":"PresignedUrlResponse","code":200,"body":{"attachmentId":"abcd-1234","headers":{"x-amz-tagging":"organizationId=1234"},"url":"https://uploads.url/foo.png"}}"#
            ),
            Incoming::UploadAddress {
                file_id: "abcd-1234".into(),
                url: "https://uploads.url/foo.png".into(),
                headers: vec![("x-amz-tagging".into(), "organizationId=1234".into())],
            }
        );
        assert_eq!(
            received(
                r#"{"type":"message","class":"UploadSuccessEvent","code":200,"body":{"attachmentId":"abcd-1234","downloadUrl":"https://uploads.url/foo.png","timestamp":"2021-04-21T14:03:09.581Z"}}"#
            ),
            Incoming::UploadStored {
                file_id: "abcd-1234".into(),
                url: "https://uploads.url/foo.png".into(),
            }
        );
        assert_eq!(
            received(
                r#"{"type":"message","class":"UploadFailureEvent","code":200,"body":{"attachmentId":"abcd-1234","errorCode":4001,"errorMessage":"error message","timestamp":"2021-04-21T14:03:09.581Z"}}"#
            ),
            Incoming::UploadRefused {
                file_id: Some("abcd-1234".into()),
                code: 4001,
            }
        );
        assert_eq!(
            received(
                r#"{"type":"message","class":"GenerateUrlError","code":200,"body":{"attachmentId":"abcd-1234","errorCode":4002,"errorMessage":"error message"}}"#
            ),
            Incoming::UploadRefused {
                file_id: Some("abcd-1234".into()),
                code: 4002,
            }
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"string","code":4004,"body":"File name invalid","tracingId":"upload"}"#
            ),
            Incoming::UploadRefused {
                file_id: None,
                code: 4004,
            }
        );
        assert_eq!(
            received(
                r#"{"type":"message","class":"AttachmentDeletedResponse","code":200,"body":{"attachmentId":"attachment_id"}}"#
            ),
            Incoming::Noted
        );
        // The answer to closeSession, before the new session's own.
        assert_eq!(
            received(
                r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":false,"readOnly":true}}"#
            ),
            Incoming::Noted
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"string","code":409,"body":"Session is read-only, no new messages allowed","tracingId":"c-4"}"#
            ),
            Incoming::Refused {
                code: 409,
                client_id: Some("c-4".into()),
                reason: "Session is read-only, no new messages allowed".into()
            }
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"string","code":4011,"body":"message too long","tracingId":"c-5"}"#
            ),
            Incoming::Refused {
                code: 4011,
                client_id: Some("c-5".into()),
                reason: "message too long".into()
            }
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"string","code":403,"body":"Turn on the Feature Toggle or fix the configuration.","tracingId":"guest-typing"}"#
            ),
            Incoming::TypingRefused
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"string","code":403,"body":"Presence events Conversation Clear are not supported","tracingId":"clear-conversation"}"#
            ),
            Incoming::Refused {
                code: 403,
                client_id: None,
                reason: "Presence events Conversation Clear are not supported".into()
            }
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"TooManyRequestsErrorMessage","code":429,"body":{"retryAfter":3,"errorCode":4029,"errorMessage":"Message rate too high for this session"},"tracingId":"c-6"}"#
            ),
            Incoming::RateLimited {
                client_id: Some("c-6".into()),
                retry_after_ms: 3000
            }
        );
        assert_eq!(
            received(
                r#"{"type":"response","class":"JwtResponse","code":200,"body":{"jwt":"j.w.t","exp":1700000000}}"#
            ),
            Incoming::HistoryToken {
                jwt: "j.w.t".into(),
                expires_at_ms: 1_700_000_000_000.0
            }
        );
        assert_eq!(
            received(r#"{"type":"message","class":"SessionClearedEvent","code":200,"body":{}}"#),
            Incoming::SessionCleared
        );
        for code in [4006, 4007] {
            let frame =
                format!(r#"{{"type":"response","class":"string","code":{code},"body":"gone"}}"#);
            assert!(matches!(
                GenesysProtocol.decode(&frame),
                Event::ConnectionClosed {
                    kind: CloseKind::SessionExpired,
                    ..
                }
            ));
        }
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
            GenesysProtocol
                .decode(r#"{"type":"response","class":"UploadSuccessEvent","code":200,"body":{}}"#),
            Event::Unreadable(Unreadable::Malformed { .. })
        ));
        assert!(matches!(
            GenesysProtocol.decode(
                r#"{"type":"response","class":"GetConfigurationResponse","code":200,"body":{}}"#
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
        let sent: serde_json::Value = serde_json::from_str(
            &GenesysProtocol
                .encode(&Outgoing::Message {
                    session_id: "tok".into(),
                    text: "hello".into(),
                    client_id: Some("c-9".into()),
                    attributes: Default::default(),
                    answer: None,
                    files: vec![],
                })
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            sent,
            serde_json::json!({"action":"onMessage","token":"tok","tracingId":"c-9","message":{"type":"Text","text":"hello","metadata":{"customMessageId":"c-9"}}})
        );
        let encode = |outgoing: Outgoing| -> serde_json::Value {
            serde_json::from_str(&GenesysProtocol.encode(&outgoing).unwrap()).unwrap()
        };
        let with_attributes = encode(Outgoing::Message {
            session_id: "tok".into(),
            text: "hi".into(),
            client_id: None,
            attributes: [("context.firstName".to_string(), "Ada".to_string())].into(),
            answer: None,
            files: vec![],
        });
        assert_eq!(
            with_attributes["message"]["channel"],
            serde_json::json!({"metadata":{"customAttributes":{"context.firstName":"Ada"}}})
        );
        assert_eq!(
            encode(Outgoing::Typing {
                session_id: "tok".into()
            }),
            serde_json::json!({"action":"onMessage","token":"tok","tracingId":"guest-typing","message":{"type":"Event","events":[{"eventType":"Typing","typing":{"type":"On"}}]}})
        );
        assert_eq!(
            encode(Outgoing::Clear {
                session_id: "tok".into()
            }),
            serde_json::json!({"action":"onMessage","token":"tok","tracingId":"clear-conversation","message":{"type":"Event","events":[{"eventType":"Presence","presence":{"type":"Clear"}}]}})
        );
        assert_eq!(
            encode(Outgoing::RequestUpload {
                session_id: "tok".into(),
                file_id: "f-1".into(),
                name: "cat.png".into(),
                mime: "image/png".into(),
                size: 12345,
            }),
            serde_json::json!({"action":"onAttachment","token":"tok","attachmentId":"f-1","fileName":"cat.png","fileType":"image/png","fileSize":12345,"tracingId":"upload"})
        );
        assert_eq!(
            encode(Outgoing::DeleteFile {
                session_id: "tok".into(),
                file_id: "f-1".into(),
            }),
            serde_json::json!({"action":"deleteAttachment","token":"tok","attachmentId":"f-1","tracingId":"upload"})
        );
        let with_file = encode(Outgoing::Message {
            session_id: "tok".into(),
            text: "".into(),
            client_id: Some("c-2".into()),
            attributes: Default::default(),
            answer: None,
            files: vec!["f-1".into()],
        });
        assert_eq!(
            with_file["message"]["content"],
            serde_json::json!([{"contentType":"Attachment","attachment":{"id":"f-1"}}])
        );
        assert_eq!(
            encode(Outgoing::HistoryToken {
                session_id: "tok".into()
            }),
            serde_json::json!({"action":"getJwt","token":"tok","tracingId":"history-token"})
        );
        let echo = encode(Outgoing::Heartbeat {
            session_id: "tok".into(),
        });
        assert_eq!(echo["action"], "echo");
        assert_eq!(echo["token"], "tok");
        assert_eq!(echo["tracingId"], HEALTH_CHECK_TRACING_ID);
    }

    #[test]
    fn a_new_chat_closes_the_old_session_before_configuring_the_new_one() {
        let session = Session {
            guest_token: "tok".into(),
            session_id: "tok".into(),
            organization_id: String::new(),
            expires_at_ms: 0.0,
        };
        let frames = GenesysProtocol.opening_frames(&config(), &session, true);
        assert_eq!(
            frames,
            [
                r#"{"action":"configureSession","token":"tok","deploymentId":"dep 1"}"#,
                r#"{"action":"closeSession","token":"tok","closeAllConnections":true,"tracingId":"close-session"}"#,
                r#"{"action":"configureSession","token":"tok","deploymentId":"dep 1","startNew":true}"#
            ]
        );
    }

    #[test]
    fn history_is_read_with_the_token_and_keeps_messages_only() {
        let request = GenesysProtocol
            .history_request(&config(), "j.w.t", 2)
            .unwrap();
        assert_eq!(request.method, HttpMethod::Get);
        assert!(request
            .url
            .ends_with("/api/v2/webmessaging/messages?pageSize=25&pageNumber=2"));
        assert!(request
            .headers
            .contains(&("Authorization".into(), "Bearer j.w.t".into())));
        // The reference's own example page: an event and a null time included.
        let page = GenesysProtocol
            .read_history(
                r#"{"entities":[{"id":"5befde6373a23f32f20b59b4e1cba0e6","channel":{"time":"2014-04-30T21:09:51.411Z"},"type":"Text","text":"x","content":[],"direction":"Outbound","originatingEntity":"Bot"},
                {"id":"46e7001c24abed05e9bcd1a006eb54b7","channel":{"time":null},"type":"Event","events":[{"eventType":"Presence","presence":{"type":"Join"}}],"text":"customer msg 7","content":[],"direction":"Inbound","originatingEntity":"Human"},
                {"id":"g1","channel":{"time":null},"type":"Text","text":"mine","direction":"Inbound","metadata":{"customMessageId":"c-1"}}],
                "pageSize":25,"pageNumber":1,"total":30,"pageCount":2}"#,
                1,
            )
            .unwrap();
        assert!(page.more);
        assert_eq!(
            page.items,
            [
                HistoryItem {
                    id: "5befde6373a23f32f20b59b4e1cba0e6".into(),
                    from_guest: false,
                    text: "x".into(),
                    author: None,
                    at_ms: Some(1_398_892_191_411.0),
                    client_id: None,
                    offer: None,
                },
                HistoryItem {
                    id: "g1".into(),
                    from_guest: true,
                    text: "mine".into(),
                    author: None,
                    at_ms: None,
                    client_id: Some("c-1".into()),
                    offer: None,
                }
            ]
        );
        let empty = GenesysProtocol
            .read_history(
                r#"{"entities":[],"pageSize":0,"pageNumber":1,"total":0,"pageCount":0}"#,
                1,
            )
            .unwrap();
        assert!(!empty.more && empty.items.is_empty());
        assert!(GenesysProtocol.read_history("<html>", 1).is_err());
    }

    #[test]
    fn times_are_read_as_utc_milliseconds() {
        assert_eq!(parse_time_ms("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            parse_time_ms("2022-08-22T19:24:26.704Z"),
            Some(1_661_196_266_704.0)
        );
        assert_eq!(
            parse_time_ms("2024-02-29T00:00:00.5Z"),
            Some(1_709_164_800_500.0)
        );
        for bad in [
            "",
            "yesterday",
            "2022-13-01T00:00:00Z",
            "2022-08-22 19:24:26Z",
            "2022-08-22T19:24:26+02:00",
            "２０２２-08-22T19:24:26Z",
        ] {
            assert_eq!(parse_time_ms(bad), None, "{bad}");
        }
    }
}
