//! `b24 call`: one method call through the client. Methods in the spec go through their typed
//! request (`client.call`): parameters are checked before anything is sent, the answer is
//! decoded once, with the method's typed errors. Others, and `--raw`, are sent as given.

use std::process::ExitCode;

use b24_client::Client;
use b24_core::Method;
use serde_json::{Map, Value};

use crate::portal::{CallArgs, report, request, usage_error};
use crate::print_json;

/// Runs `b24 call` (without `--all`) on a connected client.
pub async fn run(args: &CallArgs, client: &Client, params: Map<String, Value>) -> ExitCode {
    if !args.raw {
        macro_rules! dispatch {
            ($(($name:literal, $request:ty)),* $(,)?) => {
                match args.method.as_str() {
                    $($name => {
                        // A method called by name gets its typed request even when it is
                        // deprecated (`im.search.last.*`): the caller asked for it by name.
                        #[allow(deprecated)]
                        return typed::<$request>(args, client, params).await;
                    })*
                    _ => {}
                }
            };
        }
        b24_im::with_methods!(dispatch);
        b24_imbot::with_methods!(dispatch);
    }
    raw(args, client, &Value::Object(params)).await
}

/// A method of the spec, through its typed request.
async fn typed<M>(args: &CallArgs, client: &Client, params: Map<String, Value>) -> ExitCode
where
    M: Method + serde::Serialize + serde::de::DeserializeOwned,
{
    let request = match request::<M>(params) {
        Ok(request) => request,
        Err(message) => return usage_error(&message),
    };
    let response = match client.call(&request).await {
        Ok(response) => response,
        Err(error) => return report(M::INFO.name, &error),
    };
    for skipped in &response.skipped {
        // Quotes the portal's values, which may echo the request.
        eprintln!(
            "warning: {}: {}",
            M::INFO.name,
            client.redact(&skipped.to_string())
        );
    }
    let envelope = match b24_core::encode_response::<M, _>(&response, serde_json::value::Serializer)
    {
        Ok(envelope) => envelope,
        Err(e) => {
            eprintln!("error: {}: cannot print the result: {e}", M::INFO.name);
            return ExitCode::FAILURE;
        }
    };
    show(args, envelope)
}

/// A method outside the spec (or `--raw`): sent as given, the answer printed as it came.
async fn raw(args: &CallArgs, client: &Client, params: &Value) -> ExitCode {
    let read_only = crate::find_method(&args.method).is_some_and(|entry| entry.info.read_only);
    let outcome = if read_only {
        client.call_raw_read_only(&args.method, params).await
    } else {
        client.call_raw(&args.method, params).await
    };
    match outcome {
        Ok(response) => show(args, envelope_value(&response)),
        Err(error) => report(&args.method, &error),
    }
}

/// Prints the envelope, or only its `result`.
fn show(args: &CallArgs, envelope: Value) -> ExitCode {
    let shown = if args.envelope {
        envelope
    } else {
        envelope.get("result").cloned().unwrap_or(Value::Null)
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
