//! What an Agents method is: its parameter shape and types, its result and the operation it
//! performs; the tables of the TicketAgent and the WebhookAgent are made of these.

/// How a method takes its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Scalars in the query string (`GetTicketMessageEntity?ticketMessageEntityId=5`).
    Query,
    /// The entity itself is the body (`SaveTicketMessageEntity`).
    Entity,
    /// A request object is the body (`{"TicketMessageEntityId": 5}`); its scalars may also come
    /// as query parameters.
    Request,
    /// Nothing (`CreateDefault…`; the vendor's client posts `null`).
    None,
}

/// A parameter's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Int32,
    Bool,
    Text,
    /// One of the named values (compared without regard to case).
    Choice(&'static [&'static str]),
    Int32List,
    TextList,
    /// A `TicketMessageEntity`.
    Entity,
    /// A `Webhook` carrier.
    Webhook,
    /// Any JSON value (`SignalEvent`'s `Data`).
    Any,
}

impl Type {
    /// The name the `GET` description gives the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::Int32 => "int32",
            Self::Bool => "bool",
            Self::Text | Self::Choice(_) => "string",
            Self::Int32List => "int32[]",
            Self::TextList => "string[]",
            Self::Entity => "TicketMessageEntity",
            Self::Webhook => "Webhook",
            Self::Any => "object",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// As the vendor's contract spells it; matched without regard to case.
    pub name: &'static str,
    pub kind: Type,
    pub required: bool,
}

pub const fn param(name: &'static str, kind: Type, required: bool) -> Param {
    Param { name, kind, required }
}

/// What a successful call answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// 200 with a `TicketMessageEntity`, or `null` when the id names no message.
    Entity,
    /// 200 with the flat `TicketMessage` carrier, or `null`.
    Summary,
    /// 200 with an array of `TicketMessageEntity`.
    EntityList,
    /// 204 with no body.
    Nothing,
    /// 200 with a `Webhook`, or `null`.
    Webhook,
    /// 200 with an array of `Webhook`.
    Webhooks,
    /// 200 with a `WebhookResult`.
    WebhookResult,
    /// 200 with a string, or `null`.
    Text,
}

impl Returns {
    pub fn name(self) -> &'static str {
        match self {
            Self::Entity => "TicketMessageEntity",
            Self::Summary => "TicketMessage",
            Self::EntityList => "TicketMessageEntity[]",
            Self::Nothing => "void",
            Self::Webhook => "Webhook",
            Self::Webhooks => "Webhook[]",
            Self::WebhookResult => "WebhookResult",
            Self::Text => "string",
        }
    }
}

/// The operation a method performs; `None` in the table for methods ticketd does not offer (501).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    CreateDefault,
    GetEntity,
    GetWithOptions,
    GetWithEmbeddedData,
    GetEntities,
    GetSummary,
    Save,
    SaveWithNotify,
    SaveWithOptions,
    Delete,
    SetImportant,
    DeleteHeaders,
    RemoveAttachments,
    Send,
    SendSms,
    NotifyNew,
    WebhookDefault,
    WebhookSave,
    WebhookGet,
    WebhookList,
    WebhookDelete,
    WebhookTest,
    WebhookSignal,
    WebhookLastError,
}

impl Op {
    /// Whether the operation is one of the WebhookAgent's.
    pub fn is_webhook(self) -> bool {
        matches!(
            self,
            Self::WebhookDefault
                | Self::WebhookSave
                | Self::WebhookGet
                | Self::WebhookList
                | Self::WebhookDelete
                | Self::WebhookTest
                | Self::WebhookSignal
                | Self::WebhookLastError
        )
    }
}

#[derive(Debug)]
pub struct Method {
    pub name: &'static str,
    /// The canonical path the method is routed at.
    pub path: &'static str,
    pub summary: &'static str,
    pub shape: Shape,
    pub params: &'static [Param],
    pub returns: Returns,
    /// The vendor's request carrier, for request-object methods.
    pub request_type: Option<&'static str>,
    pub op: Option<Op>,
}
