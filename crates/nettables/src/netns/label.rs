//! Labels: how each namespace is named, and how a name given back (`--netns`) picks one.

use std::collections::HashMap;
use std::fmt;

use super::cgroup::{Container, Runtime};
use super::discovery::{Building, Discovery, InUse, LabelSource};

/// `pid:PID (program)`: a namespace outside containers, by its oldest process.
pub(super) fn process_label(pid: u32, program: &str) -> String {
    format!("pid:{pid} ({program})")
}

/// Gives every namespace its label and puts them in order. A container (or a pod, whose
/// containers share one namespace) names only the namespace of its oldest process; namespaces
/// made inside it later keep their other label (and their container).
pub(super) fn assign(namespaces: Vec<Building>) -> Vec<InUse> {
    let owner = |c: &Container| match &c.pod {
        Some(pod) => format!("pod {}", pod.uid),
        None => format!("{} {}", c.runtime.name(), c.id),
    };
    let mut first: HashMap<String, (u64, (u64, u64))> = HashMap::new();
    for ns in &namespaces {
        if let Some(c) = &ns.container {
            let key = (ns.oldest_start, ns.id);
            first
                .entry(owner(c))
                .and_modify(|best| *best = (*best).min(key))
                .or_insert(key);
        }
    }
    let mut listed: Vec<InUse> = namespaces
        .into_iter()
        .map(|ns| {
            let (label, source) = match &ns.container {
                Some(c) if first.get(&owner(c)).map(|f| f.1) == Some(ns.id) => {
                    (c.label(), LabelSource::Container)
                }
                _ => ns.plain_label(),
            };
            InUse {
                id: ns.id,
                label,
                source,
                name: ns.name,
                container: ns.container,
                file: ns.file,
                pids: ns.pids,
                program: ns.program,
            }
        })
        .collect();
    listed.sort_by(|a, b| {
        a.source.cmp(&b.source).then_with(|| match a.source {
            LabelSource::Process => a.pids.first().cmp(&b.pids.first()),
            _ => a.label.cmp(&b.label),
        })
    });
    listed
}

/// A namespace as someone names it (`netstat --netns`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    /// `pid:PID`: the namespace of a process.
    Pid(u32),
    /// `k8s:NAMESPACE/POD`.
    Pod {
        /// The pod's Kubernetes namespace.
        namespace: String,
        /// The pod's name.
        name: String,
    },
    /// `RUNTIME:ID` (`docker:3f2a9c`, `lxc:web`): the container whose id starts with `id`.
    Container {
        /// The runtime named.
        runtime: Runtime,
        /// The id, or its beginning (a name for LXC and systemd-nspawn).
        id: String,
    },
    /// Anything else: a namespace's name or whole label, or a container id prefix of at
    /// least [`MIN_PREFIX`] characters.
    Label(String),
}

/// The shortest container id prefix accepted without a runtime.
pub const MIN_PREFIX: usize = 4;

/// A selector that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadSelector(String);

impl fmt::Display for BadSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadSelector {}

impl Selector {
    /// Reads `pid:PID`, `k8s:NAMESPACE/POD`, `RUNTIME:ID` (runtimes as
    /// [`Runtime::from_name`] knows them); anything else is a [`Selector::Label`].
    ///
    /// ```
    /// use nettables::netns::{Runtime, Selector};
    ///
    /// assert_eq!(Selector::parse("pid:42"), Ok(Selector::Pid(42)));
    /// assert_eq!(
    ///     Selector::parse("docker:3f2a"),
    ///     Ok(Selector::Container { runtime: Runtime::Docker, id: "3f2a".into() })
    /// );
    /// assert_eq!(Selector::parse("blue"), Ok(Selector::Label("blue".into())));
    /// ```
    pub fn parse(text: &str) -> Result<Selector, BadSelector> {
        let Some((kind, rest)) = text.split_once(':') else {
            return Ok(Selector::Label(text.to_string()));
        };
        match kind {
            "pid" => match rest.parse::<u32>() {
                Ok(pid) if pid > 0 => Ok(Selector::Pid(pid)),
                // A whole label, `pid:PID (program)`, as --all-netns shows it.
                _ if is_process_label(rest) => Ok(Selector::Label(text.to_string())),
                _ => Err(BadSelector(format!("'{rest}' is not a process id"))),
            },
            "k8s" => match rest.split_once('/') {
                Some((namespace, name))
                    if !namespace.is_empty() && !name.is_empty() && !name.contains('/') =>
                {
                    Ok(Selector::Pod {
                        namespace: namespace.to_string(),
                        name: name.to_string(),
                    })
                }
                _ => Err(BadSelector(format!(
                    "'{rest}' is not NAMESPACE/POD (k8s:default/web-0)"
                ))),
            },
            _ => match Runtime::from_name(kind) {
                Some(_) if rest.is_empty() => Err(BadSelector(format!("no id after '{kind}:'"))),
                Some(runtime) => Ok(Selector::Container {
                    runtime,
                    id: rest.to_string(),
                }),
                None => Ok(Selector::Label(text.to_string())),
            },
        }
    }
}

/// `PID (program)`.
fn is_process_label(text: &str) -> bool {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && text[digits..].starts_with(" (") && text.ends_with(')')
}

/// Why a selector picks no single namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectError<'a> {
    /// Nothing matches.
    NoMatch,
    /// Several containers match (an id prefix shared by all of them).
    Ambiguous(Vec<&'a InUse>),
}

impl Discovery {
    /// The namespace `selector` names. A name or whole label matches exactly; a container
    /// matches by id prefix (or whole id) and names the namespace its label comes from.
    ///
    /// ```no_run
    /// use nettables::netns::{Selector, Sources, discover};
    ///
    /// let found = discover(&Sources::default())?;
    /// let selector = Selector::parse("k8s:default/web-0").expect("a selector");
    /// if let Ok(web) = found.select(&selector) {
    ///     let _namespace = web.open()?;
    /// }
    /// # Ok::<(), nettables::Error>(())
    /// ```
    pub fn select(&self, selector: &Selector) -> Result<&InUse, SelectError<'_>> {
        let labelled_by_container = || {
            self.namespaces
                .iter()
                .filter(|n| n.source == LabelSource::Container)
        };
        match selector {
            Selector::Pid(pid) => {
                let in_process = |n: &&InUse| n.pids().contains(pid);
                match self.namespaces.iter().find(in_process) {
                    Some(found) => Ok(found),
                    // The current namespace keeps no pid list: ask the process.
                    None => {
                        let id = super::Namespace::of_process(*pid).and_then(|ns| ns.id());
                        let id = id.map_err(|_| SelectError::NoMatch)?;
                        one(self.namespaces.iter().filter(|n| n.id == id))
                    }
                }
            }
            Selector::Pod { namespace, name } => one(labelled_by_container().filter(|n| {
                n.container
                    .as_ref()
                    .and_then(|c| c.pod.as_ref()?.name.as_ref())
                    .is_some_and(|p| &p.namespace == namespace && &p.name == name)
            })),
            Selector::Container { runtime, id } => by_id(
                labelled_by_container()
                    .filter(|n| n.container.as_ref().is_some_and(|c| c.runtime == *runtime)),
                id,
            ),
            Selector::Label(text) => {
                let exact = |n: &&InUse| n.name.as_deref() == Some(text) || &n.label == text;
                if let Some(found) = self.namespaces.iter().find(exact) {
                    return Ok(found);
                }
                if text.len() < MIN_PREFIX {
                    return Err(SelectError::NoMatch);
                }
                by_id(labelled_by_container(), text)
            }
        }
    }
}

/// The one namespace among `candidates`.
fn one<'a>(candidates: impl Iterator<Item = &'a InUse>) -> Result<&'a InUse, SelectError<'a>> {
    let all: Vec<&InUse> = candidates.collect();
    match all[..] {
        [] => Err(SelectError::NoMatch),
        [only] => Ok(only),
        _ => Err(SelectError::Ambiguous(all)),
    }
}

/// The container among `candidates` whose id is `id`, or the only one it begins.
fn by_id<'a>(
    candidates: impl Iterator<Item = &'a InUse>,
    id: &str,
) -> Result<&'a InUse, SelectError<'a>> {
    let matching: Vec<&InUse> = candidates
        .filter(|n| n.container.as_ref().is_some_and(|c| c.id.starts_with(id)))
        .collect();
    let exact = matching
        .iter()
        .find(|n| n.container.as_ref().is_some_and(|c| c.id == id));
    match exact {
        Some(exact) => Ok(exact),
        None => one(matching.into_iter()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netns::cgroup::{Pod, PodName};

    fn building(n: u64, start: u64, container: Option<&str>, name: Option<&str>) -> Building {
        Building {
            id: (1, n),
            name: name.map(str::to_string),
            pids: vec![n as u32 + 100],
            oldest_start: start,
            program: Some("sleep".into()),
            container: container.map(|id| Container {
                runtime: Runtime::Docker,
                id: id.repeat(64 / id.len()),
                pod: None,
            }),
            ..Building::default()
        }
    }

    #[test]
    fn labels_sort_and_a_container_names_only_its_first_namespace() {
        let listed = assign(vec![
            building(1, 50, None, None),
            building(2, 10, Some("b"), None),
            building(3, 5, Some("a"), None),
            // Made inside container a later: keeps a pid label.
            building(4, 20, Some("a"), None),
            building(5, 1, None, Some("blue")),
        ]);
        let labels: Vec<(&str, LabelSource)> = listed
            .iter()
            .map(|n| (n.label(), n.label_source()))
            .collect();
        assert_eq!(
            labels,
            vec![
                ("blue", LabelSource::Name),
                ("docker aaaaaaaaaaaa", LabelSource::Container),
                ("docker bbbbbbbbbbbb", LabelSource::Container),
                ("pid:101 (sleep)", LabelSource::Process),
                ("pid:104 (sleep)", LabelSource::Process),
            ]
        );
        assert!(listed[4].container().is_some(), "still inside container a");
    }

    fn scene() -> Discovery {
        let mut web = building(6, 3, Some("c"), None);
        if let Some(c) = web.container.as_mut() {
            c.runtime = Runtime::Containerd;
            c.id = format!("abcd1234{}", "0".repeat(56));
            c.pod = Some(Pod {
                uid: "0b6a7c3e".into(),
                name: Some(PodName {
                    namespace: "default".into(),
                    name: "web-0".into(),
                }),
            });
        }
        let mut twin = building(7, 4, Some("d"), None);
        if let Some(c) = twin.container.as_mut() {
            c.id = format!("abcd5678{}", "0".repeat(56));
        }
        Discovery {
            namespaces: assign(vec![
                building(1, 50, None, None),
                building(2, 10, Some("b"), None),
                building(4, 20, Some("b"), None),
                building(5, 1, None, Some("blue")),
                web,
                twin,
            ]),
            unreadable: 0,
        }
    }

    fn picked(found: &Discovery, text: &str) -> Result<String, String> {
        let selector = Selector::parse(text).map_err(|e| e.to_string())?;
        match found.select(&selector) {
            Ok(ns) => Ok(ns.label().to_string()),
            Err(SelectError::NoMatch) => Err("no match".into()),
            Err(SelectError::Ambiguous(all)) => Err(format!("ambiguous: {}", all.len())),
        }
    }

    #[test]
    fn selectors_pick_one_namespace_or_say_why_not() {
        let found = scene();
        let ok = |label: &str| Ok(label.to_string());
        assert_eq!(picked(&found, "blue"), ok("blue"));
        assert_eq!(picked(&found, "bbbb"), ok("docker bbbbbbbbbbbb"));
        assert_eq!(picked(&found, "docker:b"), ok("docker bbbbbbbbbbbb"));
        assert_eq!(
            picked(&found, "docker bbbbbbbbbbbb"),
            ok("docker bbbbbbbbbbbb")
        );
        assert_eq!(picked(&found, "k8s:default/web-0"), ok("k8s default/web-0"));
        assert_eq!(picked(&found, "containerd:abcd"), ok("k8s default/web-0"));
        assert_eq!(picked(&found, "pid:101"), ok("pid:101 (sleep)"));
        assert_eq!(picked(&found, "pid:101 (sleep)"), ok("pid:101 (sleep)"));
        assert_eq!(picked(&found, "pid:101 (other)"), Err("no match".into()));
        // The namespace made later inside container b is reached by its pid, not the id.
        assert_eq!(picked(&found, "pid:104"), ok("pid:104 (sleep)"));
        assert_eq!(picked(&found, "abcd"), Err("ambiguous: 2".into()));
        assert_eq!(picked(&found, "abcd1"), ok("k8s default/web-0"));
        assert_eq!(picked(&found, "bbb"), Err("no match".into()), "too short");
        assert_eq!(picked(&found, "podman:bbbb"), Err("no match".into()));
        assert_eq!(picked(&found, "k8s:default/web-1"), Err("no match".into()));
        assert_eq!(picked(&found, "nothing-like-it"), Err("no match".into()));
        assert_eq!(
            picked(&found, "pid:abc"),
            Err("'abc' is not a process id".into())
        );
        assert!(picked(&found, "k8s:web-0").is_err());
        assert!(picked(&found, "docker:").is_err());
        // Colons that name no selector are labels.
        assert_eq!(Selector::parse("a:b"), Ok(Selector::Label("a:b".into())));
    }
}
