//! The simulator's Genesys Cloud Web Messaging side over real loopback sockets. The
//! frames it must accept are written as the public sources show them
//! (docs/protocol-genesys.md), and its answers are checked field by field.

use futures_util::{SinkExt, StreamExt};
use guest_chat_protocol::genesys::ServerMessage;
use guest_chat_simulator::{start, AgentMode, Config, Running, DEFAULT_DEPLOYMENT};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::{self, Message};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn server(agent: AgentMode) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    start(
        listener,
        Config {
            agent,
            control: true,
            queue_time: Duration::from_millis(50),
            typing_time: Duration::from_millis(50),
            ..Config::default()
        },
    )
    .unwrap()
}

async fn open(sim: &Running) -> Socket {
    let url = format!("{}/v1?deploymentId={DEFAULT_DEPLOYMENT}", sim.ws_url());
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

async fn send(ws: &mut Socket, frame: Value) {
    ws.send(Message::Text(frame.to_string().into()))
        .await
        .unwrap();
}

/// The next text frame; panics after two seconds of silence.
async fn next(ws: &mut Socket) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(2), ws.next())
            .await
            .expect("a frame within 2 s")
            .expect("socket open")
            .expect("no socket error");
        if let Message::Text(text) = msg {
            // Every frame must be one the widget's reader takes.
            if let Err(err) = ServerMessage::decode(text.as_str()) {
                panic!("the client types refuse {text}: {err:?}");
            }
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

/// Frames until one of `class` comes; returns it.
async fn next_of(ws: &mut Socket, class: &str) -> Value {
    for _ in 0..20 {
        let frame = next(ws).await;
        if frame["class"] == class {
            return frame;
        }
    }
    panic!("no {class} frame");
}

async fn configure(ws: &mut Socket, token: &str) -> Value {
    send(
        ws,
        json!({"action":"configureSession","deploymentId":DEFAULT_DEPLOYMENT,"token":token}),
    )
    .await;
    next_of(ws, "SessionResponse").await
}

fn token() -> String {
    format!("t-{}", rand_suffix())
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

async fn control(sim: &Running, path: &str, body: Value) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{}/control/genesys{path}", sim.http_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap_or(Value::Null)
}

async fn session(sim: &Running, token: &str) -> Value {
    reqwest::get(format!(
        "{}/control/genesys/sessions/{token}",
        sim.http_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap()
}

fn is_iso_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 24 && b[4] == b'-' && b[10] == b'T' && b[19] == b'.' && b[23] == b'Z'
}

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

#[tokio::test]
async fn the_deployment_configuration_is_served() {
    let sim = server(AgentMode::None).await;
    let base = format!("{}/webdeployments/v1/deployments", sim.http_url());
    let config: Value = reqwest::get(format!("{base}/{DEFAULT_DEPLOYMENT}/config.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["id"], DEFAULT_DEPLOYMENT);
    assert_eq!(
        config["messenger"]["apps"]["conversations"]["conversationDisconnect"]["type"],
        "ReadOnly"
    );
    let missing = reqwest::get(format!("{base}/nope/config.json"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    sim.stop().await;
}

#[tokio::test]
async fn the_agent_console_serves_genesys_conversations_too() {
    let sim = server(AgentMode::None).await;
    let mut ws = open(&sim).await;
    let token = token();
    configure(&mut ws, &token).await;
    send(
        &mut ws,
        json!({"action":"onMessage","token":token,"tracingId":"c-1","message":{"type":"Text","text":"hello console",
            "channel":{"metadata":{"customAttributes":{"context.firstName":"Ada"}}}}}),
    )
    .await;
    next_of(&mut ws, "StructuredMessage").await;
    let api = format!("{}/agent/api/sessions", sim.http_url());
    let list: Value = reqwest::get(&api).await.unwrap().json().await.unwrap();
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == token.as_str())
        .expect("listed")
        .clone();
    assert_eq!(listed["protocol"], "genesys");
    assert_eq!(listed["guest_name"], "Ada");
    assert_eq!(listed["messages"], 1);
    let detail: Value = reqwest::get(format!("{api}/{token}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail["transcript"],
        json!([{"from":"guest","text":"hello console","at":0}])
    );
    let post = |path: String, body: Value| async move {
        let res = reqwest::Client::new()
            .post(path)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    };
    post(format!("{api}/{token}/typing"), json!({"typing":true})).await;
    let typing = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(typing["body"]["events"][0]["eventType"], "Typing");
    post(
        format!("{api}/{token}/message"),
        json!({"text":"from the console"}),
    )
    .await;
    let reply = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(reply["body"]["direction"], "Outbound");
    assert_eq!(reply["body"]["text"], "from the console");
    assert!(is_iso_time(
        reply["body"]["channel"]["time"].as_str().unwrap()
    ));
    post(format!("{api}/{token}/end"), json!({})).await;
    let end = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(end["body"]["events"][0]["presence"]["type"], "Disconnect");
    assert_eq!(end["body"]["metadata"]["readOnly"], "true");
    assert_eq!(session(&sim, &token).await["readOnly"], true);
}

#[tokio::test]
async fn an_agents_file_downloads_until_its_address_expires_and_get_attachment_renews_it() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    control(
        &sim,
        &format!("/sessions/{t}/file"),
        json!({"name":"terms.pdf","mime":"application/pdf","text":"","expires_in_ms":1}),
    )
    .await;
    let pushed = next_of(&mut ws, "StructuredMessage").await;
    let attachment = &pushed["body"]["content"][0]["attachment"];
    assert_eq!(attachment["filename"], "terms.pdf");
    assert_eq!(attachment["mediaType"], "File");
    let id = attachment["id"].as_str().unwrap().to_string();
    let first = attachment["url"].as_str().unwrap().to_string();
    // Its one-millisecond address is already over.
    let mut expired = reqwest::get(&first).await.unwrap().status();
    for _ in 0..20 {
        if expired == reqwest::StatusCode::FORBIDDEN {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        expired = reqwest::get(&first).await.unwrap().status();
    }
    assert_eq!(expired, reqwest::StatusCode::FORBIDDEN);

    send(
        &mut ws,
        json!({"action":"getAttachment","token":t,"attachmentId":id,"tracingId":"dl-1"}),
    )
    .await;
    let renewed = next_of(&mut ws, "PresignedUrlResponse").await;
    assert_eq!(renewed["type"], "response");
    assert_eq!(renewed["tracingId"], "dl-1");
    assert_eq!(renewed["body"]["attachmentId"], id.as_str());
    let fresh = renewed["body"]["url"].as_str().unwrap();
    assert_ne!(fresh, first);
    let res = reqwest::get(fresh).await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.text().await.unwrap().starts_with("terms.pdf"));

    send(
        &mut ws,
        json!({"action":"getAttachment","token":t,"attachmentId":"no-such-file"}),
    )
    .await;
    let refused = next(&mut ws).await;
    assert_eq!(refused["class"], "string");
    assert_eq!(refused["code"], 4009);
    sim.stop().await;
}

/// Announces `name` with `onAttachment` (in the shape browser clients send, without
/// an id of their own) and returns the answer.
async fn announce(ws: &mut Socket, t: &str, name: &str, mime: &str, size: usize) -> Value {
    send(
        ws,
        json!({"action":"onAttachment","fileName":name,"fileType":mime,"fileSize":size,"tracingId":"up-1","token":t}),
    )
    .await;
    loop {
        let frame = next(ws).await;
        if frame["class"] == "PresignedUrlResponse" || frame["class"] == "GenerateUrlError" {
            return frame;
        }
    }
}

async fn put(url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> reqwest::StatusCode {
    let mut request = reqwest::Client::new().put(url).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn a_guests_upload_is_checked_stored_announced_and_sent_with_a_message() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    let bytes = b"\x89PNG fake image bytes".to_vec();
    let answer = announce(&mut ws, &t, "cat.png", "image/png", bytes.len()).await;
    assert_eq!(answer["type"], "response");
    assert_eq!(answer["tracingId"], "up-1");
    let body = &answer["body"];
    let id = body["attachmentId"].as_str().unwrap().to_string();
    let url = body["url"].as_str().unwrap().to_string();
    let tagging = body["headers"]["x-amz-tagging"]
        .as_str()
        .unwrap()
        .to_string();
    // Without the named header, or with another type or size, the storage refuses.
    assert_eq!(
        put(&url, &[("content-type", "image/png")], bytes.clone()).await,
        reqwest::StatusCode::FORBIDDEN
    );
    assert_eq!(
        put(
            &url,
            &[("content-type", "image/gif"), ("x-amz-tagging", &tagging)],
            bytes.clone()
        )
        .await,
        reqwest::StatusCode::FORBIDDEN
    );
    assert_eq!(
        put(
            &url,
            &[("content-type", "image/png"), ("x-amz-tagging", &tagging)],
            b"short".to_vec()
        )
        .await,
        reqwest::StatusCode::BAD_REQUEST
    );
    assert_eq!(
        put(
            &url,
            &[("content-type", "image/png"), ("x-amz-tagging", &tagging)],
            bytes.clone()
        )
        .await,
        reqwest::StatusCode::OK
    );
    let stored = next_of(&mut ws, "UploadSuccessEvent").await;
    assert_eq!(stored["type"], "message");
    assert_eq!(stored["body"]["attachmentId"], id.as_str());
    assert!(is_iso_time(stored["body"]["timestamp"].as_str().unwrap()));
    let download = stored["body"]["downloadUrl"].as_str().unwrap();
    assert_eq!(
        reqwest::get(download)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec(),
        bytes
    );
    // The address is used up.
    assert_eq!(
        put(
            &url,
            &[("content-type", "image/png"), ("x-amz-tagging", &tagging)],
            bytes.clone()
        )
        .await,
        reqwest::StatusCode::FORBIDDEN
    );

    send(
        &mut ws,
        json!({"action":"onMessage","token":t,"tracingId":"m-1","message":{"type":"Text","text":"file attached","content":[{"contentType":"Attachment","attachment":{"id":id}}]}}),
    )
    .await;
    let echo = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(echo["tracingId"], "m-1");
    let attachment = &echo["body"]["content"][0]["attachment"];
    assert_eq!(attachment["id"], id.as_str());
    assert_eq!(attachment["filename"], "cat.png");
    assert_eq!(attachment["mediaType"], "Image");
    assert_eq!(attachment["mime"], "image/png");
    assert_eq!(attachment["fileSize"], bytes.len());
    assert!(attachment["url"].as_str().unwrap().contains(&id));
    // A message naming a file the service does not hold is refused.
    send(
        &mut ws,
        json!({"action":"onMessage","token":t,"tracingId":"m-2","message":{"type":"Text","content":[{"contentType":"Attachment","attachment":{"id":"nope"}}]}}),
    )
    .await;
    let refused = next(&mut ws).await;
    assert_eq!(
        (refused["class"].as_str(), refused["code"].as_u64()),
        (Some("string"), Some(4009))
    );
    sim.stop().await;
}

#[tokio::test]
async fn uploads_outside_the_deployments_rules_get_their_codes() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    let long_name = format!("{}.png", "n".repeat(300));
    for (name, mime, size, code) in [
        ("notes.txt", "text/plain", 10, 4001),
        ("setup.exe", "image/png", 10, 4001),
        ("huge.png", "image/png", 10240 * 1024 + 1, 4002),
        ("empty.png", "image/png", 0, 4002),
        (" ", "image/png", 10, 4004),
        (long_name.as_str(), "image/png", 10, 4005),
    ] {
        let answer = announce(&mut ws, &t, name, mime, size).await;
        assert_eq!(answer["class"], "GenerateUrlError", "{name}");
        assert_eq!(answer["body"]["errorCode"], code, "{name}");
        assert!(answer["body"]["attachmentId"].is_string());
    }
    sim.stop().await;
}

#[tokio::test]
async fn a_refused_upload_is_reported_and_an_unsent_one_can_be_deleted() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    control(&sim, "/uploads", json!({"enabled": false})).await;
    let answer = announce(&mut ws, &t, "scan.pdf", "application/pdf", 3).await;
    let (id, url) = (
        answer["body"]["attachmentId"].as_str().unwrap().to_string(),
        answer["body"]["url"].as_str().unwrap().to_string(),
    );
    let tagging = answer["body"]["headers"]["x-amz-tagging"]
        .as_str()
        .unwrap()
        .to_string();
    let headers = [
        ("content-type", "application/pdf"),
        ("x-amz-tagging", tagging.as_str()),
    ];
    assert_eq!(
        put(&url, &headers, b"pdf".to_vec()).await,
        reqwest::StatusCode::OK
    );
    let failed = next_of(&mut ws, "UploadFailureEvent").await;
    assert_eq!(failed["body"]["attachmentId"], id.as_str());
    assert_eq!(failed["body"]["errorCode"], 4003);

    control(&sim, "/uploads", json!({"enabled": true})).await;
    let answer = announce(&mut ws, &t, "scan.pdf", "application/pdf", 3).await;
    let id = answer["body"]["attachmentId"].as_str().unwrap().to_string();
    let url = answer["body"]["url"].as_str().unwrap().to_string();
    assert_eq!(
        put(&url, &headers, b"pdf".to_vec()).await,
        reqwest::StatusCode::OK
    );
    let stored = next_of(&mut ws, "UploadSuccessEvent").await;
    let download = stored["body"]["downloadUrl"].as_str().unwrap().to_string();
    send(
        &mut ws,
        json!({"action":"deleteAttachment","token":t,"attachmentId":id,"tracingId":"del-1"}),
    )
    .await;
    let deleted = next_of(&mut ws, "AttachmentDeletedResponse").await;
    assert_eq!(deleted["body"]["attachmentId"], id.as_str());
    assert_eq!(
        reqwest::get(&download).await.unwrap().status(),
        reqwest::StatusCode::NOT_FOUND
    );
    sim.stop().await;
}

#[tokio::test]
async fn the_agent_console_sends_a_file_the_guest_can_download() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    let res = reqwest::Client::new()
        .post(format!("{}/agent/api/sessions/{t}/rich", sim.http_url()))
        .json(&json!({"kind":"file","text":"Here is your order summary."}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let pushed = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(pushed["body"]["text"], "Here is your order summary.");
    let attachment = &pushed["body"]["content"][0]["attachment"];
    assert_eq!(attachment["mediaType"], "File");
    let url = attachment["url"].as_str().unwrap();
    assert_eq!(
        reqwest::get(url).await.unwrap().status(),
        reqwest::StatusCode::OK
    );
    sim.stop().await;
}
