//! Carrying out the sign-in flow's requests: the token exchange, the refresh and the
//! revocation over HTTP through the chat's wire protocol, and the refresh's timer.
//! Tokens go only into the requests; nothing here logs them.

use super::{
    controller::{dispatch, ChatHandle, Controller},
    http,
    timers::Timeout,
};
use crate::{
    core::auth::{jwt_lifetime_s, AuthEffect, AuthEvent},
    core::Event,
    protocol::{TokenRequest, WireProtocol},
};

impl Controller {
    pub(super) fn run_auth(&self, chat: ChatHandle, effect: AuthEffect) {
        let request = match &effect {
            AuthEffect::Exchange(code) => TokenRequest::Exchange(code),
            AuthEffect::Refresh { refresh_token } => TokenRequest::Refresh(refresh_token),
            AuthEffect::Revoke { jwt } => TokenRequest::Revoke(jwt),
            AuthEffect::ScheduleRefresh { delay_ms } => {
                let delay = (*delay_ms).min(u64::from(u32::MAX)) as u32;
                let timer = Timeout::new(delay, move || {
                    dispatch(chat, Event::Auth(AuthEvent::RefreshDue))
                });
                self.state.borrow_mut().resources.auth_refresh = Some(timer);
                return;
            }
            AuthEffect::CancelRefresh => {
                self.state.borrow_mut().resources.auth_refresh = None;
                return;
            }
            _ => return,
        };
        let wire = self.wire;
        let Some(request) = wire.token_request(self.state.borrow().core.config(), request) else {
            web_sys::console::warn_1(&"guest-chat: this protocol has no signed-in visitors".into());
            let refused = AuthEvent::ExchangeRefused { status: 0 };
            self.state
                .borrow_mut()
                .queue
                .push_back(Event::Auth(refused));
            return;
        };
        let answer = http::send(request);
        leptos::task::spawn_local(async move {
            let answer = answer.await.ok();
            let status = answer.as_ref().map_or(0, |a| a.status);
            let tokens = answer
                .filter(|a| a.ok)
                .and_then(|a| read_tokens(wire, &a.body));
            let event = match (effect, tokens) {
                (AuthEffect::Revoke { .. }, _) => AuthEvent::Revoked,
                (AuthEffect::Exchange(_), Some((tokens, lifetime_s))) => {
                    AuthEvent::Exchanged { tokens, lifetime_s }
                }
                (AuthEffect::Exchange(_), None) => AuthEvent::ExchangeRefused { status },
                (_, Some((tokens, lifetime_s))) => AuthEvent::Refreshed {
                    jwt: tokens.jwt,
                    lifetime_s,
                },
                (_, None) => AuthEvent::RefreshRefused { status },
            };
            dispatch(chat, Event::Auth(event));
        });
    }
}

/// The tokens of an answer and the JWT's lifetime from its own claims.
fn read_tokens(
    wire: &'static dyn WireProtocol,
    body: &str,
) -> Option<(crate::core::auth::Tokens, Option<u64>)> {
    let tokens = wire.read_tokens(body).ok()?;
    let now_s = (js_sys::Date::now() / 1000.0) as u64;
    let lifetime = jwt_lifetime_s(&tokens.jwt, now_s);
    Some((tokens, lifetime))
}
