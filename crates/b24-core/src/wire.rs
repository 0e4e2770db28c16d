//! Wire codecs: how each spec type travels as JSON, quirks included.
//!
//! Generated code never derives plain serde for a field; it names a codec instead: generated
//! objects implement [`Object`] with one codec per member (`w::take::<w::OrFalse<w::DateTime>,
//! _, _>(map)`), requests name it in an attribute
//! (`#[serde(with = "w::As::<w::Opt<w::Int>>")]`), where `w` is `::b24_core::wire`.
//! A codec decodes leniently (Bitrix24 servers of different versions send numbers as strings,
//! `false` or `""` for an absent value, `[]` for an empty object) and encodes the way the server
//! sends, so a decoded response re-encodes faithfully.
//!
//! Every codec is a hand-written visitor rather than `#[serde(untagged)]`, so a failure says what
//! was expected and what was found, and `serde_path_to_error` can name the JSON path.

use std::collections::BTreeMap;
use std::fmt::{self, Display};
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::value::{
    BoolDeserializer, F64Deserializer, I64Deserializer, MapAccessDeserializer, MapDeserializer,
    SeqAccessDeserializer, StrDeserializer, U64Deserializer,
};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// A rule for decoding a wire value into `T` and encoding it back.
///
/// The associated constants tell the optional wrappers ([`Opt`], [`OrNull`], [`OrFalse`],
/// [`OrEmpty`]) which "empty-looking" wire values are real values of this codec: `false` is a
/// value of [`Bool`], `""` a value of [`Str`], `{}` a value of an object codec.
pub trait Codec<T> {
    /// `false` is a real value, not "absent".
    const FALSE_IS_VALUE: bool = false;
    /// `""` is a real value, not "absent".
    const EMPTY_STR_IS_VALUE: bool = false;
    /// An object (`{...}`, even `{}`) is a real value.
    const OBJECT_IS_VALUE: bool = false;
    /// An array (`[...]`, even `[]`) is a real value.
    const ARRAY_IS_VALUE: bool = false;

    /// The value is "not sent": an object member holding it is left out when encoding.
    fn is_absent(value: &T) -> bool {
        let _ = value;
        false
    }

    /// Decodes a value.
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error>;
    /// Encodes a value the way the server sends it.
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error>;
}

/// Adapter for `#[serde(with = "::b24_core::wire::As::<C>")]`.
#[derive(Debug)]
pub struct As<C>(PhantomData<C>);

impl<C> As<C> {
    /// Decodes with codec `C`.
    ///
    /// # Errors
    /// When the wire value does not fit the codec.
    pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        C: Codec<T>,
    {
        C::decode(deserializer)
    }

    /// Encodes with codec `C`.
    ///
    /// # Errors
    /// When the serializer fails.
    pub fn serialize<S, T>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        C: Codec<T>,
    {
        C::encode(value, serializer)
    }
}

/// A [`DeserializeSeed`] that decodes one value with codec `C`.
#[derive(Debug)]
pub struct Seed<C, T>(PhantomData<(C, T)>);

impl<C, T> Seed<C, T> {
    /// A seed for codec `C`.
    #[must_use]
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<C, T> Default for Seed<C, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'de, C: Codec<T>, T> DeserializeSeed<'de> for Seed<C, T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        C::decode(deserializer)
    }
}

/// Encodes `value` with codec `C` where serde expects a [`Serialize`].
#[derive(Debug)]
pub struct Encoded<'a, C, T>(pub &'a T, PhantomData<C>);

impl<'a, C, T> Encoded<'a, C, T> {
    /// Wraps a reference for encoding.
    #[must_use]
    pub const fn new(value: &'a T) -> Self {
        Self(value, PhantomData)
    }
}

impl<C: Codec<T>, T> Serialize for Encoded<'_, C, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        C::encode(self.0, serializer)
    }
}

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

/// Text. Numbers are accepted and kept as their decimal text (the server sends some ids as
/// numbers where the docs say string).
#[derive(Debug)]
pub struct Str;

impl Codec<String> for Str {
    const EMPTY_STR_IS_VALUE: bool = true;

    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = String;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
                Ok(v.to_owned())
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
                Ok(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
                Ok(v.to_string())
            }
        }
        deserializer.deserialize_any(V)
    }

    fn encode<S: Serializer>(value: &String, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value)
    }
}

/// An integer of any width. Strings holding an integer (`"42"`) and integral floats (`42.0`) are
/// accepted; out-of-range values are an error, never silently truncated.
#[derive(Debug)]
pub struct Int;

/// Integer types the [`Int`] codec can produce.
pub trait Integer: Sized + Copy + Serialize + TryFrom<i64> + TryFrom<u64> {}
impl Integer for i32 {}
impl Integer for i64 {}
impl Integer for u8 {}
impl Integer for u16 {}
impl Integer for u32 {}
impl Integer for u64 {}

struct IntVisitor<T>(PhantomData<T>);

impl<T: Integer> Visitor<'_> for IntVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an integer that fits in {}", short_type_name::<T>())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
            #[allow(clippy::cast_possible_truncation)]
            return self.visit_i64(v as i64);
        }
        Err(E::invalid_value(de::Unexpected::Float(v), &self))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        let text = v.trim();
        if let Ok(n) = text.parse::<u64>() {
            return self.visit_u64(n);
        }
        if let Ok(n) = text.parse::<i64>() {
            return self.visit_i64(n);
        }
        Err(E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

impl<T: Integer> Codec<T> for Int {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(IntVisitor(PhantomData))
    }
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }
}

/// A floating-point number. Integers (newer servers send `"processing": 1`) and numeric strings
/// are accepted. Integral values encode as integers, as the server writes them.
#[derive(Debug)]
pub struct Float;

impl Codec<f64> for Float {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = f64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
                Ok(v)
            }
            #[allow(clippy::cast_precision_loss)]
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
                Ok(v as f64)
            }
            #[allow(clippy::cast_precision_loss)]
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
                v.trim()
                    .parse::<f64>()
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(V)
    }
    fn encode<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        if value.is_finite() && value.fract() == 0.0 && value.abs() < 9.007_199_254_740_992e15 {
            #[allow(clippy::cast_possible_truncation)]
            return serializer.serialize_i64(*value as i64);
        }
        serializer.serialize_f64(*value)
    }
}

struct BoolVisitor;

impl Visitor<'_> for BoolVisitor {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean (true/false, \"Y\"/\"N\" or 1/0)")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        match v {
            "Y" | "y" | "true" | "1" => Ok(true),
            "N" | "n" | "false" | "0" => Ok(false),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

/// A JSON boolean (`"Y"`/`"N"` and `1`/`0` are accepted on input).
#[derive(Debug)]
pub struct Bool;

impl Codec<bool> for Bool {
    const FALSE_IS_VALUE: bool = true;
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(BoolVisitor)
    }
    fn encode<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(*value)
    }
}

/// A Bitrix24 flag: `"Y"` or `"N"` on the wire, `bool` in Rust.
#[derive(Debug)]
pub struct YesNo;

impl Codec<bool> for YesNo {
    const FALSE_IS_VALUE: bool = true;
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(BoolVisitor)
    }
    fn encode<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(if *value { "Y" } else { "N" })
    }
}

/// An ISO-8601 date and time with its UTC offset (`2026-03-02T17:45:59+02:00`).
#[derive(Debug)]
pub struct DateTime;

impl Codec<crate::DateTime> for DateTime {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<crate::DateTime, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = crate::DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO-8601 datetime such as \"2026-03-02T17:45:59+02:00\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<crate::DateTime, E> {
                chrono::DateTime::parse_from_rfc3339(v.trim())
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(V)
    }
    fn encode<S: Serializer>(value: &crate::DateTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
    }
}

/// A calendar date (`2025-12-28`).
#[derive(Debug)]
pub struct Date;

impl Codec<chrono::NaiveDate> for Date {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<chrono::NaiveDate, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = chrono::NaiveDate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date such as \"2025-12-28\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<chrono::NaiveDate, E> {
                chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(V)
    }
    fn encode<S: Serializer>(value: &chrono::NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&value.format("%Y-%m-%d"))
    }
}

/// The type's own serde implementation (generated enums, [`crate::DialogId`], JSON values).
#[derive(Debug)]
pub struct Same;

impl<T: Serialize + for<'de> Deserialize<'de>> Codec<T> for Same {
    const OBJECT_IS_VALUE: bool = true;
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        T::deserialize(deserializer)
    }
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }
}

/// Any JSON value (spec type `json`): `false`, `""`, `{}` and `[]` are values like any other.
#[derive(Debug)]
pub struct Any;

impl Codec<serde_json::Value> for Any {
    const FALSE_IS_VALUE: bool = true;
    const EMPTY_STR_IS_VALUE: bool = true;
    const OBJECT_IS_VALUE: bool = true;
    const ARRAY_IS_VALUE: bool = true;
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<serde_json::Value, D::Error> {
        serde_json::Value::deserialize(deserializer)
    }
    fn encode<S: Serializer>(value: &serde_json::Value, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }
}

/// A generated object type. `[]` is read as an empty object, because PHP encodes an empty
/// associative array as `[]`.
#[derive(Debug)]
pub struct Obj;

impl<T: Serialize + for<'de> Deserialize<'de>> Codec<T> for Obj {
    const OBJECT_IS_VALUE: bool = true;
    const ARRAY_IS_VALUE: bool = true;
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
                }
                T::deserialize(MapDeserializer::<_, A::Error>::new(std::iter::empty::<(
                    &str,
                    (),
                )>()))
            }
        }
        deserializer.deserialize_any(V(PhantomData))
    }
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }
}

// ---------------------------------------------------------------------------------------------
// Containers
// ---------------------------------------------------------------------------------------------

/// A JSON array. An object with index-like keys (what PHP emits after filtering a list) is
/// accepted too, its values taken in order.
#[derive(Debug)]
pub struct List<C>(PhantomData<C>);

impl<C: Codec<T>, T> Codec<Vec<T>> for List<C> {
    const ARRAY_IS_VALUE: bool = true;
    const OBJECT_IS_VALUE: bool = true;

    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
        struct V<C, T>(PhantomData<(C, T)>);
        impl<'de, C: Codec<T>, T> Visitor<'de> for V<C, T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element_seed(Seed::<C, T>::new())? {
                    out.push(item);
                }
                Ok(out)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
                // PHP writes a filtered list as `{"0": .., "2": ..}`: keep the index order, which
                // is also the key order of such a body (and the only order a map decoded
                // through a sorted map, such as `serde_json::Value`, still knows).
                let mut out: Vec<(Option<u64>, T)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let index = key.trim().parse::<u64>().ok();
                    out.push((index, map.next_value_seed(Seed::<C, T>::new())?));
                }
                if out.iter().all(|(index, _)| index.is_some()) {
                    out.sort_by_key(|(index, _)| *index);
                }
                Ok(out.into_iter().map(|(_, item)| item).collect())
            }
        }
        deserializer.deserialize_any(V::<C, T>(PhantomData))
    }

    fn encode<S: Serializer>(value: &Vec<T>, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(value.len()))?;
        for item in value {
            seq.serialize_element(&Encoded::<C, T>::new(item))?;
        }
        seq.end()
    }
}

/// A JSON object keyed by ids or names. `[]` is read as an empty object (PHP's empty array), and
/// a non-empty array as an object keyed by position.
#[derive(Debug)]
pub struct Map<KC, VC>(PhantomData<(KC, VC)>);

impl<KC: Codec<K>, VC: Codec<V>, K: Ord, V> Codec<BTreeMap<K, V>> for Map<KC, VC> {
    const ARRAY_IS_VALUE: bool = true;
    const OBJECT_IS_VALUE: bool = true;

    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error> {
        struct Vis<KC, VC, K, V>(PhantomData<(KC, VC, K, V)>);
        impl<'de, KC: Codec<K>, VC: Codec<V>, K: Ord, V> Visitor<'de> for Vis<KC, VC, K, V> {
            type Value = BTreeMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object (or `[]` for an empty one)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key_seed(Seed::<KC, K>::new())? {
                    let value = map.next_value_seed(Seed::<VC, V>::new())?;
                    out.insert(key, value);
                }
                Ok(out)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                let mut index: u64 = 0;
                while let Some(value) = seq.next_element_seed(Seed::<VC, V>::new())? {
                    let key = KC::decode(U64Deserializer::<A::Error>::new(index))?;
                    out.insert(key, value);
                    index += 1;
                }
                Ok(out)
            }
        }
        deserializer.deserialize_any(Vis::<KC, VC, K, V>(PhantomData))
    }

    fn encode<S: Serializer>(value: &BTreeMap<K, V>, serializer: S) -> Result<S::Ok, S::Error> {
        // PHP sends an empty array as `[]`, whatever it holds when full.
        if value.is_empty() {
            return serializer.serialize_seq(Some(0))?.end();
        }
        let mut map = serializer.serialize_map(Some(value.len()))?;
        for (k, v) in value {
            map.serialize_entry(&Encoded::<KC, K>::new(k), &Encoded::<VC, V>::new(v))?;
        }
        map.end()
    }
}

/// A list sent as one comma-joined string (`"bot,email"`). On input, a JSON array is accepted
/// as well, and items are trimmed.
#[derive(Debug)]
pub struct CommaList;

impl<T> Codec<Vec<T>> for CommaList
where
    T: Display + FromStr,
    T::Err: Display,
{
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T> Visitor<'de> for V<T>
        where
            T: FromStr,
            T::Err: Display,
        {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a comma-separated list")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
                v.split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| item.parse::<T>().map_err(E::custom))
                    .collect()
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element_seed(Seed::<Str, String>::new())? {
                    out.push(item.trim().parse::<T>().map_err(de::Error::custom)?);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_any(V(PhantomData))
    }

    fn encode<S: Serializer>(value: &Vec<T>, serializer: S) -> Result<S::Ok, S::Error> {
        let mut joined = String::new();
        for (i, item) in value.iter().enumerate() {
            if i > 0 {
                joined.push(',');
            }
            joined.push_str(&item.to_string());
        }
        serializer.serialize_str(&joined)
    }
}

// ---------------------------------------------------------------------------------------------
// Absent values
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Absent {
    /// Missing key; encodes as `null` if asked (fields skip it instead).
    Missing,
    Null,
    False,
    EmptyStr,
    EmptyObject,
}

/// A value that may be missing (older servers omit fields) or `null`.
#[derive(Debug)]
pub struct Opt<C>(PhantomData<C>);
/// A value or `null`. `None` encodes as `null`.
#[derive(Debug)]
pub struct OrNull<C>(PhantomData<C>);
/// A value or `false` (Bitrix24's "not set"). `None` encodes as `false`.
#[derive(Debug)]
pub struct OrFalse<C>(PhantomData<C>);
/// A value or `""`. `None` encodes as `""`.
#[derive(Debug)]
pub struct OrEmpty<C>(PhantomData<C>);
/// A scalar value or `{}` (dates in file answers). `None` encodes as `{}`.
#[derive(Debug)]
pub struct OrEmptyObject<C>(PhantomData<C>);

struct AbsentVisitor<C, T> {
    mode: Absent,
    marker: PhantomData<(C, T)>,
}

impl<C: Codec<T>, T> AbsentVisitor<C, T> {
    fn false_is_absent(&self) -> bool {
        self.mode == Absent::False || !C::FALSE_IS_VALUE
    }
    fn empty_is_absent(&self) -> bool {
        self.mode == Absent::EmptyStr || !C::EMPTY_STR_IS_VALUE
    }
}

impl<'de, C: Codec<T>, T> Visitor<'de> for AbsentVisitor<C, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.mode {
            Absent::Missing | Absent::Null => "a value or null",
            Absent::False => "a value or `false`",
            Absent::EmptyStr => "a value or \"\"",
            Absent::EmptyObject => "a value or {}",
        })
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        C::decode(d).map(Some)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<T>, E> {
        if !v && self.false_is_absent() {
            return Ok(None);
        }
        C::decode(BoolDeserializer::<E>::new(v)).map(Some)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<T>, E> {
        C::decode(U64Deserializer::<E>::new(v)).map(Some)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<T>, E> {
        C::decode(I64Deserializer::<E>::new(v)).map(Some)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<T>, E> {
        C::decode(F64Deserializer::<E>::new(v)).map(Some)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<T>, E> {
        if v.is_empty() && self.empty_is_absent() {
            return Ok(None);
        }
        match C::decode(StrDeserializer::<E>::new(v)) {
            Ok(value) => Ok(Some(value)),
            // A form-encoded delivery (webhook events) sends `false` as "0": when "0" is not a
            // value of the codec, it is the "not set" `false`.
            Err(_) if v == "0" && self.mode == Absent::False && !C::FALSE_IS_VALUE => Ok(None),
            Err(e) => Err(e),
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        if C::OBJECT_IS_VALUE {
            return C::decode(MapAccessDeserializer::new(map)).map(Some);
        }
        // `{}` stands for "no value" where a scalar is expected (dates in some responses).
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        }
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<T>, A::Error> {
        if C::ARRAY_IS_VALUE {
            return C::decode(SeqAccessDeserializer::new(seq)).map(Some);
        }
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        Ok(None)
    }
}

fn decode_absent<'de, C: Codec<T>, T, D: Deserializer<'de>>(
    mode: Absent,
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    deserializer.deserialize_any(AbsentVisitor::<C, T> {
        mode,
        marker: PhantomData,
    })
}

fn encode_absent<C: Codec<T>, T, S: Serializer>(
    mode: Absent,
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match (value, mode) {
        (Some(v), _) => C::encode(v, serializer),
        (None, Absent::Missing | Absent::Null) => serializer.serialize_unit(),
        (None, Absent::False) => serializer.serialize_bool(false),
        (None, Absent::EmptyStr) => serializer.serialize_str(""),
        (None, Absent::EmptyObject) => {
            use serde::ser::SerializeMap as _;
            serializer.serialize_map(Some(0))?.end()
        }
    }
}

macro_rules! absent_codec {
    ($name:ident, $mode:expr) => {
        impl<C: Codec<T>, T> Codec<Option<T>> for $name<C> {
            const OBJECT_IS_VALUE: bool = C::OBJECT_IS_VALUE;
            const ARRAY_IS_VALUE: bool = C::ARRAY_IS_VALUE;
            fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
                decode_absent::<C, T, D>($mode, deserializer)
            }
            fn encode<S: Serializer>(value: &Option<T>, serializer: S) -> Result<S::Ok, S::Error> {
                encode_absent::<C, T, S>($mode, value, serializer)
            }
        }
    };
}

/// A value that may be missing (older servers omit fields) or `null`; `None` is left out when
/// encoding an object.
impl<C: Codec<T>, T> Codec<Option<T>> for Opt<C> {
    const OBJECT_IS_VALUE: bool = C::OBJECT_IS_VALUE;
    const ARRAY_IS_VALUE: bool = C::ARRAY_IS_VALUE;
    fn is_absent(value: &Option<T>) -> bool {
        value.is_none()
    }
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
        decode_absent::<C, T, D>(Absent::Missing, deserializer)
    }
    fn encode<S: Serializer>(value: &Option<T>, serializer: S) -> Result<S::Ok, S::Error> {
        encode_absent::<C, T, S>(Absent::Missing, value, serializer)
    }
}
absent_codec!(OrNull, Absent::Null);
absent_codec!(OrFalse, Absent::False);
absent_codec!(OrEmpty, Absent::EmptyStr);
absent_codec!(OrEmptyObject, Absent::EmptyObject);

/// A value whose absence (or `null`, or the "not set" spellings its codec does not take as a
/// value: `false`, `""`, `{}` for a scalar) is its empty value: `false`, `""`, `[]`, an empty
/// map, an object with every field unset. Encodes the value as it is.
#[derive(Debug)]
pub struct OrDefault<C>(PhantomData<C>);

impl<C: Codec<T>, T: Default> Codec<T> for OrDefault<C> {
    const FALSE_IS_VALUE: bool = C::FALSE_IS_VALUE;
    const EMPTY_STR_IS_VALUE: bool = C::EMPTY_STR_IS_VALUE;
    const OBJECT_IS_VALUE: bool = C::OBJECT_IS_VALUE;
    const ARRAY_IS_VALUE: bool = C::ARRAY_IS_VALUE;
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        decode_absent::<C, T, D>(Absent::Missing, deserializer).map(Option::unwrap_or_default)
    }
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        C::encode(value, serializer)
    }
}

/// A member of a sparse object whose absence means empty: decoded like [`OrDefault`], and left
/// out when encoding while it holds its empty value (the server sends only what is set).
#[derive(Debug)]
pub struct Sparse<C>(PhantomData<C>);

impl<C: Codec<T>, T: Default + PartialEq> Codec<T> for Sparse<C> {
    const FALSE_IS_VALUE: bool = C::FALSE_IS_VALUE;
    const EMPTY_STR_IS_VALUE: bool = C::EMPTY_STR_IS_VALUE;
    const OBJECT_IS_VALUE: bool = C::OBJECT_IS_VALUE;
    const ARRAY_IS_VALUE: bool = C::ARRAY_IS_VALUE;
    fn is_absent(value: &T) -> bool {
        *value == T::default()
    }
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        OrDefault::<C>::decode(deserializer)
    }
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        C::encode(value, serializer)
    }
}

// ---------------------------------------------------------------------------------------------
// Generated objects
// ---------------------------------------------------------------------------------------------

/// A generated object type, decoded and encoded member by member through each field's codec
/// (one small match per type instead of a derived visitor per type and a wrapper per field:
/// the generated crate compiles much faster). Unknown members are skipped; a missing member
/// leaves its field at its default, except the [`Object::REQUIRED`] ones.
pub trait Object: Default {
    /// Wire names of the members an object cannot do without (its identity), checked after
    /// decoding.
    const REQUIRED: &'static [&'static str];

    /// Decodes the value of the member `key` into its field; `false` when the type has no such
    /// member (the caller skips the value).
    ///
    /// # Errors
    /// When the value does not fit the field's codec.
    fn decode_member<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error>;

    /// Encodes every member the way the server sends it.
    ///
    /// # Errors
    /// When the serializer fails.
    fn encode_members<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;

    /// A sparse object with no member set: sent as `[]`, PHP's empty array.
    fn is_empty(&self) -> bool {
        false
    }
}

/// Encodes one member with codec `C`, unless the codec says the value is not sent.
///
/// # Errors
/// When the serializer fails.
pub fn put<C: Codec<T>, T, M: SerializeMap>(
    map: &mut M,
    key: &'static str,
    value: &T,
) -> Result<(), M::Error> {
    if C::is_absent(value) {
        return Ok(());
    }
    map.serialize_entry(key, &Encoded::<C, T>::new(value))
}

/// Decodes the value of the current member with codec `C`.
///
/// # Errors
/// When the value does not fit.
pub fn take<'de, C: Codec<T>, T, A: MapAccess<'de>>(map: &mut A) -> Result<T, A::Error> {
    map.next_value_seed(Seed::<C, T>::new())
}

/// A member name, borrowed from the input when it can be.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Self::Borrowed(s) => s,
            Self::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_string()))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// `Deserialize` of a generated object.
///
/// # Errors
/// When the value is not an object, a member does not fit, or a required member is missing.
pub fn decode_object<'de, T: Object, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct V<T>(PhantomData<T>);
    impl<'de, T: Object> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            let mut value = T::default();
            let mut seen: u64 = 0;
            while let Some(key) = map.next_key::<Key<'de>>()? {
                let key = key.as_str();
                if let Some(i) = T::REQUIRED.iter().position(|r| *r == key) {
                    seen |= 1 << (i % 64);
                }
                if !value.decode_member(key, &mut map)? {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            for (i, name) in T::REQUIRED.iter().enumerate() {
                if seen & (1 << (i % 64)) == 0 {
                    return Err(de::Error::missing_field(name));
                }
            }
            Ok(value)
        }
    }
    deserializer.deserialize_map(V::<T>(PhantomData))
}

/// `Serialize` of a generated object.
///
/// # Errors
/// When the serializer fails.
pub fn encode_object<T: Object, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if value.is_empty() {
        return serializer.serialize_seq(Some(0))?.end();
    }
    let mut map = serializer.serialize_map(None)?;
    value.encode_members(&mut map)?;
    map.end()
}

// ---------------------------------------------------------------------------------------------
// Values of several shapes
// ---------------------------------------------------------------------------------------------

/// The kind of a JSON value, which tells the shapes of a [`Shapes`] type apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl Kind {
    fn unexpected(self) -> de::Unexpected<'static> {
        match self {
            Self::Null => de::Unexpected::Unit,
            Self::Bool => de::Unexpected::Other("a boolean"),
            Self::Number => de::Unexpected::Other("a number"),
            Self::String => de::Unexpected::Other("a string"),
            Self::Array => de::Unexpected::Seq,
            Self::Object => de::Unexpected::Map,
        }
    }
}

/// A value servers of different versions send in different shapes (`10` or `{"ID": 10}`),
/// told apart by the kind of JSON value. Generated `one_of` types implement it; decode and
/// encode them with the [`Shaped`] codec.
pub trait Shapes: Sized {
    /// What the error says was expected (`"an integer or an object"`).
    const EXPECTING: &'static str;
    /// `false` is a value of one of the shapes (not "absent" inside an optional wrapper).
    const FALSE_IS_VALUE: bool = false;
    /// `""` is a value of one of the shapes.
    const EMPTY_STR_IS_VALUE: bool = false;
    /// Decodes a value of this kind, or says that no shape has it (`None`).
    ///
    /// # Errors
    /// When the shape chosen by the kind does not fit.
    fn decode_kind<'de, D: Deserializer<'de>>(
        kind: Kind,
        deserializer: D,
    ) -> Option<Result<Self, D::Error>>;
    /// Encodes the value in its own shape.
    ///
    /// # Errors
    /// When the serializer fails.
    fn encode_shape<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
}

/// An object read whole, for [`Shapes`] types whose object shapes are told apart by a key
/// (`{"ID": 10}` or a whole chat with `id`): the key decides, then the object is decoded as
/// that shape. A `[]` is an empty object, as PHP sends it.
#[derive(Debug)]
pub struct Buffered(serde_json::Map<String, serde_json::Value>);

impl Buffered {
    /// Reads an object (or `[]`).
    ///
    /// # Errors
    /// When the value is not an object.
    pub fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Object(map) => Ok(Self(map)),
            serde_json::Value::Array(items) if items.is_empty() => Ok(Self(serde_json::Map::new())),
            _ => Err(de::Error::invalid_type(
                de::Unexpected::Other("not an object"),
                &"an object",
            )),
        }
    }

    /// The first of `keys` the object has.
    #[must_use]
    pub fn pick(&self, keys: &[&'static str]) -> Option<&'static str> {
        keys.iter().copied().find(|key| self.0.contains_key(*key))
    }

    /// Decodes the object with codec `C`; an error names the path inside it.
    ///
    /// # Errors
    /// When the object does not fit.
    pub fn decode<C: Codec<T>, T, E: de::Error>(self) -> Result<T, E> {
        let mut track = serde_path_to_error::Track::new();
        let value = serde_json::Value::Object(self.0);
        C::decode(serde_path_to_error::Deserializer::new(value, &mut track)).map_err(|e| {
            let path = track.path().to_string();
            if path.is_empty() || path == "." {
                E::custom(e)
            } else {
                E::custom(format_args!("at `{path}`: {e}"))
            }
        })
    }
}

/// The codec of a [`Shapes`] type.
#[derive(Debug)]
pub struct Shaped;

struct ShapedVisitor<T>(PhantomData<T>);

impl<T: Shapes> ShapedVisitor<T> {
    fn pick<'de, D: Deserializer<'de>>(kind: Kind, deserializer: D) -> Result<T, D::Error> {
        T::decode_kind(kind, deserializer).unwrap_or_else(|| {
            Err(de::Error::invalid_type(
                kind.unexpected(),
                &ShapedVisitor::<T>(PhantomData),
            ))
        })
    }
}

impl<'de, T: Shapes> Visitor<'de> for ShapedVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Self::pick(Kind::Null, de::value::UnitDeserializer::<E>::new())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        Self::pick(Kind::Bool, BoolDeserializer::<E>::new(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Self::pick(Kind::Number, U64Deserializer::<E>::new(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Self::pick(Kind::Number, I64Deserializer::<E>::new(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        Self::pick(Kind::Number, F64Deserializer::<E>::new(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Self::pick(Kind::String, StrDeserializer::<E>::new(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        Self::pick(Kind::Array, SeqAccessDeserializer::new(seq))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        Self::pick(Kind::Object, MapAccessDeserializer::new(map))
    }
}

impl<T: Shapes> Codec<T> for Shaped {
    const FALSE_IS_VALUE: bool = T::FALSE_IS_VALUE;
    const EMPTY_STR_IS_VALUE: bool = T::EMPTY_STR_IS_VALUE;
    const OBJECT_IS_VALUE: bool = true;
    const ARRAY_IS_VALUE: bool = true;
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(ShapedVisitor::<T>(PhantomData))
    }
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.encode_shape(serializer)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Probe {
        #[serde(default, with = "As::<Opt<Int>>")]
        n: Option<u32>,
        #[serde(default, with = "As::<OrFalse<DateTime>>")]
        at: Option<crate::DateTime>,
        #[serde(default, with = "As::<OrNull<Str>>")]
        s: Option<String>,
        #[serde(default, with = "As::<Opt<Map<Int, Int>>>")]
        m: Option<BTreeMap<u64, u32>>,
        #[serde(default, with = "As::<Opt<List<Float>>>")]
        f: Option<Vec<f64>>,
        #[serde(default, with = "As::<OrNull<Bool>>")]
        b: Option<bool>,
    }

    fn probe(json: &str) -> Result<Probe, String> {
        let de = &mut serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(de).map_err(|e| format!("{}: {}", e.path(), e.inner()))
    }

    #[test]
    fn numbers_as_strings_and_floats_as_ints() {
        let p = probe(r#"{"n":"42","f":[1,"2.5",3.0]}"#).unwrap();
        assert_eq!(p.n, Some(42));
        assert_eq!(p.f, Some(vec![1.0, 2.5, 3.0]));
    }

    #[test]
    fn false_and_empty_values_mean_absent() {
        let p = probe(r#"{"n":false,"at":false,"s":null,"m":[],"b":false}"#).unwrap();
        assert_eq!(p.n, None);
        assert_eq!(p.at, None);
        assert_eq!(p.s, None);
        assert_eq!(p.m, Some(BTreeMap::new()));
        assert_eq!(p.b, Some(false), "false is a value of a boolean field");
        let p = probe(r#"{"at":{},"s":""}"#).unwrap();
        assert_eq!(p.at, None, "`{{}}` where a date is absent");
        assert_eq!(
            p.s,
            Some(String::new()),
            "\"\" is a value of a string field"
        );
    }

    #[test]
    fn datetime_where_false_documented_and_round_trip() {
        let json = r#"{"at":"2026-03-02T17:45:59+02:00","f":[1,2.5],"m":{"1317":1}}"#;
        let p = probe(json).unwrap();
        assert!(p.at.is_some());
        let back = serde_json::to_value(&p).unwrap();
        assert_eq!(back["at"], "2026-03-02T17:45:59+02:00");
        assert_eq!(back["f"], serde_json::json!([1, 2.5]));
        assert_eq!(back["m"], serde_json::json!({"1317": 1}));
        assert_eq!(back["n"], serde_json::Value::Null);
    }

    #[test]
    fn errors_name_the_path_and_what_was_found() {
        let err = probe(r#"{"f":[1,true]}"#).unwrap_err();
        assert!(
            err.starts_with("f[1]: invalid type: boolean `true`"),
            "{err}"
        );
        let err = probe(r#"{"at":"yesterday"}"#).unwrap_err();
        assert!(
            err.contains("at: invalid value: string \"yesterday\""),
            "{err}"
        );
        let err = probe(r#"{"n":-1}"#).unwrap_err();
        assert!(err.contains("fits in u32"), "{err}");
        let err = probe(r#"{"at":{"date":"x"}}"#).unwrap_err();
        assert!(err.starts_with("at: invalid type: map"), "{err}");
    }

    #[test]
    fn optional_json_keeps_every_value() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct P {
            #[serde(default, with = "As::<Opt<Any>>")]
            v: Option<serde_json::Value>,
        }
        for text in ["false", "\"\"", "[]", "[1,2]", "{}", "{\"a\":1}", "0"] {
            let p: P = serde_json::from_str(&format!("{{\"v\":{text}}}")).unwrap();
            assert_eq!(p.v, Some(serde_json::from_str(text).unwrap()), "{text}");
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("{{\"v\":{text}}}")
            );
        }
        let p: P = serde_json::from_str(r#"{"v":null}"#).unwrap();
        assert_eq!(p.v, None);
    }

    #[test]
    fn comma_list_joins_and_splits() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct P {
            #[serde(with = "As::<CommaList>")]
            v: Vec<String>,
        }
        let p: P = serde_json::from_str(r#"{"v":"bot, email,,"}"#).unwrap();
        assert_eq!(p.v, ["bot", "email"]);
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"v":"bot,email"}"#);
    }

    #[test]
    fn yes_no_flag() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct P {
            #[serde(with = "As::<YesNo>")]
            v: bool,
        }
        assert_eq!(
            serde_json::to_string(&P { v: true }).unwrap(),
            r#"{"v":"Y"}"#
        );
        assert!(!serde_json::from_str::<P>(r#"{"v":"N"}"#).unwrap().v);
        assert!(serde_json::from_str::<P>(r#"{"v":"maybe"}"#).is_err());
    }
}
