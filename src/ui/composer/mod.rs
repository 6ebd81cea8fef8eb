use crate::UseGuestChatReturn;
use leptos::{html, prelude::*};

/// Where the visitor writes. Enter sends; Shift+Enter starts a new line.
#[component]
pub fn Composer(chat: UseGuestChatReturn) -> impl IntoView {
    let input = NodeRef::<html::Textarea>::new();
    let disabled = move || !chat.can_compose.get();
    Effect::new(move |previous: Option<u32>| {
        let requests = chat.focus_requests.get();
        if previous.is_some_and(|p| p != requests) || (previous.is_none() && requests > 0) {
            if let Some(Some(el)) = input.try_get_untracked() {
                // The element was disabled until this very update; focus once it is enabled,
                // and never away from something the visitor focused on the page.
                request_animation_frame(move || {
                    if super::focus_is_free_or_ours(&el) {
                        let _ = el.focus();
                    }
                });
            }
        }
        requests
    });
    // The draft of the previous page comes back once the textarea exists.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            if el.value().is_empty() {
                el.set_value(&chat.saved("draft", true));
            }
        }
    });
    let submit = move || {
        if let Some(el) = input.get_untracked() {
            let text = el.value();
            if !text.trim().is_empty() {
                chat.send(text);
                el.set_value("");
                chat.save("draft", "", true);
            }
        }
    };
    view! {
        <form
            class="gc-composer"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <textarea
                class="gc-input"
                rows="1"
                aria-label=chat.strings.message_label
                placeholder=chat.strings.placeholder
                node_ref=input
                disabled=disabled
                on:input=move |ev| {
                    chat.save("draft", &event_target_value(&ev), true);
                    chat.typing();
                }
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        submit();
                    }
                }
            ></textarea>
            <button type="submit" class="gc-send" disabled=disabled>
                {chat.strings.send}
            </button>
        </form>
    }
}
