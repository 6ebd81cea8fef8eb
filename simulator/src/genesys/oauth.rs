//! A minimal OAuth 2.0 authorization server, the site's identity provider for signed-in
//! visitors: an authorize page that signs in a test user, and a token endpoint that
//! checks the PKCE verifier (RFC 7636, S256) against the challenge the code was issued
//! for. Web Messaging's token exchange redeems the same codes.

use super::AppState;
use crate::shared::{Identity, IssuedCode};
use axum::{
    extract::{Query, State},
    http::{header, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    Form, Json,
};
use guest_chat_protocol::{pkce::s256_challenge, query::encode_component};
use serde::Deserialize;
use serde_json::json;
use std::time::{Duration, Instant};

/// The test user named `subject`.
pub(crate) fn identity_of(subject: &str) -> Option<Identity> {
    TEST_USERS
        .iter()
        .find(|(s, ..)| *s == subject)
        .map(|(subject, name, email)| Identity {
            subject: subject.to_string(),
            name: name.to_string(),
            email: email.to_string(),
        })
}

/// A code is good for this long, once (RFC 6749 §4.1.2 recommends ten minutes at most).
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(60);

/// The people the provider can sign in: subject, name, e-mail.
pub(crate) const TEST_USERS: &[(&str, &str, &str)] = &[
    ("user-ada", "Ada Lovelace", "ada@example.com"),
    ("user-grace", "Grace Hopper", "grace@example.com"),
];

#[derive(Deserialize)]
pub(crate) struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    nonce: Option<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn refused(why: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "invalid_request", "error_description": why})),
    )
        .into_response()
}

/// `GET /oauth/authorize`: the sign-in page, one button per test user.
pub(crate) async fn authorize(Query(query): Query<AuthorizeQuery>) -> Response {
    if query.response_type.as_deref() != Some("code") {
        return refused("response_type must be code");
    }
    let Some(redirect_uri) = query.redirect_uri.filter(|u| u.starts_with("http")) else {
        return refused("redirect_uri must be an http(s) address");
    };
    if query.code_challenge.is_some() && query.code_challenge_method.as_deref() != Some("S256") {
        return refused("code_challenge_method must be S256");
    }
    let hidden = [
        ("redirect_uri", Some(redirect_uri)),
        ("client_id", query.client_id),
        ("state", query.state),
        ("code_challenge", query.code_challenge),
        ("nonce", query.nonce),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        value.map(|v| {
            format!(
                r#"<input type="hidden" name="{name}" value="{}">"#,
                escape(&v)
            )
        })
    })
    .collect::<String>();
    let buttons = TEST_USERS
        .iter()
        .map(|(subject, name, email)| {
            format!(
                r#"<button name="subject" value="{subject}">Sign in as {name} ({email})</button>"#
            )
        })
        .collect::<String>()
        + r#"<button name="deny" value="access_denied">Cancel</button>"#;
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in</title></head>\
         <body><main><h1>Sign in to the shop</h1><form method=\"post\" action=\"/oauth/authorize\">{hidden}{buttons}</form></main></body></html>"
    ))
    .into_response()
}

#[derive(Deserialize)]
pub(crate) struct SignIn {
    #[serde(default)]
    subject: String,
    /// The user declined: back to the site with this error (RFC 6749 §4.1.2.1).
    deny: Option<String>,
    redirect_uri: String,
    state: Option<String>,
    code_challenge: Option<String>,
    nonce: Option<String>,
}

/// `POST /oauth/authorize`: the user chose who they are (or declined); back to the site
/// with a code (or the error).
pub(crate) async fn sign_in(State(state): State<AppState>, Form(form): Form<SignIn>) -> Response {
    if let Some(error) = &form.deny {
        return back_to_site(&form, "error", error);
    }
    if identity_of(&form.subject).is_none() {
        return refused("no such user");
    }
    let code = uuid::Uuid::new_v4().simple().to_string();
    state.genesys().oauth_codes.insert(
        code.clone(),
        IssuedCode {
            subject: form.subject.clone(),
            redirect_uri: form.redirect_uri.clone(),
            challenge: form.code_challenge.clone(),
            nonce: form.nonce.clone(),
            issued: Instant::now(),
        },
    );
    back_to_site(&form, "code", &code)
}

/// The redirect to the site with `name=value`, and the request's state as it came.
fn back_to_site(form: &SignIn, name: &str, value: &str) -> Response {
    let separator = if form.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    let mut target = format!(
        "{}{separator}{name}={}",
        form.redirect_uri,
        encode_component(value)
    );
    if let Some(s) = &form.state {
        target.push_str("&state=");
        target.push_str(&encode_component(s));
    }
    Redirect::to(&target).into_response()
}

/// Redeems `code` once: the subject it was issued to, or why not.
pub(crate) fn redeem(
    state: &AppState,
    code: &str,
    redirect_uri: &str,
    verifier: Option<&str>,
) -> Result<(String, Option<String>), &'static str> {
    let issued = state
        .genesys()
        .oauth_codes
        .remove(code)
        .ok_or("unknown or used code")?;
    if issued.issued.elapsed() > CODE_LIFETIME {
        return Err("expired code");
    }
    if issued.redirect_uri != redirect_uri {
        return Err("redirect_uri differs from the authorize request's");
    }
    match (&issued.challenge, verifier) {
        (Some(challenge), Some(verifier)) if s256_challenge(verifier) == *challenge => {}
        (Some(_), _) => return Err("code_verifier does not match the code_challenge"),
        (None, _) => {}
    }
    Ok((issued.subject, issued.nonce))
}

#[derive(Deserialize)]
pub(crate) struct TokenRequest {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: Option<String>,
}

/// `POST /oauth/token`: a code for the user's identity (`access_token`, and who they are).
pub(crate) async fn token(
    State(state): State<AppState>,
    Form(form): Form<TokenRequest>,
) -> Response {
    if form.grant_type != "authorization_code" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response();
    }
    match redeem(
        &state,
        &form.code,
        &form.redirect_uri,
        form.code_verifier.as_deref(),
    ) {
        Ok((subject, _)) => {
            let (name, email) = identity_of(&subject)
                .map(|i| (i.name, i.email))
                .unwrap_or_default();
            (
                [(header::CACHE_CONTROL, "no-store")],
                Json(json!({
                    "access_token": uuid::Uuid::new_v4().simple().to_string(),
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "sub": subject, "name": name, "email": email,
                })),
            )
                .into_response()
        }
        Err(why) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": why})),
        )
            .into_response(),
    }
}
