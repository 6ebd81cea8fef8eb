//! Helpers of the Genesys mode's tests: a simulator, sockets, requests, the control API.

#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use guest_chat_protocol::genesys::ServerMessage;
use guest_chat_simulator::{start, AgentMode, Config, Running, DEFAULT_DEPLOYMENT};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn server(agent: AgentMode) -> Running {
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

pub async fn open(sim: &Running) -> Socket {
    let url = format!("{}/v1?deploymentId={DEFAULT_DEPLOYMENT}", sim.ws_url());
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

pub async fn send(ws: &mut Socket, frame: Value) {
    ws.send(Message::Text(frame.to_string().into()))
        .await
        .unwrap();
}

/// The next text frame; panics after two seconds of silence.
pub async fn next(ws: &mut Socket) -> Value {
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
pub async fn next_of(ws: &mut Socket, class: &str) -> Value {
    for _ in 0..20 {
        let frame = next(ws).await;
        if frame["class"] == class {
            return frame;
        }
    }
    panic!("no {class} frame");
}

pub async fn configure(ws: &mut Socket, token: &str) -> Value {
    send(
        ws,
        json!({"action":"configureSession","deploymentId":DEFAULT_DEPLOYMENT,"token":token}),
    )
    .await;
    next_of(ws, "SessionResponse").await
}

pub fn token() -> String {
    format!("t-{}", rand_suffix())
}

pub fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

pub async fn control(sim: &Running, path: &str, body: Value) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{}/control/genesys{path}", sim.http_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap_or(Value::Null)
}

pub async fn session(sim: &Running, token: &str) -> Value {
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

pub fn is_iso_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 24 && b[4] == b'-' && b[10] == b'T' && b[19] == b'.' && b[23] == b'Z'
}

/// Announces `name` with `onAttachment` (in the shape browser clients send, without
/// an id of their own) and returns the answer.
pub async fn announce(ws: &mut Socket, t: &str, name: &str, mime: &str, size: usize) -> Value {
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

pub async fn put(url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> reqwest::StatusCode {
    let mut request = reqwest::Client::new().put(url).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap().status()
}

// RFC 7636, Appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const BACK: &str = "https://shop.example/signed-in";

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs Ada in for `challenge`; the code the provider sends back with the state.
pub async fn code_for(base: &str, challenge: Option<&str>) -> String {
    code_for_user(base, "user-ada", challenge).await
}

/// Signs `subject` in for `challenge`; the code the provider sends back.
pub async fn code_for_user(base: &str, subject: &str, challenge: Option<&str>) -> String {
    let mut query = vec![
        ("response_type", "code"),
        ("client_id", "shop"),
        ("redirect_uri", BACK),
        ("state", "s 1&x"),
    ];
    if let Some(c) = challenge {
        query.extend([("code_challenge", c), ("code_challenge_method", "S256")]);
    }
    let page = client()
        .get(format!("{base}/oauth/authorize"))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("value=\"{subject}\"")), "{html}");
    let mut form = vec![
        ("subject", subject),
        ("redirect_uri", BACK),
        ("state", "s 1&x"),
    ];
    if let Some(c) = challenge {
        form.push(("code_challenge", c));
    }
    let answer = client()
        .post(format!("{base}/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_redirection(), "{}", answer.status());
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    let rest = location
        .strip_prefix(&format!("{BACK}?code="))
        .expect(&location);
    let (code, state) = rest.split_once("&state=").unwrap();
    assert_eq!(state, "s%201%26x");
    code.to_string()
}
