//! `cargo xtask release-check`: what must hold before a release is cut, and a
//! report of what would be released.

use std::path::Path;
use std::process::Command;

/// The crates that are published, in dependency order.
pub(crate) const PUBLISHED: [&str; 4] = [
    "member-types",
    "member-http",
    "member-mock",
    "member-client",
];

/// Manifest keys a registry needs for every published crate.
const REQUIRED_METADATA: [&str; 6] = [
    "description",
    "license",
    "repository",
    "readme",
    "keywords",
    "categories",
];

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

fn run(step: &str, command: &mut Command) -> Result<(), String> {
    println!("\n== {step}");
    let status = command
        .status()
        .map_err(|e| format!("{step}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{step} failed ({status})"))
    }
}

fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    output(Command::new("git").current_dir(root).args(args))
}

/// The newest tag, or `None` before the first release.
fn last_tag(root: &Path) -> Option<String> {
    git(root, &["describe", "--tags", "--abbrev=0"]).filter(|t| !t.is_empty())
}

/// The text of the `## [Unreleased]` section of CHANGELOG.md.
pub(crate) fn unreleased_section(changelog: &str) -> Option<&str> {
    let start = changelog.find("## [Unreleased]")?;
    let rest = &changelog[start + "## [Unreleased]".len()..];
    let end = rest.find("\n## [").unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Schema files changed since `base` (or all of them before the first tag)
/// that the Unreleased section does not name.
pub(crate) fn unmentioned_schema_changes(changed: &[String], unreleased: &str) -> Vec<String> {
    changed
        .iter()
        .filter(|file| {
            let name = Path::new(file.as_str())
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            !unreleased.contains(&name)
        })
        .cloned()
        .collect()
}

fn changed_since(root: &Path, base: Option<&str>, dir: &str) -> Vec<String> {
    let listing = match base {
        Some(tag) => git(root, &["diff", "--name-only", tag, "HEAD", "--", dir]),
        None => git(root, &["ls-files", "--", dir]),
    };
    let mut files: Vec<String> = listing
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    // Uncommitted edits count too: the check runs before the commit as well.
    if let Some(dirty) = git(root, &["diff", "--name-only", "HEAD", "--", dir]) {
        for file in dirty.lines().filter(|l| !l.is_empty()) {
            if !files.iter().any(|f| f == file) {
                files.push(file.to_owned());
            }
        }
    }
    files
}

fn check_changelog(root: &Path, tag: Option<&str>) -> Result<(), String> {
    println!("\n== CHANGELOG.md names every schema change");
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md"))
        .map_err(|e| format!("CHANGELOG.md: {e} (keep one, in Keep a Changelog format)"))?;
    let unreleased =
        unreleased_section(&changelog).ok_or("CHANGELOG.md has no `## [Unreleased]` section")?;
    let changed = changed_since(root, tag, "schemas");
    let missing = unmentioned_schema_changes(&changed, unreleased);
    if missing.is_empty() {
        println!(
            "{} schema file(s) changed since {}; each is named in [Unreleased]",
            changed.len(),
            tag.unwrap_or("the first commit")
        );
        Ok(())
    } else {
        Err(format!(
            "these schema files changed since {} but CHANGELOG.md's [Unreleased] section does not name them:\n  {}\nadd a line saying what changed and whether it breaks readers",
            tag.unwrap_or("the first commit"),
            missing.join("\n  ")
        ))
    }
}

fn check_metadata(root: &Path) -> Result<(), String> {
    println!("\n== registry metadata of the published crates");
    let mut problems = Vec::new();
    for krate in PUBLISHED {
        let manifest = root.join("crates").join(krate).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)
            .map_err(|e| format!("{}: {e}", manifest.display()))?;
        for key in REQUIRED_METADATA {
            let present = text.lines().any(|line| {
                let line = line.trim_start();
                line.starts_with(&format!("{key} "))
                    || line.starts_with(&format!("{key}="))
                    || line.starts_with(&format!("{key}.workspace"))
            });
            if !present {
                problems.push(format!("crates/{krate}/Cargo.toml has no `{key}`"));
            }
        }
        if !root.join("crates").join(krate).join("README.md").exists() {
            problems.push(format!("crates/{krate}/README.md is missing"));
        }
    }
    if problems.is_empty() {
        println!("description, license, repository, readme, keywords and categories are set");
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn report(root: &Path, tag: Option<&str>) {
    println!("\n== what would be released");
    let version = std::fs::read_to_string(root.join("Cargo.toml"))
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.trim_start().starts_with("version = "))
                .map(|l| {
                    l.trim()
                        .trim_start_matches("version = ")
                        .trim_matches('"')
                        .to_owned()
                })
        })
        .unwrap_or_else(|| "?".to_owned());
    for krate in PUBLISHED {
        println!("  {krate} {version}");
    }
    let base = tag.unwrap_or("the first commit");
    let range = tag.map(|t| format!("{t}..HEAD"));
    let log = match &range {
        Some(range) => git(root, &["log", "--oneline", range]),
        None => git(root, &["log", "--oneline"]),
    }
    .unwrap_or_default();
    println!("\n  commits since {base}: {}", log.lines().count());
    for line in log.lines().take(15) {
        println!("    {line}");
    }
    for (what, dir) in [
        ("schemas", "schemas"),
        ("wire and public API snapshots", "tests/tests/snapshots"),
        ("model snapshots", "crates/member-types/tests/snapshots"),
    ] {
        let changed = changed_since(root, tag, dir);
        println!("\n  {what} changed since {base}: {}", changed.len());
        for file in changed.iter().take(20) {
            println!("    {file}");
        }
    }
    if git(root, &["status", "--porcelain"]).is_some_and(|s| !s.is_empty()) {
        println!("\n  note: the work tree has uncommitted changes; release from a clean checkout");
    }
}

/// Removes our crates' sources that earlier `cargo package` runs unpacked
/// from their temporary local registries (the registry folders whose name
/// starts with `-`). Cargo keys them by name and version only, so after a
/// change without a version bump the verify step would build the stale copy.
fn forget_unpacked_packages() {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry").join("src")) else {
        return;
    };
    let Ok(registries) = std::fs::read_dir(&src) else {
        return;
    };
    for registry in registries.filter_map(Result::ok) {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        let Ok(crates) = std::fs::read_dir(registry.path()) else {
            continue;
        };
        for unpacked in crates.filter_map(Result::ok) {
            let name = unpacked.file_name().to_string_lossy().into_owned();
            if PUBLISHED
                .iter()
                .any(|krate| name.starts_with(&format!("{krate}-")))
            {
                let _ = std::fs::remove_dir_all(unpacked.path());
            }
        }
    }
}

/// Runs every release gate, then prints the report.
pub(crate) fn release_check(
    root: &Path,
    check_generated: impl Fn() -> Result<(), String>,
) -> Result<(), String> {
    let tag = last_tag(root);
    run(
        "snapshot suites: models and fixtures",
        cargo()
            .current_dir(root)
            .args([
                "test",
                "--quiet",
                "-p",
                "member-types",
                "--test",
                "fixtures",
            ])
            .env("INSTA_UPDATE", "no"),
    )?;
    run(
        "snapshot suites: wire format and public API",
        cargo()
            .current_dir(root)
            .args([
                "test",
                "--quiet",
                "-p",
                "member-tests",
                "--test",
                "wire",
                "--test",
                "public_api",
            ])
            .env("INSTA_UPDATE", "no"),
    )?;
    println!("\n== generated files are fresh (cargo xtask check)");
    check_generated()?;
    println!("generated files are fresh");
    run(
        "docs build without warnings (missing docs, broken intra-doc links)",
        cargo()
            .current_dir(root)
            .args(["doc", "--workspace", "--no-deps", "--quiet"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    check_metadata(root)?;
    // Cargo takes registry crates to be immutable: it keys their unpacked
    // sources and build artifacts by name and version. The verify step
    // builds our crates as registry crates, so after a change without a
    // version bump it would reuse stale copies; forget both first. The
    // verify build gets its own target folder so this never touches the
    // normal build.
    forget_unpacked_packages();
    let package_target = root.join("target").join("package-verify");
    let mut clean = cargo();
    clean
        .current_dir(root)
        .args(["clean", "--quiet", "--target-dir"])
        .arg(&package_target);
    for krate in PUBLISHED {
        clean.args(["-p", krate]);
    }
    run("forget earlier package builds of our crates", &mut clean)?;
    let mut package = cargo();
    package
        .current_dir(root)
        .args([
            "package",
            "--workspace",
            "--allow-dirty",
            "--quiet",
            "--target-dir",
        ])
        .arg(&package_target)
        .args(["--exclude", "member-tests", "--exclude", "xtask"]);
    run(
        "cargo package (dry run: every crate packages and builds alone)",
        &mut package,
    )?;
    check_changelog(root, tag.as_deref())?;
    report(root, tag.as_deref());
    println!("\nrelease check passed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreleased_section_stops_at_the_next_release() {
        let text = "# Changelog\n\n## [Unreleased]\n- member.json: new field\n\n## [0.1.0] - 2026-01-01\n- role.json\n";
        let section = unreleased_section(text).unwrap();
        assert!(section.contains("member.json"));
        assert!(!section.contains("role.json"));
    }

    #[test]
    fn a_schema_change_without_a_changelog_line_is_reported() {
        let changed = vec![
            "schemas/member.json".to_owned(),
            "schemas/role.json".to_owned(),
        ];
        let missing =
            unmentioned_schema_changes(&changed, "\n### Changed\n- `member.json`: added `x`\n");
        assert_eq!(missing, vec!["schemas/role.json".to_owned()]);
        assert!(unmentioned_schema_changes(&changed, "member.json role.json").is_empty());
    }
}
