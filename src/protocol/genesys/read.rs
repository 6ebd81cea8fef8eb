//! Reading what Genesys Cloud sends: answers by `class`, structured messages and their
//! content (quick replies, cards, files), events, and ISO times.

use super::{
    ATTACHMENT_TRACING_ID, CLEAR_TRACING_ID, CLOSE_TRACING_ID, DEFAULT_TYPING_MS, TOKEN_TRACING_ID,
    TYPING_TRACING_ID, UPLOAD_TRACING_ID,
};
use crate::core::{
    safe_url, Card, CardAction, Choice, CloseKind, Event, FileLink, Incoming, Offer,
    SessionConfigured, Unreadable, UploadRules,
};
use guest_chat_protocol::genesys::{
    Card as WireCard, Content, Direction, Event as GenesysEvent, FrameType, MessageKind,
    ServerBody, ServerMessage, SessionResponse, StructuredMessage, HEALTH_CHECK_TRACING_ID,
};

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
pub(super) fn upload_rules(session: SessionResponse) -> Option<UploadRules> {
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

pub(super) fn read(message: ServerMessage) -> Event {
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
        ServerBody::Logout => received(Incoming::LoggedOut),
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
pub(super) fn read_offer(content: &[Content]) -> Option<Offer> {
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
