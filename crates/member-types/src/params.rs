//! Typed list parameters that turn into exactly the query string the API
//! expects.
//!
//! ```
//! use member_types::{Direction, ListMembersParams, MemberOrder, MemberStatus};
//!
//! let params = ListMembersParams::new()
//!     .status(MemberStatus::Accepted)
//!     .order(MemberOrder::Email)
//!     .direction(Direction::Desc)
//!     .per_page(50)?;
//! assert_eq!(
//!     params.to_query_string(),
//!     "order=user.email&status=accepted&direction=desc&per_page=50"
//! );
//! assert!(ListMembersParams::new().per_page(51).is_err());
//! # Ok::<(), member_types::ValidationError>(())
//! ```

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::enums::{Direction, MemberOrder, MemberStatus};
use crate::error::ValidationError;

/// Fewest items a page may hold.
pub const PER_PAGE_MIN: u32 = 5;
/// Most items a page may hold.
pub const PER_PAGE_MAX: u32 = 50;
/// The page size the API uses when none is given.
pub const PER_PAGE_DEFAULT: u32 = 20;

fn check_page(page: u32) -> Result<u32, ValidationError> {
    if page == 0 {
        return Err(ValidationError::OutOfRange {
            field: "page",
            value: 0,
            min: 1,
            max: i64::from(u32::MAX),
        });
    }
    Ok(page)
}

fn check_per_page(per_page: u32) -> Result<u32, ValidationError> {
    if !(PER_PAGE_MIN..=PER_PAGE_MAX).contains(&per_page) {
        return Err(ValidationError::OutOfRange {
            field: "per_page",
            value: i64::from(per_page),
            min: i64::from(PER_PAGE_MIN),
            max: i64::from(PER_PAGE_MAX),
        });
    }
    Ok(per_page)
}

/// A text filter of a list (a name, a label, a search): refused when blank,
/// since an empty filter would silently match everything or nothing.
pub(crate) fn filter_text(field: &'static str, value: &str) -> Result<String, ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::Empty {
            field,
            hint: "give the text to match, or leave the filter out",
        });
    }
    Ok(value.to_owned())
}

/// The V4 paging of every Cloudflare list: `page` (from 1) and `per_page`
/// (5 to 50; the API's default is 20). Both are checked when set.
///
/// Every list's parameters hold one ([`ListParams::paging`]), so one paging
/// path serves every resource.
///
/// ```
/// use member_types::Paging;
///
/// let paging = Paging::new().with_page(3)?.with_per_page(50)?;
/// assert_eq!((paging.page(), paging.per_page()), (Some(3), Some(50)));
/// assert!(Paging::new().with_per_page(51).is_err());
/// assert!(Paging::new().with_page(0).is_err());
/// # Ok::<(), member_types::ValidationError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, JsonSchema)]
pub struct Paging {
    /// Page number of paginated results (from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    page: Option<u32>,
    /// Number of items per page (5 to 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 5, max = 50))]
    per_page: Option<u32>,
}

impl Paging {
    /// Neither page nor page size: the API's defaults.
    pub const fn new() -> Self {
        Self {
            page: None,
            per_page: None,
        }
    }

    /// The page to fetch (from 1).
    ///
    /// # Errors
    /// [`ValidationError::OutOfRange`] for page 0.
    pub fn with_page(mut self, page: u32) -> Result<Self, ValidationError> {
        self.page = Some(check_page(page)?);
        Ok(self)
    }

    /// Items per page (5 to 50).
    ///
    /// # Errors
    /// [`ValidationError::OutOfRange`] outside 5 to 50.
    pub fn with_per_page(mut self, per_page: u32) -> Result<Self, ValidationError> {
        self.per_page = Some(check_per_page(per_page)?);
        Ok(self)
    }

    /// The page, if set.
    pub const fn page(&self) -> Option<u32> {
        self.page
    }

    /// The page size, if set.
    pub const fn per_page(&self) -> Option<u32> {
        self.per_page
    }

    /// Appends `page` and `per_page`, those that are set, to `pairs`.
    pub fn push_query_pairs(&self, pairs: &mut Vec<(&'static str, String)>) {
        if let Some(page) = self.page {
            pairs.push(("page", page.to_string()));
        }
        if let Some(per_page) = self.per_page {
            pairs.push(("per_page", per_page.to_string()));
        }
    }

    fn from_raw(page: Option<u32>, per_page: Option<u32>) -> Result<Self, ValidationError> {
        let mut paging = Self::new();
        if let Some(page) = page {
            paging = paging.with_page(page)?;
        }
        if let Some(per_page) = per_page {
            paging = paging.with_per_page(per_page)?;
        }
        Ok(paging)
    }
}

/// The parameters of a paged list: filters, plus the [`Paging`] that a
/// stream moves from page to page.
///
/// Implemented by every `List…Params` type (and by [`Paging`] itself, for
/// lists that take nothing else); a new list needs only this impl to be
/// streamed by the client's one paging path.
///
/// ```
/// use member_types::{ListParams, ListRolesParams, Paging};
///
/// let params = ListRolesParams::new().with_paging(Paging::new().with_page(2)?);
/// assert_eq!(params.query_pairs(), vec![("page", "2".to_owned())]);
/// # Ok::<(), member_types::ValidationError>(())
/// ```
pub trait ListParams: Clone + Send + Sync + 'static {
    /// The paging part of the parameters.
    fn paging(&self) -> Paging;

    /// The same parameters with another paging.
    #[must_use]
    fn with_paging(self, paging: Paging) -> Self;

    /// The query pairs in a stable order, leaving out what is not set.
    fn query_pairs(&self) -> Vec<(&'static str, String)>;

    /// Whether any query pair but paging and sorting is set (`status`,
    /// `name`, …). Cloudflare documents `result_info.total_count` as the
    /// total "without any search parameters", so the totals of a filtered
    /// list are not held against the items it gives.
    ///
    /// ```
    /// use member_types::{ListMembersParams, ListParams, MemberStatus};
    /// assert!(!ListMembersParams::new().is_filtered());
    /// assert!(ListMembersParams::new().status(MemberStatus::Pending).is_filtered());
    /// ```
    fn is_filtered(&self) -> bool {
        self.query_pairs()
            .iter()
            .any(|(key, _)| !matches!(*key, "page" | "per_page" | "order" | "direction"))
    }

    /// The query string without the leading `?` (empty when nothing is
    /// set), for display and logs: values are not percent-encoded here (the
    /// client encodes [`query_pairs`](Self::query_pairs) when it sends them).
    fn to_query_string(&self) -> String {
        self.query_pairs()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }
}

impl ListParams for Paging {
    fn paging(&self) -> Paging {
        *self
    }

    fn with_paging(self, paging: Paging) -> Self {
        paging
    }

    fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::with_capacity(2);
        self.push_query_pairs(&mut pairs);
        pairs
    }
}

/// Gives a list's params type (a struct with a `paging: Paging` field and a
/// `filter_pairs` method) the page and page-size setters and its
/// [`ListParams`] impl, the same for every list.
macro_rules! paged_params {
    ($ty:ty) => {
        impl $ty {
            /// The page to fetch (from 1).
            ///
            /// # Errors
            /// [`ValidationError::OutOfRange`](crate::ValidationError::OutOfRange)
            /// for page 0.
            pub fn page(mut self, page: u32) -> Result<Self, $crate::ValidationError> {
                self.paging = self.paging.with_page(page)?;
                Ok(self)
            }

            /// Items per page (5 to 50).
            ///
            /// # Errors
            /// [`ValidationError::OutOfRange`](crate::ValidationError::OutOfRange)
            /// outside 5 to 50.
            pub fn per_page(mut self, per_page: u32) -> Result<Self, $crate::ValidationError> {
                self.paging = self.paging.with_per_page(per_page)?;
                Ok(self)
            }

            /// The query string without the leading `?` (empty when
            /// nothing is set).
            pub fn to_query_string(&self) -> String {
                $crate::ListParams::to_query_string(self)
            }
        }

        impl $crate::ListParams for $ty {
            fn paging(&self) -> $crate::Paging {
                self.paging
            }

            fn with_paging(mut self, paging: $crate::Paging) -> Self {
                self.paging = paging;
                self
            }

            /// The filters in their stable order, then `page` and
            /// `per_page`, leaving out what is not set.
            fn query_pairs(&self) -> Vec<(&'static str, String)> {
                let mut pairs = Vec::with_capacity(6);
                self.filter_pairs(&mut pairs);
                self.paging.push_query_pairs(&mut pairs);
                pairs
            }
        }
    };
}
pub(crate) use paged_params;

/// Query parameters of List Members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RawListMembersParams")]
pub struct ListMembersParams {
    /// Field to order members by.
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<MemberOrder>,
    /// A member's status in the account (`accepted`, `pending` or
    /// `rejected`).
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<MemberStatus>,
    /// Direction to order members.
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<Direction>,
    /// Page number and members per page (5 to 50; the API's default is 20).
    #[serde(flatten)]
    paging: Paging,
}

/// The schema and the unchecked form of [`ListMembersParams`].
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ListMembersParams")]
struct RawListMembersParams {
    /// Field to order members by.
    #[serde(default)]
    order: Option<MemberOrder>,
    /// A member's status in the account (`accepted`, `pending` or
    /// `rejected`).
    #[serde(default)]
    #[schemars(schema_with = "MemberStatus::strict_schema")]
    status: Option<MemberStatus>,
    /// Direction to order members.
    #[serde(default)]
    direction: Option<Direction>,
    /// Page number of paginated results (from 1).
    #[serde(default)]
    #[schemars(range(min = 1))]
    page: Option<u32>,
    /// Number of members per page (5 to 50; the API's default is 20).
    #[serde(default)]
    #[schemars(range(min = 5, max = 50))]
    per_page: Option<u32>,
}

impl TryFrom<RawListMembersParams> for ListMembersParams {
    type Error = ValidationError;
    fn try_from(raw: RawListMembersParams) -> Result<Self, Self::Error> {
        let mut params = Self::new();
        params.order = raw.order;
        params.direction = raw.direction;
        if let Some(status) = raw.status {
            params = params.status(status);
            if params.status.as_ref().is_some_and(MemberStatus::is_unknown) {
                return Err(ValidationError::Format {
                    field: "status",
                    value: crate::error::shorten(
                        params.status.as_ref().map_or("", MemberStatus::as_str),
                    ),
                    rule: "expected one of: accepted pending rejected",
                });
            }
        }
        params.paging = Paging::from_raw(raw.page, raw.per_page)?;
        Ok(params)
    }
}

impl ListMembersParams {
    /// No filter, the API's default order and page size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Orders by this field.
    #[must_use]
    pub fn order(mut self, order: MemberOrder) -> Self {
        self.order = Some(order);
        self
    }

    /// Only members with this status.
    #[must_use]
    pub fn status(mut self, status: MemberStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Sort direction.
    #[must_use]
    pub fn direction(mut self, direction: Direction) -> Self {
        self.direction = Some(direction);
        self
    }

    /// order, status, direction: the filters in their stable order.
    fn filter_pairs(&self, pairs: &mut Vec<(&'static str, String)>) {
        if let Some(order) = self.order {
            pairs.push(("order", order.as_str().to_owned()));
        }
        if let Some(status) = &self.status {
            pairs.push(("status", status.as_str().to_owned()));
        }
        if let Some(direction) = self.direction {
            pairs.push(("direction", direction.as_str().to_owned()));
        }
    }
}

paged_params!(ListMembersParams);

/// Query parameters of List Roles.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RawListRolesParams")]
pub struct ListRolesParams {
    /// Page number and roles per page (5 to 50).
    #[serde(flatten)]
    paging: Paging,
}

/// The schema and the unchecked form of [`ListRolesParams`].
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ListRolesParams")]
struct RawListRolesParams {
    /// Page number of paginated results (from 1).
    #[serde(default)]
    #[schemars(range(min = 1))]
    page: Option<u32>,
    /// Number of roles per page (5 to 50).
    #[serde(default)]
    #[schemars(range(min = 5, max = 50))]
    per_page: Option<u32>,
}

impl TryFrom<RawListRolesParams> for ListRolesParams {
    type Error = ValidationError;
    fn try_from(raw: RawListRolesParams) -> Result<Self, Self::Error> {
        Ok(Self {
            paging: Paging::from_raw(raw.page, raw.per_page)?,
        })
    }
}

impl ListRolesParams {
    /// The API's default page and page size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Roles take no filter but paging.
    fn filter_pairs(&self, _pairs: &mut Vec<(&'static str, String)>) {}
}

paged_params!(ListRolesParams);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_params_give_empty_query() {
        assert_eq!(ListMembersParams::new().to_query_string(), "");
        assert_eq!(ListRolesParams::new().to_query_string(), "");
    }

    #[test]
    fn ranges_are_checked() {
        assert!(ListMembersParams::new().per_page(4).is_err());
        assert!(ListMembersParams::new().per_page(5).is_ok());
        assert!(ListMembersParams::new().page(0).is_err());
        let err = ListRolesParams::new().per_page(51).unwrap_err().to_string();
        assert_eq!(err, "invalid per_page 51: expected 5 to 50");
        assert!(serde_json::from_str::<ListMembersParams>(r#"{"per_page":51}"#).is_err());
        assert!(serde_json::from_str::<ListMembersParams>(r#"{"status":"suspended"}"#).is_err());
    }

    #[test]
    fn roles_query() {
        let p = ListRolesParams::new()
            .page(3)
            .unwrap()
            .per_page(10)
            .unwrap();
        assert_eq!(p.to_query_string(), "page=3&per_page=10");
    }
}
