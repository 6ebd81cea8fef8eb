use crate::{core::Connection, UseGuestChatReturn};
use leptos::{html, prelude::*};

/// The connection status, what to do when something failed, and the chat's options.
#[component]
pub fn StatusBar(chat: UseGuestChatReturn) -> impl IntoView {
    let connection = chat.connection;
    let strings = chat.strings;
    let line = move || connection.with(|c| strings.status_line(c));
    let hint = move || connection.with(|c| strings.hint(c));
    let failed = move || connection.with(|c| c.phase().is_failure());
    let state = move || connection.with(|c| c.phase().as_str());
    let ended = move || chat.can_start_over && connection.with(|c| *c == Connection::Ended);
    view! {
        <div class="gc-status-bar" data-state=state>
            <p class="gc-status">{line}</p>
            <Show when=move || chat.can_start_over>
                <ChatMenu chat />
            </Show>
            <Show when=failed>
                <p class="gc-hint">{hint}</p>
                <button type="button" class="gc-retry" on:click=move |_| chat.retry()>
                    {strings.retry}
                </button>
            </Show>
            <Show when=ended>
                <button
                    type="button"
                    class="gc-retry gc-new-chat"
                    on:click=move |_| chat.start_new_chat()
                >
                    {strings.start_new_chat}
                </button>
            </Show>
        </div>
    }
}

/// What the visitor may do with the conversation itself: erase it, after saying so twice.
#[component]
fn ChatMenu(chat: UseGuestChatReturn) -> impl IntoView {
    let strings = chat.strings;
    let open = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let toggle = NodeRef::<html::Button>::new();
    let cancel = NodeRef::<html::Button>::new();
    let close = move || {
        open.set(false);
        confirming.set(false);
        if let Some(button) = toggle.get_untracked() {
            let _ = button.focus();
        }
    };
    // The safe choice takes focus when the question appears.
    Effect::new(move |_| {
        if confirming.get() {
            if let Some(button) = cancel.get() {
                let _ = button.focus();
            }
        }
    });
    view! {
        <div
            class="gc-menu"
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" && open.get_untracked() {
                    ev.stop_propagation();
                    close();
                }
            }
        >
            <button
                type="button"
                class="gc-menu-toggle"
                aria-label=strings.chat_options
                title=strings.chat_options
                aria-haspopup="true"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                node_ref=toggle
                on:click=move |_| {
                    open.update(|o| *o = !*o);
                    confirming.set(false);
                }
            >
                "⋯"
            </button>
            <Show when=move || open.get() && !confirming.get()>
                <div class="gc-menu-items">
                    <button
                        type="button"
                        class="gc-clear"
                        on:click=move |_| confirming.set(true)
                    >
                        {strings.clear_conversation}
                    </button>
                </div>
            </Show>
            <Show when=move || confirming.get()>
                <div class="gc-menu-items gc-confirm" role="group" aria-label=strings.clear_conversation>
                    <p class="gc-confirm-text">{strings.clear_confirm}</p>
                    <button
                        type="button"
                        class="gc-confirm-clear"
                        on:click=move |_| {
                            chat.clear_conversation();
                            close();
                        }
                    >
                        {strings.clear_yes}
                    </button>
                    <button type="button" class="gc-confirm-cancel" node_ref=cancel on:click=move |_| close()>
                        {strings.cancel}
                    </button>
                </div>
            </Show>
        </div>
    }
}
