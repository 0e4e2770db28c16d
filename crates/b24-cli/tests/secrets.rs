//! `b24 call` never prints the webhook code, whatever the portal sends back: a server that
//! echoes the request (path, query and body) into every kind of answer, at every verbosity.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::process::Command;

const CODE: &str = "CANARYcliCODE7";

/// Where the request's text goes in an answer.
const ECHO: &str = "@ECHO@";

/// Status, content type and body of an answer.
type Answer = (u16, &'static str, String);

/// Serves every connection with `answer` (status, content type, body), `ECHO` replaced by the
/// request line and body, JSON-escaped; `first` answers the first request instead.
fn echo_server(
    first: Option<(u16, &'static str, String)>,
    answer: (u16, &'static str, String),
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut first = first;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let request = format!(
                "{} {}",
                head.lines().next().unwrap_or(""),
                String::from_utf8_lossy(&body)
            );
            let escaped = serde_json::to_string(&request).unwrap();
            let escaped = &escaped[1..escaped.len() - 1];
            let (status, kind, text) = first.take().unwrap_or_else(|| answer.clone());
            let text = text.replace(ECHO, escaped);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    format!("http://{addr}/rest/1/{CODE}/")
}

#[test]
fn echoed_requests_never_reach_the_output_at_any_verbosity() {
    let json = "application/json";
    let cut_page = format!("<html><body>{}{ECHO}</body></html>", "x".repeat(86));
    let cases: Vec<(&str, Vec<&str>, Option<Answer>, Answer)> = vec![
        (
            "an API error",
            vec!["im.dialog.users.list", "DIALOG_ID=chat1"],
            None,
            (
                400,
                json,
                format!(r#"{{"error":"E_{ECHO}","error_description":"{ECHO}"}}"#),
            ),
        ),
        (
            "a write's 500",
            vec!["im.message.add", "DIALOG_ID=chat1", "MESSAGE=hi"],
            None,
            (
                500,
                json,
                format!(r#"{{"error":"{ECHO}","error_description":"{ECHO}"}}"#),
            ),
        ),
        (
            "a value of the wrong type (the typed decode)",
            vec!["im.dialog.users.list", "DIALOG_ID=chat1"],
            None,
            (200, json, format!(r#"{{"result":"{ECHO}"}}"#)),
        ),
        (
            "an entry left out (the typed decode goes on without it)",
            vec!["im.dialog.users.list", "DIALOG_ID=chat1"],
            None,
            (200, json, format!(r#"{{"result":[{{"id":"{ECHO}"}}]}}"#)),
        ),
        (
            "an error page",
            vec!["im.dialog.users.list", "DIALOG_ID=chat1"],
            None,
            (502, "text/html", cut_page.clone()),
        ),
        (
            "--all, the first page",
            vec!["im.dialog.users.list", "DIALOG_ID=chat1", "--all"],
            None,
            (200, json, format!(r#"{{"result":"{ECHO}","total":500}}"#)),
        ),
        (
            "--all, a batch",
            vec!["im.dialog.users.list", "DIALOG_ID=chat1", "--all"],
            Some((200, json, r#"{"result":[],"total":500}"#.to_owned())),
            (
                200,
                json,
                format!(
                    r#"{{"result":{{"result":{{"{ECHO}":[{{"id":"{ECHO}"}}]}},"result_error":{{"p00":{{"error":"{ECHO}","error_description":"{ECHO}"}}}}}}}}"#
                ),
            ),
        ),
    ];
    for (what, args, first, answer) in cases {
        for verbosity in [None, Some("-v"), Some("-vv")] {
            let url = echo_server(first.clone(), answer.clone());
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_b24"));
            cmd.arg("call").args(&args).args(["--webhook", &url]);
            cmd.args(verbosity).env_remove("B24_WEBHOOK_URL");
            let out = cmd.output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            if what.starts_with("an entry left out") {
                assert_eq!(out.status.code(), Some(0), "{what}: {stderr}");
            } else {
                assert_ne!(out.status.code(), Some(0), "{what}: {stderr}");
            }
            assert!(
                stderr.contains("REDACTED") || stderr.contains("rest/1/"),
                "{what} {verbosity:?}: the echo reached the output: {stderr}"
            );
            for text in [&stdout, &stderr] {
                assert!(
                    !text.contains(CODE),
                    "{what} {verbosity:?} leaks the webhook code:\n{text}"
                );
            }
        }
    }
}
