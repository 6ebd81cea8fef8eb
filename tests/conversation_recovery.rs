//! The conversation core through the tutorial's adapter, after the first exchange:
//! reloads and kept sessions, offline and waking, giving up and retrying, what the view
//! is told, and a chat ended or let go.

#![cfg(not(target_arch = "wasm32"))]
// Native tests ship nothing: the widget's size rules (clippy.toml) do not apply.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use guest_chat::core::{chat::PERSISTED_ENTRIES, *};
use guest_chat::protocol::WireProtocol;

#[path = "helpers/tutorial_core.rs"]
mod helpers;
use helpers::*;

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
