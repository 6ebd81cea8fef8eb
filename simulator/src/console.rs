//! The agent console: a page where a person answers guests, and the JSON API behind it.

use crate::{
    genesys::RichBody,
    shared::{not_found, AppState, SessionDetail, SessionSummary, AGENT_NAME},
};
use axum::{
    extract::{Path, Query, State},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use guest_chat_protocol::RoutingStatus;
use serde::{Deserialize, Serialize};

const CONSOLE_PAGE: &str = include_str!("console.html");

pub(crate) fn summaries(state: &AppState) -> Vec<SessionSummary> {
    let sessions = state.sessions();
    let mut list: Vec<SessionSummary> = sessions.values().map(summary).collect();
    drop(sessions);
    list.extend(state.genesys_summaries());
    list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    list
}

fn summary(s: &crate::shared::Session) -> SessionSummary {
    SessionSummary {
        id: s.id.clone(),
        protocol: "tutorial",
        guest_name: s.guest_name.clone(),
        guest_email: s.guest_email.clone(),
        verified: false,
        created_at: s.created_at,
        connected: s.connection.is_some(),
        connections_total: s.connections_total,
        routing: s.routing.map(|(status, _)| status),
        ended: s.ended,
        messages: s.transcript.len(),
    }
}

pub(crate) fn detail(state: &AppState, id: &str) -> Option<SessionDetail> {
    let sessions = state.sessions();
    let Some(s) = sessions.get(id) else {
        drop(sessions);
        return state.genesys_detail(id);
    };
    Some(SessionDetail {
        summary: summary(s),
        attributes: s.attributes.clone(),
        transcript: s.transcript.clone(),
    })
}

#[derive(Deserialize)]
pub(crate) struct SayBody {
    pub text: String,
}

#[derive(Deserialize)]
pub(crate) struct TypingBody {
    pub typing: bool,
}

#[derive(Deserialize)]
pub(crate) struct RoutingBody {
    pub status: RoutingStatus,
    #[serde(default)]
    pub position: Option<u32>,
}

fn done(found: Option<impl Serialize>, id: &str) -> Response {
    match found {
        Some(value) => Json(value).into_response(),
        None => not_found(id),
    }
}

pub(crate) async fn say(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<SayBody>,
) -> Response {
    if let Some(sent) = state.genesys_console_say(&id, &body.text) {
        return Json(serde_json::json!({ "id": sent["id"] })).into_response();
    }
    state.take_over(&id);
    let seq = state.agent_message(&id, &body.text, AGENT_NAME);
    done(seq.map(|seq| serde_json::json!({ "seq": seq })), &id)
}

pub(crate) async fn typing(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<TypingBody>,
) -> Response {
    if state.genesys_console_typing(&id, body.typing).is_some() {
        return Json("ok").into_response();
    }
    state.take_over(&id);
    done(state.set_typing(&id, body.typing).map(|_| "ok"), &id)
}

pub(crate) async fn routing(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<RoutingBody>,
) -> Response {
    state.take_over(&id);
    done(
        state
            .set_routing(&id, body.status, body.position)
            .map(|_| "ok"),
        &id,
    )
}

/// Sample rich content into a Genesys conversation (`{kind, text}`).
pub(crate) async fn rich(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<RichBody>,
) -> Response {
    done(state.genesys_console_rich(&id, &body.kind, &body.text), &id)
}

pub(crate) async fn end(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if state.genesys_console_end(&id).is_some() {
        return Json("ok").into_response();
    }
    done(state.end_chat(&id).map(|_| "ok"), &id)
}

pub(crate) async fn list(State(state): State<AppState>) -> Response {
    Json(summaries(&state)).into_response()
}

pub(crate) async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    done(detail(&state, &id), &id)
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/agent", get(|| async { Html(CONSOLE_PAGE) }))
        .route("/agent/api/sessions", get(list))
        .route("/agent/api/sessions/{id}", get(show))
        .route("/agent/api/sessions/{id}/message", post(say))
        .route("/agent/api/sessions/{id}/typing", post(typing))
        .route("/agent/api/sessions/{id}/routing", post(routing))
        .route("/agent/api/sessions/{id}/end", post(end))
        .route("/agent/api/sessions/{id}/rich", post(rich))
}

#[derive(Deserialize)]
struct FindQuery {
    guest_name: Option<String>,
}

/// Sessions, newest first; `?guest_name=` narrows to one test's sessions.
async fn sessions(State(state): State<AppState>, Query(q): Query<FindQuery>) -> Response {
    let mut list = summaries(&state);
    if let Some(name) = q.guest_name {
        list.retain(|s| s.guest_name.as_deref() == Some(name.as_str()));
    }
    Json(list).into_response()
}

/// The control API's view of every session, and the agent's side of it, whichever
/// protocol the session speaks.
pub(crate) fn control_routes() -> Router<AppState> {
    Router::new()
        .route("/control/sessions", get(sessions))
        .route("/control/sessions/{id}", get(show))
        .route("/control/sessions/{id}/agent-message", post(say))
        .route("/control/sessions/{id}/typing", post(typing))
        .route("/control/sessions/{id}/routing", post(routing))
        .route("/control/sessions/{id}/end", post(end))
}
