//! Stage 1b: node tree to the raw spec structs, collecting every problem instead of stopping at
//! the first.
//!
//! The raw structs derive `serde::Deserialize` (so they are also the source of the JSON Schema),
//! and this module's deserializer feeds them from a [`Node`] tree:
//! - unknown keys are reported (with the keys that would fit) and skipped, never fatal;
//! - a value of the wrong type inside a list element drops that element ([`Tolerant`]) and
//!   deserialization goes on with the next one;
//! - every error carries the span of the node it is about.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

use serde::de::Error as _;
use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, Visitor};
use serde::{Deserialize, forward_to_deserialize_any};

use crate::yaml::{Node, NodeKind};

/// A problem found while reading raw structs.
#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    pub message: String,
    pub span: Option<Range<usize>>,
    pub help: Option<String>,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self {
            message: msg.to_string(),
            span: None,
            help: None,
        }
    }
}

thread_local! {
    /// Problems found so far in the file being read (unknown keys, dropped list elements).
    static SINK: RefCell<Option<Vec<DeError>>> = const { RefCell::new(None) };
    /// The last error that got its span attached, so [`Tolerant`] can recover it with its span.
    static LAST: RefCell<Option<DeError>> = const { RefCell::new(None) };
}

fn record(error: DeError) {
    SINK.with(|sink| {
        if let Some(sink) = sink.borrow_mut().as_mut() {
            sink.push(error);
        }
    });
}

/// Reads `T` from `node`, returning the value (if the structure allowed one) and every problem.
pub fn from_node<'a, T: Deserialize<'a>>(node: &'a Node) -> (Option<T>, Vec<DeError>) {
    SINK.with(|sink| *sink.borrow_mut() = Some(Vec::new()));
    let result = T::deserialize(NodeDe { node });
    let mut problems = SINK
        .with(|sink| sink.borrow_mut().take())
        .unwrap_or_default();
    LAST.with(|last| last.borrow_mut().take());
    match result {
        Ok(value) => (Some(value), problems),
        Err(err) => {
            problems.push(err);
            (None, problems)
        }
    }
}

const SPANNED: &str = "$b24::Sp";

/// A value with the byte span of the YAML node it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sp<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> std::ops::Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Sp<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a spanned value")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Sp<T>, A::Error> {
                let (start, end): (usize, usize) = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::custom("span missing"))?;
                let value: T = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::custom("value missing"))?;
                Ok(Sp {
                    value,
                    span: start..end,
                })
            }
        }
        deserializer.deserialize_newtype_struct(SPANNED, V(PhantomData))
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Sp<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// A list element that, if malformed, is reported and dropped instead of failing the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Tolerant<T>(pub Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tolerant<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match T::deserialize(deserializer) {
            Ok(value) => Ok(Self(Some(value))),
            Err(err) => {
                let text = err.to_string();
                let recovered = LAST.with(|last| {
                    let mut last = last.borrow_mut();
                    match last.take() {
                        Some(e) if e.message == text => {
                            record(e);
                            true
                        }
                        other => {
                            *last = other;
                            false
                        }
                    }
                });
                if recovered { Ok(Self(None)) } else { Err(err) }
            }
        }
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Tolerant<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

struct NodeDe<'a> {
    node: &'a Node,
}

impl NodeDe<'_> {
    /// Attaches this node's span to an error that has none yet.
    fn locate(&self, mut err: DeError) -> DeError {
        if err.span.is_none() {
            err.span = Some(self.node.label_span());
            LAST.with(|last| *last.borrow_mut() = Some(err.clone()));
        }
        err
    }
}

/// Gives an error a help line if it has none (also on the copy [`Tolerant`] may recover).
fn with_help(mut err: DeError, help: impl FnOnce() -> String) -> DeError {
    if err.help.is_none() {
        err.help = Some(help());
        LAST.with(|last| {
            if let Some(last) = last.borrow_mut().as_mut()
                && last.message == err.message
                && last.help.is_none()
            {
                last.help.clone_from(&err.help);
            }
        });
    }
    err
}

fn suggest(unknown: &str, known: &[&str]) -> Option<String> {
    known
        .iter()
        .map(|k| (edit_distance(unknown, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| k.to_owned())
}

pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

impl<'de> Deserializer<'de> for NodeDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match &self.node.kind {
            NodeKind::Null => visitor.visit_unit(),
            NodeKind::Bool(b) => visitor.visit_bool(*b),
            NodeKind::Int(i) => visitor.visit_i64(*i),
            NodeKind::Float(f) => visitor.visit_f64(*f),
            NodeKind::Str(s) => visitor.visit_borrowed_str(s),
            NodeKind::Seq(items) => visitor.visit_seq(SeqAcc {
                items: items.iter(),
            }),
            NodeKind::Map(entries) => visitor.visit_map(MapAcc {
                entries: entries.iter().collect::<Vec<_>>().into_iter(),
                value: None,
                key: None,
            }),
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match self.node.kind {
            NodeKind::Null => visitor.visit_none(),
            _ => visitor.visit_some(NodeDe { node: self.node }),
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // Scalars become text where text is expected (`default: 50`).
        let result = match &self.node.kind {
            NodeKind::Int(i) => visitor.visit_string(i.to_string()),
            NodeKind::Float(f) => visitor.visit_string(f.to_string()),
            NodeKind::Bool(b) => visitor.visit_string(b.to_string()),
            _ => return self.deserialize_any(visitor),
        };
        result.map_err(|e| self.locate(e))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == SPANNED {
            return visitor
                .visit_seq(SpanSeq {
                    node: self.node,
                    step: 0,
                })
                .map_err(|e| self.locate(e));
        }
        visitor
            .visit_newtype_struct(NodeDe { node: self.node })
            .map_err(|e| self.locate(e))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let NodeKind::Map(entries) = &self.node.kind else {
            return Err(self.locate(DeError {
                message: format!(
                    "expected a mapping ({}), found {}",
                    describe_struct(name),
                    self.node.describe()
                ),
                span: Some(self.node.span.clone()),
                help: Some(format!(
                    "{} takes: {}",
                    describe_struct(name),
                    fields.join(", ")
                )),
            }));
        };
        let mut known = Vec::new();
        for entry in entries {
            let (key, _) = entry;
            let NodeKind::Str(text) = &key.kind else {
                record(DeError {
                    message: format!(
                        "keys of {} are names, found {}",
                        describe_struct(name),
                        key.describe()
                    ),
                    span: Some(key.span.clone()),
                    help: Some(format!(
                        "{} takes: {}",
                        describe_struct(name),
                        fields.join(", ")
                    )),
                });
                continue;
            };
            if fields.contains(&text.as_str()) {
                known.push(entry);
                continue;
            }
            let help = match suggest(text, fields) {
                Some(close) => format!(
                    "did you mean `{close}`? {} takes: {}",
                    describe_struct(name),
                    fields.join(", ")
                ),
                None => format!("{} takes: {}", describe_struct(name), fields.join(", ")),
            };
            record(DeError {
                message: format!("unknown key `{text}` in {}", describe_struct(name)),
                span: Some(key.span.clone()),
                help: Some(help),
            });
        }
        visitor
            .visit_map(MapAcc {
                entries: known.into_iter(),
                value: None,
                key: None,
            })
            .map_err(|e| {
                // What is left without help here is a missing key of this struct.
                let mut err = self.locate(e);
                if let Some(field) = err
                    .message
                    .strip_prefix("missing field `")
                    .and_then(|r| r.strip_suffix('`'))
                {
                    let message = format!("{} needs `{field}`", describe_struct(name));
                    LAST.with(|last| {
                        if let Some(last) = last.borrow_mut().as_mut()
                            && last.message == err.message
                        {
                            last.message.clone_from(&message);
                        }
                    });
                    err.message = message;
                }
                with_help(err, || {
                    format!("{} takes: {}", describe_struct(name), fields.join(", "))
                })
            })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let NodeKind::Str(text) = &self.node.kind else {
            return Err(self.locate(DeError::custom(format!(
                "expected one of {}, found {}",
                quote_list(variants),
                self.node.describe()
            ))));
        };
        if !variants.contains(&text.as_str()) {
            let mut err =
                DeError::custom(format!("`{text}` is not one of {}", quote_list(variants)));
            err.help = Some(match suggest(text, variants) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("write one of {}", quote_list(variants)),
            });
            return Err(self.locate(err));
        }
        let de: StrDeserializer<'_, DeError> = text.as_str().into_deserializer();
        visitor.visit_enum(de).map_err(|e| self.locate(e))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Human name of a raw struct for messages: `RawParam` -> "a parameter".
fn describe_struct(name: &str) -> String {
    match name {
        "MethodSpec" => "a method spec".into(),
        "TypesSpec" => "a types file".into(),
        "ErrorsSpec" => "the system errors file".into(),
        "Param" => "a parameter".into(),
        "Field" => "a field".into(),
        "TypeDef" => "a type definition".into(),
        "EnumValue" => "an enum value".into(),
        "Variant" => "a variant".into(),
        "ErrorEntry" | "SystemError" => "an error entry".into(),
        "ResultSpec" => "`result`".into(),
        "PaginationSpec" => "`pagination`".into(),
        "LimitSpec" => "`pagination.limit`".into(),
        "OffsetSpec" => "`pagination.offset`".into(),
        "KeysetSpec" => "a `pagination.keyset` entry".into(),
        "Example" => "an example".into(),
        other => format!("`{other}`"),
    }
}

struct SpanSeq<'a> {
    node: &'a Node,
    step: u8,
}

impl<'de> de::SeqAccess<'de> for SpanSeq<'de> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        self.step += 1;
        match self.step {
            1 => {
                let span = (
                    self.node.span.start,
                    self.node.span.end.max(self.node.span.start),
                );
                seed.deserialize(SpanDe(span)).map(Some)
            }
            2 => seed.deserialize(NodeDe { node: self.node }).map(Some),
            _ => Ok(None),
        }
    }
}

struct SpanDe((usize, usize));

impl<'de> Deserializer<'de> for SpanDe {
    type Error = DeError;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let (a, b) = self.0;
        visitor.visit_seq(serde::de::value::SeqDeserializer::new(
            [a as u64, b as u64].into_iter(),
        ))
    }
    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct SeqAcc<'a> {
    items: std::slice::Iter<'a, Node>,
}

impl<'de> de::SeqAccess<'de> for SeqAcc<'de> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some(node) => seed.deserialize(NodeDe { node }).map(Some),
            None => Ok(None),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAcc<'a> {
    entries: std::vec::IntoIter<&'a (Node, Node)>,
    value: Option<&'a Node>,
    key: Option<&'a str>,
}

impl<'de> de::MapAccess<'de> for MapAcc<'de> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                self.key = match &key.kind {
                    NodeKind::Str(text) => Some(text.as_str()),
                    _ => None,
                };
                seed.deserialize(NodeDe { node: key }).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let node = self
            .value
            .take()
            .ok_or_else(|| DeError::custom("a value was asked for before its key"))?;
        let key = self.key.take();
        seed.deserialize(NodeDe { node }).map_err(|err| match key {
            Some(key) => with_help(err, || {
                format!("fix the value of `{key}`; the spec format is described in spec/README.md")
            }),
            None => err,
        })
    }
}
