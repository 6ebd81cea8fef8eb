//! Reading the conversation's history after a connection resumed a session: what
//! arrived while the page was away, and which messages that may have been lost the
//! server already holds, so that each goes out exactly once.

use super::{ChatCore, Delivery, Effect, EntryKind, Offer, Outgoing};
use std::sync::Arc;

/// One message of the server's history of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryItem {
    pub id: String,
    /// Written by the visitor (here or in another window), not by an agent or bot.
    pub from_guest: bool,
    pub text: String,
    pub author: Option<String>,
    pub at_ms: Option<f64>,
    /// The id the widget gave the message, when the server kept it.
    pub client_id: Option<String>,
    pub offer: Option<Offer>,
}

/// A page of history: `items` newest first; `more` when older pages follow.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    pub page: u32,
    pub items: Vec<HistoryItem>,
    pub more: bool,
}

/// History pages read at most after one connection (newest first).
const MAX_HISTORY_PAGES: u32 = 20;
/// How far apart in time the service may deliver messages out of order, or lose them in
/// flight on a connection not yet known to be dead (two heartbeats): the history is read
/// back this far past the newest message held.
const HISTORY_OVERLAP_MS: f64 = 60_000.0;
/// A history token this close to its expiry is not used any more.
const TOKEN_MARGIN_MS: f64 = 10_000.0;

/// A read of the history in progress, and the token it reads with.
#[derive(Debug, Clone, Default)]
pub(super) struct HistoryRead {
    /// Messages wait until the history shows which ones the server already has.
    loading: bool,
    /// Held messages older than this end the read: all before them arrived.
    horizon_ms: Option<f64>,
    token: Option<(String, f64)>,
}

impl HistoryRead {
    pub(super) fn is_loading(&self) -> bool {
        self.loading
    }

    /// Starts a read that ends at held messages older than `newest_held_ms` by the overlap.
    fn begin(&mut self, newest_held_ms: Option<f64>) {
        self.loading = true;
        self.horizon_ms = newest_held_ms.map(|newest| newest - HISTORY_OVERLAP_MS);
    }

    pub(super) fn stop(&mut self) {
        self.loading = false;
    }

    pub(super) fn forget_token(&mut self) {
        self.token = None;
    }

    /// The token, unless it expires within the margin at `now_ms`.
    fn usable_token(&self, now_ms: f64) -> Option<&str> {
        match &self.token {
            Some((jwt, expires)) if *expires > now_ms + TOKEN_MARGIN_MS => Some(jwt),
            _ => None,
        }
    }

    /// Whether a held message timed `at_ms` shows that everything older arrived.
    fn ends_read(&self, at_ms: Option<f64>) -> bool {
        // Holding a message is not holding all before it: the service delivers out of
        // order, and a drop loses what was in flight. Only a held message older than
        // that window ends the read.
        at_ms.is_none_or(|at| self.horizon_ms.is_none_or(|h| at <= h))
    }

    /// The page to read after `page`, if the read goes on.
    fn next_page(&self, page: u32, more: bool, reached_held: bool) -> Option<(String, u32)> {
        if reached_held || !more || page >= MAX_HISTORY_PAGES {
            return None;
        }
        let (jwt, _) = self.token.as_ref()?;
        Some((jwt.clone(), page + 1))
    }
}

impl ChatCore {
    pub(super) fn begin_history_read(&mut self) -> Vec<Effect> {
        let newest_held = self
            .transcript
            .iter()
            .filter(|e| e.server_id.is_some())
            .map(|e| e.at_ms)
            .reduce(f64::max);
        self.history.begin(newest_held);
        match self.history.usable_token(self.clock_ms) {
            Some(jwt) => vec![Effect::FetchHistory {
                jwt: jwt.to_string(),
                page: 1,
            }],
            None => self.session_request(|session_id| Outgoing::HistoryToken { session_id }),
        }
    }

    pub(super) fn history_token(&mut self, jwt: String, expires_at_ms: f64) -> Vec<Effect> {
        self.history.token = Some((jwt.clone(), expires_at_ms));
        if self.history.loading {
            return vec![Effect::FetchHistory { jwt, page: 1 }];
        }
        vec![]
    }

    pub(super) fn history_failed(&mut self, why: String) -> Vec<Effect> {
        if !self.history.loading {
            return vec![];
        }
        // Without the history the outbox goes out as it is: a message twice is better
        // than a message lost.
        self.history.loading = false;
        self.history.token = None;
        let mut effects = vec![Effect::Warn(format!(
            "guest-chat: the conversation's history could not be read: {why}"
        ))];
        effects.extend(self.flush_outbox());
        effects
    }

    pub(super) fn on_history(&mut self, page: HistoryPage) -> Vec<Effect> {
        if !self.history.loading {
            return vec![];
        }
        let HistoryPage { page, items, more } = page;
        let mut reached_held = false;
        let mut missing = vec![];
        for item in items {
            if self.transcript.holds(&item.id) {
                reached_held |= self.history.ends_read(item.at_ms);
                continue;
            }
            if item.from_guest {
                // A message of ours whose acknowledgement was lost with the connection.
                let ours = self
                    .transcript
                    .unacknowledged_match(item.client_id.as_deref(), &item.text);
                if let Some(index) = ours {
                    self.transcript.edit(index).delivery = Some(Delivery::Delivered);
                    self.transcript.name(index, &item.id);
                    continue;
                }
            }
            missing.push(item);
        }
        // Oldest first, each in its place by time.
        for item in missing.into_iter().rev() {
            let kind = if item.from_guest {
                EntryKind::Guest
            } else {
                EntryKind::Agent
            };
            let index =
                self.transcript
                    .insert_timed(kind, &item.text, &item.id, item.at_ms, self.clock_ms);
            let entry = self.transcript.edit(index);
            if item.from_guest {
                entry.delivery = Some(Delivery::Delivered);
            } else {
                entry.agent_name = item
                    .author
                    .as_deref()
                    .filter(|_| self.features.agent_names)
                    .map(Arc::from);
                self.transcript.offer(index, item.offer);
            }
        }
        self.transcript.retire_replies();
        if let Some((jwt, page)) = self.history.next_page(page, more, reached_held) {
            return vec![Effect::FetchHistory { jwt, page }];
        }
        self.history.loading = false;
        self.flush_outbox()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_held_message_older_than_the_overlap_ends_the_read() {
        let mut read = HistoryRead::default();
        read.begin(Some(100_000.0));
        assert!(!read.ends_read(Some(50_000.0)));
        assert!(read.ends_read(Some(40_000.0)));
        assert!(read.ends_read(None));
        read.begin(None);
        assert!(read.ends_read(Some(99_999.0)));
    }

    #[test]
    fn a_token_near_its_expiry_is_not_used() {
        let mut read = HistoryRead {
            token: Some(("jwt".into(), 20_000.0)),
            ..HistoryRead::default()
        };
        assert_eq!(read.usable_token(9_999.0), Some("jwt"));
        assert_eq!(read.usable_token(10_000.0), None);
        read.forget_token();
        assert_eq!(read.usable_token(0.0), None);
    }

    #[test]
    fn the_read_stops_after_the_last_page_or_the_page_limit() {
        let read = HistoryRead {
            token: Some(("jwt".into(), 0.0)),
            ..HistoryRead::default()
        };
        assert_eq!(read.next_page(1, true, false), Some(("jwt".into(), 2)));
        assert_eq!(read.next_page(1, true, true), None);
        assert_eq!(read.next_page(3, false, false), None);
        assert_eq!(read.next_page(MAX_HISTORY_PAGES, true, false), None);
    }
}
