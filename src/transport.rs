//! The browser side of the chat: fetch, WebSocket and timers turned into core events,
//! and the core's state copied into signals once per animation frame.

use crate::core::{
    ChatCore, Config, Connection, Effect, Entry, Event, NewSession, Persistence, RestFailure,
    Routing, Snapshot, Unreadable,
};
use crate::protocol::{tutorial::TutorialProtocol, HttpRequest, WireProtocol};
use leptos::prelude::*;
use std::{cell::RefCell, collections::VecDeque, rc::Rc, time::Duration};
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// Storage writes are coalesced to at most one per this interval during a burst.
const PERSIST_EVERY_MS: f64 = 250.0;

/// What [`use_guest_chat`] gives the view: signals to render and actions to call.
#[derive(Clone, Copy)]
pub struct UseGuestChatReturn {
    pub connection: ReadSignal<Connection>,
    pub routing: ReadSignal<Routing>,
    pub agent_typing: ReadSignal<bool>,
    /// The transcript in consecutive chunks of [`CHUNK`] entries, each its own signal:
    /// appending or updating a message re-renders one chunk, not the whole list.
    pub chunks: ReadSignal<Vec<TranscriptChunk>>,
    /// The entries appended by the latest update. A conversation restored from a
    /// previous page is history and never appears here.
    pub news: ReadSignal<News>,
    pub can_compose: ReadSignal<bool>,
    /// Bumped whenever the core asks for the composer to take focus.
    pub focus_requests: ReadSignal<u32>,
    /// The catalog of the chat's language.
    pub strings: &'static crate::i18n::Strings,
    pub locale: crate::i18n::Locale,
    /// Key of this chat's controller in [`CONTROLLERS`]; a plain number, so the
    /// return value stays `Copy + Send` as Leptos wants for props.
    controller: u64,
}

impl UseGuestChatReturn {
    /// Sends a guest message (trimmed; empty text is ignored).
    pub fn send(&self, text: String) {
        let client_id = new_client_id();
        self.dispatch(Event::Send { text, client_id });
    }

    /// Tries again after a failed session request or exhausted reconnects.
    pub fn retry(&self) {
        self.dispatch(Event::Retry);
    }

    /// Sends a failed message again.
    pub fn retry_message(&self, id: u64) {
        self.dispatch(Event::RetryMessage { id });
    }

    /// A small piece of view state kept beside the conversation (the composer draft, the
    /// panel being open); empty when nothing was kept.
    pub fn saved(&self, name: &str) -> String {
        self.with_controller(|c| {
            c.storage
                .as_ref()
                .and_then(|s| s.read(&format!("{}|{name}", c.snapshot_key)))
        })
        .flatten()
        .unwrap_or_default()
    }

    /// Keeps `value` under `name` across reloads; an empty value forgets it.
    pub fn save(&self, name: &str, value: &str) {
        self.with_controller(|c| {
            if let Some(storage) = &c.storage {
                storage.write(&format!("{}|{name}", c.snapshot_key), value);
            }
        });
    }

    fn with_controller<T>(&self, f: impl FnOnce(&Controller) -> T) -> Option<T> {
        let controller = CONTROLLERS.with(|all| {
            all.borrow()
                .iter()
                .find(|(id, _)| *id == self.controller)
                .map(|(_, controller)| controller.clone())
        })?;
        Some(f(&controller))
    }

    fn dispatch(&self, event: Event) {
        self.with_controller(|controller| controller.dispatch(event));
    }
}

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

struct Signals {
    connection: RwSignal<Connection>,
    routing: RwSignal<Routing>,
    agent_typing: RwSignal<bool>,
    chunks: RwSignal<Vec<TranscriptChunk>>,
    news: RwSignal<News>,
    can_compose: RwSignal<bool>,
    focus_requests: RwSignal<u32>,
}

thread_local! {
    /// The live chats of this page. The browser is single-threaded; the registry lets
    /// `Send` closures (props, `on_cleanup`) reach a controller full of browser handles.
    // A list, not a map: a page holds one or two widgets.
    static CONTROLLERS: RefCell<Vec<(u64, Rc<Controller>)>> = const { RefCell::new(Vec::new()) };
    static NEXT_CONTROLLER: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

/// Entries appended to the transcript by one update of the view.
#[derive(Clone, Default)]
pub struct News {
    /// Counts updates, so an effect that also tracks other signals can tell a new batch
    /// from one it has already handled.
    pub batch: u64,
    pub entries: Vec<Entry>,
}

/// Entries per transcript chunk: small enough that re-rendering one is cheap, large
/// enough that the list of chunks stays short.
pub const CHUNK: usize = 64;

/// One slice of the transcript, starting at entry index `first`.
#[derive(Clone, Copy)]
pub struct TranscriptChunk {
    pub first: usize,
    pub entries: ReadSignal<Vec<Entry>>,
    writer: WriteSignal<Vec<Entry>>,
}

/// Puts new contents into the changed chunks, creating chunks for a transcript that grew.
fn apply_chunks(chunks: RwSignal<Vec<TranscriptChunk>>, updates: Vec<(usize, Vec<Entry>)>) {
    if updates.is_empty() {
        return;
    }
    let have = chunks.with_untracked(|c| c.len());
    let mut created = vec![];
    for (index, entries) in updates {
        if index < have {
            let writer = chunks.with_untracked(|c| c[index].writer);
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
        chunks.update(|c| c.extend(created));
    }
}

/// `localStorage` or `sessionStorage`; absent (private mode, disabled) means nothing is kept.
struct Store(web_sys::Storage);

impl Store {
    fn open(persistence: Persistence) -> Option<Store> {
        let window = web_sys::window()?;
        let storage = match persistence {
            Persistence::Local => window.local_storage(),
            Persistence::Session => window.session_storage(),
            Persistence::None => return None,
        };
        storage.ok().flatten().map(Store)
    }

    fn read(&self, key: &str) -> Option<String> {
        self.0.get_item(key).ok().flatten()
    }

    fn write(&self, key: &str, value: &str) {
        let result = if value.is_empty() {
            self.0.remove_item(key)
        } else {
            self.0.set_item(key, value)
        };
        if result.is_err() {
            web_sys::console::warn_1(
                &"guest-chat: the browser refused to store the conversation (storage full?)".into(),
            );
        }
    }
}

struct Socket {
    ws: WebSocket,
    // Kept alive as long as the socket is ours.
    _handlers: [Closure<dyn FnMut(JsValue)>; 3],
}

struct State {
    core: ChatCore,
    queue: VecDeque<Event>,
    dispatching: bool,
    socket: Option<Socket>,
    reconnect_timer: Option<TimeoutHandle>,
    session_retry_timer: Option<TimeoutHandle>,
    heartbeat: Option<IntervalHandle>,
    persist_timer: Option<TimeoutHandle>,
    frame_pending: bool,
    /// Transcript length the view has seen: entries beyond it are news.
    synced_len: usize,
    persisted: (u64, u64),
    persisted_at: f64,
    listeners: Vec<WindowListenerHandle>,
    disposed: bool,
}

struct Controller {
    state: RefCell<State>,
    wire: &'static dyn WireProtocol,
    signals: Signals,
    storage: Option<Store>,
    snapshot_key: String,
    this: RefCell<std::rc::Weak<Controller>>,
}

impl Controller {
    fn me(&self) -> Rc<Controller> {
        self.this
            .borrow()
            .upgrade()
            .expect("controller alive while used")
    }

    /// Runs an event and everything it causes. Effects may queue further events
    /// (a socket that cannot even be created, say); they run in order, never nested.
    fn dispatch(&self, event: Event) {
        {
            let mut state = self.state.borrow_mut();
            if state.disposed {
                return;
            }
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
                self.run(effect);
            }
        }
        self.sync_status();
        self.schedule_sync();
    }

    /// Status and routing change a few times a conversation: they are shown at
    /// once (a visitor waiting for "Connected" should not wait a frame more), while the
    /// transcript waits for the next animation frame.
    fn sync_status(&self) {
        let state = self.state.borrow();
        if state.disposed {
            return;
        }
        let s = &self.signals;
        let core = &state.core;
        if s.connection.with_untracked(|c| c != &core.connection) {
            s.connection.set(core.connection.clone());
        }
        if s.routing.with_untracked(|r| r != &core.routing) {
            s.routing.set(core.routing);
        }
        let can_compose = core.can_compose();
        if s.can_compose.with_untracked(|c| *c != can_compose) {
            s.can_compose.set(can_compose);
        }
    }

    fn run(&self, effect: Effect) {
        match effect {
            Effect::CreateSession => {
                let request = self.wire.session_request(self.state.borrow().core.config());
                // The request leaves now, so it travels while the widget renders.
                let answer = create_session(self.wire, request);
                let me = self.me();
                leptos::task::spawn_local(async move {
                    let event = match answer.await {
                        Ok(session) => Event::SessionCreated(session),
                        Err(failure) => Event::SessionFailed(failure),
                    };
                    me.dispatch(event);
                });
            }
            Effect::OpenConnection {
                session,
                resume_after,
            } => {
                let url = self.wire.connection_url(
                    self.state.borrow().core.config(),
                    &session,
                    resume_after,
                );
                self.open_socket(&url)
            }
            Effect::Send(outgoing) => {
                let text = self.wire.encode(&outgoing);
                let sent = match &self.state.borrow().socket {
                    Some(socket) => socket.ws.send_with_str(&text).is_ok(),
                    None => false,
                };
                if !sent {
                    web_sys::console::warn_1(
                        &"guest-chat: a frame could not be written; it will be resent".into(),
                    );
                }
            }
            Effect::CloseConnection(why) => {
                if let Some(socket) = self.state.borrow_mut().socket.take() {
                    detach(&socket.ws);
                    let _ = socket.ws.close_with_code(self.wire.close_code(why));
                }
            }
            Effect::ScheduleReconnect { delay_ms } => {
                self.schedule(|s| &mut s.reconnect_timer, delay_ms, Event::ReconnectDue)
            }
            Effect::CancelReconnect => {
                if let Some(old) = self.state.borrow_mut().reconnect_timer.take() {
                    old.clear();
                }
            }
            Effect::ScheduleSessionRetry { delay_ms } => {
                self.schedule(|s| &mut s.session_retry_timer, delay_ms, Event::Retry)
            }
            Effect::StartHeartbeat { every_ms } => {
                let me = self.me();
                let handle = set_interval_with_handle(
                    move || me.dispatch(Event::HeartbeatDue),
                    Duration::from_millis(every_ms.into()),
                )
                .ok();
                if let Some(old) = std::mem::replace(&mut self.state.borrow_mut().heartbeat, handle)
                {
                    old.clear();
                }
            }
            Effect::StopHeartbeat => {
                if let Some(old) = self.state.borrow_mut().heartbeat.take() {
                    old.clear();
                }
            }
            Effect::Warn(text) => web_sys::console::warn_1(&text.into()),
            Effect::LogError(text) => web_sys::console::error_1(&text.into()),
            Effect::FocusComposer => self.signals.focus_requests.update(|n| *n += 1),
        }
    }

    /// Dispatches `event` after `delay_ms`, replacing whatever timer `slot` held.
    fn schedule(
        &self,
        slot: fn(&mut State) -> &mut Option<TimeoutHandle>,
        delay_ms: u32,
        event: Event,
    ) {
        let me = self.me();
        let handle = set_timeout_with_handle(
            move || me.dispatch(event),
            Duration::from_millis(delay_ms.into()),
        )
        .ok();
        if let Some(old) = std::mem::replace(slot(&mut self.state.borrow_mut()), handle) {
            old.clear();
        }
    }

    fn open_socket(&self, url: &str) {
        if let Some(old) = self.state.borrow_mut().socket.take() {
            detach(&old.ws);
            let _ = old.ws.close();
        }
        let ws = match WebSocket::new(url) {
            Ok(ws) => ws,
            Err(err) => {
                web_sys::console::error_2(&"guest-chat: cannot open the WebSocket".into(), &err);
                // Queued, so it runs after the current effects, as a real close would.
                self.state
                    .borrow_mut()
                    .queue
                    .push_back(Event::ConnectionClosed {
                        kind: self.wire.close_kind(1006),
                        code: 1006,
                        reason: "invalid WebSocket URL".into(),
                    });
                return;
            }
        };
        ws.set_binary_type(web_sys::BinaryType::Arraybuffer);
        let weak = Rc::downgrade(&self.me());
        let wire = self.wire;
        let on = move |make: fn(&dyn WireProtocol, JsValue) -> Event| {
            let weak = weak.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |value: JsValue| {
                if let Some(me) = weak.upgrade() {
                    me.dispatch(make(wire, value));
                }
            })
        };
        let open = on(|_, _| Event::ConnectionOpened);
        let message = on(|wire, value| {
            let event: MessageEvent = value.unchecked_into();
            match event.data().as_string() {
                Some(text) => wire.decode(&text),
                None => Event::Unreadable(Unreadable::Binary),
            }
        });
        let close = on(|wire, value| {
            let event: CloseEvent = value.unchecked_into();
            Event::ConnectionClosed {
                kind: wire.close_kind(event.code()),
                code: event.code(),
                reason: event.reason(),
            }
        });
        ws.set_onopen(Some(open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(close.as_ref().unchecked_ref()));
        self.state.borrow_mut().socket = Some(Socket {
            ws,
            _handlers: [open, message, close],
        });
    }

    /// Copies the transcript into its signals at most once per animation frame, so a
    /// burst of frames costs one render.
    fn schedule_sync(&self) {
        {
            let mut state = self.state.borrow_mut();
            if state.frame_pending || state.disposed {
                return;
            }
            state.frame_pending = true;
        }
        let me = self.me();
        request_animation_frame(move || me.sync());
    }

    fn sync(&self) {
        let mut state = self.state.borrow_mut();
        state.frame_pending = false;
        if state.disposed {
            return;
        }
        let s = &self.signals;
        let core = &state.core;
        // Typing ends with the reply: both change in the same frame, so the announcer
        // never sees typing stop before the message it led to.
        if s.agent_typing.with_untracked(|t| *t != core.agent_typing) {
            s.agent_typing.set(core.agent_typing);
        }
        let persist = state.persisted != (core.transcript_revision, core.session_revision);
        let dirty = state.core.take_dirty();
        let len = state.core.transcript.len();
        let appended_from = std::mem::replace(&mut state.synced_len, len);
        let core = &state.core;
        let news: Vec<Entry> = core.transcript[appended_from..].to_vec();
        let mut changed_chunks: Vec<usize> = dirty.iter().map(|i| i / CHUNK).collect();
        changed_chunks.dedup();
        let updates: Vec<(usize, Vec<Entry>)> = changed_chunks
            .into_iter()
            .map(|c| {
                let end = ((c + 1) * CHUNK).min(core.transcript.len());
                (c, core.transcript[c * CHUNK..end].to_vec())
            })
            .collect();
        drop(state);
        apply_chunks(s.chunks, updates);
        if !news.is_empty() {
            s.news.update(|n| {
                n.batch += 1;
                n.entries = news;
            });
        }
        if persist {
            self.schedule_persist();
        }
    }

    /// Writes the snapshot now, or once the current interval is over.
    fn schedule_persist(&self) {
        if self.storage.is_none() {
            return;
        }
        let wait = {
            let state = self.state.borrow();
            if state.persist_timer.is_some() {
                return;
            }
            PERSIST_EVERY_MS - (js_sys::Date::now() - state.persisted_at)
        };
        if wait <= 0.0 {
            self.persist();
            return;
        }
        let me = self.me();
        let handle = set_timeout_with_handle(
            move || {
                me.state.borrow_mut().persist_timer = None;
                me.persist();
            },
            Duration::from_millis(wait as u64),
        )
        .ok();
        self.state.borrow_mut().persist_timer = handle;
    }

    fn persist(&self) {
        let Some(storage) = &self.storage else { return };
        let (json, revisions) = {
            let state = self.state.borrow();
            if state.disposed {
                return;
            }
            let core = &state.core;
            (
                serde_json::to_string(&core.snapshot()).unwrap_or_default(),
                (core.transcript_revision, core.session_revision),
            )
        };
        storage.write(&self.snapshot_key, &json);
        let mut state = self.state.borrow_mut();
        state.persisted = revisions;
        state.persisted_at = js_sys::Date::now();
    }

    fn listen(&self) {
        let weak = Rc::downgrade(&self.me());
        let on = move |event: Event| {
            let weak = weak.clone();
            move |_| {
                if let Some(me) = weak.upgrade() {
                    me.dispatch(event.clone());
                }
            }
        };
        let mut listeners = vec![
            window_event_listener(leptos::ev::online, on(Event::NetworkOnline)),
            window_event_listener(leptos::ev::offline, on(Event::NetworkOffline)),
        ];
        let weak = Rc::downgrade(&self.me());
        listeners.push(window_event_listener(
            leptos::ev::visibilitychange,
            move |_| {
                let visible = web_sys::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
                if let Some(me) = weak.upgrade() {
                    if visible {
                        me.dispatch(Event::PageVisible);
                    } else {
                        // The page may be frozen or closed next: keep what we have now.
                        me.persist();
                    }
                }
            },
        ));
        let weak = Rc::downgrade(&self.me());
        listeners.push(window_event_listener(leptos::ev::pagehide, move |_| {
            if let Some(me) = weak.upgrade() {
                me.persist();
            }
        }));
        self.state.borrow_mut().listeners = listeners;
    }

    fn dispose(&self) {
        self.persist();
        let mut state = self.state.borrow_mut();
        state.disposed = true;
        for listener in state.listeners.drain(..) {
            listener.remove();
        }
        for timer in [state.session_retry_timer.take(), state.persist_timer.take()]
            .into_iter()
            .flatten()
        {
            timer.clear();
        }
        if let Some(socket) = state.socket.take() {
            detach(&socket.ws);
            let _ = socket.ws.close();
        }
        if let Some(timer) = state.reconnect_timer.take() {
            timer.clear();
        }
        if let Some(timer) = state.heartbeat.take() {
            timer.clear();
        }
    }
}

fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
}

/// Sends the session request at once and returns the wait for its answer.
fn create_session(
    wire: &'static dyn WireProtocol,
    request: HttpRequest,
) -> impl std::future::Future<Output = Result<NewSession, RestFailure>> {
    let sent = send_request(&request);
    async move {
        let response: web_sys::Response = JsFuture::from(sent?)
            .await
            .map_err(|_| network_failure(""))?
            .unchecked_into();
        read_session_answer(wire, response).await
    }
}

fn network_failure(why: &str) -> RestFailure {
    RestFailure::new(None, why, None)
}

fn send_request(request: &HttpRequest) -> Result<js_sys::Promise, RestFailure> {
    let window = web_sys::window().ok_or_else(|| network_failure("no window"))?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&request.body));
    let headers = web_sys::Headers::new().map_err(|_| network_failure("headers"))?;
    for (name, value) in &request.headers {
        headers
            .set(name, value)
            .map_err(|_| network_failure("invalid header value"))?;
    }
    init.set_headers(&headers);
    let abort = web_sys::AbortController::new().ok();
    if let Some(abort) = &abort {
        init.set_signal(Some(&abort.signal()));
        let abort = abort.clone();
        let stop = Closure::once_into_js(move || abort.abort());
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            stop.unchecked_ref(),
            request.timeout_ms.min(i32::MAX as u32) as i32,
        );
    }
    Ok(window.fetch_with_str_and_init(&request.url, &init))
}

async fn read_session_answer(
    wire: &'static dyn WireProtocol,
    response: web_sys::Response,
) -> Result<NewSession, RestFailure> {
    let status = response.status();
    let retry_after_s = response
        .headers()
        .get("Retry-After")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse().ok());
    let body = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    if !response.ok() {
        return Err(RestFailure::new(
            Some(status),
            &wire.failure_text(&body),
            retry_after_s,
        ));
    }
    wire.read_session(&body)
        .map_err(|_| RestFailure::new(Some(status), &wire.failure_text(&body), None))
}

fn browser_languages() -> Vec<String> {
    web_sys::window()
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|l| l.as_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Starts a chat for `config` and returns its signals. The socket and timers are
/// released when the calling component's owner is cleaned up.
pub fn use_guest_chat(config: Config) -> UseGuestChatReturn {
    let locale = crate::i18n::Locale::choose(config.language.as_deref(), &browser_languages());
    let signals = Signals {
        connection: RwSignal::new(Connection::Idle),
        routing: RwSignal::new(Routing::Unknown),
        agent_typing: RwSignal::new(false),
        chunks: RwSignal::new(Vec::new()),
        news: RwSignal::new(News::default()),
        can_compose: RwSignal::new(false),
        focus_requests: RwSignal::new(0),
    };
    let s = &signals;
    let chat = UseGuestChatReturn {
        connection: s.connection.read_only(),
        routing: s.routing.read_only(),
        agent_typing: s.agent_typing.read_only(),
        chunks: s.chunks.read_only(),
        news: s.news.read_only(),
        can_compose: s.can_compose.read_only(),
        focus_requests: s.focus_requests.read_only(),
        strings: locale.strings(),
        locale,
        controller: NEXT_CONTROLLER.with(|next| {
            let id = next.get();
            next.set(id + 1);
            id
        }),
    };
    let seed = (js_sys::Math::random() * u64::MAX as f64) as u64;
    let storage = Store::open(config.persistence);
    let snapshot_key = config.storage_key();

    let mut core = ChatCore::new(config, seed);
    core.clock_ms = js_sys::Date::now();
    if let Some(saved) = storage.as_ref().and_then(|s| s.read(&snapshot_key)) {
        match serde_json::from_str::<Snapshot>(&saved) {
            Ok(snapshot) => core.restore(snapshot),
            Err(err) => web_sys::console::warn_1(
                &format!("guest-chat: ignored an unreadable saved conversation: {err}").into(),
            ),
        }
    }
    // The kept conversation is on screen from the first render, and is history: not
    // announced, not counted as unread, not reported to the page as new.
    let synced_len = core.transcript.len();
    let restored: Vec<(usize, Vec<Entry>)> = core
        .transcript
        .chunks(CHUNK)
        .enumerate()
        .map(|(i, c)| (i, c.to_vec()))
        .collect();
    core.take_dirty();
    apply_chunks(signals.chunks, restored);
    let controller = Rc::new(Controller {
        state: RefCell::new(State {
            core,
            queue: VecDeque::new(),
            dispatching: false,
            socket: None,
            reconnect_timer: None,
            session_retry_timer: None,
            heartbeat: None,
            persist_timer: None,
            frame_pending: false,
            synced_len,
            persisted: (0, 0),
            persisted_at: 0.0,
            listeners: Vec::new(),
            disposed: false,
        }),
        wire: &TutorialProtocol,
        signals,
        storage,
        snapshot_key,
        this: RefCell::new(std::rc::Weak::new()),
    });
    *controller.this.borrow_mut() = Rc::downgrade(&controller);
    CONTROLLERS.with(|all| all.borrow_mut().push((chat.controller, controller.clone())));
    let id = chat.controller;
    on_cleanup(move || {
        let removed = CONTROLLERS.with(|all| {
            let mut all = all.borrow_mut();
            let index = all.iter().position(|(other, _)| *other == id)?;
            Some(all.swap_remove(index).1)
        });
        if let Some(controller) = removed {
            controller.dispose();
        }
    });
    controller.listen();
    let online = web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true);
    if !online {
        controller.dispatch(Event::NetworkOffline);
    }
    controller.dispatch(Event::Start);
    chat
}
