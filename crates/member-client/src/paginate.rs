//! Pages as a stream, ending exactly where the server's totals say.

use std::future::Future;
use std::pin::Pin;

use futures::stream::{self, Stream, StreamExt, TryStreamExt};
use member_types::{ListParams, Paging, ResultInfo, PER_PAGE_MAX};

use crate::collection::Listed;
use crate::Error;

/// A stream of items across pages.
pub type ItemStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// A stream of whole pages, each with its `result_info` (for callers that
/// report progress or keep each page as received).
pub type PageStream<T> = Pin<Box<dyn Stream<Item = Result<Page<T>, Error>> + Send>>;

/// The most pages one stream will fetch before it decides the server is
/// looping (at 50 per page, 5 million items).
pub const MAX_PAGES: u32 = 100_000;

/// One page of a list, with its paging information.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The server's paging information, when it sent some.
    pub result_info: Option<ResultInfo>,
}

impl<T> Page<T> {
    /// Builds a page.
    pub fn new(items: Vec<T>, result_info: Option<ResultInfo>) -> Self {
        Self { items, result_info }
    }

    /// Whether the server says there is a page after `page`, judged from
    /// `total_pages`, then `total_count`, then a short page.
    ///
    /// `seen` is the number of items on all pages up to and including this
    /// one; `per_page` is the page size that was asked for.
    pub fn has_next(&self, page: u32, seen: u64, per_page: u32) -> bool {
        if self.items.is_empty() {
            return false;
        }
        let info = self.result_info.clone().unwrap_or_default();
        if let Some(total_pages) = info.total_pages {
            return u64::from(page) < total_pages;
        }
        if let Some(total_count) = info.total_count {
            return seen < total_count;
        }
        let size = info.per_page.unwrap_or(u64::from(per_page));
        self.items.len() as u64 >= size
    }
}

/// A raw list response as a page: `result` must be an array, or `null` for
/// none.
pub(crate) fn raw_page(
    response: member_http::ApiResponse<serde_json::Value>,
) -> Result<Page<serde_json::Value>, Error> {
    match response.result {
        serde_json::Value::Array(items) => Ok(Page::new(items, response.result_info)),
        // An empty list is sometimes `result: null` (an empty user group's
        // members): no items.
        serde_json::Value::Null => Ok(Page::new(Vec::new(), response.result_info)),
        other => Err(Error::protocol(format!(
            "a list answer's result must be an array, got {}",
            member_types::json::kind_of(&other)
        ))),
    }
}

/// The page a stream starts at (the caller's, or 1) and the page size it asks
/// for (the caller's, or the largest allowed, so a stream spends as few
/// requests as possible).
fn start(paging: Paging) -> (u32, u32) {
    (
        paging.page().unwrap_or(1),
        paging.per_page().unwrap_or(PER_PAGE_MAX),
    )
}

struct State<F> {
    fetch: F,
    page: u32,
    per_page: u32,
    /// Items on the pages before the first one fetched (a stream may start
    /// at a later page), so `seen` can be held against `total_count`.
    before: u64,
    seen: u64,
    previous: Option<Vec<String>>,
    fetched: u32,
    done: bool,
}

/// Streams every item from the first page of `params` on (see
/// [`paginate_pages`]).
pub(crate) fn paginate<P, T, F, Fut>(params: P, fetch: F) -> ItemStream<T>
where
    P: ListParams,
    T: Listed,
    F: Fn(P) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    paginate_pages(params, fetch)
        .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}

/// Streams every non-empty page from the first page of `params` on.
///
/// `fetch(params)` returns one page; each item's [`Listed::list_key`] is used
/// to notice a server that answers every page with the same items.
pub(crate) fn paginate_pages<P, T, F, Fut>(params: P, fetch: F) -> PageStream<T>
where
    P: ListParams,
    T: Listed,
    F: Fn(P) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    let (first, per_page) = start(params.paging());
    // The totals of a filtered list may count what the filter leaves out
    // (Cloudflare: "without any search parameters"): its end is then not
    // held against them.
    let filtered = params.is_filtered();
    let fetch = move |page: u32| {
        let next = Paging::new()
            .with_page(page)
            .and_then(|paging| paging.with_per_page(per_page))
            .map(|paging| fetch(params.clone().with_paging(paging)));
        async move { next.map_err(Error::Validation)?.await }
    };
    let state = State {
        fetch,
        page: first,
        per_page,
        before: 0,
        seen: 0,
        previous: None,
        fetched: 0,
        done: false,
    };
    stream::try_unfold(state, move |mut state| async move {
        if state.done {
            return Ok(None);
        }
        if state.fetched >= MAX_PAGES {
            return Err(Error::protocol(format!(
                "stopped after {MAX_PAGES} pages: the server keeps reporting more"
            )));
        }
        let page = (state.fetch)(state.page).await?;
        state.fetched += 1;
        if state.fetched == 1 {
            // At the page size the server says it used, else the one asked.
            let size = page
                .result_info
                .as_ref()
                .and_then(|info| info.per_page)
                .unwrap_or(u64::from(state.per_page));
            state.before = u64::from(state.page.saturating_sub(1)).saturating_mul(size);
        }
        if let Some(echoed) = page.result_info.as_ref().and_then(|i| i.page) {
            if echoed != u64::from(state.page) {
                return Err(Error::protocol(format!(
                    "asked for page {} and the server answered with page {echoed}",
                    state.page
                )));
            }
        }
        let ids: Vec<String> = page.items.iter().map(Listed::list_key).collect();
        if !ids.is_empty() && state.previous.as_ref() == Some(&ids) {
            return Err(Error::protocol(format!(
                "page {} repeats the items of page {}: the server is not paging",
                state.page,
                state.page - 1
            )));
        }
        if let Some(problem) = page_short_of_count(&page, state.page) {
            return Err(Error::protocol(problem));
        }
        state.seen += page.items.len() as u64;
        let so_far = state.before.saturating_add(state.seen);
        state.done = !page.has_next(state.page, so_far, state.per_page);
        if state.done && !filtered {
            if let Some(problem) = list_short_of_totals(&page, state.page, so_far) {
                return Err(Error::protocol(problem));
            }
        }
        if page.items.is_empty() {
            return Ok(None);
        }
        state.page = state.page.saturating_add(1);
        state.previous = Some(ids);
        Ok(Some((page, state)))
    })
    .boxed()
}

/// Why a page holds fewer items than its own `result_info.count` says (the
/// answer lost some), if it does.
fn page_short_of_count<T>(page: &Page<T>, number: u32) -> Option<String> {
    let count = page.result_info.as_ref()?.count?;
    let held = page.items.len() as u64;
    (held < count).then(|| {
        format!(
            "page {number} holds {held} items but its result_info says count {count}: \
             the answer is missing items, so the list would be incomplete"
        )
    })
}

/// Why the list cannot end at `page` although nothing says there is more
/// (an empty page, or the last page of `total_pages`), if the server's own
/// totals on that page claim more: the list would be short without a word.
///
/// `so_far` is the number of items on every page up to and including this
/// one, those before the stream's first page included.
fn list_short_of_totals<T>(page: &Page<T>, number: u32, so_far: u64) -> Option<String> {
    let info = page.result_info.as_ref()?;
    let pages_left = info.total_pages.filter(|total| u64::from(number) < *total);
    let items_missing = info.total_count.filter(|total| so_far < *total);
    if pages_left.is_none() && items_missing.is_none() {
        return None;
    }
    let claims = match (info.total_pages, info.total_count) {
        (Some(pages), Some(count)) => format!("{pages} pages and {count} items"),
        (Some(pages), None) => format!("{pages} pages"),
        (None, Some(count)) => format!("{count} items"),
        (None, None) => return None,
    };
    let what = if page.items.is_empty() {
        format!("page {number} is empty")
    } else {
        format!("page {number} is the last page")
    };
    Some(format!(
        "{what} after {so_far} items, but the server claims {claims} \
         (result_info of page {number}): the list would be incomplete; try again"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(
        page: u64,
        per_page: u64,
        count: u64,
        total_count: Option<u64>,
        total_pages: Option<u64>,
    ) -> Option<ResultInfo> {
        let mut i = ResultInfo::default();
        i.page = Some(page);
        i.per_page = Some(per_page);
        i.count = Some(count);
        i.total_count = total_count;
        i.total_pages = total_pages;
        Some(i)
    }

    #[test]
    fn has_next_prefers_total_pages_then_total_count_then_short_page() {
        let full = Page::new(vec![1; 5], info(2, 5, 5, Some(100), Some(2)));
        assert!(!full.has_next(2, 10, 5));
        let full = Page::new(vec![1; 5], info(2, 5, 5, Some(15), None));
        assert!(full.has_next(2, 10, 5));
        assert!(!full.has_next(3, 15, 5));
        let short = Page::new(vec![1; 4], None);
        assert!(!short.has_next(1, 4, 5));
        let full = Page::new(vec![1; 5], None);
        assert!(full.has_next(1, 5, 5));
        let empty: Page<u8> = Page::new(vec![], info(1, 5, 0, Some(0), Some(0)));
        assert!(!empty.has_next(1, 0, 5));
    }
}
