//! `GET /TicketMessage/{id}` options: `$select` (listed properties keep their values, every other
//! property is emitted as `null`; `Ticket/Title` selects inside a carrier), `fk=true` (foreign keys
//! into `ExtraFields`) and `embedImages` (`Link` or `Inline`, see `embed.rs`).

use serde_json::Value;

use crate::domain::FieldMap;
use crate::error::ApiError;

/// The options of a single-message GET.
#[derive(Debug, Default)]
pub struct GetOptions {
    pub select: Option<Vec<Vec<String>>>,
    pub foreign_keys: bool,
    pub embed_images: Option<super::embed::EmbedImages>,
}

impl GetOptions {
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| ApiError::invalid(format!("The query string is malformed: {e}")))?;
        let mut options = Self::default();
        for (key, value) in pairs {
            match key.to_ascii_lowercase().as_str() {
                "$select" => {
                    let paths = value
                        .split(',')
                        .map(|p| p.trim())
                        .filter(|p| !p.is_empty())
                        .map(|p| p.split('/').map(|s| s.trim().to_ascii_lowercase()).collect())
                        .collect();
                    options.select = Some(paths);
                }
                "fk" => {
                    options.foreign_keys = match value.trim().to_ascii_lowercase().as_str() {
                        "true" | "1" => true,
                        "false" | "0" | "" => false,
                        _ => {
                            return Err(ApiError::invalid(format!("Invalid value '{value}' for query parameter 'fk'")));
                        }
                    }
                }
                "embedimages" => options.embed_images = Some(super::embed::EmbedImages::parse(&value)?),
                _ => {}
            }
        }
        Ok(options)
    }

    /// Applies `fk` and `$select` to a serialised entity.
    pub fn apply(&self, entity: &mut Value, foreign_keys: Option<FieldMap>) {
        if let (true, Some(keys), Some(Value::Object(extra))) =
            (self.foreign_keys, foreign_keys, entity.get_mut("ExtraFields"))
        {
            extra.extend(keys.into_iter().map(|(k, v)| (k, Value::String(v))));
        }
        if let Some(paths) = &self.select {
            keep_selected(entity, paths);
        }
    }
}

/// Sets every member not named by a path to `null` (rights metadata stays).
fn keep_selected(value: &mut Value, paths: &[Vec<String>]) {
    let Value::Object(members) = value else { return };
    for (name, member) in members.iter_mut() {
        if matches!(name.as_str(), "TableRight" | "FieldProperties") {
            continue;
        }
        let lower = name.to_ascii_lowercase();
        let matching: Vec<Vec<String>> =
            paths.iter().filter(|p| p.first() == Some(&lower)).map(|p| p[1..].to_vec()).collect();
        if matching.is_empty() {
            *member = Value::Null;
        } else if !matching.iter().any(Vec::is_empty) {
            keep_selected(member, &matching);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn select_nulls_the_rest_and_reaches_into_carriers() {
        let options = GetOptions::parse("$select=body,Ticket/Title&fk=true").unwrap();
        let mut entity = json!({"EjMessageId": 1, "Body": "b", "Author": "a", "Ticket": {"TicketId": 2, "Title": "t"},
            "ExtraFields": {}, "TableRight": {"Mask": "FULL"}});
        let keys: FieldMap = [("erp.id".to_string(), "7".to_string())].into();
        options.apply(&mut entity, Some(keys));
        assert_eq!(
            entity,
            json!({"EjMessageId": null, "Body": "b", "Author": null, "Ticket": {"TicketId": null, "Title": "t"},
            "ExtraFields": null, "TableRight": {"Mask": "FULL"}})
        );
        assert!(GetOptions::parse("fk=maybe").is_err());
        assert!(GetOptions::parse("embedImages=Base64").is_err());
        assert!(GetOptions::parse("embedImages=Inline").is_ok());
    }
}
