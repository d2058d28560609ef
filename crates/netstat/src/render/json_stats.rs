//! `-s` as JSON: one object whose keys are the kernel's section names (`Ip`, `Tcp`, `TcpExt`,
//! `Ip6`, ...), each an object of the kernel's counter names and values, with `netns` and
//! `container` keys when namespaces are labelled.

use std::io;

use nettables::counters::CounterSection;
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::json::{self, JsonOptions, Sink};

/// Writes `sections` as one object: the whole document, or (`in_array`, for `--all-netns`) one
/// record of the array.
pub fn write(
    out: &mut impl Sink,
    options: JsonOptions<'_>,
    sections: &[&CounterSection],
    in_array: bool,
) -> io::Result<()> {
    let document = Statistics {
        origin: options.origin,
        sections,
    };
    if in_array {
        json::record(out, options.format, &document)
    } else {
        json::document(out, &document)
    }
}

struct Statistics<'a> {
    origin: Option<json::Origin<'a>>,
    sections: &'a [&'a CounterSection],
}

impl Serialize for Statistics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(origin) = self.origin {
            map.serialize_entry("netns", &json::Text(origin.label.as_bytes()))?;
            map.serialize_entry(
                "container",
                &origin.container.map(json::ContainerFields::new),
            )?;
        }
        for section in self.sections {
            map.serialize_entry(&section.name, &Section(section))?;
        }
        map.end()
    }
}

struct Section<'a>(&'a CounterSection);

impl Serialize for Section<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.counters.len()))?;
        for (key, value) in &self.0.counters {
            map.serialize_entry(key, &Value(*value))?;
        }
        map.end()
    }
}

/// The parser keeps values modulo 2^64; the kernel's few negative ones (`MaxConn -1`) become
/// negative again.
struct Value(u64);

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match i64::try_from(self.0) {
            Ok(v) => serializer.serialize_i64(v),
            Err(_) => serializer.serialize_i64(self.0 as i64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::OutputFormat;
    use crate::render::json::tests::Memory;
    use nettables::counters::{CounterFile, parse};
    use serde_json::json;

    #[test]
    fn sections_are_objects_of_counters_and_negative_values_come_back() {
        let snmp = parse(
            CounterFile::Snmp,
            b"Ip: Forwarding DefaultTTL\nIp: 1 64\nTcp: RtoMin MaxConn\nTcp: 200 -1\n",
        );
        let sections: Vec<&CounterSection> = snmp.sections.iter().collect();
        let mut out = Memory::default();
        write(&mut out, JsonOptions::default(), &sections, false).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.bytes).unwrap();
        assert_eq!(
            v,
            json!({"Ip": {"Forwarding": 1, "DefaultTTL": 64}, "Tcp": {"RtoMin": 200, "MaxConn": -1}})
        );
        let labelled = JsonOptions {
            format: OutputFormat::JsonLines,
            origin: Some(json::Origin {
                label: "blue",
                container: None,
            }),
        };
        let mut out = Memory::default();
        write(&mut out, labelled, &sections[..1], true).unwrap();
        assert_eq!(
            out.json_lines()[0],
            json!({"netns": "blue", "container": null, "Ip": {"Forwarding": 1, "DefaultTTL": 64}})
        );
    }
}
