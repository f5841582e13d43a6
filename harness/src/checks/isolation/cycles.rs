//! Cycles in the dependency graph: Tarjan's strongly connected components, then in each
//! component the most telling cycle of each kind — ww only (G0); ww and wr with a wr
//! (G1c); exactly one rw (G-single); two or more rw (G2-item).

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use super::anomaly::{Anomaly, AnomalyKind};
use super::graph::{Dep, DepGraph};
use super::history::History;

/// How many anti-dependency edges a component's G-single and G2-item searches try, each;
/// a large read-committed component would otherwise cost a search per edge.
const RW_EDGES_TRIED: usize = 400;

/// The cycles found, and which kinds' searches stopped at their budget.
#[derive(Debug, Default)]
pub(super) struct Found {
    pub anomalies: Vec<Anomaly>,
    pub truncated: BTreeSet<AnomalyKind>,
    /// Components (each holds a cycle) in which no search classified a cycle, without any
    /// search stopping at its budget: a checker gap, never to be read as "no anomaly".
    pub unexplained: usize,
}

pub(super) fn find(graph: &DepGraph, history: &History) -> Found {
    let mut found = Found::default();
    for component in tarjan_scc(&graph.graph) {
        if component.len() < 2 {
            continue;
        }
        let members: HashSet<NodeIndex> = component.into_iter().collect();
        let search = Search {
            graph,
            members: &members,
        };
        let (mut single_cut, mut g2_cut) = (false, false);
        let cycles = [
            (AnomalyKind::G0, search.g0()),
            (AnomalyKind::G1c, search.g1c()),
            (AnomalyKind::GSingle, search.g_single(&mut single_cut)),
            (AnomalyKind::G2Item, search.g2_item(&mut g2_cut)),
        ];
        let before = found.anomalies.len();
        for (kind, cycle) in cycles {
            if let Some(edges) = cycle {
                found.anomalies.push(describe(graph, history, kind, &edges));
            }
        }
        if found.anomalies.len() == before && !single_cut && !g2_cut {
            found.unexplained += 1;
        }
        for (kind, cut) in [
            (AnomalyKind::GSingle, single_cut),
            (AnomalyKind::G2Item, g2_cut),
        ] {
            if cut {
                found.truncated.insert(kind);
            }
        }
    }
    found
}

/// Searches within one strongly connected component.
struct Search<'a> {
    graph: &'a DepGraph,
    members: &'a HashSet<NodeIndex>,
}

impl Search<'_> {
    fn endpoints(&self, edge: EdgeIndex) -> (NodeIndex, NodeIndex) {
        self.graph
            .graph
            .edge_endpoints(edge)
            .expect("an edge of the graph")
    }

    /// The component's edges whose kind passes `allowed`.
    fn edges(&self, allowed: impl Fn(Dep) -> bool) -> Vec<EdgeIndex> {
        self.members
            .iter()
            .flat_map(|n| self.graph.graph.edges(*n))
            .filter(|e| self.members.contains(&e.target()) && allowed(e.weight().dep))
            .map(|e| e.id())
            .collect()
    }

    /// The sub-components of the component when only `allowed` edges count.
    fn sub_components(&self, allowed: impl Fn(Dep) -> bool + Copy) -> Vec<HashSet<NodeIndex>> {
        let mut sub: DiGraph<NodeIndex, ()> = DiGraph::new();
        let mut index = HashMap::new();
        for n in self.members {
            index.insert(*n, sub.add_node(*n));
        }
        for e in self.edges(allowed) {
            let (a, b) = self.endpoints(e);
            sub.add_edge(index[&a], index[&b], ());
        }
        tarjan_scc(&sub)
            .into_iter()
            .filter(|c| c.len() > 1)
            .map(|c| c.into_iter().map(|n| sub[n]).collect())
            .collect()
    }

    /// A cycle made of ww edges only.
    fn g0(&self) -> Option<Vec<EdgeIndex>> {
        let only_ww = |d: Dep| d == Dep::Ww;
        let within = self.sub_components(only_ww).into_iter().next()?;
        let first = self
            .edges(only_ww)
            .into_iter()
            .find(|e| self.inside(*e, &within))?;
        self.close(first, &within, only_ww)
    }

    /// A cycle of ww and wr edges with at least one wr.
    fn g1c(&self) -> Option<Vec<EdgeIndex>> {
        let ww_wr = |d: Dep| d != Dep::Rw;
        for within in self.sub_components(ww_wr) {
            let first = self
                .edges(|d| d == Dep::Wr)
                .into_iter()
                .find(|e| self.inside(*e, &within));
            if let Some(first) = first {
                return self.close(first, &within, ww_wr);
            }
        }
        None
    }

    /// A cycle with exactly one rw edge: rw from a to b, then back from b to a over ww and
    /// wr edges.
    fn g_single(&self, truncated: &mut bool) -> Option<Vec<EdgeIndex>> {
        let ww_wr = |d: Dep| d != Dep::Rw;
        let mut unreachable_from: HashMap<NodeIndex, HashSet<NodeIndex>> = HashMap::new();
        for (tried, first) in self.edges(|d| d == Dep::Rw).into_iter().enumerate() {
            if tried == RW_EDGES_TRIED {
                *truncated = true;
                return None;
            }
            let (a, b) = self.endpoints(first);
            let reach = unreachable_from
                .entry(b)
                .or_insert_with(|| self.reachable(b, ww_wr));
            if reach.contains(&a) {
                return self.close(first, self.members, ww_wr);
            }
        }
        None
    }

    /// A cycle with two or more rw edges: rw from a to b, then back from b to a over a path
    /// holding at least one more rw.
    fn g2_item(&self, truncated: &mut bool) -> Option<Vec<EdgeIndex>> {
        for (tried, first) in self.edges(|d| d == Dep::Rw).into_iter().enumerate() {
            if tried == RW_EDGES_TRIED {
                *truncated = true;
                return None;
            }
            let (a, b) = self.endpoints(first);
            if let Some(path) = self.path_through_rw(b, a, first) {
                let mut cycle = vec![first];
                cycle.extend(path);
                if self.is_simple(&cycle) {
                    return Some(cycle);
                }
            }
        }
        None
    }

    /// Whether a cycle passes through each of its transactions once.
    fn is_simple(&self, cycle: &[EdgeIndex]) -> bool {
        let mut sources = HashSet::new();
        cycle.iter().all(|e| sources.insert(self.endpoints(*e).0))
    }

    fn inside(&self, edge: EdgeIndex, within: &HashSet<NodeIndex>) -> bool {
        let (a, b) = self.endpoints(edge);
        within.contains(&a) && within.contains(&b)
    }

    /// `first` followed by a shortest path back to its source over `allowed` edges.
    fn close(
        &self,
        first: EdgeIndex,
        within: &HashSet<NodeIndex>,
        allowed: impl Fn(Dep) -> bool,
    ) -> Option<Vec<EdgeIndex>> {
        let (a, b) = self.endpoints(first);
        let path = self.shortest_path(b, a, within, allowed)?;
        let mut cycle = vec![first];
        cycle.extend(path);
        Some(cycle)
    }

    fn reachable(&self, from: NodeIndex, allowed: impl Fn(Dep) -> bool) -> HashSet<NodeIndex> {
        let mut seen = HashSet::from([from]);
        let mut queue = VecDeque::from([from]);
        while let Some(n) = queue.pop_front() {
            for e in self.graph.graph.edges(n) {
                if allowed(e.weight().dep)
                    && self.members.contains(&e.target())
                    && seen.insert(e.target())
                {
                    queue.push_back(e.target());
                }
            }
        }
        seen
    }

    fn shortest_path(
        &self,
        from: NodeIndex,
        to: NodeIndex,
        within: &HashSet<NodeIndex>,
        allowed: impl Fn(Dep) -> bool,
    ) -> Option<Vec<EdgeIndex>> {
        let mut came_by: HashMap<NodeIndex, EdgeIndex> = HashMap::new();
        let mut queue = VecDeque::from([from]);
        let mut seen = HashSet::from([from]);
        while let Some(n) = queue.pop_front() {
            if n == to {
                let mut path = Vec::new();
                let mut at = to;
                while at != from {
                    let e = came_by[&at];
                    path.push(e);
                    at = self.endpoints(e).0;
                }
                path.reverse();
                return Some(path);
            }
            for e in self.graph.graph.edges(n) {
                let next = e.target();
                if allowed(e.weight().dep) && within.contains(&next) && seen.insert(next) {
                    came_by.insert(next, e.id());
                    queue.push_back(next);
                }
            }
        }
        None
    }

    /// A shortest path from `from` to `to` that holds at least one rw edge (a breadth-first
    /// search over (node, rw seen yet) states).
    fn path_through_rw(
        &self,
        from: NodeIndex,
        to: NodeIndex,
        not: EdgeIndex,
    ) -> Option<Vec<EdgeIndex>> {
        type State = (NodeIndex, bool);
        let start: State = (from, false);
        let mut came_by: HashMap<State, (State, EdgeIndex)> = HashMap::new();
        let mut seen = HashSet::from([start]);
        let mut queue = VecDeque::from([start]);
        while let Some(state) = queue.pop_front() {
            if state == (to, true) {
                let mut path = Vec::new();
                let mut at = state;
                while at != start {
                    let (before, e) = came_by[&at];
                    path.push(e);
                    at = before;
                }
                path.reverse();
                return Some(path);
            }
            for e in self.graph.graph.edges(state.0) {
                if e.id() == not || !self.members.contains(&e.target()) {
                    continue;
                }
                let next = (e.target(), state.1 || e.weight().dep == Dep::Rw);
                if seen.insert(next) {
                    came_by.insert(next, (state, e.id()));
                    queue.push_back(next);
                }
            }
        }
        None
    }
}

/// The anomaly for a cycle: its transactions in order, each step's reason, and each
/// transaction's operations.
fn describe(
    graph: &DepGraph,
    history: &History,
    kind: AnomalyKind,
    edges: &[EdgeIndex],
) -> Anomaly {
    let mut txns = Vec::new();
    let mut explanation = Vec::new();
    for e in edges {
        let (a, b) = graph
            .graph
            .edge_endpoints(*e)
            .expect("an edge of the graph");
        let edge = &graph.graph[*e];
        txns.push(graph.txn(a));
        explanation.push(format!(
            "T{} -{}→ T{}: {}",
            graph.txn(a),
            edge.dep,
            graph.txn(b),
            edge.why
        ));
    }
    for txn in &txns {
        explanation.push(history.txns[*txn].to_string());
    }
    Anomaly {
        kind,
        txns,
        explanation,
    }
}
