//! The conversation core, driven through the tutorial's protocol adapter: frames in,
//! effects out, natively.

#![cfg(not(target_arch = "wasm32"))]
// Native tests ship nothing: the widget's size rules (clippy.toml) do not apply.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use guest_chat::core::*;
use guest_chat::protocol::{SessionStart, WireProtocol};

#[path = "helpers/tutorial_core.rs"]
mod helpers;
use helpers::*;

#[test]
fn start_requests_a_session_with_token_organization_and_guest_details() {
    let mut core = ChatCore::new(config(), 1);
    let effects = core.apply(Event::Start);
    assert_eq!(core.connection, Connection::CreatingSession);
    assert_eq!(effects, [Effect::CreateSession]);
    let SessionStart::Http(req) = WIRE.session_start(core.config()) else {
        panic!("a request")
    };
    assert_eq!(req.url, "http://sim/api/v2/webmessaging/guest/sessions");
    assert!(req
        .headers
        .contains(&("Authorization".into(), "Bearer tok".into())));
    assert!(req
        .headers
        .contains(&("X-Genesys-Organization".into(), "org-1".into())));
    let body: serde_json::Value = serde_json::from_str(&req.body).unwrap();
    assert_eq!(body["guestName"], "Ada");
    assert_eq!(body["guestEmail"], "ada@example.com");
    // A second start does nothing.
    assert!(core.apply(Event::Start).is_empty());
}

#[test]
fn backend_mode_posts_to_the_session_url_without_a_token() {
    let config =
        Config::from_attributes(|n| (n == "session-url").then(|| "/guest-session".to_string()))
            .unwrap();
    let mut core = ChatCore::new(config, 1);
    let effects = core.apply(Event::Start);
    assert_eq!(effects, [Effect::CreateSession]);
    let SessionStart::Http(req) = WIRE.session_start(core.config()) else {
        panic!("a request")
    };
    assert_eq!(req.url, "/guest-session");
    assert!(!req.headers.iter().any(|(k, _)| k == "Authorization"));
}

#[test]
fn socket_url_uses_the_organization_from_the_rest_answer_encoded() {
    let mut core = ChatCore::new(config(), 1);
    core.apply(Event::Start);
    let effects = core.apply(Event::SessionCreated(session()));
    assert_eq!(core.connection, Connection::Connecting);
    assert_eq!(effects.len(), 1);
    assert_eq!(
        connection_url(&core, &effects).unwrap(),
        "ws://sim/api/v2/webmessaging/guest/ws?guest_token=g%20t%261&organization_id=org-from-rest"
    );
}

#[test]
fn opening_connects_focuses_and_says_so_once() {
    let mut core = ChatCore::new(config(), 1);
    core.apply(Event::Start);
    core.apply(Event::SessionCreated(session()));
    assert!(!core.can_compose());
    let effects = core.apply(Event::ConnectionOpened);
    assert_eq!(core.connection, Connection::Connected);
    assert!(core.can_compose());
    assert!(effects.contains(&Effect::FocusComposer));
    assert!(effects.contains(&Effect::StartHeartbeat { every_ms: 1000 }));
    assert_eq!(system_lines(&core), [SystemLine::ChatConnected]);
}

#[test]
fn session_failure_keeps_status_and_text_and_can_be_retried() {
    let mut core = ChatCore::new(config(), 1);
    core.apply(Event::Start);
    let failure = RestFailure::new(
        Some(401),
        &WIRE.failure_text(r#"{"error":"unauthorized","message":"bad token"}"#),
        None,
    );
    assert_eq!(failure.server_text, "bad token");
    let effects = core.apply(Event::SessionFailed(failure.clone()));
    assert!(matches!(effects.as_slice(), [Effect::LogError(_)]));
    assert_eq!(core.connection, Connection::SessionFailed(failure));
    let effects = core.apply(Event::Retry);
    assert!(matches!(effects.as_slice(), [Effect::CreateSession]));
}

#[test]
fn the_server_text_of_a_failure_is_shortened() {
    let long = RestFailure::new(Some(500), &"x".repeat(500), None);
    assert_eq!(long.server_text.chars().count(), 201);
}

#[test]
fn agent_frames_fill_the_transcript_and_typing() {
    let mut core = connected();
    frame(&mut core, r#"{"type":"agent_typing"}"#);
    assert!(core.agent_typing);
    frame(&mut core, r#"{"type":"agent_not_typing"}"#);
    assert!(!core.agent_typing);
    frame(&mut core, r#"{"type":"agent_typing"}"#);
    frame(
        &mut core,
        r#"{"type":"agent_message","text":"<img src=x onerror=alert(1)>","agent_name":"Sam"}"#,
    );
    assert!(!core.agent_typing, "a message ends the typing indicator");
    let last = core.transcript.last().unwrap();
    assert_eq!(last.kind, EntryKind::Agent);
    assert_eq!(&*last.text, "<img src=x onerror=alert(1)>");
    assert_eq!(last.agent_name.as_deref(), Some("Sam"));
}

#[test]
fn routing_lines_appear_only_when_routing_changes() {
    let mut core = connected();
    frame(
        &mut core,
        r#"{"type":"routing","status":"queued","position":2}"#,
    );
    frame(
        &mut core,
        r#"{"type":"routing","status":"queued","position":2}"#,
    );
    frame(&mut core, r#"{"type":"routing","status":"queued"}"#);
    frame(&mut core, r#"{"type":"routing","status":"connected"}"#);
    assert_eq!(
        system_lines(&core)[1..],
        [
            SystemLine::Queued { position: Some(2) },
            SystemLine::Queued { position: None },
            SystemLine::AgentConnected,
        ]
    );
    assert_eq!(core.routing, Routing::Connected);
    let effects = frame(&mut core, r#"{"type":"routing","status":"wrapup"}"#);
    assert!(matches!(effects.as_slice(), [Effect::Warn(_)]));
}

#[test]
fn error_frames_are_shown_and_bad_frames_only_logged() {
    let mut core = connected();
    let effects = frame(
        &mut core,
        r#"{"type":"error","reason":"session_id mismatch"}"#,
    );
    assert!(matches!(effects.as_slice(), [Effect::LogError(_)]));
    assert_eq!(core.transcript.last().unwrap().kind, EntryKind::Error);
    assert_eq!(
        &*core.transcript.last().unwrap().text,
        "session_id mismatch"
    );
    let before = core.transcript.len();
    assert!(
        matches!(frame(&mut core, r#"{"type":"survey"}"#).as_slice(), [Effect::Warn(w)] if w.contains("survey"))
    );
    assert!(matches!(
        frame(&mut core, "{truncated").as_slice(),
        [Effect::LogError(_)]
    ));
    assert!(matches!(
        frame(&mut core, r#"{"type":"agent_message","text":null}"#).as_slice(),
        [Effect::LogError(_)]
    ));
    assert!(matches!(
        core.apply(Event::Unreadable(Unreadable::Binary)).as_slice(),
        [Effect::Warn(_)]
    ));
    assert_eq!(core.transcript.len(), before);
    assert_eq!(core.connection, Connection::Connected);
}

#[test]
fn sending_trims_ignores_empty_and_uses_the_rest_session_id() {
    let mut core = connected();
    assert!(send(&mut core, "   ", "c0").is_empty());
    let effects = send(&mut core, "  hello  ", "c1");
    assert_eq!(effects.len(), 1);
    assert_eq!(
        frames(&effects),
        [r#"{"type":"message","session_id":"sess-1","text":"hello","client_message_id":"c1"}"#]
    );
    let entry = core.transcript.last().unwrap();
    assert_eq!((entry.kind, &*entry.text), (EntryKind::Guest, "hello"));
    assert_eq!(entry.delivery, Some(Delivery::Sent));
}

#[test]
fn receipts_mark_by_client_id_or_else_in_order() {
    let mut core = connected();
    send(&mut core, "a", "c1");
    send(&mut core, "b", "c2");
    send(&mut core, "c", "c3");
    frame(
        &mut core,
        r#"{"type":"guest_message_delivered","client_message_id":"c2"}"#,
    );
    let status = |core: &ChatCore| {
        core.transcript
            .iter()
            .filter_map(|e| e.delivery)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        status(&core),
        [Delivery::Sent, Delivery::Delivered, Delivery::Sent]
    );
    frame(&mut core, r#"{"type":"guest_message_delivered"}"#);
    assert_eq!(
        status(&core),
        [Delivery::Delivered, Delivery::Delivered, Delivery::Sent]
    );
}

#[test]
fn messages_typed_while_disconnected_wait_and_go_out_in_order_on_reconnect() {
    let mut core = connected();
    send(&mut core, "delivered", "c0");
    frame(
        &mut core,
        r#"{"type":"guest_message_delivered","client_message_id":"c0"}"#,
    );
    send(&mut core, "unacked", "c1");
    close(&mut core, 1006, "");
    assert!(
        core.can_compose(),
        "the composer stays usable while reconnecting"
    );
    assert!(send(&mut core, "queued", "c2").is_empty());
    assert_eq!(
        core.transcript.last().unwrap().delivery,
        Some(Delivery::Sending)
    );
    core.apply(Event::ReconnectDue);
    let effects = core.apply(Event::ConnectionOpened);
    let sent = frames(&effects);
    assert_eq!(sent.len(), 2);
    assert!(sent[0].contains("\"c1\"") && sent[1].contains("\"c2\""));
    assert!(
        !effects.contains(&Effect::FocusComposer),
        "focus moves only on the first connection"
    );
}

#[test]
fn abnormal_close_reconnects_with_doubling_jittered_delays_then_gives_up() {
    let mut core = connected();
    let mut delays = vec![];
    for _ in 0..5 {
        let effects = close(&mut core, 1006, "");
        assert!(matches!(core.connection, Connection::Disconnected { .. }));
        let delay = effects
            .iter()
            .find_map(|e| match e {
                Effect::ScheduleReconnect { delay_ms } => Some(*delay_ms),
                _ => None,
            })
            .expect("a reconnect is scheduled");
        delays.push(delay);
        let effects = core.apply(Event::ReconnectDue);
        assert!(matches!(
            effects.as_slice(),
            [Effect::OpenConnection { .. }]
        ));
        assert!(matches!(core.connection, Connection::Reconnecting { .. }));
    }
    for (i, delay) in delays.iter().enumerate() {
        let nominal = 1000u32 << i;
        assert!(
            *delay >= nominal * 8 / 10 && *delay <= nominal * 12 / 10,
            "attempt {i}: {delay}"
        );
    }
    assert!(
        delays.iter().enumerate().any(|(i, d)| *d != 1000u32 << i),
        "jitter moves delays off the nominal values"
    );
    let effects = close(&mut core, 1006, "");
    assert_eq!(core.connection, Connection::GaveUp);
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::ScheduleReconnect { .. })));
    assert!(opens_socket(&core.apply(Event::Retry)));
    core.apply(Event::ConnectionOpened);
    assert_eq!(core.connection, Connection::Connected);
}

#[test]
fn a_successful_reconnect_resets_the_backoff() {
    let mut core = connected();
    for _ in 0..3 {
        close(&mut core, 1006, "");
        core.apply(Event::ReconnectDue);
    }
    core.apply(Event::ConnectionOpened);
    let effects = close(&mut core, 1011, "x");
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::ScheduleReconnect { delay_ms } if *delay_ms <= 1200)));
}

#[test]
fn normal_close_ends_the_chat_without_reconnecting() {
    let mut core = connected();
    frame(&mut core, r#"{"type":"agent_typing"}"#);
    let effects = close(&mut core, 1000, "chat ended");
    assert_eq!(effects, [Effect::StopHeartbeat]);
    assert_eq!(core.connection, Connection::Ended);
    assert!(!core.agent_typing);
    assert!(!core.can_compose());
    assert!(core.apply(Event::ReconnectDue).is_empty());
}

#[test]
fn heartbeat_pings_and_a_missing_pong_means_a_dead_connection() {
    let mut core = connected();
    assert_eq!(
        core.apply(Event::HeartbeatDue),
        [Effect::Send(Outgoing::Heartbeat {
            session_id: "sess-1".into()
        })]
    );
    frame(&mut core, r#"{"type":"pong"}"#);
    assert_eq!(
        core.apply(Event::HeartbeatDue).len(),
        1,
        "answered: ping again"
    );
    let effects = core.apply(Event::HeartbeatDue);
    assert_eq!(
        effects[0],
        Effect::CloseConnection(CloseWhy::HeartbeatTimeout)
    );
    assert_eq!(WIRE.close_code(CloseWhy::HeartbeatTimeout), 4000);
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::ScheduleReconnect { .. })));
    assert!(matches!(
        core.connection,
        Connection::Disconnected { attempt: 1, .. }
    ));
}

#[test]
fn agent_messages_are_ordered_by_seq_and_replays_dropped() {
    let mut core = connected();
    frame(
        &mut core,
        r#"{"type":"agent_message","text":"one","seq":1}"#,
    );
    frame(
        &mut core,
        r#"{"type":"agent_message","text":"two","seq":2}"#,
    );
    frame(
        &mut core,
        r#"{"type":"agent_message","text":"one","seq":1}"#,
    );
    frame(&mut core, r#"{"type":"agent_message","text":"no seq"}"#);
    let agent: Vec<String> = texts(&core)
        .into_iter()
        .filter(|(k, _)| *k == EntryKind::Agent)
        .map(|(_, t)| t)
        .collect();
    assert_eq!(agent, ["one", "two", "no seq"]);
    close(&mut core, 1006, "");
    let effects = core.apply(Event::ReconnectDue);
    assert!(matches!(
        &effects[0],
        Effect::OpenConnection {
            resume_after: Some(2),
            ..
        }
    ));
}

#[test]
fn an_expired_session_starts_a_new_one_and_keeps_the_transcript() {
    let mut core = connected();
    send(&mut core, "before", "c1");
    let effects = close(&mut core, 4001, "session expired");
    assert!(effects.iter().any(|e| matches!(e, Effect::CreateSession)));
    assert_eq!(core.connection, Connection::CreatingSession);
    assert_eq!(texts(&core)[1], (EntryKind::Guest, "before".into()));
    assert_eq!(
        core.transcript.last().unwrap().system,
        Some(SystemLine::SessionRenewed)
    );
}

#[test]
fn stray_events_in_the_wrong_state_change_nothing() {
    let mut core = ChatCore::new(config(), 3);
    assert!(core.apply(Event::ConnectionOpened).is_empty());
    assert!(core.apply(Event::SessionCreated(session())).is_empty());
    assert!(close(&mut core, 1006, "").is_empty());
    assert!(core.apply(Event::HeartbeatDue).is_empty());
    assert!(send(&mut core, "too early", "c").is_empty());
    // A frame from no open socket (a stale callback) is ignored.
    assert!(frame(
        &mut core,
        r#"{"type":"agent_message","text":"stale","seq":1}"#
    )
    .is_empty());
    assert_eq!(core.connection, Connection::Idle);
    assert!(core.transcript.is_empty());
}
