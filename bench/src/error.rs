//! The harness's error: what went wrong, with a stable code for scripts.

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The command line was wrong.
    #[error("usage: {0}")]
    Usage(String),
    /// A file, socket or process could not be used.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// Something the benchmark needs could not be set up (a server, a peer, an account).
    #[error("setup: {0}")]
    Setup(String),
    /// A system under test failed while measured.
    #[error("run: {0}")]
    Run(String),
}

impl BenchError {
    /// A stable code: `usage`, `io`, `setup` or `run`.
    pub fn code(&self) -> &'static str {
        match self {
            BenchError::Usage(_) => "usage",
            BenchError::Io(_) => "io",
            BenchError::Setup(_) => "setup",
            BenchError::Run(_) => "run",
        }
    }
}

impl From<sentra_core::Error> for BenchError {
    fn from(e: sentra_core::Error) -> Self {
        BenchError::Run(format!("sentra-core: {e}"))
    }
}

impl From<serde_json::Error> for BenchError {
    fn from(e: serde_json::Error) -> Self {
        BenchError::Run(format!("json: {e}"))
    }
}

/// The harness's result.
pub type Result<T> = std::result::Result<T, BenchError>;
