//! Genesys Cloud Web Messaging's guest API, copied from what the public sources say of
//! it (docs/protocol-genesys.md): the socket `/v1?deploymentId=…` with its JSON requests
//! and `class`-named answers, the history endpoint behind a JWT, and the deployment's
//! `config.json`. Where the sources are silent, the choice is marked in that document.

use crate::{state::Outbound, AppState};
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
    collections::{BTreeMap, HashMap, VecDeque},
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::sync::mpsc;

/// A deployment id that the simulator knows unless told otherwise.
pub const DEFAULT_DEPLOYMENT: &str = "5b1f0ef4-4c1a-4c0e-9d37-000000000001";
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

/// A file served at `/downloads/{id}` while the address's `exp` lies ahead.
pub(crate) struct StoredFile {
    name: String,
    mime: String,
    bytes: Vec<u8>,
    lifetime: Duration,
}

/// The largest upload taken, as `allowedMedia` says it.
pub const MAX_UPLOAD_BYTES: usize = MAX_UPLOAD_KB * 1024;
/// The longest file name taken.
const MAX_FILE_NAME_CHARS: usize = 255;
/// What every upload to the simulator's storage must carry, as S3 checks a presigned
/// request's signed headers.
const UPLOAD_TAGGING: &str =
    "organizationId=gen-local-simulator&originPlatform=PureCloud&role=guest";

/// A file a guest announced with `onAttachment`, waiting for its `PUT`.
struct ExpectedUpload {
    token: String,
    name: String,
    mime: String,
    size: usize,
}

/// A download address that works until `lifetime` from now.
fn download_url(origin: &str, id: &str, lifetime: Duration) -> String {
    let exp = epoch_ms() + lifetime.as_millis() as u64;
    format!("{origin}/downloads/{id}?exp={exp}")
}

/// Lifetime of a JWT from `getJwt`.
const JWT_SECONDS: u64 = 3600;

/// The settings of the Genesys side.
#[derive(Debug, Clone)]
pub struct GenesysConfig {
    pub deployments: Vec<String>,
    /// A guest session ends this long after its last activity.
    pub session_ttl: Duration,
}

impl Default for GenesysConfig {
    fn default() -> Self {
        GenesysConfig {
            deployments: vec![DEFAULT_DEPLOYMENT.into()],
            session_ttl: Duration::from_secs(900),
        }
    }
}

struct Conn {
    id: u64,
    tx: mpsc::UnboundedSender<Outbound>,
}

/// One guest session, found by the token the client made up.
struct GuestSession {
    deployment: String,
    connections: Vec<Conn>,
    last_activity: Instant,
    read_only: bool,
    /// Every message and event of the conversation, oldest first, as history shows it.
    history: Vec<Value>,
    custom_attributes: BTreeMap<String, String>,
    /// Send times of the last guest messages, for the rate limit.
    recent_sends: VecDeque<Instant>,
    /// Raw text of every request, for tests.
    received: Vec<String>,
    /// A person acts through the control API: the scripted agent keeps quiet.
    taken_over: bool,
    /// Milliseconds since the Unix epoch.
    created_at: u64,
    /// Sessions are listed newest first by this: milliseconds can tie.
    serial: u64,
}

impl GuestSession {
    fn new(deployment: &str, serial: u64) -> Self {
        GuestSession {
            deployment: deployment.into(),
            connections: Vec::new(),
            last_activity: Instant::now(),
            read_only: false,
            history: Vec::new(),
            custom_attributes: BTreeMap::new(),
            recent_sends: VecDeque::new(),
            received: Vec::new(),
            taken_over: false,
            created_at: epoch_ms(),
            serial,
        }
    }

    /// Sends `frame` to every connection of the session.
    fn broadcast(&self, frame: &str) {
        for conn in &self.connections {
            let _ = conn.tx.send(Outbound::Text(frame.to_string()));
        }
    }
}

#[derive(Default)]
pub(crate) struct GenesysState {
    sessions: HashMap<String, GuestSession>,
    sessions_made: u64,
    /// JWT → (session token, expiry in epoch seconds).
    jwts: HashMap<String, (String, u64)>,
    rate_limit_off: bool,
    /// The deployment refuses the guest's typing events (403), as when it is turned off.
    guest_typing_off: bool,
    /// Files agents sent and guests uploaded: id → (name, mime, bytes, the address's
    /// lifetime).
    files: HashMap<String, StoredFile>,
    /// Uploads announced and not yet made, by attachment id.
    uploads: HashMap<String, ExpectedUpload>,
    /// Every upload is refused after it arrives (`UploadFailureEvent`), as a content
    /// scan that finds something would.
    refuse_uploads: bool,
    /// Where this server is reached, for download addresses (from the last request).
    origin: String,
    next_connection: AtomicU64,
}

fn epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
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

impl AppState {
    fn genesys(&self) -> std::sync::MutexGuard<'_, GenesysState> {
        self.genesys_state()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// An agent's or bot's message, kept in history and pushed to every connection.
    pub(crate) fn genesys_agent_message(
        &self,
        token: &str,
        text: &str,
        nickname: &str,
        bot: bool,
    ) -> Option<Value> {
        let body = json!({
            "text": text,
            "type": "Text",
            "direction": "Outbound",
            "id": message_id(),
            "channel": {
                "time": iso_time(epoch_ms()),
                "type": "Private",
                "from": { "nickname": nickname },
                "to": {}
            },
            "content": [],
            "originatingEntity": if bot { "Bot" } else { "Human" },
            "metadata": { "correlationId": uuid::Uuid::new_v4().to_string() }
        });
        self.genesys_push_message(token, body)
    }

    /// A bot's `Structured` message with `content` (quick replies, a card, a carousel).
    pub(crate) fn genesys_rich_message(
        &self,
        token: &str,
        text: &str,
        content: Value,
    ) -> Option<Value> {
        let body = json!({
            "text": text,
            "type": "Structured",
            "direction": "Outbound",
            "id": message_id(),
            "channel": {
                "time": iso_time(epoch_ms()),
                "type": "Private",
                "from": { "nickname": crate::agent::AGENT_NAME },
                "to": {}
            },
            "content": content,
            "originatingEntity": "Bot",
            "metadata": { "correlationId": uuid::Uuid::new_v4().to_string() }
        });
        self.genesys_push_message(token, body)
    }

    /// Keeps `body` in the session's history and pushes it as a `StructuredMessage`.
    fn genesys_push_message(&self, token: &str, body: Value) -> Option<Value> {
        let mut state = self.genesys();
        let session = state.sessions.get_mut(token)?;
        session.history.push(body.clone());
        session.last_activity = Instant::now();
        session.broadcast(&envelope(
            "message",
            "StructuredMessage",
            200,
            body.clone(),
            None,
        ));
        Some(body)
    }

    /// The agent types: an Outbound Typing event of `duration_ms`.
    pub(crate) fn genesys_typing(&self, token: &str, duration_ms: u64) -> Option<()> {
        let body = json!({
            "type": "Event",
            "direction": "Outbound",
            "id": message_id(),
            "channel": { "time": iso_time(epoch_ms()), "messageId": uuid::Uuid::new_v4().to_string() },
            "events": [{ "eventType": "Typing", "typing": { "type": "On", "duration": duration_ms } }],
            "metadata": { "correlationId": uuid::Uuid::new_v4().to_string() }
        });
        let state = self.genesys();
        let session = state.sessions.get(token)?;
        session.broadcast(&envelope("message", "StructuredMessage", 200, body, None));
        Some(())
    }

    /// The agent ends the conversation; the session becomes read-only.
    pub(crate) fn genesys_end(&self, token: &str, nickname: &str) -> Option<()> {
        let body = json!({
            "type": "Event",
            "direction": "Outbound",
            "id": message_id(),
            "channel": { "time": iso_time(epoch_ms()), "type": "Private", "from": { "nickname": nickname }, "to": {} },
            "events": [{ "eventType": "Presence", "presence": { "type": "Disconnect" } }],
            "metadata": { "readOnly": "true" },
            "originatingEntity": "Human"
        });
        self.genesys_push_message(token, body)?;
        self.genesys().sessions.get_mut(token)?.read_only = true;
        Some(())
    }

    fn attach_genesys(&self, token: &str, deployment: &str, conn: Conn) -> (Value, bool) {
        let ttl = self.config().genesys.session_ttl;
        let mut state = self.genesys();
        let expired = state
            .sessions
            .get(token)
            .is_some_and(|s| !s.read_only && s.last_activity.elapsed() > ttl);
        let known = state.sessions.contains_key(token) && !expired;
        if !known {
            state.sessions_made += 1;
            let serial = state.sessions_made;
            state
                .sessions
                .insert(token.to_string(), GuestSession::new(deployment, serial));
        }
        let session = state.sessions.get_mut(token).expect("inserted above");
        session.last_activity = Instant::now();
        if session.connections.len() >= CONNECTIONS_PER_TOKEN {
            // Over the limit the oldest connection is told and let go.
            let oldest = session.connections.remove(0);
            let closed = envelope("message", "ConnectionClosedEvent", 200, json!({}), None);
            let _ = oldest.tx.send(Outbound::Text(closed));
            let _ = oldest
                .tx
                .send(Outbound::Close(1000, "session limit reached".into()));
        }
        if !session.connections.iter().any(|c| c.id == conn.id) {
            session.connections.push(conn);
        }
        let expires = epoch_ms() / 1000 + ttl.as_secs();
        (
            json!({
                "connected": true,
                "newSession": !known,
                "readOnly": session.read_only,
                "maxCustomDataBytes": MAX_CUSTOM_DATA_BYTES,
                "allowedMedia": allowed_media(),
                "blockedExtensions": BLOCKED_EXTENSIONS,
                "clearedExistingSession": false,
                "durationSeconds": ttl.as_secs(),
                "expirationDate": expires
            }),
            !known,
        )
    }
}

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
    let writer = tokio::spawn(crate::state::write_outbound(rx, sink, None));
    let mut token: Option<String> = None;
    while let Some(Ok(message)) = stream.next().await {
        match message {
            Message::Text(text) => {
                handle(&state, &deployment, conn_id, &tx, &mut token, text.as_str());
            }
            Message::Close(_) => break,
            _ => {}
        }
        if writer.is_finished() {
            break;
        }
    }
    writer.abort();
    if let Some(token) = token {
        if let Some(session) = state.genesys().sessions.get_mut(&token) {
            session.connections.retain(|c| c.id != conn_id);
        }
    }
}

fn handle(
    state: &AppState,
    deployment: &str,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Outbound>,
    token: &mut Option<String>,
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
    if action != "configureSession" {
        if let Some(t) = request_token.or(token.as_deref()) {
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
            *token = Some(new_token.to_string());
            reply(envelope(
                "response",
                "SessionResponse",
                200,
                body,
                tracing_id,
            ));
            if is_new {
                crate::agent::genesys_greet(state.clone(), new_token.to_string());
            }
        }
        "echo" => {
            let ttl = state.config().genesys.session_ttl;
            let known = token.as_deref().and_then(|t| {
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
            let expires = epoch_ms() / 1000 + ttl.as_secs();
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
            let Some(current) = token.clone() else {
                return reply(error_frame(4007, "session not found", tracing_id));
            };
            if request_token.is_some_and(|t| t != current) {
                return reply(error_frame(401, "User is unauthorized", tracing_id));
            }
            on_session_request(
                state, &current, conn_id, action, &request, tracing_id, &reply,
            );
        }
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
            let exp = epoch_ms() / 1000 + JWT_SECONDS;
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

/// `onAttachment`: the file is checked against the deployment's rules, then given an
/// address to upload to, with the headers the upload must carry.
fn on_attachment(
    state: &AppState,
    token: &str,
    request: &Map<String, Value>,
    tracing_id: Option<&str>,
    reply: &dyn Fn(String),
) {
    let text = |key: &str| request.get(key).and_then(Value::as_str).unwrap_or_default();
    let id = match text("attachmentId") {
        "" => uuid::Uuid::new_v4().to_string(),
        given => given.to_string(),
    };
    let name = text("fileName");
    let mime = text("fileType").to_ascii_lowercase();
    let size = request.get("fileSize").and_then(Value::as_u64).unwrap_or(0) as usize;
    let lower = name.to_ascii_lowercase();
    let refusal =
        if BLOCKED_EXTENSIONS.iter().any(|ext| lower.ends_with(ext)) || !type_allowed(&mime) {
            Some((4001, "File type is not allowed"))
        } else if size == 0 || size > MAX_UPLOAD_BYTES {
            Some((4002, "File size is not allowed"))
        } else if name.trim().is_empty() {
            Some((4004, "File name is invalid"))
        } else if name.chars().count() > MAX_FILE_NAME_CHARS {
            Some((4005, "File name is too long"))
        } else {
            None
        };
    if let Some((code, words)) = refusal {
        return reply(envelope(
            "message",
            "GenerateUrlError",
            200,
            json!({ "attachmentId": id, "errorCode": code, "errorMessage": words }),
            tracing_id,
        ));
    }
    let mut genesys = state.genesys();
    let url = format!("{}/uploads/{id}", genesys.origin);
    genesys.uploads.insert(
        id.clone(),
        ExpectedUpload {
            token: token.to_string(),
            name: name.to_string(),
            mime: mime.clone(),
            size,
        },
    );
    drop(genesys);
    reply(envelope(
        "response",
        "PresignedUrlResponse",
        200,
        json!({
            "attachmentId": id,
            "headers": { "x-amz-tagging": UPLOAD_TAGGING },
            "url": url,
            "fileName": name,
            "fileSize": size,
            "fileType": mime
        }),
        tracing_id,
    ));
}

/// `PUT /uploads/{id}`: the storage behind an upload address. It takes the bytes only
/// with the announced type and size and every header the address named (403 or 400
/// otherwise, and the service hears nothing); then the service tells the guest's
/// connections whether the file is kept.
pub(crate) async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut genesys = state.genesys();
    let Some(expected) = genesys.uploads.get(&id) else {
        return (
            StatusCode::FORBIDDEN,
            "no upload was announced at this address",
        )
            .into_response();
    };
    let header_text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if header_text("x-amz-tagging") != UPLOAD_TAGGING {
        return (
            StatusCode::FORBIDDEN,
            "the signed header x-amz-tagging is missing or wrong",
        )
            .into_response();
    }
    if !header_text("content-type").eq_ignore_ascii_case(&expected.mime) {
        return (
            StatusCode::FORBIDDEN,
            "Content-Type differs from the announced fileType",
        )
            .into_response();
    }
    if body.len() != expected.size {
        return (
            StatusCode::BAD_REQUEST,
            "the body's size differs from the announced fileSize",
        )
            .into_response();
    }
    let Some(expected) = genesys.uploads.remove(&id) else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let frame = if genesys.refuse_uploads {
        envelope(
            "message",
            "UploadFailureEvent",
            200,
            json!({ "attachmentId": id, "errorCode": 4003, "errorMessage": "File content is invalid", "timestamp": iso_time(epoch_ms()) }),
            None,
        )
    } else {
        let lifetime = Duration::from_secs(600);
        let url = download_url(&genesys.origin, &id, lifetime);
        genesys.files.insert(
            id.clone(),
            StoredFile {
                name: expected.name,
                mime: expected.mime,
                bytes: body.to_vec(),
                lifetime,
            },
        );
        envelope(
            "message",
            "UploadSuccessEvent",
            200,
            json!({ "attachmentId": id, "downloadUrl": url, "timestamp": iso_time(epoch_ms()) }),
            None,
        )
    };
    if let Some(session) = genesys.sessions.get(&expected.token) {
        session.broadcast(&frame);
    }
    StatusCode::OK.into_response()
}

/// The message's `Attachment` items, each completed from the stored file as the
/// service echoes them; `Err` with the first id it does not hold.
fn complete_attachments(genesys: &GenesysState, content: &Value) -> Result<Value, String> {
    let Some(items) = content.as_array() else {
        return Ok(content.clone());
    };
    let mut completed = vec![];
    for item in items {
        let id = item.pointer("/attachment/id").and_then(Value::as_str);
        match (item.get("contentType").and_then(Value::as_str), id) {
            (Some("Attachment"), Some(id)) => {
                let Some(file) = genesys.files.get(id) else {
                    return Err(id.to_string());
                };
                let media_type = if file.mime.starts_with("image/") {
                    "Image"
                } else {
                    "File"
                };
                completed.push(json!({ "contentType": "Attachment", "attachment": {
                    "id": id, "filename": file.name, "mediaType": media_type, "mime": file.mime,
                    "fileSize": file.bytes.len(),
                    "url": download_url(&genesys.origin, id, file.lifetime)
                } }));
            }
            _ => completed.push(item.clone()),
        }
    }
    Ok(Value::Array(completed))
}

fn custom_attributes(request: &Map<String, Value>) -> Option<&Map<String, Value>> {
    let message = request.get("message")?;
    message
        .get("channel")
        .or_else(|| request.get("channel"))?
        .get("metadata")?
        .get("customAttributes")?
        .as_object()
}

fn on_message(
    state: &AppState,
    token: &str,
    request: &Map<String, Value>,
    tracing_id: Option<&str>,
    reply: &dyn Fn(String),
) {
    let Some(message) = request.get("message").and_then(Value::as_object) else {
        return reply(error_frame(400, "Request failed.", tracing_id));
    };
    let kind = message.get("type").and_then(Value::as_str).unwrap_or("");
    if kind == "Event" {
        return on_event(state, token, message, tracing_id, reply);
    }
    let text = message.get("text").and_then(Value::as_str).unwrap_or("");
    let mut genesys = state.genesys();
    let rate_limit_off = genesys.rate_limit_off;
    let Some(session) = genesys.sessions.get_mut(token) else {
        return reply(error_frame(4007, "session not found", tracing_id));
    };
    if session.read_only {
        return reply(error_frame(
            409,
            "Session is read-only, no new messages allowed",
            tracing_id,
        ));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return reply(error_frame(4011, "message too long", tracing_id));
    }
    let now = Instant::now();
    while session
        .recent_sends
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        session.recent_sends.pop_front();
    }
    if !rate_limit_off && session.recent_sends.len() >= MESSAGES_PER_SECOND {
        return reply(envelope(
            "response",
            "TooManyRequestsErrorMessage",
            429,
            json!({ "retryAfter": 1, "errorCode": 4029, "errorMessage": "Message rate too high for this session" }),
            tracing_id,
        ));
    }
    if let Some(attributes) = custom_attributes(request) {
        let bytes: usize = attributes
            .iter()
            .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
            .sum();
        if bytes > MAX_CUSTOM_DATA_BYTES {
            return reply(error_frame(
                4013,
                &format!("Custom Attributes in channel metadata is larger than {MAX_CUSTOM_DATA_BYTES} bytes"),
                tracing_id,
            ));
        }
        for (k, v) in attributes {
            if let Some(v) = v.as_str() {
                session.custom_attributes.insert(k.clone(), v.to_string());
            }
        }
    }
    session.recent_sends.push_back(now);
    session.last_activity = now;
    let mut body = json!({
        "text": text,
        "direction": "Inbound",
        "id": message_id(),
        "channel": { "time": iso_time(epoch_ms()), "messageId": uuid::Uuid::new_v4().to_string() },
        "type": message.get("type").cloned().unwrap_or(json!("Text")),
        "originatingEntity": ""
    });
    // What the client put in `metadata` comes back, as older clients expect.
    if let Some(metadata) = message.get("metadata") {
        body["metadata"] = metadata.clone();
    }
    if let Some(content) = message.get("content") {
        let content = content.clone();
        match complete_attachments(&genesys, &content) {
            Ok(content) => body["content"] = content,
            Err(_) => return reply(error_frame(4009, "Attachment not found", tracing_id)),
        }
    }
    let Some(session) = genesys.sessions.get_mut(token) else {
        return reply(error_frame(4007, "session not found", tracing_id));
    };
    session.history.push(body.clone());
    session.broadcast(&envelope(
        "message",
        "StructuredMessage",
        200,
        body,
        tracing_id,
    ));
    let answer = !session.taken_over;
    drop(genesys);
    if answer {
        crate::agent::genesys_answer(state.clone(), token.to_string(), text.to_string());
    }
}

fn on_event(
    state: &AppState,
    token: &str,
    message: &Map<String, Value>,
    tracing_id: Option<&str>,
    reply: &dyn Fn(String),
) {
    let event = message
        .get("events")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
        .cloned()
        .unwrap_or(Value::Null);
    let presence = event.pointer("/presence/type").and_then(Value::as_str);
    match (event.get("eventType").and_then(Value::as_str), presence) {
        // Guest typing is accepted and goes nowhere the guest would see.
        (Some("Typing"), _) => {
            if state.genesys().guest_typing_off {
                reply(error_frame(
                    403,
                    "Turn on the Feature Toggle or fix the configuration.",
                    tracing_id,
                ));
            }
        }
        (Some("Presence"), Some("Join")) => {
            let body = json!({
                "type": "Event",
                "direction": "Inbound",
                "id": message_id(),
                "channel": { "time": iso_time(epoch_ms()), "messageId": uuid::Uuid::new_v4().to_string() },
                "events": [{ "eventType": "Presence", "presence": { "type": "Join" } }]
            });
            if let Some(session) = state.genesys().sessions.get(token) {
                session.broadcast(&envelope(
                    "message",
                    "StructuredMessage",
                    200,
                    body,
                    tracing_id,
                ));
            }
        }
        (Some("Presence"), Some("Clear")) => {
            let removed = state.genesys().sessions.remove(token);
            if let Some(session) = removed {
                session.broadcast(&envelope(
                    "message",
                    "SessionClearedEvent",
                    200,
                    json!({}),
                    None,
                ));
                session.broadcast(&envelope(
                    "message",
                    "ConnectionClosedEvent",
                    200,
                    json!({}),
                    None,
                ));
            }
        }
        _ => reply(error_frame(400, "Request failed.", tracing_id)),
    }
}

#[derive(Deserialize)]
pub(crate) struct HistoryQuery {
    #[serde(rename = "pageSize")]
    page_size: Option<usize>,
    #[serde(rename = "pageNumber")]
    page_number: Option<usize>,
}

/// `GET /api/v2/webmessaging/messages`: the session's messages, newest first, in pages.
pub(crate) async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HistoryQuery>,
) -> Response {
    let jwt = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, jwt)| jwt.trim().to_string());
    let genesys = state.genesys();
    let now = epoch_ms() / 1000;
    let Some(token) = jwt
        .and_then(|jwt| genesys.jwts.get(&jwt).cloned())
        .filter(|(_, exp)| *exp > now)
        .map(|(token, _)| token)
    else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "status": 401, "code": "bad.credentials", "message": "Invalid login credentials." })),
        )
            .into_response();
    };
    let entities: Vec<Value> = genesys
        .sessions
        .get(&token)
        .map(|s| s.history.iter().rev().cloned().collect())
        .unwrap_or_default();
    let size = query.page_size.unwrap_or(25).clamp(1, 100);
    let number = query.page_number.unwrap_or(1).max(1);
    let total = entities.len();
    let page: Vec<Value> = entities
        .into_iter()
        .skip((number - 1) * size)
        .take(size)
        .collect();
    Json(json!({
        "entities": page,
        "pageSize": size,
        "pageNumber": number,
        "total": total,
        "pageCount": total.div_ceil(size)
    }))
    .into_response()
}

#[derive(Deserialize)]
pub(crate) struct DownloadQuery {
    exp: Option<u64>,
}

/// `GET /downloads/{id}?exp=`: a file an agent sent, until its address expires (403).
pub(crate) async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<DownloadQuery>,
) -> Response {
    let genesys = state.genesys();
    let Some(file) = genesys.files.get(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if query.exp.is_none_or(|exp| exp < epoch_ms()) {
        return (StatusCode::FORBIDDEN, "Request has expired").into_response();
    }
    (
        [
            (header::CONTENT_TYPE, file.mime.clone()),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*".to_string()),
        ],
        file.bytes.clone(),
    )
        .into_response()
}

#[derive(Deserialize)]
pub(crate) struct FileBody {
    name: String,
    #[serde(default)]
    mime: Option<String>,
    #[serde(default)]
    text: String,
    /// How long its first address works (10 minutes unless said).
    #[serde(default)]
    expires_in_ms: Option<u64>,
}

/// The deployment's public configuration (`config.json`), in the shape Messenger reads.
pub(crate) async fn deployment_config(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    if !state.config().genesys.deployments.contains(&id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(json!({
        "id": id,
        "version": "1",
        "languages": ["en-us", "es", "de", "ar"],
        "defaultLanguage": "en-us",
        "apiEndpoint": "",
        "messenger": {
            "enabled": true,
            "apps": { "conversations": {
                "enabled": true,
                "autoStart": { "enabled": false },
                "conversationDisconnect": { "enabled": true, "type": "ReadOnly" },
                "conversationClear": { "enabled": true }
            } },
            "fileUpload": { "modes": [{ "fileTypes": ["image/*", "application/pdf"], "maxFileSizeKB": 10240 }] }
        },
        "journeyEvents": { "enabled": false },
        "status": "Active"
    }))
    .into_response()
}

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

fn genesys_summary(token: &str, s: &GuestSession) -> crate::console::SessionSummary {
    crate::console::SessionSummary {
        id: token.to_string(),
        protocol: "genesys",
        guest_name: s.custom_attributes.get("context.firstName").cloned(),
        guest_email: s.custom_attributes.get("context.email").cloned(),
        created_at: s.created_at,
        connected: !s.connections.is_empty(),
        connections_total: s.connections.len() as u64,
        routing: None,
        ended: s.read_only,
        messages: s.history.iter().filter(|m| m["type"] != "Event").count(),
    }
}

/// The scripted bot's greeting choices.
pub(crate) fn sample_quick_replies() -> Value {
    json!([
        { "contentType": "QuickReply", "quickReply": { "text": "Track my order", "payload": "track", "action": "Message" } },
        { "contentType": "QuickReply", "quickReply": { "text": "Returns", "payload": "returns", "action": "Message" } },
        { "contentType": "QuickReply", "quickReply": { "text": "Talk to a person", "payload": "human", "action": "Message" } }
    ])
}

/// One card, as the agent console sends it.
pub(crate) fn sample_card() -> Value {
    json!([{ "contentType": "Card", "card": {
        "title": "Trail tent 2P",
        "description": "Two people, 1.9 kg, three seasons.",
        "actions": [
            { "type": "Postback", "text": "Add to basket", "payload": "add-tent" },
            { "type": "Link", "text": "Details", "url": "https://shop.example.com/tent" }
        ]
    } }])
}

/// A carousel of three cards, as the agent console sends it.
pub(crate) fn sample_carousel() -> Value {
    let card = |title: &str, payload: &str| {
        json!({
            "title": title,
            "description": "In stock",
            "actions": [
                { "type": "Postback", "text": "Choose", "payload": payload },
                { "type": "Link", "text": "Details", "url": format!("https://shop.example.com/{payload}") }
            ]
        })
    };
    json!([{ "contentType": "Carousel", "carousel": { "cards": [
        card("Hiking boots", "boots"), card("Rain jacket", "jacket"), card("Day pack", "pack")
    ] } }])
}

/// The agent's side and the test controls of Genesys sessions, under `/control/genesys`.
pub(crate) fn control_routes() -> Router<AppState> {
    Router::new()
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
                            "messages": s.history.len()
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
                        "received": s.received
                    })
                }))
            }),
        )
        .route(
            "/control/genesys/sessions/{token}/agent-message",
            post(|State(state): State<AppState>, Path(token): Path<String>, Json(body): Json<SayBody>| async move {
                state.genesys_take_over(&token);
                let nickname = body.nickname.as_deref().unwrap_or(crate::agent::AGENT_NAME);
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
                found(state.genesys_end(&token, crate::agent::AGENT_NAME).map(|_| "ok"))
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
            "/control/genesys/sessions/{token}/deliver-reversed",
            post(|State(state): State<AppState>, Path(token): Path<String>, Json(body): Json<DeliverBody>| async move {
                // Timed in order, sent newest first: the service promises no order.
                state.genesys_take_over(&token);
                let start = epoch_ms();
                let bodies: Vec<Value> = body
                    .texts
                    .iter()
                    .enumerate()
                    .map(|(i, text)| {
                        json!({
                            "text": text, "type": "Text", "direction": "Outbound", "id": message_id(),
                            "channel": { "time": iso_time(start + i as u64), "type": "Private", "from": { "nickname": crate::agent::AGENT_NAME }, "to": {} },
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
        .route(
            "/control/genesys/rate-limit",
            post(|State(state): State<AppState>, Json(body): Json<SwitchBody>| async move {
                state.genesys().rate_limit_off = !body.enabled;
                Json(json!({ "enabled": body.enabled }))
            }),
        )
}

impl AppState {
    /// The Genesys sessions as the agent console lists them, newest first.
    pub(crate) fn genesys_summaries(&self) -> Vec<crate::console::SessionSummary> {
        let genesys = self.genesys();
        let mut list: Vec<_> = genesys
            .sessions
            .iter()
            .map(|(token, s)| genesys_summary(token, s))
            .collect();
        list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        list
    }

    /// One Genesys session as the agent console shows it: the messages of its history.
    pub(crate) fn genesys_detail(&self, token: &str) -> Option<crate::console::SessionDetail> {
        let genesys = self.genesys();
        let s = genesys.sessions.get(token)?;
        let transcript = s
            .history
            .iter()
            .filter(|m| m["type"] != "Event")
            .map(|m| crate::state::TranscriptLine {
                from: if m["direction"] == "Inbound" {
                    "guest"
                } else {
                    "agent"
                },
                text: m["text"].as_str().unwrap_or_default().to_string(),
                at: 0,
                seq: None,
                client_message_id: None,
            })
            .collect();
        Some(crate::console::SessionDetail {
            summary: genesys_summary(token, s),
            attributes: s.custom_attributes.clone(),
            transcript,
        })
    }

    /// The console's agent acts in a Genesys session; `None` when there is no such session.
    pub(crate) fn genesys_console_say(&self, token: &str, text: &str) -> Option<Value> {
        self.genesys().sessions.contains_key(token).then_some(())?;
        self.genesys_take_over(token);
        self.genesys_agent_message(token, text, crate::agent::AGENT_NAME, false)
    }

    pub(crate) fn genesys_console_typing(&self, token: &str, typing: bool) -> Option<()> {
        self.genesys().sessions.contains_key(token).then_some(())?;
        self.genesys_take_over(token);
        // The protocol has no "typing off": the indicator runs out by itself.
        if typing {
            self.genesys_typing(token, 5000)?;
        }
        Some(())
    }

    /// The console's agent sends sample rich content: `quick-replies`, `card`,
    /// `carousel` or `file`; `None` for another kind or session.
    pub(crate) fn genesys_console_rich(
        &self,
        token: &str,
        kind: &str,
        text: &str,
    ) -> Option<Value> {
        let content = match kind {
            "quick-replies" => sample_quick_replies(),
            "card" => sample_card(),
            "carousel" => sample_carousel(),
            "file" => {
                self.genesys_take_over(token);
                let origin = self.genesys().origin.clone();
                let file = FileBody {
                    name: "order-summary.pdf".into(),
                    mime: Some("application/pdf".into()),
                    text: text.into(),
                    expires_in_ms: None,
                };
                return self.genesys_send_file(token, &origin, file);
            }
            _ => return None,
        };
        self.genesys_take_over(token);
        self.genesys_rich_message(token, text, content)
    }

    /// An agent sends a small file: kept for download, pushed as an `Attachment`.
    pub(crate) fn genesys_send_file(
        &self,
        token: &str,
        origin: &str,
        body: FileBody,
    ) -> Option<Value> {
        let id = uuid::Uuid::new_v4().to_string();
        let mime = body
            .mime
            .unwrap_or_else(|| "application/octet-stream".into());
        let lifetime = Duration::from_millis(body.expires_in_ms.unwrap_or(600_000));
        let bytes = format!("{} from the simulator\n", body.name).into_bytes();
        let url = {
            let mut genesys = self.genesys();
            genesys.origin = origin.to_string();
            let url = download_url(origin, &id, lifetime);
            genesys.files.insert(
                id.clone(),
                StoredFile {
                    name: body.name.clone(),
                    mime: mime.clone(),
                    bytes: bytes.clone(),
                    lifetime,
                },
            );
            url
        };
        let media_type = if mime.starts_with("image/") {
            "Image"
        } else {
            "File"
        };
        let message = json!({
            "text": body.text,
            "type": "Text",
            "direction": "Outbound",
            "id": message_id(),
            "channel": { "time": iso_time(epoch_ms()), "type": "Private", "from": { "nickname": crate::agent::AGENT_NAME }, "to": {} },
            "content": [{ "contentType": "Attachment", "attachment": {
                "id": id, "filename": body.name, "mediaType": media_type, "mime": mime,
                "fileSize": bytes.len(), "url": url
            } }],
            "originatingEntity": "Human"
        });
        self.genesys_push_message(token, message)
    }

    pub(crate) fn genesys_console_end(&self, token: &str) -> Option<()> {
        self.genesys_end(token, crate::agent::AGENT_NAME)
    }

    fn genesys_take_over(&self, token: &str) {
        if let Some(s) = self.genesys().sessions.get_mut(token) {
            s.taken_over = true;
        }
    }

    /// Whether the scripted agent may still speak in this session.
    pub(crate) fn genesys_scripted_and_free(&self, token: &str) -> bool {
        self.config().agent == crate::AgentMode::Scripted
            && self
                .genesys()
                .sessions
                .get(token)
                .is_some_and(|s| !s.taken_over && !s.read_only)
    }
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
