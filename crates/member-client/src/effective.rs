//! What one member can really do: their own roles and policies, and the
//! policies of every user group they are in.

use futures::stream::{self, StreamExt, TryStreamExt};
use member_types::{
    AccountId, ListGroupMembersParams, ListUserGroupsParams, Member, MemberId, Policy, Role,
    UserGroup, UserGroupId,
};

use crate::{Client, Error};

/// How many groups' member lists are read at once.
const GROUP_READS_AT_ONCE: usize = 4;

/// Where a grant comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GrantSource {
    /// The member's own roles and policies.
    Direct,
    /// A user group the member is in.
    Group {
        /// The group's id.
        id: UserGroupId,
        /// The group's name, when it has one.
        name: Option<String>,
    },
}

/// One policy a member holds, with where it comes from.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PolicyGrant {
    /// Where the policy comes from.
    pub source: GrantSource,
    /// The policy as the server sent it (names of its permission and
    /// resource groups included).
    pub policy: Policy,
}

/// A member's effective access: [`Client::effective_access`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct EffectiveAccess {
    /// The member, as Member Details returns it (their own roles and
    /// policies).
    pub member: Member,
    /// Every user group the member is in, with the group's policies.
    pub groups: Vec<UserGroup>,
}

impl EffectiveAccess {
    /// The member's roles (roles are only ever direct).
    pub fn roles(&self) -> &[Role] {
        &self.member.roles
    }

    /// Every policy the member holds: their own first, then each group's,
    /// each with its source.
    pub fn policies(&self) -> Vec<PolicyGrant> {
        let direct = self.member.policies.iter().map(|policy| PolicyGrant {
            source: GrantSource::Direct,
            policy: policy.clone(),
        });
        let through_groups = self.groups.iter().flat_map(|group| {
            group.policies.iter().map(|policy| PolicyGrant {
                source: GrantSource::Group {
                    id: group.id.clone(),
                    name: group.name.clone(),
                },
                policy: policy.clone(),
            })
        });
        direct.chain(through_groups).collect()
    }
}

impl Client {
    /// The effective access of one member of `account`: their own roles and
    /// policies, and every user group they are in with its policies.
    ///
    /// Reads, in order: Member Details (1 request); every user group
    /// (one request per 50 groups); each group's members, filtered by the
    /// member's email with `fuzzyEmail` (normally 1 request per group, 4 at
    /// a time, and membership is decided by id, so a server that ignores the
    /// filter only costs more pages); and Group Details only for a group the
    /// member is in whose list entry carried no policies. For a member in an
    /// account with G groups: 2 + G requests when G ≤ 50.
    ///
    /// ```no_run
    /// # async fn demo(client: member_client::Client, account: member_client::AccountId, member: member_client::MemberId) -> Result<(), member_client::Error> {
    /// let access = client.effective_access(&account, &member).await?;
    /// for grant in access.policies() {
    ///     println!("{:?}: {:?}", grant.source, grant.policy.access);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The errors of the reads; a member that does not exist is
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound).
    pub async fn effective_access(
        &self,
        account: &AccountId,
        member: &MemberId,
    ) -> Result<EffectiveAccess, Error> {
        let details = self.members(account).get(member).await?;
        let groups: Vec<UserGroup> = self
            .user_groups(account)
            .list(ListUserGroupsParams::new())
            .try_collect()
            .await?;
        let email = details.email().map(str::to_owned);
        let memberships = stream::iter(groups)
            .map(|group| {
                let email = email.clone();
                async move {
                    let is_in = self.is_in_group(account, &group.id, member, email.as_deref());
                    Ok::<_, Error>((group.clone(), is_in.await?))
                }
            })
            .buffered(GROUP_READS_AT_ONCE)
            .try_filter_map(|(group, is_in)| async move { Ok(is_in.then_some(group)) })
            .try_collect::<Vec<UserGroup>>()
            .await?;
        let mut groups = Vec::with_capacity(memberships.len());
        for group in memberships {
            groups.push(if group.policies.is_empty() {
                self.user_groups(account).get(&group.id).await?
            } else {
                group
            });
        }
        Ok(EffectiveAccess {
            member: details,
            groups,
        })
    }

    async fn is_in_group(
        &self,
        account: &AccountId,
        group: &UserGroupId,
        member: &MemberId,
        email: Option<&str>,
    ) -> Result<bool, Error> {
        let mut params = ListGroupMembersParams::new();
        if let Some(email) = email {
            params = params.fuzzy_email(email)?;
        }
        let mut members = self.user_groups(account).members(group).list(params);
        while let Some(found) = members.try_next().await? {
            if found.id == *member {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
