#include "core/command.h"

#include <signal.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <chrono>
#include <optional>
#include <thread>

namespace bootmortem::core {
namespace {

namespace bp = boost::process;
namespace asio = boost::asio;

// Reads a pipe to EOF asynchronously, keeping at most `limit` bytes: the
// first ones, or with `tail` the last ones.
struct Sink {
  bp::async_pipe pipe;
  std::array<char, 16384> buf{};
  std::string kept;
  size_t limit;
  bool tail;
  bool truncated = false;

  Sink(asio::io_context& io, size_t lim, bool keep_tail) : pipe(io), limit(lim), tail(keep_tail) {}

  void start() {
    pipe.async_read_some(asio::buffer(buf), [this](const boost::system::error_code& ec, size_t n) {
      if (n > 0) tail ? keep_last(n) : keep_first(n);
      if (!ec) start();
    });
  }

  void keep_first(size_t n) {
    size_t take = kept.size() < limit ? std::min(n, limit - kept.size()) : 0;
    kept.append(buf.data(), take);
    if (take < n) truncated = true;
  }

  void keep_last(size_t n) {
    kept.append(buf.data(), n);
    // Trim in large steps so a flood costs amortised O(1) per byte.
    if (kept.size() > 2 * limit + buf.size()) trim();
  }

  void trim() {
    if (kept.size() <= limit) return;
    kept.erase(0, kept.size() - limit);
    truncated = true;
  }
};

// setsid() in the child between fork and exec (own_session).
struct NewSession : bp::extend::handler {
  bool on;
  template <class Executor>
  void on_exec_setup(Executor&) const {
    if (on) ::setsid();
  }
};

// How long a helper's pipes may stay open after it exited: a grandchild it
// left behind may hold them, and we do not wait for that one.
constexpr auto k_drain_after_exit = std::chrono::milliseconds(200);

}  // namespace

CommandResult RealCommandRunner::run(const CommandSpec& spec) const {
  CommandResult r;
  if (spec.argv.empty()) {
    r.error = "empty command";
    return r;
  }
  asio::io_context io;
  Sink out(io, spec.max_output, spec.keep_tail), err(io, spec.max_output, spec.keep_tail);

  boost::filesystem::path exe = spec.argv[0];
  if (spec.argv[0].find('/') == std::string::npos) exe = bp::search_path(spec.argv[0]);
  if (exe.empty()) {
    r.error = "command not found: " + spec.argv[0];
    return r;
  }
  std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());

  bp::environment env = boost::this_process::environment();
  if (spec.env) {
    env.clear();
    for (const auto& [k, v] : spec.env->entries()) env[k] = v;
  }

  std::error_code ec;
  bp::child child(exe, bp::args(args), bp::std_in < bp::null, bp::std_out > out.pipe,
                  bp::std_err > err.pipe, env, io, NewSession{{}, spec.own_session}, ec);
  if (ec) {
    r.error = ec.message();
    return r;
  }
  r.started = true;
  out.start();
  err.start();

  // Run until the pipes reach EOF (every writer gone), or the helper has
  // exited and its pipes had a moment to drain, or time runs out.
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(
                                           std::chrono::duration<double>(spec.timeout_s));
  std::optional<clock::time_point> drained_by;  // set once the helper has exited
  while (clock::now() < deadline) {
    if (io.stopped())
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    else
      io.run_for(std::chrono::milliseconds(20));
    if (!drained_by && !child.running(ec)) drained_by = clock::now() + k_drain_after_exit;
    if (drained_by && (io.stopped() || clock::now() >= *drained_by)) break;
  }
  const bool exited = drained_by.has_value();
  if (!exited) {
    r.timed_out = true;
    child.terminate(ec);  // SIGKILL
  }
  // Whatever else of its session is left (a profile's background job, a hung
  // grandchild): the group id is the child's pid, setsid made it so.
  if (spec.own_session) ::kill(-child.id(), SIGKILL);
  if (!io.stopped()) {
    // A grandchild may still hold the pipes: close our ends instead of waiting.
    out.pipe.close();
    err.pipe.close();
  }
  child.wait(ec);
  if (!r.timed_out) r.exit_code = child.exit_code();
  out.trim();
  err.trim();
  r.out = std::move(out.kept);
  r.err = std::move(err.kept);
  r.truncated = out.truncated || err.truncated;
  return r;
}

}  // namespace bootmortem::core
