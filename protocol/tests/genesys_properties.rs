//! Property tests of the Genesys frame reader: it never panics, and what it reads is
//! what was sent.

use guest_chat_protocol::genesys::{ServerBody, ServerMessage};
use proptest::prelude::*;
use serde_json::{json, Value};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn class() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("SessionResponse".to_string()),
        Just("StructuredMessage".to_string()),
        Just("string".to_string()),
        Just("TooManyRequestsErrorMessage".to_string()),
        Just("SessionExpiredEvent".to_string()),
        Just("ConnectionClosedEvent".to_string()),
        Just("JwtResponse".to_string()),
        "[A-Za-z]{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn any_text_is_read_or_refused_without_panicking(text in any::<String>()) {
        let _ = ServerMessage::decode(&text);
    }

    #[test]
    fn any_body_of_any_class_is_read_or_refused(
        class in class(),
        body in any_json(),
        kind in prop_oneof![Just("response"), Just("message"), Just("other")],
    ) {
        let frame = json!({"type": kind, "class": class, "code": 200, "body": body}).to_string();
        let _ = ServerMessage::decode(&frame);
    }

    #[test]
    fn a_message_reads_back_its_text_time_and_tracing_id(
        text in ".{0,200}",
        ms in 0u32..1000,
        tracing in "[a-z0-9-]{1,36}",
    ) {
        let time = format!("2026-12-04T10:00:00.{ms:03}Z");
        let frame = json!({
            "type": "message", "class": "StructuredMessage", "code": 200, "tracingId": tracing,
            "body": {"text": text, "type": "Text", "direction": "Outbound", "id": "a1", "channel": {"time": time}}
        }).to_string();
        let read = ServerMessage::decode(&frame).unwrap();
        prop_assert_eq!(read.tracing_id.as_deref(), Some(tracing.as_str()));
        let ServerBody::StructuredMessage(message) = read.body else { panic!("not a message") };
        prop_assert_eq!(message.text.as_deref(), Some(text.as_str()));
        prop_assert_eq!(message.channel.unwrap().time, Some(time));
    }
}
