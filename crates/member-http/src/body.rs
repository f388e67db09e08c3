//! Reading response bodies under a size cap, and excerpts of bodies that are
//! not envelopes.

use bytes::Bytes;

/// Why a body could not be read.
pub(crate) enum ReadError {
    /// Larger than the cap; `declared` is the `Content-Length`, if it said so.
    TooLarge { declared: Option<u64> },
    /// The connection failed mid-body.
    Transport(reqwest::Error),
}

/// Reads the body, refusing it as soon as it is known to exceed `limit`:
/// first from `Content-Length`, then by counting chunks as they arrive. At
/// most `limit` bytes are ever held.
///
/// A compressed answer is decompressed by reqwest as it is read, and its
/// length is then unknown (reqwest drops `Content-Length`, which counted the
/// compressed bytes): the chunks counted are the decompressed ones, so the
/// cap is on what the answer inflates to, and a compressed bomb is refused
/// after at most `limit` bytes of it.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Bytes, ReadError> {
    let declared = response.content_length();
    if let Some(len) = declared {
        if len > limit as u64 {
            return Err(ReadError::TooLarge {
                declared: Some(len),
            });
        }
        // The length is the body's framing: the connection delivers exactly
        // that many bytes or fails, so the body is within the cap. Collecting
        // it keeps a body that arrived in one piece in that piece, uncopied.
        return response.bytes().await.map_err(ReadError::Transport);
    }
    // Trust Content-Length only up to the cap, and only for the initial
    // allocation.
    let initial = declared.map_or(8 * 1024, |len| len as usize).min(limit);
    let mut buf = Vec::with_capacity(initial);
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if chunk.len() > limit - buf.len() {
            return Err(ReadError::TooLarge { declared });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}

/// Characters kept in an excerpt.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// The first `max` characters of `body` as text: invalid UTF-8 replaced,
/// control characters dropped, runs of whitespace collapsed to one space,
/// `…` appended when cut.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    let mut cut = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if c.is_control() {
            continue;
        }
        let needed = usize::from(pending_space) + 1;
        if count + needed > max {
            cut = true;
            break;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        count += needed;
    }
    if cut {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_and_cuts() {
        assert_eq!(
            excerpt(b"  <html>\r\n\t<center>  502 </center>\n", 200),
            "<html> <center> 502 </center>"
        );
        assert_eq!(excerpt(b"abcdef", 3), "abc…");
        assert_eq!(excerpt(b"ab   cd", 4), "ab c…");
        assert_eq!(excerpt(b"", 10), "");
        assert_eq!(excerpt(b"null", 10), "null");
        assert_eq!(excerpt(&[0xff, b'a', 0x07, b'b'], 10), "\u{fffd}ab");
    }

    #[test]
    fn long_body_is_bounded() {
        let body = "x".repeat(10_000);
        assert_eq!(excerpt(body.as_bytes(), EXCERPT_CHARS).chars().count(), 201);
    }
}
