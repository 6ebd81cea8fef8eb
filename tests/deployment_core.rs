//! The deployment's `config.json` switching the core's features, and the tag's
//! `data-` attributes switching them back.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use guest_chat::core::*;
use guest_chat::protocol::genesys::read_deployment;
use serde_json::json;

#[path = "helpers/genesys_core.rs"]
mod helpers;
use helpers::*;

const ALL_OFF: &str = r#"{"messenger":{
    "apps":{"conversations":{"showAgentTypingIndicator":false,
        "conversationClear":{"enabled":false},"humanize":{"enabled":false}}},
    "fileUpload":{"modes":[]}}}"#;

const TYPING: &str = r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"direction":"Outbound","type":"Event","events":[{"eventType":"Typing","typing":{"type":"On","duration":3000}}]}}"#;

/// A core configured by `attributes` and the deployment `file`, its session open and
/// allowing images.
fn chat(attributes: &[(&str, &str)], file: &str) -> ChatCore {
    let mut config = config_with(attributes);
    config.apply_deployment(read_deployment(file).unwrap());
    let mut core = opened(config);
    frame(
        &mut core,
        &json!({"type":"response","class":"SessionResponse","code":200,"body":{
            "connected":true,"newSession":true,"readOnly":false,
            "allowedMedia":{"inbound":{"fileTypes":[{"type":"image/*"}],"maxFileSizeKB":1024}}}})
        .to_string(),
    );
    core
}

fn agent_names(core: &ChatCore) -> Vec<Option<String>> {
    core.transcript
        .iter()
        .filter(|e| e.kind == EntryKind::Agent)
        .map(|e| e.agent_name.as_deref().map(str::to_string))
        .collect()
}

#[test]
fn features_the_deployment_switched_off_are_not_offered() {
    let mut core = chat(&[], ALL_OFF);
    let effects = frame(&mut core, TYPING);
    assert!(!core.agent_typing);
    assert!(effects.is_empty(), "{effects:?}");
    frame(&mut core, &agent("Hello", "m1", "2026-01-01T00:00:00Z"));
    assert_eq!(agent_names(&core), [None]);
    assert!(!core.takes_files());
    assert!(!core.can_clear());
    // Starting over after an ended chat is not clearing: it stays.
    assert!(core.can_start_over());
}

#[test]
fn a_deployment_silent_on_them_leaves_every_feature_on() {
    let mut core = chat(&[], "{}");
    frame(&mut core, TYPING);
    assert!(core.agent_typing);
    frame(&mut core, &agent("Hello", "m1", "2026-01-01T00:00:00Z"));
    assert_eq!(agent_names(&core), [Some("Sam".to_string())]);
    assert!(core.takes_files());
    assert!(core.can_clear());
}

#[test]
fn the_tags_attributes_switch_them_back_on() {
    let mut core = chat(
        &[
            ("typing-indicator", "on"),
            ("agent-names", "on"),
            ("file-upload", "on"),
            ("clear-conversation", "on"),
        ],
        ALL_OFF,
    );
    frame(&mut core, TYPING);
    assert!(core.agent_typing);
    frame(&mut core, &agent("Hello", "m1", "2026-01-01T00:00:00Z"));
    assert_eq!(agent_names(&core), [Some("Sam".to_string())]);
    assert!(core.takes_files());
    assert!(core.can_clear());
}
