//! Wire formats. An adapter turns its protocol's frames and answers into the core's
//! domain events, and the core's requests into frames; the core never sees a frame.
//! A new protocol is a new module here implementing [`WireProtocol`].

pub mod tutorial;

use crate::core::{CloseKind, CloseWhy, Config, Event, NewSession, Outgoing, Session};

/// A request the runtime sends over HTTP, as an adapter words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Without an answer by then, the request counts as a network failure.
    pub timeout_ms: u32,
}

/// One wire protocol, as the runtime uses it. Implementations are pure: no browser, no
/// I/O, so each is tested natively frame by frame.
pub trait WireProtocol {
    /// The request that creates a session.
    fn session_request(&self, config: &Config) -> HttpRequest;
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
    /// A request of the core, as a text frame.
    fn encode(&self, outgoing: &Outgoing) -> String;
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
