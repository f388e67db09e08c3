//! The one calling and listing path every resource handle uses.
//!
//! A resource handle (`Members`, `Roles`, …) is a [`Collection`]: a base path
//! such as `/accounts/{account_id}/members`, the client's transport and the
//! handle's request options. The collection builds every [`Call`] on that
//! path and on its items, and every [`List`], so paging, raw pages and path
//! checks are written once for all resources.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use member_http::{ApiPath, CancelToken, HttpClient, Method, RequestOptions};
use member_types::{AccountId, Identifier, ListParams, ValidationError};
use serde::de::DeserializeOwned;

use crate::call::Call;
use crate::paginate::{paginate, paginate_pages, raw_page, ItemStream, Page, PageStream};
use crate::Error;

/// An item of a list: what the paging guard needs to tell pages apart.
///
/// Implemented for every item type a list of this crate returns, and for
/// `serde_json::Value` (items kept as received).
pub trait Listed: DeserializeOwned + Send + 'static {
    /// The item's identity (its id, or empty when it has none), used to
    /// notice a server that answers every page with the same items.
    fn list_key(&self) -> String;
}

impl Listed for serde_json::Value {
    fn list_key(&self) -> String {
        self.get("id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }
}

/// `/accounts/{account_id}` followed by `segments`, from a checked id.
pub(crate) fn account_path(
    account: &AccountId,
    segments: &[&'static str],
) -> Result<ApiPath, ValidationError> {
    let path = ApiPath::new().lit("accounts").id(account)?;
    Ok(segments
        .iter()
        .fold(path, |path, segment| path.lit(segment)))
}

/// One collection of the API: its base path, the transport, the options.
#[derive(Clone, Debug)]
pub(crate) struct Collection {
    http: HttpClient,
    /// The base path, or why it could not be built (reported when a call
    /// is sent, before any I/O).
    path: Result<ApiPath, ValidationError>,
    options: RequestOptions,
}

impl Collection {
    pub(crate) fn new(http: HttpClient, path: Result<ApiPath, ValidationError>) -> Self {
        Self {
            http,
            path,
            options: RequestOptions::default(),
        }
    }

    pub(crate) fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// The transport (a cheap clone), for a handle on a sub-collection.
    pub(crate) fn http(&self) -> HttpClient {
        self.http.clone()
    }

    /// The options every call of this collection carries.
    pub(crate) fn options(&self) -> &RequestOptions {
        &self.options
    }

    pub(crate) fn with_cancel(&self, token: CancelToken) -> Self {
        let mut collection = self.clone();
        collection.options.cancel = Some(token);
        collection
    }

    /// A call on the collection itself (list, create).
    pub(crate) fn call<T>(&self, method: Method) -> Call<T> {
        Call::new(
            self.http.clone(),
            method,
            self.path.clone(),
            self.options.clone(),
        )
    }

    /// A call on one item: the base path, then `id`.
    pub(crate) fn item<T, I: Identifier + ?Sized>(&self, method: Method, id: &I) -> Call<T> {
        let path = self.path.clone().and_then(|path| path.id(id));
        Call::new(self.http.clone(), method, path, self.options.clone())
    }

    /// A list of this collection's items.
    pub(crate) fn list<T, P>(&self, params: P) -> List<T, P> {
        List {
            collection: self.clone(),
            params,
            stream: None,
            _item: PhantomData,
        }
    }
}

/// A list request: every item across pages as a [`Stream`], or the pages
/// themselves, typed or kept as received.
///
/// Used as a stream directly, it yields every item from the page of its
/// parameters (or 1) on, asking for 50 per page unless the parameters say
/// otherwise. It ends on the server's `total_pages`, else its `total_count`,
/// else the first short page, so no request is spent on an empty page when
/// the server gives totals; it fails (rather than loop) when the server
/// answers with the wrong page or repeats a page, and (rather than end
/// short) when a page holds fewer items than its `count`, or the list ends
/// with fewer pages or items than the server's `total_pages` or
/// `total_count` claim.
///
/// ```no_run
/// # async fn demo(members: member_client::Members) -> Result<(), member_client::Error> {
/// use futures::TryStreamExt;
/// use member_client::{ListMembersParams, MemberStatus};
///
/// // Every pending member, across pages.
/// let pending: Vec<_> = members
///     .list(ListMembersParams::new().status(MemberStatus::Pending))
///     .try_collect()
///     .await?;
/// // Only the second page, with its result_info.
/// let page = members.list(ListMembersParams::new().page(2)?).page().await?;
/// println!("{} pending, {} on page 2", pending.len(), page.items.len());
/// # Ok(()) }
/// ```
#[must_use = "a List does nothing until it is polled or sent"]
pub struct List<T, P> {
    collection: Collection,
    params: P,
    stream: Option<ItemStream<T>>,
    _item: PhantomData<fn() -> T>,
}

impl<T, P: fmt::Debug> fmt::Debug for List<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("List")
            .field("collection", &self.collection)
            .field("params", &self.params)
            .field("started", &self.stream.is_some())
            .finish()
    }
}

impl<T: Listed, P: ListParams> List<T, P> {
    /// The parameters this list sends.
    pub fn params(&self) -> &P {
        &self.params
    }

    /// The single page the parameters name (page 1 and the API's page size
    /// unless they say otherwise), with its `result_info`. `result: null`
    /// reads as no items.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn page(self) -> Result<Page<T>, Error> {
        // `result: null` is an empty list (the API sends it for an empty
        // user group's members, and the SDKs read every list that way).
        let response = self
            .collection
            .call::<Option<Vec<T>>>(Method::GET)
            .query(self.params.query_pairs())
            .send_with_response()
            .await?;
        Ok(Page::new(
            response.result.unwrap_or_default(),
            response.result_info,
        ))
    }

    /// Like [`page`](Self::page), keeping every item exactly as received
    /// (`serde_json::Value`s), for callers that print the API's result
    /// verbatim: values this version does not know survive.
    ///
    /// # Errors
    /// See [`Error`]; a `result` that is not an array is a protocol error.
    pub async fn page_raw(self) -> Result<Page<serde_json::Value>, Error> {
        let response = self
            .collection
            .call::<serde_json::Value>(Method::GET)
            .query(self.params.query_pairs())
            .send_with_response()
            .await?;
        raw_page(response)
    }

    /// Every item, across pages: what polling the list itself yields.
    pub fn items(self) -> ItemStream<T> {
        let collection = self.collection;
        paginate(self.params, move |p| collection.list::<T, P>(p).page())
    }

    /// Every non-empty page, typed, each with its `result_info` (for
    /// progress reports). The same paging rules as the item stream.
    pub fn pages(self) -> PageStream<T> {
        let collection = self.collection;
        paginate_pages(self.params, move |p| collection.list::<T, P>(p).page())
    }

    /// Every non-empty page, each item kept exactly as received. The same
    /// paging rules as the item stream.
    pub fn pages_raw(self) -> PageStream<serde_json::Value> {
        let collection = self.collection;
        paginate_pages(self.params, move |p| {
            collection.list::<serde_json::Value, P>(p).page_raw()
        })
    }
}

impl<T: Listed, P: ListParams + Unpin> Stream for List<T, P> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let stream = this.stream.get_or_insert_with(|| {
            let list = List::<T, P> {
                collection: this.collection.clone(),
                params: this.params.clone(),
                stream: None,
                _item: PhantomData,
            };
            list.items()
        });
        stream.as_mut().poll_next(cx)
    }
}

/// Defines the handle of one account's resource: the struct (the account and
/// its [`Collection`]), `new`, `account_id` and `with_options`, the same for
/// every resource. The resource's own file adds its calls.
macro_rules! account_handle {
    ($(#[$doc:meta])* $name:ident, [$($segment:literal),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            account: member_types::AccountId,
            collection: $crate::collection::Collection,
        }

        impl $name {
            pub(crate) fn new(
                http: member_http::HttpClient,
                account: member_types::AccountId,
            ) -> Self {
                let path = $crate::collection::account_path(&account, &[$($segment),+]);
                Self {
                    account,
                    collection: $crate::collection::Collection::new(http, path),
                }
            }

            /// The account this handle works in.
            pub fn account_id(&self) -> &member_types::AccountId {
                &self.account
            }

            /// Uses these options (timeout, retries, deadline, headers) for
            /// every call made through the returned handle, pages of lists
            /// included.
            #[must_use]
            pub fn with_options(mut self, options: member_http::RequestOptions) -> Self {
                self.collection = self.collection.with_options(options);
                self
            }
        }
    };
}
pub(crate) use account_handle;
