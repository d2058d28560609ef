//! Buffered standard output that ends the program quietly when the reader goes away.

use std::io::{self, StdoutLock, Write};

/// All table output goes through here: one large buffer, flushed at the end of each pass.
pub struct Output {
    inner: io::BufWriter<StdoutLock<'static>>,
    /// Where `--json`'s array stands, shared by every table written.
    pub json: crate::render::json::Framing,
}

impl Output {
    pub fn stdout() -> Output {
        Output {
            inner: io::BufWriter::with_capacity(128 * 1024, io::stdout().lock()),
            json: Default::default(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Exit status used when standard output was closed under us, as a shell reports SIGPIPE.
pub const BROKEN_PIPE_STATUS: i32 = 128 + 13;
