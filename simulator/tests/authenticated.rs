//! Signed-in visitors on the simulator's Web Messaging side: the token exchange in both
//! of its body shapes, refresh, revocation, and sockets configured with the JWT, the
//! identity's conversation shared by every token that signs in as it.

use guest_chat_simulator::{AgentMode, Running, DEFAULT_DEPLOYMENT};
use serde_json::{json, Value};

#[path = "helpers/genesys.rs"]
mod helpers;
use helpers::*;

async fn post(sim: &Running, path: &str, body: Value) -> (u16, Value) {
    let answer = client()
        .post(format!(
            "{}/api/v2/webdeployments/token/{path}",
            sim.http_url()
        ))
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        answer.status().as_u16(),
        answer.json().await.unwrap_or(Value::Null),
    )
}

/// Ada signed in: the exchange's JWT and refresh token.
async fn sign_in(sim: &Running, subject: &str) -> (String, String) {
    let code = code_for_user(&sim.http_url(), subject, Some(CHALLENGE)).await;
    let (status, body) = post(
        sim,
        "oauthcodegrantjwtexchange",
        json!({ "deploymentId": DEFAULT_DEPLOYMENT, "grantType": "code", "code": code, "redirectUri": BACK, "codeVerifier": VERIFIER }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    (
        body["jwt"].as_str().unwrap().into(),
        body["refreshToken"].as_str().unwrap().into(),
    )
}

async fn configure_signed_in(ws: &mut Socket, token: &str, jwt: &str) -> Value {
    send(
        ws,
        json!({ "action": "configureAuthenticatedSession", "deploymentId": DEFAULT_DEPLOYMENT, "token": token, "data": { "code": jwt } }),
    )
    .await;
    next(ws).await
}

async fn say(ws: &mut Socket, token: &str, text: &str) {
    send(
        ws,
        json!({ "action": "onMessage", "token": token, "message": { "type": "Text", "text": text } }),
    )
    .await;
    let echo = next_of(ws, "StructuredMessage").await;
    assert_eq!(echo["body"]["text"], text);
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = guest_chat_protocol::pkce::base64url_decode(payload).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn the_exchange_takes_both_body_shapes_and_a_code_once() {
    let sim = server(AgentMode::None).await;
    let (jwt, refresh) = sign_in(&sim, "user-ada").await;
    let claims = claims(&jwt);
    assert_eq!(claims["sub"], "user-ada");
    assert_eq!(claims["name"], "Ada Lovelace");
    assert!(claims["exp"].as_u64().unwrap() > claims["iat"].as_u64().unwrap());
    assert!(!refresh.is_empty());
    // The mobile SDK's shape, `oauth` nested.
    let code = code_for(&sim.http_url(), Some(CHALLENGE)).await;
    let nested = json!({ "deploymentId": DEFAULT_DEPLOYMENT, "oauth": { "code": code, "redirectUri": BACK, "codeVerifier": VERIFIER } });
    let (status, body) = post(&sim, "oauthcodegrantjwtexchange", nested.clone()).await;
    assert_eq!(status, 200, "{body}");
    // A used code, a wrong verifier, another redirect, an unknown deployment: 400.
    assert_eq!(post(&sim, "oauthcodegrantjwtexchange", nested).await.0, 400);
    let code = code_for(&sim.http_url(), Some(CHALLENGE)).await;
    for body in [
        json!({ "deploymentId": DEFAULT_DEPLOYMENT, "code": code, "redirectUri": BACK, "codeVerifier": "x".repeat(43) }),
        json!({ "deploymentId": DEFAULT_DEPLOYMENT, "code": code, "redirectUri": "https://elsewhere.example/", "codeVerifier": VERIFIER }),
        json!({ "deploymentId": "no-such-deployment", "code": code, "redirectUri": BACK, "codeVerifier": VERIFIER }),
        json!({ "deploymentId": DEFAULT_DEPLOYMENT }),
    ] {
        assert_eq!(post(&sim, "oauthcodegrantjwtexchange", body).await.0, 400);
    }
    sim.stop().await;
}

#[tokio::test]
async fn one_identity_has_one_conversation_on_every_token_and_device() {
    let sim = server(AgentMode::None).await;
    let (jwt, _) = sign_in(&sim, "user-ada").await;
    let (laptop_token, phone_token) = (token(), format!("{}-phone", token()));
    let mut laptop = open(&sim).await;
    let answer = configure_signed_in(&mut laptop, &laptop_token, &jwt).await;
    assert_eq!(answer["class"], "SessionResponse", "{answer}");
    assert_eq!(answer["body"]["newSession"], true);
    say(&mut laptop, &laptop_token, "from the laptop").await;
    // Another sign-in, another device, another session token: the same conversation.
    let (phone_jwt, _) = sign_in(&sim, "user-ada").await;
    let mut phone = open(&sim).await;
    let answer = configure_signed_in(&mut phone, &phone_token, &phone_jwt).await;
    assert_eq!(answer["body"]["newSession"], false, "{answer}");
    say(&mut phone, &phone_token, "from the phone").await;
    let kept = session(&sim, "auth:user-ada").await;
    let texts: Vec<&str> = kept["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(texts, ["from the laptop", "from the phone"]);
    assert_eq!(kept["identity"]["name"], "Ada Lovelace");
    // The console shows the verified identity.
    let list: Value = reqwest::get(format!("{}/agent/api/sessions", sim.http_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "auth:user-ada")
        .expect("listed");
    assert_eq!(listed["verified"], true);
    assert_eq!(listed["guest_email"], "ada@example.com");
    // The history endpoint reads it with the exchange's JWT.
    let page: Value = client()
        .get(format!("{}/api/v2/webmessaging/messages", sim.http_url()))
        .bearer_auth(&phone_jwt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["entities"].as_array().unwrap().len(), 2, "{page}");
    // Grace's conversation is her own.
    let (grace, _) = sign_in(&sim, "user-grace").await;
    let mut other = open(&sim).await;
    let answer = configure_signed_in(&mut other, &token(), &grace).await;
    assert_eq!(answer["body"]["newSession"], true);
    sim.stop().await;
}

#[tokio::test]
async fn an_expired_or_unknown_jwt_is_refused_and_a_refresh_mends_it() {
    let sim = server(AgentMode::None).await;
    let (jwt, refresh) = sign_in(&sim, "user-ada").await;
    control(&sim, "/auth/expire", json!({})).await;
    let mut ws = open(&sim).await;
    let t = token();
    let answer = configure_signed_in(&mut ws, &t, &jwt).await;
    assert_eq!(
        (answer["code"].as_u64(), answer["body"].as_str()),
        (Some(401), Some("JWT expired"))
    );
    let answer = configure_signed_in(&mut ws, &t, "a.b.c").await;
    assert_eq!(answer["code"], 401);
    let (status, body) = post(&sim, "refresh", json!({ "refreshToken": refresh })).await;
    assert_eq!(status, 200, "{body}");
    let fresh = body["jwt"].as_str().unwrap();
    assert_eq!(
        configure_signed_in(&mut ws, &t, fresh).await["class"],
        "SessionResponse"
    );
    // Refusals the control API turns on.
    control(&sim, "/auth", json!({ "refuseRefresh": true })).await;
    assert_eq!(
        post(&sim, "refresh", json!({ "refreshToken": refresh }))
            .await
            .0,
        401
    );
    control(&sim, "/auth", json!({ "unavailable": true })).await;
    assert_eq!(
        post(&sim, "refresh", json!({ "refreshToken": refresh }))
            .await
            .0,
        503
    );
    control(&sim, "/auth", json!({ "refuseExchange": true })).await;
    let code = code_for(&sim.http_url(), Some(CHALLENGE)).await;
    let body = json!({ "deploymentId": DEFAULT_DEPLOYMENT, "code": code, "redirectUri": BACK, "codeVerifier": VERIFIER });
    assert_eq!(post(&sim, "oauthcodegrantjwtexchange", body).await.0, 400);
    control(&sim, "/auth", json!({ "jwtSeconds": 7 })).await;
    let (short, _) = sign_in(&sim, "user-ada").await;
    let claims = claims(&short);
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        7
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_guest_who_signs_in_continues_as_themselves_and_cannot_go_back() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    say(&mut ws, &t, "before signing in").await;
    let (jwt, _) = sign_in(&sim, "user-grace").await;
    send(
        &mut ws,
        json!({ "action": "configureAuthenticatedSession", "deploymentId": DEFAULT_DEPLOYMENT, "token": t, "data": { "code": jwt } }),
    )
    .await;
    // The service says who signed in, and the guest's conversation is now the identity's.
    let mut saw_sign_in = false;
    let mut configured = false;
    while !(saw_sign_in && configured) {
        let frame = next(&mut ws).await;
        configured |= frame["class"] == "SessionResponse";
        saw_sign_in |= frame["body"]["events"][0]["presence"]["type"] == "SignIn";
    }
    say(&mut ws, &t, "after signing in").await;
    let kept = session(&sim, "auth:user-grace").await;
    let texts: Vec<&str> = kept["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(texts, ["before signing in", "after signing in"]);
    // That token never configures a guest session again.
    let mut again = open(&sim).await;
    send(
        &mut again,
        json!({ "action": "configureSession", "deploymentId": DEFAULT_DEPLOYMENT, "token": t }),
    )
    .await;
    assert_eq!(next(&mut again).await["code"], 4017);
    sim.stop().await;
}

#[tokio::test]
async fn revoking_logs_the_identitys_connections_out_and_ends_its_tokens() {
    let sim = server(AgentMode::None).await;
    let (jwt, refresh) = sign_in(&sim, "user-ada").await;
    let mut ws = open(&sim).await;
    let t = token();
    configure_signed_in(&mut ws, &t, &jwt).await;
    let revoke = |bearer: String| {
        let url = format!("{}/api/v2/webdeployments/token/revoke", sim.http_url());
        async move {
            client()
                .delete(url)
                .bearer_auth(bearer)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(revoke(jwt.clone()).await, 204);
    assert_eq!(next_of(&mut ws, "LogoutEvent").await["code"], 200);
    assert_eq!(revoke(jwt.clone()).await, 401);
    assert_eq!(
        post(&sim, "refresh", json!({ "refreshToken": refresh }))
            .await
            .0,
        401
    );
    let mut again = open(&sim).await;
    assert_eq!(configure_signed_in(&mut again, &t, &jwt).await["code"], 401);
    sim.stop().await;
}
