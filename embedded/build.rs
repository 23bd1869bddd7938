//! Picks the memory map of the board the target runs on.

use std::{env, fs, path::PathBuf};

fn main() {
    let target = env::var("TARGET").unwrap_or_default();
    // mps2-an386 (Cortex-M4F): 4 MiB of code memory, 4 MiB of SRAM.
    // lm3s6965evb (Cortex-M3): 256 KiB of flash, 64 KiB of SRAM.
    // microbit (Cortex-M0, nRF51822): 256 KiB of flash, 16 KiB of SRAM.
    let memory = if target.starts_with("thumbv7em") {
        "MEMORY\n{\n  FLASH : ORIGIN = 0x00000000, LENGTH = 4M\n  RAM : ORIGIN = 0x20000000, LENGTH = 4M\n}\n"
    } else if target.starts_with("thumbv6m") {
        "MEMORY\n{\n  FLASH : ORIGIN = 0x00000000, LENGTH = 256K\n  RAM : ORIGIN = 0x20000000, LENGTH = 16K\n}\n"
    } else {
        "MEMORY\n{\n  FLASH : ORIGIN = 0x00000000, LENGTH = 256K\n  RAM : ORIGIN = 0x20000000, LENGTH = 64K\n}\n"
    };
    // `small_ram`: the board's 16 KiB cannot hold a network copied into RAM (the f32 and
    // Q16 digits networks are 19 KB), so `measure` leaves those workloads out.
    println!("cargo::rustc-check-cfg=cfg(small_ram)");
    if target.starts_with("thumbv6m") {
        println!("cargo::rustc-cfg=small_ram");
    }
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("memory.x"), memory).expect("OUT_DIR is writable");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=build.rs");
    // `big_flash`: the board has room for the autoencoder's 286 KB of int8 weights
    // (`src/bin/autoencoder_int8.rs`); the 256 KiB of the others have not.
    println!("cargo::rustc-check-cfg=cfg(big_flash)");
    if target.starts_with("thumbv7em") {
        println!("cargo::rustc-cfg=big_flash");
    }
}
