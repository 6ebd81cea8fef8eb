//! A signed-in visitor's conversation in the core, Genesys Cloud mode: it starts as the
//! visitor once the code is exchanged, a guest steps up on the open connection, a
//! refused JWT is renewed and configured again, and signing out leaves nothing kept.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use guest_chat::core::auth::{AuthCode, AuthEffect, AuthEvent, AuthFailure, Tokens};
use guest_chat::core::*;

#[path = "helpers/genesys_core.rs"]
mod helpers;
use helpers::*;

fn code() -> AuthCode {
    AuthCode {
        code: "c".into(),
        redirect_uri: "https://shop.example/".into(),
        code_verifier: None,
        nonce: None,
        max_age: None,
    }
}

fn exchanged(jwt: &str) -> Event {
    Event::Auth(AuthEvent::Exchanged {
        tokens: Tokens {
            jwt: jwt.into(),
            refresh_token: Some("r".into()),
        },
        lifetime_s: Some(300),
    })
}

fn lines(core: &ChatCore) -> Vec<SystemLine> {
    core.transcript.iter().filter_map(|e| e.system).collect()
}

#[test]
fn a_chat_asked_to_start_during_the_exchange_starts_as_the_visitor_or_not_at_all() {
    let mut core = ChatCore::new(config_with(&[]), 1);
    core.apply(Event::Auth(AuthEvent::SignIn(code())));
    assert_eq!(core.apply(Event::Start), []);
    let effects = core.apply(exchanged("j1"));
    assert!(effects.contains(&Effect::CreateSession), "{effects:?}");
    assert_eq!(core.auth.jwt(), Some("j1"));
    assert_eq!(lines(&core), [SystemLine::SignedIn]);

    // A refused exchange starts nothing in its place.
    let mut refused = ChatCore::new(config_with(&[]), 1);
    refused.apply(Event::Auth(AuthEvent::SignIn(code())));
    refused.apply(Event::Start);
    let effects = refused.apply(Event::Auth(AuthEvent::ExchangeRefused { status: 400 }));
    assert_eq!(
        effects,
        [Effect::Auth(AuthEffect::Failed(AuthFailure::CodeRefused))]
    );
    assert_eq!(refused.connection, Connection::Idle);
    assert_eq!(
        lines(&refused),
        [SystemLine::SignInFailed {
            why: AuthFailure::CodeRefused
        }]
    );
}

#[test]
fn a_guest_steps_up_on_the_open_connection_and_a_refused_jwt_is_renewed() {
    let mut core = configured(true);
    core.apply(Event::Auth(AuthEvent::SignIn(code())));
    let effects = core.apply(exchanged("j1"));
    let frames = written(&effects);
    assert_eq!(frames.len(), 1, "{effects:?}");
    assert_eq!(frames[0]["action"], "configureAuthenticatedSession");
    assert_eq!(frames[0]["deploymentId"], "dep-1");
    assert_eq!(frames[0]["data"]["code"], "j1");
    // The service refuses the JWT: renewed, then configured again, once.
    let refused = r#"{"type":"response","class":"string","code":401,"body":"JWT expired"}"#;
    let effects = frame(&mut core, refused);
    assert_eq!(
        effects,
        [Effect::Auth(AuthEffect::Refresh {
            refresh_token: "r".into()
        })]
    );
    assert_eq!(frame(&mut core, refused), []);
    let effects = core.apply(Event::Auth(AuthEvent::Refreshed {
        jwt: "j2".into(),
        lifetime_s: Some(300),
    }));
    assert_eq!(written(&effects)[0]["data"]["code"], "j2");
    assert_eq!(core.snapshot().auth.unwrap().jwt, "j2");
}

#[test]
fn signing_out_keeps_nothing_of_the_signed_in_conversation() {
    let mut core = configured(true);
    core.apply(Event::Auth(AuthEvent::SignIn(code())));
    core.apply(exchanged("j1"));
    core.apply(Event::Send {
        text: "my order".into(),
        client_id: "c1".into(),
    });
    let effects = core.apply(Event::Auth(AuthEvent::SignOut));
    assert!(effects.contains(&Effect::Auth(AuthEffect::Revoke { jwt: "j1".into() })));
    // Forgotten before the revocation is answered.
    let kept = core.snapshot();
    assert_eq!((kept.auth, kept.session), (None, None));
    assert!(!kept.transcript.iter().any(|e| e.text.contains("my order")));
    let effects = core.apply(Event::Auth(AuthEvent::Revoked));
    assert!(effects.contains(&Effect::CreateSession), "{effects:?}");
    let kept = core.snapshot();
    assert_eq!(kept.auth, None);
    assert_eq!(kept.session, None);
    let words: Vec<_> = kept.transcript.iter().map(|e| e.text.to_string()).collect();
    assert!(!words.iter().any(|w| w.contains("my order")), "{words:?}");
    assert_eq!(lines(&core), [SystemLine::SignedOut]);
}

#[test]
fn a_logout_from_the_service_forgets_the_signed_in_conversation() {
    let mut core = configured(true);
    core.apply(Event::Auth(AuthEvent::SignIn(code())));
    core.apply(exchanged("j1"));
    frame(
        &mut core,
        r#"{"type":"message","class":"LogoutEvent","code":200,"body":{}}"#,
    );
    assert_eq!(core.auth.jwt(), None);
    assert_eq!(core.snapshot().auth, None);
    assert_eq!(lines(&core), [SystemLine::SignedOut]);
}
