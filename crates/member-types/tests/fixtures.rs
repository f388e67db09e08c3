//! Every fixture round-trips, matches its insta snapshot and validates
//! against the exported JSON Schema; invalid examples are refused by both the
//! Rust side and the schema.
//!
//! Round-trip equality is JSON equality up to key order, with one documented
//! normalisation: an optional field sent as `null` is written back as absent
//! (both mean "not set" in this API).

use std::path::{Path, PathBuf};

use member_types::{
    Account, CreateMember, Envelope, GroupMember, ListMembersParams, Member, PermissionGroup,
    ResourceGroup, Role, UpdateMember, UserGroup, Zone,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schema(file: &str) -> Value {
    let text = std::fs::read_to_string(root().join("schemas").join(file))
        .unwrap_or_else(|e| panic!("schemas/{file}: {e} (run `cargo xtask schema`)"));
    serde_json::from_str(&text).unwrap()
}

fn validator(file: &str) -> jsonschema::Validator {
    jsonschema::validator_for(&schema(file)).unwrap()
}

fn drop_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, drop_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(drop_nulls).collect()),
        other => other,
    }
}

/// Decodes `json` as `T`, re-encodes it, and checks the two agree.
fn round_trip<T: DeserializeOwned + Serialize + std::fmt::Debug>(name: &str, json: &Value) -> T {
    let model: T = serde_json::from_value(json.clone())
        .unwrap_or_else(|e| panic!("{name} does not decode: {e}"));
    let back = serde_json::to_value(&model).unwrap();
    assert_eq!(
        drop_nulls(back),
        drop_nulls(json.clone()),
        "{name} does not round-trip"
    );
    model
}

fn assert_valid(schema_file: &str, name: &str, json: &Value) {
    let validator = validator(schema_file);
    let errors: Vec<String> = validator.iter_errors(json).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{name} is invalid against {schema_file}: {errors:#?}"
    );
}

fn assert_invalid(schema_file: &str, name: &str, json: &Value) {
    assert!(
        !validator(schema_file).is_valid(json),
        "{name} should be refused by {schema_file}"
    );
}

#[test]
fn response_fixtures_round_trip_validate_and_snapshot() {
    insta::glob!("../../../fixtures/responses", "*.json", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let (schema_file, debug) = if name.starts_with("list-members") {
            let m = round_trip::<Envelope<Vec<Member>>>(&name, &json);
            ("member-list-envelope.json", format!("{m:#?}"))
        } else if name.starts_with("role-list") {
            let m = round_trip::<Envelope<Vec<Role>>>(&name, &json);
            ("role-list-envelope.json", format!("{m:#?}"))
        } else if name.starts_with("permission-group-list") {
            let m = round_trip::<Envelope<Vec<PermissionGroup>>>(&name, &json);
            ("permission-group-list-envelope.json", format!("{m:#?}"))
        } else if name.starts_with("resource-group-list") {
            let m = round_trip::<Envelope<Vec<ResourceGroup>>>(&name, &json);
            ("resource-group-list-envelope.json", format!("{m:#?}"))
        } else if name.starts_with("resource-group") {
            let m = round_trip::<Envelope<ResourceGroup>>(&name, &json);
            ("resource-group-envelope.json", format!("{m:#?}"))
        } else if name.starts_with("account-list") {
            let m = round_trip::<Envelope<Vec<Account>>>(&name, &json);
            ("account-list-envelope.json", format!("{m:#?}"))
        } else if name.starts_with("user-group-members") {
            let m = round_trip::<Envelope<Vec<GroupMember>>>(&name, &json);
            ("group-member-list-envelope.json", format!("{m:#?}"))
        } else if name.starts_with("user-group") {
            let m = round_trip::<Envelope<UserGroup>>(&name, &json);
            ("user-group-envelope.json", format!("{m:#?}"))
        } else if name.starts_with("zone-list") {
            // Zones keep only what a lookup needs: the round trip is of
            // those keys.
            let m: Envelope<Vec<Zone>> = serde_json::from_value(json.clone()).unwrap();
            ("zone-list-envelope.json", format!("{m:#?}"))
        } else if name.starts_with("audit-log") {
            // The spec's audit envelope has no `messages`, which ours
            // writes back as []: the entries must round-trip whole.
            let m: Envelope<Vec<member_types::AuditLog>> =
                serde_json::from_value(json.clone()).unwrap();
            assert_eq!(
                serde_json::to_value(&m.result).unwrap(),
                json["result"],
                "{name}: every key of every entry is kept"
            );
            let info = m.result_info.as_ref().unwrap();
            assert!(info.next_cursor().is_some(), "{name}: the cursor is read");
            ("audit-log-list-envelope.json", format!("{m:#?}"))
        } else if name.starts_with("failure") {
            let m = round_trip::<Envelope<Value>>(&name, &json);
            ("envelope.json", format!("{m:#?}"))
        } else {
            let m = round_trip::<Envelope<Member>>(&name, &json);
            ("member-envelope.json", format!("{m:#?}"))
        };
        assert_valid(schema_file, &name, &json);
        insta::assert_snapshot!(debug);
    });
}

#[test]
fn request_fixtures_round_trip_validate_and_snapshot() {
    insta::glob!("../../../fixtures/requests", "*.json", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let wrapped: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(wrapped["$comment"]
            .as_str()
            .unwrap()
            .contains("cargo xtask fixtures"));
        let body = &wrapped["body"];
        let schema_file = wrapped["schema"].as_str().unwrap();
        let debug = match schema_file {
            "update-member.json" => format!("{:#?}", round_trip::<UpdateMember>(&name, body)),
            "create-member.json" => format!("{:#?}", round_trip::<CreateMember>(&name, body)),
            other => panic!("{name}: unexpected schema {other}"),
        };
        assert_valid(schema_file, &name, body);
        insta::assert_snapshot!(debug);
    });
}

#[test]
fn seed_example_is_the_documented_response() {
    // The committed fixture is the seeds' example, byte for byte as JSON.
    let seed = root().join("../shared/reference/examples/update-member-response.json");
    if let Ok(text) = std::fs::read_to_string(&seed) {
        let fixture =
            std::fs::read_to_string(root().join("fixtures/responses/update-member-seed.json"))
                .unwrap();
        let a: Value = serde_json::from_str(&text).unwrap();
        let b: Value = serde_json::from_str(&fixture).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn invalid_examples_are_refused_by_rust_and_schema() {
    let long_id = "a".repeat(33);
    let cases: Vec<(&str, Value)> = vec![
        (
            "update-member.json",
            serde_json::json!({"roles": [{"id": long_id}]}),
        ),
        (
            "update-member.json",
            serde_json::json!({
                "roles": [{"id": "3536bcfad5faccb999b47003c79917fb"}],
                "policies": [{
                    "access": "allow",
                    "permission_groups": [{"id": "c8fed203ed3043cba015a93ad1616f1f"}],
                    "resource_groups": [{"id": "6d7f2f5f5b1d4a0e9081fdc98d432fd1"}]
                }]
            }),
        ),
        ("update-member.json", serde_json::json!({"roles": []})),
        ("update-member.json", serde_json::json!({})),
        (
            "update-member.json",
            serde_json::json!({"roles": [{"id": "../x"}]}),
        ),
        (
            "update-member.json",
            serde_json::json!({"policies": [{
                "access": "maybe",
                "permission_groups": [{"id": "c8fed203ed3043cba015a93ad1616f1f"}],
                "resource_groups": [{"id": "6d7f2f5f5b1d4a0e9081fdc98d432fd1"}]
            }]}),
        ),
    ];
    for (schema_file, json) in &cases {
        assert!(
            serde_json::from_value::<UpdateMember>(json.clone()).is_err(),
            "Rust accepted {json}"
        );
        assert_invalid(schema_file, &json.to_string(), json);
    }

    let create_cases = vec![
        serde_json::json!({"email": "a@example.com", "roles": ["3536bcfad5faccb999b47003c79917fb"], "policies": [{
            "access": "allow",
            "permission_groups": [{"id": "c8fed203ed3043cba015a93ad1616f1f"}],
            "resource_groups": [{"id": "6d7f2f5f5b1d4a0e9081fdc98d432fd1"}]
        }]}),
        serde_json::json!({"email": "a@example.com", "roles": [{"id": "3536bcfad5faccb999b47003c79917fb"}]}),
        serde_json::json!({"email": format!("{}@example.com", "a".repeat(80)), "roles": ["3536bcfad5faccb999b47003c79917fb"]}),
        serde_json::json!({"email": "a@example.com", "roles": ["3536bcfad5faccb999b47003c79917fb"], "status": "rejected"}),
        serde_json::json!({"roles": ["3536bcfad5faccb999b47003c79917fb"]}),
    ];
    for json in &create_cases {
        assert!(
            serde_json::from_value::<CreateMember>(json.clone()).is_err(),
            "Rust accepted {json}"
        );
        assert_invalid("create-member.json", &json.to_string(), json);
    }

    for json in [
        serde_json::json!({"per_page": 51}),
        serde_json::json!({"per_page": 4}),
        serde_json::json!({"page": 0}),
        serde_json::json!({"status": "suspended"}),
        serde_json::json!({"order": "name"}),
    ] {
        assert!(
            serde_json::from_value::<ListMembersParams>(json.clone()).is_err(),
            "{json}"
        );
        assert_invalid("list-members-params.json", &json.to_string(), &json);
    }
    let ok = serde_json::json!({"per_page": 50, "page": 2, "status": "rejected", "order": "user.email", "direction": "desc"});
    assert!(serde_json::from_value::<ListMembersParams>(ok.clone()).is_ok());
    assert_valid("list-members-params.json", "valid params", &ok);
}

#[test]
fn response_schemas_accept_what_the_server_may_add() {
    // Unknown enum values and extra keys are accepted by the response
    // schemas, as they are by the models.
    let json = serde_json::json!({
        "success": true, "errors": [], "messages": [],
        "result": {"id": "x".repeat(40), "status": "suspended", "new_field": [1, {"a": null}],
                   "policies": [{"access": "audit", "permission_groups": [], "resource_groups": []}]}
    });
    assert!(serde_json::from_value::<Envelope<Member>>(json.clone()).is_ok());
    assert_valid("member-envelope.json", "extended member", &json);
}
