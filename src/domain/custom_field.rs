//! Custom field metadata (`FieldInfoBase`): what a `CustomFields` key of a ticket message means.

use super::enums::CustomFieldType;

/// One custom field definition.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomFieldInfo {
    pub field_type: CustomFieldType,
    /// `x_…` for extra (database) fields, the ProgId or `SuperOffice:<n>` for user-defined ones.
    pub field_name: String,
    /// May be a multi-language value; translated on output.
    pub display_name: String,
    pub description: String,
    pub short_label: String,
    pub hide_label: bool,
    pub hide_field: bool,
    pub is_indexed: bool,
    pub is_mandatory: bool,
    pub is_read_only: bool,
    pub is_external: bool,
    pub is_display_field: bool,
    pub rank: i32,
    /// `None` for extra fields.
    pub template_variable_name: Option<String>,
}
