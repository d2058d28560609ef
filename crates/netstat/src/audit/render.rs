//! The readable form of the findings: severity, check and message on one line, then the
//! evidence and the advice indented below. (JSON goes through `render::json`.)

use std::io::{self, Write};

use super::{Finding, Severity};
use crate::text::write_sanitized;

/// Writes every finding, then a one-line summary. `checks` is the number of checks that ran.
pub fn text(out: &mut impl Write, findings: &[Finding], checks: usize) -> io::Result<()> {
    for finding in findings {
        let label = match finding.severity {
            Severity::Critical => "CRITICAL",
            Severity::Warning => "WARNING ",
            Severity::Info => "INFO    ",
        };
        write!(out, "{label} {}: ", finding.check)?;
        write_sanitized(out, finding.message.as_bytes())?;
        out.write_all(b"\n    evidence:\n")?;
        for line in &finding.evidence {
            out.write_all(b"      ")?;
            write_sanitized(out, line.as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.write_all(b"    advice: ")?;
        write_sanitized(out, finding.advice.as_bytes())?;
        out.write_all(b"\n\n")?;
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    if findings.is_empty() {
        writeln!(out, "No findings ({checks} checks).")
    } else {
        let noun = if findings.len() == 1 {
            "finding"
        } else {
            "findings"
        };
        writeln!(
            out,
            "{} {noun}: {} critical, {} warning, {} info ({checks} checks).",
            findings.len(),
            count(Severity::Critical),
            count(Severity::Warning),
            count(Severity::Info)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_and_sanitized_text() {
        let findings = [Finding {
            check: "close-wait",
            severity: Severity::Warning,
            message: "evil\u{1b}[2J (pid 7) holds 40 sockets in CLOSE_WAIT".into(),
            evidence: vec!["one".into(), "two\n".into()],
            advice: "close them".into(),
        }];
        let mut out = Vec::new();
        text(&mut out, &findings, 9).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "WARNING  close-wait: evil?[2J (pid 7) holds 40 sockets in CLOSE_WAIT\n    evidence:\n      one\n      two?\n    \
             advice: close them\n\n1 finding: 0 critical, 1 warning, 0 info (9 checks).\n"
        );
        let mut out = Vec::new();
        text(&mut out, &[], 8).unwrap();
        assert_eq!(out, b"No findings (8 checks).\n");
    }
}
