//! The one place that turns wire names into Rust names.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict, reserved and edition-2024 weak ones that matter for idents).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Whether `name` is a Rust keyword.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
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

/// `DialogUsersList` -> `dialog_users_list`.
pub fn module(pascal: &str) -> String {
    pascal.to_snake_case()
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
        assert_eq!(module("ChatSetOwner"), "chat_set_owner");
        assert_eq!(field("DIALOG_ID"), "dialog_id");
        assert_eq!(field("dialogId"), "dialog_id");
        assert_eq!(variant("ACCESS_ERROR"), "AccessError");
        assert_eq!(variant("menu_ERROR"), "MenuError");
        assert_eq!(variant("__controller"), "Controller");
        assert!(ident_problem("type").is_some());
        assert!(ident_problem("1x").is_some());
        assert!(ident_problem("kind").is_none());
    }
}
