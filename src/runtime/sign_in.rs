//! Carrying out the sign-in flow's requests: the token exchange, the refresh and the
//! revocation over HTTP through the chat's wire protocol, and the refresh's timer.
//! Tokens go only into the requests; nothing here logs them.
//!
//! And the sign-in the widget runs itself: the site's authorize page in a window of its
//! own, watched until it comes back to the redirect URI with a code. A window keeps the
//! page and its conversation where they are, which a redirect of the whole page would
//! not.

use super::{
    controller::{controller, dispatch, ChatHandle, Controller},
    http,
    sign_in_window::SignInWindow,
    timers::{Interval, Timeout},
};
use crate::{
    core::auth::{jwt_lifetime_s, AuthEffect, AuthEvent, ProviderAnswer, SignInRequest},
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

/// How often the window's address is looked at: its answer shows within this.
const WATCH_EVERY_MS: u32 = 250;

/// Opens the provider's authorize page for the chat's configured sign-in. `Err` says
/// why not to the page's code; a blocked window is the visitor's to hear.
pub(super) fn open_sign_in_window(chat: ChatHandle) -> Result<(), &'static str> {
    let c = controller(chat).ok_or("the widget is not configured")?;
    let page = c.state.borrow().core.config().sign_in_page.clone().ok_or(
        "set data-auth-authorize-url and data-auth-client-id, or pass { code, redirectUri }",
    )?;
    let window = web_sys::window().ok_or("no window")?;
    let redirect_uri = match page.redirect_uri.clone() {
        Some(uri) => uri,
        None => {
            let location = window.location();
            format!(
                "{}{}",
                location.origin().unwrap_or_default(),
                location.pathname().unwrap_or_default()
            )
        }
    };
    let mut bytes = [0u8; 64];
    window
        .crypto()
        .and_then(|crypto| crypto.get_random_values_with_u8_array(&mut bytes))
        .map_err(|_| "this browser has no secure random numbers")?;
    let request = SignInRequest::from_random(&bytes, redirect_uri);
    let opened = window
        .open_with_url_and_target_and_features(
            &request.authorize_address(&page),
            "guest-chat-sign-in",
            "popup,width=480,height=640",
        )
        .ok()
        .flatten();
    let Some(popup) = opened else {
        dispatch(chat, Event::Auth(AuthEvent::WindowBlocked));
        return Ok(());
    };
    let watched = popup.clone();
    let watch = Interval::new(WATCH_EVERY_MS, move || {
        // Closed by the visitor: they changed their mind, which needs no words.
        let answer = if watched.closed().unwrap_or(true) {
            None
        } else {
            // At the provider the address is another origin's and cannot be read.
            match watched.location().href() {
                Ok(address) => match request.read_answer(&address) {
                    ProviderAnswer::Pending => return,
                    ProviderAnswer::Code(code) => Some(AuthEvent::SignIn(code)),
                    ProviderAnswer::Refused => Some(AuthEvent::ProviderRefused),
                },
                Err(_) => return,
            }
        };
        if let Some(c) = controller(chat) {
            // Dropped outside the borrow: closing the window runs no chat code, but
            // the interval's own closure is this one.
            let window = c.state.borrow_mut().resources.sign_in_window.take();
            drop(window);
        }
        if let Some(event) = answer {
            dispatch(chat, Event::Auth(event));
        }
    });
    c.state.borrow_mut().resources.sign_in_window = Some(SignInWindow {
        window: popup,
        _watch: watch,
    });
    Ok(())
}
