//! Window events the chat reacts to, listened to for as long as the handle lives.

use leptos::prelude::{window_event_listener, WindowListenerHandle};

/// What the page and the network tell the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageEvent {
    Online,
    Offline,
    /// The page became visible again (after sleep, or from a background tab).
    Visible,
    /// The page is hidden, frozen or left: what is kept must be written now.
    Leaving,
}

/// Removes its listeners when dropped.
pub struct PageListeners(Vec<WindowListenerHandle>);

impl PageListeners {
    pub fn listen(on_event: impl Fn(PageEvent) + Clone + 'static) -> Self {
        let on_online = on_event.clone();
        let on_offline = on_event.clone();
        let on_visibility = on_event.clone();
        let on_leaving = on_event;
        PageListeners(vec![
            window_event_listener(leptos::ev::online, move |_| on_online(PageEvent::Online)),
            window_event_listener(leptos::ev::offline, move |_| on_offline(PageEvent::Offline)),
            window_event_listener(leptos::ev::visibilitychange, move |_| {
                let visible = web_sys::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
                on_visibility(if visible {
                    PageEvent::Visible
                } else {
                    PageEvent::Leaving
                });
            }),
            window_event_listener(leptos::ev::pagehide, move |_| {
                on_leaving(PageEvent::Leaving)
            }),
        ])
    }
}

impl Drop for PageListeners {
    fn drop(&mut self) {
        for listener in self.0.drain(..) {
            listener.remove();
        }
    }
}

/// Whether the browser believes it is online.
pub fn is_online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

/// The visitor's languages, most preferred first.
pub fn browser_languages() -> Vec<String> {
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
