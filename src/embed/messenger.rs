//! Genesys Messenger's page API, the part only a loaded widget can answer: the
//! `Messenger` and `MessagingService` commands, and the events of both plugins. The
//! loader answers the rest (`Database`, `Launcher`, subscriptions, plugins) and turns
//! the `guest-chat:messenger` events dispatched here into Messenger's subscriptions.

use super::emit;
use crate::{
    core::{Entry, EntryKind, Phase},
    ui::{ToastAnswer, Toasts},
    UseGuestChatReturn,
};
use leptos::prelude::*;
use serde::Serialize;
use web_sys::HtmlElement;

/// Why a command was refused, in words a site's developer reads in the console.
pub type Refusal = String;

/// Runs Messenger's command `name`; `text` is `sendMessage`'s message (empty when the
/// options carried none). The page API turns the answer into the command's promise and
/// callbacks.
pub fn run(
    name: &str,
    text: &str,
    open: RwSignal<bool>,
    chat: Option<&UseGuestChatReturn>,
    host: &HtmlElement,
) -> Result<(), Refusal> {
    match name {
        "Messenger.open" => open.set(true),
        "Messenger.close" => open.set(false),
        _ => {
            let chat = chat.ok_or("the widget is not configured")?;
            messaging_service(name, text, chat, host)?;
        }
    }
    Ok(())
}

fn messaging_service(
    name: &str,
    text: &str,
    chat: &UseGuestChatReturn,
    host: &HtmlElement,
) -> Result<(), Refusal> {
    match name {
        "MessagingService.sendMessage" => {
            if text.trim().is_empty() {
                return Err("options must be {message: \"text\"} with some text".into());
            }
            chat.send(text.to_string());
        }
        // The conversation starts as the widget loads, and its history is read when it
        // resumes: both are done by the time a command can reach the widget.
        "MessagingService.startConversation" | "MessagingService.fetchHistory" => {}
        "MessagingService.clearConversation" => {
            if !chat.can_clear {
                return Err("clearing the conversation is off for this deployment".into());
            }
            chat.clear_conversation();
        }
        "MessagingService.resetConversation" => {
            if !chat.can_start_over {
                return Err("this service keeps no conversation to reset".into());
            }
            chat.start_new_chat();
            tell(host, "MessagingService.conversationReset", &Empty {});
        }
        _ => return Err("not a command of this widget".into()),
    }
    Ok(())
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct Messages<'a> {
    messages: Vec<Message<'a>>,
}

/// An entry as a Web Messaging `StructuredMessage` body, the shape Messenger's
/// `messagesReceived` carries.
#[derive(Serialize)]
struct Message<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
    direction: &'static str,
    channel: Channel<'a>,
}

#[derive(Serialize)]
struct Channel<'a> {
    /// Milliseconds since the epoch; Messenger writes an ISO time, and a page that
    /// reads it as a `Date` gets the same moment from either.
    time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<From<'a>>,
}

#[derive(Serialize)]
struct From<'a> {
    nickname: &'a str,
}

#[derive(Serialize)]
struct Reason<'a> {
    message: &'a str,
}

fn message(entry: &Entry) -> Option<Message<'_>> {
    let direction = match entry.kind {
        EntryKind::Agent => "Outbound",
        EntryKind::Guest => "Inbound",
        _ => return None,
    };
    Some(Message {
        id: entry.server_id.as_deref(),
        kind: "Text",
        text: &entry.text,
        direction,
        channel: Channel {
            time: entry.at_ms as i64,
            from: entry
                .agent_name
                .as_deref()
                .map(|nickname| From { nickname }),
        },
    })
}

/// Dispatches Messenger's event `name` with `data` for the loader to publish.
fn tell(host: &HtmlElement, name: &str, data: &impl Serialize) {
    let data = serde_json::to_string(data).unwrap_or_else(|_| "{}".into());
    emit(host, "messenger", &[("event", name), ("data", &data)]);
}

/// Turns the chat's signals into Messenger's events.
pub fn forward(host: HtmlElement, chat: UseGuestChatReturn, open: RwSignal<bool>, toasts: Toasts) {
    let on_toast = host.clone();
    Effect::new(move |_| {
        let name = match toasts.answers.get() {
            Some(ToastAnswer::Accepted) => "Toaster.accepted",
            Some(ToastAnswer::Declined) => "Toaster.declined",
            Some(ToastAnswer::Closed) => "Toaster.closed",
            None => return,
        };
        tell(&on_toast, name, &Empty {});
    });
    let resumed = chat.chunks.with_untracked(|chunks| !chunks.is_empty());
    let on_messages = host.clone();
    Effect::new(move |_| {
        chat.news.with(|news| {
            let messages: Vec<_> = news.entries.iter().filter_map(message).collect();
            if !messages.is_empty() {
                tell(
                    &on_messages,
                    "MessagingService.messagesReceived",
                    &Messages { messages },
                );
            }
            // Signing in, as Messenger's `Auth` plugin tells it; never a token.
            for (name, reason) in news
                .entries
                .iter()
                .filter_map(|e| super::sign_in_event(e.system?))
            {
                let event = match (name, reason) {
                    ("signed-in", _) => "Auth.authenticated",
                    ("signed-out", _) => "Auth.logoutSuccess",
                    (_, "expired") => "Auth.tokenError",
                    _ => "Auth.authError",
                };
                tell(&on_messages, event, &Reason { message: reason });
            }
            for entry in news.entries.iter().filter(|e| e.kind == EntryKind::Error) {
                tell(
                    &on_messages,
                    "MessagingService.error",
                    &Reason {
                        message: &entry.text,
                    },
                );
            }
        });
    });
    let on_typing = host.clone();
    Effect::new(move |was: Option<bool>| {
        let typing = chat.agent_typing.get();
        match (was, typing) {
            (Some(false) | None, true) => {
                tell(&on_typing, "MessagingService.typingReceived", &Empty {})
            }
            (Some(true), false) => tell(&on_typing, "MessagingService.typingTimeout", &Empty {}),
            _ => {}
        }
        typing
    });
    let on_phase = host.clone();
    // (the phase before, whether the conversation has been connected once)
    Effect::new(move |was: Option<(Phase, bool)>| {
        let phase = chat.connection.with(|c| c.phase());
        let (before, mut connected_once) = was.unwrap_or((Phase::Idle, false));
        if phase != before {
            let name = match phase {
                Phase::Connected if !connected_once => {
                    connected_once = true;
                    Some(if resumed {
                        "MessagingService.restored"
                    } else {
                        "MessagingService.started"
                    })
                }
                Phase::Connected => Some("MessagingService.reconnected"),
                Phase::Offline | Phase::Reconnecting if before == Phase::Connected => {
                    Some("MessagingService.offline")
                }
                Phase::Ended => Some("MessagingService.conversationDisconnected"),
                _ => None,
            };
            if let Some(name) = name {
                tell(&on_phase, name, &Empty {});
            }
            if phase == Phase::Ended {
                tell(
                    &on_phase,
                    "MessagingService.readOnlyConversation",
                    &Empty {},
                );
            }
        }
        (phase, connected_once)
    });
    let on_clear = host.clone();
    Effect::new(move |had_entries: Option<bool>| {
        let has = chat.chunks.with(|chunks| !chunks.is_empty());
        if had_entries == Some(true) && !has {
            tell(&on_clear, "MessagingService.conversationCleared", &Empty {});
        }
        has
    });
    let on_open = host;
    // Measured now: a command may open the panel before the effect first runs.
    let initially = open.get_untracked();
    Effect::new(move |was: Option<bool>| {
        let now = open.get();
        if was.unwrap_or(initially) != now {
            let name = if now {
                "Messenger.opened"
            } else {
                "Messenger.closed"
            };
            tell(&on_open, name, &Empty {});
        }
        now
    });
}
