//! `cf-members permission-groups …` and `cf-members resource-groups …`:
//! the catalog a policy allows or denies from, and the scopes it applies to.

use std::io::IsTerminal;

use futures::StreamExt;
use member_client::{
    AccountId, Client, CreateResourceGroup, ListParams, ListPermissionGroupsParams,
    ListResourceGroupsParams, ResolveError, Resolver, ResourceGroup, ResourceGroupId, Scope,
    UpdateResourceGroup, ZoneId,
};
use serde_json::Value;

use crate::cli::{
    GlobalArgs, ListPermissionGroupsArgs, PermissionGroupsCommand, ResourceGroupsCommand,
};
use crate::commands::{
    connect, dry_run, print_one, resolve_failure, send, show_list, show_pages, usage, Outcome,
};
use crate::output;
use crate::report::Failure;
use crate::shell::note;

/// Runs `cf-members permission-groups …`.
pub async fn run_permission_groups(
    global: &GlobalArgs,
    command: PermissionGroupsCommand,
) -> Outcome {
    match command {
        PermissionGroupsCommand::List(args) => list_permission_groups(global, args).await,
        PermissionGroupsCommand::Get { group } => {
            let (client, account) = connect(global)?;
            let id = client
                .resolver(&account)
                .permission_group_id(&group)
                .await
                .map_err(resolve_failure)?;
            let value = send(client.permission_groups(&account).get(&id), false).await?;
            print_one(global, &value, output::permission_group_details)
        }
    }
}

async fn list_permission_groups(global: &GlobalArgs, args: ListPermissionGroupsArgs) -> Outcome {
    let mut params = ListPermissionGroupsParams::new();
    if let Some(name) = &args.name {
        params = params.name(name).map_err(usage)?;
    }
    if let Some(label) = &args.label {
        params = params.label(label).map_err(usage)?;
    }
    if let Some(per_page) = args.paging.per_page {
        params = params.per_page(per_page).map_err(usage)?;
    }
    if let Some(page) = args.paging.page {
        let paging = params.paging().with_page(page).map_err(usage)?;
        params = params.with_paging(paging);
    }
    let (client, account) = connect(global)?;
    let list = client.permission_groups(&account).list(params);
    show_list(
        list,
        args.paging.page.is_some(),
        &output::PERMISSION_GROUPS,
        global,
    )
    .await
}

/// Runs `cf-members resource-groups …`.
pub async fn run_resource_groups(global: &GlobalArgs, command: ResourceGroupsCommand) -> Outcome {
    let (client, account) = connect(global)?;
    let groups = client.resource_groups(&account);
    let resolver = client.resolver(&account);
    match command {
        ResourceGroupsCommand::List { name } => {
            let mut params = ListResourceGroupsParams::new();
            if let Some(name) = &name {
                params = params.name(name).map_err(usage)?;
            }
            // Typed items (the stream reads on only when the first
            // answer's totals say there is more), each shown as it comes.
            let items = groups.list(params).map(|item| {
                item.map_err(|e| Failure::from_client(&e, false))
                    .and_then(|group| to_value(&group))
                    .map(|value| (vec![value], None))
            });
            show_pages(items, &output::RESOURCE_GROUPS, global).await
        }
        ResourceGroupsCommand::Get { group } => {
            let id = resolver
                .resource_group(&group)
                .await
                .map_err(resolve_failure)?
                .id;
            let value = send(groups.get(&id), false).await?;
            print_one(global, &value, output::resource_group_details)
        }
        ResourceGroupsCommand::Create(args) => {
            let scope = scope_of(&resolver, &account, &args.scope).await?;
            let body = CreateResourceGroup::new(&args.name, scope).map_err(usage)?;
            crate::commands::refuse_taken_name(
                &resolver,
                crate::commands::GroupKind::Resource,
                &args.name,
                None,
            )
            .await?;
            let call = groups.create(body);
            if args.dry_run {
                return dry_run(global, &call, &resolver.resolutions());
            }
            let value = send(call, true).await?;
            print_one(global, &value, output::resource_group_details)
        }
        ResourceGroupsCommand::Update(args) => {
            let group = resolver.resource_group(&args.group).await;
            let scope = if args.scope.is_empty() {
                None
            } else {
                Some(scope_of(&resolver, &account, &args.scope).await?)
            };
            let id = group.map_err(resolve_failure)?.id;
            let mut body = UpdateResourceGroup::new();
            if let Some(name) = &args.name {
                body = body.name(name).map_err(usage)?;
                crate::commands::refuse_taken_name(
                    &resolver,
                    crate::commands::GroupKind::Resource,
                    name,
                    Some(id.as_str()),
                )
                .await?;
            }
            if let Some(scope) = scope {
                refuse_resource_group_lockout(&client, &resolver, &id, Some(&scope)).await?;
                body = body.scope(scope).map_err(usage)?;
            }
            let call = groups.update(&id, body);
            if args.dry_run {
                return dry_run(global, &call, &resolver.resolutions());
            }
            let value = send(call, true).await?;
            print_one(global, &value, output::resource_group_details)
        }
        ResourceGroupsCommand::Delete(args) => {
            let group = resolver
                .resource_group(&args.group)
                .await
                .map_err(resolve_failure)?;
            refuse_resource_group_lockout(&client, &resolver, &group.id, None).await?;
            warn_if_used(&resolver, &group.id).await;
            let call = groups.delete(&group.id);
            if args.dry_run {
                return dry_run(global, &call, &resolver.resolutions());
            }
            let what = match &group.name {
                Some(name) => format!("resource group {} ({})", output::clean(name), group.id),
                None => format!("resource group {}", group.id),
            };
            if !args.yes && !confirmed(&what, global) {
                return Err(
                    Failure::usage(format!("{what} was not deleted; nothing was sent"))
                        .with_hint("run again with --yes to delete it"),
                );
            }
            let value = send(call, true).await?;
            print_one(global, &value, |_| Ok(format!("deleted {what}\n")))
        }
    }
}

/// Tells on stderr whose policies name resource group `group` (members and
/// user groups, as read): deleting it takes that scope from them. A read
/// that fails says so; nothing is refused here (the lockout guard has
/// already checked the Super Administrators).
async fn warn_if_used(resolver: &member_client::Resolver, group: &member_client::ResourceGroupId) {
    let names = |policies: &[member_client::Policy]| {
        policies
            .iter()
            .any(|p| p.resource_groups.iter().any(|g| &g.id == group))
    };
    let mut users: Vec<String> = Vec::new();
    match resolver.members().await {
        Ok(members) => users.extend(
            members
                .iter()
                .filter(|m| names(&m.policies))
                .map(|m| output::clean(m.email().unwrap_or_default())),
        ),
        Err(e) => note!("cf-members: warning: cannot read the members to see who uses it: {e}"),
    }
    match resolver.user_groups().await {
        Ok(groups) => users.extend(groups.iter().filter(|g| names(&g.policies)).map(|g| {
            format!(
                "user group {}",
                output::clean(g.name.as_deref().unwrap_or(g.id.as_str()))
            )
        })),
        Err(e) => note!("cf-members: warning: cannot read the user groups to see who uses it: {e}"),
    }
    if !users.is_empty() {
        note!(
            "cf-members: warning: policies of {} name this resource group: deleting it takes \
             its scope from them",
            users.join(", ")
        );
    }
}

/// Refuses (exit 2, nothing sent) giving resource group `group` the scope
/// `scope` (or deleting it, with `None`) when that would leave the account
/// without an active Super Administrator: the group covered the whole
/// account for the last one's policy.
async fn refuse_resource_group_lockout(
    client: &Client,
    resolver: &Resolver,
    group: &ResourceGroupId,
    scope: Option<&Scope>,
) -> Result<(), Failure> {
    let scopes = scope.map(std::slice::from_ref);
    match client.resource_group_lockout(resolver, group, scopes).await {
        Ok(None) => Ok(()),
        Ok(Some(lockout)) => Err(crate::commands::lockout_failure(&lockout)),
        Err(e) => Err(crate::commands::guard_read_failed(&e)),
    }
}

fn to_value(group: &ResourceGroup) -> Result<Value, Failure> {
    serde_json::to_value(group)
        .map_err(|e| Failure::other(format!("cannot encode a resource group: {e}")))
}

/// Asks on a terminal; never elsewhere, nor with `-q` (a script must say
/// --yes).
pub(crate) fn confirmed(what: &str, global: &GlobalArgs) -> bool {
    let interactive = global.output == crate::cli::OutputFormat::Table
        && !crate::shell::quiet()
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal();
    if !interactive {
        return false;
    }
    crate::shell::ask_yes(&format!("delete {what}"))
}

/// What `--scope` says, zones looked up by name in the account: `account`;
/// `zone:<domain>`; or several zones (`--scope zone:a --scope zone:b`, or
/// `zone:a,b`). Every zone that is not found is told at once.
async fn scope_of(
    resolver: &Resolver,
    account: &AccountId,
    scopes: &[String],
) -> Result<Scope, Failure> {
    let hint = "--scope takes `account`, `zone:<domain>`, or several zones of the account \
                (`--scope zone:a.com --scope zone:b.com`, or `zone:a.com,b.com`)";
    let mut whole_account = false;
    let mut domains = Vec::new();
    for scope in scopes {
        let text = scope.trim();
        if text.eq_ignore_ascii_case("account") {
            whole_account = true;
            continue;
        }
        let zones = text
            .get(..5)
            .filter(|head| head.eq_ignore_ascii_case("zone:"))
            .map(|_| &text[5..])
            .ok_or_else(|| {
                Failure::usage(format!("unknown scope {:?}", output::clean(text))).with_hint(hint)
            })?;
        domains.extend(
            zones
                .split(',')
                .map(|d| d.trim().trim_start_matches("zone:").trim())
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
        );
    }
    if whole_account {
        if !domains.is_empty() {
            return Err(Failure::usage(
                "--scope account already covers every zone: give `account` or zones, not both",
            )
            .with_hint(hint));
        }
        return Scope::account(account).map_err(usage);
    }
    if domains.is_empty() {
        return Err(Failure::usage("--scope names no zone").with_hint(hint));
    }
    let mut zones: Vec<ZoneId> = Vec::new();
    let mut failed: Vec<ResolveError> = Vec::new();
    for domain in &domains {
        match resolver.zone(domain).await {
            // A zone given twice (`zone:a.com --scope zone:A.com`) once.
            Ok(zone) if zones.contains(&zone.id) => {}
            Ok(zone) => zones.push(zone.id),
            Err(e) => failed.push(e),
        }
    }
    if let Some(at) = failed.iter().position(|e| e.request_error().is_some()) {
        return Err(resolve_failure(failed.swap_remove(at)));
    }
    match failed.len() {
        0 => {}
        1 => return Err(resolve_failure(failed.swap_remove(0))),
        n => {
            let mut message = format!("{n} zones did not resolve; nothing was sent:");
            for e in &failed {
                message.push_str("\n  ");
                message.push_str(&output::clean(&e.to_string()));
            }
            return Err(Failure::usage(message)
                .with_hint("a zone is its domain name, as `cf-members` finds it in the account"));
        }
    }
    match zones.as_slice() {
        [one] => Scope::zone(one).map_err(usage),
        several => Scope::zones(account, several).map_err(usage),
    }
}
