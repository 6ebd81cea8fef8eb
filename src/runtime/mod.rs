//! The browser side of the chat: the socket, HTTP, timers, storage and page events
//! turned into core events; the core's effects carried out through the chat's wire
//! protocol; the core's state copied into signals for the view.
//!
//! Each browser resource is owned by a value that releases it when dropped, and the
//! controller that holds them lives in a Leptos [`StoredValue`]: when the component that
//! called [`use_guest_chat`] is cleaned up, everything is released with it.

pub mod chunks;
pub mod throttle;

#[cfg(target_arch = "wasm32")]
mod http;
#[cfg(target_arch = "wasm32")]
mod socket;
#[cfg(target_arch = "wasm32")]
mod storage;
mod tabs;
#[cfg(target_arch = "wasm32")]
mod timers;
#[cfg(target_arch = "wasm32")]
mod upload;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
mod window;

#[cfg(target_arch = "wasm32")]
pub use view::{News, TranscriptChunk, UploadView};

#[cfg(target_arch = "wasm32")]
use self::{
    http::HttpAnswer,
    socket::{Socket, SocketEvent},
    storage::Store,
    tabs::{TabLink, TabMessage, TabNews},
    throttle::{Write, WriteThrottle},
    timers::{Interval, Timeout},
    upload::{FileUpload, UploadEnd},
    view::ViewState,
    window::{PageEvent, PageListeners},
};
#[cfg(target_arch = "wasm32")]
use crate::{
    core::SessionSource,
    core::{
        ChatCore, Config, Connection, Effect, Event, MirroredView, Persistence, RestFailure,
        Routing, SharedChanges, Snapshot, Unreadable,
    },
    i18n::{Locale, Strings},
    protocol::{genesys::GenesysProtocol, tutorial::TutorialProtocol, SessionStart, WireProtocol},
};
#[cfg(target_arch = "wasm32")]
use leptos::prelude::*;
#[cfg(target_arch = "wasm32")]
use std::{cell::RefCell, collections::VecDeque, rc::Rc};

/// Storage writes are coalesced to at most one per this interval during a burst.
#[cfg(target_arch = "wasm32")]
const PERSIST_EVERY_MS: f64 = 250.0;

/// The chat's controller, owned by the reactive owner that created it. A `Copy` key:
/// callbacks hold it, and find nothing once the chat is gone.
#[cfg(target_arch = "wasm32")]
type ChatHandle = StoredValue<Rc<Controller>, LocalStorage>;

/// What [`use_guest_chat`] gives the view: signals to render and actions to call.
#[cfg(target_arch = "wasm32")]
#[derive(Clone, Copy)]
pub struct UseGuestChatReturn {
    pub connection: ReadSignal<Connection>,
    pub routing: ReadSignal<Routing>,
    pub agent_typing: ReadSignal<bool>,
    /// The transcript in consecutive chunks of [`chunks::CHUNK`] entries, each its own
    /// signal: appending or updating a message re-renders one chunk, not the whole list.
    pub chunks: ReadSignal<Vec<TranscriptChunk>>,
    /// The entries appended by the latest update. A conversation restored from a
    /// previous page is history and never appears here.
    pub news: ReadSignal<News>,
    pub can_compose: ReadSignal<bool>,
    /// Bumped whenever the core asks for the composer to take focus.
    pub focus_requests: ReadSignal<u32>,
    /// The file attached, and whether one may be.
    pub upload: ReadSignal<UploadView>,
    /// Bumped when the visitor read the conversation in another tab.
    pub read_elsewhere: ReadSignal<u32>,
    /// The catalog of the chat's language.
    pub strings: &'static Strings,
    pub locale: Locale,
    /// A new chat can follow an ended one, and the conversation can be cleared.
    pub can_start_over: bool,
    chat: ChatHandle,
}

#[cfg(target_arch = "wasm32")]
impl UseGuestChatReturn {
    /// Sends a guest message (trimmed; empty text is ignored).
    pub fn send(&self, text: String) {
        let client_id = new_client_id();
        dispatch(self.chat, Event::Send { text, client_id });
        // Written at once where another tab may take over any moment.
        if let Some(c) = controller(self.chat) {
            if c.state.borrow().resources.tabs.is_some() {
                c.persist();
            }
        }
    }

    /// Tries again after a failed session request or exhausted reconnects.
    pub fn retry(&self) {
        dispatch(self.chat, Event::Retry);
    }

    /// Sends a failed message again.
    pub fn retry_message(&self, id: u64) {
        dispatch(self.chat, Event::RetryMessage { id });
    }

    /// The visitor typed in the composer (the core decides whether to tell anyone).
    pub fn typing(&self) {
        dispatch(self.chat, Event::GuestTyping);
    }

    /// Begins a new conversation after the last one ended.
    pub fn start_new_chat(&self) {
        dispatch(self.chat, Event::StartNewChat);
    }

    /// Erases the conversation here and on the server (the visitor confirmed it).
    pub fn clear_conversation(&self) {
        dispatch(self.chat, Event::ClearConversation);
    }

    /// The visitor chose quick reply `choice` of the message `entry`.
    pub fn choose_reply(&self, entry: u64, choice: usize) {
        let client_id = new_client_id();
        dispatch(
            self.chat,
            Event::ChooseReply {
                entry,
                choice,
                client_id,
            },
        );
    }

    /// The visitor pressed postback `action` of card `card` of the message `entry`.
    pub fn press_card_button(&self, entry: u64, card: usize, action: usize) {
        let client_id = new_client_id();
        dispatch(
            self.chat,
            Event::PressCardButton {
                entry,
                card,
                action,
                client_id,
            },
        );
    }

    /// The visitor attaches `file`: checked, then uploaded; it goes with the next message.
    pub fn attach(&self, file: web_sys::File) {
        let Some(c) = controller(self.chat) else {
            return;
        };
        let event = Event::AttachFile {
            file_id: new_client_id(),
            name: file.name(),
            mime: file.type_(),
            size: file.size() as u64,
        };
        c.state.borrow_mut().attached = Some(file);
        dispatch(self.chat, event);
    }

    /// The visitor removes the attached file, or dismisses why it could not be sent.
    pub fn remove_file(&self) {
        dispatch(self.chat, Event::RemoveFile);
        if let Some(c) = controller(self.chat) {
            c.state.borrow_mut().attached = None;
        }
    }

    /// The visitor opens file `file` of the message `entry` (with a fresh address).
    pub fn open_file(&self, entry: u64, file: usize) {
        dispatch(self.chat, Event::OpenFile { entry, file });
    }

    /// The visitor read the conversation here: the other tabs clear their badge.
    pub fn mark_read(&self) {
        if let Some(c) = controller(self.chat) {
            if let Some(link) = &c.state.borrow().resources.tabs {
                link.post(&TabMessage::Read);
            }
        }
    }

    /// A small piece of view state kept beside the conversation (the panel being open);
    /// empty when nothing was kept. With `per_tab` (the composer draft) it is this tab's.
    pub fn saved(&self, name: &str, per_tab: bool) -> String {
        controller(self.chat)
            .and_then(|c| c.store_for(per_tab)?.read(&c.key_of(name)))
            .unwrap_or_default()
    }

    /// Keeps `value` under `name` across reloads; an empty value forgets it.
    pub fn save(&self, name: &str, value: &str, per_tab: bool) {
        if let Some(c) = controller(self.chat) {
            if let Some(store) = c.store_for(per_tab) {
                store.write(&c.key_of(name), value);
            }
        }
    }
}

/// A fresh UUID (v4). `crypto.randomUUID` exists only on secure pages (https, or this
/// machine); elsewhere one is made from `crypto.getRandomValues`, which every page has.
#[cfg(target_arch = "wasm32")]
fn new_client_id() -> String {
    let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) else {
        return format!(
            "c-{}-{}",
            js_sys::Date::now() as u64,
            (js_sys::Math::random() * 1e15) as u64
        );
    };
    if js_sys::Reflect::has(&crypto, &"randomUUID".into()).unwrap_or(false) {
        return crypto.random_uuid();
    }
    let mut bytes = [0u8; 16];
    let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut id = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        id.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        id.push(char::from_digit(u32::from(byte & 0x0f), 16).unwrap_or('0'));
    }
    id
}

/// The browser resources of one chat; each releases itself when replaced or dropped.
#[cfg(target_arch = "wasm32")]
#[derive(Default)]
struct Resources {
    socket: Option<Socket>,
    reconnect: Option<Timeout>,
    session_retry: Option<Timeout>,
    heartbeat: Option<Interval>,
    typing_end: Option<Timeout>,
    flush: Option<Timeout>,
    persist: Option<Timeout>,
    page: Option<PageListeners>,
    tabs: Option<TabLink>,
    upload: Option<FileUpload>,
}

#[cfg(target_arch = "wasm32")]
impl Resources {
    /// Lets go of the connection and every timer of the conversation; the page's
    /// listeners and the link to other tabs stay.
    fn release_conversation(&mut self) {
        let page = self.page.take();
        let tabs = self.tabs.take();
        *self = Resources {
            page,
            tabs,
            ..Resources::default()
        };
    }
}

#[cfg(target_arch = "wasm32")]
struct State {
    core: ChatCore,
    queue: VecDeque<Event>,
    dispatching: bool,
    resources: Resources,
    view: ViewState,
    throttle: WriteThrottle,
    /// Core revisions last written to storage.
    persisted: (u64, u64),
    /// The connection being opened begins a new conversation.
    start_new: bool,
    /// This tab holds the conversation's lock (or has no other tabs to share with): it
    /// connects and writes the conversation; otherwise it mirrors the tab that does.
    leading: bool,
    /// What was last told to the other tabs, so an unchanged state is not told again.
    told: Option<MirroredView>,
    read_elsewhere: RwSignal<u32>,
    /// The bytes of the file the visitor attached (the core knows its name and size).
    attached: Option<web_sys::File>,
}

#[cfg(target_arch = "wasm32")]
struct Controller {
    state: RefCell<State>,
    wire: &'static dyn WireProtocol,
    store: Option<Store>,
    /// This tab's own storage (the composer draft), when `store` is shared by all tabs.
    tab_store: Option<Store>,
    snapshot_key: String,
    /// For a tab that starts leading: its conversation is read anew from storage.
    config: Config,
}

#[cfg(target_arch = "wasm32")]
fn controller(chat: ChatHandle) -> Option<Rc<Controller>> {
    chat.try_with_value(Rc::clone)
}

/// Runs `event` in the chat, if it still exists.
#[cfg(target_arch = "wasm32")]
fn dispatch(chat: ChatHandle, event: Event) {
    if let Some(c) = controller(chat) {
        c.dispatch(chat, event);
    }
}

#[cfg(target_arch = "wasm32")]
impl Controller {
    fn key_of(&self, name: &str) -> String {
        format!("{}|{name}", self.snapshot_key)
    }

    fn store_for(&self, per_tab: bool) -> Option<&Store> {
        match (per_tab, &self.tab_store) {
            (true, Some(own)) => Some(own),
            _ => self.store.as_ref(),
        }
    }

    /// Runs an event and everything it causes. Effects may queue further events
    /// (a socket that cannot even be created, say); they run in order, never nested.
    fn dispatch(&self, chat: ChatHandle, event: Event) {
        if !self.state.borrow().leading {
            self.hand_to_leader(event);
            return;
        }
        {
            let mut state = self.state.borrow_mut();
            state.queue.push_back(event);
            if state.dispatching {
                return;
            }
            state.dispatching = true;
        }
        loop {
            let effects = {
                let mut state = self.state.borrow_mut();
                match state.queue.pop_front() {
                    Some(event) => {
                        state.core.clock_ms = js_sys::Date::now();
                        state.core.apply(event)
                    }
                    None => {
                        state.dispatching = false;
                        break;
                    }
                }
            };
            for effect in effects {
                self.run(chat, effect);
            }
        }
        self.tell_other_tabs();
        self.show(chat);
    }

    /// Shows the core's status now and its transcript on the next frame.
    fn show(&self, chat: ChatHandle) {
        let state = &mut *self.state.borrow_mut();
        state.view.show_status(&state.core);
        if state.view.frame_wanted() {
            request_animation_frame(move || {
                if let Some(c) = controller(chat) {
                    c.show_frame(chat);
                }
            });
        }
    }

    /// The leader tells the other tabs what changed, at once: a leader in a background
    /// tab gets no animation frames.
    fn tell_other_tabs(&self) {
        let state = &mut *self.state.borrow_mut();
        let Some(link) = &state.resources.tabs else {
            return;
        };
        let Some(SharedChanges { changed, added }) = state.core.take_shared() else {
            return;
        };
        let view = state.core.mirrored_view();
        if changed.is_empty() && added.is_empty() && state.told.as_ref() == Some(&view) {
            return;
        }
        link.post(&TabMessage::Frame {
            view: view.clone(),
            changed,
            added,
        });
        state.told = Some(view);
    }

    /// In a mirroring tab, what the visitor does goes to the leader. A message is kept in
    /// shared storage first, so that it survives a leader that is going away.
    fn hand_to_leader(&self, event: Event) {
        let message = match event {
            Event::Send { text, client_id } => {
                if text.trim().is_empty() {
                    return;
                }
                if let Some(store) = &self.store {
                    let key = self.key_of(&format!(
                        "outbox|{:016}|{client_id}",
                        js_sys::Date::now() as u64
                    ));
                    store.write(&key, &text);
                }
                TabMessage::Send { text, client_id }
            }
            Event::Retry => TabMessage::Retry,
            Event::RetryMessage { id } => TabMessage::RetryMessage { id },
            Event::GuestTyping => TabMessage::Typing,
            Event::StartNewChat => TabMessage::StartNewChat,
            Event::ClearConversation => TabMessage::Clear,
            // A mirroring tab has no connection to refresh the address with: it opens
            // the one it was told.
            Event::OpenFile { entry, file } => {
                let url = self
                    .state
                    .borrow()
                    .core
                    .transcript
                    .iter()
                    .find(|e| e.id == entry)
                    .and_then(|e| match e.offer.as_deref()? {
                        crate::core::Offer::Files(files) => Some(files.get(file)?.url.clone()),
                        _ => None,
                    });
                if let Some(url) = url {
                    open_url(&url);
                }
                return;
            }
            Event::ChooseReply {
                entry,
                choice,
                client_id,
            } => TabMessage::Choose {
                entry,
                choice,
                client_id,
            },
            Event::PressCardButton {
                entry,
                card,
                action,
                client_id,
            } => TabMessage::Press {
                entry,
                card,
                action,
                client_id,
            },
            _ => return,
        };
        if let Some(link) = &self.state.borrow().resources.tabs {
            link.post(&message);
        }
    }

    fn on_tab(&self, chat: ChatHandle, news: TabNews) {
        let leading = self.state.borrow().leading;
        let message = match news {
            TabNews::Leading => return self.lead(chat),
            TabNews::LedElsewhere => return self.follow(),
            TabNews::Message(message) => message,
        };
        match message {
            TabMessage::Frame {
                view,
                changed,
                added,
            } if !leading => {
                self.state.borrow_mut().core.mirror(view, changed, added);
                self.show(chat);
            }
            TabMessage::Hello if leading => {
                let mut state = self.state.borrow_mut();
                state.core.share_changes();
                state.told = None;
                drop(state);
                self.tell_other_tabs();
            }
            TabMessage::Read => self.state.borrow().read_elsewhere.update(|n| *n += 1),
            _ if !leading => {}
            TabMessage::Send { text, client_id } => {
                self.dispatch(chat, Event::Send { text, client_id });
                self.take_handed_messages(chat);
            }
            TabMessage::Retry => self.dispatch(chat, Event::Retry),
            TabMessage::RetryMessage { id } => self.dispatch(chat, Event::RetryMessage { id }),
            TabMessage::Typing => self.dispatch(chat, Event::GuestTyping),
            TabMessage::StartNewChat => self.dispatch(chat, Event::StartNewChat),
            TabMessage::Clear => self.dispatch(chat, Event::ClearConversation),
            TabMessage::Choose {
                entry,
                choice,
                client_id,
            } => self.dispatch(
                chat,
                Event::ChooseReply {
                    entry,
                    choice,
                    client_id,
                },
            ),
            TabMessage::Press {
                entry,
                card,
                action,
                client_id,
            } => self.dispatch(
                chat,
                Event::PressCardButton {
                    entry,
                    card,
                    action,
                    client_id,
                },
            ),
            TabMessage::Frame { .. } | TabMessage::Hello => {}
        }
    }

    /// This tab got the conversation's lock: it reads the conversation as the last
    /// leader kept it, takes the messages handed over meanwhile, and connects.
    fn lead(&self, chat: ChatHandle) {
        {
            let mut state = self.state.borrow_mut();
            if state.leading {
                return;
            }
            let mut core = ChatCore::new(
                self.config.clone(),
                (js_sys::Math::random() * u64::MAX as f64) as u64,
            );
            core.clock_ms = js_sys::Date::now();
            if let Some(snapshot) = self.read_snapshot() {
                core.restore(snapshot);
            }
            if state.resources.tabs.is_some() {
                core.share_changes();
            }
            state.view.show_all(&mut core);
            state.core = core;
            state.leading = true;
            state.told = None;
        }
        if !window::is_online() {
            self.dispatch(chat, Event::NetworkOffline);
        }
        self.dispatch(chat, Event::Start);
        self.take_handed_messages(chat);
    }

    /// Messages other tabs kept for the leader, oldest first, into the outbox; each is
    /// forgotten once the conversation holding it is written.
    fn take_handed_messages(&self, chat: ChatHandle) {
        let Some(store) = &self.store else { return };
        let prefix = self.key_of("outbox|");
        let handed = store.entries_with_prefix(&prefix);
        if handed.is_empty() {
            return;
        }
        for (key, text) in &handed {
            let client_id = key.rsplit('|').next().unwrap_or_default().to_string();
            self.dispatch(
                chat,
                Event::Send {
                    text: text.clone(),
                    client_id,
                },
            );
        }
        self.persist();
        for (key, _) in handed {
            store.write(&key, "");
        }
    }

    /// Another tab leads (it held the lock when this one asked, or took the lease over):
    /// this one lets go of what it began, writes nothing, and mirrors it while it queues.
    fn follow(&self) {
        let mut state = self.state.borrow_mut();
        state.leading = false;
        state.resources.release_conversation();
        if let Some(link) = &mut state.resources.tabs {
            link.ask_to_lead(false);
            link.post(&TabMessage::Hello);
        }
    }

    /// The page is left or frozen: another tab takes the connection.
    fn step_down(&self) {
        self.persist();
        let mut state = self.state.borrow_mut();
        if !state.leading {
            return;
        }
        state.leading = false;
        state.resources.release_conversation();
        if let Some(link) = &mut state.resources.tabs {
            link.step_down();
        }
    }

    /// Back from the back/forward cache or a freeze: queue for the lead again, and show
    /// the leader's state meanwhile.
    fn rejoin(&self) {
        let mut state = self.state.borrow_mut();
        if state.leading {
            return;
        }
        if let Some(link) = &mut state.resources.tabs {
            link.ask_to_lead(false);
            link.post(&TabMessage::Hello);
        }
    }

    fn read_snapshot(&self) -> Option<Snapshot> {
        read_snapshot(self.store.as_ref(), &self.snapshot_key)
    }

    fn run(&self, chat: ChatHandle, effect: Effect) {
        match effect {
            Effect::CreateSession => {
                let start = self.wire.session_start(self.state.borrow().core.config());
                let request = match start {
                    SessionStart::Http(request) => request,
                    SessionStart::Local => {
                        let mut state = self.state.borrow_mut();
                        let session = self
                            .wire
                            .local_session(state.core.config(), new_client_id());
                        state.queue.push_back(Event::SessionCreated(session));
                        return;
                    }
                };
                let wire = self.wire;
                let answer = http::send(request);
                leptos::task::spawn_local(async move {
                    let event = match answer.await {
                        Ok(answer) => session_answer(wire, answer),
                        Err(http::NoAnswer(why)) => {
                            Event::SessionFailed(RestFailure::new(None, &why, None))
                        }
                    };
                    dispatch(chat, event);
                });
            }
            Effect::OpenConnection {
                session,
                resume_after,
                start_new,
            } => {
                let url = self.wire.connection_url(
                    self.state.borrow().core.config(),
                    &session,
                    resume_after,
                );
                self.state.borrow_mut().start_new = start_new;
                self.open_socket(chat, &url);
            }
            Effect::FetchHistory { jwt, page } => {
                let request =
                    self.wire
                        .history_request(self.state.borrow().core.config(), &jwt, page);
                let Some(request) = request else {
                    let why = "this protocol keeps no history".to_string();
                    self.state
                        .borrow_mut()
                        .queue
                        .push_back(Event::HistoryFailed(why));
                    return;
                };
                let wire = self.wire;
                let answer = http::send(request);
                leptos::task::spawn_local(async move {
                    let event = match answer.await {
                        Ok(answer) if answer.ok => match wire.read_history(&answer.body, page) {
                            Ok(page) => Event::HistoryLoaded(page),
                            Err(why) => Event::HistoryFailed(why),
                        },
                        Ok(answer) => Event::HistoryFailed(format!("HTTP {}", answer.status)),
                        Err(http::NoAnswer(why)) => Event::HistoryFailed(why),
                    };
                    dispatch(chat, event);
                });
            }
            Effect::ScheduleFlush { delay_ms } => {
                let timer = Timeout::new(delay_ms, move || dispatch(chat, Event::FlushDue));
                self.state.borrow_mut().resources.flush = Some(timer);
            }
            Effect::Send(outgoing) => {
                let Some(text) = self.wire.encode(&outgoing) else {
                    return;
                };
                let sent = match &self.state.borrow().resources.socket {
                    Some(socket) => socket.send(text),
                    None => false,
                };
                if !sent {
                    web_sys::console::warn_1(
                        &"guest-chat: a frame could not be written; it will be resent".into(),
                    );
                }
            }
            Effect::CloseConnection(why) => {
                let socket = self.state.borrow_mut().resources.socket.take();
                if let Some(socket) = socket {
                    socket.close(self.wire.close_code(why));
                }
            }
            Effect::ScheduleReconnect { delay_ms } => {
                let timer = Timeout::new(delay_ms, move || dispatch(chat, Event::ReconnectDue));
                self.state.borrow_mut().resources.reconnect = Some(timer);
            }
            Effect::CancelReconnect => {
                self.state.borrow_mut().resources.reconnect = None;
            }
            Effect::ScheduleSessionRetry { delay_ms } => {
                let timer = Timeout::new(delay_ms, move || dispatch(chat, Event::Retry));
                self.state.borrow_mut().resources.session_retry = Some(timer);
            }
            Effect::StartHeartbeat { every_ms } => {
                let beat = Interval::new(every_ms, move || dispatch(chat, Event::HeartbeatDue));
                self.state.borrow_mut().resources.heartbeat = Some(beat);
            }
            Effect::StopHeartbeat => {
                self.state.borrow_mut().resources.heartbeat = None;
            }
            Effect::ScheduleTypingEnd { delay_ms } => {
                let timer = Timeout::new(delay_ms, move || dispatch(chat, Event::TypingExpired));
                self.state.borrow_mut().resources.typing_end = Some(timer);
            }
            Effect::Warn(text) => web_sys::console::warn_1(&text.into()),
            Effect::LogError(text) => web_sys::console::error_1(&text.into()),
            Effect::FocusComposer => self.state.borrow().view.request_focus(),
            Effect::OpenUrl(url) => open_url(&url),
            Effect::PutFile {
                file_id,
                url,
                headers,
                mime,
            } => self.put_file(chat, file_id, &url, &headers, &mime),
            Effect::CancelUpload => self.state.borrow_mut().resources.upload = None,
        }
    }

    fn put_file(
        &self,
        chat: ChatHandle,
        file_id: String,
        url: &str,
        headers: &[(String, String)],
        mime: &str,
    ) {
        let file = self.state.borrow().attached.clone();
        let progress_id = file_id.clone();
        let last = std::cell::Cell::new(0u8);
        // Reported from a later task: the upload's own callback must not drop it.
        let later = move |event: Event| {
            wasm_bindgen_futures::spawn_local(async move { dispatch(chat, event) })
        };
        let upload = file.and_then(|file| {
            FileUpload::start(
                url,
                headers,
                mime,
                &file,
                move |percent| {
                    if percent != last.replace(percent) {
                        later(Event::UploadProgress {
                            file_id: progress_id.clone(),
                            percent,
                        });
                    }
                },
                {
                    let file_id = file_id.clone();
                    move |end| {
                        later(match end {
                            UploadEnd::Stored => Event::UploadProgress {
                                file_id: file_id.clone(),
                                percent: 100,
                            },
                            UploadEnd::Broken => Event::UploadInterrupted {
                                file_id: file_id.clone(),
                            },
                        })
                    }
                },
            )
        });
        match upload {
            Some(upload) => self.state.borrow_mut().resources.upload = Some(upload),
            None => self
                .state
                .borrow_mut()
                .queue
                .push_back(Event::UploadInterrupted { file_id }),
        }
    }

    fn open_socket(&self, chat: ChatHandle, url: &str) {
        // The old connection, if any, goes first: it reports nothing more.
        self.state.borrow_mut().resources.socket = None;
        let wire = self.wire;
        let opened = Socket::open(url, move |event| {
            let event = match event {
                SocketEvent::Opened => {
                    // What the protocol says first goes before anything the core sends.
                    if let Some(c) = controller(chat) {
                        c.send_opening_frames();
                    }
                    Event::ConnectionOpened
                }
                SocketEvent::Text(text) => wire.decode(&text),
                SocketEvent::Binary => Event::Unreadable(Unreadable::Binary),
                SocketEvent::Closed { code, reason } => Event::ConnectionClosed {
                    kind: wire.close_kind(code),
                    code,
                    reason,
                },
            };
            dispatch(chat, event);
        });
        let mut state = self.state.borrow_mut();
        match opened {
            Ok(socket) => state.resources.socket = Some(socket),
            Err(why) => {
                web_sys::console::error_1(
                    &format!("guest-chat: cannot open the WebSocket: {why}").into(),
                );
                // Queued, so it runs after the current effects, as a real close would.
                state.queue.push_back(Event::ConnectionClosed {
                    kind: wire.close_kind(1006),
                    code: 1006,
                    reason: "invalid WebSocket URL".into(),
                });
            }
        }
    }

    fn send_opening_frames(&self) {
        let state = self.state.borrow();
        let Some(session) = state.core.session() else {
            return;
        };
        let frames = self
            .wire
            .opening_frames(state.core.config(), session, state.start_new);
        if let Some(socket) = &state.resources.socket {
            for frame in frames {
                socket.send(frame);
            }
        }
    }

    /// The transcript reaches the view at most once per animation frame, so a burst of
    /// frames costs one render.
    fn show_frame(&self, chat: ChatHandle) {
        let changed = {
            let state = &mut *self.state.borrow_mut();
            state.view.show_frame(&mut state.core);
            state.persisted
                != (
                    state.core.transcript_revision(),
                    state.core.session_revision(),
                )
        };
        if changed {
            self.persist_soon(chat);
        }
    }

    /// Writes the conversation now, or once the current interval is over.
    fn persist_soon(&self, chat: ChatHandle) {
        if self.store.is_none() {
            return;
        }
        let decision = self
            .state
            .borrow_mut()
            .throttle
            .request(js_sys::Date::now());
        match decision {
            Write::Now => self.persist(),
            Write::After(delay_ms) => {
                let timer = Timeout::new(delay_ms, move || {
                    if let Some(c) = controller(chat) {
                        c.persist();
                    }
                });
                self.state.borrow_mut().resources.persist = Some(timer);
            }
            Write::Scheduled => {}
        }
    }

    fn persist(&self) {
        let Some(store) = &self.store else { return };
        // Only the leader writes the conversation; the others would write a mirror.
        if !self.state.borrow().leading {
            return;
        }
        let (json, revisions) = {
            let state = self.state.borrow();
            let core = &state.core;
            (
                serde_json::to_string(&core.snapshot()).unwrap_or_default(),
                (core.transcript_revision(), core.session_revision()),
            )
        };
        store.write(&self.snapshot_key, &json);
        let mut state = self.state.borrow_mut();
        state.persisted = revisions;
        state.throttle.written(js_sys::Date::now());
    }

    fn on_page(&self, chat: ChatHandle, event: PageEvent) {
        match event {
            PageEvent::Online => self.dispatch(chat, Event::NetworkOnline),
            PageEvent::Offline => self.dispatch(chat, Event::NetworkOffline),
            PageEvent::Visible => self.dispatch(chat, Event::PageVisible),
            // The page may be frozen or closed next: keep what we have now.
            PageEvent::Hidden => self.persist(),
            PageEvent::Leaving if self.state.borrow().resources.tabs.is_some() => self.step_down(),
            PageEvent::Leaving => self.persist(),
            PageEvent::Returned => self.rejoin(),
        }
    }
}

/// Opens a (checked) address in a new tab that cannot reach back to this page.
#[cfg(target_arch = "wasm32")]
fn open_url(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.open_with_url_and_target_and_features(url, "_blank", "noopener,noreferrer");
    }
}

/// The conversation kept under `key`, if there is a readable one.
#[cfg(target_arch = "wasm32")]
fn read_snapshot(store: Option<&Store>, key: &str) -> Option<Snapshot> {
    let saved = store?.read(key)?;
    match serde_json::from_str::<Snapshot>(&saved) {
        Ok(snapshot) => Some(snapshot),
        Err(err) => {
            web_sys::console::warn_1(
                &format!("guest-chat: ignored an unreadable saved conversation: {err}").into(),
            );
            None
        }
    }
}

/// Reads the session endpoint's answer, whatever its status.
#[cfg(target_arch = "wasm32")]
fn session_answer(wire: &dyn WireProtocol, answer: HttpAnswer) -> Event {
    let failure = |retry_after_s| {
        RestFailure::new(
            Some(answer.status),
            &wire.failure_text(&answer.body),
            retry_after_s,
        )
    };
    if !answer.ok {
        return Event::SessionFailed(failure(answer.retry_after_s));
    }
    match wire.read_session(&answer.body) {
        Ok(session) => Event::SessionCreated(session),
        Err(_) => Event::SessionFailed(failure(None)),
    }
}

/// Starts a chat for `config` and returns its signals. The socket, timers and
/// listeners are released when the calling component's owner is cleaned up.
#[cfg(target_arch = "wasm32")]
pub fn use_guest_chat(config: Config) -> UseGuestChatReturn {
    let locale = Locale::choose(config.language.as_deref(), &window::browser_languages());
    let seed = (js_sys::Math::random() * u64::MAX as f64) as u64;
    let wire: &'static dyn WireProtocol = match config.session {
        SessionSource::Genesys { .. } => &GenesysProtocol,
        _ => &TutorialProtocol,
    };
    let store = Store::open(config.persistence);
    // Tabs share a conversation kept in localStorage; the draft stays each tab's own.
    let shared = config.persistence == Persistence::Local && store.is_some();
    let tab_store = if shared {
        Store::open(Persistence::Session)
    } else {
        None
    };
    let snapshot_key = config.storage_key();

    let mut core = ChatCore::new(config.clone(), seed);
    let can_start_over = core.can_start_over();
    core.clock_ms = js_sys::Date::now();
    if let Some(snapshot) = read_snapshot(store.as_ref(), &snapshot_key) {
        core.restore(snapshot);
    }
    // The kept conversation is on screen from the first render, and is history: not
    // announced, not counted as unread, not reported to the page as new.
    let view = ViewState::restored(&mut core);
    let signals = view.signals();
    let read_elsewhere = RwSignal::new(0u32);
    let controller_value = Controller {
        state: RefCell::new(State {
            core,
            queue: VecDeque::new(),
            dispatching: false,
            resources: Resources::default(),
            view,
            throttle: WriteThrottle::new(PERSIST_EVERY_MS),
            persisted: (0, 0),
            start_new: false,
            leading: !shared,
            told: None,
            read_elsewhere,
            attached: None,
        }),
        wire,
        store,
        tab_store,
        snapshot_key,
        config,
    };
    let chat: ChatHandle = StoredValue::new_local(Rc::new(controller_value));
    on_cleanup(move || {
        if let Some(c) = controller(chat) {
            c.persist();
            // Released now rather than when the arena lets go of the controller.
            c.state.borrow_mut().resources = Resources::default();
        }
    });
    let listeners = PageListeners::listen(move |event| {
        if let Some(c) = controller(chat) {
            c.on_page(chat, event);
        }
    });
    if let Some(c) = controller(chat) {
        c.state.borrow_mut().resources.page = Some(listeners);
    }
    // A tab with no conversation kept asks for the lock only if it is free: another tab
    // may have begun one it has not kept yet, and a second session must not start. The
    // answer comes within milliseconds; a kept conversation queues for the lock.
    let fresh = controller(chat).is_some_and(|c| c.state.borrow().core.session().is_none());
    if let Some(c) = controller(chat) {
        if shared {
            c.state.borrow_mut().core.share_changes();
        }
    }
    let name = controller(chat).map(|c| format!("guest-chat|{}", c.snapshot_key));
    let link = match name {
        Some(name) if shared => TabLink::join(&name, fresh, move |news| {
            if let Some(c) = controller(chat) {
                c.on_tab(chat, news);
            }
        }),
        _ => None,
    };
    let on_its_own = link.is_none();
    if let (Some(link), Some(c)) = (link, controller(chat)) {
        // A leader, if there is one, answers with its state.
        link.post(&TabMessage::Hello);
        c.state.borrow_mut().resources.tabs = Some(link);
    }
    if let Some(c) = controller(chat) {
        let mut state = c.state.borrow_mut();
        if on_its_own {
            state.leading = true;
        }
    }
    if controller(chat).is_some_and(|c| c.state.borrow().leading) {
        if !window::is_online() {
            dispatch(chat, Event::NetworkOffline);
        }
        dispatch(chat, Event::Start);
    }
    UseGuestChatReturn {
        connection: signals.connection,
        routing: signals.routing,
        agent_typing: signals.agent_typing,
        chunks: signals.chunks,
        news: signals.news,
        can_compose: signals.can_compose,
        focus_requests: signals.focus_requests,
        upload: signals.upload,
        read_elsewhere: read_elsewhere.read_only(),
        strings: locale.strings(),
        locale,
        can_start_over,
        chat,
    }
}
