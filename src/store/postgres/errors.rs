//! PostgreSQL failures in words an operator can act on: what failed, why, and what to do. Built
//! from the error's kind and SQLSTATE, never from the URL, so no password can reach a message.

use super::super::error::StoreError;
use tokio_postgres::error::SqlState;

/// What can fail inside one journal call, before it is named after the journal.
#[derive(Debug)]
pub enum PgErr {
    Db(tokio_postgres::Error),
    Pool(deadpool_postgres::PoolError),
    /// A row that does not decode.
    Decode(String),
    /// Already a store error (not found, conflict, refused…).
    Store(StoreError),
}

impl From<tokio_postgres::Error> for PgErr {
    fn from(e: tokio_postgres::Error) -> Self {
        PgErr::Db(e)
    }
}

impl From<deadpool_postgres::PoolError> for PgErr {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        PgErr::Pool(e)
    }
}

impl From<StoreError> for PgErr {
    fn from(e: StoreError) -> Self {
        PgErr::Store(e)
    }
}

impl PgErr {
    /// The store error for the journal `shown` (the URL without its password).
    pub fn into_store(self, shown: &str) -> StoreError {
        match self {
            PgErr::Store(e) => e,
            PgErr::Decode(m) => StoreError::corrupt(shown, m),
            PgErr::Db(e) => from_pg(shown, &e),
            PgErr::Pool(deadpool_postgres::PoolError::Backend(e)) => from_pg(shown, &e),
            PgErr::Pool(deadpool_postgres::PoolError::Timeout(_)) => postgres(
                shown,
                format!(
                    "PostgreSQL journal {shown}: no connection became free in time; the server \
                     may be overloaded or unreachable: check it and retry"
                ),
                None,
            ),
            PgErr::Pool(e) => postgres(shown, format!("PostgreSQL journal {shown}: {e}"), None),
        }
    }
}

fn postgres(shown: &str, message: String, code: Option<&SqlState>) -> StoreError {
    StoreError::Postgres {
        journal: shown.to_string(),
        message,
        code: code.map(|c| c.code().to_string()),
    }
}

/// The chain of causes below a tokio-postgres error (its own text is only the kind).
fn causes(e: &tokio_postgres::Error) -> String {
    let mut out = Vec::new();
    let mut next = std::error::Error::source(e);
    while let Some(s) = next {
        out.push(s.to_string());
        next = s.source();
    }
    crate::sanitize::clean(&out.join(": "))
}

pub fn from_pg(shown: &str, e: &tokio_postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let msg = db_message(shown, db.code(), &crate::sanitize::clean(db.message()));
        return postgres(shown, msg, Some(db.code()));
    }
    let why = causes(e);
    let lower = why.to_lowercase();
    let msg = if lower.contains("password missing") {
        format!(
            "PostgreSQL at {shown} asks for a password and none was given: set PGPASSWORD, or add \
             a line to ~/.pgpass (chmod 0600), or put it in the URL"
        )
    } else if lower.contains("refused") {
        format!(
            "cannot reach PostgreSQL at {shown}: the connection was refused; check that the \
             server runs and listens on that host and port (listen_addresses, port)"
        )
    } else if lower.contains("failed to lookup") || lower.contains("name or service") {
        format!(
            "cannot reach PostgreSQL at {shown}: the host name does not resolve ({why}); check the host in the URL"
        )
    } else if lower.contains("timed out") || e.to_string().contains("timeout") {
        format!(
            "cannot reach PostgreSQL at {shown}: no answer in time; check the host, the port and \
             any firewall between here and the server"
        )
    } else if e.to_string().contains("TLS")
        || lower.contains("certificate")
        || lower.contains("tls")
    {
        format!(
            "TLS with PostgreSQL at {shown} failed ({why}); check sslmode and sslrootcert in the \
             URL, and the server's certificate"
        )
    } else if why.is_empty() {
        format!("PostgreSQL journal {shown}: {e}; check the server and retry")
    } else {
        format!("PostgreSQL journal {shown}: {e}: {why}; check the server and retry")
    };
    postgres(shown, msg, None)
}

fn db_message(shown: &str, code: &SqlState, server: &str) -> String {
    match code {
        c if *c == SqlState::INVALID_PASSWORD => format!(
            "PostgreSQL at {shown} refused the password (wrong password, or no such role); check \
             the password in PGPASSWORD, ~/.pgpass or the URL, and the role name"
        ),
        c if *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => format!(
            "PostgreSQL at {shown} does not let this role in ({server}); ask the DBA for a \
             pg_hba.conf entry for it, or check the role name"
        ),
        c if *c == SqlState::INVALID_CATALOG_NAME => format!(
            "the database of {shown} does not exist ({server}); create it (CREATE DATABASE \
             drconsole OWNER drconsole) or fix the database name in the URL"
        ),
        c if *c == SqlState::INSUFFICIENT_PRIVILEGE => format!(
            "PostgreSQL at {shown} refused: {server}; the role needs to own the journal's tables \
             (or be granted CREATE on the schema for the first start): see README, \"A team on \
             PostgreSQL\""
        ),
        c if *c == SqlState::TOO_MANY_CONNECTIONS => format!(
            "PostgreSQL at {shown} has no free connection ({server}); raise max_connections or \
             retry later"
        ),
        c if *c == SqlState::CANNOT_CONNECT_NOW => {
            format!("PostgreSQL at {shown} is starting up or shutting down; retry in a moment")
        }
        _ => format!(
            "PostgreSQL journal {shown}: {server} (SQLSTATE {})",
            code.code()
        ),
    }
}
