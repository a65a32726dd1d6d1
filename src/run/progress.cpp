#include "run/progress.h"

#include <iostream>

namespace bootmortem::run {

void Progress::note(const std::string& line) { std::cerr << line << "\n"; }

Progress& plain_progress() {
  static Progress p;
  return p;
}

std::function<void(int64_t)> ticks_of(Progress& p) {
  if (!p.shows_clock()) return {};
  return [&p](int64_t ms) { p.tick(ms); };
}

}  // namespace bootmortem::run
