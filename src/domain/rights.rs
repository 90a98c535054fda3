//! What a caller may do: the associate's role, narrowed by the scope of the credential used.

/// An associate's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// Everything, including managing other associates.
    Admin,
    /// Reads and writes ticket messages.
    #[default]
    Agent,
    /// Reads only.
    ReadOnly,
}

impl Role {
    pub fn code(self) -> i32 {
        match self {
            Self::Admin => 0,
            Self::Agent => 1,
            Self::ReadOnly => 2,
        }
    }

    pub fn from_code(code: i32) -> Self {
        match code {
            0 => Self::Admin,
            2 => Self::ReadOnly,
            _ => Self::Agent,
        }
    }

    /// Parses `admin`, `agent` or `readonly` (any case; `read-only` too).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "admin" | "administrator" => Some(Self::Admin),
            "agent" => Some(Self::Agent),
            "readonly" => Some(Self::ReadOnly),
            _ => None,
        }
    }
}

/// The reach of one credential: API tokens may be limited to reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    ReadWrite,
    Read,
}

impl Scope {
    pub fn code(self) -> i32 {
        match self {
            Self::ReadWrite => 0,
            Self::Read => 1,
        }
    }

    pub fn from_code(code: i32) -> Self {
        if code == 1 { Self::Read } else { Self::ReadWrite }
    }

    /// Parses `read` or `write`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "read" => Some(Self::Read),
            "write" | "readwrite" => Some(Self::ReadWrite),
            _ => None,
        }
    }
}

/// The rights a request runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Access {
    pub role: Role,
    pub scope: Scope,
}

impl Access {
    /// Full rights (what the store and demo data run with).
    pub const FULL: Access = Access { role: Role::Admin, scope: Scope::ReadWrite };

    pub fn can_write(self) -> bool {
        self.role != Role::ReadOnly && self.scope == Scope::ReadWrite
    }

    /// The vendor `TableRight.Mask` for ticket messages.
    pub fn table_mask(self) -> &'static str {
        if self.can_write() { "FULL" } else { "Select" }
    }

    /// The vendor `FieldRight.Mask` of a writable field.
    pub fn field_mask(self) -> &'static str {
        if self.can_write() { "Update" } else { "Read" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_roles_and_scopes_cannot_write() {
        assert!(Access { role: Role::Agent, scope: Scope::ReadWrite }.can_write());
        assert!(!Access { role: Role::ReadOnly, scope: Scope::ReadWrite }.can_write());
        assert!(!Access { role: Role::Admin, scope: Scope::Read }.can_write());
        assert_eq!(Role::from_name("Read-Only"), Some(Role::ReadOnly));
        assert_eq!(Role::from_code(Role::Admin.code()), Role::Admin);
    }
}
