//! The guest WebSocket of the tutorial's Guest API.

use crate::shared::{error_response, now_millis, AppState, Heard, Outbound, TranscriptLine};
use axum::{
    extract::{
        ws::{Message, WebSocket, WebSocketUpgrade},
        Query, State,
    },
    http::StatusCode,
    response::Response,
};
use futures_util::StreamExt;
use guest_chat_protocol::{
    ClientFrame, ServerFrame, WsQuery, CLOSE_SESSION_EXPIRED, CLOSE_TOO_BIG,
};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

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
        state.tell_agent(Heard::TutorialJoined {
            session_id: session_id.clone(),
        });
    }
    let (sink, mut stream) = socket.split();
    let mut writer = tokio::spawn(crate::shared::write_outbound(rx, sink, Some(delay)));
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
                state.tell_agent(Heard::TutorialSaid {
                    session_id: session_id.to_string(),
                    text,
                });
            }
        }
        Err(err) => reply(ServerFrame::Error {
            reason: err.to_string(),
        }),
    }
}
