//! The scripted agent: what a visitor meets when no person sits at the console.

use crate::{
    genesys::sample_quick_replies,
    shared::{AgentMode, AppState, Heard, AGENT_NAME},
};
use guest_chat_protocol::RoutingStatus;

/// Answers what the protocols tell: registered with the state when the router is built.
pub(crate) fn hear(state: &AppState, heard: Heard) {
    let state = state.clone();
    match heard {
        Heard::TutorialJoined { session_id } => start_script(state, session_id),
        Heard::TutorialSaid { session_id, text } => on_guest_message(state, session_id, text),
        Heard::GenesysJoined { token } => genesys_greet(state, token),
        Heard::GenesysSaid { token, text } => genesys_answer(state, token, text),
    }
}

fn scripted_and_free(state: &AppState, session_id: &str) -> bool {
    state.config().agent == AgentMode::Scripted
        && state
            .sessions()
            .get(session_id)
            .is_some_and(|s| !s.taken_over && !s.ended)
}

/// Queues the guest, then connects and greets.
fn start_script(state: AppState, session_id: String) {
    state.set_routing(&session_id, RoutingStatus::Queued, Some(1));
    tokio::spawn(async move {
        tokio::time::sleep(state.config().queue_time).await;
        if !scripted_and_free(&state, &session_id) {
            return;
        }
        state.set_routing(&session_id, RoutingStatus::Connected, None);
        let name = state
            .sessions()
            .get(&session_id)
            .and_then(|s| s.guest_name.clone())
            .unwrap_or_else(|| "there".into());
        state.agent_message(
            &session_id,
            &format!("Hi {name}, I'm {AGENT_NAME}. How can I help you today?"),
            AGENT_NAME,
        );
    });
}

/// Shows typing, then answers.
fn on_guest_message(state: AppState, session_id: String, text: String) {
    if !scripted_and_free(&state, &session_id) {
        return;
    }
    tokio::spawn(async move {
        state.set_typing(&session_id, true);
        tokio::time::sleep(state.config().typing_time).await;
        if !scripted_and_free(&state, &session_id) {
            state.set_typing(&session_id, false);
            return;
        }
        let preview: String = text.chars().take(80).collect();
        state.agent_message(
            &session_id,
            &format!("Thanks, I got your message: \"{preview}\". (Scripted reply: open the agent console to answer as a person.)"),
            AGENT_NAME,
        );
    });
}

/// Greets a new Genesys session as a bot would.
fn genesys_greet(state: AppState, token: String) {
    if !state.genesys_scripted_and_free(&token) {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(state.config().queue_time).await;
        if state.genesys_scripted_and_free(&token) {
            // A bot greets with quick replies, as Genesys Cloud flows usually do.
            state.genesys_rich_message(
                &token,
                &format!("Hi, I'm {AGENT_NAME}. How can I help you today?"),
                sample_quick_replies(),
            );
        }
    });
}

/// Types, then answers a Genesys guest's message.
fn genesys_answer(state: AppState, token: String, text: String) {
    if !state.genesys_scripted_and_free(&token) {
        return;
    }
    tokio::spawn(async move {
        let typing = state.config().typing_time;
        state.genesys_typing(&token, typing.as_millis() as u64 + 1000);
        tokio::time::sleep(typing).await;
        if state.genesys_scripted_and_free(&token) {
            let preview: String = text.chars().take(80).collect();
            state.genesys_agent_message(
                &token,
                &format!("Thanks, I got your message: \"{preview}\"."),
                AGENT_NAME,
                true,
            );
        }
    });
}
