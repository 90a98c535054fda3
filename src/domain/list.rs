//! A list query over ticket messages — the OData subset clients send to
//! `GET /api/v1/TicketMessage` — expressed in the model's own terms (no SQL, no URL syntax).

/// A column of the ticket message archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    EjMessageId,
    TicketId,
    CreatedAt,
    CreatedBy,
    Author,
    Slevel,
    Type,
    MessageCategory,
    Important,
    TimeSpent,
    Language,
    Sentiment,
    SearchTitle,
    Body,
}

/// What kind of value a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Integer,
    Text,
    Date,
    Boolean,
    /// A vendor enum, stored as its ordinal.
    Enum,
}

impl Column {
    pub const ALL: [Column; 14] = [
        Column::EjMessageId,
        Column::TicketId,
        Column::CreatedAt,
        Column::CreatedBy,
        Column::Author,
        Column::Slevel,
        Column::Type,
        Column::MessageCategory,
        Column::Important,
        Column::TimeSpent,
        Column::Language,
        Column::Sentiment,
        Column::SearchTitle,
        Column::Body,
    ];

    /// The columns a list returns when `$select` is absent.
    pub const DEFAULT: [Column; 9] = [
        Column::EjMessageId,
        Column::TicketId,
        Column::CreatedAt,
        Column::Author,
        Column::Slevel,
        Column::Type,
        Column::Body,
        Column::Important,
        Column::MessageCategory,
    ];

    /// The archive name (camelCase, as the vendor's archive columns are).
    pub fn name(self) -> &'static str {
        match self {
            Column::EjMessageId => "ejMessageId",
            Column::TicketId => "ticketId",
            Column::CreatedAt => "createdAt",
            Column::CreatedBy => "createdBy",
            Column::Author => "author",
            Column::Slevel => "slevel",
            Column::Type => "type",
            Column::MessageCategory => "messageCategory",
            Column::Important => "important",
            Column::TimeSpent => "timeSpent",
            Column::Language => "language",
            Column::Sentiment => "sentiment",
            Column::SearchTitle => "searchTitle",
            Column::Body => "body",
        }
    }

    pub fn from_name(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.name().eq_ignore_ascii_case(name.trim()))
    }

    pub fn kind(self) -> ColumnKind {
        match self {
            Column::EjMessageId | Column::TicketId | Column::CreatedBy | Column::TimeSpent | Column::Sentiment => {
                ColumnKind::Integer
            }
            Column::CreatedAt => ColumnKind::Date,
            Column::Important => ColumnKind::Boolean,
            Column::Slevel | Column::Type | Column::MessageCategory => ColumnKind::Enum,
            Column::Author | Column::Language | Column::SearchTitle | Column::Body => ColumnKind::Text,
        }
    }
}

/// A typed literal of a filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Integer(i64),
    Text(String),
    Date(super::Timestamp),
    Boolean(bool),
}

/// How a column is compared with a literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Text contains the literal (case-insensitive).
    Contains,
    /// Text starts with the literal (case-insensitive).
    Begins,
}

/// A `$filter` expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare(Column, Comparison, Literal),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

/// One `$orderBy` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderKey {
    pub column: Column,
    pub descending: bool,
}

/// A whole list query.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub select: Vec<Column>,
    pub filter: Option<Filter>,
    pub order: Vec<OrderKey>,
    pub skip: u32,
    pub top: u32,
}

/// One row of a list: the selected columns' values, in `select` order.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    pub id: i32,
    pub values: Vec<Literal>,
}
