//! Helpers of the core's tests in Genesys Cloud mode: a configured connection, the
//! service's frames, what was written.

#![allow(dead_code)]

use guest_chat::core::*;
use guest_chat::protocol::{genesys::GenesysProtocol, WireProtocol};
use serde_json::{json, Value};

pub const WIRE: GenesysProtocol = GenesysProtocol;

pub fn config_with(extra: &[(&str, &str)]) -> Config {
    let extra: Vec<(String, String)> = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_attributes(move |name| {
        extra
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .or(match name {
                "deployment-id" => Some("dep-1".into()),
                "ws-base" => Some("ws://sim".into()),
                "api-base" => Some("http://sim".into()),
                _ => None,
            })
    })
    .unwrap()
}

/// A core whose connection is open, before the server answered `configureSession`.
pub fn opened(config: Config) -> ChatCore {
    let mut core = ChatCore::new(config, 3);
    core.clock_ms = 1_000_000.0;
    core.apply(Event::Start);
    core.apply(Event::SessionCreated(
        WIRE.local_session(core.config(), "tok".into()),
    ));
    core.apply(Event::ConnectionOpened);
    core
}

pub fn configured(new_session: bool) -> ChatCore {
    let mut core = opened(config_with(&[]));
    frame(&mut core, &session_response(new_session, false));
    core
}

pub fn session_response(new_session: bool, read_only: bool) -> String {
    json!({"type":"response","class":"SessionResponse","code":200,
        "body":{"connected":true,"newSession":new_session,"readOnly":read_only,"maxCustomDataBytes":120}})
    .to_string()
}

pub fn frame(core: &mut ChatCore, raw: &str) -> Vec<Effect> {
    core.apply(WIRE.decode(raw))
}

/// What `effects` write, as JSON.
pub fn written(effects: &[Effect]) -> Vec<Value> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(out) => WIRE.encode(out),
            _ => None,
        })
        .map(|text| serde_json::from_str(&text).unwrap())
        .collect()
}

pub fn texts_written(effects: &[Effect]) -> Vec<String> {
    written(effects)
        .iter()
        .filter(|f| f["action"] == "onMessage" && f["message"]["type"] == "Text")
        .map(|f| f["message"]["text"].as_str().unwrap().to_string())
        .collect()
}

pub fn echo(text: &str, client_id: &str, id: &str, time: &str) -> String {
    json!({"type":"message","class":"StructuredMessage","code":200,"tracingId":client_id,
        "body":{"text":text,"direction":"Inbound","id":id,"type":"Text","channel":{"time":time}}})
    .to_string()
}

pub fn agent(text: &str, id: &str, time: &str) -> String {
    json!({"type":"message","class":"StructuredMessage","code":200,
        "body":{"text":text,"direction":"Outbound","id":id,"type":"Text",
            "channel":{"time":time,"from":{"nickname":"Sam"}},"originatingEntity":"Human"}})
    .to_string()
}

pub fn transcript(core: &ChatCore) -> Vec<(EntryKind, String, Option<Delivery>)> {
    core.transcript
        .iter()
        .filter(|e| e.kind != EntryKind::System)
        .map(|e| (e.kind, e.text.to_string(), e.delivery))
        .collect()
}

pub fn send(core: &mut ChatCore, text: &str) -> Vec<Effect> {
    core.apply(Event::Send {
        text: text.into(),
        client_id: format!("c-{text}"),
    })
}

/// A core that chatted, lost its connection with `unacknowledged` in flight, and
/// reconnected to a session the server kept.
pub fn reconnected_with(unacknowledged: &[&str]) -> (ChatCore, Vec<Effect>) {
    let mut core = configured(true);
    send(&mut core, "hello");
    frame(
        &mut core,
        &echo("hello", "c-hello", "g0", "2026-01-01T10:00:00.000Z"),
    );
    frame(
        &mut core,
        &agent("welcome", "a0", "2026-01-01T10:00:01.000Z"),
    );
    for text in unacknowledged {
        core.clock_ms += 1000.0;
        send(&mut core, text);
    }
    core.apply(Event::ConnectionClosed {
        kind: CloseKind::Lost,
        code: 1006,
        reason: String::new(),
    });
    core.apply(Event::ReconnectDue);
    let opened = core.apply(Event::ConnectionOpened);
    assert!(
        texts_written(&opened).is_empty(),
        "nothing before the history"
    );
    let effects = frame(&mut core, &session_response(false, false));
    (core, effects)
}

pub fn rich(id: &str, text: &str, content: serde_json::Value, time: &str) -> String {
    json!({"type":"message","class":"StructuredMessage","code":200,
        "body":{"text":text,"type":"Structured","direction":"Outbound","id":id,
            "channel":{"time":time},"content":content,"originatingEntity":"Bot"}})
    .to_string()
}
