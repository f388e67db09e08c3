//! `member_types::json::from_slice` gives what `serde_json::from_slice`
//! gives: the same value, or the same error text, for the fixtures and for
//! arbitrary documents and bytes. Run it with `--features fast-json` too: the
//! simd-json path must never accept what serde_json refuses, nor decode a
//! document differently.

use member_types::{json, Envelope, Member, Role};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

fn outcome<T: Serialize>(result: serde_json::Result<T>) -> Result<Value, String> {
    result
        .map(|v| serde_json::to_value(v).unwrap())
        .map_err(|e| e.to_string())
}

fn same_as_serde_json<T: DeserializeOwned + Serialize + 'static>(
    bytes: &[u8],
) -> Result<(), String> {
    let ours = outcome(json::from_slice::<T>(bytes));
    let theirs = outcome(serde_json::from_slice::<T>(bytes));
    if ours == theirs {
        Ok(())
    } else {
        Err(format!(
            "{}\n  json::from_slice ({}): {ours:?}\n  serde_json::from_slice: {theirs:?}",
            String::from_utf8_lossy(bytes),
            json::DECODER
        ))
    }
}

fn all_same(bytes: &[u8]) -> Result<(), String> {
    same_as_serde_json::<Envelope<Member>>(bytes)?;
    same_as_serde_json::<Envelope<Vec<Member>>>(bytes)?;
    same_as_serde_json::<Envelope<Option<Vec<Member>>>>(bytes)?;
    same_as_serde_json::<Envelope<Vec<Role>>>(bytes)?;
    same_as_serde_json::<Member>(bytes)?;
    same_as_serde_json::<Value>(bytes)
}

#[test]
fn fixtures_and_edge_cases_decode_alike() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/responses");
    let mut docs: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert!(docs.len() >= 5);
    for text in [
        "",
        " ",
        "null",
        "{}",
        "[]",
        r#"{"success":true}"#,
        r#"{"success":true} x"#,
        r#"{"success":true}  "#,
        r#"{"success":true,"result":{"id":"a","status":"\ud83d\ude80"}}"#,
        r#"{"success":true,"result":{"id":"\ud800"}}"#,
        r#"{"success":true,"result":{"id":"\u0000\n\t\"\\\/"}}"#,
        r#"{"success":true,"result":{"email":"ünïcødé 名前"}}"#,
        r#"{"success":1}"#,
        r#"{"success":true,"success":true}"#,
        r#"{"success":true,"errors":[{"code":1e3,"message":"m"}]}"#,
        r#"{"success":true,"errors":[{"code":-0,"message":"m"}]}"#,
        r#"{"success":true,"errors":[{"code":18446744073709551616,"message":"m"}]}"#,
        r#"{"success":true,"result_info":{"page":1.0,"per_page":20.0,"count":-1}}"#,
        r#"{"success":true,"result_info":{"page":1.5}}"#,
        r#"{"success":true,"result":{"x":[1.7976931348623157e308,-1e-400,0.1,123456789012345678901234567890]}}"#,
        r#"{"success":true,"result":{"x":01}}"#,
        r#"{"success":true,"result":{"x":1.}}"#,
        r#"{"success":true,"result":{"x":.5}}"#,
        r#"{"success":true,"result":{"x":NaN}}"#,
        r#"{"success":true,"result":{"x":"tab	inside"}}"#,
        r#"{"success":true,"result":{"x":"\x"}}"#,
        r#"{"success":true,"result":{"x":[1,]}}"#,
        r#"{"success":true,"result":{"x":{"a":1,}}}"#,
        r##"{"success":true,"result":{"roles":[{"id":"r","name":"n","description":"d","permissions":["#zones:read"]}]}}"##,
    ] {
        docs.push(text.as_bytes().to_vec());
    }
    docs.push(b"{\"success\":true,\"result\":{\"id\":\"\xff\"}}".to_vec());
    docs.push(format!("{}{}", "[".repeat(200), "]".repeat(200)).into_bytes());
    for depth in [125, 126, 127, 128] {
        docs.push(
            format!(
                r#"{{"success":true,"result":{{"x":{}1{}}}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            )
            .into_bytes(),
        );
        docs.push(format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes());
        docs.push(
            format!(
                r#"{{"success":true,"result":{{"id":"a","deep":{}1{}}}}}"#,
                "[".repeat(depth + 100),
                "]".repeat(depth + 100)
            )
            .into_bytes(),
        );
    }
    for number in [
        "-0",
        "-0.0",
        "-0e1",
        "[-0]",
        "{\"a\":-0}",
        "\"2024-05-01\"",
        "-01",
    ] {
        docs.push(format!(r#"{{"success":true,"result":{{"x":{number}}}}}"#).into_bytes());
        docs.push(number.as_bytes().to_vec());
    }
    let failures: Vec<String> = docs.iter().filter_map(|d| all_same(d).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("success".to_owned()),
                    Just("errors".to_owned()),
                    Just("messages".to_owned()),
                    Just("result".to_owned()),
                    Just("result_info".to_owned()),
                    Just("code".to_owned()),
                    Just("id".to_owned()),
                    Just("roles".to_owned()),
                    Just("policies".to_owned()),
                    Just("permissions".to_owned()),
                    Just("status".to_owned()),
                    Just("user".to_owned()),
                    Just("email".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A seed-shaped envelope with some values replaced by arbitrary JSON, so
/// that the typed paths are exercised deeply, not only refused at the top.
fn arb_envelope() -> impl Strategy<Value = Value> {
    let seed: Value = serde_json::from_str(include_str!(
        "../../../fixtures/responses/update-member-seed.json"
    ))
    .unwrap();
    let pointers = [
        "/success",
        "/errors/0/code",
        "/errors/0/source",
        "/result/id",
        "/result/status",
        "/result/roles/0/permissions",
        "/result/roles/0/permissions/dns",
        "/result/policies/0/resource_groups/0/scope",
        "/result/policies/0/permission_groups/0/meta",
        "/result/user",
        "/result/user/two_factor_authentication_enabled",
    ];
    (0..pointers.len(), arb_json(), any::<bool>()).prop_map(move |(i, replacement, compact)| {
        let mut doc = seed.clone();
        if let Some(slot) = doc.pointer_mut(pointers[i]) {
            *slot = replacement;
        }
        json!({ "compact": compact, "doc": doc })
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_json_decodes_alike(doc in arb_json(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_vec_pretty(&doc).unwrap()
        } else {
            serde_json::to_vec(&doc).unwrap()
        };
        prop_assert!(all_same(&text).is_ok(), "{}", all_same(&text).unwrap_err());
    }

    #[test]
    fn mutated_envelopes_decode_alike(case in arb_envelope()) {
        let text = if case["compact"] == json!(true) {
            serde_json::to_vec(&case["doc"]).unwrap()
        } else {
            serde_json::to_vec_pretty(&case["doc"]).unwrap()
        };
        prop_assert!(all_same(&text).is_ok(), "{}", all_same(&text).unwrap_err());
    }

    #[test]
    fn arbitrary_bytes_decode_alike(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        prop_assert!(all_same(&bytes).is_ok(), "{}", all_same(&bytes).unwrap_err());
    }

    #[test]
    fn truncated_and_corrupted_seed_decodes_alike(cut in 0usize..3241, byte in any::<u8>()) {
        let seed = include_bytes!("../../../fixtures/responses/update-member-seed.json");
        let cut = cut.min(seed.len());
        prop_assert!(all_same(&seed[..cut]).is_ok(), "{}", all_same(&seed[..cut]).unwrap_err());
        let mut corrupted = seed.to_vec();
        if cut < corrupted.len() {
            corrupted[cut] = byte;
        }
        prop_assert!(all_same(&corrupted).is_ok(), "{}", all_same(&corrupted).unwrap_err());
    }
}
