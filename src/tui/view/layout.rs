//! Screen geometry, shared by drawing and by `update` (mouse hit-testing, page sizes), so both
//! agree on where every pane is.

use crate::tui::app::{App, Pane};
use ratatui::layout::{Constraint, Layout, Position, Rect};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

#[derive(Debug, Clone, Copy)]
pub struct MainLayout {
    pub header: Rect,
    pub sites: Rect,
    pub operations: Rect,
    pub groups: Rect,
    pub instances: Rect,
    pub status: Rect,
}

/// Below this width the Protection groups pane spans the whole width (above the others), so
/// where each group runs and which way it replicates always fits.
pub const SIDE_BY_SIDE_WIDTH: u16 = 120;

impl MainLayout {
    /// `status_rows`: the status bar's height (a long message wraps over more than one).
    pub fn new(area: Rect, n_sites: usize, n_groups: usize, status_rows: u16) -> Self {
        let [header, body, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(status_rows),
        ])
        .areas(area);
        let per_site = rows_per_item(Pane::Sites);
        let sites_h = |h: u16| (n_sites.max(1) as u16 * per_site + 2).min(h * 2 / 3);
        let groups_h = |cap: u16| (n_groups as u16 + 3).clamp(5, cap.max(5));
        if area.width < SIDE_BY_SIDE_WIDTH {
            let [groups, rest] = Layout::vertical([
                Constraint::Length(groups_h(body.height / 3)),
                Constraint::Min(0),
            ])
            .areas(body);
            let [left, instances] =
                Layout::horizontal([Constraint::Length(30), Constraint::Min(0)]).areas(rest);
            let [sites, operations] =
                Layout::vertical([Constraint::Length(sites_h(left.height)), Constraint::Min(0)])
                    .areas(left);
            return MainLayout {
                header,
                sites,
                operations,
                groups,
                instances,
                status,
            };
        }
        let left_w = (area.width * 3 / 10).clamp(30, 56);
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(body);
        let [sites, operations] =
            Layout::vertical([Constraint::Length(sites_h(body.height)), Constraint::Min(0)])
                .areas(left);
        let [groups, instances] = Layout::vertical([
            Constraint::Length(groups_h(body.height / 2)),
            Constraint::Min(0),
        ])
        .areas(right);
        MainLayout {
            header,
            sites,
            operations,
            groups,
            instances,
            status,
        }
    }

    pub fn of(app: &App) -> Self {
        let area = Rect::new(0, 0, app.size.0, app.size.1);
        let sites = app.estate.as_ref().map(|e| e.sites.len()).unwrap_or(2);
        let status = super::status_bar::height(app, area.width);
        MainLayout::new(area, sites, app.groups().len(), status)
    }

    pub fn rect(&self, pane: Pane) -> Rect {
        match pane {
            Pane::Sites => self.sites,
            Pane::Groups => self.groups,
            Pane::Instances => self.instances,
            Pane::Operations => self.operations,
        }
    }

    pub fn pane_at(&self, col: u16, row: u16) -> Option<Pane> {
        let p = Position::new(col, row);
        [Pane::Sites, Pane::Groups, Pane::Instances, Pane::Operations]
            .into_iter()
            .find(|pane| self.rect(*pane).contains(p))
    }
}

pub fn header_rows(pane: Pane) -> u16 {
    match pane {
        Pane::Groups | Pane::Instances => 1,
        Pane::Sites | Pane::Operations => 0,
    }
}

/// A site takes four rows: its state, the groups it is primary for, its array's replication,
/// and its lab faults.
pub fn rows_per_item(pane: Pane) -> u16 {
    match pane {
        Pane::Sites => 4,
        _ => 1,
    }
}

/// How many items of `pane` fit in `rect` (inside the border, below the header).
pub fn page(pane: Pane, rect: Rect) -> usize {
    let inner = rect.height.saturating_sub(2 + header_rows(pane));
    usize::from(inner / rows_per_item(pane))
}

/// The item under a click at `row`, relative to the first visible item.
pub fn item_at(pane: Pane, rect: Rect, row: u16) -> Option<usize> {
    let first = rect.y + 1 + header_rows(pane);
    let last = rect.y + rect.height.saturating_sub(1);
    (row >= first && row < last).then(|| usize::from((row - first) / rows_per_item(pane)))
}

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// A rectangle of at most `w`×`h`, centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
