//! The outbox: the visitor's messages from the composer to the server, paced where the
//! service limits the rate, written again after a drop until acknowledged, marked
//! failed when they cannot go, refused or rate-limited by the server; and the visitor's
//! typing, told at a pace.

use super::{Answer, ChatCore, Connection, Delivery, Effect, EntryKind, Offer, Outgoing};
use super::{SystemLine, Transcript};
use std::sync::Arc;

/// The pause between two guest messages where the service confirms sessions and takes
/// two messages a second: a little more than half a second, so that jitter on the way
/// never brings two into the same second.
const PACED_SEND_GAP_MS: f64 = 550.0;
/// The visitor's typing is told at most this often.
const TYPING_EVERY_MS: f64 = 5000.0;

/// When the next message and the next typing event may go.
#[derive(Debug, Clone)]
pub(super) struct Outbox {
    /// Messages are paced (the service limits their rate).
    paced: bool,
    /// No guest message is written before this time.
    next_send_ms: f64,
    flush_scheduled: bool,
    typing_allowed: bool,
    next_typing_ms: f64,
}

/// Whether a message may be written now.
#[derive(Debug, PartialEq)]
enum Turn {
    Now,
    /// Not yet: report [`crate::core::Event::FlushDue`] after this delay.
    Wait(u32),
    /// Not yet, and a flush is already scheduled.
    Scheduled,
}

impl Outbox {
    pub(super) fn new(paced: bool) -> Self {
        Outbox {
            paced,
            next_send_ms: 0.0,
            flush_scheduled: false,
            typing_allowed: true,
            next_typing_ms: 0.0,
        }
    }

    fn turn(&mut self, now_ms: f64) -> Turn {
        if !self.paced || now_ms >= self.next_send_ms {
            return Turn::Now;
        }
        if std::mem::replace(&mut self.flush_scheduled, true) {
            return Turn::Scheduled;
        }
        Turn::Wait((self.next_send_ms - now_ms).ceil() as u32)
    }

    fn written(&mut self, now_ms: f64) {
        self.next_send_ms = now_ms + PACED_SEND_GAP_MS;
    }

    fn flush_due(&mut self) {
        self.flush_scheduled = false;
    }

    /// The service asked to wait `ms` before the next message.
    fn hold_off(&mut self, now_ms: f64, ms: u32) {
        self.next_send_ms = self.next_send_ms.max(now_ms + f64::from(ms));
    }

    /// Whether the visitor's typing may be told now; if so, the next is due later.
    fn typing_due(&mut self, now_ms: f64) -> bool {
        if !self.typing_allowed || now_ms < self.next_typing_ms {
            return false;
        }
        self.next_typing_ms = now_ms + TYPING_EVERY_MS;
        true
    }
}

/// The guest message `client_id` refused, not yet delivered.
fn refused_message(transcript: &Transcript, client_id: Option<&str>) -> Option<usize> {
    transcript.unacknowledged(client_id?)
}

impl ChatCore {
    /// Writes the guest messages waiting to go, oldest first, as fast as the service
    /// takes them. After a reconnect this resends what may have been lost; the client id
    /// lets the server (or the history, see [`crate::core::Event::HistoryLoaded`]) tell
    /// what it has.
    pub(super) fn flush_outbox(&mut self) -> Vec<Effect> {
        let Some(session_id) = self.session.id() else {
            return vec![];
        };
        if !self.link.is_ready() {
            return vec![];
        }
        let mut effects = self.ask_upload();
        if self.history.is_loading() {
            return effects;
        }
        for index in 0..self.transcript.len() {
            let entry = &self.transcript[index];
            if entry.kind != EntryKind::Guest || entry.delivery != Some(Delivery::Sending) {
                continue;
            }
            match self.outbox.turn(self.clock_ms) {
                Turn::Now => {}
                Turn::Wait(delay_ms) => {
                    effects.push(Effect::ScheduleFlush { delay_ms });
                    break;
                }
                Turn::Scheduled => break,
            }
            let attributes = self.attributes_to_send(&mut effects);
            let entry = self.transcript.edit(index);
            let files = match entry.offer.as_deref() {
                Some(Offer::Files(files)) => files.iter().map(|f| f.id.clone()).collect(),
                _ => vec![],
            };
            effects.push(Effect::Send(Outgoing::Message {
                session_id: session_id.clone(),
                text: entry.text.to_string(),
                client_id: entry.client_id.as_deref().map(String::from),
                attributes,
                answer: entry.answer.as_deref().cloned(),
                files,
            }));
            entry.delivery = Some(Delivery::Sent);
            self.outbox.written(self.clock_ms);
        }
        effects
    }

    pub(super) fn flush_due(&mut self) -> Vec<Effect> {
        self.outbox.flush_due();
        self.flush_outbox()
    }

    pub(super) fn on_send(&mut self, text: &str, client_id: String) -> Vec<Effect> {
        // Another tab may hand over a message this one already took.
        if self.transcript.holds_client_id(&client_id) {
            return vec![];
        }
        let text = text.trim();
        // Before the first connection the composer is disabled, but the host page's API
        // may already send: such a message waits in the outbox like any other. A message
        // waits for the file attached to it.
        if (text.is_empty() && !self.uploads.file_ready())
            || self.upload_busy()
            || matches!(self.connection, Connection::Idle | Connection::Ended)
        {
            return vec![];
        }
        let index = self.push(EntryKind::Guest, text);
        self.take_ready_file(index);
        self.transcript.retire_replies();
        let entry = self.transcript.edit(index);
        entry.client_id = Some(Arc::from(client_id.as_str()));
        entry.delivery = Some(Delivery::Sending);
        if !self.link.is_open() {
            return self.retry_on_action();
        }
        self.flush_outbox()
    }

    /// The visitor answers a message's button: a guest message with the button's text,
    /// sent with what answers it.
    pub(super) fn answer(
        &mut self,
        text: String,
        answer: Answer,
        client_id: String,
    ) -> Vec<Effect> {
        let mut effects = self.on_send(&text, client_id.clone());
        let Some(index) = self.transcript.by_client_id(&client_id) else {
            return effects;
        };
        self.transcript.edit(index).answer = Some(Arc::new(answer.clone()));
        // Written already (an open connection): the frame must carry the answer too.
        for effect in &mut effects {
            if let Effect::Send(Outgoing::Message {
                client_id: Some(id),
                answer: slot,
                ..
            }) = effect
            {
                if *id == client_id {
                    *slot = Some(answer.clone());
                }
            }
        }
        effects
    }

    /// The visitor retries one failed message.
    pub(super) fn retry_message(&mut self, id: u64) -> Vec<Effect> {
        let Some(index) = self
            .transcript
            .iter()
            .position(|e| e.id == id && e.delivery == Some(Delivery::Failed))
        else {
            return vec![];
        };
        self.transcript.resend(index);
        if self.link.is_open() {
            self.flush_outbox()
        } else {
            self.retry_now()
        }
    }

    /// The server holds a guest message.
    pub(super) fn acknowledged(
        &mut self,
        client_id: Option<&str>,
        server_id: Option<String>,
        at_ms: Option<f64>,
    ) {
        let Some(index) = self.transcript.mark_delivered(client_id) else {
            return;
        };
        if let Some(id) = server_id {
            self.transcript.name(index, &id);
        }
        if let Some(at_ms) = at_ms {
            self.transcript.edit(index).at_ms = at_ms;
        }
        self.attributes_taken();
    }

    pub(super) fn rate_limited(
        &mut self,
        client_id: Option<&str>,
        retry_after_ms: u32,
    ) -> Vec<Effect> {
        let index = self.transcript.iter().rposition(|e| {
            e.delivery == Some(Delivery::Sent)
                && client_id.is_some()
                && e.client_id.as_deref() == client_id
        });
        if let Some(index) = index {
            self.transcript.resend(index);
        }
        self.outbox.hold_off(self.clock_ms, retry_after_ms);
        let mut effects = vec![Effect::Warn(format!(
            "guest-chat: the service asked to wait {retry_after_ms} ms before the next message"
        ))];
        effects.extend(self.flush_outbox());
        effects
    }

    pub(super) fn on_refused(
        &mut self,
        code: u16,
        client_id: Option<&str>,
        reason: &str,
    ) -> Vec<Effect> {
        let mut effects = vec![Effect::LogError(format!(
            "guest-chat: the service refused a request ({code}): {reason}"
        ))];
        let message = refused_message(&self.transcript, client_id);
        match (code, message) {
            // The session is read-only: the conversation is over.
            (409, _) => {
                effects.extend(self.conversation_ended());
                return effects;
            }
            // The attributes were too large: the message goes again without them.
            (4013, Some(index)) => {
                if self.attributes.refused() {
                    self.push_system(SystemLine::Refused { code });
                }
                self.transcript.resend(index);
                effects.extend(self.flush_outbox());
                return effects;
            }
            _ => {}
        }
        if let Some(index) = message {
            self.transcript.edit(index).delivery = Some(Delivery::Failed);
        }
        self.push_system(SystemLine::Refused { code });
        effects
    }

    pub(super) fn guest_typing(&mut self) -> Vec<Effect> {
        if !(self.confirms_sessions
            && self.link.is_ready()
            && self.outbox.typing_due(self.clock_ms))
        {
            return vec![];
        }
        self.session_request(|session_id| Outgoing::Typing { session_id })
    }

    pub(super) fn typing_refused(&mut self) {
        self.outbox.typing_allowed = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paced_messages_wait_their_turn_and_schedule_one_flush() {
        let mut outbox = Outbox::new(true);
        assert_eq!(outbox.turn(0.0), Turn::Now);
        outbox.written(0.0);
        assert_eq!(outbox.turn(100.0), Turn::Wait(450));
        assert_eq!(outbox.turn(200.0), Turn::Scheduled);
        outbox.flush_due();
        assert_eq!(outbox.turn(550.0), Turn::Now);
    }

    #[test]
    fn an_unpaced_protocol_writes_at_once() {
        let mut outbox = Outbox::new(false);
        outbox.written(0.0);
        assert_eq!(outbox.turn(1.0), Turn::Now);
    }

    #[test]
    fn a_rate_limit_only_ever_pushes_the_next_turn_later() {
        let mut outbox = Outbox::new(true);
        outbox.hold_off(0.0, 2000);
        outbox.hold_off(0.0, 100);
        assert_eq!(outbox.turn(1000.0), Turn::Wait(1000));
    }

    #[test]
    fn typing_is_told_once_per_interval_until_refused() {
        let mut outbox = Outbox::new(true);
        assert!(outbox.typing_due(0.0));
        assert!(!outbox.typing_due(4999.0));
        assert!(outbox.typing_due(5000.0));
        outbox.typing_allowed = false;
        assert!(!outbox.typing_due(20_000.0));
    }
}
