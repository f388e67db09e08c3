//! Update Member against whatever `CLOUDFLARE_*` says: the seeds' operation.
//!
//! ```sh
//! export CLOUDFLARE_API_TOKEN=...            # or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY
//! export CLOUDFLARE_ACCOUNT_ID=023e105f4ecef8ad9ca31a8372d0c353
//! cargo run -p member-client --example update_member -- MEMBER_ID ROLE_ID [ROLE_ID ...]
//! ```
//!
//! Point `CLOUDFLARE_BASE_URL` at a `member-mock` to try it locally.

use member_client::{Client, MemberId, RoleId};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: update_member MEMBER_ID ROLE_ID [ROLE_ID ...]";
    let member: MemberId = args.next().ok_or(usage)?.parse()?;
    let roles: Vec<RoleId> = args.map(|r| r.parse()).collect::<Result<_, _>>()?;
    if roles.is_empty() {
        return Err(usage.into());
    }

    let client = Client::from_env()?;
    let updated = client.default_members()?.set_roles(&member, roles).await?;
    println!("{}", updated.id.as_ref().map_or("-", |id| id.as_str()));
    println!("{}", serde_json::to_string_pretty(&updated)?);
    Ok(())
}
