//! `-i`: the interface table, short (`-i`) or ifconfig-style (`-ie`).

use std::io::{self, Write};

use nettables::iface;

use crate::cli::args::{Args, OutputFormat};
use crate::output::Output;
use crate::render::iface as render;
use crate::render::json_iface;
use crate::text::reason;

pub fn run(args: &Args, out: &mut Output) -> super::Status {
    super::repeat(args, out, |out, pass| {
        // net-tools prints the title only when it opens its socket, which it keeps under -c.
        let json = args.format != OutputFormat::Text;
        if pass == 0 && !json {
            out.write_all(render::title())?;
        }
        let long = args.extend >= 1;
        if !long && !json {
            out.write_all(render::SHORT_HEADER)?;
        }
        let listing = match iface::list() {
            Ok(listing) => listing,
            Err(e) => {
                out.flush()?;
                eprintln!("missing interface information: {}", reason(&e));
                return Ok(1);
            }
        };
        if let Some(e) = &listing.dev_error {
            eprintln!(
                "Warning: cannot open /proc/net/dev ({}). Limited output.",
                reason(e)
            );
        }
        if let Some(e) = &listing.conf_error {
            eprintln!("SIOCGIFCONF: {}", reason(e));
        }
        let inet6 = if long || json {
            iface::inet6_addresses().unwrap_or_default()
        } else {
            Vec::new()
        };
        for iface in listing.interfaces.iter().filter(|i| i.is_up() || args.all) {
            if json {
                json_iface::write(out, super::listing::json_options(args), iface, &inet6)?;
            } else if long {
                render::write_long(out, iface, &inet6)?;
            } else {
                render::write_short(out, iface)?;
            }
        }
        match &listing.unreadable {
            None => Ok(0),
            Some((name, e)) => {
                out.flush()?;
                let why = match e.os_error().and_then(io::Error::raw_os_error) {
                    Some(libc::ENODEV) => "Device not found".to_string(),
                    _ => reason(e),
                };
                let mut err = io::stderr().lock();
                err.write_all(name)?;
                writeln!(err, ": error fetching interface information: {why}")?;
                writeln!(err, "missing interface information: {}", reason(e))?;
                Ok(1)
            }
        }
    })
}
