#include "cli/status_line.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <fmt/format.h>

namespace bootmortem::cli {
namespace {

// Back to the start of the line; erase from the cursor to its end (EL).
constexpr std::string_view k_return = "\r";
constexpr std::string_view k_erase_right = "\x1b[K";

// The whole of s to fd, through short writes and signals (the ptrace
// tracer's timer interrupts this thread ten times a second).
void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a terminal gone: nothing to show it on
    s.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

std::string status_text(const std::string& command, const run::Waiting& w, int64_t elapsed_ms) {
  std::string head = command + (w.program.empty() ? "" : " " + w.program) + ": " + w.what;
  if (!w.tracer.empty()) head += " (" + w.tracer + ")";
  const double s = static_cast<double>(elapsed_ms) / 1000.0;
  if (w.startsecs > 0) {
    if (s < w.startsecs)
      return fmt::format("{} · {:.1f} s of startsecs={:g} · waiting for exit or RUNNING", head, s, w.startsecs);
    if (s < w.startsecs + w.window)
      return fmt::format("{} · up past startsecs={:g} · {:.1f} s of the {:g} s settle window · "
                         "waiting for a late exit",
                         head, w.startsecs, s - w.startsecs, w.window);
    return fmt::format("{} · {:.1f} s · ending it", head, s);
  }
  if (elapsed_ms > 0 || w.limit > 0) head += fmt::format(" · {:.1f} s", s);
  if (w.limit > 0) head += fmt::format(" of at most {:g} s", w.limit);
  if (!w.until.empty()) head += " · waiting for " + w.until;
  return head;
}

std::string fit_columns(std::string_view s, size_t columns) {
  if (columns == 0) return std::string(s);
  size_t chars = 0, cut = std::string_view::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // inside a UTF-8 sequence
    if (chars == columns - 1) cut = i;  // where "…" goes if it does not fit
    if (++chars > columns) return std::string(s.substr(0, cut)) + "…";
  }
  return std::string(s);
}

void StatusLine::waiting(const run::Waiting& w) {
  w_ = w;
  elapsed_ms_ = w.since_ms;
  draw();
}

void StatusLine::tick(int64_t elapsed_ms) {
  elapsed_ms_ = elapsed_ms;
  if (!w_ || (drawn_at_ && screen_.now() - *drawn_at_ < k_min_interval)) return;
  draw();
}

void StatusLine::idle() {
  erase();
  w_.reset();
}

void StatusLine::note(const std::string& line) {
  screen_.write(fmt::format("{}{}{}\n", shown_ ? k_return : "", shown_ ? k_erase_right : "", line));
  shown_ = false;
  if (w_) draw();
}

void StatusLine::draw() {
  const size_t columns = screen_.columns();
  // One column short of the width: a line that fills it would wrap on some
  // terminals, and a carriage return then goes back to the wrong one.
  const std::string text = fit_columns(status_text(command_, *w_, elapsed_ms_), columns > 1 ? columns - 1 : 0);
  screen_.write(fmt::format("{}{}{}", k_return, text, k_erase_right));
  shown_ = true;
  drawn_at_ = screen_.now();
}

void StatusLine::erase() {
  if (!shown_) return;
  screen_.write(fmt::format("{}{}", k_return, k_erase_right));
  shown_ = false;
}

std::unique_ptr<StatusLine> stderr_status_line(std::string command) {
  StatusLine::Screen screen;
  screen.write = [](std::string_view s) { write_all(2, s); };
  screen.now = [] { return StatusLine::Clock::now(); };
  screen.columns = []() -> size_t {
    struct winsize ws {};
    return ioctl(2, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
  };
  return std::make_unique<StatusLine>(std::move(command), std::move(screen));
}

}  // namespace bootmortem::cli
