//! Reading a policies file (`--policies FILE`, or `-` for stdin).

use std::io::Read;
use std::path::Path;

use member_client::PolicyRequest;

use crate::report::Failure;

/// Reads the JSON array of policies, exactly as the API takes them, from
/// `path` (`-` is stdin), refusing anything the API would refuse with a
/// message that names the file, the place in it and the rule.
pub fn read(path: &Path) -> Result<Vec<PolicyRequest>, Failure> {
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
    parse(&name, &text)
}

/// Parses the text of a policies file called `name` in messages.
pub fn parse(name: &str, text: &str) -> Result<Vec<PolicyRequest>, Failure> {
    let hint = "the file must hold a JSON array of policies, each \
                {\"access\": \"allow\"|\"deny\", \"permission_groups\": [{\"id\": …}], \
                \"resource_groups\": [{\"id\": …}]}";
    if text.trim().is_empty() {
        return Err(Failure::usage(format!("policies {name} is empty")).with_hint(hint));
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let policies: Vec<PolicyRequest> = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| {
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
    if policies.is_empty() {
        return Err(Failure::usage(format!("policies {name} holds no policy"))
            .with_hint("give at least one policy (to take all access away, remove the member)"));
    }
    Ok(policies)
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
    fn a_whole_body_gets_a_hint() {
        let failure = parse("file p.json", &format!("{{\"policies\": {GOOD}}}")).unwrap_err();
        assert!(failure.hint().unwrap().contains("the array itself"));
    }
}
