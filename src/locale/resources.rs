//! String resources: `[SR_…]` references in label-like text are replaced by the requested
//! language's text from the catalogue below, which covers every resource ticketd itself emits.
//! Unknown ids are left as they are.

use super::language::Language;

/// `(id, [English, Norwegian, Swedish, Danish, German, French, Dutch, Finnish])`.
const CATALOGUE: &[(&str, [&str; 8])] = &[
    (
        "SR_RIGHTS_READ_ONLY",
        [
            "You may read but not change ticket messages",
            "Du kan lese, men ikke endre meldinger",
            "Du kan läsa men inte ändra meddelanden",
            "Du kan læse, men ikke ændre meddelelser",
            "Sie dürfen Nachrichten lesen, aber nicht ändern",
            "Vous pouvez lire les messages mais pas les modifier",
            "U mag berichten lezen maar niet wijzigen",
            "Voit lukea viestejä mutta et muuttaa niitä",
        ],
    ),
    ("SR_PRIORITY_HIGH", ["High", "Høy", "Hög", "Høj", "Hoch", "Haute", "Hoog", "Korkea"]),
    ("SR_PRIORITY_MEDIUM", ["Medium", "Middels", "Medel", "Middel", "Mittel", "Moyenne", "Gemiddeld", "Keskitaso"]),
    ("SR_PRIORITY_LOW", ["Low", "Lav", "Låg", "Lav", "Niedrig", "Basse", "Laag", "Matala"]),
    ("SR_STATUS_OPEN", ["Open", "Åpen", "Öppen", "Åben", "Offen", "Ouvert", "Open", "Avoin"]),
    (
        "SR_STATUS_WAITING",
        [
            "Waiting for customer",
            "Venter på kunde",
            "Väntar på kund",
            "Venter på kunde",
            "Wartet auf Kunde",
            "En attente du client",
            "Wacht op klant",
            "Odottaa asiakasta",
        ],
    ),
];

fn column(language: Language) -> usize {
    Language::ALL.iter().position(|l| *l == language).unwrap_or(0)
}

/// The text of a resource id (without brackets) in `language`.
pub fn resource(id: &str, language: Language) -> Option<&'static str> {
    CATALOGUE.iter().find(|(key, _)| *key == id).map(|(_, texts)| texts[column(language)])
}

/// Replaces every known `[SR_…]` reference in `text`.
pub fn translate_references(text: &str, language: Language) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("[SR_") {
        out.push_str(&rest[..start]);
        let candidate = &rest[start + 1..];
        let id_len = candidate.find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'));
        match id_len
            .filter(|len| candidate[*len..].starts_with(']'))
            .and_then(|len| Some((len, resource(&candidate[..len], language)?)))
        {
            Some((len, translated)) => {
                out.push_str(translated);
                rest = &candidate[len + 1..];
            }
            None => {
                out.push('[');
                rest = candidate;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_has_a_text_in_every_language() {
        for (id, texts) in CATALOGUE {
            for (language, text) in Language::ALL.iter().zip(texts) {
                assert!(!text.is_empty(), "{id} in {language:?}");
                assert_eq!(resource(id, *language), Some(*text));
            }
        }
    }

    #[test]
    fn references_are_replaced_and_unknown_ones_kept() {
        assert_eq!(translate_references("[SR_PRIORITY_HIGH]", Language::Norwegian), "Høy");
        assert_eq!(translate_references("Pri: [SR_PRIORITY_LOW]!", Language::German), "Pri: Niedrig!");
        assert_eq!(translate_references("[SR_MANDATORY_FIELD_1281]", Language::French), "[SR_MANDATORY_FIELD_1281]");
        assert_eq!(translate_references("[SR_broken] [SR_STATUS_OPEN]", Language::Finnish), "[SR_broken] Avoin");
        assert_eq!(translate_references("[SR_", Language::English), "[SR_");
    }
}
