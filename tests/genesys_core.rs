//! The conversation core in Genesys Cloud mode, driven through its adapter with frames
//! in the shapes the service sends: history before resending, pacing, order by time,
//! attributes, typing, new chat, clearing, refusals.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use guest_chat::core::*;
use guest_chat::protocol::WireProtocol;
use serde_json::json;

#[path = "helpers/genesys_core.rs"]
mod helpers;
use helpers::*;

#[test]
fn nothing_is_written_before_the_session_is_configured() {
    let mut core = opened(config_with(&[]));
    assert!(texts_written(&send(&mut core, "early")).is_empty());
    let effects = frame(&mut core, &session_response(true, false));
    assert_eq!(texts_written(&effects), ["early"]);
}

#[test]
fn messages_are_paced_under_the_services_rate_and_keep_their_order() {
    let mut core = configured(true);
    let mut out = vec![];
    let mut flushes = 0;
    for n in 0..20 {
        out.extend(texts_written(&send(&mut core, &format!("line {n}"))));
    }
    assert_eq!(out, ["line 0"], "one at once, the rest wait their turn");
    let mut sent_at = vec![core.clock_ms];
    while out.len() < 20 {
        let effects = core.apply(Event::FlushDue);
        let written = texts_written(&effects);
        if written.is_empty() {
            let delay = effects
                .iter()
                .find_map(|e| match e {
                    Effect::ScheduleFlush { delay_ms } => Some(*delay_ms),
                    _ => None,
                })
                .expect("a flush is scheduled while messages wait");
            core.clock_ms += f64::from(delay);
            flushes += 1;
            assert!(flushes < 100);
            continue;
        }
        sent_at.push(core.clock_ms);
        out.extend(written);
    }
    let expected: Vec<String> = (0..20).map(|n| format!("line {n}")).collect();
    assert_eq!(out, expected);
    // Never three in one second.
    for window in sent_at.windows(3) {
        assert!(window[2] - window[0] >= 1000.0, "{sent_at:?}");
    }
}

#[test]
fn a_rate_limited_message_waits_and_goes_again() {
    let mut core = configured(true);
    send(&mut core, "hello");
    let limited = json!({"type":"response","class":"TooManyRequestsErrorMessage","code":429,
        "tracingId":"c-hello","body":{"retryAfter":2,"errorCode":4029,"errorMessage":"slow down"}})
    .to_string();
    let effects = frame(&mut core, &limited);
    assert!(texts_written(&effects).is_empty());
    let delay = effects
        .iter()
        .find_map(|e| match e {
            Effect::ScheduleFlush { delay_ms } => Some(*delay_ms),
            _ => None,
        })
        .unwrap();
    assert!(delay >= 2000);
    core.clock_ms += f64::from(delay);
    assert_eq!(texts_written(&core.apply(Event::FlushDue)), ["hello"]);
}

#[test]
fn a_message_on_its_way_does_not_hide_where_a_late_one_belongs() {
    let mut core = configured(true);
    frame(&mut core, &agent("third", "a3", "2026-01-01T10:00:03.000Z"));
    // Written between the pushes, not yet acknowledged: it has no server time.
    send(&mut core, "mine");
    frame(
        &mut core,
        &agent("second", "a2", "2026-01-01T10:00:02.000Z"),
    );
    frame(&mut core, &agent("first", "a1", "2026-01-01T10:00:01.000Z"));
    let agents: Vec<String> = transcript(&core)
        .into_iter()
        .filter(|(k, _, _)| *k == EntryKind::Agent)
        .map(|(_, t, _)| t)
        .collect();
    assert_eq!(agents, ["first", "second", "third"]);
    assert_eq!(transcript(&core).last().unwrap().1, "mine");
}

#[test]
fn an_echo_acknowledges_its_message_and_agent_messages_are_placed_by_time() {
    let mut core = configured(true);
    send(&mut core, "hi");
    frame(
        &mut core,
        &echo("hi", "c-hi", "g1", "2026-01-01T10:00:00.000Z"),
    );
    frame(
        &mut core,
        &agent("second", "a2", "2026-01-01T10:00:02.000Z"),
    );
    frame(&mut core, &agent("first", "a1", "2026-01-01T10:00:01.000Z"));
    // Pushed again: the same id is shown once.
    frame(
        &mut core,
        &agent("second", "a2", "2026-01-01T10:00:02.000Z"),
    );
    assert_eq!(
        transcript(&core),
        [
            (EntryKind::Guest, "hi".into(), Some(Delivery::Delivered)),
            (EntryKind::Agent, "first".into(), None),
            (EntryKind::Agent, "second".into(), None),
        ]
    );
    let news: Vec<String> = core
        .take_news()
        .iter()
        .filter(|e| e.kind != EntryKind::System)
        .map(|e| e.text.to_string())
        .collect();
    assert_eq!(news, ["hi", "first", "second"]);
}

#[test]
fn after_a_reconnect_the_history_decides_what_is_resent() {
    let (mut core, effects) = reconnected_with(&["lost?", "kept?"]);
    assert!(texts_written(&effects).is_empty());
    assert_eq!(written(&effects)[0]["action"], "getJwt");
    let effects = frame(
        &mut core,
        r#"{"type":"response","class":"JwtResponse","code":200,"body":{"jwt":"j","exp":99999999999}}"#,
    );
    assert_eq!(
        effects,
        [Effect::FetchHistory {
            jwt: "j".into(),
            page: 1
        }]
    );
    // The server has "kept?" (its echo was lost) and an agent message sent meanwhile.
    let page = WIRE
        .read_history(
            &json!({"entities":[
                {"id":"a9","type":"Text","text":"still there?","direction":"Outbound","channel":{"time":"2026-01-01T10:00:09.000Z"}},
                {"id":"g2","type":"Text","text":"kept?","direction":"Inbound","metadata":{"customMessageId":"c-kept?"},"channel":{"time":"2026-01-01T10:00:05.000Z"}},
                {"id":"a0","type":"Text","text":"welcome","direction":"Outbound","channel":{"time":"2026-01-01T10:00:01.000Z"}}
            ],"pageSize":25,"pageNumber":1,"total":3,"pageCount":1})
            .to_string(),
            1,
        )
        .unwrap();
    core.clock_ms += 1000.0;
    let effects = core.apply(Event::HistoryLoaded(page));
    assert_eq!(
        texts_written(&effects),
        ["lost?"],
        "only what the server lacks"
    );
    let kinds: Vec<(EntryKind, String)> = transcript(&core)
        .into_iter()
        .map(|(k, t, _)| (k, t))
        .collect();
    assert_eq!(
        kinds,
        [
            (EntryKind::Guest, "hello".into()),
            (EntryKind::Agent, "welcome".into()),
            (EntryKind::Guest, "lost?".into()),
            (EntryKind::Guest, "kept?".into()),
            (EntryKind::Agent, "still there?".into()),
        ]
    );
}

#[test]
fn history_pages_are_followed_until_a_held_message_and_the_token_is_reused() {
    let (mut core, _) = reconnected_with(&[]);
    frame(
        &mut core,
        r#"{"type":"response","class":"JwtResponse","code":200,"body":{"jwt":"j","exp":99999999999}}"#,
    );
    let page = |n: u32, ids: &[&str]| HistoryPage {
        page: n,
        more: true,
        items: ids
            .iter()
            .map(|id| HistoryItem {
                id: id.to_string(),
                from_guest: false,
                text: format!("m {id}"),
                author: None,
                at_ms: None,
                client_id: None,
                offer: None,
            })
            .collect(),
    };
    let effects = core.apply(Event::HistoryLoaded(page(1, &["x3", "x2"])));
    assert_eq!(
        effects,
        [Effect::FetchHistory {
            jwt: "j".into(),
            page: 2
        }]
    );
    let effects = core.apply(Event::HistoryLoaded(page(2, &["x1", "a0"])));
    assert!(effects.is_empty(), "a0 is held: no third page");
    // The next reconnect reuses the token.
    core.apply(Event::ConnectionClosed {
        kind: CloseKind::Lost,
        code: 1006,
        reason: String::new(),
    });
    core.apply(Event::ReconnectDue);
    core.apply(Event::ConnectionOpened);
    let effects = frame(&mut core, &session_response(false, false));
    assert_eq!(
        effects,
        [Effect::FetchHistory {
            jwt: "j".into(),
            page: 1
        }]
    );
}

#[test]
fn unreadable_history_sends_the_outbox_rather_than_losing_it() {
    let (mut core, _) = reconnected_with(&["pending"]);
    core.clock_ms += 1000.0;
    let effects = core.apply(Event::HistoryFailed("HTTP 401".into()));
    assert_eq!(texts_written(&effects), ["pending"]);
}

#[test]
fn attributes_go_once_and_then_only_when_changed() {
    let mut core = opened(config_with(&[
        ("guest-name", "Ada"),
        ("attributes", r#"{"plan":"gold"}"#),
    ]));
    frame(&mut core, &session_response(true, false));
    let first = written(&send(&mut core, "one"));
    assert_eq!(
        first[0]["message"]["channel"]["metadata"]["customAttributes"],
        json!({"context.firstName":"Ada","plan":"gold"})
    );
    frame(
        &mut core,
        &echo("one", "c-one", "g1", "2026-01-01T10:00:00.000Z"),
    );
    core.clock_ms += 1000.0;
    let second = written(&send(&mut core, "two"));
    assert!(second[0]["message"].get("channel").is_none());
    frame(
        &mut core,
        &echo("two", "c-two", "g2", "2026-01-01T10:00:01.000Z"),
    );
    // A reload keeps what was sent.
    let mut again = ChatCore::new(
        config_with(&[
            ("guest-name", "Ada"),
            ("attributes", r#"{"plan":"platinum"}"#),
        ]),
        4,
    );
    again.restore(core.snapshot());
    again.clock_ms = 2_000_000.0;
    again.apply(Event::Start);
    again.apply(Event::ConnectionOpened);
    frame(&mut again, &session_response(false, false));
    again.apply(Event::HistoryFailed("skip".into()));
    let third = written(&send(&mut again, "three"));
    assert_eq!(
        third[0]["message"]["channel"]["metadata"]["customAttributes"],
        json!({"plan":"platinum"})
    );
}

#[test]
fn attributes_over_the_limit_are_explained_not_cut() {
    let long = "x".repeat(200);
    let mut core = opened(config_with(&[(
        "attributes",
        &format!(r#"{{"note":"{long}"}}"#),
    )]));
    frame(&mut core, &session_response(true, false));
    let sent = written(&send(&mut core, "hi"));
    assert!(sent[0]["message"].get("channel").is_none());
    assert!(core
        .transcript
        .iter()
        .any(|e| e.system == Some(SystemLine::Refused { code: 4013 })));
}

#[test]
fn typing_is_told_at_most_every_five_seconds_and_stops_when_refused() {
    let mut core = configured(true);
    let typing = |core: &mut ChatCore| {
        written(&core.apply(Event::GuestTyping))
            .iter()
            .filter(|f| f["message"]["events"][0]["eventType"] == "Typing")
            .count()
    };
    assert_eq!(typing(&mut core), 1);
    core.clock_ms += 4000.0;
    assert_eq!(typing(&mut core), 0);
    core.clock_ms += 1000.0;
    assert_eq!(typing(&mut core), 1);
    frame(
        &mut core,
        r#"{"type":"response","class":"string","code":403,"tracingId":"guest-typing","body":"Turn on the Feature Toggle or fix the configuration."}"#,
    );
    core.clock_ms += 10_000.0;
    assert_eq!(typing(&mut core), 0);
    assert!(
        !core
            .transcript
            .iter()
            .any(|e| matches!(e.system, Some(SystemLine::Refused { .. }))),
        "quietly"
    );
}

#[test]
fn a_refused_message_is_marked_and_explained() {
    let mut core = configured(true);
    send(&mut core, "too long");
    frame(
        &mut core,
        r#"{"type":"response","class":"string","code":4011,"tracingId":"c-too long","body":"message too long"}"#,
    );
    assert_eq!(
        transcript(&core),
        [(EntryKind::Guest, "too long".into(), Some(Delivery::Failed))]
    );
    assert_eq!(
        core.transcript.last().unwrap().system,
        Some(SystemLine::Refused { code: 4011 })
    );
}

#[test]
fn an_ended_chat_restored_read_only_says_so_once_and_a_new_chat_replaces_it() {
    let mut core = configured(true);
    frame(
        &mut core,
        r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"type":"Event","direction":"Outbound","events":[{"eventType":"Presence","presence":{"type":"Disconnect"}}],"metadata":{"readOnly":"true"}}}"#,
    );
    assert_eq!(core.connection, Connection::Ended);
    let ended_lines = |core: &ChatCore| {
        core.transcript
            .iter()
            .filter(|e| e.system == Some(SystemLine::ChatEnded))
            .count()
    };
    let mut reloaded = ChatCore::new(config_with(&[]), 5);
    reloaded.restore(core.snapshot());
    reloaded.apply(Event::Start);
    reloaded.apply(Event::ConnectionOpened);
    frame(&mut reloaded, &session_response(false, true));
    assert_eq!(reloaded.connection, Connection::Ended);
    assert_eq!(ended_lines(&reloaded), 1);
    assert!(!reloaded.can_compose());
    let effects = reloaded.apply(Event::StartNewChat);
    assert!(matches!(
        effects.as_slice(),
        [Effect::OpenConnection {
            start_new: true,
            ..
        }]
    ));
    reloaded.apply(Event::ConnectionOpened);
    // The ended session answers first (configured to be closed), then the new one.
    frame(&mut reloaded, &session_response(false, true));
    assert_eq!(reloaded.connection, Connection::Connected);
    frame(&mut reloaded, &session_response(true, false));
    assert_eq!(reloaded.connection, Connection::Connected);
    assert_eq!(
        reloaded.transcript.last().unwrap().system,
        Some(SystemLine::NewChat)
    );
    assert!(reloaded.can_compose());
}
