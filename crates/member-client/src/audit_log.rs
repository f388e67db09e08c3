//! The audit log (`GET /accounts/{account_id}/logs/audit`, v2): who changed
//! what and when, with the positive filters the official SDKs cannot send
//! (`actor_email=…`), every page of its cursors as a Stream, in either
//! cursor shape.

use std::time::{Duration, SystemTime};

use futures::stream::{self, Stream};
use futures::TryStreamExt;
use member_http::{HttpClient, Method, RequestOptions};
use member_types::{AccountId, AuditLog, MemberId, ValidationError};

use crate::call::Call;
use crate::collection::account_path;
use crate::Error;

/// The window a query searches when it is given no `since`: the last seven
/// days (the API keeps thirty and requires a window;
/// [`AuditLogQuery::window`] says which one is used).
pub const DEFAULT_AUDIT_WINDOW: Duration = Duration::from_secs(7 * 86_400);

/// How far back the API keeps entries: thirty days.
pub const AUDIT_RETENTION: Duration = Duration::from_secs(30 * 86_400);

/// The most entries one page may hold.
pub const AUDIT_PAGE_MAX: u32 = 1000;

/// A field of an audit log entry the API filters on. Each filter can keep
/// ([`AuditLogQuery::filter`]) or drop ([`AuditLogQuery::exclude`]) entries
/// with any of several values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuditFilter {
    /// `id`: the entry's id.
    Id,
    /// `account_name`.
    AccountName,
    /// `action_result`: `success`, `failure`.
    ActionResult,
    /// `action_type`: `create`, `update`, `delete`, `view`.
    ActionType,
    /// `actor_context`: `api_token`, `api_key`, `dash`, …
    ActorContext,
    /// `actor_email`.
    ActorEmail,
    /// `actor_id`.
    ActorId,
    /// `actor_ip_address`.
    ActorIpAddress,
    /// `actor_token_id`.
    ActorTokenId,
    /// `actor_token_name`.
    ActorTokenName,
    /// `actor_type`: `user`, `account`, `cloudflare_admin`.
    ActorType,
    /// `raw_cf_ray_id`.
    RawCfRayId,
    /// `raw_method`.
    RawMethod,
    /// `raw_status_code`.
    RawStatusCode,
    /// `raw_uri`.
    RawUri,
    /// `resource_id` (for members: the membership id).
    ResourceId,
    /// `resource_product` (`members` for membership changes).
    ResourceProduct,
    /// `resource_scope`: `accounts`, `user`, `zones`, `memberships`.
    ResourceScope,
    /// `resource_type`.
    ResourceType,
    /// `zone_id`.
    ZoneId,
    /// `zone_name`.
    ZoneName,
}

impl AuditFilter {
    /// The query parameters that keep and drop by this field.
    ///
    /// ```
    /// use member_client::AuditFilter;
    /// assert_eq!(AuditFilter::ActorEmail.keys(), ("actor_email", "actor_email.not"));
    /// ```
    pub fn keys(self) -> (&'static str, &'static str) {
        match self {
            Self::Id => ("id", "id.not"),
            Self::AccountName => ("account_name", "account_name.not"),
            Self::ActionResult => ("action_result", "action_result.not"),
            Self::ActionType => ("action_type", "action_type.not"),
            Self::ActorContext => ("actor_context", "actor_context.not"),
            Self::ActorEmail => ("actor_email", "actor_email.not"),
            Self::ActorId => ("actor_id", "actor_id.not"),
            Self::ActorIpAddress => ("actor_ip_address", "actor_ip_address.not"),
            Self::ActorTokenId => ("actor_token_id", "actor_token_id.not"),
            Self::ActorTokenName => ("actor_token_name", "actor_token_name.not"),
            Self::ActorType => ("actor_type", "actor_type.not"),
            Self::RawCfRayId => ("raw_cf_ray_id", "raw_cf_ray_id.not"),
            Self::RawMethod => ("raw_method", "raw_method.not"),
            Self::RawStatusCode => ("raw_status_code", "raw_status_code.not"),
            Self::RawUri => ("raw_uri", "raw_uri.not"),
            Self::ResourceId => ("resource_id", "resource_id.not"),
            Self::ResourceProduct => ("resource_product", "resource_product.not"),
            Self::ResourceScope => ("resource_scope", "resource_scope.not"),
            Self::ResourceType => ("resource_type", "resource_type.not"),
            Self::ZoneId => ("zone_id", "zone_id.not"),
            Self::ZoneName => ("zone_name", "zone_name.not"),
        }
    }
}

/// A search of an account's audit log: `client.audit_log(&account)`, then
/// a window, filters, and [`stream`](Self::stream) for every entry across
/// the cursor pages, newest first.
///
/// ```no_run
/// # async fn demo(client: member_client::Client, account: member_client::AccountId) -> Result<(), member_client::Error> {
/// use futures::TryStreamExt;
/// use std::time::{Duration, SystemTime};
///
/// // What alice@ changed in memberships over the last day.
/// let changes: Vec<_> = client
///     .audit_log(&account)
///     .since(SystemTime::now() - Duration::from_secs(86_400))
///     .membership_changes()
///     .actor_email("alice@example.com")
///     .stream()
///     .try_collect()
///     .await?;
/// # let _ = changes; Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct AuditLogQuery {
    http: HttpClient,
    options: RequestOptions,
    account: AccountId,
    since: Option<SystemTime>,
    before: Option<SystemTime>,
    ascending: bool,
    limit: u32,
    filters: Vec<(&'static str, String)>,
}

/// Milliseconds, UTC: `2026-08-18T14:02:11.482Z`. A time before 1970 is
/// written as 1970's first instant and one past 9999 as 9999's last (RFC
/// 3339 has four-digit years): the log keeps 30 days, so either asks for
/// the same entries, and neither can panic.
fn rfc3339(time: SystemTime) -> String {
    // 10000-01-01T00:00:00Z, less a millisecond.
    let last = SystemTime::UNIX_EPOCH + Duration::from_millis(253_402_300_799_999);
    let time = time.clamp(SystemTime::UNIX_EPOCH, last);
    humantime::format_rfc3339_millis(time).to_string()
}

/// How far past now the default `before` is: a server clock a little ahead
/// of ours still shows the latest changes.
const CLOCK_SLACK: Duration = Duration::from_secs(60);

impl AuditLogQuery {
    pub(crate) fn new(http: HttpClient, account: AccountId) -> Self {
        Self {
            http,
            options: RequestOptions::default(),
            account,
            since: None,
            before: None,
            ascending: false,
            limit: 100,
            filters: Vec::new(),
        }
    }

    /// Uses these options for every page.
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// Entries at or after `time` (a time before 1970 is sent as 1970).
    pub fn since(mut self, time: SystemTime) -> Self {
        self.since = Some(time);
        self
    }

    /// Entries before `time` (default: a minute from now, so that the
    /// latest changes show even when the server's clock is a little ahead;
    /// a time past the year 9999 is sent as its end).
    pub fn before(mut self, time: SystemTime) -> Self {
        self.before = Some(time);
        self
    }

    /// Oldest first (the API's default is newest first).
    pub fn oldest_first(mut self) -> Self {
        self.ascending = true;
        self
    }

    /// Entries per page, 1 to [`AUDIT_PAGE_MAX`] (default 100).
    ///
    /// # Errors
    /// [`ValidationError::OutOfRange`] outside that range.
    pub fn page_size(mut self, limit: u32) -> Result<Self, ValidationError> {
        if !(1..=AUDIT_PAGE_MAX).contains(&limit) {
            return Err(ValidationError::OutOfRange {
                field: "limit",
                value: i64::from(limit),
                min: 1,
                max: i64::from(AUDIT_PAGE_MAX),
            });
        }
        self.limit = limit;
        Ok(self)
    }

    /// Keeps only entries whose `field` is `value` (repeat for several
    /// values: any of them matches).
    pub fn filter(mut self, field: AuditFilter, value: impl Into<String>) -> Self {
        self.push_filter(field.keys().0, value.into());
        self
    }

    /// Adds a query pair once: asking for the same filter twice (say
    /// [`membership_changes`](Self::membership_changes) and then
    /// [`of_member`](Self::of_member)) sends it once.
    fn push_filter(&mut self, key: &'static str, value: String) {
        if !self.filters.iter().any(|(k, v)| *k == key && *v == value) {
            self.filters.push((key, value));
        }
    }

    /// Drops entries whose `field` is `value`.
    pub fn exclude(mut self, field: AuditFilter, value: impl Into<String>) -> Self {
        self.push_filter(field.keys().1, value.into());
        self
    }

    /// Changes made by this email.
    pub fn actor_email(self, email: impl Into<String>) -> Self {
        self.filter(AuditFilter::ActorEmail, email)
    }

    /// Changes to account memberships (`resource_product=members`).
    pub fn membership_changes(self) -> Self {
        self.filter(AuditFilter::ResourceProduct, "members")
    }

    /// Membership changes of one member (by membership id: the log names
    /// members by id; [`Resolver::member_id`](crate::Resolver::member_id)
    /// finds it from an email).
    pub fn of_member(self, member: &MemberId) -> Self {
        self.membership_changes()
            .filter(AuditFilter::ResourceId, member.as_str())
    }

    /// The window searched, as sent: `since` (default: now minus
    /// [`DEFAULT_AUDIT_WINDOW`]) and `before` (default: a minute from
    /// now), and whether the default `since` was used.
    pub fn window(&self) -> (SystemTime, SystemTime, bool) {
        let now = SystemTime::now();
        let before = self.before.unwrap_or(now + CLOCK_SLACK);
        match self.since {
            Some(since) => (since, before, false),
            None => (
                now.checked_sub(DEFAULT_AUDIT_WINDOW)
                    .unwrap_or(SystemTime::UNIX_EPOCH),
                before,
                true,
            ),
        }
    }

    fn query(
        &self,
        since: SystemTime,
        before: SystemTime,
        cursor: Option<&str>,
    ) -> Vec<(&'static str, String)> {
        let mut query = vec![
            ("since", rfc3339(since)),
            ("before", rfc3339(before)),
            ("limit", self.limit.to_string()),
        ];
        if self.ascending {
            query.push(("direction", "asc".to_owned()));
        }
        query.extend(self.filters.iter().cloned());
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        query
    }

    /// Every entry of the window, page after page (the next page's cursor
    /// read from `result_info.cursor` or `result_info.cursors.after`),
    /// until a page gives no cursor. A cursor given twice ends the stream
    /// with an error rather than a loop.
    pub fn stream(self) -> impl Stream<Item = Result<AuditLog, Error>> + Send + 'static {
        let (since, before, _) = self.window();
        let state = Some((self, None::<String>, Vec::<String>::new()));
        stream::try_unfold(state, move |state| async move {
            let Some((query, cursor, mut seen)) = state else {
                return Ok(None);
            };
            let path = account_path(&query.account, &["logs", "audit"]);
            let page = Call::<Option<Vec<AuditLog>>>::new(
                query.http.clone(),
                Method::GET,
                path,
                query.options.clone(),
            )
            .query(query.query(since, before, cursor.as_deref()))
            .send_with_response()
            .await?;
            let entries = page.result.unwrap_or_default();
            let next = page
                .result_info
                .as_ref()
                .and_then(|i| i.next_cursor())
                .map(str::to_owned);
            let state = match next {
                Some(next) if seen.contains(&next) => {
                    return Err(Error::protocol(format!(
                        "the audit log gave the cursor {next:?} twice; stopped rather than \
                         read the same pages again"
                    )))
                }
                Some(next) if !entries.is_empty() => {
                    seen.push(next.clone());
                    Some((query, Some(next), seen))
                }
                _ => None,
            };
            Ok(Some((stream::iter(entries.into_iter().map(Ok)), state)))
        })
        .try_flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_outside_rfc_3339_years_are_clamped_not_a_panic() {
        let day = Duration::from_secs(86_400);
        assert_eq!(
            rfc3339(SystemTime::UNIX_EPOCH - day * 30_000),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            rfc3339(SystemTime::UNIX_EPOCH + day * 4_000_000),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(
            rfc3339(SystemTime::UNIX_EPOCH + Duration::from_millis(1_787_062_931_482)),
            "2026-08-18T14:22:11.482Z"
        );
    }
}
