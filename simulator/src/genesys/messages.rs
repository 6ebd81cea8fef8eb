//! `onMessage` and events from the guest: rate limits, custom attributes, typing, and
//! the echo as the receipt.

use super::files::complete_attachments;
use super::*;

fn custom_attributes(request: &Map<String, Value>) -> Option<&Map<String, Value>> {
    let message = request.get("message")?;
    message
        .get("channel")
        .or_else(|| request.get("channel"))?
        .get("metadata")?
        .get("customAttributes")?
        .as_object()
}

pub(super) fn on_message(
    state: &AppState,
    token: &str,
    request: &Map<String, Value>,
    tracing_id: Option<&str>,
    reply: &dyn Fn(String),
) {
    let Some(message) = request.get("message").and_then(Value::as_object) else {
        return reply(error_frame(400, "Request failed.", tracing_id));
    };
    let kind = message.get("type").and_then(Value::as_str).unwrap_or("");
    if kind == "Event" {
        return on_event(state, token, message, tracing_id, reply);
    }
    let text = message.get("text").and_then(Value::as_str).unwrap_or("");
    let mut genesys = state.genesys();
    let rate_limit_off = genesys.rate_limit_off;
    let Some(session) = genesys.sessions.get_mut(token) else {
        return reply(error_frame(4007, "session not found", tracing_id));
    };
    if session.read_only {
        return reply(error_frame(
            409,
            "Session is read-only, no new messages allowed",
            tracing_id,
        ));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return reply(error_frame(4011, "message too long", tracing_id));
    }
    let now = Instant::now();
    while session
        .recent_sends
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        session.recent_sends.pop_front();
    }
    if !rate_limit_off && session.recent_sends.len() >= MESSAGES_PER_SECOND {
        return reply(envelope(
            "response",
            "TooManyRequestsErrorMessage",
            429,
            json!({ "retryAfter": 1, "errorCode": 4029, "errorMessage": "Message rate too high for this session" }),
            tracing_id,
        ));
    }
    if let Some(attributes) = custom_attributes(request) {
        let bytes: usize = attributes
            .iter()
            .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
            .sum();
        if bytes > MAX_CUSTOM_DATA_BYTES {
            return reply(error_frame(
                4013,
                &format!("Custom Attributes in channel metadata is larger than {MAX_CUSTOM_DATA_BYTES} bytes"),
                tracing_id,
            ));
        }
        for (k, v) in attributes {
            if let Some(v) = v.as_str() {
                session.custom_attributes.insert(k.clone(), v.to_string());
            }
        }
    }
    session.recent_sends.push_back(now);
    session.last_activity = now;
    let mut body = json!({
        "text": text,
        "direction": "Inbound",
        "id": message_id(),
        "channel": { "time": iso_time(now_millis()), "messageId": uuid::Uuid::new_v4().to_string() },
        "type": message.get("type").cloned().unwrap_or(json!("Text")),
        "originatingEntity": ""
    });
    // What the client put in `metadata` comes back, as older clients expect.
    if let Some(metadata) = message.get("metadata") {
        body["metadata"] = metadata.clone();
    }
    if let Some(content) = message.get("content") {
        let content = content.clone();
        match complete_attachments(&genesys, &content) {
            Ok(content) => body["content"] = content,
            Err(_) => return reply(error_frame(4009, "Attachment not found", tracing_id)),
        }
    }
    let Some(session) = genesys.sessions.get_mut(token) else {
        return reply(error_frame(4007, "session not found", tracing_id));
    };
    session.history.push(body.clone());
    session.broadcast(&envelope(
        "message",
        "StructuredMessage",
        200,
        body,
        tracing_id,
    ));
    let answer = !session.taken_over;
    drop(genesys);
    if answer {
        state.tell_agent(Heard::GenesysSaid {
            token: token.to_string(),
            text: text.to_string(),
        });
    }
}

pub(super) fn on_event(
    state: &AppState,
    token: &str,
    message: &Map<String, Value>,
    tracing_id: Option<&str>,
    reply: &dyn Fn(String),
) {
    let event = message
        .get("events")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
        .cloned()
        .unwrap_or(Value::Null);
    let presence = event.pointer("/presence/type").and_then(Value::as_str);
    match (event.get("eventType").and_then(Value::as_str), presence) {
        // Guest typing is accepted and goes nowhere the guest would see.
        (Some("Typing"), _) => {
            if state.genesys().guest_typing_off {
                reply(error_frame(
                    403,
                    "Turn on the Feature Toggle or fix the configuration.",
                    tracing_id,
                ));
            }
        }
        (Some("Presence"), Some("Join")) => {
            let body = json!({
                "type": "Event",
                "direction": "Inbound",
                "id": message_id(),
                "channel": { "time": iso_time(now_millis()), "messageId": uuid::Uuid::new_v4().to_string() },
                "events": [{ "eventType": "Presence", "presence": { "type": "Join" } }]
            });
            if let Some(session) = state.genesys().sessions.get(token) {
                session.broadcast(&envelope(
                    "message",
                    "StructuredMessage",
                    200,
                    body,
                    tracing_id,
                ));
            }
        }
        (Some("Presence"), Some("Clear")) => {
            let removed = state.genesys().sessions.remove(token);
            if let Some(session) = removed {
                session.broadcast(&envelope(
                    "message",
                    "SessionClearedEvent",
                    200,
                    json!({}),
                    None,
                ));
                session.broadcast(&envelope(
                    "message",
                    "ConnectionClosedEvent",
                    200,
                    json!({}),
                    None,
                ));
            }
        }
        _ => reply(error_frame(400, "Request failed.", tracing_id)),
    }
}
