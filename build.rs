//! Sets `cfg(typenet_vfma)` on the targets whose cores all have a single-precision FPU
//! with `VFMA.F32` (VFPv4 or later): the Cortex-M4F/M7 (`thumbv7em-none-eabihf`) and the
//! Armv8-M mainline cores with an FPU (`thumbv8m.main-none-eabihf`,
//! `thumbv8.1m.main-none-eabihf`). Their `f32` multiply-add and forward kernel are
//! `VFMA.F32` assembly (`src/num/kernel/vfp.rs`). Stable Rust does not report Arm
//! floating-point features to `cfg` (other hard-float targets, such as the Cortex-R's
//! VFPv3, have no `VFMA`), hence the target's name.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(typenet_vfma)");
    println!("cargo::rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    let vfma = ["thumbv7em-", "thumbv8m.main-", "thumbv8.1m.main-"]
        .iter()
        .any(|p| target.starts_with(p))
        && target.ends_with("eabihf");
    if vfma {
        println!("cargo::rustc-cfg=typenet_vfma");
    }
}
