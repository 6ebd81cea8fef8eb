//! Genesys Cloud Web Messaging's guest API, copied from what the public sources say of
//! it (docs/protocol-genesys.md): the socket `/v1?deploymentId=…` with its JSON requests
//! and `class`-named answers, the history endpoint behind a JWT, and the deployment's
//! `config.json`. Where the sources are silent, the choice is marked in that document.

mod auth;
mod control;
mod files;
mod messages;
mod oauth;
mod ops;
mod rest;
mod socket;

pub(crate) use control::{routes as control_routes, RichBody};
pub(crate) use ops::sample_quick_replies;

/// The guest's side: the socket, the history, files and the deployment's configuration.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1", get(socket::socket))
        .route(
            "/oauth/authorize",
            get(oauth::authorize).post(oauth::sign_in),
        )
        .route("/oauth/token", post(oauth::token))
        .route(
            "/api/v2/webdeployments/token/oauthcodegrantjwtexchange",
            post(auth::exchange),
        )
        .route("/api/v2/webdeployments/token/refresh", post(auth::refresh))
        .route(
            "/api/v2/webdeployments/token/revoke",
            axum::routing::delete(auth::revoke),
        )
        .route("/api/v2/webmessaging/messages", get(rest::history))
        .route("/downloads/{id}", get(files::download))
        .route(
            "/uploads/{id}",
            axum::routing::put(files::upload).layer(axum::extract::DefaultBodyLimit::max(
                MAX_UPLOAD_BYTES + 1024,
            )),
        )
        .route(
            "/webdeployments/v1/deployments/{id}/config.json",
            get(rest::deployment_config),
        )
}

use crate::shared::{
    now_millis, AppState, Conn, ExpectedUpload, GenesysState, GuestSession, Heard, Outbound,
    StoredFile, AGENT_NAME,
};
use axum::{
    extract::{
        ws::{Message, WebSocket, WebSocketUpgrade},
        Path, Query, State,
    },
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};
use tokio::sync::mpsc;

/// Connections one session token may hold at once.
pub const CONNECTIONS_PER_TOKEN: usize = 3;
/// Guest messages allowed per second and session.
pub const MESSAGES_PER_SECOND: usize = 2;
/// Bytes of custom attributes a session accepts (keys and values, UTF-8).
pub const MAX_CUSTOM_DATA_BYTES: usize = 2048;
/// The longest guest text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// File extensions a guest may not upload.
const BLOCKED_EXTENSIONS: [&str; 3] = [".ade", ".bat", ".exe"];

/// The file types the deployment takes from guests: MIME types, or `family/*`.
const ALLOWED_FILE_TYPES: [&str; 2] = ["image/*", "application/pdf"];
/// The largest upload, in KB as `allowedMedia` says it.
const MAX_UPLOAD_KB: usize = 10240;

/// What a guest may upload, as `SessionResponse` and `GetConfigurationResponse` say it.
fn allowed_media() -> Value {
    let types: Vec<Value> = ALLOWED_FILE_TYPES
        .iter()
        .map(|t| json!({ "type": t }))
        .collect();
    json!({ "inbound": { "fileTypes": types, "maxFileSizeKB": MAX_UPLOAD_KB } })
}

/// Whether `mime` is among the deployment's file types.
fn type_allowed(mime: &str) -> bool {
    ALLOWED_FILE_TYPES
        .iter()
        .any(|allowed| match allowed.strip_suffix("/*") {
            Some(family) => mime.split_once('/').is_some_and(|(f, _)| f == family),
            None => *allowed == mime,
        })
}

/// The largest upload taken, as `allowedMedia` says it.
pub const MAX_UPLOAD_BYTES: usize = MAX_UPLOAD_KB * 1024;
/// The longest file name taken.
const MAX_FILE_NAME_CHARS: usize = 255;
/// What every upload to the simulator's storage must carry, as S3 checks a presigned
/// request's signed headers.
const UPLOAD_TAGGING: &str =
    "organizationId=gen-local-simulator&originPlatform=PureCloud&role=guest";

/// A download address that works until `lifetime` from now.
fn download_url(origin: &str, id: &str, lifetime: Duration) -> String {
    let exp = now_millis() + lifetime.as_millis() as u64;
    format!("{origin}/downloads/{id}?exp={exp}")
}

/// Lifetime of a JWT from `getJwt`.
const JWT_SECONDS: u64 = 3600;

/// The token of an `Authorization: Bearer …` header.
fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string())
}

/// `2024-02-09T22:39:50.526Z`, the form `channel.time` takes.
pub fn iso_time(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        ms % 1000
    )
}

/// A platform message id: 32 lower-case hex characters.
fn message_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn envelope(kind: &str, class: &str, code: u16, body: Value, tracing_id: Option<&str>) -> String {
    let mut frame = json!({ "type": kind, "class": class, "code": code, "body": body });
    if let Some(id) = tracing_id {
        frame["tracingId"] = json!(id);
    }
    frame.to_string()
}

/// An error answer: `class: "string"` with the text as body.
fn error_frame(code: u16, text: &str, tracing_id: Option<&str>) -> String {
    envelope("response", "string", code, json!(text), tracing_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_8601_utc_with_milliseconds() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_time(1_707_518_390_526), "2024-02-09T22:39:50.526Z");
        assert_eq!(iso_time(951_782_400_007), "2000-02-29T00:00:00.007Z");
        assert_eq!(iso_time(4_102_444_799_999), "2099-12-31T23:59:59.999Z");
    }

    #[test]
    fn message_ids_are_32_hex_characters() {
        let id = message_id();
        assert_eq!(id.len(), 32);
        assert!(id
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }
}
