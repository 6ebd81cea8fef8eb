//! Writes serde values straight into JSON text, as the widget's JSON printer.
//!
//! In place of building a JavaScript object (serde-wasm-bindgen) and handing it to
//! `JSON.stringify`: no calls into JavaScript per field, and less code. The output is
//! what `JSON.stringify` writes for the same value: `null` for absent values and
//! non-finite numbers, strings escaped the same way, map keys always quoted.

use serde::ser::{self, Serialize};
use std::fmt::{self, Write as _};

#[derive(Debug)]
pub struct WriteError(pub &'static str);

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        WriteError("a value refused to be written")
    }
}

/// `value` as JSON text.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, WriteError> {
    let mut writer = Writer(String::new());
    value.serialize(&mut writer)?;
    Ok(writer.0)
}

pub struct Writer(String);

impl Writer {
    /// Starts an array or object, inside `{"prefix":` for a variant.
    fn open(&mut self, prefix: Option<&str>, bracket: char) -> Compound<'_> {
        let close = match (prefix.is_some(), bracket) {
            (true, '[') => "]}",
            (true, _) => "}}",
            (false, '[') => "]",
            (false, _) => "}",
        };
        if let Some(name) = prefix {
            self.0.push('{');
            self.text(name);
            self.0.push(':');
        }
        self.0.push(bracket);
        Compound {
            writer: self,
            first: true,
            close,
        }
    }
    fn text(&mut self, text: &str) {
        let out = &mut self.0;
        out.push('"');
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                c if c < ' ' => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.push_str("\\u00");
                    out.push(HEX[c as usize >> 4].into());
                    out.push(HEX[c as usize & 15].into());
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }

    /// One integer formatting routine (u64's) serves signed numbers too.
    fn integer(&mut self, negative: bool, magnitude: u64) {
        if negative {
            self.0.push('-');
        }
        let _ = write!(self.0, "{magnitude}");
    }

    fn number(&mut self, n: f64) {
        if !n.is_finite() {
            self.0.push_str("null");
        } else if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
            // Whole numbers, such as times in milliseconds, need no float formatting.
            self.integer(n < 0.0, n.abs() as u64);
        } else {
            self.0.push_str(&float_text(n));
        }
    }
}

/// A number with a fraction, as JavaScript prints it (shortest text that reads back
/// the same): the browser's formatting rather than a copy of Rust's in the widget.
#[cfg(target_arch = "wasm32")]
fn float_text(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_else(|| "null".into())
}

#[cfg(not(target_arch = "wasm32"))]
fn float_text(n: f64) -> String {
    format!("{n:?}")
}

/// An array or object being written; `close` ends it (two brackets for a variant
/// written as `{"name":{…}}`).
pub struct Compound<'a> {
    writer: &'a mut Writer,
    first: bool,
    close: &'static str,
}

impl Compound<'_> {
    fn separate(&mut self) {
        if !std::mem::replace(&mut self.first, false) {
            self.writer.0.push(',');
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), WriteError> {
        self.separate();
        self.writer.text(key);
        self.writer.0.push(':');
        value.serialize(&mut *self.writer)
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.separate();
        value.serialize(&mut *self.writer)
    }

    fn finish(self) -> Result<(), WriteError> {
        self.writer.0.push_str(self.close);
        Ok(())
    }
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), WriteError> {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), WriteError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), WriteError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), WriteError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), WriteError> {
        self.integer(v < 0, v.unsigned_abs());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), WriteError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), WriteError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), WriteError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), WriteError> {
        self.integer(false, v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), WriteError> {
        self.number(v.into());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), WriteError> {
        self.number(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), WriteError> {
        self.text(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), WriteError> {
        self.text(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), WriteError> {
        let mut seq = self.open(None, '[');
        for byte in v {
            seq.element(byte)?;
        }
        seq.finish()
    }
    fn serialize_none(self) -> Result<(), WriteError> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), WriteError> {
        self.0.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), WriteError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), WriteError> {
        self.text(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        let mut object = self.open(None, '{');
        object.field(variant, value)?;
        object.finish()
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, WriteError> {
        Ok(self.open(None, '['))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Compound<'a>, WriteError> {
        Ok(self.open(None, '['))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, WriteError> {
        Ok(self.open(None, '['))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, WriteError> {
        Ok(self.open(Some(variant), '['))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, WriteError> {
        Ok(self.open(None, '{'))
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, WriteError> {
        Ok(self.open(None, '{'))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, WriteError> {
        Ok(self.open(Some(variant), '{'))
    }
}

/// The compound traits that write a list of values, one method name each.
macro_rules! elements {
    ($($trait:ident::$method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = WriteError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
                self.element(value)
            }
            fn end(self) -> Result<(), WriteError> {
                self.finish()
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), WriteError> {
        self.separate();
        let start = self.writer.0.len();
        key.serialize(&mut *self.writer)?;
        // JSON keys are strings: a number or other key is quoted, as JavaScript does.
        // (Bytes, not a `str` slice, whose panic path links char escaping.)
        if self.writer.0.as_bytes().get(start) != Some(&b'"') {
            self.writer.0.insert(start, '"');
            self.writer.0.push('"');
        }
        self.writer.0.push(':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), WriteError> {
        self.finish()
    }
}

/// The compound traits that write named fields.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = WriteError;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), WriteError> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), WriteError> {
                self.finish()
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde_json::Value;
    use std::collections::BTreeMap;

    /// Our text and serde_json's mean the same JSON value.
    fn same_as_serde_json<T: Serialize>(value: &T) -> String {
        let ours = to_json(value).unwrap();
        let parsed: Value =
            serde_json::from_str(&ours).unwrap_or_else(|err| panic!("not JSON: {ours}: {err}"));
        assert_eq!(parsed, serde_json::to_value(value).unwrap(), "{ours}");
        ours
    }

    #[test]
    fn every_protocol_body_reads_back_as_serde_json_writes_it() {
        use crate::*;
        same_as_serde_json(&CreateSessionRequest {
            guest_name: Some("Ada \"the\" guest".into()),
            guest_email: None,
            attributes: [("plan".to_string(), "pro".to_string())].into(),
        });
        same_as_serde_json(&CreateSessionRequest::default());
        same_as_serde_json(&CreateSessionResponse {
            guest_token: "t".into(),
            session_id: "s".into(),
            organization_id: "o".into(),
            expires_in: 86_400,
        });
        same_as_serde_json(&ErrorBody {
            error: "unauthorized".into(),
            message: "no".into(),
        });
        for frame in [
            ClientFrame::Ping,
            ClientFrame::Message {
                session_id: "s".into(),
                text: "hi\nthere".into(),
                client_message_id: Some("c-1".into()),
            },
        ] {
            same_as_serde_json(&frame);
        }
        for frame in [
            ServerFrame::Routing {
                status: RoutingStatus::Queued,
                position: Some(3),
            },
            ServerFrame::AgentTyping,
            ServerFrame::AgentMessage {
                text: "<b>x</b>".into(),
                seq: Some(9),
                agent_name: None,
            },
            ServerFrame::GuestMessageDelivered {
                client_message_id: None,
            },
            ServerFrame::Error { reason: "r".into() },
            ServerFrame::Pong,
        ] {
            same_as_serde_json(&frame);
        }
    }

    #[test]
    fn frames_are_written_exactly_as_the_server_writes_them() {
        let frame = crate::ClientFrame::Message {
            session_id: "s".into(),
            text: "hello".into(),
            client_message_id: None,
        };
        assert_eq!(
            to_json(&frame).unwrap(),
            serde_json::to_string(&frame).unwrap()
        );
    }

    #[test]
    fn strings_are_escaped_as_json_stringify_escapes_them() {
        let every_control: String = (0u8..0x20).map(char::from).collect();
        let text = format!("{every_control}\"\\/ é 😀 \u{2028} </script>");
        let written = same_as_serde_json(&text);
        assert!(written.contains("\\u0000") && written.contains("\\b") && written.contains("\\f"));
        assert!(!written.chars().any(|c| c < ' '), "{written}");
    }

    #[test]
    fn numbers_keep_their_value_and_non_finite_ones_are_null() {
        for n in [
            0.0,
            1.0,
            -3.0,
            1_700_000_000_123.0,
            0.5,
            -1.25,
            1e-7,
            1e300,
            2f64.powi(53),
        ] {
            let written = to_json(&n).unwrap();
            assert_eq!(written.parse::<f64>().unwrap(), n, "{written}");
        }
        assert_eq!(to_json(&1_700_000_000_123.0f64).unwrap(), "1700000000123");
        assert_eq!(to_json(&f64::NAN).unwrap(), "null");
        assert_eq!(to_json(&f64::INFINITY).unwrap(), "null");
        same_as_serde_json(&(u64::MAX, i64::MIN, 7u8, -7i8, true, 'x', ()));
    }

    #[derive(Serialize)]
    enum Shapes {
        Unit,
        Newtype(u32),
        Tuple(u32, String),
        Struct { a: Option<u32>, b: Vec<bool> },
    }

    #[derive(Serialize)]
    struct Wrapper(String);

    #[test]
    fn every_serde_shape_reads_back_as_serde_json_writes_it() {
        same_as_serde_json(&vec![
            Shapes::Unit,
            Shapes::Newtype(1),
            Shapes::Tuple(2, "two".into()),
            Shapes::Struct {
                a: None,
                b: vec![true, false],
            },
        ]);
        same_as_serde_json(&Wrapper("w".into()));
        same_as_serde_json(&Vec::<u8>::new());
        same_as_serde_json(&(Some(1u8), None::<u8>));
        let mut nested: BTreeMap<String, Vec<BTreeMap<String, u32>>> = BTreeMap::new();
        nested.insert(
            "k\"ey".into(),
            vec![BTreeMap::new(), [("x".into(), 1)].into()],
        );
        same_as_serde_json(&nested);
    }

    #[test]
    fn map_keys_that_are_not_strings_are_quoted() {
        let map: BTreeMap<u32, bool> = [(1, true), (20, false)].into();
        assert_eq!(to_json(&map).unwrap(), r#"{"1":true,"20":false}"#);
        same_as_serde_json(&map);
    }
}
