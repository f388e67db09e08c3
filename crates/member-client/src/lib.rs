//! A Rust client for Cloudflare account members.
//!
//! ```no_run
//! use member_client::{Client, MemberId, RoleId};
//!
//! # async fn demo() -> Result<(), member_client::Error> {
//! let client = Client::from_env()?;
//! let members = client.members(&"023e105f4ecef8ad9ca31a8372d0c353".parse()?);
//! let member: MemberId = "4536bcfad5faccb111b47003c79917fa".parse()?;
//! let role: RoleId = "3536bcfad5faccb999b47003c79917fb".parse()?;
//! let updated = members.set_roles(&member, [role]).await?;
//! println!("{:?} now has {:?}", updated.email(), updated.role_ids());
//! # Ok(()) }
//! ```
//!
//! - [`Client`]: configuration, from the environment or a builder.
//! - [`Members`]: get, update (roles or policies), add, remove, list as a
//!   stream, find by email.
//! - [`Roles`]: get, list, find by name.
//! - [`Members::plan`] and [`Members::apply`]: bulk access changes, planned
//!   against the current state, run concurrently within the rate limit
//!   ([`ClientBuilder::rate_limit`]) as a stream of [`Outcome`]s, with a
//!   [`RetryFile`] for what failed.
//! - [`Call`]: one request, with per-request timeout, retries and headers,
//!   `.await` for the result or `send_with_response()` for status, `cf-ray`,
//!   rate-limit headers and `messages`.
//!
//! Everything in `member-types` is re-exported here.

mod apply;
mod call;
mod client;
mod members;
mod paginate;
mod roles;

pub use apply::{
    AccessState, Apply, Change, ChangeError, ChangeResult, MemberRef, Outcome, Plan, PlanAction,
    PlanEntry, PolicyState, Problem, ProblemKind, RetryEntry, RetryFile, DEFAULT_APPLY_CONCURRENCY,
};
pub use call::{Call, PreparedRequest};
pub use client::{Client, ClientBuilder, ENV_ACCOUNT_ID};
pub use members::{Members, Removed};
pub use paginate::{ItemStream, Page, PageStream, MAX_PAGES};
pub use roles::Roles;

pub use member_http::{
    ApiResponse, AttemptInfo, CancelToken, Credentials, Error, ErrorKind, HeaderName, HeaderValue,
    Method, RateLimitConfig, RateLimitStatus, RequestOptions, ResponseMeta,
};
pub use member_types::*;

/// The underlying crates, for what this facade does not re-export.
pub mod reexports {
    pub use member_http;
    pub use member_types;
}

/// The workspace README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
