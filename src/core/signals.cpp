#include "core/signals.h"

#include <array>

namespace bootmortem::core {

const char* signal_abbrev(int sig) {
  // One name per number: the aliases IOT, CLD and POLL are not what Python
  // or glibc print.
  static constexpr std::array<const char*, 32> k_names{
      nullptr, "HUP",  "INT",  "QUIT", "ILL",    "TRAP", "ABRT", "BUS",  "FPE",  "KILL", "USR1",
      "SEGV",  "USR2", "PIPE", "ALRM", "TERM",   "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
      "TTOU",  "URG",  "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO",   "PWR",  "SYS",
  };
  return sig > 0 && sig < static_cast<int>(k_names.size()) ? k_names[sig] : nullptr;
}

}  // namespace bootmortem::core
