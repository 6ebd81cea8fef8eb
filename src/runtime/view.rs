//! The core's state, copied into the signals the components render.

use super::chunks::{changed_chunks, chunk_range, CHUNK};
use crate::core::{ChatCore, Connection, Entry, EntryKind, PendingFile, Routing};
use leptos::prelude::*;

/// Entries appended to the transcript by one update of the view.
#[derive(Clone, Default)]
pub struct News {
    /// Counts updates, so an effect that also tracks other signals can tell a new batch
    /// from one it has already handled.
    pub batch: u64,
    pub entries: Vec<Entry>,
}

impl News {
    /// How many of the entries are agents' messages: what counts as unread.
    pub fn from_agents(&self) -> u32 {
        self.entries
            .iter()
            .filter(|e| e.kind == EntryKind::Agent)
            .count() as u32
    }
}

/// One slice of the transcript, starting at entry index `first`.
#[derive(Clone, Copy)]
pub struct TranscriptChunk {
    pub first: usize,
    pub entries: ReadSignal<Vec<Entry>>,
    writer: WriteSignal<Vec<Entry>>,
}

/// What the composer shows of files: whether the visitor may attach one, the largest
/// the deployment takes, and the one attached.
#[derive(Clone, Default)]
pub struct UploadView {
    pub takes_files: bool,
    pub max_bytes: Option<u64>,
    pub file: Option<PendingFile>,
}

/// What the components read.
pub struct ViewSignals {
    pub connection: ReadSignal<Connection>,
    pub routing: ReadSignal<Routing>,
    pub agent_typing: ReadSignal<bool>,
    pub chunks: ReadSignal<Vec<TranscriptChunk>>,
    pub news: ReadSignal<News>,
    pub can_compose: ReadSignal<bool>,
    pub focus_requests: ReadSignal<u32>,
    pub upload: ReadSignal<UploadView>,
    pub signed_in: ReadSignal<bool>,
}

pub struct ViewState {
    connection: RwSignal<Connection>,
    routing: RwSignal<Routing>,
    agent_typing: RwSignal<bool>,
    chunks: RwSignal<Vec<TranscriptChunk>>,
    news: RwSignal<News>,
    can_compose: RwSignal<bool>,
    focus_requests: RwSignal<u32>,
    upload: RwSignal<UploadView>,
    signed_in: RwSignal<bool>,
    frame_pending: bool,
}

impl ViewState {
    /// Signals showing `core` as restored from storage: its transcript is history, on
    /// screen from the first render and never news.
    pub fn restored(core: &mut ChatCore) -> Self {
        let view = ViewState {
            connection: RwSignal::new(Connection::Idle),
            routing: RwSignal::new(Routing::Unknown),
            agent_typing: RwSignal::new(false),
            chunks: RwSignal::new(Vec::new()),
            news: RwSignal::new(News::default()),
            can_compose: RwSignal::new(false),
            focus_requests: RwSignal::new(0),
            upload: RwSignal::new(UploadView::default()),
            signed_in: RwSignal::new(core.signed_in()),
            frame_pending: false,
        };
        core.take_dirty();
        core.take_news();
        let all: Vec<usize> = (0..core.transcript.len().div_ceil(CHUNK)).collect();
        view.update_chunks(core, &all);
        view
    }

    pub fn signals(&self) -> ViewSignals {
        ViewSignals {
            connection: self.connection.read_only(),
            routing: self.routing.read_only(),
            agent_typing: self.agent_typing.read_only(),
            chunks: self.chunks.read_only(),
            news: self.news.read_only(),
            can_compose: self.can_compose.read_only(),
            focus_requests: self.focus_requests.read_only(),
            upload: self.upload.read_only(),
            signed_in: self.signed_in.read_only(),
        }
    }

    /// Status and routing change a few times a conversation: they are shown at once
    /// (a visitor waiting for "Connected" should not wait a frame more).
    pub fn show_status(&self, core: &ChatCore) {
        if self.connection.with_untracked(|c| c != &core.connection) {
            self.connection.set(core.connection.clone());
        }
        if self.routing.with_untracked(|r| r != &core.routing) {
            self.routing.set(core.routing);
        }
        let signed_in = core.signed_in();
        if self.signed_in.with_untracked(|s| *s != signed_in) {
            self.signed_in.set(signed_in);
        }
        let can_compose = core.can_compose();
        if self.can_compose.with_untracked(|c| *c != can_compose) {
            self.can_compose.set(can_compose);
        }
        // Compared before it is copied: this runs on every event, and a file is rare.
        let takes_files = core.takes_files() && can_compose;
        let max_bytes = core.upload_max_bytes();
        let changed = self.upload.with_untracked(|u| {
            u.takes_files != takes_files
                || u.max_bytes != max_bytes
                || u.file.as_ref() != core.pending_file()
        });
        if changed {
            self.upload.set(UploadView {
                takes_files,
                max_bytes,
                file: core.pending_file().cloned(),
            });
        }
    }

    /// Whether a frame must be requested: one is pending at most.
    pub fn frame_wanted(&mut self) -> bool {
        !std::mem::replace(&mut self.frame_pending, true)
    }

    /// Copies typing, the changed chunks and the news into their signals.
    pub fn show_frame(&mut self, core: &mut ChatCore) {
        self.frame_pending = false;
        // Typing ends with the reply: both change in the same frame, so the announcer
        // never sees typing stop before the message it led to.
        if self
            .agent_typing
            .with_untracked(|t| *t != core.agent_typing)
        {
            self.agent_typing.set(core.agent_typing);
        }
        let changed = changed_chunks(&core.take_dirty());
        let news = core.take_news();
        self.update_chunks(core, &changed);
        // A cleared conversation leaves chunks with nothing to show.
        let wanted = core.transcript.len().div_ceil(CHUNK);
        if self.chunks.with_untracked(|c| c.len() > wanted) {
            self.chunks.update(|c| c.truncate(wanted));
        }
        if !news.is_empty() {
            self.news.update(|n| {
                n.batch += 1;
                n.entries = news;
            });
        }
    }

    /// Shows `core` as it is now, all of it, as history: a tab that starts leading
    /// re-reads the conversation, and nothing in it is news.
    pub fn show_all(&self, core: &mut ChatCore) {
        core.take_dirty();
        core.take_news();
        let all: Vec<usize> = (0..core.transcript.len().div_ceil(CHUNK)).collect();
        self.update_chunks(core, &all);
        let wanted = core.transcript.len().div_ceil(CHUNK);
        if self.chunks.with_untracked(|c| c.len() > wanted) {
            self.chunks.update(|c| c.truncate(wanted));
        }
        self.show_status(core);
    }

    pub fn request_focus(&self) {
        self.focus_requests.update(|n| *n += 1);
    }

    /// Puts new contents into the chunks at `indices`, creating chunks for a transcript
    /// that grew.
    fn update_chunks(&self, core: &ChatCore, indices: &[usize]) {
        let have = self.chunks.with_untracked(|c| c.len());
        let mut created = vec![];
        for &index in indices {
            let entries = core.transcript[chunk_range(index, core.transcript.len())].to_vec();
            if index < have {
                let writer = self.chunks.with_untracked(|c| c[index].writer);
                writer.set(entries);
            } else {
                let (read, write) = signal(entries);
                created.push(TranscriptChunk {
                    first: index * CHUNK,
                    entries: read,
                    writer: write,
                });
            }
        }
        if !created.is_empty() {
            self.chunks.update(|c| c.extend(created));
        }
    }
}
