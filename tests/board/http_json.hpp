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

// The item of `answer`'s array `list` whose `key` is `value` (an alarm by alert_id, a chair by
// its id); empty if there is none.
inline boost::json::object item_of(const boost::json::value& answer, const char* list,
                                   const char* key, const std::string& value) {
    for (const auto& item : answer.at(list).as_array())
        if (item.at(key) == value.c_str()) return item.as_object();
    return {};
}

}  // namespace chairwatch::it
