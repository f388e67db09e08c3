//! Zones: `GET /zones` over every account the credential reaches, with the
//! real filters (`name` and `account.name` with their operator prefixes,
//! `account.id`, `status`, `match`), `order` and `direction`, and V4 paging.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use member_types::Zone;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::shared::Inner;
use crate::state::Account;

use super::request::QueryPairs;
use super::{method_not_allowed, Shared};

/// The longest `name` or `account.name` filter taken (a domain's limit).
const NAME_MAX: usize = 253;
const STATUSES: &[&str] = &["initializing", "pending", "active", "moved"];
const ORDERS: &[&str] = &["name", "status", "account.id", "account.name", "plan.id"];
/// The plan every mock zone is on (Cloudflare's Free plan id).
const FREE_PLAN: &str = "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

pub(super) fn routes() -> Router<Arc<Inner>> {
    Router::new().route(
        "/zones",
        get(list).fallback(method_not_allowed("GET, HEAD")),
    )
}

/// A text filter: a plain value is an exact match, ignoring ASCII case as
/// domain names do; `equal:`, `not_equal:`, `starts_with:`, `ends_with:`
/// and `contains:` (the last three with `_case_sensitive` variants) are the
/// API's operators. Any other text before a `:` is no operator: the whole
/// value is then matched exactly, so it finds nothing unless a name holds
/// it.
#[derive(Debug)]
struct TextFilter<'a> {
    op: Op,
    case_sensitive: bool,
    value: &'a str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Equal,
    NotEqual,
    StartsWith,
    EndsWith,
    Contains,
}

impl<'a> TextFilter<'a> {
    fn parse(raw: &'a str) -> Self {
        let exact = Self {
            op: Op::Equal,
            case_sensitive: false,
            value: raw,
        };
        let Some((prefix, value)) = raw.split_once(':') else {
            return exact;
        };
        let (op, case_sensitive) = match prefix {
            "equal" => (Op::Equal, false),
            "not_equal" => (Op::NotEqual, false),
            "starts_with" => (Op::StartsWith, false),
            "ends_with" => (Op::EndsWith, false),
            "contains" => (Op::Contains, false),
            "starts_with_case_sensitive" => (Op::StartsWith, true),
            "ends_with_case_sensitive" => (Op::EndsWith, true),
            "contains_case_sensitive" => (Op::Contains, true),
            _ => return exact,
        };
        Self {
            op,
            case_sensitive,
            value,
        }
    }

    fn matches(&self, text: &str) -> bool {
        let (text, value) = if self.case_sensitive {
            (text.to_owned(), self.value.to_owned())
        } else {
            (text.to_ascii_lowercase(), self.value.to_ascii_lowercase())
        };
        match self.op {
            Op::Equal => text == value,
            Op::NotEqual => text != value,
            Op::StartsWith => text.starts_with(&value),
            Op::EndsWith => text.ends_with(&value),
            Op::Contains => text.contains(&value),
        }
    }
}

/// A zone with its owning account, as listed.
struct Listed<'a> {
    zone: &'a Zone,
    account: &'a Account,
}

impl Listed<'_> {
    fn account_name(&self) -> &str {
        self.account.name.as_deref().unwrap_or_default()
    }

    fn status(&self) -> &str {
        self.zone.status.as_deref().unwrap_or("active")
    }

    fn sort_key(&self, order: &str) -> String {
        match order {
            "status" => self.status().to_owned(),
            "account.id" => self.account.id.as_str().to_owned(),
            "account.name" => self.account_name().to_ascii_lowercase(),
            "plan.id" => FREE_PLAN.to_owned(),
            _ => self.zone.name.to_ascii_lowercase(),
        }
    }

    /// The zone as the API sends it: the keys a client needs, and some of
    /// the dozens of others, with `account` always the owning account.
    fn to_json(&self) -> Value {
        let zone = self.zone;
        let status = self.status();
        let active = status == "active";
        json!({
            "id": zone.id.as_str(),
            "name": zone.name,
            "status": status,
            "paused": false,
            "type": "full",
            "development_mode": 0,
            "name_servers": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
            "original_name_servers": null,
            "original_registrar": null,
            "original_dnshost": null,
            "modified_on": "2024-05-14T08:41:55.077305Z",
            "created_on": "2024-05-14T08:41:55.077305Z",
            "activated_on": if active { json!("2024-05-14T09:03:18.447201Z") } else { Value::Null },
            "meta": {"step": 2, "custom_certificate_quota": 0, "page_rule_quota": 3, "phishing_detected": false},
            "owner": {"id": null, "type": "organization", "email": null},
            "account": {"id": self.account.id.as_str(), "name": self.account_name()},
            "tenant": {"id": null, "name": null},
            "tenant_unit": {"id": null},
            "permissions": ["#zone:read", "#dns_records:read", "#dns_records:edit"],
            "plan": {
                "id": FREE_PLAN, "name": "Free Website", "price": 0, "currency": "USD",
                "frequency": "", "is_subscribed": false, "can_subscribe": false,
                "legacy_id": "free", "legacy_discount": false, "externally_managed": false
            }
        })
    }
}

async fn list(State(inner): Shared, query: QueryPairs) -> Result<Response, ApiError> {
    let name = query.text("name", NAME_MAX)?.map(TextFilter::parse);
    let account_id = query.hex_id("account.id")?;
    let account_name = query.text("account.name", NAME_MAX)?.map(TextFilter::parse);
    let status = query.one_of("status", STATUSES)?;
    let order = query.one_of("order", ORDERS)?.unwrap_or("name");
    let desc = query.one_of("direction", &["asc", "desc"])? == Some("desc");
    let any = query.one_of("match", &["any", "all"])? == Some("any");
    let paging = query.paging()?;
    let body = inner.with_accounts(|accounts| {
        let mut zones: Vec<Listed<'_>> = accounts
            .filter(|account| !account.no_access)
            .flat_map(|account| {
                account
                    .zones
                    .iter()
                    .map(move |zone| Listed { zone, account })
            })
            .filter(|z| {
                let tests = [
                    name.as_ref().map(|f| f.matches(&z.zone.name)),
                    account_id.map(|id| z.account.id.as_str() == id),
                    account_name.as_ref().map(|f| f.matches(z.account_name())),
                    status.map(|s| z.status() == s),
                ];
                let mut given = tests.into_iter().flatten().peekable();
                if given.peek().is_none() {
                    true
                } else if any {
                    given.any(|ok| ok)
                } else {
                    given.all(|ok| ok)
                }
            })
            .collect();
        zones.sort_by(|a, b| {
            let by = a.sort_key(order).cmp(&b.sort_key(order));
            let by = if desc { by.reverse() } else { by };
            by.then_with(|| a.zone.name.cmp(&b.zone.name))
                .then_with(|| a.account.id.as_str().cmp(b.account.id.as_str()))
        });
        let total = zones.len() as u64;
        let page: Vec<Value> = paging
            .of(zones.iter())
            .iter()
            .map(|z| z.to_json())
            .collect();
        (page, total)
    });
    let (page, total) = body;
    Ok(paging.answer(page, total))
}
