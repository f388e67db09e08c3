//! The user groups of one account, and each group's members.

use member_http::{HttpClient, Method, RequestOptions};
use member_types::{
    AccountId, CreateUserGroup, Deleted, GroupMember, GroupMemberList, GroupMembersBody,
    ListGroupMembersParams, ListUserGroupsParams, MemberId, UpdateUserGroup, UserGroup,
    UserGroupId,
};

use crate::call::Call;
use crate::collection::{account_handle, account_path, Collection, List, Listed};

impl Listed for UserGroup {
    fn list_key(&self) -> String {
        self.id.as_str().to_owned()
    }
}

impl Listed for GroupMember {
    fn list_key(&self) -> String {
        self.id.as_str().to_owned()
    }
}

account_handle!(
    /// The user groups of one account: `client.user_groups(&account_id)`.
    ///
    /// A group grants its policies to every member in it, on top of each
    /// member's own roles and policies.
    ///
    /// ```no_run
    /// # async fn demo(client: member_client::Client, account: member_client::AccountId) -> Result<(), member_client::Error> {
    /// use futures::TryStreamExt;
    /// use member_client::ListUserGroupsParams;
    ///
    /// let groups: Vec<_> = client
    ///     .user_groups(&account)
    ///     .list(ListUserGroupsParams::new().fuzzy_name("sre")?)
    ///     .try_collect()
    ///     .await?;
    /// # let _ = groups; Ok(()) }
    /// ```
    UserGroups,
    ["iam", "user_groups"]
);

impl UserGroups {
    /// User Group Details:
    /// `GET /accounts/{account_id}/iam/user_groups/{user_group_id}`.
    pub fn get(&self, group: &UserGroupId) -> Call<UserGroup> {
        self.collection.item(Method::GET, group)
    }

    /// List User Groups: `GET /accounts/{account_id}/iam/user_groups`, every
    /// group matching `params` across pages, or one page.
    pub fn list(&self, params: ListUserGroupsParams) -> List<UserGroup, ListUserGroupsParams> {
        self.collection.list(params)
    }

    /// Create User Group: `POST /accounts/{account_id}/iam/user_groups`
    /// (retried only when it certainly was not processed).
    pub fn create(&self, body: CreateUserGroup) -> Call<UserGroup> {
        self.collection.call(Method::POST).body(Ok(body))
    }

    /// Update User Group:
    /// `PUT /accounts/{account_id}/iam/user_groups/{user_group_id}`. Policies
    /// given in `body` replace all of the group's policies.
    pub fn update(&self, group: &UserGroupId, body: UpdateUserGroup) -> Call<UserGroup> {
        self.collection
            .item(Method::PUT, group)
            .body(body.validate().map(|()| body))
    }

    /// Delete User Group:
    /// `DELETE /accounts/{account_id}/iam/user_groups/{user_group_id}`.
    pub fn delete(&self, group: &UserGroupId) -> Call<Option<Deleted>> {
        self.collection.item(Method::DELETE, group)
    }

    /// The members of `group`.
    pub fn members(&self, group: &UserGroupId) -> GroupMembers {
        GroupMembers::new(self.collection.http(), self.account.clone(), group.clone())
            .with_options(self.collection.options().clone())
    }
}

/// The members of one user group: `client.user_groups(&account).members(&group)`.
///
/// Members are account members, named by their membership id (the one of
/// [`Members`](crate::Members)); [`Resolver::member_id`](crate::Resolver::member_id)
/// turns an email into one.
#[derive(Clone, Debug)]
pub struct GroupMembers {
    account: AccountId,
    group: UserGroupId,
    collection: Collection,
}

impl GroupMembers {
    fn new(http: HttpClient, account: AccountId, group: UserGroupId) -> Self {
        let path = account_path(&account, &["iam", "user_groups"])
            .and_then(|path| path.id(&group))
            .map(|path| path.lit("members"));
        Self {
            account,
            group,
            collection: Collection::new(http, path),
        }
    }

    /// The account of the group.
    pub fn account_id(&self) -> &AccountId {
        &self.account
    }

    /// The group.
    pub fn group_id(&self) -> &UserGroupId {
        &self.group
    }

    /// Uses these options for every call made through the returned handle.
    #[must_use]
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.collection = self.collection.with_options(options);
        self
    }

    /// List Group Members: every member across pages (`result: null`, which
    /// the API sends for an empty group, is no members), or one page.
    pub fn list(
        &self,
        params: ListGroupMembersParams,
    ) -> List<GroupMember, ListGroupMembersParams> {
        self.collection.list(params)
    }

    /// Add Group Members: `POST …/members` with the bare array
    /// `[{"id": …}]`; the others stay. Returns what the server returned
    /// (an array, or one object in some versions: always a list here).
    pub fn add(&self, members: impl IntoIterator<Item = MemberId>) -> Call<GroupMemberList> {
        let body = GroupMembersBody::new(members);
        self.collection
            .call(Method::POST)
            .body(body.validate().map(|()| body))
    }

    /// Replace Group Members: `PUT …/members` with the bare array. **This
    /// replaces the whole membership of the group**: whoever is not in
    /// `members` is removed, and an empty list empties the group. Use
    /// [`add`](Self::add) and [`remove`](Self::remove) to change one
    /// member without racing other writers.
    pub fn replace_all(
        &self,
        members: impl IntoIterator<Item = MemberId>,
    ) -> Call<GroupMemberList> {
        let body = GroupMembersBody::new(members);
        self.collection
            .call(Method::PUT)
            .body(body.validate().map(|()| body))
    }

    /// Remove Group Member: `DELETE …/members/{member_id}`; returns the
    /// removed member as the server describes it.
    pub fn remove(&self, member: &MemberId) -> Call<Option<GroupMember>> {
        self.collection.item(Method::DELETE, member)
    }
}
