//! The resource groups of one account: named scopes that policies apply to.

use futures::stream::{self, StreamExt, TryStreamExt};
use member_http::Method;
use member_types::{
    CreateResourceGroup, Deleted, ListParams, ListResourceGroupsParams, Paging, ResourceGroup,
    ResourceGroupId, UpdateResourceGroup, PER_PAGE_MAX, PER_PAGE_MIN,
};

use crate::call::Call;
use crate::collection::{account_handle, Listed};
use crate::paginate::{paginate, ItemStream, Page};
use crate::Error;

impl Listed for ResourceGroup {
    fn list_key(&self) -> String {
        self.id.as_str().to_owned()
    }
}

account_handle!(
    /// The resource groups of one account: `client.resource_groups(&account_id)`.
    ///
    /// ```no_run
    /// # async fn demo(client: member_client::Client, account: member_client::AccountId) -> Result<(), member_client::Error> {
    /// use futures::TryStreamExt;
    /// use member_client::{CreateResourceGroup, ListResourceGroupsParams, Scope};
    ///
    /// let groups = client.resource_groups(&account);
    /// let all: Vec<_> = groups.list(ListResourceGroupsParams::new()).try_collect().await?;
    /// let everything = groups
    ///     .create(CreateResourceGroup::new("Everything", Scope::account(&account)?)?)
    ///     .await?;
    /// # let _ = (all, everything); Ok(()) }
    /// ```
    ResourceGroups,
    ["iam", "resource_groups"]
);

impl ResourceGroups {
    /// Resource Group Details:
    /// `GET /accounts/{account_id}/iam/resource_groups/{resource_group_id}`.
    pub fn get(&self, group: &ResourceGroupId) -> Call<ResourceGroup> {
        self.collection.item(Method::GET, group)
    }

    /// Create Resource Group: `POST /accounts/{account_id}/iam/resource_groups`
    /// (retried only when it certainly was not processed).
    pub fn create(&self, body: CreateResourceGroup) -> Call<ResourceGroup> {
        self.collection
            .call(Method::POST)
            .body(body.scope.validate_request().map(|()| body))
    }

    /// Update Resource Group:
    /// `PUT /accounts/{account_id}/iam/resource_groups/{resource_group_id}`.
    pub fn update(
        &self,
        group: &ResourceGroupId,
        body: UpdateResourceGroup,
    ) -> Call<ResourceGroup> {
        self.collection
            .item(Method::PUT, group)
            .body(body.validate().map(|()| body))
    }

    /// Delete Resource Group:
    /// `DELETE /accounts/{account_id}/iam/resource_groups/{resource_group_id}`.
    pub fn delete(&self, group: &ResourceGroupId) -> Call<Option<Deleted>> {
        self.collection.item(Method::DELETE, group)
    }

    /// List Resource Groups: every group matching `params`.
    ///
    /// The current API answers with a single page and older versions page,
    /// so the first request carries no paging (unless `params` sets some);
    /// only when its `result_info` says `total_count` is more than what came
    /// does the stream go on, from page 2 at the server's page size.
    pub fn list(&self, params: ListResourceGroupsParams) -> ItemStream<ResourceGroup> {
        let collection = self.collection.clone();
        stream::once(async move {
            let first: Page<ResourceGroup> = collection.list(params.clone()).page().await?;
            let rest = match remaining_pages(&first, &params)? {
                Some(paging) => paginate(params.with_paging(paging), move |p| {
                    collection.list::<ResourceGroup, _>(p).page()
                }),
                None => stream::empty().boxed(),
            };
            Ok::<_, Error>(stream::iter(first.items.into_iter().map(Ok)).chain(rest))
        })
        .try_flatten()
        .boxed()
    }
}

/// Where a stream goes on after a first answer, if its totals say there is
/// more: page 2 at the server's page size.
fn remaining_pages(
    first: &Page<ResourceGroup>,
    params: &ListResourceGroupsParams,
) -> Result<Option<Paging>, Error> {
    let received = first.items.len() as u64;
    let Some(info) = &first.result_info else {
        return Ok(None);
    };
    let Some(total) = info.total_count.filter(|total| *total > received) else {
        return Ok(None);
    };
    let page = params.paging().page().unwrap_or(1);
    let per_page = info
        .per_page
        .and_then(|p| u32::try_from(p).ok())
        .filter(|p| (PER_PAGE_MIN..=PER_PAGE_MAX).contains(p))
        .filter(|p| u64::from(*p) == received)
        .ok_or_else(|| {
            Error::protocol(format!(
                "the server reports {total} resource groups but sent {received} \
                 without a page size this client can continue with"
            ))
        })?;
    let paging = Paging::new()
        .with_page(page.saturating_add(1))
        .and_then(|p| p.with_per_page(per_page))?;
    Ok(Some(paging))
}
