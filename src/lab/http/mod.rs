//! The lab's HTTP side: one router per site (services under devstack-like prefixes), the gate
//! every call passes (counters, faults, latency, tokens, microversions), and the accept loop that
//! drops connections without an answer while the site is down.

// Handlers return early with a ready error `Response`; it is built once per call, so boxing it
// would buy nothing.
#![allow(clippy::result_large_err)]

mod array;
mod array_groups;
mod array_list;
mod compute;
mod compute_create;
mod compute_render;
mod control;
mod errors;
mod gate;
mod identity;
mod network;
mod volume;

#[cfg(test)]
mod tests;

use super::state::Ctx;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .merge(identity::routes())
        .merge(compute::routes())
        .merge(network::routes())
        .merge(volume::routes())
        .merge(array::routes())
        .merge(control::routes())
        .layer(axum::middleware::from_fn_with_state(
            ctx.clone(),
            gate::gate,
        ))
        .with_state(ctx)
}

/// Serves one site until `stop` flips; connection tasks end with it.
pub async fn accept_loop(listener: TcpListener, ctx: Ctx, mut stop: watch::Receiver<bool>) {
    let app = router(ctx.clone());
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let app = app.clone();
                let ctx = ctx.clone();
                conns.spawn(async move {
                    let svc = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                        let app = app.clone();
                        let ctx = ctx.clone();
                        async move {
                            if !req.uri().path().starts_with("/lab/") && ctx.site_down() {
                                // No answer at all: hyper closes the connection.
                                return Err(std::io::Error::other("site down"));
                            }
                            app.oneshot(req.map(axum::body::Body::new))
                                .await
                                .map_err(|never| match never {})
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
            _ = stop.changed() => break,
        }
        while conns.try_join_next().is_some() {}
    }
}
