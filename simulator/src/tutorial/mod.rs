//! The tutorial's Guest API: a REST call makes a guest session, a WebSocket carries the
//! conversation. The protocol exists only in the tutorial, so this is its server.

mod control;
mod ops;
mod rest;
mod socket;

use crate::shared::AppState;
use axum::{
    routing::{get, post},
    Router,
};
use guest_chat_protocol::{SESSIONS_PATH, WS_PATH};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(SESSIONS_PATH, post(rest::create_session))
        .route(WS_PATH, get(socket::guest_socket))
        .route("/guest-session", post(rest::backend_session))
}

pub(crate) use control::routes as control_routes;
