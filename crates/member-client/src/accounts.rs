//! The accounts the token can see (`GET /accounts`).

use futures::TryStreamExt;
use member_http::{ApiPath, HttpClient, RequestOptions};
use member_types::{Account, AccountId, ListAccountsParams};

use crate::collection::{Collection, List, Listed};
use crate::resolve::{Candidate, RefKind, ResolveError};
use crate::{AccountRef, Error};

impl Listed for Account {
    fn list_key(&self) -> String {
        self.id.as_str().to_owned()
    }
}

/// The Cloudflare code of the refusal `GET /accounts` gives an account-owned
/// token ("List accounts endpoint does not support account owned tokens").
pub const ACCOUNT_OWNED_TOKEN_CODE: i64 = 1001;

/// The accounts the token can see: `client.accounts()`.
///
/// An account-owned token cannot list accounts: the API refuses it with code
/// [`ACCOUNT_OWNED_TOKEN_CODE`]; such a token must be given its account ids
/// ([`Accounts::is_account_owned_token_refusal`]).
///
/// ```no_run
/// # async fn demo(client: member_client::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use futures::TryStreamExt;
/// use member_client::ListAccountsParams;
///
/// let all: Vec<_> = client.accounts().list(ListAccountsParams::new()).try_collect().await?;
/// let corp = client.accounts().by_name("Example Corp").await?;
/// # let _ = (all, corp); Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Accounts {
    collection: Collection,
}

impl Accounts {
    pub(crate) fn new(http: HttpClient) -> Self {
        Self {
            collection: Collection::new(http, Ok(ApiPath::new().lit("accounts"))),
        }
    }

    /// Uses these options for every call made through the returned handle.
    #[must_use]
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.collection = self.collection.with_options(options);
        self
    }

    /// List Accounts: `GET /accounts`, every account matching `params`
    /// across pages, or one page.
    pub fn list(&self, params: ListAccountsParams) -> List<Account, ListAccountsParams> {
        self.collection.list(params)
    }

    /// The one account with exactly this name (names compare
    /// case-insensitively): `GET /accounts?name=…`, every page, then an
    /// exact match, since the filter is a list and never a guess. When none
    /// matches, the accounts are listed once more, unfiltered, for the
    /// closest names to suggest (a failure of that list only leaves the
    /// suggestions out).
    ///
    /// # Errors
    /// [`ResolveError::NotFound`] / [`ResolveError::Ambiguous`] (with every
    /// candidate's id), a blank name, or the list's errors (an account-owned
    /// token's refusal among them: see
    /// [`is_account_owned_token_refusal`](Self::is_account_owned_token_refusal)).
    pub async fn by_name(&self, name: &str) -> Result<Account, ResolveError> {
        let wanted = name.trim();
        let params = ListAccountsParams::new().name(wanted)?;
        let found: Vec<Account> = self
            .list(params)
            .try_filter(|a| {
                let same = a
                    .name
                    .as_deref()
                    .is_some_and(|n| n.trim().to_lowercase() == wanted.to_lowercase());
                async move { same }
            })
            .try_collect()
            .await?;
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => {
                let names: Vec<String> = self
                    .list(ListAccountsParams::new())
                    .try_filter_map(|a| async move { Ok(a.name) })
                    .try_collect()
                    .await
                    .unwrap_or_default();
                Err(ResolveError::not_found_anywhere(
                    RefKind::Account,
                    name,
                    crate::resolve::suggestions(wanted, names.iter().map(String::as_str)),
                ))
            }
            several => Err(ResolveError::ambiguous_anywhere(
                RefKind::Account,
                name,
                several
                    .iter()
                    .map(|a| Candidate::new(a.id.as_str(), a.name.as_deref().unwrap_or_default()))
                    .collect(),
            )),
        }
    }

    /// The account `reference` names, read as the resolver reads every
    /// reference: `id:ID` or a 32-character hex string is an id, checked
    /// and taken as is (no request: its name and settings stay unknown);
    /// `name:NAME` or anything else is a name, looked up with
    /// [`by_name`](Self::by_name).
    ///
    /// # Errors
    /// An invalid id ([`ResolveError::Invalid`]), or those of
    /// [`by_name`](Self::by_name).
    pub async fn resolve(&self, reference: &str) -> Result<AccountRef, ResolveError> {
        match account_reading(reference) {
            AccountReading::Id(id) => Ok(AccountRef::new(AccountId::new(
                crate::resolve::hex_lower(id),
            )?)),
            AccountReading::Name(name) => Ok(AccountRef::from(&self.by_name(name).await?)),
        }
    }

    /// Whether `error` is the refusal `GET /accounts` gives an
    /// account-owned token (code 1001): such a token must be told its
    /// account ids.
    pub fn is_account_owned_token_refusal(error: &Error) -> bool {
        error.codes().contains(&ACCOUNT_OWNED_TOKEN_CODE)
    }
}

/// How an account reference reads.
#[derive(Debug, PartialEq, Eq)]
enum AccountReading<'a> {
    Id(&'a str),
    Name(&'a str),
}

/// `id:X` and `name:X` force a reading; a 32-character hex string is an
/// id; anything else is a name (as the resolver reads references).
fn account_reading(reference: &str) -> AccountReading<'_> {
    let text = reference.trim();
    if let Some(id) = text.strip_prefix("id:") {
        return AccountReading::Id(id.trim());
    }
    if let Some(name) = text.strip_prefix("name:") {
        return AccountReading::Name(name.trim());
    }
    if text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return AccountReading::Id(text);
    }
    AccountReading::Name(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_32_hex_or_forced_and_anything_else_a_name() {
        let id = "023e105f4ecef8ad9ca31a8372d0c353";
        assert_eq!(account_reading(id), AccountReading::Id(id));
        assert_eq!(account_reading(&format!(" {id} ")), AccountReading::Id(id));
        assert_eq!(account_reading("id:abc"), AccountReading::Id("abc"));
        assert_eq!(
            account_reading(&format!("name:{id}")),
            AccountReading::Name(id)
        );
        assert_eq!(
            account_reading("Example Corp"),
            AccountReading::Name("Example Corp")
        );
        assert_eq!(account_reading("123"), AccountReading::Name("123"));
    }
}
