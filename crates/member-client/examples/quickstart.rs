//! Quick start: starts an embedded member-mock (a local stand-in for the
//! Cloudflare API), then lists members, finds a role by name, updates a
//! member's roles, reads the member back and prints it.
//!
//! No credentials or network needed:
//!
//! ```sh
//! cargo run -p member-client --example quickstart
//! ```

use futures::TryStreamExt;
use member_client::{Client, Credentials, ListMembersParams, Member};
use member_mock::MockServer;

fn describe(member: &Member) -> String {
    let roles: Vec<&str> = member.roles.iter().map(|r| r.name.as_str()).collect();
    format!(
        "{:<32}  {:<28} {:<9} {}",
        member.id.as_ref().map_or("-", |id| id.as_str()),
        member.email().unwrap_or("-"),
        member.status.as_ref().map_or("-", |s| s.as_str()),
        if roles.is_empty() {
            "(policies)".to_owned()
        } else {
            roles.join(", ")
        }
    )
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // 1. A local Cloudflare members API on 127.0.0.1, seeded with an account.
    let mock = MockServer::start().await;
    let client = Client::builder()
        .base_url(&mock.base_url())
        .credentials(Credentials::token(mock.token()))
        .build()?;
    let account = mock.account_id().clone();
    println!("member-mock serving {}\n", mock.base_url());

    // 2. List every member (pages are fetched as the stream is read).
    let members = client.members(&account);
    let everyone: Vec<Member> = members.list(ListMembersParams::new()).try_collect().await?;
    println!("{} members of account {account}:", everyone.len());
    for member in &everyone {
        println!("  {}", describe(member));
    }

    // 3. Find a role by name.
    let read_only = client
        .roles(&account)
        .find_by_name("Administrator Read Only")
        .await?
        .ok_or("the role 'Administrator Read Only' does not exist")?;
    println!("\nrole {:?} has id {}", read_only.name, read_only.id);

    // 4. Update a member's roles (Update Member: PUT with role objects).
    let bob = members
        .find_by_email("bob.dns@example.com")
        .await?
        .ok_or("bob.dns@example.com is not a member")?;
    let bob_id = bob.id.clone().ok_or("the member has no id")?;
    println!("\nbefore: {}", describe(&bob));
    let updated = members.set_roles(&bob_id, [read_only.id.clone()]).await?;
    println!("after:  {}", describe(&updated));

    // 5. Read the member back and print it as the API returns it.
    let back = members.get(&bob_id).await?;
    assert_eq!(back.role_ids(), updated.role_ids());
    println!("\n{}", serde_json::to_string_pretty(&back)?);
    Ok(())
}
