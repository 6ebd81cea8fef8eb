use super::{composer::Composer, status_bar::StatusBar, transcript::Transcript};
use crate::{
    core::{Config, ConfigError},
    use_guest_chat,
};
use leptos::prelude::*;

/// The whole widget for one configuration; a configuration error is shown in its place.
#[component]
pub fn GuestChat(config: Result<Config, ConfigError>) -> impl IntoView {
    match config {
        Ok(config) => view! { <ChatPanel config /> }.into_any(),
        Err(err) => view! {
            <section class="gc gc-misconfigured" aria-label="Chat">
                <p class="gc-status gc-status-error" role="alert">{err.to_string()}</p>
            </section>
        }
        .into_any(),
    }
}

#[component]
fn ChatPanel(config: Config) -> impl IntoView {
    let chat = use_guest_chat(config);
    view! {
        <section class="gc" aria-label="Chat">
            <StatusBar chat />
            <Transcript chat />
            <Composer chat />
        </section>
    }
}
