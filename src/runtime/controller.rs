//! The controller of one chat: its state, the dispatch loop that runs events through
//! the core and carries out what they cause, and showing and keeping what changed.

use super::{
    resources::Resources,
    storage::Store,
    throttle::{Write, WriteThrottle},
    timers::Timeout,
    view::ViewState,
    window::PageEvent,
};
use crate::{
    core::{ChatCore, Config, Event, MirroredView, Snapshot},
    protocol::WireProtocol,
};
use leptos::prelude::*;
use std::{
    cell::RefCell,
    collections::{BTreeMap, VecDeque},
    rc::Rc,
};

/// Storage writes are coalesced to at most one per this interval during a burst.
pub(super) const PERSIST_EVERY_MS: f64 = 250.0;

/// The chat's controller, owned by the reactive owner that created it. A `Copy` key:
/// callbacks hold it, and find nothing once the chat is gone.
pub(super) type ChatHandle = StoredValue<Rc<Controller>, LocalStorage>;

pub(super) struct State {
    pub(super) core: ChatCore,
    pub(super) queue: VecDeque<Event>,
    pub(super) dispatching: bool,
    pub(super) resources: Resources,
    pub(super) view: ViewState,
    pub(super) throttle: WriteThrottle,
    /// Core revisions last written to storage.
    pub(super) persisted: (u64, u64),
    /// The connection being opened begins a new conversation.
    pub(super) start_new: bool,
    /// This tab holds the conversation's lock (or has no other tabs to share with): it
    /// connects and writes the conversation; otherwise it mirrors the tab that does.
    pub(super) leading: bool,
    /// What was last told to the other tabs, so an unchanged state is not told again.
    pub(super) told: Option<MirroredView>,
    pub(super) read_elsewhere: RwSignal<u32>,
    /// The bytes of the file the visitor attached (the core knows its name and size).
    pub(super) attached: Option<web_sys::File>,
    /// The custom attributes this page set (`GuestChat.setAttributes`), for a core this
    /// tab makes when it takes the lead.
    pub(super) page_attributes: Option<BTreeMap<String, String>>,
    /// A sign-in or sign-out asked for before this tab knew whether it leads: it runs
    /// once the tab does, before the chat starts.
    pub(super) waiting_for_lead: Vec<Event>,
}

pub(super) struct Controller {
    pub(super) state: RefCell<State>,
    pub(super) wire: &'static dyn WireProtocol,
    pub(super) store: Option<Store>,
    /// This tab's own storage (the composer draft), when `store` is shared by all tabs.
    pub(super) tab_store: Option<Store>,
    pub(super) snapshot_key: String,
    /// For a tab that starts leading: its conversation is read anew from storage.
    pub(super) config: Config,
}

pub(super) fn controller(chat: ChatHandle) -> Option<Rc<Controller>> {
    chat.try_with_value(Rc::clone)
}

/// Runs `event` in the chat, if it still exists.
pub(super) fn dispatch(chat: ChatHandle, event: Event) {
    if let Some(c) = controller(chat) {
        c.dispatch(chat, event);
    }
}

impl Controller {
    pub(super) fn key_of(&self, name: &str) -> String {
        format!("{}|{name}", self.snapshot_key)
    }

    pub(super) fn store_for(&self, per_tab: bool) -> Option<&Store> {
        match (per_tab, &self.tab_store) {
            (true, Some(own)) => Some(own),
            _ => self.store.as_ref(),
        }
    }

    /// Runs an event and everything it causes. Effects may queue further events
    /// (a socket that cannot even be created, say); they run in order, never nested.
    pub(super) fn dispatch(&self, chat: ChatHandle, event: Event) {
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
    pub(super) fn show(&self, chat: ChatHandle) {
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

    pub(super) fn read_snapshot(&self) -> Option<Snapshot> {
        read_snapshot(self.store.as_ref(), &self.snapshot_key)
    }

    /// The transcript reaches the view at most once per animation frame, so a burst of
    /// frames costs one render.
    pub(super) fn show_frame(&self, chat: ChatHandle) {
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
    pub(super) fn persist_soon(&self, chat: ChatHandle) {
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

    pub(super) fn persist(&self) {
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

    pub(super) fn on_page(&self, chat: ChatHandle, event: PageEvent) {
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

/// The conversation kept under `key`, if there is a readable one.
pub(super) fn read_snapshot(store: Option<&Store>, key: &str) -> Option<Snapshot> {
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
