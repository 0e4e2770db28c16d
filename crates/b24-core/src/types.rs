//! Hand-written value types that spec files refer to by their builtin names.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A date and time with the UTC offset the portal sent (`2026-03-02T17:45:59+02:00`).
pub type DateTime = chrono::DateTime<chrono::FixedOffset>;

/// A calendar date (`2025-12-28`): spec type `date`.
pub type Date = chrono::NaiveDate;

/// Any JSON value: spec type `json`.
pub type Json = serde_json::Value;

/// Which dialog a call is about: spec type `dialog_id`.
///
/// On the wire it is a string: `chat<N>` for a group chat, `sg<N>` for a workgroup chat,
/// `crm<N>` for a CRM chat (accepted by the server although undocumented), or a bare user id
/// for a private dialog. [`Display`](fmt::Display) and [`FromStr`] round-trip exactly; prefixes
/// are read case-insensitively, as the server does.
///
/// ```
/// use b24_core::DialogId;
/// let id: DialogId = "chat2935".parse()?;
/// assert_eq!(id, DialogId::Chat(2935));
/// assert_eq!(id.to_string(), "chat2935");
/// assert_eq!("17".parse::<DialogId>()?, DialogId::User(17));
/// assert!("chat".parse::<DialogId>().is_err());
/// # Ok::<(), b24_core::ParseDialogIdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DialogId {
    /// A group chat, `chat<N>`.
    Chat(u64),
    /// A workgroup (project) chat, `sg<N>`.
    Workgroup(u64),
    /// A chat bound to a CRM entity, `crm<N>`.
    Crm(u64),
    /// A private dialog with the user of this id.
    User(u64),
}

impl DialogId {
    /// The numeric part of the id.
    #[must_use]
    pub const fn number(self) -> u64 {
        match self {
            Self::Chat(n) | Self::Workgroup(n) | Self::Crm(n) | Self::User(n) => n,
        }
    }
}

impl fmt::Display for DialogId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Chat(n) => write!(f, "chat{n}"),
            Self::Workgroup(n) => write!(f, "sg{n}"),
            Self::Crm(n) => write!(f, "crm{n}"),
            Self::User(n) => write!(f, "{n}"),
        }
    }
}

/// The text was not a dialog id (`chat<N>`, `sg<N>`, `crm<N>` or a user id).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a dialog id: expected `chat<N>`, `sg<N>`, `crm<N>` or a user id")]
pub struct ParseDialogIdError {
    text: String,
}

impl FromStr for DialogId {
    type Err = ParseDialogIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseDialogIdError { text: s.to_owned() };
        let digits = |rest: &str| -> Result<u64, ParseDialogIdError> {
            if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            rest.parse::<u64>().map_err(|_| err())
        };
        let lower = s.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("chat") {
            Ok(Self::Chat(digits(rest)?))
        } else if let Some(rest) = lower.strip_prefix("sg") {
            Ok(Self::Workgroup(digits(rest)?))
        } else if let Some(rest) = lower.strip_prefix("crm") {
            Ok(Self::Crm(digits(rest)?))
        } else {
            Ok(Self::User(digits(&lower)?))
        }
    }
}

impl From<u64> for DialogId {
    /// A private dialog with user `id`.
    fn from(id: u64) -> Self {
        Self::User(id)
    }
}

impl Serialize for DialogId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DialogId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DialogId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a dialog id (`chat<N>`, `sg<N>`, `crm<N>` or a user id)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DialogId, E> {
                Ok(DialogId::User(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DialogId, E> {
                u64::try_from(v)
                    .map(DialogId::User)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DialogId, E> {
                v.parse()
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A day of the year without a year (`DD-MM` on the wire), as user birthdays are sent:
/// spec type `day_month`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DayMonth {
    /// Day of the month, 1..=31.
    pub day: u8,
    /// Month, 1..=12.
    pub month: u8,
}

impl fmt::Display for DayMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.day, self.month)
    }
}

/// The text was not a `DD-MM` day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a `DD-MM` day")]
pub struct ParseDayMonthError {
    text: String,
}

impl FromStr for DayMonth {
    type Err = ParseDayMonthError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseDayMonthError { text: s.to_owned() };
        let (day, month) = s.split_once('-').ok_or_else(err)?;
        let day: u8 = day.parse().map_err(|_| err())?;
        let month: u8 = month.parse().map_err(|_| err())?;
        if !(1..=31).contains(&day) || !(1..=12).contains(&month) {
            return Err(err());
        }
        Ok(Self { day, month })
    }
}

impl Serialize for DayMonth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DayMonth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DayMonth;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a `DD-MM` day such as \"28-12\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DayMonth, E> {
                v.parse()
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A value of an open enum that this crate did not know when it was generated.
///
/// It is opaque on purpose: compare [`as_str`](Self::as_str) with the value you expect, so that
/// code keeps working when a later release adds a variant for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(Box<str>);

impl UnknownValue {
    /// The value as the server sent it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reserved for generated code.
    #[doc(hidden)]
    #[must_use]
    pub fn __new(value: &str) -> Self {
        Self(value.into())
    }
}

/// An error code that this crate did not know when it was generated (opaque, like
/// [`UnknownValue`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownCode(Box<str>);

impl UnknownCode {
    /// The code as the server sent it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reserved for generated code.
    #[doc(hidden)]
    #[must_use]
    pub fn __new(code: &str) -> Self {
        Self(code.into())
    }
}

/// Decodes the text of an open enum value; numbers are accepted as their decimal text.
/// Used by the `Deserialize` impls of generated enums.
///
/// # Errors
/// When the wire value is neither a string nor a number.
#[doc(hidden)]
pub fn deserialize_open_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    <crate::wire::Str as crate::wire::Codec<String>>::decode(deserializer)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dialog_id_round_trips_every_form() {
        for (text, id) in [
            ("chat2935", DialogId::Chat(2935)),
            ("sg12", DialogId::Workgroup(12)),
            ("crm7", DialogId::Crm(7)),
            ("1269", DialogId::User(1269)),
        ] {
            assert_eq!(text.parse::<DialogId>().unwrap(), id);
            assert_eq!(id.to_string(), text);
        }
        assert_eq!("CHAT5".parse::<DialogId>().unwrap(), DialogId::Chat(5));
    }

    #[test]
    fn dialog_id_rejects_bad_text() {
        for bad in [
            "",
            "chat",
            "chat-1",
            "group5",
            "12a",
            "sg 1",
            "-3",
            "chat99999999999999999999",
        ] {
            let err = bad.parse::<DialogId>().unwrap_err();
            assert!(
                err.to_string().contains("is not a dialog id"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn dialog_id_json() {
        assert_eq!(
            serde_json::to_string(&DialogId::Chat(1)).unwrap(),
            r#""chat1""#
        );
        assert_eq!(
            serde_json::from_str::<DialogId>("17").unwrap(),
            DialogId::User(17)
        );
        assert!(serde_json::from_str::<DialogId>(r#""nope""#).is_err());
    }

    #[test]
    fn day_month() {
        let d: DayMonth = "05-11".parse().unwrap();
        assert_eq!((d.day, d.month), (5, 11));
        assert_eq!(d.to_string(), "05-11");
        assert!("32-01".parse::<DayMonth>().is_err());
        assert!("".parse::<DayMonth>().is_err());
    }
}

/// The new text of an edited message (`im.message.update` `MESSAGE`): spec type `message_text`.
///
/// The server deletes a message whose new text is empty. So that no one deletes a message by
/// sending an empty string by accident, [`MessageText::new`] refuses text that is empty after
/// trimming (the server trims it), and deleting by an empty text has its own constructor,
/// [`MessageText::delete_message`], which sends `""` on purpose.
///
/// ```
/// use b24_core::MessageText;
/// assert_eq!(MessageText::new("fixed typo")?.as_str(), "fixed typo");
/// assert!(MessageText::new("  ").is_err());
/// assert!(MessageText::delete_message().deletes());
/// # Ok::<(), b24_core::EmptyMessageText>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageText(String);

/// [`MessageText::new`] was given text that is empty after trimming, which would delete the
/// message; use [`MessageText::delete_message`] to do that on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "an empty message text deletes the message; use `MessageText::delete_message()` to do that"
)]
pub struct EmptyMessageText;

impl MessageText {
    /// New text for the message.
    ///
    /// # Errors
    /// [`EmptyMessageText`] when the text is empty after trimming.
    pub fn new(text: impl Into<String>) -> Result<Self, EmptyMessageText> {
        let text = text.into();
        if text.trim().is_empty() {
            return Err(EmptyMessageText);
        }
        Ok(Self(text))
    }

    /// The empty text, which makes the server delete the message instead of editing it.
    #[must_use]
    pub const fn delete_message() -> Self {
        Self(String::new())
    }

    /// Whether sending this text deletes the message.
    #[must_use]
    pub fn deletes(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// The text as sent.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for MessageText {
    type Error = EmptyMessageText;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        Self::new(text)
    }
}

impl TryFrom<String> for MessageText {
    type Error = EmptyMessageText;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(text)
    }
}

impl Serialize for MessageText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MessageText {
    /// Any text, the empty one included: what was sent is what was meant.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}
