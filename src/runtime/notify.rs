//! A short sound and a system notification for an agent's message while the visitor
//! is away (the page hidden or the panel closed), where the site turned them on
//! (`data-notify`, `GuestChat.notify`) and the visitor allowed them from inside the
//! panel. The browser's permission is never asked for unprompted.

use super::{handle::UseGuestChatReturn, window::page_visible};
use crate::core::{markdown, EntryKind};
use leptos::prelude::*;
use web_sys::{AudioContext, Notification, NotificationOptions, NotificationPermission};

/// What the panel shows of notifications.
#[derive(Clone, Copy)]
pub struct UseNotificationsReturn {
    wanted: RwSignal<bool>,
    permission: RwSignal<NotificationPermission>,
    sound: StoredValue<Option<AudioContext>, LocalStorage>,
}

impl UseNotificationsReturn {
    /// The site wants them and the visitor has not answered the browser yet: the panel
    /// offers them.
    pub fn can_offer(&self) -> bool {
        self.wanted.get() && self.permission.get() == NotificationPermission::Default
    }

    /// Asks the browser, from the visitor's click (the one moment a browser lets a page
    /// ask, and start sound).
    pub fn ask(&self) {
        if self.sound.with_value(Option::is_none) {
            self.sound.set_value(AudioContext::new().ok());
        }
        let permission = self.permission;
        let Ok(asked) = Notification::request_permission() else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
            permission.try_set(Notification::permission());
        });
    }
}

fn supported() -> bool {
    js_sys::Reflect::has(&window(), &"Notification".into()).unwrap_or(false)
}

/// Watches the chat's news for as long as the calling component lives; `open` is the
/// panel's state.
pub fn use_notifications(chat: UseGuestChatReturn, open: RwSignal<bool>) -> UseNotificationsReturn {
    let permission = RwSignal::new(if supported() {
        Notification::permission()
    } else {
        NotificationPermission::Denied
    });
    let sound = StoredValue::new_local(None::<AudioContext>);
    let strings = chat.strings;
    Effect::new(move |last: Option<u64>| {
        let batch = chat.news.with(|news| news.batch);
        let away = !open.get_untracked() || !page_visible();
        let allowed = chat.notify.get_untracked()
            && permission.get_untracked() == NotificationPermission::Granted;
        // Only the tab holding the connection tells: the others show the same messages.
        if last.is_none_or(|l| l == batch) || !away || !allowed || !chat.is_leading() {
            return batch;
        }
        let newest = chat.news.with_untracked(|news| {
            news.entries
                .iter()
                .rev()
                .find(|e| e.kind == EntryKind::Agent)
                .map(|e| {
                    let words = if chat.markdown {
                        markdown::spoken(&e.text)
                    } else {
                        e.text.to_string()
                    };
                    strings.agent_says(e.agent_name.as_deref(), &words)
                })
        });
        if let Some(body) = newest {
            let options = NotificationOptions::new();
            options.set_body(&body.chars().take(160).collect::<String>());
            // One notification for the conversation, replaced by the next.
            options.set_tag("guest-chat");
            let _ = Notification::new_with_options(strings.notification_title, &options);
            sound.with_value(|context| {
                if let Some(context) = context {
                    chime(context);
                }
            });
        }
        batch
    });
    UseNotificationsReturn {
        wanted: chat.notify,
        permission,
        sound,
    }
}

/// A soft two-tone chime, made by the browser: no sound file ships with the widget.
fn chime(context: &AudioContext) {
    let _ = context.resume();
    let now = context.current_time();
    for (i, pitch) in [880.0, 1320.0].into_iter().enumerate() {
        let (Ok(tone), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else {
            return;
        };
        let start = now + i as f64 * 0.12;
        tone.frequency().set_value(pitch);
        let volume = gain.gain();
        volume.set_value(0.0);
        let _ = volume.linear_ramp_to_value_at_time(0.15, start + 0.02);
        let _ = volume.linear_ramp_to_value_at_time(0.0, start + 0.2);
        let _ = tone.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&context.destination());
        let _ = tone.start_with_when(start);
        let _ = tone.stop_with_when(start + 0.22);
    }
}
