//! The conversation core in Genesys Cloud mode: clearing, a deployment that refuses
//! every connection, quick replies, cards, files, and the history's reordering window.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use guest_chat::core::*;
use guest_chat::protocol::WireProtocol;
use serde_json::json;

#[path = "helpers/genesys_core.rs"]
mod helpers;
use helpers::*;

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

#[test]
fn attributes_the_page_sets_later_go_with_the_next_message_only_when_new() {
    let mut core = opened(config_with(&[("attributes", r#"{"plan":"gold"}"#)]));
    frame(&mut core, &session_response(true, false));
    let first = written(&send(&mut core, "one"));
    assert_eq!(
        first[0]["message"]["channel"]["metadata"]["customAttributes"],
        json!({"plan":"gold"})
    );
    frame(
        &mut core,
        &echo("one", "c-one", "g1", "2026-01-01T10:00:00.000Z"),
    );
    let set = |pairs: &[(&str, &str)]| {
        Event::AttributesChanged(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    };
    assert!(core
        .apply(set(&[("plan", "gold"), ("cart", "3")]))
        .is_empty());
    core.clock_ms += 1000.0;
    let second = written(&send(&mut core, "two"));
    assert_eq!(
        second[0]["message"]["channel"]["metadata"]["customAttributes"],
        json!({"cart":"3"})
    );
}
