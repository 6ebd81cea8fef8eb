//! The connection: its states and the phase the visitor sees, backoff with jitter,
//! the heartbeat, the network and the page waking up, and the close of a connection.

use super::{ChatCore, Effect, Outgoing, RestFailure, SystemLine};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Not started (or misconfigured).
    Idle,
    CreatingSession,
    SessionFailed(RestFailure),
    Connecting,
    Connected,
    /// Lost; the next attempt is scheduled.
    Disconnected {
        attempt: u32,
        delay_ms: u32,
    },
    Reconnecting {
        attempt: u32,
    },
    /// Every attempt failed; the visitor may retry.
    GaveUp,
    /// The server let this connection go because the conversation is open elsewhere
    /// (other tabs or devices); it comes back on the visitor's action only, so that
    /// two windows never take the conversation from each other in a loop.
    Displaced,
    /// The agent ended the chat (close 1000).
    Ended,
    /// The browser reports no network; reconnecting waits for it.
    Offline,
    /// The service refused every connection before one ever opened: most likely the
    /// configuration (deployment, region, the site's domain) is wrong. Retried on the
    /// visitor's action only.
    Unreachable,
}

/// What the status bar, the announcer and the page's `status` events show of a
/// [`Connection`]: every attempt of a reconnect is one phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Idle,
    Connecting,
    Connected,
    Reconnecting,
    Offline,
    Failed,
    Ended,
}

impl Phase {
    /// The word the page's `status` events and the status bar's `data-state` carry.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Connecting => "connecting",
            Phase::Connected => "connected",
            Phase::Reconnecting => "reconnecting",
            Phase::Offline => "offline",
            Phase::Failed => "failed",
            Phase::Ended => "ended",
        }
    }

    /// A failure the visitor can act on: a hint and a Try again button go with it.
    pub fn is_failure(self) -> bool {
        self == Phase::Failed
    }
}

impl Connection {
    pub fn phase(&self) -> Phase {
        match self {
            Connection::Idle => Phase::Idle,
            Connection::CreatingSession | Connection::Connecting => Phase::Connecting,
            Connection::Connected => Phase::Connected,
            Connection::Disconnected { .. } | Connection::Reconnecting { .. } => {
                Phase::Reconnecting
            }
            Connection::Offline => Phase::Offline,
            Connection::GaveUp
            | Connection::SessionFailed(_)
            | Connection::Displaced
            | Connection::Unreachable => Phase::Failed,
            Connection::Ended => Phase::Ended,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    Unknown,
    Queued { position: Option<u32> },
    Connected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseKind {
    /// The chat is over (the agent ended it): no reconnecting.
    Ended,
    /// The session is no longer valid: a new one is needed.
    SessionExpired,
    /// Anything else: reconnect with backoff.
    Lost,
    /// The server closed it in favour of another connection of the conversation.
    Displaced,
}

/// Why the widget closes a connection itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseWhy {
    /// No answer to a heartbeat for a whole interval.
    HeartbeatTimeout,
    /// The conversation ended while the connection stayed open.
    ChatEnded,
    /// The server let this connection go for another one.
    Displaced,
    /// The conversation was cleared: this connection belongs to a session now gone.
    Cleared,
}

/// A small deterministic generator for reconnect jitter; seeded by the runtime.
#[derive(Debug, Clone)]
struct Jitter(u64);

impl Jitter {
    fn next_unit(&mut self) -> f64 {
        // xorshift64*
        let mut x = self.0.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What the core knows of the socket and the network.
#[derive(Debug, Clone)]
pub(super) struct Link {
    online: bool,
    open: bool,
    /// A connection opened once in this conversation (here or on a previous page).
    ever_connected: bool,
    attempt: u32,
    awaiting_pong: bool,
    /// A connection opened in this page.
    opened_once: bool,
    /// The server took this connection's session: messages may be written.
    session_ready: bool,
    jitter: Jitter,
}

impl Link {
    pub(super) fn new(seed: u64) -> Self {
        Link {
            online: true,
            open: false,
            ever_connected: false,
            attempt: 0,
            awaiting_pong: false,
            opened_once: false,
            session_ready: false,
            jitter: Jitter(seed),
        }
    }

    pub(super) fn is_open(&self) -> bool {
        self.open
    }

    /// Open, and the session is taken: messages may be written.
    pub(super) fn is_ready(&self) -> bool {
        self.open && self.session_ready
    }

    pub(super) fn ever_connected(&self) -> bool {
        self.ever_connected
    }

    /// A kept conversation: the visitor chatted before, the composer is usable.
    pub(super) fn resume(&mut self) {
        self.ever_connected = true;
    }

    pub(super) fn mirror(&mut self, ever_connected: bool) {
        self.ever_connected = ever_connected;
    }

    pub(super) fn session_taken(&mut self) {
        self.session_ready = true;
    }

    pub(super) fn reset_attempts(&mut self) {
        self.attempt = 0;
    }

    /// The socket opened; `needs_session` when the server must take the session first.
    /// Returns whether it is the conversation's first connection.
    fn opened(&mut self, needs_session: bool) -> bool {
        self.open = true;
        self.opened_once = true;
        self.attempt = 0;
        self.awaiting_pong = false;
        self.session_ready = !needs_session;
        !std::mem::replace(&mut self.ever_connected, true)
    }

    /// The socket is gone; returns whether it had been open.
    pub(super) fn dropped(&mut self) -> bool {
        self.awaiting_pong = false;
        self.session_ready = false;
        std::mem::replace(&mut self.open, false)
    }

    /// The delay before reconnect attempt `attempt + 1`: doubling from `base_ms`,
    /// ±20 % so that many widgets dropped together do not return together.
    fn next_delay(&mut self, base_ms: u32) -> u32 {
        let nominal = u64::from(base_ms) << self.attempt.min(16);
        let factor = 0.8 + 0.4 * self.jitter.next_unit();
        self.attempt += 1;
        ((nominal as f64) * factor).round().min(f64::from(u32::MAX)) as u32
    }
}

impl ChatCore {
    pub(super) fn start(&mut self) -> Vec<Effect> {
        match self.connection {
            Connection::Idle if self.session.current().is_some() => {
                if self.session_expired() {
                    return self.renew_session();
                }
                self.connection = Connection::Connecting;
                self.open_socket()
            }
            Connection::Idle => self.create_session(),
            _ => vec![],
        }
    }

    pub(super) fn reconnect_due(&mut self) -> Vec<Effect> {
        let Connection::Disconnected { attempt, .. } = self.connection else {
            return vec![];
        };
        if self.session_expired() {
            return self.renew_session();
        }
        self.connection = Connection::Reconnecting { attempt };
        self.open_socket()
    }

    /// Reconnects at once from a waiting or failed state.
    pub(super) fn retry_now(&mut self) -> Vec<Effect> {
        match self.connection {
            Connection::SessionFailed(_) => self.create_session(),
            Connection::GaveUp
            | Connection::Offline
            | Connection::Disconnected { .. }
            | Connection::Displaced
            | Connection::Unreachable => {
                let mut effects = vec![Effect::CancelReconnect];
                if self.session_expired() {
                    effects.extend(self.renew_session());
                    return effects;
                }
                self.link.attempt = 0;
                self.connection = Connection::Reconnecting { attempt: 1 };
                effects.extend(self.open_socket());
                effects
            }
            _ => vec![],
        }
    }

    /// The visitor acts while no connection is open: the best moment to try again.
    pub(super) fn retry_on_action(&mut self) -> Vec<Effect> {
        match self.connection {
            Connection::GaveUp
            | Connection::Offline
            | Connection::Displaced
            | Connection::Unreachable => self.retry_now(),
            _ => vec![],
        }
    }

    pub(super) fn network_changed(&mut self, online: bool) -> Vec<Effect> {
        self.link.online = online;
        if online {
            self.wake()
        } else {
            vec![]
        }
    }

    /// The network came back or the page woke up: reconnect now instead of waiting out a
    /// backoff, and probe an open socket, which may have died while the machine slept.
    pub(super) fn wake(&mut self) -> Vec<Effect> {
        match self.connection {
            Connection::Offline | Connection::Disconnected { .. } | Connection::GaveUp => {
                self.retry_now()
            }
            Connection::Connected if !self.link.awaiting_pong => self.heartbeat(),
            _ => vec![],
        }
    }

    pub(super) fn on_open(&mut self) -> Vec<Effect> {
        if !matches!(
            self.connection,
            Connection::Connecting | Connection::Reconnecting { .. }
        ) {
            return vec![];
        }
        let first = self.link.opened(self.confirms_sessions);
        self.session.connected();
        self.connection = Connection::Connected;
        self.transcript.resend_written();
        let mut effects = vec![Effect::StartHeartbeat {
            every_ms: self.config.heartbeat_ms,
        }];
        if first {
            self.push_system(SystemLine::ChatConnected);
            effects.push(Effect::FocusComposer);
        }
        effects.extend(self.flush_outbox());
        effects
    }

    pub(super) fn on_heartbeat(&mut self) -> Vec<Effect> {
        if !self.link.open {
            return vec![];
        }
        if self.link.awaiting_pong {
            // No pong for a whole interval: the connection is half-open or dead.
            let mut effects = vec![Effect::CloseConnection(CloseWhy::HeartbeatTimeout)];
            effects.extend(self.on_close(CloseKind::Lost, "(heartbeat timeout)"));
            return effects;
        }
        self.heartbeat()
    }

    fn heartbeat(&mut self) -> Vec<Effect> {
        let Some(session) = self.session.current() else {
            return vec![];
        };
        let session_id = session.session_id.clone();
        self.link.awaiting_pong = true;
        vec![Effect::Send(Outgoing::Heartbeat { session_id })]
    }

    pub(super) fn heartbeat_answered(&mut self) {
        self.link.awaiting_pong = false;
    }

    /// The socket closed; `detail` is logged with the close, and empty, nothing is.
    pub(super) fn connection_closed(
        &mut self,
        kind: CloseKind,
        code: u16,
        reason: &str,
    ) -> Vec<Effect> {
        // The server's reason goes to the console; without one there is nothing to add.
        let detail = if reason.is_empty() {
            String::new()
        } else {
            format!("({code}): {reason}")
        };
        self.on_close(kind, &detail)
    }

    fn on_close(&mut self, kind: CloseKind, detail: &str) -> Vec<Effect> {
        let was_open = self.link.dropped();
        if !was_open
            && !matches!(
                self.connection,
                Connection::Connecting | Connection::Reconnecting { .. }
            )
        {
            return vec![];
        }
        self.agent_typing = false;
        self.history.stop();
        let mut effects = vec![Effect::StopHeartbeat];
        effects.extend(self.uploads.restart());
        if kind == CloseKind::Ended {
            self.connection = Connection::Ended;
            self.transcript.fail_undelivered();
            self.push_system(SystemLine::ChatEnded);
            return effects;
        }
        // A kept session the server refuses (browsers report a refused upgrade as a
        // close before open), or one past its lifetime, is replaced by a new one.
        // A protocol that configures sessions on the connection knows no refused
        // session upgrade: the token is checked later, in words.
        if kind == CloseKind::SessionExpired
            || (!was_open
                && ((self.session.resumed() && !self.confirms_sessions) || self.session_expired()))
        {
            effects.extend(self.renew_session());
            return effects;
        }
        if kind == CloseKind::Displaced {
            // The server said so in a message; the socket itself may still be open.
            self.connection = Connection::Displaced;
            effects.push(Effect::CloseConnection(CloseWhy::Displaced));
            return effects;
        }
        if !detail.is_empty() {
            effects.push(Effect::Warn(format!(
                "guest-chat: connection closed {detail}"
            )));
        }
        if !self.link.online {
            self.connection = Connection::Offline;
            return effects;
        }
        // Refused twice before ever opening: not a network hiccup but a connection the
        // service will not take; retrying alone would only hide what to fix.
        if self.confirms_sessions
            && !was_open
            && !self.link.opened_once
            && !self.session.configured_once()
            && self.link.attempt >= 1
        {
            self.connection = Connection::Unreachable;
            self.transcript.fail_undelivered();
            return effects;
        }
        if self.link.attempt >= self.config.reconnect_attempts {
            self.connection = Connection::GaveUp;
            self.transcript.fail_undelivered();
            return effects;
        }
        let delay_ms = self.link.next_delay(self.config.reconnect_base_ms);
        self.connection = Connection::Disconnected {
            attempt: self.link.attempt,
            delay_ms,
        };
        effects.push(Effect::ScheduleReconnect { delay_ms });
        effects
    }

    /// The agent or bot ended the conversation, in a frame or by the session's answer.
    pub(super) fn conversation_ended(&mut self) -> Vec<Effect> {
        let mut effects = vec![Effect::CloseConnection(CloseWhy::ChatEnded)];
        // A conversation restored as ended already says so.
        if self.transcript.last_system_line() == Some(SystemLine::ChatEnded) {
            let was_open = self.link.dropped();
            if was_open || self.connection != Connection::Ended {
                self.connection = Connection::Ended;
                self.agent_typing = false;
                self.transcript.fail_undelivered();
                effects.push(Effect::StopHeartbeat);
            }
            return effects;
        }
        effects.extend(self.on_close(CloseKind::Ended, ""));
        effects
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_a_fifth_either_way() {
        let mut link = Link::new(7);
        for attempt in 0..6 {
            let nominal = f64::from(500u32 << attempt);
            let delay = f64::from(link.next_delay(500));
            assert!(
                delay >= nominal * 0.8 && delay <= nominal * 1.2,
                "{delay} vs {nominal}"
            );
        }
        assert_eq!(link.attempt, 6);
    }

    #[test]
    fn jitter_differs_between_widgets() {
        let delays = |seed| {
            let mut link = Link::new(seed);
            (0..4).map(|_| link.next_delay(1000)).collect::<Vec<_>>()
        };
        assert_ne!(delays(1), delays(2));
        assert_eq!(delays(3), delays(3));
    }

    #[test]
    fn a_connection_waiting_for_its_session_takes_no_messages() {
        let mut link = Link::new(1);
        assert!(link.opened(true));
        assert!(link.is_open() && !link.is_ready());
        link.session_taken();
        assert!(link.is_ready());
        assert!(link.dropped());
        assert!(!link.is_ready() && !link.dropped());
        assert!(
            !link.opened(false),
            "the second connection is not the first"
        );
        assert!(link.is_ready());
    }

    #[test]
    fn every_reconnect_attempt_is_one_phase() {
        let phases = [
            Connection::Disconnected {
                attempt: 1,
                delay_ms: 9,
            },
            Connection::Reconnecting { attempt: 2 },
        ];
        assert!(phases.iter().all(|c| c.phase() == Phase::Reconnecting));
        assert!(Connection::Unreachable.phase().is_failure());
        assert_eq!(Connection::Offline.phase().as_str(), "offline");
    }
}
