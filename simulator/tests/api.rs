//! The simulator over real loopback sockets: REST, WebSocket, console and control API.

use futures_util::SinkExt;
use guest_chat_protocol::*;
use guest_chat_simulator::{AgentMode, Config};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[path = "helpers/api.rs"]
mod helpers;
use helpers::*;

#[tokio::test]
async fn creates_a_session_with_the_tutorial_fields() {
    let sim = server(quiet_config()).await;
    let s = create(&sim, "Ada").await;
    assert!(!s.guest_token.is_empty());
    assert_eq!(s.session_id.len(), 36);
    assert_eq!(s.organization_id, "gen-local-simulator");
    assert_eq!(s.expires_in, 86_400);
    let detail: Value = reqwest::get(format!(
        "{}/control/sessions/{}",
        sim.http_url(),
        s.session_id
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(detail["guest_name"], "Ada");
    assert_eq!(detail["guest_email"], "a@example.com");
    assert_eq!(detail["attributes"]["k"], "v");
    sim.stop().await;
}

#[tokio::test]
async fn rest_errors_are_json_with_the_right_status() {
    let sim = server(quiet_config()).await;
    let url = format!("{}{SESSIONS_PATH}", sim.http_url());
    let client = reqwest::Client::new();
    let missing = client.post(&url).json(&json!({})).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let body: ErrorBody = missing.json().await.unwrap();
    assert_eq!(body.error, "unauthorized");

    let wrong = client
        .post(&url)
        .bearer_auth("nope")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.text().await.unwrap().contains("webmessaging:guest"));

    let other_org = client
        .post(&url)
        .bearer_auth("dev-access-token")
        .header(ORGANIZATION_HEADER, "someone-else")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(other_org.status(), 403);

    let malformed = client
        .post(&url)
        .bearer_auth("dev-access-token")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let body: ErrorBody = malformed.json().await.unwrap();
    assert_eq!(body.error, "bad_request");
    sim.stop().await;
}

#[tokio::test]
async fn cors_preflight_allows_authorization_from_another_origin() {
    let sim = server(quiet_config()).await;
    let res = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}{SESSIONS_PATH}", sim.http_url()),
        )
        .header("Origin", "http://127.0.0.1:8080")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type,x-genesys-organization",
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], "http://127.0.0.1:8080");
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("x-genesys-organization"));
    sim.stop().await;
}

#[tokio::test]
async fn backend_endpoint_creates_sessions_without_an_access_token() {
    let sim = server(quiet_config()).await;
    let res = post(
        format!("{}/guest-session", sim.http_url()),
        json!({"guestName": "B"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let s: CreateSessionResponse = res.json().await.unwrap();
    let mut ws = connect(&sim, &s).await;
    send(&mut ws, ClientFrame::Ping).await;
    assert_eq!(next_frame(&mut ws).await, ServerFrame::Pong);
    sim.stop().await;
}

#[tokio::test]
async fn upgrade_is_refused_with_403_for_bad_tokens_and_organizations() {
    let sim = server(quiet_config()).await;
    let s = create(&sim, "C").await;
    let base = format!("{}{WS_PATH}", sim.ws_url());
    assert_eq!(
        upgrade_status(format!(
            "{base}?guest_token=bogus&organization_id={}",
            s.organization_id
        ))
        .await,
        403
    );
    assert_eq!(
        upgrade_status(format!(
            "{base}?guest_token={}&organization_id=other",
            s.guest_token
        ))
        .await,
        403
    );
    assert_eq!(
        upgrade_status(format!("{base}?organization_id=x")).await,
        403
    );
    assert_eq!(upgrade_status(ws_url(&sim, &s, None)).await, 101);
    sim.stop().await;
}

#[tokio::test]
async fn sessions_expire_before_and_during_a_connection() {
    let sim = server(Config {
        expires_in: Duration::from_millis(600),
        ..quiet_config()
    })
    .await;
    let s = create(&sim, "D").await;
    let mut ws = connect(&sim, &s).await;
    assert_eq!(close_code(&mut ws).await, Some(CLOSE_SESSION_EXPIRED));
    assert_eq!(upgrade_status(ws_url(&sim, &s, None)).await, 403);
    sim.stop().await;
}

#[tokio::test]
async fn messages_are_acknowledged_once_per_client_id() {
    let sim = server(quiet_config()).await;
    let s = create(&sim, "E").await;
    let mut ws = connect(&sim, &s).await;
    send(&mut ws, message(&s, "hello", Some("c-1"))).await;
    assert_eq!(
        next_frame(&mut ws).await,
        ServerFrame::GuestMessageDelivered {
            client_message_id: Some("c-1".into())
        }
    );
    // A resend after a lost receipt is acknowledged again but stored once.
    send(&mut ws, message(&s, "hello", Some("c-1"))).await;
    assert_eq!(
        next_frame(&mut ws).await,
        ServerFrame::GuestMessageDelivered {
            client_message_id: Some("c-1".into())
        }
    );
    // The tutorial's frame, with no client id, is acknowledged without one.
    send(&mut ws, message(&s, "plain", None)).await;
    assert_eq!(
        next_frame(&mut ws).await,
        ServerFrame::GuestMessageDelivered {
            client_message_id: None
        }
    );
    let detail: Value = reqwest::get(format!(
        "{}/control/sessions/{}",
        sim.http_url(),
        s.session_id
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let texts: Vec<&str> = detail["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["hello", "plain"]);
    sim.stop().await;
}

#[tokio::test]
async fn bad_guest_frames_get_error_frames_and_the_socket_stays_usable() {
    let sim = server(quiet_config()).await;
    let s = create(&sim, "F").await;
    let other = create(&sim, "F2").await;
    let mut ws = connect(&sim, &s).await;
    send(&mut ws, message(&other, "wrong session", None)).await;
    match next_frame(&mut ws).await {
        ServerFrame::Error { reason } => {
            assert!(reason.contains("session_id mismatch"), "{reason}")
        }
        f => panic!("{f:?}"),
    }
    for (raw, expect) in [
        ("{not json", "malformed"),
        (r#"{"type":"dance"}"#, "unknown frame type"),
        (r#"{"type":"message","text":1}"#, "malformed"),
    ] {
        ws.send(Message::Text(raw.into())).await.unwrap();
        match next_frame(&mut ws).await {
            ServerFrame::Error { reason } => assert!(reason.contains(expect), "{raw}: {reason}"),
            f => panic!("{f:?}"),
        }
    }
    ws.send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    match next_frame(&mut ws).await {
        ServerFrame::Error { reason } => assert!(reason.contains("binary")),
        f => panic!("{f:?}"),
    }
    send(&mut ws, ClientFrame::Ping).await;
    assert_eq!(next_frame(&mut ws).await, ServerFrame::Pong);
    sim.stop().await;
}

#[tokio::test]
async fn oversized_frames_close_the_socket_with_1009() {
    let sim = server(Config {
        max_frame_bytes: 1024,
        ..quiet_config()
    })
    .await;
    let s = create(&sim, "G").await;
    let mut ws = connect(&sim, &s).await;
    send(&mut ws, message(&s, &"x".repeat(2000), None)).await;
    assert_eq!(close_code(&mut ws).await, Some(CLOSE_TOO_BIG));
    sim.stop().await;
}

#[tokio::test]
async fn scripted_agent_queues_connects_greets_and_answers() {
    let sim = server(Config {
        agent: AgentMode::Scripted,
        queue_time: Duration::from_millis(100),
        typing_time: Duration::from_millis(50),
        ..quiet_config()
    })
    .await;
    let s = create(&sim, "Hal").await;
    let mut ws = connect(&sim, &s).await;
    assert_eq!(
        next_frame(&mut ws).await,
        ServerFrame::Routing {
            status: RoutingStatus::Queued,
            position: Some(1)
        }
    );
    assert_eq!(
        next_frame(&mut ws).await,
        ServerFrame::Routing {
            status: RoutingStatus::Connected,
            position: None
        }
    );
    match next_frame(&mut ws).await {
        ServerFrame::AgentMessage { text, seq, .. } => {
            assert!(text.contains("Hal"));
            assert_eq!(seq, Some(1));
        }
        f => panic!("{f:?}"),
    }
    send(&mut ws, message(&s, "my order is late", Some("m1"))).await;
    assert!(matches!(
        next_frame(&mut ws).await,
        ServerFrame::GuestMessageDelivered { .. }
    ));
    assert_eq!(next_frame(&mut ws).await, ServerFrame::AgentTyping);
    assert_eq!(next_frame(&mut ws).await, ServerFrame::AgentNotTyping);
    match next_frame(&mut ws).await {
        ServerFrame::AgentMessage { text, seq, .. } => {
            assert!(text.contains("my order is late"));
            assert_eq!(seq, Some(2));
        }
        f => panic!("{f:?}"),
    }
    sim.stop().await;
}

#[tokio::test]
async fn console_actions_reach_the_guest_and_end_closes_with_1000() {
    let sim = server(quiet_config()).await;
    let page = reqwest::get(format!("{}/agent", sim.http_url()))
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains("Agent console"));
    let s = create(&sim, "I").await;
    let mut ws = connect(&sim, &s).await;
    let api = format!("{}/agent/api/sessions/{}", sim.http_url(), s.session_id);
    post(
        format!("{api}/routing"),
        json!({"status": "queued", "position": 4}),
    )
    .await;
    assert_eq!(
        next_frame(&mut ws).await,
        ServerFrame::Routing {
            status: RoutingStatus::Queued,
            position: Some(4)
        }
    );
    post(format!("{api}/typing"), json!({"typing": true})).await;
    assert_eq!(next_frame(&mut ws).await, ServerFrame::AgentTyping);
    post(format!("{api}/typing"), json!({"typing": false})).await;
    assert_eq!(next_frame(&mut ws).await, ServerFrame::AgentNotTyping);
    post(format!("{api}/message"), json!({"text": "<b>hi</b>"})).await;
    assert!(
        matches!(next_frame(&mut ws).await, ServerFrame::AgentMessage { text, .. } if text == "<b>hi</b>")
    );
    // A message while typing ends the typing first; so does ending the chat.
    post(format!("{api}/typing"), json!({"typing": true})).await;
    assert_eq!(next_frame(&mut ws).await, ServerFrame::AgentTyping);
    post(format!("{api}/message"), json!({"text": "done"})).await;
    assert_eq!(next_frame(&mut ws).await, ServerFrame::AgentNotTyping);
    assert!(
        matches!(next_frame(&mut ws).await, ServerFrame::AgentMessage { text, .. } if text == "done")
    );
    post(format!("{api}/typing"), json!({"typing": true})).await;
    assert_eq!(next_frame(&mut ws).await, ServerFrame::AgentTyping);
    let list: Value = reqwest::get(format!("{}/agent/api/sessions", sim.http_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["id"], s.session_id.as_str());
    post(format!("{api}/end"), json!({})).await;
    assert_eq!(next_frame(&mut ws).await, ServerFrame::AgentNotTyping);
    assert_eq!(close_code(&mut ws).await, Some(CLOSE_NORMAL));
    // An ended chat stays ended.
    let mut again = connect(&sim, &s).await;
    assert_eq!(close_code(&mut again).await, Some(CLOSE_NORMAL));
    let missing = post(
        format!("{}/agent/api/sessions/nope/message", sim.http_url()),
        json!({"text": "x"}),
    )
    .await;
    assert_eq!(missing.status(), 404);
    sim.stop().await;
}
