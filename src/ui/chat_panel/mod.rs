use super::{composer::Composer, status_bar::StatusBar, transcript::Transcript};
use crate::{
    core::{Config, ConfigError},
    use_guest_chat, UseGuestChatReturn,
};
use leptos::prelude::*;

/// The whole widget inline in the page, for one configuration; a configuration error
/// is shown in its place.
#[component]
pub fn GuestChat(config: Result<Config, ConfigError>) -> impl IntoView {
    match config {
        Ok(config) => {
            let theme = config.theme.as_str();
            let chat = use_guest_chat(config);
            view! { <ChatView chat theme /> }.into_any()
        }
        Err(err) => view! { <ConfigProblem err /> }.into_any(),
    }
}

/// What a site owner must fix, shown where the chat would be.
#[component]
pub fn ConfigProblem(err: ConfigError) -> impl IntoView {
    view! {
        <section class="gc gc-misconfigured" aria-label="Chat">
            <p class="gc-status gc-status-error" role="alert">{err.to_string()}</p>
        </section>
    }
}

/// Status, transcript and composer of one chat.
#[component]
pub fn ChatView(chat: UseGuestChatReturn, theme: &'static str) -> impl IntoView {
    view! {
        <section class="gc" data-theme=theme aria-label="Chat" part="chat">
            <StatusBar chat />
            <Transcript chat />
            <Composer chat />
        </section>
    }
}
