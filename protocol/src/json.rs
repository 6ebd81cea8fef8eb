//! JSON text to and from the protocol's serde types, through serde_json on every
//! target: the widget and the simulator read and write frames with the same code.

use serde::{de::DeserializeOwned, Serialize};

/// Reads `text` as a `T`; the error says what was wrong (serde_json refuses arrays or
/// objects nested more than 128 deep, so hostile text cannot exhaust the stack).
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|err| err.to_string())
}

/// Writes `value` as JSON text. The protocol's types always serialize.
pub fn to_string<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
