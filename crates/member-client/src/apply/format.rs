//! The changes-file format, defined once: the ops, the fields each op takes
//! and needs, how an entry becomes a [`Change`], and the messages for an
//! entry that breaks a rule. `Change`'s `Serialize` and `Deserialize` follow
//! it, and so does every reader of another syntax (the CLI's CSV): such a
//! reader only turns its rows into entries (a map from [`ChangeField::key`]
//! to a JSON value, each value shaped as [`ChangeField::shape`] says) and
//! names the fields its own way in messages ([`FieldNames`]).
//!
//! A new op: a [`ChangeOp`] variant, its row in `RULES` (and its place in
//! `rule`), its arm in `build`
//! and in `Serialize for Change`, and its `Change` variant. A new field: a
//! [`ChangeField`] variant (key and shape), the ops' rows that take it, and
//! its decoding in `build`.

use std::fmt;

use member_types::json::{kind_of, shorten};
use member_types::{CreateAccess, InviteStatus, MemberId, ValidationError};

#[cfg(doc)]
use member_types::UserGroupId;
use serde::de::{self, Deserialize, Deserializer};
use serde::ser::{self, Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::named::{NamedAccess, NamedChange, NamedPolicy};
use super::{Change, MemberRef};

/// The kind of a [`Change`]: the `op` of a changes-file entry.
///
/// ```
/// use member_client::{ChangeField, ChangeOp};
/// assert_eq!(ChangeOp::from_name("set_roles"), Some(ChangeOp::SetRoles));
/// assert_eq!(ChangeOp::Remove.fields(), [ChangeField::Op, ChangeField::Id, ChangeField::Email]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChangeOp {
    /// [`Change::SetRoles`].
    SetRoles,
    /// [`Change::SetPolicies`].
    SetPolicies,
    /// [`Change::AddRoles`].
    AddRoles,
    /// [`Change::RemoveRoles`].
    RemoveRoles,
    /// [`Change::Add`].
    Add,
    /// [`Change::Remove`].
    Remove,
    /// [`Change::AddToGroup`].
    AddToGroup,
    /// [`Change::RemoveFromGroup`].
    RemoveFromGroup,
}

impl ChangeOp {
    /// Every op, in the order messages list them.
    pub const ALL: [ChangeOp; 8] = [
        Self::SetRoles,
        Self::SetPolicies,
        Self::AddRoles,
        Self::RemoveRoles,
        Self::Add,
        Self::Remove,
        Self::AddToGroup,
        Self::RemoveFromGroup,
    ];

    /// The name in a changes file: `set_roles`, `set_policies`,
    /// `add_roles`, `remove_roles`, `add`, `remove`, `add_to_group`,
    /// `remove_from_group`.
    pub fn as_str(self) -> &'static str {
        self.rule().name
    }

    /// The op called `name` in a changes file.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.as_str() == name)
    }

    /// The fields an entry with this op may hold, in the order messages
    /// list them.
    pub fn fields(self) -> &'static [ChangeField] {
        self.rule().takes
    }

    fn rule(self) -> &'static Rule {
        match self {
            Self::SetRoles => &RULES[0],
            Self::SetPolicies => &RULES[1],
            Self::AddRoles => &RULES[2],
            Self::RemoveRoles => &RULES[3],
            Self::Add => &RULES[4],
            Self::Remove => &RULES[5],
            Self::AddToGroup => &RULES[6],
            Self::RemoveFromGroup => &RULES[7],
        }
    }
}

impl fmt::Display for ChangeOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A field of a changes-file entry.
///
/// ```
/// use member_client::{ChangeField, FieldShape};
/// assert_eq!(ChangeField::from_key("roles"), Some(ChangeField::Roles));
/// assert_eq!(ChangeField::Roles.shape(), FieldShape::List);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChangeField {
    /// `op`: what to do (a [`ChangeOp`]); may be left out when `roles` or
    /// `policies` says it.
    Op,
    /// `id`: the member, by membership id.
    Id,
    /// `email`: the member, by email (the only way to name a member to add).
    Email,
    /// `roles`: role ids.
    Roles,
    /// `policies`: policies, as the API takes them.
    Policies,
    /// `status`: `pending` or `accepted`, for an add.
    Status,
    /// `group`: a user group, by name or id (for `add_to_group` and
    /// `remove_from_group`).
    Group,
}

impl ChangeField {
    /// Every field, in the order messages list them.
    pub const ALL: [ChangeField; 7] = [
        Self::Op,
        Self::Id,
        Self::Email,
        Self::Roles,
        Self::Policies,
        Self::Status,
        Self::Group,
    ];

    /// The JSON key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Op => "op",
            Self::Id => "id",
            Self::Email => "email",
            Self::Roles => "roles",
            Self::Policies => "policies",
            Self::Status => "status",
            Self::Group => "group",
        }
    }

    /// The field whose JSON key is `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.key() == key)
    }

    /// How the value is written.
    pub fn shape(self) -> FieldShape {
        match self {
            Self::Op | Self::Id | Self::Email | Self::Status | Self::Group => FieldShape::Text,
            Self::Roles => FieldShape::List,
            Self::Policies => FieldShape::Json,
        }
    }
}

/// How a field's value is written in an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldShape {
    /// A JSON string.
    Text,
    /// A JSON array of strings (in a CSV cell: separated by `;`).
    List,
    /// Any JSON (in a CSV cell: the JSON text).
    Json,
}

/// How a syntax names the fields in messages: JSON keys (`"roles"`), CSV
/// columns (`roles`, `member_id`), …
pub trait FieldNames {
    /// What a field is called: `key`, `column`.
    fn noun(&self) -> &'static str;
    /// How the field with the JSON key `key` (a [`ChangeField::key`], or a
    /// key no field has) is written in a message.
    fn name(&self, key: &str) -> String;
}

/// Fields as JSON keys, quoted: `key "roles"`. [`EntryError`]'s `Display`
/// uses these.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonKeys;

impl FieldNames for JsonKeys {
    fn noun(&self) -> &'static str {
        "key"
    }

    fn name(&self, key: &str) -> String {
        format!("{key:?}")
    }
}

/// How an op names its member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Naming {
    /// By id or by email, exactly one of them.
    IdOrEmail,
    /// By email: a member to add has no id yet.
    NewEmail,
}

/// The access an op needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Needs {
    Roles,
    Policies,
    RolesOrPolicies,
    /// A user group (`group`).
    Group,
    Nothing,
}

/// One op's rules.
struct Rule {
    name: &'static str,
    takes: &'static [ChangeField],
    naming: Naming,
    needs: Needs,
}

/// The ops' rules, in [`ChangeOp::ALL`]'s order.
const RULES: [Rule; 8] = {
    use ChangeField::{Email, Group, Id, Op, Policies, Roles, Status};
    [
        Rule {
            name: "set_roles",
            takes: &[Op, Id, Email, Roles],
            naming: Naming::IdOrEmail,
            needs: Needs::Roles,
        },
        Rule {
            name: "set_policies",
            takes: &[Op, Id, Email, Policies],
            naming: Naming::IdOrEmail,
            needs: Needs::Policies,
        },
        Rule {
            name: "add_roles",
            takes: &[Op, Id, Email, Roles],
            naming: Naming::IdOrEmail,
            needs: Needs::Roles,
        },
        Rule {
            name: "remove_roles",
            takes: &[Op, Id, Email, Roles],
            naming: Naming::IdOrEmail,
            needs: Needs::Roles,
        },
        Rule {
            name: "add",
            takes: &[Op, Email, Roles, Policies, Status],
            naming: Naming::NewEmail,
            needs: Needs::RolesOrPolicies,
        },
        Rule {
            name: "remove",
            takes: &[Op, Id, Email],
            naming: Naming::IdOrEmail,
            needs: Needs::Nothing,
        },
        Rule {
            name: "add_to_group",
            takes: &[Op, Id, Email, Group],
            naming: Naming::IdOrEmail,
            needs: Needs::Group,
        },
        Rule {
            name: "remove_from_group",
            takes: &[Op, Id, Email, Group],
            naming: Naming::IdOrEmail,
            needs: Needs::Group,
        },
    ]
};

/// Why a changes-file entry is not a [`Change`]. [`message`](Self::message)
/// names the fields as the file's syntax does; `Display` uses JSON keys.
///
/// ```
/// use member_client::{Change, JsonKeys};
/// let entry = serde_json::json!({"op": "grant", "email": "a@example.com"});
/// let error = Change::from_entry(entry.as_object().unwrap()).unwrap_err();
/// assert_eq!(
///     error.message(&JsonKeys),
///     r#"unknown "op" "grant": expected set_roles, set_policies, add_roles, remove_roles, add, remove, add_to_group or remove_from_group"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryError(Broken);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Broken {
    UnknownOp(String),
    OpNotText(&'static str),
    BothAccesses,
    NothingToDo,
    GroupWithoutOp,
    NotUsed(ChangeOp, String),
    NoNewEmail(ChangeOp),
    NotOneAccess(ChangeOp),
    MemberTwice,
    NoMember,
    Missing(ChangeOp, ChangeField),
    WrongType {
        field: ChangeField,
        expected: &'static str,
        found: String,
    },
    /// Item `index` of a list field broke a rule.
    Item {
        field: ChangeField,
        index: usize,
        message: String,
    },
    Invalid(ValidationError),
    /// A name where the reader takes ids only ([`Change::from_entry`]).
    NotExact(String),
}

impl EntryError {
    /// What is wrong, with the fields named by `names`.
    pub fn message(&self, names: &dyn FieldNames) -> String {
        let name = |field: ChangeField| names.name(field.key());
        let (op, roles, policies) = (
            name(ChangeField::Op),
            name(ChangeField::Roles),
            name(ChangeField::Policies),
        );
        let (id, email) = (name(ChangeField::Id), name(ChangeField::Email));
        match &self.0 {
            Broken::UnknownOp(found) => {
                format!("unknown {op} {:?}: expected {}", shorten(found), op_list())
            }
            Broken::OpNotText(found) => {
                format!("{op} must be a string ({}), found {found}", op_list())
            }
            Broken::BothAccesses => format!(
                "both {roles} and {policies}: a member has either roles or policies, give one"
            ),
            Broken::NothingToDo => {
                format!("no {op} and neither {roles} nor {policies}: say what to do")
            }
            Broken::GroupWithoutOp => format!(
                "{} without {op}: say {} or {}",
                name(ChangeField::Group),
                ChangeOp::AddToGroup,
                ChangeOp::RemoveFromGroup
            ),
            Broken::NotUsed(change_op, key) => not_used(names, *change_op, key),
            Broken::NoNewEmail(change_op) => format!("{change_op} needs the new member's {email}"),
            Broken::NotOneAccess(change_op) => {
                format!("{change_op} needs either {roles} or {policies} (one of them)")
            }
            Broken::MemberTwice => {
                format!("names the member twice: give {email} or {id}, not both")
            }
            Broken::NoMember => format!("names no member: give {email} or {id}"),
            Broken::Missing(change_op, field) => format!("{change_op} needs {}", name(*field)),
            Broken::WrongType {
                field,
                expected,
                found,
            } => format!("{} must be {expected}, found {found}", name(*field)),
            Broken::Item {
                field,
                index,
                message,
            } => format!("{}[{index}]: {message}", name(*field)),
            Broken::Invalid(error) => error.to_string(),
            Broken::NotExact(message) => message.clone(),
        }
    }
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(&JsonKeys))
    }
}

impl std::error::Error for EntryError {}

impl From<Broken> for EntryError {
    fn from(broken: Broken) -> Self {
        Self(broken)
    }
}

fn op_list() -> String {
    let names: Vec<&str> = ChangeOp::ALL.iter().map(|op| op.as_str()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// `key "rolse" is not used by set_roles; set_roles takes "op", …`, with
/// the reason when the key belongs to another way of doing it.
fn not_used(names: &dyn FieldNames, op: ChangeOp, key: &str) -> String {
    let rule = op.rule();
    let why = match (ChangeField::from_key(key), rule.needs) {
        (Some(ChangeField::Id), _) if rule.naming == Naming::NewEmail => {
            " (a member to add has no id yet: name it by email)"
        }
        (Some(ChangeField::Policies), Needs::Roles)
        | (Some(ChangeField::Roles), Needs::Policies) => " (a member has either roles or policies)",
        _ => "",
    };
    let takes: Vec<String> = rule.takes.iter().map(|f| names.name(f.key())).collect();
    format!(
        "{} {} is not used by {op}{why}; {op} takes {}",
        names.noun(),
        names.name(&shorten(key)),
        takes.join(", ")
    )
}

impl Change {
    /// Reads one changes-file entry: a map from [`ChangeField::key`]s to
    /// values. The checks, in order: the op (`op`, or else `roles` or
    /// `policies` alone says `set_roles` or `set_policies`); no key the op
    /// does not take; the member named once (by email only for an add); the
    /// access the op needs; then each value, and
    /// [`validate`](Self::validate).
    ///
    /// # Errors
    /// The first rule broken.
    ///
    /// ```
    /// use member_client::{Change, MemberRef};
    /// let entry = serde_json::json!({"email": "a@example.com", "roles": ["05784afa30c1afe1440e79d9351c7430"]});
    /// let change = Change::from_entry(entry.as_object().unwrap())?;
    /// assert_eq!(change.op(), "set_roles");
    /// assert_eq!(change.member(), MemberRef::email("a@example.com"));
    /// # Ok::<(), member_client::EntryError>(())
    /// ```
    pub fn from_entry(entry: &Map<String, Value>) -> Result<Self, EntryError> {
        let change = read_entry(entry)?;
        change.validate().map_err(Broken::Invalid)?;
        Ok(change)
    }
}

impl NamedChange {
    /// Reads one changes-file entry by [`Change::from_entry`]'s rules, but
    /// roles may be names and policy items may be names or scope forms
    /// (strings) beside the API's objects: resolve the result with
    /// [`NamedChange::resolve_all`].
    ///
    /// # Errors
    /// The first rule broken.
    ///
    /// ```
    /// use member_client::NamedChange;
    /// let entry = serde_json::json!({"email": "bob@example.com", "policies": [{"access": "allow",
    ///     "permission_groups": ["DNS Write"], "resource_groups": ["zone:example.com"]}]});
    /// let change = NamedChange::from_entry(entry.as_object().unwrap())?;
    /// assert_eq!(change.op(), "set_policies");
    /// # Ok::<(), member_client::EntryError>(())
    /// ```
    pub fn from_entry(entry: &Map<String, Value>) -> Result<Self, EntryError> {
        let change = read_named(entry)?;
        change.validate().map_err(Broken::Invalid)?;
        Ok(change)
    }
}

/// The change an entry holds, its keys and values checked, names allowed.
fn read_named(entry: &Map<String, Value>) -> Result<NamedChange, EntryError> {
    let op = op_of(entry)?;
    check_keys(op, entry)?;
    check_member(op, entry)?;
    check_access(op, entry)?;
    Ok(build(op, &Entry(entry))?)
}

/// The change an entry holds, ids only, its keys and values checked but
/// the change not [validated](Change::validate).
fn read_entry(entry: &Map<String, Value>) -> Result<Change, EntryError> {
    Ok(read_named(entry)?.exact().map_err(Broken::NotExact)?)
}

/// The op the entry names, or the one its access says.
fn op_of(entry: &Map<String, Value>) -> Result<ChangeOp, Broken> {
    match entry.get(ChangeField::Op.key()) {
        Some(Value::String(name)) => {
            ChangeOp::from_name(name).ok_or_else(|| Broken::UnknownOp(name.clone()))
        }
        Some(other) => Err(Broken::OpNotText(kind_of(other))),
        None => match (
            entry.contains_key(ChangeField::Roles.key()),
            entry.contains_key(ChangeField::Policies.key()),
        ) {
            (true, false) => Ok(ChangeOp::SetRoles),
            (false, true) => Ok(ChangeOp::SetPolicies),
            (true, true) => Err(Broken::BothAccesses),
            (false, false) if entry.contains_key(ChangeField::Group.key()) => {
                Err(Broken::GroupWithoutOp)
            }
            (false, false) => Err(Broken::NothingToDo),
        },
    }
}

fn check_keys(op: ChangeOp, entry: &Map<String, Value>) -> Result<(), Broken> {
    let takes = op.fields();
    match entry
        .keys()
        .find(|key| !ChangeField::from_key(key).is_some_and(|f| takes.contains(&f)))
    {
        Some(key) => Err(Broken::NotUsed(op, key.clone())),
        None => Ok(()),
    }
}

fn check_member(op: ChangeOp, entry: &Map<String, Value>) -> Result<(), Broken> {
    let has_id = entry.contains_key(ChangeField::Id.key());
    let has_email = entry.contains_key(ChangeField::Email.key());
    match (op.rule().naming, has_id, has_email) {
        (Naming::NewEmail, _, false) => Err(Broken::NoNewEmail(op)),
        (Naming::IdOrEmail, true, true) => Err(Broken::MemberTwice),
        (Naming::IdOrEmail, false, false) => Err(Broken::NoMember),
        _ => Ok(()),
    }
}

fn check_access(op: ChangeOp, entry: &Map<String, Value>) -> Result<(), Broken> {
    let has = |field: ChangeField| entry.contains_key(field.key());
    match op.rule().needs {
        Needs::Roles if !has(ChangeField::Roles) => Err(Broken::Missing(op, ChangeField::Roles)),
        Needs::Policies if !has(ChangeField::Policies) => {
            Err(Broken::Missing(op, ChangeField::Policies))
        }
        Needs::RolesOrPolicies if has(ChangeField::Roles) == has(ChangeField::Policies) => {
            Err(Broken::NotOneAccess(op))
        }
        Needs::Group if !has(ChangeField::Group) => Err(Broken::Missing(op, ChangeField::Group)),
        _ => Ok(()),
    }
}

/// An entry whose keys and needs are checked, read field by field.
struct Entry<'a>(&'a Map<String, Value>);

impl Entry<'_> {
    fn get(&self, field: ChangeField) -> Option<&Value> {
        self.0.get(field.key())
    }

    fn needed(&self, op: ChangeOp, field: ChangeField) -> Result<&Value, Broken> {
        self.get(field).ok_or(Broken::Missing(op, field))
    }

    fn text(&self, op: ChangeOp, field: ChangeField) -> Result<&str, Broken> {
        text(field, self.needed(op, field)?)
    }

    fn member(&self) -> Result<MemberRef, Broken> {
        match (self.get(ChangeField::Id), self.get(ChangeField::Email)) {
            (Some(id), None) => Ok(MemberRef::Id(
                // In lower case, as Cloudflare writes its ids.
                MemberId::new(crate::resolve::hex_lower(text(ChangeField::Id, id)?))
                    .map_err(Broken::Invalid)?,
            )),
            (None, Some(email)) => Ok(MemberRef::email(text(ChangeField::Email, email)?)),
            (Some(_), Some(_)) => Err(Broken::MemberTwice),
            (None, None) => Err(Broken::NoMember),
        }
    }
}

fn text(field: ChangeField, value: &Value) -> Result<&str, Broken> {
    value.as_str().ok_or_else(|| Broken::WrongType {
        field,
        expected: "a string",
        found: kind_of(value).to_owned(),
    })
}

/// The items of a list field, each required to be `item_kind`.
fn items<'v>(
    field: ChangeField,
    value: &'v Value,
    expected: &'static str,
    is_item: fn(&Value) -> bool,
) -> Result<&'v [Value], Broken> {
    let wrong = |found: String| Broken::WrongType {
        field,
        expected,
        found,
    };
    let items = value
        .as_array()
        .ok_or_else(|| wrong(kind_of(value).to_owned()))?;
    match items.iter().find(|item| !is_item(item)) {
        Some(item) => Err(wrong(format!("{} in the list", kind_of(item)))),
        None => Ok(items),
    }
}

fn roles(value: &Value) -> Result<Vec<String>, Broken> {
    let roles = items(
        ChangeField::Roles,
        value,
        "a list of roles (names or ids)",
        Value::is_string,
    )?;
    roles
        .iter()
        .filter_map(Value::as_str)
        .enumerate()
        .map(|(index, role)| {
            if role.trim().is_empty() {
                Err(Broken::Item {
                    field: ChangeField::Roles,
                    index,
                    message: "a role name must not be empty".to_owned(),
                })
            } else {
                Ok(role.to_owned())
            }
        })
        .collect()
}

fn policies(value: &Value) -> Result<Vec<NamedPolicy>, Broken> {
    items(
        ChangeField::Policies,
        value,
        "a list of policies",
        Value::is_object,
    )?
    .iter()
    .enumerate()
    .map(|(index, policy)| {
        NamedPolicy::deserialize(policy).map_err(|e| Broken::Item {
            field: ChangeField::Policies,
            index,
            message: crate::quoted::shorten_quoted(&e.to_string()),
        })
    })
    .collect()
}

fn status(value: &Value) -> Result<InviteStatus, Broken> {
    text(ChangeField::Status, value)?
        .parse()
        .map_err(Broken::Invalid)
}

/// The change an entry asks for, built field by field. The entry's keys
/// and needs are checked first ([`Change::from_entry`]).
fn build(op: ChangeOp, entry: &Entry<'_>) -> Result<NamedChange, Broken> {
    use ChangeField::{Email, Group, Policies, Roles, Status};
    let group = |entry: &Entry<'_>| -> Result<String, Broken> {
        let name = entry.text(op, Group)?;
        if name.trim().is_empty() {
            return Err(Broken::Invalid(ValidationError::Empty {
                field: "group",
                hint: "give the user group's name or id",
            }));
        }
        Ok(name.to_owned())
    };
    Ok(match op {
        ChangeOp::SetRoles => NamedChange::SetRoles {
            member: entry.member()?,
            roles: roles(entry.needed(op, Roles)?)?,
        },
        ChangeOp::SetPolicies => NamedChange::SetPolicies {
            member: entry.member()?,
            policies: policies(entry.needed(op, Policies)?)?,
        },
        ChangeOp::AddRoles => NamedChange::AddRoles {
            member: entry.member()?,
            roles: roles(entry.needed(op, Roles)?)?,
        },
        ChangeOp::RemoveRoles => NamedChange::RemoveRoles {
            member: entry.member()?,
            roles: roles(entry.needed(op, Roles)?)?,
        },
        ChangeOp::Add => {
            let email = entry.text(op, Email)?.to_owned();
            let roles = entry.get(Roles).map(roles).transpose()?;
            let policies = entry.get(Policies).map(policies).transpose()?;
            let status = entry.get(Status).map(status).transpose()?;
            let access = match (roles, policies) {
                (Some(roles), None) => NamedAccess::Roles(roles),
                (None, Some(policies)) => NamedAccess::Policies(policies),
                _ => return Err(Broken::NotOneAccess(op)),
            };
            NamedChange::Add {
                email,
                access,
                status,
            }
        }
        ChangeOp::Remove => NamedChange::Remove {
            member: entry.member()?,
        },
        ChangeOp::AddToGroup => NamedChange::AddToGroup {
            member: entry.member()?,
            group: group(entry)?,
        },
        ChangeOp::RemoveFromGroup => NamedChange::RemoveFromGroup {
            member: entry.member()?,
            group: group(entry)?,
        },
    })
}

/// An entry of the changes-file format (a [`RetryFile`](crate::RetryFile)
/// holds the same): `op` first, then the member and the access.
impl Serialize for Change {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(ChangeField::Op.key(), self.op())?;
        match self {
            Self::SetRoles { member, roles }
            | Self::AddRoles { member, roles }
            | Self::RemoveRoles { member, roles } => {
                serialize_member(&mut map, member)?;
                map.serialize_entry(ChangeField::Roles.key(), roles)?;
            }
            Self::SetPolicies { member, policies } => {
                serialize_member(&mut map, member)?;
                map.serialize_entry(ChangeField::Policies.key(), policies)?;
            }
            Self::Add(body) => {
                map.serialize_entry(ChangeField::Email.key(), &body.email)?;
                match &body.access {
                    CreateAccess::Roles { roles } => {
                        map.serialize_entry(ChangeField::Roles.key(), roles)?;
                    }
                    CreateAccess::Policies { policies } => {
                        map.serialize_entry(ChangeField::Policies.key(), policies)?;
                    }
                    other => {
                        return Err(ser::Error::custom(format!(
                            "an add with access {other:?} has no changes-file form"
                        )))
                    }
                }
                if let Some(status) = &body.status {
                    map.serialize_entry(ChangeField::Status.key(), status)?;
                }
            }
            Self::Remove { member } => serialize_member(&mut map, member)?,
            Self::AddToGroup { member, group } | Self::RemoveFromGroup { member, group } => {
                serialize_member(&mut map, member)?;
                map.serialize_entry(ChangeField::Group.key(), group)?;
            }
        }
        map.end()
    }
}

fn serialize_member<M: SerializeMap>(map: &mut M, member: &MemberRef) -> Result<(), M::Error> {
    match member {
        MemberRef::Id(id) => map.serialize_entry(ChangeField::Id.key(), id),
        MemberRef::Email(email) => map.serialize_entry(ChangeField::Email.key(), email),
    }
}

/// Reads one entry by [`Change::from_entry`]'s rules but for the last,
/// [`Change::validate`]: whatever `Serialize` wrote reads back, such as the
/// invalid change a plan's [`Problem`](crate::Problem) holds.
impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entry = Map::<String, Value>::deserialize(deserializer)?;
        read_entry(&entry).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BOB: &str = "b1c5d2e8f3a64b7c9d0e1f2a3b4c5d6e";
    const ROLE: &str = "05784afa30c1afe1440e79d9351c7430";
    const GROUP: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

    fn policy() -> Value {
        json!({"access": "allow",
               "permission_groups": [{"id": "c8fed203ed3043cba015a93ad1616f1f"}],
               "resource_groups": [{"id": "6d7f2f5f5b1d4a0e9081fdc98d432fd1"}]})
    }

    fn read(entry: Value) -> Result<Change, String> {
        Change::from_entry(entry.as_object().expect("an object")).map_err(|e| e.to_string())
    }

    /// Columns as a CSV file names them, for the messages.
    struct Columns;

    impl FieldNames for Columns {
        fn noun(&self) -> &'static str {
            "column"
        }
        fn name(&self, key: &str) -> String {
            match key {
                "id" => "member_id".to_owned(),
                other => other.to_owned(),
            }
        }
    }

    /// One row per rule: the entry, and the op it reads as or the message
    /// it is refused with.
    #[test]
    fn each_rule_reads_or_refuses_an_entry() {
        let rows: Vec<(Value, Result<&str, String>)> = vec![
            (json!({"op": "set_roles", "email": "a@example.com", "roles": [ROLE]}), Ok("set_roles")),
            (json!({"id": BOB, "roles": [ROLE]}), Ok("set_roles")),
            (json!({"id": BOB, "policies": [policy()]}), Ok("set_policies")),
            (json!({"op": "add", "email": "n@example.com", "roles": [ROLE], "status": "accepted"}), Ok("add")),
            (json!({"op": "add", "email": "n@example.com", "policies": [policy()]}), Ok("add")),
            (json!({"op": "remove", "email": "a@example.com"}), Ok("remove")),
            (json!({"op": "grant", "id": BOB}), Err(r#"unknown "op" "grant": expected set_roles, set_policies, add_roles, remove_roles, add, remove, add_to_group or remove_from_group"#.into())),
            (json!({"op": 5, "id": BOB}), Err(r#""op" must be a string (set_roles, set_policies, add_roles, remove_roles, add, remove, add_to_group or remove_from_group), found a number"#.into())),
            (json!({"id": BOB, "roles": [ROLE], "policies": [policy()]}), Err(r#"both "roles" and "policies": a member has either roles or policies, give one"#.into())),
            (json!({"id": BOB}), Err(r#"no "op" and neither "roles" nor "policies": say what to do"#.into())),
            (json!({"op": "set_roles", "id": BOB, "rolse": [ROLE]}), Err(r#"key "rolse" is not used by set_roles; set_roles takes "op", "id", "email", "roles""#.into())),
            (json!({"op": "set_roles", "id": BOB, "policies": [policy()]}), Err(r#"key "policies" is not used by set_roles (a member has either roles or policies); set_roles takes "op", "id", "email", "roles""#.into())),
            (json!({"op": "add", "id": BOB, "roles": [ROLE]}), Err(r#"key "id" is not used by add (a member to add has no id yet: name it by email); add takes "op", "email", "roles", "policies", "status""#.into())),
            (json!({"op": "add", "roles": [ROLE]}), Err(r#"add needs the new member's "email""#.into())),
            (json!({"op": "add", "email": "n@example.com"}), Err(r#"add needs either "roles" or "policies" (one of them)"#.into())),
            (json!({"op": "remove", "id": BOB, "email": "a@example.com"}), Err(r#"names the member twice: give "email" or "id", not both"#.into())),
            (json!({"op": "remove"}), Err(r#"names no member: give "email" or "id""#.into())),
            (json!({"op": "set_roles", "id": BOB}), Err(r#"set_roles needs "roles""#.into())),
            (json!({"op": "set_policies", "id": BOB}), Err(r#"set_policies needs "policies""#.into())),
            (json!({"op": "remove", "id": 12}), Err(r#""id" must be a string, found a number"#.into())),
            (json!({"id": BOB, "roles": ROLE}), Err(r#""roles" must be a list of roles (names or ids), found a string"#.into())),
            (json!({"id": BOB, "roles": [5]}), Err(r#""roles" must be a list of roles (names or ids), found a number in the list"#.into())),
            (json!({"id": BOB, "policies": policy()}), Err(r#""policies" must be a list of policies, found an object"#.into())),
            (json!({"id": BOB, "policies": [1]}), Err(r#""policies" must be a list of policies, found a number in the list"#.into())),
            (json!({"op": "remove", "id": "../roles"}), Err("invalid member_id \"../roles\": it contains '.'; expected 1 to 32 ASCII letters or digits".into())),
            (json!({"id": BOB, "roles": []}), Err("roles must not be empty: give at least one role id (to take all access away, remove the member)".into())),
            (json!({"op": "add", "email": "n@example.com", "roles": [ROLE], "status": "maybe"}), Err("invalid status \"maybe\": expected one of: pending accepted".into())),
            (json!({"op": "add_to_group", "email": "a@example.com", "group": GROUP}), Ok("add_to_group")),
            (json!({"op": "add_roles", "email": "a@example.com", "roles": [ROLE]}), Ok("add_roles")),
            (json!({"op": "remove_roles", "id": BOB, "roles": [ROLE]}), Ok("remove_roles")),
            (json!({"op": "add_roles", "id": BOB}), Err(r#"add_roles needs "roles""#.into())),
            (json!({"op": "remove_roles", "id": BOB, "roles": []}), Err("roles must not be empty: give at least one role id (to take all access away, remove the member)".into())),
            (json!({"op": "add_roles", "id": BOB, "policies": [policy()]}), Err(r#"key "policies" is not used by add_roles (a member has either roles or policies); add_roles takes "op", "id", "email", "roles""#.into())),
            (json!({"op": "remove_roles", "roles": [ROLE]}), Err(r#"names no member: give "email" or "id""#.into())),
            (json!({"op": "remove_from_group", "id": BOB, "group": GROUP}), Ok("remove_from_group")),
            (json!({"op": "add_to_group", "email": "a@example.com"}), Err(r#"add_to_group needs "group""#.into())),
            (json!({"op": "remove_from_group", "group": GROUP}), Err(r#"names no member: give "email" or "id""#.into())),
            (json!({"op": "add_to_group", "id": BOB, "email": "a@example.com", "group": GROUP}), Err(r#"names the member twice: give "email" or "id", not both"#.into())),
            (json!({"op": "add_to_group", "id": BOB, "group": GROUP, "roles": [ROLE]}), Err(r#"key "roles" is not used by add_to_group; add_to_group takes "op", "id", "email", "group""#.into())),
            (json!({"op": "set_roles", "id": BOB, "roles": [ROLE], "group": GROUP}), Err(r#"key "group" is not used by set_roles; set_roles takes "op", "id", "email", "roles""#.into())),
            (json!({"id": BOB, "group": GROUP}), Err(r#""group" without "op": say add_to_group or remove_from_group"#.into())),
            (json!({"op": "add_to_group", "id": BOB, "group": 7}), Err(r#""group" must be a string, found a number"#.into())),
            (json!({"op": "add_to_group", "id": BOB, "group": " "}), Err("group must not be empty: give the user group's name or id".into())),
            (json!({"op": "add_to_group", "id": BOB, "group": "../x"}), Err(r#"user group "../x" is a name: names are resolved by the plan (NamedChange::resolve_all), not read as ids"#.into())),
            (json!({"email": "not-an-email", "roles": [ROLE]}), Err("invalid email \"not-an-email\": expected an address like user@example.com (one @, no spaces)".into())),
        ];
        for (entry, expected) in rows {
            let got = read(entry.clone()).map(|change| change.op());
            assert_eq!(got, expected, "{entry}");
        }
    }

    #[test]
    fn a_policy_problem_names_the_policy() {
        let mut bad = policy();
        bad["access"] = json!("maybe");
        let message = read(json!({"id": BOB, "policies": [policy(), bad]})).unwrap_err();
        assert!(message.starts_with(r#""policies"[1]: "#), "{message}");
        assert!(message.contains("maybe"), "{message}");
    }

    #[test]
    fn messages_name_fields_as_the_syntax_does() {
        let entry = json!({"op": "add", "id": BOB, "roles": [ROLE]});
        let error = Change::from_entry(entry.as_object().unwrap()).unwrap_err();
        assert_eq!(
            error.message(&Columns),
            "column member_id is not used by add (a member to add has no id yet: name it by \
             email); add takes op, email, roles, policies, status"
        );
    }

    #[test]
    fn every_op_round_trips_through_serde_in_the_same_keys() {
        let changes = [
            json!({"op": "set_roles", "email": "a@example.com", "roles": [ROLE, ROLE]}),
            json!({"op": "set_policies", "id": BOB, "policies": [policy()]}),
            json!({"op": "add", "email": "n@example.com", "roles": [ROLE], "status": "pending"}),
            json!({"op": "add", "email": "n@example.com", "policies": [policy()]}),
            json!({"op": "remove", "id": BOB}),
            json!({"op": "add_roles", "email": "a@example.com", "roles": [ROLE]}),
            json!({"op": "remove_roles", "id": BOB, "roles": [ROLE, ROLE]}),
            json!({"op": "add_to_group", "email": "a@example.com", "group": GROUP}),
            json!({"op": "remove_from_group", "id": BOB, "group": GROUP}),
        ];
        for json in changes {
            let change: Change = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(serde_json::to_value(&change).unwrap(), json);
            for key in json.as_object().unwrap().keys() {
                let field = ChangeField::from_key(key).unwrap();
                assert!(change.kind().fields().contains(&field), "{key}");
            }
        }
        // An invalid change reads back as it was written.
        let empty = Change::set_roles(MemberId::new(BOB).unwrap(), []);
        let back: Change = serde_json::from_value(serde_json::to_value(&empty).unwrap()).unwrap();
        assert_eq!(back, empty);
        // MemberRef's own serde uses the same keys as an entry.
        let by_id = MemberRef::Id(MemberId::new(BOB).unwrap());
        assert_eq!(serde_json::to_value(by_id).unwrap(), json!({"id": BOB}));
        let by_email = MemberRef::email("a@example.com");
        assert_eq!(
            serde_json::to_value(by_email).unwrap(),
            json!({"email": "a@example.com"})
        );
    }

    #[test]
    fn the_rules_follow_the_ops() {
        for op in ChangeOp::ALL {
            assert_eq!(ChangeOp::from_name(op.as_str()), Some(op));
            assert_eq!(op.fields()[0], ChangeField::Op);
        }
        for field in ChangeField::ALL {
            assert_eq!(ChangeField::from_key(field.key()), Some(field));
        }
    }
}
