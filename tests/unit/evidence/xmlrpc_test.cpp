#include "evidence/xmlrpc.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace bootmortem;
using evidence::RpcValue;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BOOTMORTEM_TEST_DATA) + "/supervisor/" + name);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("a request names the method and carries typed, escaped parameters") {
  std::string body = evidence::rpc_request("supervisor.tailProcessStderrLog",
                                           {RpcValue::of("web:<0>&"), RpcValue::of(int64_t{0}), RpcValue::of(int64_t{-400})});
  CHECK(body.find("<methodName>supervisor.tailProcessStderrLog</methodName>") != std::string::npos);
  CHECK(body.find("<value><string>web:&lt;0&gt;&amp;</string></value>") != std::string::npos);
  CHECK(body.find("<value><int>-400</int></value>") != std::string::npos);
}

TEST_CASE("expB getProcessInfo: the struct supervisord 4.2.5 returns") {
  auto r = evidence::parse_rpc_response(fixture("expB-xmlrpc-getProcessInfo-raw.xml"));
  REQUIRE_FALSE(r.fault);
  REQUIRE(r.value.type == RpcValue::Type::Struct);
  const auto& v = r.value;
  CHECK(v.str("name") == "nodir");
  CHECK(v.str("statename") == "FATAL");
  CHECK(v.integer("state") == 200);
  CHECK(v.str("spawnerr") == "Exited too quickly (process log may have details)");
  CHECK(v.integer("exitstatus") == 0);
  CHECK(v.integer("pid") == 0);
  CHECK(v.integer("now") == 1795966766);
  CHECK(v.str("stderr_logfile") == "/tmp/bm/B/childlogs/nodir-stderr---supervisor-9duru3f2.log");
  CHECK(v.str("missing", "x") == "x");
  CHECK_FALSE(v.integer("name"));
}

TEST_CASE("expB tailProcessStderrLog: [text, offset, overflow], newlines kept") {
  std::string raw = fixture("expB-xmlrpc-tailProcessStderrLog-raw-http.txt");
  auto r = evidence::parse_rpc_response(raw.substr(raw.find("\r\n\r\n") + 4));
  REQUIRE(r.value.type == RpcValue::Type::Array);
  REQUIRE(r.value.a.size() == 3);
  CHECK(r.value.a[0].s ==
        "spawned\nsupervisor: couldn't chdir to /does/not/exist: ENOENT\nsupervisor: child process was not "
        "spawned\nsupervisor: couldn't chdir to /does/not/exist: ENOENT\nsupervisor: child process was not spawned\n");
  CHECK(r.value.a[1].i == 480);
  CHECK(r.value.a[2].type == RpcValue::Type::Bool);
  CHECK(r.value.a[2].i == 1);
}

TEST_CASE("faults, entities, untyped and empty strings, nil") {
  auto f = evidence::parse_rpc_response(
      "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n"
      "<member>\n<name>faultCode</name>\n<value><int>10</int></value>\n</member>\n"
      "<member>\n<name>faultString</name>\n<value><string>BAD_NAME: nosuch</string></value>\n</member>\n"
      "</struct></value>\n</fault>\n</methodResponse>\n");
  CHECK(f.fault);
  CHECK(f.fault_code == 10);
  CHECK(f.fault_string == "BAD_NAME: nosuch");

  auto v = evidence::parse_rpc_response(
      "<methodResponse><params><param><value><array><data>"
      "<value>plain &amp; &lt;x&gt; &#233;</value><value><string></string></value><value><string/></value>"
      "<value><nil/></value><value><string>  </string></value><value><double>1.5</double></value>"
      "</data></array></value></param></params></methodResponse>");
  REQUIRE(v.value.a.size() == 6);
  CHECK(v.value.a[0].s == "plain & <x> \xc3\xa9");
  CHECK(v.value.a[1].s.empty());
  CHECK(v.value.a[2].type == RpcValue::Type::String);
  CHECK(v.value.a[3].type == RpcValue::Type::Nil);
  CHECK(v.value.a[4].s == "  ");
  CHECK(v.value.a[5].d == 1.5);
}

TEST_CASE("what is not a methodResponse is an RpcParseError, never a crash") {
  for (const char* bad : {"", "<html>401 Unauthorized</html>", "<methodResponse><params>",
                          "<methodResponse><params><param><value><int>1</value>",
                          "<methodResponse><params><param><value><base64>AA==</base64></value></param></params></methodResponse>"})
    CHECK_THROWS_AS(evidence::parse_rpc_response(bad), evidence::RpcParseError);
}
