//! The naming authority: every Rust name (and cargo feature name) the generator derives from
//! the spec comes from here, so the rules live in one place and the collision checks in
//! `lower` compare exactly the names the emitter writes.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict, reserved and edition-2024 weak ones that matter for idents).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Modules of a scope crate's generated tree that are not method modules.
pub const TYPES_MODULE: &str = "types";
/// The module holding each method's first successful example answer (feature `registry`).
pub const EXAMPLES_MODULE: &str = "examples";
/// Module names a method may not take.
pub const RESERVED_MODULES: &[&str] = &[TYPES_MODULE, EXAMPLES_MODULE, "generated", "events"];

/// Items of a scope crate that are not derived from the spec (type namespace and macros).
pub const METHODS_TABLE: &str = "METHODS";
/// The macro that hands tools the paged methods.
pub const PAGED_MACRO: &str = "with_paged_methods";
/// The macro that hands tools every method.
pub const METHODS_MACRO: &str = "with_methods";

/// Variant names of every generated error-code enum that no documented code may take.
pub const ERROR_FALLBACK_VARIANTS: &[&str] = &["System", "Unknown"];
/// Variant names of every open enum that no value may take.
pub const ENUM_FALLBACK_VARIANTS: &[&str] = &["Unknown"];
/// Field names a generated struct cannot give its fields, with why: each field of a request (or
/// of an object sent in requests) gets a setter of its own name, which would take the place of
/// these methods (`Self::default()` in `new` would call the setter; `req.clone()` would need an
/// argument).
pub const RESERVED_FIELDS: &[(&str, &str)] = &[
    ("new", "the constructor `new(..)`"),
    (
        "default",
        "`Default::default`, which `new()` and received objects are built with",
    ),
    (
        "clone",
        "`Clone::clone`, which every generated type derives",
    ),
    (
        "clone_from",
        "`Clone::clone_from`, which every generated type derives",
    ),
    ("eq", "`PartialEq::eq`, which every generated type derives"),
    ("ne", "`PartialEq::ne`, which every generated type derives"),
    ("fmt", "`Debug::fmt`, which every generated type derives"),
    (
        "serialize",
        "`Serialize::serialize`, which every generated type implements",
    ),
    (
        "deserialize",
        "`Deserialize::deserialize`, which every generated type implements",
    ),
];

/// Parameters a bot handle supplies (`supplied_by: bot_handle`): the bot's id and its token.
pub const BOT_HANDLE_PARAMS: &[&str] = &["botId", "botToken"];

/// The enum of a scope's events, and the module and cargo feature it lives in.
pub const EVENTS_ENUM: &str = "Event";
/// The module of a scope's events.
pub const EVENTS_MODULE: &str = "events";
/// The cargo feature of a scope's events.
pub const EVENTS_FEATURE: &str = "events";

/// The cargo feature that turns on the run-time method table (`METHODS`).
pub const REGISTRY_FEATURE: &str = "registry";
/// Feature names a method group may not take.
pub const RESERVED_FEATURES: &[&str] = &["default", REGISTRY_FEATURE, EVENTS_FEATURE];

/// Whether `name` is a Rust keyword.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// The crate a scope is generated into: `im` -> `b24-im`.
pub fn scope_crate(scope: &str) -> String {
    format!("b24-{scope}")
}

/// Directory of a scope's generated module: `crates/b24-<scope>/src/generated`.
#[must_use]
pub fn scope_root(scope: &str) -> String {
    format!("crates/{}/src/generated", scope_crate(scope))
}

/// The decode tests generated from a scope's example responses:
/// The scope whose method groups the facade crate `b24` forwards one by one; other scopes are
/// one optional feature each.
pub const FACADE_SCOPE: &str = "im";

/// `crates/b24-<scope>/tests/spec_examples/generated.rs`, a module of the hand-written test
/// `tests/spec_examples.rs`. They read the examples from `spec/`, so they test the repository
/// and stay out of the published package (the crate's manifest excludes them).
#[must_use]
pub fn scope_examples_test(scope: &str) -> String {
    format!(
        "crates/{}/tests/spec_examples/generated.rs",
        scope_crate(scope)
    )
}

/// The manifest of a scope's crate: `crates/b24-<scope>/Cargo.toml`.
#[must_use]
pub fn scope_manifest(scope: &str) -> String {
    format!("crates/{}/Cargo.toml", scope_crate(scope))
}

/// `dialog.users.list` -> `DialogUsersList`; `chat.setOwner` -> `ChatSetOwner`.
pub fn method_pascal(stem: &str) -> String {
    stem.split('.')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// The request type of a method: `DialogUsersList` -> `DialogUsersListRequest`.
pub fn request_type(pascal: &str) -> String {
    format!("{pascal}Request")
}

/// The error-code enum of a method: `DialogUsersList` -> `DialogUsersListErrorCode`.
pub fn error_type(pascal: &str) -> String {
    format!("{pascal}ErrorCode")
}

/// `DialogUsersList` -> `dialog_users_list`.
pub fn module(pascal: &str) -> String {
    pascal.to_snake_case()
}

/// The group of a method: the first segment of its name after the scope
/// (`dialog.users.list` -> `dialog`, `v2.Event.get` -> `v2`).
pub fn group(stem: &str) -> &str {
    stem.split('.').next().unwrap_or(stem)
}

/// The cargo feature of a method group: `dialog` -> `dialog`, `chatBot` -> `chat_bot`.
pub fn feature(group: &str) -> String {
    group.to_snake_case()
}

/// The decode test of a method's `index`-th example (from 1).
pub fn example_test(module: &str, index: usize) -> String {
    format!("{module}_example_{index}")
}

/// Field name from a wire name: `DIALOG_ID` / `dialogId` -> `dialog_id`.
pub fn field(wire: &str) -> String {
    wire.to_snake_case()
}

/// Variant name from a wire value or code: `ACCESS_ERROR` -> `AccessError`, `online` -> `Online`.
pub fn variant(wire: &str) -> String {
    wire.to_upper_camel_case()
}

/// Why a candidate identifier is unusable, if it is.
pub fn ident_problem(name: &str) -> Option<String> {
    let first = name.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return Some(format!("`{name}` does not start with a letter"));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Some(format!("`{name}` has characters a Rust name cannot have"));
    }
    if is_keyword(name) {
        return Some(format!("`{name}` is a Rust keyword"));
    }
    None
}

/// Why a candidate Rust field name is unusable, if it is: not an identifier, a keyword, or the
/// name of a method its setter would collide with ([`RESERVED_FIELDS`]).
pub fn field_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("the name is empty".to_owned());
    }
    if let Some(problem) = ident_problem(name) {
        return Some(problem);
    }
    RESERVED_FIELDS
        .iter()
        .find(|(taken, _)| *taken == name)
        .map(|(_, what)| format!("its setter `{name}` would collide with {what}"))
}

/// A usable field name for a wire name whose derived name ([`field`]) is not (see
/// [`field_problem`]): `type` -> `kind`, `default` -> `default_value`, `1st` -> `field_1st`.
/// `None` when the derived name is fine.
pub fn field_fallback(wire: &str) -> Option<String> {
    let derived = field(wire);
    field_problem(&derived)?;
    let candidates = [
        (derived == "type").then(|| "kind".to_owned()),
        Some(format!("{derived}_value")),
        Some(format!("field_{derived}")),
        Some(format!(
            "field_{}",
            derived
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect::<String>()
        )),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|c| field_problem(c).is_none())
}

/// Whether a type name is PascalCase (what spec type names must be).
pub fn is_pascal(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(method_pascal("dialog.users.list"), "DialogUsersList");
        assert_eq!(method_pascal("v2.Event.get"), "V2EventGet");
        assert_eq!(request_type("ChatGet"), "ChatGetRequest");
        assert_eq!(error_type("ChatGet"), "ChatGetErrorCode");
        assert_eq!(module("ChatSetOwner"), "chat_set_owner");
        assert_eq!(group("v2.Event.get"), "v2");
        assert_eq!(feature("chatBot"), "chat_bot");
        assert_eq!(scope_root("im"), "crates/b24-im/src/generated");
        assert_eq!(field("DIALOG_ID"), "dialog_id");
        assert_eq!(field("dialogId"), "dialog_id");
        assert_eq!(variant("ACCESS_ERROR"), "AccessError");
        assert_eq!(variant("menu_ERROR"), "MenuError");
        assert_eq!(variant("__controller"), "Controller");
        assert!(ident_problem("type").is_some());
        assert!(ident_problem("1x").is_some());
        assert!(ident_problem("kind").is_none());
        assert!(field_problem("default").is_some_and(|p| p.contains("Default::default")));
        assert!(field_problem("clone").is_some());
        assert!(field_problem("").is_some());
        assert!(field_problem("chat_id").is_none());
        assert_eq!(field_fallback("type").as_deref(), Some("kind"));
        assert_eq!(field_fallback("DEFAULT").as_deref(), Some("default_value"));
        assert_eq!(field_fallback("1st").as_deref(), Some("field_1st"));
        assert_eq!(field_fallback("chatId"), None);
    }

    #[test]
    fn different_specs_can_derive_one_name() {
        // What the collision checks in `lower` exist for.
        assert_eq!(method_pascal("chat.get"), method_pascal("chatGet"));
        assert_eq!(feature("Chat"), feature("chat"));
    }
}
