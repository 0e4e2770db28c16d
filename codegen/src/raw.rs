//! The spec format, 1:1 with the YAML files. These structs are also the source of the JSON
//! Schema that editors use to autocomplete spec files, so their doc comments are what spec
//! authors see.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::{Sp, Tolerant};

/// A method spec: `spec/<scope>/<method without scope>.yaml`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MethodSpec {
    /// Full wire name of the method, e.g. `im.dialog.users.list`. The file name must be this
    /// name without the scope prefix, plus `.yaml`.
    pub method: Sp<String>,
    /// Permission scope the method needs, e.g. `im`.
    pub scope: Sp<String>,
    /// One line: what the method does.
    pub summary: String,
    /// Longer documentation, including how the real server behaves where the docs are silent.
    #[serde(default)]
    pub doc: Option<String>,
    /// Link to the official reference page.
    pub docs_url: Sp<String>,
    /// `true` when the method only reads: repeating it after an ambiguous failure (timeout,
    /// connection reset, 5xx) cannot change data, so clients may retry it.
    pub read_only: bool,
    /// Whether the method may be carried inside a `batch` call (default `true`).
    #[serde(default)]
    pub batch: Option<bool>,
    /// The method is deprecated: the request type gets `#[deprecated]` naming the replacement.
    #[serde(default)]
    pub deprecated: Option<Deprecation>,
    /// Parameters, in the order they are sent.
    #[serde(default)]
    pub params: Vec<Tolerant<Param>>,
    /// Groups of optional parameters of which at least one must be sent ("`CHAT_ID` or
    /// `DIALOG_ID`", "`MESSAGE` or `ATTACH`"). The client refuses a request that sets none of a
    /// group's parameters before sending it, with an error naming them.
    #[serde(default)]
    pub one_of_params: Vec<Tolerant<ParamGroup>>,
    /// What `result` holds on success.
    pub result: ResultSpec,
    /// How the method pages through long results (omit for methods that return everything).
    #[serde(default)]
    pub pagination: Option<PaginationSpec>,
    /// Error codes this method documents (system errors come from `spec/_system/errors.yaml`).
    #[serde(default)]
    pub errors: Vec<Tolerant<ErrorEntry>>,
    /// Object and enum types used only by this method.
    #[serde(default)]
    pub types: Vec<Tolerant<TypeDef>>,
    /// Recorded responses kept next to the spec; each becomes a decode test.
    #[serde(default)]
    pub examples: Vec<Tolerant<Example>>,
    /// Where this spec differs from the official reference page on purpose (it follows the
    /// server): `cargo xtask import --drift` lists these as expected, not as drift. The
    /// generator only checks their form.
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "read by `cargo xtask import --drift`, not by the generator"
    )]
    pub docs_drift: Vec<Tolerant<DocsDrift>>,
}

/// Why a method is deprecated and what to call instead.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deprecation {
    /// The method to call instead (full wire name, e.g. `im.recent.list`).
    pub replacement: Sp<String>,
    /// One sentence for the deprecation warning: why, and how the replacement differs.
    pub note: String,
}

/// An intended difference from the reference page. Name exactly one of `param`, `field` or
/// `error`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "read by `cargo xtask import --drift`, not by the generator"
)]
pub struct DocsDrift {
    /// A parameter's wire name (`DIALOG_ID`).
    #[serde(default)]
    pub param: Option<String>,
    /// A result path: `result`, `result[].id` (list items), `result{}.id` (map values),
    /// `result.users[].bot_data`.
    #[serde(default)]
    pub field: Option<String>,
    /// An error code.
    #[serde(default)]
    pub error: Option<String>,
    /// Why the spec differs (what the server does).
    pub why: String,
}

/// A request parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Wire name, exactly as sent (`DIALOG_ID`, `dialogId`).
    pub name: Sp<String>,
    /// Type expression: a builtin (`string`, `u64`, `yes_no`, `dialog_id`, ...), a type name
    /// (`Attach`), or `list<T>` / `map<K, V>` / `comma_list<T>`; `T|null` / `T|false` / `T|""`
    /// add the wire value that means "no value".
    #[serde(rename = "type")]
    pub ty: Sp<String>,
    /// The call fails without it; it becomes an argument of `new(..)`.
    #[serde(default)]
    pub required: bool,
    /// Parameters that must travel together, as one typed value: `type` is an object whose
    /// fields are sent as top-level parameters, all of them or none (`name` is then only the
    /// Rust field's name, e.g. `cursor` for `LAST_ID` + `LAST_TYPE`).
    #[serde(default)]
    pub flatten: bool,
    /// The server's value when the parameter is absent (documentation only).
    #[serde(default)]
    pub default: Option<Sp<String>>,
    /// Smallest value the server honours.
    #[serde(default)]
    pub min: Option<Sp<i64>>,
    /// Largest value the server honours (larger values are capped by the server).
    #[serde(default)]
    pub max: Option<Sp<i64>>,
    /// Documentation.
    #[serde(default)]
    pub doc: Option<String>,
    /// Rust field name, when the derived one is a keyword or unclear.
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
    /// Who fills the parameter in, when it is not the request itself: `bot_handle` for the
    /// bot identity (`botId`, `botToken`) that a bot handle adds to every call, so the request
    /// type has no field for it and implements `b24_core::BotMethod` (both) or
    /// `b24_core::BotAppMethod` (`botToken` only).
    #[serde(default)]
    pub supplied_by: Option<Sp<SuppliedBy>>,
}

/// Who fills a parameter in, other than the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuppliedBy {
    /// The bot handle (`client.bot(id, token)`): only `botId` and `botToken`.
    BotHandle,
}

/// Optional parameters of which at least one must be sent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamGroup {
    /// Wire names of the parameters (at least two, each an optional parameter of the method).
    pub params: Sp<Vec<Sp<String>>>,
    /// What the server does when none of them is sent (the error it answers with).
    pub why: Sp<String>,
}

/// The `result` of a successful call.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultSpec {
    /// Type expression of `result` (e.g. `list<DialogUser>`, `u64`, `ChatRef|null`).
    #[serde(rename = "type")]
    pub ty: Sp<String>,
    /// When `result` itself is a list or map: skip entries that do not decode (default `true`).
    #[serde(default)]
    pub skip_bad_entries: Option<Sp<bool>>,
    /// Documentation.
    #[serde(default)]
    pub doc: Option<String>,
}

/// Pagination dialect of a method.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaginationSpec {
    /// Field of `result` holding the items, when `result` is an object (e.g. `messages`).
    #[serde(default)]
    pub items: Option<Sp<String>>,
    /// The page-size parameter.
    #[serde(default)]
    pub limit: Option<LimitSpec>,
    /// Offset paging.
    #[serde(default)]
    pub offset: Option<OffsetSpec>,
    /// Keyset (cursor) paging: "items after this key".
    #[serde(default)]
    pub keyset: Vec<Tolerant<KeysetSpec>>,
    /// Continuation paging (the `im.v2` dialect): each page hands back the value to send for
    /// the next one.
    #[serde(default)]
    pub continuation: Option<ContinuationSpec>,
}

/// Continuation paging: the result carries the value for the next request.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContinuationSpec {
    /// Wire name of the request parameter that carries the value (must be one of `params`).
    pub param: Sp<String>,
    /// Wire name of the integer field of the result object holding the value for the next
    /// request (e.g. `nextOffset`).
    pub next: Sp<String>,
    /// Wire name of the boolean field of the result object that says whether more may remain
    /// (e.g. `hasMore`).
    #[serde(default)]
    pub more: Option<Sp<String>>,
}

/// The page-size parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    /// Wire name of the parameter (must be one of `params`).
    pub param: Sp<String>,
    /// Page size when the parameter is absent.
    pub default: Sp<u32>,
    /// Largest page size the server honours.
    pub max: Sp<u32>,
}

/// Offset paging.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OffsetSpec {
    /// The method's own offset parameter, if any (must be one of `params`).
    #[serde(default)]
    pub param: Option<Sp<String>>,
    /// The framework-level `start` parameter is honoured and wins over `param`.
    #[serde(default)]
    pub start: bool,
    /// The envelope carries `total`.
    #[serde(default)]
    pub total: bool,
    /// The envelope carries `next` (offset + items returned) while more remain.
    #[serde(default)]
    pub next: bool,
    /// The offset counts rows before the server's access filter, so pages can be planned
    /// `LIMIT` apart even when short pages make `next` smaller (a bulk-read shortcut).
    #[serde(default)]
    pub stride_by_limit: bool,
}

/// Keyset paging parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeysetSpec {
    /// Wire name of the cursor parameter (must be one of `params`).
    pub param: Sp<String>,
    /// Wire name of the item field the cursor compares with.
    pub key: Sp<String>,
    /// Order of the items the cursor walks through.
    pub order: Order,
}

/// Sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Increasing keys.
    Ascending,
    /// Decreasing keys.
    Descending,
}

/// An error code a method documents.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorEntry {
    /// The code exactly as the server sends it (case matters: `menu_ERROR` is not `MENU_ERROR`).
    pub code: Sp<String>,
    /// HTTP status(es) it comes with.
    pub status: Statuses,
    /// `error_description` texts seen with this code (they differ between server versions and
    /// languages; never match on them).
    #[serde(default)]
    pub messages: Vec<String>,
    /// What it means and what to do.
    #[serde(default)]
    pub doc: Option<String>,
    /// Rust variant name, when the derived one is unclear.
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}

/// One HTTP status or a list of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statuses(pub Vec<u16>);

impl<'de> Deserialize<'de> for Statuses {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Statuses;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an HTTP status (400) or a list of them ([403, 400])")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Statuses, E> {
                status(v).map(|s| Statuses(vec![s]))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Statuses, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Statuses, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<i64>()? {
                    out.push(status(v)?);
                }
                if out.is_empty() {
                    return Err(serde::de::Error::custom(
                        "the list of HTTP statuses is empty",
                    ));
                }
                Ok(Statuses(out))
            }
        }
        deserializer.deserialize_any(V)
    }
}

fn status<E: serde::de::Error>(v: i64) -> Result<u16, E> {
    match u16::try_from(v) {
        Ok(s) if (100..=599).contains(&s) => Ok(s),
        _ => Err(E::custom(format!("{v} is not an HTTP status (100..=599)"))),
    }
}

impl JsonSchema for Statuses {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Statuses".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An HTTP status or a list of them.",
            "anyOf": [
                {"type": "integer", "minimum": 100, "maximum": 599},
                {"type": "array", "items": {"type": "integer", "minimum": 100, "maximum": 599}, "minItems": 1}
            ]
        })
    }
}

/// A named type: an object (`fields`), an open enum of strings (`values`), a one-key tagged
/// union (`variants`), or a value that arrives in several shapes (`one_of`). Exactly one of
/// the four.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypeDef {
    /// Type name in PascalCase (becomes the Rust name).
    pub name: Sp<String>,
    /// Documentation.
    #[serde(default)]
    pub doc: Option<String>,
    /// Object fields.
    #[serde(default)]
    pub fields: Option<Sp<Vec<Tolerant<Field>>>>,
    /// Known values of an open enum (unknown values are kept, not rejected).
    #[serde(default)]
    pub values: Option<Sp<Vec<Tolerant<EnumValue>>>>,
    /// Variants of a union sent as a one-key object (`{"LINK": {...}}`).
    #[serde(default)]
    pub variants: Option<Sp<Vec<Tolerant<Variant>>>>,
    /// Shapes of a value that servers of different versions send differently (a bare id, or
    /// an object holding it). Each shape is told apart by its JSON kind (number, string, bool,
    /// array, object), so no two shapes may share one.
    #[serde(default)]
    pub one_of: Option<Sp<Vec<Tolerant<Shape>>>>,
    /// Objects only: the server sends only the members that are set, and `[]` when none is
    /// (a PHP array of flags and lists, such as a message's `params`). Members whose absence
    /// means empty are then left out when empty, instead of being sent as `[]` or `"N"`.
    #[serde(default)]
    pub sparse: Option<Sp<bool>>,
}

/// One shape of a `one_of` type.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shape {
    /// Type expression of the shape (`u64`, `ChatRef`, `map<u64, DialogUser|null>`).
    #[serde(rename = "type")]
    pub ty: Sp<String>,
    /// Rust variant name (PascalCase).
    pub rust_name: Sp<String>,
    /// Documentation: which servers send this shape.
    #[serde(default)]
    pub doc: Option<String>,
    /// Object types only, when several object types are shapes: the key only this shape's
    /// objects carry (its identity, e.g. `ID` for `{"ID": 10}` and `id` for a whole chat).
    #[serde(default)]
    pub when_key: Option<Sp<String>>,
}

/// A field of an object type.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Wire name, exactly as sent.
    pub name: Sp<String>,
    /// Type expression (see `Param.type`).
    #[serde(rename = "type")]
    pub ty: Sp<String>,
    /// The object's identity (`id` and the like): the one kind of field whose absence makes
    /// the object undecodable (an entry of a list without it is skipped and reported). Not an
    /// `Option`; an argument of `new(..)` where the type is sent in requests.
    #[serde(default)]
    pub identity: bool,
    /// Not an `Option`, and decoding fails without it, for a reason other than identity; needs
    /// `required_because`. Servers of different versions add and drop fields, so this is for
    /// request-side types (what the server rejects or drops when it is missing).
    #[serde(default)]
    pub required: Option<Sp<bool>>,
    /// Why a `required` field that is not the identity must be there.
    #[serde(default)]
    pub required_because: Option<Sp<String>>,
    /// What a missing key means: `unknown` (the default: the field is an `Option`) or `empty`
    /// (the type's empty value is the truth: `false`, `""`, `[]`, `{}`, or an object with every
    /// field unset; the field is not an `Option`).
    #[serde(default)]
    pub when_absent: Option<Sp<WhenAbsent>>,
    /// Lists and maps: an entry that does not decode is skipped and reported (its JSON path and
    /// error) instead of failing the whole response. Default: on for every list and map a
    /// result reaches; `false` when the entries depend on each other.
    #[serde(default)]
    pub skip_bad_entries: Option<Sp<bool>>,
    /// Documentation.
    #[serde(default)]
    pub doc: Option<String>,
    /// Rust field name, when the derived one is a keyword or unclear.
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}

/// What a missing key of an object field means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WhenAbsent {
    /// Nothing is known (older servers omit the field): the field is an `Option`.
    Unknown,
    /// The empty value is the truth (no files, no likes, not set): the field is not an `Option`.
    Empty,
}

/// A known value of an open enum.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The value as sent.
    pub value: Sp<String>,
    /// Documentation.
    #[serde(default)]
    pub doc: Option<String>,
    /// Rust variant name, when the derived one is unclear.
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}

/// A variant of a tagged union.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// The tag, i.e. the single key of the object (`LINK`).
    pub name: Sp<String>,
    /// Type expression of the value under the tag.
    #[serde(rename = "type")]
    pub ty: Sp<String>,
    /// Documentation.
    #[serde(default)]
    pub doc: Option<String>,
    /// Rust variant name, when the derived one is unclear.
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}

/// A recorded response body kept beside the spec.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Path of the JSON file, relative to this spec file.
    pub file: Sp<String>,
    /// Where the example comes from and what it shows.
    #[serde(default)]
    pub doc: Option<String>,
    /// HTTP status the body came with (default 200).
    #[serde(default)]
    pub status: Option<u16>,
    /// The error code the body carries, for error examples.
    #[serde(default)]
    pub error: Option<Sp<String>>,
    /// JSON paths of entries the body is known to carry that do not decode (a deleted author's
    /// fragment): the test checks that exactly these are skipped and reported.
    #[serde(default)]
    pub skipped: Vec<String>,
}

/// `spec/<scope>/_types.yaml`: types shared by the methods of a scope.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypesSpec {
    /// What the wire names of this scope's methods start with, when it is not the scope name:
    /// `imbot.v2` for `spec/imbot/`, whose file `Bot.register.yaml` is the method
    /// `imbot.v2.Bot.register` (so its types are `BotRegister…` and its group `bot`).
    #[serde(default)]
    pub method_prefix: Option<Sp<String>>,
    /// Events the portal delivers for this scope (the bots' `ONIMBOTV2*`): each becomes a
    /// variant of the generated `Event` enum, decoded from fetch and webhook deliveries alike.
    #[serde(default)]
    pub events: Vec<Tolerant<EventDef>>,
    /// The shared types.
    #[serde(default)]
    pub types: Vec<Tolerant<TypeDef>>,
}

/// An event the portal delivers.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventDef {
    /// The event's name as the server sends it, upper case (`ONIMBOTV2MESSAGEADD`).
    pub name: Sp<String>,
    /// The Rust variant name (PascalCase, e.g. `MessageAdd`).
    pub rust_name: Sp<String>,
    /// When the event fires.
    #[serde(default)]
    pub doc: Option<String>,
    /// Type of the event's `data`: an object type of this scope.
    pub data: Sp<String>,
    /// Recorded deliveries of the event; each becomes a decode test.
    #[serde(default)]
    pub examples: Vec<Tolerant<EventExample>>,
}

/// A recorded delivery of an event.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventExample {
    /// Path of the file, relative to the types file.
    pub file: Sp<String>,
    /// How it was delivered: `fetch` (one JSON entry of `Event.get`), `webhook_form` (a
    /// form-encoded POST body) or `webhook_json` (a JSON POST body).
    pub delivery: EventDeliveryKind,
    /// Where the example comes from and what it shows.
    #[serde(default)]
    pub doc: Option<String>,
}

/// How an event was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventDeliveryKind {
    /// One entry of `imbot.v2.Event.get`'s `events`, JSON.
    Fetch,
    /// A webhook POST body, form-encoded in PHP bracket notation.
    WebhookForm,
    /// A webhook POST body, JSON.
    WebhookJson,
}

/// `spec/_system/errors.yaml`: errors any method can return.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorsSpec {
    /// The system errors.
    pub errors: Vec<Tolerant<SystemError>>,
}

/// An error any method can return.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemError {
    /// The code exactly as the server sends it.
    pub code: Sp<String>,
    /// The HTTP status it comes with.
    pub status: Sp<u16>,
    /// `error_description` texts seen with it.
    #[serde(default)]
    pub messages: Vec<String>,
    /// What it means.
    #[serde(default)]
    pub doc: Option<String>,
    /// Whether the method may have run when this error comes back.
    pub execution: Execution,
    /// What a client can do about it.
    pub retry: Retry,
    /// Rust variant name, when the derived one is unclear.
    #[serde(default)]
    pub rust_name: Option<Sp<String>>,
}

/// Whether the method may have run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Execution {
    /// Refused before running: safe to repeat any method.
    NotExecuted,
    /// May have run: repeat only read-only methods.
    MaybeExecuted,
}

/// What a client can do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Retry {
    /// Repeating cannot help.
    Never,
    /// Repeat after a backoff pause.
    Backoff,
    /// Repeat when the operating-time window resets.
    AfterReset,
    /// Refresh the OAuth token, then repeat.
    RefreshToken,
}
