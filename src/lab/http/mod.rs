//! The lab's HTTP side: one router per site (services under devstack-like prefixes), the gate
//! every call passes (counters, faults, latency, tokens, microversions), and the accept loop that
//! drops connections without an answer while the site is down.

// Handlers return early with a ready error `Response`; it is built once per call, so boxing it
// would buy nothing.
#![allow(clippy::result_large_err)]

mod array;
mod array_groups;
mod array_list;
mod array_query;
mod compute;
mod compute_create;
mod compute_render;
mod control;
mod errors;
mod floating;
mod gate;
mod identity;
mod network;
mod volume;
mod volume_create;

#[cfg(test)]
mod tests;

use super::state::Ctx;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .merge(identity::routes())
        .merge(compute::routes())
        .merge(network::routes())
        .merge(floating::routes())
        .merge(volume::routes())
        .merge(volume_create::routes())
        .merge(array::routes())
        .merge(control::routes())
        .fallback(unknown_path)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::middleware::from_fn_with_state(
            ctx.clone(),
            gate::gate,
        ))
        .with_state(ctx)
}

/// A path no service has: 404 in the shape of the service its prefix names.
async fn unknown_path(uri: axum::http::Uri) -> axum::response::Response {
    let service = gate::service_of(uri.path()).unwrap_or("lab");
    let msg = format!("The resource could not be found: {}", uri.path());
    gate::service_error(service, 404, &msg)
}

/// A known path with a method it does not take: 405 in its service's shape.
async fn wrong_method(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> axum::response::Response {
    let service = gate::service_of(uri.path()).unwrap_or("lab");
    let msg = format!("The method {method} is not allowed for {}", uri.path());
    gate::service_error(service, 405, &msg)
}

/// Serves one site (over TLS when `tls` is given) until `stop` flips; connection tasks end with
/// it.
pub async fn accept_loop(
    listener: TcpListener,
    ctx: Ctx,
    tls: Option<TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
) {
    let app = router(ctx.clone());
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let (app, ctx, tls) = (app.clone(), ctx.clone(), tls.clone());
                conns.spawn(async move {
                    match tls {
                        // A failed handshake (a client that does not trust the CA) ends here.
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                serve(stream, app, ctx).await;
                            }
                        }
                        None => serve(stream, app, ctx).await,
                    }
                });
            }
            _ = stop.changed() => break,
        }
        while conns.try_join_next().is_some() {}
    }
}

/// One connection's requests; while the site is down they get no answer at all.
async fn serve<IO>(io: IO, app: Router, ctx: Ctx)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
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
        .serve_connection(TokioIo::new(io), svc)
        .await;
}
