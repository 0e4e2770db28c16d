//! `b24 call` and `b24 demo` as a user runs them, against an in-process emulator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::{Command, Output};

use b24_emulator::{Config, Emulator};
use serde_json::Value;

fn b24(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_b24"));
    cmd.args(args).env_remove("B24_WEBHOOK_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Runs `b24` with `args` on a blocking thread, so the in-process emulator keeps serving.
async fn b24_off_thread(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        b24(&args, &[])
    })
    .await
    .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

async fn emulator() -> Emulator {
    Emulator::start(Config {
        dialog_size: Some(30),
        webhook_token: Some("cliSECRETcode9".into()),
        ..Config::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_call_prints_the_result() {
    let emu = emulator().await;
    let url = emu.webhook_url();
    let out = b24_off_thread(&[
        "call",
        "im.dialog.users.list",
        "DIALOG_ID=chat1",
        "LIMIT=5",
        "--webhook",
        &url,
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result.as_array().unwrap().len(), 5);
    assert_eq!(result[0]["id"], 1);

    let url = emu.webhook_url();
    let out = tokio::task::spawn_blocking(move || {
        b24(
            &[
                "call",
                "im.dialog.users.list",
                "--json",
                r#"{"DIALOG_ID":"chat1"}"#,
                "LIMIT=2",
                "--envelope",
                "--compact",
            ],
            &[("B24_WEBHOOK_URL", &url)],
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let envelope: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(envelope["total"], 30);
    assert_eq!(envelope["next"], 2);
    assert!(envelope["time"]["operating"].is_number());
}

#[tokio::test(flavor = "multi_thread")]
async fn api_errors_and_methods_outside_the_spec() {
    let emu = emulator().await;
    let url = emu.webhook_url();
    let out = b24_off_thread(&[
        "call",
        "im.dialog.users.list",
        "DIALOG_ID=chat5",
        "--webhook",
        &url,
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "error: im.dialog.users.list: ACCESS_ERROR: You do not have access to the specified dialog (HTTP 403)"
    );
    let url = emu.webhook_url();
    let out = b24_off_thread(&["call", "imbot.bot.list", "--webhook", &url]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("ERROR_METHOD_NOT_FOUND"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2_and_verbose_output_hides_the_secret() {
    let emu = emulator().await;
    let out = b24(&["call", "im.dialog.users.list"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("B24_WEBHOOK_URL"));
    let out = b24(
        &[
            "call",
            "im.dialog.users.list",
            "LIMIT",
            "--webhook",
            "https://p.example/rest/1/x/",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not NAME=VALUE"));
    let out = b24(
        &[
            "call",
            "im.x",
            "--webhook",
            "http://portal.example.com/rest/1/cliSECRETcode9/",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("refusing plain http"));
    assert!(!text(&out.stderr).contains("cliSECRETcode9"));
    let out = b24(&["call", "--bogus"], &[]);
    assert_eq!(out.status.code(), Some(2));

    let url = emu.webhook_url();
    let out = b24_off_thread(&[
        "call",
        "im.dialog.users.list",
        "DIALOG_ID=chat1",
        "-vv",
        "--webhook",
        &url,
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    let log = text(&out.stderr);
    assert!(
        log.contains("b24.call") && log.contains("im.dialog.users.list"),
        "{log}"
    );
    assert!(!log.contains("cliSECRETcode9"), "{log}");
    assert!(!text(&out.stdout).contains("cliSECRETcode9"));
}

#[test]
fn demo_runs_on_built_in_defaults_and_ends() {
    let out = b24(&["demo", "--dialog-size", "300"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Alexander Smith"), "{stdout}");
    assert!(
        stdout.contains("chat1: 300 participants visible (300 unique)"),
        "{stdout}"
    );
    // 10 % of the members are hidden: `total` counts them, the pages do not carry them.
    assert!(stdout.contains("plan: total 330"), "{stdout}");
    assert!(stdout.contains("no 503: true"), "{stdout}");
    assert!(stdout.trim_end().ends_with("done"));
}

#[test]
fn demo_piped_into_a_reader_that_stops_early_exits_cleanly() {
    use std::io::{BufRead as _, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_b24"))
        .args(["demo", "--dialog-size", "50"])
        .env_remove("B24_WEBHOOK_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("1. Decoding"), "{first}");
    // The reader is gone (like `b24 demo | head -1`): the rest is dropped, not a panic.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn all_streams_every_item_as_json_lines() {
    let emu = Emulator::start(Config {
        dialog_size: Some(700),
        hidden_members_pct: 20.0,
        cost: b24_emulator::Cost {
            fixed_ms: 0.0,
            per_row_ms: 0.0,
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let url = emu.webhook_url();
    let out = b24_off_thread(&[
        "call",
        "im.dialog.users.list",
        "DIALOG_ID=chat1",
        "--all",
        "--bucket",
        "50/2",
        "--webhook",
        &url,
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 700, "every visible member once");
    let ids: std::collections::BTreeSet<u64> =
        lines.iter().map(|u| u["id"].as_u64().unwrap()).collect();
    assert_eq!(ids.len(), 700);
    assert!(
        lines[0].get("last_activity_date").is_some(),
        "items as the server sends them"
    );
    assert!(
        out.stderr.is_empty(),
        "no progress bar when stderr is not a terminal: {}",
        text(&out.stderr)
    );
    assert_eq!(emu.stats().by_status.get("503"), None);

    let url = emu.webhook_url();
    let out = b24_off_thread(&["call", "im.counters.get", "--all", "--webhook", &url]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("does not page"));
}

fn json_lines(out: &Output) -> Vec<Value> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn all_without_a_bucket_finds_a_small_one_and_finishes() {
    // A 5/1 portal and no --bucket: the client must not assume 50/2 and fail.
    let emu = Emulator::start(Config {
        dialog_size: Some(5_000),
        bucket: "5/1".parse().unwrap(),
        ..Config::default()
    })
    .await
    .unwrap();
    let url = emu.webhook_url();
    let out = b24_off_thread(&[
        "call",
        "im.dialog.users.list",
        "DIALOG_ID=chat1",
        "--all",
        "--webhook",
        &url,
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let ids: Vec<u64> = json_lines(&out)
        .iter()
        .map(|u| u["id"].as_u64().unwrap())
        .collect();
    let unique: std::collections::BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!((ids.len(), unique.len()), (5_000, 5_000), "every id once");
    let stats = emu.stats();
    let rejected = stats.by_status.get("503").copied().unwrap_or(0);
    println!(
        "b24 call --all without --bucket on a 5/1 portal: {} requests, {rejected} of them 503",
        stats.requests
    );
    assert!(rejected <= 5, "{rejected} 503s");
}

#[tokio::test(flavor = "multi_thread")]
async fn all_sends_parameters_that_look_like_batch_syntax_unaltered() {
    let emu = Emulator::start(Config {
        dialog_size: Some(485),
        bucket: b24_emulator::Bucket::OFF,
        ..Config::default()
    })
    .await
    .unwrap();
    let url = emu.webhook_url();
    let out = b24_off_thread(&[
        "call",
        "im.dialog.users.list",
        "DIALOG_ID=chat1",
        "--all",
        "SKIP_EXTERNAL_EXCEPT_TYPES=$result[x]&OFFSET=0",
        "--webhook",
        &url,
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let ids: std::collections::BTreeSet<u64> = json_lines(&out)
        .iter()
        .map(|u| u["id"].as_u64().unwrap())
        .collect();
    // The same parameter, one plain call per page: the reference answer.
    let client = b24_client::Client::builder()
        .webhook(&url)
        .unwrap()
        .unlimited()
        .build()
        .unwrap();
    let mut expected = std::collections::BTreeSet::new();
    let mut offset = 0;
    loop {
        let page = client
            .call_raw_read_only(
                "im.dialog.users.list",
                &serde_json::json!({"DIALOG_ID": "chat1", "SKIP_EXTERNAL_EXCEPT_TYPES": "$result[x]&OFFSET=0", "LIMIT": 200, "OFFSET": offset}),
            )
            .await
            .unwrap();
        let items = page.result.as_array().unwrap().clone();
        expected.extend(items.iter().map(|u| u["id"].as_u64().unwrap()));
        match page.next {
            Some(next) => offset = next,
            None => break,
        }
    }
    assert!(expected.len() > 400, "{}", expected.len());
    assert_eq!(ids, expected, "every member, once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_that_may_have_run_says_so() {
    let emu = Emulator::start(Config {
        faults: "500=1".parse().unwrap(),
        ..Config::default()
    })
    .await
    .unwrap();
    let url = emu.webhook_url();
    let out = b24_off_thread(&[
        "call",
        "im.message.add",
        "DIALOG_ID=chat1",
        "MESSAGE=hello",
        "--webhook",
        &url,
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("INTERNAL_SERVER_ERROR") && stderr.contains("may have run"),
        "{stderr}"
    );
    assert_eq!(
        emu.stats().executed.get("im.message.add"),
        Some(&1),
        "it had run, once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn call_and_all_share_the_limits_through_redis_and_never_print_its_password() {
    let Some(server) = b24_redis::testing::RedisServer::start().unwrap() else {
        return;
    };
    let emu = emulator().await;
    let url = emu.webhook_url();
    let redis_url = server.url();
    let out = b24_off_thread(&[
        "call",
        "im.dialog.users.list",
        "DIALOG_ID=chat1",
        "--all",
        "--bucket",
        "50/2",
        "--redis",
        &redis_url,
        "--webhook",
        &url,
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 30);
    let mut conn = redis::Client::open(redis_url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let bucket = format!("b24:{{{}}}:bucket", emu.addr());
    let level: Option<String> = redis::cmd("HGET")
        .arg(&bucket)
        .arg("level")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(
        level.is_some(),
        "the requests went through the shared bucket"
    );

    let out = b24(
        &[
            "call",
            "im.dialog.users.list",
            "DIALOG_ID=chat1",
            "--webhook",
            &url,
        ],
        &[("B24_REDIS_URL", "redis://:pw-secret-9@127.0.0.1:1/")],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("redis://:***@127.0.0.1:1/"), "{stderr}");
    assert!(!stderr.contains("pw-secret-9"), "{stderr}");
}

/// `b24 call im.dialog.users.list DIALOG_ID=chat1 EXTRA... --webhook URL`.
async fn users_of_chat1(url: &str, extra: &[&str]) -> Output {
    let mut args = vec!["call", "im.dialog.users.list", "DIALOG_ID=chat1"];
    args.extend_from_slice(extra);
    args.extend(["--webhook", url]);
    b24_off_thread(&args).await
}

#[tokio::test(flavor = "multi_thread")]
async fn limit_that_is_not_a_number_is_refused_before_sending() {
    let emu = emulator().await;
    let url = emu.webhook_url();
    let out = users_of_chat1(&url, &["LIMIT=abc"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: the parameters do not fit im.dialog.users.list: `LIMIT`"),
        "{stderr}"
    );
    assert!(stderr.contains("usage: b24 call"), "{stderr}");
    assert_eq!(emu.stats().requests, 0, "nothing was sent");

    // A name the method does not have is refused too; --raw sends it as given.
    let out = users_of_chat1(&url, &["LIMT=2"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`LIMT` is not a parameter"));
    let out = users_of_chat1(&url, &["LIMT=2", "--raw"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(emu.stats().requests, 1);
}

/// The token file after a run of `b24 call --oauth`.
fn stored(path: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oauth_file_carries_the_session_across_processes() {
    let emu = emulator().await;
    let issued = emu.issue_tokens();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("oauth-restart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tokens.json");
    let initial = serde_json::json!({
        "portal": emu.base_url(),
        "client_id": emu.client_id(),
        "client_secret": emu.client_secret(),
        "token_endpoint": emu.token_url(),
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "expires_at_ms": 4_102_444_800_000_u64,
    });
    std::fs::write(&file, initial.to_string()).unwrap();
    let path = file.to_string_lossy().into_owned();
    let call = [
        "call",
        "im.dialog.users.list",
        "DIALOG_ID=chat1",
        "LIMIT=1",
        "--oauth",
        &path,
    ];

    // First process: its access token has expired; it refreshes and saves the new pair.
    emu.expire_access_tokens();
    let first = b24_off_thread(&call).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let after_first = stored(&file);
    assert_ne!(after_first["refresh_token"], issued.refresh_token.as_str());
    assert_eq!(
        after_first["client_secret"],
        emu.client_secret(),
        "other keys stay"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Second process, after another hour: it goes on from the saved pair.
    emu.expire_access_tokens();
    let second = b24_off_thread(&call).await;
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    let after_second = stored(&file);
    assert_ne!(after_second["refresh_token"], after_first["refresh_token"]);

    // Without the saved pair it would have had to authorise again: the first refresh token is
    // spent.
    std::fs::write(&file, initial.to_string()).unwrap();
    let stale = b24_off_thread(&call).await;
    let stderr = text(&stale.stderr);
    assert_eq!(stale.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("invalid_grant"), "{stderr}");
    for out in [&first, &second, &stale] {
        let printed = format!("{}{}", text(&out.stdout), text(&out.stderr));
        for secret in [
            issued.access_token.as_str(),
            issued.refresh_token.as_str(),
            emu.client_secret(),
        ] {
            assert!(!printed.contains(secret), "a secret was printed: {printed}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
