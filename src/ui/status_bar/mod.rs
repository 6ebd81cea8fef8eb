use crate::{core::Connection, UseGuestChatReturn};
use leptos::{html, prelude::*, wasm_bindgen::JsCast};

/// The connection status, what to do when something failed or ended, and the chat's
/// options.
#[component]
pub fn StatusBar(chat: UseGuestChatReturn) -> impl IntoView {
    let connection = chat.connection;
    let strings = chat.strings;
    let line = move || connection.with(|c| strings.status_line(c));
    let hint = move || connection.with(|c| strings.hint(c));
    let state = move || connection.with(|c| c.phase().as_str());
    // After a failure the button tries again; after an ended chat it starts a new one,
    // where the protocol allows it.
    let ended = move || chat.can_start_over && connection.with(|c| *c == Connection::Ended);
    let actionable = move || connection.with(|c| c.phase().is_failure()) || ended();
    view! {
        <div class="gc-status-bar" data-state=state>
            <p class="gc-status">{line}</p>
            <Show when=move || chat.can_clear || chat.can_sign_in || chat.signed_in.get()>
                <ChatMenu chat />
            </Show>
            <Show when=actionable>
                <p class="gc-hint" hidden=move || hint().is_none()>{hint}</p>
                <button
                    type="button"
                    class="gc-retry"
                    class:gc-new-chat=ended
                    on:click=move |_| {
                        if ended() { chat.start_new_chat() } else { chat.retry() }
                    }
                >
                    {move || if ended() { strings.start_new_chat } else { strings.retry }}
                </button>
            </Show>
        </div>
    }
}

/// What the visitor may do with the conversation itself: sign in or out, and erase it,
/// once confirmed.
#[component]
fn ChatMenu(chat: UseGuestChatReturn) -> impl IntoView {
    let strings = chat.strings;
    let confirming = RwSignal::new(false);
    let menu = NodeRef::<html::Details>::new();
    let cancel = NodeRef::<html::Button>::new();
    let close = move || {
        confirming.set(false);
        if let Some(menu) = menu.get_untracked() {
            menu.set_open(false);
            if let Some(summary) = menu.first_element_child() {
                if let Ok(summary) = summary.dyn_into::<web_sys::HtmlElement>() {
                    let _ = summary.focus();
                }
            }
        }
    };
    view! {
        <details
            class="gc-menu"
            node_ref=menu
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    ev.stop_propagation();
                    close();
                }
            }
        >
            <summary class="gc-menu-toggle" aria-label=strings.chat_options title=strings.chat_options>
                "⋯"
            </summary>
            <div class="gc-menu-items">
                <button
                    type="button"
                    class="gc-sign-in"
                    hidden=move || !chat.can_sign_in || chat.signed_in.get() || confirming.get()
                    on:click=move |_| {
                        if let Err(why) = chat.sign_in_at_provider() {
                            web_sys::console::warn_1(&format!("guest-chat: {why}").into());
                        }
                        close();
                    }
                >
                    {strings.sign_in}
                </button>
                <button
                    type="button"
                    class="gc-sign-out"
                    hidden=move || !chat.signed_in.get() || confirming.get()
                    on:click=move |_| {
                        chat.sign_out();
                        close();
                    }
                >
                    {strings.sign_out}
                </button>
                <button
                    type="button"
                    class="gc-clear"
                    hidden=move || !chat.can_clear || confirming.get()
                    on:click=move |_| {
                        confirming.set(true);
                        // The safe choice takes focus once the question shows.
                        request_animation_frame(move || {
                            if let Some(button) = cancel.get_untracked() {
                                let _ = button.focus();
                            }
                        });
                    }
                >
                    {strings.clear_conversation}
                </button>
                <p class="gc-confirm-text" hidden=move || !confirming.get()>
                    {strings.clear_confirm}
                </p>
                <button
                    type="button"
                    class="gc-confirm-clear"
                    hidden=move || !confirming.get()
                    on:click=move |_| {
                        chat.clear_conversation();
                        close();
                    }
                >
                    {strings.clear_yes}
                </button>
                <button
                    type="button"
                    class="gc-confirm-cancel"
                    hidden=move || !confirming.get()
                    node_ref=cancel
                    on:click=move |_| close()
                >
                    {strings.cancel}
                </button>
            </div>
        </details>
    }
}
