#[path = "common/screens.rs"]
mod screens;

use screens::{demo_app, press, screen};

#[test]
fn look() {
    let mut app = demo_app(120, 40);
    println!("{}", screen(&app));
    press(&mut app, "j\n");
    println!("{}", screen(&app));
    press(&mut app, "j");
    println!("{}", screen(&app));
    press(&mut app, "v?");
    println!("{}", screen(&app));
}
