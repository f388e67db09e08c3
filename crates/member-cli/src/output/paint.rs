//! Colour for what needs the eye in text for people (a pending status, a
//! deny policy, an error), only where `--color` and the terminal allow it
//! (see `shell`). JSON, JSON Lines and CSV are never painted: nothing here
//! is called on their way.

use anstyle::{AnsiColor, Style};

use crate::shell;

/// What a painted text says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Waits for someone: a pending invitation.
    Waiting,
    /// Takes away or went wrong: a deny policy, a rejected invitation, a
    /// failure, an account that could not be read.
    Bad,
}

impl Tone {
    fn style(self) -> Style {
        match self {
            Self::Waiting => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            Self::Bad => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
        }
    }
}

fn styled(on: bool, tone: Tone, text: &str) -> String {
    if on && !text.is_empty() {
        let style = tone.style();
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}

/// `text` in `tone` on stdout, when colour is on there.
pub fn paint(tone: Tone, text: &str) -> String {
    styled(shell::color_stdout(), tone, text)
}

/// `text` in `tone` on stderr, when colour is on there.
pub fn paint_err(tone: Tone, text: &str) -> String {
    styled(shell::color_stderr(), tone, text)
}

/// A membership status (already [`super::clean`]ed): `pending` waits,
/// `rejected` is bad, the rest as they are.
pub fn status(text: &str) -> String {
    match text {
        "pending" => paint(Tone::Waiting, text),
        "rejected" => paint(Tone::Bad, text),
        _ => text.to_owned(),
    }
}

/// A policy line for people (`deny Billing Read on account`): the word
/// `deny` painted.
pub fn policy(line: &str) -> String {
    match line.strip_prefix("deny ") {
        Some(rest) => format!("{} {rest}", paint(Tone::Bad, "deny")),
        None => line.to_owned(),
    }
}

/// How many columns `text` takes on a terminal: each character's display
/// width (two for CJK and most emoji, none for combining marks), less the
/// colour sequences painted here (server text never holds an escape
/// character: [`super::clean`] replaced it).
pub fn width(text: &str) -> usize {
    let mut width = 0;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // `ESC [ … m`: parameters, then the final letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            width += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
    }
    width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_wraps_the_text_and_takes_no_width() {
        let pending = styled(true, Tone::Waiting, "pending");
        assert_eq!(pending, "\u{1b}[33mpending\u{1b}[0m");
        assert_eq!(width(&pending), 7);
        let deny = styled(true, Tone::Bad, "deny");
        assert!(
            deny.starts_with("\u{1b}[") && deny.contains("deny"),
            "{deny:?}"
        );
        assert_eq!(width(&format!("{deny} DNS on x")), "deny DNS on x".len());
        assert_eq!(styled(false, Tone::Bad, "deny"), "deny");
        assert_eq!(width("Zoë"), 3);
    }

    #[test]
    fn without_colour_nothing_changes() {
        // The unit tests never set the conventions: colour is off.
        assert_eq!(status("pending"), "pending");
        assert_eq!(
            policy("deny Billing Read on account"),
            "deny Billing Read on account"
        );
        assert_eq!(paint_err(Tone::Bad, "error:"), "error:");
    }
}
