//! `$filter`: comparisons (`eq ne lt le gt ge contains begins`), `startswith(col,'x')`,
//! `substringof('x',col)`, `and`, `or` and parentheses, typed by the column they test.

use crate::domain::list::{Column, ColumnKind, Comparison, Filter, Literal};
use crate::domain::{MessageCategory, MessageType, SecurityLevel, VendorEnum};
use crate::error::ApiError;
use crate::locale::parse_wire_datetime;

/// The deepest parenthesis nesting accepted.
const MAX_DEPTH: usize = 32;
/// The most comparisons one filter may hold. `and`/`or` chains build a tree as deep as they are
/// long, and rendering and dropping it recurse, so this bounds every recursion over the tree.
pub const MAX_CONDITIONS: usize = 100;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Comma,
}

fn unsupported(what: impl std::fmt::Display) -> ApiError {
    ApiError::invalid(format!("$filter: {what}"))
}

fn tokenize(input: &str) -> Result<Vec<Token>, ApiError> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&ch) = chars.peek() {
        match ch {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' => {
                chars.next();
                tokens.push(match ch {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Comma,
                });
            }
            '\'' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            text.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => text.push(c),
                        None => return Err(unsupported("a string literal is not closed")),
                    }
                }
                tokens.push(Token::Text(text));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | ',' | '\'') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    conditions: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expect_token(&mut self, wanted: Token, what: &str) -> Result<(), ApiError> {
        if self.next() == Some(wanted) { Ok(()) } else { Err(unsupported(format!("expected {what}"))) }
    }

    fn or(&mut self, depth: usize) -> Result<Filter, ApiError> {
        let mut left = self.and(depth)?;
        while self.peek_word("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and(depth)?));
        }
        Ok(left)
    }

    fn and(&mut self, depth: usize) -> Result<Filter, ApiError> {
        let mut left = self.atom(depth)?;
        while self.peek_word("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.atom(depth)?));
        }
        Ok(left)
    }

    fn atom(&mut self, depth: usize) -> Result<Filter, ApiError> {
        if depth > MAX_DEPTH {
            return Err(unsupported(format!("nesting deeper than {MAX_DEPTH} is not supported")));
        }
        if !matches!(self.tokens.get(self.at), Some(Token::Open)) {
            self.conditions += 1;
            if self.conditions > MAX_CONDITIONS {
                return Err(unsupported(format!("at most {MAX_CONDITIONS} conditions are supported")));
            }
        }
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or(depth + 1)?;
                self.expect_token(Token::Close, "')'")?;
                Ok(inner)
            }
            Some(Token::Word(word)) if self.tokens.get(self.at) == Some(&Token::Open) => self.function(&word),
            Some(Token::Word(word)) => {
                let column = column(&word)?;
                let op = match self.next() {
                    Some(Token::Word(op)) => comparison(&op)?,
                    _ => return Err(unsupported(format!("'{word}' needs an operator"))),
                };
                let value = self.next().ok_or_else(|| unsupported(format!("'{word}' needs a value")))?;
                compare(column, op, value)
            }
            Some(other) => Err(unsupported(format!("unexpected {other:?}"))),
            None => Err(unsupported("the filter is empty or ends too early".to_owned())),
        }
    }

    fn function(&mut self, name: &str) -> Result<Filter, ApiError> {
        self.expect_token(Token::Open, "'('")?;
        let first = self.next();
        self.expect_token(Token::Comma, "','")?;
        let second = self.next();
        self.expect_token(Token::Close, "')'")?;
        match (name.to_ascii_lowercase().as_str(), first, second) {
            ("startswith", Some(Token::Word(col)), Some(value)) => compare(column(&col)?, Comparison::Begins, value),
            ("substringof", Some(value), Some(Token::Word(col))) => compare(column(&col)?, Comparison::Contains, value),
            (other, _, _) => Err(unsupported(format!("the function '{other}' is not supported here"))),
        }
    }
}

fn column(name: &str) -> Result<Column, ApiError> {
    Column::from_name(name).ok_or_else(|| unsupported(format!("the column '{name}' is not supported")))
}

fn comparison(op: &str) -> Result<Comparison, ApiError> {
    Ok(match op.to_ascii_lowercase().as_str() {
        "eq" | "=" | "equals" => Comparison::Eq,
        "ne" | "unequals" | "isnot" => Comparison::Ne,
        "lt" | "less" | "before" => Comparison::Lt,
        "le" => Comparison::Le,
        "gt" | "greater" | "after" => Comparison::Gt,
        "ge" => Comparison::Ge,
        "contains" => Comparison::Contains,
        "begins" => Comparison::Begins,
        other => return Err(unsupported(format!("the operator '{other}' is not supported"))),
    })
}

fn compare(column: Column, op: Comparison, token: Token) -> Result<Filter, ApiError> {
    let text = match token {
        Token::Word(w) | Token::Text(w) => w,
        _ => return Err(unsupported(format!("'{}' needs a value", column.name()))),
    };
    let kind = column.kind();
    if matches!(op, Comparison::Contains | Comparison::Begins) && kind != ColumnKind::Text {
        return Err(unsupported(format!("'{}' is not text; contains/begins do not apply", column.name())));
    }
    let bad = || unsupported(format!("'{text}' is not a valid value for '{}'", column.name()));
    let literal = match kind {
        ColumnKind::Text => Literal::Text(text.clone()),
        ColumnKind::Integer => Literal::Integer(text.parse().map_err(|_| bad())?),
        ColumnKind::Date => Literal::Date(parse_wire_datetime(&text).map_err(|_| bad())?),
        ColumnKind::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" | "1" => Literal::Boolean(true),
            "false" | "0" => Literal::Boolean(false),
            _ => return Err(bad()),
        },
        ColumnKind::Enum => Literal::Integer(enum_ordinal(column, &text).ok_or_else(bad)?),
    };
    Ok(Filter::Compare(column, op, literal))
}

fn enum_ordinal(column: Column, text: &str) -> Option<i64> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let ordinal = match column {
        Column::Slevel => SecurityLevel::from_name(text)?.ordinal(),
        Column::Type => MessageType::from_name(text)?.ordinal(),
        Column::MessageCategory => MessageCategory::from_name(text)?.ordinal(),
        _ => return None,
    };
    Some(i64::from(ordinal))
}

/// Parses a `$filter` value.
pub fn parse_filter(input: &str) -> Result<Filter, ApiError> {
    let mut parser = Parser { tokens: tokenize(input)?, at: 0, conditions: 0 };
    let filter = parser.or(0)?;
    if parser.at < parser.tokens.len() {
        return Err(unsupported(format!("unexpected {:?}", parser.tokens[parser.at])));
    }
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comparisons_functions_and_logic() {
        let f = parse_filter("ticketId eq 1 and (author contains 'Ø''s' or startswith(searchTitle,'Fak'))").unwrap();
        let Filter::And(left, right) = f else { panic!("and") };
        assert_eq!(*left, Filter::Compare(Column::TicketId, Comparison::Eq, Literal::Integer(1)));
        let Filter::Or(a, b) = *right else { panic!("or") };
        assert_eq!(*a, Filter::Compare(Column::Author, Comparison::Contains, Literal::Text("Ø's".into())));
        assert_eq!(*b, Filter::Compare(Column::SearchTitle, Comparison::Begins, Literal::Text("Fak".into())));
        assert_eq!(
            parse_filter("slevel eq 'External'").unwrap(),
            Filter::Compare(Column::Slevel, Comparison::Eq, Literal::Integer(2))
        );
        assert!(matches!(
            parse_filter("createdAt ge '2024-01-01'").unwrap(),
            Filter::Compare(_, Comparison::Ge, Literal::Date(_))
        ));
        assert!(matches!(
            parse_filter("substringof('x', body)").unwrap(),
            Filter::Compare(Column::Body, Comparison::Contains, _)
        ));
    }

    #[test]
    fn unsupported_parts_are_named() {
        for (filter, needle) in [
            ("nope eq 1", "nope"),
            ("ticketId like 1", "like"),
            ("ticketId eq 'x'", "'x'"),
            ("ticketId contains '1'", "contains"),
            ("endswith(body,'x')", "endswith"),
            ("body eq 'open", "not closed"),
            ("(ticketId eq 1", "')'"),
            ("ticketId eq 1 junk", "junk"),
            ("ticketId", "operator"),
            ("", "empty"),
            ("ticketId eq 1 and", "ends too early"),
        ] {
            let err = parse_filter(filter).unwrap_err();
            assert!(err.message.contains(needle), "{filter}: {}", err.message);
        }
        let deep = format!("{}ticketId eq 1{}", "(".repeat(100), ")".repeat(100));
        assert!(parse_filter(&deep).unwrap_err().message.contains("nesting"));
    }

    /// How deep a filter tree goes.
    fn depth(filter: &Filter) -> usize {
        match filter {
            Filter::And(a, b) | Filter::Or(a, b) => 1 + depth(a).max(depth(b)),
            _ => 1,
        }
    }

    #[test]
    fn long_and_or_chains_are_bounded() {
        let chain = |n: usize, op: &str| vec!["ticketId eq 1"; n].join(&format!(" {op} "));
        for op in ["and", "or"] {
            let limit = parse_filter(&chain(MAX_CONDITIONS, op)).unwrap();
            assert!(depth(&limit) <= MAX_CONDITIONS, "{op}");
            for n in [MAX_CONDITIONS + 1, 5_000, 100_000] {
                let err = parse_filter(&chain(n, op)).unwrap_err();
                assert!(err.message.contains("at most 100 conditions"), "{op} {n}: {}", err.message);
            }
        }
        // Parentheses and functions count by their comparisons, not their brackets.
        let grouped = vec!["(startswith(body,'x') or (ticketId eq 1))"; MAX_CONDITIONS / 2].join(" and ");
        assert!(parse_filter(&grouped).is_ok());
        assert!(parse_filter(&format!("{grouped} and ticketId eq 2")).is_err());
    }
}
