//! Policies as a person writes them: a policies file (`--policies FILE`,
//! or `-` for stdin) and the `--allow`/`--deny` flags. Names stay names
//! here; the library's resolver turns them into ids.

use std::io::Read;
use std::path::Path;

use member_client::reexports::member_types::json::shorten;
use member_client::{Access, Named, NamedPolicy};

use crate::report::Failure;

/// Reads the JSON array of policies (each group a name or the API's
/// `{"id": …}`) from `path` (`-` is stdin), refusing anything the API would
/// refuse with a message that names the file, the place in it and the rule.
pub fn read(path: &Path) -> Result<Vec<NamedPolicy>, Failure> {
    let (name, policies) = read_any(path)?;
    non_empty(&name, policies)
}

/// [`read`], an empty array allowed (a user group's policies may be
/// cleared).
pub fn read_allowing_none(path: &Path) -> Result<Vec<NamedPolicy>, Failure> {
    read_any(path).map(|(_, policies)| policies)
}

fn read_any(path: &Path) -> Result<(String, Vec<NamedPolicy>), Failure> {
    let (name, text) = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("cannot read policies from stdin: {e}")))?;
        ("stdin".to_owned(), text)
    } else {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read policies file {name}: {e}")))?;
        (name, text)
    };
    let policies = parse_any(&name, &text)?;
    Ok((name, policies))
}

/// Parses the text of a policies file called `name` in messages: at least
/// one policy.
#[cfg(test)]
fn parse(name: &str, text: &str) -> Result<Vec<NamedPolicy>, Failure> {
    non_empty(name, parse_any(name, text)?)
}

fn non_empty(name: &str, policies: Vec<NamedPolicy>) -> Result<Vec<NamedPolicy>, Failure> {
    if policies.is_empty() {
        return Err(
            Failure::usage(format!("policies {name} holds no policy")).with_hint(
                "give at least one policy (to take all access away from a member, remove the \
             member; `groups update GROUP --policies FILE` takes [] to clear a group's)",
            ),
        );
    }
    Ok(policies)
}

/// [`parse`], an empty array allowed.
fn parse_any(name: &str, text: &str) -> Result<Vec<NamedPolicy>, Failure> {
    let hint = "the file must hold a JSON array of policies, each \
                {\"access\": \"allow\"|\"deny\", \"permission_groups\": [\"DNS Write\" or {\"id\": …}], \
                \"resource_groups\": [\"zone:example.com\" or {\"id\": …}]}";
    if text.trim().is_empty() {
        return Err(Failure::usage(format!("policies {name} is empty")).with_hint(hint));
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let policies: Vec<NamedPolicy> =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            let place = e.path().to_string();
            let inner = e.into_inner();
            let at = if place == "." || place.is_empty() {
                String::new()
            } else {
                format!(" at `{place}`")
            };
            let hint = if looks_like_a_body(text) {
                "give the array itself, not an object such as {\"policies\": […]}"
            } else {
                hint
            };
            Failure::usage(format!("malformed policies {name}{at}: {inner}")).with_hint(hint)
        })?;
    deserializer.end().map_err(|e| {
        Failure::usage(format!("malformed policies {name}: {e} (after the array)")).with_hint(hint)
    })?;
    Ok(policies)
}

/// One `--allow`/`--deny` value: `PERMISSION_GROUPS@SCOPES`, both lists
/// comma separated, every item a name (or id) for the resolver.
pub fn from_flag(access: Access, text: &str) -> Result<NamedPolicy, Failure> {
    let flag = format!("--{}", access.as_str());
    let hint = format!(
        "{flag} takes PERMISSION_GROUPS@SCOPES, e.g. {flag} \"DNS Write,Zone Read@zone:example.com\": \
         permission groups by name, label or id; scopes `account`, `zone:<domain>`, \
         `group:<name>` or a resource group id"
    );
    let refuse = |what: String| {
        Failure::usage(format!("{flag} {:?}: {what}", shorten(text))).with_hint(&hint)
    };
    let (groups, scopes) = text
        .split_once('@')
        .ok_or_else(|| refuse("no `@` between the permission groups and the scopes".into()))?;
    let groups = names(groups);
    let scopes = names(scopes);
    if groups.is_empty() {
        return Err(refuse("no permission group before `@`".into()));
    }
    if scopes.is_empty() {
        return Err(refuse("no scope after `@`".into()));
    }
    NamedPolicy::new(access, groups, scopes).map_err(|e| refuse(e.to_string()))
}

/// The comma-separated items of `part`, each a name to resolve.
fn names<T>(part: &str) -> Vec<Named<T>> {
    part.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| Named::Name(item.to_owned()))
        .collect()
}

fn looks_like_a_body(text: &str) -> bool {
    matches!(
        serde_json::from_str::<serde_json::Value>(text),
        Ok(serde_json::Value::Object(map)) if map.contains_key("policies")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"[{"access": "allow",
        "permission_groups": [{"id": "c8fed203ed3043cba015a93ad1616f1f"}],
        "resource_groups": [{"id": "6d7f2f5f5b1d4a0e9081fdc98d432fd1"}]}]"#;

    fn message(text: &str) -> String {
        let failure = parse("file p.json", text).unwrap_err();
        assert_eq!(failure.exit_code(), 2);
        failure.to_string()
    }

    #[test]
    fn reads_the_array_the_api_takes() {
        let policies = parse("file p.json", GOOD).unwrap();
        assert_eq!(policies.len(), 1);
        assert_eq!(
            serde_json::to_value(&policies).unwrap(),
            serde_json::from_str::<serde_json::Value>(GOOD).unwrap()
        );
    }

    #[test]
    fn names_the_problem_and_its_place() {
        let text = message(&GOOD.replace("allow", "maybe"));
        assert!(
            text.contains("[0]") && text.contains("allow deny"),
            "{text}"
        );
        let text = message(&GOOD.replace("\"permission_groups\"", "\"permission_group\""));
        assert!(text.contains("unknown field `permission_group`"), "{text}");
        let text = message(&GOOD.replace("c8fed203ed3043cba015a93ad1616f1f", "../x"));
        assert!(
            text.contains("[0].permission_groups[0].id") && text.contains("permission_group_id"),
            "{text}"
        );
        let text = message(
            r#"[{"access": "allow", "permission_groups": [], "resource_groups": [{"id": "a"}]}]"#,
        );
        assert!(
            text.contains("permission_groups must not be empty"),
            "{text}"
        );
        let text = message("[1, 2");
        assert!(text.contains("line 1"), "{text}");
        let text = message(&format!("{GOOD} trailing"));
        assert!(text.contains("after the array"), "{text}");
        assert!(message("[]").contains("holds no policy"));
        assert!(message("  ").contains("is empty"));
    }

    #[test]
    fn names_beside_ids() {
        let text = r#"[{"access": "allow", "permission_groups": ["DNS Write", {"id": "c8fed203ed3043cba015a93ad1616f1f"}],
                        "resource_groups": ["zone:example.com", {"id": "6d7f2f5f5b1d4a0e9081fdc98d432fd1"}]}]"#;
        let policies = parse("file p.json", text).unwrap();
        assert_eq!(
            policies[0].permission_groups[0],
            Named::Name("DNS Write".into())
        );
        assert!(matches!(policies[0].permission_groups[1], Named::Given(_)));
        assert!(!policies[0].is_exact());
        assert!(parse("file p.json", GOOD).unwrap()[0].is_exact());
    }

    #[test]
    fn flags_are_groups_at_scopes() {
        let policy = from_flag(
            Access::Allow,
            "DNS Write, Analytics Read@zone:example.com,account",
        )
        .unwrap();
        assert_eq!(
            policy.permission_groups,
            [
                Named::Name("DNS Write".into()),
                Named::Name("Analytics Read".into())
            ]
        );
        assert_eq!(
            policy.resource_groups,
            [
                Named::Name("zone:example.com".into()),
                Named::Name("account".into())
            ]
        );
        assert_eq!(policy.access, Access::Allow);
        for (bad, says) in [
            ("DNS Write", "no `@`"),
            ("@account", "no permission group"),
            ("DNS Write@", "no scope"),
            (" , @ , ", "no permission group"),
        ] {
            let failure = from_flag(Access::Deny, bad).unwrap_err();
            assert_eq!(failure.exit_code(), 2);
            let text = failure.to_string();
            assert!(
                text.contains(says) && text.contains("--deny"),
                "{bad}: {text}"
            );
        }
    }

    #[test]
    fn a_whole_body_gets_a_hint() {
        let failure = parse("file p.json", &format!("{{\"policies\": {GOOD}}}")).unwrap_err();
        assert!(failure.hint().unwrap().contains("the array itself"));
    }
}
