//! The widget in Genesys Cloud mode against the simulator's Genesys side: the session
//! token made in the page, `configureSession` on connecting, the echo as the receipt,
//! typing for its duration, the agent ending the chat, and a reload resuming the token.

#![cfg(target_arch = "wasm32")]

mod support;

use serde_json::Value;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The simulator's development deployment (`--deployment-id` default).
const DEPLOYMENT: &str = "5b1f0ef4-4c1a-4c0e-9d37-000000000001";

fn mount_genesys(name: &str) -> Widget {
    let ws = ws_base();
    mount(&[
        ("access-token", ""),
        ("organization-id", ""),
        ("deployment-id", DEPLOYMENT),
        ("ws-base", ws.as_str()),
        ("api-base", SIM),
        ("guest-name", name),
    ])
}

/// The session token the widget made, as it keeps it.
async fn kept_token(name: &str) -> String {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    for _ in 0..250 {
        for i in 0..storage.length().unwrap() {
            let key = storage.key(i).unwrap().unwrap_or_default();
            if key.contains(name) && key.ends_with("|test@example.com") {
                let kept: Value =
                    serde_json::from_str(&storage.get_item(&key).unwrap().unwrap()).unwrap();
                if let Some(token) = kept["session"]["guest_token"].as_str() {
                    return token.to_string();
                }
            }
        }
        sleep(20).await;
    }
    panic!("no kept session for {name}");
}

async fn genesys_session(token: &str) -> Value {
    get_json(&format!("/control/genesys/sessions/{token}")).await
}

#[wasm_bindgen_test]
async fn a_chat_in_genesys_cloud_mode() {
    let name = unique_name("genesys");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    w.type_and_enter("hello genesys");
    w.wait_for("the echo as the receipt", |w| {
        w.find(".gc-guest[data-delivery=delivered]").is_some()
    })
    .await;
    let received = genesys_session(&token).await["received"].clone();
    let first: Value = serde_json::from_str(received[0].as_str().unwrap()).unwrap();
    assert_eq!(first["action"], "configureSession");
    assert_eq!(first["deploymentId"], DEPLOYMENT);
    assert_eq!(first["token"], token.as_str());
    let sent: Value = serde_json::from_str(received[1].as_str().unwrap()).unwrap();
    assert_eq!(sent["action"], "onMessage");
    assert_eq!(sent["message"]["text"], "hello genesys");
    assert_eq!(
        sent["tracingId"],
        sent["message"]["metadata"]["customMessageId"]
    );

    post(
        &format!("/control/genesys/sessions/{token}/typing"),
        r#"{"duration_ms":300}"#,
    )
    .await;
    w.wait_for("typing shown", |w| w.find(".gc-typing").is_some())
        .await;
    w.wait_for("typing gone when its time is up", |w| {
        w.find(".gc-typing").is_none()
    })
    .await;
    post(
        &format!("/control/genesys/sessions/{token}/agent-message"),
        r#"{"text":"Hi from Genesys","nickname":"Ana"}"#,
    )
    .await;
    w.wait_for("the agent's message", |w| {
        w.all_text(".gc-agent .gc-text") == ["Hi from Genesys"]
    })
    .await;
    let meta = w
        .find(".gc-agent")
        .unwrap()
        .get_attribute("data-meta")
        .unwrap();
    assert!(meta.starts_with("Ana · "), "{meta}");

    post(&format!("/control/genesys/sessions/{token}/end"), "{}").await;
    w.wait_status("Chat ended").await;
    assert!(w.input().disabled());
}

#[wasm_bindgen_test]
async fn a_reload_resumes_the_same_genesys_session() {
    let name = unique_name("genesys-reload");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    drop(w);
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    assert_eq!(kept_token(&name).await, token);
    wait_until("the second configureSession", || async {
        genesys_session(&token).await["received"]
            .as_array()
            .is_some_and(|r| r.len() >= 2)
    })
    .await;
    let second: Value = serde_json::from_str(
        genesys_session(&token).await["received"][1]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(second["action"], "configureSession");
    assert_eq!(second["token"], token.as_str());
}

#[wasm_bindgen_test]
async fn a_fourth_window_of_a_conversation_does_not_start_a_tug_of_war() {
    let name = unique_name("genesys-tabs");
    let first = mount_genesys(&name);
    first.wait_status("Connected").await;
    let token = kept_token(&name).await;
    let mut others = vec![];
    for _ in 0..3 {
        let w = mount_genesys(&name);
        w.wait_status("Connected").await;
        others.push(w);
    }
    // Three connections per token: the oldest is let go, says so, and offers to continue.
    let en = &guest_chat::i18n::EN;
    first.wait_status(en.displaced).await;
    assert_eq!(first.text(".gc-hint"), en.hint_displaced);
    assert!(first.find(".gc-retry").is_some());
    // Proves that nothing happens: many reconnect delays (40 ms) pass without the first
    // window taking a connection back.
    sleep(400).await;
    assert_eq!(first.status(), en.displaced);
    assert_eq!(genesys_session(&token).await["connections"], 3);
    assert!(others.iter().all(|w| w.status() == "Connected"));
    // The visitor chooses this window: it connects again (and another is let go).
    first.click(".gc-retry");
    first.wait_status("Connected").await;
}
