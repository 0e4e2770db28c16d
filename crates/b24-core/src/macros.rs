//! The boilerplate every generated error-code enum and open enum shares, written once.
//!
//! Generated code declares the enum itself (with its documentation) and then invokes one of
//! these macros with the wire spelling of each variant, so the impls are not repeated in every
//! generated file. Not a public API: the macros follow the generator.

/// Methods and traits of a generated error-code enum: `as_str`, `http_statuses`, `messages`,
/// `From<&str>`, `Display` and [`crate::ErrorCode`]. The enum's last variants must be
/// `System(SystemErrorCode)` and `Unknown(UnknownCode)`.
#[doc(hidden)]
#[macro_export]
macro_rules! error_code_impls {
    ($name:ident { $($variant:ident = $code:literal [$($status:literal),+] [$($message:literal),*]),* $(,)? }) => {
        impl $name {
            /// The code as the server spells it.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $code,)*
                    Self::System(code) => code.as_str(),
                    Self::Unknown(code) => code.as_str(),
                }
            }

            /// The HTTP statuses the server answers this code with, the usual one first;
            /// empty for a code this crate does not know.
            #[must_use]
            pub fn http_statuses(&self) -> &'static [u16] {
                match self {
                    $(Self::$variant => &[$($status),+],)*
                    Self::System(code) => code.http_statuses(),
                    Self::Unknown(_) => &[],
                }
            }

            /// The documented `error_description` texts (they differ between server versions
            /// and languages: never match on them); empty for a code this crate does not know.
            #[must_use]
            pub fn messages(&self) -> &'static [&'static str] {
                match self {
                    $(Self::$variant => &[$($message),*],)*
                    Self::System(code) => code.messages(),
                    Self::Unknown(_) => &[],
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(code: &str) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    _ => match $crate::SystemErrorCode::from_code(code) {
                        ::std::option::Option::Some(code) => Self::System(code),
                        ::std::option::Option::None => {
                            Self::Unknown($crate::UnknownCode::__new(code))
                        }
                    },
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::ErrorCode for $name {
            fn as_str(&self) -> &str {
                $name::as_str(self)
            }
            fn system(&self) -> ::std::option::Option<$crate::SystemErrorCode> {
                match self {
                    Self::System(code) => ::std::option::Option::Some(*code),
                    _ => ::std::option::Option::None,
                }
            }
            fn is_unknown(&self) -> bool {
                ::std::matches!(self, Self::Unknown(_))
            }
            fn http_statuses(&self) -> &'static [u16] {
                $name::http_statuses(self)
            }
            fn messages(&self) -> &'static [&'static str] {
                $name::messages(self)
            }
        }
    };
}

/// Methods and traits of a generated open enum (its last variant is `Unknown(UnknownValue)`):
/// `KNOWN`, `as_str`, `From<&str>`, `FromStr`, `Display`, and serde as the wire text.
#[doc(hidden)]
#[macro_export]
macro_rules! open_enum_impls {
    ($name:ident { $($variant:ident = $value:literal),* $(,)? }) => {
        impl $name {
            /// Every value this crate knows.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),*];

            /// The value as the server spells it.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown($crate::UnknownValue::__new(other)),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::deserialize_open_text(deserializer).map(|text| Self::from(text.as_str()))
            }
        }
    };
}

/// `Serialize` and `Deserialize` of a generated object type through its
/// [`crate::wire::Object`] impl.
#[doc(hidden)]
#[macro_export]
macro_rules! object_serde {
    ($name:ident) => {
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::wire::encode_object(self, serializer)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::wire::decode_object(deserializer)
            }
        }
    };
}
