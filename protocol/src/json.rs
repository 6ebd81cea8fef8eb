//! JSON text to and from the protocol's serde types. Natively (the simulator, the
//! core's tests) this is serde_json; in the browser, text is parsed by the browser's
//! own `JSON.parse` and written by the small [`writer`], so the widget ships no JSON
//! parser and no float formatting. Both sides read and write the same types, so client and server cannot drift.

use serde::{de::DeserializeOwned, Serialize};

pub mod writer;

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
    if !nesting_within(text, MAX_DEPTH) {
        return Err(format!(
            "arrays or objects nested more than {MAX_DEPTH} deep"
        ));
    }
    let value = js_sys::JSON::parse(text).map_err(|_| "not JSON".to_string())?;
    T::deserialize(browser::JsReader(value)).map_err(|err| err.0)
}

/// How deep arrays and objects may nest, as serde_json allows on the server.
#[cfg(any(target_arch = "wasm32", test))]
const MAX_DEPTH: usize = 128;

/// Whether the arrays and objects in JSON `text` nest at most `limit` deep.
///
/// `JSON.parse` accepts any depth, but reading its value into Rust types recurses, and
/// the wasm stack is small: a hostile frame would crash the widget. One pass over the
/// bytes checks this before parsing, in less code than a depth count in the reader.
#[cfg(any(target_arch = "wasm32", test))]
fn nesting_within(text: &str, limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return false;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

#[cfg(target_arch = "wasm32")]
pub fn to_string<T: Serialize>(value: &T) -> String {
    writer::to_json(value).unwrap_or_default()
}

/// Reads a parsed JavaScript value into serde types.
///
/// Written here rather than taken from serde-wasm-bindgen because that reader's
/// error messages print the offending number, which links the whole of Rust's float
/// formatting into the widget (about 5 KB gzip) for a log line. Errors here name the
/// kind of value found and what was expected.
#[cfg(target_arch = "wasm32")]
mod browser {
    use js_sys::{Array, Object, Reflect};
    use serde::de::{
        self, DeserializeSeed, Expected, IntoDeserializer, MapAccess, SeqAccess, Unexpected,
        Visitor,
    };
    use std::fmt;
    use wasm_bindgen::{JsCast, JsValue};

    /// Largest integer a JavaScript number holds exactly (2^53 - 1).
    const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

    #[derive(Debug)]
    pub struct ReadError(pub String);

    impl fmt::Display for ReadError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::error::Error for ReadError {}

    fn kind_of(found: &Unexpected<'_>) -> &'static str {
        match found {
            Unexpected::Bool(_) => "a boolean",
            Unexpected::Unsigned(_) | Unexpected::Signed(_) => "an integer",
            Unexpected::Float(_) => "a number with a fraction or out of range",
            Unexpected::Str(_) | Unexpected::Char(_) => "a string",
            Unexpected::Unit | Unexpected::Option => "null",
            Unexpected::Seq => "an array",
            Unexpected::Map => "an object",
            _ => "another kind of value",
        }
    }

    impl de::Error for ReadError {
        fn custom<T: fmt::Display>(msg: T) -> Self {
            ReadError(msg.to_string())
        }

        fn invalid_type(found: Unexpected<'_>, expected: &dyn Expected) -> Self {
            ReadError(format!(
                "invalid type: {}, expected {expected}",
                kind_of(&found)
            ))
        }

        fn invalid_value(found: Unexpected<'_>, expected: &dyn Expected) -> Self {
            ReadError(format!(
                "invalid value: {}, expected {expected}",
                kind_of(&found)
            ))
        }
    }

    /// One JavaScript value as produced by `JSON.parse`.
    pub struct JsReader(pub JsValue);

    /// What a value is, found out once outside the generic reader: every type read
    /// instantiates `deserialize_any`, and each copy would otherwise carry these calls
    /// into JavaScript.
    enum Kind {
        Text(String),
        Unsigned(u64),
        Signed(i64),
        Float(f64),
        Null,
        Bool(bool),
        Array(Array),
        Object(Object),
        Other,
    }

    impl Kind {
        #[inline(never)]
        fn of(value: JsValue) -> Kind {
            // Each test is a call into JavaScript: the kinds frames carry most (strings,
            // then numbers) are tried first.
            if let Some(text) = value.as_string() {
                Kind::Text(text)
            } else if let Some(number) = value.as_f64() {
                // Whole numbers JavaScript holds exactly are integers to serde, so
                // `3` fits a u64 field and `1.5` or `1e300` does not.
                if number.fract() == 0.0 && number.abs() <= MAX_SAFE_INTEGER {
                    if number >= 0.0 {
                        Kind::Unsigned(number as u64)
                    } else {
                        Kind::Signed(number as i64)
                    }
                } else {
                    Kind::Float(number)
                }
            } else if value.is_null_or_undefined() {
                Kind::Null
            } else if let Some(flag) = value.as_bool() {
                Kind::Bool(flag)
            } else if value.is_array() {
                Kind::Array(value.unchecked_into())
            } else if value.is_object() {
                Kind::Object(value.unchecked_into())
            } else {
                Kind::Other
            }
        }
    }

    impl<'de> de::Deserializer<'de> for JsReader {
        type Error = ReadError;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
            match Kind::of(self.0) {
                Kind::Text(text) => visitor.visit_string(text),
                Kind::Unsigned(n) => visitor.visit_u64(n),
                Kind::Signed(n) => visitor.visit_i64(n),
                Kind::Float(n) => visitor.visit_f64(n),
                Kind::Null => visitor.visit_unit(),
                Kind::Bool(flag) => visitor.visit_bool(flag),
                Kind::Array(items) => visitor.visit_seq(Items { items, next: 0 }),
                Kind::Object(object) => {
                    let keys = Object::keys(&object);
                    visitor.visit_map(Fields {
                        object,
                        keys,
                        next: 0,
                        value: JsValue::UNDEFINED,
                    })
                }
                Kind::Other => Err(ReadError("a value JSON cannot hold".into())),
            }
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
            if self.0.is_null_or_undefined() {
                visitor.visit_none()
            } else {
                visitor.visit_some(self)
            }
        }

        /// The protocol's enums are all names: a string picks the variant.
        fn deserialize_enum<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, ReadError> {
            match self.0.as_string() {
                Some(name) => visitor.visit_enum(name.into_deserializer()),
                None => Err(ReadError(
                    "invalid type: expected the name of a variant".into(),
                )),
            }
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            visitor: V,
        ) -> Result<V::Value, ReadError> {
            visitor.visit_newtype_struct(self)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
            identifier ignored_any
        }
    }

    struct Items {
        items: Array,
        next: u32,
    }

    impl<'de> SeqAccess<'de> for Items {
        type Error = ReadError;

        fn next_element_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<Option<T::Value>, ReadError> {
            if self.next >= self.items.length() {
                return Ok(None);
            }
            let item = self.items.get(self.next);
            self.next += 1;
            seed.deserialize(JsReader(item)).map(Some)
        }

        fn size_hint(&self) -> Option<usize> {
            Some((self.items.length() - self.next) as usize)
        }
    }

    struct Fields {
        object: Object,
        keys: Array,
        next: u32,
        /// The value of the key last read, waiting for `next_value_seed`.
        value: JsValue,
    }

    impl<'de> MapAccess<'de> for Fields {
        type Error = ReadError;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, ReadError> {
            if self.next >= self.keys.length() {
                return Ok(None);
            }
            let key = self.keys.get(self.next);
            self.next += 1;
            self.value = Reflect::get(&self.object, &key).unwrap_or(JsValue::UNDEFINED);
            seed.deserialize(JsReader(key)).map(Some)
        }

        fn next_value_seed<V: DeserializeSeed<'de>>(
            &mut self,
            seed: V,
        ) -> Result<V::Value, ReadError> {
            seed.deserialize(JsReader(std::mem::replace(
                &mut self.value,
                JsValue::UNDEFINED,
            )))
        }

        fn size_hint(&self) -> Option<usize> {
            Some((self.keys.length() - self.next) as usize)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn nesting_is_counted_outside_strings_only() {
        assert!(nesting_within(&nested(MAX_DEPTH), MAX_DEPTH));
        assert!(!nesting_within(&nested(MAX_DEPTH + 1), MAX_DEPTH));
        assert!(!nesting_within(
            &format!(r#"{{"a":{}}}"#, nested(MAX_DEPTH)),
            MAX_DEPTH
        ));
        let brackets_in_text = format!(r#"{{"text":"{}"}}"#, "[{".repeat(500));
        assert!(nesting_within(&brackets_in_text, MAX_DEPTH));
        // An escaped quote does not end the string.
        let escaped = format!(r#"{{"text":"\"{}"}}"#, "[".repeat(500));
        assert!(nesting_within(&escaped, MAX_DEPTH));
        let backslash_then_quote = format!(r#"["\\", {}]"#, nested(MAX_DEPTH));
        assert!(!nesting_within(&backslash_then_quote, MAX_DEPTH));
    }

    #[test]
    fn serde_json_on_the_server_has_the_same_limit() {
        assert!(serde_json::from_str::<serde_json::Value>(&nested(MAX_DEPTH - 1)).is_ok());
        assert!(serde_json::from_str::<serde_json::Value>(&nested(MAX_DEPTH + 1)).is_err());
    }
}
