//! Metric families and their two wire formats: the Prometheus text format 0.0.4 and
//! OpenMetrics 1.0.0.
//!
//! Hand-written rather than taken from `prometheus` or `prometheus-client`: those crates are
//! built around long-lived registries of metric objects updated in place, while every scrape
//! here builds a fresh set of label values (listeners, programs, peers come and go), and both
//! formats are a few lines of escaping. It also keeps their dependency trees out of a cold build.

use std::fmt::Write as _;

/// The kind of a family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Gauge,
    /// A counter; its name (as given to [`Collection::family`]) ends in `_total`.
    Counter,
}

/// A sample value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

/// One series: label pairs and a value.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub labels: Vec<(&'static str, String)>,
    pub value: Value,
}

/// A metric family: a name, its help, its kind and its samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Family {
    pub name: String,
    pub help: String,
    pub kind: Kind,
    pub samples: Vec<Sample>,
}

impl Family {
    /// Adds a sample.
    pub fn push(&mut self, labels: Vec<(&'static str, String)>, value: Value) {
        self.samples.push(Sample { labels, value });
    }
}

/// The families of one scrape, in the order they were first made.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Collection {
    pub families: Vec<Family>,
}

impl Collection {
    /// The family `name`, made on first use. Names are checked by the callers' tests: they are
    /// fixed, or made by [`crate::collect::counters::metric_name`].
    pub fn family(&mut self, name: &str, help: &str, kind: Kind) -> &mut Family {
        let index = match self.families.iter().position(|f| f.name == name) {
            Some(index) => index,
            None => {
                self.families.push(Family {
                    name: name.to_string(),
                    help: help.to_string(),
                    kind,
                    samples: Vec::new(),
                });
                self.families.len() - 1
            }
        };
        &mut self.families[index]
    }

    /// Moves every sample of `other` in, each with `label` in front of its own labels.
    pub fn merge_labelled(&mut self, other: Collection, labels: &[(&'static str, String)]) {
        for family in other.families {
            let target = self.family(&family.name, &family.help, family.kind);
            for mut sample in family.samples {
                sample.labels.splice(0..0, labels.iter().cloned());
                target.samples.push(sample);
            }
        }
    }
}

/// The two formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    OpenMetrics,
}

impl Format {
    /// The `Content-Type` of a response in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }

    /// The format an `Accept` header prefers: OpenMetrics when its quality is higher than the
    /// text format's (or `*/*`'s), the text format otherwise.
    pub fn negotiate(accept: Option<&str>) -> Format {
        let Some(accept) = accept else {
            return Format::Text;
        };
        let mut open_metrics = 0.0f32;
        let mut text = 0.0f32;
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default().to_ascii_lowercase();
            let mut quality = 1.0f32;
            for param in parts {
                if let Some(q) = param.strip_prefix("q=") {
                    quality = q.parse().unwrap_or(0.0);
                }
            }
            match media.as_str() {
                "application/openmetrics-text" => open_metrics = open_metrics.max(quality),
                "text/plain" | "text/*" | "*/*" => text = text.max(quality),
                _ => {}
            }
        }
        if open_metrics > 0.0 && open_metrics > text {
            Format::OpenMetrics
        } else {
            Format::Text
        }
    }
}

/// Encodes `collection` in `format`.
pub fn encode(collection: &Collection, format: Format) -> String {
    let mut out = String::with_capacity(64 * 1024);
    for family in &collection.families {
        // OpenMetrics names a counter family without its `_total`; its samples keep it.
        let family_name = match (format, family.kind) {
            (Format::OpenMetrics, Kind::Counter) => {
                family.name.strip_suffix("_total").unwrap_or(&family.name)
            }
            _ => &family.name,
        };
        let kind = match family.kind {
            Kind::Gauge => "gauge",
            Kind::Counter => "counter",
        };
        out.push_str("# HELP ");
        out.push_str(family_name);
        out.push(' ');
        escape(&mut out, &family.help, format == Format::OpenMetrics);
        out.push_str("\n# TYPE ");
        out.push_str(family_name);
        out.push(' ');
        out.push_str(kind);
        out.push('\n');
        for sample in &family.samples {
            out.push_str(&family.name);
            if !sample.labels.is_empty() {
                out.push('{');
                for (i, (name, value)) in sample.labels.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(name);
                    out.push_str("=\"");
                    escape(&mut out, value, true);
                    out.push('"');
                }
                out.push('}');
            }
            out.push(' ');
            match sample.value {
                Value::Unsigned(v) => out.push_str(itoa::Buffer::new().format(v)),
                Value::Signed(v) => out.push_str(itoa::Buffer::new().format(v)),
                Value::Float(v) if v.is_nan() => out.push_str("NaN"),
                Value::Float(v) if v.is_infinite() => {
                    out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" })
                }
                Value::Float(v) => {
                    let _ = write!(out, "{v}");
                }
            }
            out.push('\n');
        }
    }
    if format == Format::OpenMetrics {
        out.push_str("# EOF\n");
    }
    out
}

/// Escapes a help text or label value: backslash and newline always, the double quote in label
/// values and in OpenMetrics help.
fn escape(out: &mut String, text: &str, quotes: bool) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quotes => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

/// Whether `name` is a valid metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
pub fn valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b':')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Collection {
        let mut c = Collection::default();
        let f = c.family("x_sockets", "Sockets \\ by \"state\"\nnext", Kind::Gauge);
        f.push(
            vec![("state", "a\"b\\c\nd".to_string())],
            Value::Unsigned(3),
        );
        f.push(Vec::new(), Value::Signed(-1));
        let f = c.family("x_segs_total", "Segments.", Kind::Counter);
        f.push(Vec::new(), Value::Unsigned(u64::MAX));
        c.family("x_seconds", "Time.", Kind::Gauge)
            .push(Vec::new(), Value::Float(0.25));
        c
    }

    #[test]
    fn text_format() {
        assert_eq!(
            encode(&sample(), Format::Text),
            "# HELP x_sockets Sockets \\\\ by \"state\"\\nnext\n# TYPE x_sockets gauge\n\
             x_sockets{state=\"a\\\"b\\\\c\\nd\"} 3\nx_sockets -1\n\
             # HELP x_segs_total Segments.\n# TYPE x_segs_total counter\n\
             x_segs_total 18446744073709551615\n\
             # HELP x_seconds Time.\n# TYPE x_seconds gauge\nx_seconds 0.25\n"
        );
    }

    #[test]
    fn open_metrics_format() {
        let text = encode(&sample(), Format::OpenMetrics);
        assert!(text.starts_with("# HELP x_sockets Sockets \\\\ by \\\"state\\\"\\nnext\n"));
        assert!(text.contains("# TYPE x_segs counter\nx_segs_total 18446744073709551615\n"));
        assert!(text.ends_with("x_seconds 0.25\n# EOF\n"));
    }

    #[test]
    fn merging_adds_the_label_and_keeps_one_family() {
        let mut all = Collection::default();
        all.merge_labelled(sample(), &[("netns", "blue".to_string())]);
        all.merge_labelled(sample(), &[("netns", "red".to_string())]);
        assert_eq!(all.families.len(), 3);
        let sockets = &all.families[0].samples;
        assert_eq!(sockets.len(), 4);
        assert_eq!(sockets[0].labels[0], ("netns", "blue".to_string()));
        assert_eq!(sockets[3].labels, vec![("netns", "red".to_string())]);
    }

    #[test]
    fn negotiation() {
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;\
                          version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(Format::negotiate(Some(prometheus)), Format::OpenMetrics);
        assert_eq!(Format::negotiate(None), Format::Text);
        assert_eq!(Format::negotiate(Some("*/*")), Format::Text);
        assert_eq!(
            Format::negotiate(Some("text/plain;version=0.0.4")),
            Format::Text
        );
        assert_eq!(
            Format::negotiate(Some("text/plain;q=0.9, application/openmetrics-text;q=0.3")),
            Format::Text
        );
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text; q=0")),
            Format::Text
        );
    }

    #[test]
    fn metric_names() {
        assert!(valid_name("netstat_tcp_retrans_segs_total"));
        assert!(valid_name("a:b_1"));
        assert!(!valid_name("1abc"));
        assert!(!valid_name(""));
        assert!(!valid_name("a-b"));
    }
}
