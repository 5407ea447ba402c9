//! Fitting words into cells without cutting one mid-word: wrap a sentence over rows, or shorten a
//! name visibly with an ellipsis.

/// `text` wrapped at word boundaries into rows of at most `width` characters; only a word longer
/// than a whole row is broken.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    for word in text.split_whitespace() {
        let needed = if row.is_empty() { 0 } else { 1 } + word.chars().count();
        if !row.is_empty() && row.chars().count() + needed > width {
            rows.push(std::mem::take(&mut row));
        }
        if !row.is_empty() {
            row.push(' ');
        }
        for c in word.chars() {
            if row.chars().count() == width {
                rows.push(std::mem::take(&mut row));
            }
            row.push(c);
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

/// `text` if it fits in `width` characters, else cut with a trailing `…` so the cut shows.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_words_and_breaks_only_words_longer_than_a_row() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("one two three", 100), ["one two three"]);
        assert_eq!(wrap("abcdefghij xy", 4), ["abcd", "efgh", "ij", "xy"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("a  b", 3), ["a b"]);
    }

    #[test]
    fn a_shortened_name_shows_it_was_shortened() {
        assert_eq!(fit("db-cluster", 10), "db-cluster");
        assert_eq!(fit("db-cluster", 9), "db-clust…");
        assert_eq!(fit("abc", 1), "…");
        assert_eq!(fit("abc", 0), "");
    }
}
