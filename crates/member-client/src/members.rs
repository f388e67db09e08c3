//! The members resource of one account.

use member_http::Method;
use member_types::{
    CreateMember, Deleted, ListMembersParams, Member, MemberId, PolicyRequest, RoleId, UpdateMember,
};

use crate::call::Call;
use crate::collection::{account_handle, List, Listed};
use crate::{Error, ErrorKind};

/// The form in which two emails are the same member: trimmed, ASCII letters
/// folded to lower case, every other character kept. The server's own
/// duplicate check on add folds ASCII case only, so the planner (and every
/// lookup by email) must fold the same way: a Unicode fold would match
/// emails the server holds apart.
pub(crate) fn email_key(email: &str) -> String {
    email.trim().to_ascii_lowercase()
}

impl Listed for Member {
    fn list_key(&self) -> String {
        self.id
            .as_ref()
            .map(|id| id.as_str().to_owned())
            .unwrap_or_default()
    }
}

account_handle!(
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
    Members,
    ["members"]
);

impl Members {
    /// A handle whose calls give up, unsent, once `token` is cancelled.
    pub(crate) fn with_cancel(&self, token: member_http::CancelToken) -> Self {
        Self {
            account: self.account.clone(),
            collection: self.collection.with_cancel(token),
        }
    }

    /// The user groups of the same account, with the same transport and
    /// options (the apply runner's group changes).
    pub(crate) fn user_groups(&self) -> crate::UserGroups {
        crate::UserGroups::new(self.collection.http(), self.account.clone())
            .with_options(self.collection.options().clone())
    }

    /// Member Details: `GET /accounts/{account_id}/members/{member_id}`.
    pub fn get(&self, member: &MemberId) -> Call<Member> {
        self.collection.item(Method::GET, member)
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
        self.collection
            .item(Method::PUT, member)
            .body(body.validate().map(|()| body))
    }

    /// Replaces the member's roles with these (at least one).
    pub fn set_roles(
        &self,
        member: &MemberId,
        roles: impl IntoIterator<Item = RoleId>,
    ) -> Call<Member> {
        self.collection
            .item(Method::PUT, member)
            .body(UpdateMember::with_roles(roles))
    }

    /// Replaces the member's policies with these (at least one).
    pub fn set_policies(
        &self,
        member: &MemberId,
        policies: impl IntoIterator<Item = PolicyRequest>,
    ) -> Call<Member> {
        self.collection
            .item(Method::PUT, member)
            .body(UpdateMember::with_policies(policies))
    }

    /// Add Member: `POST /accounts/{account_id}/members`. Returns what the
    /// server returned, which has been seen to omit `roles`; use
    /// [`add_and_fetch`](Self::add_and_fetch) for the complete member.
    ///
    /// A POST is retried only when it certainly was not processed (a connect
    /// failure or a 429), so an invitation is never sent twice.
    pub fn add(&self, body: CreateMember) -> Call<Member> {
        self.collection
            .call(Method::POST)
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
    pub fn remove(&self, member: &MemberId) -> Call<Option<Deleted>> {
        self.collection.item(Method::DELETE, member)
    }

    /// List Members: `GET /accounts/{account_id}/members`. The [`List`] is
    /// a stream of every member matching `params`, across pages; its
    /// [`page`](List::page) is the one page `params` names, and
    /// [`pages_raw`](List::pages_raw) keeps every member exactly as
    /// received.
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
    pub fn list(&self, params: ListMembersParams) -> List<Member, ListMembersParams> {
        self.collection.list(params)
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
                .is_some_and(|e| email_key(e) == email_key(email))
            {
                return Ok(Some(member));
            }
        }
        Ok(None)
    }
}
