//! The shim binary. Every `shims/<cmd>` is a symlink to this; see `pyv_core::shim`.

fn main() {
    std::process::exit(pyv_core::shim::main());
}
