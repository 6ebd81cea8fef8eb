use crate::UseGuestChatReturn;
use leptos::prelude::*;

/// The connection status, and what to do when something failed.
#[component]
pub fn StatusBar(chat: UseGuestChatReturn) -> impl IntoView {
    let connection = chat.connection;
    let strings = chat.strings;
    let line = move || connection.with(|c| strings.status_line(c));
    let hint = move || connection.with(|c| strings.hint(c));
    let failed = move || connection.with(|c| c.phase().is_failure());
    let state = move || connection.with(|c| c.phase().as_str());
    view! {
        <div class="gc-status-bar" data-state=state>
            <p class="gc-status">{line}</p>
            <Show when=failed>
                <p class="gc-hint">{hint}</p>
                <button type="button" class="gc-retry" on:click=move |_| chat.retry()>
                    {strings.retry}
                </button>
            </Show>
        </div>
    }
}
