//! The conversation of a signed-in visitor: the sign-in flow's effects
//! ([`crate::core::auth`]) carried out on the session, the connection and the
//! transcript.

use super::{ChatCore, Effect, Outgoing, SystemLine};
use crate::core::auth::{AuthEffect, AuthEvent, AuthState};
use crate::core::config::SessionSource;

impl ChatCore {
    /// Whether the visitor chats as themselves.
    pub fn signed_in(&self) -> bool {
        self.auth.jwt().is_some()
    }

    /// `Start`, unless a sign-in is being exchanged: then the chat starts as the visitor.
    pub(super) fn start_signed_in_or_not(&mut self) -> Vec<Effect> {
        if matches!(self.auth.state, AuthState::Exchanging) {
            self.start_waits_for_sign_in = true;
            return vec![];
        }
        let mut effects: Vec<Effect> = self
            .restored_refresh_ms
            .take()
            .map(|delay_ms| Effect::Auth(AuthEffect::ScheduleRefresh { delay_ms }))
            .into_iter()
            .collect();
        effects.extend(self.start());
        effects
    }

    /// Whether a refusal is the service refusing the visitor's JWT: a 401, or the 403s
    /// the official mobile SDK takes for "authenticate again".
    pub(super) fn refuses_sign_in(&self, code: u16, reason: &str) -> bool {
        self.auth.jwt().is_some()
            && (code == 401
                || (code == 403
                    && (reason.starts_with("Session authentication failed")
                        || reason.starts_with("Try to authenticate again"))))
    }

    pub(super) fn on_auth(&mut self, event: AuthEvent) -> Vec<Effect> {
        let mut out = vec![];
        let before = self.auth.tokens().map(|t| t.jwt.clone());
        let effects = self.auth.apply(event);
        // The tokens are kept with the conversation: new ones are written.
        if self.auth.tokens().map(|t| &t.jwt) != before.as_ref() {
            self.session.revision += 1;
        }
        for effect in effects {
            match effect {
                AuthEffect::Authenticate { jwt } => out.extend(self.authenticate(jwt)),
                // The conversation stays with the identity at the service, and comes
                // back when the visitor signs in again.
                AuthEffect::ForgetSignedIn => out.extend(self.forget_conversation()),
                AuthEffect::SignedIn => {
                    self.push_system(SystemLine::SignedIn);
                    out.push(Effect::Auth(AuthEffect::SignedIn));
                }
                AuthEffect::SignedOut => {
                    self.push_system(SystemLine::SignedOut);
                    out.push(Effect::Auth(AuthEffect::SignedOut));
                    out.extend(self.create_session());
                }
                AuthEffect::Failed(why) => {
                    self.push_system(SystemLine::SignInFailed { why });
                    out.push(Effect::Auth(AuthEffect::Failed(why)));
                }
                other => out.push(Effect::Auth(other)),
            }
        }
        out
    }

    /// Configures the conversation as the visitor: on the open connection (a guest who
    /// signs in goes on with their conversation, as the service describes), or on the
    /// next one, whose opening frames carry the JWT.
    fn authenticate(&mut self, jwt: String) -> Vec<Effect> {
        if std::mem::take(&mut self.start_waits_for_sign_in) {
            return self.start();
        }
        let deployment_id = match &self.config.session {
            SessionSource::Genesys { deployment_id } => deployment_id.clone(),
            _ => String::new(),
        };
        match self.session.id() {
            Some(session_id) if self.link.is_open() => {
                vec![Effect::Send(Outgoing::Authenticate {
                    session_id,
                    deployment_id,
                    jwt,
                })]
            }
            _ => vec![],
        }
    }
}
