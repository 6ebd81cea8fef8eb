//! Property tests: whatever the network and the visitor do, the tutorial protocol's
//! decoder and the chat core never panic, and the transcript keeps its promises.

#![cfg(not(target_arch = "wasm32"))]
// Native tests ship nothing: the widget's size rules (clippy.toml) do not apply.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use guest_chat::core::{
    ChatCore, Config, EntryKind, Event, Incoming, NewSession, RestFailure, SystemLine, Unreadable,
};
use guest_chat::protocol::{tutorial::TutorialProtocol, WireProtocol};
use guest_chat_protocol::ServerFrame;
use proptest::prelude::*;
use std::collections::HashSet;

fn config() -> Config {
    Config::from_attributes(|name| match name {
        "session-url" => Some("/guest-session".to_string()),
        "reconnect-attempts" => Some("3".to_string()),
        _ => None,
    })
    .unwrap()
}

/// JSON-ish text: known frame types with fields of any type, plus noise.
fn frame_text() -> impl Strategy<Value = String> {
    let kind = prop_oneof![
        Just("routing".to_string()),
        Just("agent_typing".to_string()),
        Just("agent_not_typing".to_string()),
        Just("agent_message".to_string()),
        Just("guest_message_delivered".to_string()),
        Just("error".to_string()),
        Just("pong".to_string()),
        "[a-z_]{0,12}",
    ];
    let value = prop_oneof![
        Just("null".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u8>().prop_map(|n| n.to_string()),
        ".{0,20}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("\"queued\"".to_string()),
        Just("\"connected\"".to_string()),
    ];
    let field = prop_oneof![
        Just("text"),
        Just("seq"),
        Just("status"),
        Just("position"),
        Just("reason"),
        Just("client_message_id"),
        Just("agent_name"),
    ];
    prop_oneof![
        4 => (kind, prop::collection::vec((field, value), 0..4)).prop_map(|(kind, fields)| {
            let mut out = format!("{{\"type\":\"{kind}\"");
            for (k, v) in fields {
                out.push_str(&format!(",\"{k}\":{v}"));
            }
            out.push('}');
            out
        }),
        1 => ".{0,60}",
        1 => (1u64..30).prop_map(|seq| format!(r#"{{"type":"agent_message","text":"m{seq}","seq":{seq}}}"#)),
        1 => (0u32..6).prop_map(|i| format!(r#"{{"type":"guest_message_delivered","client_message_id":"c{i}"}}"#)),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        1 => Just(Event::Start),
        1 => Just(Event::SessionCreated(NewSession {
            guest_token: "t".into(),
            session_id: "s".into(),
            organization_id: "o".into(),
            expires_in_s: 3600,
        })),
        1 => (proptest::option::of(100u16..600), ".{0,30}", proptest::option::of(0u32..100)).prop_map(
            |(status, body, retry_after_s)| Event::SessionFailed(RestFailure::new(
                status,
                &TutorialProtocol.failure_text(&body),
                retry_after_s
            ))
        ),
        3 => Just(Event::ConnectionOpened),
        6 => frame_text().prop_map(|text| TutorialProtocol.decode(&text)),
        1 => Just(Event::Unreadable(Unreadable::Binary)),
        2 => (prop_oneof![Just(1000u16), Just(1006), Just(4001), Just(4002), any::<u16>()], ".{0,10}")
            .prop_map(|(code, reason)| Event::ConnectionClosed {
                kind: TutorialProtocol.close_kind(code),
                code,
                reason,
            }),
        1 => Just(Event::ReconnectDue),
        1 => Just(Event::HeartbeatDue),
        3 => (".{0,20}", 0u32..6).prop_map(|(text, i)| Event::Send {
            text,
            client_id: format!("c{i}"),
        }),
        1 => Just(Event::Retry),
        1 => (0u64..20).prop_map(|id| Event::RetryMessage { id }),
        1 => Just(Event::NetworkOnline),
        1 => Just(Event::NetworkOffline),
        1 => Just(Event::PageVisible),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_decoder_never_panics(text in frame_text()) {
        let _ = ServerFrame::decode(&text);
    }

    #[test]
    fn the_decoder_never_panics_on_any_string(text in any::<String>()) {
        let _ = ServerFrame::decode(&text);
        let _ = TutorialProtocol.decode(&text);
    }

    #[test]
    fn the_core_never_panics_and_keeps_the_transcript_sound(
        events in prop::collection::vec(event(), 0..80),
        clock in prop::collection::vec(0f64..1e7, 80),
    ) {
        let mut core = ChatCore::new(config(), 42);
        let mut seen_seq: Vec<u64> = vec![];
        for (i, event) in events.into_iter().enumerate() {
            core.clock_ms += clock[i];
            if let Event::Received(Incoming::AgentMessage { seq: Some(seq), .. }) = &event {
                seen_seq.push(*seq);
            }
            let _ = core.apply(event);
            // Ids are unique and increasing, so rendering keys are stable.
            let ids: Vec<u64> = core.transcript.iter().map(|e| e.id).collect();
            prop_assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
            // An agent message with a seq appears at most once per session (a renewed
            // session numbers its messages from 1 again).
            let mut texts = HashSet::new();
            for entry in &core.transcript {
                if entry.system == Some(SystemLine::SessionRenewed) {
                    texts.clear();
                }
                if entry.kind != EntryKind::Agent {
                    continue;
                }
                if entry.text.starts_with('m') && entry.text[1..].parse::<u64>().is_ok() {
                    prop_assert!(texts.insert(entry.text.clone()), "duplicate {}", entry.text);
                }
            }
            // Only guest entries carry a delivery state.
            for entry in &core.transcript {
                prop_assert_eq!(entry.delivery.is_some(), entry.kind == EntryKind::Guest);
                if entry.kind == EntryKind::Guest {
                    prop_assert!(!entry.text.trim().is_empty());
                }
            }
            // A snapshot always round-trips.
            let json = serde_json::to_string(&core.snapshot()).unwrap();
            let back: guest_chat::core::Snapshot = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back.transcript.len(), core.snapshot().transcript.len());
        }
    }
}
