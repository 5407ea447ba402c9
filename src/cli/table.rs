//! Plain aligned text tables for the headless commands (no colour: output is often piped or logged).

use unicode_width::UnicodeWidthStr;

/// Render rows under a header, each column as wide as its widest cell (in display columns: a CJK
/// character or an emoji takes two, so columns stay aligned).
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.width());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < cells.len() {
                let pad = widths[i].saturating_sub(cell.width()) + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.trim_end().to_string()
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push('\n');
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_align_on_the_widest_cell() {
        let t = super::render(
            &["NAME", "RPO"],
            &[
                vec!["web-app".into(), "42 s".into()],
                vec!["db".into(), "—".into()],
            ],
        );
        assert_eq!(t, "NAME     RPO\nweb-app  42 s\ndb       —");
    }

    #[test]
    fn wide_characters_keep_the_columns_aligned() {
        let t = super::render(
            &["NAME", "STATUS"],
            &[
                vec!["数据库".into(), "ok".into()],
                vec!["web-🚀".into(), "ok".into()],
                vec!["web-1".into(), "ok".into()],
            ],
        );
        assert_eq!(t, "NAME    STATUS\n数据库  ok\nweb-🚀  ok\nweb-1   ok");
    }
}
