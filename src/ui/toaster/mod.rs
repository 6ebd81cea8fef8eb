//! A prompt the page opens near the launcher (Genesys Messenger's `Toaster.open`): a
//! title, a line of text and up to two buttons. It offers; the page decides what an
//! answer does (most open the chat on `Toaster.accepted`).

use crate::UseGuestChatReturn;
use leptos::prelude::*;

/// What the page asked to show. Every part is text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub title: String,
    pub body: String,
    /// The buttons' words; an empty one is not shown.
    pub accept: String,
    pub decline: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastAnswer {
    Accepted,
    Declined,
    /// Dismissed, or put away because the chat opened.
    Closed,
}

/// The prompt on show, and the latest answer to one; provided by the embedded widget.
#[derive(Clone, Copy)]
pub struct Toasts {
    pub shown: RwSignal<Option<Toast>>,
    pub answers: RwSignal<Option<ToastAnswer>>,
}

impl Toasts {
    pub fn new() -> Toasts {
        Toasts {
            shown: RwSignal::new(None),
            answers: RwSignal::new(None),
        }
    }

    pub fn show(&self, toast: Toast) {
        self.shown.set(Some(toast));
    }

    pub fn answer(&self, answer: ToastAnswer) {
        if self.shown.get_untracked().is_some() {
            self.shown.set(None);
            self.answers.set(Some(answer));
        }
    }
}

impl Default for Toasts {
    fn default() -> Self {
        Toasts::new()
    }
}

/// The prompt, above the launcher, while the panel is closed; nothing without
/// [`Toasts`] in context.
#[component]
pub fn Toaster(chat: UseGuestChatReturn, open: RwSignal<bool>) -> impl IntoView {
    let Some(toasts) = use_context::<Toasts>() else {
        return ().into_any();
    };
    // The chat opening answers the prompt: it is no longer needed.
    Effect::new(move |_| {
        if open.get() {
            toasts.answer(ToastAnswer::Closed);
        }
    });
    let strings = chat.strings;
    let part = move |pick: fn(&Toast) -> &String| {
        move || {
            toasts
                .shown
                .with(|t| t.as_ref().map(|t| pick(t).clone()).unwrap_or_default())
        }
    };
    let (title, body) = (part(|t| &t.title), part(|t| &t.body));
    let (accept, decline) = (part(|t| &t.accept), part(|t| &t.decline));
    // Always in the page, hidden when there is none: a live region that is already there
    // when its text changes is announced, and fixed elements cost less than mounted ones.
    view! {
        <section
            class="gc-toast"
            part="toast"
            role="status"
            aria-label=title
            hidden=move || toasts.shown.with(Option::is_none) || open.get()
        >
            <button
                type="button"
                class="gc-toast-close"
                aria-label=strings.dismiss
                title=strings.dismiss
                on:click=move |_| toasts.answer(ToastAnswer::Closed)
            >
                "×"
            </button>
            <p class="gc-toast-title">{title}</p>
            <p class="gc-toast-body">{body}</p>
            <div class="gc-toast-buttons">
                <button
                    type="button"
                    class="gc-toast-accept"
                    hidden=move || accept().is_empty()
                    on:click=move |_| toasts.answer(ToastAnswer::Accepted)
                >
                    {accept}
                </button>
                <button
                    type="button"
                    class="gc-toast-decline"
                    hidden=move || decline().is_empty()
                    on:click=move |_| toasts.answer(ToastAnswer::Declined)
                >
                    {decline}
                </button>
            </div>
        </section>
    }
    .into_any()
}
