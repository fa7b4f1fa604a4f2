//! [`ApiKey`]: the one type a key travels in. It redacts itself in `Debug`, has no
//! `Display` and cannot be serialized, so a key cannot end up in a log line, an error
//! message, a JSON payload or a file by accident; reading it takes an explicit
//! [`ExposeSecret::expose_secret`] at the one place a request is built.

use secrecy::{ExposeSecret, SecretString};

/// Longest key accepted: real keys are under 300 characters; anything far longer is a
/// paste of the wrong thing.
const MAX_LEN: usize = 4096;
/// Keys shorter than this never show their last four characters (too much of them).
const MIN_LEN_FOR_HINT: usize = 12;

#[derive(Clone)]
pub struct ApiKey(SecretString);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// Why a pasted key was refused. Never contains the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFormatError {
    #[error("the key is empty")]
    Empty,
    #[error("the key contains spaces, line breaks or control characters; paste the key alone")]
    Whitespace,
    #[error("the key is {0} characters long; paste the key alone (at most 4096 characters)")]
    TooLong(usize),
}

impl ApiKey {
    /// A key as typed or pasted: surrounding whitespace (a trailing newline from
    /// `echo` or a copy) is dropped; whitespace or control characters inside are an
    /// error, since no provider's key has them and an HTTP header cannot carry them.
    pub fn parse(raw: &str) -> Result<Self, KeyFormatError> {
        let key = raw.trim();
        if key.is_empty() {
            return Err(KeyFormatError::Empty);
        }
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(KeyFormatError::Whitespace);
        }
        let len = key.chars().count();
        if len > MAX_LEN {
            return Err(KeyFormatError::TooLong(len));
        }
        Ok(Self(SecretString::from(key.to_owned())))
    }

    /// The last four characters, shown so the user can tell keys apart; `None` for a
    /// key too short to show any of it.
    pub fn last4(&self) -> Option<String> {
        let k = self.0.expose_secret();
        let n = k.chars().count();
        (n >= MIN_LEN_FOR_HINT).then(|| k.chars().skip(n - 4).collect())
    }
}

impl ExposeSecret<str> for ApiKey {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl PartialEq for ApiKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.expose_secret() == other.0.expose_secret()
    }
}

// The guarantees, checked by the compiler: no way to print or serialize a key.
static_assertions::assert_not_impl_any!(ApiKey: std::fmt::Display, serde::Serialize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_refuses_what_no_key_contains() {
        let k = ApiKey::parse("  sk-proj-abcdefgh1234\n").unwrap();
        assert_eq!(k.expose_secret(), "sk-proj-abcdefgh1234");
        assert_eq!(k.last4().as_deref(), Some("1234"));
        assert_eq!(ApiKey::parse(" \n"), Err(KeyFormatError::Empty));
        assert_eq!(
            ApiKey::parse("sk-one sk-two"),
            Err(KeyFormatError::Whitespace)
        );
        assert_eq!(ApiKey::parse("sk-\u{7}x"), Err(KeyFormatError::Whitespace));
        assert!(matches!(
            ApiKey::parse(&"x".repeat(5000)),
            Err(KeyFormatError::TooLong(5000))
        ));
    }

    #[test]
    fn short_keys_show_nothing_and_debug_shows_nothing() {
        let k = ApiKey::parse("abc12345").unwrap();
        assert_eq!(k.last4(), None);
        assert_eq!(format!("{k:?}"), "ApiKey([redacted])");
        let err = ApiKey::parse("sk secret").unwrap_err().to_string();
        assert!(!err.contains("secret"), "{err}");
    }
}
