//! The roles of one account.

use member_http::Method;
use member_types::{ListRolesParams, Role, RoleId, ValidationError};

use crate::call::Call;
use crate::collection::{account_handle, List, Listed};
use crate::Error;

impl Listed for Role {
    fn list_key(&self) -> String {
        self.id.as_str().to_owned()
    }
}

account_handle!(
    /// The roles of one account: `client.roles(&account_id)`.
    ///
    /// ```no_run
    /// # async fn demo(client: member_client::Client, account: member_client::AccountId) -> Result<(), member_client::Error> {
    /// let admin = client.roles(&account).find_by_name("Administrator Read Only").await?;
    /// # let _ = admin; Ok(()) }
    /// ```
    Roles,
    ["roles"]
);

impl Roles {
    /// Role Details: `GET /accounts/{account_id}/roles/{role_id}`.
    pub fn get(&self, role: &RoleId) -> Call<Role> {
        self.collection.item(Method::GET, role)
    }

    /// List Roles: `GET /accounts/{account_id}/roles`, every role across
    /// pages as a stream, or one page ([`List::page`]); the same paging
    /// rules as [`Members::list`](crate::Members::list).
    pub fn list(&self, params: ListRolesParams) -> List<Role, ListRolesParams> {
        self.collection.list(params)
    }

    /// The role with this name: an exact match if there is one, else the
    /// only case-insensitive match.
    ///
    /// # Errors
    /// The list's errors, or [`ValidationError`] when several roles match
    /// case-insensitively and none exactly.
    pub async fn find_by_name(&self, name: &str) -> Result<Option<Role>, Error> {
        use futures::TryStreamExt;

        let roles: Vec<Role> = self
            .list(ListRolesParams::new())
            .items()
            .try_collect()
            .await?;
        if let Some(exact) = roles.iter().find(|r| r.name == name) {
            return Ok(Some(exact.clone()));
        }
        let mut folded = roles
            .into_iter()
            .filter(|r| r.name.to_lowercase() == name.to_lowercase());
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
