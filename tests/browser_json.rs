//! The widget reads JSON with the browser's `JSON.parse` and its own reader of the
//! parsed value; the simulator uses serde_json. Both must accept and refuse the same
//! texts and read the same values, or client and server would drift.

#![cfg(target_arch = "wasm32")]

use guest_chat::core::chat::{Delivery, Entry, EntryKind, Snapshot, Session, SystemLine};
use guest_chat_protocol::{json, ClientFrame, CreateSessionResponse, ErrorBody, RoutingStatus};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::fmt::Debug;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Reads `text` as a `T` both ways; returns whether it was accepted.
fn agree<T: DeserializeOwned + PartialEq + Debug>(text: &str) -> bool {
    let ours = json::from_str::<T>(text);
    let reference = serde_json::from_str::<T>(text);
    match (ours, reference) {
        (Ok(ours), Ok(reference)) => {
            assert_eq!(ours, reference, "{text}");
            true
        }
        (Err(_), Err(_)) => false,
        (ours, reference) => panic!("{text}: browser {ours:?}, serde_json {reference:?}"),
    }
}

#[wasm_bindgen_test]
fn numbers_read_as_serde_json_reads_them() {
    for text in ["0", "7", "9007199254740991"] {
        assert!(agree::<u64>(text), "{text}");
    }
    for text in ["-1", "1.5", "1e300", "\"3\"", "null", "true", "[]", "{}"] {
        assert!(!agree::<u64>(text), "{text}");
    }
    assert!(agree::<i32>("-42"));
    assert!(!agree::<i32>("4294967296"));
    assert!(!agree::<u32>("-1"));
    assert!(!agree::<u8>("256"));
    for text in ["0", "1.5", "-2.25", "1e300", "1730000000000"] {
        assert!(agree::<f64>(text), "{text}");
    }
    assert!(!agree::<f64>("\"1\""));
}

#[wasm_bindgen_test]
fn strings_booleans_options_and_arrays_read_as_serde_json_reads_them() {
    assert!(agree::<String>(r#""a \"quoted\" \\ line\nnext é 😀""#));
    assert!(!agree::<String>("1"));
    assert!(agree::<bool>("true"));
    assert!(!agree::<bool>("0"));
    assert!(agree::<Option<u64>>("null"));
    assert!(agree::<Option<u64>>("5"));
    assert!(!agree::<Option<u64>>("\"5\""));
    assert!(agree::<Vec<u32>>("[1,2,3]"));
    assert!(agree::<Vec<u32>>("[]"));
    assert!(!agree::<Vec<u32>>("[1,-2]"));
    assert!(!agree::<Vec<u32>>("{}"));
    assert!(agree::<BTreeMap<String, String>>(r#"{"b":"2","a":"1"}"#));
    assert!(!agree::<BTreeMap<String, String>>(r#"{"a":1}"#));
}

#[wasm_bindgen_test]
fn protocol_bodies_and_frames_read_as_serde_json_reads_them() {
    assert!(agree::<CreateSessionResponse>(
        r#"{"guest_token":"t","session_id":"s","organization_id":"o","expires_in":3600,"extra":[1,{"x":null}]}"#
    ));
    assert!(!agree::<CreateSessionResponse>(
        r#"{"guest_token":"t","session_id":"s","organization_id":"o"}"#
    ));
    assert!(!agree::<CreateSessionResponse>(
        r#"{"guest_token":"t","session_id":"s","organization_id":"o","expires_in":-5}"#
    ));
    assert!(agree::<ErrorBody>(
        r#"{"error":"unauthorized","message":"No."}"#
    ));
    // serde derives also read a struct from an array of its fields, in order.
    assert!(agree::<ErrorBody>(r#"["unauthorized","No."]"#));
    assert!(!agree::<ErrorBody>(r#"["unauthorized"]"#));
    assert!(agree::<RoutingStatus>(r#""queued""#));
    assert!(agree::<RoutingStatus>(r#""somewhere_new""#));
    assert!(!agree::<RoutingStatus>("3"));
    assert!(agree::<ClientFrame>(
        r#"{"type":"message","session_id":"s","text":"hi","client_message_id":"c1"}"#
    ));
    assert!(agree::<ClientFrame>(r#"{"type":"ping"}"#));
    assert!(!agree::<ClientFrame>(r#"{"type":"message","text":"hi"}"#));
    assert!(!agree::<ClientFrame>(r#"{"type":"shout"}"#));
}

#[wasm_bindgen_test]
fn a_saved_conversation_survives_a_round_trip() {
    let snapshot = Snapshot {
        session: Some(Session {
            guest_token: "token".into(),
            session_id: "session".into(),
            organization_id: "org".into(),
            expires_at_ms: 1_730_000_000_123.5,
        }),
        last_seq: Some(42),
        transcript: vec![
            Entry {
                id: 1,
                kind: EntryKind::Guest,
                text: "<b>not bold</b> \"quoted\"\n".into(),
                delivery: Some(Delivery::Delivered),
                client_id: Some("c-1".into()),
                agent_name: None,
                system: None,
                at_ms: 1_730_000_000_000.0,
            },
            Entry {
                id: 2,
                kind: EntryKind::Agent,
                text: "héllo 😀".into(),
                delivery: None,
                client_id: None,
                agent_name: Some("Ana".into()),
                system: None,
                at_ms: 0.0,
            },
            Entry {
                id: 3,
                kind: EntryKind::System,
                text: "".into(),
                delivery: None,
                client_id: None,
                agent_name: None,
                system: Some(SystemLine::Queued { position: Some(3) }),
                at_ms: 0.0,
            },
        ],
    };
    let text = json::to_string(&snapshot);
    assert_eq!(json::from_str::<Snapshot>(&text), Ok(snapshot.clone()));
    assert_eq!(serde_json::from_str::<Snapshot>(&text).unwrap(), snapshot);
    assert!(agree::<Snapshot>(
        &serde_json::to_string(&snapshot).unwrap()
    ));
    // A saved conversation from an older version without times or delivery.
    assert!(agree::<Snapshot>(
        r#"{"session":null,"last_seq":null,"transcript":[{"id":3,"kind":"system","text":"x"}]}"#
    ));
    assert!(!agree::<Snapshot>(
        r#"{"session":null,"last_seq":null,"transcript":[{"id":3,"kind":"robot","text":"x"}]}"#
    ));
}

#[wasm_bindgen_test]
fn where_the_browser_reads_differently_it_errs_on_the_safe_side() {
    // serde_json reads 2^53 + 1 exactly; a JavaScript number cannot hold it, so the
    // browser refuses it rather than read a different number.
    assert_eq!(
        serde_json::from_str::<u64>("9007199254740993").unwrap(),
        9_007_199_254_740_993
    );
    assert!(json::from_str::<u64>("9007199254740993").is_err());
    // JavaScript has one number type: `3.0`, `1e3` and `-0` are whole numbers to the
    // browser, so it reads them where an integer is expected; serde_json does not.
    for (text, whole) in [("3.0", 3), ("1e3", 1000), ("-0", 0)] {
        assert!(serde_json::from_str::<u64>(text).is_err(), "{text}");
        assert_eq!(json::from_str::<u64>(text), Ok(whole));
    }
    // serde_json refuses a lone surrogate; the browser reads it as U+FFFD.
    assert!(serde_json::from_str::<String>(r#""a\ud800b""#).is_err());
    assert_eq!(
        json::from_str::<String>(r#""a\ud800b""#).as_deref(),
        Ok("a\u{FFFD}b")
    );
}

#[wasm_bindgen_test]
fn deep_nesting_is_read_up_to_a_limit_as_serde_json_does() {
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(agree::<serde_json::Value>(&nested(100)));
    assert!(!agree::<serde_json::Value>(&nested(200)));
    // Far deeper than the stack could follow, inside a value the type ignores.
    let deep = format!(r#"{{"error":"e","message":"m","x":{}}}"#, nested(100_000));
    let err = json::from_str::<ErrorBody>(&deep).unwrap_err();
    assert!(err.contains("nested"), "{err}");
}

#[wasm_bindgen_test]
fn errors_say_what_was_found_and_what_was_expected() {
    let err = json::from_str::<u64>("1.5").unwrap_err();
    assert!(err.contains("fraction") && err.contains("u64"), "{err}");
    let err = json::from_str::<String>("[1]").unwrap_err();
    assert!(err.contains("an array") && err.contains("string"), "{err}");
    let err = json::from_str::<RoutingStatus>("{}").unwrap_err();
    assert!(err.contains("variant"), "{err}");
    let err = json::from_str::<ErrorBody>(r#"{"error":"x"}"#).unwrap_err();
    assert!(err.contains("message"), "{err}");
    assert_eq!(json::from_str::<u64>("{oops").unwrap_err(), "not JSON");
}

#[wasm_bindgen_test]
fn the_widget_writes_what_json_stringify_writes() {
    // Numbers with a fraction are printed by the browser; whole ones by the writer.
    for n in [
        0.1,
        -2.5,
        1e-7,
        1.5e300,
        1_730_000_000_123.5,
        3.0,
        -0.0,
        2f64.powi(60),
    ] {
        let expected = js_sys::JSON::stringify(&n.into())
            .unwrap()
            .as_string()
            .unwrap();
        assert_eq!(json::to_string(&n), expected);
    }
    assert_eq!(json::to_string(&f64::NAN), "null");
    let text: String = (0u32..0x80).filter_map(char::from_u32).collect::<String>() + "é😀\u{2028}";
    let expected = js_sys::JSON::stringify(&text.as_str().into())
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(json::to_string(&text), expected);
    let frame = ClientFrame::Message {
        session_id: "s".into(),
        text: "hi".into(),
        client_message_id: Some("c".into()),
    };
    assert_eq!(
        json::to_string(&frame),
        serde_json::to_string(&frame).unwrap()
    );
}
