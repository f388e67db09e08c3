//! Reading an access file's text: YAML (serde-saphyr) or JSON (serde_json),
//! and the line of every place of it, so that each problem can say where
//! it is.

use std::collections::HashMap;
use std::fmt;

use member_types::AccessFile;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::quoted::shorten_quoted;

/// The syntax of an access file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceFormat {
    /// YAML (a JSON text is YAML too, but is read as JSON).
    Yaml,
    /// JSON.
    Json,
}

impl SourceFormat {
    /// JSON for a name ending in `.json` or a text starting with `{`, YAML
    /// otherwise.
    ///
    /// ```
    /// use member_client::SourceFormat;
    /// assert_eq!(SourceFormat::guess("access.yaml", "account: x"), SourceFormat::Yaml);
    /// assert_eq!(SourceFormat::guess("-", " {\"account\": \"x\"}"), SourceFormat::Json);
    /// ```
    pub fn guess(name: &str, text: &str) -> Self {
        let json_name = std::path::Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if json_name || text.trim_start().starts_with('{') {
            Self::Json
        } else {
            Self::Yaml
        }
    }
}

/// An access file that could not be read: what is wrong, and on which line
/// when the parser says.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SourceError {
    /// The line (from 1), when known.
    pub line: Option<usize>,
    /// What the parser says.
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for SourceError {}

/// An access file read from its text, with the line of each of its places
/// (`members[1].roles[0]`), for problems people can find.
///
/// ```
/// use member_client::{AccessSource, SourceFormat};
///
/// let text = "account: Example Corp\nmembers:\n  - email: bob@example.com\n    roles: [DNS]\n";
/// let source = AccessSource::parse(text, SourceFormat::Yaml)?;
/// assert_eq!(source.file.members[0].email, "bob@example.com");
/// assert_eq!(source.line_of("members[0].roles[0]"), Some(4));
/// assert_eq!(source.line_of("members[0].policies[3]"), Some(3));
/// # Ok::<(), member_client::SourceError>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AccessSource {
    /// The file.
    pub file: AccessFile,
    lines: HashMap<String, usize>,
}

impl AccessSource {
    /// Reads `text` as `format`. Unknown keys are refused (a misspelt key
    /// would otherwise be silently ignored), and a YAML document with
    /// aliases expanding beyond the parser's budget is refused too.
    ///
    /// # Errors
    /// [`SourceError`] with the parser's message and line.
    pub fn parse(text: &str, format: SourceFormat) -> Result<Self, SourceError> {
        let file: AccessFile = match format {
            SourceFormat::Json => serde_json::from_str(text).map_err(|e| SourceError {
                line: Some(e.line()).filter(|l| *l > 0),
                message: shorten_quoted(&e.to_string()),
            })?,
            SourceFormat::Yaml => serde_saphyr::from_str(text).map_err(|e| SourceError {
                line: e
                    .location()
                    .map(|l| usize::try_from(l.line()).unwrap_or(0))
                    .filter(|l| *l > 0),
                // The message alone: the line is told beside it, and the
                // parser's snippet of the text is for a terminal of its own.
                message: shorten_quoted(&e.without_snippet().to_string()),
            })?,
        };
        // JSON is YAML too, so one reader finds the lines of both. Lines
        // are a help: a text it cannot read has none, nothing else changes.
        let lines = serde_saphyr::from_str::<FileLines>(text)
            .map(|l| l.places())
            .unwrap_or_default();
        Ok(Self { file, lines })
    }

    /// The line of `place`, or of the nearest enclosing place that has one
    /// (`members[1].policies[0].on[4]` falls back to `members[1].policies[0]`,
    /// then `members[1]`).
    pub fn line_of(&self, place: &str) -> Option<usize> {
        let mut place = place;
        loop {
            if let Some(line) = self.lines.get(place) {
                return Some(*line);
            }
            let cut = place.rfind(['.', '['])?;
            place = &place[..cut];
        }
    }
}

/// `file` as text in `format`: JSON pretty-printed, or YAML (block style,
/// one item a line), ending in a newline. Reading it back with
/// [`AccessSource::parse`] gives the same file.
///
/// ```
/// use member_client::{access_text, AccessSource, SourceFormat};
/// # fn demo(file: member_client::AccessFile) -> Result<(), Box<dyn std::error::Error>> {
/// let text = access_text(&file, SourceFormat::Yaml)?;
/// assert_eq!(AccessSource::parse(&text, SourceFormat::Yaml)?.file, file);
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`SourceError`] when the writer fails (it does not for an access file).
pub fn access_text(file: &AccessFile, format: SourceFormat) -> Result<String, SourceError> {
    let failed = |message: String| SourceError {
        line: None,
        message,
    };
    let mut text = match format {
        SourceFormat::Json => {
            serde_json::to_string_pretty(file).map_err(|e| failed(e.to_string()))?
        }
        SourceFormat::Yaml => serde_saphyr::to_string(file).map_err(|e| failed(e.to_string()))?,
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

fn line<T>(spanned: &Spanned<T>) -> Option<usize> {
    usize::try_from(spanned.referenced.line())
        .ok()
        .filter(|l| *l > 0)
}

/// The shape of an access file, every place with its location; anything
/// else is ignored.
#[derive(Deserialize, Default)]
#[serde(default)]
struct FileLines {
    account: Option<Spanned<serde::de::IgnoredAny>>,
    members: Vec<Spanned<MemberLines>>,
    groups: Vec<Spanned<GroupLines>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MemberLines {
    email: Option<Spanned<serde::de::IgnoredAny>>,
    roles: Vec<Spanned<serde::de::IgnoredAny>>,
    policies: Vec<Spanned<PolicyLines>>,
    status: Option<Spanned<serde::de::IgnoredAny>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GroupLines {
    name: Option<Spanned<serde::de::IgnoredAny>>,
    policies: Vec<Spanned<PolicyLines>>,
    members: Vec<Spanned<serde::de::IgnoredAny>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PolicyLines {
    allow: Vec<Spanned<serde::de::IgnoredAny>>,
    deny: Vec<Spanned<serde::de::IgnoredAny>>,
    on: Vec<Spanned<serde::de::IgnoredAny>>,
}

/// Collects `place -> line`.
struct Places(HashMap<String, usize>);

impl Places {
    fn one<T>(&mut self, place: String, spanned: Option<&Spanned<T>>) {
        if let Some(line) = spanned.and_then(line) {
            self.0.insert(place, line);
        }
    }

    fn list<T>(&mut self, place: &str, items: &[Spanned<T>]) {
        for (i, item) in items.iter().enumerate() {
            self.one(format!("{place}[{i}]"), Some(item));
        }
    }

    fn policies(&mut self, place: &str, policies: &[Spanned<PolicyLines>]) {
        self.list(&format!("{place}.policies"), policies);
        for (j, policy) in policies.iter().enumerate() {
            let at = format!("{place}.policies[{j}]");
            self.list(&format!("{at}.allow"), &policy.value.allow);
            self.list(&format!("{at}.deny"), &policy.value.deny);
            self.list(&format!("{at}.on"), &policy.value.on);
        }
    }
}

impl FileLines {
    fn places(&self) -> HashMap<String, usize> {
        let mut places = Places(HashMap::new());
        places.one("account".to_owned(), self.account.as_ref());
        places.list("members", &self.members);
        for (i, member) in self.members.iter().enumerate() {
            let at = format!("members[{i}]");
            let member = &member.value;
            places.one(format!("{at}.email"), member.email.as_ref());
            places.one(format!("{at}.status"), member.status.as_ref());
            places.list(&format!("{at}.roles"), &member.roles);
            places.policies(&at, &member.policies);
        }
        places.list("groups", &self.groups);
        for (i, group) in self.groups.iter().enumerate() {
            let at = format!("groups[{i}]");
            let group = &group.value;
            places.one(format!("{at}.name"), group.name.as_ref());
            places.list(&format!("{at}.members"), &group.members);
            places.policies(&at, &group.policies);
        }
        places.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "\
account: Example Corp
members:
  - email: bob@example.com
    roles:
      - Administrator Read Only
      - DNS
  - email: erin@example.com
    policies:
      - allow: [DNS Write]
        on:
          - zone:example.com
groups:
  - name: Ops
    members: [bob@example.com]
";

    #[test]
    fn every_place_has_its_line() {
        let source = AccessSource::parse(YAML, SourceFormat::Yaml).unwrap();
        assert_eq!(source.file.members.len(), 2);
        assert_eq!(source.line_of("account"), Some(1));
        assert_eq!(source.line_of("members[0]"), Some(3));
        assert_eq!(source.line_of("members[0].roles[1]"), Some(6));
        assert_eq!(source.line_of("members[1].policies[0].allow[0]"), Some(9));
        assert_eq!(source.line_of("members[1].policies[0].on[0]"), Some(11));
        assert_eq!(source.line_of("groups[0].name"), Some(13));
        assert_eq!(source.line_of("groups[0].members[0]"), Some(14));
        // A place without a line of its own falls back to its parent.
        assert_eq!(source.line_of("members[1].policies[0].deny[0]"), Some(9));
    }

    #[test]
    fn written_text_reads_back_the_same() {
        let source = AccessSource::parse(YAML, SourceFormat::Yaml).unwrap();
        for format in [SourceFormat::Yaml, SourceFormat::Json] {
            let text = access_text(&source.file, format).unwrap();
            let back = AccessSource::parse(&text, format).unwrap();
            assert_eq!(back.file, source.file, "{text}");
        }
        // Names that YAML would read as something else stay strings.
        let mut tricky = source.file.clone();
        tricky.members[0].roles = vec![
            "yes".into(),
            "null".into(),
            "1.5".into(),
            "a: b".into(),
            "#x".into(),
        ];
        let text = access_text(&tricky, SourceFormat::Yaml).unwrap();
        assert_eq!(
            AccessSource::parse(&text, SourceFormat::Yaml).unwrap().file,
            tricky,
            "{text}"
        );
    }

    #[test]
    fn json_has_lines_too() {
        let text = "{\n  \"account\": \"x\",\n  \"members\": [\n    {\"email\": \"a@example.com\",\n     \"roles\": [\"DNS\"]}\n  ]\n}\n";
        let source = AccessSource::parse(text, SourceFormat::Json).unwrap();
        assert_eq!(source.line_of("members[0].roles[0]"), Some(5));
        assert_eq!(source.line_of("members[0]"), Some(4));
    }

    #[test]
    fn unknown_keys_and_bad_syntax_say_where() {
        let err = AccessSource::parse(
            "account: x\nmembers:\n  - email: a@example.com\n    role: [DNS]\n",
            SourceFormat::Yaml,
        )
        .unwrap_err();
        assert!(err.to_string().contains("role"), "{err}");
        let err = AccessSource::parse("{\"account\": \"x\",\n\"members\": [}", SourceFormat::Json)
            .unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
    }
}
