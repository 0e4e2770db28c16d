//! Who a bot call comes from, in the server's order of checks: the application (OAuth, or
//! `custom<botToken>` for webhook calls; `BOT_TOKEN_NOT_SPECIFIED` without either), `botId`
//! (`BOT_ID_REQUIRED`), the bot (`BOT_NOT_FOUND`), its owner (`BOT_OWNERSHIP_ERROR`).

use crate::methods::Call;
use crate::portal::Portal;
use crate::portal::bots::BotRecord;

/// Why a bot call was refused before the method ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refused {
    TokenMissing,
    IdMissing,
    NotFound,
    NotOwner,
}

/// Maps [`Refused`] to a method's own codes (each method's error enum has the four).
macro_rules! refused {
    ($code:ident) => {
        |r: super::identity::Refused| {
            crate::methods::fail(match r {
                super::identity::Refused::TokenMissing => $code::BotTokenNotSpecified,
                super::identity::Refused::IdMissing => $code::BotIdRequired,
                super::identity::Refused::NotFound => $code::BotNotFound,
                super::identity::Refused::NotOwner => $code::BotOwnershipError,
            })
        }
    };
}
pub(super) use refused;

/// The calling application.
pub(super) fn app<P>(call: &Call<P>) -> Result<String, Refused> {
    if let Some(token) = call.params.text("botToken").filter(|t| !t.is_empty()) {
        return Ok(format!("custom{token}"));
    }
    if call.via_webhook {
        return Err(Refused::TokenMissing);
    }
    Ok("oauth".to_owned())
}

/// The bot the call names, owned by the calling application.
pub(super) fn owned_bot(call: &Call<&mut Portal>) -> Result<BotRecord, Refused> {
    let app = app(call)?;
    let id = call
        .params
        .int("botId")
        .filter(|id| *id > 0)
        .ok_or(Refused::IdMissing)?;
    let bot = call
        .portal
        .bot(u64::try_from(id).unwrap_or(0))
        .ok_or(Refused::NotFound)?;
    if bot.app_id != app {
        return Err(Refused::NotOwner);
    }
    Ok(bot.clone())
}
