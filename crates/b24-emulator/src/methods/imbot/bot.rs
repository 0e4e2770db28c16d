//! `imbot.v2.Bot.register` and `imbot.v2.Bot.unregister`.
//!
//! Register is idempotent by `code` per application: the same application gets its bot back
//! unchanged, another one `BOT_CODE_ALREADY_TAKEN`. The emulator only POSTs to loopback URLs,
//! so a `webhookUrl` must be `http(s)://` to `127.0.0.1`, `[::1]` or `localhost`
//! (`BOT_INVALID_CALLBACK` otherwise).

use b24_imbot::{
    BotRegisterErrorCode as RegisterCode, BotRegisterRequest, BotRegisterResult,
    BotUnregisterErrorCode as UnregisterCode, BotUnregisterRequest, BotUnregisterResult,
};
use serde_json::Value;

use super::events::{bot_deleted, bot_object, user_object};
use super::identity::{app, owned_bot, refused};
use crate::methods::{Failure, Outcome, Write, fail};
use crate::portal::bots::BotRecord;

fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(crate::php::scalar_text)
        .filter(|t| !t.trim().is_empty())
}

/// Whether the emulator may POST to `url`: http(s) on loopback.
fn loopback_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    matches!(host, "127.0.0.1" | "[::1]" | "localhost")
}

pub(super) fn register(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let fields = call.params.get("fields").cloned().unwrap_or(Value::Null);
    // The token is read at the top level first, then inside `fields`.
    if call.params.get("botToken").is_none()
        && let Some(token) = text(fields.get("botToken"))
    {
        call.params
            .0
            .insert("botToken".into(), Value::String(token));
    }
    let app = app(call).map_err(|_| fail(RegisterCode::BotTokenNotSpecified))?;
    let code = text(fields.get("code")).ok_or_else(|| fail(RegisterCode::BotCodeRequired))?;
    let properties = fields.get("properties");
    let name = text(properties.and_then(|p| p.get("name")))
        .ok_or_else(|| fail(RegisterCode::BotPropertiesRequired))?;
    if let Some(existing) = call.portal.bots.iter().find(|b| b.code == code) {
        if existing.app_id != app {
            return Err(fail(RegisterCode::BotCodeAlreadyTaken));
        }
        let existing = existing.clone();
        return answer(call, &existing);
    }
    let kind = text(fields.get("type")).unwrap_or_else(|| "bot".into());
    if ![
        "bot",
        "human",
        "network",
        "openline",
        "supervisor",
        "personal",
    ]
    .contains(&kind.as_str())
    {
        return Err(fail(RegisterCode::BotInvalidType));
    }
    let mode = text(fields.get("eventMode"))
        .unwrap_or_else(|| "fetch".into())
        .to_lowercase();
    if mode != "fetch" && mode != "webhook" {
        return Err(fail(RegisterCode::BotInvalidEventMode));
    }
    let url = text(fields.get("webhookUrl"));
    if mode == "webhook" && url.is_none() {
        return Err(fail(RegisterCode::BotWebhookUrlRequired));
    }
    if url.as_deref().is_some_and(|u| !loopback_url(u)) {
        return Err(fail(RegisterCode::BotInvalidCallback));
    }
    let last_name = text(properties.and_then(|p| p.get("lastName"))).unwrap_or_default();
    let reactions = fields.get("isReactionsEnabled").is_none_or(|v| {
        matches!(v, Value::Bool(true))
            || crate::php::scalar_text(v)
                .is_some_and(|t| ["y", "1", "true"].contains(&t.to_lowercase().as_str()))
    });
    let record = BotRecord {
        id: 0,
        code,
        app_id: app,
        kind,
        event_mode: mode,
        webhook_url: url,
        reactions,
    };
    let id = call.portal.add_bot(record, &name, &last_name);
    let record = call
        .portal
        .bot(id)
        .cloned()
        .ok_or_else(|| fail(RegisterCode::BotRegisterFailed))?;
    answer(call, &record)
}

fn answer(call: &Write<'_>, record: &BotRecord) -> Result<Outcome, Failure> {
    let mut result = BotRegisterResult::default();
    result.bot = Some(bot_object(record));
    result.users = user_object(call.portal, record.id).into_iter().collect();
    Outcome::of::<BotRegisterRequest>(&result, 1)
}

pub(super) fn unregister(call: &mut Write<'_>) -> Result<Outcome, Failure> {
    let bot = owned_bot(call).map_err(refused!(UnregisterCode))?;
    bot_deleted(call.portal, &bot, call.now);
    call.portal.remove_bot(bot.id);
    let mut result = BotUnregisterResult::default();
    result.result = true;
    Outcome::of::<BotUnregisterRequest>(&result, 1)
}

#[cfg(test)]
mod tests {
    use super::loopback_url;

    #[test]
    fn only_loopback_urls_are_delivered_to() {
        assert!(loopback_url("http://127.0.0.1:8080/hook"));
        assert!(loopback_url("https://localhost/hook?x=1"));
        assert!(loopback_url("http://[::1]:9/"));
        assert!(!loopback_url("http://example.com/hook"));
        assert!(!loopback_url("ftp://127.0.0.1/"));
        assert!(!loopback_url("http://127.0.0.1.example.com/"));
    }
}
