//! Genesys Cloud Web Messaging (docs/protocol-genesys.md): the client makes its own
//! session token, says `configureSession` on every connection, and reads answers by
//! `class`. The frames are the `guest-chat-protocol` crate's `genesys` types.
//!
//! `read` turns the service's frames into domain events; this module writes requests
//! and holds the protocol's choices.

mod deployment;
mod read;
#[cfg(test)]
mod tests;

pub use deployment::read_deployment;
pub use read::parse_time_ms;

use read::{read, read_offer};

use super::{
    encode_query_component, HttpMethod, HttpRequest, SessionStart, TokenRequest, WireProtocol,
};
use crate::core::auth::Tokens;
use crate::core::{
    CloseKind, CloseWhy, Config, Event, HistoryItem, HistoryPage, NewSession, Outgoing, Session,
    SessionSource, Unreadable,
};
use guest_chat_protocol::genesys::{
    AttachmentRef, AuthenticatedData, ButtonResponse, Direction, Event as GenesysEvent,
    GenesysDecodeError, HistoryPage as WirePage, MessageKind, OutgoingContent, OutgoingMessage,
    Presence, Request, ServerMessage, Typing, HEALTH_CHECK_TRACING_ID,
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

    fn opening_frames(
        &self,
        config: &Config,
        session: &Session,
        start_new: bool,
        jwt: Option<&str>,
    ) -> Vec<String> {
        let token = session.guest_token.clone();
        let configure = |start_new| {
            let deployment_id = deployment(config).to_string();
            match jwt {
                Some(jwt) => Request::ConfigureAuthenticatedSession {
                    token: token.clone(),
                    deployment_id,
                    start_new,
                    data: AuthenticatedData { code: jwt.into() },
                    tracing_id: None,
                },
                None => Request::ConfigureSession {
                    token: token.clone(),
                    deployment_id,
                    start_new,
                    tracing_id: None,
                },
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
            Outgoing::Authenticate {
                session_id,
                deployment_id,
                jwt,
            } => Request::ConfigureAuthenticatedSession {
                token: session_id.clone(),
                deployment_id: deployment_id.clone(),
                start_new: false,
                data: AuthenticatedData { code: jwt.clone() },
                tracing_id: None,
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

    fn token_request(&self, config: &Config, request: TokenRequest) -> Option<HttpRequest> {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Exchange<'a> {
            deployment_id: &'a str,
            grant_type: &'a str,
            code: &'a str,
            redirect_uri: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            code_verifier: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            nonce: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            max_age: Option<u32>,
        }
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Refresh<'a> {
            refresh_token: &'a str,
        }
        let base = format!("{}/api/v2/webdeployments/token", config.api_base);
        let (method, url, body, header) = match request {
            // The documented shape, fields at the top level (the simulator also takes the
            // mobile SDK's `oauth` object).
            TokenRequest::Exchange(code) => (
                HttpMethod::Post,
                format!("{base}/oauthcodegrantjwtexchange"),
                serde_json::to_string(&Exchange {
                    deployment_id: deployment(config),
                    grant_type: "code",
                    code: &code.code,
                    redirect_uri: &code.redirect_uri,
                    code_verifier: code.code_verifier.as_deref(),
                    nonce: code.nonce.as_deref(),
                    max_age: code.max_age,
                }),
                ("Content-Type".into(), "application/json".into()),
            ),
            TokenRequest::Refresh(refresh_token) => (
                HttpMethod::Post,
                format!("{base}/refresh"),
                serde_json::to_string(&Refresh { refresh_token }),
                ("Content-Type".into(), "application/json".into()),
            ),
            TokenRequest::Revoke(jwt) => (
                HttpMethod::Delete,
                format!("{base}/revoke"),
                Ok(String::new()),
                ("Authorization".into(), format!("Bearer {jwt}")),
            ),
        };
        Some(HttpRequest {
            method,
            url,
            headers: vec![header],
            body: body.ok()?,
            timeout_ms: config.session_timeout_ms,
        })
    }

    fn read_tokens(&self, body: &str) -> Result<Tokens, String> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            jwt: String,
            refresh_token: Option<String>,
        }
        let answer: Answer = serde_json::from_str(body).map_err(|e| e.to_string())?;
        Ok(Tokens {
            jwt: answer.jwt,
            refresh_token: answer.refresh_token,
        })
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
