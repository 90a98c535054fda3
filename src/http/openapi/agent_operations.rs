//! The Agents API in the OpenAPI document, from the same method table that routes the calls:
//! `POST` to call each TicketAgent and WebhookAgent method (the five ticketd does not offer are marked deprecated
//! and answer 501) and `GET` to describe it.

use utoipa::openapi::path::{Operation, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type as SchemaType};
use utoipa::openapi::{ContentBuilder, Deprecated, HttpMethod, Ref, RefOr, Required, ResponseBuilder};

use crate::http::agents::table::{self, Method, Param, Returns, Shape, Type};

const ENTITY: &str = "SuperOffice.CRM.Services.TicketMessageEntity";
const WEBHOOK: &str = "SuperOffice.CRM.Services.Webhook";
const BODY_TYPES: &[&str] =
    &["application/json", "text/json", "application/xml", "text/xml", "application/x-www-form-urlencoded"];
const ANSWER_TYPES: &[&str] = &["application/json", "text/json", "application/xml", "text/xml"];
const LOCALE_HEADERS: [&str; 5] = ["Accept-Language", "SO-Language", "SO-Culture", "SO-TimeZone", "SO-AppToken"];

/// Every Agents path with its operations.
pub fn all() -> Vec<(&'static str, HttpMethod, Operation)> {
    table::all()
        .flat_map(|method| {
            [(method.path, HttpMethod::Post, call(method)), (method.path, HttpMethod::Get, describe(method))]
        })
        .collect()
}

fn call(method: &Method) -> Operation {
    let tag = agent_tag(method);
    let id = format!("v1{tag}_{}", method.name);
    let mut builder = OperationBuilder::new().operation_id(Some(id)).summary(Some(method.summary)).tag(tag.clone());
    let mut parameters: Vec<_> = Vec::new();
    if method.shape == Shape::Query {
        parameters.extend(method.params.iter().map(|p| {
            ParameterBuilder::new()
                .name(p.name)
                .parameter_in(ParameterIn::Query)
                .required(if p.required { Required::True } else { Required::False })
                .schema(Some(schema_of(p)))
                .build()
        }));
    }
    // As the vendor's contract lists them: `$select` wherever there are parameters to select
    // by, the locale headers wherever an answer has text to translate.
    if !matches!(method.shape, Shape::None | Shape::Entity) {
        parameters.push(
            ParameterBuilder::new().name("$select").parameter_in(ParameterIn::Query).schema(Some(text())).build(),
        );
    }
    let headers: &[&str] =
        if method.returns == Returns::Nothing && method.op.is_some() { &LOCALE_HEADERS[4..] } else { &LOCALE_HEADERS };
    parameters.extend(headers.iter().map(|name| {
        ParameterBuilder::new().name(*name).parameter_in(ParameterIn::Header).schema(Some(text())).build()
    }));
    builder = builder.parameters(Some(parameters));
    let body: Option<RefOr<Schema>> = match method.shape {
        Shape::Entity => method.params.first().map(schema_of),
        Shape::Request => Some(request_object(method.params)),
        Shape::Query | Shape::None => None,
    };
    if let Some(schema) = body {
        let mut request = RequestBodyBuilder::new().required(Some(Required::True));
        for media in BODY_TYPES {
            request = request.content(*media, ContentBuilder::new().schema(Some(schema.clone())).build());
        }
        builder = builder.request_body(Some(request.build()));
    }
    if method.op.is_none() {
        let answer = error_response("Not implemented by ticketd: the vendor's error body naming the method");
        return builder.deprecated(Some(Deprecated::True)).response("501", answer).build();
    }
    builder = match answer_schema(method.returns) {
        Some(schema) => {
            let mut ok = ResponseBuilder::new().description(match method.returns {
                Returns::Entity | Returns::Summary => {
                    "OK; the JSON literal null (XML: a nil root) when there is no such message"
                }
                _ => "OK",
            });
            for media in ANSWER_TYPES {
                ok = ok.content(*media, ContentBuilder::new().schema(Some(schema.clone())).build());
            }
            builder.response("200", ok.build())
        }
        None => builder.response("204", ResponseBuilder::new().description("No Content").build()),
    };
    builder.response("default", error_response("The vendor's error body, naming the parameter at fault")).build()
}

/// `TicketAgent` or `WebhookAgent`: the agent a method's path names.
fn agent_tag(method: &Method) -> String {
    format!("{}Agent", method.path.split('/').nth(4).unwrap_or("Ticket"))
}

fn describe(method: &Method) -> Operation {
    let description = ObjectBuilder::new().schema_type(SchemaType::Object).build();
    let ok = ResponseBuilder::new()
        .description("The method's parameters and result type; the method is not run")
        .content("application/json", ContentBuilder::new().schema(Some(description)).build())
        .build();
    OperationBuilder::new()
        .operation_id(Some(format!("ticketd_Describe{}_{}", agent_tag(method), method.name)))
        .summary(Some(format!("Describes {}.{} without calling it", agent_tag(method), method.name)))
        .tag(agent_tag(method))
        .response("200", ok)
        .build()
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    let mut error = ResponseBuilder::new().description(description);
    for media in ["application/json", "application/xml"] {
        error = error
            .content(media, ContentBuilder::new().schema(Some(Ref::from_schema_name("ticketd.ErrorInfo"))).build());
    }
    error.build()
}

fn answer_schema(returns: Returns) -> Option<RefOr<Schema>> {
    match returns {
        Returns::Entity => Some(Ref::from_schema_name(ENTITY).into()),
        Returns::Summary => Some(Ref::from_schema_name("SuperOffice.CRM.Services.TicketMessage").into()),
        Returns::EntityList => Some(ArrayBuilder::new().items(Ref::from_schema_name(ENTITY)).build().into()),
        Returns::Nothing => None,
        Returns::Webhook => Some(Ref::from_schema_name(WEBHOOK).into()),
        Returns::Webhooks => Some(ArrayBuilder::new().items(Ref::from_schema_name(WEBHOOK)).build().into()),
        Returns::WebhookResult => Some(Ref::from_schema_name("SuperOffice.CRM.Services.WebhookResult").into()),
        Returns::Text => Some(text()),
    }
}

/// A request carrier's schema: one property per parameter.
fn request_object(params: &[Param]) -> RefOr<Schema> {
    let mut object = ObjectBuilder::new().schema_type(SchemaType::Object);
    for param in params {
        object = object.property(param.name, schema_of(param));
        if param.required {
            object = object.required(param.name);
        }
    }
    object.build().into()
}

fn text() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(SchemaType::String).build().into()
}

fn int32() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::Integer).format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
}

fn schema_of(param: &Param) -> RefOr<Schema> {
    match param.kind {
        Type::Int32 => int32().build().into(),
        Type::Bool => ObjectBuilder::new().schema_type(SchemaType::Boolean).build().into(),
        Type::Text => text(),
        Type::Choice(names) => {
            ObjectBuilder::new().schema_type(SchemaType::String).enum_values(Some(names.iter().copied())).build().into()
        }
        Type::Int32List => ArrayBuilder::new().items(int32()).build().into(),
        Type::TextList => ArrayBuilder::new().items(text()).build().into(),
        Type::Entity => Ref::from_schema_name(ENTITY).into(),
        Type::Webhook => Ref::from_schema_name(WEBHOOK).into(),
        Type::Any => ObjectBuilder::new().build().into(),
    }
}
