//! The REST side of the tutorial's Guest API: creating a guest session, directly or
//! through a site's backend, and the failures the control API plans for it.

use crate::shared::{error_response, AppState, NewSession};
use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use guest_chat_protocol::{CreateSessionRequest, CreateSessionResponse, ORGANIZATION_HEADER};
use std::time::Duration;

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
