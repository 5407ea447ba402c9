//! A string that must never be printed: passwords, tokens, application-credential secrets.
//! Its `Debug` and `Display` say `<redacted>`; only `expose()` gives the value, for the wire.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What a configuration error says when a secret is not a string. serde's own message would
/// quote the value ("invalid type: integer `12345`"), and the value is the secret.
pub const NOT_A_STRING: &str =
    "this value must be a quoted string (it is a secret or may hold one, so it is not shown)";

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_string(SecretVisitor)
    }
}

/// Accepts strings only, and refuses anything else without repeating it.
struct SecretVisitor;

impl SecretVisitor {
    fn refuse<E: serde::de::Error>(self) -> Result<Secret, E> {
        Err(E::custom(NOT_A_STRING))
    }
}

impl<'de> serde::de::Visitor<'de> for SecretVisitor {
    type Value = Secret;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quoted string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Secret, E> {
        Ok(Secret::new(v))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Secret, E> {
        Ok(Secret(v))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Secret, E> {
        self.refuse()
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Secret, E> {
        self.refuse()
    }

    fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<Secret, E> {
        self.refuse()
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Secret, E> {
        self.refuse()
    }

    fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<Secret, E> {
        self.refuse()
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Secret, E> {
        self.refuse()
    }

    fn visit_char<E: serde::de::Error>(self, v: char) -> Result<Secret, E> {
        Ok(Secret(v.to_string()))
    }

    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<Secret, E> {
        self.refuse()
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Secret, E> {
        self.refuse()
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
        self.refuse()
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
        self.refuse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "<redacted> <redacted>");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn a_secret_that_is_not_a_string_is_refused_without_its_value() {
        #[derive(serde::Deserialize)]
        struct File {
            s: Secret,
        }
        let ok: File = toml::from_str("s = \"s3cret\"").unwrap();
        assert_eq!(ok.s.expose(), "s3cret");
        for bad in [
            "987654321",
            "-987654321",
            "98765.4321",
            "true",
            "[987654321]",
            "{ a = 987654321 }",
        ] {
            // The message, as the config loader shows it (toml's Display adds the line itself).
            let e = toml::from_str::<File>(&format!("s = {bad}"))
                .err()
                .unwrap()
                .message()
                .to_string();
            assert!(
                e.contains("quoted string") && !e.contains("98765"),
                "{bad}: {e}"
            );
        }
        // YAML: an unquoted scalar is still the text written (as before), a list is refused.
        let y: File = serde_yaml_ng::from_str("s: 987654321").unwrap();
        assert_eq!(y.s.expose(), "987654321");
        let e = serde_yaml_ng::from_str::<File>("s: [987654321]")
            .err()
            .unwrap()
            .to_string();
        assert!(!e.contains("98765"), "{e}");
    }
}
