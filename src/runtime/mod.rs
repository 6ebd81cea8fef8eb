//! The browser side of the chat: the socket, HTTP, timers, storage and page events
//! turned into core events; the core's effects carried out through the chat's wire
//! protocol; the core's state copied into signals for the view.
//!
//! Each browser resource is owned by a value that releases it when dropped, and the
//! controller that holds them lives in a Leptos [`StoredValue`]: when the component that
//! called [`use_guest_chat`] is cleaned up, everything is released with it.
//!
//! This module only wires the parts: `controller` (state and the dispatch loop),
//! `effects` (carrying out what the core asks), `leadership` (leading or mirroring
//! tabs), `resources` (what one chat holds of the browser) and `handle` (what the view
//! gets).

pub mod chunks;
pub mod throttle;

mod tabs;

#[cfg(target_arch = "wasm32")]
mod controller;
#[cfg(target_arch = "wasm32")]
mod effects;
#[cfg(target_arch = "wasm32")]
mod handle;
#[cfg(target_arch = "wasm32")]
mod http;
#[cfg(target_arch = "wasm32")]
mod leadership;
#[cfg(target_arch = "wasm32")]
mod notify;
#[cfg(target_arch = "wasm32")]
mod resources;
#[cfg(target_arch = "wasm32")]
mod sign_in;
#[cfg(target_arch = "wasm32")]
mod sign_in_window;
#[cfg(target_arch = "wasm32")]
mod socket;
#[cfg(target_arch = "wasm32")]
mod storage;
#[cfg(target_arch = "wasm32")]
mod timers;
#[cfg(target_arch = "wasm32")]
mod title;
#[cfg(target_arch = "wasm32")]
mod upload;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
mod window;

#[cfg(target_arch = "wasm32")]
pub use handle::UseGuestChatReturn;
#[cfg(target_arch = "wasm32")]
pub use notify::{use_notifications, UseNotificationsReturn};
#[cfg(target_arch = "wasm32")]
pub use title::use_title_badge;
#[cfg(target_arch = "wasm32")]
pub use view::{News, TranscriptChunk, UploadView};

#[cfg(target_arch = "wasm32")]
use self::{
    controller::{
        controller, dispatch, read_snapshot, ChatHandle, Controller, State, PERSIST_EVERY_MS,
    },
    resources::Resources,
    storage::Store,
    tabs::{TabLink, TabMessage},
    throttle::WriteThrottle,
    view::ViewState,
    window::PageListeners,
};
#[cfg(target_arch = "wasm32")]
use crate::{
    core::{ChatCore, Config, Event, Persistence, SessionSource},
    i18n::Locale,
    protocol::{genesys::GenesysProtocol, tutorial::TutorialProtocol, WireProtocol},
};
#[cfg(target_arch = "wasm32")]
use leptos::prelude::*;
#[cfg(target_arch = "wasm32")]
use std::{cell::RefCell, collections::VecDeque, rc::Rc};

/// Starts a chat for `config` and returns its signals. The socket, timers and
/// listeners are released when the calling component's owner is cleaned up.
#[cfg(target_arch = "wasm32")]
pub fn use_guest_chat(config: Config) -> UseGuestChatReturn {
    let locale = Locale::choose(
        config.language.as_deref(),
        &window::browser_languages(),
        &config.languages,
        config.default_language.as_deref(),
    );
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
    let can_clear = core.can_clear();
    let markdown = core.features().markdown;
    let notify = RwSignal::new(config.notify);
    let can_sign_in = config.sign_in_page.is_some();
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
            page_attributes: None,
            waiting_for_lead: Vec::new(),
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
        can_clear,
        markdown,
        notify,
        signed_in: signals.signed_in,
        can_sign_in,
        chat,
    }
}
