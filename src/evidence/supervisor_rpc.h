// Asking a running supervisord over its XML-RPC endpoint: HTTP POST /RPC2 on
// the [unix_http_server] socket (supervisor-semantics.md §10). Behind a seam:
// the real transport talks to the socket with a timeout and a size bound;
// tests answer from a function.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "evidence/xmlrpc.h"

namespace bootmortem::evidence {

struct HttpReply {
  bool ok = false;      // a complete HTTP response arrived
  std::string error;    // why not: "connect: Permission denied", "timed out"
  int status = 0;       // 200, 401 ...
  std::string body;
};

// "HTTP/1.1 200 OK\r\n...\r\n\r\nbody" -> status and body; ok=false when
// it is not an HTTP response.
HttpReply split_http_response(const std::string& raw);

class RpcTransport {
 public:
  virtual ~RpcTransport() = default;
  // POST /RPC2 with this XML body.
  virtual HttpReply post(const std::string& body) const = 0;
};

class UnixSocketRpc final : public RpcTransport {
 public:
  explicit UnixSocketRpc(std::string socket_path, double timeout_s = 5, size_t max_reply = 4 << 20)
      : path_(std::move(socket_path)), timeout_s_(timeout_s), max_reply_(max_reply) {}
  HttpReply post(const std::string& body) const override;

 private:
  std::string path_;
  double timeout_s_;
  size_t max_reply_;
};

// Answers from a function of the request body; records the bodies.
class FakeRpc final : public RpcTransport {
 public:
  std::function<HttpReply(const std::string& body)> respond;
  mutable std::vector<std::string> calls;
  HttpReply post(const std::string& body) const override {
    calls.push_back(body);
    return respond ? respond(body) : HttpReply{false, "no answer", 0, ""};
  }
};

// One call: the response, or the reason there is none (transport error,
// HTTP status, unparsable body) in `error`.
struct RpcResult {
  std::string error;
  RpcResponse response;
  bool ok() const { return error.empty() && !response.fault; }
};
RpcResult rpc_call(const RpcTransport& t, const std::string& method, const std::vector<RpcValue>& params);

}  // namespace bootmortem::evidence
