#include "core/host.h"

#include <unistd.h>

#include <climits>
#include <ctime>
#include <fstream>

namespace bootmortem::core {

std::string utc_time(long long epoch_s) {
  const time_t t = static_cast<time_t>(epoch_s);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Stamp stamp_now() {
  Stamp s;
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) == 0) s.hostname = name;
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::getline(in, s.boot_id);
  s.time = utc_time(static_cast<long long>(::time(nullptr)));
  return s;
}

}  // namespace bootmortem::core
