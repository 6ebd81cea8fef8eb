//! What the view holds of a chat: its signals, and the actions it calls.

use super::{tabs::TabMessage, News, TranscriptChunk, UploadView};
use crate::{
    core::{Connection, Event, Routing},
    i18n::{Locale, Strings},
};
use leptos::prelude::*;

use super::controller::{controller, dispatch, ChatHandle};

/// What [`use_guest_chat`] gives the view: signals to render and actions to call.
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
    /// The visitor may erase the conversation (the protocol allows it and the
    /// deployment has it on).
    pub can_clear: bool,
    /// Agents' and bots' text is drawn as Markdown (`data-markdown`, the deployment's).
    pub markdown: bool,
    /// The site wants a sound and a notification for agents' messages while the visitor
    /// is away (`data-notify`, `GuestChat.notify`).
    pub notify: RwSignal<bool>,
    /// Whether the visitor chats as themselves.
    pub signed_in: ReadSignal<bool>,
    /// The widget may sign the visitor in at the site's provider (`data-auth-*`).
    pub can_sign_in: bool,
    pub(super) chat: ChatHandle,
}

impl UseGuestChatReturn {
    /// Sends a guest message (trimmed; empty text is ignored).
    /// Whether this tab holds the connection (the others mirror it).
    pub fn is_leading(&self) -> bool {
        controller(self.chat).is_some_and(|c| c.state.borrow().leading)
    }

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

    /// The conversation's custom attributes from now on (they go with the next message).
    pub fn set_attributes(&self, attributes: std::collections::BTreeMap<String, String>) {
        if let Some(c) = controller(self.chat) {
            c.state.borrow_mut().page_attributes = Some(attributes.clone());
        }
        // A mirroring tab hands nothing over: the leading tab sends its own page's.
        dispatch(self.chat, Event::AttributesChanged(attributes));
    }

    /// Signs the visitor in with the code the site's identity provider issued.
    pub fn sign_in(&self, code: crate::core::auth::AuthCode) {
        dispatch(
            self.chat,
            Event::Auth(crate::core::auth::AuthEvent::SignIn(code)),
        );
    }

    /// Signs the visitor in at the site's provider, in a window of its own (the tag's
    /// `data-auth-*`). `Err` says why it cannot start.
    pub fn sign_in_at_provider(&self) -> Result<(), &'static str> {
        super::sign_in::open_sign_in_window(self.chat)
    }

    /// Revokes the visitor's tokens and forgets the signed-in conversation here.
    pub fn sign_out(&self) {
        dispatch(
            self.chat,
            Event::Auth(crate::core::auth::AuthEvent::SignOut),
        );
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
pub(super) fn new_client_id() -> String {
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
