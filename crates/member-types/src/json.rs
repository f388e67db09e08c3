//! Decoding JSON documents as fast as the build allows.
//!
//! [`from_slice`] gives the results of `serde_json::from_slice`, faster:
//!
//! - with the `fast-json` cargo feature (on by default) it first tries
//!   [simd-json](https://docs.rs/simd-json) (SIMD, with run-time CPU
//!   detection), which drives the same `Deserialize` impls, and falls back to
//!   serde_json whenever simd-json refuses the document, so every error, and
//!   every document only serde_json accepts, is exactly serde_json's;
//! - with the same feature, the member responses (`Envelope<Member>` and
//!   `Envelope<Vec<Member>>`, what the client decodes most) are read first
//!   straight from the JSON text into the models, in one pass, without
//!   simd-json's tape or serde's visitors (`BENCHMARKS.md`); any document
//!   outside the usual shape (an unknown key, a duplicate key, an unusual
//!   type, a float) goes to simd-json and serde as above, so the result
//!   never changes;
//! - serde_json itself (without the feature, or as the fallback) gets the
//!   document's UTF-8 checked once and reads it with `serde_json::from_str`,
//!   which then skips the check serde_json otherwise repeats for every key
//!   and string.
//!
//! ```
//! use member_types::{json, Envelope, Member};
//!
//! let body = br#"{"success":true,"errors":[],"messages":[],"result":{"id":"4536bcfad5faccb111b47003c79917fa"}}"#;
//! let envelope: Envelope<Member> = json::from_slice(body)?;
//! assert!(envelope.success);
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::de::DeserializeOwned;

#[cfg(feature = "fast-json")]
mod direct;

/// The decoder [`from_slice`] tries first for any type: `"simd-json"` with
/// the `fast-json` feature, else `"serde_json"`. (With the feature, the
/// member responses are read straight from the text before that; see the
/// module documentation.)
pub const DECODER: &str = if cfg!(feature = "fast-json") {
    "simd-json"
} else {
    "serde_json"
};

/// Decodes `bytes` as `T`, with the result `serde_json::from_slice` gives.
///
/// `T: 'static` lets the member responses take the direct reader (see the
/// module documentation); every owned model is `'static`.
///
/// # Errors
/// serde_json's error when the bytes are not a `T`.
pub fn from_slice<T: DeserializeOwned + 'static>(bytes: &[u8]) -> serde_json::Result<T> {
    #[cfg(feature = "fast-json")]
    if let Some(value) = direct::read(bytes) {
        return Ok(value);
    }
    #[cfg(feature = "fast-json")]
    if let Some(value) = simd::from_slice(bytes) {
        return Ok(value);
    }
    // One UTF-8 check of the whole document (a fast, mostly word-at-a-time
    // scan) lets serde_json read it as `str` and skip the check it otherwise
    // repeats for every key and string value. Bytes that are not UTF-8 go to
    // `from_slice`, for its error.
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

#[cfg(feature = "fast-json")]
mod simd {
    use std::cell::RefCell;

    use serde::de::DeserializeOwned;

    /// What simd-json needs besides the input, kept per thread so that a
    /// decode allocates only what the result holds: the padded copy of the
    /// input (simd-json parses in place), its structural index, and the tape
    /// (kept empty between decodes, with its allocation).
    struct Scratch {
        input: Vec<u8>,
        buffers: simd_json::Buffers,
        tape: simd_json::Tape<'static>,
    }

    thread_local! {
        static SCRATCH: RefCell<Option<Scratch>> = const { RefCell::new(None) };
    }

    /// serde_json refuses a document nested 128 levels deep (its recursion
    /// limit); simd-json is told to refuse it too, so that it never accepts
    /// one serde_json refuses. (serde_json does accept deeper nesting inside
    /// ignored fields; those documents go to serde_json, which is merely
    /// slower.)
    const MAX_DEPTH: usize = 127;

    /// simd-json's answer, or `None` when it refuses the document or when
    /// the document is one where the two decoders are known to differ.
    /// simd-json parses in place, so it works on a copy and `bytes` stay
    /// intact for the fallback.
    pub(super) fn from_slice<T: DeserializeOwned + 'static>(bytes: &[u8]) -> Option<T> {
        if may_hold_negative_zero(bytes) {
            return None;
        }
        SCRATCH
            .try_with(|cell| {
                let Ok(mut slot) = cell.try_borrow_mut() else {
                    return decode(bytes, &mut fresh(bytes.len()));
                };
                let scratch = slot.get_or_insert_with(|| fresh(bytes.len()));
                let value = decode(bytes, scratch);
                // Do not keep huge buffers after a huge document.
                if scratch.input.capacity() > 1 << 20 || scratch.tape.0.capacity() > 1 << 16 {
                    *slot = None;
                }
                value
            })
            .ok()
            .flatten()
    }

    /// Whether `-0` not followed by a digit appears anywhere (inside strings
    /// too: the check is cheap and a false alarm only costs speed).
    /// serde_json reads the number `-0` as the float `-0.0`, simd-json as the
    /// integer `0`, which differ in a `serde_json::Value`.
    fn may_hold_negative_zero(bytes: &[u8]) -> bool {
        memchr::memchr_iter(b'-', bytes).any(|i| {
            bytes.get(i + 1) == Some(&b'0') && !bytes.get(i + 2).is_some_and(u8::is_ascii_digit)
        })
    }

    fn fresh(len: usize) -> Scratch {
        Scratch {
            input: Vec::with_capacity(len + simd_json::INPUT_PADDING),
            buffers: simd_json::Buffers::with_max_depth(len, MAX_DEPTH),
            tape: simd_json::Tape(Vec::new()),
        }
    }

    /// One copy of the input, padded as simd-json needs, so that simd-json
    /// does not make a second one; the tape is filled in place and handed
    /// back empty for the next decode.
    fn decode<T: DeserializeOwned + 'static>(bytes: &[u8], scratch: &mut Scratch) -> Option<T> {
        let Scratch {
            input,
            buffers,
            tape,
        } = scratch;
        input.clear();
        input.extend_from_slice(bytes);
        input.resize(bytes.len() + simd_json::INPUT_PADDING, 0);
        let mut filled = std::mem::replace(tape, simd_json::Tape(Vec::new())).reset();
        let value = match simd_json::fill_tape_padded(input, bytes.len(), buffers, &mut filled) {
            Ok(()) => {
                let mut deserializer = simd_json::Deserializer::from_tape(filled);
                let value = T::deserialize(&mut deserializer).ok();
                filled = deserializer.into_tape();
                value
            }
            Err(_) => None,
        };
        *tape = filled.reset();
        value
    }
}

/// What kind of JSON value `value` is, for error messages: `"null"`,
/// `"a boolean"`, `"a number"`, `"a string"`, `"an array"` or `"an object"`.
///
/// ```
/// use member_types::json::kind_of;
///
/// assert_eq!(kind_of(&serde_json::json!([1])), "an array");
/// assert_eq!(kind_of(&serde_json::json!({"a": 1})), "an object");
/// ```
pub fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Shortens a value for an error message: at most 40 characters, with `…`
/// when something was cut.
///
/// ```
/// use member_types::json::shorten;
///
/// assert_eq!(shorten("short"), "short");
/// assert_eq!(shorten(&"x".repeat(50)).chars().count(), 41);
/// ```
pub fn shorten(value: &str) -> String {
    crate::error::shorten(value)
}
