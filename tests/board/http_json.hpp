// An HTTP answer's body as JSON, for the board's tests: null if it is not JSON.
#pragma once

#include <boost/json.hpp>

#include "http_client.hpp"

namespace chairwatch::it {

inline boost::json::value parse(const HttpResult& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    return ec ? boost::json::value(nullptr) : v;
}

}  // namespace chairwatch::it
