//! Zones, for looking one up by name (`GET /zones`).

use futures::TryStreamExt;
use member_http::{ApiPath, HttpClient, RequestOptions};
use member_types::{AccountId, ListZonesParams, Zone};

use crate::collection::{Collection, List, Listed};
use crate::Error;

impl Listed for Zone {
    fn list_key(&self) -> String {
        self.id.as_str().to_owned()
    }
}

/// The zones the token can read: `client.zones()`.
///
/// ```no_run
/// # async fn demo(client: member_client::Client, account: member_client::AccountId) -> Result<(), member_client::Error> {
/// let zone = client.zones().find_in_account(&account, "example.com").await?;
/// println!("{:?}", zone.map(|z| z.id));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Zones {
    collection: Collection,
}

impl Zones {
    pub(crate) fn new(http: HttpClient) -> Self {
        Self {
            collection: Collection::new(http, Ok(ApiPath::new().lit("zones"))),
        }
    }

    /// Uses these options for every call made through the returned handle.
    #[must_use]
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.collection = self.collection.with_options(options);
        self
    }

    /// List Zones: `GET /zones`, every zone matching `params` across pages.
    pub fn list(&self, params: ListZonesParams) -> List<Zone, ListZonesParams> {
        self.collection.list(params)
    }

    /// The zones of `account` named `name` (domain names compare
    /// case-insensitively): `GET /zones?name=…&account.id=…`, every page.
    /// One domain can be in several accounts, so the account is always
    /// given; normally the answer has one zone or none.
    ///
    /// # Errors
    /// A name that is not a plain domain name (nothing is sent), or the
    /// list's errors.
    pub async fn find_in_account(
        &self,
        account: &AccountId,
        name: &str,
    ) -> Result<Option<Zone>, Error> {
        let matches = self.named_in_account(account, name).await?;
        match matches.as_slice() {
            [] => Ok(None),
            [zone] => Ok(Some(zone.clone())),
            several => Err(Error::protocol(format!(
                "{} zones of the account are named {name}: {}",
                several.len(),
                several
                    .iter()
                    .map(|z| z.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Every zone of `account` whose name is `name`, compared
    /// case-insensitively (what [`find_in_account`](Self::find_in_account)
    /// reads).
    ///
    /// # Errors
    /// As for [`find_in_account`](Self::find_in_account).
    pub async fn named_in_account(
        &self,
        account: &AccountId,
        name: &str,
    ) -> Result<Vec<Zone>, Error> {
        let params = ListZonesParams::new().name(name)?.account(account.clone());
        let wanted = name.trim();
        self.list(params)
            .try_filter(|zone| {
                let same = zone.name.eq_ignore_ascii_case(wanted)
                    && zone
                        .account
                        .as_ref()
                        .and_then(|a| a.id.as_ref())
                        .is_none_or(|id| id == account);
                async move { same }
            })
            .try_collect()
            .await
    }
}
