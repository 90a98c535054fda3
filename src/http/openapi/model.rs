//! The shape of one operation of the OpenAPI document (parameters, body, answer, media types),
//! shared by the vendor's operations (`operations.rs`) and ticketd's own (`own_operations.rs`).

use utoipa::openapi::HttpMethod;

/// A parameter's type.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Int32,
    Text,
    Bool,
    /// A list, as repeated parameters or comma-separated.
    TextList,
}

#[derive(Debug, Clone, Copy)]
pub enum Param {
    Path(&'static str, Kind),
    Query(&'static str, Kind, bool),
    Header(&'static str),
}

/// What a request carries.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    /// A `TicketMessageEntity` in any of the entity media types.
    Entity,
    /// A list of ids (`attachmentIds`).
    IdList,
    /// Raw bytes of any type.
    Bytes,
    /// A JSON object of the named schema.
    Json(&'static str),
}

/// What a success answers with.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// 200 with a schema from the components.
    Schema(&'static str),
    /// 200 with an array of a schema.
    ArrayOf(&'static str),
    /// 200 with a string-to-string map.
    StringMap,
    /// 200 with bytes of the part's own type.
    Bytes,
    /// 200 with a text stream (Server-Sent Events, Prometheus text).
    Text(&'static str),
    NoContent,
}

pub struct Operation {
    pub method: HttpMethod,
    pub path: &'static str,
    pub id: &'static str,
    pub summary: &'static str,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub answer: Answer,
    /// The media types of the success answer (and of error bodies).
    pub produces: &'static [&'static str],
}

pub const ENTITY_TYPES: &[&str] = &[
    "application/json",
    "text/json",
    "application/xml",
    "text/xml",
    "application/json-patch+json",
    "application/merge-patch+json",
];

pub const REQUEST_TYPES: &[&str] = &[
    "application/json",
    "text/json",
    "application/xml",
    "text/xml",
    "application/x-www-form-urlencoded",
    "application/json-patch+json",
    "application/merge-patch+json",
];

/// The attachment entity's schema name.
pub(super) const ATTACHMENT: &str = "SuperOffice.CRM.Services.AttachmentEntity";
