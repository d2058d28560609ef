//! Platform backends. So far only the macOS parsers live here; the platform seam of issue 15
//! (one implementation per system, each saying what it can do) is to grow around them.

#[cfg(any(target_os = "macos", test))]
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the macOS backend that calls these parsers is not built yet"
    )
)]
pub(crate) mod macos;
