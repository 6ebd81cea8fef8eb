//! The transcript: its entries and what they offer, ordered by the server's time and
//! id, each message once, with its delivery state; and the account of what changed,
//! for the view and for the other tabs.

use crate::core::auth::AuthFailure;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::{ops::Deref, sync::Arc};

/// A line the widget itself adds to the transcript. It is kept as what happened, not
/// as words, and worded in the visitor's language when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemLine {
    ChatConnected,
    ChatEnded,
    SessionRenewed,
    Queued {
        position: Option<u32>,
    },
    AgentConnected,
    /// The visitor started a new chat after the last one ended.
    NewChat,
    /// The server refused something with this code (see the catalog for the words).
    Refused {
        code: u16,
    },
    SignedIn,
    SignedOut,
    SignInFailed {
        why: AuthFailure,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Guest,
    Agent,
    System,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Waiting for a connection, or written and not yet acknowledged.
    Sending,
    /// Written to an open socket.
    Sent,
    /// The server acknowledged it.
    Delivered,
    /// Could not be delivered (no connection after every attempt, or the chat ended); the
    /// visitor may retry it.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Stable key for rendering.
    pub id: u64,
    pub kind: EntryKind,
    pub text: Arc<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<Arc<str>>,
    /// For [`EntryKind::System`]: which line it is (its `text` is then empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<SystemLine>,
    /// When the widget received or sent it (milliseconds since the epoch), or when the
    /// server processed it, for entries with a `server_id`.
    #[serde(default)]
    pub at_ms: f64,
    /// The server's id of the message, where the protocol names messages: a message
    /// seen again (pushed twice, or in the history) is recognised by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<Arc<str>>,
    /// What an agent's or bot's message offers besides its text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<Arc<Offer>>,
    /// Its quick replies were answered, or the conversation moved on past them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub answered: bool,
    /// A guest message that answers a button: what it sends besides its text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Arc<Answer>>,
}

/// What a message offers besides its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Offer {
    /// Buttons answering the message, offered until one is chosen or a newer message comes.
    QuickReplies(Vec<Choice>),
    /// A card, or several side by side (a carousel).
    Cards(Vec<Card>),
    /// Files: images are shown, others offered for download.
    Files(Vec<FileLink>),
}

/// A file sent in the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLink {
    pub id: String,
    /// Shown as text, and as an image's alternative text.
    pub name: String,
    /// A safe address (see [`safe_url`]).
    pub url: String,
    pub image: bool,
    /// Bytes, when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub text: String,
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kept only when it is a safe address (see [`safe_url`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    pub actions: Vec<CardAction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardAction {
    /// Answers the message with `payload`.
    Postback { text: String, payload: String },
    /// Opens `url` (a safe address, see [`safe_url`]) in a new tab.
    Link { text: String, url: String },
}

/// What a guest message answering a button sends besides its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub payload: String,
    /// A quick reply; otherwise a card's button.
    pub quick_reply: bool,
}

/// `url` if a link or image may point there: `https:`, or `http:` to this machine
/// (`localhost`, `127.0.0.1`, `[::1]`). Never `javascript:`, `data:` or anything else.
pub fn safe_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let lower = |prefix: &str| {
        url.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    if lower("https://") && url.len() > "https://".len() {
        return Some(url);
    }
    if lower("http://") {
        let rest = &url["http://".len()..];
        let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..host_end];
        let host = authority.rsplit('@').next().unwrap_or("");
        let host = if host.starts_with('[') {
            host.split(']').next().map(|h| &h[1..]).unwrap_or("")
        } else {
            host.split(':').next().unwrap_or("")
        };
        if matches!(host, "localhost" | "127.0.0.1" | "::1") {
            return Some(url);
        }
    }
    None
}

impl Entry {
    /// Changes whenever the entry must be drawn anew: its id, and its delivery state,
    /// in one number, so that every keyed list of the view shares one key type (and
    /// one copy of the keyed-diff code).
    pub fn view_key(&self) -> u64 {
        let delivery = match self.delivery {
            None => 0,
            Some(Delivery::Sending) => 1,
            Some(Delivery::Sent) => 2,
            Some(Delivery::Delivered) => 3,
            Some(Delivery::Failed) => 4,
        };
        self.id << 4 | delivery << 1 | u64::from(self.answered)
    }
}

/// What changed in the transcript, for the other tabs of the conversation.
pub struct SharedChanges {
    /// Entries at their index.
    pub changed: Vec<(usize, Entry)>,
    /// Ids of the entries that are news.
    pub added: Vec<u64>,
}

/// The entries, and which of them changed since the view and the other tabs last
/// looked. It reads as a slice of entries; every change goes through a method, so no
/// change escapes the account.
#[derive(Clone)]
pub struct Transcript {
    entries: Vec<Entry>,
    /// Bumped on every change, so a view can tell when to copy it.
    revision: u64,
    /// Indices of entries added or changed since the view last took them.
    dirty: Vec<usize>,
    /// Ids of entries added since the view last took them.
    added: Vec<u64>,
    /// Changed indices and added ids not yet told to the other tabs, when shared.
    shared: Option<(Vec<usize>, Vec<u64>)>,
    next_id: u64,
    /// Every server id the entries hold (and perhaps ids of entries since overwritten
    /// by a mirror, which keep theirs): each arriving message asks, so it must not cost
    /// a walk through the whole transcript.
    server_ids: FxHashSet<Arc<str>>,
    /// Whether some entry may still offer quick replies nobody answered: most messages
    /// offer none, and then retiring them needs no walk through the transcript.
    replies_open: bool,
}

impl Default for Transcript {
    fn default() -> Self {
        Transcript {
            entries: Vec::new(),
            revision: 0,
            dirty: Vec::new(),
            added: Vec::new(),
            shared: None,
            next_id: 1,
            server_ids: FxHashSet::default(),
            replies_open: false,
        }
    }
}

impl Deref for Transcript {
    type Target = [Entry];

    fn deref(&self) -> &[Entry] {
        &self.entries
    }
}

impl<'a> IntoIterator for &'a Transcript {
    type Item = &'a Entry;
    type IntoIter = std::slice::Iter<'a, Entry>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

/// Two transcripts are equal when they hold the same entries, whatever each has told.
impl PartialEq for Transcript {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl std::fmt::Debug for Transcript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.entries).finish()
    }
}

fn unacknowledged(entry: &Entry) -> bool {
    entry.kind == EntryKind::Guest && entry.delivery != Some(Delivery::Delivered)
}

impl Transcript {
    /// Changes whenever an entry does.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Adds an entry at the end, stamped `at_ms`; returns its index.
    pub(super) fn push(&mut self, kind: EntryKind, text: &str, at_ms: f64) -> usize {
        let id = self.next_id;
        self.next_id += 1;
        self.entries.push(Entry {
            id,
            kind,
            text: Arc::from(text),
            delivery: None,
            client_id: None,
            agent_name: None,
            system: None,
            at_ms,
            server_id: None,
            offer: None,
            answered: false,
            answer: None,
        });
        self.added.push(id);
        if let Some(shared) = &mut self.shared {
            shared.1.push(id);
        }
        let index = self.entries.len() - 1;
        self.touched(index);
        index
    }

    pub(super) fn push_system(&mut self, line: SystemLine, at_ms: f64) {
        let index = self.push(EntryKind::System, "", at_ms);
        self.entries[index].system = Some(line);
    }

    /// Adds a message the server names and times. Messages come in any order: it goes
    /// before the timed messages at the end that the server processed after it.
    pub(super) fn insert_timed(
        &mut self,
        kind: EntryKind,
        text: &str,
        server_id: &str,
        at_ms: Option<f64>,
        now_ms: f64,
    ) -> usize {
        let index = self.push(kind, text, now_ms);
        self.name(index, server_id);
        let Some(at_ms) = at_ms else {
            return index;
        };
        self.entries[index].at_ms = at_ms;
        // Entries the server has not timed (messages still on their way, the widget's
        // own lines) are passed over: only timed ones say where this one belongs.
        let mut place = index;
        for before in (0..index).rev() {
            let entry = &self.entries[before];
            if entry.server_id.is_none() {
                continue;
            }
            if entry.at_ms <= at_ms {
                break;
            }
            place = before;
        }
        if place < index {
            let entry = self.entries.remove(index);
            self.entries.insert(place, entry);
            for moved in place..self.entries.len() {
                self.touched(moved);
            }
        }
        place
    }

    /// Gives the entry at `index` the id the server knows it by.
    pub(super) fn name(&mut self, index: usize, server_id: &str) {
        let id: Arc<str> = Arc::from(server_id);
        self.server_ids.insert(id.clone());
        self.edit(index).server_id = Some(id);
    }

    /// Sets what the entry at `index` offers.
    pub(super) fn offer(&mut self, index: usize, offer: Option<Offer>) {
        self.replies_open |= matches!(offer, Some(Offer::QuickReplies(_)));
        self.edit(index).offer = offer.map(Arc::new);
    }

    /// The entry at `index`, to change: it counts as changed. Its server id and offer
    /// are set with [`Self::name`] and [`Self::offer`], which keep their accounts.
    pub(super) fn edit(&mut self, index: usize) -> &mut Entry {
        self.touched(index);
        &mut self.entries[index]
    }

    fn touched(&mut self, index: usize) {
        // An entry changed twice in a row (added, then filled in) is told once.
        if self.dirty.last() != Some(&index) {
            self.dirty.push(index);
        }
        if let Some(shared) = &mut self.shared {
            if shared.0.last() != Some(&index) {
                shared.0.push(index);
            }
        }
        self.revision += 1;
    }

    pub(super) fn position_of(&self, id: u64) -> Option<usize> {
        self.entries.iter().position(|e| e.id == id)
    }

    pub(super) fn holds_client_id(&self, client_id: &str) -> bool {
        self.by_client_id(client_id).is_some()
    }

    /// The newest entry with `client_id`.
    pub(super) fn by_client_id(&self, client_id: &str) -> Option<usize> {
        self.entries
            .iter()
            .rposition(|e| e.client_id.as_deref() == Some(client_id))
    }

    /// Whether a message with this server id is in the transcript.
    pub(super) fn holds(&self, server_id: &str) -> bool {
        self.server_ids.contains(server_id)
    }

    /// The newest guest message with `client_id` the server has not acknowledged.
    pub(super) fn unacknowledged(&self, client_id: &str) -> Option<usize> {
        self.entries
            .iter()
            .rposition(|e| unacknowledged(e) && e.client_id.as_deref() == Some(client_id))
    }

    /// The oldest guest message not acknowledged that is `client_id` or, when the
    /// server kept no id, reads `text`.
    pub(super) fn unacknowledged_match(
        &self,
        client_id: Option<&str>,
        text: &str,
    ) -> Option<usize> {
        client_id
            .and_then(|id| {
                self.entries
                    .iter()
                    .position(|e| unacknowledged(e) && e.client_id.as_deref() == Some(id))
            })
            .or_else(|| {
                self.entries
                    .iter()
                    .position(|e| unacknowledged(e) && *e.text == *text)
            })
    }

    /// A receipt names its message by client id; a server that sends no id acknowledges
    /// in order, so the oldest unacknowledged message is the one meant.
    pub(super) fn mark_delivered(&mut self, client_id: Option<&str>) -> Option<usize> {
        let target = match client_id {
            // Receipts name recent messages: search from the newest.
            Some(id) => self.unacknowledged(id),
            None => self.entries.iter().position(unacknowledged),
        };
        if let Some(index) = target {
            self.edit(index).delivery = Some(Delivery::Delivered);
        }
        target
    }

    /// The guest message at `index` goes out again with the next flush.
    pub(super) fn resend(&mut self, index: usize) {
        self.edit(index).delivery = Some(Delivery::Sending);
    }

    /// What was written to a connection that is gone may be lost with it: it goes again.
    pub(super) fn resend_written(&mut self) {
        for index in 0..self.entries.len() {
            if self.entries[index].delivery == Some(Delivery::Sent) {
                self.resend(index);
            }
        }
    }

    /// Undelivered guest messages that can no longer go out are marked failed.
    pub(super) fn fail_undelivered(&mut self) {
        for index in 0..self.entries.len() {
            let entry = &self.entries[index];
            if entry.kind == EntryKind::Guest
                && matches!(entry.delivery, Some(Delivery::Sending | Delivery::Sent))
            {
                self.edit(index).delivery = Some(Delivery::Failed);
            }
        }
    }

    /// Quick replies are offered by the newest message only: any message after them
    /// (an answer, the visitor's own words, the agent going on) retires them.
    pub(super) fn retire_replies(&mut self) {
        if !self.replies_open {
            return;
        }
        let newest = self
            .entries
            .iter()
            .rposition(|e| matches!(e.kind, EntryKind::Agent | EntryKind::Guest));
        self.replies_open = false;
        for index in 0..self.entries.len() {
            let entry = &self.entries[index];
            let offers_replies = matches!(entry.offer.as_deref(), Some(Offer::QuickReplies(_)));
            if offers_replies && !entry.answered {
                if Some(index) == newest {
                    self.replies_open = true;
                } else {
                    self.edit(index).answered = true;
                }
            }
        }
    }

    /// Every link to `file_id` gets its fresh address.
    pub(super) fn refresh_file(&mut self, file_id: &str, url: &str) {
        for index in 0..self.entries.len() {
            let Some(Offer::Files(files)) = self.entries[index].offer.as_deref() else {
                continue;
            };
            if !files.iter().any(|f| f.id == file_id) {
                continue;
            }
            let mut files = files.clone();
            for file in files.iter_mut().filter(|f| f.id == file_id) {
                file.url = url.to_string();
            }
            self.offer(index, Some(Offer::Files(files)));
        }
    }

    /// The newest line the widget itself added.
    pub(super) fn last_system_line(&self) -> Option<SystemLine> {
        self.entries.iter().rev().find_map(|e| e.system)
    }

    /// Takes `entries` in place of all held (a reload): all of them are news to the view.
    pub(super) fn replace(&mut self, entries: Vec<Entry>) {
        self.entries = entries;
        self.next_id = self.entries.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        self.revision += 1;
        self.dirty = (0..self.entries.len()).collect();
        self.reindex();
    }

    /// Rebuilds the accounts of server ids and open replies from the entries.
    fn reindex(&mut self) {
        self.server_ids = self
            .entries
            .iter()
            .filter_map(|e| e.server_id.clone())
            .collect();
        self.replies_open = true;
    }

    /// Follows another tab's transcript: `len` entries, `changed` at their index, and
    /// the ids of `added` are news.
    pub(super) fn mirror(&mut self, len: usize, changed: Vec<(usize, Entry)>, added: Vec<u64>) {
        let shrank = len < self.entries.len();
        self.entries.truncate(len);
        if shrank {
            self.reindex();
        }
        self.replies_open |= !changed.is_empty();
        for (index, entry) in changed {
            if let Some(id) = &entry.server_id {
                self.server_ids.insert(id.clone());
            }
            if index < self.entries.len() {
                self.entries[index] = entry;
            } else if index == self.entries.len() {
                self.entries.push(entry);
            } else {
                continue;
            }
            self.touched(index);
        }
        self.next_id = self.entries.iter().map(|e| e.id).max().unwrap_or(0) + 1;
        self.added.extend(added);
    }

    /// Nothing held any more; ids go on from where they were.
    pub(super) fn clear(&mut self) {
        self.entries.clear();
        self.dirty.clear();
        self.added.clear();
        self.server_ids.clear();
        self.replies_open = false;
        self.revision += 1;
    }

    /// The newest `limit` entries, and any older guest message not yet delivered.
    pub(super) fn kept(&self, limit: usize) -> Vec<Entry> {
        let keep_from = self.entries.len().saturating_sub(limit);
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, e)| *i >= keep_from || unacknowledged(e))
            .map(|(_, e)| e.clone())
            .collect()
    }

    /// The entries added since the last call, in transcript order: what the view
    /// announces and counts as unread.
    pub(super) fn take_news(&mut self) -> Vec<Entry> {
        let mut added = std::mem::take(&mut self.added);
        // A burst adds thousands at once: each entry asks a sorted list, not all of it.
        // Ids are handed out ascending, so the list is in order already but for a mirror.
        crate::core::lean::sort_nearly_sorted(&mut added);
        added.dedup();
        let mut left = added.len();
        let mut news = Vec::with_capacity(left);
        for entry in self.entries.iter().rev() {
            if left == 0 {
                break;
            }
            if added.binary_search(&entry.id).is_ok() {
                left -= 1;
                news.push(entry.clone());
            }
        }
        news.reverse();
        news
    }

    /// Indices of the entries added or changed since the last call (ascending, once
    /// each), so a view updates only those.
    pub(super) fn take_dirty(&mut self) -> Vec<usize> {
        let mut dirty = std::mem::take(&mut self.dirty);
        crate::core::lean::sort_nearly_sorted(&mut dirty);
        dirty.dedup();
        dirty
    }

    /// Keeps a second account of changes for the other tabs of the conversation (see
    /// [`crate::core::ChatCore::take_shared`]), starting with everything.
    pub(super) fn share_changes(&mut self) {
        self.shared = Some(((0..self.entries.len()).collect(), Vec::new()));
    }

    /// The entries changed and the ids added since the last call, for the other tabs;
    /// `None` unless sharing was asked for.
    pub(super) fn take_shared(&mut self) -> Option<SharedChanges> {
        let (mut dirty, added) = std::mem::take(self.shared.as_mut()?);
        crate::core::lean::sort_nearly_sorted(&mut dirty);
        dirty.dedup();
        let changed = dirty
            .into_iter()
            .filter_map(|i| Some((i, self.entries.get(i)?.clone())))
            .collect();
        Some(SharedChanges { changed, added })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timed(t: &mut Transcript, id: &str, at: f64) -> usize {
        t.insert_timed(EntryKind::Agent, id, id, Some(at), 0.0)
    }

    #[test]
    fn messages_take_their_place_by_server_time() {
        let mut t = Transcript::default();
        timed(&mut t, "a", 10.0);
        timed(&mut t, "c", 30.0);
        t.push(EntryKind::System, "", 99.0);
        assert_eq!(timed(&mut t, "b", 20.0), 1);
        let order: Vec<&str> = t.iter().map(|e| &*e.text).collect();
        assert_eq!(order, ["a", "b", "c", ""]);
        assert!(t.holds("b") && !t.holds("d"));
    }

    #[test]
    fn receipts_without_an_id_take_the_oldest_waiting_message() {
        let mut t = Transcript::default();
        for text in ["one", "two"] {
            let i = t.push(EntryKind::Guest, text, 0.0);
            t.edit(i).delivery = Some(Delivery::Sent);
        }
        assert_eq!(t.mark_delivered(None), Some(0));
        assert_eq!(t.mark_delivered(None), Some(1));
        assert_eq!(t.mark_delivered(None), None);
    }

    #[test]
    fn a_newer_message_retires_older_quick_replies() {
        let mut t = Transcript::default();
        let first = t.push(EntryKind::Agent, "pick", 0.0);
        t.offer(first, Some(Offer::QuickReplies(vec![])));
        t.retire_replies();
        assert!(!t[first].answered);
        t.push(EntryKind::Agent, "go on", 0.0);
        t.retire_replies();
        assert!(t[first].answered);
    }

    #[test]
    fn each_change_is_told_once_to_the_view_and_to_other_tabs() {
        let mut t = Transcript::default();
        t.push(EntryKind::Guest, "a", 0.0);
        t.share_changes();
        let b = t.push(EntryKind::Guest, "b", 0.0);
        t.edit(b).delivery = Some(Delivery::Sending);
        t.edit(0).delivery = Some(Delivery::Sending);
        assert_eq!(t.take_dirty(), [0, 1]);
        assert!(t.take_dirty().is_empty());
        let shared = t.take_shared().unwrap();
        assert_eq!(
            shared.changed.iter().map(|c| c.0).collect::<Vec<_>>(),
            [0, 1]
        );
        assert_eq!(shared.added, [t[b].id]);
        assert_eq!(t.take_news().len(), 2);
    }

    #[test]
    fn kept_entries_never_drop_an_undelivered_message() {
        let mut t = Transcript::default();
        let waiting = t.push(EntryKind::Guest, "waiting", 0.0);
        t.edit(waiting).delivery = Some(Delivery::Sending);
        for _ in 0..5 {
            t.push(EntryKind::Agent, "x", 0.0);
        }
        let kept = t.kept(2);
        assert_eq!(kept.len(), 3);
        assert_eq!(&*kept[0].text, "waiting");
    }

    #[test]
    fn server_ids_are_forgotten_with_the_entries_that_held_them() {
        let mut t = Transcript::default();
        timed(&mut t, "a", 10.0);
        timed(&mut t, "b", 20.0);
        let guest = t.push(EntryKind::Guest, "mine", 30.0);
        t.name(guest, "g");
        assert!(t.holds("a") && t.holds("g"));
        let first: Vec<Entry> = t[..1].to_vec();
        t.replace(first);
        assert!(t.holds("a") && !t.holds("b") && !t.holds("g"));
        let a = t[0].clone();
        t.mirror(
            2,
            vec![(
                1,
                Entry {
                    server_id: Some(Arc::from("m")),
                    ..a
                },
            )],
            vec![],
        );
        assert!(t.holds("m"));
        t.mirror(1, vec![], vec![]);
        assert!(t.holds("a") && !t.holds("m"));
        t.clear();
        assert!(!t.holds("a"));
    }

    #[test]
    fn replies_from_a_mirror_or_a_reload_are_retired_too() {
        let mut t = Transcript::default();
        let offering = t.push(EntryKind::Agent, "pick", 0.0);
        t.offer(offering, Some(Offer::QuickReplies(vec![])));
        let held: Vec<Entry> = t.to_vec();
        let mut reloaded = Transcript::default();
        reloaded.replace(held);
        reloaded.push(EntryKind::Guest, "typed instead", 0.0);
        reloaded.retire_replies();
        assert!(reloaded[0].answered);
    }

    #[test]
    fn news_keeps_transcript_order_when_a_burst_arrives_out_of_order() {
        let mut t = Transcript::default();
        for at in (0..300).rev() {
            timed(&mut t, &format!("m{at}"), f64::from(at));
        }
        let news = t.take_news();
        assert_eq!(news.len(), 300);
        assert!(news.windows(2).all(|w| w[0].at_ms < w[1].at_ms));
        assert!(t.take_news().is_empty());
    }
}
