//! The member responses read straight from simd-json's tape.
//!
//! Reading a member through serde costs about as much as simd-json's parse
//! itself (issue 16's profile): every key and value goes through a visitor.
//! The functions here walk the tape once and build the models directly, for
//! the responses the client decodes most: one member (`get`, `add`,
//! `update`) and a page of members (`list`).
//!
//! They read a **strict subset** of what the serde impls accept, and give
//! up (`None`) on anything else, so that the caller falls back to serde:
//! a struct written as an array, a duplicate key, a value of another type
//! than the usual one, and a key they do not know. (serde ignores unknown
//! keys of the derived structs; giving up instead means that a field added
//! to a model can never be dropped here, only slow its responses down until
//! it is read here too.) Keys the models keep in `other` maps are kept as
//! serde keeps them. A change to a model's serde attributes must be
//! mirrored here. Whatever they
//! accept, they decode to exactly what serde gives (tested against serde on
//! every fixture and thousands of variations of them,
//! `tests::agrees_with_serde_on_variations`), so the fast path never
//! changes a result, only its cost.

use std::any::Any;
use std::collections::BTreeMap;

use serde_json::Value;

use simd_json::{Node, StaticNode};

use crate::enums::{Access, MemberStatus};
use crate::envelope::{Cursors, Envelope, ResponseInfo, ResultInfo, Source};
use crate::ids::{MemberId, PermissionGroupId, PolicyId, ResourceGroupId, RoleId, UserId};
use crate::member::{Member, Meta, Policy, Scope, ScopeObject, Scopes, User};
use crate::permission_group::PermissionGroup;
use crate::resource_group::ResourceGroup;
use crate::role::{PermissionGrant, Permissions, Role, RolePermissions, GRANT_NAMES};
use crate::serde_util::integral;

/// `T` read from the tape here, when `T` is one of the types this module
/// reads and the document is in the subset it reads; `None` otherwise (the
/// caller then asks serde).
pub(super) fn read<T: 'static>(nodes: &[Node<'_>]) -> Option<T> {
    let mut out: Option<T> = None;
    let slot: &mut dyn Any = &mut out;
    if let Some(slot) = slot.downcast_mut::<Option<Envelope<Member>>>() {
        *slot = member_envelope(nodes);
    } else if let Some(slot) = slot.downcast_mut::<Option<Envelope<Vec<Member>>>>() {
        *slot = members_envelope(nodes);
    } else if let Some(slot) = slot.downcast_mut::<Option<Envelope<Option<Vec<Member>>>>>() {
        // How the client reads a page (`null` and absent alike are `None`).
        *slot = members_envelope(nodes).map(|page| Envelope {
            success: page.success,
            errors: page.errors,
            messages: page.messages,
            result: page.result.map(Some),
            result_info: page.result_info,
        });
    }
    out
}

/// `Envelope<Member>` from a whole document's tape, or `None`.
pub(super) fn member_envelope(nodes: &[Node<'_>]) -> Option<Envelope<Member>> {
    whole(nodes, |t| envelope(t, member))
}

/// `Envelope<Vec<Member>>` from a whole document's tape, or `None`.
pub(super) fn members_envelope(nodes: &[Node<'_>]) -> Option<Envelope<Vec<Member>>> {
    whole(nodes, |t| envelope(t, |t| t.array(member)))
}

/// Reads one value that must span the whole tape.
fn whole<'i, T>(
    nodes: &[Node<'i>],
    read: impl FnOnce(&mut Tape<'_, 'i>) -> Option<T>,
) -> Option<T> {
    let mut tape = Tape { nodes, at: 0 };
    let value = read(&mut tape)?;
    (tape.at == nodes.len()).then_some(value)
}

/// A cursor over the tape.
struct Tape<'t, 'i> {
    nodes: &'t [Node<'i>],
    at: usize,
}

impl<'i> Tape<'_, 'i> {
    fn next(&mut self) -> Option<Node<'i>> {
        let node = *self.nodes.get(self.at)?;
        self.at += 1;
        Some(node)
    }

    /// Consumes a `null` if one is next.
    fn null(&mut self) -> bool {
        let is_null = matches!(
            self.nodes.get(self.at),
            Some(Node::Static(StaticNode::Null))
        );
        if is_null {
            self.at += 1;
        }
        is_null
    }

    /// An object's number of keys.
    fn object(&mut self) -> Option<usize> {
        match self.next()? {
            Node::Object { len, .. } => Some(len),
            _ => None,
        }
    }

    fn str(&mut self) -> Option<&'i str> {
        match self.next()? {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }

    fn bool(&mut self) -> Option<bool> {
        match self.next()? {
            Node::Static(StaticNode::Bool(b)) => Some(b),
            _ => None,
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
        let Node::Array { len, .. } = self.next()? else {
            return None;
        };
        let mut items = Vec::with_capacity(len);
        for _ in 0..len {
            items.push(read(self)?);
        }
        Some(items)
    }

    /// `null_as_empty`: an array, or `null` for none.
    fn list<T>(&mut self, read: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        if self.null() {
            Some(Vec::new())
        } else {
            self.array(read)
        }
    }

    /// A `serde_json::Value`, as serde_json's own visitor builds it from
    /// the tape; `None` for an object with a duplicate key (serde_json
    /// keeps the last one, and `preserve_order` the first one's place).
    fn value(&mut self) -> Option<Value> {
        Some(match self.next()? {
            Node::String(s) => Value::String(s.to_owned()),
            Node::Static(StaticNode::Null) => Value::Null,
            Node::Static(StaticNode::Bool(b)) => Value::Bool(b),
            Node::Static(StaticNode::I64(v)) => Value::from(v),
            Node::Static(StaticNode::U64(v)) => Value::from(v),
            Node::Static(StaticNode::F64(v)) => {
                serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
            }
            Node::Array { len, .. } => {
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(self.value()?);
                }
                Value::Array(items)
            }
            Node::Object { len, .. } => {
                let mut map = serde_json::Map::new();
                for _ in 0..len {
                    let key = self.str()?;
                    // serde_json's private markers (`raw_value`'s,
                    // `arbitrary_precision`'s) make its visitor read the
                    // object another way.
                    if key.starts_with("$serde_json::private::") {
                        return None;
                    }
                    let key = key.to_owned();
                    let value = self.value()?;
                    if map.insert(key, value).is_some() {
                        return None;
                    }
                }
                Value::Object(map)
            }
            #[allow(
                unreachable_patterns,
                reason = "simd-json's `128bit` feature adds variants"
            )]
            _ => return None,
        })
    }

    /// An unknown key's value, kept in an `other` map as serde's
    /// hand-written visitors do (the last of duplicate unknown keys wins).
    fn other(&mut self, key: &str, other: &mut BTreeMap<String, Value>) -> Option<()> {
        let value = self.value()?;
        other.insert(key.to_owned(), value);
        Some(())
    }

    /// `lenient_i64`: an integer, or an integer-valued float.
    fn int(&mut self) -> Option<i64> {
        match self.next()? {
            Node::Static(StaticNode::I64(v)) => Some(v),
            Node::Static(StaticNode::U64(v)) => i64::try_from(v).ok(),
            Node::Static(StaticNode::F64(v)) => integral(v),
            _ => None,
        }
    }

    /// `lenient_opt_u64`: `null`, or a non-negative [`int`](Self::int).
    fn opt_u64(&mut self) -> Option<Option<u64>> {
        self.opt(|t| u64::try_from(t.int()?).ok())
    }
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
    t: &mut Tape<'_, 'i>,
    mut result: impl FnMut(&mut Tape<'_, 'i>) -> Option<T>,
) -> Option<Envelope<T>> {
    let len = t.object()?;
    let (mut success, mut seen) = (None, 0);
    let mut out = Envelope::failure(Vec::new());
    for _ in 0..len {
        match t.str()? {
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
    }
    out.success = success?;
    Some(out)
}

fn response_info(t: &mut Tape<'_, '_>) -> Option<ResponseInfo> {
    let len = t.object()?;
    let (mut code, mut seen) = (None, 0);
    let mut out = ResponseInfo::new(0, String::new());
    for _ in 0..len {
        match t.str()? {
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
                out.documentation_url = t.opt(Tape::string)?;
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
    }
    out.code = code?;
    Some(out)
}

fn source(t: &mut Tape<'_, '_>) -> Option<Source> {
    let len = t.object()?;
    let mut out = Source::default();
    let mut seen = 0;
    for _ in 0..len {
        match t.str()? {
            "pointer" => {
                mark(&mut seen, 0)?;
                out.pointer = t.opt(Tape::string)?;
            }
            key => t.other(key, &mut out.other)?,
        }
    }
    Some(out)
}

fn result_info(t: &mut Tape<'_, '_>) -> Option<ResultInfo> {
    let len = t.object()?;
    let mut out = ResultInfo::default();
    let mut seen = 0;
    for _ in 0..len {
        match t.str()? {
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
                out.count = t.opt(|t| match t.nodes.get(t.at)? {
                    Node::String(s) => {
                        t.at += 1;
                        s.trim().parse().ok()
                    }
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
                out.cursor = t.opt(Tape::string)?;
            }
            "cursors" => {
                mark(&mut seen, 6)?;
                out.cursors = t.opt(cursors)?;
            }
            _ => return None,
        }
    }
    Some(out)
}

fn cursors(t: &mut Tape<'_, '_>) -> Option<Cursors> {
    let len = t.object()?;
    let mut out = Cursors::default();
    let mut seen = 0;
    for _ in 0..len {
        match t.str()? {
            "after" => {
                mark(&mut seen, 0)?;
                out.after = t.opt(Tape::string)?;
            }
            "before" => {
                mark(&mut seen, 1)?;
                out.before = t.opt(Tape::string)?;
            }
            _ => return None,
        }
    }
    Some(out)
}

fn member(t: &mut Tape<'_, '_>) -> Option<Member> {
    let len = t.object()?;
    let mut out = Member::default();
    let mut seen = 0;
    for _ in 0..len {
        match t.str()? {
            "id" => {
                mark(&mut seen, 0)?;
                out.id = t.opt(|t| t.str().map(MemberId::from_wire))?;
            }
            "email" => {
                mark(&mut seen, 1)?;
                out.email = t.opt(Tape::string)?;
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
                out.status = t.opt(|t| t.str().map(MemberStatus::from_wire))?;
            }
            "user" => {
                mark(&mut seen, 5)?;
                out.user = t.opt(user)?;
            }
            _ => return None,
        }
    }
    Some(out)
}

fn user(t: &mut Tape<'_, '_>) -> Option<User> {
    let len = t.object()?;
    let (mut email, mut seen) = (None, 0);
    let mut out = User::default();
    for _ in 0..len {
        match t.str()? {
            "email" => {
                mark(&mut seen, 0)?;
                email = Some(t.string()?);
            }
            "id" => {
                mark(&mut seen, 1)?;
                out.id = t.opt(|t| t.str().map(UserId::from_wire))?;
            }
            "first_name" => {
                mark(&mut seen, 2)?;
                out.first_name = t.opt(Tape::string)?;
            }
            "last_name" => {
                mark(&mut seen, 3)?;
                out.last_name = t.opt(Tape::string)?;
            }
            "two_factor_authentication_enabled" => {
                mark(&mut seen, 4)?;
                out.two_factor_authentication_enabled = t.opt(Tape::bool)?;
            }
            _ => return None,
        }
    }
    out.email = email?;
    Some(out)
}

fn policy(t: &mut Tape<'_, '_>) -> Option<Policy> {
    let len = t.object()?;
    let mut out = Policy::default();
    let mut seen = 0;
    for _ in 0..len {
        match t.str()? {
            "id" => {
                mark(&mut seen, 0)?;
                out.id = t.opt(|t| t.str().map(PolicyId::from_wire))?;
            }
            "access" => {
                mark(&mut seen, 1)?;
                out.access = t.opt(|t| t.str().map(Access::from_wire))?;
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
    }
    Some(out)
}

fn permission_group(t: &mut Tape<'_, '_>) -> Option<PermissionGroup> {
    let len = t.object()?;
    let (mut id, mut seen) = (None, 0);
    let (mut meta_, mut name, mut status, mut created_on, mut modified_on) =
        (None, None, None, None, None);
    for _ in 0..len {
        match t.str()? {
            "id" => {
                mark(&mut seen, 0)?;
                id = Some(PermissionGroupId::from_wire(t.str()?));
            }
            "meta" => {
                mark(&mut seen, 1)?;
                meta_ = t.opt(meta)?;
            }
            "name" => {
                mark(&mut seen, 2)?;
                name = t.opt(Tape::string)?;
            }
            "status" => {
                mark(&mut seen, 3)?;
                status = t.opt(Tape::string)?;
            }
            "created_on" => {
                mark(&mut seen, 4)?;
                created_on = t.opt(Tape::string)?;
            }
            "modified_on" => {
                mark(&mut seen, 5)?;
                modified_on = t.opt(Tape::string)?;
            }
            _ => return None,
        }
    }
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
fn meta(t: &mut Tape<'_, '_>) -> Option<Meta> {
    let len = t.object()?;
    let mut out = Meta::default();
    let mut seen = 0;
    for _ in 0..len {
        match t.str()? {
            "key" => {
                mark(&mut seen, 0)?;
                out.key = t.opt(Tape::string)?;
            }
            "value" => {
                mark(&mut seen, 1)?;
                out.value = t.opt(Tape::string)?;
            }
            key => t.other(key, &mut out.other)?,
        }
    }
    Some(out)
}

fn resource_group(t: &mut Tape<'_, '_>) -> Option<ResourceGroup> {
    let len = t.object()?;
    let (mut id, mut seen) = (None, 0);
    let (mut scope_, mut meta_, mut name) = (Scopes::default(), None, None);
    for _ in 0..len {
        match t.str()? {
            "id" => {
                mark(&mut seen, 0)?;
                id = Some(ResourceGroupId::from_wire(t.str()?));
            }
            "scope" => {
                mark(&mut seen, 1)?;
                scope_ = match t.nodes.get(t.at)? {
                    Node::Static(StaticNode::Null) => {
                        t.at += 1;
                        Scopes::default()
                    }
                    Node::Object { .. } => Scopes::One(scope(t)?),
                    _ => Scopes::Many(t.array(scope)?),
                };
            }
            "meta" => {
                mark(&mut seen, 2)?;
                meta_ = t.opt(meta)?;
            }
            "name" => {
                mark(&mut seen, 3)?;
                name = t.opt(Tape::string)?;
            }
            _ => return None,
        }
    }
    Some(ResourceGroup {
        id: id?,
        scope: scope_,
        meta: meta_,
        name,
    })
}

fn scope(t: &mut Tape<'_, '_>) -> Option<Scope> {
    let len = t.object()?;
    let (mut key, mut objects, mut seen) = (None, Vec::new(), 0);
    for _ in 0..len {
        match t.str()? {
            "key" => {
                mark(&mut seen, 0)?;
                key = Some(t.string()?);
            }
            "objects" => {
                mark(&mut seen, 1)?;
                objects = t.list(scope_object)?;
            }
            _ => return None,
        }
    }
    Some(Scope { key: key?, objects })
}

fn scope_object(t: &mut Tape<'_, '_>) -> Option<ScopeObject> {
    let len = t.object()?;
    let (mut key, mut seen) = (None, 0);
    for _ in 0..len {
        match t.str()? {
            "key" => {
                mark(&mut seen, 0)?;
                key = Some(t.string()?);
            }
            _ => return None,
        }
    }
    Some(ScopeObject { key: key? })
}

fn role(t: &mut Tape<'_, '_>) -> Option<Role> {
    let len = t.object()?;
    let mut seen = 0;
    let (mut id, mut description, mut name, mut permissions_) = (None, None, None, None);
    for _ in 0..len {
        match t.str()? {
            "id" => {
                mark(&mut seen, 0)?;
                id = Some(RoleId::from_wire(t.str()?));
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
                permissions_ = Some(match t.nodes.get(t.at)? {
                    Node::Static(StaticNode::Null) => {
                        t.at += 1;
                        RolePermissions::default()
                    }
                    Node::Object { .. } => RolePermissions::Grants(permissions(t)?),
                    _ => RolePermissions::Legacy(t.array(Tape::string)?),
                });
            }
            _ => return None,
        }
    }
    Some(Role {
        id: id?,
        description: description?,
        name: name?,
        permissions: permissions_?,
    })
}

fn permissions(t: &mut Tape<'_, '_>) -> Option<Permissions> {
    let len = t.object()?;
    let mut out = Permissions::default();
    let mut seen = 0;
    for _ in 0..len {
        let key = t.str()?;
        match GRANT_NAMES.iter().position(|name| *name == key) {
            Some(index) => {
                mark(&mut seen, u32::try_from(index).ok()?)?;
                *out.slot(index) = t.opt(grant)?;
            }
            None => t.other(key, &mut out.other)?,
        }
    }
    Some(out)
}

fn grant(t: &mut Tape<'_, '_>) -> Option<PermissionGrant> {
    let len = t.object()?;
    let mut out = PermissionGrant::default();
    let mut seen = 0;
    for _ in 0..len {
        match t.str()? {
            "read" => {
                mark(&mut seen, 0)?;
                out.read = t.opt(Tape::bool)?;
            }
            "write" => {
                mark(&mut seen, 1)?;
                out.write = t.opt(Tape::bool)?;
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::*;

    const SEED: &str = include_str!("../../../../fixtures/responses/update-member-seed.json");
    const PAGE: &str = include_str!("../../../../fixtures/responses/list-members-page.json");

    /// What the tape reader gives for `text`, as `T`.
    fn ours<T: 'static>(text: &str) -> Option<T> {
        let mut bytes = text.as_bytes().to_vec();
        let tape = simd_json::to_tape(&mut bytes).ok()?;
        read::<T>(&tape.0)
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
                "the tape reader and serde differ on {text}: {one:?} {many:?} / {serde_one:?} {serde_many:?}"
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
        ] {
            assert!(ours::<Envelope<Member>>(text).is_none(), "{text}");
        }
    }

    #[test]
    fn keeps_other_keys_as_serde_does() {
        for text in [
            r#"{"success":true,"errors":[{"code":1,"message":"m","type":"x","n":[1,-2,2.5,18446744073709551615,{"k":null}]}]}"#,
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

    /// `base` as text, with the value at `pointer` written as `text`.
    fn splice(base: &Value, pointer: &str, text: &str) -> String {
        const MARK: &str = "\u{1}splice\u{1}";
        let mut doc = base.clone();
        *doc.pointer_mut(pointer).unwrap() = Value::String(MARK.into());
        doc.to_string()
            .replace(&Value::String(MARK.into()).to_string(), text)
    }
}
