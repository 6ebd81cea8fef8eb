//! The guest's side of the Guest API: session creation and the guest WebSocket.

use crate::{
    agent, error_response,
    state::{now_millis, NewSession, Outbound, TranscriptLine},
    AppState,
};
use axum::{
    body::Bytes,
    extract::{
        ws::{Message, WebSocket, WebSocketUpgrade},
        Query, State,
    },
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use futures_util::StreamExt;
use guest_chat_protocol::{
    ClientFrame, CreateSessionRequest, CreateSessionResponse, ServerFrame, WsQuery,
    CLOSE_SESSION_EXPIRED, CLOSE_TOO_BIG, ORGANIZATION_HEADER,
};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Applies a delay or failure planned through the control API, if one is pending.
async fn planned_failure(state: &AppState) -> Option<Response> {
    let delay = state.fail_plan().delay_ms;
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let mut plan = state.fail_plan();
    if plan.remaining == 0 {
        return None;
    }
    plan.remaining -= 1;
    let status = StatusCode::from_u16(plan.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match &plan.body {
        Some(body) => (status, body.clone()).into_response(),
        None => error_response(
            status,
            "planned_failure",
            format!("planned failure with status {}", plan.status),
        ),
    };
    if let Some(secs) = plan.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    Some(response)
}

fn parse_body(body: &Bytes) -> Result<CreateSessionRequest, Box<Response>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(CreateSessionRequest::default());
    }
    serde_json::from_slice(body).map_err(|err| {
        Box::new(error_response(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("the body is not a guest session request: {err}"),
        ))
    })
}

fn new_session(
    state: &AppState,
    organization_id: String,
    request: CreateSessionRequest,
) -> Response {
    let (session_id, guest_token) = state.create_session(NewSession {
        organization_id: organization_id.clone(),
        guest_name: request.guest_name,
        guest_email: request.guest_email,
        attributes: request.attributes,
    });
    tracing::info!(%session_id, "guest session created");
    Json(CreateSessionResponse {
        guest_token,
        session_id,
        organization_id,
        expires_in: state.config().expires_in.as_secs(),
    })
    .into_response()
}

/// `POST /api/v2/webmessaging/guest/sessions`, authorised by an OAuth access token.
pub(crate) async fn create_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(failure) = planned_failure(&state).await {
        return failure;
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(token) = token else {
        return error_response(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing `Authorization: Bearer <access token>`",
        );
    };
    if !state.config().access_tokens.iter().any(|t| t == token) {
        return error_response(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the access token is invalid, expired or lacks the webmessaging:guest scope",
        );
    }
    let organization = headers
        .get(ORGANIZATION_HEADER)
        .and_then(|v| v.to_str().ok());
    match organization {
        Some(org) if org != state.config().organization_id => {
            return error_response(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("the access token does not belong to organization `{org}`"),
            );
        }
        _ => {}
    }
    let request = match parse_body(&body) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    new_session(&state, state.config().organization_id.clone(), request)
}

/// `POST /guest-session`: the backend pattern. The access token stays on the server;
/// the page only ever sees the guest token.
pub(crate) async fn backend_session(State(state): State<AppState>, body: Bytes) -> Response {
    if let Some(failure) = planned_failure(&state).await {
        return failure;
    }
    let request = match parse_body(&body) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    new_session(&state, state.config().organization_id.clone(), request)
}

/// `GET /api/v2/webmessaging/guest/ws`: refuses before the upgrade unless the token is
/// known, unexpired and of the named organization.
pub(crate) async fn guest_socket(
    State(state): State<AppState>,
    query: Result<Query<WsQuery>, axum::extract::rejection::QueryRejection>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Ok(Query(query)) = query else {
        return error_response(
            StatusCode::FORBIDDEN,
            "forbidden",
            "guest_token and organization_id are required",
        );
    };
    let Some(session_id) = state.session_for_token(&query.guest_token) else {
        return error_response(StatusCode::FORBIDDEN, "forbidden", "unknown guest token");
    };
    {
        let mut sessions = state.sessions();
        let Some(session) = sessions.get_mut(&session_id) else {
            return error_response(StatusCode::FORBIDDEN, "forbidden", "unknown guest token");
        };
        if session.expires_at <= Instant::now() {
            return error_response(
                StatusCode::FORBIDDEN,
                "forbidden",
                "the guest token has expired",
            );
        }
        if session.refuse_upgrades > 0 {
            session.refuse_upgrades -= 1;
            return error_response(
                StatusCode::FORBIDDEN,
                "forbidden",
                "upgrade refused (control API)",
            );
        }
        if session.organization_id != query.organization_id {
            return error_response(
                StatusCode::FORBIDDEN,
                "forbidden",
                "organization_id does not match the guest token",
            );
        }
    }
    // The protocol limit is enforced by us with a 1009 close; the transport limit only
    // guards memory.
    let transport_limit = state
        .config()
        .max_frame_bytes
        .saturating_mul(4)
        .max(1 << 20);
    // Small buffers: tungstenite's 128 KiB defaults would dominate the memory of an idle
    // chat, whose frames are a few hundred bytes.
    upgrade
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_message_size(transport_limit)
        .on_upgrade(move |socket| run_guest_socket(state, session_id, query.last_seq, socket))
}

async fn run_guest_socket(
    state: AppState,
    session_id: String,
    last_seq: Option<u64>,
    socket: WebSocket,
) {
    let (tx, rx) = mpsc::unbounded_channel::<Outbound>();
    let Some((conn_id, delay, expires_at, start_script)) =
        state.attach(&session_id, tx.clone(), last_seq)
    else {
        return;
    };
    tracing::info!(%session_id, conn_id, "guest connected");
    if start_script {
        agent::start_script(state.clone(), session_id.clone());
    }
    let (sink, mut stream) = socket.split();
    let mut writer = tokio::spawn(crate::state::write_outbound(rx, sink, Some(delay)));
    let expiry = tokio::time::sleep_until(expires_at.into());
    tokio::pin!(expiry);
    loop {
        tokio::select! {
            _ = &mut writer => break,
            _ = &mut expiry => {
                let _ = tx.send(Outbound::Close(CLOSE_SESSION_EXPIRED, "session expired".into()));
                // Keep waiting for the writer to flush the close frame.
                expiry.set(tokio::time::sleep(Duration::from_secs(3600)));
            }
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => handle_text(&state, &session_id, &tx, text.as_str()),
                Some(Ok(Message::Binary(_))) => {
                    let _ = tx.send(Outbound::Text(ServerFrame::Error {
                        reason: "binary frames are not supported; send JSON text frames".into(),
                    }.encode()));
                }
                Some(Ok(Message::Close(_))) | None => break,
                Some(Ok(_)) => {}
                Some(Err(err)) => {
                    tracing::info!(%session_id, %err, "guest socket error");
                    let _ = tx.send(Outbound::Close(CLOSE_TOO_BIG, "frame too large".into()));
                    let _ = (&mut writer).await;
                    break;
                }
            }
        }
    }
    writer.abort();
    state.detach(&session_id, conn_id);
    tracing::info!(%session_id, conn_id, "guest disconnected");
}

fn handle_text(
    state: &AppState,
    session_id: &str,
    tx: &mpsc::UnboundedSender<Outbound>,
    raw: &str,
) {
    let reply = |frame: ServerFrame| {
        let _ = tx.send(Outbound::Text(frame.encode()));
    };
    if raw.len() > state.config().max_frame_bytes {
        state.record_received(session_id, format!("<{} bytes, too large>", raw.len()));
        let _ = tx.send(Outbound::Close(
            CLOSE_TOO_BIG,
            format!("frame larger than {} bytes", state.config().max_frame_bytes),
        ));
        return;
    }
    state.record_received(session_id, raw.to_string());
    match ClientFrame::decode(raw) {
        Ok(ClientFrame::Ping) => reply(ServerFrame::Pong),
        Ok(ClientFrame::Message {
            session_id: claimed,
            text,
            client_message_id,
        }) => {
            if claimed != session_id {
                reply(ServerFrame::Error {
                    reason: "session_id mismatch: use the session_id returned when the session was created".into(),
                });
                return;
            }
            let is_new = {
                let mut sessions = state.sessions();
                let Some(session) = sessions.get_mut(session_id) else {
                    return;
                };
                let is_new = match &client_message_id {
                    Some(id) => session.seen_client_ids.insert(id.clone()),
                    None => true,
                };
                if is_new {
                    session.transcript.push(TranscriptLine {
                        from: "guest",
                        text: text.clone(),
                        at: now_millis(),
                        seq: None,
                        client_message_id: client_message_id.clone(),
                    });
                }
                is_new
            };
            reply(ServerFrame::GuestMessageDelivered { client_message_id });
            if is_new {
                agent::on_guest_message(state.clone(), session_id.to_string(), text);
            }
        }
        Err(err) => reply(ServerFrame::Error {
            reason: err.to_string(),
        }),
    }
}
