//! Draw the whole screen from the state: header, the current screen, footer, help on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use super::chrome::{Footer, Header};
use super::confirm::ConfirmDebug;
use super::confirm_delete::ConfirmDelete;
use super::diagram::DiagramView;
use super::help::Help;
use super::log_view::LogView;
use super::pod_list::PodList;
use super::pod_view::PodView;
use super::volumes::VolumesView;
use super::yaml_view::YamlView;
use std::cell::RefCell;

use crate::state::mouse::Hit;
use crate::state::{App, Screen};
use crate::theme::Theme;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    draw_with_hits(frame, app, theme);
}

/// Draw, and say where the things a click can mean were drawn.
pub fn draw_with_hits(frame: &mut Frame, app: &App, theme: &Theme) -> Vec<Hit> {
    let hits = RefCell::new(Vec::new());
    let hits_ref = &hits;
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(Header { app, theme }, header);
    match &app.screen {
        Screen::List => frame.render_widget(
            PodList {
                app,
                theme,
                hits: hits_ref,
            },
            body,
        ),
        Screen::Pod(view) => frame.render_widget(
            PodView {
                app,
                view,
                theme,
                hits: hits_ref,
            },
            body,
        ),
        Screen::Volumes(view) => frame.render_widget(VolumesView { app, view, theme }, body),
        Screen::Diagram(view) => frame.render_widget(
            DiagramView {
                app,
                view,
                theme,
                hits: hits_ref,
            },
            body,
        ),
        Screen::Logs(view) => frame.render_widget(
            LogView {
                view,
                context: app.kubectl.context.as_deref(),
                theme,
            },
            body,
        ),
        Screen::Yaml(view) => frame.render_widget(YamlView { view, theme }, body),
    }
    frame.render_widget(
        Footer {
            app,
            theme,
            hits: hits_ref,
        },
        footer,
    );
    if let Some(request) = &app.confirm {
        let context = app.kubectl.context.as_deref();
        frame.render_widget(
            ConfirmDebug {
                request,
                context,
                theme,
            },
            frame.area(),
        );
    }
    if let Some(request) = &app.confirm_delete {
        let context = app.kubectl.context.as_deref();
        frame.render_widget(
            ConfirmDelete {
                request,
                context,
                theme,
            },
            frame.area(),
        );
    }
    if let Some(scroll) = app.help {
        frame.render_widget(Help { theme, scroll }, frame.area());
    }
    hits.into_inner()
}
