// XML-RPC as supervisord speaks it: requests with string/int parameters, and
// responses as Python's xmlrpc.client.dumps writes them (string, int,
// boolean, double, nil, array, struct; faults). A fixed, small subset: a
// page of parser rather than a new XML dependency. Pure: text in, values out.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bootmortem::evidence {

struct RpcValue {
  enum class Type { Nil, Int, Bool, Double, String, Array, Struct };
  Type type = Type::Nil;
  int64_t i = 0;  // Int, Bool
  double d = 0;
  std::string s;
  std::vector<RpcValue> a;
  std::map<std::string, RpcValue> m;

  static RpcValue of(const std::string& v);
  static RpcValue of(int64_t v);

  // Struct member access for the fields supervisord returns; the fallback
  // when the member is absent or of another type.
  std::string str(const std::string& key, const std::string& fallback = "") const;
  std::optional<int64_t> integer(const std::string& key) const;
};

struct RpcResponse {
  bool fault = false;
  int fault_code = 0;        // supervisor.xmlrpc.Faults: BAD_NAME 10, NO_FILE 70, ...
  std::string fault_string;  // "BAD_NAME: nosuch"
  RpcValue value;
};

class RpcParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// <methodCall> for POST /RPC2.
std::string rpc_request(const std::string& method, const std::vector<RpcValue>& params);

// A <methodResponse> body; throws RpcParseError when it is not one.
RpcResponse parse_rpc_response(const std::string& xml);

}  // namespace bootmortem::evidence
