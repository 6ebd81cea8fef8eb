//! The agent's side and the test controls of Genesys sessions, under
//! `/control/genesys`.

use super::ops::FileBody;
use super::*;

#[derive(Deserialize)]
struct SayBody {
    text: String,
    #[serde(default)]
    nickname: Option<String>,
    #[serde(default)]
    bot: bool,
}

#[derive(Deserialize)]
struct TypingBody {
    #[serde(default)]
    duration_ms: Option<u64>,
}

#[derive(Deserialize)]
struct DeliverBody {
    texts: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct RichBody {
    pub kind: String,
    #[serde(default)]
    pub text: String,
}

#[derive(Deserialize)]
struct SwitchBody {
    enabled: bool,
}

fn found<T: serde::Serialize>(value: Option<T>) -> Response {
    match value {
        Some(value) => Json(value).into_response(),
        None => (StatusCode::NOT_FOUND, "no such session").into_response(),
    }
}

/// The agent's side and the test controls of Genesys sessions, under `/control/genesys`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        // The deployment's Messenger configuration, as an admin changes it: a JSON object
        // laid over what is served (`null` removes a field); `DELETE` goes back to the
        // command line's.
        .route(
            "/control/genesys/deployment-config",
            post(
                |State(state): State<AppState>, Json(settings): Json<Value>| async move {
                    if !settings.is_object() {
                        return (StatusCode::BAD_REQUEST, "a JSON object of settings").into_response();
                    }
                    state.genesys().deployment_settings.push(settings);
                    Json("ok").into_response()
                },
            )
            .delete(|State(state): State<AppState>| async move {
                state.genesys().deployment_settings.clear();
                Json("ok")
            }),
        )
        .route(
            "/control/genesys/sessions",
            get(|State(state): State<AppState>| async move {
                let genesys = state.genesys();
                let mut sessions: Vec<_> = genesys.sessions.iter().collect();
                sessions.sort_by_key(|(_, s)| std::cmp::Reverse(s.serial));
                let list: Vec<Value> = sessions
                    .into_iter()
                    .map(|(token, s)| {
                        json!({
                            "token": token,
                            "deployment": s.deployment,
                            "connections": s.connections.len(),
                            "readOnly": s.read_only,
                            "messages": s.history.len(),
                            "identity": s.identity.as_ref().map(|i| i.subject.clone())
                        })
                    })
                    .collect();
                Json(list)
            }),
        )
        .route(
            "/control/genesys/sessions/{token}",
            get(|State(state): State<AppState>, Path(token): Path<String>| async move {
                let genesys = state.genesys();
                found(genesys.sessions.get(&token).map(|s| {
                    json!({
                        "token": token,
                        "connections": s.connections.len(),
                        "readOnly": s.read_only,
                        "history": s.history,
                        "customAttributes": s.custom_attributes,
                        "identity": s.identity.as_ref().map(|i| json!({ "subject": i.subject, "name": i.name, "email": i.email })),
                        "received": s.received
                    })
                }))
            }),
        )
        .route(
            "/control/genesys/sessions/{token}/agent-message",
            post(|State(state): State<AppState>, Path(token): Path<String>, Json(body): Json<SayBody>| async move {
                state.genesys_take_over(&token);
                let nickname = body.nickname.as_deref().unwrap_or(AGENT_NAME);
                found(state.genesys_agent_message(&token, &body.text, nickname, body.bot))
            }),
        )
        .route(
            "/control/genesys/sessions/{token}/typing",
            post(|State(state): State<AppState>, Path(token): Path<String>, Json(body): Json<TypingBody>| async move {
                state.genesys_take_over(&token);
                found(state.genesys_typing(&token, body.duration_ms.unwrap_or(5000)).map(|_| "ok"))
            }),
        )
        .route(
            "/control/genesys/sessions/{token}/end",
            post(|State(state): State<AppState>, Path(token): Path<String>| async move {
                found(state.genesys_end(&token, AGENT_NAME).map(|_| "ok"))
            }),
        )
        .route(
            "/control/genesys/sessions/{token}/push",
            post(|State(state): State<AppState>, Path(token): Path<String>, raw: String| async move {
                let genesys = state.genesys();
                found(genesys.sessions.get(&token).map(|s| {
                    s.broadcast(&raw);
                    json!({ "sent": s.connections.len() })
                }))
            }),
        )
        .route(
            "/control/genesys/sessions/{token}/burst",
            post(|State(state): State<AppState>, Path(token): Path<String>, Json(body): Json<crate::shared::BurstBody>| async move {
                state.genesys_take_over(&token);
                for i in 0..body.count {
                    let text = format!("{}{i}", body.prefix);
                    if state.genesys_agent_message(&token, &text, AGENT_NAME, false).is_none() {
                        return (StatusCode::NOT_FOUND, "no such session").into_response();
                    }
                }
                Json(json!({ "sent": body.count })).into_response()
            }),
        )
        .route(
            "/control/genesys/sessions/{token}/deliver-reversed",
            post(|State(state): State<AppState>, Path(token): Path<String>, Json(body): Json<DeliverBody>| async move {
                // Timed in order, sent newest first: the service promises no order.
                state.genesys_take_over(&token);
                let start = now_millis();
                let bodies: Vec<Value> = body
                    .texts
                    .iter()
                    .enumerate()
                    .map(|(i, text)| {
                        json!({
                            "text": text, "type": "Text", "direction": "Outbound", "id": message_id(),
                            "channel": { "time": iso_time(start + i as u64), "type": "Private", "from": { "nickname": AGENT_NAME }, "to": {} },
                            "content": [], "originatingEntity": "Human"
                        })
                    })
                    .collect();
                let mut sent = 0;
                for body in bodies.into_iter().rev() {
                    sent += usize::from(state.genesys_push_message(&token, body).is_some());
                }
                Json(json!({ "sent": sent }))
            }),
        )
        .route(
            "/control/genesys/sessions/{token}/drop",
            post(|State(state): State<AppState>, Path(token): Path<String>| async move {
                let mut genesys = state.genesys();
                found(genesys.sessions.get_mut(&token).map(|s| {
                    for conn in s.connections.drain(..) {
                        let _ = conn.tx.send(Outbound::Drop);
                    }
                    "ok"
                }))
            }),
        )
        .route(
            "/control/genesys/sessions/{token}/expire",
            post(|State(state): State<AppState>, Path(token): Path<String>| async move {
                let ttl = state.config().genesys.session_ttl;
                let mut genesys = state.genesys();
                found(genesys.sessions.get_mut(&token).map(|s| {
                    s.last_activity = Instant::now()
                        .checked_sub(ttl + Duration::from_secs(1))
                        .unwrap_or_else(Instant::now);
                    "ok"
                }))
            }),
        )
        .route(
            "/control/genesys/sessions/{token}/rich",
            post(|State(state): State<AppState>, Path(token): Path<String>, Json(body): Json<RichBody>| async move {
                found(state.genesys_console_rich(&token, &body.kind, &body.text))
            }),
        )
        .route(
            "/control/genesys/sessions/{token}/file",
            post(|State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap, Json(body): Json<FileBody>| async move {
                state.genesys_take_over(&token);
                let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
                found(state.genesys_send_file(&token, &format!("http://{host}"), body))
            }),
        )
        .route(
            "/control/genesys/guest-typing",
            post(|State(state): State<AppState>, Json(body): Json<SwitchBody>| async move {
                state.genesys().guest_typing_off = !body.enabled;
                Json(json!({ "enabled": body.enabled }))
            }),
        )
        .route(
            "/control/genesys/uploads",
            post(|State(state): State<AppState>, Json(body): Json<SwitchBody>| async move {
                state.genesys().refuse_uploads = !body.enabled;
                Json(json!({ "enabled": body.enabled }))
            }),
        )
        // Signed-in visitors: refusals and the JWTs' lifetime (`AuthSwitches`, every field
        // optional, all off by default), and every JWT ended at once.
        .route(
            "/control/genesys/auth",
            get(|State(state): State<AppState>| async move { Json(state.genesys().auth_switches) })
                .post(|State(state): State<AppState>, Json(switches): Json<crate::shared::AuthSwitches>| async move {
                    state.genesys().auth_switches = switches;
                    Json(switches)
                }),
        )
        .route(
            "/control/genesys/auth/expire",
            post(|State(state): State<AppState>| async move {
                let now = now_millis() / 1000;
                let mut genesys = state.genesys();
                for jwt in genesys.signed_in_jwts.values_mut() {
                    jwt.exp = jwt.exp.min(now);
                }
                Json(json!({ "expired": genesys.signed_in_jwts.len() }))
            }),
        )
        .route(
            "/control/genesys/rate-limit",
            post(|State(state): State<AppState>, Json(body): Json<SwitchBody>| async move {
                state.genesys().rate_limit_off = !body.enabled;
                Json(json!({ "enabled": body.enabled }))
            }),
        )
}
