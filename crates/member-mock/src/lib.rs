#![doc = include_str!("../README.md")]

mod admin;
mod api;
mod audit;
mod auth;
pub mod default_seed;
mod edge;
mod error;
pub mod fault;
mod handle;
mod ids;
pub mod rate_limit;
mod record;
pub mod seed;
mod server;
mod shared;
mod state;

pub use fault::{Fault, FaultBody, FaultBuilder};
pub use handle::MockServer;
pub use rate_limit::{RateLimitPolicy, WindowMode};
pub use record::{RecordedRequest, REDACTED};
pub use seed::{Seed, SeedAccount, SeedError, SeedUserGroup};
pub use server::{
    MockServerBuilder, ScopeShape, StartError, DEFAULT_API_KEY, DEFAULT_EMAIL, DEFAULT_TOKEN,
    DEFAULT_USER_SERVICE_KEY,
};

/// Where the API lives on the mock, as on `api.cloudflare.com`.
pub const API_PREFIX: &str = "/client/v4";

/// Where the admin API lives (never part of the Cloudflare API).
pub const ADMIN_PREFIX: &str = "/__mock";
