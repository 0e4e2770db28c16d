//! `b24 call`: one method call through the client.

use std::process::ExitCode;
use std::sync::Arc;

use b24_client::{Bucket, Client, ClientBuilder, Error, Webhook};
use serde_json::{Map, Value};

use crate::{USAGE_ERROR, print_json};

/// Arguments of `b24 call`.
#[derive(Debug, clap::Args)]
pub struct CallArgs {
    /// Wire name of the method, e.g. `im.dialog.users.list`.
    pub method: String,
    /// Parameters as NAME=VALUE; a VALUE that is valid JSON (a number, `true`, `[1,2]`, `{...}`)
    /// is sent as that JSON, anything else as text.
    #[arg(value_name = "PARAM=VALUE")]
    pub params: Vec<String>,
    /// Parameters as one JSON object (NAME=VALUE pairs are added on top).
    #[arg(long, value_name = "JSON")]
    pub json: Option<String>,
    /// The webhook URL (`https://<portal>/rest/<user>/<code>/`).
    #[arg(long, env = "B24_WEBHOOK_URL", hide_env_values = true)]
    pub webhook: Option<String>,
    /// The portal's plan, BURST/RATE: `50/2`, or `250/5` for Enterprise. Without it the client
    /// finds the portal's bucket out (starting small, at most 50/2).
    #[arg(long)]
    pub bucket: Option<Bucket>,
    /// Share the portal's request bucket and the operating-time budget with every other
    /// worker that uses this Redis (or Valkey) server: `redis://[:password@]host[:port][/db]`,
    /// `rediss://` for TLS. Without Redis nothing is sent (the limits fail closed).
    #[arg(
        long,
        env = "B24_REDIS_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub redis: Option<String>,
    /// Print the whole envelope (`result`, `total`, `next`, `time`), not only `result`.
    #[arg(long)]
    pub envelope: bool,
    /// Print compact JSON.
    #[arg(long)]
    pub compact: bool,
    /// Stream every item of a paged method as JSON lines (all pages, through the bulk reader),
    /// with a progress bar on stderr when it is a terminal.
    #[arg(long)]
    pub all: bool,
    /// Show what the client does on stderr (-v: calls and retries, -vv: everything).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Parses `NAME=VALUE` pairs (and `--json`) into the call's parameters.
///
/// # Errors
/// A usage message.
pub fn parse_params(pairs: &[String], json: Option<&str>) -> Result<Map<String, Value>, String> {
    let mut params = match json {
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err("--json must be a JSON object".into()),
            Err(e) => return Err(format!("--json is not valid JSON: {e}")),
        },
        None => Map::new(),
    };
    for pair in pairs {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(format!("`{pair}` is not NAME=VALUE"));
        };
        if name.is_empty() {
            return Err(format!("`{pair}` has no parameter name"));
        }
        let value = serde_json::from_str::<Value>(value)
            .unwrap_or_else(|_| Value::String(value.to_owned()));
        params.insert(name.to_owned(), value);
    }
    Ok(params)
}

/// The bucket and the operating-time budget kept in Redis, shared with every worker of the
/// portal. The error names the server without its password.
async fn shared_limits(
    builder: ClientBuilder,
    webhook: &str,
    url: &str,
    bucket: Option<Bucket>,
) -> Result<ClientBuilder, String> {
    let hook = Webhook::parse(webhook).map_err(|e| e.to_string())?;
    let portal = hook.portal().as_str();
    let redis = b24_redis::Redis::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    let limiter = match bucket {
        Some(plan) => redis.limiter(portal, plan),
        None => redis.limiter_untold(portal, Bucket::STANDARD),
    };
    let budget = redis.budget(portal, &format!("webhook:{}", hook.user_id()));
    Ok(builder
        .limiter(Arc::new(limiter))
        .governor_store(Arc::new(budget)))
}

/// Installs a tracing subscriber on stderr for `-v`.
pub fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => "b24_client=debug",
        _ => "trace",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(level))
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// Runs `b24 call`.
pub async fn run(args: &CallArgs) -> ExitCode {
    init_tracing(args.verbose);
    let params = match parse_params(&args.params, args.json.as_deref()) {
        Ok(p) => Value::Object(p),
        Err(message) => {
            eprintln!(
                "error: {message}\n\nusage: b24 call <METHOD> [PARAM=VALUE ...] [--json '{{...}}'] [--webhook URL]"
            );
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let Some(webhook) = args.webhook.as_deref() else {
        eprintln!(
            "error: no portal: pass --webhook URL or set B24_WEBHOOK_URL (try `b24 emulate` for a local one)"
        );
        return ExitCode::from(USAGE_ERROR);
    };
    let builder = match Client::builder().webhook(webhook) {
        Ok(b) => match args.bucket {
            Some(bucket) => b.bucket(bucket),
            None => b,
        },
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let builder = match &args.redis {
        Some(url) => match shared_limits(builder, webhook, url, args.bucket).await {
            Ok(b) => b,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::FAILURE;
            }
        },
        None => builder,
    };
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    if args.all {
        return crate::all::run(args, &client, params).await;
    }
    let entry = crate::find_method(&args.method);
    let read_only = entry.is_some_and(|e| e.info.read_only);
    let outcome = if read_only {
        client.call_raw_read_only(&args.method, &params).await
    } else {
        client.call_raw(&args.method, &params).await
    };
    let response = match outcome {
        Ok(r) => r,
        Err(error) => return report(&args.method, &error),
    };
    // Methods in the spec are decoded with their generated types.
    let envelope = envelope_value(&response);
    let typed = match entry {
        Some(entry) => match serde_json::to_vec(&envelope)
            .map_err(|e| e.to_string())
            .and_then(|body| (entry.decode_json)(Some(200), &body).map_err(|e| e.to_string()))
        {
            Ok(decoded) => {
                for skipped in &decoded.skipped {
                    // Quotes the portal's values, which may echo the request.
                    eprintln!(
                        "warning: {}: {}",
                        args.method,
                        client.redact(&skipped.to_string())
                    );
                }
                decoded.json
            }
            Err(message) => {
                // The message may quote the portal's values: the portal may echo the request.
                eprintln!("error: {}: {}", args.method, client.redact(&message));
                return ExitCode::FAILURE;
            }
        },
        None => envelope,
    };
    let shown = if args.envelope {
        typed
    } else {
        typed.get("result").cloned().unwrap_or(Value::Null)
    };
    print_json(&shown, args.compact)
}

fn envelope_value(response: &b24_client::Response<Value>) -> Value {
    let mut map = Map::new();
    map.insert("result".into(), response.result.clone());
    if let Some(total) = response.total {
        map.insert("total".into(), total.into());
    }
    if let Some(next) = response.next {
        map.insert("next".into(), next.into());
    }
    if let Some(time) = &response.time {
        map.insert(
            "time".into(),
            serde_json::to_value(time).unwrap_or(Value::Null),
        );
    }
    Value::Object(map)
}

/// Prints a failed call on stderr: usage errors exit 2, the rest 1. A failure after which the
/// call may have run (a timeout, a reset, a 5xx) says so, so that a write is checked before it
/// is repeated.
pub fn report<C: b24_core::ErrorCode>(method: &str, error: &Error<C>) -> ExitCode {
    match error {
        Error::Config(e) => {
            eprintln!("error: {e}");
            ExitCode::from(USAGE_ERROR)
        }
        other => {
            eprintln!("{method}: {other}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_parse_json_values_and_text() {
        let p = parse_params(
            &[
                "DIALOG_ID=chat1".into(),
                "LIMIT=20".into(),
                "ID=[1,2]".into(),
                "MESSAGE=hi there".into(),
            ],
            Some(r#"{"SKIP_EXTERNAL":"Y"}"#),
        )
        .unwrap();
        assert_eq!(
            Value::Object(p),
            serde_json::json!({"DIALOG_ID": "chat1", "LIMIT": 20, "ID": [1, 2], "MESSAGE": "hi there", "SKIP_EXTERNAL": "Y"})
        );
        assert!(parse_params(&["oops".into()], None).is_err());
        assert!(parse_params(&[], Some("[1]")).is_err());
    }
}
