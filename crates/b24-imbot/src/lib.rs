//! Typed Bitrix24 chat-bot methods (`imbot.v2.*`, "Chatbots 2.0"), generated from `spec/imbot/`.
//!
//! Each of the 34 methods has a request type (`…Request`) implementing [`b24_core::Method`];
//! the Bot, User, Chat, Message, File and Command objects are shared types, tolerant of both
//! server revisions (33 in the code, 36 in the docs): only an object's `id` is required,
//! flags read `true`/`false`, `Y`/`N` and `1`/`0`, numbers read from strings, `[]` stands for
//! an empty object.
//!
//! The bot's identity (`botId`, and `botToken` for webhook-authorised bots) is not a field of
//! any request: requests implement [`b24_core::BotMethod`] (or [`b24_core::BotAppMethod`] for
//! the calls that only need the application's token), and a bot handle adds it to each call
//! (`b24_client::Client::bot(bot_id, token)`, or [`b24_core::WithBot`] directly).
//!
//! `Bot.update` replaces the bot's profile whole (the server stores a property left out as
//! empty), so [`BotUpdateProperties::new`] takes every property that would otherwise be wiped:
//! a partial update cannot clear fields by accident.
//!
//! Cargo features: one per method group (`bot`, `chat`, `command`, `event`, `file`,
//! `revision`; all on by default); `registry` adds `METHODS` for dispatch by name.
//!
//! ```
//! use b24_imbot::{ChatMessageSendFields, ChatMessageSendRequest};
//! let send = ChatMessageSendRequest::new("chat5".parse::<b24_core::DialogId>()?)
//!     .fields(ChatMessageSendFields::new().message("Hello"));
//! let as_bot = b24_core::WithBot::new(456, Some("bot-token"), &send);
//! assert_eq!(
//!     serde_json::to_string(&as_bot)?,
//!     r#"{"botId":456,"botToken":"bot-token","dialogId":"chat5","fields":{"message":"Hello"}}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

#[rustfmt::skip]
mod generated;

// Without any method group enabled there is nothing to re-export.
#[allow(unused_imports)]
pub use generated::*;

#[cfg(feature = "command")]
mod command_ext {
    use crate::{CommandId, Flag};

    impl Flag {
        /// The flag's value, whichever form the server sent.
        #[must_use]
        pub fn is_set(&self) -> bool {
            match self {
                Self::Bool(v) | Self::YesNo(v) => *v,
            }
        }
    }

    impl CommandId {
        /// The numeric id of one of the bot's commands; `None` for a built-in command.
        #[must_use]
        pub fn as_id(&self) -> Option<u64> {
            match self {
                Self::Id(id) => Some(*id),
                Self::Builtin(text) => text.parse().ok(),
            }
        }
    }
}

#[cfg(all(feature = "event", feature = "events"))]
mod event_ext {
    use b24_core::{DecodeError, Delivery};

    use crate::{Event, EventGetEvent};

    impl EventGetEvent {
        /// The typed event of this queue entry (`Received::Other` for names the spec does not
        /// know, such as the user events `withUserEvents` adds).
        ///
        /// # Errors
        /// When the entry's data does not fit its event's type (with the JSON path).
        pub fn decode(&self) -> Result<Delivery<Event>, DecodeError> {
            let entry = serde_json::to_value(self)
                .map_err(|e| DecodeError::new("", format!("cannot re-read the entry: {e}")))?;
            Delivery::from_fetched(&entry)
        }
    }
}
