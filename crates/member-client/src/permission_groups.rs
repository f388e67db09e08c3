//! The permission-group catalog of one account (read-only).

use member_http::{HttpClient, Method, RequestOptions};
use member_types::{AccountId, ListPermissionGroupsParams, PermissionGroup, PermissionGroupId};

use crate::call::Call;
use crate::collection::{account_path, Collection, List, Listed};

impl Listed for PermissionGroup {
    fn list_key(&self) -> String {
        self.id.as_str().to_owned()
    }
}

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
#[derive(Clone, Debug)]
pub struct PermissionGroups {
    account: AccountId,
    collection: Collection,
}

impl PermissionGroups {
    pub(crate) fn new(http: HttpClient, account: AccountId) -> Self {
        let path = account_path(&account, &["iam", "permission_groups"]);
        Self {
            account,
            collection: Collection::new(http, path),
        }
    }

    /// The account whose catalog this is.
    pub fn account_id(&self) -> &AccountId {
        &self.account
    }

    /// Uses these options for every call made through the returned handle.
    #[must_use]
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.collection = self.collection.with_options(options);
        self
    }

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
