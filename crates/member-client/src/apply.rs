//! Bulk access changes: plan them against the current state, apply them
//! concurrently within the client's rate limit as a stream of outcomes, and
//! write what failed to a retry file.
//!
//! The steps a bulk tool (such as `cf-members apply FILE`) takes:
//!
//! 1. Read the wanted changes ([`Change`]: set roles, set policies, add,
//!    remove; a member named by id or by email). They are serde types, so a
//!    JSON file maps onto them directly.
//! 2. [`Members::plan`] reads the current members (one paged list), resolves
//!    emails (case-insensitively) to ids, and returns a [`Plan`]: for each
//!    change the member, its access before and after, [`PlanAction::Unchanged`]
//!    for members already in the wanted state (roles and policies compared as
//!    sets), and [`Problem`]s for what cannot be done — an unknown email is
//!    reported, never guessed, and nobody is added unless the change says
//!    [`Change::Add`].
//! 3. [`Members::apply`] runs [`Plan::changes`] concurrently (4 at a time by
//!    default) within the client's rate limit
//!    ([`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit)) and
//!    yields one [`Outcome`] per change as it completes.
//! 4. [`RetryFile::from_outcomes`] keeps what failed or never started; fed
//!    back through [`Members::plan`], only what is still not in the wanted
//!    state is applied again, so a change that did land (an [`Outcome`] that
//!    [`may_have_been_applied`](Outcome::may_have_been_applied)) becomes a
//!    no-op instead of being applied twice.
//!
//! Stopping: [`Apply::cancel`] (or its [`CancelToken`]) starts nothing new;
//! changes already sent finish and are reported, the rest are reported as
//! [`ChangeResult::NotStarted`]. Dropping the stream stops at once: nothing
//! new starts, and the requests in flight are abandoned unreported.
//!
//! ```no_run
//! use futures::StreamExt;
//! use member_client::{Change, Client, MemberRef, RetryFile, RoleId};
//!
//! # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let members = client.default_members()?;
//! let read_only: RoleId = "05784afa30c1afe1440e79d9351c7430".parse()?;
//! let wanted = vec![
//!     Change::set_roles(MemberRef::email("bob.dns@example.com"), [read_only.clone()]),
//!     Change::set_roles(MemberRef::email("nobody@example.com"), [read_only]),
//! ];
//! let plan = members.plan(&wanted).await?;
//! for problem in &plan.problems {
//!     eprintln!("skipped: {}", problem.message);
//! }
//! let outcomes: Vec<_> = members.apply(plan.changes()).collect().await;
//! let retry = RetryFile::from_outcomes(&outcomes);
//! std::fs::write("retry.json", serde_json::to_string_pretty(&retry)?)?;
//! # Ok(()) }
//! ```

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};
use member_http::{CancelToken, Error, ErrorKind};
use member_types::{
    CreateAccess, CreateMember, ListMembersParams, Member, MemberId, PermissionGroupId, Policy,
    PolicyRequest, ResourceGroupId, RoleId, ValidationError,
};
use serde::{Deserialize, Serialize};

use crate::Members;

/// How many changes [`Members::apply`] runs at once unless told otherwise.
pub const DEFAULT_APPLY_CONCURRENCY: usize = 4;

/// Who a change is about: a member id, or an email that
/// [`Members::plan`] resolves (case-insensitively).
///
/// JSON: `{"id": "…"}` or `{"email": "…"}` (inside a [`Change`], these keys
/// sit beside `op`).
///
/// ```
/// use member_client::{MemberId, MemberRef};
///
/// let by_id = MemberRef::from(MemberId::new("4536bcfad5faccb111b47003c79917fa")?);
/// assert_eq!(by_id.to_string(), "4536bcfad5faccb111b47003c79917fa");
/// let by_email = MemberRef::email("Bob.DNS@example.com");
/// assert_eq!(by_email.as_email(), Some("Bob.DNS@example.com"));
/// assert_eq!(serde_json::to_string(&by_email).unwrap(), r#"{"email":"Bob.DNS@example.com"}"#);
/// # Ok::<(), member_client::ValidationError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRef {
    /// The membership id.
    Id(MemberId),
    /// The member's email.
    Email(String),
}

impl MemberRef {
    /// A member named by email.
    ///
    /// ```
    /// assert!(member_client::MemberRef::email("a@example.com").as_id().is_none());
    /// ```
    pub fn email(email: impl Into<String>) -> Self {
        Self::Email(email.into())
    }

    /// The id, when the member is named by id.
    ///
    /// ```
    /// use member_client::{MemberId, MemberRef};
    /// let id = MemberId::new("abc123")?;
    /// assert_eq!(MemberRef::from(id.clone()).as_id(), Some(&id));
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn as_id(&self) -> Option<&MemberId> {
        match self {
            Self::Id(id) => Some(id),
            Self::Email(_) => None,
        }
    }

    /// The email, when the member is named by email.
    ///
    /// ```
    /// assert_eq!(member_client::MemberRef::email("a@example.com").as_email(), Some("a@example.com"));
    /// ```
    pub fn as_email(&self) -> Option<&str> {
        match self {
            Self::Id(_) => None,
            Self::Email(email) => Some(email),
        }
    }
}

impl From<MemberId> for MemberRef {
    fn from(id: MemberId) -> Self {
        Self::Id(id)
    }
}

impl From<&MemberId> for MemberRef {
    fn from(id: &MemberId) -> Self {
        Self::Id(id.clone())
    }
}

impl fmt::Display for MemberRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => f.write_str(id.as_str()),
            Self::Email(email) => f.write_str(email),
        }
    }
}

/// One wanted access change.
///
/// JSON (what a changes file or a [`RetryFile`] holds), one object per
/// change, `op` naming the kind:
///
/// ```json
/// {"op": "set_roles", "email": "bob.dns@example.com", "roles": ["05784afa30c1afe1440e79d9351c7430"]}
/// {"op": "set_policies", "id": "4536bcfad5faccb111b47003c79917fa", "policies": [{"access": "allow", "permission_groups": [{"id": "…"}], "resource_groups": [{"id": "…"}]}]}
/// {"op": "add", "email": "new@example.com", "roles": ["05784afa30c1afe1440e79d9351c7430"]}
/// {"op": "remove", "id": "4536bcfad5faccb111b47003c79917fa"}
/// ```
///
/// Setting roles replaces the member's policies too (the API keeps one or
/// the other), and setting policies replaces the roles.
///
/// ```
/// use member_client::{Change, MemberRef, RoleId};
///
/// let change = Change::set_roles(
///     MemberRef::email("bob.dns@example.com"),
///     [RoleId::new("05784afa30c1afe1440e79d9351c7430")?],
/// );
/// let json = serde_json::to_string(&change).unwrap();
/// assert_eq!(
///     json,
///     r#"{"op":"set_roles","email":"bob.dns@example.com","roles":["05784afa30c1afe1440e79d9351c7430"]}"#
/// );
/// assert_eq!(serde_json::from_str::<Change>(&json).unwrap(), change);
/// # Ok::<(), member_client::ValidationError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// Replace the member's roles (and drop its policies).
    SetRoles {
        /// Who.
        #[serde(flatten)]
        member: MemberRef,
        /// The roles wanted (at least one; order does not matter).
        roles: Vec<RoleId>,
    },
    /// Replace the member's policies (and drop its roles).
    SetPolicies {
        /// Who.
        #[serde(flatten)]
        member: MemberRef,
        /// The policies wanted (at least one; order does not matter).
        policies: Vec<PolicyRequest>,
    },
    /// Invite (or directly add) a new member: the only change that adds
    /// anybody.
    Add(CreateMember),
    /// Remove the member from the account.
    Remove {
        /// Who.
        #[serde(flatten)]
        member: MemberRef,
    },
}

impl Change {
    /// Replace `member`'s roles with `roles`.
    ///
    /// ```
    /// use member_client::{Change, MemberId, RoleId};
    /// let change = Change::set_roles(MemberId::new("abc")?, [RoleId::new("r1")?]);
    /// assert!(change.validate().is_ok());
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn set_roles(
        member: impl Into<MemberRef>,
        roles: impl IntoIterator<Item = RoleId>,
    ) -> Self {
        Self::SetRoles {
            member: member.into(),
            roles: roles.into_iter().collect(),
        }
    }

    /// Replace `member`'s policies with `policies`.
    ///
    /// ```
    /// use member_client::{Access, Change, MemberRef, PermissionGroupId, PolicyRequest, ResourceGroupId};
    /// let policy = PolicyRequest::new(
    ///     Access::Allow,
    ///     [PermissionGroupId::new("c8fed203ed3043cba015a93ad1616f1f")?],
    ///     [ResourceGroupId::new("6d7f2f5f5b1d4a0e9081fdc98d432fd1")?],
    /// )?;
    /// let change = Change::set_policies(MemberRef::email("a@example.com"), [policy]);
    /// assert_eq!(change.member(), MemberRef::email("a@example.com"));
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn set_policies(
        member: impl Into<MemberRef>,
        policies: impl IntoIterator<Item = PolicyRequest>,
    ) -> Self {
        Self::SetPolicies {
            member: member.into(),
            policies: policies.into_iter().collect(),
        }
    }

    /// Add a member.
    ///
    /// ```
    /// use member_client::{Change, CreateMember, RoleId};
    /// let change = Change::add(CreateMember::with_roles("new@example.com", [RoleId::new("r1")?])?);
    /// assert_eq!(change.member().as_email(), Some("new@example.com"));
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn add(body: CreateMember) -> Self {
        Self::Add(body)
    }

    /// Remove `member`.
    ///
    /// ```
    /// use member_client::{Change, MemberId};
    /// let change = Change::remove(MemberId::new("abc")?);
    /// assert_eq!(change.member().as_id().map(|id| id.as_str()), Some("abc"));
    /// # Ok::<(), member_client::ValidationError>(())
    /// ```
    pub fn remove(member: impl Into<MemberRef>) -> Self {
        Self::Remove {
            member: member.into(),
        }
    }

    /// Who the change is about (for an add, the new member's email).
    ///
    /// ```
    /// use member_client::{Change, MemberRef};
    /// assert_eq!(Change::remove(MemberRef::email("a@example.com")).member().to_string(), "a@example.com");
    /// ```
    pub fn member(&self) -> MemberRef {
        match self {
            Self::SetRoles { member, .. }
            | Self::SetPolicies { member, .. }
            | Self::Remove { member } => member.clone(),
            Self::Add(body) => MemberRef::Email(body.email.clone()),
        }
    }

    /// A short name of the kind: `set_roles`, `set_policies`, `add`,
    /// `remove`.
    ///
    /// ```
    /// use member_client::{Change, MemberRef};
    /// assert_eq!(Change::remove(MemberRef::email("a@example.com")).op(), "remove");
    /// ```
    pub fn op(&self) -> &'static str {
        match self {
            Self::SetRoles { .. } => "set_roles",
            Self::SetPolicies { .. } => "set_policies",
            Self::Add(_) => "add",
            Self::Remove { .. } => "remove",
        }
    }

    /// Checks what can be checked without the server: ids, emails, and
    /// non-empty role and policy lists.
    ///
    /// # Errors
    /// The first rule broken.
    ///
    /// ```
    /// use member_client::{Change, MemberRef};
    /// let empty = Change::set_roles(MemberRef::email("a@example.com"), []);
    /// assert!(empty.validate().is_err());
    /// assert!(Change::remove(MemberRef::email("not an email")).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), ValidationError> {
        let check_member = |member: &MemberRef| match member {
            MemberRef::Id(id) => id.check().map(|_| ()),
            MemberRef::Email(email) => member_types::check_email(email),
        };
        match self {
            Self::SetRoles { member, roles } => {
                check_member(member)?;
                member_types::UpdateMember::with_roles(roles.iter().cloned())?.validate()
            }
            Self::SetPolicies { member, policies } => {
                check_member(member)?;
                member_types::UpdateMember::with_policies(policies.iter().cloned())?.validate()
            }
            Self::Add(body) => body.validate(),
            Self::Remove { member } => check_member(member),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.op(), self.member())
    }
}

/// One policy, as compared by [`Members::plan`]: access and the sets of
/// permission and resource group ids (order and names do not matter).
///
/// ```
/// use member_client::{Access, PermissionGroupId, PolicyRequest, PolicyState, ResourceGroupId};
/// let policy = PolicyRequest::new(
///     Access::Allow,
///     [PermissionGroupId::new("pg2")?, PermissionGroupId::new("pg1")?],
///     [ResourceGroupId::new("rg1")?],
/// )?;
/// let state = PolicyState::from(&policy);
/// assert_eq!(state.access, "allow");
/// assert_eq!(state.permission_groups.len(), 2);
/// # Ok::<(), member_client::ValidationError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PolicyState {
    /// `allow`, `deny`, or what the server sent.
    pub access: String,
    /// The permission group ids.
    pub permission_groups: BTreeSet<PermissionGroupId>,
    /// The resource group ids.
    pub resource_groups: BTreeSet<ResourceGroupId>,
}

impl From<&PolicyRequest> for PolicyState {
    fn from(policy: &PolicyRequest) -> Self {
        Self {
            access: policy.access.as_str().to_owned(),
            permission_groups: policy
                .permission_groups
                .iter()
                .map(|g| g.id.clone())
                .collect(),
            resource_groups: policy
                .resource_groups
                .iter()
                .map(|g| g.id.clone())
                .collect(),
        }
    }
}

impl From<&Policy> for PolicyState {
    fn from(policy: &Policy) -> Self {
        Self {
            access: policy
                .access
                .as_ref()
                .map(|a| a.as_str().to_owned())
                .unwrap_or_default(),
            permission_groups: policy
                .permission_groups
                .iter()
                .map(|g| g.id.clone())
                .collect(),
            resource_groups: policy
                .resource_groups
                .iter()
                .map(|g| g.id.clone())
                .collect(),
        }
    }
}

/// A member's access as [`Members::plan`] compares it: role ids and
/// policies, as sets.
///
/// ```
/// use member_client::{AccessState, RoleId};
/// let a = AccessState::roles([RoleId::new("r2")?, RoleId::new("r1")?]);
/// let b = AccessState::roles([RoleId::new("r1")?, RoleId::new("r2")?, RoleId::new("r1")?]);
/// assert_eq!(a, b);
/// # Ok::<(), member_client::ValidationError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccessState {
    /// Role ids.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub roles: BTreeSet<RoleId>,
    /// Policies.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub policies: BTreeSet<PolicyState>,
}

impl AccessState {
    /// Exactly these roles and no policy.
    ///
    /// ```
    /// let state = member_client::AccessState::roles([]);
    /// assert!(state.roles.is_empty() && state.policies.is_empty());
    /// ```
    pub fn roles(roles: impl IntoIterator<Item = RoleId>) -> Self {
        Self {
            roles: roles.into_iter().collect(),
            policies: BTreeSet::new(),
        }
    }

    /// Exactly these policies and no role.
    ///
    /// ```
    /// let state = member_client::AccessState::policies([]);
    /// assert!(state.policies.is_empty());
    /// ```
    pub fn policies<'a>(policies: impl IntoIterator<Item = &'a PolicyRequest>) -> Self {
        Self {
            roles: BTreeSet::new(),
            policies: policies.into_iter().map(PolicyState::from).collect(),
        }
    }

    /// What a member has now.
    ///
    /// ```
    /// let state = member_client::AccessState::of_member(&member_client::Member::default());
    /// assert_eq!(state, member_client::AccessState::default());
    /// ```
    pub fn of_member(member: &Member) -> Self {
        Self {
            roles: member.roles.iter().map(|r| r.id.clone()).collect(),
            policies: member.policies.iter().map(PolicyState::from).collect(),
        }
    }

    fn of_create(body: &CreateMember) -> Self {
        match &body.access {
            CreateAccess::Roles { roles } => Self::roles(roles.iter().cloned()),
            CreateAccess::Policies { policies } => Self::policies(policies),
            // `CreateAccess` may gain shapes; they compare as no access.
            _ => Self::default(),
        }
    }
}

/// What a [`PlanEntry`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PlanAction {
    /// The member's roles or policies change.
    Update,
    /// A new member is added.
    Add,
    /// The member is removed.
    Remove,
    /// The member is already in the wanted state: nothing is sent.
    Unchanged,
}

/// One change of a [`Plan`]: who, from what, to what.
///
/// ```
/// # fn show(plan: &member_client::Plan) {
/// for entry in &plan.entries {
///     println!("{:?} {:?}: {:?} -> {:?}", entry.action, entry.email, entry.from, entry.to);
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlanEntry {
    /// The position of the change in the list given to [`Members::plan`].
    pub input: usize,
    /// What happens.
    pub action: PlanAction,
    /// The member's id (none for a member still to be added).
    pub member_id: Option<MemberId>,
    /// The member's email, when known.
    pub email: Option<String>,
    /// The access now (none for a member still to be added).
    pub from: Option<AccessState>,
    /// The access wanted (none for a removal).
    pub to: Option<AccessState>,
    /// What [`Members::apply`] sends: the input change, naming the member by
    /// id.
    pub change: Change,
}

impl PlanEntry {
    /// Whether the member is already in the wanted state.
    ///
    /// ```
    /// # fn count(plan: &member_client::Plan) -> usize {
    /// plan.entries.iter().filter(|e| e.is_unchanged()).count()
    /// # }
    /// ```
    pub fn is_unchanged(&self) -> bool {
        self.action == PlanAction::Unchanged
    }
}

/// Why a change of the input is not in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// No member has this email (nobody is added unless the change says
    /// `add`).
    UnknownEmail,
    /// No member has this id.
    UnknownMember,
    /// Several members have this email.
    AmbiguousEmail,
    /// `add` for an email that is already a member with other access (use
    /// `set_roles` or `set_policies` to change it).
    AlreadyMember,
    /// Another change of the input is about the same member.
    Duplicate,
    /// The change breaks a rule (see the message).
    Invalid,
}

/// A change of the input that the plan leaves out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Problem {
    /// The position of the change in the list given to [`Members::plan`].
    pub input: usize,
    /// The change as given.
    pub change: Change,
    /// The kind of problem.
    pub kind: ProblemKind,
    /// What is wrong, for people.
    pub message: String,
}

/// What [`Members::plan`] found: the changes to make, the members already
/// in the wanted state, and the problems.
///
/// Serializable, so it can be shown as JSON (`--dry-run`) or kept.
///
/// ```
/// let plan = member_client::Plan::default();
/// assert!(plan.changes().is_empty());
/// assert!(plan.problems.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Plan {
    /// One entry per change that can be made, unchanged ones included, in
    /// input order.
    pub entries: Vec<PlanEntry>,
    /// The changes left out, in input order.
    pub problems: Vec<Problem>,
}

impl Plan {
    /// The changes to send (unchanged members left out), each naming its
    /// member by id: the input of [`Members::apply`].
    ///
    /// ```
    /// assert!(member_client::Plan::default().changes().is_empty());
    /// ```
    pub fn changes(&self) -> Vec<Change> {
        self.entries
            .iter()
            .filter(|e| !e.is_unchanged())
            .map(|e| e.change.clone())
            .collect()
    }

    /// The entries for members already in the wanted state.
    ///
    /// ```
    /// assert_eq!(member_client::Plan::default().unchanged().count(), 0);
    /// ```
    pub fn unchanged(&self) -> impl Iterator<Item = &PlanEntry> {
        self.entries.iter().filter(|e| e.is_unchanged())
    }
}

/// Why a change failed, kept in a serializable form (the [`Error`] itself
/// is kept too, but not serialized).
///
/// ```
/// # fn show(outcome: &member_client::Outcome) {
/// if let Some(error) = outcome.error() {
///     eprintln!("{} failed: {} (applied? {})", outcome.change, error.message, error.may_have_been_applied);
/// }
/// # }
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChangeError {
    /// [`ErrorKind::as_str`], e.g. `bad_request`.
    pub kind: String,
    /// The error's one-line message.
    pub message: String,
    /// The HTTP status, when there was an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Cloudflare error codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<i64>,
    /// The answer's `cf-ray`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cf_ray: Option<String>,
    /// Whether the change may have been applied all the same
    /// ([`Error::may_have_been_applied`]): check before repeating it.
    pub may_have_been_applied: bool,
    #[serde(skip)]
    source: Option<Arc<Error>>,
}

impl ChangeError {
    /// The error, when this value was not read back from JSON.
    ///
    /// ```
    /// # fn kind(e: &member_client::ChangeError) -> Option<member_client::ErrorKind> {
    /// e.error().map(|e| e.kind())
    /// # }
    /// ```
    pub fn error(&self) -> Option<&Error> {
        self.source.as_deref()
    }
}

impl PartialEq for ChangeError {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.message == other.message
            && self.status == other.status
            && self.codes == other.codes
            && self.cf_ray == other.cf_ray
            && self.may_have_been_applied == other.may_have_been_applied
    }
}

impl From<Error> for ChangeError {
    fn from(error: Error) -> Self {
        Self {
            kind: error.kind().as_str().to_owned(),
            message: error.to_string(),
            status: error.status(),
            codes: error.codes(),
            cf_ray: error.cf_ray().map(str::to_owned),
            may_have_been_applied: error.may_have_been_applied(),
            source: Some(Arc::new(error)),
        }
    }
}

/// How one change ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeResult {
    /// The server accepted it; the member as it answered (none for a
    /// removal).
    Applied {
        /// The member after the change.
        member: Option<Box<Member>>,
    },
    /// It failed.
    Failed(ChangeError),
    /// It was never sent: the run was cancelled first.
    NotStarted,
}

/// The outcome of one change of [`Members::apply`].
///
/// ```
/// # fn tally(outcomes: &[member_client::Outcome]) {
/// let applied = outcomes.iter().filter(|o| o.is_applied()).count();
/// let unsure = outcomes.iter().filter(|o| !o.is_applied() && o.may_have_been_applied()).count();
/// println!("{applied} applied, {unsure} failed but may have landed");
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Outcome {
    /// The position of the change in the list given to [`Members::apply`].
    pub index: usize,
    /// The change.
    pub change: Change,
    /// How it ended.
    pub result: ChangeResult,
}

impl Outcome {
    /// Whether the server accepted the change.
    ///
    /// ```
    /// # fn f(o: &member_client::Outcome) -> bool {
    /// o.is_applied()
    /// # }
    /// ```
    pub fn is_applied(&self) -> bool {
        matches!(self.result, ChangeResult::Applied { .. })
    }

    /// Whether the change may have taken effect: `true` when applied, and
    /// for failures where the request may have been processed anyway (a 5xx,
    /// a timeout after sending); `false` when it certainly did not.
    ///
    /// ```
    /// # fn f(o: &member_client::Outcome) -> bool {
    /// o.may_have_been_applied()
    /// # }
    /// ```
    pub fn may_have_been_applied(&self) -> bool {
        match &self.result {
            ChangeResult::Applied { .. } => true,
            ChangeResult::Failed(e) => e.may_have_been_applied,
            ChangeResult::NotStarted => false,
        }
    }

    /// The failure, when it failed.
    ///
    /// ```
    /// # fn f(o: &member_client::Outcome) -> Option<&str> {
    /// o.error().map(|e| e.message.as_str())
    /// # }
    /// ```
    pub fn error(&self) -> Option<&ChangeError> {
        match &self.result {
            ChangeResult::Failed(e) => Some(e),
            _ => None,
        }
    }
}

/// One change to try again, from a [`RetryFile`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RetryEntry {
    /// The change.
    pub change: Change,
    /// Whether the failed attempt may have been applied all the same.
    /// [`Members::plan`] reads the state again, so such a change is then
    /// shown as unchanged rather than sent twice.
    pub may_have_been_applied: bool,
    /// Why it failed (none when it never started).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ChangeError>,
}

/// The changes of a run that failed or never started, to write as JSON and
/// feed back later.
///
/// Feed [`changes`](Self::changes) to [`Members::plan`], not straight to
/// [`Members::apply`]: the plan reads the current state, so a change whose
/// failure [`may_have_been_applied`](RetryEntry::may_have_been_applied) and
/// that did land is a no-op, and only what is still missing is sent.
///
/// ```
/// use member_client::{Change, MemberRef, RetryFile};
///
/// let retry = RetryFile::from_outcomes(&[]);
/// assert!(retry.is_empty());
/// let json = serde_json::to_string(&retry).unwrap();
/// assert_eq!(json, r#"{"changes":[]}"#);
/// let back: RetryFile = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, retry);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RetryFile {
    /// The changes, in the order of the run's input.
    pub changes: Vec<RetryEntry>,
}

impl RetryFile {
    /// Keeps the outcomes that failed or never started, in input order.
    ///
    /// ```
    /// # fn f(outcomes: Vec<member_client::Outcome>) {
    /// let retry = member_client::RetryFile::from_outcomes(&outcomes);
    /// println!("{} to retry", retry.len());
    /// # }
    /// ```
    pub fn from_outcomes<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Self {
        let mut kept: Vec<(usize, RetryEntry)> = outcomes
            .into_iter()
            .filter(|o| !o.is_applied())
            .map(|o| {
                (
                    o.index,
                    RetryEntry {
                        change: o.change.clone(),
                        may_have_been_applied: o.may_have_been_applied(),
                        error: o.error().cloned(),
                    },
                )
            })
            .collect();
        kept.sort_by_key(|(index, _)| *index);
        Self {
            changes: kept.into_iter().map(|(_, entry)| entry).collect(),
        }
    }

    /// The changes, for [`Members::plan`].
    ///
    /// ```
    /// assert!(member_client::RetryFile::default().changes().is_empty());
    /// ```
    pub fn changes(&self) -> Vec<Change> {
        self.changes.iter().map(|e| e.change.clone()).collect()
    }

    /// How many changes there are.
    ///
    /// ```
    /// assert_eq!(member_client::RetryFile::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// Whether there is nothing to retry.
    ///
    /// ```
    /// assert!(member_client::RetryFile::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// The running changes of [`Members::apply`]: a [`Stream`] of one
/// [`Outcome`] per change, in completion order.
///
/// Nothing starts until the stream is polled. At most
/// [`concurrency`](Self::concurrency) changes are in flight (default
/// [`DEFAULT_APPLY_CONCURRENCY`]), all within the client's rate limit.
/// [`cancel`](Self::cancel) starts nothing new and lets the changes in flight
/// finish: the stream then yields their outcomes and
/// [`ChangeResult::NotStarted`] for every change left, and ends. Dropping the
/// stream abandons the changes in flight without their outcomes.
///
/// ```no_run
/// use futures::StreamExt;
/// # async fn demo(members: member_client::Members, changes: Vec<member_client::Change>) {
/// let mut run = members.apply(changes).concurrency(8);
/// let stop = run.cancel_token(); // e.g. cancelled from a Ctrl-C handler
/// let total = run.len();
/// let mut done = 0;
/// while let Some(outcome) = run.next().await {
///     done += 1;
///     eprintln!("[{done}/{total}] {}: applied={}", outcome.change, outcome.is_applied());
/// }
/// # let _ = stop; }
/// ```
#[must_use = "an Apply does nothing until it is polled as a stream"]
pub struct Apply {
    members: Members,
    pending: Option<Vec<Change>>,
    total: usize,
    concurrency: usize,
    cancel: CancelToken,
    running: Option<BoxStream<'static, Outcome>>,
}

impl fmt::Debug for Apply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Apply")
            .field("account", self.members.account_id())
            .field("total", &self.total)
            .field("concurrency", &self.concurrency)
            .field("cancelled", &self.cancel.is_cancelled())
            .field("started", &self.running.is_some())
            .finish()
    }
}

impl Apply {
    /// Runs up to `n` changes at once (at least 1). Only before the first
    /// poll; later it has no effect.
    ///
    /// ```
    /// # fn f(members: member_client::Members) {
    /// let run = members.apply(Vec::new()).concurrency(8);
    /// # let _ = run; }
    /// ```
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Uses `token` to stop the run (instead of its own), e.g. one shared
    /// with a Ctrl-C handler.
    ///
    /// ```
    /// # fn f(members: member_client::Members) {
    /// let token = member_client::CancelToken::new();
    /// let run = members.apply(Vec::new()).with_cancel_token(token.clone());
    /// token.cancel();
    /// assert!(run.cancel_token().is_cancelled());
    /// # }
    /// ```
    pub fn with_cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = token;
        self
    }

    /// The token that stops the run; cancel it from anywhere.
    ///
    /// ```
    /// # fn f(members: member_client::Members) {
    /// let run = members.apply(Vec::new());
    /// let token = run.cancel_token();
    /// token.cancel();
    /// # }
    /// ```
    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    /// Starts no new change; the ones in flight finish and are reported.
    ///
    /// ```
    /// # fn f(members: member_client::Members) {
    /// let run = members.apply(Vec::new());
    /// run.cancel();
    /// # }
    /// ```
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// How many changes (and so outcomes) there are in all.
    ///
    /// ```
    /// # fn f(members: member_client::Members) {
    /// assert_eq!(members.apply(Vec::new()).len(), 0);
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.total
    }

    /// Whether there are no changes at all.
    ///
    /// ```
    /// # fn f(members: member_client::Members) {
    /// assert!(members.apply(Vec::new()).is_empty());
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    fn start(&mut self) -> BoxStream<'static, Outcome> {
        let changes = self.pending.take().unwrap_or_default();
        let members = self.members.clone();
        let cancel = self.cancel.clone();
        stream::iter(changes.into_iter().enumerate())
            .map(move |(index, change)| run_one(members.clone(), index, change, cancel.clone()))
            .buffer_unordered(self.concurrency)
            .boxed()
    }
}

impl Stream for Apply {
    type Item = Outcome;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Outcome>> {
        let this = self.get_mut();
        if this.running.is_none() {
            this.running = Some(this.start());
        }
        match &mut this.running {
            Some(running) => running.poll_next_unpin(cx),
            None => Poll::Ready(None),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.running {
            Some(running) => running.size_hint(),
            None => (self.total, Some(self.total)),
        }
    }
}

fn unresolved(member: &MemberRef) -> Error {
    Error::Validation(ValidationError::Format {
        field: "member",
        value: member.to_string(),
        rule: "a member named by email must be resolved to its id first: \
               apply the changes of Members::plan",
    })
}

async fn run_one(members: Members, index: usize, change: Change, cancel: CancelToken) -> Outcome {
    let outcome = |result| Outcome {
        index,
        change: change.clone(),
        result,
    };
    if cancel.is_cancelled() {
        return outcome(ChangeResult::NotStarted);
    }
    let members = members.with_cancel(cancel);
    let result: Result<Option<Member>, Error> = match &change {
        Change::SetRoles {
            member: MemberRef::Id(id),
            roles,
        } => members
            .set_roles(id, roles.iter().cloned())
            .send()
            .await
            .map(Some),
        Change::SetPolicies {
            member: MemberRef::Id(id),
            policies,
        } => members
            .set_policies(id, policies.iter().cloned())
            .send()
            .await
            .map(Some),
        Change::Add(body) => members.add(body.clone()).send().await.map(Some),
        Change::Remove {
            member: MemberRef::Id(id),
        } => members.remove(id).send().await.map(|_| None),
        Change::SetRoles { member, .. }
        | Change::SetPolicies { member, .. }
        | Change::Remove { member } => Err(unresolved(member)),
    };
    outcome(match result {
        Ok(member) => ChangeResult::Applied {
            member: member.map(Box::new),
        },
        Err(e) if e.kind() == ErrorKind::Cancelled => ChangeResult::NotStarted,
        Err(e) => ChangeResult::Failed(e.into()),
    })
}

impl Members {
    /// Resolves and compares `desired` against the current members (read
    /// with one paged list) and says what [`apply`](Self::apply) would do.
    ///
    /// - Members are matched by id, or by email case-insensitively (the
    ///   top-level `email` or the user's).
    /// - A member already in the wanted state is an entry with
    ///   [`PlanAction::Unchanged`]: roles and policies are compared as sets.
    ///   Setting roles on a member that also has policies is a change (the
    ///   API drops the policies), and the reverse.
    /// - Unknown emails and ids, ambiguous emails, a second change for the
    ///   same member and invalid changes are [`Problem`]s; nothing is
    ///   guessed, and only [`Change::Add`] adds anybody. An add for an email
    ///   that is already a member with the same access is unchanged; with
    ///   other access it is a problem.
    ///
    /// # Errors
    /// The list's errors. Problems of single changes are not errors.
    ///
    /// ```no_run
    /// use member_client::{Change, MemberRef, PlanAction, RoleId};
    ///
    /// # async fn demo(members: member_client::Members) -> Result<(), Box<dyn std::error::Error>> {
    /// let role: RoleId = "05784afa30c1afe1440e79d9351c7430".parse()?;
    /// let plan = members
    ///     .plan(&[Change::set_roles(MemberRef::email("BOB.dns@example.com"), [role])])
    ///     .await?;
    /// for entry in &plan.entries {
    ///     match entry.action {
    ///         PlanAction::Unchanged => println!("{:?}: already so", entry.email),
    ///         _ => println!("{:?}: {:?} -> {:?}", entry.email, entry.from, entry.to),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn plan(&self, desired: &[Change]) -> Result<Plan, Error> {
        let current: Vec<Member> = self.list(ListMembersParams::new()).try_collect().await?;
        Ok(make_plan(&current, desired))
    }

    /// Runs `changes` concurrently within the client's rate limit, yielding
    /// one [`Outcome`] per change as it completes (see [`Apply`]).
    ///
    /// Each change is sent as given: a member named by email is refused
    /// (nothing sent) — run [`plan`](Self::plan) first and apply
    /// [`Plan::changes`]. A set-roles or set-policies change is a PUT (so
    /// retried like one), an add is a POST (retried only when it certainly
    /// was not processed), a removal a DELETE.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn demo(members: member_client::Members, plan: member_client::Plan) {
    /// let outcomes: Vec<_> = members.apply(plan.changes()).concurrency(4).collect().await;
    /// # let _ = outcomes; }
    /// ```
    pub fn apply(&self, changes: impl IntoIterator<Item = Change>) -> Apply {
        let changes: Vec<Change> = changes.into_iter().collect();
        Apply {
            members: self.clone(),
            total: changes.len(),
            pending: Some(changes),
            concurrency: DEFAULT_APPLY_CONCURRENCY,
            cancel: CancelToken::new(),
            running: None,
        }
    }
}

/// The plan of `desired` against `current`.
fn make_plan(current: &[Member], desired: &[Change]) -> Plan {
    let mut by_id: HashMap<&str, &Member> = HashMap::new();
    let mut by_email: HashMap<String, Vec<&Member>> = HashMap::new();
    for member in current {
        if let Some(id) = &member.id {
            by_id.insert(id.as_str(), member);
        }
        if let Some(email) = member.email() {
            by_email
                .entry(email.to_lowercase())
                .or_default()
                .push(member);
        }
    }
    let mut plan = Plan::default();
    // Members (by id) and new emails already claimed by an earlier change.
    let mut claimed: HashSet<String> = HashSet::new();
    for (input, change) in desired.iter().enumerate() {
        let problem = |kind: ProblemKind, message: String| Problem {
            input,
            change: change.clone(),
            kind,
            message,
        };
        if let Err(e) = change.validate() {
            plan.problems
                .push(problem(ProblemKind::Invalid, format!("{change}: {e}")));
            continue;
        }
        let found: Result<Option<&Member>, Problem> = match change.member() {
            MemberRef::Id(id) => match by_id.get(id.as_str()) {
                Some(member) => Ok(Some(*member)),
                None if matches!(change, Change::Add(_)) => Ok(None),
                None => Err(problem(
                    ProblemKind::UnknownMember,
                    format!("{change}: no member has the id {id}"),
                )),
            },
            MemberRef::Email(email) => {
                match by_email.get(&email.to_lowercase()).map(Vec::as_slice) {
                    Some([member]) => Ok(Some(*member)),
                    Some(several) if several.len() > 1 => Err(problem(
                        ProblemKind::AmbiguousEmail,
                        format!("{change}: {} members have this email", several.len()),
                    )),
                    _ if matches!(change, Change::Add(_)) => Ok(None),
                    _ => Err(problem(
                        ProblemKind::UnknownEmail,
                        format!(
                            "{change}: no member has this email (nobody is added unless the change is an add)"
                        ),
                    )),
                }
            }
        };
        let member = match found {
            Ok(member) => member,
            Err(p) => {
                plan.problems.push(p);
                continue;
            }
        };
        let member_id = match member.map(|m| m.id.as_ref().map(|id| (id, id.check()))) {
            None => None,
            Some(Some((id, Ok(_)))) => Some(id.clone()),
            Some(_) => {
                plan.problems.push(problem(
                    ProblemKind::Invalid,
                    format!("{change}: the server gave this member no usable id"),
                ));
                continue;
            }
        };
        let claim = match (&member_id, change) {
            (Some(id), _) => id.as_str().to_owned(),
            (None, Change::Add(body)) => body.email.to_lowercase(),
            (None, _) => change.member().to_string(),
        };
        if !claimed.insert(claim) {
            plan.problems.push(problem(
                ProblemKind::Duplicate,
                format!("{change}: an earlier change of the input is about the same member"),
            ));
            continue;
        }
        let from = member.map(AccessState::of_member);
        let by_id = |id: &MemberId| MemberRef::Id(id.clone());
        let (action, to, resolved) = match (change, &member_id) {
            (Change::SetRoles { roles, .. }, Some(id)) => {
                let to = AccessState::roles(roles.iter().cloned());
                (
                    PlanAction::Update,
                    Some(to),
                    Change::SetRoles {
                        member: by_id(id),
                        roles: roles.clone(),
                    },
                )
            }
            (Change::SetPolicies { policies, .. }, Some(id)) => {
                let to = AccessState::policies(policies);
                (
                    PlanAction::Update,
                    Some(to),
                    Change::SetPolicies {
                        member: by_id(id),
                        policies: policies.clone(),
                    },
                )
            }
            (Change::Remove { .. }, Some(id)) => (
                PlanAction::Remove,
                None,
                Change::Remove { member: by_id(id) },
            ),
            (Change::Add(body), _) => {
                let to = AccessState::of_create(body);
                if member.is_some() && from.as_ref() != Some(&to) {
                    plan.problems.push(problem(
                        ProblemKind::AlreadyMember,
                        format!(
                            "{change}: already a member with other access; \
                             use set_roles or set_policies to change it"
                        ),
                    ));
                    continue;
                }
                (PlanAction::Add, Some(to), change.clone())
            }
            // Resolved above: every other change has a member id here.
            (_, None) => continue,
        };
        let action = if to.is_some() && member.is_some() && from == to {
            PlanAction::Unchanged
        } else {
            action
        };
        plan.entries.push(PlanEntry {
            input,
            action,
            member_id,
            email: match change {
                Change::Add(body) => Some(body.email.clone()),
                _ => member.and_then(|m| m.email().map(str::to_owned)),
            },
            from,
            to,
            change: resolved,
        });
    }
    plan
}
