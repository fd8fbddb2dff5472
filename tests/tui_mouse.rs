//! The mouse through the real update: a frame is drawn to learn where things are (as the
//! event loop does), then clicks and the wheel on those places.

mod common;

use common::screens::{demo_app, demo_cluster_app, press};
use podscope::state::mouse::{Hit, Target, target_at};
use podscope::state::{App, Effect, Msg, Screen, update};
use podscope::theme::Theme;
use podscope::tui::render::draw_with_hits;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn hits(app: &App) -> Vec<Hit> {
    let theme = Theme::builtin("dark").unwrap();
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    let mut hits = Vec::new();
    terminal
        .draw(|f| hits = draw_with_hits(f, app, &theme))
        .unwrap();
    hits
}

/// Click the middle of the first place `target` was drawn.
fn click(app: &mut App, target: Target, double: bool) -> Vec<Effect> {
    let hit = hits(app)
        .into_iter()
        .find(|h| h.target == target)
        .unwrap_or_else(|| panic!("{target:?} is not on screen"));
    let (x, y) = (hit.x + hit.width / 2, hit.y + hit.height / 2);
    let target = target_at(&hits(app), x, y).expect("something is there");
    let mut effects = update(
        app,
        Msg::Click {
            target,
            double: false,
        },
    )
    .effects;
    if double {
        effects.extend(
            update(
                app,
                Msg::Click {
                    target,
                    double: true,
                },
            )
            .effects,
        );
    }
    effects
}

#[test]
fn a_click_selects_a_row_and_a_double_click_opens_the_pod() {
    let mut app = demo_app(120, 40);
    click(&mut app, Target::Row(2), false);
    assert_eq!(app.table.selected_pod().unwrap().pod.name, "crashy");
    click(&mut app, Target::Row(1), true);
    let Screen::Pod(view) = &app.screen else {
        panic!("a double click opens the pod");
    };
    assert_eq!(view.name, "counter");
}

#[test]
fn in_the_pod_view_a_click_picks_a_container_and_a_double_click_shows_its_logs() {
    let mut app = demo_cluster_app(120, 40);
    press(&mut app, "j\n");
    let (insight, view) = match &app.screen {
        Screen::Pod(v) => (
            app.table.find(&v.namespace, &v.name).unwrap().clone(),
            v.clone(),
        ),
        _ => panic!("the pod view is open"),
    };
    let other = 1 - view.selected;
    click(&mut app, Target::Container(other), false);
    let Screen::Pod(view) = &app.screen else {
        unreachable!()
    };
    assert_eq!(view.selected, other);
    let name = insight.pod.containers[view.selected_container(&insight).unwrap()]
        .name
        .clone();
    let effects = click(&mut app, Target::Container(other), true);
    let logs = effects.iter().find_map(|e| match e {
        Effect::Logs(r) => Some(r.containers.clone()),
        _ => None,
    });
    assert_eq!(logs, Some(vec![name]));
}

#[test]
fn a_footer_hint_runs_its_key() {
    let mut app = demo_app(120, 40);
    click(
        &mut app,
        Target::Key(podscope::state::Key::Char('?')),
        false,
    );
    assert!(app.help.is_some(), "the help opened");
}

#[test]
fn the_wheel_moves_through_the_list_and_scrolls_the_details() {
    let mut app = demo_app(120, 40);
    update(&mut app, Msg::Wheel(1));
    assert_eq!(app.table.selected_pod().unwrap().pod.name, "debug-me");
    update(&mut app, Msg::Wheel(-1));
    assert_eq!(
        app.table.selected_pod().unwrap().pod.name,
        "ambassador-example"
    );
    press(&mut app, "\n");
    update(&mut app, Msg::Wheel(2));
    let Screen::Pod(view) = &app.screen else {
        panic!("the pod view is open")
    };
    assert_eq!(view.detail_scroll, 6, "two notches, three lines each");
}

#[test]
fn a_click_on_a_box_in_the_diagram_selects_that_container() {
    let mut app = demo_app(120, 40);
    press(&mut app, "jg");
    click(&mut app, Target::Lane(1), false);
    let Screen::Diagram(view) = &app.screen else {
        panic!("the diagram is open")
    };
    assert_eq!(view.selected, 1);
    click(&mut app, Target::Lane(1), true);
    assert!(
        matches!(app.screen, Screen::Pod(_)),
        "a double click opens it"
    );
}

#[test]
fn nothing_is_clickable_where_nothing_was_drawn() {
    let app = demo_app(120, 40);
    let hits = hits(&app);
    assert!(hits.iter().any(|h| matches!(h.target, Target::Row(_))));
    // The header line holds no target.
    assert_eq!(target_at(&hits, 5, 0), None);
}
