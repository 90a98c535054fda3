//! Writes a carrier as REST XML: no default namespace, `xmlns:i` for nil markers, arrays as
//! `ArrayOf…` items, dictionaries as `StringKeyValuePair`s, `FieldProperties` as `FieldProperty`
//! key/value pairs.
//!
//! A serde serializer writes each element as the carrier is walked, in the order serde_json would
//! write its members. Building a `serde_json::Value` tree first cost an allocation per member,
//! more than the rest of an XML answer together.

use std::fmt::{self, Write as _};

use quick_xml::escape::escape;
use serde::Serialize;
use serde::ser::{self, Impossible, SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use serde_json::Value;

use super::{is_dictionary, list_item_name};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Why a carrier could not be written (a shape no carrier has, or a failing `Serialize`).
#[derive(Debug)]
pub struct WriteError(String);

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write the answer as XML: {}", self.0)
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

/// The XML document for a carrier under the root element `root`.
pub fn to_xml(root: &str, carrier: &impl Serialize) -> Result<String, WriteError> {
    let mut out = String::with_capacity(4096);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    carrier.serialize(Element { out: &mut out, name: root, root: true })?;
    Ok(out)
}

/// The XML document for a carrier already serialised to a JSON value.
pub fn value_to_xml(root: &str, value: &Value) -> String {
    // A `Value` always serialises (its map keys are strings), so the fallback is never taken.
    to_xml(root, value).unwrap_or_default()
}

/// One element being written: the value serialised next becomes `<name>…</name>`.
struct Element<'o, 'n> {
    out: &'o mut String,
    name: &'n str,
    /// The document element: carries `xmlns:i`, and names list items and dictionaries by itself.
    root: bool,
}

impl<'o, 'n> Element<'o, 'n> {
    fn start(&mut self, then: &str) {
        self.out.push('<');
        self.out.push_str(self.name);
        if self.root {
            self.out.push_str(" xmlns:i=\"");
            self.out.push_str(XSI);
            self.out.push('"');
        }
        self.out.push_str(then);
    }

    fn scalar(mut self, text: impl fmt::Display) -> Result<(), WriteError> {
        self.start(">");
        let _ = write!(self.out, "{text}");
        close(self.out, self.name);
        Ok(())
    }

    fn nil(mut self) -> Result<(), WriteError> {
        self.start(" i:nil=\"true\" />");
        Ok(())
    }

    /// Floats are written as serde_json writes them, so XML and JSON answers agree.
    fn float(self, json: Result<String, serde_json::Error>) -> Result<(), WriteError> {
        match json.map_err(ser::Error::custom)? {
            text if text == "null" => self.nil(),
            text => self.scalar(text),
        }
    }

    fn members(mut self) -> Members<'o, 'n> {
        // A top-level dictionary's keys are data, not element names.
        let pair = match self.name {
            "StringDictionary" if self.root => Some("StringKeyValuePair"),
            _ if self.root => None,
            "FieldProperties" => Some("FieldProperty"),
            name if is_dictionary(name) => Some("StringKeyValuePair"),
            _ => None,
        };
        self.start(">");
        Members { out: self.out, name: self.name, pair, key: String::new() }
    }

    fn items(mut self) -> Items<'o, 'n> {
        let start = self.out.len();
        // A top-level list (`ArrayOfFieldInfoBase`) holds items named after its type.
        let item = if self.root {
            self.name.strip_prefix("ArrayOf").unwrap_or("anyType")
        } else {
            list_item_name(self.name).unwrap_or("anyType")
        };
        self.start(">");
        Items { out: self.out, name: self.name, item, root: self.root, start, any: false }
    }
}

fn close(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

macro_rules! scalars {
    ($($method:ident: $type:ty),*) => {
        $(fn $method(self, value: $type) -> Result<(), WriteError> {
            self.scalar(value)
        })*
    };
}

impl<'o, 'n> Serializer for Element<'o, 'n> {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = Items<'o, 'n>;
    type SerializeTuple = Items<'o, 'n>;
    type SerializeTupleStruct = Items<'o, 'n>;
    type SerializeTupleVariant = Impossible<(), WriteError>;
    type SerializeMap = Members<'o, 'n>;
    type SerializeStruct = Members<'o, 'n>;
    type SerializeStructVariant = Impossible<(), WriteError>;

    scalars!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_char: char);

    fn serialize_f32(self, value: f32) -> Result<(), WriteError> {
        self.float(serde_json::to_string(&value))
    }
    fn serialize_f64(self, value: f64) -> Result<(), WriteError> {
        self.float(serde_json::to_string(&value))
    }
    fn serialize_str(self, value: &str) -> Result<(), WriteError> {
        self.scalar(escape(value))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), WriteError> {
        Err(ser::Error::custom("bytes have no XML form"))
    }
    fn serialize_none(self) -> Result<(), WriteError> {
        self.nil()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), WriteError> {
        self.nil()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), WriteError> {
        self.nil()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), WriteError> {
        self.scalar(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        let mut members = self.members();
        members.serialize_field(variant, value)?;
        SerializeStruct::end(members)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items<'o, 'n>, WriteError> {
        Ok(self.items())
    }
    fn serialize_tuple(self, _: usize) -> Result<Items<'o, 'n>, WriteError> {
        Ok(self.items())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Items<'o, 'n>, WriteError> {
        Ok(self.items())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, WriteError> {
        Err(ser::Error::custom("tuple variants have no XML form"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Members<'o, 'n>, WriteError> {
        Ok(self.members())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Members<'o, 'n>, WriteError> {
        Ok(self.members())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, WriteError> {
        Err(ser::Error::custom("struct variants have no XML form"))
    }
}

/// A list's items, each an element named after the list.
struct Items<'o, 'n> {
    out: &'o mut String,
    name: &'n str,
    item: &'n str,
    root: bool,
    start: usize,
    any: bool,
}

impl SerializeSeq for Items<'_, '_> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.any = true;
        value.serialize(Element { out: self.out, name: self.item, root: false })
    }

    fn end(self) -> Result<(), WriteError> {
        if !self.any && !self.root {
            self.out.truncate(self.start);
            self.out.push('<');
            self.out.push_str(self.name);
            self.out.push_str(" />");
        } else {
            close(self.out, self.name);
        }
        Ok(())
    }
}

impl ser::SerializeTuple for Items<'_, '_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), WriteError> {
        SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Items<'_, '_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), WriteError> {
        SerializeSeq::end(self)
    }
}

/// An object's members: elements named by their keys, or key/value pairs for a dictionary.
struct Members<'o, 'n> {
    out: &'o mut String,
    name: &'n str,
    pair: Option<&'static str>,
    key: String,
}

impl Members<'_, '_> {
    fn member<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), WriteError> {
        let Some(pair) = self.pair else {
            return value.serialize(Element { out: self.out, name: key, root: false });
        };
        self.out.push('<');
        self.out.push_str(pair);
        self.out.push_str("><Key>");
        self.out.push_str(&escape(key));
        self.out.push_str("</Key>");
        value.serialize(Element { out: self.out, name: "Value", root: false })?;
        close(self.out, pair);
        Ok(())
    }
}

impl SerializeMap for Members<'_, '_> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), WriteError> {
        // Keys as JSON writes them: strings as they are, numbers and booleans as text.
        self.key = match serde_json::to_value(key).map_err(ser::Error::custom)? {
            Value::String(text) => text,
            other => other.to_string(),
        };
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        let key = std::mem::take(&mut self.key);
        self.member(&key, value)
    }

    fn end(self) -> Result<(), WriteError> {
        close(self.out, self.name);
        Ok(())
    }
}

impl SerializeStruct for Members<'_, '_> {
    type Ok = ();
    type Error = WriteError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), WriteError> {
        self.member(key, value)
    }

    fn end(self) -> Result<(), WriteError> {
        close(self.out, self.name);
        Ok(())
    }
}
