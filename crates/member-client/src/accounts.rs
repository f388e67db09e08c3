//! The accounts the token can see (`GET /accounts`).

use futures::TryStreamExt;
use member_http::{ApiPath, HttpClient, RequestOptions};
use member_types::{Account, ListAccountsParams};

use crate::collection::{Collection, List, Listed};
use crate::resolve::{Candidate, RefKind, ResolveError};
use crate::Error;

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
    /// exact match, since the filter is a list and never a guess.
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
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(wanted));
                async move { same }
            })
            .try_collect()
            .await?;
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(ResolveError::not_found_anywhere(
                RefKind::Account,
                name,
                Vec::new(),
            )),
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

    /// Whether `error` is the refusal `GET /accounts` gives an
    /// account-owned token (code 1001): such a token must be told its
    /// account ids.
    pub fn is_account_owned_token_refusal(error: &Error) -> bool {
        error.codes().contains(&ACCOUNT_OWNED_TOKEN_CODE)
    }
}
