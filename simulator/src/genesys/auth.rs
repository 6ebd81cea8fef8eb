//! Signed-in visitors on the Web Messaging side: the token exchange that turns the
//! identity provider's code into a JWT and a refresh token, the refresh, the revocation,
//! and `configureAuthenticatedSession` on the socket. A signed-in visitor's
//! conversation belongs to their identity (`auth:{subject}`), whichever session token
//! and device configure it.

use super::oauth::{identity_of, redeem};
use super::*;
use crate::shared::{Identity, SignedInJwt};
use guest_chat_protocol::pkce::base64url;

/// The session key of an identity's conversation.
pub(crate) fn identity_key(subject: &str) -> String {
    format!("auth:{subject}")
}

fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "status": status.as_u16(), "code": code, "message": message })),
    )
        .into_response()
}

/// The token endpoints' answer while the control API says the service is down.
fn unavailable() -> Response {
    api_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "service.unavailable",
        "Service is temporarily unavailable.",
    )
}

/// A JWT for `identity` that lives `lifetime_s`: its claims readable, its signature
/// random (only this server checks it, by looking it up).
fn issue_jwt(state: &AppState, identity: &Identity, refresh_token: &str) -> String {
    let lifetime_s = {
        let switches = state.genesys().auth_switches;
        switches
            .jwt_seconds
            .unwrap_or(state.config().genesys.auth_jwt_ttl.as_secs())
    };
    let iat = now_millis() / 1000;
    let exp = iat + lifetime_s;
    let claims = json!({
        "sub": identity.subject, "name": identity.name, "email": identity.email,
        "iat": iat, "exp": exp, "jti": message_id(),
    });
    let jwt = format!(
        "{}.{}.{}",
        base64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        base64url(claims.to_string().as_bytes()),
        base64url(uuid::Uuid::new_v4().as_bytes())
    );
    state.genesys().signed_in_jwts.insert(
        jwt.clone(),
        SignedInJwt {
            identity: identity.clone(),
            exp,
            refresh_token: refresh_token.to_string(),
        },
    );
    jwt
}

/// The fields of the provider's code, in either place the sources put them.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CodeFields {
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    nonce: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExchangeBody {
    deployment_id: String,
    grant_type: Option<String>,
    /// The official mobile SDK's shape: the code's fields inside `oauth`.
    oauth: Option<CodeFields>,
    /// The documented shape: the code's fields at the top level.
    #[serde(flatten)]
    flat: CodeFields,
}

/// `POST /api/v2/webdeployments/token/oauthcodegrantjwtexchange`.
pub(crate) async fn exchange(State(state): State<AppState>, body: String) -> Response {
    let switches = state.genesys().auth_switches;
    if switches.unavailable {
        return unavailable();
    }
    let Ok(body) = serde_json::from_str::<ExchangeBody>(&body) else {
        return api_error(StatusCode::BAD_REQUEST, "bad.request", "Malformed body.");
    };
    if !state
        .config()
        .genesys
        .deployments
        .contains(&body.deployment_id)
    {
        return api_error(
            StatusCode::BAD_REQUEST,
            "bad.request",
            "Unknown deployment.",
        );
    }
    if body.grant_type.as_deref().is_some_and(|g| g != "code") {
        return api_error(StatusCode::BAD_REQUEST, "bad.request", "Unsupported grant.");
    }
    let fields = body.oauth.unwrap_or(body.flat);
    let (Some(code), Some(redirect_uri)) = (fields.code, fields.redirect_uri) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "bad.request",
            "code and redirectUri are required.",
        );
    };
    if switches.refuse_exchange {
        return api_error(
            StatusCode::BAD_REQUEST,
            "invalid.grant",
            "The authorization code was refused.",
        );
    }
    let redeemed = redeem(
        &state,
        &code,
        &redirect_uri,
        fields.code_verifier.as_deref(),
    );
    let subject = match redeemed {
        Ok((_, Some(issued))) if fields.nonce.as_deref() != Some(&issued) => {
            return api_error(StatusCode::BAD_REQUEST, "invalid.grant", "nonce differs.")
        }
        Ok((subject, _)) => subject,
        Err(why) => return api_error(StatusCode::BAD_REQUEST, "invalid.grant", why),
    };
    let Some(identity) = identity_of(&subject) else {
        return api_error(StatusCode::BAD_REQUEST, "invalid.grant", "no such user");
    };
    let refresh_token = uuid::Uuid::new_v4().simple().to_string();
    state
        .genesys()
        .refresh_tokens
        .insert(refresh_token.clone(), identity.clone());
    let jwt = issue_jwt(&state, &identity, &refresh_token);
    Json(json!({ "jwt": jwt, "refreshToken": refresh_token })).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RefreshBody {
    refresh_token: String,
}

/// `POST /api/v2/webdeployments/token/refresh`.
pub(crate) async fn refresh(State(state): State<AppState>, body: String) -> Response {
    let switches = state.genesys().auth_switches;
    if switches.unavailable {
        return unavailable();
    }
    let Ok(body) = serde_json::from_str::<RefreshBody>(&body) else {
        return api_error(StatusCode::BAD_REQUEST, "bad.request", "Malformed body.");
    };
    let identity = state
        .genesys()
        .refresh_tokens
        .get(&body.refresh_token)
        .cloned();
    match identity {
        Some(identity) if !switches.refuse_refresh => {
            let jwt = issue_jwt(&state, &identity, &body.refresh_token);
            Json(json!({ "jwt": jwt })).into_response()
        }
        _ => api_error(
            StatusCode::UNAUTHORIZED,
            "bad.credentials",
            "Invalid refresh token.",
        ),
    }
}

/// `DELETE /api/v2/webdeployments/token/revoke` with the JWT as bearer: the JWT and its
/// refresh token end, and the identity's open connections hear `LogoutEvent`. The
/// conversation stays with the identity for its next sign-in.
pub(crate) async fn revoke(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let jwt = bearer(&headers).unwrap_or_default();
    let mut genesys = state.genesys();
    let Some(ended) = genesys.signed_in_jwts.remove(&jwt) else {
        return api_error(
            StatusCode::UNAUTHORIZED,
            "bad.credentials",
            "Invalid login credentials.",
        );
    };
    genesys.refresh_tokens.remove(&ended.refresh_token);
    genesys
        .signed_in_jwts
        .retain(|_, j| j.refresh_token != ended.refresh_token);
    let key = identity_key(&ended.identity.subject);
    if let Some(session) = genesys.sessions.get_mut(&key) {
        let logout = envelope("message", "LogoutEvent", 200, json!({}), None);
        for conn in session.connections.drain(..) {
            let _ = conn.tx.send(Outbound::Text(logout.clone()));
            let _ = conn.tx.send(Outbound::Close(1000, "logged out".into()));
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Why a JWT does not configure a session.
pub(crate) enum Refusal {
    Unknown,
    Expired,
}

/// The identity a JWT vouches for, while it is good.
pub(crate) fn verify(state: &AppState, jwt: &str) -> Result<Identity, Refusal> {
    let genesys = state.genesys();
    let found = genesys.signed_in_jwts.get(jwt).ok_or(Refusal::Unknown)?;
    if found.exp <= now_millis() / 1000 {
        return Err(Refusal::Expired);
    }
    Ok(found.identity.clone())
}

/// The conversation of `identity`, made from `guest` (the session this connection had
/// configured as a guest, if any): a guest who signs in continues their conversation as
/// themselves, appended to what the identity already holds. The guest token's other
/// connections are let go (`ConnectionClosedEvent`, reason `signedIn`).
pub(crate) fn step_up(
    state: &AppState,
    key: &str,
    guest: Option<&str>,
    identity: &Identity,
    conn_id: u64,
) {
    let mut genesys = state.genesys();
    let guest_session = guest.and_then(|g| genesys.sessions.remove(g));
    if let Some(session) = &guest_session {
        let closed = envelope(
            "message",
            "ConnectionClosedEvent",
            200,
            json!({ "reason": "signedIn", "reasonCode": "signedIn" }),
            None,
        );
        for conn in session.connections.iter().filter(|c| c.id != conn_id) {
            let _ = conn.tx.send(Outbound::Text(closed.clone()));
        }
    }
    if !genesys.sessions.contains_key(key) {
        if let Some(mut session) = guest_session {
            session.connections.clear();
            session.identity = Some(identity.clone());
            genesys.sessions.insert(key.to_string(), session);
        }
    } else if let (Some(mut guest), Some(kept)) = (guest_session, genesys.sessions.get_mut(key)) {
        kept.history.append(&mut guest.history);
        kept.received.append(&mut guest.received);
        kept.custom_attributes.append(&mut guest.custom_attributes);
    }
}

/// After a connection configured a signed-in session: the identity named on it, and the
/// service's `Presence SignIn` event when a guest just stepped up.
pub(crate) fn signed_in(state: &AppState, key: &str, identity: &Identity, stepped_up: bool) {
    let mut genesys = state.genesys();
    let Some(session) = genesys.sessions.get_mut(key) else {
        return;
    };
    session.identity = Some(identity.clone());
    if stepped_up {
        let (first, last) = identity
            .name
            .split_once(' ')
            .unwrap_or((&identity.name, ""));
        let event = json!({
            "type": "Event", "direction": "Inbound", "id": message_id(),
            "channel": { "time": iso_time(now_millis()), "from": { "firstName": first, "lastName": last } },
            "events": [{ "eventType": "Presence", "presence": { "type": "SignIn" } }]
        });
        session.history.push(event.clone());
        session.broadcast(&envelope("message", "StructuredMessage", 200, event, None));
    }
}
