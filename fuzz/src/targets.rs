//! The fuzz targets. Each takes raw bytes, splits them into the pieces its parser needs (a
//! header line, then the body), runs the parser, and checks properties that must hold for any
//! input: no panic, bounded nesting, bounded expansion, errors that render.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use std::sync::Mutex;

use b24_emulator::http::batch::{MAX_EXPANSION, prepare_command};
use b24_emulator::http::body::Params;
use b24_emulator::methods::{self, Call, Handler};
use b24_emulator::php;
use b24_emulator::portal::{Portal, Shape};
use serde_json::{Value, json};

use crate::{Target, fnv};

/// Every target, in the order `list` shows them.
pub const ALL: &[Target] = &[
    Target {
        name: "spec",
        about: "the spec parser, checker and generator (b24_codegen::check / generate) on a mutated spec file",
        seeds: spec_seeds,
        run: spec,
        tokens: &[
            "\n",
            "  ",
            ": ",
            "- ",
            "type: ",
            "required: true",
            "items:",
            "fields:",
            "method: ",
            "params:",
            "result:",
            "errors:",
            "examples:",
            "doc: ",
            "string",
            "integer",
            "bool",
            "list",
            "map",
            "'",
            "\"",
            "&a",
            "*a",
            "<<: ",
            "!!str ",
            "{",
            "}",
            "[",
            "]",
            "#",
            "~",
            "null",
            "\t",
            "---\n",
            "...",
            "\u{feff}",
            "é",
            "im.",
            "$ref",
        ],
    },
    Target {
        name: "decode",
        about: "response decoding with the generated types (b24_im::METHODS, b24_core::decode_response) on mutated example bodies",
        seeds: decode_seeds,
        run: decode,
        tokens: &[
            "null",
            "false",
            "true",
            "[]",
            "{}",
            "\"\"",
            "\"1\"",
            "0",
            "-1",
            "1e999",
            "-0",
            "1.5",
            "18446744073709551616",
            "\"Y\"",
            "\"N\"",
            "{\"a\":",
            "[",
            "]",
            "{",
            "}",
            ",",
            ":",
            "\"\\u0000\"",
            "\"\\ud800\"",
            "\"result\":",
            "\"error\":",
            "\"time\":",
            "\"total\":",
            "\"next\":",
            "\"id\":",
            "\"2025-01-01T00:00:00+02:00\"",
        ],
    },
    Target {
        name: "request",
        about: "the emulator's request parsing: query string, form body (PHP arrays), JSON body, JS literals",
        seeds: request_seeds,
        run: request,
        tokens: &[
            "&", "=", "[", "]", "[]", "%5B", "%5D", "%26", "%3D", "+", "%", "%FF", "%00", "{", "}",
            "'", "\"", ":", ",", "\\", "ID[]=1&", "X[a]", "[[", "{a:", "true", "null", "-", ".",
            "1e5", "$result[",
        ],
    },
    Target {
        name: "batch",
        about: "the emulator's batch commands: method?query parsing and $result references",
        seeds: batch_seeds,
        run: batch,
        tokens: &[
            "&",
            "=",
            "?",
            "[",
            "]",
            "%5B",
            "%5D",
            "%24result",
            "$result[",
            "$result[m]",
            "$result[m][messages][0][text]",
            "$result[0][0][id]",
            "$result[e]",
            "cmd[",
            "cmd[a]=",
            "halt=1&",
            "batch?",
            "%3F",
            "%26",
            "%3D",
            "start=",
            "auth=",
        ],
    },
    Target {
        name: "methods",
        about: "the emulator's method handlers (the server's own parameter rules) on a seeded portal",
        seeds: methods_seeds,
        run: method_call,
        tokens: &[
            "&",
            "=",
            "[",
            "]",
            "[]",
            "%5B",
            "%5D",
            "%7B",
            "%7D",
            "%27",
            "%22",
            "%3A",
            "%2C",
            "DIALOG_ID=",
            "chat",
            "sg",
            "crm",
            "0",
            "-1",
            "Y",
            "N",
            "LIMIT=",
            "LAST_ID=",
            "FIRST_ID=",
            "ID[]=",
            "ATTACH=",
            "KEYBOARD=",
            "MENU=",
            "[{",
            "}]",
            "MESSAGE=",
            "REPLY_ID=",
            "SYSTEM=Y",
            "BLOCKS",
            "LINK",
            "COMMAND",
            "offset=",
            "limit=",
        ],
    },
];

/// Splits `header\nbody`.
fn split_header(input: &[u8]) -> (&str, &[u8]) {
    let at = input
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(input.len());
    let header = input.get(..at).unwrap_or_default();
    let body = input.get(at + 1..).unwrap_or_default();
    (std::str::from_utf8(header).unwrap_or(""), body)
}

/// The depth of a JSON value, walked without recursion.
fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 1)];
    while let Some((v, d)) = stack.pop() {
        deepest = deepest.max(d);
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, d + 1))),
            Value::Object(map) => stack.extend(map.values().map(|i| (i, d + 1))),
            _ => {}
        }
    }
    deepest
}

/// Every string in a JSON value (keys and values), walked without recursion.
fn strings(value: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => out.push(s.as_str()),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                out.extend(map.keys().map(String::as_str));
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    out
}

/// A coarse signature of an error text: digits and quoted parts vary too much to matter.
fn shape(text: &str) -> u64 {
    let coarse: String = text
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .take(60)
        .collect();
    fnv(coarse.as_bytes())
}

// ---------------------------------------------------------------------------------------------
// spec
// ---------------------------------------------------------------------------------------------

/// The repository's `spec/` files, `(path from the repository root, text)`.
fn spec_files() -> &'static [(String, String)] {
    static FILES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        let mut dirs = vec![root.join("spec")];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "json")
                    && !path.starts_with(root.join("spec/_schema"))
                    && let (Ok(text), Ok(rel)) =
                        (std::fs::read_to_string(&path), path.strip_prefix(&root))
                {
                    files.push((rel.to_string_lossy().replace('\\', "/"), text));
                }
            }
        }
        files.sort();
        files
    })
}

fn spec_seeds() -> Vec<Vec<u8>> {
    spec_files()
        .iter()
        .filter(|(path, _)| path.ends_with(".yaml"))
        .map(|(path, text)| format!("{path}\n{text}").into_bytes())
        .collect()
}

/// `PATH\nTEXT`: the spec with the file at PATH replaced by TEXT (or added).
fn spec(input: &[u8]) -> u64 {
    let (path, text) = split_header(input);
    let text = String::from_utf8_lossy(text);
    let mut sources = b24_codegen::SourceSet::new();
    let mut replaced = false;
    for (p, t) in spec_files() {
        if p == path {
            sources.add(p.clone(), text.to_string());
            replaced = true;
        } else {
            sources.add(p.clone(), t.clone());
        }
    }
    if !replaced && !path.is_empty() {
        sources.add(path.to_owned(), text.to_string());
    }
    match b24_codegen::check(&sources) {
        Err(diagnostics) => {
            let rendered = diagnostics.render(&sources);
            assert!(!rendered.is_empty(), "an error renders as text");
            1 ^ shape(rendered.lines().next().unwrap_or(""))
        }
        Ok(_) => match b24_codegen::generate(&sources) {
            Ok(output) => {
                assert!(
                    output.files.values().all(|f| !f.is_empty()),
                    "no empty generated file"
                );
                2
            }
            Err(error) => 3 ^ shape(&error.render(&sources)),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// decode
// ---------------------------------------------------------------------------------------------

fn decode_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for (path, text) in spec_files() {
        let Some(stem) = path
            .strip_prefix("spec/im/examples/")
            .and_then(|p| p.strip_suffix(".json"))
        else {
            continue;
        };
        // The longest method name the file name starts with.
        let method = b24_im::METHODS
            .iter()
            .map(|m| m.info.name)
            .filter(|name| {
                let short = name.strip_prefix("im.").unwrap_or(name);
                stem == short || stem.starts_with(&format!("{short}."))
            })
            .max_by_key(|name| name.len());
        if let Some(method) = method {
            let status = if stem.contains("error") { 400 } else { 200 };
            seeds.push(format!("{method} {status}\n{text}").into_bytes());
        }
    }
    seeds
}

/// `METHOD STATUS\nBODY`: decodes BODY as METHOD's response with HTTP STATUS (a method the
/// table lacks is taken by index from its hash, so mutated names still decode something).
fn decode(input: &[u8]) -> u64 {
    let (header, body) = split_header(input);
    let (name, status) = header.split_once(' ').unwrap_or((header, ""));
    let status = status.trim().parse::<u16>().ok();
    let methods = b24_im::METHODS;
    let Some(entry) = methods.iter().find(|m| m.info.name == name).or_else(|| {
        let len = u64::try_from(methods.len()).ok()?;
        let index = usize::try_from(fnv(name.as_bytes()) % len.max(1)).ok()?;
        methods.get(index)
    }) else {
        return 0;
    };
    let signature = fnv(entry.info.name.as_bytes());
    match (entry.decode_json)(status, body) {
        Ok(value) => {
            let text = serde_json::to_string(&value.json);
            assert!(text.is_ok(), "a decoded response re-encodes");
            signature ^ 1
        }
        Err(error) => signature ^ shape(&error.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// request
// ---------------------------------------------------------------------------------------------

fn request_seeds() -> Vec<Vec<u8>> {
    const FORM: &str = "application/x-www-form-urlencoded";
    const JSON: &str = "application/json";
    [
        ("DIALOG_ID=chat1&LIMIT=20", "", ""),
        ("", FORM, "DIALOG_ID=chat1&LIMIT=200&LAST_ID=12&SKIP_EXTERNAL=Y"),
        ("", FORM, "SKIP_EXTERNAL_EXCEPT_TYPES[]=bot&SKIP_EXTERNAL_EXCEPT_TYPES[]=email"),
        ("", FORM, "ID[]=1&ID[]=2&ID[5]=3&ID[]=4&RESULT_TYPE=array"),
        ("", FORM, "ID=%5B1%2C2%5D"),
        ("", FORM, "ID=%5B%271%27%2C+%272%27%5D"),
        (
            "",
            FORM,
            "DIALOG_ID=chat1&MESSAGE=hi+%26+bye&KEYBOARD[0][TEXT]=a+b&KEYBOARD[0][LINK]=http%3A%2F%2Fx&KEYBOARD[1][TYPE]=NEWLINE",
        ),
        (
            "",
            FORM,
            "DIALOG_ID=chat1&ATTACH=%5B%7BMESSAGE%3A+%27x%27%7D%2C+%7BDELIMITER%3A+%7BSIZE%3A+200%7D%7D%5D",
        ),
        ("auth=abc", FORM, "MENU[0][TEXT]=x&MENU[0][LINK]=https%3A%2F%2Fa"),
        ("", JSON, r#"{"DIALOG_ID":"chat1","LIMIT":20,"LAST_ID":0}"#),
        ("", JSON, r#"{"ID":[1,2,3],"RESULT_TYPE":"array"}"#),
        ("", JSON, r#"{"ID":"[1, '2', {a: 3}]"}"#),
        (
            "",
            JSON,
            r#"{"DIALOG_ID":"chat1","MESSAGE":"x","ATTACH":[{"MESSAGE":"y"},{"LINK":{"NAME":"n","LINK":"https://a"}}],"KEYBOARD":[{"TEXT":"b","COMMAND":"c"}]}"#,
        ),
        ("", JSON, r#"{"offset":10,"limit":100}"#),
        ("", "", "  {\"a\": {\"b\": [1, {\"c\": null}]}}"),
    ]
    .iter()
    .map(|(query, content_type, body)| format!("{query}\n{content_type}\n{body}").into_bytes())
    .collect()
}

/// `QUERY\nCONTENT-TYPE\nBODY`, parsed as the emulator parses a request; every string in the
/// result is then read as a JS literal, as the handlers of `ID`, `ATTACH`, `KEYBOARD` and
/// `MENU` do.
fn request(input: &[u8]) -> u64 {
    let (query, rest) = split_header(input);
    let (content_type, body) = split_header(rest);
    let query = (!query.is_empty()).then_some(query);
    let content_type = (!content_type.is_empty()).then_some(content_type);
    let mut params = match Params::from_request(query, content_type, body) {
        Ok(params) => params,
        Err(error) => return shape(&error.to_string()),
    };
    let value = Value::Object(params.0.clone());
    assert!(
        depth(&value) <= 129,
        "parameters are nested at most 128 levels"
    );
    let mut signature = 7;
    for text in strings(&value) {
        if let Some(literal) = php::js_object_to_php(text) {
            assert!(
                depth(&literal) <= php::MAX_LITERAL_DEPTH + 1,
                "a JS literal is nested at most {} levels",
                php::MAX_LITERAL_DEPTH
            );
            signature ^= fnv(&[u8::from(literal.is_array()), u8::from(literal.is_object())]);
            let _ = php::intval(&php::decode_text(&Value::String(text.to_owned())));
        }
    }
    params.uppercase_keys();
    assert!(serde_json::to_string(&params.0).is_ok());
    signature ^ (params.0.len().min(8) as u64)
}

// ---------------------------------------------------------------------------------------------
// batch
// ---------------------------------------------------------------------------------------------

fn batch_seeds() -> Vec<Vec<u8>> {
    [
        "application/json\n{\"halt\":0,\"cmd\":{\"a\":\"im.dialog.users.list?DIALOG_ID=chat1&LIMIT=1&LAST_ID=0\",\"b\":\"im.dialog.users.list?DIALOG_ID=chat1&LIMIT=1&LAST_ID=$result[a][0][id]\"}}",
        "application/json\n{\"cmd\":[\"im.user.list.get?ID[]=1&ID[]=2\",\"im.message.add?DIALOG_ID=chat1&MESSAGE=$result[m][messages][0][text]$result[m][messages][0][text]\",42]}",
        "application/x-www-form-urlencoded\ncmd[a]=im.counters.get&cmd[b]=im.chat.get%3FENTITY_TYPE%3DCRM%26ENTITY_ID%3D5&halt=1",
        "application/x-www-form-urlencoded\ncmd[0]=im.message.add%3FDIALOG_ID%3Dchat1%26MESSAGE%3D%24result%5Be%5D%26ATTACH%5B0%5D%5BMESSAGE%5D%3Dx&cmd[1]=batch%3Fcmd%5Bx%5D%3Dim.counters.get",
        "application/x-www-form-urlencoded\ncmd[a]=im.dialog.messages.get%3FDIALOG_ID%3Dchat1%26start%3D50%26auth%3Dx",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// Results earlier commands of a batch might have produced, including a long message text.
fn sample_results() -> BTreeMap<String, Value> {
    BTreeMap::from([
        (
            "0".to_owned(),
            json!([{"id": 1, "name": "Anna"}, {"id": 2}]),
        ),
        (
            "m".to_owned(),
            json!({"messages": [{"id": 7, "text": "x".repeat(20_000)}]}),
        ),
        ("e".to_owned(), json!([])),
    ])
}

/// `CONTENT-TYPE\nBODY` of a batch call: its `cmd` commands are prepared one after another as
/// the emulator does, each one's parameters becoming a result later commands may refer to (the
/// worst case: a method that echoes its input). The references of one command may add at most
/// `MAX_EXPANSION` bytes.
fn batch(input: &[u8]) -> u64 {
    let (content_type, body) = split_header(input);
    let content_type = (!content_type.is_empty()).then_some(content_type);
    let mut params = match Params::from_request(None, content_type, body) {
        Ok(params) => params,
        Err(error) => return shape(&error.to_string()),
    };
    let commands: Vec<(String, Value)> = match params.take("cmd") {
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        Some(Value::Object(map)) => map.into_iter().collect(),
        _ => return 5,
    };
    let mut results = sample_results();
    let mut signature: u64 = 9;
    for (key, command) in commands.into_iter().take(50) {
        let Value::String(command) = command else {
            continue;
        };
        match prepare_command(&command, &results) {
            Ok((method, params, _start)) => {
                let value = Value::Object(params.0);
                let size: usize = strings(&value).iter().map(|s| s.len()).sum();
                assert!(
                    size <= command.len() + MAX_EXPANSION,
                    "{method}: references grew {} bytes to {size}",
                    command.len()
                );
                signature = signature.rotate_left(3) ^ 1;
                results.insert(key, value);
            }
            Err(failure) => signature = signature.rotate_left(3) ^ shape(&failure.code),
        }
    }
    signature
}

// ---------------------------------------------------------------------------------------------
// methods
// ---------------------------------------------------------------------------------------------

fn methods_seeds() -> Vec<Vec<u8>> {
    [
        "im.dialog.users.list\nDIALOG_ID=chat1&LIMIT=5&SKIP_EXTERNAL=Y",
        "im.dialog.users.list\nDIALOG_ID=chat1&LAST_ID=3&SKIP_EXTERNAL_EXCEPT_TYPES[]=bot",
        "im.dialog.messages.get\nDIALOG_ID=chat1&LIMIT=5&FIRST_ID=0&CONVERT_TEXT=Y",
        "im.dialog.messages.get\nCHAT_ID=2&LAST_ID=10",
        "im.user.list.get\nID[]=1&ID[]=2&RESULT_TYPE=array",
        "im.user.list.get\nID=%5B1%2C+%272%27%5D",
        "im.counters.get\n",
        "im.chat.get\nENTITY_TYPE=CRM&ENTITY_ID=1",
        "im.chat.get\nDIALOG_ID=chat1",
        "im.message.add\nDIALOG_ID=chat1&MESSAGE=hi+%5BUSER%3D1%5DAnna%5B%2FUSER%5D&REPLY_ID=3",
        "im.message.add\nDIALOG_ID=2&MESSAGE=x&SYSTEM=Y&KEYBOARD[0][TEXT]=a&KEYBOARD[0][LINK]=https%3A%2F%2Fa&KEYBOARD[1][TYPE]=NEWLINE",
        "im.message.add\nDIALOG_ID=chat1&ATTACH=%5B%7BMESSAGE%3A+%27x%27%7D%2C%7BLINK%3A%7BNAME%3A%27n%27%2CLINK%3A%27https%3A%2F%2Fa%27%7D%7D%5D",
        "im.message.add\nUSER_ID=3&MESSAGE=x&MENU[0][TEXT]=m&MENU[0][LINK]=https%3A%2F%2Fa&TEMPLATE_ID=abc",
        "im.message.add\nDIALOG_ID=chat1&ATTACH[ID]=1&ATTACH[BLOCKS][0][DELIMITER][SIZE]=200&ATTACH[BLOCKS][1][GRID][0][NAME]=a&ATTACH[BLOCKS][1][GRID][0][VALUE]=b",
        "im.v2.Event.subscribe\n",
        "im.v2.Event.get\noffset=1&limit=10",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// A seeded portal, and a copy that writes change (renewed every 256 writes so it stays small).
fn portals() -> &'static (Portal, Mutex<(Portal, u32)>) {
    static PORTALS: OnceLock<(Portal, Mutex<(Portal, u32)>)> = OnceLock::new();
    PORTALS.get_or_init(|| {
        let portal = Portal::generate(Shape {
            seed: 1,
            webhook_user: 1,
            dialog_size: None,
            hidden_pct: 10.0,
        });
        let copy = portal.clone();
        (portal, Mutex::new((copy, 0)))
    })
}

/// `METHOD\nQUERY`: calls the handler of METHOD (by hash when it has none) with the parameters
/// of QUERY as user 1; the answer, a result or an error, must be well formed.
fn method_call(input: &[u8]) -> u64 {
    let (name, query) = split_header(input);
    let all: Vec<&str> = methods::handlers().map(|(n, _)| n).collect();
    let name = if methods::find(name).is_some() {
        name
    } else {
        let len = u64::try_from(all.len()).unwrap_or(1).max(1);
        let index = usize::try_from(fnv(name.as_bytes()) % len).unwrap_or(0);
        all.get(index).copied().unwrap_or("im.counters.get")
    };
    let Some((entry, handler)) = methods::find(name) else {
        return 0;
    };
    let info = entry.info;
    let Ok(mut params) = Params::from_query(&String::from_utf8_lossy(query)) else {
        return 1;
    };
    methods::normalise_params(info, &mut params);
    let (pristine, working) = portals();
    let outcome = match handler {
        None => methods::example::answer(entry, &params),
        Some(Handler::Read(handle)) => handle(&mut call(info, pristine, params)),
        Some(Handler::Write(handle)) => {
            let mut guard = working
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (portal, writes) = &mut *guard;
            *writes += 1;
            if *writes > 256 {
                *portal = pristine.clone();
                *writes = 0;
            }
            handle(&mut call(info, portal, params))
        }
    };
    let signature = fnv(info.name.as_bytes());
    match outcome {
        Ok(outcome) => {
            assert!(serde_json::to_string(&outcome.result).is_ok());
            signature ^ 1
        }
        Err(failure) => {
            assert!((400..600).contains(&failure.status), "{failure:?}");
            assert!(!failure.code.is_empty(), "{failure:?}");
            signature ^ fnv(failure.code.as_bytes())
        }
    }
}

fn call<P>(info: &'static b24_core::MethodInfo, portal: P, params: Params) -> Call<P> {
    Call {
        info,
        portal,
        caller: 1,
        via_webhook: true,
        app: None,
        params,
        start: None,
        now: 1_772_460_000,
    }
}
