//! The tutorial protocol's part of the test-control API (`--control`): faults and
//! inspection for the widget's tests.

use crate::shared::{error_response, not_found, AppState, BurstBody, Outbound, AGENT_NAME};
use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use std::{sync::atomic::Ordering, time::Duration};

#[derive(Deserialize)]
struct PushQuery {
    #[serde(default)]
    binary: bool,
}

/// Sends the request body to the guest exactly as given, valid JSON or not.
async fn push(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PushQuery>,
    body: Bytes,
) -> Response {
    let out = if q.binary {
        Outbound::Binary(body.to_vec())
    } else {
        match String::from_utf8(body.to_vec()) {
            Ok(text) => Outbound::Text(text),
            Err(_) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    "text frames must be UTF-8",
                )
            }
        }
    };
    match state.push(&id, out) {
        Some(sent) => Json(serde_json::json!({ "sent": sent })).into_response(),
        None => not_found(&id),
    }
}

#[derive(Deserialize)]
struct DropBody {
    /// Close code; without one the connection is cut with no close frame.
    code: Option<u16>,
    #[serde(default)]
    reason: String,
}

async fn drop_connection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let body: DropBody = if body.is_empty() {
        DropBody {
            code: None,
            reason: String::new(),
        }
    } else {
        match serde_json::from_slice(&body) {
            Ok(b) => b,
            Err(err) => {
                return error_response(StatusCode::BAD_REQUEST, "bad_request", err.to_string())
            }
        }
    };
    let out = match body.code {
        Some(code) => Outbound::Close(code, body.reason),
        None => Outbound::Drop,
    };
    match state.push(&id, out) {
        Some(sent) => Json(serde_json::json!({ "dropped": sent })).into_response(),
        None => not_found(&id),
    }
}

#[derive(Deserialize)]
struct FailBody {
    count: u32,
    status: u16,
    body: Option<String>,
    retry_after: Option<u64>,
}

async fn fail_sessions(State(state): State<AppState>, Json(body): Json<FailBody>) -> Response {
    if StatusCode::from_u16(body.status).is_err() {
        return error_response(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "status must be an HTTP status",
        );
    }
    let mut plan = state.fail_plan();
    plan.remaining = body.count;
    plan.status = body.status;
    plan.body = body.body;
    plan.retry_after = body.retry_after;
    Json(serde_json::json!({ "planned": body.count })).into_response()
}

#[derive(Deserialize)]
struct DelayBody {
    ms: u64,
}

/// Every later session creation waits this long before answering.
async fn delay_sessions(State(state): State<AppState>, Json(body): Json<DelayBody>) -> Response {
    state.fail_plan().delay_ms = body.ms;
    Json(serde_json::json!({ "delay_ms": body.ms })).into_response()
}

async fn delay(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<DelayBody>,
) -> Response {
    let handle = state.sessions().get(&id).map(|s| s.delay.clone());
    match handle {
        Some(h) => {
            h.store(body.ms, Ordering::Relaxed);
            Json(serde_json::json!({ "delay_ms": body.ms })).into_response()
        }
        None => not_found(&id),
    }
}

async fn received(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let frames = state.sessions().get(&id).map(|s| s.received.clone());
    match frames {
        Some(frames) => Json(frames).into_response(),
        None => not_found(&id),
    }
}

#[derive(Deserialize)]
struct ExpireBody {
    #[serde(default)]
    after_ms: u64,
}

async fn expire(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<ExpireBody>,
) -> Response {
    match state.expire_in(&id, Duration::from_millis(body.after_ms)) {
        Some(()) => Json("ok").into_response(),
        None => not_found(&id),
    }
}

#[derive(Deserialize)]
struct RefuseBody {
    count: u32,
}

async fn refuse_upgrades(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<RefuseBody>,
) -> Response {
    match state.sessions().get_mut(&id) {
        Some(session) => {
            session.refuse_upgrades = body.count;
            Json(serde_json::json!({ "refusing": body.count })).into_response()
        }
        None => not_found(&id),
    }
}

/// `count` agent messages (`{prefix}0`, `{prefix}1`, …), numbered and sent back to back,
/// for benchmarks of how the widget takes a burst.
async fn burst(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<BurstBody>,
) -> Response {
    for i in 0..body.count {
        if state
            .agent_message(&id, &format!("{}{i}", body.prefix), AGENT_NAME)
            .is_none()
        {
            return not_found(&id);
        }
    }
    Json(serde_json::json!({ "sent": body.count })).into_response()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/control/sessions/{id}/push", post(push))
        .route("/control/sessions/{id}/drop", post(drop_connection))
        .route("/control/sessions/{id}/delay", post(delay))
        .route("/control/sessions/{id}/received", get(received))
        .route("/control/sessions/{id}/expire", post(expire))
        .route(
            "/control/sessions/{id}/refuse-upgrades",
            post(refuse_upgrades),
        )
        .route("/control/sessions/{id}/burst", post(burst))
        .route("/control/fail-sessions", post(fail_sessions))
        .route("/control/delay-sessions", post(delay_sessions))
}
