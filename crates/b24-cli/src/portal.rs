//! What `b24 call` and `b24 call --all` share: the arguments, the parameters, the client built
//! from them (webhook or OAuth file, bucket, limits shared through Redis) and how a failed call
//! is reported.

use std::process::ExitCode;
use std::sync::Arc;

use b24_client::{Bucket, Client, ClientBuilder, Error, FileTokenStore, Webhook};
use b24_core::Method;
use serde_json::{Map, Value};

use crate::USAGE_ERROR;

/// The usage line of `b24 call`, shown after a usage error.
pub const USAGE: &str = "usage: b24 call <METHOD> [PARAM=VALUE ...] [--json '{...}'] [--webhook URL | --oauth FILE] [--raw] [--all]";

/// Arguments of `b24 call`.
#[derive(Debug, clap::Args)]
pub struct CallArgs {
    /// Wire name of the method, e.g. `im.dialog.users.list`.
    pub method: String,
    /// Parameters as NAME=VALUE; a VALUE that is valid JSON (a number, `true`, `[1,2]`, `{...}`)
    /// is sent as that JSON, anything else as text. Parameters of methods in the spec are
    /// checked against the method's typed request before anything is sent.
    #[arg(value_name = "PARAM=VALUE")]
    pub params: Vec<String>,
    /// Parameters as one JSON object (NAME=VALUE pairs are added on top).
    #[arg(long, value_name = "JSON")]
    pub json: Option<String>,
    /// The webhook URL (`https://<portal>/rest/<user>/<code>/`).
    #[arg(long, env = "B24_WEBHOOK_URL", hide_env_values = true)]
    pub webhook: Option<String>,
    /// Call as an OAuth application whose portal, client id and secret and token pair are kept
    /// in FILE (JSON, see `FileTokenStore`); refreshed pairs are saved back to it, so the next
    /// run goes on without authorising again. Takes the place of B24_WEBHOOK_URL.
    #[arg(long, value_name = "FILE")]
    pub oauth: Option<std::path::PathBuf>,
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
    /// Send the parameters as they are, without the method's typed request (for parameters the
    /// spec does not know yet); methods outside the spec are always sent this way.
    #[arg(long)]
    pub raw: bool,
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

/// The typed request of `M` from the parameters; a message naming the parameter that does not
/// fit, or the ones the method does not have.
pub fn request<M>(params: Map<String, Value>) -> Result<M, String>
where
    M: Method + serde::Serialize + serde::de::DeserializeOwned,
{
    let names: Vec<String> = params.keys().cloned().collect();
    let request: M = serde_path_to_error::deserialize(Value::Object(params)).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            String::new()
        } else {
            format!("`{path}`: ")
        };
        format!(
            "the parameters do not fit {}: {at}{}",
            M::INFO.name,
            e.into_inner()
        )
    })?;
    // A name the typed request does not carry would be dropped without a word.
    let sent = serde_json::to_value(&request).unwrap_or(Value::Null);
    let unknown: Vec<String> = names
        .into_iter()
        .filter(|name| sent.get(name).is_none())
        .map(|name| format!("`{name}`"))
        .collect();
    if unknown.is_empty() {
        Ok(request)
    } else {
        Err(format!(
            "{} is not a parameter of {} in the spec (--raw sends parameters as given)",
            unknown.join(", "),
            M::INFO.name
        ))
    }
}

/// Prints a usage error with the usage line; exit status 2.
pub fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{USAGE}");
    ExitCode::from(USAGE_ERROR)
}

/// The client `args` describe, or the exit status of the error already printed.
pub async fn connect(args: &CallArgs) -> Result<Client, ExitCode> {
    let (builder, credential) = match (&args.oauth, args.webhook.as_deref()) {
        (Some(file), _) => {
            let store = Arc::new(FileTokenStore::new(file));
            let app = store.app().map_err(|e| {
                eprintln!("error: {e}");
                ExitCode::from(USAGE_ERROR)
            })?;
            let credential = format!("app:{}", app.client_id());
            let portal = app.portal().as_str().to_owned();
            (Client::builder().oauth(app), Some((portal, credential)))
        }
        (None, Some(webhook)) => {
            let builder = Client::builder().webhook(webhook).map_err(|e| {
                eprintln!("error: {e}");
                ExitCode::from(USAGE_ERROR)
            })?;
            let credential = Webhook::parse(webhook).ok().map(|h| {
                (
                    h.portal().as_str().to_owned(),
                    format!("webhook:{}", h.user_id()),
                )
            });
            (builder, credential)
        }
        (None, None) => {
            eprintln!(
                "error: no portal: pass --webhook URL, set B24_WEBHOOK_URL or pass --oauth FILE (try `b24 emulate` for a local portal)"
            );
            return Err(ExitCode::from(USAGE_ERROR));
        }
    };
    let builder = match args.bucket {
        Some(bucket) => builder.bucket(bucket),
        None => builder,
    };
    let builder = match (&args.redis, credential) {
        (Some(url), Some((portal, credential))) => {
            shared_limits(builder, &portal, &credential, url, args.bucket)
                .await
                .map_err(|message| {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                })?
        }
        _ => builder,
    };
    builder.build().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(USAGE_ERROR)
    })
}

/// The bucket and the operating-time budget kept in Redis, shared with every worker of the
/// portal. The error names the server without its password.
async fn shared_limits(
    builder: ClientBuilder,
    portal: &str,
    credential: &str,
    url: &str,
    bucket: Option<Bucket>,
) -> Result<ClientBuilder, String> {
    let redis = b24_redis::Redis::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    let limiter = match bucket {
        Some(plan) => redis.limiter(portal, plan),
        None => redis.limiter_untold(portal, Bucket::STANDARD),
    };
    let budget = redis.budget(portal, credential);
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
            eprintln!("error: {method}: {other}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use b24_im::DialogUsersListRequest;

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

    fn params(json: Value) -> Map<String, Value> {
        match json {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn parameters_are_checked_against_the_typed_request() {
        let ok = request::<DialogUsersListRequest>(params(
            serde_json::json!({"DIALOG_ID": "chat1", "LIMIT": 5}),
        ));
        assert!(ok.is_ok(), "{ok:?}");
        let bad = request::<DialogUsersListRequest>(params(
            serde_json::json!({"DIALOG_ID": "chat1", "LIMIT": "abc"}),
        ))
        .unwrap_err();
        assert!(
            bad.contains("im.dialog.users.list") && bad.contains("`LIMIT`"),
            "{bad}"
        );
        let unknown = request::<DialogUsersListRequest>(params(
            serde_json::json!({"DIALOG_ID": "chat1", "LIMT": 5}),
        ))
        .unwrap_err();
        assert!(
            unknown.contains("`LIMT` is not a parameter of im.dialog.users.list"),
            "{unknown}"
        );
    }
}
