#include "core/command.h"

#include <boost/asio.hpp>
#include <boost/process.hpp>
#include <chrono>

namespace bootmortem::core {
namespace {

namespace bp = boost::process;
namespace asio = boost::asio;

// Reads a pipe to EOF asynchronously, keeping at most `limit` bytes.
struct Sink {
  bp::async_pipe pipe;
  std::array<char, 16384> buf{};
  std::string kept;
  size_t limit;
  bool truncated = false;

  Sink(asio::io_context& io, size_t lim) : pipe(io), limit(lim) {}

  void start() {
    pipe.async_read_some(asio::buffer(buf), [this](const boost::system::error_code& ec, size_t n) {
      if (n > 0) {
        size_t take = kept.size() < limit ? std::min(n, limit - kept.size()) : 0;
        kept.append(buf.data(), take);
        if (take < n) truncated = true;
      }
      if (!ec) start();
    });
  }
};

}  // namespace

CommandResult RealCommandRunner::run(const CommandSpec& spec) const {
  CommandResult r;
  if (spec.argv.empty()) {
    r.error = "empty command";
    return r;
  }
  asio::io_context io;
  Sink out(io, spec.max_output), err(io, spec.max_output);

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
                  bp::std_err > err.pipe, env, io, ec);
  if (ec) {
    r.error = ec.message();
    return r;
  }
  r.started = true;
  out.start();
  err.start();

  // run_for returns when the pipes reach EOF (every writer gone) or time runs out.
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(spec.timeout_s));
  while (!io.stopped() && std::chrono::steady_clock::now() < deadline)
    io.run_until(deadline);
  if (!io.stopped()) {
    r.timed_out = true;
    child.terminate(ec);  // SIGKILL
    // A grandchild may still hold the pipes: close our ends instead of waiting.
    out.pipe.close();
    err.pipe.close();
  }
  child.wait(ec);
  if (!r.timed_out) r.exit_code = child.exit_code();
  r.out = std::move(out.kept);
  r.err = std::move(err.kept);
  r.truncated = out.truncated || err.truncated;
  return r;
}

}  // namespace bootmortem::core
