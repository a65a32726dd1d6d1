// Which machine a report comes from, and when: reports from many hosts are
// merged (`bootmortem summarize`), so each names its own.
#pragma once

#include <string>

namespace bootmortem::core {

struct Stamp {
  std::string hostname;  // gethostname(2): the UTS namespace's name
  std::string boot_id;   // /proc/sys/kernel/random/boot_id; "" when unreadable
  std::string time;      // UTC, RFC 3339 to the second: "2026-12-07T20:40:00Z"
};

// This host, now.
Stamp stamp_now();

// seconds since the epoch as "2026-12-07T20:40:00Z".
std::string utc_time(long long epoch_s);

}  // namespace bootmortem::core
