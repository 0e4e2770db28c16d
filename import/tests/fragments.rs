//! The importer on small page fragments (`tests/fixtures/fragments/`), one feature each: every
//! table form, every type link, nested result objects, `false`-or-value, maps, a page without
//! an error table. Every fragment's draft must also pass the generator next to the real spec.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

mod common;

use b24_import::draft::{Param, TypeBody, TypeField};
use b24_import::{Imported, Known, Options, SharedType, type_expr};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fragments")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn draft_with(name: &str, known: &Known) -> Imported {
    b24_import::import(&fixture(name), known, Options::default()).unwrap()
}

fn draft(name: &str) -> Imported {
    let known = Known {
        system_codes: ["INVALID_CREDENTIALS".to_owned(), "ACCESS_DENIED".to_owned()].into(),
        ..Known::default()
    };
    draft_with(name, &known)
}

fn param<'a>(i: &'a Imported, name: &str) -> &'a Param {
    i.draft
        .params
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no param {name}"))
}

/// The fields of a drafted object type.
fn fields<'a>(i: &'a Imported, ty: &str) -> &'a [TypeField] {
    let def = i
        .draft
        .types
        .iter()
        .find(|t| t.name == ty)
        .unwrap_or_else(|| panic!("no type {ty}"));
    let TypeBody::Object(fields) = &def.body else {
        panic!("{ty} is not an object")
    };
    fields
}

/// `type: ...` of a field of a drafted type.
fn field_type(i: &Imported, ty: &str, field: &str) -> String {
    let f = fields(i, ty)
        .iter()
        .find(|f| f.name == field)
        .unwrap_or_else(|| panic!("no field {ty}.{field}"));
    type_expr(&f.ty)
}

/// The fields of a drafted type that are `required`.
fn required<'a>(i: &'a Imported, ty: &str) -> Vec<&'a str> {
    fields(i, ty)
        .iter()
        .filter(|f| f.is_required())
        .map(|f| f.name.as_str())
        .collect()
}

fn yaml(i: &Imported) -> &str {
    &i.files[0].1
}

#[test]
fn parameter_table_type_links_and_required_markers() {
    let i = draft("params.md");
    assert_eq!(i.draft.method, "im.test.params");
    assert_eq!(i.spec_path, "spec/im/test.params.yaml");
    let types: Vec<(&str, String, bool)> = i
        .draft
        .params
        .iter()
        .map(|p| (p.name.as_str(), type_expr(&p.ty), p.required))
        .collect();
    assert_eq!(
        types,
        [
            ("DIALOG_ID", "dialog_id".into(), true),
            // `^*^` is a required marker too, but "Required if `DIALOG_ID` is not provided"
            // makes it one of two: neither is required, and the doc says so.
            ("CHAT_ID", "u64".into(), false),
            ("COUNT", "u32".into(), false),
            ("AGO", "u64".into(), false),
            ("limit", "u32".into(), false),
            ("FLAG", "yes_no".into(), false),
            ("ACTIVE", "bool".into(), false),
            ("USERS", "list<u64>".into(), true),
            ("TAGS", "list<string>".into(), false),
            ("ATTACH", "json".into(), false),
            ("SINCE", "datetime".into(), false),
            ("DAY", "date".into(), false),
            ("RATIO", "f64".into(), false),
            ("AVATAR", "string".into(), false),
            ("MODE", "TestParamsMode".into(), false),
            ("FILTER", "string".into(), false),
            ("KINDS", "comma_list<string>".into(), false),
            ("type", "string".into(), false),
            ("fields", "TestParamsFields".into(), true),
        ]
    );
    let chat = param(&i, "CHAT_ID");
    assert!(
        chat.doc
            .as_deref()
            .unwrap()
            .starts_with("Required unless `DIALOG_ID` is given.")
    );
    assert!(
        chat.review
            .iter()
            .any(|r| r.contains("one of `CHAT_ID` or `DIALOG_ID`"))
    );
    assert_eq!(
        param(&i, "FILTER").doc.as_deref(),
        Some("Uses `A|B` pipes inside code")
    );
    assert!(
        param(&i, "AVATAR")
            .review
            .iter()
            .any(|r| r.contains("file"))
    );
    assert!(
        param(&i, "TAGS")
            .review
            .iter()
            .any(|r| r.contains("does not say what the array holds"))
    );
    assert!(
        param(&i, "ATTACH")
            .review
            .iter()
            .any(|r| r.contains("`object` or `string`"))
    );
    assert_eq!(param(&i, "type").rust_name.as_deref(), Some("kind"));
    // The object parameter's own table: its fields keep the page's `*`.
    let def = i
        .draft
        .types
        .iter()
        .find(|t| t.name == "TestParamsFields")
        .unwrap();
    let TypeBody::Object(fields) = &def.body else {
        panic!()
    };
    let flags: Vec<(&str, bool)> = fields
        .iter()
        .map(|f| (f.name.as_str(), f.is_required()))
        .collect();
    assert_eq!(flags, [("name", true), ("message", false)]);
    let mode = i
        .draft
        .types
        .iter()
        .find(|t| t.name == "TestParamsMode")
        .unwrap();
    let TypeBody::Enum(values) = &mode.body else {
        panic!()
    };
    assert_eq!(
        values.iter().map(|v| v.0.as_str()).collect::<Vec<_>>(),
        ["ADD", "REMOVE"]
    );
}

#[test]
fn defaults_and_bounds_come_from_the_text() {
    let i = draft("params.md");
    let bounds = |name: &str| {
        let p = param(&i, name);
        (p.default.clone(), p.min, p.max)
    };
    assert_eq!(bounds("COUNT"), (Some("50".into()), None, Some(200)));
    assert_eq!(bounds("AGO"), (Some("10".into()), Some(1), None));
    assert_eq!(bounds("limit"), (Some("100".into()), Some(1), Some(1000)));
    assert_eq!(bounds("FLAG"), (Some("N".into()), None, None));
    // A required parameter has no default.
    assert_eq!(bounds("DIALOG_ID"), (None, None, None));
    assert!(yaml(&i).contains("    default: \"50\"\n    max: 200\n"));
}

#[test]
fn error_table_without_status_column_uses_the_section_status() {
    let i = draft("params.md");
    let errors: Vec<(&str, Vec<u16>, Vec<&str>)> = i
        .draft
        .errors
        .iter()
        .map(|e| {
            (
                e.code.as_str(),
                e.statuses.clone(),
                e.messages.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (
                "DIALOG_ID_EMPTY",
                vec![400],
                vec!["Dialog ID can't be empty"]
            ),
            // Two rows, one code: both messages; the status is a guess from the code.
            (
                "ACCESS_ERROR",
                vec![403],
                vec!["You do not have access", "No access to this chat"]
            ),
            // Case is kept exactly as written.
            ("menu_ERROR", vec![400], vec!["Incorrect menu params"]),
        ]
    );
    assert!(
        i.draft.errors[1]
            .review
            .iter()
            .any(|r| r.contains("HTTP 400, 403"))
    );
    let example = i.draft.examples.iter().find(|e| e.error.is_some()).unwrap();
    assert_eq!(
        (example.status, example.error.as_deref()),
        (Some(400), Some("DIALOG_ID_EMPTY"))
    );
    assert_eq!(i.files[2].0, "spec/im/examples/test.params.error.json");
}

#[test]
fn error_table_with_status_column() {
    let i = draft("status_column.md");
    let errors: Vec<(&str, Vec<u16>)> = i
        .draft
        .errors
        .iter()
        .map(|e| (e.code.as_str(), e.statuses.clone()))
        .collect();
    assert_eq!(
        errors,
        [("ID_EMPTY", vec![400]), ("ACCESS_ERROR", vec![403, 400])]
    );
    assert!(i.draft.errors.iter().all(|e| e.review.is_empty()));
    assert!(i.draft.params.is_empty());
    assert_eq!(type_expr(&i.draft.result), "string");
}

#[test]
fn page_without_an_error_table() {
    let i = draft("no_errors.md");
    assert!(i.draft.errors.is_empty());
    assert_eq!(type_expr(&i.draft.result), "u64");
    assert_eq!(i.draft.result_doc.as_deref(), Some("The new id"));
    // The error example carries a system error: written, not added to the method's codes.
    let example = i.draft.examples.iter().find(|e| e.error.is_some()).unwrap();
    assert_eq!(
        (example.status, example.error.as_deref()),
        (Some(401), Some("INVALID_CREDENTIALS"))
    );
    assert!(!yaml(&i).contains("errors:"));
    // Guesses carry review notes.
    assert!(yaml(&i).contains("# review: guessed from the verb `noErrors`"));
    assert!(i.notes.iter().any(|n| n.starts_with("docs_url:")));
}

#[test]
fn nested_result_objects_become_named_types() {
    let i = draft("nested.md");
    assert_eq!(type_expr(&i.draft.result), "TestNestedResult");
    assert_eq!(field_type(&i, "TestNestedResult", "chat_id"), "u64");
    assert_eq!(
        field_type(&i, "TestNestedResult", "messages"),
        "list<TestNestedMessage>"
    );
    // A table found by its heading ("Owner Object"), and "or `null`" in its row.
    assert_eq!(
        field_type(&i, "TestNestedResult", "owner"),
        "TestNestedOwner|null"
    );
    assert_eq!(field_type(&i, "TestNestedOwner", "title"), "string");
    assert_eq!(field_type(&i, "TestNestedResult", "unknown"), "string|null");
    // In the table, not in the example: typed from the table ("Number of" -> u32).
    assert_eq!(field_type(&i, "TestNestedResult", "counted"), "u32");
    assert_eq!(field_type(&i, "TestNestedMessage", "date"), "datetime");
    // `[]` next to objects is PHP's empty object.
    assert_eq!(
        field_type(&i, "TestNestedMessage", "params"),
        "TestNestedParams"
    );
    assert_eq!(field_type(&i, "TestNestedParams", "LIKE"), "list<u64>");
    // Identity fields only are required.
    assert_eq!(required(&i, "TestNestedMessage"), ["id"]);
    // The file lists the result's type first.
    assert_eq!(i.draft.types[0].name, "TestNestedResult");
}

#[test]
fn dotted_rows_and_a_table_of_values() {
    let i = draft("dotted.md");
    assert_eq!(type_expr(&i.draft.result), "TestDottedResult");
    assert_eq!(
        field_type(&i, "TestDottedResult", "events"),
        "list<TestDottedEvent>"
    );
    assert_eq!(field_type(&i, "TestDottedResult", "nextOffset"), "u64");
    // `<object>Id` of an event is its identity.
    assert_eq!(required(&i, "TestDottedEvent"), ["eventId"]);
    // The `Type | Description` table the row links to is an enum of those values.
    assert_eq!(
        field_type(&i, "TestDottedEvent", "type"),
        "TestDottedEventType"
    );
    let kinds = i
        .draft
        .types
        .iter()
        .find(|t| t.name == "TestDottedEventType")
        .unwrap();
    let TypeBody::Enum(values) = &kinds.body else {
        panic!()
    };
    let values: Vec<(&str, &str)> = values
        .iter()
        .map(|v| (v.0.as_str(), v.1.as_str()))
        .collect();
    assert_eq!(values, [("ADD", "Added"), ("DELETE", "Deleted")]);
    // `{}` with nothing known about it stays open.
    assert_eq!(field_type(&i, "TestDottedEvent", "data"), "json");
}

#[test]
fn value_or_false() {
    let i = draft("nested.md");
    // `false` in one example and a datetime in another, and "or `false`" in the table.
    assert_eq!(
        field_type(&i, "TestNestedMessage", "idle"),
        "datetime|false"
    );
    // A real boolean stays a boolean.
    assert_eq!(field_type(&i, "TestNestedResult", "hasMore"), "bool");
    let users = draft("users.md");
    // `false` with nothing else to go on: the value's type is unknown, `false` still means none.
    assert_eq!(field_type(&users, "TestUsersItem", "phones"), "json|false");
}

#[test]
fn maps_keyed_by_numbers_placeholders_and_empty_lists() {
    let i = draft("maps.md");
    assert_eq!(field_type(&i, "TestMapsResult", "BY_ID"), "map<u64, u32>");
    // `[]` where the table speaks of keys: an empty map.
    assert_eq!(field_type(&i, "TestMapsResult", "EMPTY"), "map<u64, u32>");
    // "Object {MODULE_ID}": keyed by a placeholder.
    assert_eq!(
        field_type(&i, "TestMapsResult", "MODULES"),
        "map<string, TestMapsModule>"
    );
    assert_eq!(
        field_type(&i, "TestMapsResult", "USERS"),
        "map<u64, list<u64>>"
    );
}

#[test]
fn shared_types_are_reused_by_field_set() {
    let known = Known {
        shared: vec![SharedType {
            name: "Person".into(),
            fields: [
                "id",
                "name",
                "first_name",
                "last_name",
                "idle",
                "phones",
                "color",
            ]
            .map(String::from)
            .to_vec(),
            required: vec!["id".into()],
            values: Vec::new(),
            integers: vec!["id".into()],
        }],
        ..Known::default()
    };
    let i = draft_with("users.md", &known);
    assert_eq!(type_expr(&i.draft.result), "list<Person>");
    assert!(i.draft.types.is_empty());
    // A page that lists only some fields of a bigger shared object still reuses it.
    let mut bigger = known.clone();
    bigger.shared[0].fields.extend(
        ["active", "avatar", "gender", "status"]
            .map(String::from)
            .to_vec(),
    );
    let i = draft_with("users.md", &bigger);
    assert_eq!(type_expr(&i.draft.result), "list<Person>");
    // The same object as another method's own type: drafted, with a note to share that type.
    let local = Known {
        local: vec![("im.other.get".to_owned(), known.shared[0].clone())],
        ..Known::default()
    };
    let i = draft_with("users.md", &local);
    assert_eq!(type_expr(&i.draft.result), "list<TestUsersItem>");
    assert!(
        i.notes
            .iter()
            .any(|n| n.contains("the same object as `Person` of `im.other.get`")),
        "{:?}",
        i.notes
    );
    // Without a match, the object gets its own type.
    let own = draft("users.md");
    assert_eq!(type_expr(&own.draft.result), "list<TestUsersItem>");
}

/// Every fragment's draft, added to the real spec, passes the generator unchanged.
#[test]
fn fragment_drafts_pass_the_generator() {
    let base = common::spec_files();
    let api = b24_codegen::check(&common::source_set(&base, &[])).unwrap();
    let known = b24_import::known(&api, "im");
    for name in [
        "dotted.md",
        "params.md",
        "status_column.md",
        "no_errors.md",
        "nested.md",
        "maps.md",
        "users.md",
        "paging.md",
    ] {
        let i = draft_with(name, &known);
        let set = common::source_set(&base, &i.files);
        if let Err(e) = b24_codegen::generate(&set) {
            panic!("{name}:\n{}\n{}", e.render(&set), i.files[0].1);
        }
    }
}

#[test]
fn paging_becomes_a_pagination_block() {
    let i = draft("paging.md");
    let p = i.draft.pagination.as_ref().expect("a pagination block");
    assert_eq!(p.items.as_deref(), Some("messages"));
    assert_eq!(p.limit, Some(("LIMIT".to_owned(), 20, 100)));
    let offset = p.offset.as_ref().unwrap();
    assert_eq!(
        (offset.param.as_str(), offset.total, offset.next),
        ("OFFSET", true, true)
    );
    let keyset: Vec<(&str, &str, &str)> = p
        .keyset
        .iter()
        .map(|k| (k.param.as_str(), k.key.as_str(), k.order))
        .collect();
    // "earlier messages are returned": the walk goes down.
    assert_eq!(keyset, [("LAST_ID", "id", "descending")]);
    assert!(p.review.iter().any(|r| r.contains("`start`")));
    assert!(yaml(&i).contains(
        "pagination:\n  items: messages\n  limit:\n    param: LIMIT\n    default: 20\n    max: 100\n  offset:\n    param: OFFSET\n    total: true\n    next: true\n  keyset:\n    - param: LAST_ID\n      key: id\n      order: descending\n"
    ));
    // (The im.v2 continuation dialect is in the snapshot of `im.v2.Event.get`'s draft.)
    // No paging on the page, no block.
    assert!(draft("nested.md").draft.pagination.is_none());
}

#[test]
fn fields_follow_the_tolerance_policy() {
    use b24_import::draft::Presence;
    let i = draft("paging.md");
    let presence = |field: &str| {
        fields(&i, "TestPagingMessage")
            .iter()
            .find(|f| f.name == field)
            .map(|f| (f.presence.clone(), f.review.clone()))
            .unwrap()
    };
    assert_eq!(presence("id").0, Presence::Identity);
    // Lists, maps and flags: absence guessed to mean empty, and said so.
    for field in ["files", "likes", "pinned"] {
        let (p, review) = presence(field);
        assert_eq!(p, Presence::Empty, "{field}");
        assert!(
            review.iter().any(|r| r.contains("when_absent: empty")),
            "{field}: {review:?}"
        );
    }
    // Anything else is not known.
    assert_eq!(presence("text").0, Presence::Unknown);
    assert!(!yaml(&i).contains("required"));
    assert!(yaml(&i).contains("      - name: id\n        type: u64\n        identity: true\n"));
    // Request objects: the page's `*` is `required`, with a reason and a note.
    let params = draft("params.md");
    let name = fields(&params, "TestParamsFields")
        .iter()
        .find(|f| f.name == "name")
        .unwrap();
    assert!(matches!(name.presence, Presence::Required(_)));
    assert!(yaml(&params).contains("required_because: the reference page marks it required"));
}

#[test]
fn names_come_from_the_generators_naming_authority() {
    let i = draft("paging.md");
    let default = fields(&i, "TestPagingMessage")
        .iter()
        .find(|f| f.name == "default")
        .unwrap();
    // Its setter would shadow `Default::default`: the generator's own fallback name.
    assert_eq!(default.rust_name.as_deref(), Some("default_value"));
    assert_eq!(
        b24_codegen::names::field_fallback("default").as_deref(),
        Some("default_value")
    );
    assert!(
        default
            .review
            .iter()
            .any(|r| r.contains("Default::default"))
    );
    // Type names: the method's Pascal name as the generator derives it.
    assert_eq!(
        b24_codegen::names::method_pascal("test.paging"),
        "TestPaging"
    );
    assert_eq!(type_expr(&i.draft.result), "TestPagingResult");
}

#[test]
fn parameters_reuse_shared_types() {
    let shared = |name: &str, fields: &[&str], values: &[&str]| SharedType {
        name: name.into(),
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        required: Vec::new(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
        integers: Vec::new(),
    };
    let known = Known {
        shared: vec![
            shared("Attach", &["ID", "COLOR", "BLOCKS"], &[]),
            shared("Kind", &[], &["bot", "email", "network"]),
        ],
        ..Known::default()
    };
    let i = draft_with("params.md", &known);
    // An `object` the page does not describe: the shared object of the parameter's name.
    assert_eq!(type_expr(&param(&i, "ATTACH").ty), "Attach");
    // A comma-separated string whose example values are values of a shared enum.
    assert_eq!(type_expr(&param(&i, "KINDS").ty), "comma_list<Kind>");
    assert!(
        param(&i, "KINDS")
            .review
            .iter()
            .any(|r| r.contains("values of `Kind`"))
    );
}
