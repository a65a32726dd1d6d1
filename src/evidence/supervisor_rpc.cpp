#include "evidence/supervisor_rpc.h"

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio.hpp>
#include <chrono>
#include <functional>

namespace bootmortem::evidence {

HttpReply split_http_response(const std::string& raw) {
  HttpReply r;
  size_t head_end = raw.find("\r\n\r\n");
  if (!raw.starts_with("HTTP/") || head_end == std::string::npos) {
    r.error = raw.empty() ? "empty reply" : "not an HTTP response";
    return r;
  }
  size_t sp = raw.find(' ');
  r.status = sp < head_end ? std::atoi(raw.c_str() + sp + 1) : 0;
  r.body = raw.substr(head_end + 4);
  r.ok = r.status > 0;
  if (!r.ok) r.error = "malformed HTTP status line";
  return r;
}

HttpReply UnixSocketRpc::post(const std::string& body) const {
  namespace asio = boost::asio;
  using socket_t = asio::local::stream_protocol::socket;
  asio::io_context io;
  socket_t sock(io);
  // HTTP/1.0: medusa closes the connection after the reply, so EOF ends it.
  const std::string request = "POST /RPC2 HTTP/1.0\r\nHost: localhost\r\nContent-Type: text/xml\r\n"
                              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string raw;
  std::array<char, 16384> buf{};
  std::string error;
  bool too_big = false;

  std::function<void(const boost::system::error_code&, size_t)> on_read =
      [&](const boost::system::error_code& ec, size_t n) {
        raw.append(buf.data(), n);
        if (raw.size() > max_reply_) {
          too_big = true;
          return;
        }
        if (!ec) sock.async_read_some(asio::buffer(buf), on_read);
        else if (ec != asio::error::eof) error = "read: " + ec.message();
      };
  sock.async_connect(asio::local::stream_protocol::endpoint(path_), [&](const boost::system::error_code& ec) {
    if (ec) {
      error = "connect " + path_ + ": " + ec.message();
      return;
    }
    asio::async_write(sock, asio::buffer(request), [&](const boost::system::error_code& wec, size_t) {
      if (wec) error = "write: " + wec.message();
      else sock.async_read_some(asio::buffer(buf), on_read);
    });
  });
  io.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(timeout_s_)));
  if (!io.stopped()) {
    boost::system::error_code ignored;
    sock.close(ignored);
    return {false, "no reply from " + path_ + " within " + std::to_string(static_cast<int>(timeout_s_)) + " s", 0, ""};
  }
  if (too_big) return {false, "reply larger than " + std::to_string(max_reply_) + " bytes", 0, ""};
  if (!error.empty()) return {false, error, 0, ""};
  return split_http_response(raw);
}

RpcResult rpc_call(const RpcTransport& t, const std::string& method, const std::vector<RpcValue>& params) {
  RpcResult r;
  HttpReply reply = t.post(rpc_request(method, params));
  if (!reply.ok) {
    r.error = reply.error;
  } else if (reply.status != 200) {
    // 401: [unix_http_server] username/password; bootmortem sends none.
    r.error = "HTTP " + std::to_string(reply.status) + " from supervisord";
  } else {
    try {
      r.response = parse_rpc_response(reply.body);
    } catch (const RpcParseError& e) {
      r.error = e.what();
    }
  }
  return r;
}

}  // namespace bootmortem::evidence
