//! Wire snapshots: the exact request member-client sends for every operation
//! (and each shape of update and add), recorded by member-mock over loopback
//! and compared with insta. Changing what goes on the wire fails here until
//! the snapshot diff is reviewed (`cargo insta review`) and committed.
//!
//! Secrets are redacted by the mock's request log; the port (`host`) and the
//! crate version in `user-agent` are redacted here.

use futures::TryStreamExt;
use member_client::{
    Access, Client, CreateMember, CreateResourceGroup, CreateUserGroup, Credentials, Direction,
    InviteStatus, ListAccountsParams, ListGroupMembersParams, ListMembersParams,
    ListPermissionGroupsParams, ListResourceGroupsParams, ListRolesParams, ListUserGroupsParams,
    MemberId, MemberOrder, MemberStatus, PermissionGroupId, PolicyId, PolicyRequest,
    ResourceGroupId, ResourceGroupRef, RoleId, Scope, UpdateMember, UpdateResourceGroup,
    UpdateUserGroup, UserGroupId, ZoneId,
};
use member_mock::{MockServer, RecordedRequest};
use serde_json::{json, Value};

use member_mock::default_seed::{
    ADMIN_ROLE, ALICE, BOB, DNS_WRITE_GROUP, EXAMPLE_COM_ZONE, JOHN_POLICY, READ_ONLY_ROLE,
    RESOURCE_GROUP, SRE_ONCALL_GROUP, ZONE_READ_GROUP,
};

/// The request as a stable JSON document: volatile values replaced.
fn wire(request: &RecordedRequest) -> Value {
    let headers: Vec<Value> = request
        .headers
        .iter()
        .map(|(name, value)| {
            let value = match name.as_str() {
                "host" => "127.0.0.1:[port]".to_owned(),
                "user-agent" => value
                    .split_once('/')
                    .map_or(value.clone(), |(product, _)| format!("{product}/[version]")),
                _ => value.clone(),
            };
            json!([name, value])
        })
        .collect();
    json!({
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "headers": headers,
        "body": request.json.clone().unwrap_or_else(|| Value::String(request.body.clone())),
    })
}

async fn setup(credentials: impl Fn(&MockServer) -> Credentials) -> (MockServer, Client) {
    let mock = MockServer::start().await;
    let client = Client::builder()
        .base_url(&mock.base_url())
        .credentials(credentials(&mock))
        .build()
        .unwrap();
    mock.clear_requests();
    (mock, client)
}

fn last(mock: &MockServer) -> Value {
    let requests = mock.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    mock.clear_requests();
    wire(&requests[0])
}

fn policy() -> PolicyRequest {
    PolicyRequest::new(
        Access::Allow,
        [PermissionGroupId::new(ZONE_READ_GROUP).unwrap()],
        [ResourceGroupId::new(RESOURCE_GROUP).unwrap()],
    )
    .unwrap()
}

#[tokio::test]
async fn members_operations_on_the_wire() {
    let (mock, client) = setup(|m| Credentials::token(m.token())).await;
    let members = client.members(mock.account_id());
    let bob = MemberId::new(BOB).unwrap();

    members.get(&bob).await.unwrap();
    insta::assert_json_snapshot!("get_member", last(&mock));

    members
        .update(
            &bob,
            UpdateMember::with_roles([RoleId::new(READ_ONLY_ROLE).unwrap()]).unwrap(),
        )
        .await
        .unwrap();
    insta::assert_json_snapshot!("update_member_with_roles", last(&mock));

    members
        .update(&bob, UpdateMember::with_policies([policy()]).unwrap())
        .await
        .unwrap();
    insta::assert_json_snapshot!("update_member_with_policies", last(&mock));

    members
        .set_policies(
            &bob,
            [policy().with_id(PolicyId::new(JOHN_POLICY).unwrap())],
        )
        .await
        .unwrap();
    insta::assert_json_snapshot!("update_member_with_policy_id", last(&mock));

    members
        .add(
            CreateMember::with_roles("new@example.com", [RoleId::new(ADMIN_ROLE).unwrap()])
                .unwrap(),
        )
        .await
        .unwrap();
    insta::assert_json_snapshot!("add_member_with_roles", last(&mock));

    members
        .add(
            CreateMember::with_policies("policy@example.com", [policy()])
                .unwrap()
                .status(InviteStatus::Pending),
        )
        .await
        .unwrap();
    insta::assert_json_snapshot!("add_member_with_policies_and_status", last(&mock));

    members.remove(&bob).await.unwrap();
    insta::assert_json_snapshot!("remove_member", last(&mock));

    members.list(ListMembersParams::new()).page().await.unwrap();
    insta::assert_json_snapshot!("list_members_default", last(&mock));

    members
        .list(
            ListMembersParams::new()
                .status(MemberStatus::Accepted)
                .order(MemberOrder::Email)
                .direction(Direction::Desc)
                .page(2)
                .unwrap()
                .per_page(5)
                .unwrap(),
        )
        .page()
        .await
        .unwrap();
    insta::assert_json_snapshot!("list_members_all_params", last(&mock));

    let _: Vec<_> = members
        .list(ListMembersParams::new())
        .try_collect()
        .await
        .unwrap();
    insta::assert_json_snapshot!("list_members_stream_first_page", last(&mock));
}

#[tokio::test]
async fn roles_operations_on_the_wire() {
    let (mock, client) = setup(|m| Credentials::token(m.token())).await;
    let roles = client.roles(mock.account_id());
    roles.get(&RoleId::new(ADMIN_ROLE).unwrap()).await.unwrap();
    insta::assert_json_snapshot!("get_role", last(&mock));
    roles
        .list(
            ListRolesParams::new()
                .page(1)
                .unwrap()
                .per_page(50)
                .unwrap(),
        )
        .page()
        .await
        .unwrap();
    insta::assert_json_snapshot!("list_roles", last(&mock));
}

#[tokio::test]
async fn each_credential_scheme_on_the_wire() {
    let (mock, client) = setup(|m| Credentials::api_key(m.email(), m.api_key())).await;
    client
        .members(mock.account_id())
        .get(&MemberId::new(BOB).unwrap())
        .await
        .unwrap();
    insta::assert_json_snapshot!("get_member_api_key", last(&mock));

    let (mock, client) = setup(|m| Credentials::user_service_key(m.user_service_key())).await;
    client
        .members(mock.account_id())
        .get(&MemberId::new(BOB).unwrap())
        .await
        .unwrap();
    insta::assert_json_snapshot!("get_member_user_service_key", last(&mock));
}

#[tokio::test]
async fn permission_groups_and_zones_on_the_wire() {
    let (mock, client) = setup(|m| Credentials::token(m.token())).await;
    let groups = client.permission_groups(mock.account_id());
    groups
        .get(&PermissionGroupId::new(DNS_WRITE_GROUP).unwrap())
        .await
        .unwrap();
    insta::assert_json_snapshot!("get_permission_group", last(&mock));
    groups
        .list(
            ListPermissionGroupsParams::new()
                .name("DNS Write")
                .unwrap()
                .label("dns_write")
                .unwrap()
                .per_page(50)
                .unwrap(),
        )
        .page()
        .await
        .unwrap();
    insta::assert_json_snapshot!("list_permission_groups_filtered", last(&mock));

    client
        .zones()
        .find_in_account(mock.account_id(), "example.com")
        .await
        .unwrap()
        .unwrap();
    insta::assert_json_snapshot!("find_zone_in_account", last(&mock));
}

#[tokio::test]
async fn resource_groups_on_the_wire() {
    let (mock, client) = setup(|m| Credentials::token(m.token())).await;
    let groups = client.resource_groups(mock.account_id());
    let _: Vec<_> = groups
        .list(ListResourceGroupsParams::new())
        .try_collect()
        .await
        .unwrap();
    insta::assert_json_snapshot!("list_resource_groups", last(&mock));

    let zone = ZoneId::new(EXAMPLE_COM_ZONE).unwrap();
    let created = groups
        .create(
            CreateResourceGroup::new(
                "example.com only",
                Scope::zones(mock.account_id(), [&zone]).unwrap(),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    insta::assert_json_snapshot!("create_resource_group", last(&mock));

    groups.get(&created.id).await.unwrap();
    insta::assert_json_snapshot!("get_resource_group", {
        ".path" => "/accounts/[account]/iam/resource_groups/[created]"
    }, last(&mock));
    groups
        .update(
            &created.id,
            UpdateResourceGroup::new()
                .name("example.com, renamed")
                .unwrap()
                .scope(Scope::zone(&zone).unwrap())
                .unwrap(),
        )
        .await
        .unwrap();
    insta::assert_json_snapshot!("update_resource_group", {
        ".path" => "/accounts/[account]/iam/resource_groups/[created]"
    }, last(&mock));
    groups.delete(&created.id).await.unwrap();
    insta::assert_json_snapshot!("delete_resource_group", {
        ".path" => "/accounts/[account]/iam/resource_groups/[created]"
    }, last(&mock));
}

#[tokio::test]
async fn a_policy_with_an_inline_scope_on_the_wire() {
    let (mock, client) = setup(|m| Credentials::token(m.token())).await;
    let zone = ZoneId::new(EXAMPLE_COM_ZONE).unwrap();
    let policy = PolicyRequest::with_refs(
        Access::Allow,
        [PermissionGroupId::new(DNS_WRITE_GROUP).unwrap()],
        [ResourceGroupRef::scope(Scope::zone(&zone).unwrap()).unwrap()],
    )
    .unwrap();
    client
        .members(mock.account_id())
        .set_policies(&MemberId::new(BOB).unwrap(), [policy])
        .await
        .unwrap();
    insta::assert_json_snapshot!("update_member_with_inline_scope", last(&mock));
}

#[tokio::test]
async fn user_groups_and_their_members_on_the_wire() {
    let (mock, client) = setup(|m| Credentials::token(m.token())).await;
    let groups = client.user_groups(mock.account_id());
    groups
        .list(ListUserGroupsParams::new().fuzzy_name("sre").unwrap())
        .page()
        .await
        .unwrap();
    insta::assert_json_snapshot!("list_user_groups_fuzzy", last(&mock));
    let sre = UserGroupId::new(SRE_ONCALL_GROUP).unwrap();
    groups.get(&sre).await.unwrap();
    insta::assert_json_snapshot!("get_user_group", last(&mock));

    let created = groups
        .create(CreateUserGroup::new("DNS editors", [policy()]).unwrap())
        .await
        .unwrap();
    insta::assert_json_snapshot!("create_user_group", last(&mock));
    let redact = "/accounts/[account]/iam/user_groups/[created]";
    groups
        .update(
            &created.id,
            UpdateUserGroup::new()
                .name("DNS editors, renamed")
                .unwrap()
                .replace_policies([policy()])
                .unwrap(),
        )
        .await
        .unwrap();
    insta::assert_json_snapshot!("update_user_group", { ".path" => redact }, last(&mock));
    groups.delete(&created.id).await.unwrap();
    insta::assert_json_snapshot!("delete_user_group", { ".path" => redact }, last(&mock));

    let members = groups.members(&sre);
    members
        .list(ListGroupMembersParams::new().fuzzy_email("bob").unwrap())
        .page()
        .await
        .unwrap();
    insta::assert_json_snapshot!("list_group_members_fuzzy", last(&mock));
    members.add([MemberId::new(ALICE).unwrap()]).await.unwrap();
    insta::assert_json_snapshot!("add_group_members", last(&mock));
    members
        .replace_all([MemberId::new(ALICE).unwrap(), MemberId::new(BOB).unwrap()])
        .await
        .unwrap();
    insta::assert_json_snapshot!("replace_group_members", last(&mock));
    members
        .remove(&MemberId::new(ALICE).unwrap())
        .await
        .unwrap();
    insta::assert_json_snapshot!("remove_group_member", last(&mock));
}

#[tokio::test]
async fn accounts_on_the_wire() {
    let (mock, client) = setup(|m| Credentials::token(m.token())).await;
    client
        .accounts()
        .list(ListAccountsParams::new().name("Example Corp").unwrap())
        .page()
        .await
        .unwrap();
    insta::assert_json_snapshot!("list_accounts_by_name", last(&mock));
}
