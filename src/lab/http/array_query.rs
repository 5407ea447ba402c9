//! How the array answers a list (FlashArray REST 2.x): `filter` (comparisons on dotted fields,
//! `*` wildcards in quoted strings, `and`/`or`, `not(…)`), `sort` (comma-separated keys, `-`
//! for descending), then `offset` or `continuation_token`, and `limit`. `total_item_count`
//! counts every match; `continuation_token` is set while more items remain.

use serde_json::{Value, json};
use std::cmp::Ordering;
use std::collections::HashMap;

/// A list query the array refuses, with the parameter it names in its error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("Invalid filter: {0}")]
    Filter(String),
    #[error("Invalid value for {0}.")]
    Value(&'static str),
    #[error("Invalid continuation token.")]
    Token,
}

impl QueryError {
    /// The parameter the error is about (the error's `context`).
    pub fn context(&self) -> &'static str {
        match self {
            QueryError::Filter(_) => "filter",
            QueryError::Value(p) => p,
            QueryError::Token => "continuation_token",
        }
    }
}

/// Applies the query to every item of a list; the answer's body.
pub fn answer(q: &HashMap<String, String>, mut list: Vec<Value>) -> Result<Value, QueryError> {
    if let Some(f) = q.get("filter").filter(|f| !f.trim().is_empty()) {
        let expr = parse_filter(f)?;
        list.retain(|item| expr.matches(item));
    }
    if let Some(s) = q.get("sort").filter(|s| !s.trim().is_empty()) {
        let keys = sort_keys(s);
        list.sort_by(|a, b| compare(a, b, &keys));
    }
    let total = list.len();
    let start = match (q.get("continuation_token"), q.get("offset")) {
        (Some(t), _) => decode_token(t)?,
        (None, Some(o)) => o.parse().map_err(|_| QueryError::Value("offset"))?,
        (None, None) => 0,
    };
    let limit = match q.get("limit") {
        Some(l) => Some(
            l.parse::<usize>()
                .ok()
                .filter(|l| *l > 0)
                .ok_or(QueryError::Value("limit"))?,
        ),
        None => None,
    };
    let end = limit.map_or(total, |l| (start + l).min(total)).max(start);
    let page: Vec<Value> = list.into_iter().skip(start).take(end - start).collect();
    let more = end < total;
    let token = more.then(|| encode_token(end));
    Ok(
        json!({"items": page, "continuation_token": token, "total_item_count": total,
        "more_items_remaining": more}),
    )
}

// The token is opaque to clients; the lab encodes where the next page starts.
fn encode_token(offset: usize) -> String {
    format!("lab-page-{offset:x}")
}

fn decode_token(t: &str) -> Result<usize, QueryError> {
    t.strip_prefix("lab-page-")
        .and_then(|h| usize::from_str_radix(h, 16).ok())
        .ok_or(QueryError::Token)
}

fn sort_keys(s: &str) -> Vec<(String, bool)> {
    s.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| match k.strip_suffix('-') {
            Some(field) => (field.to_string(), true),
            None => (k.to_string(), false),
        })
        .collect()
}

fn field<'a>(item: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(item, |v, key| v.get(key).unwrap_or(&Value::Null))
}

fn compare(a: &Value, b: &Value, keys: &[(String, bool)]) -> Ordering {
    for (key, descending) in keys {
        let ord = compare_values(field(a, key), field(b, key));
        let ord = if *descending { ord.reverse() } else { ord };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.total_cmp(&y)
        }
        _ => text(a).cmp(&text(b)),
    }
}

/// A value as the filter compares it: strings bare, everything else as JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[derive(Debug)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Cmp {
        field: String,
        op: &'static str,
        value: String,
    },
}

impl Expr {
    fn matches(&self, item: &Value) -> bool {
        match self {
            Expr::Or(xs) => xs.iter().any(|x| x.matches(item)),
            Expr::And(xs) => xs.iter().all(|x| x.matches(item)),
            Expr::Not(x) => !x.matches(item),
            Expr::Cmp {
                field: f,
                op,
                value,
            } => cmp_matches(field(item, f), op, value),
        }
    }
}

fn cmp_matches(actual: &Value, op: &str, wanted: &str) -> bool {
    let ord = match (actual.as_f64(), wanted.parse::<f64>()) {
        (Some(a), Ok(w)) => a.total_cmp(&w),
        _ => text(actual).as_str().cmp(wanted),
    };
    match op {
        "=" => wildcard(&text(actual), wanted),
        "!=" => !wildcard(&text(actual), wanted),
        ">" => ord == Ordering::Greater,
        "<" => ord == Ordering::Less,
        ">=" => ord != Ordering::Less,
        "<=" => ord != Ordering::Greater,
        _ => false,
    }
}

/// `*` matches any run of characters; everything else literally.
fn wildcard(text: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return text == pattern;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    if !text.ends_with(last) {
        return false;
    }
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

fn parse_filter(text: &str) -> Result<Expr, QueryError> {
    let tokens = tokenize(text)?;
    let mut p = Parser { tokens, at: 0 };
    let expr = p.or()?;
    if p.at != p.tokens.len() {
        return Err(QueryError::Filter(format!(
            "unexpected {:?}",
            p.tokens[p.at]
        )));
    }
    Ok(expr)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Op(&'static str),
    Open,
    Close,
}

fn tokenize(text: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => i += 1,
            '(' => (out.push(Token::Open), i += 1).1,
            ')' => (out.push(Token::Close), i += 1).1,
            '\'' | '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|x| *x == c)
                    .ok_or_else(|| QueryError::Filter("unclosed quote".into()))?;
                out.push(Token::Quoted(chars[i + 1..i + 1 + end].iter().collect()));
                i += end + 2;
            }
            '=' | '!' | '<' | '>' => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                let op = ["!=", ">=", "<="]
                    .into_iter()
                    .find(|o| *o == two)
                    .or_else(|| ["=", "<", ">"].into_iter().find(|o| o.starts_with(c)))
                    .ok_or_else(|| QueryError::Filter(format!("bad operator at {c}")))?;
                out.push(Token::Op(op));
                i += op.len();
            }
            _ => {
                let start = i;
                while i < chars.len() && !" \t()'\"=!<>".contains(chars[i]) {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut xs = vec![self.and()?];
        while self.peek_word("or") {
            self.at += 1;
            xs.push(self.and()?);
        }
        Ok(if xs.len() == 1 {
            xs.remove(0)
        } else {
            Expr::Or(xs)
        })
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut xs = vec![self.unary()?];
        while self.peek_word("and") {
            self.at += 1;
            xs.push(self.unary()?);
        }
        Ok(if xs.len() == 1 {
            xs.remove(0)
        } else {
            Expr::And(xs)
        })
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if self.peek_word("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.group()?)));
        }
        if self.tokens.get(self.at) == Some(&Token::Open) {
            return self.group();
        }
        self.comparison()
    }

    fn group(&mut self) -> Result<Expr, QueryError> {
        if self.tokens.get(self.at) != Some(&Token::Open) {
            return Err(QueryError::Filter("expected (".into()));
        }
        self.at += 1;
        let inner = self.or()?;
        if self.tokens.get(self.at) != Some(&Token::Close) {
            return Err(QueryError::Filter("expected )".into()));
        }
        self.at += 1;
        Ok(inner)
    }

    fn comparison(&mut self) -> Result<Expr, QueryError> {
        let bad = || QueryError::Filter("expected field OPERATOR value".into());
        let field = match self.tokens.get(self.at) {
            Some(Token::Word(w)) => w.clone(),
            _ => return Err(bad()),
        };
        let op = match self.tokens.get(self.at + 1) {
            Some(Token::Op(op)) => *op,
            _ => return Err(bad()),
        };
        let value = match self.tokens.get(self.at + 2) {
            Some(Token::Quoted(v) | Token::Word(v)) => v.clone(),
            _ => return Err(bad()),
        };
        self.at += 3;
        Ok(Expr::Cmp { field, op, value })
    }
}
