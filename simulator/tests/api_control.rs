//! The simulator's tutorial API: replays after the last `seq`, a newer connection, the
//! control API, serving the built widget, and stopping.

use futures_util::{SinkExt, StreamExt};
use guest_chat_protocol::*;
use guest_chat_simulator::Config;
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[path = "helpers/api.rs"]
mod helpers;
use helpers::*;

#[tokio::test]
async fn missed_agent_messages_are_replayed_after_last_seq() {
    let sim = server(quiet_config()).await;
    let s = create(&sim, "J").await;
    let api = format!("{}/control/sessions/{}", sim.http_url(), s.session_id);
    for text in ["one", "two", "three"] {
        post(format!("{api}/agent-message"), json!({ "text": text })).await;
    }
    let mut ws = tokio_tungstenite::connect_async(ws_url(&sim, &s, Some(1)))
        .await
        .unwrap()
        .0;
    let mut got = vec![];
    for _ in 0..2 {
        if let ServerFrame::AgentMessage { text, seq, .. } = next_frame(&mut ws).await {
            got.push((seq.unwrap(), text));
        }
    }
    assert_eq!(got, [(2, "two".to_string()), (3, "three".to_string())]);
    sim.stop().await;
}

#[tokio::test]
async fn a_newer_connection_replaces_the_older_one() {
    let sim = server(quiet_config()).await;
    let s = create(&sim, "K").await;
    let mut first = connect(&sim, &s).await;
    let mut second = connect(&sim, &s).await;
    assert_eq!(close_code(&mut first).await, Some(4002));
    send(&mut second, ClientFrame::Ping).await;
    assert_eq!(next_frame(&mut second).await, ServerFrame::Pong);
    sim.stop().await;
}

#[tokio::test]
async fn control_pushes_raw_frames_and_drops_connections() {
    let sim = server(quiet_config()).await;
    let s = create(&sim, "L").await;
    let api = format!("{}/control/sessions/{}", sim.http_url(), s.session_id);
    let mut ws = connect(&sim, &s).await;
    reqwest::Client::new()
        .post(format!("{api}/push"))
        .body("{broken")
        .send()
        .await
        .unwrap();
    let raw = tokio::time::timeout(Duration::from_secs(2), ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(raw, Message::Text("{broken".into()));
    reqwest::Client::new()
        .post(format!("{api}/push?binary=true"))
        .body(vec![0u8, 159])
        .send()
        .await
        .unwrap();
    let raw = tokio::time::timeout(Duration::from_secs(2), ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(raw, Message::Binary(vec![0u8, 159].into()));

    post(
        format!("{api}/drop"),
        json!({"code": 4500, "reason": "test"}),
    )
    .await;
    assert_eq!(close_code(&mut ws).await, Some(4500));

    let mut ws = connect(&sim, &s).await;
    reqwest::Client::new()
        .post(format!("{api}/drop"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        close_code(&mut ws).await,
        None,
        "an abrupt drop sends no close frame"
    );
    sim.stop().await;
}

#[tokio::test]
async fn control_records_received_frames_and_delays_sends() {
    let sim = server(quiet_config()).await;
    let s = create(&sim, "M").await;
    let api = format!("{}/control/sessions/{}", sim.http_url(), s.session_id);
    let mut ws = connect(&sim, &s).await;
    ws.send(Message::Text("{\"type\":\"ping\"}".into()))
        .await
        .unwrap();
    assert_eq!(next_frame(&mut ws).await, ServerFrame::Pong);
    let received: Vec<String> = reqwest::get(format!("{api}/received"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(received, ["{\"type\":\"ping\"}"]);

    post(format!("{api}/delay"), json!({"ms": 400})).await;
    let started = std::time::Instant::now();
    send(&mut ws, ClientFrame::Ping).await;
    assert_eq!(next_frame(&mut ws).await, ServerFrame::Pong);
    assert!(started.elapsed() >= Duration::from_millis(400));

    let found: Vec<Value> =
        reqwest::get(format!("{}/control/sessions?guest_name=M", sim.http_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["connected"], true);
    sim.stop().await;
}

#[tokio::test]
async fn control_plans_session_failures_with_retry_after() {
    let sim = server(quiet_config()).await;
    post(
        format!("{}/control/fail-sessions", sim.http_url()),
        json!({"count": 2, "status": 429, "retry_after": 7}),
    )
    .await;
    let url = format!("{}{SESSIONS_PATH}", sim.http_url());
    for _ in 0..2 {
        let res = reqwest::Client::new()
            .post(&url)
            .bearer_auth("dev-access-token")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["retry-after"], "7");
    }
    create(&sim, "N").await;
    post(
        format!("{}/control/fail-sessions", sim.http_url()),
        json!({"count": 1, "status": 500, "body": "<html>oops</html>"}),
    )
    .await;
    let res = post(format!("{}/guest-session", sim.http_url()), json!({})).await;
    assert_eq!(res.status(), 500);
    assert_eq!(res.text().await.unwrap(), "<html>oops</html>");
    sim.stop().await;
}

#[tokio::test]
async fn control_expire_closes_with_4001() {
    let sim = server(quiet_config()).await;
    let s = create(&sim, "O").await;
    let mut ws = connect(&sim, &s).await;
    post(
        format!(
            "{}/control/sessions/{}/expire",
            sim.http_url(),
            s.session_id
        ),
        json!({}),
    )
    .await;
    assert_eq!(close_code(&mut ws).await, Some(CLOSE_SESSION_EXPIRED));
    assert_eq!(upgrade_status(ws_url(&sim, &s, None)).await, 403);
    sim.stop().await;
}

#[tokio::test]
async fn control_refuses_the_next_upgrades() {
    let sim = server(quiet_config()).await;
    let s = create(&sim, "P").await;
    post(
        format!(
            "{}/control/sessions/{}/refuse-upgrades",
            sim.http_url(),
            s.session_id
        ),
        json!({"count": 2}),
    )
    .await;
    assert_eq!(upgrade_status(ws_url(&sim, &s, None)).await, 403);
    assert_eq!(upgrade_status(ws_url(&sim, &s, None)).await, 403);
    assert_eq!(upgrade_status(ws_url(&sim, &s, None)).await, 101);
    sim.stop().await;
}

#[tokio::test]
async fn control_api_is_off_unless_enabled() {
    let sim = server(Config {
        control: false,
        ..quiet_config()
    })
    .await;
    let res = reqwest::get(format!("{}/control/sessions", sim.http_url()))
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    sim.stop().await;
}

#[tokio::test]
async fn serves_a_built_widget_from_dist() {
    let dir = std::env::temp_dir().join(format!("gc-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<p>widget</p>").unwrap();
    std::fs::write(dir.join("app.js"), "1").unwrap();
    let sim = server(Config {
        dist: Some(dir.clone()),
        ..quiet_config()
    })
    .await;
    assert_eq!(
        reqwest::get(format!("{}/", sim.http_url()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "<p>widget</p>"
    );
    assert_eq!(
        reqwest::get(format!("{}/app.js", sim.http_url()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "1"
    );
    sim.stop().await;
}

#[tokio::test]
async fn stopping_the_server_closes_guest_sockets_with_1001() {
    let sim = server(quiet_config()).await;
    let s = create(&sim, "Q").await;
    let mut ws = connect(&sim, &s).await;
    send(&mut ws, ClientFrame::Ping).await;
    assert_eq!(next_frame(&mut ws).await, ServerFrame::Pong);
    let stopping = tokio::spawn(sim.stop());
    assert_eq!(close_code(&mut ws).await, Some(1001));
    stopping.await.unwrap();
}

#[tokio::test]
async fn control_delays_session_creation() {
    let sim = server(quiet_config()).await;
    post(
        format!("{}/control/delay-sessions", sim.http_url()),
        json!({"ms": 300}),
    )
    .await;
    let started = std::time::Instant::now();
    create(&sim, "R").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    post(
        format!("{}/control/delay-sessions", sim.http_url()),
        json!({"ms": 0}),
    )
    .await;
    sim.stop().await;
}

#[tokio::test]
async fn control_sends_a_burst_of_numbered_agent_messages() {
    let sim = server(quiet_config()).await;
    let s = create(&sim, "S").await;
    let mut ws = connect(&sim, &s).await;
    post(
        format!("{}/control/sessions/{}/burst", sim.http_url(), s.session_id),
        json!({"count": 50, "prefix": "m"}),
    )
    .await;
    for i in 0..50u64 {
        match next_frame(&mut ws).await {
            ServerFrame::AgentMessage { text, seq, .. } => {
                assert_eq!(text, format!("m{i}"));
                assert_eq!(seq, Some(i + 1));
            }
            f => panic!("{f:?}"),
        }
    }
    sim.stop().await;
}
