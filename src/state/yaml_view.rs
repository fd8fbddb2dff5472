//! The YAML view (`y`, as in k9s): the pod as the API server has it, `managedFields` left
//! out and literal env values masked until `x` shows them; `/` searches, `n`/`N` go to the
//! next and previous match, `c` copies what is shown.

use super::{App, Effect, Flash, Key, Level, Outcome, PodView, Prompt, PromptKind, Screen, Source};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlView {
    pub namespace: String,
    pub name: String,
    /// The YAML with values masked, and with them; `None` while it is fetched.
    pub texts: Option<(String, String)>,
    pub error: Option<String>,
    /// Whether literal env values are shown.
    pub reveal: bool,
    /// The first line on screen.
    pub scroll: usize,
    pub search: String,
    /// The pod view it was opened from.
    pub back: Option<PodView>,
}

impl YamlView {
    /// The text on screen: masked or revealed.
    pub fn text(&self) -> Option<&str> {
        self.texts
            .as_ref()
            .map(|(masked, shown)| if self.reveal { shown } else { masked }.as_str())
    }

    fn lines(&self) -> usize {
        self.text().map_or(0, |t| t.lines().count())
    }

    /// The lines holding the search text (case-insensitive).
    pub fn matches(&self) -> Vec<usize> {
        if self.search.is_empty() {
            return Vec::new();
        }
        let needle = self.search.to_lowercase();
        self.text()
            .map(|t| {
                t.lines()
                    .enumerate()
                    .filter(|(_, l)| l.to_lowercase().contains(&needle))
                    .map(|(i, _)| i)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Scroll to the next (or previous) match after the top line.
    pub fn jump(&mut self, forward: bool) -> bool {
        let matches = self.matches();
        let next = if forward {
            matches
                .iter()
                .find(|&&m| m > self.scroll)
                .or(matches.first())
        } else {
            matches
                .iter()
                .rev()
                .find(|&&m| m < self.scroll)
                .or(matches.last())
        };
        match next {
            Some(&m) => {
                self.scroll = m;
                true
            }
            None => false,
        }
    }
}

/// Open the YAML view of the selected pod (the list) or the open pod (the pod view).
pub fn open(app: &mut App, out: &mut Outcome) {
    let (namespace, name, back) = match &app.screen {
        Screen::Pod(v) => (v.namespace.clone(), v.name.clone(), Some(v.clone())),
        Screen::List => match app.table.selected_pod() {
            Some(p) => (p.pod.namespace.clone(), p.pod.name.clone(), None),
            None => return,
        },
        _ => return,
    };
    if let Source::Files { .. } = app.source {
        let file = app
            .table
            .find(&namespace, &name)
            .and_then(|p| p.pod.source.clone())
            .unwrap_or_default();
        app.flash = Some(Flash {
            level: Level::Info,
            text: format!("the YAML of {name} is its manifest: {file}"),
        });
        return;
    }
    out.effects.push(Effect::FetchYaml {
        namespace: namespace.clone(),
        name: name.clone(),
    });
    app.screen = Screen::Yaml(Box::new(YamlView {
        namespace,
        name,
        texts: None,
        error: None,
        reveal: false,
        scroll: 0,
        search: String::new(),
        back,
    }));
}

/// The fetched YAML (masked, revealed) or why it could not be read.
pub fn receive(
    app: &mut App,
    namespace: &str,
    name: &str,
    result: Result<(String, String), String>,
) {
    if let Screen::Yaml(view) = &mut app.screen
        && view.namespace == namespace
        && view.name == name
    {
        match result {
            Ok(texts) => view.texts = Some(texts),
            Err(e) => view.error = Some(e),
        }
    }
}

/// A key in the YAML view.
pub fn key(app: &mut App, key: Key, out: &mut Outcome) {
    let page = usize::from(app.size.1).saturating_sub(4).max(1);
    let Screen::Yaml(view) = &mut app.screen else {
        return;
    };
    let last = view.lines().saturating_sub(1);
    match key {
        Key::Char('j') | Key::Down => view.scroll = (view.scroll + 1).min(last),
        Key::Char('k') | Key::Up => view.scroll = view.scroll.saturating_sub(1),
        Key::PageDown | Key::Char(' ') => view.scroll = (view.scroll + page).min(last),
        Key::PageUp => view.scroll = view.scroll.saturating_sub(page),
        Key::Char('g') | Key::Home => view.scroll = 0,
        Key::Char('G') | Key::End => view.scroll = last,
        Key::Char('x') => view.reveal = !view.reveal,
        Key::Char('/') => {
            app.prompt = Some(Prompt {
                kind: PromptKind::YamlSearch,
                text: view.search.clone(),
            })
        }
        Key::Char('n') | Key::Char('N') => {
            if !view.jump(key == Key::Char('n')) && !view.search.is_empty() {
                let search = view.search.clone();
                app.flash = Some(Flash {
                    level: Level::Warning,
                    text: format!("no line holds {search}"),
                });
            }
        }
        Key::Char('c') => {
            if let Some(text) = view.text() {
                let lines = text.lines().count();
                out.effects.push(Effect::Copy(text.to_string()));
                app.flash = Some(Flash {
                    level: Level::Info,
                    text: format!("copied the YAML ({lines} lines)"),
                });
            }
        }
        Key::Esc | Key::Char('y') => {
            app.screen = match view.back.take() {
                Some(pod) => Screen::Pod(pod),
                None => Screen::List,
            }
        }
        Key::Char('q') | Key::Ctrl('c') => out.effects.push(Effect::Quit),
        Key::Char('?') => app.help = Some(0),
        _ => out.redraw = false,
    }
}

/// The search prompt was confirmed.
pub fn search(app: &mut App, text: &str) {
    if let Screen::Yaml(view) = &mut app.screen {
        view.search = text.to_string();
        let top = view.scroll;
        view.scroll = top.saturating_sub(1);
        if !view.jump(true) {
            view.scroll = top;
            app.flash = Some(Flash {
                level: Level::Warning,
                text: format!("no line holds {text}"),
            });
        }
    }
}
