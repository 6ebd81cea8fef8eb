//! Helpers of the tutorial API's tests: a simulator, sessions, sockets, frames.

#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use guest_chat_protocol::*;
use guest_chat_simulator::{start, AgentMode, Config, Running};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::{self, Message};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub fn quiet_config() -> Config {
    Config {
        agent: AgentMode::None,
        control: true,
        ..Config::default()
    }
}

pub async fn server(config: Config) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    start(listener, config).unwrap()
}

pub async fn create(sim: &Running, name: &str) -> CreateSessionResponse {
    let res = reqwest::Client::new()
        .post(format!("{}{SESSIONS_PATH}", sim.http_url()))
        .bearer_auth("dev-access-token")
        .header(ORGANIZATION_HEADER, "gen-local-simulator")
        .json(&json!({"guestName": name, "guestEmail": "a@example.com", "attributes": {"k": "v"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

pub fn ws_url(sim: &Running, s: &CreateSessionResponse, last_seq: Option<u64>) -> String {
    let mut url = format!(
        "{}{WS_PATH}?guest_token={}&organization_id={}",
        sim.ws_url(),
        s.guest_token,
        s.organization_id
    );
    if let Some(seq) = last_seq {
        url.push_str(&format!("&last_seq={seq}"));
    }
    url
}

pub async fn connect(sim: &Running, s: &CreateSessionResponse) -> Socket {
    tokio_tungstenite::connect_async(ws_url(sim, s, None))
        .await
        .unwrap()
        .0
}

/// Next text frame, decoded; panics after two seconds of silence.
pub async fn next_frame(ws: &mut Socket) -> ServerFrame {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(2), ws.next())
            .await
            .expect("a frame within 2 s")
            .expect("socket open")
            .expect("no socket error");
        if let Message::Text(text) = msg {
            return ServerFrame::decode(text.as_str()).unwrap();
        }
    }
}

/// Reads until the server closes; returns the close code, or None for a cut connection.
pub async fn close_code(ws: &mut Socket) -> Option<u16> {
    loop {
        match tokio::time::timeout(Duration::from_secs(3), ws.next())
            .await
            .expect("closed within 3 s")
        {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

pub async fn send(ws: &mut Socket, frame: ClientFrame) {
    ws.send(Message::Text(frame.encode().into())).await.unwrap();
}

pub fn message(s: &CreateSessionResponse, text: &str, id: Option<&str>) -> ClientFrame {
    ClientFrame::Message {
        session_id: s.session_id.clone(),
        text: text.into(),
        client_message_id: id.map(String::from),
    }
}

pub async fn post(url: String, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub async fn upgrade_status(url: String) -> u16 {
    match tokio_tungstenite::connect_async(url).await {
        Ok(_) => 101,
        Err(tungstenite::Error::Http(res)) => res.status().as_u16(),
        Err(other) => panic!("unexpected: {other}"),
    }
}
