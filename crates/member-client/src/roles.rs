//! The roles of one account.

use member_http::{ApiPath, HttpClient, Method, RequestOptions};
use member_types::{AccountId, ListRolesParams, Role, RoleId, ValidationError};

use crate::call::Call;
use crate::paginate::{paginate, paginate_pages, raw_id, raw_page, ItemStream, Page, PageStream};
use crate::Error;

fn roles_path(account: &AccountId, role: Option<&RoleId>) -> Result<ApiPath, ValidationError> {
    let path = ApiPath::new().lit("accounts").id(account)?.lit("roles");
    match role {
        Some(role) => path.id(role),
        None => Ok(path),
    }
}

/// The roles of one account: `client.roles(&account_id)`.
///
/// ```no_run
/// # async fn demo(client: member_client::Client, account: member_client::AccountId) -> Result<(), member_client::Error> {
/// let admin = client.roles(&account).find_by_name("Administrator Read Only").await?;
/// # let _ = admin; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Roles {
    http: HttpClient,
    account: AccountId,
    options: RequestOptions,
}

impl Roles {
    pub(crate) fn new(http: HttpClient, account: AccountId) -> Self {
        Self {
            http,
            account,
            options: RequestOptions::default(),
        }
    }

    /// The account these roles belong to.
    pub fn account_id(&self) -> &AccountId {
        &self.account
    }

    /// Uses these options for every call made through the returned handle.
    #[must_use]
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    fn call<T>(&self, role: Option<&RoleId>) -> Call<T> {
        Call::new(
            self.http.clone(),
            Method::GET,
            roles_path(&self.account, role),
            self.options.clone(),
        )
    }

    /// Role Details: `GET /accounts/{account_id}/roles/{role_id}`.
    pub fn get(&self, role: &RoleId) -> Call<Role> {
        self.call(Some(role))
    }

    /// One page of List Roles, with its `result_info`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn list_page(&self, params: &ListRolesParams) -> Result<Page<Role>, Error> {
        let response = self
            .call::<Vec<Role>>(None)
            .query(params.query_pairs())
            .send_with_response()
            .await?;
        Ok(Page::new(response.result, response.result_info))
    }

    /// Like [`list_page`](Self::list_page), keeping every role exactly as
    /// received (`serde_json::Value`s).
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn list_page_raw(
        &self,
        params: &ListRolesParams,
    ) -> Result<Page<serde_json::Value>, Error> {
        let response = self
            .call::<Vec<Role>>(None)
            .query(params.query_pairs())
            .send_raw()
            .await?;
        raw_page(response)
    }

    /// Every page of roles, each kept exactly as received, with its
    /// `result_info`. The same paging rules as [`list`](Self::list).
    pub fn list_pages_raw(&self, params: ListRolesParams) -> PageStream<serde_json::Value> {
        let roles = self.clone();
        paginate_pages(
            params,
            move |p| {
                let roles = roles.clone();
                async move { roles.list_page_raw(&p).await }
            },
            raw_id,
        )
    }

    /// Every role, across pages, as a stream (same paging rules as
    /// [`Members::list`](crate::Members::list)).
    pub fn list(&self, params: ListRolesParams) -> ItemStream<Role> {
        let roles = self.clone();
        paginate(
            params,
            move |p| {
                let roles = roles.clone();
                async move { roles.list_page(&p).await }
            },
            |r: &Role| r.id.as_str().to_owned(),
        )
    }

    /// The role with this name: an exact match if there is one, else the
    /// only case-insensitive match.
    ///
    /// # Errors
    /// The list's errors, or [`ValidationError`] when several roles match
    /// case-insensitively and none exactly.
    pub async fn find_by_name(&self, name: &str) -> Result<Option<Role>, Error> {
        use futures::TryStreamExt;

        let roles: Vec<Role> = self.list(ListRolesParams::new()).try_collect().await?;
        if let Some(exact) = roles.iter().find(|r| r.name == name) {
            return Ok(Some(exact.clone()));
        }
        let mut folded = roles
            .into_iter()
            .filter(|r| r.name.eq_ignore_ascii_case(name));
        let first = folded.next();
        if folded.next().is_some() {
            return Err(Error::Validation(ValidationError::Format {
                field: "role name",
                value: name.to_owned(),
                rule: "several roles match this name case-insensitively; give the exact name",
            }));
        }
        Ok(first)
    }
}
