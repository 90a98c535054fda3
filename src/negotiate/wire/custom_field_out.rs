//! Writes custom field metadata as the vendor's `FieldInfoBase`, labels in the request's language.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::domain::{CustomFieldInfo, VendorEnum};
use crate::locale::Locale;

/// `FieldInfoBase`; the single-field form also carries `IsDisplayField`, as the vendor's does.
pub struct FieldInfoBase<'a> {
    pub field: &'a CustomFieldInfo,
    pub locale: &'a Locale,
    pub with_display_flag: bool,
}

impl Serialize for FieldInfoBase<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (f, locale) = (self.field, self.locale);
        let mut out = serializer.serialize_struct("FieldInfoBase", 14)?;
        out.serialize_field("FieldType", f.field_type.name())?;
        out.serialize_field("FieldName", &f.field_name)?;
        out.serialize_field("DisplayName", &locale.label(&f.display_name))?;
        out.serialize_field("Description", &locale.label(&f.description))?;
        out.serialize_field("ShortLabel", &locale.label(&f.short_label))?;
        out.serialize_field("HideLabel", &f.hide_label)?;
        out.serialize_field("HideField", &f.hide_field)?;
        out.serialize_field("IsIndexed", &f.is_indexed)?;
        out.serialize_field("IsMandatory", &f.is_mandatory)?;
        out.serialize_field("IsReadOnly", &f.is_read_only)?;
        out.serialize_field("IsExternal", &f.is_external)?;
        if self.with_display_flag {
            out.serialize_field("IsDisplayField", &f.is_display_field)?;
        }
        out.serialize_field("Rank", &f.rank)?;
        out.serialize_field("TemplateVariableName", &f.template_variable_name)?;
        out.end()
    }
}
