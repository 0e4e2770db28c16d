//! The result type, inferred from the response example and the returned-data tables together.
//!
//! The example shows the real shape (a list, an object keyed by ids, `false` where a value is
//! absent, nesting); the tables give what one example cannot (datetimes, fields the example
//! leaves out, "can be `null`", documentation, lists of values). Where they disagree the example
//! wins and the field gets a review note.

use crate::json::Json;
use crate::page::{Page, Row, SubTable};
use crate::shape::{Absent, EnumDef, Field, Object, Shape};

/// Envelope keys of the top returned-data table that are not part of `result`.
const ENVELOPE: &[&str] = &["result", "time", "total", "next"];

/// What the tables say about one value: the row describing it and the rows of its fields.
#[derive(Debug, Clone, Default)]
struct Node<'p> {
    row: Option<&'p Row>,
    fields: Vec<(String, Node<'p>)>,
    values: Option<&'p SubTable>,
    /// The object is keyed by a placeholder (`upload{id}`, `{MODULE_ID}`): a map whose values
    /// this node describes.
    dynamic: Option<Box<Node<'p>>>,
    /// The items of a list or map whose description speaks of counts.
    counts: bool,
}

impl<'p> Node<'p> {
    /// Moves a placeholder field (`upload{id}`) out of `fields` into `dynamic`.
    fn settle(mut self) -> Self {
        if let Some(pos) = self.fields.iter().position(|(n, _)| n.contains('{')) {
            let (_, value) = self.fields.remove(pos);
            self.dynamic = Some(Box::new(value));
        }
        self
    }
}

/// The inferred result.
#[derive(Debug, Clone)]
pub struct Inferred {
    pub shape: Shape,
    pub doc: Option<String>,
    /// What could not be decided, as `path: note`.
    pub notes: Vec<String>,
}

struct Inferer<'p> {
    page: &'p Page,
    notes: Vec<String>,
}

/// Infers the type of `result` from the page's first response example and its tables.
pub fn result(page: &Page) -> Inferred {
    let mut inf = Inferer {
        page,
        notes: Vec::new(),
    };
    let root = inf.root_node();
    let example = page.responses.first().and_then(|e| e.json.get("result"));
    if page.responses.len() > 1 {
        inf.notes.push(format!(
            "result: the page shows {} response examples (the shape may depend on a parameter); \
             the draft types the first",
            page.responses.len()
        ));
    }
    if example.is_none() {
        inf.notes.push(
            "result: the page has no response example; the type comes from the table only".into(),
        );
    }
    let samples: Vec<&Json> = example.into_iter().collect();
    let shape = inf.infer(&samples, &root, "result", "result");
    Inferred {
        shape,
        doc: root.row.map(|r| r.desc.render()).filter(|d| !d.is_empty()),
        notes: inf.notes,
    }
}

impl<'p> Inferer<'p> {
    /// The node of `result`: its row, `result.x` rows, other non-envelope top rows (some pages
    /// list the result's fields at the top), or the table its row links to.
    fn root_node(&self) -> Node<'p> {
        let rows = &self.page.returned;
        let result_row = rows.iter().find(|r| r.name == "result");
        let mut tree = Tree::default();
        for row in rows {
            let segments: Vec<&str> = row.name.split('.').collect();
            match segments.as_slice() {
                ["result"] => {}
                ["result", rest @ ..] => tree.insert(rest, row),
                [single] if !ENVELOPE.contains(single) => tree.insert(&[single], row),
                _ => {}
            }
        }
        let mut node = Node {
            row: result_row,
            ..Node::default()
        };
        node.fields = self.tree_fields(&tree, 0);
        node = node.settle();
        if node.fields.is_empty()
            && node.dynamic.is_none()
            && let Some(row) = result_row
        {
            self.link(&mut node, row, "result", 0);
        }
        if node.fields.is_empty() && result_row.is_none() {
            // No `result` row: a lone table of fields describes the result.
            if let [only] = self.page.result_tables.as_slice() {
                node.fields = self.table_fields(only, 0);
            }
        }
        node
    }

    fn tree_fields(&self, tree: &Tree<'p>, depth: usize) -> Vec<(String, Node<'p>)> {
        tree.children
            .iter()
            .map(|(name, child)| {
                let mut node = Node {
                    row: child.row,
                    fields: self.tree_fields(child, depth + 1),
                    ..Node::default()
                };
                if node.fields.is_empty()
                    && let Some(row) = child.row
                {
                    self.link(&mut node, row, name, depth + 1);
                }
                (name.clone(), node.settle())
            })
            .collect()
    }

    /// Fills a node from the table its row links to (or whose heading names the field).
    fn link(&self, node: &mut Node<'p>, row: &'p Row, name: &str, depth: usize) {
        if depth > 8 {
            return;
        }
        if let Some(table) = self.linked_table(row, name) {
            if !table.values.is_empty() {
                node.values = Some(table);
            } else if table.title.contains('{') && !name.contains('{') {
                // "Object {MODULE_ID}": the linking object is keyed by module id.
                let value = Node {
                    fields: self.table_fields(table, depth + 1),
                    ..Node::default()
                };
                node.dynamic = Some(Box::new(value.settle()));
            } else {
                node.fields = self.table_fields(table, depth + 1);
                let settled = std::mem::take(node).settle();
                *node = settled;
            }
        }
    }

    fn table_fields(&self, table: &'p SubTable, depth: usize) -> Vec<(String, Node<'p>)> {
        let mut tree = Tree::default();
        for row in &table.rows {
            let segments: Vec<&str> = row.name.split('.').collect();
            tree.insert(&segments, row);
        }
        self.tree_fields(&tree, depth)
    }

    fn linked_table(&self, row: &Row, name: &str) -> Option<&'p SubTable> {
        let tables = &self.page.result_tables;
        let by_anchor = row
            .desc
            .anchors()
            .map(str::to_owned)
            .chain(row.types.iter().filter_map(|t| t.anchor.clone()))
            .find_map(|a| {
                tables.iter().find(|t| {
                    t.anchor
                        .as_deref()
                        .is_some_and(|x| x.eq_ignore_ascii_case(&a))
                })
            });
        if by_anchor.is_some() {
            return by_anchor;
        }
        let wanted = normalize(name);
        if wanted.is_empty()
            || !(row.has_type("object") || row.has_type("array") || row.has_type("object[]"))
        {
            return None;
        }
        tables.iter().find(|t| {
            let title = normalize(
                &t.title
                    .split_whitespace()
                    .filter(|w| {
                        !matches!(
                            w.to_lowercase().as_str(),
                            "object" | "objects" | "the" | "of"
                        )
                    })
                    .collect::<String>(),
            );
            title == wanted || singular(&title) == singular(&wanted)
        })
    }

    fn note(&mut self, path: &str, text: impl Into<String>) {
        self.notes.push(format!("{path}: {}", text.into()));
    }

    fn infer(&mut self, samples: &[&Json], node: &Node<'p>, hint: &str, path: &str) -> Shape {
        let row = node.row;
        // `integer` + `boolean` with "may return `false`" is a value or `false`, not a flag.
        let says_bool = row.is_some_and(|r| r.types.first().is_some_and(|t| t.name == "boolean"))
            || samples.iter().any(|s| matches!(s, Json::Bool(true)));
        let mut absent = Vec::new();
        let mut rest: Vec<&Json> = Vec::new();
        // PHP sends an empty object as `[]`: next to objects, an empty list is an empty object.
        let has_objects = samples.iter().any(|s| matches!(s, Json::Object(_)));
        for s in samples {
            match s {
                Json::Array(items) if items.is_empty() && has_objects => {}
                Json::Null => absent.push(Absent::Null),
                Json::Bool(false) if !says_bool => absent.push(Absent::False),
                Json::String(t)
                    if t.is_empty()
                        && row.is_some_and(|r| r.has_type("datetime") || r.has_type("date")) =>
                {
                    absent.push(Absent::Empty);
                }
                other => rest.push(other),
            }
        }
        if let Some(r) = row {
            let codes: Vec<&str> = r.desc.codes().collect();
            if codes.contains(&"null") {
                absent.push(Absent::Null);
            }
            if codes.contains(&"false") && !says_bool {
                absent.push(Absent::False);
            }
        }
        absent.sort();
        absent.dedup();

        let base = if rest.is_empty() {
            self.by_table(node, hint, path)
        } else {
            self.by_samples(&rest, node, hint, path)
        };
        match absent.as_slice() {
            [] => base,
            [one] => base.or(*one),
            [first, ..] => {
                let spelled: Vec<&str> = absent.iter().map(|a| a.spelling()).collect();
                self.note(
                    path,
                    format!(
                        "both {} mean \"no value\"; the format takes one, the draft says `{}`",
                        spelled.join(" and "),
                        first.spelling()
                    ),
                );
                base.or(*first)
            }
        }
    }

    fn by_samples(&mut self, samples: &[&Json], node: &Node<'p>, hint: &str, path: &str) -> Shape {
        let row = node.row;
        let table_says = |t: &str| row.is_some_and(|r| r.has_type(t));
        let kinds: Vec<u8> = samples.iter().map(|s| kind_of(s)).collect();
        let first = kinds.first().copied().unwrap_or(0);
        if kinds.contains(&3)
            && kinds.iter().all(|k| *k == 2 || *k == 3)
            && samples.iter().all(|s| looks_dialog_id(s))
        {
            return Shape::Scalar("dialog_id");
        }
        if kinds.iter().any(|k| *k != first) {
            self.note(
                path,
                "the example has values of different kinds here; typed as `json`",
            );
            return Shape::Scalar("json");
        }
        match samples.first() {
            Some(Json::Bool(_)) => Shape::Scalar("bool"),
            Some(Json::Number(_)) => {
                let numbers: Vec<&serde_json::Number> = samples
                    .iter()
                    .filter_map(|s| match s {
                        Json::Number(n) => Some(n),
                        _ => None,
                    })
                    .collect();
                if table_says("string") {
                    self.note(path, "the table says string; the example sends a number");
                }
                if table_says("double") || numbers.iter().any(|n| n.is_f64()) {
                    Shape::Scalar("f64")
                } else if numbers.iter().any(|n| n.as_i64().is_some_and(|v| v < 0)) {
                    Shape::Scalar("i64")
                } else {
                    Shape::Scalar(if node.counts { "u32" } else { integer_for(row) })
                }
            }
            Some(Json::String(_)) => {
                let texts: Vec<&str> = samples
                    .iter()
                    .filter_map(|s| match s {
                        Json::String(t) => Some(t.as_str()),
                        _ => None,
                    })
                    .collect();
                if let Some(values) = node.values {
                    return Shape::Enum(enum_from(values, hint));
                }
                if let Some(values) = row.and_then(|r| listed_values(&r.desc)) {
                    return Shape::Enum(EnumDef {
                        hint: hint.to_owned(),
                        doc: None,
                        values,
                    });
                }
                if table_says("datetime") && texts.iter().all(|t| looks_datetime(t)) {
                    Shape::Scalar("datetime")
                } else if table_says("date") && texts.iter().all(|t| looks_date(t)) {
                    Shape::Scalar("date")
                } else if texts.iter().all(|t| *t == "Y" || *t == "N") {
                    Shape::Scalar("yes_no")
                } else {
                    if table_says("integer") {
                        self.note(
                            path,
                            "the table says integer; the example sends text, typed as `string`",
                        );
                    }
                    Shape::Scalar("string")
                }
            }
            Some(Json::Array(_)) => {
                let items: Vec<&Json> = samples
                    .iter()
                    .flat_map(|s| match s {
                        Json::Array(items) => items.iter().collect::<Vec<_>>(),
                        _ => Vec::new(),
                    })
                    .collect();
                let item_node = item_node(node);
                if items.is_empty()
                    && let Some(map) = self.keyed(node, hint, path)
                {
                    // The server sends an empty map as `[]`.
                    return map;
                }
                let item = if items.is_empty() {
                    self.item_from_table(node, &item_hint(hint), &format!("{path}[]"))
                } else {
                    self.infer(&items, &item_node, &item_hint(hint), &format!("{path}[]"))
                };
                Shape::List(Box::new(item))
            }
            Some(Json::Object(_)) => {
                let objects: Vec<&Vec<(String, Json)>> = samples
                    .iter()
                    .filter_map(|s| match s {
                        Json::Object(entries) => Some(entries),
                        _ => None,
                    })
                    .collect();
                let keys: Vec<&str> = objects
                    .iter()
                    .flat_map(|o| o.iter().map(|(k, _)| k.as_str()))
                    .collect();
                if let Some(value_node) = &node.dynamic {
                    let values: Vec<&Json> = objects
                        .iter()
                        .flat_map(|o| o.iter().map(|(_, v)| v))
                        .collect();
                    let numeric = !keys.is_empty() && keys.iter().all(|k| k.parse::<u64>().is_ok());
                    let item = self.infer(
                        &values,
                        value_node,
                        &item_hint(hint),
                        &format!("{path}{{}}"),
                    );
                    return Shape::Map(if numeric { "u64" } else { "string" }, Box::new(item));
                }
                if !keys.is_empty() && keys.iter().all(|k| k.parse::<u64>().is_ok()) {
                    let values: Vec<&Json> = objects
                        .iter()
                        .flat_map(|o| o.iter().map(|(_, v)| v))
                        .collect();
                    let item = self.infer(
                        &values,
                        &item_node(node),
                        &item_hint(hint),
                        &format!("{path}{{}}"),
                    );
                    return Shape::Map("u64", Box::new(item));
                }
                if keys.is_empty() && node.fields.is_empty() {
                    return self
                        .keyed(node, hint, path)
                        .unwrap_or(Shape::Scalar("json"));
                }
                Shape::Object(self.object(&objects, node, hint, path))
            }
            Some(Json::Null) | None => self.by_table(node, hint, path),
        }
    }

    fn object(
        &mut self,
        objects: &[&Vec<(String, Json)>],
        node: &Node<'p>,
        hint: &str,
        path: &str,
    ) -> Object {
        let mut names: Vec<String> = node.fields.iter().map(|(n, _)| n.clone()).collect();
        for o in objects {
            for (k, _) in o.iter() {
                if !names.iter().any(|n| n == k) {
                    names.push(k.clone());
                }
            }
        }
        let empty = Node::default();
        let mut fields = Vec::new();
        let mut sparse = Vec::new();
        for name in names {
            let child = node
                .fields
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(&empty, |(_, c)| c);
            let samples: Vec<&Json> = objects
                .iter()
                .filter_map(|o| o.iter().find(|(k, _)| *k == name).map(|(_, v)| v))
                .collect();
            if !objects.is_empty() && samples.len() < objects.len() {
                sparse.push(name.clone());
            }
            let field_path = format!("{path}.{name}");
            let mut review = Vec::new();
            if child.row.is_none() && !node.fields.is_empty() {
                review.push("in the example but not in the returned-data table".to_owned());
            }
            let child_hint = if child.values.is_some() && hint != "result" {
                format!("{}_{name}", singular(hint))
            } else {
                name.clone()
            };
            let shape = self.infer(&samples, child, &child_hint, &field_path);
            let required = is_identity(&name, hint)
                && samples.len() == objects.len()
                && !objects.is_empty()
                && !matches!(shape, Shape::Or(..));
            fields.push(Field {
                doc: child.row.map(|r| r.desc.render()).filter(|d| !d.is_empty()),
                wire: name,
                shape,
                required,
                review,
            });
        }
        Object {
            hint: hint.to_owned(),
            doc: node.row.map(|r| r.desc.render()).filter(|d| !d.is_empty()),
            fields,
            sparse,
            request: false,
        }
    }

    /// The type the table alone gives (no example value to look at).
    fn by_table(&mut self, node: &Node<'p>, hint: &str, path: &str) -> Shape {
        if let Some(value_node) = &node.dynamic {
            let item = self.by_table(value_node, &item_hint(hint), &format!("{path}{{}}"));
            return Shape::Map("string", Box::new(item));
        }
        let Some(row) = node.row else {
            if !node.fields.is_empty() {
                return Shape::Object(self.object(&[], node, hint, path));
            }
            self.note(path, "no example value and no table row; typed as `json`");
            return Shape::Scalar("json");
        };
        let first = row.types.first().map_or("", |t| t.name.as_str());
        if matches!(first, "array" | "object")
            && node.fields.is_empty()
            && let Some(map) = self.keyed(node, hint, path)
        {
            return map;
        }
        match first {
            "integer" => Shape::Scalar(integer_for(Some(row))),
            "double" => Shape::Scalar("f64"),
            "boolean" => Shape::Scalar("bool"),
            "datetime" => Shape::Scalar("datetime"),
            "date" => Shape::Scalar("date"),
            "string" | "text" | "char" => match node.values {
                Some(values) => Shape::Enum(enum_from(values, hint)),
                None => Shape::Scalar("string"),
            },
            "array" | "object[]" => Shape::List(Box::new(self.item_from_table(
                node,
                &item_hint(hint),
                &format!("{path}[]"),
            ))),
            t if t.ends_with("[]") => Shape::List(Box::new(self.item_from_table(
                node,
                &item_hint(hint),
                &format!("{path}[]"),
            ))),
            _ if !node.fields.is_empty() => Shape::Object(self.object(&[], node, hint, path)),
            _ => {
                self.note(
                    path,
                    format!(
                        "the table says `{}` with no fields and the example has no value; typed as `json`",
                        if first.is_empty() { "?" } else { first }
                    ),
                );
                Shape::Scalar("json")
            }
        }
    }

    /// A map, when the description speaks of keys ("Key — chat ID, value — number of unread
    /// messages") and the example does not show one.
    fn keyed(&mut self, node: &Node<'p>, hint: &str, path: &str) -> Option<Shape> {
        let desc = node.row?.desc.flat().to_lowercase();
        let words: Vec<&str> = desc.split(|c: char| !c.is_alphanumeric()).collect();
        if !words.iter().any(|w| *w == "key" || *w == "keys") {
            return None;
        }
        let key = if mentions_ids(&desc) { "u64" } else { "string" };
        let value = if !node.fields.is_empty() {
            Shape::Object(self.object(
                &[],
                &item_node(node),
                &item_hint(hint),
                &format!("{path}{{}}"),
            ))
        } else if is_count(&desc) {
            Shape::Scalar("u32")
        } else {
            self.note(
                path,
                "a map whose values the page does not describe; typed as `json`",
            );
            Shape::Scalar("json")
        };
        Some(Shape::Map(key, Box::new(value)))
    }

    /// The item type of a list the example shows empty.
    fn item_from_table(&mut self, node: &Node<'p>, hint: &str, path: &str) -> Shape {
        if !node.fields.is_empty() {
            return Shape::Object(self.object(&[], &item_node(node), hint, path));
        }
        let declared = node
            .row
            .and_then(|r| r.types.first())
            .and_then(|t| t.name.strip_suffix("[]"))
            .unwrap_or("");
        match declared {
            "integer" => return Shape::Scalar("u64"),
            "string" => return Shape::Scalar("string"),
            _ => {}
        }
        let desc = node
            .row
            .map(|r| r.desc.flat().to_lowercase())
            .unwrap_or_default();
        if mentions_ids(&desc) {
            return Shape::Scalar("u64");
        }
        self.note(path, "the list is empty in the example and the table does not say what it holds; typed as `json`");
        Shape::Scalar("json")
    }
}

/// An integer's width: counts, sizes in pixels and percentages are `u32`, the rest `u64`.
fn integer_for(row: Option<&Row>) -> &'static str {
    match row {
        Some(r) if is_count(&r.desc.flat().to_lowercase()) => "u32",
        _ => "u64",
    }
}

/// Whether a (lower-case) description speaks of a count.
pub fn is_count(desc: &str) -> bool {
    desc.contains("number of")
        || desc.contains("count")
        || desc.contains("pixels")
        || desc.contains("percent")
}

/// Values a description lists one per item (`- `CHAT_JOIN` — user added to the chat`), when
/// there are at least two and none is a placeholder or a yes/no flag.
pub fn listed_values(desc: &crate::markdown::Inline) -> Option<Vec<(String, String)>> {
    use crate::markdown::Span;
    let mut values: Vec<(String, String)> = Vec::new();
    let mut spans = desc.spans.iter().peekable();
    while let Some(span) = spans.next() {
        if !matches!(span, Span::Item) {
            continue;
        }
        let Some(Span::Code(value)) = spans.next() else {
            continue;
        };
        let mut doc = String::new();
        while let Some(next) = spans.peek() {
            match next {
                Span::Item | Span::Para => break,
                Span::Text(t) | Span::Strong(t) => doc.push_str(t),
                Span::Code(c) => doc.push_str(&format!("`{c}`")),
                Span::Link { label, .. } => doc.push_str(label),
            }
            spans.next();
        }
        let doc = doc
            .trim()
            .trim_start_matches(['—', '-', '–', ':'])
            .trim()
            .to_owned();
        values.push((value.clone(), doc));
    }
    let placeholder = |v: &str| {
        v.is_empty()
            || v.contains(['{', ' ', '<', '['])
            || v.contains("XXX")
            || v.contains("xxx")
            || matches!(v, "Y" | "N" | "true" | "false" | "0" | "1")
    };
    if values.len() < 2 || values.iter().any(|(v, _)| placeholder(v)) {
        return None;
    }
    Some(values)
}

/// The node of the items of a list or the values of a map: the same fields, no row of its own.
fn item_node<'p>(node: &Node<'p>) -> Node<'p> {
    Node {
        row: None,
        fields: node.fields.clone(),
        values: node.values,
        dynamic: node.dynamic.clone(),
        counts: node
            .row
            .is_some_and(|r| is_count(&r.desc.flat().to_lowercase())),
    }
}

/// A tree of dotted row names (`events[].type` under `events`).
#[derive(Debug, Default)]
struct Tree<'p> {
    row: Option<&'p Row>,
    children: Vec<(String, Tree<'p>)>,
}

impl<'p> Tree<'p> {
    fn insert(&mut self, segments: &[&str], row: &'p Row) {
        let Some((first, rest)) = segments.split_first() else {
            self.row = Some(row);
            return;
        };
        let name = first.trim_end_matches("[]").to_owned();
        let pos = match self.children.iter().position(|(n, _)| *n == name) {
            Some(p) => p,
            None => {
                self.children.push((name, Tree::default()));
                self.children.len() - 1
            }
        };
        if let Some((_, child)) = self.children.get_mut(pos) {
            child.insert(rest, row);
        }
    }
}

fn enum_from(table: &SubTable, hint: &str) -> EnumDef {
    EnumDef {
        hint: hint.to_owned(),
        doc: None,
        values: table.values.clone(),
    }
}

fn kind_of(v: &Json) -> u8 {
    match v {
        Json::Null => 0,
        Json::Bool(_) => 1,
        Json::Number(_) => 2,
        Json::String(_) => 3,
        Json::Array(_) => 4,
        Json::Object(_) => 5,
    }
}

/// What to call the items of a list or the values of a map named `hint`: its singular, or
/// `<hint>_item` when the name is not a plural (`readed_list` -> `readed_list_item`).
fn item_hint(hint: &str) -> String {
    let one = singular(hint);
    if one == hint {
        format!("{hint}_item")
    } else {
        one
    }
}

/// `id`, `ID`, or `<object>Id` / `<object>_id` inside an object named after that word
/// (`eventId` of an event): the fields the tolerance policy lets be required.
pub fn is_identity(wire: &str, hint: &str) -> bool {
    let w = wire.to_lowercase().replace('_', "");
    w == "id" || (!hint.is_empty() && w == format!("{}id", singular(&normalize(hint))))
}

/// A dialog id: a user id (number) or `chat<N>` / `sg<N>` / `crm<N>`.
fn looks_dialog_id(v: &Json) -> bool {
    match v {
        Json::Number(n) => n.as_u64().is_some(),
        Json::String(t) => ["chat", "sg", "crm"].iter().any(|p| {
            t.strip_prefix(p)
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        }),
        _ => false,
    }
}

/// `2026-03-02T17:45:59+02:00`.
fn looks_datetime(t: &str) -> bool {
    looks_date(t.get(..10).unwrap_or("")) && t.get(10..11) == Some("T")
}

/// `2025-12-28`.
fn looks_date(t: &str) -> bool {
    t.len() == 10
        && t.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            _ => c.is_ascii_digit(),
        })
}

/// Whether a description speaks of identifiers.
pub fn mentions_ids(lower_desc: &str) -> bool {
    lower_desc.contains("identifier")
        || lower_desc
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == "ids" || w == "id")
}

/// Lower case without separators: `Entity Link` / `entity_link` -> `entitylink`.
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

/// A plural field name's singular (`messages` -> `message`, `entries` -> `entry`); the items
/// of `result` itself are `item`s.
pub fn singular(word: &str) -> String {
    if word == "result" {
        return "item".into();
    }
    let lower = word.to_lowercase();
    let cut = |n: usize| word.get(..word.len() - n).unwrap_or(word).to_owned();
    if lower.ends_with("ies") && word.len() > 3 {
        let y = if word.ends_with("IES") { "Y" } else { "y" };
        format!("{}{y}", cut(3))
    } else if lower.ends_with("ses") || lower.ends_with("xes") {
        cut(2)
    } else if lower.ends_with('s')
        && !lower.ends_with("ss")
        && !lower.ends_with("us")
        && !lower.ends_with("is")
        && word.len() > 3
    {
        cut(1)
    } else {
        word.to_owned()
    }
}
