//! The simulator's Genesys Cloud Web Messaging side over real loopback sockets. The
//! frames it must accept are written as the public sources show them
//! (docs/protocol-genesys.md), and its answers are checked field by field.

use futures_util::SinkExt;
use guest_chat_simulator::{AgentMode, DEFAULT_DEPLOYMENT};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{self, Message};

#[path = "helpers/genesys.rs"]
mod helpers;
use helpers::*;

#[tokio::test]
async fn an_unknown_deployment_is_refused_before_the_upgrade() {
    let sim = server(AgentMode::None).await;
    let url = format!("{}/v1?deploymentId=not-a-deployment", sim.ws_url());
    match tokio_tungstenite::connect_async(url).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("expected 403, got {other:?}"),
    }
    sim.stop().await;
}

#[tokio::test]
async fn sessions_are_listed_newest_first() {
    let sim = server(AgentMode::None).await;
    let tokens: Vec<String> = (0..5).map(|_| token()).collect();
    for t in &tokens {
        let mut ws = open(&sim).await;
        configure(&mut ws, t).await;
    }
    let list: Value = reqwest::get(format!("{}/control/genesys/sessions", sim.http_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["token"].as_str().unwrap())
        .collect();
    let newest_first: Vec<&str> = tokens.iter().rev().map(String::as_str).collect();
    assert_eq!(listed, newest_first);
    sim.stop().await;
}

#[tokio::test]
async fn a_token_makes_a_session_that_a_second_connection_resumes() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    let answer = configure(&mut ws, &t).await;
    assert_eq!(answer["type"], "response");
    assert_eq!(answer["code"], 200);
    let body = &answer["body"];
    assert_eq!(body["connected"], true);
    assert_eq!(body["newSession"], true);
    assert_eq!(body["readOnly"], false);
    assert_eq!(body["maxCustomDataBytes"], 2048);
    assert!(body["allowedMedia"]["inbound"]["maxFileSizeKB"].is_number());
    assert!(body["durationSeconds"].is_number() && body["expirationDate"].is_number());
    let mut again = open(&sim).await;
    assert_eq!(configure(&mut again, &t).await["body"]["newSession"], false);
    // Each request is recorded once, whether it made the session or resumed it.
    let received = session(&sim, &t).await["received"].clone();
    assert_eq!(received.as_array().unwrap().len(), 2, "{received}");
    sim.stop().await;
}

#[tokio::test]
async fn a_message_is_echoed_as_inbound_with_its_tracing_id_and_metadata() {
    let sim = server(AgentMode::Scripted).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    let greeting = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(greeting["body"]["direction"], "Outbound");
    assert_eq!(greeting["body"]["originatingEntity"], "Bot");
    send(
        &mut ws,
        json!({"token":t,"message":{"text":"Hello world","metadata":{"customMessageId":"m-1"},"type":"Text"},"tracingId":"trace-1","action":"onMessage"}),
    )
    .await;
    let echo = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(echo["type"], "message");
    assert_eq!(echo["tracingId"], "trace-1");
    let body = &echo["body"];
    assert_eq!(body["direction"], "Inbound");
    assert_eq!(body["text"], "Hello world");
    assert_eq!(body["metadata"]["customMessageId"], "m-1");
    assert_eq!(body["id"].as_str().unwrap().len(), 32);
    assert!(is_iso_time(body["channel"]["time"].as_str().unwrap()));
    // The scripted agent types, then answers as a bot.
    let typing = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(typing["body"]["type"], "Event");
    assert_eq!(typing["body"]["events"][0]["eventType"], "Typing");
    assert_eq!(typing["body"]["events"][0]["typing"]["type"], "On");
    assert!(typing["body"]["events"][0]["typing"]["duration"].is_number());
    let answer = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(answer["body"]["direction"], "Outbound");
    assert!(answer["body"]["text"]
        .as_str()
        .unwrap()
        .contains("Hello world"));
    assert!(is_iso_time(
        answer["body"]["channel"]["time"].as_str().unwrap()
    ));
    sim.stop().await;
}

#[tokio::test]
async fn echo_answers_as_a_response_and_errors_are_plain_strings() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    send(&mut ws, json!({"token":t,"action":"getJwt"})).await;
    let early = next(&mut ws).await;
    assert_eq!(
        (&early["class"], &early["code"]),
        (&json!("string"), &json!(4007))
    );
    configure(&mut ws, &t).await;
    send(
        &mut ws,
        json!({"token":t,"tracingId":"SGVhbHRoQ2hlY2tNZXNzYWdlSWQ=","action":"echo","message":{"text":"ping","type":"Text"}}),
    )
    .await;
    let echo = next(&mut ws).await;
    assert_eq!(echo["type"], "response");
    assert_eq!(echo["class"], "StructuredMessage");
    assert_eq!(echo["tracingId"], "SGVhbHRoQ2hlY2tNZXNzYWdlSWQ=");
    assert_eq!(echo["body"]["text"], "ping");
    assert!(echo["body"]["metadata"]["durationSeconds"].is_string());
    ws.send(Message::Text("{not json".into())).await.unwrap();
    let bad = next(&mut ws).await;
    assert_eq!(
        bad,
        json!({"type":"response","class":"string","code":400,"body":"Request failed."})
    );
    sim.stop().await;
}

#[tokio::test]
async fn history_needs_the_jwt_and_comes_newest_first_in_pages() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    control(&sim, "/rate-limit", json!({"enabled": false})).await;
    for i in 0..3 {
        send(
            &mut ws,
            json!({"token":t,"message":{"text":format!("m{i}"),"type":"Text"},"action":"onMessage"}),
        )
        .await;
        next_of(&mut ws, "StructuredMessage").await;
    }
    control(
        &sim,
        &format!("/sessions/{t}/agent-message"),
        json!({"text":"reply"}),
    )
    .await;
    send(
        &mut ws,
        json!({"token":t,"tracingId":"j","action":"getJwt"}),
    )
    .await;
    let jwt = next_of(&mut ws, "JwtResponse").await;
    assert_eq!(jwt["tracingId"], "j");
    let jwt = jwt["body"]["jwt"].as_str().unwrap().to_string();
    let url = format!("{}/api/v2/webmessaging/messages", sim.http_url());
    let client = reqwest::Client::new();
    assert_eq!(client.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(
        client
            .get(&url)
            .bearer_auth("forged")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let page: Value = client
        .get(format!("{url}?pageSize=2&pageNumber=1"))
        .header("Authorization", format!("bearer {jwt}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let texts: Vec<&str> = page["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["reply", "m2"]);
    assert_eq!(
        (page["total"].as_u64(), page["pageCount"].as_u64()),
        (Some(4), Some(2))
    );
    let beyond: Value = client
        .get(format!("{url}?pageSize=2&pageNumber=3"))
        .bearer_auth(&jwt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(beyond["entities"], json!([]));
    // A page on another origin may read it.
    let preflight = client
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", "https://shop.example")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    sim.stop().await;
}

#[tokio::test]
async fn limits_answer_with_their_codes() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    for i in 0..2 {
        send(
            &mut ws,
            json!({"token":t,"message":{"text":format!("{i}"),"type":"Text"},"action":"onMessage"}),
        )
        .await;
        next_of(&mut ws, "StructuredMessage").await;
    }
    send(&mut ws, json!({"token":t,"message":{"text":"third","type":"Text"},"action":"onMessage","tracingId":"r"})).await;
    let limited = next(&mut ws).await;
    assert_eq!(limited["class"], "TooManyRequestsErrorMessage");
    assert_eq!(limited["code"], 429);
    assert_eq!(limited["body"]["errorCode"], 4029);
    assert!(limited["body"]["retryAfter"].as_u64() >= Some(1));
    control(&sim, "/rate-limit", json!({"enabled": false})).await;
    let long = "x".repeat(4001);
    send(
        &mut ws,
        json!({"token":t,"message":{"text":long,"type":"Text"},"action":"onMessage"}),
    )
    .await;
    assert_eq!(next(&mut ws).await["code"], 4011);
    let big: serde_json::Map<String, Value> = (0..30)
        .map(|i| (format!("k{i}"), json!("v".repeat(80))))
        .collect();
    send(
        &mut ws,
        json!({"token":t,"message":{"text":"hi","type":"Text","channel":{"metadata":{"customAttributes":big}}},"action":"onMessage"}),
    )
    .await;
    assert_eq!(next(&mut ws).await["code"], 4013);
    send(
        &mut ws,
        json!({"action":"onMessage","token":t,"message":{"type":"Text","text":"with attributes"},"channel":{"metadata":{"customAttributes":{"plan":"pro"}}}}),
    )
    .await;
    next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(
        session(&sim, &t).await["customAttributes"],
        json!({"plan":"pro"})
    );
    sim.stop().await;
}

#[tokio::test]
async fn an_ended_chat_is_read_only_until_a_new_one_starts_on_the_same_token() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    control(&sim, &format!("/sessions/{t}/end"), json!({})).await;
    let ended = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(ended["body"]["events"][0]["presence"]["type"], "Disconnect");
    assert_eq!(ended["body"]["metadata"]["readOnly"], "true");
    send(
        &mut ws,
        json!({"token":t,"message":{"text":"still there?","type":"Text"},"action":"onMessage"}),
    )
    .await;
    let refused = next(&mut ws).await;
    assert_eq!(
        (refused["class"].as_str(), refused["code"].as_u64()),
        (Some("string"), Some(409))
    );
    let mut reloaded = open(&sim).await;
    assert_eq!(configure(&mut reloaded, &t).await["body"]["readOnly"], true);
    send(
        &mut ws,
        json!({"token":t,"closeAllConnections":true,"tracingId":"c","action":"closeSession"}),
    )
    .await;
    let closed = next_of(&mut ws, "SessionResponse").await;
    assert_eq!(closed["body"]["connected"], false);
    assert_eq!(
        next_of(&mut reloaded, "ConnectionClosedEvent").await["type"],
        "message"
    );
    send(&mut ws, json!({"token":t,"deploymentId":DEFAULT_DEPLOYMENT,"startNew":true,"action":"configureSession"})).await;
    let fresh = next_of(&mut ws, "SessionResponse").await;
    assert_eq!(
        (&fresh["body"]["newSession"], &fresh["body"]["readOnly"]),
        (&json!(true), &json!(false))
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_fourth_connection_closes_the_oldest_and_pushes_reach_all_others() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut sockets = vec![];
    for _ in 0..4 {
        let mut ws = open(&sim).await;
        configure(&mut ws, &t).await;
        sockets.push(ws);
    }
    assert_eq!(
        next_of(&mut sockets[0], "ConnectionClosedEvent").await["code"],
        200
    );
    control(
        &sim,
        &format!("/sessions/{t}/agent-message"),
        json!({"text":"to all"}),
    )
    .await;
    for ws in &mut sockets[1..] {
        assert_eq!(
            next_of(ws, "StructuredMessage").await["body"]["text"],
            "to all"
        );
    }
    assert_eq!(session(&sim, &t).await["connections"], 3);
    sim.stop().await;
}

#[tokio::test]
async fn an_expired_session_says_so_and_the_token_starts_a_new_one() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    control(&sim, &format!("/sessions/{t}/expire"), json!({})).await;
    send(
        &mut ws,
        json!({"token":t,"action":"echo","message":{"text":"ping","type":"Text"}}),
    )
    .await;
    assert_eq!(next(&mut ws).await["class"], "SessionExpiredEvent");
    assert_eq!(configure(&mut ws, &t).await["body"]["newSession"], true);
    sim.stop().await;
}

#[tokio::test]
async fn clearing_erases_the_conversation_here_and_there() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    send(
        &mut ws,
        json!({"token":t,"tracingId":"x","action":"onMessage","message":{"events":[{"eventType":"Presence","presence":{"type":"Clear"}}],"type":"Event"}}),
    )
    .await;
    assert_eq!(next(&mut ws).await["class"], "SessionClearedEvent");
    assert_eq!(next(&mut ws).await["class"], "ConnectionClosedEvent");
    let mut again = open(&sim).await;
    assert_eq!(configure(&mut again, &t).await["body"]["newSession"], true);
    sim.stop().await;
}

#[tokio::test]
async fn messages_can_be_delivered_out_of_order_with_their_true_times() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    control(
        &sim,
        &format!("/sessions/{t}/deliver-reversed"),
        json!({"texts":["first","second"]}),
    )
    .await;
    let a = next_of(&mut ws, "StructuredMessage").await;
    let b = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(
        (&a["body"]["text"], &b["body"]["text"]),
        (&json!("second"), &json!("first"))
    );
    assert!(a["body"]["channel"]["time"].as_str() > b["body"]["channel"]["time"].as_str());
    sim.stop().await;
}
