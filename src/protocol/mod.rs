//! Wire formats. An adapter turns its protocol's frames and answers into the core's
//! domain events, and the core's requests into frames; the core never sees a frame.
//! A new protocol is a new module here implementing [`WireProtocol`].

pub mod genesys;
pub mod tutorial;

use crate::core::auth::{AuthCode, Tokens};
use crate::core::{CloseKind, CloseWhy, Config, Event, HistoryPage, NewSession, Outgoing, Session};

/// How long a session the client made is kept: the server says when it ends.
const LOCAL_SESSION_SECONDS: u64 = 30 * 24 * 3600;

/// A request the runtime sends over HTTP, as an adapter words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: HttpMethod,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Without an answer by then, the request counts as a network failure.
    pub timeout_ms: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Delete,
}

/// A request of the sign-in flow to the service's token endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRequest<'a> {
    Exchange(&'a AuthCode),
    Refresh(&'a str),
    Revoke(&'a str),
}

/// How a protocol starts a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionStart {
    /// The server makes it: send this request.
    Http(HttpRequest),
    /// The client makes it: a fresh random token is all it needs.
    Local,
}

/// One wire protocol, as the runtime uses it. Implementations are pure: no browser, no
/// I/O, so each is tested natively frame by frame.
pub trait WireProtocol {
    /// How a new session comes to be.
    fn session_start(&self, config: &Config) -> SessionStart;
    /// A session made by the client from `token` ([`SessionStart::Local`]).
    fn local_session(&self, config: &Config, token: String) -> NewSession {
        let _ = config;
        NewSession {
            guest_token: token.clone(),
            session_id: token,
            organization_id: String::new(),
            expires_in_s: LOCAL_SESSION_SECONDS,
        }
    }
    /// Frames to send as soon as a connection opens, before anything else; `jwt` is a
    /// signed-in visitor's.
    fn opening_frames(
        &self,
        config: &Config,
        session: &Session,
        start_new: bool,
        jwt: Option<&str>,
    ) -> Vec<String> {
        let _ = (config, session, start_new, jwt);
        Vec::new()
    }
    /// The token endpoint's request, or `None` where the protocol has no signed-in
    /// visitors.
    fn token_request(&self, config: &Config, request: TokenRequest) -> Option<HttpRequest> {
        let _ = (config, request);
        None
    }
    /// The tokens in a successful exchange's or refresh's answer.
    fn read_tokens(&self, body: &str) -> Result<Tokens, String> {
        let _ = body;
        Err("this protocol has no signed-in visitors".into())
    }
    /// A successful answer to [`WireProtocol::session_request`]; `Err` says what was wrong.
    fn read_session(&self, body: &str) -> Result<NewSession, String>;
    /// The server's own words in the body of a failed request, for the visitor.
    fn failure_text(&self, body: &str) -> String;
    /// Where to connect for `session`; `resume_after` is the newest agent `seq` held.
    fn connection_url(
        &self,
        config: &Config,
        session: &Session,
        resume_after: Option<u64>,
    ) -> String;
    /// A text frame from the server, as the core's event.
    fn decode(&self, text: &str) -> Event;
    /// A request of the core, as a text frame; `None` for one the protocol has no
    /// frame for.
    fn encode(&self, outgoing: &Outgoing) -> Option<String>;
    /// The request for page `page` of the history, read with `jwt`.
    fn history_request(&self, config: &Config, jwt: &str, page: u32) -> Option<HttpRequest> {
        let _ = (config, jwt, page);
        None
    }
    /// A page of history from a successful answer; `Err` says what was wrong.
    fn read_history(&self, body: &str, page: u32) -> Result<HistoryPage, String> {
        let _ = (body, page);
        Err("this protocol keeps no history".into())
    }
    /// What a close code from the server means.
    fn close_kind(&self, code: u16) -> CloseKind;
    /// The close code the widget sends for `why`.
    fn close_code(&self, why: CloseWhy) -> u16;
}

/// Percent-encodes a query component (RFC 3986 unreserved characters pass through).
pub fn encode_query_component(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
