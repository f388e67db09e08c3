//! Property tests: every model round-trips, and decoding arbitrary JSON (or
//! arbitrary bytes) never panics.

use member_types::{
    Access, CreateMember, Envelope, InviteStatus, ListMembersParams, Member, MemberId,
    MemberStatus, PermissionGrant, PermissionGroupId, PolicyRequest, ResourceGroupId, Role, RoleId,
    UpdateMember,
};
use proptest::prelude::*;
use serde_json::{json, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("roles".to_owned()),
                    Just("policies".to_owned()),
                    Just("permissions".to_owned()),
                    Just("scope".to_owned()),
                    Just("status".to_owned()),
                    Just("result".to_owned()),
                    Just("errors".to_owned()),
                    Just("code".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{1,32}"
}

fn arb_server_string() -> impl Strategy<Value = String> {
    prop_oneof![".{0,70}", arb_id()]
}

fn arb_grant() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(
        (
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
        )
            .prop_map(|(r, w)| {
                let mut m = serde_json::Map::new();
                if let Some(r) = r {
                    m.insert("read".into(), json!(r));
                }
                if let Some(w) = w {
                    m.insert("write".into(), json!(w));
                }
                Value::Object(m)
            }),
    )
}

fn arb_role_json() -> impl Strategy<Value = Value> {
    (
        arb_server_string(),
        arb_server_string(),
        arb_server_string(),
        prop_oneof![
            prop::collection::vec(arb_grant(), 12).prop_map(|grants| {
                let names = [
                    "analytics", "billing", "cache_purge", "dns", "dns_records", "lb", "logs",
                    "organization", "ssl", "waf", "zone_settings", "zones",
                ];
                let mut m = serde_json::Map::new();
                for (name, g) in names.iter().zip(grants) {
                    if let Some(g) = g {
                        m.insert((*name).into(), g);
                    }
                }
                Value::Object(m)
            }),
            prop::collection::vec("#[a-z_]{1,10}:(read|edit)", 0..5).prop_map(|v| json!(v)),
        ],
    )
        .prop_map(|(id, name, description, permissions)| {
            json!({"id": id, "name": name, "description": description, "permissions": permissions})
        })
}

fn arb_member_json() -> impl Strategy<Value = Value> {
    (
        prop::option::of(arb_server_string()),
        prop::option::of(arb_server_string()),
        prop::collection::vec(arb_role_json(), 0..3),
        prop::option::of(prop_oneof![
            Just("accepted".to_owned()),
            Just("pending".to_owned()),
            "[a-z]{1,12}"
        ]),
        prop::option::of((
            prop_oneof![
                Just("allow".to_owned()),
                Just("deny".to_owned()),
                "[a-z]{1,8}"
            ],
            arb_server_string(),
            arb_server_string(),
            any::<bool>(),
        )),
    )
        .prop_map(|(id, email, roles, status, policy)| {
            let mut m = serde_json::Map::new();
            if let Some(id) = id {
                m.insert("id".into(), json!(id));
            }
            if let Some(email) = email {
                m.insert("email".into(), json!(email));
                m.insert("user".into(), json!({"email": email, "first_name": "F"}));
            }
            if !roles.is_empty() {
                m.insert("roles".into(), json!(roles));
            }
            if let Some(status) = status {
                m.insert("status".into(), json!(status));
            }
            if let Some((access, pg, rg, single)) = policy {
                let scope =
                    json!({"key": "com.cloudflare.api.account.x", "objects": [{"key": "k"}]});
                let scope = if single { scope } else { json!([scope]) };
                m.insert(
                    "policies".into(),
                    json!([{"access": access, "permission_groups": [{"id": pg}],
                            "resource_groups": [{"id": rg, "scope": scope}]}]),
                );
            }
            Value::Object(m)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn member_json_round_trips(doc in arb_member_json()) {
        let member: Member = serde_json::from_value(doc.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&member).unwrap(), doc);
        let again: Member = serde_json::from_value(serde_json::to_value(&member).unwrap()).unwrap();
        prop_assert_eq!(again, member);
    }

    #[test]
    fn role_json_round_trips(doc in arb_role_json()) {
        let role: Role = serde_json::from_value(doc.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&role).unwrap(), doc);
    }

    #[test]
    fn envelope_round_trips(doc in arb_member_json(), code in any::<i64>(), page in 1u64..1000) {
        let envelope = json!({
            "success": true, "errors": [], "messages": [{"code": code, "message": "m"}],
            "result": [doc], "result_info": {"page": page, "per_page": 20, "count": 1, "total_count": 1}
        });
        let decoded: Envelope<Vec<Member>> = serde_json::from_value(envelope.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&decoded).unwrap(), envelope);
    }

    #[test]
    fn request_bodies_round_trip(
        roles in prop::collection::vec(arb_id(), 1..5),
        pgs in prop::collection::vec(arb_id(), 1..3),
        rgs in prop::collection::vec(arb_id(), 1..3),
        allow in any::<bool>(),
        local in "[a-z0-9.]{1,30}",
        accepted in prop::option::of(any::<bool>()),
    ) {
        let role_ids: Vec<RoleId> = roles.iter().map(|r| RoleId::new(r.clone()).unwrap()).collect();
        let update = UpdateMember::with_roles(role_ids.clone()).unwrap();
        let text = serde_json::to_string(&update).unwrap();
        prop_assert_eq!(serde_json::from_str::<UpdateMember>(&text).unwrap(), update);

        let policy = PolicyRequest::new(
            if allow { Access::Allow } else { Access::Deny },
            pgs.iter().map(|p| PermissionGroupId::new(p.clone()).unwrap()),
            rgs.iter().map(|r| ResourceGroupId::new(r.clone()).unwrap()),
        ).unwrap();
        let update = UpdateMember::with_policies([policy.clone()]).unwrap();
        let text = serde_json::to_string(&update).unwrap();
        prop_assert_eq!(serde_json::from_str::<UpdateMember>(&text).unwrap(), update);

        let email = format!("{local}@example.com");
        let mut create = CreateMember::with_roles(email.clone(), role_ids).unwrap();
        if let Some(a) = accepted {
            create = create.status(if a { InviteStatus::Accepted } else { InviteStatus::Pending });
        }
        let text = serde_json::to_string(&create).unwrap();
        prop_assert_eq!(serde_json::from_str::<CreateMember>(&text).unwrap(), create);
        let create = CreateMember::with_policies(email, [policy]).unwrap();
        let text = serde_json::to_string(&create).unwrap();
        prop_assert_eq!(serde_json::from_str::<CreateMember>(&text).unwrap(), create);
    }

    #[test]
    fn params_round_trip(page in 1u32..10_000, per_page in 5u32..=50, status in 0usize..3) {
        let status = [MemberStatus::Accepted, MemberStatus::Pending, MemberStatus::Rejected][status].clone();
        let params = ListMembersParams::new().status(status).page(page).unwrap().per_page(per_page).unwrap();
        let text = serde_json::to_string(&params).unwrap();
        prop_assert_eq!(serde_json::from_str::<ListMembersParams>(&text).unwrap(), params);
    }

    #[test]
    fn ids_accept_exactly_the_rule(s in ".{0,40}") {
        let valid = !s.is_empty() && s.len() <= 32 && s.chars().all(|c| c.is_ascii_alphanumeric());
        prop_assert_eq!(MemberId::new(s.clone()).is_ok(), valid);
        prop_assert_eq!(serde_json::from_value::<MemberId>(json!(s)).is_ok(), valid);
    }

    #[test]
    fn decoding_arbitrary_json_never_panics(doc in arb_json()) {
        let _ = serde_json::from_value::<Envelope<Member>>(doc.clone());
        let _ = serde_json::from_value::<Envelope<Vec<Member>>>(doc.clone());
        let _ = serde_json::from_value::<Envelope<Vec<Role>>>(doc.clone());
        let _ = serde_json::from_value::<Member>(doc.clone());
        let _ = serde_json::from_value::<Role>(doc.clone());
        let _ = serde_json::from_value::<PermissionGrant>(doc.clone());
        let _ = serde_json::from_value::<UpdateMember>(doc.clone());
        let _ = serde_json::from_value::<CreateMember>(doc.clone());
        let _ = serde_json::from_value::<ListMembersParams>(doc);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = serde_json::from_slice::<Envelope<Member>>(&bytes);
        let _ = serde_json::from_slice::<UpdateMember>(&bytes);
    }
}
