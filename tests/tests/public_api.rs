//! Public API snapshots of every library crate.
//!
//! The public surface is listed by the `public-api` crate from rustdoc's JSON
//! output, built with the machine's stable toolchain. Rustdoc's JSON output
//! is unstable, so `RUSTC_BOOTSTRAP=1` is set for that one child build and
//! nowhere else; it builds into `target/public-api` so it never disturbs the
//! normal build. A change to a public item fails here with a readable diff
//! until the snapshot is reviewed (`cargo insta review`) and committed.
//! Blanket and auto-trait impls are left out, so a diff shows our items.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const CRATES: [&str; 4] = [
    "member-types",
    "member-http",
    "member-client",
    "member-mock",
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds rustdoc JSON for every library crate once per test run.
fn rustdoc_json_dir() -> &'static Result<PathBuf, String> {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = workspace_root();
        let target = root.join("target").join("public-api");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut command = Command::new(cargo);
        command
            .current_dir(&root)
            .args(["doc", "--no-deps", "--lib", "--quiet", "--target-dir"])
            .arg(&target);
        for krate in CRATES {
            command.args(["-p", krate]);
        }
        let output = command
            .env("RUSTC_BOOTSTRAP", "1")
            .env("RUSTDOCFLAGS", "-Z unstable-options --output-format json")
            .env_remove("RUSTFLAGS")
            .output()
            .map_err(|e| format!("cannot run cargo doc: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "cargo doc (rustdoc JSON) failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(target.join("doc"))
    })
}

fn public_api_of(krate: &str) -> String {
    let dir = rustdoc_json_dir()
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"));
    let json = dir.join(format!("{}.json", krate.replace('-', "_")));
    // Blanket impls (`impl<T> From<T> for T`, `Borrow`, …) and auto traits
    // (`Send`, `Sync`, `Unpin`, …) would make up most of every diff while
    // saying nothing about our API; derived and written impls stay.
    let api = public_api::Builder::from_rustdoc_json(&json)
        .omit_blanket_impls(true)
        .omit_auto_trait_impls(true)
        .build()
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", json.display()));
    api.items().map(|item| format!("{item}\n")).collect()
}

#[test]
fn member_types_public_api() {
    insta::assert_snapshot!(public_api_of("member-types"));
}

#[test]
fn member_http_public_api() {
    insta::assert_snapshot!(public_api_of("member-http"));
}

#[test]
fn member_client_public_api() {
    insta::assert_snapshot!(public_api_of("member-client"));
}

#[test]
fn member_mock_public_api() {
    insta::assert_snapshot!(public_api_of("member-mock"));
}
