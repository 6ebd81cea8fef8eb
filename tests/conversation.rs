//! The conversation core, driven through the tutorial's protocol adapter: frames in,
//! effects out, natively.

#![cfg(not(target_arch = "wasm32"))]
// Native tests ship nothing: the widget's size rules (clippy.toml) do not apply.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use guest_chat::core::{chat::PERSISTED_ENTRIES, *};
use guest_chat::protocol::{tutorial::TutorialProtocol, SessionStart, WireProtocol};

const WIRE: TutorialProtocol = TutorialProtocol;

fn config() -> Config {
    Config::from_attributes(|name| {
        match name {
            "access-token" => Some("tok"),
            "organization-id" => Some("org-1"),
            "api-base" => Some("http://sim"),
            "ws-base" => Some("ws://sim"),
            "guest-name" => Some("Ada"),
            "guest-email" => Some("ada@example.com"),
            "heartbeat-ms" => Some("1000"),
            _ => None,
        }
        .map(String::from)
    })
    .unwrap()
}

fn session() -> NewSession {
    NewSession {
        guest_token: "g t&1".into(),
        session_id: "sess-1".into(),
        organization_id: "org-from-rest".into(),
        expires_in_s: 60,
    }
}

/// A core that went through session creation and an open socket.
fn connected() -> ChatCore {
    let mut core = ChatCore::new(config(), 7);
    core.apply(Event::Start);
    core.apply(Event::SessionCreated(session()));
    core.apply(Event::ConnectionOpened);
    core
}

fn frame(core: &mut ChatCore, raw: &str) -> Vec<Effect> {
    core.apply(WIRE.decode(raw))
}

/// The server (or the network) closes the connection with `code`.
fn close(core: &mut ChatCore, code: u16, reason: &str) -> Vec<Effect> {
    core.apply(Event::ConnectionClosed {
        kind: WIRE.close_kind(code),
        code,
        reason: reason.into(),
    })
}

/// The frames `effects` write, as the adapter words them.
fn frames(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(out) => WIRE.encode(out),
            _ => None,
        })
        .collect()
}

/// The URL of the connection `effects` open.
fn connection_url(core: &ChatCore, effects: &[Effect]) -> Option<String> {
    effects.iter().find_map(|e| match e {
        Effect::OpenConnection {
            session,
            resume_after,
            ..
        } => Some(WIRE.connection_url(core.config(), session, *resume_after)),
        _ => None,
    })
}

fn system_lines(core: &ChatCore) -> Vec<SystemLine> {
    core.transcript.iter().filter_map(|e| e.system).collect()
}

fn texts(core: &ChatCore) -> Vec<(EntryKind, String)> {
    core.transcript
        .iter()
        .map(|e| (e.kind, e.text.to_string()))
        .collect()
}

fn send(core: &mut ChatCore, text: &str, id: &str) -> Vec<Effect> {
    core.apply(Event::Send {
        text: text.into(),
        client_id: id.into(),
    })
}

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

fn closed(core: &mut ChatCore, code: u16) -> Vec<Effect> {
    close(core, code, "")
}

fn opens_socket(effects: &[Effect]) -> bool {
    effects
        .iter()
        .any(|e| matches!(e, Effect::OpenConnection { .. }))
}

fn creates_session(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::CreateSession))
}

#[test]
fn a_snapshot_resumes_the_same_session_without_a_rest_call() {
    let mut core = ChatCore::new(config(), 1);
    core.clock_ms = 1_000.0;
    core.apply(Event::Start);
    core.apply(Event::SessionCreated(session()));
    core.apply(Event::ConnectionOpened);
    frame(
        &mut core,
        r#"{"type":"agent_message","text":"hello","seq":4}"#,
    );
    send(&mut core, "unacknowledged", "c1");
    let snapshot = core.snapshot();
    assert_eq!(snapshot.session.as_ref().unwrap().expires_at_ms, 61_000.0);
    // Through JSON, as the transport stores it.
    let stored: Snapshot =
        serde_json::from_str(&serde_json::to_string(&snapshot).unwrap()).unwrap();
    assert!(
        !serde_json::to_string(&snapshot)
            .unwrap()
            .contains("\"tok\""),
        "no access token is kept"
    );

    let mut again = ChatCore::new(config(), 2);
    again.clock_ms = 30_000.0;
    again.restore(stored);
    assert!(again.can_compose());
    let effects = again.apply(Event::Start);
    assert_eq!(effects.len(), 1);
    assert!(matches!(
        &effects[0],
        Effect::OpenConnection {
            resume_after: Some(4),
            ..
        }
    ));
    let effects = again.apply(Event::ConnectionOpened);
    assert!(!effects.contains(&Effect::FocusComposer));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Send(Outgoing::Message { text, .. }) if text.contains("unacknowledged"))),
        "the kept outbox goes out"
    );
    assert_eq!(again.transcript.len(), core.transcript.len());
    send(&mut again, "new", "c2");
    let ids: Vec<u64> = again.transcript.iter().map(|e| e.id).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids stay unique after a restore: {ids:?}"
    );
}

#[test]
fn an_expired_kept_session_is_replaced_and_the_transcript_kept() {
    let mut core = connected();
    send(&mut core, "old", "c1");
    let snapshot = core.snapshot();
    let mut again = ChatCore::new(config(), 2);
    again.clock_ms = 120_000.0; // past the 60 s lifetime
    again.restore(snapshot);
    let effects = again.apply(Event::Start);
    assert!(creates_session(&effects));
    assert_eq!(
        again.transcript.last().unwrap().system,
        Some(SystemLine::SessionRenewed)
    );
    assert!(again.transcript.iter().any(|e| e.text.as_ref() == "old"));
}

#[test]
fn a_kept_session_the_server_refuses_is_replaced() {
    let core = connected();
    let snapshot = core.snapshot();
    let mut again = ChatCore::new(config(), 2);
    again.restore(snapshot);
    again.apply(Event::Start);
    // A refused upgrade: closed before it ever opened.
    let effects = closed(&mut again, 1006);
    assert!(creates_session(&effects));
    assert_eq!(again.connection, Connection::CreatingSession);
    // A session created in this page is not replaced for the same failure.
    again.apply(Event::SessionCreated(session()));
    let effects = closed(&mut again, 1006);
    assert!(!creates_session(&effects));
    assert!(matches!(again.connection, Connection::Disconnected { .. }));
}

#[test]
fn reconnecting_past_the_token_lifetime_starts_a_new_session() {
    let mut core = connected();
    closed(&mut core, 1006);
    core.clock_ms = 10_000_000.0;
    let effects = core.apply(Event::ReconnectDue);
    assert!(creates_session(&effects));
}

#[test]
fn offline_waits_for_the_network_and_online_reconnects_at_once() {
    let mut core = connected();
    core.apply(Event::NetworkOffline);
    let effects = closed(&mut core, 1006);
    assert_eq!(core.connection, Connection::Offline);
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::ScheduleReconnect { .. })));
    assert_eq!(core.connection, Connection::Offline);
    let effects = core.apply(Event::NetworkOnline);
    assert!(opens_socket(&effects));
}

#[test]
fn waking_up_skips_the_backoff_or_probes_an_open_socket() {
    let mut core = connected();
    assert_eq!(
        core.apply(Event::PageVisible),
        [Effect::Send(Outgoing::Heartbeat {
            session_id: "sess-1".into()
        })]
    );
    assert!(
        core.apply(Event::PageVisible).is_empty(),
        "one probe at a time"
    );
    // The probe is answered by nothing: the next heartbeat declares the socket dead.
    assert!(core
        .apply(Event::HeartbeatDue)
        .iter()
        .any(|e| matches!(e, Effect::CloseConnection(_))));
    let effects = core.apply(Event::PageVisible);
    assert!(effects.contains(&Effect::CancelReconnect));
    assert!(opens_socket(&effects));
}

#[test]
fn giving_up_fails_the_outbox_and_a_message_can_be_retried() {
    let mut core = connected();
    for _ in 0..5 {
        closed(&mut core, 1006);
        core.apply(Event::ReconnectDue);
    }
    send(&mut core, "stuck", "c1");
    closed(&mut core, 1006);
    assert_eq!(core.connection, Connection::GaveUp);
    let entry = core.transcript.last().unwrap().clone();
    assert_eq!(entry.delivery, Some(Delivery::Failed));
    let effects = core.apply(Event::RetryMessage { id: entry.id });
    assert!(opens_socket(&effects));
    assert_eq!(
        core.transcript.last().unwrap().delivery,
        Some(Delivery::Sending)
    );
    let effects = core.apply(Event::ConnectionOpened);
    assert!(effects.iter().any(
        |e| matches!(e, Effect::Send(Outgoing::Message { text, .. }) if text.contains("stuck"))
    ));
}

#[test]
fn sending_after_giving_up_tries_to_reconnect() {
    let mut core = connected();
    for _ in 0..6 {
        closed(&mut core, 1006);
        core.apply(Event::ReconnectDue);
    }
    assert_eq!(core.connection, Connection::GaveUp);
    let effects = send(&mut core, "anyone there?", "c9");
    assert!(opens_socket(&effects));
    assert_eq!(
        core.transcript.last().unwrap().delivery,
        Some(Delivery::Sending)
    );
}

#[test]
fn an_ended_chat_fails_what_was_not_delivered() {
    let mut core = connected();
    send(&mut core, "late", "c1");
    closed(&mut core, 1000);
    let entry = core
        .transcript
        .iter()
        .find(|e| e.kind == EntryKind::Guest)
        .unwrap();
    assert_eq!(entry.delivery, Some(Delivery::Failed));
}

#[test]
fn a_429_with_retry_after_is_retried_after_that_long() {
    let mut core = ChatCore::new(config(), 1);
    core.apply(Event::Start);
    let effects = core.apply(Event::SessionFailed(RestFailure::new(
        Some(429),
        "",
        Some(3),
    )));
    assert!(effects.contains(&Effect::ScheduleSessionRetry { delay_ms: 3000 }));
    assert!(creates_session(&core.apply(Event::Retry)));
}

#[test]
fn the_snapshot_is_bounded_but_keeps_every_undelivered_message() {
    let mut core = connected();
    send(&mut core, "first, never acknowledged", "c0");
    for i in 0..(PERSISTED_ENTRIES + 50) {
        frame(
            &mut core,
            &format!(r#"{{"type":"agent_message","text":"m{i}"}}"#),
        );
    }
    let snapshot = core.snapshot();
    assert_eq!(snapshot.transcript.len(), PERSISTED_ENTRIES + 1);
    assert_eq!(
        snapshot.transcript[0].text.as_ref(),
        "first, never acknowledged"
    );
    assert_eq!(
        snapshot.transcript.last().unwrap().text.as_ref(),
        format!("m{}", PERSISTED_ENTRIES + 49)
    );
}

#[test]
fn a_message_sent_before_the_first_connection_waits_for_it() {
    let mut core = ChatCore::new(config(), 1);
    core.apply(Event::Start);
    assert!(send(&mut core, "early", "c1").is_empty());
    assert_eq!(core.transcript[0].delivery, Some(Delivery::Sending));
    core.apply(Event::SessionCreated(session()));
    let effects = core.apply(Event::ConnectionOpened);
    assert!(effects.iter().any(
        |e| matches!(e, Effect::Send(Outgoing::Message { text, .. }) if text.contains("early"))
    ));
}

#[test]
fn the_view_is_told_exactly_which_entries_changed() {
    let mut core = connected();
    assert_eq!(core.take_dirty(), [0], "the connected line");
    assert!(core.take_dirty().is_empty());
    send(&mut core, "a", "c1");
    send(&mut core, "b", "c2");
    frame(
        &mut core,
        r#"{"type":"guest_message_delivered","client_message_id":"c1"}"#,
    );
    assert_eq!(core.take_dirty(), [1, 2]);
    frame(
        &mut core,
        r#"{"type":"guest_message_delivered","client_message_id":"c2"}"#,
    );
    assert_eq!(core.take_dirty(), [2]);
}

#[test]
fn a_long_server_answer_is_shortened_to_200_characters() {
    let failure = |body: String| RestFailure::new(Some(500), &WIRE.failure_text(&body), None);
    let exactly = "é".repeat(200);
    assert_eq!(failure(exactly.clone()).server_text, exactly);
    let long = failure(format!("  {}  ", "ü".repeat(300))).server_text;
    assert_eq!(long.chars().count(), 201);
    assert_eq!(long, format!("{}…", "ü".repeat(200)));
    let message = format!(r#"{{"error":"x","message":"{}"}}"#, "a".repeat(250));
    assert_eq!(
        failure(message).server_text,
        format!("{}…", "a".repeat(200))
    );
}

#[test]
fn an_entry_is_drawn_anew_when_its_delivery_changes_and_only_then() {
    let mut core = connected();
    send(&mut core, "hi", "c-1");
    let message = core.transcript.last().unwrap().clone();
    let mut keys = vec![];
    for delivery in [
        Delivery::Sending,
        Delivery::Sent,
        Delivery::Delivered,
        Delivery::Failed,
    ] {
        let entry = Entry {
            delivery: Some(delivery),
            ..message.clone()
        };
        keys.push(entry.view_key());
    }
    keys.push(
        Entry {
            delivery: None,
            ..message.clone()
        }
        .view_key(),
    );
    keys.push(
        Entry {
            id: message.id + 1,
            ..message.clone()
        }
        .view_key(),
    );
    let mut distinct = keys.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), keys.len(), "{keys:?}");
    let same_text_elsewhere = Entry {
        text: "other".into(),
        at_ms: 5.0,
        ..message.clone()
    };
    assert_eq!(same_text_elsewhere.view_key(), message.view_key());
}

#[test]
fn a_restored_conversation_knows_its_routing_and_does_not_repeat_it() {
    let mut core = connected();
    frame(
        &mut core,
        r#"{"type":"routing","status":"queued","position":3}"#,
    );
    let mut again = ChatCore::new(config(), 9);
    again.restore(core.snapshot());
    assert_eq!(again.routing, Routing::Queued { position: Some(3) });
    again.apply(Event::Start);
    again.apply(Event::ConnectionOpened);
    let lines = system_lines(&again).len();
    frame(
        &mut again,
        r#"{"type":"routing","status":"queued","position":3}"#,
    );
    assert_eq!(
        system_lines(&again).len(),
        lines,
        "the same routing is no news"
    );
    frame(&mut again, r#"{"type":"routing","status":"connected"}"#);
    assert_eq!(
        system_lines(&again).last(),
        Some(&SystemLine::AgentConnected)
    );
}

#[test]
fn typing_announced_for_a_time_ends_by_itself_or_with_the_message() {
    let mut core = connected();
    let effects = core.apply(Event::Received(Incoming::AgentTypingFor(3000)));
    assert!(core.agent_typing);
    assert_eq!(effects, [Effect::ScheduleTypingEnd { delay_ms: 3000 }]);
    core.apply(Event::TypingExpired);
    assert!(!core.agent_typing);
    core.apply(Event::Received(Incoming::AgentTypingFor(3000)));
    core.apply(Event::Received(Incoming::AgentMessage {
        seq: None,
        id: None,
        at_ms: None,
        author: None,
        text: "done".into(),
        offer: None,
    }));
    assert!(!core.agent_typing);
}

#[test]
fn a_conversation_ended_by_the_agent_closes_its_connection_and_stays_ended() {
    let mut core = connected();
    send(&mut core, "unanswered", "c1");
    let effects = core.apply(Event::Received(Incoming::ConversationEnded));
    assert_eq!(effects[0], Effect::CloseConnection(CloseWhy::ChatEnded));
    assert_eq!(core.connection, Connection::Ended);
    assert_eq!(system_lines(&core).last(), Some(&SystemLine::ChatEnded));
    assert_eq!(core.transcript[1].delivery, Some(Delivery::Failed));
    assert!(!core.can_compose());
    // Nothing more from a connection the core let go.
    assert!(core.apply(Event::Received(Incoming::Noted)).is_empty());
}

#[test]
fn a_connection_let_go_for_another_waits_for_the_visitor() {
    let mut core = connected();
    let effects = core.apply(Event::ConnectionClosed {
        kind: CloseKind::Displaced,
        code: 1000,
        reason: "SessionLimitReached".into(),
    });
    assert_eq!(core.connection, Connection::Displaced);
    assert!(effects.contains(&Effect::CloseConnection(CloseWhy::Displaced)));
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::ScheduleReconnect { .. })));
    // Neither the network nor the page coming back takes the conversation back.
    assert!(core.apply(Event::PageVisible).is_empty());
    assert!(core.apply(Event::NetworkOnline).is_empty());
    // The close of the socket that follows changes nothing.
    assert!(close(&mut core, 1000, "").is_empty());
    // The visitor does.
    assert!(opens_socket(&core.apply(Event::Retry)));
}
