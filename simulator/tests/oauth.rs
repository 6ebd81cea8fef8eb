//! The simulator's identity provider: its sign-in page, its codes, and PKCE checked at
//! the token endpoint.

use guest_chat_simulator::AgentMode;
use serde_json::Value;

#[path = "helpers/genesys.rs"]
mod helpers;
use helpers::*;

async fn redeem(base: &str, code: &str, verifier: Option<&str>) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", BACK),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    let answer = client()
        .post(format!("{base}/oauth/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

#[tokio::test]
async fn a_code_issued_for_a_challenge_is_redeemed_once_with_its_verifier() {
    let sim = server(AgentMode::None).await;
    let base = sim.http_url();
    let code = code_for(&base, Some(CHALLENGE)).await;
    let (status, body) = redeem(&base, &code, Some(VERIFIER)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sub"], "user-ada");
    assert_eq!(body["token_type"], "Bearer");
    // Once only.
    let (status, body) = redeem(&base, &code, Some(VERIFIER)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_wrong_or_missing_verifier_is_refused() {
    let sim = server(AgentMode::None).await;
    let base = sim.http_url();
    for verifier in [Some("not-the-verifier-not-the-verifier-not-the-v"), None] {
        let code = code_for(&base, Some(CHALLENGE)).await;
        let (status, body) = redeem(&base, &code, verifier).await;
        assert_eq!(status, 400);
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("code_verifier"),
            "{body}"
        );
    }
    // A code issued without a challenge needs no verifier.
    let code = code_for(&base, None).await;
    assert_eq!(redeem(&base, &code, None).await.0, 200);
    sim.stop().await;
}

#[tokio::test]
async fn the_authorize_page_refuses_what_it_cannot_serve() {
    let sim = server(AgentMode::None).await;
    let base = sim.http_url();
    for query in [
        vec![("response_type", "token"), ("redirect_uri", BACK)],
        vec![("response_type", "code")],
        vec![
            ("response_type", "code"),
            ("redirect_uri", BACK),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "plain"),
        ],
    ] {
        let answer = client()
            .get(format!("{base}/oauth/authorize"))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400, "{query:?}");
    }
    sim.stop().await;
}

#[tokio::test]
async fn a_user_who_declines_goes_back_with_the_error_and_the_state() {
    let sim = server(AgentMode::None).await;
    let base = sim.http_url();
    let page = client()
        .get(format!("{base}/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("redirect_uri", BACK),
            ("state", "s 1"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"name="deny""#), "{page}");
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{base}/oauth/authorize"))
        .form(&[
            ("deny", "access_denied"),
            ("redirect_uri", BACK),
            ("state", "s 1"),
        ])
        .send()
        .await
        .unwrap();
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("{BACK}?error=access_denied&state=s%201"));
    sim.stop().await;
}
