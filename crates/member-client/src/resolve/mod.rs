//! Names to ids for one account: members by email, roles, permission
//! groups and user groups by name, scopes by zone or group name. Nothing is
//! guessed.
//!
//! Every reference is text as a person writes it. A 32-character hex string
//! is an id; `id:` and `name:` prefixes force either reading. A name must
//! match exactly one thing (case-insensitively): none is
//! [`ResolveError::NotFound`] with the closest names, several is
//! [`ResolveError::Ambiguous`] with every candidate's id. Each kind is read
//! at most once per [`Resolver`] (one paged read of members, of roles, of
//! permission groups, of resource groups, of user groups; one read per
//! distinct zone name),
//! however many references are resolved and from however many tasks.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex as SyncMutex, PoisonError};

use futures::lock::Mutex;
use futures::TryStreamExt;
use member_types::{
    AccountId, ListMembersParams, ListPermissionGroupsParams, ListResourceGroupsParams,
    ListRolesParams, ListUserGroupsParams, Member, MemberId, PermissionGroup, PermissionGroupId,
    ResourceGroup, ResourceGroupId, ResourceGroupRef, Role, RoleId, Scope, UserGroup, UserGroupId,
    ValidationError, Zone,
};

mod error;

pub use error::{Candidate, RefKind, Resolution, ResolveError};

use crate::members::email_key;
use crate::{Client, Error};

/// How a reference reads: an id, or a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reading<'a> {
    Id(&'a str),
    Name(&'a str),
}

/// `id:X` and `name:X` force a reading; a 32-character hex string (any
/// case) is an id; anything else is a name.
pub(crate) fn reading(reference: &str) -> Reading<'_> {
    let text = reference.trim();
    if let Some(id) = text.strip_prefix("id:") {
        return Reading::Id(id.trim());
    }
    if let Some(name) = text.strip_prefix("name:") {
        return Reading::Name(name.trim());
    }
    if text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Reading::Id(text);
    }
    Reading::Name(text)
}

/// Whether an item's id is the id a reference gives: exactly, or for a
/// hex id in any case (Cloudflare writes its ids in lower case; `3F7A…`
/// is the same id as `3f7a…`).
fn same_id(item: &str, reference: &str) -> bool {
    item == reference
        || (reference.bytes().all(|b| b.is_ascii_hexdigit())
            && item.eq_ignore_ascii_case(reference))
}

/// A hex id in lower case, as Cloudflare writes its ids; any other text as
/// given.
pub(crate) fn hex_lower(id: &str) -> String {
    if id.bytes().all(|b| b.is_ascii_hexdigit()) {
        id.to_ascii_lowercase()
    } else {
        id.to_owned()
    }
}

/// What the resolver matches on an item of one kind.
trait Named {
    const KIND: RefKind;
    /// The item's id as text.
    fn id_text(&self) -> &str;
    /// The names it answers to, compared case-insensitively (a name and a
    /// label, an email).
    fn names(&self) -> Vec<&str>;
    /// Checks an id reference with this kind's id rule.
    fn check_id(id: &str) -> Result<(), ValidationError>;
    /// Checks a name reference (an email must look like one).
    fn check_name(_name: &str) -> Result<(), ValidationError> {
        Ok(())
    }
    /// A name as compared: trimmed, in any case (Unicode's lower case:
    /// `Ops Ünïcode` is `ops ünïcode`).
    fn fold(name: &str) -> String {
        name.trim().to_lowercase()
    }
}

impl Named for Member {
    const KIND: RefKind = RefKind::Member;
    fn id_text(&self) -> &str {
        self.id.as_ref().map_or("", MemberId::as_str)
    }
    /// Emails fold as the server compares them: trimmed, ASCII case.
    fn fold(name: &str) -> String {
        email_key(name)
    }
    fn names(&self) -> Vec<&str> {
        self.email().into_iter().collect()
    }
    fn check_id(id: &str) -> Result<(), ValidationError> {
        MemberId::new(id).map(drop)
    }
    fn check_name(email: &str) -> Result<(), ValidationError> {
        member_types::check_email(email)
    }
}

impl Named for Role {
    const KIND: RefKind = RefKind::Role;
    fn id_text(&self) -> &str {
        self.id.as_str()
    }
    fn names(&self) -> Vec<&str> {
        vec![self.name.as_str()]
    }
    fn check_id(id: &str) -> Result<(), ValidationError> {
        RoleId::new(id).map(drop)
    }
}

impl Named for PermissionGroup {
    const KIND: RefKind = RefKind::PermissionGroup;
    fn id_text(&self) -> &str {
        self.id.as_str()
    }
    fn names(&self) -> Vec<&str> {
        self.name
            .as_deref()
            .into_iter()
            .chain(self.label())
            .collect()
    }
    fn check_id(id: &str) -> Result<(), ValidationError> {
        PermissionGroupId::new(id).map(drop)
    }
}

impl Named for ResourceGroup {
    const KIND: RefKind = RefKind::ResourceGroup;
    fn id_text(&self) -> &str {
        self.id.as_str()
    }
    fn names(&self) -> Vec<&str> {
        self.name.as_deref().into_iter().collect()
    }
    fn check_id(id: &str) -> Result<(), ValidationError> {
        ResourceGroupId::new(id).map(drop)
    }
}

impl Named for UserGroup {
    const KIND: RefKind = RefKind::UserGroup;
    fn id_text(&self) -> &str {
        self.id.as_str()
    }
    fn names(&self) -> Vec<&str> {
        self.name.as_deref().into_iter().collect()
    }
    fn check_id(id: &str) -> Result<(), ValidationError> {
        UserGroupId::new(id).map(drop)
    }
}

impl Named for Zone {
    const KIND: RefKind = RefKind::Zone;
    fn id_text(&self) -> &str {
        self.id.as_str()
    }
    fn names(&self) -> Vec<&str> {
        vec![self.name.as_str()]
    }
    fn check_id(id: &str) -> Result<(), ValidationError> {
        member_types::ZoneId::new(id).map(drop)
    }
}

/// The closest of `names` to `wanted`: containing it, or within a small
/// edit distance, best first, at most three.
pub(crate) fn suggestions<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let wanted = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> = names
        .filter(|name| !name.is_empty())
        .filter_map(|name| {
            let lower = name.to_lowercase();
            let score = strsim::normalized_damerau_levenshtein(&wanted, &lower);
            let contains = lower.contains(&wanted) || wanted.contains(&lower);
            (score >= 0.6 || contains)
                .then_some((score.max(if contains { 0.7 } else { 0.0 }), name))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_owned())
        .collect()
}

/// A read of one kind, done at most once per resolver.
type Slot<T> = Mutex<Option<Arc<Vec<T>>>>;

async fn cached<T, F, Fut>(slot: &Slot<T>, load: F) -> Result<Arc<Vec<T>>, Error>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Vec<T>, Error>>,
{
    // The lock is held across the read, so concurrent resolutions of the
    // same kind wait for one read instead of each making their own.
    let mut slot = slot.lock().await;
    if let Some(items) = &*slot {
        return Ok(Arc::clone(items));
    }
    let items = Arc::new(load().await?);
    *slot = Some(Arc::clone(&items));
    Ok(items)
}

/// What `slot` holds, if it was read and no read is under way.
fn if_read<T>(slot: &Slot<T>) -> Option<Arc<Vec<T>>> {
    slot.try_lock()?.as_ref().map(Arc::clone)
}

#[derive(Default)]
struct Cache {
    members: Slot<Member>,
    roles: Slot<Role>,
    permission_groups: Slot<PermissionGroup>,
    resource_groups: Slot<ResourceGroup>,
    user_groups: Slot<UserGroup>,
    zones: Mutex<Vec<(String, Arc<Vec<Zone>>)>>,
    log: SyncMutex<Vec<Resolution>>,
}

/// Turns references into ids for one account, reading each kind once:
/// `client.resolver(&account_id)`.
///
/// Cheap to clone; clones share what was read.
///
/// ```no_run
/// # async fn demo(client: member_client::Client, account: member_client::AccountId) -> Result<(), Box<dyn std::error::Error>> {
/// let resolver = client.resolver(&account);
/// let bob = resolver.member_id("bob.dns@example.com").await?;
/// let read_only = resolver.role_id("Administrator Read Only").await?;
/// client.members(&account).set_roles(&bob, [read_only]).await?;
/// for r in resolver.resolutions() {
///     println!("{} {:?} = {}", r.kind, r.reference, r.id);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Resolver {
    client: Client,
    account: AccountId,
    cache: Arc<Cache>,
}

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl Resolver {
    pub(crate) fn new(client: Client, account: AccountId) -> Self {
        Self {
            client,
            account,
            cache: Arc::new(Cache::default()),
        }
    }

    /// A resolver whose members are `members`, already read.
    pub(crate) fn with_members(client: Client, account: AccountId, members: Vec<Member>) -> Self {
        let cache = Cache {
            members: Mutex::new(Some(Arc::new(members))),
            ..Cache::default()
        };
        Self {
            client,
            account,
            cache: Arc::new(cache),
        }
    }

    /// The account references are resolved in.
    pub fn account_id(&self) -> &AccountId {
        &self.account
    }

    /// What every reference resolved so far resolved to, in order.
    pub fn resolutions(&self) -> Vec<Resolution> {
        self.cache
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn record(&self, kind: RefKind, reference: &str, id: &str, name: Option<&str>) {
        let resolution = Resolution {
            kind,
            reference: reference.to_owned(),
            id: id.to_owned(),
            name: name.map(str::to_owned),
        };
        let mut log = self
            .cache
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !log.contains(&resolution) {
            log.push(resolution);
        }
    }

    /// Checks a reference's form with the kind's rule, before anything is
    /// read: a malformed email or id costs no request.
    fn check_form<T: Named>(reference: &str) -> Result<(), ResolveError> {
        match reading(reference) {
            Reading::Id(id) => T::check_id(id)?,
            Reading::Name(name) => T::check_name(name)?,
        }
        Ok(())
    }

    /// The one item of `items` that `reference` names, recorded; else the
    /// error that says why there is not exactly one.
    fn pick<'a, T: Named>(&self, reference: &str, items: &'a [T]) -> Result<&'a T, ResolveError> {
        let matches: Vec<&T> = match reading(reference) {
            Reading::Id(id) => {
                T::check_id(id)?;
                items
                    .iter()
                    .filter(|item| same_id(item.id_text(), id))
                    .collect()
            }
            Reading::Name(name) => {
                T::check_name(name)?;
                let wanted = T::fold(name);
                items
                    .iter()
                    .filter(|item| item.names().iter().any(|n| T::fold(n) == wanted))
                    .collect()
            }
        };
        let describe = |item: &T| Candidate {
            id: item.id_text().to_owned(),
            name: item.names().first().copied().unwrap_or_default().to_owned(),
        };
        match matches.as_slice() {
            [] => Err(ResolveError::NotFound {
                kind: T::KIND,
                reference: reference.to_owned(),
                account: Some(self.account.clone()),
                suggestions: match reading(reference) {
                    // Read as an id, it matched none; a name that is the
                    // same text is what was meant: `name:` reads it so.
                    Reading::Id(id)
                        if items
                            .iter()
                            .any(|item| item.names().iter().any(|n| T::fold(n) == T::fold(id))) =>
                    {
                        vec![format!("name:{id}")]
                    }
                    _ => suggestions(reference, items.iter().flat_map(Named::names)),
                },
            }),
            [one] => {
                let candidate = describe(one);
                self.record(T::KIND, reference, &candidate.id, Some(&candidate.name));
                Ok(one)
            }
            several => Err(ResolveError::Ambiguous {
                kind: T::KIND,
                reference: reference.to_owned(),
                account: Some(self.account.clone()),
                candidates: several.iter().map(|item| describe(item)).collect(),
            }),
        }
    }

    /// Whether the account has the item of this id, by id alone (an item
    /// in the API's form, `{"id": …}`): nothing is recorded, as nothing
    /// was named.
    fn check_given<'a, T: Named>(&self, id: &str, items: &'a [T]) -> Result<&'a T, ResolveError> {
        items
            .iter()
            .find(|item| same_id(item.id_text(), id))
            .ok_or_else(|| ResolveError::NotFound {
                kind: T::KIND,
                reference: id.to_owned(),
                account: Some(self.account.clone()),
                suggestions: Vec::new(),
            })
    }

    /// The account's permission group of exactly this id.
    ///
    /// # Errors
    /// [`ResolveError::NotFound`] when the account has none, or the read
    /// failed.
    pub(crate) async fn given_permission_group(
        &self,
        id: &str,
    ) -> Result<PermissionGroup, ResolveError> {
        let groups = self.permission_groups().await?;
        self.check_given(id, &groups).cloned()
    }

    /// The account's resource group of exactly this id.
    ///
    /// # Errors
    /// [`ResolveError::NotFound`] when the account has none, or the read
    /// failed.
    pub(crate) async fn given_resource_group(
        &self,
        id: &str,
    ) -> Result<ResourceGroup, ResolveError> {
        let groups = self.resource_groups().await?;
        self.check_given(id, &groups).cloned()
    }

    /// Every member of the account (one paged read per resolver).
    ///
    /// # Errors
    /// The list's errors.
    pub async fn members(&self) -> Result<Arc<Vec<Member>>, Error> {
        let members = self.client.members(&self.account);
        cached(&self.cache.members, || {
            members.list(ListMembersParams::new()).try_collect()
        })
        .await
    }

    /// Every role of the account (one paged read per resolver).
    ///
    /// # Errors
    /// The list's errors.
    pub async fn roles(&self) -> Result<Arc<Vec<Role>>, Error> {
        let roles = self.client.roles(&self.account);
        cached(&self.cache.roles, || {
            roles.list(ListRolesParams::new()).try_collect()
        })
        .await
    }

    /// The account's permission-group catalog (one paged read per resolver).
    ///
    /// # Errors
    /// The list's errors.
    pub async fn permission_groups(&self) -> Result<Arc<Vec<PermissionGroup>>, Error> {
        let groups = self.client.permission_groups(&self.account);
        cached(&self.cache.permission_groups, || {
            groups.list(ListPermissionGroupsParams::new()).try_collect()
        })
        .await
    }

    /// The account's permission groups if this resolver has read them
    /// already, without a request (to show names where they are known at
    /// no cost, say under a tight rate limit); `None` otherwise.
    pub fn permission_groups_if_read(&self) -> Option<Arc<Vec<PermissionGroup>>> {
        if_read(&self.cache.permission_groups)
    }

    /// The account's resource groups if this resolver has read them
    /// already, without a request; `None` otherwise.
    pub fn resource_groups_if_read(&self) -> Option<Arc<Vec<ResourceGroup>>> {
        if_read(&self.cache.resource_groups)
    }

    /// The account's resource groups (one read per resolver).
    ///
    /// # Errors
    /// The list's errors.
    pub async fn resource_groups(&self) -> Result<Arc<Vec<ResourceGroup>>, Error> {
        let groups = self.client.resource_groups(&self.account);
        cached(&self.cache.resource_groups, || {
            groups.list(ListResourceGroupsParams::new()).try_collect()
        })
        .await
    }

    /// The account's user groups (one paged read per resolver).
    ///
    /// # Errors
    /// The list's errors.
    pub async fn user_groups(&self) -> Result<Arc<Vec<UserGroup>>, Error> {
        let groups = self.client.user_groups(&self.account);
        cached(&self.cache.user_groups, || {
            groups.list(ListUserGroupsParams::new()).try_collect()
        })
        .await
    }

    /// The member an email (case-insensitive, on `email` or `user.email`) or
    /// a membership id names.
    ///
    /// # Errors
    /// [`ResolveError`]: not found (with the closest emails), ambiguous
    /// (several memberships with the email), malformed, or the read failed.
    pub async fn member(&self, reference: &str) -> Result<Member, ResolveError> {
        Self::check_form::<Member>(reference)?;
        let members = self.members().await?;
        Ok(self.pick(reference, &members)?.clone())
    }

    /// The membership id an email or an id names. An id is taken as given,
    /// without a read (the server refuses an unknown one); an email is looked
    /// up as in [`member`](Self::member).
    ///
    /// # Errors
    /// As for [`member`](Self::member).
    pub async fn member_id(&self, reference: &str) -> Result<MemberId, ResolveError> {
        if let Reading::Id(id) = reading(reference) {
            return Ok(MemberId::new(hex_lower(id))?);
        }
        let member = self.member(reference).await?;
        member.id.ok_or_else(|| {
            ResolveError::Request(Error::protocol(format!(
                "the member {reference} has no id in the list answer"
            )))
        })
    }

    /// The role a name (case-insensitive, exact) or an id names.
    ///
    /// # Errors
    /// [`ResolveError`]: not found (with the closest names), ambiguous
    /// (several roles share the name), malformed, or the read failed.
    pub async fn role(&self, reference: &str) -> Result<Role, ResolveError> {
        Self::check_form::<Role>(reference)?;
        let roles = self.roles().await?;
        Ok(self.pick(reference, &roles)?.clone())
    }

    /// The role id a name or an id names (an id is checked against the
    /// account's roles too, so a typo is caught before anything is sent).
    ///
    /// # Errors
    /// As for [`role`](Self::role).
    pub async fn role_id(&self, reference: &str) -> Result<RoleId, ResolveError> {
        self.role(reference).await.map(|r| r.id)
    }

    /// The permission group a name (case-insensitive), a label
    /// (`meta.label`, case-insensitive) or an id names.
    ///
    /// # Errors
    /// [`ResolveError`]: not found (with the closest names and labels),
    /// ambiguous (several groups share the name or label), malformed, or the
    /// read failed.
    pub async fn permission_group(&self, reference: &str) -> Result<PermissionGroup, ResolveError> {
        Self::check_form::<PermissionGroup>(reference)?;
        let groups = self.permission_groups().await?;
        Ok(self.pick(reference, &groups)?.clone())
    }

    /// The permission group id a name, label or id names.
    ///
    /// # Errors
    /// As for [`permission_group`](Self::permission_group).
    pub async fn permission_group_id(
        &self,
        reference: &str,
    ) -> Result<PermissionGroupId, ResolveError> {
        self.permission_group(reference).await.map(|g| g.id)
    }

    /// The resource group a name (case-insensitive) or an id names.
    ///
    /// # Errors
    /// [`ResolveError`]: not found, ambiguous, malformed, or the read failed.
    pub async fn resource_group(&self, reference: &str) -> Result<ResourceGroup, ResolveError> {
        Self::check_form::<ResourceGroup>(reference)?;
        let groups = self.resource_groups().await?;
        Ok(self.pick(reference, &groups)?.clone())
    }

    /// The user group a name (exact, case-insensitive) or an id names. The
    /// form is checked first, so a malformed id costs no request; an id is
    /// checked against the account's groups too.
    ///
    /// # Errors
    /// [`ResolveError`]: not found (with the closest names), ambiguous
    /// (several groups share the name), malformed, or the read failed.
    pub async fn user_group(&self, reference: &str) -> Result<UserGroup, ResolveError> {
        Self::check_form::<UserGroup>(reference)?;
        let groups = self.user_groups().await?;
        Ok(self.pick(reference, &groups)?.clone())
    }

    /// The user group id a name or an id names.
    ///
    /// # Errors
    /// As for [`user_group`](Self::user_group).
    pub async fn user_group_id(&self, reference: &str) -> Result<UserGroupId, ResolveError> {
        self.user_group(reference).await.map(|g| g.id)
    }

    /// The zone of this account with this domain name (one read per
    /// distinct name per resolver).
    ///
    /// # Errors
    /// [`ResolveError`]: not found, ambiguous, malformed, or the read failed.
    pub async fn zone(&self, name: &str) -> Result<Zone, ResolveError> {
        let wanted = name.trim().to_ascii_lowercase();
        let zones = {
            let mut cache = self.cache.zones.lock().await;
            match cache.iter().find(|(n, _)| *n == wanted) {
                Some((_, zones)) => Arc::clone(zones),
                None => {
                    let zones = Arc::new(
                        self.client
                            .zones()
                            .named_in_account(&self.account, &wanted)
                            .await?,
                    );
                    cache.push((wanted.clone(), Arc::clone(&zones)));
                    zones
                }
            }
        };
        Ok(self.pick(name, &zones)?.clone())
    }

    /// The resource-group entry of a policy that a scope reference names:
    ///
    /// - `account`: the whole account;
    /// - `zone:<domain>`: one whole zone of the account;
    /// - `group:<name>`: a resource group by name;
    /// - a resource group id (32 hex characters, or `id:<id>`).
    ///
    /// For `account` and `zone:`, an existing resource group with exactly
    /// that scope is used when there is one (so repeated changes do not
    /// create a new unnamed group each time); otherwise the entry is an
    /// inline scope, from which the API makes an unnamed resource group.
    ///
    /// # Errors
    /// [`ResolveError`]: an unknown form, a zone or group not found or
    /// ambiguous, or a read failed.
    pub async fn scope(&self, reference: &str) -> Result<ResourceGroupRef, ResolveError> {
        let text = reference.trim();
        if text.eq_ignore_ascii_case("account") {
            let scope = Scope::account(&self.account)?;
            return self.group_for_scope(reference, scope).await;
        }
        if let Some(zone) = strip_prefix_ci(text, "zone:") {
            let zone = self.zone(zone).await?;
            let scope = Scope::zone(&zone.id)?;
            return self.group_for_scope(reference, scope).await;
        }
        if let Some(name) = strip_prefix_ci(text, "group:") {
            let group = self
                .resource_group(&format!("name:{}", name.trim()))
                .await?;
            return Ok(ResourceGroupRef::id(group.id));
        }
        match reading(text) {
            Reading::Id(_) => {
                let group = self.resource_group(text).await?;
                Ok(ResourceGroupRef::id(group.id))
            }
            Reading::Name(_) => Err(ResolveError::Invalid(ValidationError::Format {
                field: "scope",
                value: member_types::json::shorten(text),
                rule: "expected account, zone:<domain>, group:<resource group name> or a resource group id",
            })),
        }
    }

    async fn group_for_scope(
        &self,
        reference: &str,
        scope: Scope,
    ) -> Result<ResourceGroupRef, ResolveError> {
        let groups = self.resource_groups().await?;
        let exact: Vec<&ResourceGroup> = groups
            .iter()
            .filter(|g| g.scope.as_slice() == std::slice::from_ref(&scope))
            .collect();
        if let [group] = exact.as_slice() {
            self.record(
                RefKind::ResourceGroup,
                reference,
                group.id.as_str(),
                group.name.as_deref(),
            );
            return Ok(ResourceGroupRef::id(group.id.clone()));
        }
        self.record(RefKind::ResourceGroup, reference, &scope.key, None);
        Ok(ResourceGroupRef::scope(scope)?)
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings() {
        assert_eq!(
            reading("3536bcfad5faccb999b47003c79917fb"),
            Reading::Id("3536bcfad5faccb999b47003c79917fb")
        );
        assert_eq!(reading("id:abc"), Reading::Id("abc"));
        assert_eq!(
            reading("name:3536bcfad5faccb999b47003c79917fb"),
            Reading::Name("3536bcfad5faccb999b47003c79917fb")
        );
        assert_eq!(reading(" DNS Write "), Reading::Name("DNS Write"));
        // 31 hex characters, or one that is not hex: a name.
        assert_eq!(
            reading("3536bcfad5faccb999b47003c79917f"),
            Reading::Name("3536bcfad5faccb999b47003c79917f")
        );
    }

    #[test]
    fn suggestions_are_close_names_best_first() {
        let names = ["Administrator Read Only", "Administrator", "DNS", "Billing"];
        let got = suggestions("Administrator Read Onyl", names.iter().copied());
        assert_eq!(
            got.first().map(String::as_str),
            Some("Administrator Read Only")
        );
        assert!(suggestions("zzzz", names.iter().copied()).is_empty());
        assert_eq!(suggestions("dns", names.iter().copied()), vec!["DNS"]);
    }

    fn groups() -> Vec<UserGroup> {
        serde_json::from_value(serde_json::json!([
            {"id": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "name": "SRE On-Call"},
            {"id": "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", "name": "Billing"},
            {"id": "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3", "name": "billing"},
            {"id": "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4"},
        ]))
        .expect("groups read")
    }

    /// A resolver that never sends anything (`pick` matches what it is
    /// given).
    fn offline() -> Resolver {
        let client = Client::builder()
            .credentials(crate::Credentials::token("unused"))
            .base_url("http://127.0.0.1:9")
            .build()
            .expect("a client");
        client.resolver(&AccountId::new("023e105f4ecef8ad9ca31a8372d0c353").unwrap())
    }

    /// One row per rule of the user-group kind: the reference, and the id
    /// it picks or how it fails.
    #[test]
    fn user_groups_by_exact_name_or_id() {
        let resolver = offline();
        let groups = groups();
        let rows: Vec<(&str, Result<&str, &str>)> = vec![
            ("sre on-call", Ok("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1")),
            (" SRE ON-CALL ", Ok("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1")),
            (
                "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4",
                Ok("d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4"),
            ),
            (
                "id:b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2",
                Ok("b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"),
            ),
            ("SRE", Err("not found")),
            ("sre on-cal", Err("not found")),
            ("e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5", Err("not found")),
            ("BILLING", Err("ambiguous")),
            ("id:../x", Err("invalid")),
        ];
        for (reference, expected) in rows {
            let got = resolver
                .pick(reference, &groups)
                .map(|g| g.id.as_str())
                .map_err(|e| {
                    if e.is_not_found() {
                        "not found"
                    } else if e.is_ambiguous() {
                        "ambiguous"
                    } else if e.is_invalid() {
                        "invalid"
                    } else {
                        "other"
                    }
                });
            assert_eq!(got, expected, "{reference}");
        }
        let Err(ResolveError::NotFound {
            kind, suggestions, ..
        }) = resolver.pick("sre on-cal", &groups)
        else {
            panic!("not found");
        };
        assert_eq!(kind, RefKind::UserGroup);
        assert_eq!(suggestions, ["SRE On-Call"]);
        let log = resolver.resolutions();
        assert_eq!(log[0].kind, RefKind::UserGroup);
        assert_eq!(log[0].name.as_deref(), Some("SRE On-Call"));
    }

    #[test]
    fn a_malformed_user_group_id_is_refused_before_any_read() {
        for bad in ["id:../x", "id:", "id:has space"] {
            let error = Resolver::check_form::<UserGroup>(bad).unwrap_err();
            assert!(error.is_invalid(), "{bad}: {error}");
        }
        assert!(Resolver::check_form::<UserGroup>("SRE On-Call").is_ok());
        assert_eq!(RefKind::UserGroup.to_string(), "user group");
    }

    #[test]
    fn prefixes_fold_case() {
        assert_eq!(
            strip_prefix_ci("Zone:example.com", "zone:"),
            Some("example.com")
        );
        assert_eq!(strip_prefix_ci("zon", "zone:"), None);
    }
}
