//! JSON text to and from the protocol's serde types. Natively (the simulator, the
//! core's tests) this is serde_json; in the browser it is the browser's own
//! `JSON.parse`/`JSON.stringify` with serde-wasm-bindgen between the JavaScript value
//! and the Rust type, so the widget ships no JSON parser or printer of its own.
//! Both sides read and write the same types, so client and server cannot drift.

use serde::{de::DeserializeOwned, Serialize};

/// Reads `text` as a `T`; the error says what was wrong, for logs.
#[cfg(not(target_arch = "wasm32"))]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|err| err.to_string())
}

/// Writes `value` as JSON text. The protocol's types always serialize.
#[cfg(not(target_arch = "wasm32"))]
pub fn to_string<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(target_arch = "wasm32")]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(|_| "not JSON".to_string())?;
    serde_wasm_bindgen::from_value(value).map_err(|err| err.to_string())
}

#[cfg(target_arch = "wasm32")]
pub fn to_string<T: Serialize>(value: &T) -> String {
    // JSON-compatible: maps become objects and a missing value becomes null, as
    // serde_json writes them.
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&serializer)
        .ok()
        .and_then(|value| js_sys::JSON::stringify(&value).ok())
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}
