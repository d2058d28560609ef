//! Buffered standard output that ends the program quietly when the reader goes away.

use std::io::{self, StdoutLock, Write};

/// How records are written (`--json`, `--json-lines`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// net-tools' text.
    #[default]
    Text,
    /// One JSON array (one object for `-s`).
    Json,
    /// One JSON object per line.
    JsonLines,
}

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

/// The exit status of the Windows and macOS modes after an output error: a broken pipe ends
/// quietly (0); any other error is reported (1).
#[cfg(any(windows, target_os = "macos"))]
pub fn output_failed(e: &io::Error) -> i32 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return 0;
    }
    eprintln!("netstat: {}", crate::text::strerror(e));
    1
}
