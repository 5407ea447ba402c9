//! Themes name colours for roles (ok, progress, attention, failed, …), never for widgets. Built-in
//! themes are embedded from `themes/`; a user file `themes/NAME.toml` in the config dir overrides
//! only the roles it sets. `NO_COLOR` selects monochrome.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use thiserror::Error;

const BUILT_IN: [(&str, &str); 4] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("monochrome", include_str!("../../themes/monochrome.toml")),
];

/// Why a theme cannot be used; the Display says which file and what to do.
#[derive(Debug, Clone, Error)]
pub enum ThemeError {
    #[error(
        "unknown theme {name:?}; built-in themes are {}, or put {name}.toml in the config dir's \
         themes/ folder",
        Theme::names().join(", ")
    )]
    Unknown { name: String },
    #[error("cannot read theme {path}: {source}")]
    Read {
        path: String,
        source: Arc<std::io::Error>,
    },
    #[error("theme {origin} is invalid: {source}")]
    Invalid {
        origin: String,
        source: toml::de::Error,
    },
    #[error(
        "theme {origin}: {role} = {value:?} is not a colour (use a name like green, \"#rrggbb\" \
         or 0-255)"
    )]
    BadColour {
        origin: String,
        role: &'static str,
        value: String,
    },
    #[error("loading theme {name} was interrupted: {reason}")]
    Interrupted { name: String, reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Ok,
    Progress,
    Attention,
    Failed,
    Border,
    Focus,
    Dim,
    Title,
    Text,
    Accent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    pub ok: Color,
    pub progress: Color,
    pub attention: Color,
    pub failed: Color,
    pub border: Color,
    pub focus: Color,
    pub dim: Color,
    pub title: Color,
    pub text: Color,
    pub accent: Color,
    pub selection: Color,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    ok: Option<String>,
    progress: Option<String>,
    attention: Option<String>,
    failed: Option<String>,
    border: Option<String>,
    focus: Option<String>,
    dim: Option<String>,
    title: Option<String>,
    text: Option<String>,
    accent: Option<String>,
    selection: Option<String>,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::built_in("default").unwrap_or_else(|_| Theme::blank("default"))
    }
}

impl Theme {
    fn blank(name: &str) -> Self {
        Theme {
            name: name.to_string(),
            ok: Color::Reset,
            progress: Color::Reset,
            attention: Color::Reset,
            failed: Color::Reset,
            border: Color::Reset,
            focus: Color::Reset,
            dim: Color::Reset,
            title: Color::Reset,
            text: Color::Reset,
            accent: Color::Reset,
            selection: Color::Reset,
        }
    }

    pub fn names() -> Vec<&'static str> {
        BUILT_IN.iter().map(|(n, _)| *n).collect()
    }

    pub fn monochrome() -> Self {
        Theme::built_in("monochrome").unwrap_or_else(|_| Theme::blank("monochrome"))
    }

    pub fn built_in(name: &str) -> Result<Self, ThemeError> {
        let (_, text) =
            BUILT_IN
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| ThemeError::Unknown {
                    name: name.to_string(),
                })?;
        Theme::blank(name).merged(text, &format!("built-in theme {name}"))
    }

    /// A theme by name: the user's `dir/themes/NAME.toml` over the built-in of that name (or over
    /// the default when there is none).
    pub fn load(name: &str, config_dir: Option<&Path>) -> Result<Self, ThemeError> {
        let base = Theme::built_in(name);
        let user = config_dir.map(|d| d.join("themes").join(format!("{name}.toml")));
        match user.filter(|p| p.is_file()) {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| ThemeError::Read {
                    path: path.display().to_string(),
                    source: Arc::new(e),
                })?;
                let mut theme = base.unwrap_or_default();
                theme.name = name.to_string();
                theme.merged(&text, &path.display().to_string())
            }
            None => base,
        }
    }

    /// What the console starts with: `NO_COLOR` wins, then the requested theme; a bad theme is
    /// reported and the default used.
    pub fn resolve(
        name: &str,
        config_dir: Option<&Path>,
        no_color: bool,
    ) -> (Self, Option<String>) {
        if no_color {
            return (Theme::monochrome(), None);
        }
        match Theme::load(name, config_dir) {
            Ok(t) => (t, None),
            Err(e) => (
                Theme::default(),
                Some(format!("{e}; using the default theme")),
            ),
        }
    }

    fn merged(mut self, text: &str, origin: &str) -> Result<Self, ThemeError> {
        let file: ThemeFile = toml::from_str(text).map_err(|source| ThemeError::Invalid {
            origin: origin.to_string(),
            source,
        })?;
        let slots: [(&Option<String>, &mut Color, &str); 11] = [
            (&file.ok, &mut self.ok, "ok"),
            (&file.progress, &mut self.progress, "progress"),
            (&file.attention, &mut self.attention, "attention"),
            (&file.failed, &mut self.failed, "failed"),
            (&file.border, &mut self.border, "border"),
            (&file.focus, &mut self.focus, "focus"),
            (&file.dim, &mut self.dim, "dim"),
            (&file.title, &mut self.title, "title"),
            (&file.text, &mut self.text, "text"),
            (&file.accent, &mut self.accent, "accent"),
            (&file.selection, &mut self.selection, "selection"),
        ];
        for (value, slot, role) in slots {
            if let Some(v) = value {
                *slot = Color::from_str(v).map_err(|_| ThemeError::BadColour {
                    origin: origin.to_string(),
                    role,
                    value: v.clone(),
                })?;
            }
        }
        Ok(self)
    }

    pub fn color(&self, role: Role) -> Color {
        match role {
            Role::Ok => self.ok,
            Role::Progress => self.progress,
            Role::Attention => self.attention,
            Role::Failed => self.failed,
            Role::Border => self.border,
            Role::Focus => self.focus,
            Role::Dim => self.dim,
            Role::Title => self.title,
            Role::Text => self.text,
            Role::Accent => self.accent,
        }
    }

    pub fn style(&self, role: Role) -> Style {
        let s = Style::default().fg(self.color(role));
        match role {
            Role::Failed | Role::Title => s.add_modifier(Modifier::BOLD),
            Role::Dim if self.dim == Color::Reset => s.add_modifier(Modifier::DIM),
            _ => s,
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.style(Role::Focus).add_modifier(Modifier::BOLD)
        } else {
            self.style(Role::Border)
        }
    }

    pub fn selection(&self) -> Style {
        if self.selection == Color::Reset {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
                .bg(self.selection)
                .add_modifier(Modifier::BOLD)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_parses() {
        for name in Theme::names() {
            let t = Theme::built_in(name).expect(name);
            assert_eq!(t.name, name);
        }
        assert_eq!(Theme::default().ok, Color::Green);
    }

    #[test]
    fn user_theme_overrides_only_its_roles() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("themes")).expect("mkdir");
        std::fs::write(dir.path().join("themes/mine.toml"), "ok = \"#00ff00\"\n").expect("write");
        let t = Theme::load("mine", Some(dir.path())).expect("load");
        assert_eq!(t.ok, Color::Rgb(0, 255, 0));
        assert_eq!(t.failed, Theme::default().failed);
    }

    #[test]
    fn bad_theme_is_reported_and_default_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("themes")).expect("mkdir");
        std::fs::write(
            dir.path().join("themes/bad.toml"),
            "ok = \"not-a-colour\"\n",
        )
        .expect("write");
        let (t, err) = Theme::resolve("bad", Some(dir.path()), false);
        assert_eq!(t, Theme::default());
        assert!(err.expect("error").contains("ok = \"not-a-colour\""));
        assert_eq!(
            Theme::load("nope", None).unwrap_err().to_string(),
            "unknown theme \"nope\"; built-in themes are default, light, high-contrast, \
             monochrome, or put nope.toml in the config dir's themes/ folder"
        );
        assert_eq!(Theme::resolve("light", None, true).0.name, "monochrome");
    }
}
