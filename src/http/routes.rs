//! The route table: the router is built from it, and it remembers every path it routed, so the
//! OpenAPI document can be checked against what is really served (not only the other way round).

use axum::Router;
use axum::routing::MethodRouter;

use super::state::AppState;

/// Routes under construction, with the path templates given so far.
pub struct Routes {
    router: Router<AppState>,
    paths: Vec<&'static str>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Self { router: Router::new(), paths: Vec::new() }
    }

    /// Serves `path` with `methods`; the path is recorded for [`Routes::paths`].
    pub fn route(mut self, path: &'static str, methods: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, methods);
        self.paths.push(path);
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// Every path template routed, in the order given.
    pub fn paths(&self) -> &[&'static str] {
        &self.paths
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
