//! Role inference on real-world multi-container pods of public origin. Each fixture names its
//! source and the role of every container in its header (`# expect: container: role`).

mod common;

#[test]
fn every_real_world_fixture_gets_the_expected_roles() {
    let files = common::fixture_files("real");
    assert!(
        files.len() >= 30,
        "want at least 30 real-world fixtures, have {}",
        files.len()
    );
    let problems: Vec<String> = files.iter().flat_map(|f| common::check_file(f)).collect();
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_real_world_fixture_names_its_source() {
    for f in common::fixture_files("real") {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            text.starts_with("# Source: "),
            "{} has no `# Source:` header",
            f.display()
        );
    }
}
