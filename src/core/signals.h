#pragma once

namespace bootmortem::core {

// A signal's name without "SIG" ("TERM" for 15), as Linux numbers them on
// x86-64 and arm64; nullptr for a number with no name of its own (0, the
// real-time signals). What glibc 2.32's sigabbrev_np says, on the glibc 2.31
// the release binary runs on.
const char* signal_abbrev(int sig);

}  // namespace bootmortem::core
