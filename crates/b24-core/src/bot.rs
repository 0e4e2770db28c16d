//! The bot identity that every `imbot.v2` call carries, added by a handle instead of by hand.
//!
//! Nearly every bot method takes the bot's id (`botId`) and, when the portal is reached through
//! an inbound webhook rather than OAuth, the bot's secret token (`botToken`). The spec marks
//! these parameters `supplied_by: bot_handle`, so the generated requests have no field for
//! them; instead they implement [`BotMethod`] (both) or [`BotAppMethod`] (the token only: the
//! calls that work on the application's bots as a whole, such as registering one). A
//! [`WithBot`] wraps such a request with the identity and is itself a [`Method`], so any
//! client that sends methods sends it unchanged.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::method::{Method, MethodInfo, Step};

/// A request that needs the bot's id and (for webhook-authorised bots) its token.
pub trait BotMethod: Method {}

/// A request that identifies the calling application by the bot's token only (for
/// webhook-authorised bots; OAuth calls need nothing).
pub trait BotAppMethod: Method {}

/// A request sent on behalf of a bot: `botId` (for [`BotMethod`]s), `botToken` (when set) and
/// then the request's own parameters.
///
/// `Debug` never shows the token.
#[derive(Clone, Copy)]
pub struct WithBot<'a, M> {
    bot_id: Option<u64>,
    token: Option<&'a str>,
    request: &'a M,
}

impl<'a, M: BotMethod> WithBot<'a, M> {
    /// `request` as bot `bot_id`, with the bot's token for webhook authorisation (`None` with
    /// OAuth).
    #[must_use]
    pub fn new(bot_id: u64, token: Option<&'a str>, request: &'a M) -> Self {
        Self {
            bot_id: Some(bot_id),
            token,
            request,
        }
    }
}

impl<'a, M: BotAppMethod> WithBot<'a, M> {
    /// `request` on behalf of the application that owns the bots, identified by a bot token
    /// for webhook authorisation (`None` with OAuth).
    #[must_use]
    pub fn app(token: Option<&'a str>, request: &'a M) -> Self {
        Self {
            bot_id: None,
            token,
            request,
        }
    }
}

impl<M> WithBot<'_, M> {
    /// The wrapped request.
    #[must_use]
    pub fn request(&self) -> &M {
        self.request
    }

    /// The bot id sent as `botId`, if the method takes one.
    #[must_use]
    pub fn bot_id(&self) -> Option<u64> {
        self.bot_id
    }
}

impl<M: fmt::Debug> fmt::Debug for WithBot<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithBot")
            .field("bot_id", &self.bot_id)
            .field("token", &self.token.map(|_| "[REDACTED]"))
            .field("request", self.request)
            .finish()
    }
}

impl<M: Serialize> Serialize for WithBot<'_, M> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The request's own parameters, as the object every generated request serializes to.
        let params = match serde_json::to_value(self.request) {
            Ok(serde_json::Value::Object(params)) => params,
            Ok(_) => serde_json::Map::new(),
            Err(e) => return Err(serde::ser::Error::custom(e)),
        };
        let mut map = serializer.serialize_map(None)?;
        if let Some(id) = self.bot_id {
            map.serialize_entry("botId", &id)?;
        }
        if let Some(token) = self.token {
            map.serialize_entry("botToken", token)?;
        }
        for (key, value) in &params {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<M: Method> Method for WithBot<'_, M> {
    const INFO: &'static MethodInfo = M::INFO;
    type Output = M::Output;
    type ErrorCode = M::ErrorCode;
    const SKIP: &'static [&'static [Step]] = M::SKIP;
    const SKIP_BASE: &'static [Step] = M::SKIP_BASE;

    fn decode_result<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Self::Output, D::Error> {
        M::decode_result(deserializer)
    }

    fn encode_result<S: Serializer>(
        output: &Self::Output,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        M::encode_result(output, serializer)
    }
}
