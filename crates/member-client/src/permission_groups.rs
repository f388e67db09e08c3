//! The permission-group catalog of one account (read-only).

use member_http::Method;
use member_types::{ListPermissionGroupsParams, PermissionGroup, PermissionGroupId};

use crate::call::Call;
use crate::collection::{account_handle, List, Listed};

impl Listed for PermissionGroup {
    fn list_key(&self) -> String {
        self.id.as_str().to_owned()
    }
}

account_handle!(
    /// The permission groups a policy of one account can allow or deny:
    /// `client.permission_groups(&account_id)`.
    ///
    /// ```no_run
    /// # async fn demo(client: member_client::Client, account: member_client::AccountId) -> Result<(), member_client::Error> {
    /// use futures::TryStreamExt;
    /// use member_client::ListPermissionGroupsParams;
    ///
    /// let dns: Vec<_> = client
    ///     .permission_groups(&account)
    ///     .list(ListPermissionGroupsParams::new().name("DNS")?)
    ///     .try_collect()
    ///     .await?;
    /// # let _ = dns; Ok(()) }
    /// ```
    PermissionGroups,
    ["iam", "permission_groups"]
);

impl PermissionGroups {
    /// Permission Group Details:
    /// `GET /accounts/{account_id}/iam/permission_groups/{permission_group_id}`.
    pub fn get(&self, group: &PermissionGroupId) -> Call<PermissionGroup> {
        self.collection.item(Method::GET, group)
    }

    /// List Permission Groups: `GET /accounts/{account_id}/iam/permission_groups`,
    /// filtered by exact `id`, `name` or `label`; every group across pages
    /// as a stream, or one page ([`List::page`]).
    pub fn list(
        &self,
        params: ListPermissionGroupsParams,
    ) -> List<PermissionGroup, ListPermissionGroupsParams> {
        self.collection.list(params)
    }
}
