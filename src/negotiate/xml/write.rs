//! Writes a carrier as REST XML: no default namespace, `xmlns:i` for nil markers, arrays as
//! `ArrayOf…` items, dictionaries as `StringKeyValuePair`s, `FieldProperties` as `FieldProperty`
//! key/value pairs.
//!
//! The carrier is serialised to JSON text (in wire order) and that text is streamed into XML as
//! it is parsed: building a `serde_json::Value` tree first cost an allocation per member, more
//! than the rest of an XML answer together.

use std::borrow::Cow;
use std::fmt;
use std::fmt::Write as _;

use quick_xml::escape::escape;
use serde::Serialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{is_dictionary, list_item_name};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The XML document for a carrier under the root element `root`.
pub fn to_xml(root: &str, carrier: &impl Serialize) -> Result<String, serde_json::Error> {
    let json = serde_json::to_vec(carrier)?;
    let mut out = String::with_capacity(json.len() * 2 + 128);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    let mut parser = serde_json::Deserializer::from_slice(&json);
    Element { out: &mut out, name: root, root: true }.deserialize(&mut parser)?;
    parser.end()?;
    Ok(out)
}

/// The XML document for a carrier already serialised to a JSON value.
pub fn value_to_xml(root: &str, value: &Value) -> String {
    // A `Value` always serialises (its map keys are strings), so the fallback is never taken.
    to_xml(root, value).unwrap_or_default()
}

/// One element being written: the JSON value parsed next becomes `<name>…</name>`.
struct Element<'o, 'n> {
    out: &'o mut String,
    name: &'n str,
    /// The document element: carries `xmlns:i`, and names list items and dictionaries by itself.
    root: bool,
}

impl<'n> Element<'_, 'n> {
    fn open(&mut self) {
        self.out.push('<');
        self.out.push_str(self.name);
        if self.root {
            let _ = write!(self.out, " xmlns:i=\"{XSI}\"");
        }
        self.out.push('>');
    }

    fn close(&mut self) {
        self.out.push_str("</");
        self.out.push_str(self.name);
        self.out.push('>');
    }

    fn scalar(mut self, text: impl fmt::Display) {
        self.open();
        let _ = write!(self.out, "{text}");
        self.close();
    }

    fn item_name(&self) -> &'n str {
        if self.root {
            // A top-level list (`ArrayOfFieldInfoBase`) holds items named after its type.
            return self.name.strip_prefix("ArrayOf").unwrap_or("anyType");
        }
        list_item_name(self.name).unwrap_or("anyType")
    }

    /// The element that wraps each key/value pair, when this object is a dictionary.
    fn pair_name(&self) -> Option<&'static str> {
        match self.name {
            // A top-level dictionary's keys are data, not element names.
            "StringDictionary" if self.root => Some("StringKeyValuePair"),
            _ if self.root => None,
            "FieldProperties" => Some("FieldProperty"),
            name if is_dictionary(name) => Some("StringKeyValuePair"),
            _ => None,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Element<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Element<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a serialised carrier")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.out.push('<');
        self.out.push_str(self.name);
        if self.root {
            let _ = write!(self.out, " xmlns:i=\"{XSI}\"");
        }
        self.out.push_str(" i:nil=\"true\" />");
        Ok(())
    }

    fn visit_bool<E>(self, value: bool) -> Result<(), E> {
        self.scalar(if value { "true" } else { "false" });
        Ok(())
    }

    fn visit_i64<E>(self, value: i64) -> Result<(), E> {
        self.scalar(value);
        Ok(())
    }

    fn visit_u64<E>(self, value: u64) -> Result<(), E> {
        self.scalar(value);
        Ok(())
    }

    fn visit_f64<E>(self, value: f64) -> Result<(), E> {
        // Written as serde_json writes the number, so XML and JSON answers agree.
        match serde_json::Number::from_f64(value) {
            Some(number) => self.scalar(number),
            None => self.scalar(""),
        }
        Ok(())
    }

    fn visit_str<E>(self, value: &str) -> Result<(), E> {
        self.scalar(escape(value));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut items: A) -> Result<(), A::Error> {
        let (start, item_name) = (self.out.len(), self.item_name());
        self.open();
        let mut any = false;
        while items.next_element_seed(Element { out: self.out, name: item_name, root: false })?.is_some() {
            any = true;
        }
        if !any && !self.root {
            self.out.truncate(start);
            self.out.push('<');
            self.out.push_str(self.name);
            self.out.push_str(" />");
            return Ok(());
        }
        self.close();
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut members: A) -> Result<(), A::Error> {
        let pair = self.pair_name();
        self.open();
        while let Some(Key(key)) = members.next_key::<Key<'de>>()? {
            match pair {
                Some(pair) => {
                    let _ = write!(self.out, "<{pair}><Key>{}</Key>", escape(key.as_ref()));
                    members.next_value_seed(Element { out: self.out, name: "Value", root: false })?;
                    let _ = write!(self.out, "</{pair}>");
                }
                None => members.next_value_seed(Element { out: self.out, name: &key, root: false })?,
            }
        }
        self.close();
        Ok(())
    }
}

/// A member name, borrowed from the JSON text unless it held escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(name)))
            }
            fn visit_str<E>(self, name: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(name.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}
