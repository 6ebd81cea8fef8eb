//! The conversation core in Genesys Cloud mode, driven through its adapter with frames
//! in the shapes the service sends: history before resending, pacing, order by time,
//! attributes, typing, new chat, clearing, refusals.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use guest_chat::core::*;
use guest_chat::protocol::{genesys::GenesysProtocol, WireProtocol};
use serde_json::{json, Value};

const WIRE: GenesysProtocol = GenesysProtocol;

fn config_with(extra: &[(&str, &str)]) -> Config {
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
fn opened(config: Config) -> ChatCore {
    let mut core = ChatCore::new(config, 3);
    core.clock_ms = 1_000_000.0;
    core.apply(Event::Start);
    core.apply(Event::SessionCreated(
        WIRE.local_session(core.config(), "tok".into()),
    ));
    core.apply(Event::ConnectionOpened);
    core
}

fn configured(new_session: bool) -> ChatCore {
    let mut core = opened(config_with(&[]));
    frame(&mut core, &session_response(new_session, false));
    core
}

fn session_response(new_session: bool, read_only: bool) -> String {
    json!({"type":"response","class":"SessionResponse","code":200,
        "body":{"connected":true,"newSession":new_session,"readOnly":read_only,"maxCustomDataBytes":120}})
    .to_string()
}

fn frame(core: &mut ChatCore, raw: &str) -> Vec<Effect> {
    core.apply(WIRE.decode(raw))
}

/// What `effects` write, as JSON.
fn written(effects: &[Effect]) -> Vec<Value> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(out) => WIRE.encode(out),
            _ => None,
        })
        .map(|text| serde_json::from_str(&text).unwrap())
        .collect()
}

fn texts_written(effects: &[Effect]) -> Vec<String> {
    written(effects)
        .iter()
        .filter(|f| f["action"] == "onMessage" && f["message"]["type"] == "Text")
        .map(|f| f["message"]["text"].as_str().unwrap().to_string())
        .collect()
}

fn echo(text: &str, client_id: &str, id: &str, time: &str) -> String {
    json!({"type":"message","class":"StructuredMessage","code":200,"tracingId":client_id,
        "body":{"text":text,"direction":"Inbound","id":id,"type":"Text","channel":{"time":time}}})
    .to_string()
}

fn agent(text: &str, id: &str, time: &str) -> String {
    json!({"type":"message","class":"StructuredMessage","code":200,
        "body":{"text":text,"direction":"Outbound","id":id,"type":"Text",
            "channel":{"time":time,"from":{"nickname":"Sam"}},"originatingEntity":"Human"}})
    .to_string()
}

fn transcript(core: &ChatCore) -> Vec<(EntryKind, String, Option<Delivery>)> {
    core.transcript
        .iter()
        .filter(|e| e.kind != EntryKind::System)
        .map(|e| (e.kind, e.text.to_string(), e.delivery))
        .collect()
}

fn send(core: &mut ChatCore, text: &str) -> Vec<Effect> {
    core.apply(Event::Send {
        text: text.into(),
        client_id: format!("c-{text}"),
    })
}

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

/// A core that chatted, lost its connection with `unacknowledged` in flight, and
/// reconnected to a session the server kept.
fn reconnected_with(unacknowledged: &[&str]) -> (ChatCore, Vec<Effect>) {
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

#[test]
fn clearing_erases_the_conversation_and_begins_a_new_session() {
    let mut core = configured(true);
    send(&mut core, "secret");
    let effects = core.apply(Event::ClearConversation);
    assert_eq!(
        written(&effects)[0]["message"]["events"][0]["presence"]["type"],
        "Clear"
    );
    let effects = frame(
        &mut core,
        r#"{"type":"message","class":"SessionClearedEvent","code":200,"body":{}}"#,
    );
    assert!(core.transcript.is_empty());
    assert!(core.session().is_none());
    assert!(effects.contains(&Effect::CloseConnection(CloseWhy::Cleared)));
    assert!(effects.contains(&Effect::CreateSession));
}

#[test]
fn a_connection_refused_before_ever_opening_asks_to_check_the_configuration() {
    let mut core = ChatCore::new(config_with(&[]), 3);
    core.apply(Event::Start);
    core.apply(Event::SessionCreated(
        WIRE.local_session(core.config(), "tok".into()),
    ));
    let refused = Event::ConnectionClosed {
        kind: CloseKind::Lost,
        code: 1006,
        reason: String::new(),
    };
    core.apply(refused.clone());
    assert!(matches!(core.connection, Connection::Disconnected { .. }));
    core.apply(Event::ReconnectDue);
    core.apply(refused);
    assert_eq!(core.connection, Connection::Unreachable);
    assert_eq!(core.connection.phase(), Phase::Failed);
    assert!(matches!(
        core.apply(Event::Retry).last(),
        Some(Effect::OpenConnection { .. })
    ));
}

fn rich(id: &str, text: &str, content: serde_json::Value, time: &str) -> String {
    json!({"type":"message","class":"StructuredMessage","code":200,
        "body":{"text":text,"type":"Structured","direction":"Outbound","id":id,
            "channel":{"time":time},"content":content,"originatingEntity":"Bot"}})
    .to_string()
}

#[test]
fn a_quick_reply_is_sent_as_the_visitors_answer_and_offered_no_more() {
    let mut core = configured(true);
    frame(
        &mut core,
        &rich(
            "q1",
            "What would you like to do?",
            json!([{"contentType":"QuickReply","quickReply":{"text":"Yes","payload":"cookie1"}},
                   {"contentType":"QuickReply","quickReply":{"text":"No","payload":"cookie2"}}]),
            "2026-01-01T10:00:00.000Z",
        ),
    );
    let asked = core.transcript.last().unwrap().clone();
    assert_eq!(
        asked.offer.as_deref(),
        Some(&Offer::QuickReplies(vec![
            Choice {
                text: "Yes".into(),
                payload: "cookie1".into()
            },
            Choice {
                text: "No".into(),
                payload: "cookie2".into()
            }
        ]))
    );
    let effects = core.apply(Event::ChooseReply {
        entry: asked.id,
        choice: 1,
        client_id: "c-no".into(),
    });
    let sent = written(&effects);
    assert_eq!(sent[0]["message"]["text"], "No");
    assert_eq!(
        sent[0]["message"]["content"],
        json!([{"contentType":"ButtonResponse","buttonResponse":{"text":"No","payload":"cookie2","type":"QuickReply"}}])
    );
    assert!(core
        .transcript
        .iter()
        .any(|e| e.id == asked.id && e.answered));
    assert_eq!(transcript(&core).last().unwrap().1, "No");
    // Chosen once: a second choice sends nothing.
    core.clock_ms += 1000.0;
    assert!(core
        .apply(Event::ChooseReply {
            entry: asked.id,
            choice: 0,
            client_id: "c-yes".into(),
        })
        .is_empty());
}

#[test]
fn a_newer_message_retires_quick_replies_and_history_keeps_them_answered() {
    let mut core = configured(true);
    let ask = rich(
        "q1",
        "Pick one",
        json!([{"contentType":"QuickReply","quickReply":{"text":"A","payload":"a"}}]),
        "2026-01-01T10:00:00.000Z",
    );
    frame(&mut core, &ask);
    frame(
        &mut core,
        &agent("never mind", "a2", "2026-01-01T10:00:01.000Z"),
    );
    assert!(core
        .transcript
        .iter()
        .any(|e| e.offer.is_some() && e.answered));
    // From history, newest first: the question and the visitor's answer after it.
    let (mut resumed, _) = reconnected_with(&[]);
    let page = WIRE
        .read_history(
            &json!({"entities":[
                {"id":"g9","type":"Text","text":"A","direction":"Inbound","channel":{"time":"2026-01-01T10:00:09.000Z"}},
                {"id":"q9","type":"Structured","text":"Pick one","direction":"Outbound","channel":{"time":"2026-01-01T10:00:08.000Z"},
                 "content":[{"contentType":"QuickReply","quickReply":{"text":"A","payload":"a"}}]},
                {"id":"a0","type":"Text","text":"welcome","direction":"Outbound","channel":{"time":"2026-01-01T10:00:01.000Z"}}
            ],"pageSize":25,"pageNumber":1,"total":3,"pageCount":1})
            .to_string(),
            1,
        )
        .unwrap();
    resumed.apply(Event::HistoryLoaded(page));
    let question = resumed
        .transcript
        .iter()
        .find(|e| e.offer.is_some())
        .unwrap();
    assert!(
        question.answered,
        "answered in the history: not offered again"
    );
}

#[test]
fn cards_answer_by_postback_and_keep_only_safe_links_and_images() {
    let mut core = configured(true);
    frame(
        &mut core,
        &rich(
            "c1",
            "Carousel content test",
            json!([{"contentType":"Carousel","carousel":{"cards":[
                {"title":"Card 1","description":"D1","image":"javascript:alert(1)","actions":[
                    {"type":"Link","text":"Open","url":"https://example.org/a"},
                    {"type":"Link","text":"Bad","url":"javascript:alert(1)"},
                    {"type":"Postback","text":"Select this option","payload":"postback_payload"}]},
                {"title":"Card 2","image":"https://example.org/2.png","actions":[
                    {"type":"Link","text":"Data","url":"data:text/html,<script>alert(1)</script>"}]}]}},
                   {"contentType":"DatePicker","datePicker":{"title":"Select a time"}}]),
            "2026-01-01T10:00:00.000Z",
        ),
    );
    let entry = core.transcript.last().unwrap().clone();
    assert_eq!(&*entry.text, "Carousel content test");
    let Some(Offer::Cards(cards)) = entry.offer.as_deref() else {
        panic!("cards: {:?}", entry.offer)
    };
    assert_eq!(cards.len(), 2);
    assert_eq!(cards[0].image, None);
    assert_eq!(cards[1].image.as_deref(), Some("https://example.org/2.png"));
    assert_eq!(
        cards[0].actions,
        [
            CardAction::Link {
                text: "Open".into(),
                url: "https://example.org/a".into()
            },
            CardAction::Postback {
                text: "Select this option".into(),
                payload: "postback_payload".into()
            }
        ]
    );
    assert!(cards[1].actions.is_empty());
    let sent = written(&core.apply(Event::PressCardButton {
        entry: entry.id,
        card: 0,
        action: 1,
        client_id: "c-p".into(),
    }));
    assert_eq!(sent[0]["message"]["type"], "Structured");
    assert_eq!(sent[0]["message"]["text"], "Select this option");
    assert_eq!(
        sent[0]["message"]["content"][0]["buttonResponse"],
        json!({"text":"Select this option","payload":"postback_payload","type":"Button"})
    );
}

#[test]
fn only_https_and_this_machines_http_are_safe() {
    for good in [
        "https://example.org/x.png",
        "HTTPS://EXAMPLE.ORG",
        "http://localhost:8787/a",
        "http://127.0.0.1/a",
        "http://[::1]:8080/",
    ] {
        assert_eq!(safe_url(good), Some(good), "{good}");
    }
    for bad in [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:image/png;base64,AAAA",
        "http://example.org/",
        "http://localhost.evil.example/",
        "http://127.0.0.1@evil.example/",
        "//example.org/x",
        "https://",
        "vbscript:x",
        "file:///etc/passwd",
    ] {
        assert_eq!(safe_url(bad), None, "{bad}");
    }
}

#[test]
fn agent_files_keep_their_name_size_and_only_safe_addresses() {
    let mut core = configured(true);
    frame(
        &mut core,
        &json!({"type":"message","class":"StructuredMessage","code":200,"body":{"direction":"Outbound","id":"f1",
            "channel":{"time":"2026-01-01T10:00:00.000Z"},"type":"Text","text":"Hi","content":[
            {"attachment":{"id":"a1","filename":"image.png","mediaType":"Image","fileSize":1,"mime":"image/png","url":"https://downloadurl.com/i"},"contentType":"Attachment"},
            {"attachment":{"id":"a2","filename":"receipt.pdf","mediaType":"File","fileSize":12345,"mime":"application/pdf","url":"https://downloadurl.com/r"},"contentType":"Attachment"},
            {"attachment":{"id":"a3","filename":"evil.html","mediaType":"File","url":"javascript:alert(1)"},"contentType":"Attachment"}],
            "originatingEntity":"Human"}})
        .to_string(),
    );
    let entry = core.transcript.last().unwrap();
    assert_eq!(&*entry.text, "Hi");
    assert_eq!(
        entry.offer.as_deref(),
        Some(&Offer::Files(vec![
            FileLink {
                id: "a1".into(),
                name: "image.png".into(),
                url: "https://downloadurl.com/i".into(),
                image: true,
                size: Some(1),
            },
            FileLink {
                id: "a2".into(),
                name: "receipt.pdf".into(),
                url: "https://downloadurl.com/r".into(),
                image: false,
                size: Some(12345),
            }
        ]))
    );
}

#[test]
fn opening_a_file_asks_for_a_fresh_address_first() {
    let mut core = configured(true);
    frame(
        &mut core,
        &json!({"type":"message","class":"StructuredMessage","code":200,"body":{"direction":"Outbound","id":"f1",
            "channel":{"time":"2026-01-01T10:00:00.000Z"},"type":"Text","text":"","content":[
            {"attachment":{"id":"a2","filename":"receipt.pdf","mediaType":"File","url":"https://downloads.example/old"},"contentType":"Attachment"}]}})
        .to_string(),
    );
    let entry = core.transcript.last().unwrap().id;
    let asked = written(&core.apply(Event::OpenFile { entry, file: 0 }));
    assert_eq!(
        asked,
        [
            json!({"action":"getAttachment","token":"tok","attachmentId":"a2","tracingId":"attachment"})
        ]
    );
    let effects = frame(
        &mut core,
        r#"{"type":"response","class":"PresignedUrlResponse","code":200,"tracingId":"attachment","body":{"attachmentId":"a2","headers":{},"url":"https://downloads.example/new","fileSize":12}}"#,
    );
    assert_eq!(
        effects,
        [Effect::OpenUrl("https://downloads.example/new".into())]
    );
    let Some(Offer::Files(files)) = core.transcript.last().unwrap().offer.as_deref() else {
        panic!()
    };
    assert_eq!(files[0].url, "https://downloads.example/new");
    // An address that is not safe is neither kept nor opened.
    core.apply(Event::OpenFile { entry, file: 0 });
    let effects = frame(
        &mut core,
        r#"{"type":"response","class":"PresignedUrlResponse","code":200,"body":{"attachmentId":"a2","headers":{},"url":"javascript:alert(1)"}}"#,
    );
    assert!(!effects.iter().any(|e| matches!(e, Effect::OpenUrl(_))));
}

#[test]
fn a_held_message_ends_the_history_read_only_once_it_is_older_than_the_reordering_window() {
    // Delivered newest first, and cut by a drop: "a14" arrived, "a13" and "a12" did not.
    let (mut core, _) = reconnected_with(&[]);
    frame(
        &mut core,
        r#"{"type":"response","class":"JwtResponse","code":200,"body":{"jwt":"j","exp":99999999999}}"#,
    );
    frame(&mut core, &agent("a14", "a14", "2026-01-01T10:00:14.000Z"));
    let item = |id: &str, second: u32| HistoryItem {
        id: id.to_string(),
        from_guest: false,
        text: id.to_string(),
        author: None,
        at_ms: WIRE
            .read_history(
                &json!({"entities":[{"id":"t","type":"Text","text":"t","direction":"Outbound",
                    "channel":{"time":format!("2026-01-01T10:00:{second:02}.000Z")}}]})
                .to_string(),
                1,
            )
            .unwrap()
            .items[0]
            .at_ms,
        client_id: None,
        offer: None,
    };
    // Reconnected again: the held "a14" is on the first page, the lost ones on the second.
    core.apply(Event::ConnectionClosed {
        kind: CloseKind::Lost,
        code: 1006,
        reason: String::new(),
    });
    core.apply(Event::ReconnectDue);
    core.apply(Event::ConnectionOpened);
    frame(&mut core, &session_response(false, false));
    let first = HistoryPage {
        page: 1,
        more: true,
        items: vec![item("a15", 15), item("a14", 14)],
    };
    assert_eq!(
        core.apply(Event::HistoryLoaded(first)),
        [Effect::FetchHistory {
            jwt: "j".into(),
            page: 2
        }],
        "a14 is held, but what came before it may not be"
    );
    let second = HistoryPage {
        page: 2,
        more: true,
        items: vec![item("a13", 13), item("a12", 12), item("a0", 1)],
    };
    core.apply(Event::HistoryLoaded(second));
    let agents: Vec<String> = transcript(&core)
        .into_iter()
        .filter(|(k, _, _)| *k == EntryKind::Agent)
        .map(|(_, t, _)| t)
        .collect();
    assert_eq!(agents, ["welcome", "a12", "a13", "a14", "a15"]);
}
