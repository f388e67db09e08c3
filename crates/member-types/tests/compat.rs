//! Forward and backward compatibility with what the real API sends.

use member_types::{
    Access, Envelope, Member, MemberStatus, PermissionGrant, ResponseInfo, ResultInfo, Role,
    RolePermissions, Scopes,
};
use serde_json::{json, Value};

fn seed() -> Value {
    serde_json::from_str(include_str!(
        "../../../fixtures/responses/update-member-seed.json"
    ))
    .unwrap()
}

#[test]
fn unknown_fields_of_any_type_at_any_depth_are_accepted() {
    let extras = json!({
        "x_string": "s", "x_number": 1.5, "x_bool": true, "x_null": null,
        "x_array": [1, "a", {"deep": [null]}], "x_object": {"nested": {"more": []}}
    });
    let mut doc = seed();
    let add = |v: &mut Value| {
        for (k, x) in extras.as_object().unwrap() {
            v.as_object_mut().unwrap().insert(k.clone(), x.clone());
        }
    };
    add(&mut doc);
    add(&mut doc["result"]);
    add(&mut doc["result"]["user"]);
    add(&mut doc["result"]["roles"][0]);
    add(&mut doc["result"]["roles"][0]["permissions"]);
    add(&mut doc["result"]["roles"][0]["permissions"]["dns"]);
    add(&mut doc["result"]["policies"][0]);
    add(&mut doc["result"]["policies"][0]["permission_groups"][0]);
    add(&mut doc["result"]["policies"][0]["permission_groups"][0]["meta"]);
    add(&mut doc["result"]["policies"][0]["resource_groups"][0]);
    add(&mut doc["result"]["policies"][0]["resource_groups"][0]["scope"][0]);
    add(&mut doc["result"]["policies"][0]["resource_groups"][0]["scope"][0]["objects"][0]);
    add(&mut doc["errors"][0]);
    add(&mut doc["errors"][0]["source"]);
    let envelope: Envelope<Member> = serde_json::from_value(doc).unwrap();
    let member = envelope.result.unwrap();
    assert_eq!(member.roles[0].name, "Account Administrator");
    // Unknown keys inside permissions and meta are kept, not just tolerated.
    let RolePermissions::Grants(perms) = &member.roles[0].permissions else {
        panic!("expected grants")
    };
    assert_eq!(perms.other["x_bool"], json!(true));
    assert_eq!(
        member.policies[0].permission_groups[0]
            .meta
            .as_ref()
            .unwrap()
            .other["x_number"],
        json!(1.5)
    );
    assert_eq!(envelope.errors[0].other["x_string"], json!("s"));
}

#[test]
fn unknown_permission_key_is_kept_and_written_back() {
    let role: Role = serde_json::from_value(json!({
        "id": "r1", "name": "New", "description": "d",
        "permissions": {"dns": {"read": true}, "workers": {"read": true, "write": false}}
    }))
    .unwrap();
    let back = serde_json::to_value(&role).unwrap();
    assert_eq!(
        back["permissions"]["workers"],
        json!({"read": true, "write": false})
    );
}

#[test]
fn unknown_enum_values_are_kept_and_written_back() {
    let mut doc = seed();
    doc["result"]["status"] = json!("suspended");
    doc["result"]["policies"][0]["access"] = json!("audit");
    let envelope: Envelope<Member> = serde_json::from_value(doc.clone()).unwrap();
    let member = envelope.result.as_ref().unwrap();
    let status = member.status.as_ref().unwrap();
    assert!(status.is_unknown());
    assert_eq!(status.as_str(), "suspended");
    assert!(matches!(status, MemberStatus::Unknown(_)));
    let access = member.policies[0].access.as_ref().unwrap();
    assert!(matches!(access, Access::Unknown(v) if v.as_str() == "audit"));
    assert_eq!(serde_json::to_value(&envelope).unwrap(), doc);
}

#[test]
fn optional_fields_accept_null_and_absence() {
    let member: Member = serde_json::from_value(json!({
        "id": null, "email": null, "policies": null, "roles": null, "status": null,
        "user": {"email": "a@example.com", "id": null, "first_name": null, "last_name": null,
                 "two_factor_authentication_enabled": null}
    }))
    .unwrap();
    assert!(member.id.is_none() && member.roles.is_empty() && member.policies.is_empty());
    let empty: Member = serde_json::from_value(json!({})).unwrap();
    assert_eq!(empty, Member::default());
    let grant: PermissionGrant = serde_json::from_value(json!({"read": null})).unwrap();
    assert_eq!(grant, PermissionGrant::default());
    let envelope: Envelope<Member> = serde_json::from_value(
        json!({"success": true, "errors": null, "messages": null, "result": null}),
    )
    .unwrap();
    assert!(envelope.result.is_none() && envelope.errors.is_empty());
    let info: ResultInfo =
        serde_json::from_value(json!({"page": null, "total_pages": null})).unwrap();
    assert_eq!(info, ResultInfo::default());
}

#[test]
fn permissions_in_both_shapes_round_trip_in_the_shape_received() {
    let legacy = json!({"id": "r", "name": "n", "description": "d",
                        "permissions": ["#zones:read", "#dns_records:edit", "#workers:read"]});
    let role: Role = serde_json::from_value(legacy.clone()).unwrap();
    assert!(matches!(role.permissions, RolePermissions::Legacy(ref v) if v.len() == 3));
    assert_eq!(serde_json::to_value(&role).unwrap(), legacy);
    let grants = role.permissions.to_grants();
    assert_eq!(
        grants.zones,
        Some(PermissionGrant {
            read: Some(true),
            write: None
        })
    );
    assert_eq!(grants.dns_records, Some(PermissionGrant::new(true, true)));
    assert!(grants.other.contains_key("#workers:read"));

    let current = seed()["result"]["roles"][0].clone();
    let role: Role = serde_json::from_value(current.clone()).unwrap();
    assert!(matches!(role.permissions, RolePermissions::Grants(_)));
    assert_eq!(serde_json::to_value(&role).unwrap(), current);
}

#[test]
fn scope_as_array_or_single_object_round_trips_in_the_shape_received() {
    let mut doc = seed();
    let single = doc["result"]["policies"][0]["resource_groups"][0]["scope"][0].clone();
    doc["result"]["policies"][0]["resource_groups"][0]["scope"] = single;
    let member: Envelope<Member> = serde_json::from_value(doc.clone()).unwrap();
    let scope = &member.result.as_ref().unwrap().policies[0].resource_groups[0].scope;
    assert!(matches!(scope, Scopes::One(_)));
    assert_eq!(scope.as_slice().len(), 1);
    assert_eq!(serde_json::to_value(&member).unwrap(), doc);

    let array: Envelope<Member> = serde_json::from_value(seed()).unwrap();
    assert!(matches!(
        array.result.unwrap().policies[0].resource_groups[0].scope,
        Scopes::Many(_)
    ));
}

#[test]
fn no_string_content_is_a_decode_error() {
    let strings = [
        String::new(),
        "ünïcødé 🚀 名前".to_owned(),
        "x".repeat(500),
        "../../etc/passwd?#%2F".to_owned(),
        "\u{0}\u{1f}\n\t\"\\".to_owned(),
    ];
    for s in &strings {
        let mut doc = seed();
        let r = &mut doc["result"];
        r["id"] = json!(s);
        r["email"] = json!(s);
        r["user"]["email"] = json!(s);
        r["user"]["id"] = json!(s);
        r["user"]["first_name"] = json!(s);
        r["roles"][0]["id"] = json!(s);
        r["roles"][0]["name"] = json!(s);
        r["roles"][0]["description"] = json!(s);
        r["policies"][0]["id"] = json!(s);
        r["policies"][0]["permission_groups"][0]["id"] = json!(s);
        r["policies"][0]["permission_groups"][0]["name"] = json!(s);
        r["policies"][0]["resource_groups"][0]["id"] = json!(s);
        r["policies"][0]["resource_groups"][0]["scope"][0]["key"] = json!(s);
        doc["errors"][0]["message"] = json!(s);
        let envelope: Envelope<Member> = serde_json::from_value(doc.clone())
            .unwrap_or_else(|e| panic!("{s:?} failed to decode: {e}"));
        let member = envelope.result.as_ref().unwrap();
        // Server ids are kept as sent; building a URL from one re-checks it.
        assert_eq!(member.id.as_ref().unwrap().as_str(), s);
        assert_eq!(serde_json::to_value(&envelope).unwrap(), doc);
    }
}

#[test]
fn error_codes_above_u16_and_float_codes() {
    let info: ResponseInfo =
        serde_json::from_value(json!({"code": 81053, "message": "m"})).unwrap();
    assert_eq!(info.code, 81053);
    let info: ResponseInfo =
        serde_json::from_value(json!({"code": 10000.0, "message": "m"})).unwrap();
    assert_eq!(info.code, 10000);
    let chain: ResponseInfo = serde_json::from_value(json!({
        "code": 6003, "message": "Invalid request headers",
        "error_chain": [{"code": 6103, "message": "Invalid format for X-Auth-Key header"}]
    }))
    .unwrap();
    assert_eq!(chain.codes(), vec![6003, 6103]);
}

#[test]
fn failure_result_may_be_null_empty_array_or_missing() {
    for result in [json!(null), json!([]), json!({})] {
        let doc = json!({"success": false, "errors": [{"code": 1001, "message": "bad"}], "messages": [], "result": result});
        let e: Envelope<Value> = serde_json::from_value(doc).unwrap();
        assert!(!e.success);
        assert_eq!(e.errors[0].code, 1001);
    }
    let e: Envelope<serde::de::IgnoredAny> =
        serde_json::from_value(json!({"success": false, "errors": [], "messages": []})).unwrap();
    assert!(e.result.is_none());
}
