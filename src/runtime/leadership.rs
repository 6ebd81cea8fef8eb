//! The switch between leading and mirroring tabs: what the leader tells the others,
//! what a mirroring tab hands to the leader, and taking over when the leader goes.

use super::{
    effects::open_url,
    tabs::{TabMessage, TabNews},
    window,
};
use crate::core::{ChatCore, Event, SharedChanges};
use leptos::prelude::*;

use super::controller::{ChatHandle, Controller};

impl Controller {
    /// The leader tells the other tabs what changed, at once: a leader in a background
    /// tab gets no animation frames.
    pub(super) fn tell_other_tabs(&self) {
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
    pub(super) fn hand_to_leader(&self, event: Event) {
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
            Event::Auth(_) => {
                self.state.borrow_mut().waiting_for_lead.push(event);
                return;
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

    pub(super) fn on_tab(&self, chat: ChatHandle, news: TabNews) {
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
    pub(super) fn lead(&self, chat: ChatHandle) {
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
            if let Some(attributes) = state.page_attributes.clone() {
                core.apply(Event::AttributesChanged(attributes));
            }
            state.view.show_all(&mut core);
            state.core = core;
            state.leading = true;
            state.told = None;
        }
        if !window::is_online() {
            self.dispatch(chat, Event::NetworkOffline);
        }
        let waiting = std::mem::take(&mut self.state.borrow_mut().waiting_for_lead);
        for event in waiting {
            self.dispatch(chat, event);
        }
        self.dispatch(chat, Event::Start);
        self.take_handed_messages(chat);
    }

    /// Messages other tabs kept for the leader, oldest first, into the outbox; each is
    /// forgotten once the conversation holding it is written.
    pub(super) fn take_handed_messages(&self, chat: ChatHandle) {
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
    pub(super) fn follow(&self) {
        let mut state = self.state.borrow_mut();
        state.leading = false;
        state.resources.release_conversation();
        if let Some(link) = &mut state.resources.tabs {
            link.ask_to_lead(false);
            link.post(&TabMessage::Hello);
        }
    }

    /// The page is left or frozen: another tab takes the connection.
    pub(super) fn step_down(&self) {
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
    pub(super) fn rejoin(&self) {
        let mut state = self.state.borrow_mut();
        if state.leading {
            return;
        }
        if let Some(link) = &mut state.resources.tabs {
            link.ask_to_lead(false);
            link.post(&TabMessage::Hello);
        }
    }
}
