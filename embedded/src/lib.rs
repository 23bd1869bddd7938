//! What the firmware programs share: leaving QEMU with a status, the panic handler, and
//! the autoencoder's inputs and printed lines ([`autoencoder`]).
#![no_std]

pub mod autoencoder;

use cortex_m_semihosting::{debug, hprintln};

/// Ends the program: QEMU exits with status 0 when `success`, 1 otherwise.
pub fn exit(success: bool) -> ! {
    debug::exit(if success {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Without a debugger attached the exit request is ignored; sleep for good.
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    exit(false)
}
