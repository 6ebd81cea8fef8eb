//! Helpers of the Genesys Cloud mode's browser tests: a widget on a deployment, its
//! kept token, and the simulator's view of the session.

use super::*;
use serde_json::Value;

/// The simulator's development deployment (`--deployment-id` default).
pub const DEPLOYMENT: &str = "5b1f0ef4-4c1a-4c0e-9d37-000000000001";

pub fn mount_genesys(name: &str) -> Widget {
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
pub async fn kept_token(name: &str) -> String {
    let window = web_sys::window().unwrap();
    let stores = [
        window.local_storage().unwrap().unwrap(),
        window.session_storage().unwrap().unwrap(),
    ];
    for _ in 0..250 {
        for (storage, i) in stores
            .iter()
            .flat_map(|s| (0..s.length().unwrap()).map(move |i| (s, i)))
        {
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

pub async fn genesys_session(token: &str) -> Value {
    get_json(&format!("/control/genesys/sessions/{token}")).await
}

pub fn control(token: &str, action: &str) -> String {
    format!("/control/genesys/sessions/{token}/{action}")
}

/// Requests of `action` the session received.
pub async fn requests(token: &str, action: &str) -> Vec<Value> {
    genesys_session(token).await["received"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|r| serde_json::from_str::<Value>(r.as_str()?).ok())
                .filter(|r| r["action"] == action)
                .collect()
        })
        .unwrap_or_default()
}

/// Guest typing events the session received.
pub async fn typing_events(token: &str) -> usize {
    requests(token, "onMessage")
        .await
        .iter()
        .filter(|r| r["message"]["events"][0]["eventType"] == "Typing")
        .count()
}

pub fn rich_frame(id: &str, text: &str, content: Value) -> String {
    serde_json::json!({"type":"message","class":"StructuredMessage","code":200,
        "body":{"text":text,"type":"Structured","direction":"Outbound","id":id,
            "channel":{"time":"2030-01-01T00:00:00.000Z","from":{"nickname":"Bot"}},
            "content":content,"originatingEntity":"Bot"}})
    .to_string()
}

/// Gives the widget's file picker a file of `size` bytes, as a visitor choosing one would.
pub fn pick_file(w: &Widget, name: &str, mime: &str, size: u32) {
    let picker = w.find(".gc-file-picker").expect("a file picker");
    let choose = js_sys::Function::new_with_args(
        "input, name, mime, size",
        "const data = new DataTransfer();
         data.items.add(new File([new Uint8Array(size)], name, { type: mime }));
         input.files = data.files;
         input.dispatchEvent(new Event('change', { bubbles: true }));",
    );
    let args = js_sys::Array::of4(&picker, &name.into(), &mime.into(), &size.into());
    choose.apply(&wasm_bindgen::JsValue::NULL, &args).unwrap();
}

pub fn attached_text(w: &Widget) -> String {
    w.all_text(".gc-attached-text").join("")
}
