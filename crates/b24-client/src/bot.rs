//! Bot handles: `imbot.v2` calls with the bot's identity filled in.
//!
//! Every Chatbots 2.0 method identifies the bot by `botId` and, on portals reached through an
//! inbound webhook, authorises it by the secret `botToken`. The generated requests leave both
//! out ([`BotMethod`], [`BotAppMethod`]); a handle adds them to each call, so neither is
//! repeated by hand and the token is held in one place as a secret.

use std::fmt;

use b24_core::{BotAppMethod, BotMethod, Response, WithBot};
use secrecy::{ExposeSecret as _, SecretString};

use crate::client::Client;
use crate::error::Error;

/// One bot: calls [`BotMethod`]s as this bot. Cheap to clone.
///
/// `Debug` shows the bot id, never the token.
#[derive(Clone)]
pub struct Bot {
    app: BotApp,
    id: u64,
}

/// The application that owns bots, identified by a bot token (webhook authorisation) or by
/// the client's OAuth session: calls [`BotAppMethod`]s such as registering and listing bots.
#[derive(Clone)]
pub struct BotApp {
    client: Client,
    token: Option<SecretString>,
}

impl fmt::Debug for Bot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bot")
            .field("id", &self.id)
            .field("token", &self.app.token.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for BotApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotApp")
            .field("token", &self.token.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The bot `bot_id`, authorised by its `botToken` (for clients of an inbound webhook).
    /// The token is kept as a secret and scrubbed from every error of this client.
    pub fn bot(&self, bot_id: u64, token: impl Into<String>) -> Bot {
        Bot {
            app: self.bot_app(token),
            id: bot_id,
        }
    }

    /// The bot `bot_id` of this client's OAuth application: no token is sent, the OAuth
    /// session identifies the application.
    #[must_use]
    pub fn oauth_bot(&self, bot_id: u64) -> Bot {
        Bot {
            app: BotApp {
                client: self.clone(),
                token: None,
            },
            id: bot_id,
        }
    }

    /// The bots' application, identified by a bot token (for clients of an inbound webhook):
    /// registers bots (`imbot.v2.Bot.register` with this token ties the new bot to it), lists
    /// and reads them.
    pub fn bot_app(&self, token: impl Into<String>) -> BotApp {
        let token = SecretString::from(token.into());
        self.scrubber().add(&token);
        BotApp {
            client: self.clone(),
            token: Some(token),
        }
    }

    /// The bots' application of this client's OAuth session.
    #[must_use]
    pub fn oauth_bot_app(&self) -> BotApp {
        BotApp {
            client: self.clone(),
            token: None,
        }
    }
}

impl Bot {
    /// The bot's id (its user id).
    #[must_use]
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The application the bot belongs to, with the same authorisation.
    #[must_use]
    pub fn app(&self) -> &BotApp {
        &self.app
    }

    /// Calls `request` as this bot: `botId` and `botToken` are added to its parameters.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn call<M: BotMethod>(
        &self,
        request: &M,
    ) -> Result<Response<M::Output>, Error<M::ErrorCode>> {
        let token = self.app.token.as_ref().map(|t| t.expose_secret());
        self.app
            .client
            .call(&WithBot::new(self.id, token, request))
            .await
    }
}

impl BotApp {
    /// Calls `request` for the application: `botToken` (if any) is added to its parameters.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub async fn call<M: BotAppMethod>(
        &self,
        request: &M,
    ) -> Result<Response<M::Output>, Error<M::ErrorCode>> {
        let token = self.token.as_ref().map(|t| t.expose_secret());
        self.client.call(&WithBot::app(token, request)).await
    }

    /// The bot `bot_id` of this application, with the same authorisation.
    #[must_use]
    pub fn bot(&self, bot_id: u64) -> Bot {
        Bot {
            app: self.clone(),
            id: bot_id,
        }
    }
}
