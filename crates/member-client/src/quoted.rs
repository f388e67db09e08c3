//! Parser messages made short enough to print: serde and its formats quote
//! the value they refuse (``unknown field `…` ``, `invalid type: string
//! "…"`) whole, however long the file made it.

use member_types::json::shorten;

/// `message` with every quoted value (between backticks, or double quotes
/// with `\"` escapes) longer than [`shorten`]'s limit shortened by it; the
/// rest of the message is kept as it is.
pub(crate) fn shorten_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(1024));
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let inside = &rest[open + 1..];
        let Some(close) = closing(inside, quote) else {
            out.push_str(inside);
            return out;
        };
        out.push_str(&shorten(&inside[..close]));
        out.push(quote);
        rest = &inside[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Where `quote` closes `text` (a double quote after a backslash does not).
fn closing(text: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match c {
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return Some(at),
            _ => escaped = false,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quoted_values_are_shortened_and_the_rest_kept() {
        let long = "L".repeat(100_000);
        let message = format!("unknown field `{long}`, expected one of `allow`, `deny`");
        let short = shorten_quoted(&message);
        assert_eq!(
            short,
            format!(
                "unknown field `{}…`, expected one of `allow`, `deny`",
                "L".repeat(40)
            )
        );
        let message = format!(r#"invalid type: string "{long}\"x", expected a sequence"#);
        assert_eq!(
            shorten_quoted(&message),
            format!(
                r#"invalid type: string "{}…", expected a sequence"#,
                "L".repeat(40)
            )
        );
        assert_eq!(shorten_quoted("plain"), "plain");
        assert_eq!(shorten_quoted("an odd ` quote"), "an odd ` quote");
        assert_eq!(shorten_quoted(r#"say "é""#), r#"say "é""#);
    }
}
