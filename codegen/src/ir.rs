//! Stage 2 output: the checked, resolved description the emitter works from. Every Rust name is
//! decided here (by `names`), so the emitter never invents one.

pub use crate::raw::{Execution, Order, Retry};
pub use crate::typeexpr::AbsentForm;

/// Everything the spec describes.
#[derive(Debug, Clone, Default)]
pub struct Api {
    /// Errors any method can return.
    pub system_errors: Vec<SystemError>,
    /// Scopes (`im`, ...), sorted by name.
    pub scopes: Vec<Scope>,
}

/// One scope: one generated crate (`crates/b24-<name>`).
#[derive(Debug, Clone)]
pub struct Scope {
    pub name: String,
    /// Shared types from `spec/<scope>/_types.yaml`.
    pub types: Vec<TypeDef>,
    /// Path of the shared types file, if there is one.
    pub types_path: Option<String>,
    /// Methods, sorted by wire name.
    pub methods: Vec<Method>,
    /// Events the portal delivers, in spec order.
    pub events: Vec<Event>,
}

/// An event of a scope.
#[derive(Debug, Clone)]
pub struct Event {
    /// `ONIMBOTV2MESSAGEADD`
    pub wire: String,
    /// `MessageAdd`
    pub variant: String,
    pub doc: Option<String>,
    /// The object type of `data`.
    pub data: Ty,
    pub examples: Vec<EventExample>,
}

/// A recorded delivery of an event.
#[derive(Debug, Clone)]
pub struct EventExample {
    /// Path relative to the repository root.
    pub path: String,
    pub delivery: crate::raw::EventDeliveryKind,
    pub doc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SystemError {
    pub code: String,
    pub variant: String,
    pub status: u16,
    pub messages: Vec<String>,
    pub doc: Option<String>,
    pub execution: Execution,
    pub retry: Retry,
}

#[derive(Debug, Clone)]
pub struct Method {
    /// `im.dialog.users.list`
    pub wire: String,
    /// `spec/im/dialog.users.list.yaml`
    pub source_path: String,
    /// `DialogUsersList`
    pub pascal: String,
    /// `dialog_users_list`
    pub module: String,
    /// `DialogUsersListRequest`
    pub request: String,
    /// `DialogUsersListErrorCode`
    pub error_code: String,
    /// `dialog`: the first segment after the scope; methods are grouped by it.
    pub group: String,
    /// `dialog`: the cargo feature of the group.
    pub feature: String,
    pub scope: String,
    pub summary: String,
    pub doc: Option<String>,
    pub docs_url: String,
    pub read_only: bool,
    pub batch: bool,
    /// `Some((replacement, note))` for a deprecated method.
    pub deprecated: Option<(String, String)>,
    pub params: Vec<Param>,
    /// Groups of optional parameters of which at least one must be sent (wire names).
    pub one_of_params: Vec<ParamGroup>,
    /// Parameters a bot handle supplies (`botId`, `botToken`), in spec order; not fields of
    /// the request.
    pub bot_params: Vec<String>,
    pub result: Ty,
    pub result_doc: Option<String>,
    pub pagination: Option<Pagination>,
    pub errors: Vec<ErrorCode>,
    /// Types defined in the method file.
    pub types: Vec<TypeDef>,
    pub examples: Vec<Example>,
    /// Where `result` holds entries that are skipped when they do not decode: one path of
    /// steps inside `result` per list or map.
    pub skip: Vec<Vec<SkipStep>>,
}

/// Optional parameters of which at least one must be sent.
#[derive(Debug, Clone)]
pub struct ParamGroup {
    /// Wire names, in spec order.
    pub params: Vec<String>,
    /// What the server does without any of them.
    pub why: String,
}

/// One step of a skip pattern.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipStep {
    /// An object member (or union tag) by wire name.
    Key(String),
    /// Any entry of a list or map.
    Entry,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub wire: String,
    pub rust: String,
    /// The value type (without the `Option` an optional parameter gets).
    pub ty: Ty,
    pub required: bool,
    /// An object whose fields are sent as top-level parameters (all or none).
    pub flatten: bool,
    pub default: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Pagination {
    pub items: Option<String>,
    pub limit: Option<Limit>,
    pub offset: Option<Offset>,
    pub keyset: Vec<Keyset>,
    pub continuation: Option<Continuation>,
    /// The item type and how to reach the items, when the result holds a list.
    pub item: Option<ItemAccess>,
}

/// Where a paged method's items are.
#[derive(Debug, Clone)]
pub struct ItemAccess {
    /// The element type.
    pub ty: Ty,
    /// Rust field of the result object holding the list (`None`: the result is the list).
    pub field: Option<String>,
    /// The result (or the field) is an `Option` around the list.
    pub optional: bool,
    /// The items are the values of a map keyed by id (`im.search.user.list`), not a list.
    pub keyed: bool,
    /// Rust field names and types of the keyset keys: wire key -> (field, type).
    pub keys: Vec<(String, String, Ty)>,
}

#[derive(Debug, Clone)]
pub struct Limit {
    pub param: String,
    pub default: u32,
    pub max: u32,
}

#[derive(Debug, Clone)]
pub struct Offset {
    pub param: Option<String>,
    pub start: bool,
    pub total: bool,
    pub next: bool,
    pub stride_by_limit: bool,
}

/// Continuation paging, with the Rust fields of the result object it reads.
#[derive(Debug, Clone)]
pub struct Continuation {
    pub param: String,
    pub next: String,
    pub more: Option<String>,
    /// Rust field (and whether it is optional) of `next` in the result object.
    pub next_field: (String, Ty),
    /// Rust field (and type) of `more`.
    pub more_field: Option<(String, Ty)>,
}

#[derive(Debug, Clone)]
pub struct Keyset {
    pub param: String,
    pub key: String,
    pub order: Order,
}

#[derive(Debug, Clone)]
pub struct ErrorCode {
    pub code: String,
    pub variant: String,
    pub statuses: Vec<u16>,
    pub messages: Vec<String>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Example {
    /// Path relative to the repository root.
    pub path: String,
    /// The response body, exactly as the file holds it.
    pub text: String,
    pub doc: Option<String>,
    pub status: u16,
    pub error: Option<String>,
    /// Entries the body carries that do not decode (JSON paths), left out when decoding.
    pub skipped: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    /// Module (file) the type is emitted into: `types` or the method's module.
    pub module: String,
    pub doc: Option<String>,
    pub kind: TypeKind,
    /// Objects: members set to their empty value are not sent, and `[]` stands for an object
    /// with none set.
    pub sparse: bool,
    /// Reached from a method's parameters: built by callers (`new(..)` + setters).
    pub request_side: bool,
    /// Reached from a method's result: decoded, and built by servers such as the emulator.
    pub response_side: bool,
    /// The cargo features of the method groups that use the type (shared types only; a
    /// method's own types go with its module).
    pub features: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Object(Vec<Field>),
    Enum(Vec<EnumValue>),
    Union(Vec<Variant>),
    OneOf(Vec<Shape>),
}

/// One shape of a `one_of` type.
#[derive(Debug, Clone)]
pub struct Shape {
    pub rust: String,
    pub ty: Ty,
    /// The JSON kinds this shape is sent as.
    pub kinds: Vec<JsonKind>,
    /// Kinds its codec also reads that no other shape is sent as (a numeric string).
    pub also: Vec<JsonKind>,
    /// Object shapes among several: the key that tells this one apart.
    pub when_key: Option<String>,
    pub doc: Option<String>,
}

/// Kinds of JSON values, which tell the shapes of a `one_of` type apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JsonKind {
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl JsonKind {
    pub const ALL: [Self; 5] = [
        Self::Bool,
        Self::Number,
        Self::String,
        Self::Array,
        Self::Object,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Self::Bool => "a boolean",
            Self::Number => "a number",
            Self::String => "a string",
            Self::Array => "an array",
            Self::Object => "an object",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub rust: String,
    /// The full field type, `Optional` included when the field may be absent.
    pub ty: Ty,
    pub presence: Presence,
    /// A list or map whose entries are skipped when they do not decode.
    pub skip: bool,
    pub doc: Option<String>,
}

impl Field {
    /// Decoding fails without it, and `new(..)` takes it.
    pub fn is_required(&self) -> bool {
        matches!(self.presence, Presence::Identity | Presence::Required(_))
    }
}

/// What a missing key of an object field means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// The object's identity: without it there is no object.
    Identity,
    /// Must be there, for the reason given (request-side types).
    Required(String),
    /// Nothing is known: an `Option`.
    Optional,
    /// The type's empty value is the truth (`[]`, `false`, ...): not an `Option`.
    Empty,
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    pub wire: String,
    pub variant: String,
    pub doc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub wire: String,
    pub rust: String,
    pub ty: Ty,
    pub doc: Option<String>,
}

/// Builtin scalar types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    String,
    Bool,
    YesNo,
    I32,
    I64,
    U32,
    U64,
    F64,
    DateTime,
    Date,
    DayMonth,
    DialogId,
    /// Text of an edited message: never empty by accident (`b24_core::MessageText`).
    MessageText,
    Json,
}

impl Builtin {
    pub const ALL: &'static [(&'static str, Builtin)] = &[
        ("string", Self::String),
        ("bool", Self::Bool),
        ("yes_no", Self::YesNo),
        ("i32", Self::I32),
        ("i64", Self::I64),
        ("u32", Self::U32),
        ("u64", Self::U64),
        ("f64", Self::F64),
        ("datetime", Self::DateTime),
        ("date", Self::Date),
        ("day_month", Self::DayMonth),
        ("dialog_id", Self::DialogId),
        ("message_text", Self::MessageText),
        ("json", Self::Json),
    ];

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
    }

    /// Whether values can be map keys or comma-list items (they have a text form).
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            Self::String | Self::I32 | Self::I64 | Self::U32 | Self::U64 | Self::DialogId
        )
    }

    pub fn is_integer(self) -> bool {
        matches!(self, Self::I32 | Self::I64 | Self::U32 | Self::U64)
    }
}

/// How "no value" is represented for an `Option` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absence {
    /// The key is missing (older servers) or `null`; encoding skips it.
    Missing,
    /// One of the spec's absent forms.
    Form(AbsentForm),
}

/// What kind of named type a reference resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    Object,
    Enum,
    Union,
    OneOf,
}

/// A resolved type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    Builtin(Builtin),
    Named {
        name: String,
        module: String,
        kind: NamedKind,
    },
    List(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    CommaList(Box<Ty>),
    Optional(Box<Ty>, Absence),
}

impl Ty {
    /// Wraps in `Optional` unless already optional.
    pub fn optional(self, absence: Absence) -> Self {
        match self {
            Self::Optional(..) => self,
            other => Self::Optional(Box::new(other), absence),
        }
    }

    pub fn is_optional(&self) -> bool {
        matches!(self, Self::Optional(..))
    }

    /// The type of the value when it is there (`T` of an `Optional<T>`).
    pub fn present(&self) -> &Self {
        match self {
            Self::Optional(inner, _) => inner,
            other => other,
        }
    }

    /// The named types this type mentions.
    pub fn named(&self, out: &mut Vec<String>) {
        match self {
            Self::Builtin(_) => {}
            Self::Named { name, .. } => out.push(name.clone()),
            Self::List(t) | Self::CommaList(t) | Self::Optional(t, _) => t.named(out),
            Self::Map(k, v) => {
                k.named(out);
                v.named(out);
            }
        }
    }
}
