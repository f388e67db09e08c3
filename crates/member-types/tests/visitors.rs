//! The hand-written `Deserialize` impls of the structs that keep unknown keys
//! (`Permissions`, `Meta`, `ResponseInfo`, `Source`) behave exactly like the
//! `#[derive(Deserialize)]` + `#[serde(flatten)]` they replace: same values,
//! and the same error text, on hand-picked and on arbitrary JSON (duplicate
//! keys included).

use std::collections::BTreeMap;

use member_types::{Meta, Permissions, ResponseInfo, Source};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};

/// The derive-based originals, field for field.
mod reference {
    use super::*;

    /// A copy of member-types' private `lenient_i64`.
    fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        struct IntVisitor;
        impl serde::de::Visitor<'_> for IntVisitor {
            type Value = i64;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an integer (an integer-valued number such as 20.0 is accepted)")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
                Ok(v)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
                i64::try_from(v).map_err(|_| E::custom(format!("integer {v} is too large")))
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i64, E> {
                if v.fract() == 0.0 && v >= i64::MIN as f64 && v <= i64::MAX as f64 {
                    Ok(v as i64)
                } else {
                    Err(E::custom(format!("expected an integer, found {v}")))
                }
            }
        }
        d.deserialize_any(IntVisitor)
    }

    fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
    }

    #[derive(Serialize, Deserialize)]
    pub struct Meta {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub key: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub value: Option<String>,
        #[serde(flatten)]
        pub other: BTreeMap<String, Value>,
    }

    #[derive(Serialize, Deserialize)]
    pub struct Source {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub pointer: Option<String>,
        #[serde(flatten)]
        pub other: BTreeMap<String, Value>,
    }

    #[derive(Serialize, Deserialize)]
    pub struct ResponseInfo {
        #[serde(deserialize_with = "lenient_i64")]
        pub code: i64,
        #[serde(default)]
        pub message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub documentation_url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub source: Option<Source>,
        #[serde(
            default,
            deserialize_with = "null_as_empty",
            skip_serializing_if = "Vec::is_empty"
        )]
        pub error_chain: Vec<ResponseInfo>,
        #[serde(flatten)]
        pub other: BTreeMap<String, Value>,
    }

    #[derive(Serialize, Deserialize)]
    pub struct PermissionGrant {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub read: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub write: Option<bool>,
    }

    macro_rules! permissions {
        ($($name:ident),+) => {
            #[derive(Serialize, Deserialize)]
            pub struct Permissions {
                $(
                    #[serde(default, skip_serializing_if = "Option::is_none")]
                    pub $name: Option<PermissionGrant>,
                )+
                #[serde(flatten)]
                pub other: BTreeMap<String, Value>,
            }
        };
    }
    permissions!(
        analytics,
        billing,
        cache_purge,
        dns,
        dns_records,
        lb,
        logs,
        organization,
        ssl,
        waf,
        zone_settings,
        zones
    );
}

/// Decodes `doc` with both impls (from text, as the client does) and
/// compares: both fail with the same message, or both give the same JSON
/// back.
fn same<Ours, Theirs>(doc: &str) -> Result<(), String>
where
    Ours: DeserializeOwned + Serialize,
    Theirs: DeserializeOwned + Serialize,
{
    let ours = serde_json::from_str::<Ours>(doc)
        .map(|v| serde_json::to_value(v).unwrap())
        .map_err(|e| e.to_string());
    let theirs = serde_json::from_str::<Theirs>(doc)
        .map(|v| serde_json::to_value(v).unwrap())
        .map_err(|e| e.to_string());
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        (Err(a), Err(b)) if a == b => Ok(()),
        _ => Err(format!(
            "{doc}\n  hand-written: {ours:?}\n  derived:      {theirs:?}"
        )),
    }
}

fn all_same(doc: &str) -> Result<(), String> {
    same::<Meta, reference::Meta>(doc)?;
    same::<Source, reference::Source>(doc)?;
    same::<ResponseInfo, reference::ResponseInfo>(doc)?;
    same::<Permissions, reference::Permissions>(doc)
}

#[test]
fn hand_picked_documents_decode_alike() {
    let docs = [
        "{}",
        "null",
        "[]",
        r#"["k","v"]"#,
        r#""text""#,
        "1",
        r#"{"key":"k","value":"v"}"#,
        r#"{"key":null,"value":null,"other":{"a":1}}"#,
        r#"{"key":"k","key":"k2"}"#,
        r#"{"x":1,"x":2}"#,
        r#"{"key":1}"#,
        r#"{"pointer":"/a","extra":[1,{"b":null}],"n":-1.5e300}"#,
        r#"{"pointer":"/a","pointer":"/b"}"#,
        r#"{"code":1000,"message":"m"}"#,
        r#"{"code":"1000","message":"m"}"#,
        r#"{"code":1000.0}"#,
        r#"{"code":1000.5}"#,
        r#"{"code":18446744073709551615}"#,
        r#"{"code":-5,"message":null}"#,
        r#"{"message":"no code"}"#,
        r#"{"code":1,"code":2}"#,
        r#"{"code":6003,"error_chain":[{"code":6103,"message":"x","type":"t"}],"type":"y"}"#,
        r#"{"code":1,"error_chain":null,"source":null,"documentation_url":null}"#,
        r#"{"code":1,"error_chain":[{}]}"#,
        r#"{"code":1,"source":{"pointer":"/p","more":true}}"#,
        r#"{"code":1,"source":"nope"}"#,
        r#"{"dns":{"read":true},"workers":{"read":true,"write":false}}"#,
        r#"{"dns":null,"zones":{"read":null,"write":true,"extra":1}}"#,
        r#"{"dns":{"read":true},"dns":{"read":false}}"#,
        r#"{"dns":"yes"}"#,
        r#"{"analytics":{},"billing":{},"cache_purge":{},"dns":{},"dns_records":{},"lb":{},"logs":{},"organization":{},"ssl":{},"waf":{},"zone_settings":{},"zones":{},"z":null}"#,
        r#"{"\u0064ns":{"read":true},"k\"ey":1}"#,
        r#"{"key":"v","#,
    ];
    let failures: Vec<String> = docs.iter().filter_map(|d| all_same(d).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The seeds' response decodes to the same JSON through both.
#[test]
fn seed_errors_decode_alike() {
    let seed: Value = serde_json::from_str(include_str!(
        "../../../fixtures/responses/update-member-seed.json"
    ))
    .unwrap();
    let error = seed["errors"][0].to_string();
    all_same(&error).unwrap();
    let perms = seed["result"]["roles"][0]["permissions"].to_string();
    all_same(&perms).unwrap();
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        Just(json!(7.0)),
        ".{0,8}".prop_map(Value::String),
    ];
    let key = prop_oneof![
        Just("key".to_owned()),
        Just("value".to_owned()),
        Just("pointer".to_owned()),
        Just("code".to_owned()),
        Just("message".to_owned()),
        Just("documentation_url".to_owned()),
        Just("source".to_owned()),
        Just("error_chain".to_owned()),
        Just("dns".to_owned()),
        Just("zones".to_owned()),
        Just("read".to_owned()),
        Just("other".to_owned()),
        "[a-z_]{1,6}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|pairs| {
                // Build the text by hand so that duplicate keys survive.
                Value::String(format!(
                    "\u{0}{{{}}}",
                    pairs
                        .iter()
                        .map(|(k, v)| format!("{}:{}", json!(k), text(v)))
                        .collect::<Vec<_>>()
                        .join(",")
                ))
            }),
        ]
    })
}

/// JSON text of a generated value: strings starting with NUL are raw object
/// text (possibly with duplicate keys).
fn text(value: &Value) -> String {
    match value {
        Value::String(s) if s.starts_with('\u{0}') => s[1..].to_owned(),
        Value::Array(items) => {
            format!("[{}]", items.iter().map(text).collect::<Vec<_>>().join(","))
        }
        other => other.to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_documents_decode_alike(doc in arb_json()) {
        let doc = text(&doc);
        prop_assert!(all_same(&doc).is_ok(), "{}", all_same(&doc).unwrap_err());
    }
}
