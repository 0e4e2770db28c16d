//! Type expressions of the spec: `u64`, `DialogUser`, `list<DialogUser>`, `map<u64, User|null>`,
//! `comma_list<ExternalUserType>`, `datetime|false`, `day_month|""`, `datetime|{}`.
//!
//! Grammar:
//! ```text
//! expr    := primary ( '|' absent )*
//! absent  := 'null' | 'false' | '""' | '{}'
//! primary := name ( '<' expr ( ',' expr )* '>' )?
//! ```

use std::ops::Range;

/// How "no value" looks on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsentForm {
    /// `null`
    Null,
    /// `false`
    False,
    /// `""`
    EmptyStr,
    /// `{}` (an empty object where a scalar belongs: dates in some file answers)
    EmptyObject,
}

impl AbsentForm {
    /// How the form is written in a type expression.
    pub fn spelling(self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::False => "false",
            Self::EmptyStr => "\"\"",
            Self::EmptyObject => "{}",
        }
    }
}

/// A parsed type expression, with byte ranges relative to the start of the expression text.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub name: String,
    pub name_range: Range<usize>,
    pub args: Vec<Expr>,
    /// Absent forms, in the order written; the first one is what `None` encodes as.
    pub absent: Vec<AbsentForm>,
    pub range: Range<usize>,
}

/// A syntax error in a type expression.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    pub message: String,
    pub range: Range<usize>,
    pub help: Option<String>,
}

/// Parses a type expression.
pub fn parse(text: &str) -> Result<Expr, ExprError> {
    let mut p = Parser { text, pos: 0 };
    let expr = p.expr()?;
    p.skip_ws();
    if p.pos < text.len() {
        return Err(ExprError {
            message: format!("unexpected `{}` after the type", p.rest()),
            range: p.pos..text.len(),
            help: Some("a type looks like `u64`, `list<DialogUser>` or `datetime|false`".into()),
        });
    }
    Ok(expr)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn name(&mut self) -> Result<(String, Range<usize>), ExprError> {
        self.skip_ws();
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.pos += 1;
        }
        if self.pos == start {
            let found = self
                .peek()
                .map_or_else(|| "the end".to_owned(), |c| format!("`{c}`"));
            return Err(ExprError {
                message: format!("expected a type name, found {found}"),
                range: start..(start + 1).min(self.text.len().max(start)),
                help: None,
            });
        }
        Ok((
            self.text.get(start..self.pos).unwrap_or("").to_owned(),
            start..self.pos,
        ))
    }

    fn expr(&mut self) -> Result<Expr, ExprError> {
        self.skip_ws();
        let start = self.pos;
        let (name, name_range) = self.name()?;
        let mut args = Vec::new();
        if self.eat('<') {
            loop {
                args.push(self.expr()?);
                if self.eat(',') {
                    continue;
                }
                if self.eat('>') {
                    break;
                }
                self.skip_ws();
                return Err(ExprError {
                    message: format!("expected `,` or `>` in the arguments of `{name}`"),
                    range: self.pos..(self.pos + 1).min(self.text.len()).max(self.pos),
                    help: None,
                });
            }
        }
        let mut absent = Vec::new();
        while self.eat('|') {
            self.skip_ws();
            let alt_start = self.pos;
            let form = if self.rest().starts_with("\"\"") {
                self.pos += 2;
                AbsentForm::EmptyStr
            } else if self.rest().starts_with("{}") {
                self.pos += 2;
                AbsentForm::EmptyObject
            } else {
                let (word, range) = self.name()?;
                match word.as_str() {
                    "null" => AbsentForm::Null,
                    "false" => AbsentForm::False,
                    _ => {
                        return Err(ExprError {
                            message: format!("`{word}` cannot follow `|`"),
                            range,
                            help: Some(
                                "after `|` comes the wire value that means \"no value\": `null`, `false`, `\"\"` or `{}`"
                                    .into(),
                            ),
                        });
                    }
                }
            };
            if absent.contains(&form) {
                return Err(ExprError {
                    message: format!("`|{}` is written twice", form.spelling()),
                    range: alt_start..self.pos,
                    help: None,
                });
            }
            absent.push(form);
        }
        Ok(Expr {
            name,
            name_range,
            args,
            absent,
            range: start..self.pos,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn nested_with_absent_forms() {
        let e = parse("map<u64, User|null>").unwrap();
        assert_eq!(e.name, "map");
        assert_eq!(e.args[1].name, "User");
        assert_eq!(e.args[1].absent, [AbsentForm::Null]);
        let e = parse(r#"day_month|"""#).unwrap();
        assert_eq!(e.absent, [AbsentForm::EmptyStr]);
        let e = parse("datetime|{}").unwrap();
        assert_eq!(e.absent, [AbsentForm::EmptyObject]);
    }

    #[test]
    fn errors_point_inside() {
        let err = parse("list<User").unwrap_err();
        assert!(err.message.contains("`,` or `>`"), "{err:?}");
        let err = parse("u64|nothing").unwrap_err();
        assert_eq!(err.range, 4..11);
    }
}
