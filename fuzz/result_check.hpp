// The result a fuzzed control or ack message gets published with must be JSON that says back
// exactly what was encoded (a nurse station parses it), whatever the message contained.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "drivers/codec/control_codec.hpp"
#include "fuzz/fuzz_check.hpp"

namespace chairwatch::fuzz {

inline void check_result(bool ok, std::string_view key, std::string_view id, std::string_view error,
                         std::string_view session_id = {}) {
    const auto text =
        drivers::encode_result(ok, key, id, error, "2026-11-24T19:55:37.002Z", session_id);
    boost::json::error_code ec;
    const auto v = boost::json::parse(text, ec);
    FUZZ_CHECK(!ec && v.is_object());
    const auto& o = v.as_object();
    FUZZ_CHECK(o.at("ok").as_bool() == ok);
    FUZZ_CHECK(o.at(key).as_string() == id);
    if (!ok) FUZZ_CHECK(o.at("error").as_string() == error);
    FUZZ_CHECK(session_id.empty() ? !o.contains("session_id")
                                  : o.at("session_id").as_string() == session_id);
}

}  // namespace chairwatch::fuzz
