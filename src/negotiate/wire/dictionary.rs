//! How a string dictionary (`ExtraFields`, `CustomFields`) is written: a plain map, keys in
//! order; shared by the message and the carriers it embeds.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::domain::FieldMap;

/// A string dictionary (`{}` when empty).
pub(super) struct Dictionary<'a>(pub &'a FieldMap);

impl Serialize for Dictionary<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}
