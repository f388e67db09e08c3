//! The members resource of one account.

use member_http::{ApiPath, HttpClient, Method, RequestOptions};
use member_types::{
    AccountId, CreateMember, ListMembersParams, Member, MemberId, PolicyRequest, RoleId,
    UpdateMember, ValidationError,
};
use serde::{Deserialize, Serialize};

use crate::call::Call;
use crate::paginate::{paginate, paginate_pages, raw_id, raw_page, ItemStream, Page, PageStream};
use crate::{Error, ErrorKind};

/// Builds `/accounts/{account_id}/members[/{member_id}]` from checked ids.
fn members_path(
    account: &AccountId,
    member: Option<&MemberId>,
) -> Result<ApiPath, ValidationError> {
    let path = ApiPath::new().lit("accounts").id(account)?.lit("members");
    match member {
        Some(member) => path.id(member),
        None => Ok(path),
    }
}

/// A member's identity for the pagination guard: its id, or empty.
fn member_key(member: &Member) -> String {
    member
        .id
        .as_ref()
        .map(|id| id.as_str().to_owned())
        .unwrap_or_default()
}

/// What Remove Member returns: the removed membership's id, when the server
/// sends one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Removed {
    /// Membership identifier of the removed member.
    #[serde(default)]
    pub id: Option<String>,
}

/// The members of one account: `client.members(&account_id)`.
///
/// Cheap to clone; every clone shares the client's connection pool.
///
/// ```no_run
/// use member_client::{Client, MemberId, RoleId};
///
/// # async fn demo() -> Result<(), member_client::Error> {
/// let client = Client::from_env()?;
/// let members = client.members(&"023e105f4ecef8ad9ca31a8372d0c353".parse()?);
/// let member_id: MemberId = "4536bcfad5faccb111b47003c79917fa".parse()?;
/// let updated = members
///     .set_roles(&member_id, ["3536bcfad5faccb999b47003c79917fb".parse::<RoleId>()?])
///     .await?;
/// println!("{:?}", updated.role_ids());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Members {
    http: HttpClient,
    account: AccountId,
    options: RequestOptions,
}

impl Members {
    pub(crate) fn new(http: HttpClient, account: AccountId) -> Self {
        Self {
            http,
            account,
            options: RequestOptions::default(),
        }
    }

    /// The account these members belong to.
    pub fn account_id(&self) -> &AccountId {
        &self.account
    }

    /// Uses these options (timeout, retries, deadline, headers) for every call
    /// made through the returned handle, pages of [`list`](Self::list)
    /// included.
    #[must_use]
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// A handle whose calls give up, unsent, once `token` is cancelled.
    pub(crate) fn with_cancel(&self, token: member_http::CancelToken) -> Self {
        let mut members = self.clone();
        members.options.cancel = Some(token);
        members
    }

    fn call<T>(&self, method: Method, member: Option<&MemberId>) -> Call<T> {
        Call::new(
            self.http.clone(),
            method,
            members_path(&self.account, member),
            self.options.clone(),
        )
    }

    /// Member Details: `GET /accounts/{account_id}/members/{member_id}`.
    pub fn get(&self, member: &MemberId) -> Call<Member> {
        self.call(Method::GET, Some(member))
    }

    /// Like [`get`](Self::get), but a 404 is `Ok(None)`.
    ///
    /// # Errors
    /// Every error but "not found".
    pub async fn get_opt(&self, member: &MemberId) -> Result<Option<Member>, Error> {
        match self.get(member).await {
            Ok(member) => Ok(Some(member)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Update Member: `PUT /accounts/{account_id}/members/{member_id}` with
    /// exactly one of roles or policies. Returns the member as updated.
    pub fn update(&self, member: &MemberId, body: UpdateMember) -> Call<Member> {
        self.call(Method::PUT, Some(member))
            .body(body.validate().map(|()| body))
    }

    /// Replaces the member's roles with these (at least one).
    pub fn set_roles(
        &self,
        member: &MemberId,
        roles: impl IntoIterator<Item = RoleId>,
    ) -> Call<Member> {
        self.call(Method::PUT, Some(member))
            .body(UpdateMember::with_roles(roles))
    }

    /// Replaces the member's policies with these (at least one).
    pub fn set_policies(
        &self,
        member: &MemberId,
        policies: impl IntoIterator<Item = PolicyRequest>,
    ) -> Call<Member> {
        self.call(Method::PUT, Some(member))
            .body(UpdateMember::with_policies(policies))
    }

    /// Add Member: `POST /accounts/{account_id}/members`. Returns what the
    /// server returned, which has been seen to omit `roles`; use
    /// [`add_and_fetch`](Self::add_and_fetch) for the complete member.
    ///
    /// A POST is retried only when it certainly was not processed (a connect
    /// failure or a 429), so an invitation is never sent twice.
    pub fn add(&self, body: CreateMember) -> Call<Member> {
        self.call(Method::POST, None)
            .body(body.validate().map(|()| body))
    }

    /// Adds a member, then reads it back with a GET, so the result carries
    /// the roles and policies the POST response may omit.
    ///
    /// # Errors
    /// The POST's errors; if the POST succeeded but returned no id, or the
    /// GET fails, an error whose message says the member *was* added.
    pub async fn add_and_fetch(&self, body: CreateMember) -> Result<Member, Error> {
        let added = self.add(body).await?;
        let Some(id) = added.id.clone() else {
            return Err(Error::protocol(
                "the member was added, but the response has no id to read it back with",
            ));
        };
        self.get(&id).await
    }

    /// Remove Member: `DELETE /accounts/{account_id}/members/{member_id}`.
    pub fn remove(&self, member: &MemberId) -> Call<Option<Removed>> {
        self.call(Method::DELETE, Some(member))
    }

    /// One page of List Members, with its `result_info`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn list_page(&self, params: &ListMembersParams) -> Result<Page<Member>, Error> {
        let response = self
            .call::<Vec<Member>>(Method::GET, None)
            .query(params.query_pairs())
            .send_with_response()
            .await?;
        Ok(Page::new(response.result, response.result_info))
    }

    /// Like [`list_page`](Self::list_page), keeping every member exactly as
    /// received (`serde_json::Value`s), for callers that print the API's
    /// result verbatim: values this version does not know survive.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn list_page_raw(
        &self,
        params: &ListMembersParams,
    ) -> Result<Page<serde_json::Value>, Error> {
        let response = self
            .call::<Vec<Member>>(Method::GET, None)
            .query(params.query_pairs())
            .send_raw()
            .await?;
        raw_page(response)
    }

    /// Every page of members matching `params`, each kept exactly as
    /// received, with its `result_info` (for progress reports). The same
    /// paging rules as [`list`](Self::list).
    pub fn list_pages_raw(&self, params: ListMembersParams) -> PageStream<serde_json::Value> {
        let members = self.clone();
        paginate_pages(
            params,
            move |p| {
                let members = members.clone();
                async move { members.list_page_raw(&p).await }
            },
            raw_id,
        )
    }

    /// Every member matching `params`, across pages, as a stream.
    ///
    /// Starts at `params`' page (or 1) and asks for 50 per page unless
    /// `params` says otherwise. Ends on the server's `total_pages`, else its
    /// `total_count`, else the first short page, so no request is spent on
    /// an empty page when the server gives totals; fails (rather than loop)
    /// when the server answers with the wrong page or repeats a page.
    ///
    /// ```no_run
    /// # async fn demo(members: member_client::Members) -> Result<(), member_client::Error> {
    /// use futures::TryStreamExt;
    /// use member_client::{ListMembersParams, MemberStatus};
    ///
    /// let pending: Vec<_> = members
    ///     .list(ListMembersParams::new().status(MemberStatus::Pending))
    ///     .try_collect()
    ///     .await?;
    /// # let _ = pending; Ok(()) }
    /// ```
    pub fn list(&self, params: ListMembersParams) -> ItemStream<Member> {
        let members = self.clone();
        paginate(
            params,
            move |p| {
                let members = members.clone();
                async move { members.list_page(&p).await }
            },
            member_key,
        )
    }

    /// The member with this email (compared case-insensitively, top-level
    /// `email` or the user's), reading pages only until it is found.
    ///
    /// # Errors
    /// A malformed email (nothing is sent), or the list's errors.
    pub async fn find_by_email(&self, email: &str) -> Result<Option<Member>, Error> {
        use futures::TryStreamExt;

        member_types::check_email(email)?;
        let mut stream = self.list(ListMembersParams::new());
        while let Some(member) = stream.try_next().await? {
            if member
                .email()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
            {
                return Ok(Some(member));
            }
        }
        Ok(None)
    }
}
