//! Small serde helpers for what the real API sends.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// Reads a list that the server may send as `null` (or omit, with
/// `#[serde(default)]`) as an empty list.
pub(crate) fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// An integer that may arrive as an integer-valued JSON float (`20.0`).
struct IntVisitor;

impl Visitor<'_> for IntVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer (an integer-valued number such as 20.0 is accepted)")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom(format!("integer {v} is too large")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        integral(v).ok_or_else(|| E::custom(format!("expected an integer, found {v}")))
    }
}

/// The integer an integer-valued float in `i64`'s range stands for (`20.0`
/// is 20); `None` for any other float.
pub(crate) fn integral(v: f64) -> Option<i64> {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_precision_loss,
        reason = "the value is checked to be integral and in range first"
    )]
    if v.fract() == 0.0 && v >= i64::MIN as f64 && v <= i64::MAX as f64 {
        Some(v as i64)
    } else {
        None
    }
}

/// Deserializes an `i64` that may be written as `20.0`.
pub(crate) fn lenient_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(IntVisitor)
}

/// Deserializes an optional count that may be written as `20.0` or as a
/// string of digits (`"3"`, as the audit log's `result_info.count` is in the
/// 2026 spec); `null` allowed.
pub(crate) fn lenient_opt_count<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Count {
        Number(#[serde(deserialize_with = "lenient_i64")] i64),
        Text(String),
    }
    match Option::<Count>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Count::Number(n)) => u64::try_from(n)
            .map(Some)
            .map_err(|_| de::Error::custom(format!("expected a non-negative count, found {n}"))),
        Some(Count::Text(t)) => t
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("expected a count, found {t:?}"))),
    }
}

/// Deserializes an optional `u64` (`null` allowed) that may be written as `20.0`.
pub(crate) fn lenient_opt_u64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    struct OptVisitor;
    impl<'de> Visitor<'de> for OptVisitor {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative integer or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            let v = d.deserialize_any(IntVisitor)?;
            u64::try_from(v).map(Some).map_err(|_| {
                de::Error::custom(format!("expected a non-negative integer, found {v}"))
            })
        }
    }
    deserializer.deserialize_option(OptVisitor)
}

// ---------------------------------------------------------------------------
// Hand-written map visitors for the structs that keep unknown keys.
//
// `#[serde(flatten)]` on a map makes serde buffer every key and value of the
// object into an intermediate tree before the struct sees any of them, then
// deserialize the known fields out of that tree: several allocations per key.
// The visitors below read each key once, match it against the known names
// without allocating, decode known values directly, and collect the rest into
// the `other` map, which keeps the derive's behaviour (unknown keys kept as
// `serde_json::Value`, last duplicate of an unknown key wins, a duplicate known
// key is an error, only objects are accepted).

/// A key of an object whose unknown keys are kept: the index of a known field,
/// or the unknown key itself.
pub(crate) enum Key {
    /// A known field, by its index in the `fields` list.
    Known(usize),
    /// Any other key, owned for the `other` map.
    Other(String),
}

/// Reads one object key, matching it against `fields`.
///
/// Servers send an object's keys in one order, the documented one: `next`,
/// the field after the previous known key, is tried first, so that a key in
/// that order costs one comparison; any other key falls back to a scan.
pub(crate) struct KeySeed {
    fields: &'static [&'static str],
    next: usize,
}

impl KeySeed {
    /// A seed for the key after a known key at `previous` (`None` for the
    /// first key, or after an unknown one).
    pub(crate) fn new(fields: &'static [&'static str], previous: Option<usize>) -> Self {
        Self {
            fields,
            next: previous.map_or(0, |i| i + 1),
        }
    }

    fn classify(&self, key: &str) -> Option<usize> {
        if self.fields.get(self.next).is_some_and(|name| *name == key) {
            return Some(self.next);
        }
        // Compare lengths first: most candidates differ there.
        self.fields
            .iter()
            .position(|name| name.len() == key.len() && *name == key)
    }
}

impl<'de> de::DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match self.classify(v) {
            Some(i) => Key::Known(i),
            None => Key::Other(v.to_owned()),
        })
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
        Ok(match self.classify(&v) {
            Some(i) => Key::Known(i),
            None => Key::Other(v),
        })
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key, E> {
        match std::str::from_utf8(v) {
            Ok(s) => self.visit_str(s),
            Err(_) => Ok(Key::Other(String::from_utf8_lossy(v).into_owned())),
        }
    }
}

/// Tracks which known fields were seen, to refuse duplicates as the derive
/// does.
#[derive(Default)]
pub(crate) struct Seen(u32);

impl Seen {
    /// Marks field `index`; an error naming it if it was already seen.
    pub(crate) fn mark<E: de::Error>(
        &mut self,
        fields: &'static [&'static str],
        index: usize,
    ) -> Result<(), E> {
        let bit = 1u32 << index;
        if self.0 & bit != 0 {
            return Err(E::duplicate_field(fields[index]));
        }
        self.0 |= bit;
        Ok(())
    }

    /// Whether field `index` was seen.
    pub(crate) fn has(&self, index: usize) -> bool {
        self.0 & (1u32 << index) != 0
    }
}

/// [`lenient_i64`] as a type, for `next_value`.
pub(crate) struct LenientI64(pub(crate) i64);

impl<'de> Deserialize<'de> for LenientI64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        lenient_i64(deserializer).map(Self)
    }
}

/// [`null_as_empty`] as a type, for `next_value`.
pub(crate) struct NullAsEmpty<T>(pub(crate) Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for NullAsEmpty<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        null_as_empty(deserializer).map(Self)
    }
}
