//! The guest socket `/v1`: connections of a session token, and the requests it takes
//! (`configureSession`, `getJwt`, `echo`, `closeSession` and the rest).

use super::*;
use super::{files::on_attachment, messages::on_message};

#[derive(Deserialize)]
pub(crate) struct SocketQuery {
    #[serde(rename = "deploymentId")]
    deployment_id: Option<String>,
}

pub(crate) async fn socket(
    State(state): State<AppState>,
    Query(query): Query<SocketQuery>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let deployment = query.deployment_id.unwrap_or_default();
    if !state.config().genesys.deployments.contains(&deployment) {
        // Refused before the upgrade, as the service refuses an unknown deployment.
        return (StatusCode::FORBIDDEN, "unknown deployment").into_response();
    }
    // Upload and download addresses point where the guest reached this server.
    if let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        state.genesys().origin = format!("http://{host}");
    }
    upgrade.on_upgrade(move |socket| run(state, deployment, socket))
}

async fn run(state: AppState, deployment: String, socket: WebSocket) {
    let (tx, rx) = mpsc::unbounded_channel::<Outbound>();
    let conn_id = state
        .genesys()
        .next_connection
        .fetch_add(1, Ordering::Relaxed);
    let (sink, mut stream) = socket.split();
    let writer = tokio::spawn(crate::shared::write_outbound(rx, sink, None));
    let mut bound = Bound::default();
    while let Some(Ok(message)) = stream.next().await {
        match message {
            Message::Text(text) => {
                handle(&state, &deployment, conn_id, &tx, &mut bound, text.as_str());
            }
            Message::Close(_) => break,
            _ => {}
        }
        if writer.is_finished() {
            break;
        }
    }
    writer.abort();
    if let Some(token) = bound.key {
        if let Some(session) = state.genesys().sessions.get_mut(&token) {
            session.connections.retain(|c| c.id != conn_id);
        }
    }
}

/// The session a connection configured: its key in the store (the session token, or
/// the identity's key when signed in) and the token the client sends.
#[derive(Default)]
struct Bound {
    key: Option<String>,
    client: Option<String>,
}

fn handle(
    state: &AppState,
    deployment: &str,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Outbound>,
    bound: &mut Bound,
    raw: &str,
) {
    let reply = |frame: String| {
        let _ = tx.send(Outbound::Text(frame));
    };
    let Ok(Value::Object(request)) = serde_json::from_str::<Value>(raw) else {
        return reply(error_frame(400, "Request failed.", None));
    };
    let tracing_id = request.get("tracingId").and_then(Value::as_str);
    let action = request.get("action").and_then(Value::as_str).unwrap_or("");
    let request_token = request.get("token").and_then(Value::as_str);
    // A configureSession is recorded once its session exists (it may make it).
    if !action.starts_with("configure") {
        if let Some(t) = bound.key.as_deref().or(request_token) {
            if let Some(session) = state.genesys().sessions.get_mut(t) {
                session.received.push(raw.to_string());
            }
        }
    }
    match action {
        "configureSession" => {
            let Some(new_token) = request_token.filter(|t| !t.is_empty() && t.len() <= 2048) else {
                return reply(error_frame(400, "Request failed.", tracing_id));
            };
            if request.get("deploymentId").and_then(Value::as_str) != Some(deployment) {
                return reply(error_frame(400, "Request failed.", tracing_id));
            }
            if state.genesys().authenticated_tokens.contains_key(new_token) {
                return reply(error_frame(
                    4017,
                    "Cannot downgrade an authenticated session to a guest session",
                    tracing_id,
                ));
            }
            let start_new = request.get("startNew").and_then(Value::as_bool) == Some(true);
            // What the token sent before stays readable by tests across a new chat.
            let mut earlier = vec![];
            if start_new {
                let mut genesys = state.genesys();
                let closed = genesys.sessions.get(new_token).is_some_and(|s| s.read_only);
                if closed {
                    if let Some(old) = genesys.sessions.remove(new_token) {
                        earlier = old.received;
                    }
                }
            }
            let conn = Conn {
                id: conn_id,
                tx: tx.clone(),
            };
            let (body, is_new) = state.attach_genesys(new_token, deployment, conn);
            if let Some(session) = state.genesys().sessions.get_mut(new_token) {
                if !earlier.is_empty() {
                    earlier.append(&mut session.received);
                    session.received = earlier;
                }
                session.received.push(raw.to_string());
            }
            bound.key = Some(new_token.to_string());
            bound.client = Some(new_token.to_string());
            reply(envelope(
                "response",
                "SessionResponse",
                200,
                body,
                tracing_id,
            ));
            if is_new {
                state.tell_agent(Heard::GenesysJoined {
                    token: new_token.to_string(),
                });
            }
        }
        "configureAuthenticatedSession" => {
            configure_authenticated(state, deployment, conn_id, tx, bound, &request, raw);
        }
        "echo" => {
            let ttl = state.config().genesys.session_ttl;
            let known = bound.key.as_deref().and_then(|t| {
                let genesys = state.genesys();
                genesys
                    .sessions
                    .get(t)
                    .map(|s| s.last_activity.elapsed() > ttl)
            });
            if known == Some(true) {
                return reply(envelope(
                    "response",
                    "SessionExpiredEvent",
                    200,
                    json!({}),
                    tracing_id,
                ));
            }
            let text = request
                .get("message")
                .and_then(|m| m.get("text"))
                .cloned()
                .unwrap_or(json!("ping"));
            let expires = now_millis() / 1000 + ttl.as_secs();
            let body = json!({
                "text": text,
                "type": "Text",
                "direction": "Inbound",
                "id": message_id(),
                "metadata": { "durationSeconds": ttl.as_secs().to_string(), "expirationDate": expires.to_string() }
            });
            reply(envelope(
                "response",
                "StructuredMessage",
                200,
                body,
                tracing_id,
            ));
        }
        _ => {
            let (Some(current), Some(client)) = (bound.key.clone(), bound.client.as_deref()) else {
                return reply(error_frame(4007, "session not found", tracing_id));
            };
            if request_token.is_some_and(|t| t != client) {
                return reply(error_frame(401, "User is unauthorized", tracing_id));
            }
            on_session_request(
                state, &current, conn_id, action, &request, tracing_id, &reply,
            );
        }
    }
}

/// `configureAuthenticatedSession`: the JWT in `data.code` names the identity whose
/// conversation this connection joins. A connection that held a guest session steps up:
/// the guest's conversation continues under the identity.
fn configure_authenticated(
    state: &AppState,
    deployment: &str,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Outbound>,
    bound: &mut Bound,
    request: &Map<String, Value>,
    raw: &str,
) {
    use super::auth::{identity_key, signed_in, step_up, verify, Refusal};
    let tracing_id = request.get("tracingId").and_then(Value::as_str);
    let reply = |frame: String| {
        let _ = tx.send(Outbound::Text(frame));
    };
    let client = request
        .get("token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty() && t.len() <= 2048);
    let jwt = request
        .get("data")
        .and_then(|d| d.get("code"))
        .and_then(Value::as_str);
    let (Some(client), Some(jwt)) = (client, jwt) else {
        return reply(error_frame(400, "Request failed.", tracing_id));
    };
    if request.get("deploymentId").and_then(Value::as_str) != Some(deployment) {
        return reply(error_frame(400, "Request failed.", tracing_id));
    }
    let identity = match verify(state, jwt) {
        Ok(identity) => identity,
        Err(Refusal::Expired) => return reply(error_frame(401, "JWT expired", tracing_id)),
        Err(Refusal::Unknown) => {
            return reply(error_frame(401, "Authentication failed", tracing_id))
        }
    };
    let key = identity_key(&identity.subject);
    // A guest session of this token, configured on this connection or before.
    let guest = bound
        .key
        .clone()
        .filter(|k| !k.starts_with("auth:"))
        .or_else(|| {
            let genesys = state.genesys();
            (!genesys.authenticated_tokens.contains_key(client)
                && genesys.sessions.contains_key(client))
            .then(|| client.to_string())
        });
    let stepped_up = guest.is_some();
    step_up(state, &key, guest.as_deref(), &identity, conn_id);
    if let Some(old) = bound.key.as_deref().filter(|k| *k != key) {
        if let Some(session) = state.genesys().sessions.get_mut(old) {
            session.connections.retain(|c| c.id != conn_id);
        }
    }
    state
        .genesys()
        .authenticated_tokens
        .insert(client.to_string(), key.clone());
    let conn = Conn {
        id: conn_id,
        tx: tx.clone(),
    };
    let (body, is_new) = state.attach_genesys(&key, deployment, conn);
    signed_in(state, &key, &identity, stepped_up);
    if let Some(session) = state.genesys().sessions.get_mut(&key) {
        session.received.push(raw.to_string());
    }
    bound.key = Some(key.clone());
    bound.client = Some(client.to_string());
    reply(envelope(
        "response",
        "SessionResponse",
        200,
        body,
        tracing_id,
    ));
    if is_new && !stepped_up {
        state.tell_agent(Heard::GenesysJoined { token: key });
    }
}

fn on_session_request(
    state: &AppState,
    token: &str,
    conn_id: u64,
    action: &str,
    request: &Map<String, Value>,
    tracing_id: Option<&str>,
    reply: &dyn Fn(String),
) {
    let ttl = state.config().genesys.session_ttl;
    let expired = state
        .genesys()
        .sessions
        .get(token)
        .is_none_or(|s| !s.read_only && s.last_activity.elapsed() > ttl);
    if expired && action != "closeSession" {
        reply(envelope(
            "response",
            "SessionExpiredEvent",
            200,
            json!({}),
            tracing_id,
        ));
        return;
    }
    match action {
        "getJwt" => {
            let jwt = format!("jwt-{}", uuid::Uuid::new_v4().simple());
            let exp = now_millis() / 1000 + JWT_SECONDS;
            state
                .genesys()
                .jwts
                .insert(jwt.clone(), (token.to_string(), exp));
            reply(envelope(
                "response",
                "JwtResponse",
                200,
                json!({ "jwt": jwt, "exp": exp }),
                tracing_id,
            ));
        }
        "getAttachment" => {
            let id = request
                .get("attachmentId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let genesys = state.genesys();
            match genesys.files.get(id) {
                Some(file) => reply(envelope(
                    "response",
                    "PresignedUrlResponse",
                    200,
                    json!({
                        "attachmentId": id,
                        "headers": {},
                        "url": download_url(&genesys.origin, id, file.lifetime.max(Duration::from_secs(600))),
                        "fileSize": file.bytes.len(),
                        "fileName": file.name,
                        "fileType": file.mime
                    }),
                    tracing_id,
                )),
                None => reply(error_frame(4009, "Attachment not found", tracing_id)),
            }
        }
        "getConfiguration" => reply(envelope(
            "response",
            "GetConfigurationResponse",
            200,
            json!({
                "allowedMedia": allowed_media(),
                "blockedExtensions": BLOCKED_EXTENSIONS,
                "maxCustomDataBytes": MAX_CUSTOM_DATA_BYTES,
                "messageRoutingEnabled": true,
                "sessionDurationSeconds": ttl.as_secs()
            }),
            tracing_id,
        )),
        "onAttachment" => on_attachment(state, token, request, tracing_id, reply),
        "deleteAttachment" => {
            let id = request
                .get("attachmentId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let mut genesys = state.genesys();
            let announced = genesys.uploads.remove(id).is_some();
            if genesys.files.remove(id).is_some() || announced {
                reply(envelope(
                    "message",
                    "AttachmentDeletedResponse",
                    200,
                    json!({ "attachmentId": id }),
                    tracing_id,
                ));
            } else {
                reply(error_frame(4009, "Attachment not found", tracing_id));
            }
        }
        "closeSession" => {
            let mut genesys = state.genesys();
            if let Some(session) = genesys.sessions.get_mut(token) {
                session.read_only = true;
                // The token's other connections are told and let go; the caller goes on.
                let closed = envelope("message", "ConnectionClosedEvent", 200, json!({}), None);
                for conn in session.connections.iter().filter(|c| c.id != conn_id) {
                    let _ = conn.tx.send(Outbound::Text(closed.clone()));
                    let _ = conn.tx.send(Outbound::Close(1000, "session closed".into()));
                }
                session.connections.retain(|c| c.id == conn_id);
            }
            drop(genesys);
            reply(envelope(
                "response",
                "SessionResponse",
                200,
                json!({ "connected": false, "newSession": false, "readOnly": true }),
                tracing_id,
            ));
        }
        "onMessage" => on_message(state, token, request, tracing_id, reply),
        _ => reply(error_frame(400, "Request failed.", tracing_id)),
    }
}
