//! Fitting words into cells without cutting one mid-word: wrap a sentence over rows, or shorten a
//! name visibly with an ellipsis. Widths are display columns (a CJK character or an emoji takes
//! two), so tables stay aligned whatever the names hold.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The columns `text` takes on a terminal.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// `text` padded with spaces to `w` columns (left-aligned); longer text is returned whole.
pub fn pad(text: &str, w: usize) -> String {
    let n = width(text);
    if n >= w {
        return text.to_string();
    }
    format!("{text}{}", " ".repeat(w - n))
}

/// `text` right-aligned in `w` columns.
pub fn pad_left(text: &str, w: usize) -> String {
    let n = width(text);
    if n >= w {
        return text.to_string();
    }
    format!("{}{text}", " ".repeat(w - n))
}

/// `text` wrapped at word boundaries into rows of at most `width` columns; only a word longer
/// than a whole row is broken.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    let mut row_w = 0;
    for word in text.split_whitespace() {
        let needed = usize::from(!row.is_empty()) + width(word);
        if !row.is_empty() && row_w + needed > max {
            rows.push(std::mem::take(&mut row));
            row_w = 0;
        }
        if !row.is_empty() {
            row.push(' ');
            row_w += 1;
        }
        for c in word.chars() {
            let cw = char_width(c);
            if row_w + cw > max && !row.is_empty() {
                rows.push(std::mem::take(&mut row));
                row_w = 0;
            }
            row.push(c);
            row_w += cw;
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

/// `text` if it fits in `max` columns, else cut with a trailing `…` so the cut shows.
pub fn fit(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let cw = char_width(c);
        if used + cw > max - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
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

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(width("数据库-1"), 8);
        assert_eq!(width("web-🚀"), 6);
        assert_eq!(pad("数据", 6), "数据  ");
        assert_eq!(pad_left("🚀", 4), "  🚀");
        assert_eq!(fit("数据库服务器", 7), "数据库…");
        assert_eq!(wrap("数据库 服务器", 7), ["数据库", "服务器"]);
        for row in wrap("数据库服务器", 5) {
            assert!(width(&row) <= 5, "{row}");
        }
    }
}
