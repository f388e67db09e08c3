//! The in-memory accounts.

use std::collections::{BTreeMap, HashMap};

use member_types::{
    AccountId, AccountSettings, Direction, ManagedBy, Member, MemberId, MemberOrder,
    PermissionGroup, ResourceGroup, Role, UserGroup, Zone, ACCOUNT_SCOPE_PREFIX, ZONE_SCOPE_PREFIX,
};

use crate::seed::{Seed, SeedAccount};

/// Members in insertion order, with an index by id.
#[derive(Debug, Default)]
pub(crate) struct MemberStore {
    by_seq: BTreeMap<u64, Member>,
    index: HashMap<String, u64>,
    next: u64,
}

impl MemberStore {
    pub(crate) fn len(&self) -> usize {
        self.by_seq.len()
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Member> {
        self.index.get(id).and_then(|seq| self.by_seq.get(seq))
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Member> {
        match self.index.get(id) {
            Some(seq) => self.by_seq.get_mut(seq),
            None => None,
        }
    }

    /// Inserts or replaces (by id) a member that has an id.
    pub(crate) fn upsert(&mut self, member: Member) {
        let id = member
            .id
            .as_ref()
            .map(|id| id.as_str().to_owned())
            .unwrap_or_default();
        if let Some(seq) = self.index.get(&id) {
            self.by_seq.insert(*seq, member);
            return;
        }
        let seq = self.next;
        self.next += 1;
        self.index.insert(id, seq);
        self.by_seq.insert(seq, member);
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Member> {
        let seq = self.index.remove(id)?;
        self.by_seq.remove(&seq)
    }

    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &Member> {
        self.by_seq.values()
    }

    pub(crate) fn has_email(&self, email: &str) -> bool {
        self.iter()
            .any(|m| m.email().is_some_and(|e| e.eq_ignore_ascii_case(email)))
    }
}

/// One account: its catalogue, its zones and its members.
#[derive(Debug)]
pub(crate) struct Account {
    pub(crate) id: AccountId,
    pub(crate) name: Option<String>,
    pub(crate) allow_direct_add: bool,
    pub(crate) roles: Vec<Role>,
    pub(crate) permission_groups: Vec<PermissionGroup>,
    pub(crate) resource_groups: Vec<ResourceGroup>,
    pub(crate) zones: Vec<Zone>,
    pub(crate) members: MemberStore,
    pub(crate) user_groups: Vec<StoredUserGroup>,
    /// What `GET /accounts` shows besides the id and name.
    pub(crate) info: AccountInfo,
    /// The credential has no access to it: every request on it is 403.
    pub(crate) no_access: bool,
}

/// What `GET /accounts` shows of an account besides its id and name.
#[derive(Clone, Debug, Default)]
pub(crate) struct AccountInfo {
    pub(crate) account_type: Option<String>,
    pub(crate) settings: Option<AccountSettings>,
    pub(crate) created_on: Option<String>,
    pub(crate) managed_by: Option<ManagedBy>,
}

/// A user group and its members (account member ids, in the order they
/// joined, each with when).
#[derive(Clone, Debug)]
pub(crate) struct StoredUserGroup {
    pub(crate) group: UserGroup,
    pub(crate) members: Vec<GroupMembership>,
}

/// One member of a user group.
#[derive(Clone, Debug)]
pub(crate) struct GroupMembership {
    /// The account member's id.
    pub(crate) id: String,
    /// When they were added to the group.
    pub(crate) added: String,
}

impl StoredUserGroup {
    pub(crate) fn has_member(&self, id: &str) -> bool {
        self.members.iter().any(|m| m.id == id)
    }
}

/// Replaces the item with the same id, or adds it at the end.
pub(crate) fn upsert_by<T>(items: &mut Vec<T>, item: T, id: impl Fn(&T) -> &str) {
    match items.iter().position(|x| id(x) == id(&item)) {
        Some(i) => items[i] = item,
        None => items.push(item),
    }
}

impl Account {
    pub(crate) fn from_seed(seed: SeedAccount) -> Self {
        let mut members = MemberStore::default();
        for member in seed.members {
            members.upsert(member);
        }
        let created = seed
            .user_groups
            .first()
            .and_then(|g| g.group.created_on.clone())
            .unwrap_or_else(crate::ids::now);
        let user_groups = seed
            .user_groups
            .into_iter()
            .map(|g| StoredUserGroup {
                members: g
                    .members
                    .into_iter()
                    .map(|id| GroupMembership {
                        id: id.as_str().to_owned(),
                        added: created.clone(),
                    })
                    .collect(),
                group: g.group,
            })
            .collect();
        Self {
            id: seed.id,
            name: seed.name,
            allow_direct_add: seed.allow_direct_add,
            roles: seed.roles,
            permission_groups: seed.permission_groups,
            resource_groups: seed.resource_groups,
            zones: seed.zones,
            members,
            user_groups,
            info: AccountInfo {
                account_type: seed.account_type,
                settings: seed.settings,
                created_on: seed.created_on,
                managed_by: seed.managed_by,
            },
            no_access: seed.no_access,
        }
    }

    pub(crate) fn user_group(&self, id: &str) -> Option<&StoredUserGroup> {
        self.user_groups.iter().find(|g| g.group.id.as_str() == id)
    }

    pub(crate) fn user_group_mut(&mut self, id: &str) -> Option<&mut StoredUserGroup> {
        self.user_groups
            .iter_mut()
            .find(|g| g.group.id.as_str() == id)
    }

    /// Removes a member, and takes them out of every user group.
    pub(crate) fn remove_member(&mut self, id: &str) -> Option<Member> {
        let member = self.members.remove(id)?;
        for group in &mut self.user_groups {
            group.members.retain(|m| m.id != id);
        }
        Some(member)
    }

    /// The account's own scope key, `com.cloudflare.api.account.<id>`.
    pub(crate) fn scope_key(&self) -> String {
        format!("{ACCOUNT_SCOPE_PREFIX}{}", self.id.as_str())
    }

    /// The zone a zone scope key (`com.cloudflare.api.account.zone.<id>`)
    /// names, when it is one of this account's.
    pub(crate) fn zone_of_key(&self, key: &str) -> Option<&Zone> {
        let id = key.strip_prefix(ZONE_SCOPE_PREFIX)?;
        self.zones.iter().find(|z| z.id.as_str() == id)
    }

    pub(crate) fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id.as_str() == id)
    }

    pub(crate) fn permission_group(&self, id: &str) -> Option<&PermissionGroup> {
        self.permission_groups.iter().find(|g| g.id.as_str() == id)
    }

    pub(crate) fn resource_group(&self, id: &str) -> Option<&ResourceGroup> {
        self.resource_groups.iter().find(|g| g.id.as_str() == id)
    }

    /// `take` members after the first `skip`, filtered and sorted, and how
    /// many match in all. Only references are gathered: nothing is cloned or
    /// serialized beyond the page.
    pub(crate) fn page_of_members(
        &self,
        status: Option<&str>,
        order: Option<MemberOrder>,
        direction: Option<Direction>,
        skip: usize,
        take: usize,
    ) -> (Vec<&Member>, u64) {
        let matches = |m: &&Member| {
            status.is_none_or(|s| m.status.as_ref().is_some_and(|ms| ms.as_str() == s))
        };
        let desc = direction == Some(Direction::Desc);
        match order {
            None => {
                // Join order: no sort, so no list of the whole account.
                let total = self.members.iter().filter(matches).count() as u64;
                let page: Vec<&Member> = if desc {
                    self.members
                        .iter()
                        .rev()
                        .filter(matches)
                        .skip(skip)
                        .take(take)
                        .collect()
                } else {
                    self.members
                        .iter()
                        .filter(matches)
                        .skip(skip)
                        .take(take)
                        .collect()
                };
                (page, total)
            }
            Some(order) => {
                let mut all: Vec<&Member> = self.members.iter().filter(matches).collect();
                let key = |m: &Member| -> String {
                    let user = m.user.as_ref();
                    match order {
                        MemberOrder::FirstName => user
                            .and_then(|u| u.first_name.clone())
                            .unwrap_or_default()
                            .to_lowercase(),
                        MemberOrder::LastName => user
                            .and_then(|u| u.last_name.clone())
                            .unwrap_or_default()
                            .to_lowercase(),
                        MemberOrder::Email => m.email().unwrap_or_default().to_lowercase(),
                        MemberOrder::Status => m
                            .status
                            .as_ref()
                            .map(|s| s.as_str().to_owned())
                            .unwrap_or_default(),
                    }
                };
                all.sort_by_cached_key(|m| key(m));
                if desc {
                    all.reverse();
                }
                let total = all.len() as u64;
                let page = all.into_iter().skip(skip).take(take).collect();
                (page, total)
            }
        }
    }
}

/// Every account, by id.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) accounts: BTreeMap<String, Account>,
}

impl State {
    pub(crate) fn from_seed(seed: Seed) -> Self {
        let accounts = seed
            .accounts
            .into_iter()
            .map(|a| (a.id.as_str().to_owned(), Account::from_seed(a)))
            .collect();
        Self { accounts }
    }

    pub(crate) fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.get(id)
    }

    pub(crate) fn account_mut(&mut self, id: &str) -> Option<&mut Account> {
        self.accounts.get_mut(id)
    }
}

/// Makes sure a member has an id and a top-level email, as stored members do.
pub(crate) fn normalise(mut member: Member) -> Member {
    if member.id.is_none() {
        member.id = Some(MemberId::from_server(crate::ids::random_id()));
    }
    if member.email.is_none() {
        member.email = member.user.as_ref().map(|u| u.email.clone());
    }
    member
}
