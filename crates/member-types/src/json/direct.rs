//! The member responses read straight from the JSON text.
//!
//! Reading a member through serde costs more than parsing the document
//! (issue 16's profile): every key and value goes through a visitor, and a
//! SIMD parser's tape is written and read again. The functions here read
//! the text once, in one pass, and build the models directly, for the
//! responses the client decodes most: one member (`get`, `add`, `update`)
//! and a page of members (`list`).
//!
//! They read a **strict subset** of what the serde impls accept, and give
//! up (`None`) on anything else, so that the caller falls back to
//! simd-json and serde:
//!
//! - JSON itself: the document must be UTF-8 and JSON as RFC 8259 defines
//!   it; numbers are integers only (a fraction, an exponent, `-0` or a value
//!   beyond 64 bits gives up: serde_json's own reading of those is left to
//!   it), a `\u` escape of half a surrogate pair gives up, and values kept
//!   in `other` maps nest at most [`MAX_DEPTH`] deep;
//! - the models: a struct written as an array, a duplicate key, a value of
//!   another type than the usual one, and a key they do not know. (serde
//!   ignores unknown keys of the derived structs; giving up instead means
//!   that a field added to a model can never be dropped here, only slow its
//!   responses down until it is read here too.)
//!
//! Keys the models keep in `other` maps are kept as serde keeps them. A
//! change to a model's serde attributes must be mirrored here. Whatever
//! they accept, they decode to exactly what serde gives (tested against
//! serde on every fixture, thousands of variations of them and random
//! edits of their bytes, `tests::agrees_with_serde_on_variations` and
//! `tests::edits`), so the fast path never changes a result, only its cost.

use std::any::Any;
use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::enums::{Access, MemberStatus};
use crate::envelope::{Cursors, Envelope, ResponseInfo, ResultInfo, Source};
use crate::ids::{MemberId, PermissionGroupId, PolicyId, ResourceGroupId, RoleId, UserId};
use crate::member::{Member, Meta, Policy, Scope, ScopeObject, Scopes, User};
use crate::permission_group::PermissionGroup;
use crate::resource_group::ResourceGroup;
use crate::role::{PermissionGrant, Permissions, Role, RolePermissions, GRANT_NAMES};

/// How deep a value kept in an `other` map may nest (serde_json refuses
/// 128 levels; deeper values go to it).
const MAX_DEPTH: usize = 64;

/// `T` read from `bytes` here, when `T` is one of the types this module
/// reads and the document is in the subset it reads; `None` otherwise (the
/// caller then asks simd-json and serde).
pub(super) fn read<T: 'static>(bytes: &[u8]) -> Option<T> {
    let mut out: Option<T> = None;
    let slot: &mut dyn Any = &mut out;
    if let Some(slot) = slot.downcast_mut::<Option<Envelope<Member>>>() {
        *slot = member_envelope(bytes);
    } else if let Some(slot) = slot.downcast_mut::<Option<Envelope<Vec<Member>>>>() {
        *slot = members_envelope(bytes);
    } else if let Some(slot) = slot.downcast_mut::<Option<Envelope<Option<Vec<Member>>>>>() {
        // How the client reads a page (`null` and absent alike are `None`).
        *slot = members_envelope(bytes).map(|page| Envelope {
            success: page.success,
            errors: page.errors,
            messages: page.messages,
            result: page.result.map(Some),
            result_info: page.result_info,
        });
    }
    out
}

/// `Envelope<Member>` from a whole document, or `None`.
pub(super) fn member_envelope(bytes: &[u8]) -> Option<Envelope<Member>> {
    whole(bytes, |t| envelope(t, member))
}

/// `Envelope<Vec<Member>>` from a whole document, or `None`.
pub(super) fn members_envelope(bytes: &[u8]) -> Option<Envelope<Vec<Member>>> {
    whole(bytes, |t| envelope(t, |t| t.array(member)))
}

/// Reads one value that must be the whole document, whitespace aside.
fn whole<'i, T>(bytes: &'i [u8], read: impl FnOnce(&mut Text<'i>) -> Option<T>) -> Option<T> {
    // Checked once, so that every string, cut at ASCII quotes, is UTF-8.
    let text = std::str::from_utf8(bytes).ok()?;
    let mut t = Text { text, at: 0 };
    let value = read(&mut t)?;
    t.space();
    (t.at == text.len()).then_some(value)
}

/// A cursor over the document.
struct Text<'i> {
    text: &'i str,
    at: usize,
}

/// Eight copies of a byte, for the word-at-a-time scans.
const fn splat(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// The eight bytes at `at`, if there are eight.
fn word(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk: [u8; 8] = bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// The high bit of every byte of `x` that is zero (exact: no false hits).
const fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = splat(0x7f);
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// The high bit of every byte of `x` below 0x20 (exact).
const fn control_bytes(x: u64) -> u64 {
    const LOW7: u64 = splat(0x7f);
    // A byte is below 0x20 when its bits 5 and 6 are clear and bit 7 too.
    !(((x & LOW7).wrapping_add(splat(0x60))) | x | LOW7)
}

impl<'i> Text<'i> {
    fn bytes(&self) -> &'i [u8] {
        self.text.as_bytes()
    }

    /// Skips JSON whitespace (space, tab, line feed, carriage return).
    #[inline]
    fn space(&mut self) {
        let bytes = self.bytes();
        while let Some(&byte) = bytes.get(self.at) {
            if !matches!(byte, b' ' | b'\n' | b'\t' | b'\r') {
                break;
            }
            self.at += 1;
            // Indentation: a run of spaces, eight at a time.
            while let Some(x) = word(bytes, self.at) {
                let others = x ^ splat(b' ');
                if others != 0 {
                    self.at += (others.trailing_zeros() / 8) as usize;
                    break;
                }
                self.at += 8;
            }
        }
    }

    /// The next byte after whitespace, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.bytes().get(self.at).copied()
    }

    /// Consumes `byte` if it is next (after whitespace).
    #[inline]
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        if next {
            self.at += 1;
        }
        next
    }

    /// Consumes `word` (`null`, `true`, `false`) if it is next.
    fn literal(&mut self, word: &str) -> bool {
        self.space();
        let next = self
            .text
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(word));
        if next {
            self.at += word.len();
        }
        next
    }

    /// Consumes a `null` if one is next.
    fn null(&mut self) -> bool {
        self.literal("null")
    }

    /// An object: `field` reads each value, given its key.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        if !self.eat(b'{') {
            return None;
        }
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            let key = self.str()?;
            if !self.eat(b':') {
                return None;
            }
            field(self, &key)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A string, borrowed unless it holds escapes.
    fn str(&mut self) -> Option<Cow<'i, str>> {
        if !self.eat(b'"') {
            return None;
        }
        let bytes = self.bytes();
        let start = self.at;
        // Up to the first quote, backslash or control byte.
        let mut end = start;
        while let Some(x) = word(bytes, end) {
            let stops =
                zero_bytes(x ^ splat(b'"')) | zero_bytes(x ^ splat(b'\\')) | control_bytes(x);
            if stops != 0 {
                end += (stops.trailing_zeros() / 8) as usize;
                if bytes.get(end) == Some(&b'"') {
                    self.at = end + 1;
                    return Some(Cow::Borrowed(self.text.get(start..end)?));
                }
                break;
            }
            end += 8;
        }
        loop {
            match *bytes.get(end)? {
                b'"' => {
                    self.at = end + 1;
                    return Some(Cow::Borrowed(self.text.get(start..end)?));
                }
                b'\\' => break,
                byte if byte < 0x20 => return None,
                _ => end += 1,
            }
        }
        // Escapes: the rest is read into a new string.
        let mut out = String::from(self.text.get(start..end)?);
        self.at = end;
        loop {
            let rest = self.text.get(self.at..)?;
            let plain = rest
                .bytes()
                .position(|b| b == b'"' || b == b'\\' || b < 0x20)?;
            out.push_str(rest.get(..plain)?);
            self.at += plain;
            match bytes[self.at] {
                b'"' => {
                    self.at += 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    let escape = *bytes.get(self.at + 1)?;
                    self.at += 2;
                    out.push(match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    });
                }
                _ => return None,
            }
        }
    }

    /// The character of a `\u` escape whose four digits are next; a
    /// surrogate must come as a pair (serde_json refuses a lone one).
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        match first {
            0xd800..=0xdbff => {
                if self.bytes().get(self.at..self.at + 2)? != b"\\u" {
                    return None;
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&second) {
                    return None;
                }
                char::from_u32(0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00))
            }
            0xdc00..=0xdfff => None,
            _ => char::from_u32(first),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(Cow::into_owned)
    }

    fn bool(&mut self) -> Option<bool> {
        if self.literal("true") {
            Some(true)
        } else if self.literal("false") {
            Some(false)
        } else {
            None
        }
    }

    /// An integer: `-`, then `0` alone or digits without a leading zero,
    /// with no fraction or exponent after them. `-0` gives up (serde_json
    /// reads it as a float), and so does a value beyond 64 bits.
    fn number(&mut self) -> Option<Number> {
        self.space();
        let bytes = self.bytes();
        let negative = bytes.get(self.at) == Some(&b'-');
        let start = self.at + usize::from(negative);
        let digits = bytes
            .get(start..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let end = start + digits;
        let leading_zero = digits > 1 && bytes[start] == b'0';
        if digits == 0
            || leading_zero
            || matches!(bytes.get(end), Some(b'.' | b'e' | b'E'))
            || negative && bytes[start] == b'0'
        {
            return None;
        }
        let magnitude: u64 = self.text.get(start..end)?.parse().ok()?;
        self.at = end;
        if negative {
            Some(Number::Negative(0i64.checked_sub_unsigned(magnitude)?))
        } else {
            Some(Number::Positive(magnitude))
        }
    }

    /// `Option<T>`: `null` is `None`.
    fn opt<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.null() {
            Some(None)
        } else {
            read(self).map(Some)
        }
    }

    /// A `Vec<T>` (an array, nothing else).
    fn array<T>(&mut self, mut read: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        if !self.eat(b'[') {
            return None;
        }
        let mut items = Vec::new();
        if self.eat(b']') {
            return Some(items);
        }
        loop {
            items.push(read(self)?);
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(items);
                }
                _ => return None,
            }
        }
    }

    /// `null_as_empty`: an array, or `null` for none.
    fn list<T>(&mut self, read: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        if self.null() {
            Some(Vec::new())
        } else {
            self.array(read)
        }
    }

    /// A `serde_json::Value`, as serde_json's own visitor builds it; `None`
    /// for an object with a duplicate key (serde_json keeps the last one,
    /// and `preserve_order` the first one's place), a float, and values
    /// nested deeper than `depth` allows.
    fn value(&mut self, depth: usize) -> Option<Value> {
        let depth = depth.checked_sub(1)?;
        Some(match self.peek()? {
            b'"' => Value::String(self.string()?),
            b'n' if self.null() => Value::Null,
            b't' | b'f' => Value::Bool(self.bool()?),
            b'[' => Value::Array(self.array(|t| t.value(depth))?),
            b'{' => {
                let mut map = serde_json::Map::new();
                self.object(|t, key| {
                    // serde_json's private markers (`raw_value`'s,
                    // `arbitrary_precision`'s) make its visitor read the
                    // object another way.
                    if key.starts_with("$serde_json::private::") {
                        return None;
                    }
                    let value = t.value(depth)?;
                    map.insert(key.to_owned(), value).is_none().then_some(())
                })?;
                Value::Object(map)
            }
            _ => match self.number()? {
                Number::Positive(v) => Value::from(v),
                Number::Negative(v) => Value::from(v),
            },
        })
    }

    /// An unknown key's value, kept in an `other` map as serde's
    /// hand-written visitors do (the last of duplicate unknown keys wins).
    fn other(&mut self, key: &str, other: &mut BTreeMap<String, Value>) -> Option<()> {
        let value = self.value(MAX_DEPTH)?;
        other.insert(key.to_owned(), value);
        Some(())
    }

    /// `lenient_i64` of an integer (an integer-valued float gives up).
    fn int(&mut self) -> Option<i64> {
        match self.number()? {
            Number::Positive(v) => i64::try_from(v).ok(),
            Number::Negative(v) => Some(v),
        }
    }

    /// `lenient_opt_u64`: `null`, or a non-negative [`int`](Self::int).
    fn opt_u64(&mut self) -> Option<Option<u64>> {
        self.opt(|t| u64::try_from(t.int()?).ok())
    }
}

/// An integer as JSON writes it.
enum Number {
    Positive(u64),
    Negative(i64),
}

/// Marks field `bit` as seen: `None` for a duplicate (serde refuses those).
fn mark(seen: &mut u32, bit: u32) -> Option<()> {
    let mask = 1 << bit;
    if *seen & mask != 0 {
        return None;
    }
    *seen |= mask;
    Some(())
}

fn envelope<'i, T>(
    t: &mut Text<'i>,
    mut result: impl FnMut(&mut Text<'i>) -> Option<T>,
) -> Option<Envelope<T>> {
    let (mut success, mut seen) = (None, 0);
    let mut out = Envelope::failure(Vec::new());
    t.object(|t, key| {
        match key {
            "success" => {
                mark(&mut seen, 0)?;
                success = Some(t.bool()?);
            }
            "errors" => {
                mark(&mut seen, 1)?;
                out.errors = t.list(response_info)?;
            }
            "messages" => {
                mark(&mut seen, 2)?;
                out.messages = t.list(response_info)?;
            }
            "result" => {
                mark(&mut seen, 3)?;
                out.result = t.opt(&mut result)?;
            }
            "result_info" => {
                mark(&mut seen, 4)?;
                out.result_info = t.opt(result_info)?;
            }
            _ => return None,
        }
        Some(())
    })?;
    out.success = success?;
    Some(out)
}

fn response_info(t: &mut Text<'_>) -> Option<ResponseInfo> {
    let (mut code, mut seen) = (None, 0);
    let mut out = ResponseInfo::new(0, String::new());
    t.object(|t, key| {
        match key {
            "code" => {
                mark(&mut seen, 0)?;
                code = Some(t.int()?);
            }
            "message" => {
                mark(&mut seen, 1)?;
                out.message = t.string()?;
            }
            "documentation_url" => {
                mark(&mut seen, 2)?;
                out.documentation_url = t.opt(Text::string)?;
            }
            "source" => {
                mark(&mut seen, 3)?;
                out.source = t.opt(source)?;
            }
            "error_chain" => {
                mark(&mut seen, 4)?;
                out.error_chain = t.list(response_info)?;
            }
            key => t.other(key, &mut out.other)?,
        }
        Some(())
    })?;
    out.code = code?;
    Some(out)
}

fn source(t: &mut Text<'_>) -> Option<Source> {
    let mut out = Source::default();
    let mut seen = 0;
    t.object(|t, key| {
        match key {
            "pointer" => {
                mark(&mut seen, 0)?;
                out.pointer = t.opt(Text::string)?;
            }
            key => t.other(key, &mut out.other)?,
        }
        Some(())
    })?;
    Some(out)
}

fn result_info(t: &mut Text<'_>) -> Option<ResultInfo> {
    let mut out = ResultInfo::default();
    let mut seen = 0;
    t.object(|t, key| {
        match key {
            "page" => {
                mark(&mut seen, 0)?;
                out.page = t.opt_u64()?;
            }
            "per_page" => {
                mark(&mut seen, 1)?;
                out.per_page = t.opt_u64()?;
            }
            "count" => {
                mark(&mut seen, 2)?;
                // `lenient_opt_count`: a number as `lenient_i64`, or a
                // string of digits.
                out.count = t.opt(|t| match t.peek()? {
                    b'"' => t.str()?.trim().parse().ok(),
                    _ => u64::try_from(t.int()?).ok(),
                })?;
            }
            "total_count" => {
                mark(&mut seen, 3)?;
                out.total_count = t.opt_u64()?;
            }
            "total_pages" => {
                mark(&mut seen, 4)?;
                out.total_pages = t.opt_u64()?;
            }
            "cursor" => {
                mark(&mut seen, 5)?;
                out.cursor = t.opt(Text::string)?;
            }
            "cursors" => {
                mark(&mut seen, 6)?;
                out.cursors = t.opt(cursors)?;
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(out)
}

fn cursors(t: &mut Text<'_>) -> Option<Cursors> {
    let mut out = Cursors::default();
    let mut seen = 0;
    t.object(|t, key| {
        match key {
            "after" => {
                mark(&mut seen, 0)?;
                out.after = t.opt(Text::string)?;
            }
            "before" => {
                mark(&mut seen, 1)?;
                out.before = t.opt(Text::string)?;
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(out)
}

fn member(t: &mut Text<'_>) -> Option<Member> {
    let mut out = Member::default();
    let mut seen = 0;
    t.object(|t, key| {
        match key {
            "id" => {
                mark(&mut seen, 0)?;
                out.id = t.opt(|t| t.str().map(|s| MemberId::from_wire(&s)))?;
            }
            "email" => {
                mark(&mut seen, 1)?;
                out.email = t.opt(Text::string)?;
            }
            "policies" => {
                mark(&mut seen, 2)?;
                out.policies = t.list(policy)?;
            }
            "roles" => {
                mark(&mut seen, 3)?;
                out.roles = t.list(role)?;
            }
            "status" => {
                mark(&mut seen, 4)?;
                out.status = t.opt(|t| t.str().map(|s| MemberStatus::from_wire(&s)))?;
            }
            "user" => {
                mark(&mut seen, 5)?;
                out.user = t.opt(user)?;
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(out)
}

fn user(t: &mut Text<'_>) -> Option<User> {
    let (mut email, mut seen) = (None, 0);
    let mut out = User::default();
    t.object(|t, key| {
        match key {
            "email" => {
                mark(&mut seen, 0)?;
                email = Some(t.string()?);
            }
            "id" => {
                mark(&mut seen, 1)?;
                out.id = t.opt(|t| t.str().map(|s| UserId::from_wire(&s)))?;
            }
            "first_name" => {
                mark(&mut seen, 2)?;
                out.first_name = t.opt(Text::string)?;
            }
            "last_name" => {
                mark(&mut seen, 3)?;
                out.last_name = t.opt(Text::string)?;
            }
            "two_factor_authentication_enabled" => {
                mark(&mut seen, 4)?;
                out.two_factor_authentication_enabled = t.opt(Text::bool)?;
            }
            _ => return None,
        }
        Some(())
    })?;
    out.email = email?;
    Some(out)
}

fn policy(t: &mut Text<'_>) -> Option<Policy> {
    let mut out = Policy::default();
    let mut seen = 0;
    t.object(|t, key| {
        match key {
            "id" => {
                mark(&mut seen, 0)?;
                out.id = t.opt(|t| t.str().map(|s| PolicyId::from_wire(&s)))?;
            }
            "access" => {
                mark(&mut seen, 1)?;
                out.access = t.opt(|t| t.str().map(|s| Access::from_wire(&s)))?;
            }
            "permission_groups" => {
                mark(&mut seen, 2)?;
                out.permission_groups = t.list(permission_group)?;
            }
            "resource_groups" => {
                mark(&mut seen, 3)?;
                out.resource_groups = t.list(resource_group)?;
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(out)
}

fn permission_group(t: &mut Text<'_>) -> Option<PermissionGroup> {
    let (mut id, mut seen) = (None, 0);
    let (mut meta_, mut name, mut status, mut created_on, mut modified_on) =
        (None, None, None, None, None);
    t.object(|t, key| {
        match key {
            "id" => {
                mark(&mut seen, 0)?;
                id = Some(PermissionGroupId::from_wire(&t.str()?));
            }
            "meta" => {
                mark(&mut seen, 1)?;
                meta_ = t.opt(meta)?;
            }
            "name" => {
                mark(&mut seen, 2)?;
                name = t.opt(Text::string)?;
            }
            "status" => {
                mark(&mut seen, 3)?;
                status = t.opt(Text::string)?;
            }
            "created_on" => {
                mark(&mut seen, 4)?;
                created_on = t.opt(Text::string)?;
            }
            "modified_on" => {
                mark(&mut seen, 5)?;
                modified_on = t.opt(Text::string)?;
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(PermissionGroup {
        id: id?,
        meta: meta_,
        name,
        status,
        created_on,
        modified_on,
    })
}

/// `Meta`: the real API sends permission groups' as a flat map
/// (`description`, `editable`, `label`, `scopes`), kept in `other`.
fn meta(t: &mut Text<'_>) -> Option<Meta> {
    let mut out = Meta::default();
    let mut seen = 0;
    t.object(|t, key| {
        match key {
            "key" => {
                mark(&mut seen, 0)?;
                out.key = t.opt(Text::string)?;
            }
            "value" => {
                mark(&mut seen, 1)?;
                out.value = t.opt(Text::string)?;
            }
            key => t.other(key, &mut out.other)?,
        }
        Some(())
    })?;
    Some(out)
}

fn resource_group(t: &mut Text<'_>) -> Option<ResourceGroup> {
    let (mut id, mut seen) = (None, 0);
    let (mut scope_, mut meta_, mut name) = (Scopes::default(), None, None);
    t.object(|t, key| {
        match key {
            "id" => {
                mark(&mut seen, 0)?;
                id = Some(ResourceGroupId::from_wire(&t.str()?));
            }
            "scope" => {
                mark(&mut seen, 1)?;
                scope_ = match t.peek()? {
                    b'n' if t.null() => Scopes::default(),
                    b'{' => Scopes::One(scope(t)?),
                    _ => Scopes::Many(t.array(scope)?),
                };
            }
            "meta" => {
                mark(&mut seen, 2)?;
                meta_ = t.opt(meta)?;
            }
            "name" => {
                mark(&mut seen, 3)?;
                name = t.opt(Text::string)?;
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(ResourceGroup {
        id: id?,
        scope: scope_,
        meta: meta_,
        name,
    })
}

fn scope(t: &mut Text<'_>) -> Option<Scope> {
    let (mut key_, mut objects, mut seen) = (None, Vec::new(), 0);
    t.object(|t, key| {
        match key {
            "key" => {
                mark(&mut seen, 0)?;
                key_ = Some(t.string()?);
            }
            "objects" => {
                mark(&mut seen, 1)?;
                objects = t.list(scope_object)?;
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(Scope {
        key: key_?,
        objects,
    })
}

fn scope_object(t: &mut Text<'_>) -> Option<ScopeObject> {
    let (mut key_, mut seen) = (None, 0);
    t.object(|t, key| {
        match key {
            "key" => {
                mark(&mut seen, 0)?;
                key_ = Some(t.string()?);
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(ScopeObject { key: key_? })
}

fn role(t: &mut Text<'_>) -> Option<Role> {
    let mut seen = 0;
    let (mut id, mut description, mut name, mut permissions_) = (None, None, None, None);
    t.object(|t, key| {
        match key {
            "id" => {
                mark(&mut seen, 0)?;
                id = Some(RoleId::from_wire(&t.str()?));
            }
            "description" => {
                mark(&mut seen, 1)?;
                description = Some(t.string()?);
            }
            "name" => {
                mark(&mut seen, 2)?;
                name = Some(t.string()?);
            }
            "permissions" => {
                mark(&mut seen, 3)?;
                permissions_ = Some(match t.peek()? {
                    b'n' if t.null() => RolePermissions::default(),
                    b'{' => RolePermissions::Grants(permissions(t)?),
                    _ => RolePermissions::Legacy(t.array(Text::string)?),
                });
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(Role {
        id: id?,
        description: description?,
        name: name?,
        permissions: permissions_?,
    })
}

fn permissions(t: &mut Text<'_>) -> Option<Permissions> {
    let mut out = Permissions::default();
    let mut seen = 0;
    t.object(|t, key| {
        match GRANT_NAMES.iter().position(|name| *name == key) {
            Some(index) => {
                mark(&mut seen, u32::try_from(index).ok()?)?;
                *out.slot(index) = t.opt(grant)?;
            }
            None => t.other(key, &mut out.other)?,
        }
        Some(())
    })?;
    Some(out)
}

fn grant(t: &mut Text<'_>) -> Option<PermissionGrant> {
    let mut out = PermissionGrant::default();
    let mut seen = 0;
    t.object(|t, key| {
        match key {
            "read" => {
                mark(&mut seen, 0)?;
                out.read = t.opt(Text::bool)?;
            }
            "write" => {
                mark(&mut seen, 1)?;
                out.write = t.opt(Text::bool)?;
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::*;

    const SEED: &str = include_str!("../../../../fixtures/responses/update-member-seed.json");
    const PAGE: &str = include_str!("../../../../fixtures/responses/list-members-page.json");

    /// What the reader gives for `text`, as `T`.
    fn ours<T: 'static>(text: &str) -> Option<T> {
        read::<T>(text.as_bytes())
    }

    /// `None` when the reader gave up, else whether it agrees with serde.
    fn agrees(text: &str) -> Option<Result<(), String>> {
        let one = ours::<Envelope<Member>>(text).map(|v| (Some(v), None));
        let many = ours::<Envelope<Vec<Member>>>(text).map(|v| (None, Some(v)));
        let (one, many) = one.or(many)?;
        let serde_one = serde_json::from_str::<Envelope<Member>>(text).ok();
        let serde_many = serde_json::from_str::<Envelope<Vec<Member>>>(text).ok();
        let page = ours::<Envelope<Option<Vec<Member>>>>(text);
        let serde_page = serde_json::from_str::<Envelope<Option<Vec<Member>>>>(text).ok();
        if one.is_some() && one != serde_one
            || many.is_some() && many != serde_many
            || page.is_some() && page != serde_page
            || page.is_some() != ours::<Envelope<Vec<Member>>>(text).is_some()
        {
            return Some(Err(format!(
                "the reader and serde differ on {text}: {one:?} {many:?} / {serde_one:?} {serde_many:?}"
            )));
        }
        Some(Ok(()))
    }

    #[test]
    fn reads_the_fixtures_as_serde_does() {
        let seed: Envelope<Member> = ours(SEED).expect("the seed is in the subset");
        assert_eq!(
            seed,
            serde_json::from_str::<Envelope<Member>>(SEED).unwrap()
        );
        assert_eq!(seed.result.unwrap().policies.len(), 1);
        let page: Envelope<Vec<Member>> = ours(PAGE).expect("the page is in the subset");
        assert_eq!(page, serde_json::from_str(PAGE).unwrap());
        assert!(page.result_info.is_some());
        // Not a type it reads.
        assert!(ours::<Envelope<Role>>(SEED).is_none());
        // Failures as the API sends them: an error chain, a wide code with
        // a `type`, `result: []` (a list's empty page).
        let chain = include_str!("../../../../fixtures/responses/failure-error-chain.json");
        let one: Envelope<Member> = ours(chain).expect("an error chain is in the subset");
        assert_eq!(one, serde_json::from_str(chain).unwrap());
        assert_eq!(one.errors[0].error_chain.len(), 1);
        let wide = include_str!("../../../../fixtures/responses/failure-wide-code.json");
        let page: Envelope<Vec<Member>> =
            ours(wide).expect("a failure with `type` is in the subset");
        assert_eq!(page, serde_json::from_str(wide).unwrap());
        assert_eq!(page.errors[0].other["type"], "conflict");
    }

    #[test]
    fn gives_up_where_serde_keeps_or_refuses() {
        for text in [
            // A duplicate key inside a value kept in an `other` map, and
            // serde_json's marker for a raw value.
            r#"{"success":true,"errors":[{"code":1,"message":"m","x":{"a":1,"a":2}}]}"#,
            r#"{"success":true,"errors":[{"code":1,"x":{"$serde_json::private::RawValue":"1"}}]}"#,
            // Refused by serde: duplicate, wrong type, missing required.
            r#"{"success":true,"success":true}"#,
            r#"{"success":true,"result":{"email":1}}"#,
            r#"{"success":true,"result":{"user":{"id":"u"}}}"#,
            r#"{"result":{}}"#,
            // Ignored by serde, but perhaps a field this reader lacks.
            r#"{"success":true,"result":{"id":"a","new_field":1}}"#,
            r#"{"success":true,"new_field":1}"#,
            // Accepted by serde in a shape this reader leaves to it.
            r#"{"success":true,"result":{"user":["a@b.c"]}}"#,
            // Numbers serde_json reads as floats, in any position.
            r#"{"success":true,"errors":[{"code":1.0,"message":"m"}]}"#,
            r#"{"success":true,"errors":[{"code":1,"message":"m","n":2.5}]}"#,
            r#"{"success":true,"errors":[{"code":1,"message":"m","n":1e3}]}"#,
            r#"{"success":true,"errors":[{"code":1,"message":"m","n":-0}]}"#,
            r#"{"success":true,"errors":[{"code":1,"message":"m","n":18446744073709551616}]}"#,
            r#"{"success":true,"errors":[{"code":1,"message":"m","n":-9223372036854775809}]}"#,
            // Half a surrogate pair.
            r#"{"success":true,"result":{"email":"\ud83d"}}"#,
            r#"{"success":true,"result":{"email":"\ude00"}}"#,
            r#"{"success":true,"result":{"email":"\ud83d\u0041"}}"#,
            // Not JSON.
            r#"{"success":true,"errors":[{"code":01,"message":"m"}]}"#,
            r#"{"success":true,"errors":[{"code":-,"message":"m"}]}"#,
            r#"{"success":true,"result":{"email":"a\x"}}"#,
            r#"{"success":true,"result":{"email":"a\u00g0"}}"#,
            "{\"success\":true,\"result\":{\"email\":\"a\tb\"}}",
            "\u{feff}{\"success\":true}",
            r#"{"success":true} x"#,
            r#"{"success":true,}"#,
            r#"{"success":true "errors":[]}"#,
            r#"{"success":true,"errors":[,]}"#,
            r#"{"success":true,"errors":[{"code":1,"message":"m"},]}"#,
            r#"{"success":tru}"#,
            r#"{"success":true"#,
            r#"{success:true}"#,
            r#"{'success':true}"#,
            "",
        ] {
            assert!(ours::<Envelope<Member>>(text).is_none(), "{text}");
            // The whole decoder still gives serde_json's answer.
            let whole = crate::json::from_slice::<Envelope<Member>>(text.as_bytes());
            let serde = serde_json::from_str::<Envelope<Member>>(text);
            assert_eq!(whole.as_ref().ok(), serde.as_ref().ok(), "{text}");
        }
        let bytes = b"{\"success\":true,\"result\":{\"email\":\"\xff\"}}";
        assert!(read::<Envelope<Member>>(bytes).is_none());
        // Too deep for this reader, not for serde_json.
        let nested = |depth: usize| {
            format!(
                r#"{{"success":true,"errors":[{{"code":1,"message":"m","n":{}{}}}]}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            )
        };
        let deep = nested(MAX_DEPTH + 1);
        assert!(ours::<Envelope<Member>>(&deep).is_none());
        assert!(serde_json::from_str::<Envelope<Member>>(&deep).is_ok());
        let shallow = nested(MAX_DEPTH);
        assert!(ours::<Envelope<Member>>(&shallow).is_some());
    }

    #[test]
    fn keeps_other_keys_as_serde_does() {
        for text in [
            r#"{"success":true,"errors":[{"code":1,"message":"m","type":"x","n":[1,-2,0,-9223372036854775808,18446744073709551615,{"k":null}]}]}"#,
            r#"{"success":true,"errors":[{"code":1,"message":"m\u00e9\ud83d\ude00\n\/","\u0074ype":"x","e\"":"\\"}]}"#,
            r#"{"success":true,"result":{"roles":[{"id":"r","name":"n","description":"d","permissions":{"new_area":{"read":true},"dns":null}}]}}"#,
            r#"{"success":true,"result":{"policies":[{"permission_groups":[{"id":"p","meta":{"description":"Can edit DNS records.","editable":"false","label":"dns_admin","scopes":"com.cloudflare.api.account","label":"last"}}]}]}}"#,
            r#"{"success":true,"messages":[{"code":2,"source":{"pointer":"/x","parameter":"y"}}]}"#,
        ] {
            let ours: Envelope<Member> = ours(text).expect(text);
            assert_eq!(ours, serde_json::from_str(text).unwrap(), "{text}");
        }
    }

    /// Every object and array of `value`, by JSON pointer.
    fn containers(value: &Value, at: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                out.push(at.to_owned());
                for (k, v) in map {
                    containers(v, &format!("{at}/{k}"), out);
                }
            }
            Value::Array(items) => {
                out.push(at.to_owned());
                for (i, v) in items.iter().enumerate() {
                    containers(v, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    fn replacements() -> Vec<Value> {
        vec![
            Value::Null,
            json!(true),
            json!(0),
            json!(-3),
            json!(2.0),
            json!(2.5),
            json!(u64::MAX),
            json!("x"),
            json!(" 7 "),
            json!("accepted"),
            json!([]),
            json!([null]),
            json!(["#zones:read"]),
            json!({}),
            json!({"key": "k"}),
            json!({"read": true, "write": null}),
        ]
    }

    /// Every member fixture, with every value of every object replaced by
    /// each of a set of values, every key removed, an unknown key added to
    /// every object and every key duplicated: whatever the reader accepts,
    /// serde decodes to the same value.
    #[test]
    fn agrees_with_serde_on_variations() {
        let mut docs = Vec::new();
        for base in [SEED, PAGE] {
            let base: Value = serde_json::from_str(base).unwrap();
            let mut at = Vec::new();
            containers(&base, "", &mut at);
            for pointer in &at {
                let mut doc = base.clone();
                let target = doc.pointer_mut(pointer).unwrap();
                match target {
                    Value::Object(map) => {
                        let keys: Vec<String> = map.keys().cloned().collect();
                        for key in &keys {
                            for replacement in replacements() {
                                let mut doc = base.clone();
                                doc.pointer_mut(pointer).unwrap()[key.as_str()] = replacement;
                                docs.push(doc.to_string());
                            }
                            let mut doc = base.clone();
                            if let Value::Object(map) = doc.pointer_mut(pointer).unwrap() {
                                map.remove(key);
                            }
                            docs.push(doc.to_string());
                            // The key twice: once more, first, as text.
                            let text = base.pointer(pointer).unwrap().to_string();
                            let value = &map[key.as_str()];
                            let twice =
                                format!("{{{}:{value},{}", Value::String(key.clone()), &text[1..]);
                            docs.push(splice(&base, pointer, &twice));
                        }
                        map.insert("zz_unknown".into(), json!({"a": [1, {"b": null}]}));
                        docs.push(doc.to_string());
                    }
                    Value::Array(items) => {
                        items.clear();
                        docs.push(doc.to_string());
                        let mut doc = base.clone();
                        *doc.pointer_mut(pointer).unwrap() = Value::Object(Map::new());
                        docs.push(doc.to_string());
                    }
                    _ => {}
                }
            }
        }
        let mut accepted = 0;
        let mut failures = Vec::new();
        for doc in &docs {
            match agrees(doc) {
                Some(Ok(())) => accepted += 1,
                Some(Err(e)) => failures.push(e),
                None => {}
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // The reader is exercised, not merely giving up on everything.
        assert!(accepted * 5 > docs.len(), "{accepted} of {}", docs.len());
    }

    /// Every string of the seed (keys of `other` maps included) replaced by
    /// arbitrary text, escapes and non-ASCII included, and numbers by
    /// arbitrary numbers where the models take any: the reader still takes
    /// the document and agrees with serde.
    mod strings {
        use proptest::prelude::*;

        use super::*;

        fn strings_of(value: &Value, at: &str, out: &mut Vec<String>) {
            match value {
                Value::String(_) => out.push(at.to_owned()),
                Value::Object(map) => map
                    .iter()
                    .for_each(|(k, v)| strings_of(v, &format!("{at}/{k}"), out)),
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .for_each(|(i, v)| strings_of(v, &format!("{at}/{i}"), out)),
                _ => {}
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 256,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            #[test]
            fn any_text_reads_as_serde_reads_it(
                texts in prop::collection::vec(any::<String>(), 40),
                extra in any::<String>(),
                number in any::<i64>(),
                pretty in any::<bool>(),
            ) {
                // `extra` becomes an unknown key of an `other` map.
                prop_assume!(![
                    "code", "message", "documentation_url", "source", "error_chain", "key", "value",
                ]
                .contains(&extra.as_str()));
                let mut doc: Value = serde_json::from_str(SEED).unwrap();
                let mut at = Vec::new();
                strings_of(&doc, "", &mut at);
                for (pointer, text) in at.iter().zip(texts.iter().cycle()) {
                    *doc.pointer_mut(pointer).unwrap() = Value::String(text.clone());
                }
                doc["errors"][0][extra.as_str()] = json!([number, extra.clone()]);
                doc["result"]["policies"][0]["permission_groups"][0]["meta"][extra.as_str()] =
                    Value::String(extra.clone());
                let text = if pretty {
                    serde_json::to_string_pretty(&doc).unwrap()
                } else {
                    doc.to_string()
                };
                let serde: Envelope<Member> = serde_json::from_str(&text).unwrap();
                let read = ours::<Envelope<Member>>(&text);
                prop_assert!(read.is_some(), "gave up on {}", text);
                prop_assert_eq!(read.unwrap(), serde);
            }
        }
    }

    /// The fixtures' bytes, pretty and compact, with a few bytes replaced,
    /// inserted or removed (JSON's own characters most often): whatever
    /// the reader accepts, serde accepts too and decodes to the same value.
    mod edits {
        use proptest::prelude::*;

        use super::*;

        const ALPHABET: &[u8] =
            b"{}[],:\"\\ \n\t0123456789-+.eEnulltruefalsxyz/bfr\x00\x1f\x7f\xc3\xa9\xff";

        fn edit() -> impl Strategy<Value = (usize, u8, usize)> {
            // (where, which byte, what: replace, insert or remove)
            (any::<usize>(), prop::sample::select(ALPHABET), 0..3usize)
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 3000,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            #[test]
            fn edited_bytes_read_as_serde_reads_them(
                which in 0..4usize,
                edits in prop::collection::vec(edit(), 1..4),
            ) {
                let base = [SEED, PAGE][which % 2];
                let mut bytes = if which < 2 {
                    base.as_bytes().to_vec()
                } else {
                    serde_json::from_str::<Value>(base).unwrap().to_string().into_bytes()
                };
                for (at, byte, what) in edits {
                    let at = at % bytes.len();
                    match what {
                        0 => bytes[at] = byte,
                        1 => bytes.insert(at, byte),
                        _ => {
                            bytes.remove(at);
                        }
                    }
                }
                let serde_one = serde_json::from_slice::<Envelope<Member>>(&bytes).ok();
                if let Some(one) = read::<Envelope<Member>>(&bytes) {
                    prop_assert_eq!(Some(one), serde_one);
                }
                let serde_many = serde_json::from_slice::<Envelope<Vec<Member>>>(&bytes).ok();
                if let Some(many) = read::<Envelope<Vec<Member>>>(&bytes) {
                    prop_assert_eq!(Some(many), serde_many);
                }
                let serde_page = serde_json::from_slice::<Envelope<Option<Vec<Member>>>>(&bytes).ok();
                if let Some(page) = read::<Envelope<Option<Vec<Member>>>>(&bytes) {
                    prop_assert_eq!(Some(page), serde_page);
                }
            }
        }
    }

    /// `base` as text, with the value at `pointer` written as `text`.
    fn splice(base: &Value, pointer: &str, text: &str) -> String {
        const MARK: &str = "\u{1}splice\u{1}";
        let mut doc = base.clone();
        *doc.pointer_mut(pointer).unwrap() = Value::String(MARK.into());
        doc.to_string()
            .replace(&Value::String(MARK.into()).to_string(), text)
    }
}
