//! `cargo xtask`: regenerates the committed generated files and checks that
//! they are fresh.
//!
//! - `cargo xtask schema`: writes `schemas/*.json` from member-types.
//! - `cargo xtask fixtures`: writes `fixtures/requests/*.json` and refreshes
//!   the insta snapshots of member-types.
//! - `cargo xtask man`: writes `man/*.1`, the man pages of `cf-members` and
//!   of each of its subcommands, from member-cli's clap definition.
//! - `cargo xtask check`: regenerates in memory and fails, naming each stale
//!   file and the command that fixes it.
//! - `cargo xtask release-check`: everything a release needs (snapshot
//!   suites, `check`, docs without warnings, `cargo package`, a CHANGELOG
//!   entry for every schema change) and a short report of what would be
//!   released.
//! - `cargo xtask bench [ARGS]`: runs the Update Member benchmark
//!   (`cargo bench -p member-client --bench update_member`, release build,
//!   loopback only); extra arguments go to `cargo bench`, e.g.
//!   `cargo xtask bench --features fast-json`. See BENCHMARKS.md.
//! - `cargo xtask bench-whois [ARGS]`: the many-accounts benchmark
//!   (`cargo bench -p member-cli --bench whois`: `cf-members whois` across
//!   200 accounts of 100 members against member-mock's limiter).
//! - `cargo xtask bench-apply [ARGS]`: bulk apply at the limit, fixed and
//!   sliding windows (`cargo bench -p member-client --bench apply`).

mod fixtures;
mod man;
mod release;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// One file the tasks generate: where it goes, what it holds, and which
/// command writes it.
struct Generated {
    path: PathBuf,
    contents: String,
    command: &'static str,
}

/// The workspace root: the nearest folder at or above the current one whose
/// `Cargo.toml` declares `[workspace]` (found at run time, so a checkout that
/// moved since xtask was built is still the one checked), else the folder
/// xtask was built in.
fn workspace_root() -> PathBuf {
    let declares_workspace = |dir: &Path| {
        fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]"))
    };
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            cwd.ancestors()
                .find(|d| declares_workspace(d))
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        })
}

fn render(value: &serde_json::Value) -> String {
    member_types::schema::render(value)
}

fn schema_files(root: &Path) -> Vec<Generated> {
    member_types::schema::all()
        .into_iter()
        .map(|(file, schema)| Generated {
            path: root.join("schemas").join(file),
            contents: render(&schema),
            command: "cargo xtask schema",
        })
        .collect()
}

fn fixture_files(root: &Path) -> Result<Vec<Generated>, String> {
    let fixtures =
        fixtures::request_fixtures().map_err(|e| format!("a fixture constructor failed: {e}"))?;
    Ok(fixtures
        .into_iter()
        .map(|(file, value)| Generated {
            path: root.join("fixtures").join("requests").join(file),
            contents: render(&value),
            command: "cargo xtask fixtures",
        })
        .collect())
}

fn man_files(root: &Path) -> Result<Vec<Generated>, String> {
    Ok(man::pages()?
        .into_iter()
        .map(|(file, contents)| Generated {
            path: root.join("man").join(file),
            contents,
            command: "cargo xtask man",
        })
        .collect())
}

/// The extension of the files a generator owns in its folder.
fn extension_of(command: &str) -> &'static str {
    if command == "cargo xtask man" {
        "1"
    } else {
        "json"
    }
}

/// Files in `dir` with the extension `command` writes that no generator
/// produces.
fn strays(
    dir: &Path,
    expected: &[Generated],
    command: &'static str,
) -> Vec<(PathBuf, &'static str)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let extension = extension_of(command);
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .filter(|p| !expected.iter().any(|g| &g.path == p))
        .map(|p| (p, command))
        .collect()
}

fn write_all(files: &[Generated], dir: &Path, command: &'static str) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (stray, _) in strays(dir, files, command) {
        fs::remove_file(&stray).map_err(|e| format!("cannot remove {}: {e}", stray.display()))?;
        println!("removed {}", stray.display());
    }
    for file in files {
        let current = fs::read_to_string(&file.path).unwrap_or_default();
        if current != file.contents {
            fs::write(&file.path, &file.contents)
                .map_err(|e| format!("cannot write {}: {e}", file.path.display()))?;
            println!("wrote {}", file.path.display());
        }
    }
    Ok(())
}

/// Every problem with the committed generated files, as messages.
fn check(root: &Path) -> Result<Vec<String>, String> {
    let schemas = schema_files(root);
    let fixtures = fixture_files(root)?;
    let man = man_files(root)?;
    let mut problems = Vec::new();
    for file in schemas.iter().chain(&fixtures).chain(&man) {
        match fs::read_to_string(&file.path) {
            Ok(current) if current == file.contents => {}
            Ok(_) => problems.push(format!(
                "{} is stale: run `{}` and commit the result",
                rel(root, &file.path),
                file.command
            )),
            Err(_) => problems.push(format!(
                "{} is missing: run `{}` and commit the result",
                rel(root, &file.path),
                file.command
            )),
        }
    }
    let mut extra = strays(&root.join("schemas"), &schemas, "cargo xtask schema");
    extra.extend(strays(
        &root.join("fixtures").join("requests"),
        &fixtures,
        "cargo xtask fixtures",
    ));
    extra.extend(strays(&root.join("man"), &man, "cargo xtask man"));
    for (path, command) in extra {
        problems.push(format!(
            "{} is not generated by any task: run `{command}` (it removes it) or delete it",
            rel(root, &path)
        ));
    }
    Ok(problems)
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn refresh_snapshots(root: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "test",
            "--quiet",
            "-p",
            "member-types",
            "--test",
            "fixtures",
        ])
        .env("INSTA_UPDATE", "always")
        .env("INSTA_FORCE_PASS", "1")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("the snapshot tests failed while refreshing snapshots".to_owned())
    }
}

/// `cargo bench -p <package> --bench <name>`, with `extra` arguments for
/// cargo (such as `--features fast-json`).
fn bench(root: &Path, package: &str, name: &str, extra: &[String]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["bench", "-p", package, "--bench", name])
        .args(extra)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("the benchmark failed".to_owned())
    }
}

fn run(task: &str, extra: &[String]) -> Result<(), String> {
    let root = workspace_root();
    match task {
        "bench" => bench(&root, "member-client", "update_member", extra),
        "bench-whois" => bench(&root, "member-cli", "whois", extra),
        "bench-apply" => bench(&root, "member-client", "apply", extra),
        "schema" => write_all(
            &schema_files(&root),
            &root.join("schemas"),
            "cargo xtask schema",
        ),
        "fixtures" => {
            write_all(
                &fixture_files(&root)?,
                &root.join("fixtures").join("requests"),
                "cargo xtask fixtures",
            )?;
            refresh_snapshots(&root)
        }
        "man" => write_all(&man_files(&root)?, &root.join("man"), "cargo xtask man"),
        "check" => {
            let problems = check(&root)?;
            if problems.is_empty() {
                println!("generated files are fresh");
                Ok(())
            } else {
                Err(problems.join("\n"))
            }
        }
        "release-check" => release::release_check(&root, || {
            let problems = check(&root)?;
            if problems.is_empty() {
                Ok(())
            } else {
                Err(problems.join("\n"))
            }
        }),
        other => Err(format!(
            "unknown task {other:?}\nusage: cargo xtask <schema|fixtures|man|check|release-check|bench|bench-whois|bench-apply [cargo bench args]>"
        )),
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    let extra: Vec<String> = args.collect();
    match run(&task, &extra) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same check `cargo xtask check` runs, so `cargo test` also fails
    /// on stale generated files.
    #[test]
    fn generated_files_are_fresh() {
        let problems = check(&workspace_root()).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn check_names_a_stale_file_and_the_command() {
        let dir = std::env::temp_dir().join(format!("xtask-check-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("schemas")).unwrap();
        fs::create_dir_all(dir.join("fixtures/requests")).unwrap();
        fs::create_dir_all(dir.join("man")).unwrap();
        for file in schema_files(&dir)
            .iter()
            .chain(&fixture_files(&dir).unwrap())
            .chain(&man_files(&dir).unwrap())
        {
            fs::write(&file.path, &file.contents).unwrap();
        }
        assert!(check(&dir).unwrap().is_empty());
        let member = dir.join("schemas/member.json");
        let edited = fs::read_to_string(&member)
            .unwrap()
            .replace("Membership identifier tag.", "Changed doc comment.");
        fs::write(&member, edited).unwrap();
        fs::write(dir.join("schemas/leftover.json"), "{}").unwrap();
        fs::remove_file(dir.join("man/cf-members-members-list.1")).unwrap();
        fs::write(dir.join("man/cf-members-gone.1"), "").unwrap();
        let problems = check(&dir).unwrap();
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].contains("schemas/member.json is stale: run `cargo xtask schema`"));
        assert!(
            problems[1].contains("man/cf-members-members-list.1 is missing: run `cargo xtask man`")
        );
        assert!(problems[2].contains("schemas/leftover.json"));
        assert!(problems[3].contains("man/cf-members-gone.1") && problems[3].contains("xtask man"));
    }
}
