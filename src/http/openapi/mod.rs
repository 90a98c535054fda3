//! The OpenAPI 3.1 document (`GET /api/v1/openapi.json`), built with utoipa from the operation
//! table in `operations.rs`; the entity schemas are the vendor's own definitions.

mod agent_operations;
mod model;
pub mod operations;
mod own_operations;
mod webhook_operations;

use std::sync::Arc;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::{OperationBuilder, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{
    Components, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathItem, PathsBuilder, Ref, RefOr, Required,
    ResponseBuilder,
};

use operations::{Answer, Body, Kind, Operation, Param, REQUEST_TYPES};

const VENDOR_SCHEMAS: &str = include_str!("vendor-schemas.json");

/// The whole document.
pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for operation in operations::all() {
        paths = paths.path(operation.path, PathItem::new(operation.method.clone(), build_operation(&operation)));
    }
    for (path, method, operation) in agent_operations::all() {
        paths = paths.path(path, PathItem::new(method, operation));
    }
    let info = InfoBuilder::new()
        .title("ticketd")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some("A SuperOffice-compatible REST WebAPI server for ticket messages"))
        .build();
    OpenApiBuilder::new().info(info).paths(paths.build()).components(Some(components())).build()
}

/// The document as JSON text, served as is.
pub fn document_json() -> Arc<String> {
    Arc::new(document().to_pretty_json().unwrap_or_else(|_| "{}".into()))
}

pub fn serve(json: Arc<String>) -> Response {
    ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], json.as_str().to_owned()).into_response()
}

fn build_operation(operation: &Operation) -> utoipa::openapi::path::Operation {
    let mut builder = OperationBuilder::new()
        .operation_id(Some(operation.id))
        .summary(Some(operation.summary))
        .tag(if operation.id.starts_with("ticketd_") { "ticketd" } else { "TicketMessage" })
        .parameters(Some(operation.params.iter().map(parameter)));
    if let Some(body) = operation.body {
        builder = builder.request_body(Some(request_body(body)));
    }
    let (status, description) = match operation.answer {
        Answer::NoContent => ("204", "No Content"),
        _ => ("200", "OK"),
    };
    let mut ok = ResponseBuilder::new().description(description);
    if let Some(schema) = answer_schema(operation.answer) {
        for media in operation.produces {
            ok = ok.content(*media, ContentBuilder::new().schema(Some(schema.clone())).build());
        }
    }
    let mut error = ResponseBuilder::new().description("The vendor's error body, naming the field or header at fault");
    for media in ["application/json", "application/xml"] {
        error = error
            .content(media, ContentBuilder::new().schema(Some(Ref::from_schema_name("ticketd.ErrorInfo"))).build());
    }
    builder.response(status, ok.build()).response("default", error.build()).build()
}

fn parameter(param: &Param) -> Parameter {
    let (name, place, kind, required) = match *param {
        Param::Path(name, kind) => (name, ParameterIn::Path, kind, true),
        Param::Query(name, kind, required) => (name, ParameterIn::Query, kind, required),
        Param::Header(name) => (name, ParameterIn::Header, Kind::Text, false),
    };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(place)
        .required(if required { Required::True } else { Required::False })
        .schema(Some(kind_schema(kind)))
        .build()
}

fn kind_schema(kind: Kind) -> RefOr<Schema> {
    let scalar = |schema_type: Type, format: Option<KnownFormat>| {
        ObjectBuilder::new().schema_type(schema_type).format(format.map(SchemaFormat::KnownFormat)).build()
    };
    match kind {
        Kind::Int32 => scalar(Type::Integer, Some(KnownFormat::Int32)).into(),
        Kind::Text => scalar(Type::String, None).into(),
        Kind::Bool => scalar(Type::Boolean, None).into(),
        Kind::TextList => ArrayBuilder::new().items(scalar(Type::String, None)).build().into(),
    }
}

fn request_body(body: Body) -> utoipa::openapi::request_body::RequestBody {
    let mut builder = RequestBodyBuilder::new().required(Some(Required::True));
    let content = |schema: RefOr<Schema>| ContentBuilder::new().schema(Some(schema)).build();
    match body {
        Body::Entity => {
            for media in REQUEST_TYPES {
                let schema = Ref::from_schema_name("SuperOffice.CRM.Services.TicketMessageEntity");
                builder = builder.content(*media, content(schema.into()));
            }
        }
        Body::IdList => {
            let ids: RefOr<Schema> = ArrayBuilder::new().items(kind_schema(Kind::Int32)).build().into();
            for media in REQUEST_TYPES {
                builder = builder.content(*media, content(ids.clone()));
            }
        }
        Body::Bytes => {
            let bytes = ObjectBuilder::new().schema_type(Type::String).content_media_type("application/octet-stream");
            builder = builder.content("*/*", content(bytes.build().into()));
        }
        Body::Json(name) => builder = builder.content("application/json", content(Ref::from_schema_name(name).into())),
    }
    builder.build()
}

fn answer_schema(answer: Answer) -> Option<RefOr<Schema>> {
    let text = || ObjectBuilder::new().schema_type(Type::String).build().into();
    match answer {
        Answer::Schema(name) => Some(Ref::from_schema_name(name).into()),
        Answer::ArrayOf(name) => Some(ArrayBuilder::new().items(Ref::from_schema_name(name)).build().into()),
        Answer::StringMap => Some(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build()
                .into(),
        ),
        Answer::Bytes | Answer::Text(_) => Some(text()),
        Answer::NoContent => None,
    }
}

/// The vendor's schemas plus ticketd's error body and sign-in request.
fn components() -> Components {
    let mut schemas: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(VENDOR_SCHEMAS).unwrap_or_default();
    let webhook_schemas: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(webhook_operations::WEBHOOK_SCHEMAS).unwrap_or_default();
    schemas.extend(webhook_schemas);
    schemas.insert(
        "ticketd.ErrorInfo".into(),
        serde_json::json!({
            "type": "object",
            "properties": {
                "Error": {"type": "boolean"},
                "ErrorType": {"type": "string"},
                "ErrorMessage": {"type": "string"},
                "ErrorSource": {"type": "string"}
            }
        }),
    );
    schemas.insert(
        "ticketd.Credentials".into(),
        serde_json::json!({
            "type": "object",
            "properties": {"Username": {"type": "string"}, "Password": {"type": "string"}}
        }),
    );
    schemas.insert(
        "ticketd.Session".into(),
        serde_json::json!({
            "type": "object",
            "properties": {
                "AssociateId": {"type": "integer", "format": "int32"},
                "Username": {"type": "string"},
                "Ticket": {"type": "string"},
                "XsrfToken": {"type": "string"},
                "ExpiresInSeconds": {"type": "integer", "format": "int64"}
            }
        }),
    );
    serde_json::from_value(serde_json::json!({ "schemas": schemas })).unwrap_or_default()
}
