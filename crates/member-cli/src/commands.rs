//! Running a parsed command: check every input, build the client, send,
//! print.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use futures::{Stream, StreamExt, TryStreamExt};
use member_client::{
    resolve_policies, resolve_roles, AccountId, ApiResponse, AttemptInfo, Call, Change, Client,
    CreateMember, Credentials, Error, List, ListMembersParams, ListParams, ListRolesParams,
    ListZonesParams, Listed, PageStream, PolicyRequest, RateLimitConfig, Resolution, ResolveError,
    Resolver, RoleId, Unresolved, UpdateMember,
};
use serde_json::Value;

use crate::cli::{
    AccessArgs, Cli, Command, GlobalArgs, MembersCommand, OutputFormat, RolesCommand, UpdateArgs,
};
use crate::output::{self, ListView, ListWriter};
use crate::policies;
use crate::progress::Progress;
use crate::report::{seconds, Failure};
use crate::shell::note;

/// What the command printed on success, or why it failed.
pub type Outcome = Result<(), Failure>;

/// Runs the command.
pub async fn run(mut cli: Cli) -> Outcome {
    if let Command::Completions { shell } = cli.command {
        // Nothing to check and nobody to ask: no account, no credentials.
        return completions(shell);
    }
    crate::shell::init(&cli.global);
    crate::accounts::prepare(&mut cli).await?;
    let global = &cli.global;
    match cli.command {
        Command::Members(command) => run_members(global, command).await,
        Command::Roles(command) => run_roles(global, command).await,
        Command::PermissionGroups(command) => {
            crate::groups::run_permission_groups(global, command).await
        }
        Command::ResourceGroups(command) => {
            crate::groups::run_resource_groups(global, command).await
        }
        Command::Groups(command) => crate::user_groups::run(global, command).await,
        Command::Apply(args) => crate::apply::run(global, args).await,
        Command::Accounts(command) => crate::accounts::run_accounts(global, command).await,
        Command::Whois(args) => crate::accounts::whois::run(global, args).await,
        Command::Offboard(args) => crate::accounts::offboard::run(global, args).await,
        Command::Audit(args) => crate::accounts::audit::run(global, args).await,
        Command::Export(args) => crate::access::run_export(global, args).await,
        Command::Plan(args) => crate::access::run_plan(global, args).await,
        Command::Sync(args) => crate::access::run_sync(global, args).await,
        Command::History(args) => crate::history::run(global, args).await,
        Command::Completions { shell } => completions(shell),
    }
}

/// `cf-members completions SHELL`: the script on stdout.
fn completions(shell: clap_complete::Shell) -> Outcome {
    // Into memory first: the generator cannot report a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut crate::command(), "cf-members", &mut script);
    let mut out = std::io::stdout().lock();
    finish_write(out.write_all(&script).and_then(|()| out.flush()))
}

async fn run_members(global: &GlobalArgs, command: MembersCommand) -> Outcome {
    match command {
        MembersCommand::List(args) => {
            let mut params = ListMembersParams::new();
            if let Some(status) = args.status {
                params = params.status(status.into());
            }
            if let Some(order) = args.order {
                params = params.order(order.into());
            }
            if let Some(direction) = args.direction {
                params = params.direction(direction.into());
            }
            if let Some(per_page) = args.paging.per_page {
                params = params.per_page(per_page).map_err(usage)?;
            }
            let single = args.paging.page;
            if let Some(page) = single {
                params = params.page(page).map_err(usage)?;
            }
            let (client, account) = connect(global)?;
            let list = client.members(&account).list(params);
            show_list(list, single.is_some(), &output::MEMBERS, global).await
        }
        MembersCommand::Get { member, effective } => {
            let (client, account) = connect(global)?;
            let resolver = client.resolver(&account);
            let id = resolver.member_id(&member).await.map_err(resolve_failure)?;
            if effective {
                return effective_access(global, &client, &resolver, &id).await;
            }
            let value = send(client.members(&account).get(&id), false).await?;
            let names = zone_names(global, &client, &account, &value).await;
            print_one(global, &value, |v| output::member_details(v, true, &names))
        }
        MembersCommand::Add(args) => {
            let policies = read_policies(&args.access)?;
            let (client, account) = connect(global)?;
            let resolver = client.resolver(&account);
            let body = match access(&resolver, &args.access, policies).await? {
                Access::Roles(roles) => CreateMember::with_roles(&args.email, roles),
                Access::Policies(policies) => CreateMember::with_policies(&args.email, policies),
            }
            .map_err(usage)?;
            let body = match args.status {
                Some(status) => body.status(status.into()),
                None => body,
            };
            let call = client.members(&account).add(body);
            if args.dry_run {
                return dry_run(global, &call, &resolver.resolutions());
            }
            let value = send(call, true).await?;
            print_one(global, &value, |v| {
                output::member_details(v, false, &HashMap::new())
            })
        }
        MembersCommand::Update(args)
            if !args.add_roles.is_empty() || !args.remove_roles.is_empty() =>
        {
            edit_roles(global, &args).await
        }
        MembersCommand::Update(args) => {
            let policies = read_policies(&args.access)?;
            let (client, account) = connect(global)?;
            let resolver = client.resolver(&account);
            // The member and the access are resolved before anything is
            // checked against the other, so every bad name is told at once.
            let member = resolver.member_id(&args.member).await;
            let access = access(&resolver, &args.access, policies).await;
            let member = member.map_err(resolve_failure)?;
            let (body, change) = match access? {
                Access::Roles(roles) => (
                    UpdateMember::with_roles(roles.clone()),
                    Change::set_roles(&member, roles),
                ),
                Access::Policies(policies) => (
                    UpdateMember::with_policies(policies.clone()),
                    Change::set_policies(&member, policies),
                ),
            };
            let body = body.map_err(usage)?;
            refuse_lockout(&client, &resolver, &[change]).await?;
            let call = client.members(&account).update(&member, body);
            if args.dry_run {
                return dry_run(global, &call, &resolver.resolutions());
            }
            let value = send(call, true).await?;
            print_one(global, &value, |v| {
                output::member_details(v, true, &HashMap::new())
            })
        }
        MembersCommand::Remove(args) => {
            let (client, account) = connect(global)?;
            let resolver = client.resolver(&account);
            let member = resolver
                .member_id(&args.member)
                .await
                .map_err(resolve_failure)?;
            refuse_lockout(&client, &resolver, &[Change::remove(&member)]).await?;
            let call = client.members(&account).remove(&member);
            if args.dry_run {
                return dry_run(global, &call, &resolver.resolutions());
            }
            let value = send(call, true).await?;
            let removed = value
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or(member.as_str())
                .to_owned();
            print_one(global, &value, |_| {
                Ok(format!("removed member {}\n", output::clean(&removed)))
            })
        }
    }
}

/// `members update MEMBER --add-role … --remove-role …`: the member's roles
/// read, changed by those given, and the whole set sent; nothing when it
/// would not change.
async fn edit_roles(global: &GlobalArgs, args: &UpdateArgs) -> Outcome {
    let (client, account) = connect(global)?;
    let resolver = client.resolver(&account);
    // Every name is resolved before any is reported: a member that does
    // not resolve is told first, else every role that does not, at once.
    let member = resolver.member(&args.member).await;
    let added = resolve_roles(&resolver, &args.add_roles).await;
    let removed = resolve_roles(&resolver, &args.remove_roles).await;
    let member = member.map_err(resolve_failure)?;
    let mut failed = Vec::new();
    let (added, removed) = match (added, removed) {
        (Ok(added), Ok(removed)) => (added, removed),
        (added, removed) => {
            failed.extend(added.err().unwrap_or_default());
            failed.extend(removed.err().unwrap_or_default());
            return Err(unresolved_failure(failed));
        }
    };
    let who = output::clean(member.email().unwrap_or_default());
    let id = member.id.clone().ok_or_else(|| {
        Failure::other(format!(
            "the server gave {who} no membership id; nothing was sent"
        ))
    })?;
    if let Some((given, _)) = args
        .add_roles
        .iter()
        .zip(&added)
        .find(|(_, r)| removed.contains(r))
    {
        return Err(Failure::usage(format!(
            "role {} is both added and removed; nothing was sent",
            output::clean(given)
        )));
    }
    if !member.policies.is_empty() {
        return Err(Failure::usage(format!(
            "{who} has {}, and setting roles drops a member's policies; nothing was sent",
            output::plural(member.policies.len(), "policy", "policies")
        ))
        .with_hint(
            "--role ROLE ... sets the roles and drops the policies on purpose; \
             --allow/--deny or --policies change the policies",
        ));
    }
    let current: Vec<RoleId> = member.roles.iter().map(|r| r.id.clone()).collect();
    let name_of = |id: &RoleId| {
        member
            .roles
            .iter()
            .find(|r| &r.id == id)
            .map_or_else(|| id.to_string(), |r| output::clean(&r.name))
    };
    for role in added.iter().filter(|r| current.contains(r)) {
        note!("cf-members: {who} already has role {}", name_of(role));
    }
    for (given, role) in args.remove_roles.iter().zip(&removed) {
        if !current.contains(role) {
            note!(
                "cf-members: {who} does not have role {}; nothing to remove",
                output::clean(given)
            );
        }
    }
    let mut roles: Vec<RoleId> = current
        .iter()
        .filter(|r| !removed.contains(r))
        .cloned()
        .collect();
    roles.extend(added.iter().filter(|r| !current.contains(r)).cloned());
    if roles.len() == current.len() && roles.iter().all(|r| current.contains(r)) {
        note!("cf-members: the roles of {who} would not change; nothing was sent");
        return match global.output {
            OutputFormat::Table => Ok(()),
            _ => print_one(
                global,
                &serde_json::to_value(&member).unwrap_or(Value::Null),
                |_| Ok(String::new()),
            ),
        };
    }
    if roles.is_empty() {
        return Err(Failure::usage(format!(
            "that would take every role from {who}, who would keep no access; nothing was sent"
        ))
        .with_hint("`cf-members members remove MEMBER` removes a member"));
    }
    let body = UpdateMember::with_roles(roles.clone()).map_err(usage)?;
    refuse_lockout(&client, &resolver, &[Change::set_roles(&id, roles)]).await?;
    let call = client.members(&account).update(&id, body);
    if args.dry_run {
        return dry_run(global, &call, &resolver.resolutions());
    }
    let value = send(call, true).await?;
    print_one(global, &value, |v| {
        output::member_details(v, true, &HashMap::new())
    })
}

/// Refuses (exit 2, nothing sent) `changes` when they would leave the
/// account without an active Super Administrator; planned against the
/// members `resolver` has read (or reads now). A dry run checks it too.
pub async fn refuse_lockout(
    client: &Client,
    resolver: &Resolver,
    changes: &[Change],
) -> Result<(), Failure> {
    if changes.is_empty() {
        return Ok(());
    }
    let read = |e: Error| guard_read_failed(&e);
    let current = resolver.members().await.map_err(read)?;
    let plan = client
        .members(resolver.account_id())
        .plan_with(&current, changes)
        .await
        .map_err(read)?;
    refuse_planned_lockout(client, resolver, &plan).await
}

/// [`refuse_lockout`] of a plan already made.
pub async fn refuse_planned_lockout(
    client: &Client,
    resolver: &Resolver,
    plan: &member_client::Plan,
) -> Result<(), Failure> {
    match client.lockout(resolver, plan).await {
        Ok(None) => Ok(()),
        Ok(Some(lockout)) => Err(lockout_failure(&lockout)),
        Err(e) => Err(guard_read_failed(&e)),
    }
}

/// Exit 1 when a read the lockout guard needs failed: whether the change
/// is safe is not known, so it is not sent.
pub fn guard_read_failed(error: &Error) -> Failure {
    let failure = Failure::other(format!(
        "cannot check that the account keeps an active Super Administrator ({}); \
         nothing was sent",
        output::clean(&error.to_string())
    ));
    match Failure::from_client(error, false).hint() {
        Some(hint) => failure.with_hint(hint.to_owned()),
        None => failure.with_hint(
            "the check reads the members, and unless another member keeps the Super \
             Administrator role also the roles, permission groups, resource groups and \
             user groups",
        ),
    }
}

/// Exit 2 for a refused change, with how to hand the role over.
pub fn lockout_failure(lockout: &member_client::Lockout) -> Failure {
    Failure::usage(format!(
        "refused: {}; nothing was sent",
        output::clean(&lockout.to_string())
    ))
    .with_hint(
        "`cf-members members update EMAIL --add-role \"Super Administrator - All Privileges\"` \
         makes another accepted member one",
    )
}

/// `members get MEMBER --effective`: the member's own access and that of
/// every group they are in, every permission group by name.
async fn effective_access(
    global: &GlobalArgs,
    client: &Client,
    resolver: &Resolver,
    member: &member_client::MemberId,
) -> Outcome {
    let access = client
        .effective_access(resolver.account_id(), member)
        .await
        .map_err(|e| Failure::from_client(&e, false))?;
    // Names for permission groups the answers left unnamed: the catalog,
    // read only when one is missing.
    let unnamed = access
        .policies()
        .iter()
        .flat_map(|grant| grant.policy.permission_groups.clone())
        .any(|g| g.name.is_none());
    let mut names = std::collections::HashMap::new();
    if unnamed {
        match resolver.permission_groups().await {
            Ok(catalog) => names.extend(
                catalog
                    .iter()
                    .filter_map(|g| Some((g.id.as_str().to_owned(), g.name.clone()?))),
            ),
            Err(e) => note!(
                "cf-members: warning: cannot read the permission groups, so some are shown                  by id: {e}"
            ),
        }
    }
    match global.output {
        OutputFormat::Json | OutputFormat::Jsonl => {
            write_json(&output::effective_json(&access, &names))
        }
        OutputFormat::Table => write_text(&output::effective_text(&access, &names)),
        OutputFormat::Csv => Err(crate::accounts::csv_unsupported()),
    }
}

/// The account's zones by id, for a table that shows a member's policies
/// (a scope names a zone by id): one paged read, only when the member has
/// policies and the output is a table. A failed read is a warning, and the
/// zones are then shown by id.
async fn zone_names(
    global: &GlobalArgs,
    client: &Client,
    account: &AccountId,
    member: &Value,
) -> HashMap<String, String> {
    let has_policies = member
        .get("policies")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty());
    if !has_policies || !matches!(global.output, OutputFormat::Table) {
        return HashMap::new();
    }
    let zones = client
        .zones()
        .list(ListZonesParams::new().account(account.clone()))
        .try_collect::<Vec<_>>()
        .await;
    match zones {
        Ok(zones) => zones
            .into_iter()
            .map(|z| (z.id.as_str().to_owned(), z.name))
            .collect(),
        Err(e) => {
            note!("cf-members: warning: cannot read the account's zones, so zones are shown by id: {e}");
            HashMap::new()
        }
    }
}

async fn run_roles(global: &GlobalArgs, command: RolesCommand) -> Outcome {
    match command {
        RolesCommand::List(paging) => {
            let mut params = ListRolesParams::new();
            if let Some(per_page) = paging.per_page {
                params = params.per_page(per_page).map_err(usage)?;
            }
            let (client, account) = connect(global)?;
            if let Some(page) = paging.page {
                params = params.page(page).map_err(usage)?;
            }
            let list = client.roles(&account).list(params);
            show_list(list, paging.page.is_some(), &output::ROLES, global).await
        }
        RolesCommand::Get { role } => {
            let (client, account) = connect(global)?;
            let role = client
                .resolver(&account)
                .role_id(&role)
                .await
                .map_err(resolve_failure)?;
            let value = send(client.roles(&account).get(&role), false).await?;
            print_one(global, &value, output::role_details)
        }
    }
}

pub fn usage(error: impl std::fmt::Display) -> Failure {
    Failure::usage(error.to_string())
}

/// The roles or policies of `add` and `update`, resolved to ids.
enum Access {
    Roles(Vec<member_client::RoleId>),
    Policies(Vec<PolicyRequest>),
}

/// The policies of `--policies FILE` or `--allow`/`--deny`, read and
/// checked (names not resolved yet); `None` when roles are given.
fn read_policies(args: &AccessArgs) -> Result<Option<Vec<member_client::NamedPolicy>>, Failure> {
    if let Some(path) = &args.policies {
        return policies::read(path).map(Some);
    }
    if args.allow.is_empty() && args.deny.is_empty() {
        return Ok(None);
    }
    let allow = args
        .allow
        .iter()
        .map(|flag| policies::from_flag(member_client::Access::Allow, flag));
    let deny = args
        .deny
        .iter()
        .map(|flag| policies::from_flag(member_client::Access::Deny, flag));
    allow.chain(deny).collect::<Result<Vec<_>, _>>().map(Some)
}

/// The access asked for, every name resolved; every name that did not
/// resolve is told at once.
async fn access(
    resolver: &Resolver,
    args: &AccessArgs,
    policies: Option<Vec<member_client::NamedPolicy>>,
) -> Result<Access, Failure> {
    match policies {
        Some(policies) => resolve_policies(resolver, &policies)
            .await
            .map(Access::Policies)
            .map_err(unresolved_failure),
        None => resolve_roles(resolver, &args.roles)
            .await
            .map(Access::Roles)
            .map_err(unresolved_failure),
    }
}

/// The two kinds of group a name of which must stay unique.
#[derive(Clone, Copy)]
pub enum GroupKind {
    User,
    Resource,
}

/// Refuses a new name for a user group or resource group that another
/// group of that kind already answers to: names are matched without regard
/// to case, so after it neither group could be named any more. `own` is the
/// id of the group being renamed, which may keep its name in another case.
pub async fn refuse_taken_name(
    resolver: &Resolver,
    kind: GroupKind,
    name: &str,
    own: Option<&str>,
) -> Result<(), Failure> {
    let reference = format!("name:{name}");
    let (what, found) = match kind {
        GroupKind::User => (
            "user group",
            resolver
                .user_group(&reference)
                .await
                .map(|g| (g.id.as_str().to_owned(), g.name.unwrap_or_default())),
        ),
        GroupKind::Resource => (
            "resource group",
            resolver
                .resource_group(&reference)
                .await
                .map(|g| (g.id.as_str().to_owned(), g.name.unwrap_or_default())),
        ),
    };
    let taken = match found {
        Ok((id, _)) if own == Some(id.as_str()) => return Ok(()),
        Ok((id, existing)) => format!("{existing:?} ({id})"),
        Err(e) if e.is_ambiguous() => "several".to_owned(),
        Err(e) if e.is_not_found() || e.is_invalid() => return Ok(()),
        Err(e) => return Err(resolve_failure(e)),
    };
    Err(Failure::usage(format!(
        "{what} {taken} already answers to the name {name:?} (names match without regard to \
         case, so neither could be named after this); nothing was sent"
    ))
    .with_hint("choose another name, or change the existing group instead"))
}

/// The failure of a reference that did not resolve: exit 2 with the
/// suggestions or candidates, or exit 1 when reading failed.
pub fn resolve_failure(error: ResolveError) -> Failure {
    match error {
        ResolveError::Request(e) => Failure::from_client(&e, false),
        other => {
            Failure::usage(format!("{other}; nothing was sent")).with_hint(resolve_hint(&other))
        }
    }
}

fn resolve_hint(error: &ResolveError) -> &'static str {
    if error.is_ambiguous() {
        "give the id of the one you mean (or `id:ID`)"
    } else {
        "`cf-members members list`, `roles list`, `groups list`, `permission-groups list` \
         and `resource-groups list` show the names; `name:` or `id:` before a reference \
         forces either reading"
    }
}

/// The failure of several references that did not resolve, each told.
pub fn unresolved_failure(mut failed: Vec<Unresolved>) -> Failure {
    if let Some(at) = failed.iter().position(Unresolved::is_request_error) {
        return resolve_failure(failed.swap_remove(at).error);
    }
    if failed.len() == 1 {
        return resolve_failure(failed.swap_remove(0).error);
    }
    let mut message = format!("{} names did not resolve; nothing was sent:", failed.len());
    for unresolved in &failed {
        message.push_str("\n  ");
        message.push_str(&output::clean(&unresolved.error.to_string()));
    }
    match failed.first() {
        Some(first) => Failure::usage(message).with_hint(resolve_hint(&first.error)),
        None => Failure::usage(message),
    }
}

/// The client and the account of the global options.
pub fn connect(global: &GlobalArgs) -> Result<(Client, AccountId), Failure> {
    let account = account(global)?;
    Ok((client(global)?, account))
}

/// The account of `--account-id` (or `CLOUDFLARE_ACCOUNT_ID`), checked.
pub fn account(global: &GlobalArgs) -> Result<AccountId, Failure> {
    let text = global
        .account_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Failure::usage("no account given")
                .with_hint("pass --account-id ID or set CLOUDFLARE_ACCOUNT_ID")
        })?;
    AccountId::new(text).map_err(|e| {
        Failure::usage(e.to_string()).with_hint(
            "--account-id (or CLOUDFLARE_ACCOUNT_ID) takes the 32-character account id \
             shown in the dashboard URL",
        )
    })
}

/// The client: credentials from the environment only, the global options,
/// and the `--verbose` hook.
fn client(global: &GlobalArgs) -> Result<Client, Failure> {
    client_with(global, None)
}

/// [`client`] with the client-side rate limiter on when `rate_limit` is
/// given.
pub fn client_with(
    global: &GlobalArgs,
    rate_limit: Option<RateLimitConfig>,
) -> Result<Client, Failure> {
    let credentials = Credentials::from_env().map_err(|e| {
        Failure::usage(e.to_string()).with_hint(
            "credentials are read from the environment only, never from flags, so they \
             stay out of shell history",
        )
    })?;
    crate::report::note_scheme(credentials.scheme_name());
    let mut builder = Client::builder()
        .credentials(credentials)
        .timeout(Duration::from_secs(global.timeout))
        .max_retries(global.max_retries)
        .user_agent_suffix(concat!("cf-members/", env!("CARGO_PKG_VERSION")));
    if let Some(base_url) = global.base_url.as_deref().map(str::trim) {
        if !base_url.is_empty() {
            builder = builder.base_url(base_url);
        }
    }
    if let Some(config) = rate_limit {
        builder = builder.rate_limit(config);
    }
    if global.verbose {
        builder = builder.on_attempt(print_attempt);
    }
    builder.build().map_err(|e| Failure::from_client(&e, false))
}

/// One `--verbose` line: attempt, method, path, status, cf-ray, time, and
/// the retry to come. `AttemptInfo` holds no secret.
fn print_attempt(info: &AttemptInfo) {
    let outcome = match (info.status, info.error) {
        (Some(status), _) => status.to_string(),
        (None, Some(kind)) => kind.as_str().to_owned(),
        (None, None) => "no answer".to_owned(),
    };
    let mut line = format!(
        "cf-members: attempt {}: {} {} -> {}",
        info.attempt, info.method, info.path, outcome
    );
    if let Some(ray) = &info.cf_ray {
        line.push_str(&format!(" cf-ray={ray}"));
    }
    line.push_str(&format!(" {:.1} ms", info.elapsed.as_secs_f64() * 1000.0));
    if let Some(wait) = info.retry_in {
        line.push_str(&format!("; retrying in {} s", seconds(wait)));
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Sends a call and returns its `result` exactly as received.
pub async fn send<T: serde::de::DeserializeOwned + 'static>(
    call: Call<T>,
    changes: bool,
) -> Result<Value, Failure> {
    call.send_raw()
        .await
        .map(ApiResponse::into_result)
        .map_err(|e: Error| Failure::from_client(&e, changes))
}

/// Prints a list in the format of `-o`: the one page `--page` names, or
/// every page, each written as it arrives (a table once all are in).
pub async fn show_list<T, P>(
    list: List<T, P>,
    single_page: bool,
    view: &'static ListView,
    global: &GlobalArgs,
) -> Outcome
where
    T: Listed,
    P: ListParams,
{
    let pages: PageStream<Value> = if single_page {
        futures::stream::once(list.page_raw()).boxed()
    } else {
        list.pages_raw()
    };
    let pages = pages.map(|page| {
        page.map(|p| (p.items, p.result_info.and_then(|i| i.total_count)))
            .map_err(|e| Failure::from_client(&e, false))
    });
    show_pages(pages, view, global).await
}

/// Prints a list from its pages (each its items and, when the server says,
/// the total), with progress on stderr when it is a terminal. A failure
/// after the first page ends the output well-formed (the JSON array
/// closed) and is returned: exit 1, the error on stderr.
pub async fn show_pages<S>(mut pages: S, view: &'static ListView, global: &GlobalArgs) -> Outcome
where
    S: Stream<Item = Result<(Vec<Value>, Option<u64>), Failure>> + Unpin,
{
    let table = global.output == OutputFormat::Table;
    let stdout = std::io::stdout();
    // Streamed onto a terminal, the output itself shows the progress; a
    // progress line would only break its lines.
    let progress_shown = !global.verbose && (table || !stdout.is_terminal());
    let mut progress = Progress::new(view.what, progress_shown);
    let mut writer = ListWriter::new(global.output, std::io::BufWriter::new(stdout.lock()), view);
    let mut fetched = 0;
    while let Some(page) = pages.next().await {
        let written = page.and_then(|(items, total)| {
            fetched += items.len();
            progress.update(fetched, total);
            writer.items(items)
        });
        if let Err(failure) = written {
            progress.finish();
            writer.abort();
            return Err(failure);
        }
        if writer.closed() {
            return Ok(());
        }
    }
    progress.finish();
    writer.finish()
}

/// Prints one result: the JSON as received, or the human form.
pub fn print_one(
    global: &GlobalArgs,
    value: &Value,
    human: impl FnOnce(&Value) -> Result<String, Failure>,
) -> Outcome {
    match global.output {
        OutputFormat::Json | OutputFormat::Jsonl => write_json(value),
        OutputFormat::Table => write_text(&human(value)?),
        OutputFormat::Csv => Err(crate::accounts::csv_unsupported()),
    }
}

/// Prints what each name resolved to and what a call would send, and
/// sends nothing.
pub fn dry_run<T>(global: &GlobalArgs, call: &Call<T>, resolved: &[Resolution]) -> Outcome {
    let request = call
        .prepare()
        .map_err(|e| Failure::from_client(&e, false))?;
    note!("cf-members: dry run: nothing was sent");
    match global.output {
        OutputFormat::Json | OutputFormat::Jsonl => {
            write_json(&output::dry_run_json(&request, resolved))
        }
        OutputFormat::Table => write_text(&output::dry_run_text(&request, resolved)),
        OutputFormat::Csv => Err(crate::accounts::csv_unsupported()),
    }
}

/// Writes one JSON document on stdout.
pub fn write_json(value: &Value) -> Outcome {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    finish_write(output::json(&mut out, value).and_then(|()| out.flush()))
}

/// Writes text on stdout.
pub fn write_text(text: &str) -> Outcome {
    let mut out = std::io::stdout().lock();
    finish_write(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// A closed pipe (`cf-members … | head`) is not a failure: the reader has
/// what it wanted.
fn finish_write(result: std::io::Result<()>) -> Outcome {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::other(format!("cannot write the output: {e}"))),
    }
}
