//! Window events the chat reacts to, listened to for as long as the handle lives.

use leptos::prelude::{window_event_listener, WindowListenerHandle};
use wasm_bindgen::{closure::Closure, JsCast};

/// What the page and the network tell the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageEvent {
    Online,
    Offline,
    /// The page became visible again (after sleep, or from a background tab).
    Visible,
    /// The page is hidden: what is kept must be written now.
    Hidden,
    /// The page is left, or frozen (back/forward cache, a discarded background tab): its
    /// connection goes to another tab.
    Leaving,
    /// The page is back from the back/forward cache or from being frozen.
    Returned,
}

/// Removes its listeners when dropped.
pub struct PageListeners(Vec<WindowListenerHandle>, Vec<Closure<dyn FnMut()>>);

impl PageListeners {
    pub fn listen(on_event: impl Fn(PageEvent) + Clone + 'static) -> Self {
        let on_online = on_event.clone();
        let on_offline = on_event.clone();
        let on_visibility = on_event.clone();
        let on_leaving = on_event.clone();
        let on_shown = on_event.clone();
        // `freeze` and `resume` are the document's, and not in Leptos's event list.
        let mut lifecycle = vec![];
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            for (name, event) in [
                ("freeze", PageEvent::Leaving),
                ("resume", PageEvent::Returned),
            ] {
                let on_event = on_event.clone();
                let listener = Closure::<dyn FnMut()>::new(move || on_event(event));
                let _ = document
                    .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
                lifecycle.push(listener);
            }
        }
        PageListeners(
            vec![
                window_event_listener(leptos::ev::online, move |_| on_online(PageEvent::Online)),
                window_event_listener(leptos::ev::offline, move |_| on_offline(PageEvent::Offline)),
                window_event_listener(leptos::ev::visibilitychange, move |_| {
                    on_visibility(if page_visible() {
                        PageEvent::Visible
                    } else {
                        PageEvent::Hidden
                    });
                }),
                window_event_listener(leptos::ev::pagehide, move |_| {
                    on_leaving(PageEvent::Leaving)
                }),
                window_event_listener(leptos::ev::pageshow, move |ev| {
                    if ev.persisted() {
                        on_shown(PageEvent::Returned);
                    }
                }),
            ],
            lifecycle,
        )
    }
}

impl Drop for PageListeners {
    fn drop(&mut self) {
        for listener in self.0.drain(..) {
            listener.remove();
        }
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            for (name, listener) in ["freeze", "resume"].into_iter().zip(self.1.drain(..)) {
                let _ = document
                    .remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
            }
        }
    }
}

/// Whether the page is shown (not a background tab, not a minimised window).
pub fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
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
