use crate::{core::Connection, UseGuestChatReturn};
use leptos::prelude::*;

/// The connection status, and what to do when something failed.
#[component]
pub fn StatusBar(chat: UseGuestChatReturn) -> impl IntoView {
    let connection = chat.connection;
    let strings = chat.strings;
    let line = move || connection.with(|c| strings.status_line(c));
    let hint = move || {
        connection.with(|c| match c {
            Connection::SessionFailed(failure) => Some(strings.failure_hint(failure)),
            Connection::GaveUp => {
                Some("Check your internet connection, then try again.".to_string())
            }
            _ => None,
        })
    };
    let failed =
        move || connection.with(|c| matches!(c, Connection::SessionFailed(_) | Connection::GaveUp));
    let state = move || {
        connection.with(|c| match c {
            Connection::Connected => "connected",
            Connection::SessionFailed(_) | Connection::GaveUp => "failed",
            Connection::Ended => "ended",
            Connection::Disconnected { .. } | Connection::Reconnecting { .. } => "reconnecting",
            _ => "connecting",
        })
    };
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
