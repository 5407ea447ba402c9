//! Strings from endpoints, config files and the command line are untrusted: strip control
//! characters (ESC, BEL, CR, …) before they reach a terminal, a log line or a JSON document shown
//! to a person.

/// Remove every control character, keeping ordinary spaces; tabs and newlines become spaces.
pub fn clean(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if is_hostile(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// As `clean`, but line breaks stay: for whole messages and tables of several lines.
pub fn clean_lines(input: &str) -> String {
    input.split('\n').map(clean).collect::<Vec<_>>().join("\n")
}

/// The first character `clean` would remove (tabs and line breaks included), if any: what a name
/// from a configuration file may not hold.
pub fn first_control(input: &str) -> Option<char> {
    input.chars().find(|c| c.is_control() || is_hostile(*c))
}

/// A character that changes what a terminal does or shows instead of being shown.
fn is_hostile(c: char) -> bool {
    // Bidi overrides and isolates can make a name read as something else.
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::{clean, clean_lines, first_control};

    #[test]
    fn strips_escape_sequences_and_bell() {
        assert_eq!(clean("web-1\x1b[2J\x07"), "web-1[2J");
        assert_eq!(clean("a\nb\tc"), "a b c");
        assert_eq!(clean("évian ⇢ ok"), "évian ⇢ ok");
        assert_eq!(clean("x\u{202E}gnp.exe"), "xgnp.exe");
    }

    #[test]
    fn whole_messages_keep_their_lines() {
        assert_eq!(
            clean_lines("error: \x1b]0;owned\x07x\n  hint: y\r"),
            "error: ]0;ownedx\n  hint: y "
        );
        assert_eq!(first_control("site-a"), None);
        assert_eq!(first_control("site\x1b[31m"), Some('\x1b'));
        assert_eq!(first_control("a\u{2066}b"), Some('\u{2066}'));
        assert_eq!(first_control("a\tb"), Some('\t'));
    }
}
