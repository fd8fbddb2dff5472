//! The diagram view (`g`) as a person sees it: every demo pod (the seeds' pods among them) at
//! 80x24 and 120x40, then moving between containers, opening one, acting on it, and the ASCII
//! fallback. Reviewed with `cargo insta review`.

mod common;

use common::screens::{demo_app, demo_cluster_app, press, render, screen};
use podscope::state::{Effect, Screen};
use podscope::theme::Theme;
use ratatui::style::Modifier;

/// The pods in list order (namespace, then name), as the list shows them.
fn pod_names() -> Vec<String> {
    let app = demo_app(120, 40);
    app.table
        .pods()
        .iter()
        .map(|p| p.pod.name.clone())
        .collect()
}

#[test]
fn every_demo_pod_is_drawn_readably_at_both_sizes() {
    let names = pod_names();
    assert!(names.len() >= 10, "{names:?}");
    for (i, name) in names.iter().enumerate() {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut app = demo_app(w, h);
            press(&mut app, &format!("{}g", "j".repeat(i)));
            let text = screen(&app);
            assert!(
                text.contains(&format!("{name} as a picture")),
                "{name}: {text}"
            );
            for line in text.lines() {
                assert!(line.chars().count() <= w as usize, "{name}: {line}");
            }
            insta::assert_snapshot!(format!("diagram_{name}_{w}x{h}"), text);
        }
    }
}

fn open_counter(app: &mut podscope::state::App) {
    let at = pod_names().iter().position(|n| n == "counter").unwrap();
    press(app, &format!("{}g", "j".repeat(at)));
}

#[test]
fn j_and_k_move_between_containers_and_enter_opens_the_selected_one() {
    let mut app = demo_app(120, 40);
    open_counter(&mut app);
    // counter's default container, count, comes first.
    assert!(screen(&app).contains("count writes into varlog what count-agent reads."));
    press(&mut app, "j");
    assert!(
        screen(&app).contains("count-agent reads what count writes into varlog."),
        "{}",
        screen(&app)
    );
    press(&mut app, "j");
    assert!(
        screen(&app).contains("count-agent reads what count writes"),
        "the last container stays selected"
    );
    press(&mut app, "\n");
    let Screen::Pod(view) = &app.screen else {
        panic!("enter opens the pod view");
    };
    let insight = app.table.find("default", "counter").unwrap();
    let i = view.selected_container(insight).unwrap();
    assert_eq!(insight.pod.containers[i].name, "count-agent");
}

#[test]
fn the_selected_container_is_drawn_bold_and_the_others_are_not() {
    let mut app = demo_app(120, 40);
    open_counter(&mut app);
    press(&mut app, "j");
    let buf = render(&app, &Theme::builtin("dark").unwrap());
    let text = common::screens::text(&buf);
    let row = text
        .lines()
        .position(|l| l.contains("count-agent"))
        .expect("a box names count-agent");
    let line: Vec<char> = text.lines().nth(row).unwrap().chars().collect();
    let col = |word: &str| {
        let s: String = line.iter().collect();
        s.find(word).map(|b| s[..b].chars().count()).unwrap()
    };
    let bold = |x: usize| {
        buf[(x as u16, row as u16)]
            .modifier
            .contains(Modifier::BOLD)
    };
    assert!(bold(col("count-agent")), "the selected box is bold");
    assert!(!bold(col("count ")), "the other box is not");
}

#[test]
fn shell_and_logs_act_on_the_selected_container() {
    let mut app = demo_cluster_app(120, 40);
    open_counter(&mut app);
    press(&mut app, "j");
    let effects = press(&mut app, "l");
    let logs = effects.iter().find_map(|e| match e {
        Effect::Logs(r) => Some(r.containers.clone()),
        _ => None,
    });
    assert_eq!(logs, Some(vec!["count-agent".to_string()]));

    let mut app = demo_cluster_app(120, 40);
    open_counter(&mut app);
    press(&mut app, "j");
    let effects = press(&mut app, "s");
    let exec = effects.iter().find_map(|e| match e {
        Effect::Exec(r) => Some(r.container.clone()),
        _ => None,
    });
    assert_eq!(exec.as_deref(), Some("count-agent"));
}

#[test]
fn esc_goes_back_where_it_came_from_and_v_switches_to_the_volumes() {
    let mut app = demo_app(120, 40);
    open_counter(&mut app);
    press(&mut app, "\x1b");
    assert!(matches!(app.screen, Screen::List));

    press(&mut app, "\ng");
    assert!(matches!(app.screen, Screen::Diagram(_)));
    press(&mut app, "v");
    assert!(matches!(app.screen, Screen::Volumes(_)));
    press(&mut app, "g");
    assert!(matches!(app.screen, Screen::Diagram(_)));
    press(&mut app, "g");
    assert!(matches!(app.screen, Screen::Pod(_)), "back to the pod view");
}

#[test]
fn ascii_mode_draws_the_picture_without_box_characters() {
    let mut app = demo_app(80, 24);
    app.ascii = true;
    open_counter(&mut app);
    let text = screen(&app);
    // The frame around the view is the terminal's; the picture inside it is ASCII.
    let inside: Vec<String> = text
        .lines()
        .skip(2)
        .filter(|l| l.starts_with('│'))
        .map(|l| {
            let chars: Vec<char> = l.chars().collect();
            chars[1..chars.len() - 1].iter().collect()
        })
        .collect();
    assert!(inside.iter().any(|l| l.contains("varlog")), "{text}");
    for line in &inside {
        assert!(line.is_ascii(), "{line}");
    }
    insta::assert_snapshot!("diagram_counter_ascii_80x24", text);
}
