//! Shape errors are compile errors with a message that names the rule, and a layer
//! size that is not an unsigned integer literal is a compile error saying what is
//! accepted. The `.stderr` snapshots are pinned to the toolchain in `rust-toolchain.toml`.

#[test]
fn shape_errors_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
