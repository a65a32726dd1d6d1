#include "evidence/supervisor_rpc.h"

#include <doctest/doctest.h>

#include <utility>

#include <boost/asio.hpp>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace bootmortem;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BOOTMORTEM_TEST_DATA) + "/supervisor/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("an HTTP reply splits into status and body (expB's raw reply)") {
  auto r = evidence::split_http_response(fixture("expB-xmlrpc-tailProcessStderrLog-raw-http.txt"));
  CHECK(r.ok);
  CHECK(r.status == 200);
  CHECK(r.body.starts_with("<?xml version='1.0'?>"));
  CHECK_FALSE(evidence::split_http_response("").ok);
  CHECK_FALSE(evidence::split_http_response("garbage\r\n\r\n").ok);
  CHECK(evidence::split_http_response("HTTP/1.0 401 Unauthorized\r\n\r\n").status == 401);
}

TEST_CASE("rpc_call turns transport errors, HTTP errors and faults into one result") {
  evidence::FakeRpc rpc;
  rpc.respond = [](const std::string&) { return evidence::HttpReply{false, "connect /x.sock: No such file or directory", 0, ""}; };
  CHECK(evidence::rpc_call(rpc, "supervisor.getPID", {}).error == "connect /x.sock: No such file or directory");
  rpc.respond = [](const std::string&) { return evidence::HttpReply{true, "", 401, "Unauthorized"}; };
  CHECK(evidence::rpc_call(rpc, "supervisor.getPID", {}).error == "HTTP 401 from supervisord");
  rpc.respond = [](const std::string&) { return evidence::HttpReply{true, "", 200, "<html/>"}; };
  CHECK(evidence::rpc_call(rpc, "supervisor.getPID", {}).error.starts_with("XML-RPC response:"));
  rpc.respond = [](const std::string&) {
    return evidence::HttpReply{true, "", 200,
                               "<methodResponse><params><param><value><int>42</int></value></param></params></methodResponse>"};
  };
  auto ok = evidence::rpc_call(rpc, "supervisor.getPID", {});
  CHECK(ok.ok());
  CHECK(ok.response.value.i == 42);
  CHECK(rpc.calls.back().find("<methodName>supervisor.getPID</methodName>") != std::string::npos);
}

TEST_CASE("the unix-socket transport posts to /RPC2 and reads to EOF") {
  namespace asio = boost::asio;
  const std::string path = "/tmp/bootmortem-rpc-test-" + std::to_string(getpid()) + ".sock";
  ::unlink(path.c_str());
  asio::io_context io;
  asio::local::stream_protocol::acceptor acceptor(io, asio::local::stream_protocol::endpoint(path));
  std::string request;
  std::thread server([&] {
    asio::local::stream_protocol::socket s(io);
    acceptor.accept(s);
    asio::streambuf buf;
    asio::read_until(s, buf, "</methodCall>\n");
    request.assign(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
    std::string reply = "HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<methodResponse/>";
    asio::write(s, asio::buffer(reply));
  });
  auto r = evidence::UnixSocketRpc(path, 5).post(evidence::rpc_request("supervisor.getPID", {}));
  server.join();
  ::unlink(path.c_str());
  CHECK(r.ok);
  CHECK(r.status == 200);
  CHECK(r.body == "<methodResponse/>");
  CHECK(request.starts_with("POST /RPC2 HTTP/1.0\r\n"));
  CHECK(request.find("Content-Type: text/xml\r\n") != std::string::npos);

  auto none = evidence::UnixSocketRpc("/nonexistent/supervisor.sock", 1).post("x");
  CHECK_FALSE(none.ok);
  CHECK(none.error.starts_with("connect /nonexistent/supervisor.sock: "));
}
