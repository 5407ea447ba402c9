//! Strings from endpoints are untrusted: strip control characters (ESC, BEL, CR, …) before they
//! reach a terminal, a log line or a JSON document shown to a person.

/// Remove every control character, keeping ordinary spaces; tabs and newlines become spaces.
pub fn clean(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            // Bidi overrides can make a name read as something else.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn strips_escape_sequences_and_bell() {
        assert_eq!(clean("web-1\x1b[2J\x07"), "web-1[2J");
        assert_eq!(clean("a\nb\tc"), "a b c");
        assert_eq!(clean("évian ⇢ ok"), "évian ⇢ ok");
        assert_eq!(clean("x\u{202E}gnp.exe"), "xgnp.exe");
    }
}
