//! Objects read the same whatever the order of their keys: the decoders try
//! the documented order first, and every other order must give the same
//! value, the same unknown keys kept, and the same refusal of a repeated key.

use member_types::{json, Envelope, Member, Permissions, ResponseInfo};
use serde_json::{json, Map, Value};

/// The object with its keys in reverse order.
fn reversed(value: &Value) -> String {
    let Value::Object(map) = value else {
        unreachable!("an object")
    };
    let pairs: Vec<String> = map
        .iter()
        .rev()
        .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), v))
        .collect();
    format!("{{{}}}", pairs.join(","))
}

fn both<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug + 'static>(text: &str) -> T {
    let plain: T = serde_json::from_str(text).expect("serde_json reads it");
    let fast: T = json::from_slice(text.as_bytes()).expect("json::from_slice reads it");
    assert_eq!(plain, fast, "{text}");
    plain
}

#[test]
fn grants_in_any_order_with_unknown_keys_between() {
    let mut grants = Map::new();
    for (i, name) in [
        "analytics",
        "billing",
        "cache_purge",
        "dns",
        "dns_records",
        "lb",
        "logs",
        "organization",
        "ssl",
        "waf",
        "zone_settings",
        "zones",
    ]
    .iter()
    .enumerate()
    {
        grants.insert(
            (*name).to_owned(),
            json!({"read": i % 2 == 0, "write": i % 3 == 0}),
        );
        if i % 4 == 1 {
            grants.insert(format!("new_{i}"), json!({"read": true}));
        }
    }
    let forward = Value::Object(grants);
    let a: Permissions = both(&forward.to_string());
    let b: Permissions = both(&reversed(&forward));
    assert_eq!(a, b);
    assert_eq!(a.other.len(), 3);
    assert_eq!(a.dns_records.and_then(|g| g.write), Some(false));
    assert_eq!(a.zones.and_then(|g| g.read), Some(false));
    assert_eq!(a.named().len(), 12);
}

#[test]
fn a_repeated_known_key_is_refused_in_any_position() {
    for text in [
        r#"{"analytics":{"read":true},"analytics":{"read":false}}"#,
        r#"{"analytics":{"read":true},"billing":{},"analytics":{}}"#,
        r#"{"zones":{},"x":1,"zones":{}}"#,
    ] {
        assert!(serde_json::from_str::<Permissions>(text).is_err(), "{text}");
        assert!(
            json::from_slice::<Permissions>(text.as_bytes()).is_err(),
            "{text}"
        );
    }
    let info = r#"{"code":1,"message":"a","code":2}"#;
    assert!(json::from_slice::<ResponseInfo>(info.as_bytes()).is_err());
}

#[test]
fn the_seed_reads_the_same_with_every_object_reversed() {
    let seed = include_str!("../../../fixtures/responses/update-member-seed.json");
    let value: Value = serde_json::from_str(seed).unwrap();
    // serde_json's map is sorted (no preserve_order), so the reversed text
    // is written by hand, object by object.
    fn write(value: &Value) -> String {
        match value {
            Value::Object(map) => {
                let pairs: Vec<String> = map
                    .iter()
                    .rev()
                    .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), write(v)))
                    .collect();
                format!("{{{}}}", pairs.join(","))
            }
            Value::Array(items) => {
                format!(
                    "[{}]",
                    items.iter().map(write).collect::<Vec<_>>().join(",")
                )
            }
            other => other.to_string(),
        }
    }
    let forward: Envelope<Member> = both(seed);
    let backward: Envelope<Member> = both(&write(&value));
    assert_eq!(forward, backward);
}
