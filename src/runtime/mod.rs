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
#[cfg(target_arch = "wasm32")]
mod timers;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
mod window;

#[cfg(target_arch = "wasm32")]
pub use view::{News, TranscriptChunk};

#[cfg(target_arch = "wasm32")]
use self::{
    http::HttpAnswer,
    socket::{Socket, SocketEvent},
    storage::Store,
    throttle::{Write, WriteThrottle},
    timers::{Interval, Timeout},
    view::ViewState,
    window::{PageEvent, PageListeners},
};
#[cfg(target_arch = "wasm32")]
use crate::{
    core::SessionSource,
    core::{
        ChatCore, Config, Connection, Effect, Event, RestFailure, Routing, Snapshot, Unreadable,
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

    /// A small piece of view state kept beside the conversation (the composer draft, the
    /// panel being open); empty when nothing was kept.
    pub fn saved(&self, name: &str) -> String {
        controller(self.chat)
            .and_then(|c| c.store.as_ref()?.read(&c.key_of(name)))
            .unwrap_or_default()
    }

    /// Keeps `value` under `name` across reloads; an empty value forgets it.
    pub fn save(&self, name: &str, value: &str) {
        if let Some(c) = controller(self.chat) {
            if let Some(store) = &c.store {
                store.write(&c.key_of(name), value);
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn new_client_id() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        // Whole numbers: formatting floats would pull float printing into the bundle.
        .unwrap_or_else(|| {
            format!(
                "c-{}-{}",
                js_sys::Date::now() as u64,
                (js_sys::Math::random() * 1e15) as u64
            )
        })
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
}

#[cfg(target_arch = "wasm32")]
struct Controller {
    state: RefCell<State>,
    wire: &'static dyn WireProtocol,
    store: Option<Store>,
    snapshot_key: String,
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

    /// Runs an event and everything it causes. Effects may queue further events
    /// (a socket that cannot even be created, say); they run in order, never nested.
    fn dispatch(&self, chat: ChatHandle, event: Event) {
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
            state.persisted != (state.core.transcript_revision, state.core.session_revision)
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
        let (json, revisions) = {
            let state = self.state.borrow();
            let core = &state.core;
            (
                serde_json::to_string(&core.snapshot()).unwrap_or_default(),
                (core.transcript_revision, core.session_revision),
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
            PageEvent::Leaving => self.persist(),
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
    let snapshot_key = config.storage_key();

    let mut core = ChatCore::new(config, seed);
    let can_start_over = core.can_start_over();
    core.clock_ms = js_sys::Date::now();
    if let Some(saved) = store.as_ref().and_then(|s| s.read(&snapshot_key)) {
        match serde_json::from_str::<Snapshot>(&saved) {
            Ok(snapshot) => core.restore(snapshot),
            Err(err) => web_sys::console::warn_1(
                &format!("guest-chat: ignored an unreadable saved conversation: {err}").into(),
            ),
        }
    }
    // The kept conversation is on screen from the first render, and is history: not
    // announced, not counted as unread, not reported to the page as new.
    let view = ViewState::restored(&mut core);
    let signals = view.signals();
    let chat: ChatHandle = StoredValue::new_local(Rc::new(Controller {
        state: RefCell::new(State {
            core,
            queue: VecDeque::new(),
            dispatching: false,
            resources: Resources::default(),
            view,
            throttle: WriteThrottle::new(PERSIST_EVERY_MS),
            persisted: (0, 0),
            start_new: false,
        }),
        wire,
        store,
        snapshot_key,
    }));
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
    if !window::is_online() {
        dispatch(chat, Event::NetworkOffline);
    }
    dispatch(chat, Event::Start);
    UseGuestChatReturn {
        connection: signals.connection,
        routing: signals.routing,
        agent_typing: signals.agent_typing,
        chunks: signals.chunks,
        news: signals.news,
        can_compose: signals.can_compose,
        focus_requests: signals.focus_requests,
        strings: locale.strings(),
        locale,
        can_start_over,
        chat,
    }
}
